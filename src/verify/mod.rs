//! `bellows verify`: every migration of a root runs up, down and up again on
//! a scratch database that bellows creates and removes, and what the server
//! says is reported as findings.
//!
//! In: the discovered roots, the settings and where to run (a database URL,
//! or a server bellows starts). Out: an [`Outcome`] of what the server
//! refused or the down did not give back, and on PostgreSQL a trace of what
//! each statement of the ups did.
//!
//! Each engine (one file each) implements [`Engine`]: run a statement, read
//! the schema back into [`schema::Schema`], read a table's rows, and remove
//! its scratch database when dropped (also on a panic's unwind; Ctrl-C goes
//! through [`cleanup`]). Everything else — which statements run, in which
//! transaction, the comparison and the findings — is here, the same for all.

pub mod cleanup;
#[cfg(feature = "embedded-postgres")]
mod embedded;
pub mod global;
pub(crate) mod mysql;
pub(crate) mod postgres;
pub mod rows;
pub mod schema;
mod sqlite;
pub mod trace;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use crate::discover::{self, FileId, Migration, Part, Root, TxMode};
use crate::model::{Dialect, Finding, Settings, Severity};
use crate::outcome::Outcome;
use crate::parse::{Action, ByteSpan, ParsedFile, Stmt};
use schema::Schema;

/// An error from the server, as it said it.
#[derive(Debug, Clone)]
pub struct DbError {
    pub message: String,
    /// The server's own code (SQLSTATE, MySQL error number, SQLite code).
    pub code: Option<String>,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(c) => write!(f, "{} (code {c})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A scratch database on one engine. Dropping it removes the database
/// (unless it is kept).
pub trait Engine {
    /// Runs one statement (or a script, for an explicit transaction block).
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;
    /// Reads the schema back.
    fn schema(&mut self) -> Result<Schema, DbError>;
    /// Every row of a table, each value as text (`None` = NULL), with the
    /// columns in the order given.
    fn rows(&mut self, table: &schema::Table, columns: &[String]) -> Result<Vec<Row>, DbError>;
    /// The SQL literal of a generated value, for `--rows`.
    fn literal(&self, value: &rows::Value) -> String;
    /// A name quoted for the server.
    fn quote(&self, name: &str) -> String;
    /// Where the scratch database is, for `--keep`.
    fn location(&self) -> String;
    /// Keep the database when dropped.
    fn keep(&mut self);
    /// The roles (PostgreSQL) or users (MySQL, as `'user'@'host'`) of the
    /// server.
    fn roles(&mut self) -> Result<BTreeSet<String>, DbError>;
    /// When the scratch database is removed, also drop the roles the run
    /// created (those not in `before`) and these databases it created.
    fn undo_afterwards(&mut self, before: BTreeSet<String>, databases: Vec<String>);

    /// Whether the engine can trace locks and rewrites (PostgreSQL).
    fn traces(&self) -> bool {
        false
    }
    /// The tables and their files (oid → name, relfilenode), for the trace.
    fn relations(&mut self) -> Result<BTreeMap<u32, (String, String)>, DbError> {
        Ok(BTreeMap::new())
    }
    /// The relation locks this session holds (oid, mode).
    fn own_locks(&mut self) -> Result<BTreeSet<(u32, String)>, DbError> {
        Ok(BTreeSet::new())
    }
    /// Runs a statement that cannot run in a transaction, watching the
    /// relation locks it holds from a second session while it runs; `None`
    /// when there is no second session (nothing observed, no trace entry).
    fn execute_sampled(&mut self, sql: &str) -> Result<Option<BTreeSet<(u32, String)>>, DbError> {
        self.execute(sql).map(|()| None)
    }
    /// Which server verifies, when it is not the one the settings name
    /// (the embedded PostgreSQL: always 17.5).
    fn server(&self) -> Option<String> {
        None
    }
}

/// A row read back: one value per column, as text.
pub type Row = Vec<Option<String>>;

/// What `verify` is told beside the settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--database-url` / `BELLOWS_DATABASE_URL`.
    pub url: Option<String>,
    /// `--rows N`.
    pub rows: u32,
    pub keep: bool,
    pub allow_global_changes: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What a verify run gives: the findings as `check` gives them, and one
/// note per root for stderr.
#[derive(Debug)]
pub struct Report {
    pub outcome: Outcome,
    pub notes: Vec<String>,
    /// PostgreSQL: what each statement of the verified ups did.
    pub trace: Vec<trace::Entry>,
}

/// Which of the three runs of a migration a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Up,
    Down,
    ReUp,
}

impl Step {
    fn words(self) -> &'static str {
        match self {
            Step::Up => "the up",
            Step::Down => "the down",
            Step::ReUp => "the up, applied again after its down,",
        }
    }
}

/// Runs the migrations under `paths` on scratch databases. `Err` is one
/// line for exit 2 (no server, no database, a refused global change).
/// `check` gives the static findings the trace is compared with.
pub fn verify(
    paths: &[PathBuf],
    settings: &Settings,
    opts: &Options,
    check: impl FnOnce() -> Outcome,
) -> Result<Report, String> {
    let discovered = discover::discover(
        paths,
        &discover::Options {
            dialect: settings.dialect,
            layout: settings.layout,
            layout_by: settings.layout_by(),
            cwd: settings.cwd.clone(),
            exclude: settings
                .exclude
                .clone()
                .map(|g| (g, settings.exclude_base.clone())),
            stdin: None,
            overlay: std::collections::BTreeMap::new(),
        },
    );
    if let Some(e) = discovered.errors.first() {
        return Err(e.message.clone());
    }
    let parsed: HashMap<FileId, ParsedFile> = discovered
        .files
        .iter()
        .enumerate()
        .map(|(id, f)| {
            (
                id,
                crate::parse::parse_annotated(&f.text, f.dialect, &f.annotations),
            )
        })
        .collect();
    cleanup::install();
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let mut traced = Vec::new();
    let mut runs: Vec<RootRun<'_>> = discovered
        .roots
        .iter()
        .map(|root| RootRun {
            root,
            files: &discovered.files,
            parsed: &parsed,
            settings,
            opts,
            findings: Vec::new(),
            notes: Vec::new(),
            trace: Vec::new(),
            history: false,
            bar: None,
        })
        .collect();
    // Every root's statements that reach past the scratch database are
    // found before anything runs on any server.
    let globals = runs
        .iter()
        .map(RootRun::globals)
        .collect::<Result<Vec<_>, String>>()?;
    for (run, globals) in runs.iter_mut().zip(globals) {
        let root = run.root;
        cleanup::wait_if_interrupted();
        let started = Instant::now();
        let (verified, kept) = run.run(&globals)?;
        let replayed = root.migrations.iter().filter(|m| run.history(m)).count();
        findings.append(&mut run.findings);
        notes.append(&mut run.notes);
        traced.append(&mut run.trace);
        let mut note = format!(
            "{}: {verified} of {} migrations verified{} on {} in {:.2} s",
            root.display,
            root.migrations.len() - replayed,
            if replayed > 0 {
                format!(" ({replayed} earlier ones applied, up only)")
            } else {
                String::new()
            },
            root.dialect.id(),
            started.elapsed().as_secs_f64()
        );
        if let Some(k) = kept {
            note = format!("{note}, scratch database kept: {k}");
        }
        notes.push(note);
    }
    cleanup::wait_if_interrupted();
    if !traced.is_empty() {
        let checked = check();
        findings.extend(
            trace::contradictions(&traced, &checked, &discovered.files)
                .into_iter()
                .map(|mut f| {
                    f.severity = settings.severity(f.rule, f.severity);
                    f
                }),
        );
    }
    findings.retain(|f| crate::rules::find(f.rule).is_none_or(|r| settings.enabled(r.id)));
    crate::outcome::sort_findings(&mut findings, &discovered.files);
    let statements = (0..discovered.files.len())
        .map(|id| {
            parsed
                .get(&id)
                .map(|p| p.statements.iter().map(|s| s.span).collect())
                .unwrap_or_default()
        })
        .collect();
    let coverage = (0..discovered.files.len())
        .map(|id| {
            parsed
                .get(&id)
                .map(crate::parse::ParsedFile::coverage)
                .unwrap_or_default()
        })
        .collect();
    Ok(Report {
        outcome: Outcome {
            discovered,
            statements,
            coverage,
            findings,
            stats: None,
        },
        notes,
        trace: traced,
    })
}

/// Opens a scratch database for a root's dialect.
fn open(dialect: Dialect, opts: &Options, root: &str) -> Result<Box<dyn Engine>, String> {
    let url = opts.url.as_deref();
    let is_mysql = url.is_some_and(|u| u.starts_with("mysql://") || u.starts_with("mariadb://"));
    let is_pg = url.is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"));
    match dialect {
        Dialect::Sqlite => Ok(Box::new(sqlite::Sqlite::create()?)),
        Dialect::Postgres => match url {
            Some(u) if is_pg => Ok(Box::new(postgres::Postgres::create(u)?)),
            Some(_) => Err(format!(
                "{root}: the migrations are PostgreSQL, the database URL is not postgres://…"
            )),
            None => without_url(),
        },
        Dialect::Mysql => match url {
            Some(u) if is_mysql => Ok(Box::new(mysql::Mysql::create(u)?)),
            Some(_) => Err(format!(
                "{root}: the migrations are MySQL, the database URL is not mysql://…"
            )),
            None => Err(format!(
                "{root}: verifying MySQL migrations needs a server: give --database-url \
                 mysql://user:password@host:3306/db (or BELLOWS_DATABASE_URL); bellows creates \
                 its own database there and drops it afterwards"
            )),
        },
    }
}

/// PostgreSQL without a URL: a temporary cluster when initdb and pg_ctl
/// are on PATH, else the embedded server when it is compiled in.
fn without_url() -> Result<Box<dyn Engine>, String> {
    if postgres::cluster_available() {
        return Ok(Box::new(postgres::Postgres::temporary()?));
    }
    embedded_server()
}

#[cfg(feature = "embedded-postgres")]
fn embedded_server() -> Result<Box<dyn Engine>, String> {
    Ok(Box::new(embedded::Embedded::start()?))
}

#[cfg(not(feature = "embedded-postgres"))]
fn embedded_server() -> Result<Box<dyn Engine>, String> {
    Err(
        "verifying PostgreSQL migrations needs a server: give --database-url \
         postgres://user:password@host:5432/db (or BELLOWS_DATABASE_URL), put initdb and pg_ctl \
         on PATH for a temporary cluster, or install bellows with its embedded PostgreSQL: \
         cargo install bellows --features embedded-postgres"
            .to_string(),
    )
}

/// One root's run.
struct RootRun<'a> {
    root: &'a Root,
    files: &'a [discover::SourceFile],
    parsed: &'a HashMap<FileId, ParsedFile>,
    settings: &'a Settings,
    opts: &'a Options,
    findings: Vec<Finding>,
    notes: Vec<String>,
    trace: Vec<trace::Entry>,
    /// The migration being applied is history (up only, not traced).
    history: bool,
    bar: Option<Bar>,
}

/// A statement to run: its file, span and text.
struct Sql<'a> {
    file: FileId,
    span: ByteSpan,
    text: &'a str,
    stmt: &'a Stmt,
}

impl<'a> RootRun<'a> {
    fn statements(&self, part: Option<Part>) -> Vec<Sql<'a>> {
        let Some(part) = part else {
            return Vec::new();
        };
        let (Some(file), Some(src)) = (self.parsed.get(&part.file), self.files.get(part.file))
        else {
            return Vec::new();
        };
        file.statements
            .iter()
            .filter(|s| part.holds(s.span))
            .filter_map(|s: &'a Stmt| {
                Some(Sql {
                    file: part.file,
                    span: s.span,
                    text: src.text.get(s.span.start..s.span.end)?,
                    stmt: s,
                })
            })
            .collect()
    }

    /// Whether a migration is only replayed (history before `--since` or
    /// `start_after`), not verified.
    fn history(&self, m: &Migration) -> bool {
        if let (Some(after), Some(_)) = (&self.settings.start_after, m.up)
            && m.version <= discover::version::Version::new(after)
        {
            return true;
        }
        let Some(since) = &self.settings.since else {
            return false;
        };
        let changed = |p: Option<Part>| {
            p.and_then(|p| self.files.get(p.file)).is_some_and(|f| {
                since
                    .changed
                    .contains(&crate::since::absolute(&f.path, &self.settings.cwd))
            })
        };
        !changed(m.up) && !changed(m.down)
    }

    /// Runs the root; gives how many migrations were verified, and the
    /// kept database's location.
    fn run(
        &mut self,
        globals: &[(global::Reach, String)],
    ) -> Result<(usize, Option<String>), String> {
        let mut engine = open(self.root.dialect, self.opts, &self.root.display)?;
        if self.opts.keep {
            engine.keep();
        }
        if let Some(server) = engine.server() {
            let pg = self.settings.postgres_version;
            self.notes.push(format!(
                "{}: verified on {server}{}",
                self.root.display,
                if pg == 17 {
                    String::new()
                } else {
                    format!(", not on PostgreSQL {pg} as the settings say (--postgres-version)")
                }
            ));
        }
        if !globals.is_empty() {
            self.guard_roles(engine.as_mut(), globals)?;
        }
        self.bar = self
            .opts
            .progress
            .then(|| Bar::new(&self.root.display, self.root.migrations.len()));
        let mut verified = 0;
        let total = self.root.migrations.len();
        for (i, m) in self.root.migrations.iter().enumerate() {
            if let Some(b) = &self.bar {
                b.0.set_position(i as u64);
            }
            let up = self.statements(m.up);
            let down = self.statements(m.down);
            let left = total - i - 1;
            self.history = self.history(m);
            if self.history {
                if let Err(()) = self.apply(engine.as_mut(), m, &up, Step::Up, left) {
                    return Ok((verified, self.opts.keep.then(|| engine.location())));
                }
                continue;
            }
            let (filled, mut fill_notes) = rows::fill(engine.as_mut(), self.opts.rows)
                .map_err(|e| format!("{}: cannot insert generated rows: {e}", self.root.display))?;
            for n in fill_notes.drain(..) {
                self.notes.push(format!("{}: {n}", self.root.display));
            }
            let before = read_schema(engine.as_mut(), &self.root.display)?;
            let data_before =
                if filled {
                    Some(rows::snapshot(engine.as_mut(), &before).map_err(|e| {
                        format!("{}: cannot read rows back: {e}", self.root.display)
                    })?)
                } else {
                    None
                };
            if let Err(()) = self.apply(engine.as_mut(), m, &up, Step::Up, left) {
                return Ok((verified, self.opts.keep.then(|| engine.location())));
            }
            if m.down.is_none() || down.is_empty() {
                verified += 1;
                continue;
            }
            if let Err(()) = self.apply(engine.as_mut(), m, &down, Step::Down, left) {
                return Ok((verified, self.opts.keep.then(|| engine.location())));
            }
            let after = read_schema(engine.as_mut(), &self.root.display)?;
            let diffs = schema::differences(&before, &after);
            if let Some(down_part) = m.down.filter(|_| !diffs.is_empty()) {
                self.irreversible(m, down_part.file, &diffs);
            }
            if let (Some(data), Some(down_part)) = (data_before, m.down) {
                let lost = rows::compare(engine.as_mut(), &before, &after, &data)
                    .map_err(|e| format!("{}: cannot read rows back: {e}", self.root.display))?;
                if !lost.is_empty() {
                    self.data_lost(m, down_part.file, &lost);
                }
            }
            if let Err(()) = self.apply(engine.as_mut(), m, &up, Step::ReUp, left) {
                return Ok((verified, self.opts.keep.then(|| engine.location())));
            }
            verified += 1;
        }
        self.bar = None;
        Ok((verified, self.opts.keep.then(|| engine.location())))
    }

    /// `file:line: what` of a statement.
    fn place(&self, file: FileId, span: ByteSpan, what: &str) -> String {
        let Some(f) = self.files.get(file) else {
            return what.to_string();
        };
        let (line, _) = crate::parse::LineIndex::new(&f.text).line_col(&f.text, span.start);
        format!("{}:{line}: {what}", f.display)
    }

    /// The statements that reach past the scratch database, when it is on a
    /// server given by URL. Without `--allow-global-changes` any of them
    /// stops the run before anything executes; with it, those bellows
    /// cannot undo still do.
    fn globals(&self) -> Result<Vec<(global::Reach, String)>, String> {
        if self.opts.url.is_none() || self.root.dialect == Dialect::Sqlite {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for m in &self.root.migrations {
            for s in self.statements(m.up).iter().chain(&self.statements(m.down)) {
                let text = self.files.get(s.file).map_or("", |f| f.text.as_str());
                if let Some((reach, what)) = global::reach(s.stmt, text, self.root.dialect) {
                    found.push((reach, self.place(s.file, s.span, &what)));
                }
            }
        }
        if found.is_empty() {
            return Ok(found);
        }
        let list = |v: &[&(global::Reach, String)]| {
            v.iter()
                .map(|(_, w)| w.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let elsewhere = if self.root.dialect == Dialect::Postgres {
            "verify them on a temporary cluster (no --database-url, initdb and pg_ctl on PATH), or "
        } else {
            "verify them on a MySQL server of their own, or "
        };
        if !self.opts.allow_global_changes {
            let all: Vec<_> = found.iter().collect();
            return Err(format!(
                "{}: nothing ran: these statements change the server outside the scratch database: \
                 {}; {elsewhere}pass --allow-global-changes to let bellows drop the roles, users and \
                 databases they create",
                self.root.display,
                list(&all)
            ));
        }
        let mut created: BTreeSet<&str> = BTreeSet::new();
        let mut refused = Vec::new();
        for g in &found {
            match &g.0 {
                global::Reach::Never => refused.push(g),
                global::Reach::CreatesDatabase(n) => {
                    created.insert(n);
                }
                global::Reach::DropsDatabase(n) if !created.contains(n.as_str()) => refused.push(g),
                _ => {}
            }
        }
        if !refused.is_empty() {
            return Err(format!(
                "{}: nothing ran: bellows does not run these statements on a shared server, even with \
                 --allow-global-changes: {}; {elsewhere}leave them out of the verified directory",
                self.root.display,
                list(&refused)
            ));
        }
        Ok(found)
    }

    /// With `--allow-global-changes`: refuses changes to roles that existed
    /// before the run, and has the engine drop what the run creates.
    fn guard_roles(
        &self,
        engine: &mut dyn Engine,
        globals: &[(global::Reach, String)],
    ) -> Result<(), String> {
        let before = engine
            .roles()
            .map_err(|e| format!("{}: cannot list the server's roles: {e}", self.root.display))?;
        let existing: BTreeSet<String> = before.iter().map(|r| global::role_name(r)).collect();
        let touched: Vec<&str> = globals
            .iter()
            .filter(|(r, _)| {
                matches!(r, global::Reach::ChangesRoles(names) if names.iter().any(|n| existing.contains(n)))
            })
            .map(|(_, w)| w.as_str())
            .collect();
        if !touched.is_empty() {
            return Err(format!(
                "{}: nothing ran: these statements change roles or users that existed before the run, \
                 which bellows cannot undo: {}",
                self.root.display,
                touched.join("; ")
            ));
        }
        let databases = globals
            .iter()
            .filter_map(|(r, _)| match r {
                global::Reach::CreatesDatabase(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        engine.undo_afterwards(before, databases);
        Ok(())
    }

    /// Runs a part as the root's tool would; a refused statement becomes a
    /// `migration-fails` finding and stops the root.
    fn apply(
        &mut self,
        engine: &mut dyn Engine,
        m: &Migration,
        stmts: &[Sql<'_>],
        step: Step,
        left: usize,
    ) -> Result<(), ()> {
        let explicit = stmts
            .iter()
            .any(|s| matches!(s.stmt.action, Action::Begin | Action::Commit));
        let wrapped = !explicit
            && match m.tx {
                TxMode::Wrapped => true,
                TxMode::ImplicitMulti => self.root.dialect == Dialect::Postgres && stmts.len() > 1,
                TxMode::None => false,
            };
        let fail = |this: &mut Self, s: &Sql<'_>, e: &DbError| {
            this.failed(m, s, step, e, left);
        };
        if let Some(b) = &self.bar {
            let what = match step {
                Step::Up if self.history => "up (earlier migration)",
                Step::Up => "up",
                Step::Down => "down",
                Step::ReUp => "up again",
            };
            b.0.set_message(format!("{}: {what}", crate::rules::migration_label(m)));
        }
        let traced = step == Step::Up && !self.history && engine.traces();
        let pre = if traced {
            match engine.relations() {
                Ok(p) => p,
                Err(e) => {
                    if let Some(s) = stmts.first() {
                        fail(self, s, &e);
                    }
                    return Err(());
                }
            }
        } else {
            BTreeMap::new()
        };
        let mut in_block = wrapped;
        if wrapped && let Err(e) = engine.execute("BEGIN") {
            if let Some(s) = stmts.first() {
                fail(self, s, &e);
            }
            return Err(());
        }
        for s in stmts {
            let control = matches!(
                s.stmt.action,
                Action::Begin | Action::Commit | Action::Rollback
            );
            let result = if traced && !control {
                self.traced(engine, s, in_block, &pre)
            } else {
                engine.execute(s.text)
            };
            match s.stmt.action {
                Action::Begin => in_block = true,
                Action::Commit | Action::Rollback => in_block = false,
                _ => {}
            }
            if let Err(e) = result {
                if wrapped || explicit {
                    let _ = engine.execute("ROLLBACK");
                }
                fail(self, s, &e);
                return Err(());
            }
        }
        if wrapped && let Err(e) = engine.execute("COMMIT") {
            if let Some(s) = stmts.last() {
                fail(self, s, &e);
            }
            return Err(());
        }
        Ok(())
    }

    /// Runs a statement of an up and records what it did: inside its own
    /// transaction the locks are read from pg_locks before it ends; a
    /// statement that runs alone is wrapped in one (the same locks, the same
    /// effect), unless it cannot run in a transaction: then it is watched
    /// from a second session.
    fn traced(
        &mut self,
        engine: &mut dyn Engine,
        s: &Sql<'_>,
        in_block: bool,
        pre: &BTreeMap<u32, (String, String)>,
    ) -> Result<(), DbError> {
        let files_before = engine.relations()?;
        let (new, held, observed) = if in_block {
            let before = engine.own_locks()?;
            engine.execute(s.text)?;
            let after = engine.own_locks()?;
            (
                after.difference(&before).cloned().collect(),
                after,
                "transaction",
            )
        } else {
            engine.execute("BEGIN")?;
            match engine.execute(s.text) {
                Ok(()) => {
                    let locks = engine.own_locks();
                    engine.execute("COMMIT")?;
                    let locks = locks?;
                    (locks.clone(), locks, "transaction")
                }
                // active_sql_transaction: cannot run inside a transaction block
                Err(e) if e.code.as_deref() == Some("25001") => {
                    engine.execute("ROLLBACK")?;
                    let Some(seen) = engine.execute_sampled(s.text)? else {
                        return Ok(());
                    };
                    (seen.clone(), seen, "sampled")
                }
                Err(e) => {
                    let _ = engine.execute("ROLLBACK");
                    return Err(e);
                }
            }
        };
        let files_after = engine.relations()?;
        let rewritten = pre
            .iter()
            .filter(|(oid, _)| {
                matches!((files_before.get(oid), files_after.get(oid)), (Some(a), Some(b)) if a.1 != b.1)
            })
            .map(|(_, (name, _))| name.clone())
            .collect();
        let (path, line, column) = match self.files.get(s.file) {
            Some(f) => {
                let (l, c) = crate::parse::LineIndex::new(&f.text).line_col(&f.text, s.span.start);
                (f.display.clone(), l, c)
            }
            None => (String::new(), 0, 0),
        };
        self.trace.push(trace::Entry {
            path,
            start: trace::Start { line, column },
            locks: trace::named(&new, pre),
            rewritten,
            observed,
            file: s.file,
            span: s.span,
            held: trace::named(&held, pre),
        });
        Ok(())
    }

    fn severity(&self, id: &str, default: Severity) -> Severity {
        self.settings.severity(id, default)
    }

    fn failed(&mut self, m: &Migration, s: &Sql<'_>, step: Step, e: &DbError, left: usize) {
        cleanup::wait_if_interrupted();
        let label = crate::rules::migration_label(m);
        let rest = if left == 0 {
            String::new()
        } else {
            format!(
                "; the {left} later migration{} of this directory {} not verified",
                if left == 1 { "" } else { "s" },
                if left == 1 { "was" } else { "were" }
            )
        };
        let help = match step {
            Step::Up => "make the up run on the schema the earlier migrations leave (run `bellows verify` again to check)".to_string(),
            Step::Down => "make the down run right after its own up: drop what the up created, in reverse order, and re-create what it dropped".to_string(),
            Step::ReUp => "the down left behind something the up creates: make the down drop everything its up creates, so that up, down, up works".to_string(),
        };
        self.findings.push(Finding {
            rule: "migration-fails",
            severity: self.severity("migration-fails", Severity::Error),
            file: s.file,
            span: Some(s.span),
            message: format!(
                "{} of {label} fails on {}: {e}{rest}",
                step.words(),
                engine_name(self.root.dialect)
            ),
            help,
            fix: None,
        });
    }

    fn irreversible(&mut self, m: &Migration, file: FileId, diffs: &[String]) {
        let label = crate::rules::migration_label(m);
        self.findings.push(Finding {
            rule: "irreversible-down",
            severity: self.severity("irreversible-down", Severity::Error),
            file,
            span: None,
            message: format!(
                "after the up and the down of {label}, the {} schema differs from the one before the up: {}",
                engine_name(self.root.dialect),
                diffs.join("; ")
            ),
            help: "make the down the exact inverse of the up: re-create what the up dropped (with its \
                   type, nullability, default and indexes), drop what the up created"
                .to_string(),
                fix: None,
        });
    }

    fn data_lost(&mut self, m: &Migration, file: FileId, lost: &[String]) {
        let label = crate::rules::migration_label(m);
        self.findings.push(Finding {
            rule: "down-loses-data",
            severity: self.severity("down-loses-data", Severity::Warning),
            file,
            span: None,
            message: format!(
                "after the up and the down of {label}, rows that existed before the up are not all back: {}",
                lost.join("; ")
            ),
            help: "a rollback of this migration loses data even though the schema comes back: keep \
                   the data the up removes (rename or copy the column or table instead of dropping it, \
                   and drop it in a later migration once the down is no longer needed)"
                .to_string(),
                fix: None,
        });
    }
}

fn engine_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => "PostgreSQL",
        Dialect::Mysql => "MySQL",
        Dialect::Sqlite => "SQLite",
    }
}

fn read_schema(engine: &mut dyn Engine, root: &str) -> Result<Schema, String> {
    engine
        .schema()
        .map_err(|e| format!("{root}: cannot read the schema back: {e}"))
}

/// The progress bar of a root on stderr (a terminal only): root,
/// migration i/n, step. Cleared when dropped, also on an early return.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new(root: &str, n: usize) -> Self {
        let bar = indicatif::ProgressBar::new(n as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(root.to_string());
        Self(bar)
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// A random suffix for scratch database names.
pub(crate) fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// A URL as it may be shown: without its password.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    let user = auth.split_once(':').map_or(auth, |(u, _)| u);
    format!("{scheme}://{user}@{host}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_hides_the_password() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u@h:5432/db"
        );
        assert_eq!(super::redact("mysql://root@h/db"), "mysql://root@h/db");
    }
}
