//! truncate-table: `TRUNCATE`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "truncate-table",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "deletes every row of a table that deployed code still uses",
    doc: include_str!("../../rules/truncate-table.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Truncate { tables } = &cx.stmt.action else {
        return;
    };
    for t in tables {
        if cx.is_new_table(t) {
            continue;
        }
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "truncating {t} deletes every row while deployed code still reads and writes it"
            ),
            format!(
                "if the rows must go, delete them in batches from a data job outside the migration \
                 (`DELETE FROM {t} WHERE … LIMIT …`), or retire {t} through expand and contract"
            ),
        ));
    }
}
