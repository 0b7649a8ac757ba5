//! refresh-matview-blocking: `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, ObjectKind};

pub static RULE: Rule = Rule {
    id: "refresh-matview-blocking",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "refreshes a materialized view without CONCURRENTLY, blocking its readers",
    doc: include_str!("../../rules/refresh-matview-blocking.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::RefreshMaterializedView {
        name,
        concurrently: false,
    } = &cx.stmt.action
    else {
        return;
    };
    if cx.is_new_object(ObjectKind::MaterializedView, name) {
        return;
    }
    out.push(cx.hit(
        cx.stmt.span,
        format!("refreshing {name} without CONCURRENTLY blocks every read of {name} until the refresh commits"),
        format!(
            "`{};` keeps {name} readable while it refreshes (it needs a unique index on {name}, and may run inside a transaction)",
            cx.with_concurrently("VIEW")
        ),
    ));
}
