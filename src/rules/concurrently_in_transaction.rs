//! concurrently-in-transaction: a statement the server refuses inside a transaction block.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, TxReason};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "concurrently-in-transaction",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::POSTGRES,
    summary: "a statement PostgreSQL refuses inside a transaction block runs inside one",
    doc: include_str!("../../rules/concurrently-in-transaction.md"),
    check: Check::AnyStatement(check),
};

/// The statement's name when PostgreSQL refuses it in a transaction block.
fn refused(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::CreateIndex(ci) if ci.concurrently => "CREATE INDEX CONCURRENTLY",
        Action::Drop {
            kind: ObjectKind::Index,
            concurrently: true,
            ..
        } => "DROP INDEX CONCURRENTLY",
        Action::Reindex {
            concurrently: true, ..
        } => "REINDEX CONCURRENTLY",
        Action::Vacuum { .. } => "VACUUM",
        Action::NoTransaction { what } => what,
        Action::AlterTable { ops, .. }
            if ops.iter().any(|o| {
                matches!(
                    o.kind,
                    AlterKind::DetachPartition {
                        concurrently: true,
                        ..
                    }
                )
            }) =>
        {
            "DETACH PARTITION CONCURRENTLY"
        }
        _ => return None,
    })
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some(reason) = cx.transaction else { return };
    let Some(what) = refused(&cx.stmt.action) else {
        return;
    };
    let why = match reason {
        TxReason::Explicit => "it comes after an explicit BEGIN".to_string(),
        TxReason::Tool => format!("{} runs every migration in a transaction", cx.layout.id()),
        TxReason::MultiStatement => {
            "the file is sent as one multi-statement query, which PostgreSQL runs as one transaction".to_string()
        }
    };
    let mut hit = cx.hit(
        cx.stmt.span,
        format!(
            "running {what} inside a transaction block fails, and {why}{}",
            if cx.is_down {
                " (in the down: the rollback itself fails)"
            } else {
                ""
            }
        ),
        format!(
            "run it outside the transaction: {}",
            cx.outside_transaction_hint()
        ),
    );
    hit.fix = fix(cx);
    out.push(hit);
}

/// The layout's no-transaction marker where the statement is alone in its
/// migration, else (an index build or drop) the statement moved into a
/// new migration that has it, with its down counterpart.
fn fix(cx: &StmtCx<'_>) -> Option<crate::model::Fix> {
    match &cx.stmt.action {
        Action::CreateIndex(ci) => super::create_index_blocking::fix_create(cx, ci, None),
        Action::Drop {
            kind: ObjectKind::Index,
            names,
            ..
        } if names.len() == 1 => {
            let name = &names[0];
            let creates = |a: &Action| matches!(a, Action::CreateIndex(ci) if ci.name.as_ref().is_some_and(|n| n.name == name.name));
            super::edit::outside_transaction(cx, None, name, Some(&creates), None)
        }
        // Others only where the marker alone does it.
        _ if cx.siblings.len() == 1 => {
            super::edit::outside_transaction(cx, None, &Name::bare(""), None, None)
        }
        _ => None,
    }
}
