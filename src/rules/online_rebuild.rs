//! online-rebuild: a MySQL/MariaDB `ALTER TABLE` done in place by rebuilding the table.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::catalog::mysql::{self, Algorithm, Cause, Lock};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, Name};

pub static RULE: Rule = Rule {
    id: "online-rebuild",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects {
        postgres: false,
        mysql: true,
        sqlite: false,
    },
    summary: "rebuilds a whole MySQL table in place: online, but time, disk and replica lag grow with the table",
    doc: include_str!("../../rules/online-rebuild.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect != Dialect::Mysql {
        return;
    }
    if let Action::Optimize { tables } = &cx.stmt.action {
        // InnoDB: `OPTIMIZE TABLE` is "recreate + analyze", an online rebuild (measured).
        for t in tables.iter().filter(|t| !cx.is_new_table(t)) {
            out.push(cx.hit(
                cx.stmt.span,
                format!(
                    "this OPTIMIZE TABLE rebuilds {t} in place: reads and writes go on, but it takes time and disk in \
                     proportion to {t}, and replicas lag behind for as long"
                ),
                format!(
                    "run it from a maintenance job rather than a migration; {}",
                    mysql::online_tool_help(cx.catalog, t)
                ),
            ));
        }
        return;
    }
    let Some((table, ops, plan)) = cx.mysql_plan() else {
        return;
    };
    let Some((Algorithm::InplaceRebuild, lock)) = plan.effective else {
        return;
    };
    // The operation that makes it a rebuild; a FULLTEXT index is `create-index-blocking`'s.
    let Some((i, op)) = plan
        .ops
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
        .find(|(_, p)| p.algorithm == Algorithm::InplaceRebuild)
    else {
        return;
    };
    if op.cause == Cause::SpecialIndex {
        return;
    }
    let Some(span) = ops.get(i).map(|o| o.span) else {
        return;
    };
    let (message, help) = describe(cx, table, &op.reason, lock, &plan);
    let mut hit = cx.hit(span, message, help);
    // The statement's own ALGORITHM turned an instant change into a
    // rebuild: assert INSTANT in its place, and drop a LOCK clause next to
    // it (MySQL refuses LOCK beside INSTANT).
    if plan.default == Algorithm::Instant
        && let Some((_, a)) = plan.algorithm_clause
    {
        let clauses = match plan.lock_clause {
            None => Some((a, a)),
            Some((_, l)) if l.abs_diff(a) == 1 => Some((a.min(l), a.max(l))),
            Some(_) => None,
        };
        if let Some((first, last)) = clauses
            && let (Some(f), Some(l)) = (ops.get(first), ops.get(last))
        {
            let span = super::edit::trimmed(
                cx.text,
                crate::model::ByteSpan::new(f.span.start, l.span.end),
            );
            hit.fix = Some(super::edit::fix(
                "assert ALGORITHM=INSTANT instead",
                vec![super::edit::edit(cx, span, "ALGORITHM=INSTANT")],
                Vec::new(),
            ));
        }
    }
    if lock >= Lock::Shared {
        hit.severity = Some(Severity::Error);
    }
    out.push(hit);
}

fn describe(
    cx: &StmtCx<'_>,
    table: &Name,
    reason: &str,
    lock: Lock,
    plan: &mysql::Plan,
) -> (String, String) {
    let cost = format!(
        "it takes time and disk in proportion to {table}, and replicas lag behind for as long"
    );
    let message = if lock >= Lock::Shared {
        format!(
            "this ALTER TABLE rebuilds {table} in place ({reason}), and writes to {table} are blocked until it \
             finishes; {cost}"
        )
    } else {
        format!(
            "this ALTER TABLE rebuilds {table} in place ({reason}): reads and writes go on, but {cost}"
        )
    };
    let tool = mysql::online_tool_help(cx.catalog, table);
    let help = if plan.default == Algorithm::Instant {
        // The statement's own clause turned an instant change into a rebuild.
        format!(
            "assert `ALGORITHM=INSTANT` instead (with no LOCK clause): alone, the change is done instantly on {}",
            cx.settings.mysql_version
        )
    } else if lock >= Lock::Shared {
        tool
    } else {
        format!(
            "{tool}; if you keep it in the migration, assert `ALGORITHM=INPLACE, LOCK=NONE` so the server refuses \
             rather than blocks writes"
        )
    };
    (message, help)
}
