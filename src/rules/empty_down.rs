//! empty-down: a down migration that holds no statement.

use super::{Check, Dialects, Hit, MigrationCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "empty-down",
    severity: Severity::Error,
    dialects: Dialects::ALL,
    summary: "a down migration that holds no statement rolls nothing back",
    doc: include_str!("../../rules/empty-down.md"),
    check: Check::Migration(check),
};

/// Tool annotations are not explanations.
fn is_annotation(c: &str) -> bool {
    c.is_empty() || c.starts_with('+') || c.starts_with("migrate:") || c.starts_with("bellows:")
}

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let m = cx.migration;
    let Some(down) = m.down else { return };
    if !cx.down.is_empty() {
        return;
    }
    let label = super::migration_label(m);
    let reason = cx
        .down_comments()
        .into_iter()
        .find(|c| !is_annotation(c))
        .map(str::to_string);
    let hit = match reason {
        Some(reason) => Hit {
            file: down.file,
            span: None,
            message: format!("the down of {label} is empty on purpose: {reason}"),
            help: "rolling back this migration does nothing; plan a forward fix instead".to_string(),
            severity: Some(Severity::Info),
        },
        None => Hit {
            file: down.file,
            span: None,
            message: format!("the down of {label} is empty, so rolling it back silently does nothing"),
            help: "write the statements that undo the up; if it cannot be undone, say why in a comment \
                   (`-- irreversible: …`)"
                .to_string(),
            severity: None,
        },
    };
    out.push(hit);
}
