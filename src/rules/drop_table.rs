//! drop-table: `DROP TABLE` / `DROP VIEW` / `DROP MATERIALIZED VIEW` of an existing object.

use super::{Check, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ObjectKind};

pub static RULE: Rule = Rule {
    id: "drop-table",
    severity: Severity::Error,
    dialects: Dialects::ALL,
    summary: "drops a table or view that deployed code may still use",
    doc: include_str!("../../rules/drop-table.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Drop { kind, names, .. } = &cx.stmt.action else {
        return;
    };
    if !matches!(
        kind,
        ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
    ) {
        return;
    }
    for name in names {
        if cx.is_new_object(*kind, name)
            || (*kind == ObjectKind::Table
                && (rebuilt_later(cx, name)
                    || (cx.dialect == crate::Dialect::Sqlite
                        && (super::rebuild::is_step(cx) || super::rebuild::is_guard(cx)))))
        {
            continue;
        }
        let what = kind.describe();
        let (message, help) = if *kind == ObjectKind::Table {
            (
                format!(
                    "dropping table {name} deletes its data and breaks deployed code that still uses it"
                ),
                format!(
                    "first deploy code that no longer reads or writes {name}, keep a backup of its rows, \
                     then drop it in a later migration"
                ),
            )
        } else {
            (
                format!("dropping {what} {name} breaks deployed code that still queries it"),
                format!(
                    "first deploy code that no longer queries {name}, then drop it in a later migration"
                ),
            )
        };
        out.push(cx.hit(cx.stmt.span, message, help));
    }
}

/// The SQLite rebuild pattern: a table created in this migration is renamed
/// to the dropped name later in the same migration.
fn rebuilt_later(cx: &StmtCx<'_>, dropped: &crate::parse::ir::Name) -> bool {
    cx.later().any(|s| match &s.action {
        Action::AlterTable { ops, .. } => ops
            .iter()
            .any(|op| matches!(&op.kind, AlterKind::RenameTo { to } if to.name == dropped.name)),
        Action::RenameTables(pairs) => pairs.iter().any(|(_, to)| to == dropped),
        _ => false,
    })
}
