//! add-check-validating: a `CHECK` added to an existing table without `NOT VALID`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind};

pub static RULE: Rule = Rule {
    id: "add-check-validating",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "adds a CHECK that is validated at once, scanning the table while reads and writes wait",
    doc: include_str!("../../rules/add-check-validating.md"),
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
        match &op.kind {
            AlterKind::AddConstraint(def)
                if !def.not_valid && matches!(def.kind, ConstraintKind::Check { .. }) =>
            {
                let name = def
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{}_check", table.name));
                let mut hit = cx.hit(
                    op.span,
                    format!("adding check {name} scans all of {table} while blocking reads and writes on it"),
                    format!(
                        "add it with `NOT VALID` (new rows are checked at once, no scan), then in a later transaction \
                         `ALTER TABLE {table} VALIDATE CONSTRAINT {name};`, which scans without blocking reads or writes"
                    ),
                );
                if def.name.is_some() {
                    hit.fix = super::edit::not_valid(cx, op.span);
                }
                out.push(hit);
            }
            AlterKind::AddColumn { column, .. } if column.check => {
                let c = col(table, &column.name);
                out.push(cx.hit(
                    op.span,
                    format!("adding {c} with an inline CHECK scans all of {table} while blocking reads and writes on it"),
                    format!(
                        "add the column without the CHECK, then `ALTER TABLE {table} ADD CONSTRAINT {t}_{c}_check \
                         CHECK (…) NOT VALID;` and, in a later transaction, `ALTER TABLE {table} VALIDATE CONSTRAINT \
                         {t}_{c}_check;`",
                        t = table.name,
                        c = column.name
                    ),
                ));
            }
            _ => {}
        }
    }
}
