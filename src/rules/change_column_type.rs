//! change-column-type: a type change that rewrites the table or breaks readers.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::catalog::mysql::{self, Algorithm, Cause, Lock};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, Name, TypeName, Using};

pub static RULE: Rule = Rule {
    id: "change-column-type",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "changes a column's type in a way that rewrites the table or breaks readers",
    doc: include_str!("../../rules/change-column-type.md"),
    check: Check::Statement(check),
};

/// What a type change costs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Metadata only.
    Safe,
    /// Rewrites the table (and its indexes).
    Rewrite,
    /// Rewrites unless the server's TimeZone is UTC.
    RewriteUnlessUtc,
    /// The old type is unknown.
    Unknown,
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if mysql(cx, out) {
        return;
    }
    if cx.dialect == Dialect::Sqlite {
        rebuild(cx, out);
    }
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    for op in ops {
        let (column, new, using) = match &op.kind {
            AlterKind::SetType { column, ty, using } => (column, ty.as_ref(), using.clone()),
            AlterKind::Redefine { from, column } => (from, column.ty.as_ref(), Using::None),
            _ => continue,
        };
        let Some(new) = new else { continue };
        if cx.is_new_table(table) {
            continue;
        }
        if cx.is_new_column(table, column) {
            // No code reads the new column yet, but its table has rows: a
            // rewriting change still rewrites the whole table.
            let old = cx
                .catalog
                .table(table)
                .and_then(|t| t.column(column))
                .and_then(|c| c.ty.clone());
            let current = cx.created_type(table, column).or(old);
            if let Some(old) =
                current.filter(|old| verdict(cx.dialect, old, new, &using) == Verdict::Rewrite)
            {
                out.push(cx.hit(
                    op.span,
                    format!(
                        "changing {} (added earlier in this migration) from {old} to {new} rewrites {table} and its \
                         indexes while blocking reads and writes",
                        col(table, column)
                    ),
                    format!(
                        "give {column} its final type in the ADD COLUMN instead: `ALTER TABLE {table} ADD COLUMN \
                         {column} {new};`"
                    ),
                ));
            }
            continue;
        }
        let old = cx
            .catalog
            .table(table)
            .and_then(|t| t.column(column))
            .and_then(|c| c.ty.clone());
        let verdict = match &old {
            Some(old) => verdict(cx.dialect, old, new, &using),
            None => Verdict::Unknown,
        };
        if let Some(hit) = describe(cx, table, column, old.as_ref(), new, &verdict) {
            let mut h = cx.hit(op.span, hit.0, hit.1);
            if matches!(verdict, Verdict::RewriteUnlessUtc | Verdict::Unknown) {
                h.severity = Some(Severity::Warning);
            }
            out.push(h);
        }
    }
}

fn describe(
    cx: &StmtCx<'_>,
    table: &Name,
    column: &str,
    old: Option<&TypeName>,
    new: &TypeName,
    verdict: &Verdict,
) -> Option<(String, String)> {
    let c = col(table, column);
    let help = format!(
        "add a new column beside it (`ALTER TABLE {table} ADD COLUMN {column}_new {new};`), write both \
         from code, backfill in batches, switch reads to {column}_new, then drop {column} in a later \
         migration"
    );
    let blocks = match cx.dialect {
        Dialect::Mysql => "copies the whole table while blocking writes",
        _ => "rewrites the whole table and every index on it while blocking reads and writes",
    };
    Some(match verdict {
        Verdict::Safe => return None,
        Verdict::Rewrite => (
            format!(
                "changing {c} from {} to {new} {blocks}, and deployed code may not handle the new type",
                old.map_or_else(String::new, ToString::to_string)
            ),
            help,
        ),
        Verdict::RewriteUnlessUtc => (
            format!(
                "changing {c} from timestamp to timestamptz rewrites {table} and its indexes unless the \
                 server's TimeZone is UTC"
            ),
            format!(
                "run the migration with `SET LOCAL TimeZone = 'UTC'` only if stored values are UTC; \
                 otherwise {help}"
            ),
        ),
        Verdict::Unknown => (
            format!(
                "changing the type of {c} to {new} may rewrite {table}: bellows does not know its current type"
            ),
            help,
        ),
    })
}

/// The cost of changing `old` to `new`, from measurements (pg-locks.md, mysql-ddl.md).
pub(crate) fn verdict(dialect: Dialect, old: &TypeName, new: &TypeName, using: &Using) -> Verdict {
    if old == new && *using != Using::Expression {
        return Verdict::Safe;
    }
    if *using == Using::Expression {
        return Verdict::Rewrite;
    }
    if old.array != new.array {
        return Verdict::Rewrite;
    }
    let arg = |t: &TypeName, i: usize| t.args.get(i).and_then(|a| a.parse::<u64>().ok());
    match dialect {
        Dialect::Postgres | Dialect::Sqlite => match (old.base.as_str(), new.base.as_str()) {
            ("varchar", "varchar") => match (arg(old, 0), arg(new, 0)) {
                (_, None) => Verdict::Safe,
                (Some(o), Some(n)) if n >= o => Verdict::Safe,
                _ => Verdict::Rewrite,
            },
            ("varchar", "text") | ("cidr", "inet") => Verdict::Safe,
            ("text", "varchar") if new.args.is_empty() => Verdict::Safe,
            ("numeric", "numeric") => match (arg(old, 0), arg(old, 1), arg(new, 0), arg(new, 1)) {
                (_, _, None, None) if new.args.is_empty() => Verdict::Safe,
                (Some(p), s, Some(p2), s2) if p2 >= p && s.unwrap_or(0) == s2.unwrap_or(0) => {
                    Verdict::Safe
                }
                _ => Verdict::Rewrite,
            },
            ("timestamp", "timestamptz") => Verdict::RewriteUnlessUtc,
            _ => Verdict::Rewrite,
        },
        Dialect::Mysql => match (old.base.as_str(), new.base.as_str()) {
            ("varchar", "varchar") => match (arg(old, 0), arg(new, 0)) {
                (Some(o), Some(n)) if n >= o => {
                    // utf8mb4: 4 bytes a character. In place only while the length
                    // prefix keeps its size: both maxima ≤ 255 bytes, or both > 255
                    // (MySQL's documented rule; MariaDB is more lenient from ≤ 127).
                    let (ob, nb) = (o * 4, n * 4);
                    if nb <= 255 || ob > 255 {
                        Verdict::Safe
                    } else {
                        Verdict::Rewrite
                    }
                }
                _ => Verdict::Rewrite,
            },
            _ => Verdict::Rewrite,
        },
    }
}

/// MySQL/MariaDB, from the online DDL model: a type, length or character
/// set change the target server does by copying the table. `false` when the
/// model cannot tell (the general verdict then applies).
fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) -> bool {
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return false;
    };
    if plan.effective.is_none() {
        // Refused at deploy: `refused-by-server` says so.
        return true;
    }
    for (op, p) in ops.iter().zip(&plan.ops) {
        let AlterKind::Redefine { from, column } = &op.kind else {
            continue;
        };
        let Some(p) = p else { continue };
        if p.cause != Cause::TypeChange || p.algorithm != Algorithm::Copy {
            continue;
        }
        let c = col(table, from);
        let old = cx.catalog.table(table).and_then(|t| t.column(from));
        let old_ty = old.and_then(|o| o.ty.as_ref());
        let new = column
            .ty
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        let after = if p.lock >= Lock::Shared {
            format!("writes to {table} are blocked until it finishes")
        } else {
            format!("writes go on, but time, disk and replica lag grow with {table}")
        };
        // The assertion makes the server refuse rather than copy, where adding is instant.
        let instant = if mysql::adds_columns_instantly(cx.settings.mysql_version) {
            ", ALGORITHM=INSTANT"
        } else {
            ""
        };
        let mut help = format!(
            "add a new column beside it (`ALTER TABLE {table} ADD COLUMN {from}_new {new}{instant};`), write both \
             from code, backfill it in batches, switch reads to {from}_new, then drop {from} in a later migration; \
             or {}",
            mysql::online_tool_help(cx.catalog, table)
        );
        // A VARCHAR that crosses 255 bytes: say how far it can grow in place.
        if let (Some(o), Some(n)) = (old_ty, column.ty.as_ref())
            && o.base == "varchar"
            && n.base == "varchar"
        {
            let cs = old
                .and_then(|x| x.extra().charset.as_deref())
                .or_else(|| cx.catalog.table(table).and_then(|t| t.charset.as_deref()))
                .unwrap_or("utf8mb4");
            let within = 255 / mysql::bytes_per_char(cs);
            let grows = o.args.first().and_then(|a| a.parse::<u64>().ok())
                < n.args.first().and_then(|a| a.parse::<u64>().ok());
            if grows
                && o.args
                    .first()
                    .and_then(|a| a.parse::<u64>().ok())
                    .is_some_and(|x| x < within)
            {
                help = format!(
                    "`ALTER TABLE {table} MODIFY {from} varchar({within}) …` stays within 255 bytes in {cs} and is done \
                     in place; beyond that, {help}"
                );
            }
        }
        // The plain "the type of … changes" says nothing the message does not.
        let why = if p.reason.starts_with("the type of ") {
            String::new()
        } else {
            format!(" ({})", p.reason)
        };
        out.push(cx.hit(
            op.span,
            format!(
                "changing {c} from {} to {new} copies {table} row by row{why}; {after}, and deployed code may not \
                 handle the new type",
                old_ty.map_or_else(String::new, ToString::to_string),
            ),
            help,
        ));
    }
    true
}

/// A SQLite rebuild that gives a copied column another type: judged at the
/// step that drops the old table.
fn rebuild(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((r, old, new)) = super::rebuild::at_drop(cx) else {
        return;
    };
    let Some(copy) = &r.copy else { return };
    if old.partial || new.partial || cx.is_new_table(&r.old) {
        return;
    }
    let table = &r.table;
    for (position, c) in new.columns().iter().enumerate() {
        let name = &c.name;
        let (Some(before), Some(after)) =
            (old.column(name).and_then(|o| o.ty.as_ref()), c.ty.as_ref())
        else {
            continue;
        };
        // The new column is filled from the old one of the same name.
        if !copy
            .source_of(name, position)
            .is_some_and(|s| s.iter().any(|w| w == name))
        {
            continue;
        }
        // SQLite stores values by the type's affinity: a new name with the
        // same affinity (timestamp → datetime) changes no value.
        if affinity(&before.base) == affinity(&after.base)
            || verdict(Dialect::Sqlite, before, after, &Using::None) == Verdict::Safe
        {
            continue;
        }
        let colname = col(table, name);
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "the rebuild of {table} changes {colname} from {before} to {after}: every row is \
                 copied into the new type's affinity, and deployed code may not handle the new type"
            ),
            format!(
                "add a new column beside it ({name}_new {after}), write both from code, backfill in \
                 batches, switch reads, then drop {name} in a later migration"
            ),
        ));
    }
}

/// SQLite's type affinity of a declared type (the rules of "Datatypes In SQLite", 3.1).
fn affinity(ty: &str) -> &'static str {
    let t = ty.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.contains("BLOB") || t.is_empty() {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
}
