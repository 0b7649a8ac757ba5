//! add-unique-constraint: `UNIQUE` / `PRIMARY KEY` / `EXCLUDE` added to an
//! existing table with an index built under lock.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind};

pub static RULE: Rule = Rule {
    id: "add-unique-constraint",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "adds a UNIQUE, PRIMARY KEY or EXCLUDE constraint whose index is built under a blocking lock",
    doc: include_str!("../../rules/add-unique-constraint.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    if cx.is_new_table(table) {
        return;
    }
    for op in ops {
        let (kind, cols, name) = match &op.kind {
            AlterKind::AddConstraint(def)
                if def.using_index.is_some() && def.kind == ConstraintKind::PrimaryKey =>
            {
                // USING INDEX skips the build, but a PRIMARY KEY still scans for NULLs
                // in every column not already NOT NULL.
                let t = cx.catalog.table(table);
                let nullable: Vec<&String> = def
                    .columns
                    .iter()
                    .filter(|c| t.and_then(|t| t.column(c)).is_some_and(|col| !col.not_null))
                    .collect();
                if let Some(first) = nullable.first() {
                    out.push(cx.hit(
                        op.span,
                        format!(
                            "adding the PRIMARY KEY on {} scans all of {table} for NULLs while blocking reads and writes",
                            col(table, first)
                        ),
                        format!(
                            "make {first} NOT NULL without a scan first (a `CHECK ({first} IS NOT NULL) NOT VALID`, \
                             validated in a later transaction, then `SET NOT NULL`), then add the primary key USING INDEX"
                        ),
                    ));
                }
                continue;
            }
            AlterKind::AddConstraint(def) if def.using_index.is_none() => {
                let kind = match def.kind {
                    ConstraintKind::Unique => "UNIQUE",
                    ConstraintKind::PrimaryKey => "PRIMARY KEY",
                    ConstraintKind::Exclude => "EXCLUDE",
                    _ => continue,
                };
                let suffix = match def.kind {
                    ConstraintKind::PrimaryKey => "pkey".to_string(),
                    ConstraintKind::Exclude => "excl".to_string(),
                    _ => "key".to_string(),
                };
                let name = def.name.clone().unwrap_or_else(|| {
                    if def.kind == ConstraintKind::PrimaryKey {
                        format!("{}_pkey", table.name)
                    } else {
                        format!("{}_{}_{suffix}", table.name, def.columns.join("_"))
                    }
                });
                (kind, def.columns.clone(), name)
            }
            AlterKind::AddColumn { column, .. } if column.unique || column.primary_key => {
                let kind = if column.primary_key {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                };
                let name = if column.primary_key {
                    format!("{}_pkey", table.name)
                } else {
                    format!("{}_{}_key", table.name, column.name)
                };
                (kind, vec![column.name.clone()], name)
            }
            _ => continue,
        };
        let what = match cols.as_slice() {
            [one] => col(table, one),
            _ => table.to_string(),
        };
        let cols = cols.join(", ");
        let help = if kind == "EXCLUDE" {
            format!(
                "there is no concurrent way to build an exclusion constraint: add it while {table} is small or \
                 quiet, with `SET lock_timeout` before it"
            )
        } else {
            let idx = format!("{name}_idx");
            format!(
                "build the index first without blocking: `CREATE UNIQUE INDEX CONCURRENTLY {idx} ON {table} ({cols});`, \
                 then `ALTER TABLE {table} ADD CONSTRAINT {name} {kind} USING INDEX {idx};`"
            )
        };
        out.push(cx.hit(
            op.span,
            format!("adding {kind} on {what} builds its index while blocking reads and writes on {table}"),
            help,
        ));
    }
}
