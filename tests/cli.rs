//! The command-line contract of CLI.md: commands, exit codes, JSON shape.

use std::path::Path;
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the bellows binary runs")
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A golang-migrate directory: a table, then a migration that drops a column.
fn project(unsafe_change: bool) -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "db/migrations/000001_create_users.up.sql",
        b"CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    write(
        d,
        "db/migrations/000001_create_users.down.sql",
        b"DROP TABLE users;\n",
    );
    if unsafe_change {
        write(
            d,
            "db/migrations/000002_drop_email.up.sql",
            b"-- contract\nSET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n",
        );
        write(
            d,
            "db/migrations/000002_drop_email.down.sql",
            b"ALTER TABLE users ADD COLUMN email text;\n",
        );
    } else {
        write(
            d,
            "db/migrations/000002_add_name.up.sql",
            b"SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN name text;\n",
        );
        write(
            d,
            "db/migrations/000002_add_name.down.sql",
            b"ALTER TABLE users DROP COLUMN name;\n",
        );
    }
    t
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn safe_migrations_exit_0() {
    let p = project(false);
    let out = bellows(p.path(), &["check", "db/migrations"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no findings in 2 migrations (4 files)"));
}

#[test]
fn an_error_finding_exits_1_with_a_rich_report() {
    let p = project(true);
    let out = bellows(p.path(), &["check", "db/migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dropping column users.email"), "{text}");
    assert!(
        text.contains("db/migrations/000002_drop_email.up.sql:3:19"),
        "{text}"
    );
    assert!(text.contains("drop-column"), "{text}");
    assert!(out.stderr.is_empty());
}

#[test]
fn json_has_every_field_of_the_contract() {
    let p = project(true);
    let out = bellows(p.path(), &["check", "--format", "json", "db/migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "bellows");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let s = &v["summary"];
    assert_eq!(
        (s["migrations"].as_u64(), s["files"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        (
            s["statements"].as_u64(),
            s["errors"].as_u64(),
            s["warnings"].as_u64()
        ),
        (Some(5), Some(1), Some(0))
    );
    assert_eq!(v["roots"][0]["path"], "db/migrations");
    assert_eq!(v["roots"][0]["layout"], "golang-migrate");
    assert_eq!(v["roots"][0]["detected_by"], "majority of 4 files");
    assert_eq!(v["roots"][0]["dialect"], "postgres");
    assert_eq!(v["roots"][0]["migrations"], 2);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "drop-column");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "db/migrations/000002_drop_email.up.sql");
    assert_eq!(d["start"], serde_json::json!({"line": 3, "column": 19}));
    assert_eq!(d["end"], serde_json::json!({"line": 3, "column": 36}));
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("users.email"))
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|m| m.contains("later migration"))
    );
    assert!(
        d["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("drop-column.md"))
    );
}

#[test]
fn file_level_findings_have_null_positions() {
    let p = project(false);
    write(
        p.path(),
        "db/migrations/000003_more.up.sql",
        b"CREATE TABLE t (id int);\n",
    );
    let out = bellows(p.path(), &["check", "--format", "json", "db/migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "missing-down");
    assert!(d["start"].is_null() && d["end"].is_null());
}

#[test]
fn compact_is_one_line_per_finding() {
    let p = project(true);
    let out = bellows(p.path(), &["check", "--format", "compact", "db/migrations"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "db/migrations/000002_drop_email.up.sql:3:19: error[drop-column] dropping column users.email breaks deployed code that still reads or writes it\n"
    );
}

#[test]
fn warnings_pass_unless_denied_and_exit_zero_always_passes() {
    let t = tempfile::tempdir().expect("tempdir");
    write(
        t.path(),
        "m/1_a.sql",
        b"CREATE TABLE t (id int);\nALTR TABLE t ADD x int;\n",
    );
    assert_eq!(bellows(t.path(), &["check", "m"]).status.code(), Some(0));
    assert_eq!(
        bellows(t.path(), &["check", "--deny-warnings", "m"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        bellows(t.path(), &["check", "--deny-warnings", "--exit-zero", "m"])
            .status
            .code(),
        Some(0)
    );
    let p = project(true);
    assert_eq!(
        bellows(p.path(), &["check", "--exit-zero", "db/migrations"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        bellows(
            p.path(),
            &["check", "--ignore", "drop-column", "db/migrations"]
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        bellows(
            p.path(),
            &["check", "--select", "missing-down", "db/migrations"]
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn missing_path_exits_2_with_one_line() {
    let p = project(false);
    let out = bellows(p.path(), &["check", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nope") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn default_path_is_migrations() {
    let p = project(false);
    let out = bellows(p.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("migrations: no such file"));
    let out = bellows(&p.path().join("db"), &["check"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn explicit_path_without_migrations_exits_2() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "empty/README.md", b"nothing here\n");
    let out = bellows(t.path(), &["check", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty: no migration file"));
}

#[test]
fn a_forced_layout_that_finds_nothing_exits_2_naming_the_path() {
    let t = tempfile::tempdir().expect("tempdir");
    // A folder named with digits only is read as a version folder: sqlx
    // finds no `<version>_<name>.sql` directly in its root.
    write(
        t.path(),
        "db/20240101/20240101120000_init.sql",
        b"CREATE TABLE t (id int);\n",
    );
    let out = bellows(t.path(), &["check", "--layout", "sqlx", "db/20240101"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("db/20240101: layout sqlx found no migration under this path")
            && err.contains("<version>_<name>.sql"),
        "{err}"
    );
    // The same layout from the configuration.
    write(t.path(), "bellows.toml", b"layout = \"diesel\"\n");
    let out = bellows(t.path(), &["check", "db"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("db: layout diesel found no migration under this path"),
        "{err}"
    );
    // Detection still reads the files.
    std::fs::remove_file(t.path().join("bellows.toml")).expect("rm");
    let out = bellows(t.path(), &["check", "db/20240101"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn non_utf8_file_exits_2_after_reporting_the_others() {
    let p = project(true);
    write(
        p.path(),
        "db/migrations/000003_bad.up.sql",
        b"SELECT 1;\n\xff\xfe",
    );
    write(
        p.path(),
        "db/migrations/000003_bad.down.sql",
        b"SELECT 1;\n",
    );
    let out = bellows(p.path(), &["check", "--format", "json", "db/migrations"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["diagnostics"][0]["rule"], "drop-column");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("000003_bad.up.sql") && err.contains("offset 10"),
        "{err}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let p = project(false);
    assert_eq!(
        bellows(p.path(), &["check", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(bellows(p.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        bellows(p.path(), &["check", "--select", "no-such-rule", "db"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn explain_prints_the_rule_doc() {
    let p = project(false);
    let out = bellows(p.path(), &["explain", "drop-column"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# drop-column\n"));
    assert!(text.contains("## Use instead"));
    let out = bellows(p.path(), &["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
}

#[test]
fn rules_lists_every_rule() {
    let p = project(false);
    let out = bellows(p.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), bellows::rules::REGISTRY.len());
    let line = text
        .lines()
        .find(|l| l.starts_with("drop-column "))
        .expect("drop-column listed");
    assert!(
        line.contains("error") && line.contains("postgres,mysql,sqlite"),
        "{line}"
    );
}

#[test]
fn version_and_help() {
    let p = project(false);
    let out = bellows(p.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("bellows {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(bellows(p.path(), &["--help"]).status.code(), Some(0));
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    // `bellows check … | head`: once the reader is gone, bellows stops
    // writing and exits with its own code; it is not killed by SIGPIPE.
    // The report of all fixtures (150 KB) is more than a pipe holds.
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["check", "--format", "json", "fixtures"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bellows binary runs");
    let mut first = [0u8; 16];
    let mut stdout = child.stdout.take().expect("stdout is piped");
    stdout.read_exact(&mut first).expect("the report starts");
    assert_eq!(&first[..1], b"{");
    drop(stdout);
    let out = child.wait_with_output().expect("bellows ends");
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_sqlite_version_is_exit_2_listing_the_range() {
    let p = project(false);
    let out = bellows(
        p.path(),
        &["check", "--sqlite-version", "3.8", "db/migrations"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--sqlite-version") && err.contains("3.25 … 3.47"),
        "{err}"
    );
    let ok = bellows(
        p.path(),
        &["check", "--sqlite-version", "3.35", "db/migrations"],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn small_tables_turn_lock_findings_into_info_but_not_contract_findings() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_create.sql",
        b"CREATE TABLE feature_flags (id bigint PRIMARY KEY, name text, note text);\n\
          CREATE TABLE orders (id bigint PRIMARY KEY, name text);\n",
    );
    write(
        d,
        "migrations/002_change.sql",
        b"SET lock_timeout = '2s';\n\
          CREATE INDEX feature_flags_name ON feature_flags (name);\n\
          CREATE INDEX orders_name ON orders (name);\n\
          ALTER TABLE feature_flags DROP COLUMN note;\n",
    );
    let rules = |out: &Output| -> Vec<(String, String, String)> {
        let v = json(out);
        let mut r: Vec<(String, String, String)> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["severity"].as_str().unwrap_or_default().to_string(),
                    f["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        r.sort();
        r
    };
    let before = rules(&bellows(d, &["check", "--format", "json"]));
    let severities = |r: &[(String, String, String)], table: &str| -> Vec<(String, String)> {
        r.iter()
            .filter(|(_, _, m)| m.contains(table))
            .map(|(rule, sev, _)| (rule.clone(), sev.clone()))
            .collect()
    };
    assert_eq!(
        severities(&before, "feature_flags"),
        vec![
            ("create-index-blocking".to_string(), "error".to_string()),
            ("drop-column".to_string(), "error".to_string()),
        ]
    );
    write(d, "bellows.toml", b"small-tables = [\"feature_flags\"]\n");
    let after = rules(&bellows(d, &["check", "--format", "json"]));
    // The index build on the small table is info; the drop keeps its
    // severity, and the index on orders is untouched.
    assert_eq!(
        severities(&after, "feature_flags"),
        vec![
            ("create-index-blocking".to_string(), "info".to_string()),
            ("drop-column".to_string(), "error".to_string()),
        ]
    );
    assert_eq!(
        severities(&after, "orders"),
        vec![("create-index-blocking".to_string(), "error".to_string())]
    );
    assert!(
        after
            .iter()
            .any(|(_, _, m)| m.contains("listed in small-tables")),
        "{after:?}"
    );
}

#[test]
fn every_report_says_how_much_it_understood() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "migrations/001_init.sql",
        b"CREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
          DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN email'; END $$;\n\
          ALTER TABLE users FROBNICATE email;\n",
    );
    let out = bellows(d, &["check", "--format", "json", "migrations"]);
    let v = json(&out);
    let c = &v["coverage"];
    assert_eq!(c["statements"], 3, "{c}");
    assert_eq!(c["not_understood"], 1, "{c}");
    assert_eq!(
        c["parsed"].as_u64().unwrap_or(0) + c["recognised"].as_u64().unwrap_or(0),
        2,
        "{c}"
    );
    assert_eq!(c["code"], 1, "{c}");
    assert_eq!(v["summary"]["statements"], 3);
    let human = bellows(d, &["check", "migrations"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(
            "coverage: 2 of 3 statements understood; 1 not understood, only scanned for \
             dangerous keywords, 1 DO block whose statements bellows does not follow"
        ),
        "{text}"
    );
    let safe = project(false);
    let text = String::from_utf8_lossy(&bellows(safe.path(), &["check", "db/migrations"]).stdout)
        .into_owned();
    assert!(
        text.contains("coverage: all 5 statements understood"),
        "{text}"
    );
}
