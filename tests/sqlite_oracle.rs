//! Oracle: every SQLite fixture case of every rule runs on a real SQLite
//! (rusqlite's bundled library, no server needed). The history is replayed,
//! every table gets rows, then the last migration runs the way its runner
//! runs it; what the findings claim is checked against what SQLite did:
//! refused statements fail and accepted ones run, a rebuild loses exactly
//! the columns, objects and child rows its findings name, a PRAGMA inside a
//! transaction leaves the setting unchanged. One line per confirmed claim:
//! `oracle <rule> <case> ok`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bellows::discover::{Layout, Migration, TxMode};
use bellows::parse::{Action, Stmt, parse_annotated};
use bellows::rules::REGISTRY;
use bellows::{Dialect, Finding, Outcome};
use common::{case_dialect, case_sqlite_version, lint_dir, root, subdirs};
use rusqlite::Connection;

/// Rows given to every table before the migration under test.
const ROWS: i64 = 3;

/// One statement of a migration, as SQL text, with where it is.
struct Sql {
    file: usize,
    start: usize,
    end: usize,
    text: String,
    pragma_foreign_keys: Option<bool>,
}

/// What the database held at one moment.
#[derive(Debug, Default, PartialEq)]
struct Snapshot {
    /// Table → its columns with declared types, in order.
    tables: BTreeMap<String, Vec<(String, String)>>,
    /// Table → its rows, each as text.
    rows: BTreeMap<String, Vec<Vec<String>>>,
    /// (type, name) → the schema's SQL text, for tables, indexes, triggers and views.
    objects: BTreeMap<(String, String), String>,
    /// Views that can be queried.
    working_views: BTreeSet<String>,
}

fn snapshot(db: &Connection) -> Snapshot {
    let mut s = Snapshot::default();
    let entries: Vec<(String, String, String)> = {
        let mut q = db
            .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid")
            .expect("schema query");
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("schema rows")
            .map(|r| r.expect("schema row"))
            .collect()
    };
    for (ty, name, sql) in entries {
        if ty == "table" {
            let cols = columns(db, &name);
            let list = cols
                .iter()
                .map(|(c, _)| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut q = db
                .prepare(&format!("SELECT {list} FROM \"{name}\" ORDER BY rowid"))
                .expect("rows query");
            let n = cols.len();
            let rows = q
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, String>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .expect("rows")
                .map(|r| r.expect("row"))
                .collect();
            s.rows.insert(name.clone(), rows);
            s.tables.insert(name.clone(), cols);
            s.objects.insert((ty, name), sql);
        } else {
            if ty == "view"
                && db
                    .prepare(&format!("SELECT * FROM \"{name}\""))
                    .is_ok_and(|mut q| q.query([]).is_ok())
            {
                s.working_views.insert(name.clone());
            }
            s.objects.insert((ty, name), sql);
        }
    }
    s
}

/// A table's visible columns (generated ones included) with declared types.
fn columns(db: &Connection, table: &str) -> Vec<(String, String)> {
    let mut q = db
        .prepare(&format!("PRAGMA table_xinfo(\"{table}\")"))
        .expect("table_xinfo");
    q.query_map([], |r| {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(6)?,
        ))
    })
    .expect("columns")
    .map(|r| r.expect("column"))
    .filter(|(_, _, hidden)| *hidden != 1)
    .map(|(n, t, _)| (n, t))
    .collect()
}

/// Gives every table `ROWS` rows (ids 1…ROWS, so references resolve).
fn fill(db: &Connection) {
    db.execute_batch("PRAGMA foreign_keys = OFF")
        .expect("fk off");
    let tables: Vec<String> = {
        let mut q = db
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
            .expect("tables");
        q.query_map([], |r| r.get(0))
            .expect("tables")
            .map(|r| r.expect("table"))
            .collect()
    };
    for t in tables {
        let mut q = db
            .prepare(&format!("PRAGMA table_xinfo(\"{t}\")"))
            .expect("xinfo");
        let cols: Vec<(String, String)> = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(6)?,
                ))
            })
            .expect("cols")
            .map(|r| r.expect("col"))
            .filter(|(_, _, hidden)| *hidden == 0)
            .map(|(n, ty, _)| (n, ty.to_ascii_uppercase()))
            .collect();
        for i in 1..=ROWS {
            let values: Vec<String> = cols
                .iter()
                .map(|(_, ty)| {
                    if ty.contains("INT") || ty.contains("REAL") || ty.contains("NUM") {
                        i.to_string()
                    } else if ty.contains("BLOB") {
                        "x'00'".to_string()
                    } else {
                        format!("'{i}'")
                    }
                })
                .collect();
            let names: Vec<String> = cols.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            db.execute_batch(&format!(
                "INSERT INTO \"{t}\" ({}) VALUES ({})",
                names.join(", "),
                values.join(", ")
            ))
            .unwrap_or_else(|e| panic!("filling {t}: {e}"));
        }
    }
}

fn foreign_keys(db: &Connection) -> bool {
    db.query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
        .expect("foreign_keys")
        == 1
}

/// The statements of a migration's up, in order.
fn up_statements(out: &Outcome, m: &Migration) -> Vec<Sql> {
    let Some(part) = m.up else { return Vec::new() };
    let Some(f) = out.discovered.files.get(part.file) else {
        return Vec::new();
    };
    let parsed = parse_annotated(&f.text, f.dialect, &f.annotations);
    parsed
        .statements
        .iter()
        .filter(|s| part.holds(s.span))
        .map(|s: &Stmt| Sql {
            file: part.file,
            start: s.span.start,
            end: s.span.end,
            text: f
                .text
                .get(s.span.start..s.span.end)
                .unwrap_or("")
                .to_string(),
            pragma_foreign_keys: match &s.action {
                Action::Pragma { name, value } if name == "foreign_keys" => match value.as_str() {
                    "on" | "1" | "true" | "yes" => Some(true),
                    "off" | "0" | "false" | "no" => Some(false),
                    _ => None,
                },
                _ => None,
            },
        })
        .collect()
}

/// What running the migration under test did.
#[derive(Default)]
struct Run {
    /// (statement index, SQLite's message) of the first failure.
    failed: Option<(usize, String)>,
    /// Statement index → `PRAGMA foreign_keys` right after it.
    foreign_keys_after: BTreeMap<usize, bool>,
}

/// Runs statements as the runner does: wrapped in a transaction when the
/// layout wraps; stops at the first failure (and rolls back).
fn run(db: &Connection, stmts: &[Sql], wrapped: bool) -> Run {
    let mut r = Run::default();
    if wrapped {
        db.execute_batch("BEGIN").expect("begin");
    }
    for (i, s) in stmts.iter().enumerate() {
        if let Err(e) = db.execute_batch(&s.text) {
            r.failed = Some((i, e.to_string()));
            let _ = db.execute_batch("ROLLBACK");
            return r;
        }
        r.foreign_keys_after.insert(i, foreign_keys(db));
    }
    if wrapped && !db.is_autocommit() {
        db.execute_batch("COMMIT").expect("commit");
    }
    r
}

/// `a.b` names in a message (table.column).
fn dotted(message: &str) -> Vec<(String, String)> {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter_map(|w| {
            let (a, b) = w.split_once('.')?;
            (!a.is_empty() && !b.is_empty() && !b.contains('.'))
                .then(|| (a.to_string(), b.to_string()))
        })
        .collect()
}

/// The word after the words `kind` in a message (`index posts_title`,
/// `key of order_lines`).
fn named(message: &str, kind: &str) -> Vec<String> {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let kind: Vec<&str> = kind.split(' ').collect();
    words
        .windows(kind.len() + 1)
        .filter(|w| w[..kind.len()] == kind[..])
        .map(|w| w[kind.len()].to_string())
        .collect()
}

/// Whether SQLite did what the finding says. `Err` says why not.
fn confirm(
    rule: &str,
    f: &Finding,
    stmt: usize,
    run: &Run,
    before: &Snapshot,
    after: &Snapshot,
) -> Result<(), String> {
    let failed_here = run.failed.as_ref().filter(|(i, _)| *i == stmt);
    match rule {
        "refused-by-server" => match failed_here {
            Some(_) => Ok(()),
            None => Err(format!("SQLite accepted it ({:?})", run.failed)),
        },
        "pragma-in-transaction" => Err(format!("checked apart: {}", f.message)),
        "add-column-not-null" => match failed_here {
            Some((_, m)) if m.contains("NOT NULL") => Ok(()),
            other => Err(format!("expected a NOT NULL failure, got {other:?}")),
        },
        "drop-column" => {
            if run.failed.is_some() {
                return Err(format!("the migration failed: {:?}", run.failed));
            }
            for (t, c) in dotted(&f.message) {
                let Some(old) = before.tables.get(&t) else {
                    continue;
                };
                let old_at = old.iter().position(|(n, _)| *n == c);
                let new_cols = after.tables.get(&t).ok_or(format!("{t} is gone"))?;
                let new_at = new_cols.iter().position(|(n, _)| *n == c);
                match (old_at, new_at) {
                    (Some(_), None) => return Ok(()),
                    (Some(o), Some(n)) => {
                        let was: Vec<&String> = before.rows[&t].iter().map(|r| &r[o]).collect();
                        let now: Vec<&String> = after.rows[&t].iter().map(|r| &r[n]).collect();
                        return if was == now {
                            Err(format!("{t}.{c} kept its values"))
                        } else {
                            Ok(())
                        };
                    }
                    _ => {}
                }
            }
            Err("no column the message names was lost".to_string())
        }
        "change-column-type" => {
            for (t, c) in dotted(&f.message) {
                let ty = |s: &Snapshot| {
                    s.tables
                        .get(&t)
                        .and_then(|cols| cols.iter().find(|(n, _)| *n == c))
                        .map(|(_, ty)| ty.to_ascii_lowercase())
                };
                if let (Some(a), Some(b)) = (ty(before), ty(after))
                    && a != b
                    && f.message.contains(&format!("from {a} to {b}"))
                {
                    return Ok(());
                }
            }
            Err("no type change the message names".to_string())
        }
        "rebuild-drops-objects" => {
            if run.failed.is_some() {
                return Err(format!("the migration failed: {:?}", run.failed));
            }
            let mut checked = 0;
            for kind in ["index", "trigger"] {
                for n in named(&f.message, kind) {
                    let key = (kind.to_string(), n.clone());
                    if !before.objects.contains_key(&key) {
                        continue;
                    }
                    if after.objects.contains_key(&key) {
                        return Err(format!("{kind} {n} is still there"));
                    }
                    checked += 1;
                }
            }
            for n in named(&f.message, "view") {
                if !before.working_views.contains(&n) {
                    continue;
                }
                if after.working_views.contains(&n) {
                    return Err(format!("view {n} still works"));
                }
                checked += 1;
            }
            // `the foreign key of C (rewritten to REFERENCES old, …)`.
            for child in named(&f.message, "key of") {
                let Some(old) = named(&f.message, "REFERENCES").first().cloned() else {
                    continue;
                };
                let sql = after.objects.get(&("table".to_string(), child.clone()));
                match sql {
                    Some(s) if s.contains(&old) => checked += 1,
                    _ => return Err(format!("{child} does not reference {old}")),
                }
            }
            // `deletes every row of C`.
            if f.message.contains("ON DELETE CASCADE") {
                for child in named(&f.message, "row of") {
                    let was = before.rows.get(&child).map_or(0, Vec::len);
                    let now = after.rows.get(&child).map_or(0, Vec::len);
                    if was == 0 || now != 0 {
                        return Err(format!("{child}: {was} rows before, {now} after"));
                    }
                    checked += 1;
                }
            }
            if checked == 0 {
                Err("nothing the message names could be checked".to_string())
            } else {
                Ok(())
            }
        }
        // "renaming table a to b breaks deployed code that still uses the old name".
        "rename-table" => {
            if run.failed.is_some() {
                return Err(format!("the migration failed: {:?}", run.failed));
            }
            let (Some(old), Some(new)) = (
                named(&f.message, "table").first().cloned(),
                named(&f.message, "to").first().cloned(),
            ) else {
                return Err("no names in the message".to_string());
            };
            if before.tables.contains_key(&old)
                && !after.tables.contains_key(&old)
                && after.tables.contains_key(&new)
            {
                Ok(())
            } else {
                Err(format!("{old} still there or {new} missing"))
            }
        }
        // "dropping trigger t on x stops what it does on each write to x".
        "drop-object" => {
            if run.failed.is_some() {
                return Err(format!("the migration failed: {:?}", run.failed));
            }
            let Some(trigger) = named(&f.message, "trigger").first().cloned() else {
                return Err("no trigger in the message".to_string());
            };
            let key = ("trigger".to_string(), trigger.clone());
            if before.objects.contains_key(&key) && !after.objects.contains_key(&key) {
                Ok(())
            } else {
                Err(format!(
                    "trigger {trigger} was not there before or is still there"
                ))
            }
        }
        other => Err(format!("no oracle for {other}")),
    }
}

/// What an ok case must show: the migration runs, and (for the rebuild
/// rules) no table, column, row or object is lost.
fn confirm_ok(rule: &str, run: &Run, before: &Snapshot, after: &Snapshot) -> Result<(), String> {
    if let Some(f) = &run.failed {
        return Err(format!("SQLite refused statement {}: {}", f.0 + 1, f.1));
    }
    let check_rows = matches!(
        rule,
        "drop-table" | "rename-table" | "rebuild-drops-objects" | "drop-column"
    );
    if check_rows {
        for (t, rows) in &before.rows {
            let now = after.rows.get(t).map_or(0, Vec::len);
            if after.tables.contains_key(t) && now != rows.len() {
                return Err(format!("{t}: {} rows before, {now} after", rows.len()));
            }
        }
    }
    if rule == "rebuild-drops-objects" {
        // Columns the rebuild left out (drop-column names them): objects
        // on them go with them.
        let lost: Vec<&String> = before
            .tables
            .iter()
            .flat_map(|(t, cols)| {
                cols.iter().map(|(c, _)| c).filter(move |c| {
                    after
                        .tables
                        .get(t)
                        .is_some_and(|a| !a.iter().any(|(n, _)| n == *c))
                })
            })
            .collect();
        for (key, sql) in &before.objects {
            let on_lost = sql
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .any(|w| lost.iter().any(|c| c.as_str() == w));
            if !after.objects.contains_key(key) && !on_lost {
                return Err(format!("{} {} is gone", key.0, key.1));
            }
        }
        for v in &before.working_views {
            if !after.working_views.contains(v) {
                return Err(format!("view {v} broke"));
            }
        }
    }
    Ok(())
}

#[test]
fn rules_hold_on_a_real_sqlite() {
    let version = rusqlite::version();
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    println!("oracle: SQLite {version} (bundled)");
    let mut confirmed = 0;
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for rule in REGISTRY {
        for case in subdirs(&root().join("fixtures").join(rule.id)) {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if case_dialect(&name) != Dialect::Sqlite {
                continue;
            }
            let target = case_sqlite_version(&case);
            if target.minor < 35 && minor >= 35 {
                // The bundled SQLite has what the older target lacks.
                skipped.push(format!(
                    "{} {name} (target {target}, bundled {version})",
                    rule.id
                ));
                continue;
            }
            let out = lint_dir(&case, Dialect::Sqlite);
            let Some(root_) = out.discovered.roots.first() else {
                failures.push(format!("{} {name}: no migrations", rule.id));
                continue;
            };
            let Some((last, history)) = root_.migrations.split_last() else {
                continue;
            };
            let db = Connection::open_in_memory().expect("sqlite");
            // The runner's connection: sqlx turns foreign keys on, SQLite's
            // own default is off (the bundled build defaults to on).
            let runner_fk = root_.layout == Layout::Sqlx;
            db.execute_batch(if runner_fk {
                "PRAGMA foreign_keys = ON"
            } else {
                "PRAGMA foreign_keys = OFF"
            })
            .expect("fk");
            for m in history {
                for s in up_statements(&out, m) {
                    db.execute_batch(&s.text)
                        .unwrap_or_else(|e| panic!("{}/{name}: history: {e}: {}", rule.id, s.text));
                }
            }
            fill(&db);
            db.execute_batch(if runner_fk {
                "PRAGMA foreign_keys = ON"
            } else {
                "PRAGMA foreign_keys = OFF"
            })
            .expect("fk");
            let stmts = up_statements(&out, last);
            let findings: Vec<(&Finding, usize)> = out
                .findings
                .iter()
                .filter(|f| f.rule == rule.id && f.severity != bellows::Severity::Info)
                .filter_map(|f| {
                    let span = f.span?;
                    let i = stmts.iter().position(|s| {
                        s.file == f.file
                            && s.start <= span.start
                            && span.start < s.end.max(s.start + 1)
                    })?;
                    Some((f, i))
                })
                .collect();
            // pragma-in-transaction: the setting starts opposite to what the
            // PRAGMA asks for, so a change would show.
            if rule.id == "pragma-in-transaction" {
                let asked = stmts.iter().find_map(|s| s.pragma_foreign_keys);
                if let Some(asked) = asked {
                    db.execute_batch(if asked {
                        "PRAGMA foreign_keys = OFF"
                    } else {
                        "PRAGMA foreign_keys = ON"
                    })
                    .expect("fk");
                }
            }
            let before = snapshot(&db);
            let wrapped = last.tx == TxMode::Wrapped;
            let result = run(&db, &stmts, wrapped);
            let after = snapshot(&db);
            let label = format!("{} {name}", rule.id);
            if rule.id == "pragma-in-transaction" {
                // Each PRAGMA statement: flagged ones leave the setting as it
                // was, the others change it.
                for (i, s) in stmts.iter().enumerate() {
                    let Some(asked) = s.pragma_foreign_keys else {
                        continue;
                    };
                    let flagged = findings.iter().any(|(_, j)| *j == i);
                    let now = result.foreign_keys_after.get(&i).copied();
                    let ok = if flagged {
                        now == Some(!asked)
                    } else {
                        now == Some(asked)
                    };
                    if ok {
                        confirmed += 1;
                        println!(
                            "oracle {label} ok (statement {}: foreign_keys reads {})",
                            i + 1,
                            now == Some(true)
                        );
                    } else {
                        failures.push(format!(
                            "{label}: statement {} `{}`: foreign_keys reads {now:?}",
                            i + 1,
                            s.text
                        ));
                    }
                }
                continue;
            }
            if name.starts_with("violation") {
                if findings.is_empty() {
                    failures.push(format!("{label}: no finding to check"));
                }
                for (f, i) in &findings {
                    match confirm(rule.id, f, *i, &result, &before, &after) {
                        Ok(()) => {
                            confirmed += 1;
                            let why = result
                                .failed
                                .as_ref()
                                .filter(|(j, _)| j == i)
                                .map_or_else(String::new, |(_, m)| format!(": {m}"));
                            println!("oracle {label} ok (statement {}{why})", i + 1);
                        }
                        Err(e) => failures.push(format!("{label}: {}: {e}", f.message)),
                    }
                }
            } else {
                match confirm_ok(rule.id, &result, &before, &after) {
                    Ok(()) => {
                        confirmed += 1;
                        println!("oracle {label} ok (accepted, nothing lost)");
                    }
                    Err(e) => failures.push(format!("{label}: {e}")),
                }
            }
        }
    }
    for s in &skipped {
        println!("oracle skipped: {s}");
    }
    println!("oracle: {confirmed} claims confirmed on SQLite {version}");
    assert!(
        failures.is_empty(),
        "SQLite contradicts bellows:\n{}",
        failures.join("\n")
    );
    assert!(confirmed >= 25, "only {confirmed} claims confirmed");
}
