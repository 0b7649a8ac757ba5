//! Reporters: one file per output format.

pub mod compact;
pub mod human;
pub mod json;

use serde::Serialize;

use crate::parse::LineIndex;
use crate::{Finding, Outcome};

/// Where a rule's documentation lives online (`bellows explain <id>` prints it offline).
pub const DOCS_URL: &str = "https://github.com/bellows-lint/bellows/blob/main/rules/";

/// The doc link of a rule.
pub fn rule_url(rule: &str) -> String {
    format!("{DOCS_URL}{rule}.md")
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A finding with its path and positions resolved.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    pub finding: &'a Finding,
    pub path: &'a str,
    pub start: Option<Position>,
    pub end: Option<Position>,
}

/// Resolves every finding's path and line/column, in the outcome's order.
pub fn locate(outcome: &Outcome) -> Vec<Located<'_>> {
    let files = &outcome.discovered.files;
    let mut indexes: Vec<Option<LineIndex>> = vec![None; files.len()];
    outcome
        .findings
        .iter()
        .map(|f| {
            let file = files.get(f.file);
            let path = file.map_or("", |s| s.display.as_str());
            let (start, end) = match (f.span, file) {
                (Some(span), Some(src)) => {
                    let idx = indexes[f.file].get_or_insert_with(|| LineIndex::new(&src.text));
                    let (l1, c1) = idx.line_col(&src.text, span.start);
                    let (l2, c2) = idx.line_col(&src.text, span.end);
                    (
                        Some(Position {
                            line: l1,
                            column: c1,
                        }),
                        Some(Position {
                            line: l2,
                            column: c2,
                        }),
                    )
                }
                _ => (None, None),
            };
            Located {
                finding: f,
                path,
                start,
                end,
            }
        })
        .collect()
}
