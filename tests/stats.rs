//! `bellows stats` (table sizes read read-only from PostgreSQL, MySQL and
//! SQLite) and `check --stats` (lock findings on small tables become info,
//! the others name the size). The server cases run when
//! `BELLOWS_TEST_POSTGRES_URL` / `BELLOWS_TEST_MYSQL_URL` are set.

use std::path::Path;
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("BELLOWS_DATABASE_URL")
        .output()
        .expect("the bellows binary runs")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn url(var: &str) -> Option<String> {
    let u = std::env::var(var).ok().filter(|u| !u.is_empty());
    if u.is_none() {
        eprintln!("{var} is not set: skipping the stats case on that server");
    }
    u
}

/// The entry of `schema.name` in a stats file.
fn table<'a>(v: &'a serde_json::Value, schema: &str, name: &str) -> &'a serde_json::Value {
    v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["schema"] == schema && t["name"] == name)
        .unwrap_or_else(|| panic!("no {schema}.{name} in {v}"))
}

/// (rule, severity, message) of each diagnostic whose message names `word`.
fn findings(v: &serde_json::Value, word: &str) -> Vec<(String, String, String)> {
    let mut r: Vec<(String, String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["message"].as_str().unwrap_or_default().contains(word))
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    r.sort();
    r
}

fn suffix() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    )
}

#[test]
fn sqlite_sizes_are_counted_in_a_file_left_untouched() {
    let t = tempfile::tempdir().expect("tempdir");
    let db = t.path().join("app.sqlite");
    {
        let c = rusqlite::Connection::open(&db).expect("create the database");
        c.execute_batch(
            "CREATE TABLE orders (id integer PRIMARY KEY, note text);
             CREATE INDEX orders_note ON orders (note);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
             INSERT INTO orders SELECT i, 'order ' || i FROM n;
             CREATE TABLE flags (name text PRIMARY KEY, on_ integer);
             INSERT INTO flags VALUES ('a', 1), ('b', 0), ('c', 1);",
        )
        .expect("fill the database");
    }
    let before = std::fs::read(&db).expect("read");
    let out = bellows(
        t.path(),
        &[
            "stats",
            "--database-url",
            &format!("sqlite://{}", db.display()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file was written"
    );
    let v = json(&out);
    assert_eq!(v["version"], 1);
    assert_eq!(v["dialect"], "sqlite");
    assert_eq!(v["server"], db.display().to_string());
    let taken = v["taken"].as_str().expect("taken");
    assert!(
        taken.len() == 20 && taken.ends_with('Z') && taken.starts_with("20"),
        "{taken}"
    );
    let (orders, flags) = (table(&v, "main", "orders"), table(&v, "main", "flags"));
    assert_eq!(orders["rows"], 12000);
    assert_eq!(flags["rows"], 3);
    // The table and its index, in pages of 4096 bytes.
    let (ob, fb) = (
        orders["bytes"].as_u64().expect("orders bytes"),
        flags["bytes"].as_u64().expect("flags bytes"),
    );
    assert!(
        ob > 100_000 && ob % 4096 == 0 && fb >= 4096 && fb < ob,
        "{ob} {fb}"
    );
    assert_eq!(v["tables"].as_array().map(Vec::len), Some(2), "{v}");
    // A plain path is an SQLite file too.
    let plain = bellows(t.path(), &["stats", "--database-url", "app.sqlite"]);
    assert_eq!(json(&plain)["tables"], v["tables"]);
}

#[test]
fn stats_without_a_database_exit_2_naming_it_without_the_password() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    for (args, says) in [
        (vec!["stats"], "stats needs a database"),
        (
            vec![
                "stats",
                "--database-url",
                "postgres://app:hunter2@127.0.0.1:1/prod",
            ],
            "cannot connect to postgres://app@127.0.0.1:1/prod",
        ),
        (
            vec![
                "stats",
                "--database-url",
                "mysql://app:hunter2@127.0.0.1:1/prod",
            ],
            "cannot connect to mysql://app@127.0.0.1:1/prod",
        ),
        (
            vec!["stats", "--database-url", "oracle://app:hunter2@db/prod"],
            "oracle://app@db/prod: not a database URL",
        ),
        (
            vec!["stats", "--database-url", "missing.sqlite"],
            "missing.sqlite: no such SQLite database file",
        ),
    ] {
        let out = bellows(d, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("hunter2"), "{args:?}: {err}");
    }
    write(d, "not-a-db.sqlite", "hello, this is text\n");
    let out = bellows(d, &["stats", "--database-url", "not-a-db.sqlite"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not-a-db.sqlite: cannot read the table sizes"),
        "{}",
        stderr(&out)
    );
}

/// Two tables of each size, and a migration that builds an index on each.
fn project(d: &Path) {
    write(
        d,
        "migrations/001_create.sql",
        "CREATE TABLE feature_flags (id bigint PRIMARY KEY, name text);\n\
         CREATE TABLE orders (id bigint PRIMARY KEY, name text);\n\
         CREATE SCHEMA app;\n\
         CREATE TABLE app.orders (id bigint PRIMARY KEY, name text);\n",
    );
    write(
        d,
        "migrations/002_index.sql",
        "SET lock_timeout = '2s';\n\
         CREATE INDEX feature_flags_name ON feature_flags (name);\n\
         CREATE INDEX orders_name ON orders (name);\n\
         CREATE INDEX app_orders_name ON app.orders (name);\n",
    );
}

/// A stats file as `bellows stats` writes it for production and a project
/// commits it.
const STATS: &str = r#"{
  "version": 1,
  "taken": "2026-11-30T06:00:00Z",
  "server": "postgres://ci@prod-replica:5432/shop",
  "dialect": "postgres",
  "tables": [
    { "schema": "app", "name": "orders", "rows": 120, "bytes": 49152 },
    { "schema": "public", "name": "feature_flags", "rows": 12, "bytes": 16384 },
    { "schema": "public", "name": "orders", "rows": 42000000, "bytes": 18000000000 }
  ]
}
"#;

#[test]
fn check_stats_makes_lock_findings_on_small_tables_info_and_names_big_ones() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    project(d);
    write(d, "prod-stats.json", STATS);
    let before = json(&bellows(d, &["check", "--format", "json"]));
    assert!(before.get("stats").is_none());
    assert_eq!(
        findings(&before, "feature_flags")
            .iter()
            .map(|f| f.1.as_str())
            .collect::<Vec<_>>(),
        ["error"]
    );
    let out = bellows(
        d,
        &["check", "--format", "json", "--stats", "prod-stats.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["stats"]["file"], "prod-stats.json");
    assert_eq!(v["stats"]["taken"], "2026-11-30T06:00:00Z");
    assert_eq!(
        findings(&v, "feature_flags"),
        [(
            "create-index-blocking".to_string(),
            "info".to_string(),
            "building index feature_flags_name blocks writes to feature_flags for the whole build \
             (feature_flags: ~12 rows, 16 kB; under small-table-rows = 10000: over at once on a \
             small table)"
                .to_string()
        )]
    );
    // `orders` is public.orders, `app.orders` the small one of schema app.
    let orders: Vec<(String, String)> = findings(&v, "orders")
        .into_iter()
        .filter(|f| !f.2.contains("feature_flags"))
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(
        orders,
        [
            (
                "error".to_string(),
                "building index orders_name blocks writes to orders for the whole build \
                 (orders: ~42 M rows, 18 GB)"
                    .to_string()
            ),
            (
                "info".to_string(),
                "building index app_orders_name blocks writes to app.orders for the whole build \
                 (app.orders: ~120 rows, 49 kB; under small-table-rows = 10000: over at once on a \
                 small table)"
                    .to_string()
            ),
        ]
    );

    let human = bellows(d, &["check", "--stats", "prod-stats.json"]);
    assert!(
        String::from_utf8_lossy(&human.stdout)
            .ends_with("table sizes: prod-stats.json, taken 2026-11-30T06:00:00Z\n"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );

    // From the configuration, with its own threshold: 12 rows are not small under 10.
    write(
        d,
        "bellows.toml",
        "stats = \"prod-stats.json\"\nsmall-table-rows = 10\n",
    );
    let v = json(&bellows(d, &["check", "--format", "json"]));
    assert_eq!(v["stats"]["file"], "prod-stats.json");
    assert_eq!(
        findings(&v, "feature_flags")
            .iter()
            .map(|f| (
                f.1.as_str(),
                f.2.ends_with("(feature_flags: ~12 rows, 16 kB)")
            ))
            .collect::<Vec<_>>(),
        [("error", true)]
    );

    // A configured file that is not there (a developer machine): no sizes, no error.
    write(d, "bellows.toml", "stats = \"absent-stats.json\"\n");
    let out = bellows(d, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(json(&out).get("stats").is_none());
}

#[test]
fn a_stats_file_given_that_is_missing_or_malformed_is_exit_2_naming_it() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    project(d);
    write(d, "broken.json", "{\"version\": 1, \"tables\": [}\n");
    write(d, "other.json", "{\"diagnostics\": []}\n");
    for (file, says) in [
        ("nowhere.json", "nowhere.json: cannot read the table sizes"),
        (
            "broken.json",
            "broken.json: not a table-sizes file written by `bellows stats`",
        ),
        (
            "other.json",
            "other.json: not a table-sizes file written by `bellows stats`",
        ),
    ] {
        let out = bellows(d, &["check", "--stats", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(out.stdout.is_empty(), "{file}");
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
    // Named by the configuration and there, but malformed: exit 2 too.
    write(d, "bellows.toml", "stats = \"broken.json\"\n");
    let out = bellows(d, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.json"), "{}", stderr(&out));
}

/// Drops the test's schema and role (the same name), also when an
/// assertion failed.
struct DropSchema(postgres::Client, String);

impl Drop for DropSchema {
    fn drop(&mut self) {
        let _ = self.0.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {0} CASCADE; DROP ROLE IF EXISTS {0}",
            self.1
        ));
    }
}

/// Drops the test's database, also when an assertion failed.
struct DropDatabase(mysql::Conn, String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        use mysql::prelude::Queryable;
        let _ = self
            .0
            .query_drop(format!("DROP DATABASE IF EXISTS {}", self.1));
    }
}

#[test]
fn postgres_sizes_are_read_from_the_catalog_and_used_by_check() {
    let Some(url) = url("BELLOWS_TEST_POSTGRES_URL") else {
        return;
    };
    let schema = format!("bellows_stats_{}", suffix());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the test server answers");
    c.batch_execute(&format!(
        "CREATE SCHEMA {schema};
         CREATE TABLE {schema}.big (id bigint PRIMARY KEY, v text);
         INSERT INTO {schema}.big SELECT i, repeat('x', 100) FROM generate_series(1, 20000) i;
         CREATE TABLE {schema}.small (id bigint PRIMARY KEY, v text);
         INSERT INTO {schema}.small VALUES (1, 'a'), (2, 'b'), (3, 'c');
         CREATE TABLE {schema}.fresh (id bigint PRIMARY KEY);
         CREATE TABLE {schema}.events (id bigint, v text) PARTITION BY RANGE (id);
         CREATE TABLE {schema}.events_1 PARTITION OF {schema}.events FOR VALUES FROM (0) TO (100);
         CREATE TABLE {schema}.events_2 PARTITION OF {schema}.events FOR VALUES FROM (100) TO (200);
         INSERT INTO {schema}.events SELECT i, 'e' FROM generate_series(50, 149) i;
         ANALYZE {schema}.events_1;
         ANALYZE {schema}.events_2;
         ANALYZE {schema}.big;
         ANALYZE {schema}.small;"
    ))
    .expect("set up");
    let mut guard = DropSchema(c, schema.clone());
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    let out = bellows(d, &["stats", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["dialect"], "postgres");
    // A role that may write nothing, not even read the tables, reads the
    // same sizes: the catalog is all it needs.
    guard
        .0
        .batch_execute(&format!("CREATE ROLE {schema} LOGIN"))
        .expect("create role");
    let (user_part, host) = url.split_once('@').expect("a URL with a user");
    let (protocol, _) = user_part.split_once("://").expect("a URL");
    let reader = bellows(
        d,
        &[
            "stats",
            "--database-url",
            &format!("{protocol}://{schema}@{host}"),
        ],
    );
    assert_eq!(reader.status.code(), Some(0), "{}", stderr(&reader));
    let mine = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .filter(|t| t["schema"] == schema.as_str())
            .cloned()
            .collect()
    };
    assert_eq!(mine(&json(&reader)), mine(&v));
    let (big, small, fresh) = (
        table(&v, &schema, "big"),
        table(&v, &schema, "small"),
        table(&v, &schema, "fresh"),
    );
    assert_eq!(big["rows"], 20000);
    assert_eq!(small["rows"], 3);
    // Never analyzed: unknown, not 0 (PostgreSQL 14 and later say -1).
    assert_eq!(fresh["rows"], serde_json::Value::Null, "{fresh}");
    // A partitioned table is the sum of its partitions.
    let (events, e1, e2) = (
        table(&v, &schema, "events"),
        table(&v, &schema, "events_1"),
        table(&v, &schema, "events_2"),
    );
    assert_eq!(
        (&events["rows"], &e1["rows"], &e2["rows"]),
        (&100.into(), &50.into(), &50.into())
    );
    assert_eq!(
        events["bytes"].as_u64(),
        Some(e1["bytes"].as_u64().expect("bytes") + e2["bytes"].as_u64().expect("bytes"))
    );
    // Heap, TOAST and the primary key: 20000 rows of ~130 bytes.
    let bytes = big["bytes"].as_u64().expect("bytes");
    assert!(bytes > 2_000_000 && bytes < 10_000_000, "{bytes}");
    assert!(small["bytes"].as_u64().expect("bytes") < 100_000);
    write(
        d,
        "bellows-stats.json",
        &String::from_utf8_lossy(&out.stdout),
    );
    write(
        d,
        "migrations/001_index.sql",
        &format!(
            "SET lock_timeout = '2s';\n\
             CREATE INDEX big_v ON {schema}.big (v);\n\
             CREATE INDEX small_v ON {schema}.small (v);\n\
             CREATE INDEX fresh_id ON {schema}.fresh (id);\n"
        ),
    );
    write(d, "bellows.toml", "stats = \"bellows-stats.json\"\n");
    let v = json(&bellows(d, &["check", "--format", "json"]));
    let sev = |table: &str| -> Vec<(String, String)> {
        findings(&v, &format!("writes to {schema}.{table} "))
            .into_iter()
            .map(|f| (f.1, f.2))
            .collect()
    };
    let big = sev("big");
    assert_eq!(big.len(), 1, "{big:?}");
    assert_eq!(big[0].0, "error");
    assert!(
        big[0].1.contains(&format!("({schema}.big: ~20 k rows, ")),
        "{big:?}"
    );
    let small = sev("small");
    assert_eq!(small[0].0, "info", "{small:?}");
    assert!(small[0].1.contains("~3 rows"), "{small:?}");
    let fresh = sev("fresh");
    assert_eq!(fresh[0].0, "error", "{fresh:?}");
    assert!(
        fresh[0]
            .1
            .contains(&format!("({schema}.fresh: rows unknown, ")),
        "{fresh:?}"
    );
    drop(guard);
}

#[test]
fn mysql_sizes_are_read_from_information_schema_and_used_by_check() {
    use mysql::prelude::Queryable;
    let Some(url) = url("BELLOWS_TEST_MYSQL_URL") else {
        return;
    };
    let db = format!("bellows_stats_{}", suffix());
    let opts = mysql::Opts::from_url(&url).expect("a mysql:// URL");
    let mut c = mysql::Conn::new(opts).expect("the test server answers");
    c.query_drop(format!("CREATE DATABASE {db}"))
        .expect("create");
    let mut guard = DropDatabase(c, db.clone());
    for sql in [
        format!("CREATE TABLE {db}.big (id bigint PRIMARY KEY, v varchar(100))"),
        format!(
            "INSERT INTO {db}.big WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n \
             WHERE i < 199) SELECT a.i * 100 + b.i + 1, REPEAT('x', 100) FROM n a CROSS JOIN n b \
             WHERE b.i < 100"
        ),
        format!("CREATE TABLE {db}.small (id bigint PRIMARY KEY, v varchar(100))"),
        format!("INSERT INTO {db}.small VALUES (1, 'a'), (2, 'b'), (3, 'c')"),
        format!("ANALYZE TABLE {db}.big, {db}.small"),
    ] {
        guard
            .0
            .query_drop(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // The URL's database is the one read.
    let (base, _) = url.rsplit_once('/').expect("a URL with a database");
    let db_url = format!("{base}/{db}");
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path();
    let out = bellows(d, &["stats", "--database-url", &db_url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["dialect"], "mysql");
    assert_eq!(v["tables"].as_array().map(Vec::len), Some(2), "{v}");
    // InnoDB's estimate: close to 20000, and far above the threshold.
    let rows = table(&v, &db, "big")["rows"].as_u64().expect("rows");
    assert!((15_000..=25_000).contains(&rows), "{rows}");
    assert_eq!(table(&v, &db, "small")["rows"], 3);
    assert!(table(&v, &db, "big")["bytes"].as_u64().expect("bytes") > 1_000_000);

    write(
        d,
        "bellows-stats.json",
        &String::from_utf8_lossy(&out.stdout),
    );
    write(
        d,
        "migrations/001_big.sql",
        "ALTER TABLE big ADD COLUMN w int;\n",
    );
    write(
        d,
        "migrations/002_small.sql",
        "ALTER TABLE small ADD COLUMN w int;\n",
    );
    write(
        d,
        "migrations/003_both.sql",
        "ALTER TABLE small ADD COLUMN x int;\nALTER TABLE big ADD COLUMN x int;\n",
    );
    let v = json(&bellows(
        d,
        &[
            "check",
            "--dialect",
            "mysql",
            "--format",
            "json",
            "--stats",
            "bellows-stats.json",
        ],
    ));
    let lock = |table: &str| -> Vec<(String, String)> {
        findings(&v, &format!("metadata lock on {table} "))
            .into_iter()
            .filter(|f| f.0 == "missing-lock-timeout")
            .map(|f| (f.1, f.2))
            .collect()
    };
    let big = lock("big");
    assert_eq!(big.len(), 1, "{v}");
    assert_eq!(big[0].0, "warning");
    assert!(big[0].1.contains("(big: ~"), "{big:?}");
    let small = lock("small");
    assert_eq!(small.len(), 2, "{v}");
    assert_eq!(small[0].0, "info", "{small:?}");
    assert!(small[0].1.contains("(small: ~3 rows, "), "{small:?}");
    // A migration that waits on both tables is as long as the big one, and
    // says both sizes.
    assert_eq!(small[1].0, "warning", "{small:?}");
    assert!(
        small[1]
            .1
            .contains("wait the same way on big) (small: ~3 rows, ")
            && small[1].1.contains("; big: ~"),
        "{small:?}"
    );
}
