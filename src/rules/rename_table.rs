//! rename-table: `ALTER TABLE … RENAME TO` / MySQL `RENAME TABLE` of an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, Name};

pub static RULE: Rule = Rule {
    id: "rename-table",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "renames a table that deployed code still uses by its old name",
    doc: include_str!("../../rules/rename-table.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match &cx.stmt.action {
        Action::AlterTable { table, ops, .. } => {
            for op in ops {
                if let AlterKind::RenameTo { to } = &op.kind {
                    report(cx, op.span, table, to, out);
                }
            }
        }
        Action::RenameTables(pairs) => {
            for (from, to) in pairs {
                report(cx, cx.stmt.span, from, to, out);
            }
        }
        _ => {}
    }
}

fn report(
    cx: &StmtCx<'_>,
    span: crate::parse::ByteSpan,
    from: &Name,
    to: &Name,
    out: &mut Vec<Hit>,
) {
    // A table created in this migration is new: the SQLite rebuild pattern
    // (create new, copy, drop old, rename new to old) lands here too.
    if cx.is_new_table(from) {
        return;
    }
    // The SQLite rebuild renames the old table away first: one change of the table.
    if cx.dialect == crate::model::Dialect::Sqlite && super::rebuild::is_step(cx) {
        return;
    }
    out.push(cx.hit(
        span,
        format!("renaming table {from} to {} breaks deployed code that still uses the old name", to.name),
        format!(
            "create {to} beside {from} (or a view named {from} over {to} while code moves), write both \
             from code, copy the rows in batches, switch reads, then drop {from} in a later migration{named}",
            to = to.name,
            named = super::still_named(cx, from, None)
        ),
    ));
}
