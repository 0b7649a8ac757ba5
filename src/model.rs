//! The shared vocabulary of every stage: dialects, severities, findings,
//! byte spans, file ids, layouts and the settings of a run.
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
    /// `small-tables`: tables known to be small, lower-cased as written
    /// (`flags` or `app.flags`).
    pub small_tables: BTreeSet<String>,
    /// Whether drops and renames name the tracked files that still use the
    /// name (off by default; `check` turns it on unless `--no-references`).
    pub references: crate::references::References,
    pub cwd: PathBuf,
    /// Parsed files kept between runs (`bellows server`); off for `check`.
    pub kept: crate::replay::Kept,
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
            references: crate::references::References::default(),
            require_ignore_reason: false,
            since: None,
            stdin: None,
            levels: BTreeMap::new(),
            start_after: None,
            exclude: None,
            exclude_base: PathBuf::new(),
            cwd: std::env::current_dir().unwrap_or_default(),
            kept: crate::replay::Kept::default(),
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

/// What git says about the working tree relative to a base ref.
#[derive(Debug, Clone, Default)]
pub struct Since {
    /// Files added or changed since the ref, and untracked files (absolute).
    pub changed: BTreeSet<PathBuf>,
    /// Files that exist on the ref (absolute).
    pub base: BTreeSet<PathBuf>,
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
    pub tables: Vec<crate::parse::ir::Name>,
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
