//! The shared vocabulary of every stage: dialects, severities, findings,
//! byte spans, object names, file ids, layouts and the settings of a run.
//!
//! A leaf: it imports no stage of bellows, and every stage imports it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The SQL dialect a migration is written in (also the `--dialect` and
/// `dialect =` values).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    pub fn id(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: FileId,
    /// `None` = a file-level finding (no line).
    pub span: Option<ByteSpan>,
    pub message: String,
    pub help: String,
    /// The rule's mechanical fix, when it has one (see [`Fix`]).
    pub fix: Option<Fix>,
}

/// A rule's mechanical, safe fix of one finding: edits on byte spans of
/// the source files, and new migrations to add after the finding's one.
/// The rule writes the SQL; discover turns a [`NewMigration`] into the
/// layout's own files ([`NewFile`]); `fix` applies or diffs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, in a few words (`add CONCURRENTLY`).
    pub title: String,
    pub edits: Vec<Edit>,
    /// New migrations to run after the finding's migration, in order.
    pub migrations: Vec<NewMigration>,
    /// The files those migrations become in the root's layout (filled in
    /// once the root is known; empty until then).
    pub files: Vec<NewFile>,
}

/// Replace the bytes of `span` in `file` with `text` (an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub span: ByteSpan,
    pub text: String,
}

/// A migration a fix adds, before the layout names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMigration {
    /// Words for the file name (`validate_orders_customer_id_fkey`).
    pub name: String,
    /// The up statements, each ending with `;` and a newline.
    pub up: String,
    /// The down statements (`None` = nothing to undo: the layout's down is
    /// left empty but for a comment saying so).
    pub down: Option<String>,
    /// The statements refuse a transaction block: the layout's
    /// no-transaction marker is written.
    pub no_transaction: bool,
}

/// A file a fix creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub path: PathBuf,
    /// The path as the user would type it.
    pub display: String,
    pub text: String,
}

/// Everything a run is told: flags merged over config.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Given by flag or config; `None` = from the tree, else PostgreSQL.
    pub dialect: Option<Dialect>,
    pub postgres_version: u32,
    /// The target MySQL or MariaDB server (`--mysql-version`).
    pub mysql_version: crate::mysql_version::Server,
    pub sqlite_version: crate::sqlite_version::SqliteVersion,
    pub layout: Option<Layout>,
    /// The forced layout comes from the configuration, not `--layout`.
    pub layout_from_config: bool,
    /// `--select`: only these rules (empty = all).
    pub select: BTreeSet<String>,
    /// `--ignore`: never these rules.
    pub ignore: BTreeSet<String>,
    /// Per-rule levels from the configuration.
    pub levels: BTreeMap<String, Level>,
    /// Migrations up to this version are history: replayed, never reported.
    pub start_after: Option<String>,
    /// Files matching these globs (relative to `exclude_base`) are not read.
    pub exclude: Option<globset::GlobSet>,
    pub exclude_base: PathBuf,
    /// `--since`: only files changed since a git ref are reported.
    pub since: Option<Since>,
    /// Lint standard input as if it were this file.
    pub stdin: Option<(PathBuf, String)>,
    /// An ignore comment without `-- reason` does not suppress.
    pub require_ignore_reason: bool,
    /// The migration runner sets `lock_timeout` itself.
    pub lock_timeout_set_by_runner: bool,
    /// Files read from here instead of the disk, and new files that exist
    /// only here (the in-memory re-check of a fix).
    pub overlay: BTreeMap<PathBuf, String>,
    /// `small-tables`: tables known to be small, lower-cased as written
    /// (`flags` or `app.flags`).
    pub small_tables: BTreeSet<String>,
    /// Table sizes from a `bellows stats` file (`--stats`, `stats =`).
    pub table_sizes: Option<TableSizes>,
    /// Whether drops and renames name the tracked files that still use the
    /// name (off by default; `check` turns it on unless `--no-references`).
    pub references: crate::references::References,
    pub cwd: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dialect: None,
            postgres_version: 15,
            mysql_version: crate::mysql_version::Server::DEFAULT,
            sqlite_version: crate::sqlite_version::SqliteVersion::DEFAULT,
            layout: None,
            layout_from_config: false,
            select: BTreeSet::new(),
            ignore: BTreeSet::new(),
            lock_timeout_set_by_runner: false,
            small_tables: BTreeSet::new(),
            table_sizes: None,
            overlay: BTreeMap::new(),
            references: crate::references::References::default(),
            require_ignore_reason: false,
            since: None,
            stdin: None,
            levels: BTreeMap::new(),
            start_after: None,
            exclude: None,
            exclude_base: PathBuf::new(),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }
}

impl Settings {
    /// Where a forced layout comes from, as `roots[].detected_by` says it.
    pub fn layout_by(&self) -> &'static str {
        if self.layout_from_config {
            "config"
        } else {
            "--layout"
        }
    }

    /// Whether the rule `id` runs: selected, not ignored, not turned off.
    pub fn enabled(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.contains(id))
            && !self.ignore.contains(id)
            && self.levels.get(id) != Some(&Level::Off)
    }

    /// The severity of the rule `id`: configured, else its `default`.
    pub fn severity(&self, id: &str, default: Severity) -> Severity {
        match self.levels.get(id) {
            Some(Level::Error) => Severity::Error,
            Some(Level::Warning) => Severity::Warning,
            Some(Level::Info) => Severity::Info,
            Some(Level::Off) | None => default,
        }
    }
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

/// An index into the files of a run (`Discovered::files` of discover).
pub type FileId = usize;

/// Where a migration tool's annotations split or join statements: found by
/// discover in the files, obeyed by parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// Byte offsets where a statement must end (section markers such as
    /// `-- +goose Down`), sorted.
    pub cuts: Vec<usize>,
    /// Byte ranges that are one statement whatever their semicolons
    /// (`-- +goose StatementBegin` … `StatementEnd`), sorted.
    pub blocks: Vec<ByteSpan>,
}

/// A byte range in the source file (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

impl ByteSpan {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// The migration tools whose layouts bellows reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    GolangMigrate,
    Sqlx,
    Diesel,
    Flyway,
    Dbmate,
    Goose,
    SqlMigrate,
    Prisma,
    Plain,
    Drizzle,
    Atlas,
    Supabase,
    NodePgMigrate,
    Tern,
    Refinery,
    Yoyo,
    Hasura,
    OryPop,
    Sqitch,
    GraphileMigrate,
    Liquibase,
}

impl Layout {
    pub fn id(self) -> &'static str {
        match self {
            Layout::GolangMigrate => "golang-migrate",
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::Flyway => "flyway",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::SqlMigrate => "sql-migrate",
            Layout::Prisma => "prisma",
            Layout::Plain => "plain",
            Layout::Drizzle => "drizzle",
            Layout::Atlas => "atlas",
            Layout::Supabase => "supabase",
            Layout::NodePgMigrate => "node-pg-migrate",
            Layout::Tern => "tern",
            Layout::Refinery => "refinery",
            Layout::Yoyo => "yoyo",
            Layout::Hasura => "hasura",
            Layout::OryPop => "ory-pop",
            Layout::Sqitch => "sqitch",
            Layout::GraphileMigrate => "graphile-migrate",
            Layout::Liquibase => "liquibase",
        }
    }

    /// How a statement that must run outside a transaction is taken out of
    /// the tool's wrapper, in the tool's own words.
    pub fn no_transaction_hint(self) -> Option<&'static str> {
        match self {
            Layout::Goose => Some("put `-- +goose NO TRANSACTION` at the top of the file"),
            Layout::Dbmate => Some("write `-- migrate:up transaction:false`"),
            Layout::Sqlx => Some("start the file with `-- no-transaction`"),
            Layout::Diesel => {
                Some("add `run_in_transaction = false` to the migration's metadata.toml")
            }
            Layout::SqlMigrate => Some("write `-- +migrate Up notransaction`"),
            Layout::GolangMigrate => Some("keep the statement alone in its own migration file"),
            Layout::Flyway => {
                Some("set `executeInTransaction=false` in the migration's .sql.conf file")
            }
            Layout::Atlas => Some("put `-- atlas:txmode none` at the top of the file"),
            Layout::Drizzle => Some(
                "run it by hand outside drizzle-kit (it runs every pending migration in one transaction, with no opt-out)",
            ),
            Layout::Supabase => Some(
                "run it by hand outside `supabase db push` (it sends each file as one transaction, with no opt-out)",
            ),
            Layout::Tern => Some("put the line `---- tern: disable-tx ----` in the file"),
            Layout::NodePgMigrate => Some(
                "run it by hand outside node-pg-migrate, or write the migration in JavaScript with `pgm.noTransaction()` (SQL files always run in a transaction)",
            ),
            Layout::Refinery => Some("add the line `-- refinery:noTransaction` to the file"),
            Layout::Yoyo => Some("start the file with the header `-- transactional: false`"),
            Layout::OryPop => Some("name the file `….autocommit.up.sql`"),
            Layout::GraphileMigrate => Some(
                "start the file with `--! no-transaction` (the file must then hold only this statement)",
            ),
            Layout::Liquibase => Some("add `runInTransaction:false` to the `--changeset` line"),
            Layout::Prisma | Layout::Plain | Layout::Hasura | Layout::Sqitch => None,
        }
    }
}

/// What `bellows stats` writes and `check --stats` reads: the estimated
/// size of every table of one database, and when and where it was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatsFile {
    /// The format's version: 1.
    pub version: u32,
    /// When the sizes were read, UTC (`2026-12-07T04:31:00Z`).
    pub taken: String,
    /// The server as it may be shown (no password), or the SQLite file.
    pub server: String,
    pub dialect: Dialect,
    pub tables: Vec<TableStats>,
}

/// One table of a [`StatsFile`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableStats {
    /// PostgreSQL: the schema; MySQL: the database; SQLite: `main`.
    pub schema: String,
    pub name: String,
    /// Estimated rows; `None` = unknown (PostgreSQL: never analyzed).
    pub rows: Option<u64>,
    /// Bytes on disk, indexes (and TOAST) included; `None` = unknown.
    pub bytes: Option<u64>,
}

/// The table sizes a run knows, from a stats file.
#[derive(Debug, Clone)]
pub struct TableSizes {
    /// The file as the user would name it.
    pub file: String,
    pub stats: StatsFile,
    /// `small-table-rows`: below this many rows a table is small.
    pub small_rows: u64,
}

impl TableSizes {
    /// The default of `small-table-rows`.
    pub const SMALL_ROWS: u64 = 10_000;

    /// The table a migration names: `schema` as written (`None` = the
    /// default schema, already dropped when written as `public.` or
    /// `main.`). An unqualified name is the table of that name in the
    /// default schema (`public`, `main`, or the MySQL database read), else
    /// the largest of that name in any schema; names compare
    /// case-insensitively.
    pub fn find(&self, schema: Option<&str>, name: &str) -> Option<&TableStats> {
        let same = |t: &&TableStats| t.name.eq_ignore_ascii_case(name);
        let mut of_name = self.stats.tables.iter().filter(same);
        if let Some(s) = schema {
            return of_name.find(|t| t.schema.eq_ignore_ascii_case(s));
        }
        let candidates: Vec<&TableStats> = of_name.collect();
        let default = match self.stats.dialect {
            Dialect::Postgres => "public",
            Dialect::Sqlite => "main",
            // One database is read, so any schema is the default one.
            Dialect::Mysql => return candidates.first().copied(),
        };
        candidates
            .iter()
            .find(|t| t.schema.eq_ignore_ascii_case(default))
            .or_else(|| {
                candidates
                    .iter()
                    .max_by_key(|t| (t.rows.is_none(), t.rows, t.bytes))
            })
            .copied()
    }

    /// Whether the table is known to have fewer rows than `small-table-rows`.
    pub fn is_small(&self, t: &TableStats) -> bool {
        t.rows.is_some_and(|r| r < self.small_rows)
    }
}

/// `~42 M rows, 18 GB`: a table's size as messages show it.
pub fn size_words(t: &TableStats) -> String {
    let rows = match t.rows {
        Some(1) => "~1 row".to_string(),
        Some(r) => format!("~{} rows", short(r, 1000, &["", " k", " M", " G", " T"])),
        None => "rows unknown".to_string(),
    };
    match t.bytes {
        Some(b) => format!(
            "{rows}, {}",
            short(b, 1000, &[" B", " kB", " MB", " GB", " TB", " PB"])
        ),
        None => rows,
    }
}

/// `n` in the largest unit that keeps it at 1 or more: two significant
/// digits below 10 (`4.2 M`), whole numbers above (`42 M`).
fn short(n: u64, base: u64, units: &[&str]) -> String {
    let mut value = n as f64;
    let mut unit = 0;
    while value >= base as f64 && unit + 1 < units.len() {
        value /= base as f64;
        unit += 1;
    }
    let u = units[unit];
    if unit == 0 || value >= 10.0 {
        format!("{value:.0}{u}")
    } else {
        format!("{value:.1}{u}")
    }
}

/// What git says about the working tree relative to a base ref.
#[derive(Debug, Clone, Default)]
pub struct Since {
    /// Files added or changed since the ref, and untracked files (absolute).
    pub changed: BTreeSet<PathBuf>,
    /// Files that exist on the ref (absolute).
    pub base: BTreeSet<PathBuf>,
}

/// A schema-qualified object name, folded the way the dialect folds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// `None` means the default schema of the dialect.
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub fn new(schema: Option<String>, name: impl Into<String>) -> Self {
        Self {
            schema,
            name: name.into(),
        }
    }
    pub fn bare(name: impl Into<String>) -> Self {
        Self::new(None, name)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What a check reports; the engine adds the rule, severity and path.
#[derive(Debug, Clone)]
pub struct Hit {
    pub file: FileId,
    /// `None` = a file-level finding.
    pub span: Option<ByteSpan>,
    pub message: String,
    pub help: String,
    /// Overrides the rule's severity (a warning where the verdict depends on
    /// a server setting, an info note for a justified exception).
    pub severity: Option<Severity>,
    /// The tables a lock, rewrite or scan finding is about; empty = the
    /// tables its statement changes (`small-tables` reads it).
    pub tables: Vec<Name>,
    /// The rule's fix of this finding, when it has a safe mechanical one.
    pub fix: Option<Fix>,
}

/// The one-line message of a panic caught while checking `what`.
pub fn internal_error(what: &str, payload: &Box<dyn std::any::Any + Send>) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("{what}: internal error in bellows, please report it: {detail}")
}

#[cfg(test)]
mod tests {
    use super::{Dialect, StatsFile, TableSizes, TableStats, size_words};

    fn sizes(dialect: Dialect, tables: &[(&str, &str, Option<u64>)]) -> TableSizes {
        TableSizes {
            file: "bellows-stats.json".to_string(),
            stats: StatsFile {
                version: 1,
                taken: String::new(),
                server: String::new(),
                dialect,
                tables: tables
                    .iter()
                    .map(|(schema, name, rows)| TableStats {
                        schema: (*schema).to_string(),
                        name: (*name).to_string(),
                        rows: *rows,
                        bytes: None,
                    })
                    .collect(),
            },
            small_rows: TableSizes::SMALL_ROWS,
        }
    }

    #[test]
    fn unqualified_names_are_the_default_schema_else_the_largest_of_the_name() {
        let s = sizes(
            Dialect::Postgres,
            &[
                ("app", "orders", Some(5)),
                ("public", "orders", Some(9)),
                ("app", "events", Some(7)),
                ("audit", "events", None),
            ],
        );
        let rows = |schema: Option<&str>, name: &str| s.find(schema, name).map(|t| t.rows);
        assert_eq!(rows(None, "orders"), Some(Some(9)));
        assert_eq!(rows(None, "ORDERS"), Some(Some(9)));
        assert_eq!(rows(Some("app"), "orders"), Some(Some(5)));
        assert_eq!(rows(Some("billing"), "orders"), None);
        // No `public.events`: the largest, and unknown counts as large.
        assert_eq!(rows(None, "events"), Some(None));
        let m = sizes(Dialect::Mysql, &[("shop", "orders", Some(3))]);
        assert_eq!(m.find(None, "orders").map(|t| t.rows), Some(Some(3)));
        assert_eq!(
            m.find(Some("shop"), "orders").map(|t| t.rows),
            Some(Some(3))
        );
        assert!(!s.is_small(s.find(Some("audit"), "events").expect("known")));
        assert!(s.is_small(s.find(None, "orders").expect("known")));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        let t = |rows, bytes| {
            size_words(&TableStats {
                schema: String::new(),
                name: String::new(),
                rows,
                bytes,
            })
        };
        assert_eq!(t(Some(1), Some(8192)), "~1 row, 8.2 kB");
        assert_eq!(t(Some(999), Some(512)), "~999 rows, 512 B");
        assert_eq!(t(Some(1_234), None), "~1.2 k rows");
        assert_eq!(
            t(Some(42_000_000), Some(18_000_000_000)),
            "~42 M rows, 18 GB"
        );
        assert_eq!(t(None, Some(0)), "rows unknown, 0 B");
    }
}
