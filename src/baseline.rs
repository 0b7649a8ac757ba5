//! Baselines: record today's findings once, then report only new ones.
//!
//! A baseline entry is a finding's fingerprint (rule + path + the
//! statement's normalised text + its occurrence), so it survives line shifts
//! and edits elsewhere in the file.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;
use crate::report::{fingerprints, locate};

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    rule: String,
    path: String,
    fingerprint: String,
    /// For people reading the file; not compared.
    message: String,
}

/// Writes every current finding to `path`.
pub fn write(outcome: &Outcome, path: &Path) -> Result<usize, String> {
    let prints = fingerprints(outcome);
    let findings: Vec<Entry> = locate(outcome)
        .into_iter()
        .zip(prints)
        .map(|(l, fingerprint)| Entry {
            rule: l.finding.rule.to_string(),
            path: l.path.to_string(),
            fingerprint,
            message: l.finding.message.clone(),
        })
        .collect();
    let n = findings.len();
    let file = File {
        version: 1,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))?;
    Ok(n)
}

/// Removes the findings recorded in the baseline at `path`; returns how many.
pub fn apply(outcome: &mut Outcome, path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let file: File = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a bellows baseline: {e}", path.display()))?;
    let known: BTreeSet<String> = file.findings.into_iter().map(|e| e.fingerprint).collect();
    let prints = fingerprints(outcome);
    let before = outcome.findings.len();
    let mut keep = prints.iter().map(|p| !known.contains(p));
    outcome.findings.retain(|_| keep.next().unwrap_or(true));
    Ok(before - outcome.findings.len())
}
