//! edited-migration: with `--since`, a migration already on the base ref
//! was changed; and, whatever the ref, a file the tool's own metadata
//! disagrees with (a drizzle file its journal does not list, or listed
//! with a `when` that does not increase).

use super::{Check, Class, Dialects, Hit, RootCx, Rule, migration_label};
use crate::model::{Layout, Severity};
use crate::since::absolute;

pub static RULE: Rule = Rule {
    id: "edited-migration",
    severity: Severity::Warning,
    dialects: Dialects::ALL,
    class: Class::Other,
    summary: "a migration environments already ran was changed, or the tool's metadata disagrees with a file",
    doc: include_str!("../../rules/edited-migration.md"),
    check: Check::Root(check),
};

/// What else the tool does with an edited migration it already ran.
fn refusal(layout: Layout) -> &'static str {
    match layout {
        Layout::Flyway => "; flyway also refuses to migrate on the checksum mismatch",
        Layout::Atlas => "; atlas also refuses to migrate until atlas.sum is rehashed",
        Layout::GraphileMigrate => "; graphile-migrate also refuses on the broken hash",
        Layout::Sqlx => "; sqlx also refuses to migrate on the checksum mismatch",
        Layout::Liquibase => "; liquibase also refuses on the changeset's checksum",
        _ => "",
    }
}

fn check(cx: &RootCx<'_>, out: &mut Vec<Hit>) {
    for (file, why, fix) in &cx.root.out_of_step {
        out.push(Hit {
            tables: Vec::new(),
            file: *file,
            span: None,
            message: why.clone(),
            help: fix.clone(),
            severity: None,
            fix: None,
        });
    }
    let Some(since) = cx.since else { return };
    let edited = |file: usize| {
        cx.files.get(file).is_some_and(|f| {
            let p = absolute(&f.path, cx.cwd);
            since.base.contains(&p) && since.changed.contains(&p)
        })
    };
    // The up: a down edited on the branch is often a fix of the down, and
    // no tool refuses over it.
    for m in &cx.root.migrations {
        let Some(up) = m.up.filter(|p| edited(p.file)) else {
            continue;
        };
        let label = migration_label(m);
        out.push(Hit {
            tables: Vec::new(),
            file: up.file,
            span: None,
            message: format!(
                "migration {label} is already on the base branch and was changed: environments that already ran it \
                 never run the change{}",
                refusal(cx.root.layout)
            ),
            help: format!(
                "restore {label} as it is on the base branch and put the change in a new migration"
            ),
            severity: None,
            fix: None,
        });
    }
}
