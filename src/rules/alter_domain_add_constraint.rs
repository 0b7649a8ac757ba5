//! alter-domain-add-constraint: `ALTER DOMAIN … ADD CONSTRAINT` without `NOT
//! VALID` on a domain that columns of existing tables use.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "alter-domain-add-constraint",
    severity: Severity::Error,
    class: Class::Lock,
    dialects: Dialects::POSTGRES,
    summary: "adds a domain constraint that scans every table using the domain while writes to them wait",
    doc: include_str!("../../rules/alter-domain-add-constraint.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AlterDomainAddConstraint {
        domain,
        constraint,
        not_valid: false,
    } = &cx.stmt.action
    else {
        return;
    };
    let users: Vec<String> = cx
        .catalog
        .tables_using_type(domain)
        .into_iter()
        .filter(|(t, _)| !cx.is_new_table(t))
        .map(|(t, cols)| {
            cols.iter()
                .map(|c| super::col(t, c))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    if users.is_empty() {
        return;
    }
    let tables = users.join(", ");
    let name = constraint
        .clone()
        .unwrap_or_else(|| format!("{}_check", domain.name));
    out.push(cx.hit(
        cx.stmt.span,
        format!(
            "adding a constraint to domain {domain} checks every row of the tables that use it ({tables}) while \
             writes to them are blocked"
        ),
        format!(
            "add it with `NOT VALID` (`ALTER DOMAIN {domain} ADD CONSTRAINT {name} CHECK (…) NOT VALID;` checks new \
             values at once, reads no row, locks no table), then validate at a quiet time: `ALTER DOMAIN {domain} \
             VALIDATE CONSTRAINT {name};` still blocks writes to those tables while it scans (measured on \
             PostgreSQL 15); or put the check on each table instead (`ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT \
             VALID;`, then `VALIDATE CONSTRAINT`, which blocks no writes)"
        ),
    ));
}
