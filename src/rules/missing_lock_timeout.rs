//! missing-lock-timeout: a blocking statement with no `lock_timeout` set earlier in the migration.

use super::{Check, Dialects, Hit, Rule, StmtCx};
use crate::Severity;
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "missing-lock-timeout",
    severity: Severity::Warning,
    dialects: Dialects::POSTGRES,
    summary: "a statement that blocks a busy table waits for its lock with no lock_timeout",
    doc: include_str!("../../rules/missing-lock-timeout.md"),
    check: Check::Statement(check),
};

/// The existing table a statement locks against writes or reads (ShareRowExclusive or stronger).
pub(crate) fn locked_table(cx: &StmtCx<'_>) -> Option<Name> {
    let existing = |t: &Name| (!cx.is_new_table(t)).then(|| t.clone());
    match &cx.stmt.action {
        Action::AlterTable { table, ops, .. } => {
            let weak = ops.iter().all(|o| {
                matches!(
                    o.kind,
                    AlterKind::SetStatistics { .. }
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
            existing(table)
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
        } => names.iter().find_map(existing),
        Action::Drop {
            kind: ObjectKind::Index,
            names,
            concurrently: false,
            ..
        } => names
            .iter()
            .filter(|n| !cx.is_new_object(ObjectKind::Index, n))
            .find_map(|n| cx.catalog.indexes.get(n).and_then(|i| existing(&i.table))),
        Action::Reindex {
            kind: ObjectKind::Index,
            name,
            concurrently: false,
        } => cx
            .catalog
            .indexes
            .get(name)
            .and_then(|i| existing(&i.table)),
        Action::Reindex {
            kind: ObjectKind::Table,
            name,
            concurrently: false,
        } => existing(name),
        Action::Cluster { table: Some(t) } => existing(t),
        Action::RefreshMaterializedView { name, .. } => {
            (!cx.is_new_object(ObjectKind::MaterializedView, name)).then(|| name.clone())
        }
        Action::RenameTables(pairs) => pairs.iter().find_map(|(from, _)| existing(from)),
        Action::CreateTable(ct) => ct.partition_of.as_ref().and_then(existing).or_else(|| {
            ct.columns
                .iter()
                .filter_map(|c| c.references.as_ref())
                .find_map(existing)
        }),
        _ => None,
    }
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.lock_timeout || cx.settings.lock_timeout_set_by_runner {
        return;
    }
    let Some(table) = locked_table(cx) else {
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
            "this statement waits for a lock on {table} with no lock_timeout: while it waits, every later query on \
             {table} queues behind it"
        ),
        format!(
            "start the migration with `SET {local}lock_timeout = '2s';` so it fails fast instead of stalling traffic, \
             and retry it; if your runner already sets it, declare `lock-timeout-set-by-runner = true`"
        ),
    ));
}
