//! drop-table: `DROP TABLE` / `DROP VIEW` / `DROP MATERIALIZED VIEW` of an existing object.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ObjectKind};

pub static RULE: Rule = Rule {
    id: "drop-table",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "drops a table or view that deployed code may still use",
    doc: include_str!("../../rules/drop-table.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Drop {
        kind,
        names,
        cascade,
        ..
    } = &cx.stmt.action
    else {
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
                    || (cx.dialect == crate::model::Dialect::Sqlite
                        && (super::rebuild::is_step(cx) || super::rebuild::is_guard(cx)))))
        {
            continue;
        }
        let what = kind.describe();
        if *kind != ObjectKind::Table
            && let Some(replacement) = replaced_later(cx, *kind, name)
        {
            out.extend(replacement);
            continue;
        }
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
        let also = if *cascade {
            cascaded(cx, name, None, names)
        } else {
            String::new()
        };
        let help = help + &super::still_named(cx, name, None);
        out.push(cx.hit(cx.stmt.span, format!("{message}{also}"), help));
    }
}

/// `; CASCADE also drops …`: what a `CASCADE` takes with the relation (or
/// its column), known from the history; empty when nothing.
pub(super) fn cascaded(
    cx: &StmtCx<'_>,
    relation: &crate::parse::ir::Name,
    column: Option<&str>,
    dropped_too: &[crate::parse::ir::Name],
) -> String {
    let (views, fks) = cx.catalog.cascade_of(relation, column);
    let views: Vec<String> = views
        .iter()
        .filter(|v| !dropped_too.contains(v))
        .map(ToString::to_string)
        .collect();
    let mut parts = Vec::new();
    if !views.is_empty() {
        parts.push(format!("view(s) {}", views.join(", ")));
    }
    if !fks.is_empty() {
        parts.push(format!("foreign key(s) {}", fks.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; CASCADE also drops {}", parts.join(" and "))
    }
}

/// A view dropped and created again under the same name later in the same
/// migration is a replacement: `Some` with what it loses (nothing when the
/// new view keeps every column of the old one, by name, in one transaction;
/// a finding for the lost columns; a warning for the moment the view is
/// missing when the two run in separate transactions). `None` when the view
/// is not re-created.
fn replaced_later(
    cx: &StmtCx<'_>,
    kind: ObjectKind,
    name: &crate::parse::ir::Name,
) -> Option<Vec<Hit>> {
    let mut split = cx.transaction.is_none();
    let mut new_columns = None;
    let mut found = false;
    for s in cx.later() {
        match &s.action {
            Action::Begin | Action::Commit | Action::Rollback => split = true,
            Action::CreateView(v)
                if &v.name == name && v.materialized == (kind == ObjectKind::MaterializedView) =>
            {
                new_columns = v.columns.as_ref();
                found = true;
                break;
            }
            _ => {}
        }
    }
    if !found {
        return None;
    }
    let what = kind.describe();
    if split {
        return Some(vec![Hit {
            severity: Some(Severity::Warning),
            ..cx.hit(
                cx.stmt.span,
                format!(
                    "{what} {name} is dropped and created again in separate transactions: in between, queries on it fail"
                ),
                if kind == ObjectKind::View {
                    format!(
                        "drop and re-create {name} in one transaction (`BEGIN; DROP …; CREATE …; COMMIT;`), or use \
                         `CREATE OR REPLACE VIEW` when the new view keeps the old columns in their order and only adds \
                         columns at the end"
                    )
                } else {
                    format!("drop and re-create {name} in one transaction (`BEGIN; DROP …; CREATE …; COMMIT;`)")
                },
            )
        }]);
    }
    let (Some(old), Some(new)) = (cx.catalog.view_columns.get(name), new_columns) else {
        return Some(Vec::new());
    };
    let lost: Vec<&str> = old
        .iter()
        .filter(|c| !new.contains(c))
        .map(String::as_str)
        .collect();
    if lost.is_empty() {
        return Some(Vec::new());
    }
    let cols = lost.join(", ");
    Some(vec![cx.hit(
        cx.stmt.span,
        format!(
            "{what} {name} is re-created without column(s) {cols}: deployed code that reads them breaks"
        ),
        format!(
            "keep {cols} in the new {what} until no deployed code reads them (a NULL or a placeholder will do), and \
             remove them in a later migration"
        ),
    )])
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
