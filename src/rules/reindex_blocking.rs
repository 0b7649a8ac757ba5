//! reindex-blocking: `REINDEX` without `CONCURRENTLY` (PostgreSQL 12 and later).

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, ObjectKind};

pub static RULE: Rule = Rule {
    id: "reindex-blocking",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "rebuilds indexes without CONCURRENTLY, blocking reads and writes on the table",
    doc: include_str!("../../rules/reindex-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Reindex {
        kind,
        name,
        concurrently: false,
    } = &cx.stmt.action
    else {
        return;
    };
    if *kind == ObjectKind::Other {
        // REINDEX SYSTEM: the catalog's own indexes, none of the user's.
        out.push(Hit {
            severity: Some(Severity::Warning),
            ..cx.hit(
                cx.stmt.span,
                "this rebuilds the system catalog indexes only, none of your tables' indexes, and cannot be done \
                 concurrently: it has no place in a migration"
                    .to_string(),
                "leave it out of the migration: if a catalog index is corrupt, run it by hand in a maintenance window"
                    .to_string(),
            )
        });
        return;
    }
    if cx.settings.postgres_version < 12 {
        return;
    }
    let (what, table) = match kind {
        ObjectKind::Index => {
            let t = cx.catalog.table_of_index(name);
            if cx.is_new_object(ObjectKind::Index, name)
                || t.as_ref().is_some_and(|t| cx.is_new_table(t))
            {
                return;
            }
            (
                format!("index {}", name.name),
                t.map_or_else(|| "its table".to_string(), |t| t.to_string()),
            )
        }
        ObjectKind::Table => {
            if cx.is_new_table(name) {
                return;
            }
            (format!("the indexes of {name}"), name.to_string())
        }
        _ => (
            format!("every index of {}", name.name),
            "every table in it".to_string(),
        ),
    };
    let word = match kind {
        ObjectKind::Index => "INDEX",
        ObjectKind::Table => "TABLE",
        ObjectKind::Schema => "SCHEMA",
        _ => "DATABASE",
    };
    let mut hit = cx.hit(
        cx.stmt.span,
        format!("rebuilding {what} blocks reads and writes on {table} until it finishes (queries plan with every index)"),
        format!(
            "`{};` rebuilds without blocking; it cannot run in a transaction: {}",
            cx.with_concurrently(word),
            cx.outside_transaction_hint()
        ),
    );
    // `CONCURRENTLY` after the kind, outside the migration's transaction
    // (a REINDEX has nothing to undo in a down).
    hit.fix = super::edit::word_end(cx.text, cx.stmt.span, word)
        .and_then(|at| super::edit::outside_transaction(cx, Some(at), name, None, None));
    out.push(hit);
}
