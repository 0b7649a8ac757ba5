//! Facts that differ by PostgreSQL version change the verdict: both sides.

use std::path::Path;

use bellows::{Dialect, Settings};

fn findings(files: &[(&str, &str)], version: u32) -> Vec<(String, String)> {
    let t = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = t.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let settings = Settings {
        dialect: Some(Dialect::Postgres),
        postgres_version: version,
        cwd: t.path().to_path_buf(),
        ..Settings::default()
    };
    let out = bellows::check(&[t.path().to_path_buf()], &settings);
    out.findings
        .iter()
        .filter(|f| f.rule != "missing-lock-timeout")
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect()
}

fn rules(f: &[(String, String)]) -> Vec<&str> {
    f.iter().map(|(r, _)| r.as_str()).collect()
}

const ORDERS: (&str, &str) = (
    "1_orders.sql",
    "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n",
);

#[test]
fn pg11_makes_constant_defaults_instant() {
    let m = [
        ORDERS,
        (
            "2_add.sql",
            "ALTER TABLE orders ADD COLUMN region text DEFAULT 'eu';\n",
        ),
    ];
    assert_eq!(rules(&findings(&m, 10)), ["add-column-rewrite"]);
    assert!(findings(&m, 11).is_empty());
}

#[test]
fn pg12_brings_reindex_concurrently_and_add_value_in_transactions() {
    let m = [ORDERS, ("2_reindex.sql", "REINDEX TABLE orders;\n")];
    assert!(
        findings(&m, 11).is_empty(),
        "no concurrent alternative before 12"
    );
    assert_eq!(rules(&findings(&m, 12)), ["reindex-blocking"]);
    let e = [
        ("1_type.sql", "CREATE TYPE mood AS ENUM ('ok');\n"),
        (
            "2_add.sql",
            "BEGIN;\nALTER TYPE mood ADD VALUE 'sad';\nCOMMIT;\n",
        ),
    ];
    assert_eq!(rules(&findings(&e, 11)), ["enum-value-in-transaction"]);
    assert!(
        findings(&e, 12).is_empty(),
        "allowed in a transaction from 12 when unused"
    );
}

#[test]
fn pg17_allows_new_values_of_a_type_created_in_the_same_transaction() {
    let m = [(
        "1_type.sql",
        "BEGIN;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'sad';\n\
         CREATE TABLE people (id int, m mood DEFAULT 'sad');\nCOMMIT;\n",
    )];
    assert_eq!(rules(&findings(&m, 16)), ["enum-value-in-transaction"]);
    assert!(findings(&m, 17).is_empty());
}

#[test]
fn pg18_brings_not_null_not_valid_and_virtual_columns() {
    let m = [
        ORDERS,
        (
            "2_nn.sql",
            "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n",
        ),
    ];
    assert_eq!(rules(&findings(&m, 17)), ["set-not-null"]);
    assert_eq!(rules(&findings(&m, 18)), ["set-not-null"]);
    let v = [
        ORDERS,
        (
            "2_gen.sql",
            "ALTER TABLE orders ADD COLUMN code int GENERATED ALWAYS AS (id * 2) VIRTUAL;\n",
        ),
    ];
    assert!(
        findings(&v, 18).is_empty(),
        "virtual generated columns do not rewrite"
    );
    let s = [
        ORDERS,
        (
            "2_gen.sql",
            "ALTER TABLE orders ADD COLUMN code bigint GENERATED ALWAYS AS (id * 2) STORED;\n",
        ),
    ];
    assert_eq!(rules(&findings(&s, 18)), ["add-column-rewrite"]);
}

#[test]
fn set_not_null_help_follows_the_version() {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("1_orders.sql"), ORDERS.1).expect("write");
    std::fs::write(
        t.path().join("2_nn.sql"),
        "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n",
    )
    .expect("write");
    let help = |version| {
        let settings = Settings {
            postgres_version: version,
            cwd: t.path().to_path_buf(),
            ..Settings::default()
        };
        let out = bellows::check(&[t.path().to_path_buf()], &settings);
        out.findings
            .iter()
            .find(|f| f.rule == "set-not-null")
            .map(|f| f.help.clone())
            .unwrap_or_default()
    };
    assert!(help(17).contains("CHECK (status IS NOT NULL) NOT VALID"));
    assert!(help(18).contains("NOT NULL status NOT VALID"));
}
