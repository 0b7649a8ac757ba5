//! Reporters: one file per output format.
//!
//! In: an [`Outcome`] (findings sorted, files, roots). Out: the text of the
//! format asked for; nothing here decides what is a finding.

pub mod compact;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use serde::Serialize;

use crate::discover::SourceFile;
use crate::model::{FileId, Finding};
use crate::outcome::Outcome;
use crate::parse::LineIndex;

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

/// The line indexes of a run's files, each built the first time a position
/// in its file is asked for.
pub struct Lines<'a> {
    files: &'a [SourceFile],
    indexes: Vec<Option<LineIndex>>,
}

impl<'a> Lines<'a> {
    pub fn new(files: &'a [SourceFile]) -> Self {
        Self {
            files,
            indexes: vec![None; files.len()],
        }
    }

    /// The line and column of a byte offset of a file (`None`: no such file).
    pub fn position(&mut self, file: FileId, offset: usize) -> Option<Position> {
        let src = self.files.get(file)?;
        let idx = self.indexes[file].get_or_insert_with(|| LineIndex::new(&src.text));
        let (line, column) = idx.line_col(&src.text, offset);
        Some(Position { line, column })
    }

    /// A finding's path and line/column.
    pub fn locate<'f>(&mut self, f: &'f Finding) -> Located<'f>
    where
        'a: 'f,
    {
        let path = self.files.get(f.file).map_or("", |s| s.display.as_str());
        let (start, end) = match f.span {
            Some(span) => (
                self.position(f.file, span.start),
                self.position(f.file, span.end),
            ),
            None => (None, None),
        };
        Located {
            finding: f,
            path,
            start,
            end,
        }
    }
}

/// Resolves every finding's path and line/column, in the outcome's order.
pub fn locate(outcome: &Outcome) -> Vec<Located<'_>> {
    let mut lines = Lines::new(&outcome.discovered.files);
    outcome.findings.iter().map(|f| lines.locate(f)).collect()
}

/// FNV-1a, 64 bits: a stable hash for fingerprints (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A stable fingerprint per finding, in the outcome's order: rule + path +
/// the statement's normalised text + its occurrence among identical ones.
/// It survives line shifts and edits elsewhere in the file.
pub fn fingerprints(outcome: &Outcome) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<(String, String, String), usize> =
        std::collections::BTreeMap::new();
    outcome
        .findings
        .iter()
        .map(|f| {
            let path = outcome
                .discovered
                .files
                .get(f.file)
                .map_or("", |s| s.display.as_str());
            let text = f
                .span
                .and_then(|span| {
                    let source = outcome.discovered.files.get(f.file)?;
                    let stmt = outcome
                        .statements
                        .get(f.file)?
                        .iter()
                        .find(|s| s.start <= span.start && span.start <= s.end)?;
                    Some(crate::parse::normalized(
                        &source.text,
                        *stmt,
                        source.dialect,
                    ))
                })
                .unwrap_or_default();
            let key = (f.rule.to_string(), path.to_string(), text);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            let material = format!("{}\u{1f}{}\u{1f}{}\u{1f}{}", key.0, key.1, key.2, n);
            format!("{:016x}", fnv1a(material.as_bytes()))
        })
        .collect()
}

/// The first paragraph of a rule's doc (after its `# id` title), on one line.
pub fn doc_intro(doc: &str) -> String {
    doc.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}
