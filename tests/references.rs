//! The help of a drop or a rename names the repository's other tracked
//! files that still use the name (`--no-references` turns it off).

use std::path::Path;
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("bellows runs")
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

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Migrations that create `orders` and drop `orders.status` and rename
/// `customers`; code that still names them, and code that does not.
fn project(dir: &Path) {
    write(
        dir,
        "db/migrations/0001_create.sql",
        "CREATE TABLE orders (id int, status text);\nCREATE TABLE customers (id int);\n",
    );
    write(
        dir,
        "db/migrations/0002_drop.sql",
        "ALTER TABLE orders DROP COLUMN status;\nALTER TABLE customers RENAME TO clients;\n",
    );
    write(
        dir,
        "app/reports/sales.sql",
        "-- sales\n\nSELECT id\nFROM orders\nWHERE orders.status = 'paid';\n",
    );
    // `status` in a file that also names `orders`: counted.
    write(
        dir,
        "api/orders.go",
        "package api\n\n// reads the orders table\nconst col = \"status\"\n",
    );
    // `status` without `orders`, and `orders` only inside longer words: not counted.
    write(
        dir,
        "api/health.go",
        "package api\n// status of reorders_queue\nconst status = 1\n",
    );
    write(
        dir,
        "web/customers.ts",
        "\nexport const url = '/customers';\n",
    );
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn helps(o: &Output, rule: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| d["help"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_help_names_tracked_files_that_still_use_the_name() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path();
    project(dir);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "init"]);

    let o = bellows(dir, &["check", "db/migrations", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let drop = helps(&o, "drop-column");
    assert!(
        drop.ends_with(
            "`ALTER TABLE orders DROP COLUMN status;`; still named in api/orders.go:4 and \
             app/reports/sales.sql:5"
        ),
        "{drop}"
    );
    let rename = helps(&o, "rename-table");
    assert!(
        rename.ends_with("in a later migration; still named in web/customers.ts:2"),
        "{rename}"
    );

    // From another directory, the paths are shown from there.
    let o = bellows(
        &dir.join("app"),
        &["check", "../db/migrations", "--format", "json"],
    );
    let drop = helps(&o, "drop-column");
    assert!(
        drop.ends_with("still named in ../api/orders.go:4 and reports/sales.sql:5"),
        "{drop}"
    );

    // The human report says it too.
    let o = bellows(dir, &["check", "db/migrations"]);
    assert!(stdout(&o).contains("api/orders.go:4"), "{}", stdout(&o));

    let o = bellows(
        dir,
        &[
            "check",
            "db/migrations",
            "--format",
            "json",
            "--no-references",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let all = stdout(&o);
    assert!(!all.contains("still named"), "{all}");
    assert!(
        helps(&o, "drop-column").ends_with("DROP COLUMN status;`"),
        "{all}"
    );
}

#[test]
fn outside_a_git_repository_nothing_is_named() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path();
    project(dir);
    let o = bellows(dir, &["check", "db/migrations", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let all = stdout(&o);
    assert!(!all.contains("still named"), "{all}");
    assert!(!helps(&o, "drop-column").is_empty(), "{all}");
}

#[test]
fn untracked_files_are_not_named() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path();
    project(dir);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "db"]);
    git(dir, &["commit", "-q", "-m", "migrations only"]);
    let o = bellows(dir, &["check", "db/migrations", "--format", "json"]);
    let all = stdout(&o);
    assert!(!all.contains("still named"), "{all}");
}
