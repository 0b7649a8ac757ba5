//! drop-column: `DROP COLUMN` of a column that existed before this migration.

use super::{Check, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind};

pub static RULE: Rule = Rule {
    id: "drop-column",
    severity: Severity::Error,
    dialects: Dialects::ALL,
    summary: "drops a column that deployed code may still read or write",
    doc: include_str!("../../rules/drop-column.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
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
        out.push(cx.hit(
            op.span,
            format!("dropping column {c} breaks deployed code that still reads or writes it"),
            format!(
                "first deploy code that no longer uses {c} (and, with an ORM, mark it ignored), \
                 then drop it in a later migration: `ALTER TABLE {table} DROP COLUMN {name};`"
            ),
        ));
    }
}
