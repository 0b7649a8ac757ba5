//! The rules: the registry (one sorted list), what each kind of rule sees,
//! and running them over a root's replay.
//!
//! In: a discovered root, its files and the settings. Out: the findings of
//! the enabled rules, ignore comments applied ([`lint_root`]). The walk over
//! the history and the context of each statement come from [`replay`].

mod add_check_validating;
mod add_column_not_null;
mod add_column_rewrite;
mod add_foreign_key_validating;
mod add_unique_constraint;
mod alter_domain_add_constraint;
mod backfill_in_migration;
mod change_column_type;
mod claim_contradicted;
mod commit_in_transaction;
mod concurrently_in_transaction;
mod create_index_blocking;
mod down_loses_data;
mod drop_column;
mod drop_index_blocking;
mod drop_object;
mod drop_schema;
mod drop_table;
mod duplicate_version;
pub(crate) mod edit;
mod edited_migration;
mod empty_down;
mod enum_value_in_transaction;
pub mod ignore;
mod irreversible_down;
mod migration_fails;
mod missing_down;
mod missing_lock_timeout;
mod non_atomic_ddl;
mod online_rebuild;
mod orphan_down;
mod out_of_order_version;
mod parse_error;
mod partition_blocking;
mod pragma_in_transaction;
pub mod rebuild;
mod rebuild_drops_objects;
mod refresh_matview_blocking;
mod refused_by_server;
mod reindex_blocking;
mod rename_column;
mod rename_object;
mod rename_table;
mod set_not_null;
mod table_rewrite;
mod truncate_table;
mod uncommitted_transaction;
mod unused_ignore;
mod validate_in_same_transaction;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::discover::{Layout, Migration, Root, SourceFile};
pub use crate::model::Hit;
use crate::model::{Dialect, FileId, Finding, Settings, Severity};
use crate::parse::ParsedFile;
use crate::parse::ir::Name;
use crate::replay::{self, Visitor};
pub use crate::replay::{Created, MigrationCx, Parsed, StmtCx, TxReason, part_statements};

/// Every rule, sorted by id. Adding a rule = its file + one line here.
pub static REGISTRY: &[&Rule] = &[
    &add_check_validating::RULE,
    &add_column_not_null::RULE,
    &add_column_rewrite::RULE,
    &add_foreign_key_validating::RULE,
    &add_unique_constraint::RULE,
    &alter_domain_add_constraint::RULE,
    &backfill_in_migration::RULE,
    &change_column_type::RULE,
    &claim_contradicted::RULE,
    &commit_in_transaction::RULE,
    &concurrently_in_transaction::RULE,
    &create_index_blocking::RULE,
    &down_loses_data::RULE,
    &drop_column::RULE,
    &drop_index_blocking::RULE,
    &drop_object::RULE,
    &drop_schema::RULE,
    &drop_table::RULE,
    &duplicate_version::RULE,
    &edited_migration::RULE,
    &empty_down::RULE,
    &enum_value_in_transaction::RULE,
    &irreversible_down::RULE,
    &migration_fails::RULE,
    &missing_down::RULE,
    &missing_lock_timeout::RULE,
    &non_atomic_ddl::RULE,
    &online_rebuild::RULE,
    &orphan_down::RULE,
    &out_of_order_version::RULE,
    &parse_error::RULE,
    &partition_blocking::RULE,
    &pragma_in_transaction::RULE,
    &rebuild_drops_objects::RULE,
    &refresh_matview_blocking::RULE,
    &refused_by_server::RULE,
    &reindex_blocking::RULE,
    &rename_column::RULE,
    &rename_object::RULE,
    &rename_table::RULE,
    &set_not_null::RULE,
    &table_rewrite::RULE,
    &truncate_table::RULE,
    &uncommitted_transaction::RULE,
    &unused_ignore::RULE,
    &validate_in_same_transaction::RULE,
];

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.id == id)
}

/// Which dialects a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialects {
    pub postgres: bool,
    pub mysql: bool,
    pub sqlite: bool,
}

impl Dialects {
    pub const ALL: Dialects = Dialects {
        postgres: true,
        mysql: true,
        sqlite: true,
    };
    pub const POSTGRES: Dialects = Dialects {
        postgres: true,
        mysql: false,
        sqlite: false,
    };

    pub fn contains(self, d: Dialect) -> bool {
        match d {
            Dialect::Postgres => self.postgres,
            Dialect::Mysql => self.mysql,
            Dialect::Sqlite => self.sqlite,
        }
    }

    pub fn names(self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.postgres {
            v.push("postgres");
        }
        if self.mysql {
            v.push("mysql");
        }
        if self.sqlite {
            v.push("sqlite");
        }
        v
    }
}

/// A rule: its metadata and its check.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// What kind of hazard it flags (`small-tables` turns lock findings into info).
    pub class: Class,
    pub dialects: Dialects,
    /// One line, lowercase, no final period (`bellows rules`, SARIF).
    pub summary: &'static str,
    /// `rules/<id>.md`, compiled in.
    pub doc: &'static str,
    pub check: Check,
}

impl Rule {
    /// Whether the rule offers a fix (`check --fix`): its doc says what the
    /// fix writes under `## Fix` (tests/meta.rs keeps the two in step).
    pub fn has_fix(&self) -> bool {
        self.doc.contains("\n## Fix\n")
    }
}

/// What kind of hazard a rule flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A lock, a rewrite or a scan of a table: brief on a small table, so
    /// `small-tables` makes its findings on them info.
    Lock,
    /// A change old code or data cannot survive (a drop, a rename, NOT
    /// NULL): the same whatever the table's size.
    Contract,
    /// Transactions, server refusals, reversibility, layout, the tool itself.
    Other,
}

/// What a rule looks at.
pub enum Check {
    /// One statement of an up migration, with the catalog as it was before it.
    Statement(fn(&StmtCx<'_>, &mut Vec<Hit>)),
    /// As `Statement`, until the rule finds something in the up: one
    /// finding a migration, on the first statement that has one.
    FirstInUp(fn(&StmtCx<'_>, &mut Vec<Hit>)),
    /// A statement anywhere, up or down (syntax-level rules).
    AnyStatement(fn(&StmtCx<'_>, &mut Vec<Hit>)),
    /// A whole migration: its up and down.
    Migration(fn(&MigrationCx<'_>, &mut Vec<Hit>)),
    /// The whole set of migrations of a root.
    Root(fn(&RootCx<'_>, &mut Vec<Hit>)),
    /// The ignore comments, after they suppressed what they could.
    Ignores(fn(&IgnoreCx<'_>, &mut Vec<Hit>)),
    /// Reported by `bellows verify` only, from what a real server did.
    Verify,
}

/// What an ignore-comment rule sees.
pub struct IgnoreCx<'a> {
    pub ignores: &'a ignore::Ignores,
    pub settings: &'a Settings,
}

/// `users.email`, as messages name a column.
pub fn col(table: &Name, column: &str) -> String {
    format!("{table}.{column}")
}

/// `000002_add_email`: how messages name a migration.
pub fn migration_label(m: &Migration) -> String {
    if m.name.is_empty() || m.name == m.version.text {
        m.version.text.clone()
    } else {
        format!("{}_{}", m.version.text, m.name)
    }
}

/// Where the layout keeps a migration's down, for help texts.
pub fn down_hint(layout: Layout, m: &Migration) -> String {
    let label = migration_label(m);
    match layout {
        Layout::GolangMigrate | Layout::Sqlx | Layout::OryPop => {
            format!(" in `{label}.down.sql`")
        }
        Layout::Diesel | Layout::Hasura => format!(" in `{label}/down.sql`"),
        Layout::Yoyo => format!(" in `{}.rollback.sql`", m.name),
        Layout::Sqitch => format!(" in `revert/{}.sql`", m.name),
        Layout::Goose => " under a `-- +goose Down` section".to_string(),
        Layout::Dbmate => " under a `-- migrate:down` section".to_string(),
        Layout::SqlMigrate => " under a `-- +migrate Down` section".to_string(),
        Layout::Flyway => format!(" in `U{}__….sql`", m.version.text),
        Layout::NodePgMigrate => " under a `-- Down Migration` line".to_string(),
        Layout::Tern => " below the `---- create above / drop below ----` line".to_string(),
        Layout::Prisma
        | Layout::Plain
        | Layout::Drizzle
        | Layout::Atlas
        | Layout::Supabase
        | Layout::Refinery
        | Layout::GraphileMigrate
        | Layout::Liquibase => String::new(),
    }
}
/// What a root rule sees.
pub struct RootCx<'a> {
    pub root: &'a Root,
    pub files: &'a [SourceFile],
    /// With `--since`: what git says changed, and what exists on the base ref.
    pub since: Option<&'a crate::since::Since>,
    pub cwd: &'a std::path::Path,
}

/// What linting one root gives.
#[derive(Debug, Default)]
pub struct RootOutput {
    pub findings: Vec<Finding>,
    /// Where the statements of each file the root read are.
    pub files: Vec<(FileId, Vec<crate::model::ByteSpan>)>,
    /// How much of each file the root read was understood.
    pub coverage: Vec<(FileId, crate::parse::Coverage)>,
    /// Internal errors while parsing a file (a bug in bellows), one line each.
    pub errors: Vec<String>,
}

/// Replays one root's history and runs every enabled rule; `reportable`
/// says which files' findings are kept.
pub fn lint_root(
    root: &Root,
    sources: &[SourceFile],
    settings: &Settings,
    kept: &replay::Kept,
    reportable: &(dyn Fn(FileId) -> bool + Sync),
) -> RootOutput {
    let mut linter = Linter {
        rules: REGISTRY
            .iter()
            .copied()
            .filter(|r| r.dialects.contains(root.dialect) && settings.enabled(r.id))
            .collect(),
        reportable,
        hits: Vec::new(),
        directives: Vec::new(),
        found_in_up: Vec::new(),
    };
    let walked = replay::walk(root, sources, settings, kept, reportable, &mut linter);
    RootOutput {
        findings: linter.finish(root, sources, settings),
        files: walked.files,
        coverage: walked.coverage,
        errors: walked.errors,
    }
}

/// The rules of a root, fed by the replay.
struct Linter<'a> {
    rules: Vec<&'static Rule>,
    reportable: &'a (dyn Fn(FileId) -> bool + Sync),
    hits: Vec<(&'static Rule, Hit)>,
    directives: Vec<(FileId, Vec<ignore::Directive>)>,
    /// The `FirstInUp` rules (by position in `rules`) that found something
    /// in the current up.
    found_in_up: Vec<bool>,
}

impl Visitor for Linter<'_> {
    fn migration(&mut self, cx: &MigrationCx<'_>) {
        for rule in &self.rules {
            if let Check::Migration(f) = rule.check {
                let mut out = Vec::new();
                f(cx, &mut out);
                self.hits.extend(
                    out.into_iter()
                        .filter(|h| (self.reportable)(h.file))
                        .map(|h| (*rule, h)),
                );
            }
        }
    }

    fn statement(&mut self, cx: &StmtCx<'_>) {
        if cx.index == 0 {
            self.found_in_up.clear();
            self.found_in_up.resize(self.rules.len(), false);
        }
        for (r, rule) in self.rules.iter().enumerate() {
            let f = match rule.check {
                Check::Statement(f) if !cx.is_down => f,
                Check::FirstInUp(f) if !cx.is_down && self.found_in_up.get(r) != Some(&true) => f,
                Check::AnyStatement(f) => f,
                _ => continue,
            };
            let mut out = Vec::new();
            f(cx, &mut out);
            // Most rules find nothing in most statements.
            if out.is_empty() {
                continue;
            }
            if let Some(found) = self.found_in_up.get_mut(r) {
                *found = true;
            }
            if rule.class == Class::Lock
                && (!cx.settings.small_tables.is_empty() || cx.settings.table_sizes.is_some())
            {
                for h in &mut out {
                    sized(cx, h);
                }
            }
            self.hits.extend(out.into_iter().map(|h| (*rule, h)));
        }
    }

    fn file_done(&mut self, id: FileId, file: &ParsedFile) {
        if (self.reportable)(id) {
            self.directives.push((id, ignore::directives(id, file)));
        }
    }
}

/// A lock, rewrite or scan finding, finalized with what is known of its
/// tables' sizes: about tables all small (listed in `small-tables`, or
/// below `small-table-rows` in the stats file) it becomes info, since on a
/// small table it is over at once; and its message says the size of every
/// table the stats file knows (`orders: ~42 M rows, 18 GB`).
fn sized(cx: &StmtCx<'_>, h: &mut Hit) {
    let tables = if h.tables.is_empty() {
        statement_tables(cx)
    } else {
        h.tables.clone()
    };
    if tables.is_empty() {
        return;
    }
    let sizes = cx.settings.table_sizes.as_ref();
    let known: Vec<(&Name, &crate::model::TableStats)> = tables
        .iter()
        .filter_map(|t| Some((t, sizes?.find(t.schema.as_deref(), &t.name)?)))
        .collect();
    let listed = |t: &Name| is_small(&cx.settings.small_tables, t);
    let measured_small = |t: &Name| {
        known
            .iter()
            .any(|(k, stats)| *k == t && sizes.is_some_and(|s| s.is_small(stats)))
    };
    let small = tables.iter().all(|t| listed(t) || measured_small(t));
    let mut words: Vec<String> = known
        .iter()
        .map(|(t, stats)| format!("{t}: {}", crate::model::size_words(stats)))
        .collect();
    if small {
        h.severity = Some(Severity::Info);
        if tables.iter().all(listed) {
            words.push("listed in small-tables: over at once on a small table".to_string());
        } else {
            let rows = sizes.map_or(0, |s| s.small_rows);
            words.push(format!(
                "under small-table-rows = {rows}: over at once on a small table"
            ));
        }
    }
    if !words.is_empty() {
        let _ = write!(h.message, " ({})", words.join("; "));
    }
}

/// `small-tables` names the table as written (`flags`), or with its schema
/// (`app.flags`, `public.flags` on PostgreSQL).
fn is_small(small: &BTreeSet<String>, t: &Name) -> bool {
    let plain = t.name.to_lowercase();
    let full = t.to_string().to_lowercase();
    small.contains(&full)
        || (t.schema.is_none()
            && (small.contains(&plain)
                || small.contains(&format!("public.{plain}"))
                || small.contains(&format!("main.{plain}"))))
}

/// The tables a statement locks, rewrites or scans: its target, the tables
/// its foreign keys reference, the table of an index, the tables using a
/// domain.
fn statement_tables(cx: &StmtCx<'_>) -> Vec<Name> {
    use crate::parse::ir::{Action, AlterKind, ConstraintKind, ObjectKind};
    let catalog = cx.catalog;
    let mut out: Vec<Name> = match &cx.stmt.action {
        Action::AlterTable { table, ops, .. } => std::iter::once(table.clone())
            .chain(ops.iter().filter_map(|op| match &op.kind {
                AlterKind::AddColumn { column, .. } => column.extra().references.clone(),
                AlterKind::AddConstraint(c) => match &c.kind {
                    ConstraintKind::ForeignKey { references, .. } => Some(references.clone()),
                    _ => None,
                },
                AlterKind::AttachPartition { partition, .. }
                | AlterKind::DetachPartition { partition, .. } => Some(partition.clone()),
                _ => None,
            }))
            .collect(),
        Action::CreateIndex(ci) => vec![ci.table.clone()],
        Action::CreateTable(ct) => ct.partition_of.iter().cloned().collect(),
        Action::Drop {
            kind: ObjectKind::Index,
            names,
            table,
            ..
        } => match table {
            Some(t) => vec![Name::clone(t)],
            None => names
                .iter()
                .filter_map(|n| catalog.table_of_index(n))
                .collect(),
        },
        Action::Reindex {
            kind: ObjectKind::Table,
            name,
            ..
        }
        | Action::RefreshMaterializedView { name, .. } => vec![name.clone()],
        Action::Reindex {
            kind: ObjectKind::Index,
            name,
            ..
        }
        | Action::AlterIndex { name, .. } => catalog.table_of_index(name).into_iter().collect(),
        Action::Vacuum { tables, .. }
        | Action::Optimize { tables }
        | Action::Truncate { tables } => tables.clone(),
        Action::Cluster { table } => table.iter().cloned().collect(),
        Action::CreateObject(o) => o.on.iter().cloned().collect(),
        Action::LockTable { table, .. } | Action::Dml { table, .. } => vec![table.clone()],
        Action::Drop {
            kind: ObjectKind::Trigger | ObjectKind::Policy,
            table: Some(table),
            ..
        } => vec![Name::clone(table)],
        Action::AlterDomainAddConstraint { domain, .. } => catalog
            .tables_using_type(domain)
            .into_iter()
            .map(|(t, _)| t.clone())
            .collect(),
        _ => Vec::new(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

impl Linter<'_> {
    /// Runs the root rules, applies the ignore directives of the root's
    /// files and runs the rules about them.
    fn finish(self, root: &Root, sources: &[SourceFile], settings: &Settings) -> Vec<Finding> {
        let Linter {
            rules,
            reportable,
            mut hits,
            mut directives,
            found_in_up: _,
        } = self;
        let cx = RootCx {
            root,
            files: sources,
            since: settings.since.as_ref(),
            cwd: &settings.cwd,
        };
        // Files of migrations that are history (start-after) are never reported.
        let history = settings
            .start_after
            .as_deref()
            .map(crate::discover::Version::new);
        let past: BTreeSet<FileId> = root
            .migrations
            .iter()
            .filter(|m| history.as_ref().is_some_and(|h| &m.version <= h))
            .flat_map(|m| m.up.iter().chain(m.down.iter()).map(|p| p.file))
            .collect();
        for rule in &rules {
            if let Check::Root(f) = rule.check {
                let mut out = Vec::new();
                f(&cx, &mut out);
                hits.extend(
                    out.into_iter()
                        .filter(|h| reportable(h.file) && !past.contains(&h.file))
                        .map(|h| (*rule, h)),
                );
            }
        }
        directives.sort_by_key(|(id, _)| *id);
        let mut ignores = ignore::Ignores {
            directives: directives.into_iter().flat_map(|(_, d)| d).collect(),
            ..ignore::Ignores::default()
        };
        hits.retain(|(rule, h)| {
            let by = ignores.directives.iter().position(|d| {
                ignore::covers(d, rule.id, h.file, h.span, settings.require_ignore_reason)
            });
            match by {
                Some(i) => {
                    ignores.used.insert((i, rule.id.to_string()));
                    false
                }
                None => true,
            }
        });
        let cx = IgnoreCx {
            ignores: &ignores,
            settings,
        };
        for rule in &rules {
            if let Check::Ignores(f) = rule.check {
                let mut out = Vec::new();
                f(&cx, &mut out);
                hits.extend(out.into_iter().map(|h| (*rule, h)));
            }
        }
        hits.into_iter()
            .map(|(rule, h)| Finding {
                rule: rule.id,
                severity: h
                    .severity
                    .unwrap_or_else(|| settings.severity(rule.id, rule.severity)),
                file: h.file,
                span: h.span,
                message: h.message,
                help: h.help,
                fix: h.fix,
            })
            .collect()
    }
}

impl StmtCx<'_> {
    /// MySQL/MariaDB: the online DDL plan (`catalog::mysql`) of this
    /// statement on the target server, when it is an `ALTER TABLE` of a
    /// table that existed before the migration.
    pub fn mysql_plan(
        &self,
    ) -> Option<(
        &Name,
        &[crate::parse::ir::AlterOp],
        crate::catalog::mysql::Plan,
    )> {
        if self.dialect != Dialect::Mysql {
            return None;
        }
        let crate::parse::ir::Action::AlterTable { table, ops, .. } = &self.stmt.action else {
            return None;
        };
        if self.is_new_table(table) {
            return None;
        }
        let fk_checks = || {
            crate::catalog::mysql::foreign_key_checks(self.earlier().map(|s| self.source(s.span)))
        };
        let plan = crate::catalog::mysql::plan(
            self.catalog,
            table,
            ops,
            self.settings.mysql_version,
            &fk_checks,
        )?;
        Some((table, ops, plan))
    }
}

/// `; still named in app/reports/sales.sql:14 and api/orders.go:88`: where
/// the repository's other tracked files still use `table` (or its `column`),
/// for the help of a drop or a rename; empty when nowhere or turned off.
pub(crate) fn still_named(cx: &StmtCx<'_>, table: &Name, column: Option<&str>) -> String {
    let refs = &cx.settings.references;
    if !refs.is_on() {
        return String::new();
    }
    let Some(near) = cx.sources.get(cx.file) else {
        return String::new();
    };
    refs.still_named(
        &near.path,
        &mut cx.sources.iter().map(|s| s.path.as_path()),
        &cx.settings.cwd,
        &table.name,
        column,
    )
}

#[cfg(test)]
mod tests {
    use super::{Class, REGISTRY, is_small};
    use crate::parse::ir::Name;
    use std::collections::BTreeSet;

    #[test]
    fn small_tables_match_by_name_or_by_schema_and_name() {
        let small: BTreeSet<String> = ["flags", "app.settings", "public.plans"]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(is_small(&small, &Name::bare("flags")));
        assert!(is_small(&small, &Name::bare("plans")));
        assert!(is_small(&small, &Name::new(Some("app".into()), "settings")));
        assert!(!is_small(&small, &Name::bare("settings")));
        assert!(!is_small(&small, &Name::new(Some("app".into()), "flags")));
        assert!(!is_small(&small, &Name::bare("orders")));
    }

    #[test]
    fn contract_rules_are_never_softened_by_small_tables() {
        for id in [
            "drop-column",
            "drop-table",
            "drop-object",
            "rename-column",
            "rename-object",
            "rename-table",
            "add-column-not-null",
            "set-not-null",
        ] {
            let rule = REGISTRY.iter().find(|r| r.id == id).expect(id);
            assert_eq!(rule.class, Class::Contract, "{id}");
        }
    }
}
