//! `github`: GitHub Actions workflow commands, which annotate the diff.

use std::fmt::Write as _;

use super::locate;
use crate::model::Severity;
use crate::outcome::Outcome;

/// Escapes a workflow-command message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for l in locate(outcome) {
        let f = l.finding;
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={}", property(l.path));
        if let (Some(s), Some(e)) = (l.start, l.end) {
            let _ = write!(
                props,
                ",line={},col={},endLine={},endColumn={}",
                s.line, s.column, e.line, e.column
            );
        }
        let _ = write!(props, ",title={}", property(f.rule));
        let _ = writeln!(
            out,
            "::{kind} {props}::{}",
            data(&format!("{} ({})", f.message, f.help))
        );
    }
    out
}
