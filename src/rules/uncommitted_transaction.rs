//! uncommitted-transaction: a `BEGIN` with no `COMMIT` before the end of the migration.

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::discover::{Part, TxMode};
use crate::model::Severity;
use crate::parse::Stmt;
use crate::parse::ir::Action;

pub static RULE: Rule = Rule {
    id: "uncommitted-transaction",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "opens a transaction that the migration never commits",
    doc: include_str!("../../rules/uncommitted-transaction.md"),
    check: Check::Migration(check),
};

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let m = cx.migration;
    for (part, stmts, which) in [(m.up, &cx.up, "up"), (m.down, &cx.down, "down")] {
        let Some(part) = part else { continue };
        if let Some(begin) = unclosed(stmts) {
            out.push(hit(cx, part, begin, which));
        }
    }
}

/// The `BEGIN` still open at the end of the statements.
fn unclosed<'a>(stmts: &[&'a Stmt]) -> Option<&'a Stmt> {
    let mut open = None;
    for s in stmts {
        match s.action {
            Action::Begin => open = open.or(Some(*s)),
            Action::Commit | Action::Rollback => open = None,
            _ => {}
        }
    }
    open
}

fn hit(cx: &MigrationCx<'_>, part: Part, begin: &Stmt, which: &str) -> Hit {
    let label = super::migration_label(cx.migration);
    let wrapped = cx.migration.tx == TxMode::Wrapped;
    let help = if wrapped {
        format!(
            "remove the `BEGIN`: {} already runs each migration in a transaction; or end the block with `COMMIT;`",
            cx.layout.id()
        )
    } else {
        "end the block with `COMMIT;` after its last statement".to_string()
    };
    Hit {
        file: part.file,
        span: Some(begin.span),
        message: format!(
            "the {which} of {label} opens a transaction here and never commits it: depending on the runner, \
             nothing it did is applied, or the transaction stays open holding its locks"
        ),
        help,
        severity: None,
        tables: Vec::new(),
        fix: None,
    }
}
