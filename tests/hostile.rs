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

/// `bellows check --format json m` in `dir` on two threads (so the pool's
/// threads read files whose SQL passes the size where the pool starts),
/// which must exit 1.
fn check_with_findings_on_two_threads(dir: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["check", "--format", "json", "m"])
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("bellows runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Rules and lines per file, parse errors with the start of their message.
fn findings(out: &Output) -> Vec<(String, String, u64, String)> {
    let doc = json(out);
    let mut found: Vec<_> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|x| x["rule"] != "missing-lock-timeout")
        .map(|x| {
            let message = if x["rule"] == "parse-error" {
                x["message"].as_str().unwrap_or("").to_string()
            } else {
                String::new()
            };
            (
                x["path"].as_str().unwrap_or("").to_string(),
                x["rule"].as_str().unwrap_or("").to_string(),
                x["start"]["line"].as_u64().unwrap_or(0),
                message,
            )
        })
        .collect();
    found.sort();
    found
}

/// Chains of operators that sqlparser reads in a loop into a tree as deep
/// as the chain is long. Printing or dropping such a tree recurses once a
/// level: 200,000 terms overflowed the stack and aborted the run.
#[test]
fn long_operator_chains_are_parse_errors_not_stack_overflows() {
    let t = tempfile::tempdir().expect("tempdir");
    let n = 200_000;
    let chains = [
        format!("SELECT {}", vec!["1"; n].join(" + ")),
        format!("SELECT 1 WHERE {}", vec!["x = 1"; n].join(" AND ")),
        format!("SELECT 1{}", "::int".repeat(n)),
        format!("SELECT 1{}", " UNION SELECT 1".repeat(n)),
        format!(
            "CREATE TABLE d (c int DEFAULT {})",
            vec!["1"; n].join(" + ")
        ),
        format!("CREATE TABLE a (c int{})", "[]".repeat(n)),
        // Groups within the recursion limit, each followed by a chain.
        format!(
            "CREATE TABLE g (c int DEFAULT {}1{})",
            "(".repeat(60),
            format!("{})", " + 1".repeat(n / 60)).repeat(60)
        ),
    ];
    let mut users = String::from("CREATE TABLE users (id int");
    for i in 0..chains.len() {
        let _ = write!(users, ", c{i} int");
    }
    users.push_str(");\n");
    write(t.path(), "m/0_users.sql", users.as_bytes());
    for (i, sql) in chains.iter().enumerate() {
        let body = format!("{sql};\nALTER TABLE users DROP COLUMN c{i};\n");
        write(t.path(), &format!("m/{}_chain.sql", i + 1), body.as_bytes());
    }
    let out = check_with_findings_on_two_threads(t.path());
    let found = findings(&out);
    let mut expected = Vec::new();
    for i in 0..chains.len() {
        let path = format!("m/{}_chain.sql", i + 1);
        expected.push((path.clone(), "drop-column".to_string(), 2));
        expected.push((path, "parse-error".to_string(), 1));
    }
    expected.sort();
    let got: Vec<_> = found
        .iter()
        .map(|(p, r, l, _)| (p.clone(), r.clone(), *l))
        .collect();
    assert_eq!(got, expected);
    for (_, rule, _, message) in &found {
        if rule == "parse-error" {
            assert!(
                message.contains("operators deep: bellows reads at most 500"),
                "{message}"
            );
        }
    }
}

/// Up to the limit, chains are read, on the pool's threads too (a debug
/// build takes 10 KB of stack a level to print one).
#[test]
fn operator_chains_up_to_the_limit_are_read() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "m/0_users.sql", b"CREATE TABLE users (id int);\n");
    let checks = (0..250)
        .map(|i| format!("id > {i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let chain = vec!["1"; 500].join(" + ");
    // Padding puts the run over the size where the pool starts.
    let pad = "-- padding\n".repeat(2_000);
    for i in 1..=8 {
        let body = format!(
            "ALTER TABLE users ADD CONSTRAINT k{i} CHECK ({checks});\n\
             CREATE TABLE t{i} (c int DEFAULT {chain});\n{pad}"
        );
        write(t.path(), &format!("m/{i}_deep.sql"), body.as_bytes());
    }
    let out = check_with_findings_on_two_threads(t.path());
    let got: Vec<_> = findings(&out)
        .into_iter()
        .map(|(p, r, l, _)| (p, r, l))
        .collect();
    let mut expected: Vec<_> = (1..=8)
        .map(|i| {
            (
                format!("m/{i}_deep.sql"),
                "add-check-validating".to_string(),
                1,
            )
        })
        .collect();
    expected.sort();
    assert_eq!(got, expected);
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
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not there; the fixtures only");
    }
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
