//! irreversible-down: up then down does not give back the schema from before the up.

use std::collections::BTreeSet;

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::catalog::{Catalog, Constraint, Index, by_name};
use crate::model::Severity;
use crate::parse::ir::ConstraintKind;
use crate::parse::ir::Name;

pub static RULE: Rule = Rule {
    id: "irreversible-down",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "the down migration does not restore the schema the up changed",
    doc: include_str!("../../rules/irreversible-down.md"),
    check: Check::Migration(check),
};

fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    let Some(down) = cx.migration.down else {
        return;
    };
    if cx.down.is_empty() {
        return;
    }
    let before = cx
        .before
        .subset(cx.up.iter().chain(&cx.down).map(|s| &s.action));
    let mut after_down = before.clone();
    for s in cx.up.iter().chain(&cx.down) {
        after_down.apply(&s.action);
    }
    if after_down == before || differences(&before, None, &after_down).is_empty() {
        return;
    }
    // Only now is the state between up and down needed, to say who did what.
    let mut after_up = before.clone();
    for s in &cx.up {
        after_up.apply(&s.action);
    }
    let diffs = differences(&before, Some(&after_up), &after_down);
    if diffs.is_empty() {
        return;
    }
    let label = super::migration_label(cx.migration);
    let shown: Vec<&str> = diffs.iter().take(3).map(String::as_str).collect();
    let more = if diffs.len() > 3 {
        format!(" (and {} more)", diffs.len() - 3)
    } else {
        String::new()
    };
    out.push(Hit {
        file: down.file,
        span: None,
        message: format!("the down of {label} does not undo its up: {}{more}", shown.join("; ")),
        help: "make the down the exact inverse of the up: re-create what the up dropped (with its type and \
               nullability), drop what the up created, and never drop what existed before the up"
            .to_string(),
        severity: None,
        tables: Vec::new(),
        fix: None,
    });
}

/// Two constraints with the same definition (kind, columns, check
/// expression where both are known).
fn same_constraint(a: &Constraint, b: &Constraint) -> bool {
    let kind = match (&a.kind, &b.kind) {
        (
            ConstraintKind::Check {
                not_null_of: n1,
                expr: e1,
            },
            ConstraintKind::Check {
                not_null_of: n2,
                expr: e2,
            },
        ) => n1 == n2 && (e1.is_none() || e2.is_none() || e1 == e2),
        // The catalog keeps the referenced table's name as written: a later
        // rename of that table does not reach it, so only the columns count.
        (ConstraintKind::ForeignKey { .. }, ConstraintKind::ForeignKey { .. }) => true,
        (k1, k2) => k1 == k2,
    };
    kind && a.columns == b.columns
}

/// How a message names a constraint's kind.
fn describe(c: &Constraint) -> &'static str {
    match c.kind {
        ConstraintKind::PrimaryKey => "primary key",
        ConstraintKind::Unique => "unique constraint",
        ConstraintKind::Check { .. } => "check constraint",
        ConstraintKind::ForeignKey { .. } => "foreign key",
        ConstraintKind::Exclude => "exclusion constraint",
        ConstraintKind::NotNull => "not-null constraint",
        ConstraintKind::Index(_) => "index",
        ConstraintKind::Other => "constraint",
    }
}

/// What differs between the schema before the up and after up + down.
/// Without the state after the up (`None`) the list may hold more than with
/// it, never less: an empty list is then final.
fn differences(before: &Catalog, up: Option<&Catalog>, down: &Catalog) -> Vec<String> {
    let empty = Catalog::new(before.dialect);
    let up = up.unwrap_or(&empty);
    let mut out = Vec::new();
    let names = |c: &Catalog| c.tables.keys().cloned().collect::<BTreeSet<Name>>();
    let (b, d) = (names(before), names(down));
    for t in b.difference(&d) {
        if up.tables.contains_key(t) {
            out.push(format!("it drops table {t}, which existed before the up"));
        } else {
            out.push(format!("table {t} dropped by the up is not re-created"));
        }
    }
    for t in d.difference(&b) {
        if up.tables.contains_key(t) {
            out.push(format!("table {t} created by the up is left in place"));
        } else {
            out.push(format!(
                "it creates table {t}, which did not exist before the up"
            ));
        }
    }
    for t in b.intersection(&d) {
        let (Some(bt), Some(dt)) = (before.tables.get(t), down.tables.get(t)) else {
            continue;
        };
        // A table neither part changed is shared, not copied.
        if std::sync::Arc::ptr_eq(bt, dt) {
            continue;
        }
        for c in bt.columns() {
            match dt.column(&c.name) {
                None => {
                    if up.tables.get(t).and_then(|u| u.column(&c.name)).is_some() {
                        out.push(format!(
                            "it drops column {t}.{}, which existed before the up",
                            c.name
                        ));
                    } else {
                        out.push(format!(
                            "column {t}.{} dropped by the up is not re-created",
                            c.name
                        ));
                    }
                }
                Some(dc) => {
                    if let (Some(bty), Some(dty)) = (&c.ty, &dc.ty)
                        && bty != dty
                    {
                        out.push(format!(
                            "column {t}.{} ends as {dty} instead of {bty}",
                            c.name
                        ));
                    }
                    if c.not_null != dc.not_null {
                        let was = if c.not_null { "NOT NULL" } else { "nullable" };
                        out.push(format!("column {t}.{} is no longer {was}", c.name));
                    }
                }
            }
        }
        for c in dt.columns() {
            if bt.column(&c.name).is_none() {
                out.push(format!(
                    "column {t}.{} added by the up is left in place",
                    c.name
                ));
            }
        }
        // Constraints by definition: the names the server generates for an
        // unnamed constraint differ between the up and the down.
        let mut left: Vec<&Constraint> = dt.constraints.iter().collect();
        for c in &bt.constraints {
            if let Some(i) = left.iter().position(|d| same_constraint(c, d)) {
                left.swap_remove(i);
            } else if c.columns.iter().all(|col| dt.column(col).is_some()) {
                // (One that went with a column is reported with the column.)
                out.push(format!(
                    "{} {} on {t} dropped by the up is not re-created",
                    describe(c),
                    c.name
                ));
            }
        }
        for d in left {
            if d.columns.iter().any(|col| bt.column(col).is_none()) {
                continue;
            }
            out.push(format!(
                "{} {} on {t} added by the up is left in place",
                describe(d),
                d.name
            ));
        }
    }
    // The catalog's maps are hashed: report in name order.
    for (v, _) in by_name(&before.views) {
        if !down.views.contains_key(v) && !up.views.contains_key(v) {
            out.push(format!("view {v} dropped by the up is not re-created"));
        }
    }
    for (e, values) in by_name(&before.enums) {
        match down.enums.get(e) {
            None => out.push(format!("type {e} dropped by the up is not re-created")),
            Some(dv) if dv.len() < values.len() => {
                out.push(format!("type {e} loses values it had before the up"));
            }
            _ => {}
        }
    }
    // Indexes by definition (table, columns, uniqueness), not by name.
    for (i, index) in by_name(&before.indexes) {
        let same = |x: &Index| {
            x.table == index.table && x.columns == index.columns && x.unique == index.unique
        };
        if !down.indexes.contains_key(i)
            && !up.indexes.contains_key(i)
            && !down.indexes.values().any(|x| same(x))
        {
            out.push(format!("index {i} dropped by the up is not re-created"));
        }
    }
    out
}
