//! backfill-in-migration: `UPDATE` / `DELETE` / `INSERT … SELECT` on an existing table in a migration.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, DmlKind};

pub static RULE: Rule = Rule {
    id: "backfill-in-migration",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: false,
    },
    summary: "rewrites rows of an existing table inside a migration, holding locks for the whole transaction",
    doc: include_str!("../../rules/backfill-in-migration.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Dml { kind, table } = &cx.stmt.action else {
        return;
    };
    let verb = match kind {
        DmlKind::Update => "updating",
        DmlKind::Delete => "deleting from",
        DmlKind::InsertSelect => "copying rows into",
        DmlKind::Insert => return,
    };
    // New tables hold no rows in use; system catalogs (`pg_index`, …) are not backfills.
    let system = table.name.starts_with("pg_")
        || matches!(
            table.schema.as_deref(),
            Some("pg_catalog" | "information_schema")
        );
    if cx.is_new_table(table) || system {
        return;
    }
    if cx.dialect == crate::model::Dialect::Mysql {
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "{verb} {table} in the migration is one statement over every matching row: it locks each row it \
                 touches until it commits, and replicas replay it as one long statement"
            ),
            format!(
                "move the backfill out of the schema migration: run it as a job in batches by primary key range, \
                 committing each batch (`… WHERE {table}.id > ? ORDER BY {table}.id LIMIT 1000`, repeated from the \
                 last id), after the schema change is deployed"
            ),
        ));
        return;
    }
    let ddl_before = cx.transaction.is_some()
        && cx
            .siblings_index
            .alters(table, 0..cx.index)
            .next()
            .is_some();
    let message = if ddl_before {
        format!(
            "{verb} {table} after an ALTER TABLE on it in the same transaction holds that lock, which blocks reads \
             and writes on {table}, for the whole backfill"
        )
    } else {
        format!(
            "{verb} {table} inside the migration holds row locks on {table} until the migration commits"
        )
    };
    out.push(cx.hit(
        cx.stmt.span,
        message,
        "move the backfill out of the schema migration: run it as a separate job in small batches \
             (`… WHERE id BETWEEN … AND …`), committing each batch, after the schema change is deployed".to_string(),
    ));
}
