//! rename-column: `RENAME COLUMN` (and MySQL `CHANGE old new`) on an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind};

pub static RULE: Rule = Rule {
    id: "rename-column",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "renames a column that deployed code still uses by its old name",
    doc: include_str!("../../rules/rename-column.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    for op in ops {
        let (from, to) = match &op.kind {
            AlterKind::RenameColumn { from, to } => (from, to),
            AlterKind::Redefine { from, column } if from != &column.name => (from, &column.name),
            _ => continue,
        };
        if cx.is_new_column(table, from) {
            continue;
        }
        let old = col(table, from);
        out.push(cx.hit(
            op.span,
            format!("renaming column {old} to {to} breaks deployed code that still uses the old name"),
            format!(
                "add {to} beside {from} instead: `ALTER TABLE {table} ADD COLUMN {to} …;`, write both \
                 from code, backfill {to} from {from} in batches, switch reads to {to}, then drop {from} \
                 in a later migration{named}",
                named = super::still_named(cx, table, Some(from))
            ),
        ));
    }
}
