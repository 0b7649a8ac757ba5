//! What a run gives its front ends (reporters, baseline, fix, server): the
//! discovered input, where each file's statements are, and the findings.

use crate::discover::{Discovered, InputError};
use crate::model::{ByteSpan, FileId, Finding, Severity};
use crate::parse::Coverage;

/// The outcome of a check run.
#[derive(Debug)]
pub struct Outcome {
    pub discovered: Discovered,
    /// Per file (by [`crate::model::FileId`]): where its statements are. The parsed
    /// statements themselves are dropped once linted;
    /// [`crate::parse::parse_annotated`] gives them again.
    pub statements: Vec<Vec<ByteSpan>>,
    /// Per file: how much of it bellows understood.
    pub coverage: Vec<Coverage>,
    /// Sorted by path, line, rule id.
    pub findings: Vec<Finding>,
    /// The table-sizes file the run read, and when its sizes were taken.
    pub stats: Option<(String, String)>,
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
    pub fn statement_count(&self) -> usize {
        self.statements.iter().map(Vec::len).sum()
    }
    /// How much of every file bellows understood, summed.
    pub fn coverage(&self) -> Coverage {
        self.coverage
            .iter()
            .fold(Coverage::default(), |a, &b| a + b)
    }
}

/// Sorts findings by path, line, rule id and message: the order every
/// reporter shows.
pub fn sort_findings(findings: &mut [Finding], files: &[crate::discover::SourceFile]) {
    // Each file's place in path order, so findings compare numbers, not paths.
    let mut order: Vec<FileId> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[a].display.cmp(&files[b].display));
    let mut rank = vec![0; files.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r;
    }
    findings.sort_by(|a, b| {
        rank.get(a.file)
            .cmp(&rank.get(b.file))
            .then_with(|| a.span.map(|s| s.start).cmp(&b.span.map(|s| s.start)))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}
