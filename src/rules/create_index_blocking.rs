//! create-index-blocking: `CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, edit};
use crate::catalog::mysql::Algorithm;
use crate::model::Severity;
use crate::parse::ir::{Action, AlterKind, ConstraintKind, IndexKind, Name};

pub static RULE: Rule = Rule {
    id: "create-index-blocking",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: false,
    },
    summary: "builds an index that blocks writes for the whole build (PostgreSQL without CONCURRENTLY, MySQL FULLTEXT or SPATIAL)",
    doc: include_str!("../../rules/create-index-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect == crate::Dialect::Mysql {
        mysql(cx, out);
        return;
    }
    let Action::CreateIndex(ci) = &cx.stmt.action else {
        return;
    };
    // `ON ONLY parent` builds nothing: it is the first step of the safe path.
    if ci.concurrently || ci.only || cx.is_new_table(&ci.table) {
        return;
    }
    let t = &ci.table;
    let index = ci
        .name
        .as_ref()
        .map_or_else(|| "an index".to_string(), |n| format!("index {}", n.name));
    let partitioned = cx.catalog.table(t).is_some_and(|t| t.partitioned);
    let hit = if partitioned {
        let name = ci
            .name
            .as_ref()
            .map_or_else(|| format!("{}_idx", t.name), |n| n.name.clone());
        let cols = if ci.columns.is_empty() {
            "…".to_string()
        } else {
            ci.columns.join(", ")
        };
        let first = cx
            .catalog
            .partitions_of(t)
            .next()
            .map_or_else(|| "<partition>".to_string(), |(p, _)| p.to_string());
        cx.hit(
            cx.stmt.span,
            format!("building {index} on partitioned table {t} blocks writes to {t} and every partition for the whole build"),
            format!(
                "`CREATE INDEX CONCURRENTLY` is refused on a partitioned table; instead run `CREATE INDEX {name} ON ONLY {t} ({cols});`, \
                 then for each partition `CREATE INDEX CONCURRENTLY {first}_{cols_} ON {first} ({cols});` and \
                 `ALTER INDEX {name} ATTACH PARTITION {first}_{cols_};`",
                cols_ = ci.columns.join("_")
            ),
        )
    } else {
        let mut hit = cx.hit(
            cx.stmt.span,
            format!("building {index} blocks writes to {t} for the whole build"),
            format!(
                "`{};` builds it without blocking writes; it cannot run in a transaction: {}",
                cx.with_concurrently("INDEX"),
                cx.outside_transaction_hint()
            ),
        );
        hit.fix = fix(cx, ci);
        hit
    };
    out.push(hit);
}

/// `CONCURRENTLY` after `INDEX`, outside the migration's transaction (see
/// [`edit::outside_transaction`]).
fn fix(cx: &StmtCx<'_>, ci: &crate::parse::ir::CreateIndex) -> Option<crate::model::Fix> {
    let at = edit::word_end(cx.text, cx.stmt.span, "INDEX")?;
    fix_create(cx, ci, Some(at))
}

/// The fix of a `CREATE INDEX` that must run outside a transaction, with
/// `CONCURRENTLY` inserted at `insert` (also concurrently-in-transaction's).
pub(super) fn fix_create(
    cx: &StmtCx<'_>,
    ci: &crate::parse::ir::CreateIndex,
    insert: Option<usize>,
) -> Option<crate::model::Fix> {
    let name = ci.name.as_ref()?;
    let name = Name::new(
        name.schema.clone().or_else(|| ci.table.schema.clone()),
        name.name.clone(),
    );
    let drops = |a: &Action| {
        matches!(a, Action::Drop { kind: crate::parse::ir::ObjectKind::Index, names, .. }
            if names.len() == 1 && names[0].name == name.name)
    };
    let default_down = format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {};\n",
        edit::qualified(&name)
    );
    edit::outside_transaction(cx, insert, &name, Some(&drops), Some(default_down))
}

/// MySQL/MariaDB: a secondary index is built online (not a finding); a
/// FULLTEXT or SPATIAL one blocks writes for the whole build, and the first
/// FULLTEXT index of a table also rebuilds it (measured on MariaDB 10.11).
fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let help = |table: &crate::parse::ir::Name| {
        format!(
            "neither MySQL nor MariaDB builds a FULLTEXT or SPATIAL index with writes allowed: build it while {table} \
             is small or in a maintenance window, or with pt-online-schema-change on a copy of {table}; to spare the \
             rebuild of the first FULLTEXT index, give the table an `FTS_DOC_ID bigint unsigned NOT NULL \
             AUTO_INCREMENT` column with a unique index `FTS_DOC_ID_INDEX` when you create it; if it stays in the \
             migration, assert `ALGORITHM=INPLACE, LOCK=SHARED` so the server refuses rather than copies"
        )
    };
    if let Action::CreateIndex(ci) = &cx.stmt.action {
        let kind = match ci.kind {
            IndexKind::Plain => return,
            IndexKind::Fulltext => "FULLTEXT",
            IndexKind::Spatial => "SPATIAL",
        };
        if cx.is_new_table(&ci.table) {
            return;
        }
        let t = &ci.table;
        let name = ci
            .name
            .as_ref()
            .map_or_else(String::new, |n| format!(" {}", n.name));
        out.push(cx.hit(
            cx.stmt.span,
            format!("building {kind} index{name} blocks writes to {t} for the whole build"),
            help(t),
        ));
        return;
    }
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return;
    };
    if plan.effective.is_none() {
        return;
    }
    for (op, p) in ops.iter().zip(&plan.ops) {
        let (AlterKind::AddConstraint(def), Some(p)) = (&op.kind, p) else {
            continue;
        };
        let ConstraintKind::Index(kind @ (IndexKind::Fulltext | IndexKind::Spatial)) = def.kind
        else {
            continue;
        };
        let kind = if kind == IndexKind::Fulltext {
            "FULLTEXT"
        } else {
            "SPATIAL"
        };
        let name = def
            .name
            .as_ref()
            .map_or_else(String::new, |n| format!(" {n}"));
        let rebuild = if p.algorithm == Algorithm::InplaceRebuild {
            format!(" and rebuilds {table} to add its FTS_DOC_ID column")
        } else {
            String::new()
        };
        out.push(cx.hit(
            op.span,
            format!(
                "building {kind} index{name} blocks writes to {table} for the whole build{rebuild}"
            ),
            help(table),
        ));
    }
}
