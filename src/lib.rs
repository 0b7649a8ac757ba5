//! bellows: a schema-migration safety linter.
//!
//! The flow is one direction: [`discover`] finds migration roots and their
//! layout, [`parse`] splits and reads every statement, [`rules`] replays the
//! history into a [`catalog::Catalog`] and runs the rules, and [`report`]
//! renders the findings.

pub mod alloc;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod discover;
pub mod par;
pub mod parse;
pub mod report;
pub mod rules;
pub mod since;
pub mod verify;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use discover::{Discovered, FileId, InputError, Layout};
use parse::ByteSpan;

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
    serde::Deserialize,
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
    pub mysql_version: u32,
    pub sqlite_version: u32,
    pub layout: Option<Layout>,
    /// `--select`: only these rules (empty = all).
    pub select: BTreeSet<String>,
    /// `--ignore`: never these rules.
    pub ignore: BTreeSet<String>,
    /// Per-rule levels from the configuration.
    pub levels: std::collections::BTreeMap<String, config::Level>,
    /// Migrations up to this version are history: replayed, never reported.
    pub start_after: Option<String>,
    /// Files matching these globs (relative to `exclude_base`) are not read.
    pub exclude: Option<globset::GlobSet>,
    pub exclude_base: PathBuf,
    /// `--since`: only files changed since a git ref are reported.
    pub since: Option<since::Since>,
    /// Lint standard input as if it were this file.
    pub stdin: Option<(PathBuf, String)>,
    /// An ignore comment without `-- reason` does not suppress.
    pub require_ignore_reason: bool,
    /// The migration runner sets `lock_timeout` itself.
    pub lock_timeout_set_by_runner: bool,
    pub cwd: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dialect: None,
            postgres_version: 15,
            mysql_version: 8,
            sqlite_version: 3,
            layout: None,
            select: BTreeSet::new(),
            ignore: BTreeSet::new(),
            lock_timeout_set_by_runner: false,
            require_ignore_reason: false,
            since: None,
            stdin: None,
            levels: std::collections::BTreeMap::new(),
            start_after: None,
            exclude: None,
            exclude_base: PathBuf::new(),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }
}

impl Settings {
    pub fn enabled(&self, rule: &rules::Rule) -> bool {
        (self.select.is_empty() || self.select.contains(rule.id))
            && !self.ignore.contains(rule.id)
            && self.levels.get(rule.id) != Some(&config::Level::Off)
    }

    pub fn severity(&self, rule: &rules::Rule) -> Severity {
        match self.levels.get(rule.id) {
            Some(config::Level::Error) => Severity::Error,
            Some(config::Level::Warning) => Severity::Warning,
            Some(config::Level::Info) => Severity::Info,
            Some(config::Level::Off) | None => rule.severity,
        }
    }
}

/// The outcome of a check run.
#[derive(Debug)]
pub struct Outcome {
    pub discovered: Discovered,
    /// Per file (by [`FileId`]): where its statements are. The parsed
    /// statements themselves are dropped once linted;
    /// [`parse::parse_annotated`] gives them again.
    pub statements: Vec<Vec<ByteSpan>>,
    /// Sorted by path, line, rule id.
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }
    pub fn input_errors(&self) -> &[InputError] {
        &self.discovered.errors
    }
    pub fn statement_count(&self) -> usize {
        self.statements.iter().map(Vec::len).sum()
    }
}

/// Lints the migrations under `paths`.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Outcome {
    let discovered = discover::discover(
        paths,
        &discover::Options {
            dialect: settings.dialect,
            layout: settings.layout,
            cwd: settings.cwd.clone(),
            exclude: settings
                .exclude
                .clone()
                .map(|g| (g, settings.exclude_base.clone())),
            stdin: settings.stdin.clone(),
        },
    );
    let mut discovered = discovered;
    let only: BTreeSet<PathBuf> = discovered
        .only
        .iter()
        .map(|p| since::absolute(p, &settings.cwd))
        .collect();
    // Every file is reported unless a file list or --since narrows it.
    let narrowed = !only.is_empty() || settings.since.is_some();
    let absolute: Vec<PathBuf> = if narrowed {
        discovered
            .files
            .iter()
            .map(|f| since::absolute(&f.path, &settings.cwd))
            .collect()
    } else {
        Vec::new()
    };
    let reportable = |id: FileId| {
        if !narrowed {
            return id < discovered.files.len();
        }
        let Some(path) = absolute.get(id) else {
            return false;
        };
        (only.is_empty() || only.contains(path))
            && settings
                .since
                .as_ref()
                .is_none_or(|s| s.changed.contains(path))
    };
    // Last guard: a panic while linting a root (or reading one of its
    // files) becomes an internal error for it (exit 2); every other root and
    // file is still linted and reported.
    let bytes: usize = discovered.files.iter().map(|f| f.text.len()).sum();
    alloc::for_input(bytes);
    let par = par::Par::for_input(bytes);
    let linted: Vec<Result<rules::RootOutput, String>> = par.map(&discovered.roots, |root| {
        std::panic::catch_unwind(|| {
            rules::lint_root(root, &discovered.files, settings, &reportable, par)
        })
        .map_err(|p| internal_error(&root.display, &p))
    });
    let mut findings = Vec::new();
    let mut internal = Vec::new();
    let mut statements: Vec<Option<Vec<ByteSpan>>> = vec![None; discovered.files.len()];
    for r in linted {
        match r {
            Ok(out) => {
                findings.extend(out.findings);
                internal.extend(out.errors.into_iter().map(|message| InputError { message }));
                for (id, s) in out.files {
                    if let Some(slot) = statements.get_mut(id) {
                        slot.get_or_insert(s);
                    }
                }
            }
            Err(e) => internal.push(InputError { message: e }),
        }
    }
    // Files no migration reads are still counted.
    let unread: Vec<FileId> = (0..statements.len())
        .filter(|&i| statements[i].is_none())
        .collect();
    for (id, file, error) in rules::parse_files(&unread, &discovered.files, par) {
        internal.extend(error.map(|message| InputError { message }));
        statements[id] = Some(rules::spans(&file));
    }
    discovered.errors.extend(internal);
    sort_findings(&mut findings, &discovered.files);
    findings.dedup();
    let statements = statements
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    Outcome {
        discovered,
        statements,
        findings,
    }
}

/// The one-line message of a panic caught while checking `what`.
pub(crate) fn internal_error(what: &str, payload: &Box<dyn std::any::Any + Send>) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("{what}: internal error in bellows, please report it: {detail}")
}

pub(crate) fn sort_findings(findings: &mut [Finding], files: &[discover::SourceFile]) {
    // Each file's place in path order, so findings compare numbers, not paths.
    let mut order: Vec<FileId> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].display.cmp(&files[b].display));
    let mut rank = vec![0; files.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r;
    }
    findings.sort_by(|a, b| {
        rank.get(a.file)
            .cmp(&rank.get(b.file))
            .then_with(|| a.span.map(|s| s.start).cmp(&b.span.map(|s| s.start)))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}
