//! Hostile input: every case ends with a clear outcome, never a panic or a hang.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("bellows runs")
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn binary_file_exits_2_naming_file_and_offset_others_still_reported() {
    let t = tempfile::tempdir().expect("tempdir");
    write(
        t.path(),
        "m/1_users.sql",
        b"CREATE TABLE users (id int, email text);\n",
    );
    write(
        t.path(),
        "m/2_drop.sql",
        b"ALTER TABLE users DROP COLUMN email;\n",
    );
    write(
        t.path(),
        "m/3_blob.sql",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert!(
        v["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["rule"] == "drop-column"))
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "bellows: error: m/3_blob.sql: not UTF-8 text (invalid byte at offset 0)"
    );
}

#[test]
fn nul_bytes_and_empty_files_are_read() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "m/1_empty.sql", b"");
    write(t.path(), "m/2_blank.sql", b"\n\n   \n");
    write(
        t.path(),
        "m/3_nul.sql",
        b"SELECT 1;\x00\x00\nCREATE TABLE t (id int);\n",
    );
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["summary"]["files"], 3);
}

#[test]
fn bom_and_crlf_keep_spans_exact() {
    let t = tempfile::tempdir().expect("tempdir");
    write(
        t.path(),
        "m/1_users.sql",
        b"\xef\xbb\xbfCREATE TABLE users (id int, email text);\r\n",
    );
    write(
        t.path(),
        "m/2_drop.sql",
        b"\xef\xbb\xbf-- contract\r\nALTER TABLE users\r\n  DROP COLUMN email;\r\n",
    );
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    let v = json(&out);
    let d = v["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["rule"] == "drop-column").cloned())
        .expect("drop-column");
    assert_eq!(d["start"], serde_json::json!({"line": 3, "column": 3}));
    assert_eq!(d["end"], serde_json::json!({"line": 3, "column": 20}));
}

#[test]
fn unterminated_string_and_dollar_quote_are_parse_errors_and_the_rest_is_read() {
    let t = tempfile::tempdir().expect("tempdir");
    write(
        t.path(),
        "m/1_users.sql",
        b"CREATE TABLE users (id int, email text, name text);\n",
    );
    write(
        t.path(),
        "m/2_bad.sql",
        b"INSERT INTO users VALUES (1, 'oops);\nALTER TABLE users DROP COLUMN email;\nDO $$ BEGIN\n",
    );
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let rules: Vec<(&str, u64)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|x| x["path"] == "m/2_bad.sql" && x["rule"] != "missing-lock-timeout")
        .map(|x| {
            (
                x["rule"].as_str().unwrap_or(""),
                x["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [("parse-error", 1), ("drop-column", 2), ("parse-error", 3)]
    );
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let t = tempfile::tempdir().expect("tempdir");
    let sql = format!(
        "SELECT {}1{};\nCREATE TABLE t (id int);\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    write(t.path(), "m/1_deep.sql", sql.as_bytes());
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["diagnostics"][0]["rule"], "parse-error");
}

#[cfg(unix)]
#[test]
fn symlink_loop_does_not_hang() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "m/1_users.sql", b"CREATE TABLE users (id int);\n");
    std::os::unix::fs::symlink(t.path().join("m"), t.path().join("m/loop")).expect("symlink");
    std::os::unix::fs::symlink(t.path().join("m/nowhere"), t.path().join("m/dangling.sql"))
        .expect("symlink");
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["summary"]["files"], 1);
}

#[test]
fn a_large_file_of_200000_statements_is_read() {
    // Speed is measured in benches/; this only checks that it finishes whole.
    let t = tempfile::tempdir().expect("tempdir");
    let mut sql = String::from("CREATE TABLE t (id bigint PRIMARY KEY, a int);\n");
    for i in 0..200_000 {
        let _ = writeln!(sql, "INSERT INTO t VALUES ({i}, {});", i % 97);
    }
    write(t.path(), "m/1_big.sql", sql.as_bytes());
    let out = bellows(t.path(), &["check", "--format", "json", "m"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["summary"]["statements"], 200_001);
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let corpus = common::root().join("../shared/corpus");
    let dirs = [
        "LemmyNet__lemmy/migrations",
        "element-hq__synapse/synapse/storage/schema/main/delta",
        "authelia__authelia/internal/storage/migrations",
    ];
    let fixtures = common::root().join("fixtures");
    let mut args = vec![
        "check".to_string(),
        "--format".to_string(),
        "json".to_string(),
    ];
    args.push(fixtures.to_string_lossy().into_owned());
    for d in dirs {
        let p = corpus.join(d);
        if p.is_dir() {
            args.push(p.to_string_lossy().into_owned());
        }
    }
    let run = |threads: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bellows"));
        cmd.args(&args);
        match threads {
            Some(n) => cmd.env("RAYON_NUM_THREADS", n),
            None => cmd.env_remove("RAYON_NUM_THREADS"),
        };
        cmd.output().expect("bellows runs").stdout
    };
    let one = run(Some("1"));
    assert!(!one.is_empty());
    assert_eq!(one, run(None));
    assert_eq!(one, run(Some("7")));
}
