//! `human`: miette's graphical report, one diagnostic per finding.

use std::fmt;
use std::fmt::Write as _;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::{Located, locate, rule_url};
use crate::model::Severity;
use crate::outcome::Outcome;

/// Rendering options.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

struct Report<'a> {
    located: &'a Located<'a>,
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located.finding.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.located.start.is_none() {
            write!(f, "{}: ", self.located.path)?;
        }
        f.write_str(&self.located.finding.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.located.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.located.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let f = self.located.finding;
        match &f.fix {
            Some(fix) => Some(Box::new(format!(
                "{}\nfixable with --fix: {}",
                f.help, fix.title
            ))),
            None => Some(Box::new(&f.help)),
        }
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(rule_url(self.located.finding.rule)))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.located.finding.span?;
        self.source.as_ref()?;
        let label = LabeledSpan::new_with_span(
            Some(self.located.finding.rule.to_string()),
            SourceSpan::new(span.start.into(), span.len()),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

pub fn render(outcome: &Outcome, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    let located = locate(outcome);
    for l in &located {
        let source = l.finding.span.and_then(|_| {
            outcome
                .discovered
                .files
                .get(l.finding.file)
                .map(|f| NamedSource::new(l.path, f.text.clone()))
        });
        let report = Report { located: l, source };
        let mut buf = String::new();
        if handler.render_report(&mut buf, &report).is_ok() {
            out.push_str(&buf);
            out.push('\n');
        }
    }
    for root in &outcome.discovered.roots {
        for skipped in &root.skipped {
            let _ = writeln!(
                out,
                "note: {skipped}: skipped, bellows reads SQL migrations only"
            );
        }
    }
    out.push_str(&summary(outcome));
    out
}

/// The closing line of the human report.
pub fn summary(outcome: &Outcome) -> String {
    let migrations: usize = outcome
        .discovered
        .roots
        .iter()
        .map(|r| r.migrations.len())
        .sum();
    let files = outcome.discovered.files.len();
    let (e, w) = (outcome.errors(), outcome.warnings());
    let infos = outcome.findings.len() - e - w;
    let mut s = String::new();
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    if outcome.findings.is_empty() {
        let _ = writeln!(
            s,
            "no findings in {} ({})",
            plural(migrations, "migration"),
            plural(files, "file")
        );
    } else {
        let mut parts = vec![plural(e, "error"), plural(w, "warning")];
        if infos > 0 {
            parts.push(plural(infos, "note"));
        }
        let _ = writeln!(
            s,
            "{} in {} ({})",
            parts.join(", "),
            plural(migrations, "migration"),
            plural(files, "file")
        );
        let fixable = outcome.findings.iter().filter(|f| f.fix.is_some()).count();
        if fixable > 0 {
            let _ = writeln!(
                s,
                "{fixable} fixable with `bellows check --fix` (`--diff` shows the changes first)"
            );
        }
    }
    let c = outcome.coverage();
    let mut gaps = Vec::new();
    if c.not_understood > 0 {
        gaps.push(format!(
            "{} not understood, only scanned for dangerous keywords",
            c.not_understood
        ));
    }
    if c.code > 0 {
        gaps.push(format!(
            "{} whose statements bellows does not follow",
            plural(c.code, "DO block")
        ));
    }
    if c.statements() == 0 {
        s.push_str("coverage: no statement to read\n");
    } else if gaps.is_empty() {
        let _ = writeln!(
            s,
            "coverage: {} understood",
            if c.statements() == 1 {
                "the one statement".to_string()
            } else {
                format!("all {} statements", c.statements())
            }
        );
    } else {
        let _ = writeln!(
            s,
            "coverage: {} of {} understood; {}",
            c.statements() - c.not_understood,
            plural(c.statements(), "statement"),
            gaps.join(", ")
        );
    }
    if let Some((file, taken)) = &outcome.stats {
        let _ = writeln!(s, "table sizes: {file}, taken {taken}");
    }
    s
}
