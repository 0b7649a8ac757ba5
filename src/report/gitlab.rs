//! `gitlab`: a GitLab Code Quality report (JSON array) for the merge-request widget.

use serde::Serialize;

use super::{fingerprints, locate};
use crate::model::Severity;
use crate::outcome::Outcome;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn render(outcome: &Outcome) -> String {
    let prints = fingerprints(outcome);
    let issues: Vec<Issue<'_>> = locate(outcome)
        .into_iter()
        .zip(prints)
        .map(|(l, fingerprint)| Issue {
            description: l.finding.message.clone(),
            check_name: l.finding.rule,
            fingerprint,
            severity: match l.finding.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            },
            location: Location {
                path: l.path,
                lines: Lines {
                    begin: l.start.map_or(1, |p| p.line),
                    end: l.end.map_or(1, |p| p.line),
                },
            },
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
