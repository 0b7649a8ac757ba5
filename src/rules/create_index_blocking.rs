//! create-index-blocking: `CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on an existing table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "create-index-blocking",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "builds an index without CONCURRENTLY, blocking writes for the whole build",
    doc: include_str!("../../rules/create-index-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
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
        cx.hit(
            cx.stmt.span,
            format!("building {index} blocks writes to {t} for the whole build"),
            format!(
                "`{};` builds it without blocking writes; it cannot run in a transaction: {}",
                cx.with_concurrently("INDEX"),
                cx.outside_transaction_hint()
            ),
        )
    };
    out.push(hit);
}
