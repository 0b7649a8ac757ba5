//! missing-lock-timeout: a blocking statement with no `lock_timeout` set earlier in the migration.

use super::{Check, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "missing-lock-timeout",
    severity: Severity::Warning,
    dialects: Dialects::POSTGRES,
    summary: "a statement that blocks a busy table waits for its lock with no lock_timeout",
    doc: include_str!("../../rules/missing-lock-timeout.md"),
    check: Check::Statement(check),
};

/// The existing table a statement locks against writes or reads
/// (ShareRowExclusive or stronger), and whether reads wait too.
pub(crate) fn locked_table(cx: &StmtCx<'_>) -> Option<(Name, bool)> {
    let existing = |t: &Name| (!cx.is_new_table(t)).then(|| t.clone());
    let writes_only = |t: Option<Name>| t.map(|t| (t, false));
    let reads_too = |t: Option<Name>| t.map(|t| (t, true));
    match &cx.stmt.action {
        Action::LockTable { table, reads } => existing(table).map(|t| (t, *reads)),
        Action::AlterIndex {
            attach_partition: Some(_),
            name,
            ..
        } => reads_too(
            cx.catalog
                .indexes
                .get(name)
                .and_then(|i| existing(&i.table)),
        ),
        Action::RefreshMaterializedView {
            concurrently: true, ..
        } => None,
        Action::AlterTable { table, ops, .. } => {
            let weak = ops.iter().all(|o| {
                matches!(
                    o.kind,
                    AlterKind::SetStatistics { .. }
                        | AlterKind::SetStorageOptions
                        | AlterKind::ValidateConstraint { .. }
                        | AlterKind::AttachPartition { .. }
                        | AlterKind::DetachPartition {
                            concurrently: true,
                            ..
                        }
                )
            });
            if weak {
                return None;
            }
            // Adding foreign keys takes ShareRowExclusive: writes wait, reads go on.
            let fk_only = ops.iter().all(|o| {
                matches!(&o.kind, AlterKind::AddConstraint(d) if matches!(d.kind, crate::parse::ir::ConstraintKind::ForeignKey { .. }))
            });
            if fk_only {
                writes_only(existing(table))
            } else {
                reads_too(existing(table))
            }
        }
        Action::Drop {
            kind: ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView,
            names,
            ..
        }
        | Action::Truncate { tables: names }
        | Action::Vacuum {
            full: true,
            tables: names,
        } => reads_too(names.iter().find_map(existing)),
        Action::Drop {
            kind: ObjectKind::Index,
            names,
            concurrently: false,
            ..
        } => reads_too(
            names
                .iter()
                .filter(|n| !cx.is_new_object(ObjectKind::Index, n))
                .find_map(|n| cx.catalog.indexes.get(n).and_then(|i| existing(&i.table))),
        ),
        Action::Reindex {
            kind: ObjectKind::Index,
            name,
            concurrently: false,
        } => reads_too(
            cx.catalog
                .indexes
                .get(name)
                .and_then(|i| existing(&i.table)),
        ),
        Action::Reindex {
            kind: ObjectKind::Table,
            name,
            concurrently: false,
        } => reads_too(existing(name)),
        Action::Cluster { table: Some(t) } => reads_too(existing(t)),
        Action::RefreshMaterializedView { name, .. } => {
            reads_too((!cx.is_new_object(ObjectKind::MaterializedView, name)).then(|| name.clone()))
        }
        Action::RenameTables(pairs) => reads_too(pairs.iter().find_map(|(from, _)| existing(from))),
        Action::CreateTable(ct) => {
            reads_too(ct.partition_of.as_ref().and_then(existing)).or_else(|| {
                writes_only(
                    ct.columns
                        .iter()
                        .filter_map(|c| c.references.as_ref())
                        .chain(ct.constraints.iter().filter_map(|c| match &c.kind {
                            crate::parse::ir::ConstraintKind::ForeignKey { references, .. } => {
                                Some(references)
                            }
                            _ => None,
                        }))
                        .find_map(existing),
                )
            })
        }
        _ => None,
    }
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.lock_timeout || cx.settings.lock_timeout_set_by_runner {
        return;
    }
    let Some((table, reads)) = locked_table(cx) else {
        return;
    };
    // One warning per migration: on its first blocking statement.
    let earlier_blocking = (0..cx.index).any(|i| {
        let probe = StmtCx {
            stmt: cx.siblings[i],
            index: i,
            ..*cx
        };
        locked_table(&probe).is_some()
    });
    if earlier_blocking {
        return;
    }
    let local = if cx.transaction.is_some() {
        "LOCAL "
    } else {
        ""
    };
    out.push(cx.hit(
        cx.stmt.span,
        format!(
            "this statement waits for a lock on {table} with no lock_timeout: while it waits, every later {} on \
             {table} queues behind it",
            if reads { "query" } else { "write" }
        ),
        format!(
            "start the migration with `SET {local}lock_timeout = '2s';` so it fails fast instead of stalling traffic, \
             and retry it; if your runner already sets it, declare `lock-timeout-set-by-runner = true`"
        ),
    ));
}
