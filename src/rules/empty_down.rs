//! empty-down: a down migration that holds no statement.

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "empty-down",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a down migration that holds no statement rolls nothing back",
    doc: include_str!("../../rules/empty-down.md"),
    check: Check::Migration(check),
};

/// Tool annotations are not explanations.
fn is_annotation(c: &str) -> bool {
    c.is_empty() || c.starts_with('+') || c.starts_with("migrate:") || c.starts_with("bellows:")
}

/// Words of a comment that says the down is empty on purpose.
const INTENT: &[&str] = &[
    "irreversib",
    "not reversible",
    "non-reversible",
    "nonreversible",
    "cannot be undone",
    "can't be undone",
    "can not be undone",
    "cannot be reversed",
    "can't be reversed",
    "cannot be reverted",
    "can't be reverted",
    "cannot undo",
    "can't undo",
    "not undoable",
    "intentional",
    "on purpose",
    "deliberate",
    "nothing to undo",
    "nothing to revert",
    "nothing to roll back",
    "nothing to rollback",
    "nothing to do",
    "no-op",
    "noop",
    "no op",
    "forward-only",
    "forward only",
    "one-way",
    "one way",
    "no rollback",
    "no down",
    "not supported",
    "restore from backup",
];

/// Template text that migration tools write into a new down file.
const TEMPLATE: &[&str] = &[
    "this file should undo anything in",
    "todo",
    "fixme",
    "write your down",
    "down migration here",
    "sql in section 'down'",
    "sql section 'down'",
    "add down migration",
    "your sql here",
    "sql goes here",
];

/// A comment that states why the down is empty (not a tool's template).
fn states_intention(c: &str) -> bool {
    let lower = c.to_lowercase();
    !TEMPLATE.iter().any(|t| lower.contains(t)) && INTENT.iter().any(|w| lower.contains(w))
}

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let m = cx.migration;
    let Some(down) = m.down else { return };
    if !cx.down.is_empty() {
        return;
    }
    let label = super::migration_label(m);
    let comments: Vec<&str> = cx
        .down_comments()
        .into_iter()
        .filter(|c| !is_annotation(c))
        .collect();
    let reason = comments
        .iter()
        .find(|c| states_intention(c))
        .map(|c| (*c).to_string());
    let holds = if comments.is_empty() {
        "is empty"
    } else {
        "holds only a comment that does not say it is empty on purpose"
    };
    // ory/pop keeps many files empty on purpose: a down with nothing at all
    // in it is its convention, not an oversight.
    if comments.is_empty() && cx.layout == crate::model::Layout::OryPop {
        return;
    }
    let hit = match reason {
        Some(reason) => Hit {
            file: down.file,
            span: None,
            message: format!("the down of {label} is empty on purpose: {reason}"),
            help: "rolling back this migration does nothing; plan a forward fix instead".to_string(),
            severity: Some(Severity::Info),
            tables: Vec::new(),
            fix: None,
        },
        None => Hit {
            file: down.file,
            span: None,
            message: format!("the down of {label} {holds}, so rolling it back silently does nothing"),
            help: "write the statements that undo the up; if it cannot be undone, say so and why in a comment \
                   (`-- irreversible: …`); a tool's template comment does not count"
                .to_string(),
            severity: None,
            tables: Vec::new(),
            fix: None,
        },
    };
    out.push(hit);
}
