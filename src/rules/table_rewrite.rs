//! table-rewrite: statements that rewrite a whole table under a blocking lock.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::catalog::mysql::{self, Algorithm, Cause, Lock, OpPlan};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, Name};

pub static RULE: Rule = Rule {
    id: "table-rewrite",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: false,
    },
    summary: "rewrites a whole table (or index) while blocking reads or writes",
    doc: include_str!("../../rules/table-rewrite.md"),
    check: Check::Statement(check),
};

fn blocks(d: Dialect) -> &'static str {
    match d {
        Dialect::Mysql => "while blocking writes",
        _ => "while blocking reads and writes",
    }
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let b = blocks(cx.dialect);
    let mut hit = |span, what: String, help: &str| {
        out.push(cx.hit(span, format!("{what} {b}"), help.to_string()));
    };
    let existing = |t: &Name| !cx.is_new_table(t);
    match &cx.stmt.action {
        Action::Vacuum { full: true, tables } => {
            let what = if tables.is_empty() {
                "this VACUUM FULL rewrites every table of the database".to_string()
            } else {
                let names: Vec<String> = tables
                    .iter()
                    .filter(|t| existing(t))
                    .map(ToString::to_string)
                    .collect();
                if names.is_empty() {
                    return;
                }
                format!(
                    "this VACUUM FULL rewrites {} and its indexes",
                    names.join(", ")
                )
            };
            hit(
                cx.stmt.span,
                what,
                "use plain `VACUUM` (no lock on reads or writes), or pg_repack / pg_squeeze to compact a busy table online",
            );
        }
        Action::Cluster { table } => {
            if table.as_ref().is_some_and(|t| !existing(t)) {
                return;
            }
            let what = table.as_ref().map_or_else(
                || "this CLUSTER rewrites every clustered table".to_string(),
                |t| format!("this CLUSTER rewrites {t} and its indexes"),
            );
            hit(
                cx.stmt.span,
                what,
                "reorder the table online with pg_repack instead, outside the migration",
            );
        }
        // MySQL's OPTIMIZE TABLE on InnoDB is an online rebuild: `online-rebuild`.
        Action::Optimize { tables } if cx.dialect != Dialect::Mysql => {
            let names: Vec<String> = tables
                .iter()
                .filter(|t| existing(t))
                .map(ToString::to_string)
                .collect();
            if !names.is_empty() {
                hit(
                    cx.stmt.span,
                    format!("this OPTIMIZE TABLE rebuilds {}", names.join(", ")),
                    "run it from a maintenance window or an online schema change tool, not from a migration",
                );
            }
        }
        Action::AlterIndex {
            name,
            set_tablespace: true,
            ..
        } => {
            let table = cx.catalog.indexes.get(name).map(|i| i.table.clone());
            if cx.is_new_object(crate::parse::ir::ObjectKind::Index, name)
                || table.as_ref().is_some_and(|t| cx.is_new_table(t))
            {
                return;
            }
            hit(
                cx.stmt.span,
                format!("moving index {} to another tablespace copies it", name.name),
                "build a new index in the target tablespace with `CREATE INDEX CONCURRENTLY … TABLESPACE …`, then drop the old one concurrently",
            );
        }
        Action::AlterTable { .. } if cx.dialect == Dialect::Mysql => mysql(cx, out),
        Action::AlterTable { table, ops, .. } => {
            if !existing(table) {
                return;
            }
            for op in ops {
                let (what, help) = match &op.kind {
                    AlterKind::SetTablespace => (
                        format!("moving {table} to another tablespace copies the whole table"),
                        "copy the data into a new table in the target tablespace in batches, or use pg_repack --tablespace",
                    ),
                    AlterKind::SetLogged | AlterKind::SetUnlogged => (
                        format!("changing whether {table} is logged rewrites it and its indexes"),
                        "create a new table with the wanted persistence and move the rows in batches",
                    ),
                    AlterKind::SetExpression { column } => (
                        format!(
                            "changing the expression of {table}.{column} rewrites {table} and its indexes"
                        ),
                        "add a new generated column beside it, switch readers, then drop the old one in a later migration",
                    ),
                    _ => continue,
                };
                hit(op.span, what, help);
            }
        }
        _ => {}
    }
}

/// MySQL/MariaDB: an `ALTER TABLE` the server does by copying the table
/// (type changes and foreign keys are reported by their own rules).
fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return;
    };
    let Some((Algorithm::Copy, lock)) = plan.effective else {
        return;
    };
    let copies: Vec<(usize, &OpPlan)> = plan
        .ops
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.as_ref()
                .filter(|p| p.algorithm == Algorithm::Copy)
                .map(|p| (i, p))
        })
        .collect();
    if copies
        .iter()
        .any(|(_, p)| matches!(p.cause, Cause::TypeChange | Cause::ForeignKey))
    {
        return;
    }
    let tool = mysql::online_tool_help(cx.catalog, table);
    // The statement's own ALGORITHM=COPY, when the change supports an
    // assertion: the fix puts the assertion in its place.
    let mut assert = None;
    let (at, why, help) = if let Some((i, p)) = copies.first() {
        (*i, p.reason.clone(), tool)
    } else {
        let Some((_, i)) = plan.algorithm_clause else {
            return;
        };
        {
            if plan.lock_clause.is_none() {
                assert = mysql::assertion(&plan);
            }
            let assertion = mysql::assertion(&plan).unwrap_or("ALGORITHM=INPLACE");
            (
                i,
                format!(
                    "ALGORITHM=COPY asks for it, though the change itself is done {}",
                    mysql::describe(plan.default)
                ),
                format!(
                    "remove ALGORITHM=COPY and assert `{assertion}` instead: the server then does the cheaper change, \
                     or refuses the statement rather than copying"
                ),
            )
        }
    };
    let Some(op) = ops.get(at) else { return };
    let after = if lock >= Lock::Shared {
        format!("writes to {table} are blocked until it finishes")
    } else {
        format!("writes go on, but time, disk and replica lag grow with {table}")
    };
    let mut hit = cx.hit(
        op.span,
        format!("this ALTER TABLE copies {table} row by row ({why}); {after}"),
        help,
    );
    hit.fix = assert.map(|a| {
        super::edit::fix(
            &format!("assert {a} in place of ALGORITHM=COPY"),
            vec![super::edit::edit(
                cx,
                super::edit::trimmed(cx.text, op.span),
                a,
            )],
            Vec::new(),
        )
    });
    out.push(hit);
}
