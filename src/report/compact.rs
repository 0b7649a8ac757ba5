//! `compact`: `path:line:col: severity[rule] message`, one finding a line.

use std::fmt::Write as _;

use super::locate;
use crate::outcome::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for l in locate(outcome) {
        let pos = l.start.map_or((1, 1), |p| (p.line, p.column));
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            l.path,
            pos.0,
            pos.1,
            l.finding.severity.id(),
            l.finding.rule,
            l.finding.message
        );
    }
    out
}
