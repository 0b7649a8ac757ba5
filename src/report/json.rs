//! `json`: the machine format fixed by CLI.md.

use std::io::Write as _;

use serde::Serialize;

use super::{Lines, Position, rule_url};
use crate::outcome::Outcome;

#[derive(Serialize)]
struct Report<'a, T: Serialize> {
    version: u32,
    tool: Tool,
    summary: Summary,
    coverage: CoverageOut,
    roots: Vec<RootOut>,
    /// The table sizes the run read (`--stats`, `stats =`).
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<StatsOut<'a>>,
    diagnostics: Diagnostics<'a>,
    /// `bellows verify` on PostgreSQL: what each statement of the ups did.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a T>,
}

/// The diagnostics, serialised one by one as they are located.
struct Diagnostics<'a>(&'a Outcome);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // One line index per file, for the findings and their fixes; each
        // finding located as it is written.
        let mut lines = Lines::new(&self.0.discovered.files);
        // Each rule's URL, built once.
        let mut urls: std::collections::BTreeMap<&str, String> = std::collections::BTreeMap::new();
        for f in &self.0.findings {
            urls.entry(f.rule).or_insert_with(|| rule_url(f.rule));
        }
        serializer.collect_seq(self.0.findings.iter().map(|f| {
            let l = lines.locate(f);
            Diagnostic {
                rule: f.rule,
                severity: f.severity.id(),
                path: l.path,
                start: l.start,
                end: l.end,
                message: &f.message,
                help: &f.help,
                url: urls.get(f.rule).map_or("", String::as_str),
                fix: f.fix.as_ref().map(|fix| fix_out(self.0, fix, &mut lines)),
            }
        }))
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    migrations: usize,
    files: usize,
    statements: usize,
    errors: usize,
    warnings: usize,
}

/// How many statements bellows understood: `parsed` (by sqlparser) +
/// `recognised` (by bellows' own reader) + `not_understood` (only scanned
/// for dangerous keywords) = `statements`; `code` counts the `DO` blocks
/// among those read, whose statements bellows does not follow.
#[derive(Serialize)]
struct CoverageOut {
    statements: usize,
    parsed: usize,
    recognised: usize,
    not_understood: usize,
    code: usize,
}

#[derive(Serialize)]
struct StatsOut<'a> {
    file: &'a str,
    taken: &'a str,
}

#[derive(Serialize)]
struct RootOut {
    path: String,
    layout: &'static str,
    /// Why this layout (`atlas.sum`, `majority of 412 files`, `--layout`).
    detected_by: String,
    dialect: &'static str,
    migrations: usize,
    /// Files of the root that bellows does not read (goose Go migrations).
    skipped: Vec<String>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'static str,
    severity: &'static str,
    path: &'a str,
    start: Option<Position>,
    end: Option<Position>,
    message: &'a str,
    help: &'a str,
    url: &'a str,
    /// The rule's safe mechanical fix (`check --fix` applies it).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
}

/// A fix: edits of existing files (1-based positions, end exclusive) and
/// the new migration files it adds.
#[derive(Serialize)]
struct FixOut<'a> {
    title: &'a str,
    edits: Vec<EditOut<'a>>,
    new_files: Vec<NewFileOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    path: &'a str,
    start: Position,
    end: Position,
    text: &'a str,
}

#[derive(Serialize)]
struct NewFileOut<'a> {
    path: &'a str,
    text: &'a str,
}

fn fix_out<'a>(
    outcome: &'a Outcome,
    fix: &'a crate::model::Fix,
    lines: &mut Lines<'a>,
) -> FixOut<'a> {
    let files = &outcome.discovered.files;
    FixOut {
        title: &fix.title,
        edits: fix
            .edits
            .iter()
            .filter_map(|e| {
                Some(EditOut {
                    path: &files.get(e.file)?.display,
                    start: lines.position(e.file, e.span.start)?,
                    end: lines.position(e.file, e.span.end)?,
                    text: &e.text,
                })
            })
            .collect(),
        new_files: fix
            .files
            .iter()
            .map(|f| NewFileOut {
                path: &f.display,
                text: &f.text,
            })
            .collect(),
    }
}

/// Writes the report; the diagnostics are streamed, never held as one string.
pub fn write(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with_trace::<()>(outcome, None, out)
}

/// The report with `bellows verify`'s trace.
pub fn write_with_trace<T: Serialize>(
    outcome: &Outcome,
    trace: Option<&T>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "bellows",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            migrations: outcome
                .discovered
                .roots
                .iter()
                .map(|r| r.migrations.len())
                .sum(),
            files: outcome.discovered.files.len(),
            statements: outcome.statement_count(),
            errors: outcome.errors(),
            warnings: outcome.warnings(),
        },
        coverage: {
            let c = outcome.coverage();
            CoverageOut {
                statements: c.statements(),
                parsed: c.parsed,
                recognised: c.recognised,
                not_understood: c.not_understood,
                code: c.code,
            }
        },
        roots: outcome
            .discovered
            .roots
            .iter()
            .map(|r| RootOut {
                path: r.display.clone(),
                layout: r.layout.id(),
                detected_by: r.detected_by.clone(),
                dialect: r.dialect.id(),
                migrations: r.migrations.len(),
                skipped: r.skipped.clone(),
            })
            .collect(),
        stats: outcome
            .stats
            .as_ref()
            .map(|(file, taken)| StatsOut { file, taken }),
        diagnostics: Diagnostics(outcome),
        trace,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &report)?;
    out.write_all(b"\n")?;
    out.flush()
}
