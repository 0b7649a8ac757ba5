//! set-not-null: `ALTER COLUMN … SET NOT NULL` (MySQL `MODIFY … NOT NULL`) on an existing column.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind};

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
        let (message, help) = match cx.dialect {
            Dialect::Postgres => {
                let check = format!("{}_{column}_not_null", table.name);
                let help = if cx.settings.postgres_version >= 18 {
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
        out.push(cx.hit(op.span, message, help));
    }
}
