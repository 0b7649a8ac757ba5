//! add-column-not-null: `ADD COLUMN … NOT NULL` without a `DEFAULT` on an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind};

pub static RULE: Rule = Rule {
    id: "add-column-not-null",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "adds a NOT NULL column without a default to a table that has rows",
    doc: include_str!("../../rules/add-column-not-null.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect == Dialect::Sqlite {
        rebuild(cx, out);
    }
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    if cx.is_new_table(table) {
        return;
    }
    for op in ops {
        let AlterKind::AddColumn { column, .. } = &op.kind else {
            continue;
        };
        // serial and identity columns fill themselves (add-column-rewrite judges their cost).
        if !column.not_null
            || column.default.is_some()
            || column.serial
            || column.generated.is_some()
        {
            continue;
        }
        let c = col(table, &column.name);
        let ty = column
            .ty
            .as_ref()
            .map_or_else(String::new, |t| format!(" {t}"));
        let message = match cx.dialect {
            Dialect::Mysql => format!(
                "adding {c} NOT NULL without a DEFAULT fills existing rows with an implicit value, and \
                 every INSERT from deployed code that omits {} fails",
                column.name
            ),
            _ => format!(
                "adding {c} NOT NULL without a DEFAULT fails when {table} has rows, and every INSERT from \
                 deployed code that omits {} would fail",
                column.name
            ),
        };
        out.push(cx.hit(
            op.span,
            message,
            format!(
                "add it nullable or with a DEFAULT (`ALTER TABLE {table} ADD COLUMN {name}{ty} DEFAULT …;`), \
                 deploy code that writes it, backfill existing rows in batches, then add NOT NULL in a \
                 later migration",
                name = column.name
            ),
        ));
    }
}

/// A SQLite rebuild whose new table has a NOT NULL column without a default
/// that the copy does not fill: judged at the step that drops the old table.
fn rebuild(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((r, old, new)) = super::rebuild::at_drop(cx) else {
        return;
    };
    let Some(copy) = &r.copy else { return };
    if old.partial || new.partial || cx.is_new_table(&r.old) {
        return;
    }
    let table = &r.table;
    let rowid = |c: &crate::catalog::Column| {
        c.ty.as_ref().is_some_and(|t| t.base == "integer")
            && new.constraints.iter().any(|k| {
                k.kind == crate::parse::ir::ConstraintKind::PrimaryKey
                    && k.columns == [c.name.clone()]
            })
    };
    for (position, c) in new.columns().iter().enumerate() {
        if !c.not_null || c.default.is_some() || copy.fills(&c.name, position) || rowid(c) {
            continue;
        }
        if old.column(&c.name).is_some() {
            // An old column left out: drop-column says so.
            continue;
        }
        let colname = col(table, &c.name);
        // Where it fails: the copy.
        let span = r
            .copy_at
            .and_then(|k| cx.siblings.get(k))
            .map_or(cx.stmt.span, |s| s.span);
        out.push(cx.hit(
            span,
            format!(
                "the rebuild of {table} adds {colname} NOT NULL without a DEFAULT and the copy does \
                 not fill it: the copy fails when {old_name} has rows, and every INSERT from deployed \
                 code that omits {name} would fail",
                old_name = r.old,
                name = c.name
            ),
            format!(
                "give {name} a DEFAULT in the new table, or fill it in the INSERT … SELECT, and deploy \
                 code that writes it before making it NOT NULL",
                name = c.name
            ),
        ));
    }
}
