//! PostgreSQL's trace: for each statement of a verified up, the locks it
//! took on relations that existed before the migration and the relations
//! it rewrote; and `claim-contradicted` where the trace contradicts a lock
//! or rewrite claim of `check` for that statement.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::discover::FileId;
use crate::model::{Finding, Severity};
use crate::outcome::Outcome;
use crate::parse::ByteSpan;

/// A lock a statement took.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Lock {
    pub relation: String,
    /// As pg_locks names it: `AccessExclusiveLock`, `ShareLock`, …
    pub mode: String,
}

/// Where a statement starts.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Start {
    pub line: usize,
    pub column: usize,
}

/// What one statement of an up did on the server.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub path: String,
    pub start: Start,
    /// The locks it took on relations that existed before the migration.
    pub locks: Vec<Lock>,
    /// Relations whose files it replaced (a rewrite).
    pub rewritten: Vec<String>,
    /// `transaction`: read from pg_locks inside the statement's own
    /// transaction (exact); `sampled`: a statement that cannot run in a
    /// transaction, watched from a second session while it ran (a lock
    /// held only for an instant can be missed).
    pub observed: &'static str,
    #[serde(skip)]
    pub file: FileId,
    #[serde(skip)]
    pub span: ByteSpan,
    /// Every lock held on pre-existing relations once the statement ran,
    /// also those taken earlier in the same transaction.
    #[serde(skip)]
    pub held: Vec<Lock>,
}

/// Lock modes from weakest to strongest.
const MODES: &[&str] = &[
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

fn strength(mode: &str) -> usize {
    MODES.iter().position(|m| *m == mode).unwrap_or(0)
}

/// What a finding's message claims the statement does.
struct Claim {
    blocks_reads: bool,
    blocks_writes: bool,
    rewrites: bool,
}

fn claim(message: &str) -> Claim {
    let m = message.to_lowercase();
    let said = |w: &str| m.contains(&format!("blocks {w}")) || m.contains(&format!("blocking {w}"));
    let blocks_reads = said("reads");
    Claim {
        blocks_reads,
        blocks_writes: blocks_reads || said("writes"),
        rewrites: m.contains(" rewrites "),
    }
}

/// `claim-contradicted` findings: `check`'s findings on traced statements
/// whose lock or rewrite claim the trace contradicts.
pub fn contradictions(
    trace: &[Entry],
    checked: &Outcome,
    ours: &[crate::discover::SourceFile],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &checked.findings {
        let Some(span) = f.span else { continue };
        let Some(path) = checked.discovered.files.get(f.file).map(|x| &x.path) else {
            continue;
        };
        let Some(e) = trace.iter().find(|e| {
            ours.get(e.file).is_some_and(|x| &x.path == path)
                && span.start >= e.span.start
                && span.start <= e.span.end
        }) else {
            continue;
        };
        let c = claim(&f.message);
        if !(c.blocks_reads || c.blocks_writes || c.rewrites) {
            continue;
        }
        let strongest = e.held.iter().max_by_key(|l| strength(&l.mode));
        let top = strongest.map_or(0, |l| strength(&l.mode));
        let took = strongest.map_or_else(
            || "no lock on a table that existed before the migration".to_string(),
            |l| format!("at most {} on {}", l.mode, l.relation),
        );
        let mut wrong = Vec::new();
        if c.blocks_reads && top < strength("AccessExclusiveLock") {
            wrong.push(format!(
                "it says reads are blocked, the statement took {took}"
            ));
        } else if c.blocks_writes && top < strength("ShareLock") {
            wrong.push(format!(
                "it says writes are blocked, the statement took {took}"
            ));
        }
        if c.rewrites && e.rewritten.is_empty() {
            wrong.push("it says a table is rewritten, no table's files changed".to_string());
        }
        if wrong.is_empty() {
            continue;
        }
        out.push(Finding {
            rule: "claim-contradicted",
            severity: Severity::Warning,
            file: e.file,
            span: Some(e.span),
            message: format!(
                "the server's trace contradicts {} here: {}",
                f.rule,
                wrong.join("; ")
            ),
            help: format!(
                "on this schema and server the statement is cheaper than {} says: if that holds on \
                 production too, silence it with `-- bellows:ignore {} -- measured by bellows verify`, \
                 and report the rule with this migration",
                f.rule, f.rule
            ),
            fix: None,
        });
    }
    out
}

/// The human report's table (`--trace`): one line per statement that took a
/// lock on a pre-existing table or rewrote one.
pub fn table(trace: &[Entry]) -> String {
    use std::fmt::Write as _;
    let rows: Vec<(String, String)> = trace
        .iter()
        .filter(|e| !e.locks.is_empty() || !e.rewritten.is_empty())
        .map(|e| {
            let mut what: Vec<String> = e
                .locks
                .iter()
                .map(|l| format!("{} {}", l.mode, l.relation))
                .collect();
            if !e.rewritten.is_empty() {
                what.push(format!("rewrites {}", e.rewritten.join(", ")));
            }
            if e.observed == "sampled" {
                what.push("(sampled)".to_string());
            }
            (format!("{}:{}", e.path, e.start.line), what.join(", "))
        })
        .collect();
    let mut out =
        String::from("\ntrace: locks on tables that existed before each migration, and rewrites\n");
    if rows.is_empty() {
        out.push_str("  no statement locked or rewrote an existing table\n");
        return out;
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    for (place, what) in rows {
        let _ = writeln!(out, "  {place:width$}  {what}");
    }
    out
}

/// The locks in `after` not in `before`, on relations of `pre`.
pub fn named(locks: &BTreeSet<(u32, String)>, pre: &BTreeMap<u32, (String, String)>) -> Vec<Lock> {
    locks
        .iter()
        .filter_map(|(oid, mode)| {
            pre.get(oid).map(|(name, _)| Lock {
                relation: name.clone(),
                mode: mode.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::claim;

    #[test]
    fn claims_are_read_from_messages() {
        let c = claim("building users_email blocks writes to users for the whole build");
        assert!(c.blocks_writes && !c.blocks_reads && !c.rewrites);
        let c = claim(
            "changing users.id to bigint rewrites users and its 2 indexes while blocking reads and writes",
        );
        assert!(c.blocks_writes && c.blocks_reads && c.rewrites);
        assert!(!claim("adds a column; blocks no reads or writes").blocks_reads);
    }
}
