//! refused-by-server: a statement the target server rejects at deploy, given
//! the schema replayed so far and the target version. One section per
//! dialect.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::catalog::{Catalog, Table};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, ColumnDef, ConstraintKind, Generated, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "refused-by-server",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: true,
    },
    summary: "a statement the target server rejects at deploy, given the schema so far and the version",
    doc: include_str!("../../rules/refused-by-server.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match cx.dialect {
        Dialect::Sqlite => sqlite(cx, out),
        Dialect::Postgres => postgres(cx, out),
        Dialect::Mysql => mysql(cx, out),
    }
}

/// PostgreSQL refuses to drop what a view or another table's foreign key
/// still depends on, unless `CASCADE` says to drop those too (SQLSTATE
/// 2BP01, "cannot drop … because other objects depend on it").
fn postgres(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match &cx.stmt.action {
        Action::Drop {
            kind: kind @ (ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView),
            names,
            cascade: false,
            ..
        } => {
            for name in names {
                let exists = match kind {
                    ObjectKind::Table => cx.catalog.tables.contains_key(name),
                    _ => cx.catalog.views.get(name) == Some(kind),
                };
                if !exists {
                    continue;
                }
                let (views, fks) = pg_dependants(cx.catalog, name, None, names);
                if let Some((message, help)) =
                    pg_refusal(&format!("{} {name}", kind.describe()), &views, &fks)
                {
                    out.push(cx.hit(cx.stmt.span, message, help));
                }
            }
        }
        Action::AlterTable { table, ops, .. } => {
            for op in ops {
                if let AlterKind::AddConstraint(def) = &op.kind
                    && def.kind == ConstraintKind::NotNull
                    && cx.settings.postgres_version < 18
                {
                    out.push(cx.hit(
                        op.span,
                        format!(
                            "`ADD CONSTRAINT … NOT NULL` is PostgreSQL 18 syntax: PostgreSQL {} refuses it \
                             (42601, syntax error)",
                            cx.settings.postgres_version
                        ),
                        format!(
                            "if the server is 18, say so (`--postgres-version 18`, `postgres-version = 18` in \
                             bellows.toml); else add `CHECK ({c} IS NOT NULL) NOT VALID`, validate it in a later \
                             migration, then `ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL` (no scan)",
                            c = def.columns.first().map_or("…", String::as_str)
                        ),
                    ));
                    continue;
                }
                let cascade = cx
                    .source(op.span)
                    .split_whitespace()
                    .last()
                    .is_some_and(|w| w.eq_ignore_ascii_case("CASCADE"));
                if let AlterKind::DropConstraint { name, .. } = &op.kind
                    && !cascade
                    && let Some(key) = cx
                        .catalog
                        .table(table)
                        .and_then(|t| t.constraint(name))
                        .filter(|c| c.kind == ConstraintKind::PrimaryKey)
                    && let Some(first) = key.columns.first()
                {
                    // The foreign keys that reference the table use its key's index.
                    let (_, fks) = pg_dependants(cx.catalog, table, Some(first), &[]);
                    if let Some((message, help)) =
                        pg_refusal(&format!("primary key {name} of {table}"), &[], &fks)
                    {
                        out.push(cx.hit(op.span, message, help));
                    }
                    continue;
                }
                let AlterKind::DropColumn { name, .. } = &op.kind else {
                    continue;
                };
                if cascade
                    || cx
                        .catalog
                        .table(table)
                        .is_none_or(|t| t.column(name).is_none())
                {
                    continue;
                }
                let (views, fks) = pg_dependants(cx.catalog, table, Some(name), &[]);
                if let Some((message, help)) =
                    pg_refusal(&format!("column {}", col(table, name)), &views, &fks)
                {
                    out.push(cx.hit(op.span, message, help));
                }
            }
        }
        _ => {}
    }
}

/// The views (by name) and other tables' foreign keys (`(constraint,
/// table)`) that still depend on `relation` (or its `column`), leaving out
/// what the same statement drops too.
fn pg_dependants(
    catalog: &Catalog,
    relation: &Name,
    column: Option<&str>,
    dropped_too: &[Name],
) -> (Vec<Name>, Vec<(String, Name)>) {
    let (views, _) = catalog.cascade_of(relation, column);
    let views: Vec<Name> = views
        .into_iter()
        .filter(|v| !dropped_too.contains(v))
        .collect();
    let mut fks: Vec<(String, Name)> = Vec::new();
    // A foreign key depends on the referenced table, and on its key columns:
    // a column of the primary key, when the table has no other unique key a
    // foreign key could use.
    let key_column = match (column, catalog.table(relation)) {
        (None, _) => true,
        (Some(c), Some(t)) => {
            let keys: Vec<_> = t
                .constraints
                .iter()
                .filter(|k| matches!(k.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique))
                .collect();
            keys.len() == 1
                && keys.iter().all(|k| {
                    k.kind == ConstraintKind::PrimaryKey && k.columns.iter().any(|x| x == c)
                })
                && !catalog.indexes_of(relation).any(|(_, i)| i.unique)
        }
        (Some(_), None) => false,
    };
    if key_column {
        for (c, t) in catalog.foreign_keys_to(relation) {
            if t != relation && !dropped_too.contains(t) {
                fks.push((c.name.clone(), t.clone()));
            }
        }
    }
    fks.sort_unstable();
    (views, fks)
}

/// The finding for dropping `what` while `views` and `fks` depend on it.
fn pg_refusal(what: &str, views: &[Name], fks: &[(String, Name)]) -> Option<(String, String)> {
    let mut why: Vec<String> = views.iter().map(|v| format!("view {v}")).collect();
    why.extend(fks.iter().map(|(c, t)| format!("foreign key {c} on {t}")));
    if why.is_empty() {
        return None;
    }
    let mut first: Vec<String> = views
        .iter()
        .rev()
        .map(|v| format!("DROP VIEW {v};"))
        .collect();
    first.extend(
        fks.iter()
            .map(|(c, t)| format!("ALTER TABLE {t} DROP CONSTRAINT {c};")),
    );
    Some((
        format!(
            "dropping {what} is refused by PostgreSQL without CASCADE: {} still {} on it \
             (\"cannot drop … because other objects depend on it\"); {}",
            why.join(", "),
            if why.len() == 1 { "depends" } else { "depend" },
            fails()
        ),
        format!(
            "first `{}` (and re-create what must stay without it afterwards), or add CASCADE knowing \
             that it drops {} too",
            first.join(" "),
            why.join(", ")
        ),
    ))
}

/// SQLite's ALTER TABLE: sqlite-ddl.md, "ALTER TABLE forms".
fn sqlite(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    for op in ops {
        let refusal = match &op.kind {
            AlterKind::AddColumn { column, .. } => sqlite_add_column(cx, table, column),
            AlterKind::DropColumn { name, .. } => sqlite_drop_column(cx, table, name),
            AlterKind::RenameColumn { .. } | AlterKind::RenameTo { .. } => {
                sqlite_dangling_view(cx.catalog, table)
            }
            other => sqlite_unsupported(cx, table, other),
        };
        if let Some((message, help)) = refusal {
            out.push(cx.hit(op.span, message, help));
        }
    }
}

/// The steps that replace an ALTER SQLite does not have.
fn rebuild(table: &Name) -> String {
    format!(
        "rebuild {table} instead: with `PRAGMA foreign_keys = OFF` before the transaction, \
         `CREATE TABLE {table}_new (…)`, `INSERT INTO {table}_new (…) SELECT … FROM {table}`, \
         `DROP TABLE {table}`, `ALTER TABLE {table}_new RENAME TO {table}`, then re-create its \
         indexes, triggers and views"
    )
}

fn fails() -> &'static str {
    "the migration fails at deploy"
}

fn sqlite_add_column(cx: &StmtCx<'_>, table: &Name, c: &ColumnDef) -> Option<(String, String)> {
    let name = &c.name;
    let colname = col(table, name);
    if c.primary_key {
        return Some((
            format!(
                "adding {colname} as a PRIMARY KEY column is refused by SQLite (\"Cannot add a PRIMARY KEY column\"): {}",
                fails()
            ),
            rebuild(table),
        ));
    }
    if c.unique {
        return Some((
            format!(
                "adding {colname} as a UNIQUE column is refused by SQLite (\"Cannot add a UNIQUE column\"): {}",
                fails()
            ),
            format!(
                "add the column without UNIQUE, then build the index: \
                 `CREATE UNIQUE INDEX {t}_{name}_key ON {table} ({name});`",
                t = table.name
            ),
        ));
    }
    if c.generated == Some(Generated::Stored) {
        return Some((
            format!(
                "adding the STORED generated column {colname} is refused by SQLite (\"cannot add a STORED column\"): {}",
                fails()
            ),
            format!(
                "add it as `GENERATED ALWAYS AS (…) VIRTUAL` (computed on read), or {}",
                rebuild(table)
            ),
        ));
    }
    let default = c.default.as_deref().filter(|d| *d != "null");
    if let Some(d) = default
        && !constant_default(d)
    {
        return Some((
            format!(
                "adding {colname} with the non-constant default `{d}` is refused by SQLite \
                 (\"Cannot add a column with non-constant default\"): {}",
                fails()
            ),
            format!(
                "add {colname} with a constant default (or none), then fill existing rows with \
                 an `UPDATE {table} SET {name} = …` in batches; or {}",
                rebuild(table)
            ),
        ));
    }
    if c.not_null && default.is_none() && c.generated.is_none() && !cx.is_new_table(table) {
        return Some((
            format!(
                "adding {colname} NOT NULL without a default is refused by SQLite once the table \
                 has rows (\"Cannot add a NOT NULL column with default value NULL\"): {}",
                fails()
            ),
            format!(
                "give it a constant default: `ALTER TABLE {table} ADD COLUMN {name} … NOT NULL DEFAULT …;`, \
                 or add it nullable and {}",
                rebuild(table)
            ),
        ));
    }
    if c.extra().references.is_some() && default.is_some() && foreign_keys_on(cx) {
        return Some((
            format!(
                "adding the REFERENCES column {colname} with a non-NULL default is refused by SQLite \
                 while foreign_keys is ON (\"Cannot add a REFERENCES column with non-NULL default value\"): {}",
                fails()
            ),
            format!("add {colname} with no default (NULL), then fill it with an `UPDATE`"),
        ));
    }
    None
}

/// SQLite accepts only literal defaults in ADD COLUMN: no `CURRENT_*`, no
/// parenthesised expression.
fn constant_default(d: &str) -> bool {
    let d = d.trim();
    !(d.starts_with('(') || matches!(d, "current_timestamp" | "current_time" | "current_date"))
}

/// `PRAGMA foreign_keys = ON` ran earlier in the migration (SQLite's
/// default is OFF).
fn foreign_keys_on(cx: &StmtCx<'_>) -> bool {
    let mut on = false;
    for s in cx.earlier() {
        if let Action::Pragma { name, value } = &s.action
            && name == "foreign_keys"
        {
            on = matches!(value.as_str(), "on" | "1" | "true" | "yes");
        }
    }
    on
}

fn sqlite_drop_column(cx: &StmtCx<'_>, table: &Name, name: &str) -> Option<(String, String)> {
    let colname = col(table, name);
    let version = cx.settings.sqlite_version;
    if !version.at_least(35) {
        return Some((
            format!(
                "dropping {colname} is a syntax error on SQLite {version}, which has no DROP COLUMN \
                 (it arrived in 3.35): {}",
                fails()
            ),
            format!(
                "{}; or, if every server runs 3.35 or later, say so with `--sqlite-version`",
                rebuild(table)
            ),
        ));
    }
    if let Some(view) = sqlite_dangling_view(cx.catalog, table) {
        return Some(view);
    }
    let catalog = cx.catalog;
    let t = catalog.table(table)?;
    let mut why: Vec<String> = Vec::new();
    let mut first_step: Vec<String> = Vec::new();
    let mut needs_rebuild = false;
    for c in t
        .constraints
        .iter()
        .filter(|c| c.columns.iter().any(|x| x == name))
    {
        match &c.kind {
            ConstraintKind::PrimaryKey => {
                why.push("it is in the PRIMARY KEY".to_string());
                needs_rebuild = true;
            }
            ConstraintKind::Unique => {
                why.push("it is UNIQUE".to_string());
                needs_rebuild = true;
            }
            ConstraintKind::ForeignKey { references, .. } if !c.inline => {
                why.push(format!(
                    "the table's FOREIGN KEY ({}) REFERENCES {references} uses it",
                    c.columns.join(", ")
                ));
                needs_rebuild = true;
            }
            ConstraintKind::Check { .. } if !c.inline => {
                why.push(format!("a CHECK constraint of {table} uses it"));
                needs_rebuild = true;
            }
            _ => {}
        }
    }
    let mut indexes: Vec<&Name> = catalog
        .indexes_of(table)
        .filter(|(_, i)| i.columns.iter().any(|x| x == name))
        .map(|(n, _)| n)
        .collect();
    indexes.sort_unstable();
    for i in indexes {
        why.push(format!("index {i} uses it"));
        first_step.push(format!("DROP INDEX {i};"));
    }
    for c in other_columns_using(t, name) {
        why.push(format!("column {} uses it", col(table, c)));
        needs_rebuild = true;
    }
    for (n, d) in catalog.dependents_using(table, name) {
        why.push(format!("{} {n} uses it", d.kind()));
        first_step.push(format!("DROP {} {n};", d.kind().to_uppercase()));
    }
    if why.is_empty() {
        return None;
    }
    let help = if needs_rebuild {
        rebuild(table)
    } else {
        format!(
            "first `{}`, then `ALTER TABLE {table} DROP COLUMN {name};`, then re-create what \
             still needs to exist without {colname}",
            first_step.join(" ")
        )
    };
    Some((
        format!(
            "dropping {colname} is refused by SQLite: {}; {}",
            why.join(", "),
            fails()
        ),
        help,
    ))
}

/// The columns of a table whose CHECK or generation expression names `name`.
fn other_columns_using<'a>(t: &'a Table, name: &'a str) -> impl Iterator<Item = &'a str> {
    t.columns()
        .iter()
        .filter(move |c| c.name != name && c.extra().refs.iter().any(|r| r == name))
        .map(|c| c.name.as_str())
}

/// SQLite re-reads every view when a table or column is renamed or a
/// column dropped: one left naming a dropped table stops it (sqlite-ddl.md 5b).
fn sqlite_dangling_view(catalog: &Catalog, table: &Name) -> Option<(String, String)> {
    let (view, gone) = catalog.dangling_view()?;
    Some((
        format!(
            "this change of {table} is refused by SQLite: view {view} still names the dropped \
             table {gone}, and SQLite re-reads every view when a table changes (\"error in \
             view {view}\"); {}",
            fails()
        ),
        format!(
            "drop view {view} before dropping {gone}, and re-create it once the new {gone} is in place"
        ),
    ))
}

/// ALTER TABLE forms SQLite before 3.53 reads as syntax errors.
fn sqlite_unsupported(cx: &StmtCx<'_>, table: &Name, op: &AlterKind) -> Option<(String, String)> {
    let what = match op {
        AlterKind::SetType { .. } | AlterKind::Redefine { .. } => "change a column's type",
        AlterKind::SetNotNull { .. } | AlterKind::DropNotNull { .. } => {
            "change a column's NOT NULL"
        }
        AlterKind::SetDefault { .. } | AlterKind::DropDefault { .. } => "change a column's default",
        AlterKind::AddConstraint(_) => "add a constraint",
        AlterKind::DropConstraint { .. } | AlterKind::DropPrimaryKey => "drop a constraint",
        AlterKind::RenameConstraint { .. } => "rename a constraint",
        _ => return None,
    };
    let version = cx.settings.sqlite_version;
    Some((
        format!(
            "this ALTER TABLE is a syntax error on SQLite {version}, which cannot {what} (its \
             ALTER TABLE only renames the table and adds, renames or drops a column): {}",
            fails()
        ),
        rebuild(table),
    ))
}

/// MySQL/MariaDB: the statement's own `ALGORITHM=`/`LOCK=` that the change
/// cannot have on the target, or MariaDB-only syntax on MySQL (the online
/// DDL model, `catalog::mysql::refusal`); and a FULLTEXT/SPATIAL index
/// asked to be built instantly or with `LOCK=NONE`.
fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let server = cx.settings.mysql_version;
    // MariaDB 10.x: `DROP INDEX i ON t ALGORITHM=… LOCK=…` is a syntax error (measured on 10.11).
    if let Action::Drop {
        kind: crate::parse::ir::ObjectKind::Index,
        names,
        table: Some(t),
        ..
    } = &cx.stmt.action
        && server.is_mariadb()
        && server.major == 10
        && let normalized = cx.normalized()
        && (normalized.contains(" ALGORITHM ") || normalized.contains(" LOCK "))
    {
        let index = names.first().map_or_else(String::new, |n| n.name.clone());
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "the server ({server}) refuses ALGORITHM=/LOCK= on DROP INDEX … ON {t} (a syntax error, 1064); \
                 the migration stops here at deploy"
            ),
            format!("write it as `ALTER TABLE {t} DROP INDEX {index}, ALGORITHM=INPLACE, LOCK=NONE;`, which it accepts"),
        ));
        return;
    }
    if let Action::CreateIndex(ci) = &cx.stmt.action {
        if cx.is_new_table(&ci.table) {
            return;
        }
        let words = cx.normalized().replace(" = ", " ");
        let special = ci.kind != crate::parse::ir::IndexKind::Plain;
        let (clause, why) = if words.contains("ALGORITHM INSTANT") {
            (
                "ALGORITHM=INSTANT",
                "an index is built, never added instantly",
            )
        } else if special && words.contains("LOCK NONE") {
            (
                "LOCK=NONE",
                "a FULLTEXT or SPATIAL index is built while writes wait (\"Fulltext index creation requires a lock\")",
            )
        } else {
            return;
        };
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "the server ({server}) refuses {clause} on this CREATE INDEX: {why}; the migration stops here at deploy"
            ),
            "assert what the build supports instead: `ALGORITHM=INPLACE LOCK=SHARED` for a FULLTEXT or SPATIAL \
             index, `ALGORITHM=INPLACE LOCK=NONE` for any other"
                .to_string(),
        ));
        return;
    }
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return;
    };
    let Some(r) = crate::catalog::mysql::refusal(&plan, server) else {
        return;
    };
    let Some(op) = ops.get(r.op) else {
        return;
    };
    let help = if r.clause == "WAIT/NOWAIT" {
        "bound the wait with `SET SESSION lock_wait_timeout = 5;` before the statement instead"
            .to_string()
    } else {
        match crate::catalog::mysql::assertion(&plan) {
            Some(a) => format!(
                "assert what the change supports on {server} instead: `{a}`, so the server still refuses rather \
                 than silently does worse"
            ),
            None => format!(
                "the change needs a table copy on {server}: drop the clause and {}",
                crate::catalog::mysql::online_tool_help(cx.catalog, table)
            ),
        }
    };
    out.push(cx.hit(
        op.span,
        format!(
            "the server ({server}) refuses {} on this ALTER TABLE of {table}: {}; the migration stops here at deploy",
            r.clause, r.why
        ),
        help,
    ));
}
