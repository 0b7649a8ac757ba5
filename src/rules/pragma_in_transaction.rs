//! pragma-in-transaction: SQLite `PRAGMA foreign_keys` inside a transaction,
//! where SQLite ignores it.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx, TxReason};
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "pragma-in-transaction",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects {
        postgres: false,
        mysql: false,
        sqlite: true,
    },
    summary: "sets foreign_keys with a PRAGMA inside a transaction, where SQLite silently ignores it",
    doc: include_str!("../../rules/pragma-in-transaction.md"),
    check: Check::AnyStatement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Pragma { name, value } = &cx.stmt.action else {
        return;
    };
    if name != "foreign_keys" || value.is_empty() {
        return;
    }
    let Some(reason) = cx.transaction else { return };
    let why = match reason {
        TxReason::Explicit => "it comes after an explicit BEGIN".to_string(),
        TxReason::Tool | TxReason::MultiStatement => {
            format!("{} runs every migration in a transaction", cx.layout.id())
        }
    };
    let off = matches!(value.as_str(), "off" | "0" | "false" | "no");
    let effect = if off {
        "foreign keys stay as they were (on, where the connection turned them on), so a \
         table rebuild runs with them enforced: dropping a parent fails or deletes its \
         ON DELETE CASCADE children"
    } else {
        "foreign keys stay as they were (off by default), so nothing is enforced"
    };
    out.push(cx.hit(
        cx.stmt.span,
        format!(
            "`{}` runs inside a transaction ({why}): SQLite ignores it without an error, and {effect}",
            cx.statement_text()
        ),
        format!(
            "set it before the transaction starts ({}); in a rebuild, run \
             `PRAGMA foreign_key_check;` before COMMIT",
            cx.outside_transaction_hint()
        ),
    ));
}
