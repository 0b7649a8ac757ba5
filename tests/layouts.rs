//! Every layout of fixtures/layouts: detected, ordered, split into up and
//! down, with the runner's transaction mode and every opt-out marker.

mod common;

use bellows::discover::{Layout, TxMode};
use bellows::{Dialect, Outcome, Settings};

fn run(name: &str) -> Outcome {
    let dir = common::root().join("fixtures/layouts").join(name);
    let settings = Settings {
        cwd: dir.clone(),
        ..Settings::default()
    };
    let out = bellows::check(&[dir], &settings);
    assert!(
        out.input_errors().is_empty(),
        "{name}: {:?}",
        out.input_errors()
    );
    out
}

/// (version, name, tx, first statement of up, first statement of down) per migration.
fn summary(out: &Outcome, root: usize) -> Vec<(String, String, TxMode, String, Option<String>)> {
    let r = &out.discovered.roots[root];
    let text = |part: bellows::discover::Part| {
        let f = &out.discovered.files[part.file];
        out.statements[part.file]
            .iter()
            .find(|s| part.holds(**s))
            .map(|s| f.text[s.start..s.end].to_string())
            .unwrap_or_default()
    };
    r.migrations
        .iter()
        .map(|m| {
            (
                m.version.text.clone(),
                m.name.clone(),
                m.tx,
                m.up.map(text).unwrap_or_default(),
                m.down.map(text),
            )
        })
        .collect()
}

fn layout_and_dialect(out: &Outcome) -> Vec<(Layout, Dialect)> {
    out.discovered
        .roots
        .iter()
        .map(|r| (r.layout, r.dialect))
        .collect()
}

const INDEX: &str = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)";
const DROP_INDEX: &str = "DROP INDEX CONCURRENTLY users_email_idx";

#[test]
fn golang_migrate() {
    let out = run("golang-migrate");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::GolangMigrate, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    let versions: Vec<&str> = s.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(versions, ["000001", "000002", "000010"]);
    assert_eq!(s[1].3, INDEX);
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
    // No wrapper: each file is one query string (implicit transaction when multi-statement).
    assert!(s.iter().all(|m| m.2 == TxMode::ImplicitMulti));
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn sqlx_with_no_transaction_marker() {
    let out = run("sqlx");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Sqlx, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    assert_eq!(s[0].2, TxMode::Wrapped);
    assert_eq!((s[1].0.as_str(), s[1].2), ("20240102090000", TxMode::None));
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
}

#[test]
fn diesel_with_metadata() {
    let out = run("diesel");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Diesel, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    assert_eq!(
        (s[0].0.as_str(), s[0].1.as_str(), s[0].2),
        ("2024-01-01-120000", "create_users", TxMode::Wrapped)
    );
    assert_eq!(s[1].2, TxMode::None, "run_in_transaction = false");
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
}

#[test]
fn flyway_versions_undo_conf_and_repeatables() {
    let out = run("flyway");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Flyway, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    let order: Vec<(&str, &str)> = s.iter().map(|m| (m.0.as_str(), m.1.as_str())).collect();
    assert_eq!(
        order[..3],
        [
            ("1", "create_users"),
            ("1.1", "add_name"),
            ("2", "index_email")
        ]
    );
    assert_eq!(order[3].1, "user_emails", "repeatables replay last");
    assert_eq!(s[2].2, TxMode::None, "executeInTransaction=false");
    assert_eq!(s[0].2, TxMode::Wrapped);
    assert_eq!(
        s[1].4.as_deref(),
        Some("ALTER TABLE users DROP COLUMN name")
    );
    assert!(s[3].4.is_none());
    assert!(
        out.findings.is_empty(),
        "repeatables need no undo: {:?}",
        out.findings
    );
}

#[test]
fn dbmate_sections_and_transaction_false() {
    let out = run("dbmate");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Dbmate, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    assert_eq!(s[0].2, TxMode::Wrapped);
    assert_eq!(s[0].4.as_deref(), Some("DROP TABLE users"));
    assert_eq!((s[1].2, s[1].3.as_str()), (TxMode::None, INDEX));
    assert!(
        out.findings.is_empty(),
        "the down section is not a forward drop: {:?}",
        out.findings
    );
}

#[test]
fn goose_sections_blocks_no_transaction_and_go_files() {
    let out = run("goose");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Goose, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    assert_eq!(s.len(), 3);
    assert_eq!((s[1].2, s[1].3.as_str()), (TxMode::None, INDEX));
    assert_eq!(s[0].2, TxMode::Wrapped);
    // StatementBegin/End keep the function body whole.
    assert!(
        s[2].3.starts_with("CREATE FUNCTION") && s[2].3.ends_with("LANGUAGE plpgsql;"),
        "{}",
        s[2].3
    );
    assert_eq!(s[2].4.as_deref(), Some("DROP FUNCTION touch_updated_at()"));
    assert_eq!(
        out.discovered.roots[0].skipped,
        ["migrations/00004_backfill_names.go"]
    );
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn sql_migrate_notransaction() {
    let out = run("sql-migrate");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::SqlMigrate, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    assert_eq!((s[0].2, s[1].2), (TxMode::Wrapped, TxMode::None));
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
}

#[test]
fn prisma_provider_sets_the_dialect() {
    let out = run("prisma");
    assert_eq!(layout_and_dialect(&out), [(Layout::Prisma, Dialect::Mysql)]);
    let s = summary(&out, 0);
    assert_eq!((s[1].1.as_str(), s[1].2), ("add_name", TxMode::Wrapped));
    assert!(s.iter().all(|m| m.4.is_none()));
    assert!(
        out.findings.is_empty(),
        "prisma has no downs: {:?}",
        out.findings
    );
}

#[test]
fn plain_natural_order() {
    let out = run("plain");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Plain, Dialect::Postgres)]
    );
    let versions: Vec<String> = summary(&out, 0).into_iter().map(|m| m.0).collect();
    assert_eq!(versions, ["1_create_users", "2_add_name", "10_index_name"]);
}

#[test]
fn dialect_from_folders_and_suffixes() {
    let out = run("dialect-folders");
    assert_eq!(
        layout_and_dialect(&out),
        [
            (Layout::Plain, Dialect::Postgres),
            (Layout::Plain, Dialect::Sqlite)
        ]
    );
    let out = run("dialect-suffixes");
    assert_eq!(
        layout_and_dialect(&out),
        [
            (Layout::GolangMigrate, Dialect::Postgres),
            (Layout::GolangMigrate, Dialect::Mysql)
        ]
    );
    assert!(
        out.discovered
            .roots
            .iter()
            .all(|r| r.migrations.len() == 1 && r.migrations[0].down.is_some())
    );
}

#[test]
fn the_dialect_flag_wins() {
    let dir = common::root().join("fixtures/layouts/dialect-folders/sqlite");
    let settings = Settings {
        dialect: Some(Dialect::Postgres),
        cwd: dir.clone(),
        ..Settings::default()
    };
    let out = bellows::check(&[dir], &settings);
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Plain, Dialect::Postgres)]
    );
}

#[test]
fn the_layout_flag_wins() {
    let dir = common::root().join("fixtures/layouts/golang-migrate");
    let settings = Settings {
        layout: Some(Layout::Plain),
        cwd: dir.clone(),
        ..Settings::default()
    };
    let out = bellows::check(&[dir], &settings);
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Plain, Dialect::Postgres)]
    );
}

/// Layout and why, of every root of a temporary tree.
fn detect_in(files: &[(&str, &str)]) -> Vec<(Layout, String)> {
    let t = tempfile::tempdir().expect("tempdir");
    // A repository of its own: signals are not looked for above it.
    std::fs::create_dir_all(t.path().join(".git")).expect("mkdir");
    for (rel, text) in files {
        let p = t.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let settings = Settings {
        cwd: t.path().to_path_buf(),
        ..Settings::default()
    };
    let out = bellows::check(&[t.path().join("db")], &settings);
    assert!(out.input_errors().is_empty(), "{:?}", out.input_errors());
    out.discovered
        .roots
        .iter()
        .map(|r| (r.layout, r.detected_by.clone()))
        .collect()
}

#[test]
fn one_stray_marker_does_not_flip_a_directory() {
    let mut files: Vec<(String, &str)> = (1..=6)
        .flat_map(|i| {
            [
                (
                    format!("db/{i:06}_t{i}.up.sql"),
                    "CREATE TABLE t (id int);\n",
                ),
                (format!("db/{i:06}_t{i}.down.sql"), "DROP TABLE t;\n"),
            ]
        })
        .collect();
    files.push((
        "db/000007_x.sql".to_string(),
        "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n",
    ));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    assert_eq!(
        detect_in(&files),
        [(Layout::GolangMigrate, "majority of 13 files".to_string())]
    );
}

#[test]
fn a_metadata_file_is_the_strongest_signal() {
    // flyway.conf beside the folder: the one V file makes it flyway.
    assert_eq!(
        detect_in(&[
            ("flyway.conf", "flyway.locations=filesystem:db\n"),
            ("db/V1__init.sql", "CREATE TABLE t (id int);\n"),
            ("db/seed.sql", "SELECT 1;\n"),
        ]),
        [(Layout::Flyway, "flyway.conf".to_string())]
    );
    // A metadata file whose tool no file fits says nothing.
    assert_eq!(
        detect_in(&[
            ("dbconfig.yml", "development:\n  dialect: postgres\n"),
            ("db/001_init.sql", "CREATE TABLE t (id int);\n"),
            ("db/002_more.sql", "CREATE TABLE u (id int);\n"),
        ]),
        [(Layout::Plain, "majority of 2 files".to_string())]
    );
    // A project manifest decides between tools that share file names.
    assert_eq!(
        detect_in(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n\n[dependencies]\nsqlx = \"0.8\"\n"
            ),
            ("db/1_init.up.sql", "CREATE TABLE t (id int);\n"),
            ("db/1_init.down.sql", "DROP TABLE t;\n"),
        ]),
        [(Layout::Sqlx, "Cargo.toml (sqlx)".to_string())]
    );
    assert_eq!(
        detect_in(&[
            (
                "go.mod",
                "module x\n\nrequire github.com/golang-migrate/migrate/v4 v4.17.0\n"
            ),
            (
                "db/20240101120000_init.up.sql",
                "CREATE TABLE t (id int);\n"
            ),
            ("db/20240101120000_init.down.sql", "DROP TABLE t;\n"),
        ]),
        [(Layout::GolangMigrate, "go.mod (golang-migrate)".to_string())]
    );
}

#[test]
fn a_forced_layout_says_where_it_comes_from() {
    let dir = common::root().join("fixtures/layouts/golang-migrate");
    let settings = Settings {
        layout: Some(Layout::GolangMigrate),
        layout_from_config: true,
        cwd: dir.clone(),
        ..Settings::default()
    };
    let out = bellows::check(&[dir], &settings);
    assert_eq!(out.discovered.roots[0].detected_by, "config");
}

/// (rule, file name, help) of every finding.
fn findings(out: &Outcome) -> Vec<(&'static str, String, String)> {
    out.findings
        .iter()
        .map(|f| {
            let path = &out.discovered.files[f.file].path;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (f.rule, name, f.help.clone())
        })
        .collect()
}

#[test]
fn drizzle_journal_order_breakpoints_and_one_transaction() {
    let out = run("drizzle");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Drizzle, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "meta/_journal.json");
    let s = summary(&out, 0);
    // The file not in the journal never runs.
    let order: Vec<(&str, &str)> = s.iter().map(|m| (m.0.as_str(), m.1.as_str())).collect();
    assert_eq!(order, [("0000", "create_users"), ("0001", "index_email")]);
    assert!(s.iter().all(|m| m.2 == TxMode::Wrapped && m.4.is_none()));
    // `--> statement-breakpoint` ends a statement even without a semicolon.
    let first = out.discovered.roots[0].migrations[0]
        .up
        .expect("an up")
        .file;
    let stmts: Vec<&str> = out.statements[first]
        .iter()
        .map(|sp| &out.discovered.files[first].text[sp.start..sp.end])
        .collect();
    assert_eq!(stmts.len(), 3, "{stmts:?}");
    assert!(stmts[1].starts_with("CREATE TABLE \"posts\"") && stmts[1].trim_end().ends_with(')'));
    let f = findings(&out);
    // Only edited-migration speaks of the file the journal does not list.
    assert!(
        f.iter()
            .all(|(rule, file, _)| file != "0002_draft.sql" || *rule == "edited-migration"),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|(rule, file, _)| file == "0002_draft.sql" && *rule == "edited-migration"),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|(rule, file, help)| *rule == "concurrently-in-transaction"
                && file == "0001_index_email.sql"
                && help.contains("drizzle-kit")),
        "{f:?}"
    );
}

#[test]
fn atlas_sum_and_txmode_none() {
    let out = run("atlas");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Atlas, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "atlas.sum");
    let s = summary(&out, 0);
    let tx: Vec<(&str, TxMode)> = s.iter().map(|m| (m.1.as_str(), m.2)).collect();
    assert_eq!(
        tx,
        [
            ("create_users", TxMode::Wrapped),
            ("index_email", TxMode::None),
            ("index_name", TxMode::Wrapped)
        ]
    );
    let f = findings(&out);
    let in_tx: Vec<&str> = f
        .iter()
        .filter(|(rule, _, _)| *rule == "concurrently-in-transaction")
        .map(|(_, file, _)| file.as_str())
        .collect();
    assert_eq!(in_tx, ["20240103090000_index_name.sql"], "{f:?}");
    assert!(
        f.iter()
            .any(|(_, _, help)| help.contains("-- atlas:txmode none"))
    );
}

#[test]
fn supabase_one_transaction_per_file() {
    let out = run("supabase");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Supabase, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "supabase/config.toml");
    let s = summary(&out, 0);
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|m| m.2 == TxMode::Wrapped && m.4.is_none()));
    assert!(
        out.discovered.roots[0]
            .migrations
            .iter()
            .all(|m| !m.expects_down)
    );
    let f = findings(&out);
    assert!(
        f.iter()
            .any(|(rule, file, help)| *rule == "concurrently-in-transaction"
                && file == "20240102090000_index_email.sql"
                && help.contains("supabase db push")),
        "{f:?}"
    );
}

#[test]
fn template_and_placeholder_syntax_is_never_a_parse_error() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("migrations");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("001_templates.sql"),
        "CREATE TABLE ${schema}.users (id $%AUTO_INCREMENT_PRIMARY_KEY%$, email {{ .EmailType }});\n\
         ALTER TABLE ${schema}.users ADD COLUMN note text DEFAULT :'default_note';\n\
         CREATE TABLE audit (id int, at timestamptz DEFAULT now()::timestamptz);\n",
    )
    .expect("write");
    let settings = Settings {
        cwd: t.path().to_path_buf(),
        ..Settings::default()
    };
    let out = bellows::check(&[dir], &settings);
    let rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
    assert!(!rules.contains(&"parse-error"), "{rules:?}");
    assert_eq!(out.statements[0].len(), 3);
}

#[test]
fn flyway_baseline_callbacks_and_placeholders() {
    let out = run("flyway-baseline");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Flyway, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    let order: Vec<(&str, &str)> = s.iter().map(|m| (m.0.as_str(), m.1.as_str())).collect();
    // The baseline stands for versions 1 to 3; callbacks are not migrations.
    assert_eq!(order, [("3", "baseline"), ("4", "add_name")]);
    // No drop-table from the callback, no parse-error from `${app_role}`.
    let f = findings(&out);
    let rules: Vec<(&str, &str)> = f.iter().map(|(r, file, _)| (*r, file.as_str())).collect();
    assert_eq!(rules, [("missing-lock-timeout", "V4__add_name.sql")]);
    // With the versioned migrations it replaces still kept, the baseline is not replayed.
    let t = tempfile::tempdir().expect("tempdir");
    for (name, text) in [
        (
            "V1__users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        ),
        (
            "B1__baseline.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        ),
        ("V2__name.sql", "ALTER TABLE users ADD COLUMN name text;\n"),
    ] {
        std::fs::write(t.path().join(name), text).expect("write");
    }
    let settings = Settings {
        cwd: t.path().to_path_buf(),
        ..Settings::default()
    };
    let out = bellows::check(&[t.path().to_path_buf()], &settings);
    let s = summary(&out, 0);
    let order: Vec<(&str, &str)> = s.iter().map(|m| (m.0.as_str(), m.1.as_str())).collect();
    assert_eq!(order, [("1", "users"), ("2", "name")]);
}

#[test]
fn node_pg_migrate_up_and_down_lines_in_one_transaction() {
    let out = run("node-pg-migrate");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::NodePgMigrate, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "majority of 2 files");
    let s = summary(&out, 0);
    assert_eq!(
        (s[0].0.as_str(), s[0].1.as_str(), s[0].2),
        ("1704110400000", "create-users", TxMode::Wrapped)
    );
    assert_eq!(s[0].4.as_deref(), Some("DROP TABLE users"));
    assert_eq!(s[1].3, INDEX);
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
    let f = findings(&out);
    assert!(
        f.iter()
            .any(|(rule, file, help)| *rule == "concurrently-in-transaction"
                && file == "1704186000000_index-email.sql"
                && help.contains("pgm.noTransaction()")),
        "{f:?}"
    );
}

#[test]
fn tern_split_line_disable_tx_and_templates() {
    let out = run("tern");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Tern, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "tern.conf");
    let s = summary(&out, 0);
    let tx: Vec<(&str, &str, TxMode)> = s
        .iter()
        .map(|m| (m.0.as_str(), m.1.as_str(), m.2))
        .collect();
    assert_eq!(
        tx,
        [
            ("001", "create_users", TxMode::Wrapped),
            ("002", "index_email", TxMode::None),
            ("003", "add_name", TxMode::Wrapped)
        ]
    );
    assert_eq!(s[1].3, INDEX);
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
    // The statement with no semicolon ends at the split line; the template parses.
    assert_eq!(s[2].3, "ALTER TABLE users ADD COLUMN name {{ .NameType }}");
    assert_eq!(
        s[2].4.as_deref(),
        Some("ALTER TABLE users DROP COLUMN name")
    );
    let rules: Vec<&str> = out.findings.iter().map(|f| f.rule).collect();
    assert!(
        !rules.contains(&"parse-error") && !rules.contains(&"concurrently-in-transaction"),
        "{rules:?}"
    );
}

#[test]
fn refinery_versioned_and_unversioned_with_no_transaction_line() {
    let out = run("refinery");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Refinery, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "Cargo.toml (refinery)");
    let s = summary(&out, 0);
    let tx: Vec<(&str, &str, TxMode)> = s
        .iter()
        .map(|m| (m.0.as_str(), m.1.as_str(), m.2))
        .collect();
    // `U3__` is an unversioned migration, not the undo of anything.
    assert_eq!(
        tx,
        [
            ("1", "create_users", TxMode::Wrapped),
            ("2", "index_email", TxMode::None),
            ("3", "add_name", TxMode::Wrapped)
        ]
    );
    assert!(s.iter().all(|m| m.4.is_none()));
    assert!(out.findings.iter().all(|f| f.rule != "missing-down"));
}

#[test]
fn yoyo_rollback_files_and_transactional_header() {
    let out = run("yoyo");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Yoyo, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "yoyo.ini");
    let s = summary(&out, 0);
    assert_eq!(
        (s[0].1.as_str(), s[0].2, s[0].4.as_deref()),
        (
            "0001_create_users",
            TxMode::Wrapped,
            Some("DROP TABLE users")
        )
    );
    assert_eq!((s[1].2, s[1].3.as_str()), (TxMode::None, INDEX));
    assert_eq!(s[1].4.as_deref(), Some(DROP_INDEX));
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn hasura_folder_per_migration_under_its_database() {
    let out = run("hasura");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Hasura, Dialect::Postgres)]
    );
    let root = &out.discovered.roots[0];
    assert_eq!(
        (root.display.as_str(), root.detected_by.as_str()),
        ("hasura/migrations/default", "config.yaml (hasura)")
    );
    let s = summary(&out, 0);
    assert_eq!(
        (s[0].0.as_str(), s[0].1.as_str(), s[0].2),
        ("1704110400000", "create_users", TxMode::Wrapped)
    );
    // hasura's "Could not auto-generate a down migration" is a template: still empty.
    let f = findings(&out);
    assert!(
        f.iter()
            .any(|(rule, file, _)| *rule == "empty-down" && file == "down.sql"),
        "{f:?}"
    );
}

#[test]
fn ory_pop_dialect_files_autocommit_and_empty_files() {
    let out = run("ory-pop");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::OryPop, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "go.mod (ory-pop)");
    let s = summary(&out, 0);
    // The dialect-less files and the PostgreSQL ones; not cockroach's or MySQL's.
    let tx: Vec<(&str, TxMode, &str)> = s
        .iter()
        .map(|m| (m.1.as_str(), m.2, m.3.as_str()))
        .collect();
    assert_eq!(
        tx,
        [
            (
                "identities",
                TxMode::Wrapped,
                "CREATE TABLE identities (id uuid PRIMARY KEY, traits jsonb NOT NULL)"
            ),
            ("index_traits", TxMode::Wrapped, ""),
            (
                "index_traits",
                TxMode::None,
                "CREATE INDEX CONCURRENTLY identities_traits_idx ON identities USING gin (traits)"
            ),
        ]
    );
    // Empty files are pop's convention: no empty-down, no duplicate-version.
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn sqitch_plan_order_reworked_changes_revert_and_verify() {
    let out = run("sqitch");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Sqitch, Dialect::Postgres)]
    );
    assert_eq!(out.discovered.roots[0].detected_by, "sqitch.plan");
    let s = summary(&out, 0);
    // The plan's order; the change reworked after @v1.0 first runs its
    // `users@v1.0` scripts. Scripts hold their own BEGIN … COMMIT.
    let order: Vec<(&str, TxMode, &str)> = s
        .iter()
        .map(|m| (m.1.as_str(), m.2, m.3.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("users", TxMode::None, "BEGIN"),
            ("users_email_idx", TxMode::None, INDEX),
            ("users", TxMode::None, "BEGIN")
        ]
    );
    let r = &out.discovered.roots[0];
    let file_of = |i: usize| {
        let m = &r.migrations[i];
        let up = &out.discovered.files[m.up.expect("an up").file].display;
        let down = &out.discovered.files[m.down.expect("a down").file].display;
        (up.clone(), down.clone())
    };
    assert_eq!(
        file_of(0),
        (
            "deploy/users@v1.0.sql".to_string(),
            "revert/users@v1.0.sql".to_string()
        )
    );
    assert_eq!(
        file_of(2),
        (
            "deploy/users.sql".to_string(),
            "revert/users.sql".to_string()
        )
    );
    // verify/ is not a migration (its DROP is never reported); `\set` is skipped.
    let f = findings(&out);
    let rules: Vec<(&str, &str)> = f.iter().map(|(r, file, _)| (*r, file.as_str())).collect();
    assert_eq!(rules, [("missing-lock-timeout", "users.sql")], "{f:?}");
    assert!(
        out.findings
            .iter()
            .all(|x| out.discovered.files[x.file].display == "deploy/users.sql")
    );
}

#[test]
fn graphile_migrate_committed_then_current() {
    let out = run("graphile-migrate");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::GraphileMigrate, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    let order: Vec<(&str, &str, TxMode)> = s
        .iter()
        .map(|m| (m.0.as_str(), m.1.as_str(), m.2))
        .collect();
    assert_eq!(
        order,
        [
            ("000001", "", TxMode::Wrapped),
            ("000002", "", TxMode::None),
            ("000003", "current", TxMode::Wrapped)
        ]
    );
    let f = findings(&out);
    let rules: Vec<(&str, &str)> = f.iter().map(|(r, file, _)| (*r, file.as_str())).collect();
    assert_eq!(
        rules,
        [("concurrently-in-transaction", "current.sql")],
        "{f:?}"
    );
    assert!(f[0].2.contains("--! no-transaction"));
}

#[test]
fn liquibase_changesets_run_in_transaction_dbms_and_properties() {
    let out = run("liquibase");
    assert_eq!(
        layout_and_dialect(&out),
        [(Layout::Liquibase, Dialect::Postgres)]
    );
    let s = summary(&out, 0);
    // The h2-only changeset is not run on PostgreSQL.
    let sets: Vec<(&str, TxMode)> = s.iter().map(|m| (m.1.as_str(), m.2)).collect();
    assert_eq!(
        sets,
        [
            ("ann:create-users", TxMode::Wrapped),
            ("ann:index-email", TxMode::None),
            ("ann:index-name", TxMode::Wrapped),
            ("bob:create-orders", TxMode::Wrapped)
        ]
    );
    assert!(s.iter().all(|m| m.4.is_none()));
    let f = findings(&out);
    let rules: Vec<(&str, &str)> = f.iter().map(|(r, file, _)| (*r, file.as_str())).collect();
    // No parse-error from `${schema}`, no drop-table from the h2 changeset.
    assert_eq!(
        rules,
        [("concurrently-in-transaction", "001_users.sql")],
        "{f:?}"
    );
    assert!(f[0].2.contains("runInTransaction:false"));
}
