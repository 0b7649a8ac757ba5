//! The command line: clap definitions and what each command does.
//!
//! Commands return their output as text and an exit code; only `main.rs`
//! prints.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::config;
use crate::discover::LayoutChoice;
use crate::model::{Dialect, Settings, Severity};
use crate::report;
use crate::rules::{self, REGISTRY};

#[derive(Debug, Parser)]
#[command(
    name = "bellows",
    version,
    about = "Lints schema migrations for changes that break deploys: drops, renames, \
             blocking locks, rewrites, missing downs",
    propagate_version = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint migrations (default path: ./migrations)
    Check(CheckArgs),
    /// Print a rule's documentation
    Explain {
        /// The rule id, e.g. drop-column
        #[arg(value_name = "RULE-ID")]
        rule: String,
    },
    /// List every rule: id, default severity, dialects, summary
    Rules,
    /// Run the migrations up, down and up again on a throwaway database
    Verify(VerifyArgs),
    /// Language server (LSP) over stdio, for editors
    Server,
    /// Model Context Protocol server over stdio, for coding agents
    Mcp,
    /// Write every table's estimated rows and size (read-only) as JSON, for `check --stats`
    Stats(StatsArgs),
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The database to read: postgres://…, mysql://… (the URL's database), sqlite://path or an
    /// SQLite file (also BELLOWS_DATABASE_URL). Read-only: nothing is written
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Migration directories or files
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Server to create the scratch database on: postgres://… or mysql://… (also
    /// BELLOWS_DATABASE_URL); its own database is only used to connect [default: SQLite
    /// embedded; PostgreSQL: a temporary cluster when initdb and pg_ctl are on PATH]
    #[arg(long, value_name = "URL", help_heading = "Database")]
    pub database_url: Option<String>,

    /// Before each migration, insert N generated rows into every empty table
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Database")]
    pub rows: u32,

    /// Keep the scratch database and print where it is
    #[arg(long, help_heading = "Database")]
    pub keep: bool,

    /// With a URL: run migrations that create roles or users, and drop the ones the run created
    #[arg(long, help_heading = "Database")]
    pub allow_global_changes: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// SQL dialect of the migrations
    #[arg(long, value_enum, help_heading = "Target")]
    pub dialect: Option<Dialect>,

    /// Migration layout [default: auto, detected per directory]
    #[arg(long, value_enum, help_heading = "Target")]
    pub layout: Option<LayoutChoice>,

    /// Configuration file [default: bellows.toml found upward from the working directory]
    #[arg(long, value_name = "FILE", help_heading = "Target")]
    pub config: Option<PathBuf>,

    /// PostgreSQL: add the trace (locks and rewrites of each statement) to the human report
    #[arg(long, help_heading = "Output")]
    pub trace: bool,

    /// Verify only migrations added or changed since this git ref (older ones are applied, up only)
    #[arg(long, value_name = "GIT-REF", help_heading = "Adoption")]
    pub since: Option<String>,
}

#[derive(Debug, Default, clap::Args)]
pub struct CheckArgs {
    /// Migration directories or files
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// Warnings also fail the run (exit 1)
    #[arg(long, help_heading = "Output")]
    pub deny_warnings: bool,

    /// Report, but exit 0 whatever is found (2 still means trouble)
    #[arg(long, help_heading = "Output")]
    pub exit_zero: bool,

    /// SQL dialect of the migrations
    #[arg(long, value_enum, help_heading = "Target")]
    pub dialect: Option<Dialect>,

    /// Target PostgreSQL major version [default: 15]
    #[arg(long, value_name = "N", help_heading = "Target")]
    pub postgres_version: Option<u32>,

    /// Target MySQL or MariaDB server: 5.7, 8.0, 8.0.28, 8.4, 9.1, mariadb-10.6, mariadb-10.11,
    /// mariadb-11.4, … [default: 8.4]
    #[arg(long, value_name = "V", value_parser = crate::mysql_version::Server::parse, help_heading = "Target")]
    pub mysql_version: Option<crate::mysql_version::Server>,

    /// Target SQLite version, 3.25 … 3.47 [default: 3.45]
    #[arg(long, value_name = "V", help_heading = "Target", value_parser = crate::sqlite_version::SqliteVersion::parse)]
    pub sqlite_version: Option<crate::sqlite_version::SqliteVersion>,

    /// Migration layout [default: auto, detected per directory]
    #[arg(long, value_enum, help_heading = "Target")]
    pub layout: Option<LayoutChoice>,

    /// Configuration file [default: bellows.toml found upward from the working directory]
    #[arg(long, value_name = "FILE", help_heading = "Target")]
    pub config: Option<PathBuf>,

    /// Enable only these rules (comma-separated ids)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULE",
        help_heading = "Rules"
    )]
    pub select: Vec<String>,

    /// Disable these rules (comma-separated ids)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "RULE",
        help_heading = "Rules"
    )]
    pub ignore: Vec<String>,

    /// Report only migrations added or changed since this git ref (history is still replayed)
    #[arg(long, value_name = "GIT-REF", help_heading = "Adoption")]
    pub since: Option<String>,

    /// Suppress the findings recorded in this baseline file
    #[arg(long, value_name = "FILE", help_heading = "Adoption")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Adoption",
        conflicts_with = "baseline"
    )]
    pub write_baseline: Option<PathBuf>,

    /// With `-` as PATH: lint standard input as if it were this file
    #[arg(long, value_name = "NAME", help_heading = "Adoption")]
    pub stdin_filename: Option<PathBuf>,

    /// Do not name the repository's tracked files that still use a dropped or renamed table or column
    #[arg(long, help_heading = "Rules")]
    pub no_references: bool,

    /// Table sizes written by `bellows stats`: lock findings on small tables become info, the
    /// others name the size [default: `stats` in bellows.toml, when the file is there]
    #[arg(long, value_name = "FILE", help_heading = "Rules")]
    pub stats: Option<PathBuf>,

    /// Write the safe mechanical fixes into the migrations, then report what remains
    #[arg(long, help_heading = "Fixes", conflicts_with = "diff")]
    pub fix: bool,

    /// Print the fixes as a unified diff and write nothing (exit 1 when there is any)
    #[arg(long, help_heading = "Fixes")]
    pub diff: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Compact,
}

/// What a command produced: text for stdout, one-line errors for stderr,
/// and the exit code.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: Stdout,
    pub errors: Vec<String>,
    /// Lines for stderr that are not errors (verify's summary per root).
    pub notes: Vec<String>,
    pub code: u8,
}

/// What a command prints on standard output.
#[derive(Debug)]
pub enum Stdout {
    Text(String),
    /// The JSON report, written straight to the output as it is serialised.
    Json(Box<crate::outcome::Outcome>),
    /// `bellows verify`'s JSON report, with the trace.
    VerifyJson(
        Box<crate::outcome::Outcome>,
        Vec<crate::verify::trace::Entry>,
    ),
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::Text(String::new())
    }
}

impl Stdout {
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Stdout::Text(s) => out.write_all(s.as_bytes()),
            Stdout::Json(outcome) => report::json::write(outcome, out),
            Stdout::VerifyJson(outcome, trace) => {
                report::json::write_with_trace(outcome, Some(trace), out)
            }
        }
    }
}

impl Output {
    fn fail(message: String) -> Self {
        Self {
            stdout: Stdout::default(),
            errors: vec![message],
            notes: Vec::new(),
            code: 2,
        }
    }
}

/// Runs a parsed command line.
pub fn execute(args: Args) -> Output {
    match args.command {
        Command::Check(c) => check(&c),
        Command::Verify(v) => verify(&v),
        Command::Stats(a) => stats(&a),
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => Output {
                stdout: Stdout::Text(ensure_newline(r.doc)),
                ..Output::default()
            },
            None => Output::fail(format!(
                "unknown rule id `{rule}` (`bellows rules` lists them)"
            )),
        },
        Command::Rules => Output {
            stdout: Stdout::Text(rules_table()),
            ..Output::default()
        },
        Command::Server => match crate::server::run(pipeline()) {
            Ok(()) => Output::default(),
            Err(e) => Output::fail(e),
        },
        Command::Mcp => match crate::mcp::run(&crate::mcp::Tools {
            pipeline: pipeline(),
            verify: crate::verify,
        }) {
            Ok(()) => Output::default(),
            Err(e) => Output::fail(e),
        },
    }
}

/// The pipeline the editor and agent front ends run.
fn pipeline() -> crate::server::Pipeline {
    crate::server::Pipeline {
        settings: settings_from_config,
        check: crate::check_with,
    }
}

/// The settings `check` would use with no flag: from `config` (else the
/// `bellows.toml` found upward from `cwd`) over the defaults.
pub fn settings_from_config(config: Option<&Path>, cwd: &Path) -> Result<Settings, String> {
    let args = CheckArgs {
        config: config.map(Path::to_path_buf),
        ..CheckArgs::default()
    };
    settings(&args, cwd).map(|(s, _, _)| s)
}

fn ensure_newline(s: &str) -> String {
    let mut s = s.to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn rules_table() -> String {
    let width = REGISTRY.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in REGISTRY {
        let _ = writeln!(
            out,
            "{:width$}  {:7}  {:22}  {:3}  {}",
            r.id,
            r.severity.id(),
            r.dialects.names().join(","),
            if r.has_fix() { "fix" } else { "" },
            r.summary
        );
    }
    out
}

/// Flags over `bellows.toml` over defaults.
fn settings(
    args: &CheckArgs,
    cwd: &Path,
) -> Result<(Settings, Vec<PathBuf>, Option<PathBuf>), String> {
    for id in args.select.iter().chain(&args.ignore) {
        if rules::find(id).is_none() {
            return Err(format!(
                "unknown rule id `{id}` in --select/--ignore (`bellows rules` lists them)"
            ));
        }
    }
    let config_file = match &args.config {
        Some(p) if !p.is_file() => {
            return Err(format!("{}: no such configuration file", p.display()));
        }
        Some(p) => Some(p.clone()),
        None => config::find(cwd),
    };
    let cfg = match &config_file {
        Some(p) => config::load(p, &crate::discover::display_path(p, cwd)).map_err(|e| e.0)?,
        None => config::Config::default(),
    };
    let exclude = if cfg.exclude.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in &cfg.exclude {
            b.add(globset::Glob::new(g).map_err(|e| format!("bad exclude glob `{g}`: {e}"))?);
        }
        Some(b.build().map_err(|e| format!("bad exclude globs: {e}"))?)
    };
    let settings = Settings {
        dialect: args.dialect.or(cfg.dialect),
        postgres_version: args.postgres_version.or(cfg.postgres_version).unwrap_or(15),
        mysql_version: args.mysql_version.or(cfg.mysql_version).unwrap_or_default(),
        sqlite_version: args
            .sqlite_version
            .or(cfg.sqlite_version)
            .unwrap_or_default(),
        layout: match args.layout {
            Some(l) => l.layout(),
            None => cfg.layout,
        },
        layout_from_config: args.layout.is_none() && cfg.layout.is_some(),
        select: args.select.iter().cloned().collect(),
        ignore: args.ignore.iter().cloned().collect(),
        lock_timeout_set_by_runner: cfg.lock_timeout_set_by_runner,
        small_tables: cfg
            .small_tables
            .iter()
            .map(|t| t.trim().to_lowercase())
            .collect(),
        table_sizes: table_sizes(args.stats.as_deref(), &cfg, cwd)?,
        require_ignore_reason: cfg.require_ignore_reason,
        levels: cfg.rules.clone(),
        start_after: cfg.start_after.clone(),
        exclude,
        exclude_base: cfg.base.clone(),
        since: match &args.since {
            Some(r) => Some(crate::since::since(r, cwd)?),
            None => None,
        },
        stdin: None,
        overlay: std::collections::BTreeMap::new(),
        references: crate::references::References::new(!args.no_references),
        cwd: cwd.to_path_buf(),
    };
    let paths = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !cfg.paths.is_empty() {
        cfg.paths.clone()
    } else {
        vec![PathBuf::from("migrations")]
    };
    Ok((settings, paths, cfg.baseline))
}

/// The table sizes of `--stats FILE` (missing or malformed: exit 2), else
/// of `stats =` in the configuration when that file is there (a developer
/// machine without it lints without sizes).
fn table_sizes(
    flag: Option<&Path>,
    cfg: &config::Config,
    cwd: &Path,
) -> Result<Option<crate::model::TableSizes>, String> {
    let file = match (flag, &cfg.stats) {
        (Some(f), _) => f,
        (None, Some(f)) if f.exists() => f.as_path(),
        (None, _) => return Ok(None),
    };
    let small_rows = cfg
        .small_table_rows
        .unwrap_or(crate::model::TableSizes::SMALL_ROWS);
    config::load_stats(file, &crate::discover::display_path(file, cwd), small_rows)
        .map(Some)
        .map_err(|e| e.0)
}

fn stats(args: &StatsArgs) -> Output {
    let Some(url) = args
        .database_url
        .clone()
        .or_else(|| std::env::var("BELLOWS_DATABASE_URL").ok())
        .filter(|u| !u.is_empty())
    else {
        return Output::fail(
            "stats needs a database: give --database-url postgres://…, mysql://… or an SQLite \
             file (or BELLOWS_DATABASE_URL)"
                .to_string(),
        );
    };
    match crate::stats::read(&url) {
        Ok(file) => {
            let unknown = file.tables.iter().filter(|t| t.rows.is_none()).count();
            let mut note = format!("{} tables of {}", file.tables.len(), file.server);
            if unknown > 0 {
                let _ = write!(
                    note,
                    "; rows unknown for {unknown} (never analyzed): never taken as small"
                );
            }
            Output {
                stdout: Stdout::Text(crate::stats::to_json(&file)),
                notes: vec![note],
                ..Output::default()
            }
        }
        Err(e) => Output::fail(e),
    }
}

fn check(args: &CheckArgs) -> Output {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (mut settings, paths, config_baseline) = match settings(args, &cwd) {
        Ok(s) => s,
        Err(e) => return Output::fail(e),
    };
    if paths.iter().any(|p| p.as_os_str() == "-") {
        let Some(name) = &args.stdin_filename else {
            return Output::fail(
                "-: reading standard input needs --stdin-filename NAME".to_string(),
            );
        };
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            return Output::fail(format!("-: cannot read standard input as UTF-8 text: {e}"));
        }
        if args.fix {
            return Output::fail(
                "-: --fix cannot rewrite standard input; --diff shows the fixes as a diff"
                    .to_string(),
            );
        }
        settings.stdin = Some((name.clone(), text));
    }
    // This thread only waits while the pool works: it works in it.
    crate::start_pool(true);
    let mut outcome = crate::check(&paths, &settings);
    let mut notes = Vec::new();
    if args.fix || args.diff {
        let errors: Vec<String> = outcome
            .input_errors()
            .iter()
            .map(|e| e.message.clone())
            .collect();
        if !errors.is_empty() {
            return Output {
                errors,
                code: 2,
                ..Output::default()
            };
        }
        let baseline = args.baseline.as_ref().or(config_baseline.as_ref());
        if let Some(Err(e)) = baseline.map(|b| crate::baseline::apply(&mut outcome, b)) {
            return Output::fail(e);
        }
        let plan = crate::fix(&paths, &settings, baseline.map(PathBuf::as_path));
        for (path, rule, why) in &plan.refused {
            notes.push(format!("not fixed: {path} [{rule}]: {why}"));
        }
        if args.diff {
            let fixes = plan.applied.len();
            notes.push(format!(
                "{fixes} fix{} would change {} file{}",
                if fixes == 1 { "" } else { "es" },
                plan.changes.len(),
                if plan.changes.len() == 1 { "" } else { "s" }
            ));
            return Output {
                stdout: Stdout::Text(crate::fix::diff(&plan)),
                errors: Vec::new(),
                notes,
                code: u8::from(!plan.changes.is_empty()),
            };
        }
        match crate::fix::write(&plan) {
            Ok(written) => notes.extend(written),
            Err(e) => return Output::fail(e),
        }
        if !plan.changes.is_empty() {
            outcome = crate::check(&paths, &settings);
        }
    }
    if let Some(file) = &args.write_baseline {
        if let Err(e) = crate::baseline::write(&outcome, file) {
            return Output::fail(e);
        }
        outcome.findings.clear();
    } else if let Some(Err(e)) = args
        .baseline
        .as_ref()
        .or(config_baseline.as_ref())
        .map(|file| crate::baseline::apply(&mut outcome, file))
    {
        return Output::fail(e);
    }
    let errors: Vec<String> = outcome
        .input_errors()
        .iter()
        .map(|e| e.message.clone())
        .collect();
    let failing = outcome.findings.iter().any(|f| {
        f.severity == Severity::Error || (args.deny_warnings && f.severity == Severity::Warning)
    });
    let code = if errors.is_empty() {
        u8::from(failing && !args.exit_zero)
    } else {
        2
    };
    Output {
        stdout: render(args.format, outcome),
        errors,
        notes,
        code,
    }
}

fn render(format: Format, outcome: crate::Outcome) -> Stdout {
    match format {
        Format::Human => Stdout::Text(report::human::render(
            &outcome,
            report::human::Style {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                width: 100,
            },
        )),
        Format::Json => Stdout::Json(Box::new(outcome)),
        Format::Sarif => Stdout::Text(report::sarif::render(&outcome)),
        Format::Github => Stdout::Text(report::github::render(&outcome)),
        Format::Gitlab => Stdout::Text(report::gitlab::render(&outcome)),
        Format::Junit => Stdout::Text(report::junit::render(&outcome)),
        Format::Compact => Stdout::Text(report::compact::render(&outcome)),
    }
}

fn verify(args: &VerifyArgs) -> Output {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shared = CheckArgs {
        paths: args.paths.clone(),
        format: args.format,
        deny_warnings: false,
        exit_zero: false,
        dialect: args.dialect,
        postgres_version: None,
        mysql_version: None,
        sqlite_version: None,
        layout: args.layout,
        config: args.config.clone(),
        select: Vec::new(),
        ignore: Vec::new(),
        since: args.since.clone(),
        baseline: None,
        write_baseline: None,
        stdin_filename: None,
        no_references: true,
        stats: None,
        fix: false,
        diff: false,
    };
    let (settings, paths, _) = match settings(&shared, &cwd) {
        Ok(s) => s,
        Err(e) => return Output::fail(e),
    };
    let opts = crate::verify::Options {
        url: args
            .database_url
            .clone()
            .or_else(|| std::env::var("BELLOWS_DATABASE_URL").ok())
            .filter(|u| !u.is_empty()),
        rows: args.rows,
        keep: args.keep,
        allow_global_changes: args.allow_global_changes,
        progress: std::io::stderr().is_terminal(),
    };
    let report = crate::verify(&paths, &settings, &opts);
    // After Ctrl-C, what failed because the databases went away is not
    // reported: the handler ends the process.
    crate::verify::cleanup::wait_if_interrupted();
    let report = match report {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    let failing = report
        .outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    let stdout = if args.format == Format::Json {
        Stdout::VerifyJson(Box::new(report.outcome), report.trace)
    } else if args.trace && args.format == Format::Human {
        let table = crate::verify::trace::table(&report.trace);
        match render(args.format, report.outcome) {
            Stdout::Text(mut text) => {
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&table);
                Stdout::Text(text)
            }
            other => other,
        }
    } else {
        render(args.format, report.outcome)
    };
    Output {
        stdout,
        errors: Vec::new(),
        notes: report.notes,
        code: u8::from(failing),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        super::Args::command().debug_assert();
    }
}
