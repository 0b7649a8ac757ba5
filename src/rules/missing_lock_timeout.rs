//! missing-lock-timeout: a blocking statement with no `lock_timeout` set earlier in the migration.

use super::{Check, Class, Dialects, Hit, Rule, StmtCx};
use crate::model::{Dialect, Severity};
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind};

pub static RULE: Rule = Rule {
    id: "missing-lock-timeout",
    severity: Severity::Warning,
    class: Class::Lock,
    dialects: Dialects {
        postgres: true,
        mysql: true,
        sqlite: false,
    },
    summary: "a statement that blocks a busy table waits for its lock with no lock_timeout (MySQL: lock_wait_timeout)",
    doc: include_str!("../../rules/missing-lock-timeout.md"),
    check: Check::FirstInUp(check),
};

/// The existing table a statement locks against writes or reads
/// (ShareRowExclusive or stronger), and whether reads wait too.
pub(crate) fn locked_table(cx: &StmtCx<'_>) -> Option<(Name, bool)> {
    let existing = |t: &Name| (!cx.is_new_table(t)).then(|| t.clone());
    let writes_only = |t: Option<Name>| t.map(|t| (t, false));
    let reads_too = |t: Option<Name>| t.map(|t| (t, true));
    match &cx.stmt.action {
        Action::LockTable { table, reads } => existing(table).map(|t| (t, *reads)),
        // CREATE TRIGGER … ON t blocks writes to t; CREATE POLICY blocks reads
        // and writes; dropping either blocks reads and writes.
        Action::CreateObject(o) if matches!(o.kind, ObjectKind::Trigger | ObjectKind::Policy) => {
            let table = o.on.as_ref()?;
            existing(table).map(|t| (t, o.kind == ObjectKind::Policy))
        }
        Action::Drop {
            kind: ObjectKind::Trigger | ObjectKind::Policy,
            table: Some(table),
            ..
        } => reads_too(existing(table)),
        Action::AlterIndex {
            attach_partition: Some(_),
            name,
            ..
        }
        | Action::AlterIndex {
            set_tablespace: true,
            name,
            ..
        } => reads_too(cx.catalog.table_of_index(name).and_then(|t| existing(&t))),
        Action::RefreshMaterializedView {
            concurrently: true, ..
        } => None,
        Action::AlterTable { table, ops, .. } => {
            let weak = ops.iter().all(|o| {
                matches!(
                    o.kind,
                    AlterKind::SetStatistics { .. }
                        | AlterKind::SetStorageOptions
                        | AlterKind::ValidateConstraint { .. }
                        | AlterKind::AttachPartition { .. }
                        | AlterKind::DetachPartition {
                            concurrently: true,
                            ..
                        }
                        | AlterKind::DetachPartition { finalize: true, .. }
                )
            });
            if weak {
                return None;
            }
            // Adding foreign keys takes ShareRowExclusive: writes wait, reads go on.
            let fk_only = ops.iter().all(|o| {
                matches!(&o.kind, AlterKind::AddConstraint(d) if matches!(d.kind, crate::parse::ir::ConstraintKind::ForeignKey { .. }))
            });
            if fk_only {
                writes_only(existing(table))
            } else {
                reads_too(existing(table))
            }
        }
        Action::Drop {
            kind: ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView,
            names,
            ..
        }
        | Action::Truncate { tables: names }
        | Action::Vacuum {
            full: true,
            tables: names,
        } => reads_too(names.iter().find_map(existing)),
        Action::Drop {
            kind: ObjectKind::Index,
            names,
            concurrently: false,
            ..
        } => reads_too(
            names
                .iter()
                .filter(|n| !cx.is_new_object(ObjectKind::Index, n))
                .find_map(|n| cx.catalog.table_of_index(n).and_then(|t| existing(&t))),
        ),
        Action::Reindex {
            kind: ObjectKind::Index,
            name,
            concurrently: false,
        } => reads_too(cx.catalog.table_of_index(name).and_then(|t| existing(&t))),
        Action::Reindex {
            kind: ObjectKind::Table,
            name,
            concurrently: false,
        } => reads_too(existing(name)),
        Action::Cluster { table: Some(t) } => reads_too(existing(t)),
        Action::RefreshMaterializedView { name, .. } => {
            reads_too((!cx.is_new_object(ObjectKind::MaterializedView, name)).then(|| name.clone()))
        }
        Action::RenameTables(pairs) => reads_too(pairs.iter().find_map(|(from, _)| existing(from))),
        Action::CreateTable(ct) => {
            reads_too(ct.partition_of.as_ref().and_then(existing)).or_else(|| {
                writes_only(
                    ct.columns
                        .iter()
                        .filter_map(|c| c.extra().references.as_ref())
                        .chain(ct.constraints.iter().filter_map(|c| match &c.kind {
                            crate::parse::ir::ConstraintKind::ForeignKey { references, .. } => {
                                Some(references)
                            }
                            _ => None,
                        }))
                        .find_map(existing),
                )
            })
        }
        _ => None,
    }
}

fn check(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    if cx.lock_timeout || cx.settings.lock_timeout_set_by_runner {
        return;
    }
    if cx.dialect == Dialect::Mysql {
        mysql(cx, out);
        return;
    }
    // One warning per migration (`FirstInUp`): on its first blocking statement.
    if locked_table(cx).is_none() {
        return;
    }
    // Every table a statement from here on would queue, up to a `SET lock_timeout`.
    let mut created = cx.created.clone();
    // Each table queued, in the order it joined its list: the reads it
    // blocks, else the writes (a table whose reads a later statement blocks
    // moves from the writes to the end of the reads). By hash, not by a scan
    // of the lists: a migration may lock thousands of tables.
    let mut queue: rustc_hash::FxHashMap<Name, (bool, usize)> = rustc_hash::FxHashMap::default();
    let mut statements = 0;
    for (i, stmt) in cx.siblings.iter().enumerate().skip(cx.index) {
        if matches!(&stmt.action, Action::Set { name } if matches!(name.as_str(), "lock_timeout" | "lock_wait_timeout" | "innodb_lock_wait_timeout"))
        {
            break;
        }
        let probe = StmtCx {
            stmt,
            index: i,
            created: &created,
            ..*cx
        };
        if let Some((table, blocks_reads)) = locked_table(&probe) {
            // The statement's number orders the tables.
            statements += 1;
            match queue.get_mut(&table) {
                Some(entry) if blocks_reads && !entry.0 => *entry = (true, statements),
                Some(_) => {}
                None => {
                    queue.insert(table, (blocks_reads, statements));
                }
            }
        }
        created.record(&stmt.action);
    }
    let mut queued_in_order: Vec<(Name, (bool, usize))> = queue.into_iter().collect();
    queued_in_order.sort_unstable_by_key(|(_, (_, order))| *order);
    let (reads, writes): (Vec<_>, Vec<_>) = queued_in_order
        .into_iter()
        .partition(|(_, (blocks_reads, _))| *blocks_reads);
    let reads: Vec<Name> = reads.into_iter().map(|(t, _)| t).collect();
    let writes: Vec<Name> = writes.into_iter().map(|(t, _)| t).collect();
    let mut queued = Vec::new();
    if !reads.is_empty() {
        queued.push(format!("every later query on {}", list(&reads)));
    }
    if !writes.is_empty() {
        queued.push(format!("every later write to {}", list(&writes)));
    }
    let (subject, waits) = if statements == 1 {
        ("this statement waits".to_string(), "it waits")
    } else {
        (
            format!(
                "this statement and {} more in the migration wait",
                statements - 1
            ),
            "one waits",
        )
    };
    let tables: Vec<Name> = reads.iter().chain(&writes).cloned().collect();
    let local = if cx.transaction.is_some() {
        "LOCAL "
    } else {
        ""
    };
    out.push(Hit {
        tables: tables.clone(),
        fix: Some(super::edit::lock_timeout_prelude(cx)),
        ..cx.hit(
        cx.stmt.span,
        format!(
            "{subject} for {} on {} with no lock_timeout: while {waits}, {} queues behind it",
            if tables.len() == 1 { "a lock" } else { "locks" },
            list(&tables),
            queued.join(" and ")
        ),
        format!(
            "start the migration with `SET {local}lock_timeout = '2s';` so it fails fast instead of stalling traffic, \
             and retry it; if your runner already sets it, declare `lock-timeout-set-by-runner = true`"
        ),
    )
    });
}

/// MySQL/MariaDB: the existing table whose metadata lock a statement needs.
/// Every DDL takes an exclusive metadata lock on its table, at least for a
/// moment, even an instant change; MariaDB's `WAIT n` / `NOWAIT` bound the
/// wait of that one statement.
fn mysql_locked_table(cx: &StmtCx<'_>) -> Option<Name> {
    let existing = |t: &Name| (!cx.is_new_table(t)).then(|| t.clone());
    match &cx.stmt.action {
        Action::AlterTable { table, ops, .. } => {
            if ops.iter().any(|o| o.kind == AlterKind::Wait) {
                return None;
            }
            existing(table)
        }
        Action::CreateIndex(ci) => existing(&ci.table),
        Action::Drop {
            kind: ObjectKind::Table | ObjectKind::View,
            names,
            ..
        }
        | Action::Truncate { tables: names }
        | Action::Optimize { tables: names } => names.iter().find_map(existing),
        Action::Drop {
            kind: ObjectKind::Index,
            table: Some(t),
            ..
        } => existing(t),
        Action::RenameTables(pairs) => pairs.iter().find_map(|(from, _)| existing(from)),
        Action::LockTable { table, .. } => existing(table),
        _ => None,
    }
}

fn mysql(cx: &StmtCx<'_>, out: &mut Vec<Hit>) {
    let Some(table) = mysql_locked_table(cx) else {
        return;
    };
    // One warning per migration (`FirstInUp`), on its first DDL on an
    // existing table: every table the migration's DDL waits for, in order.
    let mut tables: Vec<Name> = vec![table.clone()];
    for i in cx.index + 1..cx.siblings.len() {
        let probe = StmtCx {
            stmt: cx.siblings[i],
            index: i,
            ..*cx
        };
        if let Some(t) = mysql_locked_table(&probe)
            && !tables.contains(&t)
        {
            tables.push(t);
        }
    }
    let later = match tables.get(1..) {
        Some(rest) if !rest.is_empty() => format!(
            " (later statements of the migration wait the same way on {})",
            rest.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    let server = cx.settings.mysql_version;
    let wait = if server.is_mariadb() {
        format!(" (or bound one statement: `ALTER TABLE {table} WAIT 5 …`)")
    } else {
        String::new()
    };
    let mut hit = Hit {
        // Every table it names: small only when all are.
        tables: tables.clone(),
        ..cx.hit(
        cx.stmt.span,
        format!(
            "this statement waits for a metadata lock on {table} with no lock_wait_timeout: while it waits behind any \
             open transaction that touched {table} (up to {} by default), every later query on {table} queues \
             behind it, even when the change itself is instant{later}",
            server.default_lock_wait()
        ),
        format!(
            "start the migration with `SET SESSION lock_wait_timeout = 5;`{wait} so it fails fast instead of \
             stalling traffic, and retry it; if your runner already sets it, declare `lock-timeout-set-by-runner = true`"
        ),
        )
    };
    hit.fix = Some(super::edit::lock_timeout_prelude(cx));
    out.push(hit);
}

/// `a`, `a and b`, `a, b and c`.
fn list(names: &[Name]) -> String {
    let names: Vec<String> = names.iter().map(ToString::to_string).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
