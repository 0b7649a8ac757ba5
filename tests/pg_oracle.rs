//! Oracle: every rule that claims a lock, a rewrite, a scan or a server
//! refusal is checked on a real PostgreSQL server against its fixtures.
//!
//! The server comes from `BELLOWS_TEST_POSTGRES_URL`; unset, the test says
//! it is skipped and passes; set but unreachable, it fails. For each fixture
//! case the history is replayed into a fresh schema, every table gets rows,
//! and the statements under test run as bellows says they run, while a
//! second connection probes reads and writes under a short `lock_timeout`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bellows::discover::{Migration, TxMode};
use bellows::parse::parse_annotated;
use bellows::parse::{Action, Stmt};
use bellows::rules::{Parsed, part_statements};
use bellows::{Dialect, Outcome};
use postgres::{Client, NoTls};

/// The rules whose messages make a claim the server can confirm.
const ORACLE_RULES: &[&str] = &[
    "add-check-validating",
    "add-column-not-null",
    "add-column-rewrite",
    "add-foreign-key-validating",
    "add-unique-constraint",
    "alter-domain-add-constraint",
    "change-column-type",
    "concurrently-in-transaction",
    "create-index-blocking",
    "drop-index-blocking",
    "enum-value-in-transaction",
    "missing-lock-timeout",
    "partition-blocking",
    "refresh-matview-blocking",
    "refused-by-server",
    "reindex-blocking",
    "set-not-null",
    "table-rewrite",
    "validate-in-same-transaction",
];

/// Rows given to every table before the statement under test.
const ROWS: i64 = 3;

/// What one statement did on the server.
#[derive(Debug, Default)]
struct Measure {
    /// SQLSTATE of the first error.
    error: Option<String>,
    blocked_read: BTreeSet<String>,
    blocked_write: BTreeSet<String>,
    /// Relations (tables, indexes, matviews) given a new file.
    rewritten: BTreeSet<String>,
    /// Tables read in full.
    scanned: BTreeSet<String>,
    /// Partitioned parents of the schema.
    partitioned: BTreeSet<String>,
}

impl Measure {
    fn blocked_rw(&self) -> impl Iterator<Item = &String> {
        self.blocked_read.intersection(&self.blocked_write)
    }

    /// Forgets what happened to relations outside `existing`.
    fn keep_only(&mut self, existing: &BTreeSet<String>) {
        for set in [
            &mut self.blocked_read,
            &mut self.blocked_write,
            &mut self.rewritten,
            &mut self.scanned,
        ] {
            set.retain(|r| existing.contains(r));
        }
    }
}

/// Whether the rule's claim holds for what the statement (`sql`, normalised)
/// did.
fn claim(rule: &str, m: &Measure, sql: &str) -> bool {
    let rw = m.blocked_rw().next().is_some();
    let scan = !m.scanned.is_empty();
    match rule {
        // "blocks writes for the whole build": writes wait while the index is built.
        "create-index-blocking" => !m.blocked_write.is_empty() && scan,
        "drop-index-blocking" => rw,
        // REINDEX SYSTEM: the catalog only, none of the user's relations.
        "reindex-blocking" if sql.starts_with("REINDEX SYSTEM") => {
            m.error.is_none() && m.rewritten.is_empty()
        }
        "reindex-blocking" | "refresh-matview-blocking" => !m.blocked_read.is_empty(),
        // Waiting for the lock would queue writes (at least) behind it.
        "missing-lock-timeout" => !m.blocked_write.is_empty(),
        // Validating: a scan while writes wait. An inline REFERENCES on a new
        // column scans nothing; its claim is the write lock on the referenced table.
        "add-foreign-key-validating" => {
            !m.blocked_write.is_empty()
                && (scan || (sql.contains("ADD COLUMN") && sql.contains("REFERENCES")))
        }
        "add-check-validating" | "add-unique-constraint" | "set-not-null" => rw && scan,
        // A scan while writes wait: on every table using the domain; for a
        // validation, under the lock its transaction already holds.
        "alter-domain-add-constraint" | "validate-in-same-transaction" => {
            !m.blocked_write.is_empty() && scan
        }
        "add-column-rewrite" | "table-rewrite" | "change-column-type" => !m.rewritten.is_empty(),
        "partition-blocking" => scan || m.blocked_rw().any(|t| m.partitioned.contains(t)),
        "concurrently-in-transaction" => m.error.as_deref() == Some("25001"),
        "enum-value-in-transaction" => m.error.as_deref() == Some("55P04"),
        "add-column-not-null" => m.error.as_deref() == Some("23502"),
        // PostgreSQL 18's `ADD CONSTRAINT n NOT NULL col`: a syntax error before.
        "refused-by-server" if sql.contains("NOT NULL") => m.error.as_deref() == Some("42601"),
        // "cannot drop … because other objects depend on it".
        "refused-by-server" => m.error.as_deref() == Some("2BP01"),
        _ => false,
    }
}

/// Rules judged by running the whole migration the way its tool runs it.
fn whole_migration(rule: &str) -> bool {
    matches!(
        rule,
        "concurrently-in-transaction" | "enum-value-in-transaction"
    )
}

fn text<'a>(out: &'a Linted, file: usize, s: &Stmt) -> &'a str {
    &out.discovered.files[file].text[s.span.start..s.span.end]
}

/// Rules whose flagged statement is measured together with the statements
/// before it in its transaction (they hold the locks it runs under).
fn with_its_transaction(rule: &str) -> bool {
    rule == "validate-in-same-transaction"
}

/// The statement's normalised text (`parse::normalized`).
fn normalized(out: &Linted, file: usize, s: &Stmt) -> String {
    bellows::parse::normalized(
        &out.discovered.files[file].text,
        s.span,
        bellows::Dialect::Postgres,
    )
}

/// Statements PostgreSQL refuses inside a transaction block (`n` their
/// normalised text).
fn needs_autocommit(n: &str) -> bool {
    n.contains("CONCURRENTLY") && !n.starts_with("REFRESH")
        || n.starts_with("VACUUM")
        || n.starts_with("REINDEX SYSTEM")
        || n.starts_with("REINDEX DATABASE")
        || n.starts_with("REINDEX SCHEMA")
        || n.starts_with("ALTER SYSTEM")
        || n.starts_with("CREATE DATABASE")
}

struct Server {
    main: Client,
    probe: Client,
    schema: String,
}

impl Server {
    fn connect(url: &str, schema: &str) -> Self {
        let mut main =
            Client::connect(url, NoTls).unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
        let probe =
            Client::connect(url, NoTls).unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
        main.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}, public"
        ))
        .expect("fresh schema");
        let mut s = Server {
            main,
            probe,
            schema: schema.to_string(),
        };
        s.probe
            .batch_execute(&format!(
                "SET search_path TO {}, public; SET lock_timeout = '150ms'",
                s.schema
            ))
            .expect("probe session");
        s.main
            // A server whose TimeZone is not UTC, as most are.
            .batch_execute("SET lock_timeout = '5s'; SET TimeZone = 'Europe/Berlin'")
            .expect("settings");
        s
    }

    /// Runs history SQL; returns the SQLSTATE of a failure.
    fn run(&mut self, sql: &str) -> Option<String> {
        match self.main.batch_execute(sql) {
            Ok(()) => None,
            Err(e) => Some(
                e.code()
                    .map_or_else(|| e.to_string(), |c| c.code().to_string()),
            ),
        }
    }

    fn relations(&mut self) -> BTreeMap<String, (String, u32)> {
        let rows = self
            .main
            .query(
                "SELECT c.relname::text, c.relkind::text, coalesce(pg_relation_filenode(c.oid), 0)::oid
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'i', 'm')",
                &[&self.schema],
            )
            .expect("pg_class");
        rows.iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    (r.get::<_, String>(1), r.get::<_, u32>(2)),
                )
            })
            .collect()
    }

    /// Gives every table `ROWS` rows (foreign keys not enforced while filling).
    fn fill(&mut self) {
        let tables: Vec<(String, String)> = self
            .main
            .query(
                "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
                &[&self.schema],
            )
            .expect("tables")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let _ = self.run("SET session_replication_role = replica");
        for (table, _) in tables {
            let cols = self
                .main
                .query(
                    "SELECT column_name::text, udt_name::text, data_type::text,
                            (column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS')
                       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
                      ORDER BY ordinal_position",
                    &[&self.schema, &table],
                )
                .expect("columns");
            let mut names = Vec::new();
            let mut values: Vec<Vec<String>> = (0..ROWS).map(|_| Vec::new()).collect();
            for c in &cols {
                let (name, udt, data_type, has_default): (String, String, String, bool) =
                    (c.get(0), c.get(1), c.get(2), c.get(3));
                if has_default {
                    continue;
                }
                names.push(format!("\"{name}\""));
                for (i, row) in (1..).zip(values.iter_mut()) {
                    row.push(value_for(&mut self.main, &udt, &data_type, i));
                }
            }
            let sql = if names.is_empty() {
                format!("INSERT INTO \"{table}\" SELECT FROM generate_series(1, {ROWS})")
            } else {
                let rows: Vec<String> = values
                    .iter()
                    .map(|r| format!("({})", r.join(", ")))
                    .collect();
                format!(
                    "INSERT INTO \"{table}\" ({}) VALUES {}",
                    names.join(", "),
                    rows.join(", ")
                )
            };
            if let Some(e) = self.run(&sql) {
                println!("  (no rows for {table}: {e})");
            }
        }
        self.fill_partitions();
        let _ = self.run("SET session_replication_role = DEFAULT");
    }

    /// Gives every leaf partition rows inside its bound (a range's lower
    /// bound, a list's first value).
    fn fill_partitions(&mut self) {
        let parts: Vec<(String, String, String)> = self
            .main
            .query(
                "SELECT c.relname::text, pg_get_partkeydef(i.inhparent), pg_get_expr(c.relpartbound, c.oid)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_inherits i ON i.inhrelid = c.oid
                  WHERE n.nspname = $1 AND c.relispartition AND c.relkind = 'r'",
                &[&self.schema],
            )
            .expect("partitions")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        for (part, keydef, bound) in parts {
            // keydef: `RANGE (created_at)`; bound: `FOR VALUES FROM ('2024-01-01') TO (…)` or `IN ('a', …)`.
            let key = keydef
                .split(['(', ')'])
                .nth(1)
                .unwrap_or("")
                .trim()
                .to_string();
            let value = bound
                .split_once('(')
                .map(|(_, rest)| {
                    rest.split([',', ')'])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string()
                })
                .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("MINVALUE"));
            let (Some(value), false) = (value, key.is_empty() || key.contains(' ')) else {
                continue;
            };
            let cols = self
                .main
                .query(
                    "SELECT column_name::text, udt_name::text, data_type::text,
                            (column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS')
                       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
                      ORDER BY ordinal_position",
                    &[&self.schema, &part],
                )
                .expect("columns");
            for i in 1..=ROWS {
                let mut names = Vec::new();
                let mut values = Vec::new();
                for c in &cols {
                    let (name, udt, data_type, has_default): (String, String, String, bool) =
                        (c.get(0), c.get(1), c.get(2), c.get(3));
                    if name == key {
                        names.push(format!("\"{name}\""));
                        values.push(value.clone());
                    } else if !has_default {
                        names.push(format!("\"{name}\""));
                        values.push(value_for(&mut self.main, &udt, &data_type, i));
                    }
                }
                let sql = format!(
                    "INSERT INTO \"{part}\" ({}) VALUES ({})",
                    names.join(", "),
                    values.join(", ")
                );
                if let Some(e) = self.run(&sql) {
                    println!("  (no rows for partition {part}: {e})");
                    break;
                }
            }
        }
    }

    /// Whether a probe waits out its lock_timeout (SQLSTATE 55P03).
    fn blocked(&mut self, sql: &str) -> bool {
        match self.probe.batch_execute(sql) {
            Ok(()) => false,
            Err(e) => e.code().is_some_and(|c| c.code() == "55P03"),
        }
    }

    /// Runs one statement inside a transaction (unless it cannot be) and
    /// measures what it does, then commits.
    fn measure(&mut self, sql: &str, autocommit: bool) -> Measure {
        let before = self.relations();
        let mut m = Measure {
            partitioned: before
                .iter()
                .filter(|(_, (k, _))| k == "p")
                .map(|(n, _)| n.clone())
                .collect(),
            ..Measure::default()
        };
        if autocommit {
            m.error = self.run(sql);
            let after = self.relations();
            m.rewritten = rewritten(&before, &after);
            return m;
        }
        if let Some(e) = self.run("BEGIN") {
            panic!("BEGIN failed: {e}");
        }
        m.error = self.run(sql);
        if m.error.is_none() {
            let after = self.relations();
            m.rewritten = rewritten(&before, &after);
            for (name, (kind, _)) in &before {
                if !matches!(kind.as_str(), "r" | "p" | "m") {
                    continue;
                }
                if self.blocked(&format!("SELECT 1 FROM \"{name}\" WHERE false")) {
                    m.blocked_read.insert(name.clone());
                }
                if kind != "m" && self.blocked(&format!("DELETE FROM \"{name}\" WHERE false")) {
                    m.blocked_write.insert(name.clone());
                }
            }
            let scans = self
                .main
                .query(
                    "SELECT relname::text, (seq_tup_read + coalesce(idx_tup_fetch, 0))::bigint
                       FROM pg_stat_xact_user_tables WHERE schemaname = $1",
                    &[&self.schema],
                )
                .expect("pg_stat_xact_user_tables");
            for r in scans {
                if r.get::<_, i64>(1) >= ROWS {
                    m.scanned.insert(r.get(0));
                }
            }
            let _ = self.run("COMMIT");
        } else {
            let _ = self.run("ROLLBACK");
        }
        m
    }
}

fn rewritten(
    before: &BTreeMap<String, (String, u32)>,
    after: &BTreeMap<String, (String, u32)>,
) -> BTreeSet<String> {
    before
        .iter()
        .filter(|(n, (_, f))| after.get(*n).is_some_and(|(_, g)| g != f && *f != 0))
        .map(|(n, _)| n.clone())
        .collect()
}

/// A literal for a column of this type, distinct per row.
fn value_for(client: &mut Client, udt: &str, data_type: &str, i: i64) -> String {
    match udt {
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "oid" => i.to_string(),
        "bool" => "true".to_string(),
        "uuid" => format!("'00000000-0000-0000-0000-00000000000{i}'"),
        "timestamp" | "timestamptz" | "date" => format!("now() + interval '{i} days'"),
        "time" | "timetz" => "now()".to_string(),
        "interval" => format!("interval '{i} days'"),
        "json" | "jsonb" => "'{}'".to_string(),
        "inet" | "cidr" => format!("'10.0.0.{i}'"),
        "bytea" => "'\\x00'".to_string(),
        "int4range" | "int8range" => format!("'[{i},{}]'", i * 10),
        "tstzrange" => format!(
            "tstzrange(now() + interval '{i} hours', now() + interval '{i} hours 30 minutes')"
        ),
        _ if data_type == "USER-DEFINED" => client
            .query_one(
                &format!("SELECT (enum_range(NULL::\"{udt}\"))[1]::text"),
                &[],
            )
            .map_or_else(
                |_| "NULL".to_string(),
                |r| format!("'{}'", r.get::<_, String>(0)),
            ),
        _ if data_type == "ARRAY" => "'{}'".to_string(),
        _ => format!("'v{i}'"),
    }
}

/// The statements of a migration's up, with their file.
fn up_of<'a>(out: &'a Linted, m: &Migration) -> Vec<(usize, &'a Stmt)> {
    m.up.map(|p| {
        part_statements(&out.parsed, p)
            .into_iter()
            .map(|s| (p.file, s))
            .collect()
    })
    .unwrap_or_default()
}

/// The statements of a migration's down, with their file.
fn down_of<'a>(out: &'a Linted, m: &Migration) -> Vec<(usize, &'a Stmt)> {
    m.down
        .map(|p| {
            part_statements(&out.parsed, p)
                .into_iter()
                .map(|s| (p.file, s))
                .collect()
        })
        .unwrap_or_default()
}

fn is_tx_control(s: &Stmt) -> bool {
    matches!(s.action, Action::Begin | Action::Commit | Action::Rollback)
}

/// Runs one migration the way its tool runs it; returns the first error.
fn run_as_tool(server: &mut Server, out: &Linted, m: &Migration, down: bool) -> Option<String> {
    let stmts = if down { down_of(out, m) } else { up_of(out, m) };
    let sql: Vec<&str> = stmts.iter().map(|(f, s)| text(out, *f, s)).collect();
    match m.tx {
        TxMode::Wrapped => {
            let e = server.run(&format!("BEGIN;\n{};\nCOMMIT", sql.join(";\n")));
            if e.is_some() {
                let _ = server.run("ROLLBACK");
            }
            e
        }
        // One query string: PostgreSQL runs several statements as one implicit transaction.
        TxMode::ImplicitMulti => server.run(&sql.join(";\n")),
        TxMode::None => sql.iter().find_map(|s| server.run(s)),
    }
}

/// A case linted, with its files parsed again: the outcome keeps only spans.
struct Linted {
    out: Outcome,
    parsed: Parsed,
}

impl std::ops::Deref for Linted {
    type Target = Outcome;
    fn deref(&self) -> &Outcome {
        &self.out
    }
}

fn lint(case: &Path) -> Linted {
    let out = common::lint_dir(case, Dialect::Postgres);
    let parsed = out
        .discovered
        .files
        .iter()
        .enumerate()
        .map(|(id, f)| (id, parse_annotated(&f.text, f.dialect, &f.annotations)))
        .collect();
    Linted { out, parsed }
}

/// Replays migrations `..upto` and the first `stmts` statements of migration `upto`.
fn replay(server: &mut Server, out: &Linted, upto: usize, stmts: usize) -> Result<(), String> {
    let ms = &out.discovered.roots[0].migrations;
    for (i, m) in ms.iter().enumerate().take(upto + 1) {
        let all = up_of(out, m);
        let n = if i == upto { stmts } else { all.len() };
        for (f, s) in all.into_iter().take(n) {
            if is_tx_control(s) {
                continue;
            }
            if let Some(e) = server.run(text(out, f, s)) {
                return Err(format!(
                    "history statement failed ({e}): {}",
                    text(out, f, s)
                ));
            }
        }
    }
    Ok(())
}

fn check_case(url: &str, rule: &str, case: &Path, n: &mut usize) -> Result<(), String> {
    let name = case
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let violation = name.starts_with("violation");
    if name.contains("unknown") {
        // The fixture's point is a history bellows does not have: nothing to replay.
        println!("oracle {rule} {name}: history unknown by design, nothing to run");
        return Ok(());
    }
    let out = lint(case);
    let Some(root) = out.discovered.roots.first() else {
        return Err(format!("{rule}/{name}: no migrations"));
    };
    // The process id keeps two runs on one server (two checkouts) apart.
    let schema = format!("oracle_{}_{}", rule.replace('-', "_"), std::process::id());
    let ms = &root.migrations;
    // (migration index, statement index) of each statement under test.
    let mut targets: Vec<(usize, usize)> = Vec::new();
    // Migrations whose down holds a finding.
    let mut downs: BTreeSet<usize> = BTreeSet::new();
    if violation {
        for f in out.findings.iter().filter(|f| f.rule == rule) {
            let Some(span) = f.span else { continue };
            let inside = |file: usize, s: &Stmt| {
                file == f.file && s.span.start <= span.start && span.end <= s.span.end
            };
            for (mi, m) in ms.iter().enumerate() {
                for (si, (file, s)) in up_of(&out, m).into_iter().enumerate() {
                    if inside(file, s) {
                        targets.push((mi, si));
                    }
                }
                if down_of(&out, m)
                    .into_iter()
                    .any(|(file, s)| inside(file, s))
                {
                    downs.insert(mi);
                }
            }
        }
        if targets.is_empty() && downs.is_empty() {
            return Err(format!("{rule}/{name}: bellows reports nothing to confirm"));
        }
    } else {
        let last = ms.len().saturating_sub(1);
        let stmts = ms.last().map(|m| up_of(&out, m)).unwrap_or_default();
        // Statements after `SET lock_timeout` still take their locks: that
        // rule's ok cases are safe by the timeout, not by the lock.
        let count = if rule == "missing-lock-timeout" {
            stmts
                .iter()
                .position(
                    |(_, s)| matches!(&s.action, Action::Set { name } if name == "lock_timeout"),
                )
                .unwrap_or(stmts.len())
        } else {
            stmts.len()
        };
        targets.extend((0..count).map(|si| (last, si)));
    }
    targets.dedup();
    if whole_migration(rule) {
        for mi in &downs {
            // The down runs after its up, as the tool runs it on a rollback.
            let mut server = Server::connect(url, &schema);
            replay(&mut server, &out, *mi + 1, 0).map_err(|e| format!("{rule}/{name}: {e}"))?;
            let m = Measure {
                error: run_as_tool(&mut server, &out, &ms[*mi], true),
                ..Measure::default()
            };
            if !claim(rule, &m, "") {
                return Err(format!(
                    "{rule}/{name}: down of {} on the server: {m:?}",
                    ms[*mi].version.text
                ));
            }
            *n += 1;
        }
        let mis: BTreeSet<usize> = targets.iter().map(|t| t.0).collect();
        for mi in mis {
            let mut server = Server::connect(url, &schema);
            replay(&mut server, &out, mi, 0).map_err(|e| format!("{rule}/{name}: {e}"))?;
            server.fill();
            let m = Measure {
                error: run_as_tool(&mut server, &out, &ms[mi], false),
                ..Measure::default()
            };
            if claim(rule, &m, "") != violation {
                return Err(format!(
                    "{rule}/{name}: migration {} run as {} runs it: {m:?}",
                    ms[mi].version.text,
                    root.layout.id()
                ));
            }
            *n += 1;
        }
        return Ok(());
    }
    // Violations: each flagged statement on a fresh copy of its history.
    // Ok cases: the last migration's statements in order, on one history.
    let mut server: Option<Server> = None;
    let mut existing = BTreeSet::new();
    for (mi, si) in targets {
        // Where the flagged statement's transaction starts, when it is run with it.
        let start = if violation && with_its_transaction(rule) {
            up_of(&out, &ms[mi])
                .iter()
                .take(si)
                .rposition(|(_, s)| matches!(s.action, Action::Begin))
                .map_or(0, |b| b + 1)
        } else {
            si
        };
        if violation || server.is_none() {
            let mut fresh = Server::connect(url, &schema);
            replay(&mut fresh, &out, mi, start).map_err(|e| format!("{rule}/{name}: {e}"))?;
            fresh.fill();
            existing = fresh.relations().into_keys().collect();
            server = Some(fresh);
        }
        let Some(server) = server.as_mut() else {
            continue;
        };
        let (file, s) = up_of(&out, &ms[mi])[si];
        if is_tx_control(s) {
            continue;
        }
        let joined: Vec<&str> = up_of(&out, &ms[mi])
            .into_iter()
            .take(si + 1)
            .skip(start)
            .filter(|(_, s)| !is_tx_control(s))
            .map(|(f, s)| text(&out, f, s))
            .collect();
        let joined = joined.join(";\n");
        let sql = if start < si {
            joined.as_str()
        } else {
            text(&out, file, s)
        };
        let words = normalized(&out, file, s);
        let mut m = server.measure(sql, needs_autocommit(&words));
        if !violation {
            // Objects created by the migration itself are new: nothing runs against them.
            m.keep_only(&existing);
        }
        let holds = claim(rule, &m, &words);
        if violation && !holds {
            return Err(format!(
                "{rule}/{name}: the server does not confirm the claim for `{sql}`: {m:?}"
            ));
        }
        if !violation {
            if holds {
                return Err(format!(
                    "{rule}/{name}: the safe statement `{sql}` still does what the rule warns of: {m:?}"
                ));
            }
            if let Some(e) = &m.error {
                return Err(format!(
                    "{rule}/{name}: the safe statement `{sql}` failed on the server ({e})"
                ));
            }
        }
        *n += 1;
    }
    if let Some(mut server) = server {
        let _ = server.run(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
    Ok(())
}

/// Each case runs on the server of its target (`postgres-version` in its
/// `bellows.toml`): PostgreSQL 18 cases on `BELLOWS_TEST_POSTGRES18_URL`.
#[test]
fn rules_hold_on_a_real_postgres_server() {
    if let Err(var) = common::postgres_url(15) {
        println!("skipped: {var} is not set");
        return;
    }
    let mut failures = Vec::new();
    for rule in ORACLE_RULES {
        let dir = common::root().join("fixtures").join(rule);
        let cases = common::subdirs(&dir);
        assert!(!cases.is_empty(), "{rule}: no fixtures to confirm");
        for case in cases {
            if common::case_dialect(&case.file_name().unwrap_or_default().to_string_lossy())
                != Dialect::Postgres
            {
                continue;
            }
            let url = match common::postgres_url(common::case_postgres_version(&case)) {
                Ok(url) => url,
                Err(var) => {
                    println!(
                        "oracle {rule} {}: skipped, {var} is not set",
                        case.file_name().unwrap_or_default().to_string_lossy()
                    );
                    continue;
                }
            };
            let mut n = 0;
            match check_case(&url, rule, &case, &mut n) {
                Ok(()) => println!(
                    "oracle {rule} {} ok ({n} statement(s))",
                    case.file_name().unwrap_or_default().to_string_lossy()
                ),
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the server contradicts bellows:\n{}",
        failures.join("\n")
    );
}

/// Views and foreign keys of a schema, as `view v` / `fk name on t`.
fn dependants(server: &mut Server) -> BTreeSet<String> {
    let schema = server.schema.clone();
    let mut out: BTreeSet<String> = server
        .main
        .query(
            "SELECT viewname::text FROM pg_views WHERE schemaname = $1
             UNION ALL SELECT matviewname::text FROM pg_matviews WHERE schemaname = $1",
            &[&schema],
        )
        .expect("views")
        .iter()
        .map(|r| format!("view {}", r.get::<_, String>(0)))
        .collect();
    out.extend(
        server
            .main
            .query(
                "SELECT c.conname::text, t.relname::text FROM pg_constraint c
                   JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                  WHERE n.nspname = $1 AND c.contype = 'f'",
                &[&schema],
            )
            .expect("foreign keys")
            .iter()
            .map(|r| format!("fk {} on {}", r.get::<_, String>(0), r.get::<_, String>(1))),
    );
    out
}

/// What a finding says `CASCADE` also drops, in the form of [`dependants`].
fn named_cascade(message: &str) -> BTreeSet<String> {
    let Some((_, rest)) = message.split_once("CASCADE also drops ") else {
        return BTreeSet::new();
    };
    let mut out = BTreeSet::new();
    for part in rest
        .split(" and foreign key(s) ")
        .enumerate()
        .flat_map(|(i, p)| {
            let (kind, list) = if i == 0 && p.starts_with("view(s) ") {
                ("view", p.trim_start_matches("view(s) "))
            } else {
                ("fk", p.trim_start_matches("foreign key(s) "))
            };
            list.split(", ")
                .map(move |n| format!("{kind} {n}"))
                .collect::<Vec<_>>()
        })
    {
        out.insert(part);
    }
    out
}

/// With `CASCADE`, the `drop-*` finding names exactly the views and foreign
/// keys the server drops along.
#[test]
fn cascade_drops_what_the_finding_names() {
    let Ok(url) = std::env::var("BELLOWS_TEST_POSTGRES_URL") else {
        println!("skipped: BELLOWS_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut failures = Vec::new();
    for (rule, case) in [
        ("drop-table", "violation-cascade"),
        ("drop-column", "violation-cascade"),
    ] {
        let dir = common::root().join("fixtures").join(rule).join(case);
        let out = lint(&dir);
        let Some(f) = out.findings.iter().find(|f| f.rule == rule) else {
            failures.push(format!("{rule}/{case}: no finding"));
            continue;
        };
        let named = named_cascade(&f.message);
        let ms = &out.discovered.roots[0].migrations;
        let last = ms.len() - 1;
        let stmts = up_of(&out, &ms[last]);
        let schema = format!("oracle_cascade_{}", std::process::id());
        let mut server = Server::connect(&url, &schema);
        if let Err(e) = replay(&mut server, &out, last, stmts.len() - 1) {
            failures.push(format!("{rule}/{case}: {e}"));
            continue;
        }
        let before = dependants(&mut server);
        let (file, s) = stmts[stmts.len() - 1];
        if let Some(e) = server.run(text(&out, file, s)) {
            failures.push(format!("{rule}/{case}: the statement failed ({e})"));
            continue;
        }
        let after = dependants(&mut server);
        let gone: BTreeSet<String> = before.difference(&after).cloned().collect();
        if gone != named {
            failures.push(format!(
                "{rule}/{case}: the server dropped {gone:?}, the finding names {named:?}"
            ));
        }
        let _ = server.run(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// drop-object: each flagged drop that the finding says PostgreSQL refuses
/// without CASCADE is refused (2BP01), every other one runs; the ok cases
/// run whole.
#[test]
fn drop_object_refusals_hold() {
    let Ok(url) = std::env::var("BELLOWS_TEST_POSTGRES_URL") else {
        println!("skipped: BELLOWS_TEST_POSTGRES_URL is not set");
        return;
    };
    let schema = "oracle_drop_object";
    let mut failures = Vec::new();
    let mut confirmed = 0;
    for case in common::subdirs(&common::root().join("fixtures").join("drop-object")) {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if common::case_dialect(&name) != Dialect::Postgres {
            continue;
        }
        let out = lint(&case);
        let ms = &out.discovered.roots[0].migrations;
        if !name.starts_with("violation") {
            let last = ms.len() - 1;
            let mut server = Server::connect(&url, schema);
            match replay(&mut server, &out, last, up_of(&out, &ms[last]).len()) {
                Ok(()) => confirmed += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
            continue;
        }
        for f in out.findings.iter().filter(|f| f.rule == "drop-object") {
            let Some(span) = f.span else { continue };
            let at = ms.iter().enumerate().find_map(|(mi, m)| {
                up_of(&out, m)
                    .into_iter()
                    .position(|(file, s)| {
                        file == f.file && s.span.start <= span.start && span.end <= s.span.end
                    })
                    .map(|si| (mi, si))
            });
            let Some((mi, si)) = at else {
                failures.push(format!("{name}: no statement for `{}`", f.message));
                continue;
            };
            let mut server = Server::connect(&url, schema);
            if let Err(e) = replay(&mut server, &out, mi, 0) {
                failures.push(format!("{name}: {e}"));
                continue;
            }
            // The drops before it, each on its own: one the server refuses
            // leaves the schema as it was.
            let stmts = up_of(&out, &ms[mi]);
            for (file, s) in stmts.iter().take(si).filter(|(_, s)| !is_tx_control(s)) {
                let _ = server.run(text(&out, *file, s));
            }
            let (file, s) = stmts[si];
            let error = server.run(text(&out, file, s));
            let refused = f.message.contains("refuses the drop without CASCADE");
            let holds = if refused {
                error.as_deref() == Some("2BP01")
            } else {
                error.is_none()
            };
            if holds {
                confirmed += 1;
            } else {
                failures.push(format!(
                    "{name}: `{}` gave {error:?}; the finding says: {}",
                    text(&out, file, s),
                    f.message
                ));
            }
        }
    }
    if let Some(mut server) = (confirmed > 0).then(|| Server::connect(&url, schema)) {
        let _ = server.run(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
    println!("oracle drop-object: {confirmed} drops confirmed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// PostgreSQL 18's `NOT NULL … NOT VALID`, the form `set-not-null`'s fix
/// writes for that target: adding it blocks the table briefly but scans
/// nothing; validating it scans under ShareUpdateExclusive only, so reads
/// and writes go on (pg-locks.md finding 2); and it makes the column NOT
/// NULL. PostgreSQL 15 refuses the syntax (42601).
#[test]
fn pg18_not_null_not_valid_scans_only_when_validated() {
    if let Ok(url) = common::postgres_url(15) {
        let mut pg15 = Server::connect(&url, &format!("oracle_pg18_on_15_{}", std::process::id()));
        assert_eq!(
            pg15.run("CREATE TABLE users (id bigint PRIMARY KEY, email text)"),
            None
        );
        assert_eq!(
            pg15.run(
                "ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID"
            )
            .as_deref(),
            Some("42601")
        );
        let schema = pg15.schema.clone();
        let _ = pg15.run(&format!("DROP SCHEMA {schema} CASCADE"));
    }
    let url = match common::postgres_url(18) {
        Ok(url) => url,
        Err(var) => {
            println!("skipped: {var} is not set");
            return;
        }
    };
    let schema = format!("oracle_pg18_{}", std::process::id());
    let mut server = Server::connect(&url, &schema);
    assert_eq!(
        server.run("CREATE TABLE users (id bigint PRIMARY KEY, email text)"),
        None
    );
    server.fill();
    let add = server.measure(
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID",
        false,
    );
    assert_eq!(add.error, None, "{add:?}");
    assert!(add.scanned.is_empty(), "ADD … NOT VALID scanned: {add:?}");
    assert!(
        add.blocked_read.contains("users"),
        "AccessExclusive: {add:?}"
    );
    let validate = server.measure(
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null",
        false,
    );
    assert_eq!(validate.error, None, "{validate:?}");
    assert!(
        validate.scanned.contains("users"),
        "VALIDATE scans: {validate:?}"
    );
    assert!(
        validate.blocked_rw().next().is_none(),
        "VALIDATE blocks reads or writes: {validate:?}"
    );
    // The lock it holds, by name (the re-add in its own transaction); then
    // the column is NOT NULL.
    for sql in [
        "ALTER TABLE users DROP CONSTRAINT users_email_not_null",
        "ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID",
        "BEGIN",
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null",
    ] {
        assert_eq!(server.run(sql), None, "{sql}");
    }
    let modes: Vec<String> = server
        .main
        .query(
            "SELECT mode::text FROM pg_locks WHERE relation = 'users'::regclass AND pid = pg_backend_pid()",
            &[],
        )
        .expect("pg_locks")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(modes, ["ShareUpdateExclusiveLock"]);
    assert_eq!(server.run("COMMIT"), None);
    let not_null: bool = server
        .main
        .query_one(
            "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'",
            &[],
        )
        .expect("pg_attribute")
        .get(0);
    assert!(not_null);
    let _ = server.run(&format!("DROP SCHEMA {schema} CASCADE"));
}
