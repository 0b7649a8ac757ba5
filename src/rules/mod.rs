//! The rule registry, the context rules see, and the replay loop that runs them.

mod add_check_validating;
mod add_column_not_null;
mod add_column_rewrite;
mod add_foreign_key_validating;
mod add_unique_constraint;
mod backfill_in_migration;
mod change_column_type;
mod claim_contradicted;
mod concurrently_in_transaction;
mod create_index_blocking;
mod down_loses_data;
mod drop_column;
mod drop_index_blocking;
mod drop_schema;
mod drop_table;
mod duplicate_version;
mod empty_down;
mod enum_value_in_transaction;
pub mod ignore;
mod irreversible_down;
mod migration_fails;
mod missing_down;
mod missing_lock_timeout;
mod non_atomic_ddl;
mod orphan_down;
mod out_of_order_version;
mod parse_error;
mod partition_blocking;
mod refresh_matview_blocking;
mod reindex_blocking;
mod rename_column;
mod rename_table;
mod set_not_null;
mod table_rewrite;
mod truncate_table;
mod unused_ignore;

use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::discover::{FileId, Layout, Migration, Part, Root, TxMode};
use crate::parse::ir::{Action, AlterKind, ByteSpan, Name, ObjectKind};
use crate::parse::{ParsedFile, Stmt};
use crate::{Dialect, Finding, Settings, Severity};

/// Parsed files by id: those of the migrations being linted.
pub type Parsed = std::collections::HashMap<FileId, ParsedFile>;

/// Every rule, sorted by id. Adding a rule = its file + one line here.
pub static REGISTRY: &[&Rule] = &[
    &add_check_validating::RULE,
    &add_column_not_null::RULE,
    &add_column_rewrite::RULE,
    &add_foreign_key_validating::RULE,
    &add_unique_constraint::RULE,
    &backfill_in_migration::RULE,
    &change_column_type::RULE,
    &claim_contradicted::RULE,
    &concurrently_in_transaction::RULE,
    &create_index_blocking::RULE,
    &down_loses_data::RULE,
    &drop_column::RULE,
    &drop_index_blocking::RULE,
    &drop_schema::RULE,
    &drop_table::RULE,
    &duplicate_version::RULE,
    &empty_down::RULE,
    &enum_value_in_transaction::RULE,
    &irreversible_down::RULE,
    &migration_fails::RULE,
    &missing_down::RULE,
    &missing_lock_timeout::RULE,
    &non_atomic_ddl::RULE,
    &orphan_down::RULE,
    &out_of_order_version::RULE,
    &parse_error::RULE,
    &partition_blocking::RULE,
    &refresh_matview_blocking::RULE,
    &reindex_blocking::RULE,
    &rename_column::RULE,
    &rename_table::RULE,
    &set_not_null::RULE,
    &table_rewrite::RULE,
    &truncate_table::RULE,
    &unused_ignore::RULE,
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
    pub dialects: Dialects,
    /// One line, lowercase, no final period (`bellows rules`, SARIF).
    pub summary: &'static str,
    /// `rules/<id>.md`, compiled in.
    pub doc: &'static str,
    pub check: Check,
}

/// What a rule looks at.
pub enum Check {
    /// One statement of an up migration, with the catalog as it was before it.
    Statement(fn(&StmtCx<'_>, &mut Vec<Hit>)),
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

/// What a check reports; the engine adds the rule, severity and path.
#[derive(Debug, Clone)]
pub struct Hit {
    pub file: FileId,
    /// `None` = a file-level finding.
    pub span: Option<ByteSpan>,
    pub message: String,
    pub help: String,
    /// Overrides the rule's severity (a warning where the verdict depends on
    /// a server setting, an info note for a justified exception).
    pub severity: Option<Severity>,
}

/// Objects created earlier in the current migration: they are new, nothing
/// deployed uses them yet.
#[derive(Debug, Default, Clone)]
pub struct Created {
    pub tables: BTreeSet<Name>,
    pub columns: BTreeSet<(Name, String)>,
    pub others: BTreeSet<Name>,
    pub schemas: BTreeSet<String>,
}

impl Created {
    fn record(&mut self, action: &Action) {
        match action {
            Action::CreateTable(ct) => {
                self.tables.insert(ct.name.clone());
            }
            Action::CreateView { name, .. } => {
                // A view is a relation too: indexes, locks and drops on it are new.
                self.tables.insert(name.clone());
                self.others.insert(name.clone());
            }
            Action::CreateEnum { name, .. } => {
                self.others.insert(name.clone());
            }
            Action::CreateIndex(ci) => {
                if let Some(n) = &ci.name {
                    self.others.insert(n.clone());
                }
            }
            Action::CreateSchema { name } => {
                self.schemas.insert(name.clone());
            }
            Action::AlterTable { table, ops, .. } => {
                let mut current = table.clone();
                for op in ops {
                    match &op.kind {
                        AlterKind::AddColumn { column, .. } => {
                            self.columns.insert((current.clone(), column.name.clone()));
                        }
                        AlterKind::RenameColumn { from, to }
                            if self.columns.contains(&(current.clone(), from.clone())) =>
                        {
                            self.columns.insert((current.clone(), to.clone()));
                        }
                        AlterKind::RenameTo { to } => {
                            let to = Name::new(
                                to.schema.clone().or_else(|| current.schema.clone()),
                                to.name.clone(),
                            );
                            if self.tables.contains(&current) {
                                self.tables.insert(to.clone());
                            }
                            current = to;
                        }
                        _ => {}
                    }
                }
            }
            Action::RenameTables(pairs) => {
                for (from, to) in pairs {
                    if self.tables.contains(from) {
                        self.tables.insert(to.clone());
                    }
                }
            }
            _ => {}
        }
    }
}

/// Why a statement runs inside a transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxReason {
    /// An explicit `BEGIN` earlier in the migration.
    Explicit,
    /// The migration tool wraps every migration in a transaction.
    Tool,
    /// The file is sent as one multi-statement query (golang-migrate on PostgreSQL).
    MultiStatement,
}

/// What a statement rule sees.
#[derive(Clone, Copy)]
pub struct StmtCx<'a> {
    pub stmt: &'a Stmt,
    pub file: FileId,
    /// The file's text (to quote the user's own statement).
    pub text: &'a str,
    /// The catalog as it was before this statement.
    pub catalog: &'a Catalog,
    pub created: &'a Created,
    /// Why the statement runs inside a transaction, if it does.
    pub transaction: Option<TxReason>,
    /// `SET lock_timeout` ran earlier in the migration.
    pub lock_timeout: bool,
    pub dialect: Dialect,
    pub settings: &'a Settings,
    pub layout: Layout,
    pub migration: &'a Migration,
    /// The statements of the same part (up or down), in order, and this one's index.
    pub siblings: &'a [&'a Stmt],
    pub index: usize,
    pub is_down: bool,
}

impl StmtCx<'_> {
    pub fn is_new_table(&self, t: &Name) -> bool {
        self.created.tables.contains(t)
    }

    pub fn is_new_column(&self, t: &Name, c: &str) -> bool {
        self.is_new_table(t) || self.created.columns.contains(&(t.clone(), c.to_string()))
    }

    pub fn is_new_object(&self, kind: ObjectKind, n: &Name) -> bool {
        match kind {
            ObjectKind::Table => self.is_new_table(n),
            ObjectKind::Schema | ObjectKind::Database => self.created.schemas.contains(&n.name),
            _ => self.created.others.contains(n),
        }
    }

    /// A finding anchored on `span`.
    pub fn hit(&self, span: ByteSpan, message: String, help: String) -> Hit {
        Hit {
            file: self.file,
            span: Some(span),
            message,
            help,
            severity: None,
        }
    }

    /// The type a column got when it was added earlier in this migration.
    pub fn created_type(&self, table: &Name, column: &str) -> Option<crate::parse::ir::TypeName> {
        self.earlier().find_map(|s| match &s.action {
            Action::AlterTable { table: t, ops, .. } if t == table => {
                ops.iter().find_map(|o| match &o.kind {
                    AlterKind::AddColumn { column: c, .. } if c.name == column => c.ty.clone(),
                    _ => None,
                })
            }
            _ => None,
        })
    }

    /// The user's own text of a span of this file.
    pub fn source(&self, span: ByteSpan) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The statement as the user wrote it, on one line.
    pub fn statement_text(&self) -> String {
        self.source(self.stmt.span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The statement with `CONCURRENTLY` inserted after `word` (`INDEX`,
    /// `VIEW`, …), quoting the user's own text.
    pub fn with_concurrently(&self, after: &str) -> String {
        let text = self.statement_text();
        let mut out = String::new();
        let mut done = false;
        for (i, w) in text.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
            if !done && w.eq_ignore_ascii_case(after) {
                out.push_str(" CONCURRENTLY");
                done = true;
            }
        }
        out
    }

    /// How to run a statement outside the migration's transaction, in the
    /// words of the layout in use.
    pub fn outside_transaction_hint(&self) -> String {
        match (self.transaction, self.layout.no_transaction_hint()) {
            (Some(TxReason::Explicit), _) => "move it out of the BEGIN … COMMIT block".to_string(),
            (_, Some(h)) => h.to_string(),
            (_, None) => "run it outside any transaction".to_string(),
        }
    }

    /// Statements after this one in the same part.
    pub fn later(&self) -> impl Iterator<Item = &Stmt> {
        self.siblings.iter().skip(self.index + 1).copied()
    }

    /// Statements before this one in the same part.
    pub fn earlier(&self) -> impl Iterator<Item = &Stmt> {
        self.siblings.iter().take(self.index).copied()
    }
}

/// What a migration rule sees.
pub struct MigrationCx<'a> {
    pub migration: &'a Migration,
    pub layout: Layout,
    pub dialect: Dialect,
    /// The catalog before the up.
    pub before: &'a Catalog,
    pub up: Vec<&'a Stmt>,
    pub down: Vec<&'a Stmt>,
    pub files: &'a Parsed,
    /// Every file of the root, for the text of a statement.
    pub sources: &'a [crate::discover::SourceFile],
}

impl MigrationCx<'_> {
    /// A file's text (to quote the user's own statements).
    pub fn text(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |s| s.text.as_str())
    }

    /// The comments inside the down part.
    pub fn down_comments(&self) -> Vec<&str> {
        let Some(part) = self.migration.down else {
            return Vec::new();
        };
        self.files
            .get(&part.file)
            .map(|f| {
                f.comments
                    .iter()
                    .filter(|c| part.holds(c.span))
                    .map(|c| c.text.trim())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What a root rule sees.
pub struct RootCx<'a> {
    pub root: &'a Root,
    pub files: &'a [crate::discover::SourceFile],
    /// With `--since`: what git says changed, and what exists on the base ref.
    pub since: Option<&'a crate::since::Since>,
    pub cwd: &'a std::path::Path,
}

/// The statements of a part: a whole file, or those inside its section.
pub fn part_statements(files: &Parsed, part: Part) -> Vec<&Stmt> {
    let Some(f) = files.get(&part.file) else {
        return Vec::new();
    };
    f.statements.iter().filter(|s| part.holds(s.span)).collect()
}

/// Migrations linted per step: their files are parsed together (while the
/// step before is linted), and dropped to their spans once linted, so memory
/// stays flat whatever the length of the history.
const STEP: usize = 64;

/// What linting one root gives.
#[derive(Debug, Default)]
pub struct RootOutput {
    pub findings: Vec<Finding>,
    /// Where the statements of each file the root read are.
    pub files: Vec<(FileId, Vec<ByteSpan>)>,
    /// Internal errors while parsing a file (a bug in bellows), one line each.
    pub errors: Vec<String>,
}

/// Parses files, each under its own last guard: a panic becomes an internal
/// error for that file, which is then read as empty.
pub fn parse_files(
    ids: &[FileId],
    sources: &[crate::discover::SourceFile],
    par: crate::par::Par,
) -> Vec<(FileId, ParsedFile, Option<String>)> {
    par.filter_map(ids, |&id| {
        let f = sources.get(id)?;
        let parsed = std::panic::catch_unwind(|| {
            crate::parse::parse_annotated(&f.text, f.dialect, &f.annotations)
        });
        Some(match parsed {
            Ok(p) => (id, p, None),
            Err(e) => (
                id,
                ParsedFile::default(),
                Some(crate::internal_error(&f.display, &e)),
            ),
        })
    })
}

/// Where a parsed file's statements are: all that is kept once it is linted.
pub fn spans(file: &ParsedFile) -> Vec<ByteSpan> {
    file.statements.iter().map(|s| s.span).collect()
}

/// Replays one root's history and runs every enabled rule; `reportable`
/// says which files' findings are kept. The root's files are parsed here,
/// a step of migrations at a time.
pub fn lint_root(
    root: &Root,
    sources: &[crate::discover::SourceFile],
    settings: &Settings,
    reportable: &(dyn Fn(FileId) -> bool + Sync),
    par: crate::par::Par,
) -> RootOutput {
    let mut replay = Replay {
        rules: REGISTRY
            .iter()
            .copied()
            .filter(|r| r.dialects.contains(root.dialect) && settings.enabled(r))
            .collect(),
        root,
        sources,
        settings,
        reportable,
        catalog: Catalog::new(root.dialect),
        history: settings
            .start_after
            .as_deref()
            .map(crate::discover::Version::new),
        hits: Vec::new(),
    };
    let files_of = |m: &Migration| {
        m.up.iter()
            .chain(m.down.iter())
            .map(|p| p.file)
            .collect::<Vec<_>>()
    };
    // Each file is parsed for the step of its first use and dropped after
    // the step of its last.
    let steps: Vec<&[Migration]> = root.migrations.chunks(STEP).collect();
    let mut first: Vec<Vec<FileId>> = vec![Vec::new(); steps.len()];
    let mut last: Vec<Vec<FileId>> = vec![Vec::new(); steps.len()];
    let mut seen: std::collections::BTreeMap<FileId, usize> = std::collections::BTreeMap::new();
    for (i, step) in steps.iter().enumerate() {
        for f in step.iter().flat_map(files_of) {
            if seen.insert(f, i).is_none() {
                first[i].push(f);
            }
        }
    }
    for (f, i) in &seen {
        last[*i].push(*f);
    }
    let mut out = RootOutput::default();
    let mut parsed = Parsed::new();
    let mut directives: std::collections::BTreeMap<FileId, Vec<ignore::Directive>> =
        std::collections::BTreeMap::new();
    let mut next = first.first().map(|ids| parse_files(ids, sources, par));
    for (i, step) in steps.iter().enumerate() {
        for (id, file, error) in next.take().unwrap_or_default() {
            out.errors.extend(error);
            parsed.insert(id, file);
        }
        // Parse the next step while this one is linted.
        let following = first.get(i + 1);
        let (ahead, ()) = par.join(
            || following.map(|ids| parse_files(ids, sources, par)),
            || {
                for m in *step {
                    replay.migration(m, &parsed);
                }
            },
        );
        next = ahead;
        for id in &last[i] {
            let Some(file) = parsed.remove(id) else {
                continue;
            };
            if reportable(*id) {
                directives.insert(*id, ignore::directives(*id, &file));
            }
            out.files.push((*id, spans(&file)));
        }
    }
    out.findings = replay.finish(directives.into_values().flatten().collect());
    out
}

/// The replay of one root's history, migration by migration.
struct Replay<'a> {
    rules: Vec<&'static Rule>,
    root: &'a Root,
    sources: &'a [crate::discover::SourceFile],
    settings: &'a Settings,
    reportable: &'a (dyn Fn(FileId) -> bool + Sync),
    catalog: Catalog,
    /// `start-after`: migrations up to it are replayed, never reported.
    history: Option<crate::discover::Version>,
    hits: Vec<(&'static Rule, Hit)>,
}

impl Replay<'_> {
    fn migration(&mut self, m: &Migration, parsed: &Parsed) {
        let root = self.root;
        let settings = self.settings;
        let up = m.up.map(|p| part_statements(parsed, p)).unwrap_or_default();
        let down = m
            .down
            .map(|p| part_statements(parsed, p))
            .unwrap_or_default();
        let current = self.history.as_ref().is_none_or(|h| &m.version > h);
        let report_up = current && m.up.is_some_and(|p| (self.reportable)(p.file));
        let report_down = current && m.down.is_some_and(|p| (self.reportable)(p.file));
        let text_of = |file: FileId| self.sources.get(file).map_or("", |s| s.text.as_str());
        if report_up || report_down {
            // Migration rules see the catalog as it was before the up.
            let cx = MigrationCx {
                migration: m,
                layout: root.layout,
                dialect: root.dialect,
                before: &self.catalog,
                up: up.clone(),
                down: down.clone(),
                files: parsed,
                sources: self.sources,
            };
            for rule in &self.rules {
                if let Check::Migration(f) = rule.check {
                    let mut out = Vec::new();
                    f(&cx, &mut out);
                    self.hits.extend(
                        out.into_iter()
                            .filter(|h| (self.reportable)(h.file))
                            .map(|h| (*rule, h)),
                    );
                }
            }
        }
        let mut created = Created::default();
        let mut explicit_tx = false;
        let mut lock_timeout = false;
        for (i, stmt) in up.iter().enumerate() {
            if report_up {
                let transaction = transaction_of(m.tx, explicit_tx, root.dialect, up.len());
                let file = m.up.map_or(0, |p| p.file);
                let cx = StmtCx {
                    stmt,
                    file,
                    text: text_of(file),
                    catalog: &self.catalog,
                    created: &created,
                    transaction,
                    lock_timeout,
                    dialect: root.dialect,
                    settings,
                    layout: root.layout,
                    migration: m,
                    siblings: &up,
                    index: i,
                    is_down: false,
                };
                for rule in &self.rules {
                    if let Check::Statement(f) | Check::AnyStatement(f) = rule.check {
                        let mut out = Vec::new();
                        f(&cx, &mut out);
                        self.hits.extend(out.into_iter().map(|h| (*rule, h)));
                    }
                }
            }
            match &stmt.action {
                Action::Begin => explicit_tx = true,
                Action::Commit | Action::Rollback => explicit_tx = false,
                Action::Set { name }
                    if matches!(
                        name.as_str(),
                        "lock_timeout" | "lock_wait_timeout" | "innodb_lock_wait_timeout"
                    ) =>
                {
                    lock_timeout = true;
                }
                _ => {}
            }
            created.record(&stmt.action);
            self.catalog.apply(&stmt.action);
        }
        if report_down {
            let file = m.down.map_or(0, |p| p.file);
            let down_created = Created::default();
            let mut explicit_tx = false;
            for (i, stmt) in down.iter().enumerate() {
                // A down runs the way its up runs: same wrapper, same query string rules.
                let transaction = transaction_of(m.tx, explicit_tx, root.dialect, down.len());
                match &stmt.action {
                    Action::Begin => explicit_tx = true,
                    Action::Commit | Action::Rollback => explicit_tx = false,
                    _ => {}
                }
                let cx = StmtCx {
                    stmt,
                    file,
                    text: text_of(file),
                    catalog: &self.catalog,
                    created: &down_created,
                    transaction,
                    lock_timeout: false,
                    dialect: root.dialect,
                    settings,
                    layout: root.layout,
                    migration: m,
                    siblings: &down,
                    index: i,
                    is_down: true,
                };
                for rule in &self.rules {
                    if let Check::AnyStatement(f) = rule.check {
                        let mut out = Vec::new();
                        f(&cx, &mut out);
                        self.hits.extend(out.into_iter().map(|h| (*rule, h)));
                    }
                }
            }
        }
    }

    /// Runs the root rules, applies the ignore directives of the root's
    /// files and runs the rules about them.
    fn finish(self, directives: Vec<ignore::Directive>) -> Vec<Finding> {
        let Replay {
            rules,
            root,
            sources,
            settings,
            reportable,
            history,
            mut hits,
            ..
        } = self;
        let cx = RootCx {
            root,
            files: sources,
            since: settings.since.as_ref(),
            cwd: &settings.cwd,
        };
        // Files of migrations that are history (start-after) are never reported.
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
        let mut ignores = ignore::Ignores {
            directives,
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
                severity: h.severity.unwrap_or_else(|| settings.severity(rule)),
                file: h.file,
                span: h.span,
                message: h.message,
                help: h.help,
            })
            .collect()
    }
}

/// Why a statement of a migration part with `statements` statements runs
/// inside a transaction, if it does.
fn transaction_of(
    tx: TxMode,
    explicit: bool,
    dialect: Dialect,
    statements: usize,
) -> Option<TxReason> {
    if explicit {
        return Some(TxReason::Explicit);
    }
    match tx {
        TxMode::Wrapped => Some(TxReason::Tool),
        TxMode::ImplicitMulti if dialect == Dialect::Postgres && statements > 1 => {
            Some(TxReason::MultiStatement)
        }
        _ => None,
    }
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
        Layout::GolangMigrate | Layout::Sqlx => format!(" in `{label}.down.sql`"),
        Layout::Diesel => format!(" in `{label}/down.sql`"),
        Layout::Goose => " under a `-- +goose Down` section".to_string(),
        Layout::Dbmate => " under a `-- migrate:down` section".to_string(),
        Layout::SqlMigrate => " under a `-- +migrate Down` section".to_string(),
        Layout::Flyway => format!(" in `U{}__….sql`", m.version.text),
        Layout::Prisma | Layout::Plain => String::new(),
    }
}
