//! The command line: clap definitions and what each command does.
//!
//! Commands return their output as text and an exit code; only `main.rs`
//! prints.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::discover::Layout;
use crate::report;
use crate::rules::{self, REGISTRY};
use crate::{Dialect, Settings, Severity};

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
}

#[derive(Debug, clap::Args)]
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
    pub dialect: Option<DialectArg>,

    /// Target PostgreSQL major version
    #[arg(long, value_name = "N", default_value_t = 15, help_heading = "Target")]
    pub postgres_version: u32,

    /// Target MySQL major version
    #[arg(long, value_name = "N", default_value_t = 8, help_heading = "Target")]
    pub mysql_version: u32,

    /// Target SQLite version (3)
    #[arg(long, value_name = "N", default_value_t = 3, help_heading = "Target")]
    pub sqlite_version: u32,

    /// Migration layout (default: detected per directory)
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto, help_heading = "Target")]
    pub layout: LayoutArg,

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Compact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    Postgres,
    Mysql,
    Sqlite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Auto,
    GolangMigrate,
    Sqlx,
    Diesel,
    Flyway,
    Dbmate,
    Goose,
    SqlMigrate,
    Prisma,
    Plain,
}

impl LayoutArg {
    fn layout(self) -> Option<Layout> {
        Some(match self {
            LayoutArg::Auto => return None,
            LayoutArg::GolangMigrate => Layout::GolangMigrate,
            LayoutArg::Sqlx => Layout::Sqlx,
            LayoutArg::Diesel => Layout::Diesel,
            LayoutArg::Flyway => Layout::Flyway,
            LayoutArg::Dbmate => Layout::Dbmate,
            LayoutArg::Goose => Layout::Goose,
            LayoutArg::SqlMigrate => Layout::SqlMigrate,
            LayoutArg::Prisma => Layout::Prisma,
            LayoutArg::Plain => Layout::Plain,
        })
    }
}

/// What a command produced: text for stdout, one-line errors for stderr,
/// and the exit code.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub errors: Vec<String>,
    pub code: u8,
}

impl Output {
    fn fail(message: String) -> Self {
        Self {
            stdout: String::new(),
            errors: vec![message],
            code: 2,
        }
    }
}

/// Runs a parsed command line.
pub fn execute(args: Args) -> Output {
    match args.command {
        Command::Check(c) => check(c),
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => Output {
                stdout: ensure_newline(r.doc),
                ..Output::default()
            },
            None => Output::fail(format!(
                "unknown rule id `{rule}` (`bellows rules` lists them)"
            )),
        },
        Command::Rules => Output {
            stdout: rules_table(),
            ..Output::default()
        },
    }
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
            "{:width$}  {:7}  {:22}  {}",
            r.id,
            r.severity.id(),
            r.dialects.names().join(","),
            r.summary
        );
    }
    out
}

fn check(args: CheckArgs) -> Output {
    for id in args.select.iter().chain(&args.ignore) {
        if rules::find(id).is_none() {
            return Output::fail(format!(
                "unknown rule id `{id}` in --select/--ignore (`bellows rules` lists them)"
            ));
        }
    }
    let mut settings = Settings {
        postgres_version: args.postgres_version,
        mysql_version: args.mysql_version,
        sqlite_version: args.sqlite_version,
        layout: args.layout.layout(),
        select: args.select.iter().cloned().collect(),
        ignore: args.ignore.iter().cloned().collect(),
        ..Settings::default()
    };
    if let Some(d) = args.dialect {
        settings.dialect = Some(match d {
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Mysql => Dialect::Mysql,
            DialectArg::Sqlite => Dialect::Sqlite,
        });
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("migrations")]
    } else {
        args.paths
    };
    let outcome = crate::check(&paths, &settings);
    let stdout = match args.format {
        Format::Human => report::human::render(
            &outcome,
            report::human::Style {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                width: 100,
            },
        ),
        Format::Json => report::json::render(&outcome),
        Format::Compact => report::compact::render(&outcome),
    };
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
        stdout,
        errors,
        code,
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
