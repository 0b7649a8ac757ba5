//! Oracle: the MySQL claims of `non-atomic-ddl` checked on a real MariaDB
//! (or MySQL) server, against the rule's fixtures.
//!
//! The server comes from `BELLOWS_TEST_MYSQL_URL`
//! (`mysql://user[:password]@host[:port]/db`); unset, the test says it is
//! skipped and passes; set but unreachable, it fails. Statements go through
//! the `mariadb` (or `mysql`) command-line client, one script per session,
//! in databases `bellows_oracle_N` that the test creates and drops.
//!
//! For each finding: the history is replayed into a fresh database, the
//! migration's statements up to the flagged one run inside
//! `START TRANSACTION … ROLLBACK`, and the schema must still have changed
//! (the DDL was committed on its own). When the help offers one combined
//! `ALTER TABLE`, it must run, give the schema the separate statements
//! give, and apply nothing when one of its clauses fails.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use bellows::Dialect;
use bellows::parse::{Stmt, parse_annotated};
use bellows::rules::{Parsed, part_statements};

const RULE: &str = "non-atomic-ddl";

/// A server reached through its command-line client.
struct Server {
    client: &'static str,
    args: Vec<String>,
}

impl Server {
    fn from_url(url: &str) -> Result<Server, String> {
        let rest = url
            .strip_prefix("mysql://")
            .or_else(|| url.strip_prefix("mariadb://"))
            .ok_or_else(|| format!("BELLOWS_TEST_MYSQL_URL is not a mysql:// URL: {url}"))?;
        let (auth, host) = rest.rsplit_once('@').unwrap_or(("root", rest));
        let host = host.split('/').next().unwrap_or(host);
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        let (host, port) = host.split_once(':').unwrap_or((host, "3306"));
        let client = ["mariadb", "mysql"]
            .into_iter()
            .find(|c| {
                Command::new(c)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .ok_or("BELLOWS_TEST_MYSQL_URL is set but neither `mariadb` nor `mysql` client is installed")?;
        let mut args = vec![
            "--protocol=TCP".to_string(),
            format!("--host={host}"),
            format!("--port={port}"),
            format!("--user={user}"),
            "--batch".to_string(),
            "--skip-column-names".to_string(),
        ];
        if !password.is_empty() {
            args.push(format!("--password={password}"));
        }
        Ok(Server { client, args })
    }

    /// Runs a script in one session; its output, or the client's error.
    fn run(&self, db: Option<&str>, script: &str) -> Result<String, String> {
        let mut cmd = Command::new(self.client);
        cmd.args(&self.args);
        if let Some(db) = db {
            cmd.arg(format!("--database={db}"));
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", self.client))?;
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(script.as_bytes())
            .map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// An empty database of that name.
    fn fresh(&self, db: &str) -> Result<(), String> {
        self.run(
            None,
            &format!("DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}`;"),
        )
        .map(drop)
    }

    /// Tables, columns and indexes of a database, as text to compare.
    fn schema(&self, db: &str) -> Result<String, String> {
        self.run(
            None,
            &format!(
                "SELECT 'table', TABLE_NAME, '', '' FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}'
                 ORDER BY TABLE_NAME;
                 SELECT 'column', TABLE_NAME, COLUMN_NAME, CONCAT(COLUMN_TYPE, ' ', IS_NULLABLE, ' ', ORDINAL_POSITION)
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{db}' ORDER BY TABLE_NAME, ORDINAL_POSITION;
                 SELECT 'index', TABLE_NAME, INDEX_NAME, CONCAT(SEQ_IN_INDEX, ' ', COLUMN_NAME)
                 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '{db}'
                 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX;"
            ),
        )
    }
}

/// One part (up or down) of a migration: its statements and their text.
#[derive(Default)]
struct Part {
    sql: Vec<String>,
    stmts: Vec<Stmt>,
}

/// A case's lint outcome and its migrations' `(up, down)` parts.
fn migrations(case: &Path) -> (bellows::Outcome, Vec<(Part, Part)>) {
    let out = common::lint_dir(case, Dialect::Mysql);
    let files = &out.discovered.files;
    let parsed: Parsed = files
        .iter()
        .enumerate()
        .map(|(id, f)| (id, parse_annotated(&f.text, f.dialect, &f.annotations)))
        .collect();
    let part = |p: Option<bellows::discover::Part>| {
        let Some(p) = p else {
            return Part::default();
        };
        let text = files.get(p.file).map_or("", |f| f.text.as_str());
        let stmts: Vec<Stmt> = part_statements(&parsed, p).into_iter().cloned().collect();
        let sql = stmts
            .iter()
            .map(|s| text.get(s.span.start..s.span.end).unwrap_or("").to_string())
            .collect();
        Part { sql, stmts }
    };
    let ms = out
        .discovered
        .roots
        .iter()
        .flat_map(|r| &r.migrations)
        .map(|m| (part(m.up), part(m.down)))
        .collect();
    (out, ms)
}

fn script(stmts: &[String]) -> String {
    stmts.iter().fold(String::new(), |acc, s| acc + s + ";\n")
}

/// The single statement a help offers: the text between the backticks
/// after "all or nothing: ".
fn combined(help: &str) -> Option<&str> {
    let rest = help.split_once("all or nothing: `")?.1;
    Some(rest.split_once('`')?.0)
}

fn check_case(server: &Server, case: &Path, n: &mut usize) -> Result<usize, String> {
    let name = case
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let (out, ms) = migrations(case);
    let mut checked = 0;
    for f in out.findings.iter().filter(|f| f.rule == RULE) {
        let Some(span) = f.span else {
            return Err(format!("{name}: a file-level {RULE} finding"));
        };
        // The migration and part holding the finding, and the flagged statement's index.
        let inside = |s: &Stmt| s.span.start <= span.start && span.end <= s.span.end;
        let file_of = |m: &bellows::discover::Migration, down: bool| {
            if down { m.down } else { m.up }.map(|p| p.file)
        };
        let all = &out.discovered.roots[0].migrations;
        let mut at = None;
        for (mi, (m, (up, down))) in all.iter().zip(&ms).enumerate() {
            for (is_down, part) in [(false, up), (true, down)] {
                if file_of(m, is_down) != Some(f.file) {
                    continue;
                }
                if let Some(si) = part.stmts.iter().position(inside) {
                    at = Some((mi, is_down, si));
                }
            }
        }
        let (mi, is_down, si) =
            at.ok_or_else(|| format!("{name}: finding outside any statement"))?;
        let history: String = ms
            .iter()
            .take(mi + usize::from(is_down))
            .map(|(up, _)| script(&up.sql))
            .collect();
        let part = if is_down {
            &ms[mi].1.sql
        } else {
            &ms[mi].0.sql
        };

        // The statements up to the flagged one, then ROLLBACK: the schema stays changed.
        *n += 1;
        let db = format!("bellows_oracle_{n}");
        server.fresh(&db)?;
        server
            .run(Some(&db), &history)
            .map_err(|e| format!("{name}: history failed: {e}"))?;
        let before = server.schema(&db)?;
        let run = format!("START TRANSACTION;\n{}ROLLBACK;\n", script(&part[..=si]));
        server
            .run(Some(&db), &run)
            .map_err(|e| format!("{name}: migration failed: {e}"))?;
        let after = server.schema(&db)?;
        if after == before {
            return Err(format!(
                "{name}: {}: ROLLBACK undid the DDL, so it was atomic after all",
                f.message
            ));
        }
        server.run(None, &format!("DROP DATABASE `{db}`;"))?;

        if let Some(sql) = combined(&f.help) {
            let table = sql.split_whitespace().nth(2).unwrap_or("");
            // What the separate statements give.
            *n += 1;
            let db = format!("bellows_oracle_{n}");
            server.fresh(&db)?;
            server.run(Some(&db), &history)?;
            server
                .run(Some(&db), &script(part))
                .map_err(|e| format!("{name}: migration failed: {e}"))?;
            let separate = server.schema(&db)?;
            server.fresh(&db)?;
            server.run(Some(&db), &history)?;
            let before = server.schema(&db)?;
            // With a clause that must fail (a column the table has), nothing applies.
            let existing = server.run(
                None,
                &format!(
                    "SELECT COLUMN_NAME FROM information_schema.COLUMNS
                     WHERE TABLE_SCHEMA = '{db}' AND TABLE_NAME = '{table}' ORDER BY ORDINAL_POSITION LIMIT 1;"
                ),
            )?;
            let existing = existing.trim();
            if existing.is_empty() {
                return Err(format!(
                    "{name}: the help names table {table}, which does not exist"
                ));
            }
            let failing = format!("{sql}, ADD COLUMN `{existing}` int;");
            if server.run(Some(&db), &failing).is_ok() {
                return Err(format!("{name}: `{failing}` succeeded"));
            }
            if server.schema(&db)? != before {
                return Err(format!(
                    "{name}: `{failing}` failed but applied part of its clauses"
                ));
            }
            server
                .run(Some(&db), &format!("{sql};"))
                .map_err(|e| format!("{name}: the help's statement `{sql}` failed: {e}"))?;
            if server.schema(&db)? != separate {
                return Err(format!(
                    "{name}: the help's statement `{sql}` does not give what the migration gives"
                ));
            }
            server.run(None, &format!("DROP DATABASE `{db}`;"))?;
        }
        checked += 1;
    }
    Ok(checked)
}

#[test]
fn non_atomic_ddl_holds_on_a_real_mysql_server() {
    let Ok(url) = std::env::var("BELLOWS_TEST_MYSQL_URL") else {
        eprintln!(
            "skipped: BELLOWS_TEST_MYSQL_URL is not set (no MySQL/MariaDB server to check against)"
        );
        return;
    };
    let server = match Server::from_url(&url) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    if let Err(e) = server.run(None, "SELECT 1;") {
        panic!("BELLOWS_TEST_MYSQL_URL is set but the server does not answer: {e}");
    }
    let dir = common::root().join("fixtures").join(RULE);
    let mut n = 0;
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in common::subdirs(&dir) {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !name.starts_with("violation") {
            continue;
        }
        match check_case(&server, &case, &mut n) {
            Ok(k) => checked += k,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every finding of the violation cases was run: 3 + 2 today.
    assert!(checked >= 5, "only {checked} findings checked");
}
