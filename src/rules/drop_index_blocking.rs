//! drop-index-blocking: `DROP INDEX` without `CONCURRENTLY`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, edit};
use crate::model::Severity;
use crate::parse::ir::{Action, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "drop-index-blocking",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "drops an index without CONCURRENTLY, locking its table against reads and writes",
    doc: include_str!("../../rules/drop-index-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Drop {
        kind: ObjectKind::Index,
        names,
        concurrently: false,
        cascade,
        ..
    } = &cx.stmt.action
    else {
        return;
    };
    for n in names {
        if cx.is_new_object(ObjectKind::Index, n) {
            continue;
        }
        let table = cx.catalog.indexes.get(n).map(|i| i.table.clone());
        if table.as_ref().is_some_and(|t| cx.is_new_table(t)) {
            continue;
        }
        let on = table.map_or_else(|| "its table".to_string(), |t| t.to_string());
        let mut hit = cx.hit(
            cx.stmt.span,
            format!("dropping index {} locks {on} against reads and writes until the migration commits", n.name),
            format!(
                "`{};` waits for running queries instead of blocking them; it cannot run in a transaction: {}",
                cx.with_concurrently("INDEX"),
                cx.outside_transaction_hint()
            ),
        );
        // `DROP INDEX CONCURRENTLY` takes one index and no CASCADE.
        if names.len() == 1 && !cascade {
            hit.fix = fix(cx, n);
        }
        out.push(hit);
    }
}

/// `CONCURRENTLY` after `INDEX`, outside the migration's transaction (see
/// [`edit::outside_transaction`]); a move takes the down's `CREATE INDEX`
/// of it along.
fn fix(cx: &StmtCx<'_>, name: &Name) -> Option<crate::model::Fix> {
    let at = edit::word_end(cx.text, cx.stmt.span, "INDEX")?;
    let creates = |a: &Action| matches!(a, Action::CreateIndex(ci) if ci.name.as_ref().is_some_and(|n| n.name == name.name));
    edit::outside_transaction(cx, Some(at), name, Some(&creates), None)
}
