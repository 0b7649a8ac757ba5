//! Ignore comments: `-- bellows:ignore <rule>[, <rule>] -- <reason>` on the
//! line(s) before a statement, `-- bellows:ignore-file <rule> -- <reason>`
//! anywhere in a file.

use std::collections::BTreeSet;

use crate::discover::FileId;
use crate::parse::{ByteSpan, ParsedFile};

/// One ignore comment.
#[derive(Debug, Clone)]
pub struct Directive {
    pub file: FileId,
    /// The comment itself.
    pub span: ByteSpan,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `None` for `ignore-file`; else the statement it covers.
    pub covers: Option<ByteSpan>,
    pub whole_file: bool,
}

/// Reads `bellows:ignore` / `bellows:ignore-file` from a comment's text.
fn parse(text: &str) -> Option<(bool, Vec<String>, Option<String>)> {
    let body = text.trim();
    let (whole_file, rest) = if let Some(r) = body.strip_prefix("bellows:ignore-file") {
        (true, r)
    } else {
        (false, body.strip_prefix("bellows:ignore")?)
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let (list, reason) = match rest.split_once("--") {
        Some((l, r)) => (l, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let rules = list
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    Some((whole_file, rules, reason))
}

/// Every directive of a file, each tied to the statement that follows it.
pub fn directives(file: FileId, parsed: &ParsedFile) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in &parsed.comments {
        let Some((whole_file, rules, reason)) = parse(&c.text) else {
            continue;
        };
        // The statement that starts after the comment, with nothing but
        // comments in between.
        let covers = if whole_file {
            None
        } else {
            parsed
                .statements
                .iter()
                .find(|s| s.span.start >= c.span.end)
                .filter(|s| {
                    !parsed
                        .statements
                        .iter()
                        .any(|o| o.span.start >= c.span.end && o.span.start < s.span.start)
                })
                .map(|s| s.span)
        };
        out.push(Directive {
            file,
            span: c.span,
            rules,
            reason,
            covers,
            whole_file,
        });
    }
    out
}

/// Whether a directive silences a finding of `rule` at `span` in `file`.
pub fn covers(
    d: &Directive,
    rule: &str,
    file: FileId,
    span: Option<ByteSpan>,
    require_reason: bool,
) -> bool {
    if d.file != file
        || (require_reason && d.reason.is_none())
        || !d.rules.iter().any(|r| r == rule)
    {
        return false;
    }
    if d.whole_file {
        return true;
    }
    match (d.covers, span) {
        (Some(stmt), Some(s)) => s.start >= stmt.start && s.start <= stmt.end,
        _ => false,
    }
}

/// Directives of every file of a set, with which rule ids each one used.
#[derive(Debug, Default)]
pub struct Ignores {
    pub directives: Vec<Directive>,
    /// (directive index, rule id) pairs that suppressed something.
    pub used: BTreeSet<(usize, String)>,
}
