//! set-not-null: `ALTER COLUMN … SET NOT NULL` (MySQL `MODIFY … NOT NULL`) on an existing column.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col, edit};
use crate::model::{ByteSpan, Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, ConstraintKind, Name};

pub static RULE: Rule = Rule {
    id: "set-not-null",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "makes an existing column NOT NULL with a full scan under a blocking lock",
    doc: include_str!("../../rules/set-not-null.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    let t = cx.catalog.table(table);
    for op in ops {
        let column = match &op.kind {
            AlterKind::SetNotNull { column } => column,
            // MySQL MODIFY/CHANGE … NOT NULL of a column known to be nullable.
            AlterKind::Redefine { from, column } if column.not_null => {
                match t.and_then(|t| t.column(from)) {
                    Some(old) if !old.not_null => from,
                    _ => continue,
                }
            }
            _ => continue,
        };
        // Only a new table is empty: a column added in this migration to an
        // existing table still has a value (NULL or backfilled) in every old row.
        if cx.is_new_table(table) {
            continue;
        }
        let added = cx.is_new_column(table, column);
        if t.is_some_and(|t| {
            t.has_validated_not_null_check(column) || t.column(column).is_some_and(|c| c.not_null)
        }) {
            continue;
        }
        let c = col(table, column);
        // PostgreSQL 18: a NOT VALID `NOT NULL` constraint the column
        // already has; SET NOT NULL validates it under AccessExclusive.
        let pending = t.and_then(|t| {
            t.constraints.iter().find(|k| {
                !k.validated
                    && k.kind == ConstraintKind::NotNull
                    && k.columns.first().is_some_and(|n| n == column)
            })
        });
        let (message, help) = match cx.dialect {
            Dialect::Postgres => {
                let check = format!("{}_{column}_not_null", table.name);
                let help = if let Some(k) = pending {
                    format!(
                        "validate its NOT NULL constraint instead: `ALTER TABLE {table} VALIDATE CONSTRAINT {};` \
                         (scans without blocking reads or writes)",
                        k.name
                    )
                } else if cx.settings.postgres_version >= 18 {
                    format!(
                        "`ALTER TABLE {table} ADD CONSTRAINT {check} NOT NULL {column} NOT VALID;` then, in a \
                         later transaction, `ALTER TABLE {table} VALIDATE CONSTRAINT {check};` (scans without \
                         blocking reads or writes)"
                    )
                } else {
                    format!(
                        "`ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;`, \
                         then in a later transaction `ALTER TABLE {table} VALIDATE CONSTRAINT {check};`, then \
                         `ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;` (no scan: the validated check \
                         proves it) and `ALTER TABLE {table} DROP CONSTRAINT {check};`"
                    )
                };
                let added = if added {
                    " (the column is new, but the table's existing rows are not)"
                } else {
                    ""
                };
                (
                    format!(
                        "setting {c} NOT NULL scans the whole table while blocking reads and writes on \
                         {table}{added}"
                    ),
                    help,
                )
            }
            Dialect::Mysql => (
                format!(
                    "making {c} NOT NULL rebuilds {table}, and fails (or, without strict mode, silently turns \
                     NULLs into 0 or '') when a row holds NULL"
                ),
                format!(
                    "backfill {column} in batches first and deploy code that always writes it; then make it NOT \
                     NULL in a later migration, ideally with an online schema change tool"
                ),
            ),
            Dialect::Sqlite => (
                format!(
                    "setting {c} NOT NULL checks every row of {table} and fails if one holds NULL"
                ),
                format!(
                    "backfill {column} in batches first, then add NOT NULL in a later migration"
                ),
            ),
        };
        let mut hit = cx.hit(op.span, message, help);
        if cx.dialect == Dialect::Postgres && ops.len() == 1 && pending.is_none() {
            hit.fix = fix(cx, table, column, op.span);
        }
        out.push(hit);
    }
}

/// The safe sequence over three migrations: here a `CHECK (col IS NOT
/// NULL) NOT VALID` in place of `SET NOT NULL`, then a new migration that
/// validates it, then one that sets NOT NULL (no scan: the validated check
/// proves it) and drops the check. This migration's down drops the check
/// instead of the NOT NULL. On PostgreSQL 18 the constraint is a `NOT NULL`
/// one (`ADD CONSTRAINT n NOT NULL col NOT VALID`), and its validation in
/// one new migration makes the column NOT NULL (pg-locks.md finding 2).
fn fix(cx: &StmtCx<'_>, table: &Name, column: &str, op: ByteSpan) -> Option<crate::model::Fix> {
    let t = edit::altered_table(cx)?;
    let c = cx.source(edit::name_after(cx, op, "ALTER", &["COLUMN"])?);
    let check = edit::ident(&format!("{}_{column}_not_null", table.name));
    let pg18 = cx.settings.postgres_version >= 18;
    let added = if pg18 {
        format!("ADD CONSTRAINT {check} NOT NULL {c} NOT VALID")
    } else {
        format!("ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID")
    };
    let mut edits = vec![edit::edit(cx, edit::trimmed(cx.text, op), added)];
    if let Some(part) = cx.migration.down {
        let undo = cx.down_index.alters(table, 0..cx.down.len()).find(|s| {
            matches!(&s.action, Action::AlterTable { ops, .. }
                if ops.len() == 1
                    && matches!(&ops[0].kind, AlterKind::DropNotNull { column: cc } if cc == column))
        })?;
        edits.push(crate::model::Edit {
            file: part.file,
            span: undo.span,
            text: format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {check}"),
        });
    }
    let validate = crate::model::NewMigration {
        name: crate::discover::write::file_words(&["validate", &check]),
        up: format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check};\n"),
        down: None,
        no_transaction: false,
    };
    if pg18 {
        return Some(edit::fix(
            "add the NOT NULL constraint NOT VALID here, and validate it in a new migration",
            edits,
            vec![validate],
        ));
    }
    let local = if cx.migration.tx == crate::discover::TxMode::None {
        ""
    } else {
        "LOCAL "
    };
    Some(edit::fix(
        "add a NOT VALID check here, validate it and set NOT NULL in two new migrations",
        edits,
        vec![
            validate,
            crate::model::NewMigration {
                name: crate::discover::write::file_words(&["set", &table.name, column, "not_null"]),
                up: format!(
                    "SET {local}lock_timeout = '2s';\nALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\nALTER TABLE {t} DROP CONSTRAINT {check};\n"
                ),
                down: Some(format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL);\nALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;\n"
                )),
                no_transaction: false,
            },
        ],
    ))
}
