//! drop-object: `DROP` of an existing function, procedure, aggregate, type,
//! domain, sequence, extension, trigger, policy, MySQL event, or of a unique
//! or primary-key constraint.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::catalog::Catalog;
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, ConstraintKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "drop-object",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "drops a function, type, domain, sequence, extension, trigger, policy or key that code still names",
    doc: include_str!("../../rules/drop-object.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match &cx.stmt.action {
        Action::Drop {
            kind,
            names,
            if_exists,
            cascade,
            table,
            signatures,
            ..
        } if is_object(*kind) => {
            for (i, name) in names.iter().enumerate() {
                let signature = signatures.get(i).cloned().flatten();
                drop_one(
                    cx,
                    out,
                    *kind,
                    name,
                    table.as_deref(),
                    signature.as_deref(),
                    *if_exists,
                    *cascade,
                );
            }
        }
        Action::DropTrigger { name } => {
            // SQLite: a trigger of the replayed schema.
            let on = cx
                .catalog
                .dependents
                .get(name)
                .and_then(|d| d.trigger_on.clone());
            if let Some(table) = on
                && !cx.is_new_object(ObjectKind::Trigger, name)
                && !replaced_sqlite_trigger(cx, name)
            {
                out.push(trigger_hit(cx, name, Some(&table)));
            }
        }
        Action::AlterTable { table, ops, .. } => {
            for op in ops {
                if let AlterKind::DropConstraint { name, .. } = &op.kind {
                    drop_key(cx, out, table, name, op.span);
                }
            }
        }
        _ => {}
    }
}

fn is_object(kind: ObjectKind) -> bool {
    matches!(
        kind,
        ObjectKind::Function
            | ObjectKind::Procedure
            | ObjectKind::Aggregate
            | ObjectKind::Type
            | ObjectKind::Domain
            | ObjectKind::Sequence
            | ObjectKind::Extension
            | ObjectKind::Trigger
            | ObjectKind::Policy
            | ObjectKind::Event
    )
}

/// `orders.total` for each column whose default calls `function` (a word
/// followed by `(`) or names `sequence` in a quoted string.
fn defaults_using(catalog: &Catalog, word: &str, call: bool) -> Vec<String> {
    let word = word.to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for (t, table) in catalog.tables_with_default_naming(&word) {
        for c in table.columns() {
            let Some(d) = c.default.as_deref() else {
                continue;
            };
            let d = d.to_lowercase();
            let uses = if call {
                d.match_indices(&word).any(|(at, _)| {
                    let before = d.get(..at).and_then(|x| x.chars().last());
                    let after = d
                        .get(at + word.len()..)
                        .and_then(|x| x.trim_start().chars().next());
                    before.is_none_or(|b| !(b.is_alphanumeric() || b == '_')) && after == Some('(')
                })
            } else {
                d.contains(&format!("'{word}'")) || d.contains(&format!(".{word}'"))
            };
            if uses {
                out.push(col(t, &c.name));
            }
        }
    }
    out.sort_unstable();
    out
}

#[allow(clippy::too_many_arguments)]
fn drop_one(
    cx: &StmtCx<'_>,
    out: &mut Vec<Hit>,
    kind: ObjectKind,
    name: &Name,
    on: Option<&Name>,
    signature: Option<&str>,
    if_exists: bool,
    cascade: bool,
) {
    if cx.is_new_object(kind, name) {
        return;
    }
    let exists = cx.catalog.has_object(kind, name, on);
    // DROP … IF EXISTS of what the complete history never created: a no-op.
    if !exists && if_exists && cx.settings.start_after.is_none() {
        return;
    }
    if let Some(hits) = replaced_later(cx, kind, name, on, signature) {
        out.extend(hits);
        return;
    }
    if let Some(hits) = swapped(cx, kind, name) {
        out.extend(hits);
        return;
    }
    if kind == ObjectKind::Function
        && cx
            .catalog
            .functions
            .get(name)
            .is_some_and(|f| f.returns_trigger)
    {
        // Run by triggers only, never called by code: the server refuses
        // the drop while a trigger runs it, and CASCADE drops those triggers.
        if cascade {
            out.push(Hit {
                severity: Some(Severity::Warning),
                ..cx.hit(
                    cx.stmt.span,
                    format!(
                        "dropping trigger function {name} with CASCADE also drops every trigger that runs it: \
                         what they did on each write stops"
                    ),
                    format!(
                        "drop the triggers that run {name} by name first (`DROP TRIGGER … ON …;`), then the \
                         function without CASCADE"
                    ),
                )
            });
        }
        return;
    }
    let what = kind.describe();
    let shown = match signature {
        Some(s) => format!("{name}({s})"),
        None => name.to_string(),
    };
    if kind == ObjectKind::Trigger {
        // MySQL names no table: the one the history put it on.
        let table = on.cloned().or_else(|| {
            cx.catalog
                .objects_named(kind, name)
                .next()
                .and_then(|(_, _, t)| t.clone())
        });
        out.push(trigger_hit(cx, name, table.as_ref()));
        return;
    }
    let catalog = cx.catalog;
    let (breaks, users, help) = match kind {
        ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate => (
            format!(
                "deployed code that calls {name}, and the triggers, views and defaults that use it, break"
            ),
            defaults_using(catalog, &name.name, true)
                .into_iter()
                .map(|c| format!("the default of {c}"))
                .collect::<Vec<_>>(),
            format!(
                "first deploy code that no longer calls {name} and move what uses it elsewhere, then drop it in a \
                 later migration; to change its body, `CREATE OR REPLACE {} {name}(…)` with the same arguments",
                what.to_uppercase()
            ),
        ),
        ObjectKind::Type | ObjectKind::Domain => (
            format!("deployed code that casts to {name} or writes its values breaks"),
            catalog
                .tables_using_type(name)
                .into_iter()
                .flat_map(|(t, cols)| {
                    cols.into_iter()
                        .map(move |c| format!("column {}", col(t, c)))
                })
                .collect(),
            format!(
                "first move the columns and code off {name} (`ALTER TABLE … ALTER COLUMN … TYPE …` in its own \
                 migration), then drop {name} in a later migration"
            ),
        ),
        ObjectKind::Sequence => (
            format!("deployed code that calls nextval('{name}') breaks"),
            defaults_using(catalog, &name.name, false)
                .into_iter()
                .map(|c| format!("the default of {c}"))
                .collect(),
            format!(
                "first deploy code that no longer uses {name} and give the columns that draw from it another \
                 default, then drop it in a later migration"
            ),
        ),
        ObjectKind::Extension => (
            "its functions, types and operators go with it: deployed code, columns, indexes and defaults that \
                 use them break"
            .to_string(),
            Vec::new(),
            format!(
                "first move code and columns off what {name} provides, then drop it in a later migration"
            ),
        ),
        ObjectKind::Policy => {
            let table = on.map_or_else(String::new, |t| format!(" on {t}"));
            out.push(Hit {
                severity: Some(Severity::Warning),
                tables: on.into_iter().cloned().collect(),
                ..cx.hit(
                    cx.stmt.span,
                    format!(
                        "dropping policy {name}{table} changes which rows each role may see and write: with row \
                         level security on, rows only it allowed become invisible, and code that relied on it \
                         gets other rows"
                    ),
                    format!(
                        "create the policy that replaces {name} first (or in the same transaction), then drop it"
                    ),
                )
            });
            return;
        }
        ObjectKind::Event => (
            "the job it ran on its schedule stops".to_string(),
            Vec::new(),
            format!(
                "if the job is still needed, move it elsewhere first; to change it, `ALTER EVENT {name} …` keeps it \
                 in place"
            ),
        ),
        _ => return,
    };
    let refused = if !cascade && !users.is_empty() && cx.dialect == Dialect::Postgres {
        format!(
            "; {} still {} it, so PostgreSQL refuses the drop without CASCADE",
            users.join(", "),
            if users.len() == 1 { "uses" } else { "use" }
        )
    } else if cascade && !users.is_empty() {
        format!(
            "; CASCADE also drops {}",
            users
                .iter()
                .map(|u| u
                    .strip_prefix("column ")
                    .map_or_else(|| u.clone(), |c| format!("column {c} with its data")))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        String::new()
    };
    out.push(cx.hit(
        cx.stmt.span,
        format!("dropping {what} {shown}: {breaks}{refused}"),
        help,
    ));
}

fn trigger_hit(cx: &StmtCx<'_>, name: &Name, table: Option<&Name>) -> Hit {
    let (on, writes) = match table {
        Some(t) => (format!(" on {t}"), format!("each write to {t}")),
        None => (String::new(), "each write to its table".to_string()),
    };
    Hit {
        severity: Some(Severity::Warning),
        tables: table.into_iter().cloned().collect(),
        ..cx.hit(
            cx.stmt.span,
            format!(
                "dropping trigger {name}{on} stops what it does on {writes}: code that relies on it (audit rows, \
                 derived columns, checks) silently gets other data"
            ),
            format!(
                "make sure nothing relies on what {name} does; to change it, drop and re-create it in one \
                 transaction"
            ),
        )
    }
}

/// SQLite: the trigger is created again later in the migration.
fn replaced_sqlite_trigger(cx: &StmtCx<'_>, name: &Name) -> bool {
    cx.later()
        .any(|s| matches!(&s.action, Action::CreateTrigger(t) if t.name == *name))
}

/// A drop followed, later in the migration, by a create of the same name:
/// a replacement. `Some` with what it loses (nothing when it keeps the
/// signature or the values, in one transaction), `None` when not re-created.
fn replaced_later(
    cx: &StmtCx<'_>,
    kind: ObjectKind,
    name: &Name,
    on: Option<&Name>,
    signature: Option<&str>,
) -> Option<Vec<Hit>> {
    let mut split = cx.transaction.is_none();
    let mut new_signature: Option<Option<&str>> = None;
    let mut new_values: Option<&Vec<String>> = None;
    for s in cx.later() {
        match &s.action {
            Action::Begin | Action::Commit | Action::Rollback => split = true,
            Action::CreateFunction(f) if kind == ObjectKind::Function && &f.name == name => {
                new_signature = Some(f.signature.as_deref());
                break;
            }
            Action::CreateObject(o)
                if o.kind == kind && &o.name == name && (on.is_none() || o.on.as_ref() == on) =>
            {
                new_signature = Some(o.signature.as_deref());
                break;
            }
            Action::CreateEnum { name: n, values } if kind == ObjectKind::Type && n == name => {
                new_values = Some(values);
                new_signature = Some(None);
                break;
            }
            Action::CreateDomain { name: n, .. } if kind == ObjectKind::Domain && n == name => {
                new_signature = Some(None);
                break;
            }
            _ => {}
        }
    }
    let new_signature = new_signature?;
    let what = kind.describe();
    // MySQL has no transactional DDL and (before MariaDB's OR REPLACE) no
    // other way to change a routine, trigger or event: nothing better to say.
    if split && cx.dialect != Dialect::Mysql {
        return Some(vec![Hit {
            severity: Some(Severity::Warning),
            ..cx.hit(
                cx.stmt.span,
                format!(
                    "{what} {name} is dropped and created again in separate transactions: in between, what uses \
                     it fails"
                ),
                format!(
                    "drop and re-create {name} in one transaction (`BEGIN; DROP …; CREATE …; COMMIT;`){}",
                    if matches!(kind, ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Trigger) {
                        ", or use `CREATE OR REPLACE` when the arguments stay the same"
                    } else {
                        ""
                    }
                ),
            )
        }]);
    }
    if let (Some(old), Some(new)) = (cx.catalog.enums.get(name), new_values) {
        let lost: Vec<&str> = old
            .iter()
            .filter(|v| !new.contains(v))
            .map(String::as_str)
            .collect();
        if !lost.is_empty() {
            let values = lost
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", ");
            return Some(vec![cx.hit(
                cx.stmt.span,
                format!(
                    "type {name} is re-created without value(s) {values}: deployed code that writes or compares \
                     them breaks"
                ),
                format!("keep {values} in the new {name} until no deployed code uses them"),
            )]);
        }
    }
    // The overload dropped: as written, or the only one the history knows.
    let old = signature.map(ToString::to_string).or_else(|| {
        cx.catalog
            .signatures(kind, name)
            .filter(|s| s.len() == 1)
            .and_then(|s| s.iter().next().cloned())
    });
    if let (Some(old), Some(new)) = (old, new_signature)
        && old != new
    {
        return Some(vec![cx.hit(
            cx.stmt.span,
            format!(
                "{what} {name}({old}) is re-created as {name}({new}): deployed code that calls it with the old \
                 arguments breaks"
            ),
            format!(
                "create {name}({new}) beside {name}({old}) (an overload), move callers to it, and drop {name}({old}) \
                 in a later migration"
            ),
        )]);
    }
    Some(Vec::new())
}

/// The enum swap: `ALTER TYPE t RENAME TO t_old; CREATE TYPE t …; ALTER
/// TABLE … TYPE t USING …; DROP TYPE t_old;` in one migration. Dropping the
/// renamed old type is judged as the replacement of `t`: a finding only
/// for the values the new `t` lost.
fn swapped(cx: &StmtCx<'_>, kind: ObjectKind, name: &Name) -> Option<Vec<Hit>> {
    if kind != ObjectKind::Type {
        return None;
    }
    let old_name = cx.earlier().find_map(|s| match &s.action {
        Action::RenameObject(r) if r.kind == ObjectKind::Type && r.to == *name => {
            Some(r.from.clone())
        }
        _ => None,
    })?;
    let recreated = cx.earlier().any(|s| match &s.action {
        Action::CreateEnum { name: n, .. } => *n == old_name,
        Action::CreateObject(o) => o.name == old_name,
        _ => false,
    });
    if !recreated {
        return None;
    }
    let (Some(old), Some(new)) = (cx.catalog.enums.get(name), cx.catalog.enums.get(&old_name))
    else {
        return Some(Vec::new());
    };
    let lost: Vec<String> = old
        .iter()
        .filter(|v| !new.contains(v))
        .map(|v| format!("'{v}'"))
        .collect();
    if lost.is_empty() {
        return Some(Vec::new());
    }
    let values = lost.join(", ");
    Some(vec![cx.hit(
        cx.stmt.span,
        format!(
            "type {old_name} is replaced by a new type without value(s) {values}: deployed code that writes or \
             compares them breaks"
        ),
        format!(
            "keep {values} in the new {old_name} until no deployed code writes them, and remove them in a later \
             migration"
        ),
    )])
}

/// A unique or primary-key constraint of an existing table, dropped: upserts
/// that name it or its columns break. A warning; not when the migration
/// adds a constraint of that name again.
fn drop_key(
    cx: &StmtCx<'_>,
    out: &mut Vec<Hit>,
    table: &Name,
    name: &str,
    span: crate::model::ByteSpan,
) {
    if cx.is_new_table(table) {
        return;
    }
    let Some(c) = cx.catalog.table(table).and_then(|t| t.constraint(name)) else {
        return;
    };
    let key = match c.kind {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique constraint",
        _ => return,
    };
    let added = |s: &crate::parse::Stmt| {
        matches!(&s.action, Action::AlterTable { table: t, ops, .. } if t == table && ops.iter().any(|o| {
            matches!(&o.kind, AlterKind::AddConstraint(d) if d.name.as_deref() == Some(name))
        }))
    };
    let mut columns = c.columns.clone();
    columns.sort_unstable();
    let same_columns = |cols: &[String]| {
        let mut cols = cols.to_vec();
        cols.sort_unstable();
        cols == columns
    };
    // Another key on the same columns, added in the same migration.
    let same_key = |s: &crate::parse::Stmt| {
        match &s.action {
        Action::AlterTable { table: t, ops, .. } if t == table => ops.iter().any(|o| {
            matches!(&o.kind, AlterKind::AddConstraint(d)
                if matches!(d.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) && same_columns(&d.columns))
        }),
        Action::CreateIndex(ci) => ci.table == *table && ci.unique && same_columns(&ci.columns),
        _ => false,
    }
    };
    if cx.earlier().any(added)
        || cx.later().any(added)
        || alter_readds(cx, name)
        || cx.earlier().any(same_key)
        || cx.later().any(same_key)
        || same_key(cx.stmt)
    {
        return;
    }
    let cols = c.columns.join(", ");
    out.push(Hit {
        severity: Some(Severity::Warning),
        tables: vec![table.clone()],
        ..cx.hit(
            span,
            format!(
                "dropping {key} {name} on {table} breaks upserts that name it (`ON CONFLICT ON CONSTRAINT {name}`) \
                 or its columns (`ON CONFLICT ({cols})`), and lets duplicate ({cols}) rows in"
            ),
            format!(
                "first deploy code whose upserts no longer rely on ({cols}) being unique, or add the replacement \
                 key (`CREATE UNIQUE INDEX CONCURRENTLY …`, then `ADD CONSTRAINT … UNIQUE USING INDEX …`) before \
                 dropping {name}"
            ),
        )
    });
}

/// The same ALTER TABLE adds a constraint of that name again.
fn alter_readds(cx: &StmtCx<'_>, name: &str) -> bool {
    matches!(&cx.stmt.action, Action::AlterTable { ops, .. } if ops.iter().any(|o| {
        matches!(&o.kind, AlterKind::AddConstraint(d) if d.name.as_deref() == Some(name))
    }))
}
