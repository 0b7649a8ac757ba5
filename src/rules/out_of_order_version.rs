//! out-of-order-version: with `--since`, a new migration whose version is
//! lower than the newest one already on the base ref.

use super::{Check, Class, Dialects, Hit, RootCx, Rule, migration_label};
use crate::model::Severity;
use crate::since::absolute;

pub static RULE: Rule = Rule {
    id: "out-of-order-version",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a new migration is numbered below one that environments may already have run",
    doc: include_str!("../../rules/out-of-order-version.md"),
    check: Check::Root(check),
};

fn check(cx: &RootCx<'_>, out: &mut Vec<Hit>) {
    let Some(since) = cx.since else { return };
    let on_base = |file: usize| {
        cx.files
            .get(file)
            .is_some_and(|f| since.base.contains(&absolute(&f.path, cx.cwd)))
    };
    let newest_on_base = cx
        .root
        .migrations
        .iter()
        .filter(|m| m.up.is_some_and(|p| on_base(p.file)))
        .max_by(|a, b| a.version.cmp(&b.version));
    let Some(newest) = newest_on_base else { return };
    for m in &cx.root.migrations {
        let Some(up) = m.up else { continue };
        if on_base(up.file) || m.version >= newest.version {
            continue;
        }
        out.push(Hit {
            file: up.file,
            span: None,
            message: format!(
                "migration {} is new but numbered below {}, which is already on the base branch: environments \
                 that ran {} skip it or refuse to migrate",
                migration_label(m),
                migration_label(newest),
                newest.version.text
            ),
            help: format!(
                "renumber it above {} (rename its up and down files) before merging",
                newest.version.text
            ),
            severity: None,
            tables: Vec::new(),
            fix: None,
        });
    }
}
