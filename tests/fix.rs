//! Fixes, on the migration roots of fixtures/fix/<rule>/<case>: each case
//! is copied to a scratch folder, its fixes planned (snapshot: the unified
//! diff, and why any fix was not applied), written, and the root checked
//! again: the rule's finding is gone, every statement still parses, and a
//! second round of fixes has nothing left to do. A case named `refused-…`
//! holds a fix the rule offers that the re-check turns down: nothing of it
//! is written. With `BELLOWS_TEST_POSTGRES_URL` / `BELLOWS_TEST_MYSQL_URL`
//! set, each fixed root also runs up, down and up again on the server
//! (`bellows verify`), which must accept every statement; a case whose
//! `bellows.toml` sets `postgres-version = 18` runs on
//! `BELLOWS_TEST_POSTGRES18_URL` instead.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use bellows::{Dialect, Settings};
use common::{case_dialect, case_postgres_version, case_server, root, subdirs};

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A case's `bellows.toml` may set `postgres-version`, as `bellows check`
/// reads it from the root.
fn settings(dir: &Path, name: &str) -> Settings {
    Settings {
        dialect: Some(case_dialect(name)),
        mysql_version: case_server(name),
        postgres_version: case_postgres_version(dir),
        cwd: dir.to_path_buf(),
        ..Settings::default()
    }
}

/// Every file under `dir`, with its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

/// The server URLs already said to be unset.
static SAID: std::sync::Mutex<Vec<&str>> = std::sync::Mutex::new(Vec::new());

/// The server a fixed root runs on: PostgreSQL 18 syntax only on 18.
fn server_url(dialect: Dialect, postgres_version: u32) -> Option<String> {
    let url = match dialect {
        Dialect::Postgres => common::postgres_url(postgres_version),
        Dialect::Mysql => std::env::var("BELLOWS_TEST_MYSQL_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .ok_or("BELLOWS_TEST_MYSQL_URL"),
        Dialect::Sqlite => return None,
    };
    let mut said = SAID
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match url {
        Ok(url) => Some(url),
        Err(var) => {
            if !said.contains(&var) {
                said.push(var);
                eprintln!("{var} is not set: the fixed roots are not run on that server");
            }
            None
        }
    }
}

#[test]
fn every_fix_fixture() {
    let mut failures = Vec::new();
    for rule_dir in subdirs(&root().join("fixtures/fix")) {
        let rule = rule_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        assert!(
            bellows::rules::find(&rule).is_some(),
            "fixtures/fix/{rule}: no such rule"
        );
        let mut snapshot = String::new();
        for case in subdirs(&rule_dir) {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let refused = name.starts_with("refused");
            let tmp = tempfile::tempdir().unwrap();
            copy_dir(&case, tmp.path());
            let dir = tmp.path().to_path_buf();
            let paths = [dir.clone()];
            let settings = settings(&dir, &name);
            let label = format!("{rule}/{name}");

            let before = bellows::check(&paths, &settings);
            assert!(
                before.input_errors().is_empty(),
                "{label}: {:?}",
                before.input_errors()
            );
            if !before
                .findings
                .iter()
                .any(|f| f.rule == rule && f.fix.is_some())
            {
                failures.push(format!("{label}: no {rule} finding with a fix"));
                continue;
            }
            let plan = bellows::fix(&paths, &settings, None);
            let applied = plan.applied.iter().any(|a| a.1 == rule);
            let turned_down = plan.refused.iter().any(|r| r.1 == rule);
            if refused && (applied || !turned_down) {
                failures.push(format!("{label}: the fix should be turned down"));
            }
            if !refused && !applied {
                failures.push(format!(
                    "{label}: the fix is not applied: {:?}",
                    plan.refused
                ));
            }
            let _ = writeln!(snapshot, "=== {name}");
            for (path, r, title) in &plan.applied {
                let _ = writeln!(snapshot, "applied: {path} [{r}] {title}");
            }
            for (path, r, why) in &plan.refused {
                let _ = writeln!(snapshot, "not applied: {path} [{r}] {why}");
            }
            snapshot.push_str(&bellows::fix::diff(&plan));

            let untouched = contents(&dir);
            bellows::fix::write(&plan).unwrap();
            if refused {
                assert!(plan.changes.is_empty(), "{label}: {:?}", plan.changes);
                assert_eq!(contents(&dir), untouched, "{label}");
                continue;
            }
            let after = bellows::check(&paths, &settings);
            assert!(after.input_errors().is_empty(), "{label}");
            let left: Vec<&str> = after
                .findings
                .iter()
                .filter(|f| f.rule == rule || f.rule == "parse-error")
                .map(|f| f.rule)
                .collect();
            if !left.is_empty() {
                failures.push(format!("{label}: still found once fixed: {left:?}"));
            }
            if after.coverage().not_understood > 0 {
                failures.push(format!("{label}: a fixed statement is not understood"));
            }
            // A second round finds nothing more to do.
            let again = bellows::fix(&paths, &settings, None);
            if !again.changes.is_empty() {
                failures.push(format!(
                    "{label}: a second --fix changes {:?}",
                    again.changes.iter().map(|c| &c.display).collect::<Vec<_>>()
                ));
            }
            // The server runs the fixed root: up, down, up.
            let dialect = case_dialect(&name);
            if let Some(url) = server_url(dialect, settings.postgres_version) {
                let report = bellows::verify(
                    &paths,
                    &settings,
                    &bellows::verify::Options {
                        url: Some(url),
                        ..bellows::verify::Options::default()
                    },
                );
                match report {
                    Ok(r) => {
                        let refusals: Vec<&String> = r
                            .outcome
                            .findings
                            .iter()
                            .filter(|f| f.rule == "migration-fails")
                            .map(|f| &f.message)
                            .collect();
                        if !refusals.is_empty() {
                            failures.push(format!(
                                "{label}: the server refuses the fixed root: {refusals:?}"
                            ));
                        }
                    }
                    Err(e) => failures.push(format!("{label}: verify: {e}")),
                }
            }
        }
        insta::assert_snapshot!(format!("fix-{rule}"), snapshot);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn bellows(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn scratch(case: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/fix").join(case), tmp.path());
    tmp
}

#[test]
fn diff_writes_nothing_and_exits_1() {
    let tmp = scratch("create-index-blocking/golang-migrate-moved");
    let before = contents(tmp.path());
    let out = bellows(tmp.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("+++ b/000003_create_orders_note_idx.up.sql"),
        "{stdout}"
    );
    assert!(stdout.contains("--- /dev/null"), "{stdout}");
    assert_eq!(contents(tmp.path()), before);
}

#[test]
fn fix_writes_and_a_second_fix_does_nothing() {
    let tmp = scratch("create-index-blocking/golang-migrate-moved");
    let out = bellows(tmp.path(), &["check", "--fix", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixed: 000002_add_note.up.sql"), "{stderr}");
    assert!(
        stderr.contains("created: 000003_create_orders_note_idx.up.sql"),
        "{stderr}"
    );
    // What remains decides the exit code: nothing at error level.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let up =
        std::fs::read_to_string(tmp.path().join("000003_create_orders_note_idx.up.sql")).unwrap();
    assert_eq!(
        up,
        "CREATE INDEX CONCURRENTLY orders_note_idx\n    ON orders (note);\n"
    );
    let after = contents(tmp.path());
    let again = bellows(tmp.path(), &["check", "--fix", "."]);
    assert_eq!(again.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&again.stderr).contains("fixed:"));
    assert_eq!(contents(tmp.path()), after);
    // And nothing left to diff.
    let diff = bellows(tmp.path(), &["check", "--diff", "."]);
    assert_eq!(diff.status.code(), Some(0));
    assert!(diff.stdout.is_empty());
}

#[test]
fn what_a_fix_leaves_keeps_its_exit_code() {
    // The lock-timeout fix is turned down: the warning stays, and the
    // VACUUM FULL migration exits as a check would.
    let tmp = scratch("missing-lock-timeout/refused-vacuum-alone");
    let before = contents(tmp.path());
    let out = bellows(tmp.path(), &["check", "--fix", "--deny-warnings", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not fixed: 000002_vacuum_orders.up.sql [missing-lock-timeout]"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(contents(tmp.path()), before);
}

#[test]
fn fix_and_diff_together_or_fix_of_stdin_is_a_usage_error() {
    let tmp = scratch("create-index-blocking/golang-migrate-alone");
    let both = bellows(tmp.path(), &["check", "--fix", "--diff", "."]);
    assert_eq!(both.status.code(), Some(2));
    let stdin = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args([
            "check",
            "--fix",
            "-",
            "--stdin-filename",
            "000002_index_orders.up.sql",
        ])
        .current_dir(tmp.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(stdin.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&stdin.stderr).contains("--fix cannot rewrite standard input"));
}

#[test]
fn diff_of_stdin_shows_the_fix_of_the_unsaved_text() {
    let tmp = scratch("create-index-blocking/golang-migrate-alone");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args([
            "check",
            "--diff",
            "-",
            "--stdin-filename",
            "000002_index_orders.up.sql",
        ])
        .current_dir(tmp.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"CREATE UNIQUE INDEX orders_customer_id_key ON orders (customer_id);\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "--- a/000002_index_orders.up.sql\n+++ b/000002_index_orders.up.sql\n@@ -1 +1 @@\n\
         -CREATE UNIQUE INDEX orders_customer_id_key ON orders (customer_id);\n\
         +CREATE UNIQUE INDEX CONCURRENTLY orders_customer_id_key ON orders (customer_id);\n"
    );
}

#[test]
fn json_diagnostics_carry_their_fix() {
    let tmp = scratch("add-foreign-key-validating/golang-migrate");
    let out = bellows(tmp.path(), &["check", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "add-foreign-key-validating")
        .unwrap()["fix"];
    assert_eq!(
        d["title"],
        "add it NOT VALID, and validate it in a new migration"
    );
    assert_eq!(d["edits"][0]["path"], "000002_orders_customer_fk.up.sql");
    assert_eq!(d["edits"][0]["start"]["line"], 3);
    assert_eq!(d["edits"][0]["text"], " NOT VALID");
    assert_eq!(
        d["new_files"][0]["path"],
        "000003_validate_orders_customer_id_fkey.up.sql"
    );
    assert_eq!(
        d["new_files"][0]["text"],
        "ALTER TABLE Orders VALIDATE CONSTRAINT orders_customer_id_fkey;\n"
    );
}

#[test]
fn findings_a_baseline_records_are_not_fixed() {
    let tmp = scratch("create-index-blocking/golang-migrate-alone");
    let written = bellows(
        tmp.path(),
        &["check", "--write-baseline", "baseline.json", "."],
    );
    assert_eq!(written.status.code(), Some(0));
    let before = contents(tmp.path());
    let diff = bellows(
        tmp.path(),
        &["check", "--diff", "--baseline", "baseline.json", "."],
    );
    assert_eq!(diff.status.code(), Some(0));
    assert!(diff.stdout.is_empty());
    let fix = bellows(
        tmp.path(),
        &["check", "--fix", "--baseline", "baseline.json", "."],
    );
    assert_eq!(fix.status.code(), Some(0));
    assert_eq!(contents(tmp.path()), before);
}

#[test]
fn a_crlf_file_keeps_its_line_endings() {
    let tmp = scratch("missing-lock-timeout/plain-crlf");
    let out = bellows(tmp.path(), &["check", "--fix", "."]);
    assert_eq!(out.status.code(), Some(0));
    let fixed = std::fs::read_to_string(tmp.path().join("002_add_note.sql")).unwrap();
    assert_eq!(
        fixed,
        "-- add note\r\nSET lock_timeout = '2s';\r\nALTER TABLE orders ADD COLUMN note text;\r\n"
    );
}

#[test]
fn postgres_18_gets_its_not_null_constraint_from_config_or_flag() {
    // `postgres-version = 18` in the root's bellows.toml.
    let tmp = scratch("set-not-null/golang-migrate-pg18");
    let out = bellows(tmp.path(), &["check", "--diff", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "+ALTER TABLE users ADD CONSTRAINT users_email_not_null NOT NULL email NOT VALID;"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ b/000003_validate_users_email_not_null.up.sql"),
        "{stdout}"
    );
    assert!(!stdout.contains("000004"), "{stdout}");
    // The flag, on the root without a config; and 17 keeps the CHECK form.
    let plain = scratch("set-not-null/golang-migrate");
    for (version, form) in [
        ("18", "NOT NULL email NOT VALID"),
        ("17", "CHECK (email IS NOT NULL) NOT VALID"),
    ] {
        let out = bellows(
            plain.path(),
            &["check", "--diff", "--postgres-version", version, "."],
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(form),
            "{version}"
        );
    }
    // Written, the root is clean: nothing left at error level.
    let fixed = bellows(tmp.path(), &["check", "--fix", "."]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let Ok(url) = common::postgres_url(18) else {
        eprintln!("BELLOWS_TEST_POSTGRES18_URL is not set: the fixed root is not verified");
        return;
    };
    // Up, down, up on PostgreSQL 18, as a user runs it.
    let verified = bellows(tmp.path(), &["verify", "--database-url", &url, "."]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
}

#[test]
fn a_statement_is_not_moved_behind_a_later_one_that_changes_what_it_names() {
    // The DROP INDEX would move into a new migration after the DROP COLUMN,
    // which already took the index with it: PostgreSQL would refuse the
    // moved DROP INDEX. An unrelated later statement does not stop a move
    // (fixtures/fix/drop-index-blocking/flyway-moved).
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("V1__create_orders.sql"),
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\nCREATE INDEX orders_note_idx ON orders (note);\n",
    )
    .unwrap();
    std::fs::write(
        d.join("V2__drop_note.sql"),
        "SET lock_timeout = '2s';\nDROP INDEX orders_note_idx;\nALTER TABLE orders DROP COLUMN note;\n",
    )
    .unwrap();
    let outcome = bellows::check(&[d.to_path_buf()], &settings(d, "flyway"));
    let drop = outcome
        .findings
        .iter()
        .find(|f| f.rule == "drop-index-blocking")
        .expect("drop-index-blocking");
    assert!(drop.fix.is_none(), "{:?}", drop.fix);
}
