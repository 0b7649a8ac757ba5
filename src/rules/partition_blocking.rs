//! partition-blocking: partition changes that lock the parent or scan a partition.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind};

pub static RULE: Rule = Rule {
    id: "partition-blocking",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "creates, attaches or detaches a partition in a way that locks the parent or scans a partition",
    doc: include_str!("../../rules/partition-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match &cx.stmt.action {
        Action::CreateTable(ct) => {
            let Some(parent) = &ct.partition_of else {
                return;
            };
            if cx.is_new_table(parent) {
                return;
            }
            out.push(cx.hit(
                cx.stmt.span,
                format!("creating partition {} with PARTITION OF blocks reads and writes on {parent} until the migration commits", ct.name),
                format!(
                    "create {name} as a plain table with the same columns and a CHECK matching its bounds, then \
                     `ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES …;`, which does not block {parent}",
                    name = ct.name
                ),
            ));
        }
        Action::AlterTable { table, ops, .. } => {
            if cx.is_new_table(table) {
                return;
            }
            for op in ops {
                match &op.kind {
                    AlterKind::DetachPartition {
                        partition,
                        concurrently: false,
                        finalize: false,
                    } => out.push(cx.hit(
                        op.span,
                        format!("detaching {partition} blocks reads and writes on {table} until the migration commits"),
                        format!(
                            "`ALTER TABLE {table} DETACH PARTITION {partition} CONCURRENTLY;` leaves {table} usable; it \
                             cannot run in a transaction: {}",
                            cx.outside_transaction_hint()
                        ),
                    )),
                    AlterKind::AttachPartition { partition, default } => {
                        if cx.is_new_table(partition) {
                            continue;
                        }
                        let checked = cx.catalog.table(partition).is_some_and(|p| {
                            p.constraints
                                .iter()
                                .any(|c| c.validated && matches!(c.kind, ConstraintKind::Check { not_null_of: None, .. }))
                        });
                        let default_part = cx
                            .catalog
                            .partitions_of(table)
                            .find(|(n, p)| {
                                // A validated CHECK on the default partition that excludes the
                                // new range lets the server skip its scan.
                                p.default_partition
                                    && *n != partition
                                    && !p.constraints.iter().any(|c| {
                                        c.validated && matches!(c.kind, ConstraintKind::Check { not_null_of: None, .. })
                                    })
                            })
                            .map(|(n, _)| n.clone());
                        if let Some(d) = default_part {
                            out.push(cx.hit(
                                op.span,
                                format!(
                                    "attaching {partition} scans the default partition {d} while blocking reads and writes on it"
                                ),
                                format!(
                                    "move the rows of the new range out of {d} first, and add a validated CHECK to {d} that \
                                     excludes the new range so the scan is skipped"
                                ),
                            ));
                        } else if !checked && !default {
                            out.push(cx.hit(
                                op.span,
                                format!("attaching {partition} scans all of it while blocking reads and writes on {partition}"),
                                format!(
                                    "first `ALTER TABLE {partition} ADD CONSTRAINT {p}_bounds CHECK (…) NOT VALID;` with the \
                                     partition bounds, `VALIDATE CONSTRAINT {p}_bounds` in a later transaction, then attach: \
                                     the validated check lets PostgreSQL skip the scan",
                                    p = partition.name
                                ),
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}
