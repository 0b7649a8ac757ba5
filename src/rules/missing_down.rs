//! missing-down: a migration with no down where the layout has one.

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "missing-down",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a migration without a down migration cannot be rolled back",
    doc: include_str!("../../rules/missing-down.md"),
    check: Check::Migration(check),
};

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let m = cx.migration;
    if !m.expects_down || m.down.is_some() {
        return;
    }
    let Some(up) = m.up else { return };
    let label = super::migration_label(m);
    out.push(Hit {
        file: up.file,
        span: None,
        message: format!("migration {label} has no down migration, so a bad deploy cannot be rolled back"),
        help: format!(
            "add a down that undoes exactly what this up does{}; if it truly cannot be undone, add the down \
             with a comment saying why",
            super::down_hint(cx.layout, m)
        ),
        severity: None,
        tables: Vec::new(),
        fix: None,
    });
}
