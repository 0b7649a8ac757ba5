//! add-column-rewrite: a new column that makes PostgreSQL rewrite an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, col};
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ColumnDef, Generated, Name, Volatility};

pub static RULE: Rule = Rule {
    id: "add-column-rewrite",
    severity: Severity::Error,
    class: Class::Lock,
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
    "gen_random_bytes(",
];

/// Built-in functions that are IMMUTABLE or STABLE, often seen in defaults:
/// evaluated once for the whole table.
const BUILT_IN_STABLE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "timezone",
    "date_trunc",
    "date_part",
    "make_date",
    "make_interval",
    "to_char",
    "to_date",
    "to_timestamp",
    "lower",
    "upper",
    "concat",
    "concat_ws",
    "format",
    "length",
    "replace",
    "md5",
    "abs",
    "round",
    "floor",
    "ceil",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "array_to_string",
    "string_to_array",
    "encode",
    "decode",
];

/// Words that look like calls in an expression but are syntax or types.
const NOT_CALLS: &[&str] = &[
    "cast",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "array",
    "row",
    "extract",
    "position",
    "substring",
    "trim",
    "overlay",
    "exists",
    "in",
    "any",
    "all",
    "some",
    "values",
    "interval",
    "and",
    "or",
    "not",
    "is",
    "then",
    "else",
    "when",
    "case",
];

/// The functions an expression calls (lower-cased, schema-qualified as
/// written), without syntax that looks like a call and without types.
fn calls(expr: &str) -> Vec<String> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            in_string = !in_string;
            i += 1;
            continue;
        }
        if in_string || !(b.is_ascii_alphabetic() || b == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
        {
            i += 1;
        }
        let word = expr.get(start..i).unwrap_or("");
        let mut j = i;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let cast = expr
            .get(..start)
            .is_some_and(|p| p.trim_end().ends_with("::"));
        if bytes.get(j) == Some(&b'(') && !cast && !NOT_CALLS.contains(&word) {
            out.push(word.to_string());
        }
    }
    out
}

/// What a function a default calls does to the table, when it may rewrite.
fn call_verdict(f: &str, cx: &StmtCx<'_>) -> Option<(String, Severity)> {
    let bare = f
        .strip_prefix("pg_catalog.")
        .or_else(|| f.strip_prefix("public."))
        .unwrap_or(f);
    let name = match f.split_once('.') {
        Some((schema, n)) if schema != "public" && schema != "pg_catalog" => {
            Name::new(Some(schema.to_string()), n)
        }
        _ => Name::bare(bare),
    };
    if let Some(func) = cx.catalog.functions.get(&name) {
        let volatile_body = func
            .sql_body
            .as_deref()
            .and_then(|b| VOLATILE.iter().find(|f| b.contains(*f)));
        if let (None, Some(f)) = (func.volatility, volatile_body) {
            return Some((
                format!(
                    "a default that calls {name}(), VOLATILE since it declares neither IMMUTABLE nor STABLE, and \
                     whose body calls {f}…),"
                ),
                Severity::Error,
            ));
        }
        return match (func.volatility, func.sql) {
            (Some(Volatility::Immutable | Volatility::Stable), _) => None,
            (Some(Volatility::Volatile), _) => Some((
                format!("a default that calls {name}(), declared VOLATILE,"),
                Severity::Error,
            )),
            (None, false) => Some((
                format!(
                    "a default that calls {name}(), VOLATILE since it declares neither IMMUTABLE nor STABLE,"
                ),
                Severity::Error,
            )),
            (None, true) => Some((
                format!(
                    "a default that calls {name}(), a LANGUAGE sql function declared neither IMMUTABLE nor STABLE,"
                ),
                Severity::Warning,
            )),
        };
    }
    if BUILT_IN_STABLE.contains(&bare) || f.starts_with("pg_catalog.") {
        return None;
    }
    Some((
        format!("a default that calls {name}(), a function bellows does not know,"),
        Severity::Warning,
    ))
}

/// Why the column rewrites the table, if it does (with a warning when that
/// depends on a function bellows cannot judge).
fn reason_for(c: &ColumnDef, cx: &StmtCx<'_>) -> Option<(String, Option<Severity>)> {
    let pg = cx.settings.postgres_version;
    if let Some(r) = rewrite_reason(c, pg) {
        return Some((r, None));
    }
    if let Some(ty) = &c.ty
        && c.generated.is_none()
    {
        let domain = cx
            .catalog
            .domains
            .iter()
            .find(|(n, has)| **has && n.schema.is_none() && n.name == ty.base);
        if let Some((d, _)) = domain {
            return Some((format!("type {d}, a domain with a constraint,"), None));
        }
    }
    if pg < 11 {
        return None;
    }
    let default = c.default.as_deref()?;
    let verdicts: Vec<(String, Severity)> = calls(default)
        .iter()
        .filter_map(|f| call_verdict(f, cx))
        .collect();
    let worst = verdicts
        .iter()
        .find(|v| v.1 == Severity::Error)
        .or_else(|| verdicts.first())?
        .clone();
    let severity = (worst.1 == Severity::Warning).then_some(Severity::Warning);
    Some((worst.0, severity))
}

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
        let Some((reason, severity)) = reason_for(column, cx) else {
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
        let unless = if severity.is_some() {
            ", unless that function is IMMUTABLE or STABLE (a function declared neither is VOLATILE) or is inlined \
             to a constant"
        } else {
            ""
        };
        out.push(Hit {
            severity,
            ..cx.hit(
            op.span,
            format!("adding {c} with {reason} rewrites {table}{indexes} while blocking reads and writes{unless}"),
            if reason.contains("a domain with a constraint") {
                format!(
                    "add {} with the domain's base type instead (instant), put the domain's check on the table as \
                     `ALTER TABLE {table} ADD CONSTRAINT … CHECK (…) NOT VALID;` and validate it in a later \
                     transaction",
                    column.name
                )
            } else {
                format!(
                    "add the column without it (`ALTER TABLE {table} ADD COLUMN {}{ty};` is instant), set the default \
                     for new rows with `ALTER COLUMN … SET DEFAULT`, and backfill existing rows in batches",
                    column.name
                )
            },
        )
        });
    }
}
