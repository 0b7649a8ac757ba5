//! add-column-not-null: `ADD COLUMN … NOT NULL` without a `DEFAULT` on an existing table.

use super::{Check, Dialects, Hit, Rule, StmtCx, col};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind};

pub static RULE: Rule = Rule {
    id: "add-column-not-null",
    severity: Severity::Error,
    dialects: Dialects::ALL,
    summary: "adds a NOT NULL column without a default to a table that has rows",
    doc: include_str!("../../rules/add-column-not-null.md"),
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
