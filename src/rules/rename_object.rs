//! rename-object: `RENAME` of an existing view, materialized view, function,
//! procedure, type, enum value, domain, sequence or schema.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::Severity;
use crate::parse::ir::{Action, Name, ObjectKind, RenameEnumValue, RenameObject};

pub static RULE: Rule = Rule {
    id: "rename-object",
    severity: Severity::Error,
    class: Class::Contract,
    dialects: Dialects::POSTGRES,
    summary: "renames a view, function, type, enum value, domain, sequence or schema that code still names",
    doc: include_str!("../../rules/rename-object.md"),
    check: Check::Statement(check),
};

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    match &cx.stmt.action {
        Action::RenameObject(r) => {
            let RenameObject { kind, from, to } = &**r;
            if !matches!(
                kind,
                ObjectKind::View
                    | ObjectKind::MaterializedView
                    | ObjectKind::Function
                    | ObjectKind::Procedure
                    | ObjectKind::Aggregate
                    | ObjectKind::Type
                    | ObjectKind::Domain
                    | ObjectKind::Sequence
                    | ObjectKind::Schema
            ) || cx.is_new_object(*kind, from)
                || old_name_kept(cx, from)
            {
                return;
            }
            let what = kind.describe();
            let (breaks, help) = match kind {
                ObjectKind::View | ObjectKind::MaterializedView => (
                    format!("deployed code that queries {from} breaks"),
                    format!(
                        "keep the old name working: in the same transaction as the rename, \
                         `CREATE VIEW {from} AS SELECT * FROM {to};`; move the code to {to}, then drop {from} in a \
                         later migration"
                    ),
                ),
                ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate => (
                    format!("deployed code, triggers and SQL functions that call {from} break"),
                    format!(
                        "create {to} beside {from} (the same body), make {from} a thin wrapper that calls {to}, move \
                         the callers to {to}, then drop {from} in a later migration"
                    ),
                ),
                ObjectKind::Type | ObjectKind::Domain => (
                    format!(
                        "deployed code that casts to {from} (`…::{from}`) or declares it breaks"
                    ),
                    format!(
                        "keep the old name as an alias: in the same transaction as the rename, \
                         `CREATE DOMAIN {from} AS {to};`; move the code to {to}, then drop {from} in a later migration"
                    ),
                ),
                ObjectKind::Sequence => (
                    format!(
                        "deployed code that calls nextval('{from}') breaks (column defaults follow the rename)"
                    ),
                    format!(
                        "first deploy code that reads the sequence through the column's default or \
                         `pg_get_serial_sequence(…)` instead of its name, then rename {from} to {to}"
                    ),
                ),
                _ => (
                    format!(
                        "deployed code that qualifies names with {from}. breaks, and so does every search_path that \
                         lists {from}"
                    ),
                    format!(
                        "create schema {to} and move objects into it one by one (`ALTER … SET SCHEMA {to}`, with a \
                         view left behind where code reads them), then drop {from} once nothing names it"
                    ),
                ),
            };
            out.push(cx.hit(
                cx.stmt.span,
                format!("renaming {what} {from} to {}: {breaks}", to.name),
                help,
            ));
        }
        Action::RenameEnumValue(r) => {
            let RenameEnumValue { ty, from, to } = &**r;
            if cx.is_new_object(ObjectKind::Type, ty) || value_is_new(cx, ty, from) {
                return;
            }
            out.push(cx.hit(
                cx.stmt.span,
                format!(
                    "renaming value '{from}' of type {ty} to '{to}' breaks deployed code that writes or compares \
                     '{from}': its inserts and updates fail, its comparisons match nothing"
                ),
                format!(
                    "add the new value beside the old one (`ALTER TYPE {ty} ADD VALUE '{to}';`, committed before it \
                     is used), move code and rows to it (`UPDATE … SET … = '{to}' WHERE … = '{from}'`), and stop \
                     writing '{from}'"
                ),
            ));
        }
        _ => {}
    }
}

/// The old name is created again in the same transaction (a view on the
/// renamed one, a wrapper function, a domain over the renamed type): code
/// that names it keeps working.
fn old_name_kept(cx: &StmtCx<'_>, from: &Name) -> bool {
    if cx.transaction.is_none() {
        return false;
    }
    for s in cx.later() {
        match &s.action {
            Action::Commit | Action::Rollback | Action::Begin => return false,
            Action::CreateEnum { name, .. } | Action::CreateDomain { name, .. } if name == from => {
                return true;
            }
            Action::CreateView(v) if &v.name == from => return true,
            Action::CreateFunction(f) if &f.name == from => return true,
            Action::CreateObject(o) if &o.name == from => return true,
            _ => {}
        }
    }
    false
}

/// The value was added earlier in this migration.
fn value_is_new(cx: &StmtCx<'_>, ty: &Name, value: &str) -> bool {
    cx.earlier().any(
        |s| matches!(&s.action, Action::AddEnumValue { ty: t, value: v, .. } if t == ty && v == value),
    )
}
