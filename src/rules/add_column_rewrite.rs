//! add-column-rewrite: a new column that makes PostgreSQL rewrite an existing table.

use super::{Check, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ColumnDef, Generated};

pub static RULE: Rule = Rule {
    id: "add-column-rewrite",
    severity: Severity::Error,
    dialects: Dialects::POSTGRES,
    summary: "adds a column whose default or kind rewrites the whole table under a blocking lock",
    doc: include_str!("../../rules/add-column-rewrite.md"),
    check: Check::Statement(check),
};

/// Functions that give each row its own value (VOLATILE), so PostgreSQL
/// must write every row.
const VOLATILE: &[&str] = &[
    "random(",
    "gen_random_uuid(",
    "uuid_generate_v1(",
    "uuid_generate_v1mc(",
    "uuid_generate_v4(",
    "uuidv4(",
    "uuidv7(",
    "clock_timestamp(",
    "timeofday(",
    "nextval(",
    "txid_current(",
];

/// Why the column rewrites the table, if it does.
fn rewrite_reason(c: &ColumnDef, pg: u32) -> Option<String> {
    if c.serial {
        return Some(format!(
            "type {}",
            c.ty.as_ref()
                .map_or_else(|| "serial".to_string(), ToString::to_string)
        ));
    }
    match c.generated {
        Some(Generated::Identity) => return Some("an identity".to_string()),
        Some(Generated::Stored) => return Some("a stored generated expression".to_string()),
        Some(Generated::Virtual) if pg < 18 => {
            return Some("a stored generated expression".to_string());
        }
        _ => {}
    }
    let default = c.default.as_deref()?;
    let compact: String = default.chars().filter(|ch| !ch.is_whitespace()).collect();
    if let Some(f) = VOLATILE.iter().find(|f| compact.contains(*f)) {
        return Some(format!("the volatile default {f}…)"));
    }
    (pg < 11).then(|| format!("a default (before PostgreSQL 11 every default rewrites): {default}"))
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterTable { table, ops, .. } = &cx.stmt.action else {
        return;
    };
    if cx.is_new_table(table) {
        return;
    }
    for op in ops {
        let AlterKind::AddColumn { column, .. } = &op.kind else {
            continue;
        };
        let Some(reason) = rewrite_reason(column, cx.settings.postgres_version) else {
            continue;
        };
        let indexes = match cx.catalog.index_count(table) {
            0 => String::new(),
            1 => " and its index".to_string(),
            n => format!(" and its {n} indexes"),
        };
        let c = col(table, &column.name);
        let ty = column
            .ty
            .as_ref()
            .map_or_else(String::new, |t| format!(" {t}"));
        out.push(cx.hit(
            op.span,
            format!("adding {c} with {reason} rewrites {table}{indexes} while blocking reads and writes"),
            format!(
                "add the column without it (`ALTER TABLE {table} ADD COLUMN {}{ty};` is instant), set the default for \
                 new rows with `ALTER COLUMN … SET DEFAULT`, and backfill existing rows in batches",
                column.name
            ),
        ));
    }
}
