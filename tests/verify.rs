//! `bellows verify` on the cases of fixtures/verify/<rule>/<case>: each
//! runs on embedded SQLite always, and on PostgreSQL and MariaDB/MySQL when
//! `BELLOWS_TEST_POSTGRES_URL` / `BELLOWS_TEST_MYSQL_URL` are set. A case's
//! `DIALECTS` file (one a line) narrows where it runs; `ROWS` gives
//! `--rows`; `BASE` lists the files that exist on the `--since` ref (the
//! others are verified, these only replayed). Marks and `EXPECTED` lines are checked as in tests/rules.rs;
//! the SQLite findings are snapshotted per rule.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bellows::report::human::{Style, render};
use bellows::verify;
use bellows::verify::{Options, Report};
use bellows::{Dialect, Settings};
use common::{Expect, expectations, found, root, since_from_base, subdirs};

/// Tests that create scratch databases on the test servers take turns, so
/// that one can list the server's databases before and after.
static SERVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The rules `bellows verify` reports.
const VERIFY_RULES: &[&str] = &[
    "claim-contradicted",
    "down-loses-data",
    "irreversible-down",
    "migration-fails",
];

fn url(var: &str) -> Option<String> {
    let u = std::env::var(var).ok().filter(|u| !u.is_empty());
    if u.is_none() {
        eprintln!("{var} is not set: skipping the verify cases on that server");
    }
    u
}

fn engines() -> Vec<(Dialect, Option<String>)> {
    let mut v = vec![(Dialect::Sqlite, None)];
    if let Some(u) = url("BELLOWS_TEST_POSTGRES_URL") {
        v.push((Dialect::Postgres, Some(u)));
    }
    if let Some(u) = url("BELLOWS_TEST_MYSQL_URL") {
        v.push((Dialect::Mysql, Some(u)));
    }
    v
}

fn runs_on(case: &Path, d: Dialect) -> bool {
    match std::fs::read_to_string(case.join("DIALECTS")) {
        Ok(text) => text.lines().any(|l| l.trim() == d.id()),
        Err(_) => true,
    }
}

fn run_case(case: &Path, dialect: Dialect, url: Option<String>) -> Result<Report, String> {
    let rows = std::fs::read_to_string(case.join("ROWS"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let settings = Settings {
        dialect: Some(dialect),
        cwd: case.to_path_buf(),
        since: since_from_base(case),
        ..Settings::default()
    };
    verify(
        &[case.to_path_buf()],
        &settings,
        &Options {
            url,
            rows,
            ..Options::default()
        },
    )
}

#[test]
fn every_verify_fixture() {
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    let engines = engines();
    let cases: Vec<PathBuf> = subdirs(&root().join("fixtures/verify"))
        .iter()
        .flat_map(|r| subdirs(r))
        .collect();
    // Every case runs on a thread of its own: the servers spend their time
    // on fsync (CREATE DATABASE, commits), not on the CPU.
    let mut results: std::collections::HashMap<(PathBuf, Dialect), Result<Report, String>> =
        std::thread::scope(|scope| {
            let threads: Vec<_> = engines
                .iter()
                .flat_map(|(dialect, url)| {
                    cases
                        .iter()
                        .filter(|c| runs_on(c, *dialect))
                        .map(move |c| (c, *dialect, url))
                })
                .map(|(c, dialect, url)| {
                    scope.spawn(move || ((c.clone(), dialect), run_case(c, dialect, url.clone())))
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("a case ran"))
                .collect()
        });
    for rule_dir in subdirs(&root().join("fixtures/verify")) {
        let rule = rule_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut snapshot = String::new();
        // A case is snapshotted from the first engine that runs it (SQLite,
        // else PostgreSQL, else MySQL); a rule with a case no available
        // engine ran is not snapshotted.
        let mut complete = true;
        for case in subdirs(&rule_dir) {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let expected = expectations(&case);
            let mut snapshotted = false;
            if !engines.iter().any(|(d, _)| runs_on(&case, *d)) {
                complete = false;
            }
            for (dialect, _) in &engines {
                let Some(result) = results.remove(&(case.clone(), *dialect)) else {
                    continue;
                };
                let report = match result {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("{rule}/{name} on {}: {e}", dialect.id()));
                        continue;
                    }
                };
                let actual: Expect = found(&report.outcome)
                    .into_iter()
                    .filter(|f| VERIFY_RULES.contains(&f.2.as_str()))
                    .collect();
                if actual != expected {
                    failures.push(format!(
                        "{rule}/{name} on {}:\n  expected {expected:?}\n  found    {actual:?}\n  {:?}",
                        dialect.id(),
                        report
                            .outcome
                            .findings
                            .iter()
                            .map(|f| &f.message)
                            .collect::<Vec<_>>()
                    ));
                }
                for f in &report.outcome.findings {
                    let first = f.message.chars().next().unwrap_or('a');
                    assert!(
                        !first.is_uppercase() && !f.message.ends_with('.'),
                        "message must start lowercase and have no final period: {}",
                        f.message
                    );
                }
                if !snapshotted && name.starts_with("violation") {
                    snapshotted = true;
                    snapshot.push_str("=== ");
                    snapshot.push_str(&name);
                    snapshot.push('\n');
                    snapshot.push_str(&render(
                        &report.outcome,
                        Style {
                            color: false,
                            width: 80,
                        },
                    ));
                }
            }
            if name.starts_with("violation") && !expected.iter().any(|e| e.2 == rule) {
                failures.push(format!("{rule}/{name}: a violation case marks no `{rule}`"));
            }
        }
        if complete {
            snapshots.push((rule, snapshot));
        } else {
            eprintln!("{rule}: a case needs a server that is not given: not snapshotted");
        }
    }
    assert!(
        failures.is_empty(),
        "verify mismatches:\n{}",
        failures.join("\n")
    );
    for (rule, snapshot) in snapshots {
        insta::assert_snapshot!(rule, snapshot);
    }
}

fn bellows(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env_remove("BELLOWS_DATABASE_URL")
        .output()
        .expect("bellows runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_reports_and_exits_one_on_a_failing_down() {
    let case = root().join("fixtures/verify/migration-fails/violation-down");
    let (code, stdout, stderr) = bellows(
        &["verify", "--dialect", "sqlite", "--format", "compact", "."],
        &case,
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "000001_create_sessions.down.sql:1:1: error[migration-fails] the down of \
         000001_create_sessions fails on SQLite: no such table: session (code 1)\n"
    );
    assert!(
        stderr.starts_with("bellows: .: 0 of 1 migrations verified on sqlite in "),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_server_is_exit_2_on_one_line_without_the_password() {
    let case = root().join("fixtures/verify/irreversible-down/ok-round-trip");
    for url in [
        "postgres://someone:hunter2@127.0.0.1:1/db",
        "mysql://someone:hunter2@127.0.0.1:1/db",
    ] {
        let dialect = if url.starts_with("mysql") {
            "mysql"
        } else {
            "postgres"
        };
        let (code, stdout, stderr) = bellows(
            &["verify", "--dialect", dialect, "--database-url", url, "."],
            &case,
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("someone@127.0.0.1:1"), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

/// The scratch databases on a PostgreSQL server (other tests, on the same
/// server, create databases of their own at the same time).
fn pg_databases(url: &str) -> BTreeSet<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("the test server answers");
    c.query(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'bellows\\_verify\\_%'",
        &[],
    )
    .expect("databases listed")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn postgres_scratch_databases_are_gone_and_the_urls_own_database_untouched() {
    let Some(url) = url("BELLOWS_TEST_POSTGRES_URL") else {
        return;
    };
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the test server answers");
    c.batch_execute(
        "DROP TABLE IF EXISTS bellows_verify_witness; \
         CREATE TABLE bellows_verify_witness (id int); INSERT INTO bellows_verify_witness VALUES (7)",
    )
    .expect("witness table");
    let before = pg_databases(&url);
    for case in [
        "irreversible-down/ok-round-trip",
        "migration-fails/violation-down",
        "migration-fails/violation-reapplied",
    ] {
        let report = run_case(
            &root().join("fixtures/verify").join(case),
            Dialect::Postgres,
            Some(url.clone()),
        );
        assert!(report.is_ok(), "{case}: {:?}", report.err());
    }
    assert_eq!(pg_databases(&url), before);
    let rows: Vec<i32> = c
        .query("SELECT id FROM bellows_verify_witness", &[])
        .expect("witness read")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, [7]);
    c.batch_execute("DROP TABLE bellows_verify_witness")
        .expect("witness dropped");
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn cluster_dirs() -> BTreeSet<String> {
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("bellows_pg_"))
        .collect()
}

#[test]
fn without_a_url_postgres_runs_on_a_temporary_cluster_that_is_removed() {
    if !on_path("initdb") || !on_path("pg_ctl") {
        eprintln!("initdb or pg_ctl is not on PATH: skipping the temporary cluster");
        return;
    }
    let before = cluster_dirs();
    let case = root().join("fixtures/verify/migration-fails/violation-reapplied");
    let report = run_case(&case, Dialect::Postgres, None).expect("the cluster starts");
    let found: Vec<(Option<usize>, String)> = found(&report.outcome)
        .into_iter()
        .map(|(_, line, rule)| (line, rule))
        .collect();
    assert_eq!(
        found,
        [
            (None, "irreversible-down".to_string()),
            (Some(1), "migration-fails".to_string())
        ]
    );
    assert!(
        report.outcome.findings[1]
            .message
            .contains("relation \"sessions\" already exists (code 42P07)"),
        "{}",
        report.outcome.findings[1].message
    );
    assert_eq!(cluster_dirs(), before, "the cluster's directory is removed");
}

#[test]
fn mysql_scratch_databases_are_gone_and_the_urls_own_database_untouched() {
    use mysql::prelude::Queryable;
    let Some(url) = url("BELLOWS_TEST_MYSQL_URL") else {
        return;
    };
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let opts = mysql::Opts::from_url(&url).expect("a mysql:// URL");
    let mut c = mysql::Conn::new(opts).expect("the test server answers");
    c.query_drop(
        "DROP TABLE IF EXISTS bellows_verify_witness; \
         CREATE TABLE bellows_verify_witness (id int); INSERT INTO bellows_verify_witness VALUES (7)",
    )
    .expect("witness table");
    let databases = |c: &mut mysql::Conn| -> BTreeSet<String> {
        c.query("SHOW DATABASES LIKE 'bellows\\_verify\\_%'")
            .expect("databases listed")
            .into_iter()
            .collect()
    };
    let before = databases(&mut c);
    for case in [
        "irreversible-down/ok-round-trip",
        "migration-fails/violation-down",
        "migration-fails/violation-reapplied",
    ] {
        let report = run_case(
            &root().join("fixtures/verify").join(case),
            Dialect::Mysql,
            Some(url.clone()),
        );
        assert!(report.is_ok(), "{case}: {:?}", report.err());
    }
    assert_eq!(databases(&mut c), before);
    let rows: Vec<i32> = c
        .query("SELECT id FROM bellows_verify_witness")
        .expect("witness read");
    assert_eq!(rows, [7]);
    c.query_drop("DROP TABLE bellows_verify_witness")
        .expect("witness dropped");
}

/// A migration directory written for one test (golang-migrate names).
fn migrations(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("fixture written");
    }
    dir
}

/// The roles a verify test may create (other sessions' tests create roles
/// of their own on the same server).
fn pg_roles(url: &str) -> BTreeSet<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("the test server answers");
    c.query(
        "SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'bellows\\_verify\\_%'",
        &[],
    )
    .expect("roles listed")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn verify_with(dir: &Path, dialect: Dialect, url: &str, allow: bool) -> Result<Report, String> {
    verify(
        &[dir.to_path_buf()],
        &Settings {
            dialect: Some(dialect),
            cwd: dir.to_path_buf(),
            ..Settings::default()
        },
        &Options {
            url: Some(url.to_string()),
            allow_global_changes: allow,
            ..Options::default()
        },
    )
}

#[test]
fn postgres_global_changes_stop_the_run_unless_allowed_and_are_undone() {
    let Some(url) = url("BELLOWS_TEST_POSTGRES_URL") else {
        return;
    };
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = migrations(&[
        (
            "000001_reader.up.sql",
            "CREATE TABLE t (id int);\nCREATE ROLE bellows_verify_reader NOLOGIN;\n\
             GRANT SELECT ON t TO bellows_verify_reader;\n",
        ),
        (
            "000001_reader.down.sql",
            "DROP TABLE t;\nDROP ROLE bellows_verify_reader;\n",
        ),
    ]);
    let roles = pg_roles(&url);
    let databases = pg_databases(&url);
    let refused = verify_with(dir.path(), Dialect::Postgres, &url, false).err();
    let refused = refused.expect("the run stops");
    assert!(
        refused.contains("nothing ran")
            && refused.contains("000001_reader.up.sql:2: CREATE ROLE")
            && refused.contains("000001_reader.down.sql:2: DROP ROLE")
            && refused.contains("--allow-global-changes")
            && !refused.contains('\n'),
        "{refused}"
    );
    assert_eq!(pg_roles(&url), roles);
    let report = verify_with(dir.path(), Dialect::Postgres, &url, true).expect("it runs");
    assert!(
        report.outcome.findings.is_empty(),
        "{:?}",
        report.outcome.findings
    );
    assert_eq!(pg_roles(&url), roles, "the role the run created is dropped");
    assert_eq!(pg_databases(&url), databases);

    for (sql, words) in [
        (
            "ALTER SYSTEM SET work_mem = '8MB';\n",
            "even with --allow-global-changes",
        ),
        (
            "ALTER ROLE postgres SET work_mem = '8MB';\n",
            "existed before the run",
        ),
    ] {
        let dir = migrations(&[
            ("000001_x.up.sql", sql),
            ("000001_x.down.sql", "SELECT 1;\n"),
        ]);
        let refused = verify_with(dir.path(), Dialect::Postgres, &url, true).err();
        let refused = refused.expect("refused");
        assert!(
            refused.contains(words) && refused.contains("000001_x.up.sql:1:"),
            "{refused}"
        );
    }
    assert_eq!(pg_roles(&url), roles);
    assert_eq!(pg_databases(&url), databases);
}

#[test]
fn mysql_users_created_by_the_run_are_dropped() {
    use mysql::prelude::Queryable;
    let Some(url) = url("BELLOWS_TEST_MYSQL_URL") else {
        return;
    };
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut c = mysql::Conn::new(mysql::Opts::from_url(&url).expect("a mysql:// URL"))
        .expect("the test server answers");
    let mut users = || -> BTreeSet<String> {
        c.query(
            "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE User LIKE 'bellows\\_verify\\_%'",
        )
        .expect("users listed")
        .into_iter()
        .collect()
    };
    let before = users();
    let dir = migrations(&[
        (
            "000001_reader.up.sql",
            "CREATE TABLE t (id int);\nCREATE USER 'bellows_verify_reader'@'localhost';\n\
             GRANT SELECT ON t TO 'bellows_verify_reader'@'localhost';\n",
        ),
        (
            "000001_reader.down.sql",
            "DROP TABLE t;\nDROP USER 'bellows_verify_reader'@'localhost';\n",
        ),
    ]);
    let refused = verify_with(dir.path(), Dialect::Mysql, &url, false).err();
    assert!(
        refused
            .as_deref()
            .is_some_and(|r| r.contains("000001_reader.up.sql:2: CREATE USER")),
        "{refused:?}"
    );
    let report = verify_with(dir.path(), Dialect::Mysql, &url, true).expect("it runs");
    assert!(
        report.outcome.findings.is_empty(),
        "{:?}",
        report.outcome.findings
    );
    assert_eq!(users(), before);
    let dir = migrations(&[
        ("000001_x.up.sql", "USE mysql;\n"),
        ("000001_x.down.sql", "SELECT 1;\n"),
    ]);
    let refused = verify_with(dir.path(), Dialect::Mysql, &url, true).err();
    assert!(
        refused
            .as_deref()
            .is_some_and(|r| r.contains("000001_x.up.sql:1: USE MYSQL")),
        "{refused:?}"
    );
}

/// A trace entry as the test reads it: path, locks, rewritten, observed.
type Traced<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [String], &'a str);

#[test]
fn the_postgres_trace_shows_locks_and_rewrites() {
    let Some(url) = url("BELLOWS_TEST_POSTGRES_URL") else {
        return;
    };
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = migrations(&[
        (
            "000001_accounts.up.sql",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL);\n",
        ),
        ("000001_accounts.down.sql", "DROP TABLE accounts;\n"),
        (
            "000002_balance_bigint.up.sql",
            "ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;\n",
        ),
        (
            "000002_balance_bigint.down.sql",
            "ALTER TABLE accounts ALTER COLUMN balance TYPE integer;\n",
        ),
        (
            "000003_balance_index.up.sql",
            "CREATE INDEX CONCURRENTLY accounts_balance ON accounts (balance);\n",
        ),
        (
            "000003_balance_index.down.sql",
            "DROP INDEX CONCURRENTLY accounts_balance;\n",
        ),
    ]);
    let report = verify(
        &[dir.path().to_path_buf()],
        &Settings {
            dialect: Some(Dialect::Postgres),
            cwd: dir.path().to_path_buf(),
            ..Settings::default()
        },
        &Options {
            url: Some(url),
            rows: 500,
            ..Options::default()
        },
    )
    .expect("it runs");
    let entries: Vec<Traced<'_>> = report
        .trace
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.locks
                    .iter()
                    .map(|l| (l.relation.as_str(), l.mode.as_str()))
                    .collect(),
                e.rewritten.as_slice(),
                e.observed,
            )
        })
        .collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0].0, "000001_accounts.up.sql");
    assert!(entries[0].1.is_empty());
    let (path, locks, rewritten, observed) = &entries[1];
    assert_eq!(*path, "000002_balance_bigint.up.sql");
    assert!(
        locks.contains(&("accounts", "AccessExclusiveLock")),
        "{locks:?}"
    );
    assert_eq!(*rewritten, ["accounts".to_string()]);
    assert_eq!(*observed, "transaction");
    let (path, locks, rewritten, observed) = &entries[2];
    assert_eq!(*path, "000003_balance_index.up.sql");
    assert_eq!(*locks, [("accounts", "ShareUpdateExclusiveLock")]);
    assert!(rewritten.is_empty());
    assert_eq!(*observed, "sampled");
    assert!(
        report.outcome.findings.is_empty(),
        "{:?}",
        report.outcome.findings
    );
    let table = bellows::verify::trace::table(&report.trace);
    assert!(
        table.contains(
            "000003_balance_index.up.sql:1   ShareUpdateExclusiveLock accounts, (sampled)"
        ),
        "{table}"
    );
}

#[test]
fn a_user_that_cannot_create_a_database_is_exit_2_with_the_servers_reason() {
    use mysql::prelude::Queryable;
    let case = root().join("fixtures/verify/irreversible-down/ok-round-trip");
    let _turn = SERVER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(url) = url("BELLOWS_TEST_POSTGRES_URL") {
        let mut c =
            postgres::Client::connect(&url, postgres::NoTls).expect("the test server answers");
        c.batch_execute(
            "DROP ROLE IF EXISTS bellows_verify_weak; CREATE ROLE bellows_verify_weak LOGIN",
        )
        .expect("role created");
        let weak = url.replacen("://postgres@", "://bellows_verify_weak:pw@", 1);
        let (code, _, stderr) = bellows(&["verify", "--database-url", &weak, "."], &case);
        c.batch_execute("DROP ROLE bellows_verify_weak")
            .expect("role dropped");
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("permission denied to create database (code 42501)")
                && !stderr.contains(":pw@")
                && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
    if let Some(url) = url("BELLOWS_TEST_MYSQL_URL") {
        let mut c = mysql::Conn::new(mysql::Opts::from_url(&url).expect("a mysql:// URL"))
            .expect("the test server answers");
        c.query_drop("DROP USER IF EXISTS 'bellows_verify_weak'@'%'")
            .expect("old user dropped");
        c.query_drop("CREATE USER 'bellows_verify_weak'@'%' IDENTIFIED BY 'pw'")
            .expect("user created");
        let own = url.rsplit('/').next().unwrap_or("test");
        c.query_drop(format!(
            "GRANT SELECT ON `{own}`.* TO 'bellows_verify_weak'@'%'"
        ))
        .expect("the user may connect");
        let weak = url.replacen("://root@", "://bellows_verify_weak:pw@", 1);
        let (code, _, stderr) = bellows(
            &["verify", "--dialect", "mysql", "--database-url", &weak, "."],
            &case,
        );
        c.query_drop("DROP USER 'bellows_verify_weak'@'%'")
            .expect("user dropped");
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("cannot create a scratch database: Access denied")
                && !stderr.contains(":pw@")
                && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
}

/// Runs bellows with an empty PATH: no initdb, no pg_ctl.
fn bellows_without_initdb(args: &[&str], dir: &Path) -> (i32, String, String) {
    let empty = tempfile::tempdir().expect("a temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env_remove("BELLOWS_DATABASE_URL")
        .env("PATH", empty.path())
        .output()
        .expect("bellows runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(not(feature = "embedded-postgres"))]
#[test]
fn without_a_url_or_initdb_postgres_is_exit_2_naming_both_ways() {
    let case = root().join("fixtures/verify/irreversible-down/violation-column");
    let (code, stdout, stderr) =
        bellows_without_initdb(&["verify", "--dialect", "postgres", "."], &case);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--database-url postgres://")
            && stderr.contains("cargo install bellows --features embedded-postgres"),
        "{stderr}"
    );
}

#[cfg(feature = "embedded-postgres")]
fn pglite_dirs() -> BTreeSet<String> {
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("bellows_pglite_"))
        .collect()
}

#[cfg(feature = "embedded-postgres")]
#[test]
fn without_a_url_or_initdb_postgres_runs_on_the_embedded_server() {
    let before = pglite_dirs();
    let case = root().join("fixtures/verify/irreversible-down/violation-column");
    let (code, stdout, stderr) = bellows_without_initdb(
        &[
            "verify",
            "--dialect",
            "postgres",
            "--format",
            "compact",
            ".",
        ],
        &case,
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "000002_drop_name.down.sql:1:1: error[irreversible-down] after the up and the down of \
         000002_drop_name, the PostgreSQL schema differs from the one before the up: column \
         users.name was `character varying(50) not null default 'anonymous'::character varying`, \
         is now `character varying(50)`\n"
    );
    assert!(
        stderr.starts_with(
            "bellows: .: verified on the embedded PostgreSQL 17.5, not on PostgreSQL 15 as the \
             settings say (--postgres-version)\nbellows: .: 2 of 2 migrations verified on postgres in "
        ),
        "{stderr}"
    );

    let case = root().join("fixtures/verify/migration-fails/violation-up");
    let (code, stdout, stderr) = bellows_without_initdb(
        &[
            "verify",
            "--dialect",
            "postgres",
            "--format",
            "compact",
            ".",
        ],
        &case,
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "000002_add_email.up.sql:1:1: error[migration-fails] the up of 000002_add_email fails on \
         PostgreSQL: syntax error at or near \"user\" (code 42601)\n"
    );
    assert!(stderr.contains("1 of 2 migrations verified"), "{stderr}");

    // The trace: pg_locks read in the one session, inside the migration's
    // own transaction.
    let case = root().join("fixtures/verify/irreversible-down/violation-column");
    let (code, stdout, stderr) = bellows_without_initdb(
        &["verify", "--dialect", "postgres", "--format", "json", "."],
        &case,
    );
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let drop_name = json["trace"]
        .as_array()
        .expect("a trace")
        .iter()
        .find(|e| e["path"] == "000002_drop_name.up.sql")
        .expect("the up of 000002 is traced");
    assert_eq!(
        drop_name["locks"],
        serde_json::json!([{"relation": "users", "mode": "AccessExclusiveLock"}])
    );
    assert_eq!(drop_name["observed"], "transaction");
    assert_eq!(
        pglite_dirs(),
        before,
        "the embedded server's directory is removed"
    );
}
