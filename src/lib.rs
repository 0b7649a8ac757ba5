//! bellows: a schema-migration safety linter.
//!
//! The flow is one direction: [`discover`] finds migration roots and their
//! layout, [`parse`] splits and reads every statement, [`rules`] replays the
//! history into a [`catalog::Catalog`] and runs the rules, and [`report`]
//! renders the findings.

pub mod catalog;
pub mod cli;
pub mod discover;
pub mod parse;
pub mod report;
pub mod rules;

use std::collections::BTreeSet;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use discover::{Discovered, FileId, InputError, Layout};
use parse::{ByteSpan, ParsedFile};

/// The SQL dialect a migration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }
}

impl Settings {
    pub fn enabled(&self, rule: &rules::Rule) -> bool {
        (self.select.is_empty() || self.select.contains(rule.id)) && !self.ignore.contains(rule.id)
    }

    pub fn severity(&self, rule: &rules::Rule) -> Severity {
        rule.severity
    }
}

/// The outcome of a check run.
#[derive(Debug)]
pub struct Outcome {
    pub discovered: Discovered,
    pub parsed: Vec<ParsedFile>,
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
    pub fn statements(&self) -> usize {
        self.parsed.iter().map(|p| p.statements.len()).sum()
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
        },
    );
    let parsed: Vec<ParsedFile> = discovered
        .files
        .par_iter()
        .map(|f| parse::parse_annotated(&f.text, f.dialect, &f.annotations))
        .collect();
    let only: BTreeSet<&PathBuf> = discovered.only.iter().collect();
    let reportable = |id: FileId| {
        only.is_empty()
            || discovered
                .files
                .get(id)
                .is_some_and(|f| only.contains(&f.path))
    };
    let mut findings: Vec<Finding> = discovered
        .roots
        .par_iter()
        .flat_map_iter(|root| {
            rules::lint_root(root, &discovered.files, &parsed, settings, &reportable)
        })
        .collect();
    sort_findings(&mut findings, &discovered.files);
    findings.dedup();
    Outcome {
        discovered,
        parsed,
        findings,
    }
}

fn sort_findings(findings: &mut [Finding], files: &[discover::SourceFile]) {
    findings.sort_by(|a, b| {
        let pa = files.get(a.file).map_or("", |f| f.display.as_str());
        let pb = files.get(b.file).map_or("", |f| f.display.as_str());
        pa.cmp(pb)
            .then_with(|| a.span.map(|s| s.start).cmp(&b.span.map(|s| s.start)))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}
