//! orphan-down: a down file with no up file of the same version.

use super::{Check, Class, Dialects, Hit, RootCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "orphan-down",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a down migration without an up migration of the same version",
    doc: include_str!("../../rules/orphan-down.md"),
    check: Check::Root(check),
};

fn check(cx: &RootCx<'_>, out: &mut Vec<Hit>) {
    for &file in &cx.root.orphan_downs {
        out.push(Hit {
            file,
            span: None,
            message: "this down migration has no up migration of the same version and name".to_string(),
            help: "rename it to match its up file (same version and name), or delete it if its up was removed"
                .to_string(),
            severity: None,
            tables: Vec::new(),
            fix: None,
        });
    }
}
