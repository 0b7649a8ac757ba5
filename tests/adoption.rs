//! Adopting bellows in a real repository: configuration, ignore comments,
//! --since, baselines, every CI format, standard input and pre-commit's
//! file-list mode. The README's examples are these tests' inputs.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bellows_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bellows"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("bellows runs");
    if let Some(text) = stdin {
        use std::io::Write;
        // A run that refuses its arguments exits without reading: the
        // write may then fail, and the exit code says what happened.
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes());
    }
    child.wait_with_output().expect("bellows finishes")
}

fn bellows(dir: &Path, args: &[&str]) -> Output {
    bellows_in(dir, args, None)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An old repository: three years of migrations with findings nobody will fix.
fn old_repo() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    write(
        d,
        "db/migrations/20210101000000_create_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n",
    );
    write(
        d,
        "db/migrations/20210101000000_create_users.down.sql",
        "DROP TABLE users;\n",
    );
    write(
        d,
        "db/migrations/20220101000000_drop_name.up.sql",
        "ALTER TABLE users DROP COLUMN name;\n",
    );
    write(
        d,
        "db/migrations/20220101000000_drop_name.down.sql",
        "ALTER TABLE users ADD COLUMN name text;\n",
    );
    write(
        d,
        "db/migrations/20230101000000_index_email.up.sql",
        "CREATE INDEX users_email_idx ON users (email);\n",
    );
    write(
        d,
        "db/migrations/20230101000000_index_email.down.sql",
        "DROP INDEX users_email_idx;\n",
    );
    t
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn config_is_found_upward_and_strict() {
    let r = old_repo();
    write(
        r.path(),
        "bellows.toml",
        "paths = [\"db/migrations\"]\nstart-after = \"20221231000000\"\n\n[rules]\nmissing-lock-timeout = \"off\"\n",
    );
    // From a subfolder, with no path: the config's paths and start-after apply.
    let sub = r.path().join("db");
    let out = bellows(&sub, &["check", "--format", "compact"]);
    assert_eq!(
        stdout(&out),
        "migrations/20230101000000_index_email.up.sql:1:1: error[create-index-blocking] building index users_email_idx blocks writes to users for the whole build\n"
    );
    assert_eq!(out.status.code(), Some(1));
    // Severity overrides.
    write(
        r.path(),
        "strict.toml",
        "paths = [\"db/migrations\"]\n[rules]\ncreate-index-blocking = \"warning\"\nmissing-lock-timeout = \"off\"\ndrop-column = \"off\"\n",
    );
    let out = bellows(
        r.path(),
        &["check", "--config", "strict.toml", "--format", "compact"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("warning[create-index-blocking]"));
    // Unknown key and unknown rule id: exit 2, one line naming the line.
    write(
        r.path(),
        "bad.toml",
        "dialect = \"postgres\"\nstart_after = \"1\"\n",
    );
    let out = bellows(r.path(), &["check", "--config", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.toml:2: unknown field `start_after`"),
        "{}",
        stderr(&out)
    );
    write(r.path(), "bad2.toml", "[rules]\ndrop-colunm = \"off\"\n");
    let out = bellows(r.path(), &["check", "--config", "bad2.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad2.toml:2: unknown rule id `drop-colunm`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exclude_globs_skip_files() {
    let r = old_repo();
    write(
        r.path(),
        "db/migrations/seeds/1_seed.sql",
        "TRUNCATE users;\n",
    );
    let out = bellows(r.path(), &["check", "--format", "compact", "db"]);
    assert!(stdout(&out).contains("truncate-table"));
    write(r.path(), "bellows.toml", "exclude = [\"**/seeds/**\"]\n");
    let out = bellows(r.path(), &["check", "--format", "compact", "db"]);
    assert!(!stdout(&out).contains("truncate-table"), "{}", stdout(&out));
}

#[test]
fn ignore_comments_need_a_reason_when_required() {
    let r = old_repo();
    write(
        r.path(),
        "db/migrations/20240101000000_drop_email.up.sql",
        "-- bellows:ignore drop-column\nALTER TABLE users DROP COLUMN email;\n",
    );
    write(
        r.path(),
        "db/migrations/20240101000000_drop_email.down.sql",
        "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email_idx ON users (email);\n",
    );
    write(
        r.path(),
        "bellows.toml",
        "start-after = \"20231231000000\"\n[rules]\nmissing-lock-timeout = \"off\"\n",
    );
    let out = bellows(r.path(), &["check", "--format", "compact", "db/migrations"]);
    assert_eq!(
        stdout(&out),
        "",
        "an ignore without a reason suppresses by default"
    );
    write(
        r.path(),
        "bellows.toml",
        "start-after = \"20231231000000\"\nrequire-ignore-reason = true\n[rules]\nmissing-lock-timeout = \"off\"\n",
    );
    let out = bellows(r.path(), &["check", "--format", "compact", "db/migrations"]);
    let text = stdout(&out);
    assert!(text.contains("error[drop-column]"), "{text}");
    assert!(
        text.contains("warning[unused-ignore] this ignore of `drop-column` has no reason"),
        "{text}"
    );
    write(
        r.path(),
        "db/migrations/20240101000000_drop_email.up.sql",
        "-- bellows:ignore drop-column -- email moved to accounts in release 41\nALTER TABLE users DROP COLUMN email;\n",
    );
    let out = bellows(r.path(), &["check", "--format", "compact", "db/migrations"]);
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn since_reports_only_what_the_branch_adds() {
    let r = old_repo();
    let d = r.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "history"]);
    write(
        d,
        "db/migrations/20240101000000_add_phone.up.sql",
        "ALTER TABLE users ADD COLUMN phone text NOT NULL;\n",
    );
    write(
        d,
        "db/migrations/20240101000000_add_phone.down.sql",
        "ALTER TABLE users DROP COLUMN phone;\n",
    );
    let out = bellows(
        d,
        &[
            "check",
            "--since",
            "main",
            "--format",
            "compact",
            "--ignore",
            "missing-lock-timeout",
            "db/migrations",
        ],
    );
    assert_eq!(
        stdout(&out),
        "db/migrations/20240101000000_add_phone.up.sql:1:19: error[add-column-not-null] adding users.phone NOT NULL without a DEFAULT fails when users has rows, and every INSERT from deployed code that omits phone would fail\n"
    );
    // A migration numbered below one already on main.
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "phone"]);
    git(d, &["checkout", "-q", "-b", "feature", "HEAD~1"]);
    git(d, &["checkout", "-q", "main"]);
    write(
        d,
        "db/migrations/20231201000000_add_bio.up.sql",
        "ALTER TABLE users ADD COLUMN bio text;\n",
    );
    write(
        d,
        "db/migrations/20231201000000_add_bio.down.sql",
        "ALTER TABLE users DROP COLUMN bio;\n",
    );
    let out = bellows(
        d,
        &[
            "check",
            "--since",
            "main",
            "--format",
            "compact",
            "--ignore",
            "missing-lock-timeout",
            "db/migrations",
        ],
    );
    assert!(stdout(&out).contains("warning[out-of-order-version] migration 20231201000000_add_bio is new but numbered below 20240101000000_add_phone"), "{}", stdout(&out));
    // Not a repository / unknown ref: exit 2 with the reason.
    let out = bellows(d, &["check", "--since", "no-such-ref", "db/migrations"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown git ref `no-such-ref`"),
        "{}",
        stderr(&out)
    );
    let plain = old_repo();
    let out = bellows(plain.path(), &["check", "--since", "main", "db/migrations"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
}

#[test]
fn baseline_survives_line_shifts_and_new_findings_still_fail() {
    let r = old_repo();
    let d = r.path();
    let out = bellows(
        d,
        &[
            "check",
            "--write-baseline",
            "bellows-baseline.json",
            "db/migrations",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = bellows(
        d,
        &[
            "check",
            "--baseline",
            "bellows-baseline.json",
            "db/migrations",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Lines shift: still suppressed.
    write(
        d,
        "db/migrations/20220101000000_drop_name.up.sql",
        "-- contract: the name column\n\nALTER TABLE users DROP COLUMN name;\n",
    );
    let out = bellows(
        d,
        &[
            "check",
            "--baseline",
            "bellows-baseline.json",
            "--format",
            "compact",
            "db/migrations",
        ],
    );
    assert_eq!(stdout(&out), "");
    // A new finding fails.
    write(
        d,
        "db/migrations/20240101000000_drop_email.up.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    write(
        d,
        "db/migrations/20240101000000_drop_email.down.sql",
        "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email_idx ON users (email);\n",
    );
    let out = bellows(
        d,
        &[
            "check",
            "--baseline",
            "bellows-baseline.json",
            "--format",
            "compact",
            "db/migrations",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("20240101000000_drop_email.up.sql:1:19: error[drop-column]"));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn sarif_has_the_required_fields() {
    let r = old_repo();
    let out = bellows(r.path(), &["check", "--format", "sarif", "db/migrations"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), bellows::rules::REGISTRY.len());
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| t.len() > 20)
        );
        assert!(rule["helpUri"].is_string());
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for res in results {
        assert!(res["ruleId"].is_string() && res["message"]["text"].is_string());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("db/migrations/"), "relative URIs: {uri}");
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(res["partialFingerprints"]["bellows/v1"].is_string());
        let rule_index = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[rule_index]["id"], res["ruleId"]);
    }
}

#[test]
fn github_gitlab_and_junit() {
    let r = old_repo();
    let gh = stdout(&bellows(
        r.path(),
        &["check", "--format", "github", "db/migrations"],
    ));
    assert!(gh.lines().any(|l| l.starts_with(
        "::error file=db/migrations/20220101000000_drop_name.up.sql,line=1,col=19,endLine=1,endColumn=35,title=drop-column::dropping column users.name"
    )), "{gh}");
    let gl = bellows(r.path(), &["check", "--format", "gitlab", "db/migrations"]);
    let v: serde_json::Value = serde_json::from_slice(&gl.stdout).expect("Code Quality JSON");
    let issues = v.as_array().expect("array");
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i["fingerprint"].as_str())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    assert!(
        issues
            .iter()
            .all(|i| i["location"]["lines"]["begin"].as_u64().is_some()
                && i["check_name"].is_string())
    );
    let junit = stdout(&bellows(
        r.path(),
        &["check", "--format", "junit", "db/migrations"],
    ));
    assert!(junit.starts_with("<?xml"));
    assert_eq!(
        junit.matches("<testcase ").count(),
        3,
        "one test case per migration"
    );
    assert!(junit.contains("<failure type=\"drop-column\""));
}

#[test]
fn standard_input_is_linted_as_the_named_file_with_its_history() {
    let r = old_repo();
    let out = bellows_in(
        r.path(),
        &[
            "check",
            "--format",
            "compact",
            "--ignore",
            "missing-lock-timeout",
            "--stdin-filename",
            "db/migrations/20240101000000_x.up.sql",
            "-",
        ],
        Some("ALTER TABLE users DROP COLUMN email;\n"),
    );
    // The history around it is read from disk: users.email is an existing column.
    assert_eq!(
        stdout(&out),
        "db/migrations/20240101000000_x.up.sql:1:1: error[missing-down] migration 20240101000000_x has no down migration, so a bad deploy cannot be rolled back\n\
         db/migrations/20240101000000_x.up.sql:1:19: error[drop-column] dropping column users.email breaks deployed code that still reads or writes it\n"
    );
    let out = bellows_in(r.path(), &["check", "-"], Some("SELECT 1;"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pre_commit_file_list_mode_reports_only_the_given_files() {
    let r = old_repo();
    // pre-commit passes the changed files: history is replayed, only they are reported.
    write(
        r.path(),
        "db/migrations/20240101000000_add_phone.up.sql",
        "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN phone text;\n",
    );
    write(
        r.path(),
        "db/migrations/20240101000000_add_phone.down.sql",
        "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN phone;\n",
    );
    let out = bellows(
        r.path(),
        &[
            "check",
            "--format",
            "compact",
            "db/migrations/20240101000000_add_phone.up.sql",
            "db/migrations/20240101000000_add_phone.down.sql",
        ],
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("hook file");
    assert!(hooks.contains("- id: bellows") && hooks.contains("entry: bellows check"));
}

/// The fenced blocks of the README's adoption section.
fn readme_blocks(lang: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim() == format!("```{lang}") => current = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                out.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn readme_examples_are_what_the_tests_run() {
    // The bellows.toml example is a valid configuration (the other TOML
    // block is Helix's languages.toml).
    let toml: Vec<String> = readme_blocks("toml")
        .into_iter()
        .filter(|b| !b.contains("[language-server."))
        .collect();
    assert_eq!(toml.len(), 1);
    let r = old_repo();
    write(r.path(), "bellows.toml", &toml[0]);
    write(
        r.path(),
        "bellows-baseline.json",
        "{\"version\": 1, \"findings\": []}\n",
    );
    let out = bellows(r.path(), &["check", "--format", "json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    // The ignore example silences its finding.
    let sql = readme_blocks("sql");
    let ignore = sql
        .iter()
        .find(|b| b.contains("bellows:ignore"))
        .expect("ignore example");
    let t = tempfile::tempdir().expect("tempdir");
    write(
        t.path(),
        "m/1_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, phone text);\n",
    );
    write(
        t.path(),
        "m/2_drop.sql",
        &format!("SET lock_timeout = '2s';\n{ignore}"),
    );
    let out = bellows(t.path(), &["check", "--format", "compact", "m"]);
    assert_eq!(stdout(&out), "");
    // Every `bellows check` command line in the CI examples parses.
    for block in readme_blocks("yaml") {
        for line in block
            .lines()
            .filter_map(|l| l.split_once("bellows check").map(|(_, rest)| rest))
        {
            // CI variables (`${{ … }}`, `$VAR`) and the base ref are the CI's own.
            let mut line = line.to_string();
            while let (Some(a), Some(b)) = (line.find("${{"), line.find("}}")) {
                if b < a {
                    break;
                }
                line.replace_range(a..b + 2, "");
            }
            let mut full = vec!["check"];
            let mut words = line
                .split_whitespace()
                .take_while(|a| *a != ">" && *a != "||");
            while let Some(w) = words.next() {
                if w == "--since" {
                    words.next();
                } else if !w.contains('$') {
                    full.push(w);
                }
            }
            let out = bellows(r.path(), &full);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{full:?}: {}",
                stderr(&out)
            );
        }
        if block.contains("- id: bellows") {
            let hooks = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
            )
            .expect("hook file");
            assert!(hooks.contains("- id: bellows"));
        }
    }
}
