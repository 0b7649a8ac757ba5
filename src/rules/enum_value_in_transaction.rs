//! enum-value-in-transaction: a value added with `ALTER TYPE … ADD VALUE` and
//! used later in the same transaction.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "enum-value-in-transaction",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::POSTGRES,
    summary: "uses an enum value in the transaction that added it, which PostgreSQL refuses",
    doc: include_str!("../../rules/enum-value-in-transaction.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::AddEnumValue { ty, value, .. } = &cx.stmt.action else {
        return;
    };
    if cx.transaction.is_none() {
        return;
    }
    let pg = cx.settings.postgres_version;
    if pg < 12 {
        out.push(cx.hit(
            cx.stmt.span,
            format!("adding a value to {ty} inside a transaction block fails before PostgreSQL 12"),
            format!(
                "run it outside the transaction: {}",
                cx.outside_transaction_hint()
            ),
        ));
        return;
    }
    // From 17 a type created in the same transaction may use its new values.
    if pg >= 17 && cx.created.others.contains(ty) {
        return;
    }
    let literal = format!("'{value}'");
    let cast = format!("{literal}::");
    let part = cx.siblings_index;
    // The statements up to the end of the transaction that may quote the
    // value.
    let until = cx.index + 1..part.transaction_end(cx.index);
    let quotes_it = |n: &str| {
        n.contains(&literal) && n.split(' ').any(|t| t == literal || t.starts_with(&cast))
    };
    let used = part
        .naming(&[(value, false)], until, &[&literal])
        .find(|&(_, n)| quotes_it(n))
        .map(|(i, _)| cx.siblings[i]);
    if let Some(user) = used {
        let line_hint = cx
            .source(user.span)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "the value '{value}' added to {ty} is used later in the same transaction (`{line_hint}`): PostgreSQL \
                 refuses it with \"unsafe use of new value\""
            ),
            format!(
                "add the value in its own migration ({}), and use it in a later one",
                cx.outside_transaction_hint()
            ),
        ));
    }
}
