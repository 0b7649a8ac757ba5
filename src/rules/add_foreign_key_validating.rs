//! add-foreign-key-validating: a foreign key added to an existing table without `NOT VALID`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind};

pub static RULE: Rule = Rule {
    id: "add-foreign-key-validating",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: false,
    },
    summary: "adds a foreign key that is validated at once, scanning while writes to both tables wait",
    doc: include_str!("../../rules/add-foreign-key-validating.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect == crate::Dialect::Mysql {
        mysql(cx, out);
        return;
    }
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
                let mut hit = cx.hit(
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
                );
                if def.name.is_some() {
                    hit.fix = super::edit::not_valid(cx, op.span);
                }
                out.push(hit);
            }
            AlterKind::AddColumn { column, .. } => {
                let Some(references) = &column.extra().references else {
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

/// MySQL/MariaDB: with `foreign_key_checks` on, a new foreign key is checked
/// by copying the child table, and writes to both tables wait (measured).
/// An inline `REFERENCES` on a column is ignored by MySQL: not a finding.
fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return;
    };
    let Some((_, lock)) = plan.effective else {
        return;
    };
    for (op, p) in ops.iter().zip(&plan.ops) {
        let AlterKind::AddConstraint(def) = &op.kind else {
            continue;
        };
        let ConstraintKind::ForeignKey { references, .. } = &def.kind else {
            continue;
        };
        if p.as_ref()
            .is_none_or(|p| p.algorithm != crate::catalog::mysql::Algorithm::Copy)
        {
            continue;
        }
        let name = def
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_ibfk", table.name));
        let cols = def.columns.join(", ");
        let after = if lock >= crate::catalog::mysql::Lock::Shared {
            format!("writes to {table} and to {references} are blocked until it finishes")
        } else {
            format!("time, disk and replica lag grow with {table}")
        };
        out.push(cx.hit(
            op.span,
            format!(
                "adding foreign key {name} with foreign_key_checks on copies {table} row by row to check every \
                 row against {references}; {after}"
            ),
            format!(
                "look for orphans first (`SELECT COUNT(*) FROM {table} c LEFT JOIN {references} p ON … WHERE p.… IS \
                 NULL`); then run `SET foreign_key_checks = 0;` before `ALTER TABLE {table} ADD CONSTRAINT {name} \
                 FOREIGN KEY ({cols}) REFERENCES {references} (…), ALGORITHM=INPLACE, LOCK=NONE;` (only the index is \
                 built and nothing waits, but existing rows are not checked) and `SET foreign_key_checks = 1;` after it"
            ),
        ));
    }
}
