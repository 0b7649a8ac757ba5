//! drop-column: `DROP COLUMN` of a column that existed before this migration.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind};

pub static RULE: Rule = Rule {
    id: "drop-column",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "drops a column that deployed code may still read or write",
    doc: include_str!("../../rules/drop-column.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect == Dialect::Sqlite {
        rebuild(cx, out);
    }
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    for op in ops {
        let AlterKind::DropColumn { name, .. } = &op.kind else {
            continue;
        };
        if cx.is_new_column(table, name) {
            continue;
        }
        let c = col(table, name);
        let cascade = cx
            .source(op.span)
            .split_whitespace()
            .last()
            .is_some_and(|w| w.eq_ignore_ascii_case("CASCADE"));
        let also = if cascade {
            super::drop_table::cascaded(cx, table, Some(name), &[])
        } else {
            String::new()
        };
        out.push(cx.hit(
            op.span,
            format!("dropping column {c} breaks deployed code that still reads or writes it{also}"),
            format!(
                "first deploy code that no longer uses {c} (and, with an ORM, mark it ignored), \
                 then drop it in a later migration: `ALTER TABLE {table} DROP COLUMN {name};`{named}",
                named = super::still_named(cx, table, Some(name))
            ),
        ));
    }
}

/// A SQLite rebuild whose copy leaves old columns out: judged at the step
/// that drops the old table with their data.
fn rebuild(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((r, old, new)) = super::rebuild::at_drop(cx) else {
        return;
    };
    let Some(copy) = &r.copy else { return };
    if old.partial || new.partial || cx.is_new_table(&r.old) {
        return;
    }
    let table = &r.table;
    for c in old.columns() {
        if copy.reads(&c.name) {
            continue;
        }
        let name = &c.name;
        let colname = col(table, name);
        let rowid = new.column(name).is_some_and(|n| {
            n.ty.as_ref().is_some_and(|t| t.base == "integer")
                && new.constraints.iter().any(|k| {
                    k.kind == crate::parse::ir::ConstraintKind::PrimaryKey
                        && k.columns.len() == 1
                        && k.columns.first() == Some(name)
                })
        });
        if rowid {
            let mut h = cx.hit(
                cx.stmt.span,
                format!(
                    "the rebuild of {table} does not copy {colname}: every row gets a new id, and \
                     whatever still holds an old id (other tables, caches, URLs) points at the wrong \
                     row or none"
                ),
                format!(
                    "copy it: name {name} in the INSERT's column list and select it from {old_name}",
                    old_name = r.old
                ),
            );
            h.severity = Some(crate::model::Severity::Warning);
            out.push(h);
            continue;
        }
        let (message, help) = if new.column(name).is_some() {
            (
                format!(
                    "the rebuild of {table} does not copy {colname}: every row gets the new table's \
                     default for it, and its old values are lost when {old_name} is dropped",
                    old_name = r.old
                ),
                format!(
                    "copy it: name {name} in the INSERT's column list and select it from {old_name}",
                    old_name = r.old
                ),
            )
        } else {
            (
                format!(
                    "the rebuild of {table} drops column {colname}: the copy leaves it out, its data \
                     goes with {old_name}, and deployed code that still reads or writes it breaks",
                    old_name = r.old
                ),
                format!(
                    "first deploy code that no longer uses {colname}, then rebuild {table} without it \
                     in a later migration; or keep it: add {name} to the new table and to the copy"
                ),
            )
        };
        out.push(cx.hit(cx.stmt.span, message, help));
    }
}
