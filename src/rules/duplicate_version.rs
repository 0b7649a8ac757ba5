//! duplicate-version: two migrations with the same version.

use super::{Check, Class, Dialects, Hit, RootCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "duplicate-version",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "two migrations share a version: the tool refuses to run or their order is undefined",
    doc: include_str!("../../rules/duplicate-version.md"),
    check: Check::Root(check),
};

fn check(cx: &RootCx<'_>, out: &mut Vec<Hit>) {
    use crate::discover::Layout;
    if matches!(cx.root.layout, Layout::Plain | Layout::OryPop) {
        // Plain layouts order by whole file name: no two files share one;
        // pop runs a version's dialect-less and dialect files together.
        return;
    }
    // Migrations are sorted by version: equal versions stand side by side.
    let ms = &cx.root.migrations;
    let mut first = 0;
    for (i, m) in ms.iter().enumerate() {
        if ms[first].version != m.version {
            first = i;
        }
        if first == i {
            continue;
        }
        let first = &ms[first];
        let Some(up) = m.up else { continue };
        out.push(Hit {
            file: up.file,
            span: None,
            message: format!(
                "version {} is also used by {}: the tool refuses to run, or runs them in an undefined order",
                m.version.text,
                super::migration_label(first)
            ),
            help: "give this migration the next free version (renumber it and its down file) before it is \
                   merged"
                .to_string(),
            severity: None,
            tables: Vec::new(),
            fix: None,
        });
    }
}
