//! Oracle: the MySQL/MariaDB claims of the rules checked on a real server,
//! against the rules' fixtures: `non-atomic-ddl` (DDL commits on its own),
//! and for every case that targets the server's own flavour and version the
//! algorithm, rebuild and lock claims of `table-rewrite`, `online-rebuild`,
//! `change-column-type`, `add-foreign-key-validating`,
//! `create-index-blocking`, `refused-by-server`, and the waits claimed by
//! `missing-lock-timeout` and `backfill-in-migration`. Cases for another
//! target (MySQL 8.4 by default) are listed as skipped.
//!
//! The server comes from `BELLOWS_TEST_MYSQL_URL`
//! (`mysql://user[:password]@host[:port]/db`); unset, the test says it is
//! skipped and passes; set but unreachable, it fails. Statements go through
//! the `mariadb` (or `mysql`) command-line client, one script per session,
//! in databases `bellows_oracle_<pid>_N` that the test creates and drops.
//!
//! For each finding: the history is replayed into a fresh database, the
//! migration's statements up to the flagged one run inside
//! `START TRANSACTION … ROLLBACK`, and the schema must still have changed
//! (the DDL was committed on its own). When the help offers one combined
//! `ALTER TABLE`, it must run, give the schema the separate statements
//! give, and apply nothing when one of its clauses fails.

mod common;

use std::fmt::Write as _;
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
        let db = format!("bellows_oracle_{}_{n}", std::process::id());
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
            let db = format!("bellows_oracle_{}_{n}", std::process::id());
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
        let line = bellows::report::locate(&out)
            .into_iter()
            .find(|l| *l.finding == *f)
            .map(|l| format!("{}:{}", l.path, l.start.map_or(0, |p| p.line)))
            .unwrap_or_default();
        println!("oracle {RULE} {name}/{line} ok");
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
    // Every finding of the violation cases was run: 2 today.
    assert!(checked >= 2, "only {checked} findings checked");
}

// ---------------------------------------------------------------------------
// The algorithm, rebuild and lock claims.

/// The rules whose MySQL claims are run here.
const CLAIM_RULES: &[&str] = &[
    "add-foreign-key-validating",
    "backfill-in-migration",
    "change-column-type",
    "create-index-blocking",
    "missing-lock-timeout",
    "online-rebuild",
    "refused-by-server",
    "table-rewrite",
];

/// The server's flavour and version, as `--mysql-version` names it.
fn server_target(server: &Server) -> Result<bellows::mysql_version::Server, String> {
    let v = server.run(None, "SELECT VERSION();")?;
    let v = v.trim();
    let numbers: Vec<&str> = v.split(['.', '-']).take(2).collect();
    let text = if v.to_ascii_lowercase().contains("mariadb") {
        format!("mariadb-{}", numbers.join("."))
    } else {
        numbers.join(".")
    };
    bellows::mysql_version::Server::parse(&text)
}

fn same_release(a: bellows::mysql_version::Server, b: bellows::mysql_version::Server) -> bool {
    (a.flavour, a.major, a.minor) == (b.flavour, b.major, b.minor)
}

/// Per table: each column with its value in the three rows.
type Columns = Vec<(String, [String; 3])>;

/// Inserts three rows into every base table of a database: keys distinct,
/// foreign key columns 1–3 (the ids AUTO_INCREMENT parents get), no NULLs.
fn fill_rows(server: &Server, db: &str) -> Result<(), String> {
    let cols = server.run(
        None,
        &format!(
            "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.EXTRA, c.COLUMN_KEY
             FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
               ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
             WHERE c.TABLE_SCHEMA = '{db}' AND t.TABLE_TYPE = 'BASE TABLE'
             ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION;"
        ),
    )?;
    let mut tables: Vec<(String, Columns)> = Vec::new();
    for line in cols.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [table, column, data_type, column_type, extra, key] = f[..] else {
            continue;
        };
        if extra.contains("auto_increment") || extra.contains("GENERATED") {
            continue;
        }
        if tables.last().is_none_or(|(t, _)| t != table) {
            tables.push((table.to_string(), Vec::new()));
        }
        let ti = tables.len();
        let len = column_type
            .split_once('(')
            .and_then(|(_, r)| r.split(')').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(20);
        let value = |i: usize| -> String {
            match data_type {
                "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => {
                    if key == "PRI" && data_type != "tinyint" {
                        (1000 * ti + i).to_string()
                    } else {
                        i.to_string()
                    }
                }
                "decimal" | "float" | "double" => i.to_string(),
                "char" | "varchar" | "binary" | "varbinary" => {
                    let v = format!("v{i}");
                    format!("'{}'", &v[..v.len().min(len.max(1))])
                }
                "text" | "tinytext" | "mediumtext" | "longtext" | "blob" | "mediumblob"
                | "longblob" => format!("'t{i}'"),
                "enum" | "set" => column_type
                    .split('\'')
                    .nth(1)
                    .map_or_else(|| "NULL".to_string(), |m| format!("'{m}'")),
                "date" => format!("'2024-01-0{i}'"),
                "datetime" | "timestamp" => format!("'2024-01-0{i} 00:00:00'"),
                "time" => format!("'00:00:0{i}'"),
                "year" => (2000 + i).to_string(),
                "point" | "geometry" => format!("ST_GeomFromText('POINT({i} {i})')"),
                "json" => "'{}'".to_string(),
                "bit" => "1".to_string(),
                _ => "NULL".to_string(),
            }
        };
        if let Some((_, v)) = tables.last_mut() {
            v.push((column.to_string(), [value(1), value(2), value(3)]));
        }
    }
    let mut script = String::from("SET foreign_key_checks = 0;\n");
    for (table, cols) in &tables {
        if cols.is_empty() {
            continue;
        }
        let names: Vec<String> = cols.iter().map(|(c, _)| format!("`{c}`")).collect();
        let rows: Vec<String> = (0..3)
            .map(|i| {
                let v: Vec<&str> = cols.iter().map(|(_, v)| v[i].as_str()).collect();
                format!("({})", v.join(", "))
            })
            .collect();
        let _ = writeln!(
            script,
            "INSERT INTO `{table}` ({}) VALUES {};",
            names.join(", "),
            rows.join(", ")
        );
    }
    server
        .run(Some(db), &script)
        .map(drop)
        .map_err(|e| format!("rows: {e}"))
}

/// The InnoDB table id of a table (0 when it is not an InnoDB table).
fn table_id(server: &Server, db: &str, table: &str) -> Result<u64, String> {
    let out = server.run(
        None,
        &format!(
            "SELECT IFNULL((SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES
             WHERE NAME = '{db}/{table}'), 0);"
        ),
    )?;
    out.trim()
        .parse()
        .map_err(|e| format!("table id of {table}: {e}"))
}

/// A statement with a clause appended: `, ALGORITHM=INPLACE` to an `ALTER
/// TABLE`, ` ALGORITHM=INPLACE` to a `CREATE INDEX`.
fn with_clause(stmt: &Stmt, sql: &str, clause: &str) -> String {
    match stmt.action {
        bellows::parse::Action::CreateIndex(_) => format!("{sql} {clause}"),
        _ => format!("{sql}, {clause}"),
    }
}

/// The table a statement is about.
fn table_of(stmt: &Stmt) -> Option<String> {
    use bellows::parse::Action;
    match &stmt.action {
        Action::AlterTable { table, .. } | Action::Dml { table, .. } => Some(table.name.clone()),
        Action::CreateIndex(ci) => Some(ci.table.name.clone()),
        Action::Optimize { tables } | Action::Truncate { tables } => {
            tables.first().map(|t| t.name.clone())
        }
        Action::RenameTables(pairs) => pairs.first().map(|(f, _)| f.name.clone()),
        Action::Drop { table: Some(t), .. } => Some(t.name.clone()),
        Action::Drop { names, .. } => names.first().map(|t| t.name.clone()),
        _ => None,
    }
}

/// Whether the statement (its text) holds its own `ALGORITHM=` or `LOCK=` clause.
fn has_own_clause(sql: &str) -> bool {
    let words =
        bellows::parse::normalized(sql, bellows::ByteSpan::new(0, sql.len()), Dialect::Mysql);
    words.contains("ALGORITHM") || words.contains(" LOCK ")
}

/// A database set up for one statement: the history, three rows a table,
/// and the statements of the migration before it (its `SET`s are returned,
/// to open every later session the way the migration's session was).
struct Setup<'a> {
    server: &'a Server,
    db: String,
    sets: String,
}

impl Setup<'_> {
    /// Runs a statement in a session set up like the migration's.
    fn run(&self, sql: &str) -> Result<String, String> {
        self.server
            .run(Some(&self.db), &format!("{}{sql};\n", self.sets))
    }

    fn table_id(&self, table: &str) -> Result<u64, String> {
        table_id(self.server, &self.db, table)
    }
}

impl Drop for Setup<'_> {
    fn drop(&mut self) {
        let _ = self
            .server
            .run(None, &format!("DROP DATABASE IF EXISTS `{}`;", self.db));
    }
}

fn setup<'a>(
    server: &'a Server,
    n: &mut usize,
    history: &str,
    earlier: &[(String, &Stmt)],
) -> Result<Setup<'a>, String> {
    *n += 1;
    let db = format!("bellows_claims_{}_{n}", std::process::id());
    server.fresh(&db)?;
    server
        .run(Some(&db), history)
        .map_err(|e| format!("history failed: {e}"))?;
    fill_rows(server, &db)?;
    let before: Vec<String> = earlier.iter().map(|(sql, _)| sql.clone()).collect();
    if !before.is_empty() {
        server
            .run(Some(&db), &script(&before))
            .map_err(|e| format!("the statements before it failed: {e}"))?;
    }
    let sets = earlier
        .iter()
        .filter(|(_, s)| matches!(s.action, bellows::parse::Action::Set { .. }))
        .fold(String::new(), |mut acc, (sql, _)| {
            let _ = writeln!(acc, "{sql};");
            acc
        });
    Ok(Setup { server, db, sets })
}

fn refused(s: &Setup<'_>, sql: &str) -> Result<(), String> {
    match s.run(sql) {
        Ok(_) => Err(format!("`{sql}` was accepted")),
        Err(_) => Ok(()),
    }
}

fn accepted(s: &Setup<'_>, sql: &str) -> Result<(), String> {
    s.run(sql)
        .map(drop)
        .map_err(|e| format!("`{sql}` was refused: {e}"))
}

/// Runs `sql` and says whether the table got a new InnoDB table (a rebuild or copy).
fn rebuilds(s: &Setup<'_>, table: &str, sql: &str) -> Result<bool, String> {
    let before = s.table_id(table)?;
    accepted(s, sql)?;
    Ok(s.table_id(table)? != before)
}

/// While `holder` runs in one session (and sleeps in its transaction),
/// `waiter` in another must fail with a lock wait timeout.
fn waits(s: &Setup<'_>, holder: &str, waiter: &str) -> Result<(), String> {
    let held = format!("{}{holder}\nSELECT SLEEP(3);\nROLLBACK;\n", s.sets);
    let server = s.server;
    let db = s.db.clone();
    std::thread::scope(|scope| {
        let a = scope.spawn(|| server.run(Some(&db), &held));
        std::thread::sleep(std::time::Duration::from_millis(700));
        let b = server.run(Some(&db), waiter);
        let a = a
            .join()
            .map_err(|_| "the holding session panicked".to_string())?;
        a.map_err(|e| format!("the holding session failed: {e}"))?;
        match b {
            Ok(_) => Err(format!("`{waiter}` did not wait")),
            Err(e) if e.contains("Lock wait timeout") => Ok(()),
            Err(e) => Err(format!("`{waiter}` failed otherwise: {e}")),
        }
    })
}

/// Checks one finding's claim on the server.
fn check_claim(
    s: &Setup<'_>,
    rule: &str,
    stmt: &Stmt,
    sql: &str,
    finding: &bellows::Finding,
) -> Result<(), String> {
    let table = table_of(stmt).ok_or("no table")?;
    let own = has_own_clause(sql);
    let blocks_writes = finding.severity == bellows::Severity::Error;
    match rule {
        "table-rewrite" | "change-column-type" | "add-foreign-key-validating" => {
            if own {
                // Its own ALGORITHM=COPY: a copy with writes blocked.
                refused(s, &with_clause(stmt, sql, "LOCK=NONE"))?;
            } else {
                refused(s, &with_clause(stmt, sql, "ALGORITHM=INPLACE"))?;
                refused(s, &with_clause(stmt, sql, "LOCK=NONE"))?;
            }
            if !rebuilds(s, &table, sql)? {
                return Err("the table id did not change: no copy".to_string());
            }
        }
        "online-rebuild" => {
            if matches!(stmt.action, bellows::parse::Action::Optimize { .. }) {
                if !rebuilds(s, &table, sql)? {
                    return Err("the table id did not change: no rebuild".to_string());
                }
                return Ok(());
            }
            refused(s, &with_clause(stmt, sql, "ALGORITHM=NOCOPY"))?;
            let run = if blocks_writes {
                refused(s, &with_clause(stmt, sql, "ALGORITHM=INPLACE, LOCK=NONE"))?;
                with_clause(stmt, sql, "ALGORITHM=INPLACE")
            } else {
                with_clause(stmt, sql, "ALGORITHM=INPLACE, LOCK=NONE")
            };
            if !rebuilds(s, &table, &run)? {
                return Err("the table id did not change: no rebuild".to_string());
            }
        }
        "create-index-blocking" => {
            refused(s, &with_clause(stmt, sql, "LOCK=NONE"))?;
            let rebuilt = rebuilds(s, &table, sql)?;
            let claimed = finding.message.contains("rebuilds");
            if rebuilt != claimed {
                return Err(format!(
                    "the table was {}rebuilt, the finding says otherwise",
                    if rebuilt { "" } else { "not " }
                ));
            }
        }
        "refused-by-server" => refused(s, sql)?,
        "missing-lock-timeout" => {
            let holder = format!("START TRANSACTION;\nSELECT COUNT(*) FROM `{table}`;");
            waits(
                s,
                &holder,
                &format!("SET SESSION lock_wait_timeout = 1;\n{sql};"),
            )?;
        }
        "backfill-in-migration" => {
            let holder = format!("START TRANSACTION;\n{sql};");
            waits(
                s,
                &holder,
                &format!(
                    "SET SESSION innodb_lock_wait_timeout = 1;\nSELECT COUNT(*) FROM (SELECT * FROM `{table}` FOR UPDATE) x;"
                ),
            )?;
        }
        other => return Err(format!("no claim check for {other}")),
    }
    Ok(())
}

/// In an ok case, the statements the rule let pass must not show its
/// claim: each `ALTER TABLE`/`CREATE INDEX` of a table the migration did
/// not create runs with the clause the claim would make the server refuse.
fn negation(rule: &str, stmt: &Stmt, sql: &str) -> Option<String> {
    use bellows::parse::Action;
    if !matches!(
        stmt.action,
        Action::AlterTable { .. } | Action::CreateIndex(_)
    ) {
        return None;
    }
    if has_own_clause(sql) {
        return Some(sql.to_string());
    }
    let clause = match rule {
        "table-rewrite" | "change-column-type" | "add-foreign-key-validating" => {
            "ALGORITHM=INPLACE"
        }
        "online-rebuild" => "ALGORITHM=NOCOPY",
        "create-index-blocking" => "LOCK=NONE",
        // Its own clauses (above) must be accepted; nothing to add.
        _ => return None,
    };
    Some(with_clause(stmt, sql, clause))
}

/// The up statements of a migration with their text, without those the
/// server refuses (`refused` holds their spans): a refused statement does
/// nothing, and the client would stop at it.
fn up_of<'a>(
    ms: &'a [(Part, Part)],
    mi: usize,
    refused: &[Vec<bellows::ByteSpan>],
) -> Vec<(String, &'a Stmt)> {
    let refused = refused.get(mi).map_or(&[][..], Vec::as_slice);
    ms.get(mi)
        .map(|(up, _)| {
            up.sql
                .iter()
                .cloned()
                .zip(up.stmts.iter())
                .filter(|(_, s)| {
                    !refused
                        .iter()
                        .any(|r| s.span.start <= r.start && r.end <= s.span.end)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The history before migration `mi`, as one script.
fn history_of(ms: &[(Part, Part)], mi: usize, refused: &[Vec<bellows::ByteSpan>]) -> String {
    (0..mi)
        .map(|i| {
            let up: Vec<String> = up_of(ms, i, refused)
                .into_iter()
                .map(|(sql, _)| sql)
                .collect();
            script(&up)
        })
        .collect()
}

#[test]
fn mysql_claims_hold_on_a_real_server() {
    let Ok(url) = std::env::var("BELLOWS_TEST_MYSQL_URL") else {
        eprintln!(
            "skipped: BELLOWS_TEST_MYSQL_URL is not set (no MySQL/MariaDB server to check against)"
        );
        return;
    };
    let server = Server::from_url(&url).unwrap_or_else(|e| panic!("{e}"));
    let target = server_target(&server).unwrap_or_else(|e| {
        panic!("BELLOWS_TEST_MYSQL_URL is set but the server does not answer: {e}")
    });
    let mut n = 0;
    let mut failures = Vec::new();
    let mut confirmed = 0;
    let mut negations = 0;
    let mut skipped = Vec::new();
    for rule in CLAIM_RULES {
        let dir = common::root().join("fixtures").join(rule);
        for case in common::subdirs(&dir) {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let dialect = common::case_dialect(&name);
            if dialect != Dialect::Mysql {
                continue;
            }
            let case_target = common::case_server(&name);
            if !same_release(case_target, target) {
                skipped.push(format!("{rule}/{name} ({case_target})"));
                continue;
            }
            let (out, ms) = migrations(&case);
            let all = &out.discovered.roots[0].migrations;
            // What the server refuses does nothing: per migration, the spans of its refused statements.
            let refused: Vec<Vec<bellows::ByteSpan>> = all
                .iter()
                .map(|m| {
                    out.findings
                        .iter()
                        .filter(|f| {
                            f.rule == "refused-by-server" && m.up.map(|p| p.file) == Some(f.file)
                        })
                        .filter_map(|f| f.span)
                        .collect()
                })
                .collect();
            if name.starts_with("violation") {
                for f in out.findings.iter().filter(|f| f.rule == *rule) {
                    let Some(span) = f.span else { continue };
                    let inside = |s: &Stmt| s.span.start <= span.start && span.end <= s.span.end;
                    let at = all
                        .iter()
                        .zip(&ms)
                        .enumerate()
                        .find_map(|(mi, (m, (up, _)))| {
                            (m.up.map(|p| p.file) == Some(f.file))
                                .then(|| up.stmts.iter().position(inside).map(|si| (mi, si)))
                                .flatten()
                        });
                    let Some((mi, si)) = at else {
                        failures.push(format!("{rule}/{name}: finding outside any up statement"));
                        continue;
                    };
                    let line = bellows::report::locate(&out)
                        .into_iter()
                        .find(|l| *l.finding == *f)
                        .map(|l| format!("{}:{}", l.path, l.start.map_or(0, |p| p.line)))
                        .unwrap_or_default();
                    let history = history_of(&ms, mi, &refused);
                    let Some((sql, stmt)) = ms
                        .get(mi)
                        .and_then(|(up, _)| up.sql.get(si).zip(up.stmts.get(si)))
                    else {
                        continue;
                    };
                    let earlier: Vec<(String, &Stmt)> = up_of(&ms, mi, &refused)
                        .into_iter()
                        .filter(|(_, s)| s.span.end <= stmt.span.start)
                        .collect();
                    let result = setup(&server, &mut n, &history, &earlier)
                        .and_then(|s| check_claim(&s, rule, stmt, sql, f));
                    match result {
                        Ok(()) => {
                            println!("oracle {rule} {name}/{line} ok");
                            confirmed += 1;
                        }
                        Err(e) => {
                            failures.push(format!("{rule}/{name}/{line}: {}: {e}", f.message));
                        }
                    }
                }
            } else {
                // Each migration once, its statements with the negated claim.
                for mi in 0..ms.len() {
                    let history = history_of(&ms, mi, &refused);
                    let up = up_of(&ms, mi, &refused);
                    let mut created: Vec<String> = Vec::new();
                    let mut probes = 0;
                    let mut run = Vec::new();
                    for (sql, stmt) in &up {
                        if let bellows::parse::Action::CreateTable(ct) = &stmt.action {
                            created.push(ct.name.name.clone());
                        }
                        let new = table_of(stmt).is_some_and(|t| created.contains(&t));
                        match negation(rule, stmt, sql).filter(|_| !new) {
                            Some(probe) => {
                                probes += 1;
                                run.push(probe);
                            }
                            None => run.push(sql.clone()),
                        }
                    }
                    if probes == 0 {
                        continue;
                    }
                    let result = setup(&server, &mut n, &history, &[])
                        .and_then(|s| s.run(&script(&run)).map(drop));
                    match result {
                        Ok(()) => {
                            println!(
                                "oracle {rule} {name} migration {} ok ({probes} statements show no claim)",
                                mi + 1
                            );
                            negations += probes;
                        }
                        Err(e) => failures.push(format!("{rule}/{name} migration {}: {e}", mi + 1)),
                    }
                }
            }
        }
    }
    for s in &skipped {
        eprintln!("oracle: skipped {s}: not the server's release ({target})");
    }
    eprintln!(
        "oracle: {confirmed} claims confirmed, {negations} statements of ok cases without the claim"
    );
    assert!(
        failures.is_empty(),
        "claims the server contradicts:\n{}",
        failures.join("\n")
    );
    assert!(confirmed >= 25, "only {confirmed} claims confirmed");
}
