//! rebuild-drops-objects: a SQLite table rebuild that loses the old table's
//! indexes, triggers or views, or deletes child rows through ON DELETE CASCADE.

use super::rebuild::Rebuild;
use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::catalog::Catalog;
use crate::discover::{Layout, TxMode};
use crate::model::Severity;
use crate::parse::Stmt;
use crate::parse::ir::{Action, ConstraintKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "rebuild-drops-objects",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects {
        postgres: false,
        mysql: false,
        sqlite: true,
    },
    summary: "a SQLite table rebuild that loses indexes, triggers or views, or deletes cascading child rows",
    doc: include_str!("../../rules/rebuild-drops-objects.md"),
    check: Check::Statement(check),
};

/// How far after a rebuild re-created objects are looked for.
const AFTER: usize = 256;

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((r, _, new)) = super::rebuild::at_drop(cx) else {
        return;
    };
    let later: &[&Stmt] = {
        let from = r.create.min(r.rename);
        let to = (r.drop.max(r.rename) + AFTER).min(cx.siblings.len());
        cx.siblings.get(from..to).unwrap_or_default()
    };
    let table = &r.table;
    let catalog = cx.catalog;
    let mut lost: Vec<String> = Vec::new();
    let mut steps: Vec<String> = Vec::new();
    let mut indexes: Vec<(&Name, &crate::catalog::Index)> = catalog.indexes_of(&r.old).collect();
    indexes.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, index) in indexes {
        // An index on a column the new table leaves out goes with the
        // column (drop-column reports that).
        if index.columns.iter().any(|c| new.column(c).is_none()) {
            continue;
        }
        let again = later.iter().any(|s| match &s.action {
            Action::CreateIndex(ci) => {
                ci.name.as_ref() == Some(name)
                    || ((ci.table == r.new || &ci.table == table) && ci.columns == index.columns)
            }
            _ => false,
        });
        if !again {
            lost.push(format!("index {name} (dropped with {})", r.old));
            steps.push(format!(
                "CREATE {}INDEX {name} ON {table} ({});",
                if index.unique { "UNIQUE " } else { "" },
                index.columns.join(", ")
            ));
        }
    }
    let recreated = |n: &Name| {
        later.iter().any(|s| match &s.action {
            Action::CreateTrigger(t) => &t.name == n,
            Action::DropTrigger { name } => name == n,
            Action::CreateView(v) => &v.name == n,
            Action::Drop {
                kind: ObjectKind::View,
                names,
                ..
            } => names.contains(n),
            _ => false,
        })
    };
    // Triggers and views name their table.
    for (name, d) in catalog.dependents.naming(&r.old.name) {
        let lost_here = match &d.trigger_on {
            // A trigger goes with its table.
            Some(on) => on == &r.old,
            // Renamed first, the view was rewritten to the old table's new
            // name and breaks when it is dropped.
            None => r.rename < r.drop && d.names(&r.old.name),
        };
        if lost_here && !recreated(name) {
            lost.push(if d.trigger_on.is_some() {
                format!("trigger {name} (dropped with {})", r.old)
            } else {
                format!("view {name} (rewritten to use {}, which is dropped)", r.old)
            });
            steps.push(format!("re-create {} {name}", d.kind()));
        }
    }
    if r.rename < r.drop {
        // Renamed first: SQLite re-pointed the children's foreign keys to
        // the old table's temporary name, which is now dropped.
        for (name, _) in catalog.children_of(&r.old) {
            // A child created again later in the migration gets its own
            // foreign keys.
            let rebuilt = later.iter().any(|s| match &s.action {
                Action::CreateTable(ct) => &ct.name == name,
                _ => false,
            });
            if name == &r.old || name == &r.new || rebuilt {
                continue;
            }
            lost.push(format!(
                "the foreign key of {name} (rewritten to REFERENCES {}, which is dropped)",
                r.old
            ));
            steps.push(format!(
                "rebuild {name} with REFERENCES {table}, or use the create-copy-drop-rename order"
            ));
        }
    }
    if !lost.is_empty() {
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "the rebuild of {table} loses {}, and the migration does not create them again",
                lost.join(", ")
            ),
            format!(
                "re-create them after the rename, in the same migration: {}",
                steps.join(" ")
            ),
        ));
    }
    let children = cascading_children(catalog, &r.old);
    if !children.is_empty() && foreign_keys_on(cx, &r) {
        out.push(
            cx.hit(
                cx.stmt.span,
                format!(
                    "with foreign keys on, dropping {old} deletes every row of {} that references \
                 it (ON DELETE CASCADE), and the copy does not bring them back",
                    children.join(", "),
                    old = r.old
                ),
                "turn foreign keys off before the transaction (`PRAGMA foreign_keys = OFF;` then \
             BEGIN), rebuild, run `PRAGMA foreign_key_check;`, COMMIT, then turn them on again"
                    .to_string(),
            ),
        );
    }
}

/// Tables whose foreign key to `parent` says ON DELETE CASCADE, by name.
fn cascading_children(catalog: &Catalog, parent: &Name) -> Vec<String> {
    catalog
        .children_of(parent)
        .into_iter()
        .filter(|(n, _)| *n != parent)
        .filter(|(_, t)| {
            t.constraints.iter().any(|c| {
                matches!(&c.kind, ConstraintKind::ForeignKey { references, on_delete_cascade: true }
                    if references == parent)
            })
        })
        .map(|(n, _)| n.to_string())
        .collect()
}

/// Whether foreign keys are enforced at the drop: the connection's default
/// (on for sqlx, which turns them on; off for SQLite itself), changed only
/// by a `PRAGMA foreign_keys` that ran outside a transaction.
fn foreign_keys_on(cx: &StmtCx<'_>, r: &Rebuild) -> bool {
    let mut on = cx.layout == Layout::Sqlx;
    let wrapped = cx.migration.tx == TxMode::Wrapped;
    let mut explicit = false;
    for s in cx.siblings.iter().take(r.drop) {
        match &s.action {
            Action::Begin => explicit = true,
            Action::Commit | Action::Rollback => explicit = false,
            Action::Pragma { name, value } if name == "foreign_keys" && !wrapped && !explicit => {
                match value.as_str() {
                    "on" | "1" | "true" | "yes" => on = true,
                    "off" | "0" | "false" | "no" => on = false,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    on
}
