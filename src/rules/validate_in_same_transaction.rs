//! validate-in-same-transaction: `VALIDATE CONSTRAINT` in the transaction that
//! added the constraint `NOT VALID` (or that already holds a strong lock on
//! the table), so the validation scan runs under that lock.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, TxReason};
use crate::discover::TxMode;
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind, Name};

pub static RULE: Rule = Rule {
    id: "validate-in-same-transaction",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "validates a constraint in the transaction that added it, so the scan runs under the add's lock",
    doc: include_str!("../../rules/validate-in-same-transaction.md"),
    check: Check::Statement(check),
};

/// What earlier in the transaction still holds a lock on the table.
enum Holder<'a> {
    /// The `ADD CONSTRAINT … NOT VALID` of the constraint being validated.
    Add(&'a ConstraintKind),
    /// Another `ALTER TABLE` of the table that blocks reads and writes.
    Other,
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    let Some(reason) = cx.transaction else {
        return;
    };
    if cx.is_new_table(table) {
        return;
    }
    for op in ops {
        let AlterKind::ValidateConstraint { name } = &op.kind else {
            continue;
        };
        let Some(holder) = holder(cx, table, name) else {
            continue;
        };
        let known = cx
            .catalog
            .table(table)
            .and_then(|t| t.constraint(name))
            .map(|c| &c.kind);
        let kind = match &holder {
            Holder::Add(k) => Some(*k),
            Holder::Other => known,
        };
        let message = match (&holder, kind) {
            (Holder::Add(_), Some(ConstraintKind::ForeignKey { references, .. })) => format!(
                "validating {name} scans {table} and {references} while the ADD CONSTRAINT … NOT VALID earlier in \
                 this transaction still blocks writes to both tables: NOT VALID bought nothing"
            ),
            (Holder::Add(_), _) => format!(
                "validating {name} scans all of {table} while the ADD CONSTRAINT … NOT VALID earlier in this \
                 transaction still blocks reads and writes on {table}: NOT VALID bought nothing"
            ),
            (Holder::Other, _) => format!(
                "validating {name} scans all of {table} while an earlier ALTER TABLE {table} in this transaction \
                 still blocks reads and writes on it"
            ),
        };
        let validate = format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name};");
        let help = match (reason, cx.migration.tx) {
            (TxReason::Explicit, TxMode::None) => format!(
                "this migration runs each statement in its own transaction once the BEGIN … COMMIT is gone: move \
                 `{validate}` after the COMMIT, so the lock taken before it is released first; alone it blocks \
                 neither reads nor writes"
            ),
            (TxReason::Explicit, _) => format!(
                "move `{validate}` into a new migration after {}: the earlier statements commit first (a brief lock, \
                 no scan) and the validation alone blocks neither reads nor writes",
                super::migration_label(cx.migration)
            ),
            _ => format!(
                "move `{validate}` into a new migration after {}: {} runs each migration in one transaction, so \
                 only a separate migration lets the add commit first (a brief lock, no scan); the validation alone \
                 blocks neither reads nor writes",
                super::migration_label(cx.migration),
                cx.layout.id()
            ),
        };
        let mut hit = cx.hit(op.span, message, help);
        if ops.len() == 1 {
            hit.fix = Some(super::edit::moved(
                cx,
                "move the VALIDATE into a new migration",
                &crate::discover::write::file_words(&["validate", name]),
            ));
        }
        out.push(hit);
    }
}

/// The nearest earlier statement of the same transaction that holds a lock
/// on `table` strong enough to make the validation block: the add of the
/// constraint itself first, else other DDL on the table.
fn holder<'a>(cx: &StmtCx<'a>, table: &Name, name: &str) -> Option<Holder<'a>> {
    let known = cx.catalog.table(table).and_then(|t| t.constraint(name));
    let mut other = false;
    let part = cx.siblings_index;
    let transaction = part.since_boundary(cx.index)..cx.index;
    for s in part.alters(table, transaction).rev() {
        let Action::AlterTable { ops, .. } = &s.action else {
            continue;
        };
        for op in ops {
            match &op.kind {
                AlterKind::AddConstraint(def)
                    if def.name.as_deref() == Some(name)
                        || (def.name.is_none()
                            && known.is_some_and(|k| {
                                k.kind == def.kind && k.columns == def.columns
                            })) =>
                {
                    return Some(Holder::Add(&def.kind));
                }
                AlterKind::SetStatistics { .. }
                | AlterKind::SetStorageOptions
                | AlterKind::ValidateConstraint { .. }
                | AlterKind::AttachPartition { .. }
                | AlterKind::DetachPartition {
                    concurrently: true, ..
                }
                | AlterKind::DetachPartition { finalize: true, .. } => {}
                _ => other = true,
            }
        }
    }
    other.then_some(Holder::Other)
}
