//! commit-in-transaction: `COMMIT` / `ROLLBACK` / `END` inside a migration
//! that the tool already wraps in a transaction.

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::discover::TxMode;
use crate::model::Severity;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "commit-in-transaction",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "ends the transaction the migration tool opened, so the migration can end half applied",
    doc: include_str!("../../rules/commit-in-transaction.md"),
    check: Check::Migration(check),
};

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let m = cx.migration;
    if m.tx != TxMode::Wrapped {
        return;
    }
    let label = super::migration_label(m);
    let tool = cx.layout.id();
    for (part, stmts, which) in [(m.up, &cx.up, "up"), (m.down, &cx.down, "down")] {
        let Some(part) = part else { continue };
        for (i, s) in stmts.iter().enumerate() {
            let rollback = match s.action {
                Action::Commit => false,
                Action::Rollback => true,
                _ => continue,
            };
            let after = stmts.len() - i - 1;
            let what = match (rollback, after) {
                (false, 0) => format!(
                    "commits the {which} of {label} before {tool} records it, so the record is written outside the \
                     transaction and a failure there leaves the migration applied but not recorded"
                ),
                (false, n) => format!(
                    "commits the {which} of {label} early, and the {n} statement(s) after it run outside any \
                     transaction, so a failure there leaves the migration half applied"
                ),
                (true, 0) => format!(
                    "silently undoes the {which} of {label}, which {tool} then records as done"
                ),
                (true, n) => format!(
                    "silently undoes what the {which} of {label} did so far, and the {n} statement(s) after it run \
                     outside any transaction"
                ),
            };
            let word = if rollback { "ROLLBACK" } else { "COMMIT" };
            let hint = cx
                .layout
                .no_transaction_hint()
                .map(|h| format!("; if the migration must control its own transactions, {h}"))
                .unwrap_or_default();
            out.push(Hit {
                file: part.file,
                span: Some(s.span),
                message: format!(
                    "{tool} already runs each migration in a transaction: this {word} {what}"
                ),
                help: format!(
                    "remove the `BEGIN`/`{word}` lines and let {tool}'s transaction cover the whole migration{hint}"
                ),
                severity: None,
                tables: Vec::new(),
                fix: None,
            });
        }
    }
}
