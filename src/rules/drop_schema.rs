//! drop-schema: `DROP SCHEMA` / `DROP DATABASE`.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, ObjectKind};

pub static RULE: Rule = Rule {
    id: "drop-schema",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::ALL,
    summary: "drops a whole schema or database with every table in it",
    doc: include_str!("../../rules/drop-schema.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Action::Drop {
        kind,
        names,
        cascade,
        ..
    } = &cx.stmt.action
    else {
        return;
    };
    if !matches!(kind, ObjectKind::Schema | ObjectKind::Database) {
        return;
    }
    for name in names {
        if cx.is_new_object(*kind, name) {
            continue;
        }
        let what = kind.describe();
        let tables = cx
            .catalog
            .tables
            .keys()
            .filter(|t| t.schema.as_deref() == Some(name.name.as_str()))
            .count();
        let contents = match tables {
            0 if *cascade => "everything in it".to_string(),
            0 => "the objects in it".to_string(),
            1 => "its 1 table".to_string(),
            n => format!("its {n} tables"),
        };
        out.push(cx.hit(
            cx.stmt.span,
            format!(
                "dropping {what} {} deletes {contents} and breaks deployed code that uses them",
                name.name
            ),
            format!(
                "move or retire what deployed code still uses in {} first, take a backup, \
                 then drop it in a later migration",
                name.name
            ),
        ));
    }
}
