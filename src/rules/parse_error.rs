//! parse-error: a statement neither sqlparser nor bellows' recogniser can read.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::Understood;

pub static RULE: Rule = Rule {
    id: "parse-error",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a statement bellows cannot parse (its tokens are still scanned for dangerous operations)",
    doc: include_str!("../../rules/parse-error.md"),
    check: Check::AnyStatement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Understood::No(reason) = &cx.stmt.understood else {
        return;
    };
    out.push(cx.hit(
        cx.stmt.span,
        format!("cannot parse this statement as {} SQL: {reason}", cx.dialect.id()),
        "check the syntax for this dialect (is `--dialect` right?); bellows still scanned the statement's \
         tokens for drops, renames and other dangerous operations, but cannot judge the rest of it"
            .to_string(),
    ));
}
