//! add-foreign-key-validating: a foreign key added to an existing table without `NOT VALID`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind};

pub static RULE: Rule = Rule {
    id: "add-foreign-key-validating",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "adds a foreign key that is validated at once, scanning while writes to both tables wait",
    doc: include_str!("../../rules/add-foreign-key-validating.md"),
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
            AlterKind::AddConstraint(def) if !def.not_valid => {
                let ConstraintKind::ForeignKey { references, .. } = &def.kind else {
                    continue;
                };
                let name = def
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_fkey", table.name, def.columns.join("_")));
                let cols = def.columns.join(", ");
                out.push(cx.hit(
                    op.span,
                    format!(
                        "adding foreign key {name} scans {table} and {references} to validate it while writes to both \
                         tables are blocked"
                    ),
                    format!(
                        "add it as `NOT VALID` (`ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({cols}) \
                         REFERENCES {references} NOT VALID;`, checked for new rows only), then in a later \
                         transaction `ALTER TABLE {table} VALIDATE CONSTRAINT {name};`, which blocks no reads or writes"
                    ),
                ));
            }
            AlterKind::AddColumn { column, .. } => {
                let Some(references) = &column.references else {
                    continue;
                };
                let c = col(table, &column.name);
                let name = format!("{}_{}_fkey", table.name, column.name);
                out.push(cx.hit(
                    op.span,
                    format!(
                        "adding {c} with REFERENCES {references} blocks writes to {references} (and reads and writes \
                         on {table}) until the migration commits"
                    ),
                    format!(
                        "add the column without REFERENCES, then `ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY \
                         ({}) REFERENCES {references} NOT VALID;` and, in a later transaction, `ALTER TABLE {table} \
                         VALIDATE CONSTRAINT {name};`",
                        column.name
                    ),
                ));
            }
            _ => {}
        }
    }
}
