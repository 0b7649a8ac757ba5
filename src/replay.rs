//! Replay: walks a root's migrations in order, parses their files a step at
//! a time, applies each statement to the [`Catalog`], and hands every
//! statement and migration, with its context, to a [`Visitor`] (the rules).
//!
//! In: a discovered root and its source files. Out: the context of each
//! statement ([`StmtCx`]: the catalog as it was, what this migration created,
//! the transaction it runs in, whether `lock_timeout` was set) and of each
//! migration ([`MigrationCx`]), given to the visitor in order, and where
//! each file's statements are.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::catalog::Catalog;
use crate::discover::{Layout, Migration, Part, Root, SourceFile, TxMode, Version};
use crate::model::{ByteSpan, Dialect, FileId, Hit, Settings, internal_error};
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind, TypeName};
use crate::parse::{ParsedFile, Stmt};

/// Parsed files by id: those of the migrations being linted.
pub type Parsed = std::collections::HashMap<FileId, ParsedFile>;

/// Objects created earlier in the current migration: they are new, nothing
/// deployed uses them yet.
#[derive(Debug, Default, Clone)]
pub struct Created {
    pub tables: BTreeSet<Name>,
    /// Columns added to tables that existed before, by table: one copy of
    /// the table's name for all its new columns.
    pub columns: BTreeMap<Name, BTreeSet<String>>,
    pub others: BTreeSet<Name>,
    pub schemas: BTreeSet<String>,
}

impl Created {
    pub fn has_column(&self, table: &Name, column: &str) -> bool {
        self.columns
            .get(table)
            .is_some_and(|columns| columns.contains(column))
    }

    fn add_column(&mut self, table: &Name, column: &str) {
        if let Some(columns) = self.columns.get_mut(table) {
            columns.insert(column.to_string());
        } else {
            self.columns
                .insert(table.clone(), BTreeSet::from([column.to_string()]));
        }
    }

    pub fn record(&mut self, action: &Action) {
        match action {
            Action::CreateTable(ct) => {
                self.tables.insert(ct.name.clone());
            }
            Action::CreateView(v) => {
                // A view is a relation too: indexes, locks and drops on it are new.
                self.tables.insert(v.name.clone());
                self.others.insert(v.name.clone());
            }
            Action::CreateEnum { name, .. } | Action::CreateDomain { name, .. } => {
                self.others.insert(name.clone());
            }
            Action::CreateFunction(f) => {
                self.others.insert(f.name.clone());
            }
            Action::CreateObject(o) => {
                self.others.insert(o.name.clone());
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
                            self.add_column(&current, &column.name);
                        }
                        AlterKind::RenameColumn { from, to } if self.has_column(&current, from) => {
                            self.add_column(&current, to);
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

/// What rules look up along one part (up or down), found when a rule first
/// asks: the statements that alter each table, where its transactions begin
/// and end, and each statement's normalised text once read. A rule that
/// looks along a part for one table's statements then costs what those
/// statements cost, not the length of the part (10,000 tables altered in one
/// migration).
pub struct PartIndex<'a> {
    stmts: &'a [&'a Stmt],
    /// The text of the part's file.
    text: &'a str,
    dialect: Dialect,
    built: OnceCell<ByTable>,
    /// Each statement's normalised text, read again when first asked for.
    normalized: OnceCell<Vec<OnceCell<Box<str>>>>,
    /// Where each word of the part's text is ([`PartIndex::holding`]).
    words: OnceCell<Words>,
    /// Bytes of statements [`PartIndex::holding`] read before `words` was
    /// built.
    scanned: std::cell::Cell<usize>,
}

struct ByTable {
    /// The positions of each table's `ALTER TABLE`s, by the hash of its name
    /// (the statements themselves say which table they alter).
    alters: FxHashMap<u64, Vec<usize>>,
    /// The positions of `BEGIN`, `COMMIT` and `ROLLBACK`, in order.
    boundaries: Vec<usize>,
    /// The positions of each `DROP` of one object and each named `CREATE
    /// INDEX`, by the hash of the object's name (without its schema).
    objects: FxHashMap<u64, Vec<usize>>,
}

/// The words of a part's statements, so that a rule asking which later
/// statements name something looks at those that may, not at every one
/// (10,000 `CREATE INDEX`es in one transaction).
struct Words {
    /// `(word, position)` for each word of each statement (a run of
    /// letters, ASCII digits and `_`; the word by [`word_key`]), once each,
    /// sorted: a word's statements are a range, in order.
    at: Vec<(u64, usize)>,
    /// The same, for the statements that also hold the word `DROP` or
    /// `RENAME`.
    with_drop_or_rename: Vec<(u64, usize)>,
    /// Statements that may hold any word: a run that starts with a digit is
    /// longer than [`SPLIT_RUN`], so its parts were not kept.
    any: Vec<usize>,
}

/// The longest run starting with a digit whose parts [`Words`] keeps: a
/// lexer may split such a run before any letter or `_` into a number and a
/// word (`1e5abc`, `0x1fg`), so each head and tail is kept.
const SPLIT_RUN: usize = 64;

/// How many times [`PartIndex::holding`] reads a part's text by scanning
/// before it indexes the part's words: the cost stays linear, and a part
/// asked about a few times is not indexed.
const SCAN_BUDGET: usize = 8;

/// A word's key in [`Words`]: the hash of its bytes, ASCII letters
/// upper-cased.
fn word_key(word: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for b in word.bytes() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.finish()
}

impl Words {
    fn build(stmts: &[&Stmt], text: &str) -> Words {
        let (drop, rename) = (word_key("DROP"), word_key("RENAME"));
        let mut words = Words {
            at: Vec::new(),
            with_drop_or_rename: Vec::new(),
            any: Vec::new(),
        };
        let mut keys: Vec<u64> = Vec::new();
        for (i, s) in stmts.iter().enumerate() {
            let Some(sub) = text.get(s.span.start..s.span.end) else {
                continue;
            };
            keys.clear();
            let mut any = false;
            // The text as `parse::normalized` reads it.
            each_run(&crate::parse::mask(sub), |run| {
                keys.push(word_key(run));
                if run.starts_with(|c: char| c.is_ascii_digit()) {
                    if run.len() > SPLIT_RUN {
                        any = true;
                    } else {
                        for (at, c) in run.char_indices() {
                            if c.is_alphabetic() || c == '_' {
                                keys.push(word_key(&run[..at]));
                                keys.push(word_key(&run[at..]));
                            }
                        }
                    }
                }
            });
            if any {
                words.any.push(i);
            }
            keys.sort_unstable();
            keys.dedup();
            words.at.extend(keys.iter().map(|&k| (k, i)));
            if keys.contains(&drop) || keys.contains(&rename) {
                words
                    .with_drop_or_rename
                    .extend(keys.iter().map(|&k| (k, i)));
            }
        }
        words.at.sort_unstable();
        words.with_drop_or_rename.sort_unstable();
        words
    }
}

/// Calls `f` on each run of letters, ASCII digits and `_` in `text`.
fn each_run(text: &str, mut f: impl FnMut(&str)) {
    let b = text.as_bytes();
    let part = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || !c.is_ascii();
    let mut i = 0;
    while i < b.len() {
        if !part(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && part(b[i]) {
            i += 1;
        }
        // Cut at ASCII bytes: on character boundaries.
        let run = text.get(start..i).unwrap_or("");
        if run.is_ascii() {
            f(run);
        } else {
            runs(run).for_each(&mut f);
        }
    }
}

/// The runs of letters, ASCII digits and `_` in `text`, character by
/// character.
fn runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphabetic() || c.is_ascii_digit() || c == '_'))
        .filter(|r| !r.is_empty())
}

/// The positions of `at` within `within`.
fn within(at: &[usize], within: Range<usize>) -> &[usize] {
    let from = at.partition_point(|&i| i < within.start);
    let to = at.partition_point(|&i| i < within.end).max(from);
    &at[from..to]
}

impl<'a> PartIndex<'a> {
    pub fn new(stmts: &'a [&'a Stmt], text: &'a str, dialect: Dialect) -> Self {
        PartIndex {
            stmts,
            text,
            dialect,
            built: OnceCell::new(),
            normalized: OnceCell::new(),
            words: OnceCell::new(),
            scanned: std::cell::Cell::new(0),
        }
    }

    /// The positions in `range`, ascending, of the statements whose
    /// normalised text may hold one of `words` between blanks: every
    /// statement that does, and maybe others (to be checked on
    /// [`PartIndex::normalized`]). A word paired with `true` counts only in
    /// a statement that may also hold `DROP` or `RENAME`.
    ///
    /// `None`: scan the statements in `range` instead
    /// ([`PartIndex::normalized_naming`]). So it is while a part's scans
    /// have read less than SCAN_BUDGET times its file's text: a scan
    /// (`parse::may_hold`, vectorised, stopping at the first statement the
    /// caller wants) costs less than indexing the part's words, which is
    /// done past it. And so it is for a word the index does not keep: one
    /// empty or with a character other than a letter, an ASCII digit or `_`.
    fn holding(&self, words: &[(&str, bool)], range: Range<usize>) -> Option<Vec<usize>> {
        if !words.iter().all(|(w, _)| runs(w).eq(std::iter::once(*w))) {
            return None;
        }
        if self.words.get().is_none() && self.scanned.get() < SCAN_BUDGET * self.text.len() {
            // At most the bytes from the range's first statement to its last.
            let first = self.stmts.get(range.start).map(|s| s.span.start);
            let last = range
                .end
                .checked_sub(1)
                .and_then(|i| self.stmts.get(i))
                .map(|s| s.span.end);
            if let (Some(first), Some(last)) = (first, last) {
                self.scanned
                    .set(self.scanned.get() + last.saturating_sub(first));
            }
            return None;
        }
        let index = self
            .words
            .get_or_init(|| Words::build(self.stmts, self.text));
        let mut at: Vec<usize> = within(&index.any, range.clone()).to_vec();
        for &(word, drop_or_rename) in words {
            let by = if drop_or_rename {
                &index.with_drop_or_rename
            } else {
                &index.at
            };
            let key = word_key(word);
            let from = by.partition_point(|&p| p < (key, range.start));
            let to = by.partition_point(|&p| p < (key, range.end)).max(from);
            at.extend(by[from..to].iter().map(|&(_, i)| i));
        }
        at.sort_unstable();
        at.dedup();
        Some(at)
    }

    /// The positions, ascending, of the part's `DROP`s of one object named
    /// `name` (without its schema) and of its `CREATE INDEX`es named `name`.
    pub fn dropping_or_indexing(&self, name: &str) -> &[usize] {
        self.built()
            .objects
            .get(&FxBuildHasher.hash_one(name))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The normalised text (`parse::normalized`) of the statement at
    /// position `i`, read again from the file the first time it is asked
    /// for.
    pub fn normalized(&self, i: usize) -> &str {
        let (Some(cell), Some(s)) = (
            self.normalized
                .get_or_init(|| self.stmts.iter().map(|_| OnceCell::new()).collect())
                .get(i),
            self.stmts.get(i),
        ) else {
            return "";
        };
        cell.get_or_init(|| crate::parse::normalized(self.text, s.span, self.dialect).into())
    }

    /// The normalised text of the statement at position `i` when it can
    /// hold one of `words`: its text is tested first, in any ASCII case
    /// (`parse::may_hold`), so a statement that cannot is not lexed again.
    pub fn normalized_naming(&self, i: usize, words: &[&str]) -> Option<&str> {
        let s = self.stmts.get(i)?;
        crate::parse::may_hold(self.text, s.span, words).then(|| self.normalized(i))
    }

    /// The statements in `range` whose normalised text may hold one of
    /// `words` (`PartIndex::holding`), with that text: the index's
    /// candidates, or else each statement of `range` that `prefilter` lets
    /// through ([`PartIndex::normalized_naming`]).
    pub fn naming<'s>(
        &'s self,
        words: &[(&str, bool)],
        range: Range<usize>,
        prefilter: &'s [&'s str],
    ) -> impl Iterator<Item = (usize, &'s str)> + 's {
        let sifted = self.holding(words, range.clone());
        let scan = sifted.is_none();
        sifted
            .unwrap_or_else(|| range.collect())
            .into_iter()
            .filter_map(move |i| {
                if scan {
                    self.normalized_naming(i, prefilter).map(|n| (i, n))
                } else {
                    Some((i, self.normalized(i)))
                }
            })
    }

    fn built(&self) -> &ByTable {
        self.built.get_or_init(|| {
            let mut by = ByTable {
                alters: FxHashMap::default(),
                boundaries: Vec::new(),
                objects: FxHashMap::default(),
            };
            for (i, s) in self.stmts.iter().enumerate() {
                match &s.action {
                    Action::AlterTable { table, .. } => by
                        .alters
                        .entry(FxBuildHasher.hash_one(table))
                        .or_default()
                        .push(i),
                    Action::Begin | Action::Commit | Action::Rollback => by.boundaries.push(i),
                    Action::Drop { names, .. } if names.len() == 1 => by
                        .objects
                        .entry(FxBuildHasher.hash_one(names[0].name.as_str()))
                        .or_default()
                        .push(i),
                    Action::CreateIndex(ci) => {
                        if let Some(n) = &ci.name {
                            by.objects
                                .entry(FxBuildHasher.hash_one(n.name.as_str()))
                                .or_default()
                                .push(i);
                        }
                    }
                    _ => {}
                }
            }
            by
        })
    }

    /// The part's `ALTER TABLE`s of `table` at positions `within`, in order.
    pub fn alters<'s>(
        &'s self,
        table: &'s Name,
        within: Range<usize>,
    ) -> impl DoubleEndedIterator<Item = &'a Stmt> + 's {
        let hash = FxBuildHasher.hash_one(table);
        let at = self
            .built()
            .alters
            .get(&hash)
            .map_or(&[][..], Vec::as_slice);
        self::within(at, within)
            .iter()
            .map(|&i| self.stmts[i])
            .filter(move |s| matches!(&s.action, Action::AlterTable { table: t, .. } if t == table))
    }

    /// The position of the first `COMMIT` or `ROLLBACK` after position `i`
    /// (the part's length when there is none).
    pub fn transaction_end(&self, i: usize) -> usize {
        let b = &self.built().boundaries;
        b[b.partition_point(|&x| x <= i)..]
            .iter()
            .copied()
            .find(|&x| {
                self.stmts
                    .get(x)
                    .is_some_and(|s| matches!(s.action, Action::Commit | Action::Rollback))
            })
            .unwrap_or(self.stmts.len())
    }

    /// The position just after the last `BEGIN`, `COMMIT` or `ROLLBACK`
    /// before position `i` (0 when there is none).
    pub fn since_boundary(&self, i: usize) -> usize {
        let b = &self.built().boundaries;
        match b.partition_point(|&x| x < i) {
            0 => 0,
            n => b[n - 1] + 1,
        }
    }
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
    /// Every file of the run (their paths: `references`).
    pub sources: &'a [SourceFile],
    /// The statements of the same part (up or down), in order, and this one's index.
    pub siblings: &'a [&'a Stmt],
    /// The statements of the migration's down, in order (none without one).
    pub down: &'a [&'a Stmt],
    /// Lookups along `siblings` and `down` ([`PartIndex`]).
    pub siblings_index: &'a PartIndex<'a>,
    pub down_index: &'a PartIndex<'a>,
    pub index: usize,
    pub is_down: bool,
}

impl StmtCx<'_> {
    pub fn is_new_table(&self, t: &Name) -> bool {
        self.created.tables.contains(t)
    }

    pub fn is_new_column(&self, t: &Name, c: &str) -> bool {
        self.is_new_table(t) || self.created.has_column(t, c)
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
            tables: Vec::new(),
            fix: None,
        }
    }

    /// The type a column got when it was added earlier in this migration.
    pub fn created_type(&self, table: &Name, column: &str) -> Option<TypeName> {
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
        // The words of `statement_text`, taken once.
        let text = self.source(self.stmt.span);
        let mut out = String::with_capacity(text.len() + " CONCURRENTLY".len());
        let mut done = false;
        for w in text.split_whitespace() {
            if !out.is_empty() {
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

    /// The positions of the statements after this one in the same part.
    pub fn later_positions(&self) -> Range<usize> {
        self.index + 1..self.siblings.len()
    }

    /// This statement's normalised text (`parse::normalized`).
    pub fn normalized(&self) -> &str {
        self.siblings_index.normalized(self.index)
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
    pub sources: &'a [SourceFile],
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

/// The statements of a part: a whole file, or those inside its section.
pub fn part_statements(files: &Parsed, part: Part) -> Vec<&Stmt> {
    let Some(f) = files.get(&part.file) else {
        return Vec::new();
    };
    f.statements.iter().filter(|s| part.holds(s.span)).collect()
}

/// Migrations linted per step: their files are parsed together (while the
/// step before is linted), and dropped to their spans once linted, so memory
/// stays flat whatever the length of the history. Two steps are held at
/// once; at 64 migrations and 256 KB the 12 PostgreSQL directories of the
/// corpus peaked at 0.7 MB more (one core), in the same time.
const STEP: usize = 16;

/// Bytes of SQL a step reads at most, unless its first migration alone is
/// more: parsed statements take about 20 times their text, so a few large
/// migrations (10,000 `ALTER TABLE`s each) are held one step at a time, not
/// 16 at once.
const STEP_BYTES: usize = 64 * 1024;

/// The root's migrations cut into steps of at most [`STEP`] migrations and
/// [`STEP_BYTES`] bytes (`bytes` gives a migration's).
fn steps<M>(migrations: &[M], bytes: impl Fn(&M) -> usize) -> Vec<&[M]> {
    let mut out = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (i, m) in migrations.iter().enumerate() {
        let b = bytes(m);
        if i > start && (i - start == STEP || held + b > STEP_BYTES) {
            out.push(&migrations[start..i]);
            (start, held) = (i, 0);
        }
        held += b;
    }
    if start < migrations.len() {
        out.push(&migrations[start..]);
    }
    out
}

/// Parses files, each under its own last guard: a panic becomes an internal
/// error for that file, which is then read as empty. A file `kept` holds
/// with the same text is not parsed again.
pub fn parse_files(
    ids: &[FileId],
    sources: &[SourceFile],
    kept: &Kept,
) -> Vec<(FileId, ParsedFile, Option<String>)> {
    ids.par_iter()
        .filter_map(|&id| {
            let f = sources.get(id)?;
            if let Some(p) = kept.get(f) {
                return Some((id, p, None));
            }
            let parsed = std::panic::catch_unwind(|| {
                crate::parse::parse_annotated(&f.text, f.dialect, &f.annotations)
            });
            Some(match parsed {
                Ok(p) => {
                    kept.put(f, &p);
                    (id, p, None)
                }
                Err(e) => (
                    id,
                    ParsedFile::default(),
                    Some(internal_error(&f.display, &e)),
                ),
            })
        })
        .collect()
}

/// Parsed files kept from one run to the next, for a front end that lints
/// the same root on every keystroke (`bellows server`): a file is parsed
/// again only when its text (or dialect, or the layout's annotations)
/// changed, so a change re-parses the edited buffer and replays the rest.
/// Off by default (`check` parses each file once anyway); clones share it.
#[derive(Debug, Clone, Default)]
pub struct Kept(Option<std::sync::Arc<std::sync::Mutex<KeptFiles>>>);

/// The kept files by path, each with what it was parsed from.
type KeptFiles = std::collections::HashMap<std::path::PathBuf, KeptFile>;

#[derive(Debug)]
struct KeptFile {
    text: String,
    dialect: Dialect,
    annotations: crate::model::Annotations,
    parsed: std::sync::Arc<ParsedFile>,
    used: std::time::Instant,
}

/// A kept file not used for this long is dropped (a file removed from
/// disk, a root no longer open).
const KEEP_UNUSED: std::time::Duration = std::time::Duration::from_mins(10);

impl Kept {
    /// A store that keeps files.
    pub fn on() -> Self {
        Self(Some(std::sync::Arc::default()))
    }

    fn files(&self) -> Option<std::sync::MutexGuard<'_, KeptFiles>> {
        self.0
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn get(&self, f: &SourceFile) -> Option<ParsedFile> {
        let parsed = {
            let mut files = self.files()?;
            let k = files.get_mut(&f.path)?;
            if k.text != f.text || k.dialect != f.dialect || k.annotations != f.annotations {
                return None;
            }
            k.used = std::time::Instant::now();
            std::sync::Arc::clone(&k.parsed)
        };
        // Copied outside the lock: the other threads look up their files.
        Some(ParsedFile::clone(&parsed))
    }

    fn put(&self, f: &SourceFile, parsed: &ParsedFile) {
        let Some(mut files) = self.files() else {
            return;
        };
        let now = std::time::Instant::now();
        files.retain(|_, k| now.duration_since(k.used) < KEEP_UNUSED);
        files.insert(
            f.path.clone(),
            KeptFile {
                text: f.text.clone(),
                dialect: f.dialect,
                annotations: f.annotations.clone(),
                parsed: std::sync::Arc::new(parsed.clone()),
                used: now,
            },
        );
    }
}

/// Where a parsed file's statements are: all that is kept once it is linted.
pub fn spans(file: &ParsedFile) -> Vec<ByteSpan> {
    file.statements.iter().map(|s| s.span).collect()
}

/// What the rules do with the replay: called in history order.
pub trait Visitor {
    /// A migration whose up or down is reported, before its up is applied
    /// (the catalog in `cx` is the one before the up).
    fn migration(&mut self, cx: &MigrationCx<'_>);
    /// A statement of a reported part: an up statement before it is applied,
    /// a down statement with the catalog as the up left it.
    fn statement(&mut self, cx: &StmtCx<'_>);
    /// A file of the root, once every migration that reads it is replayed.
    fn file_done(&mut self, id: FileId, file: &ParsedFile);
}

/// What walking one root gives besides the visits.
#[derive(Debug, Default)]
pub struct Walked {
    /// Where the statements of each file the root read are.
    pub files: Vec<(FileId, Vec<ByteSpan>)>,
    /// How much of each file the root read was understood.
    pub coverage: Vec<(FileId, crate::parse::Coverage)>,
    /// Internal errors while parsing a file (a bug in bellows), one line each.
    pub errors: Vec<String>,
}

/// Replays one root's history into a fresh catalog, visiting what
/// `reportable` files hold (migrations up to `start-after` are history:
/// replayed, never visited). The root's files are parsed here, a step of
/// migrations at a time, the next step while this one is replayed.
pub fn walk<V: Visitor + Send>(
    root: &Root,
    sources: &[SourceFile],
    settings: &Settings,
    kept: &Kept,
    reportable: &(dyn Fn(FileId) -> bool + Sync),
    visitor: &mut V,
) -> Walked {
    let mut replay = Replay {
        root,
        sources,
        settings,
        reportable,
        catalog: Catalog::new(root.dialect),
        history: settings.start_after.as_deref().map(Version::new),
    };
    let files_of = |m: &Migration| {
        m.up.iter()
            .chain(m.down.iter())
            .map(|p| p.file)
            .collect::<Vec<_>>()
    };
    // Each file is parsed for the step of its first use and dropped after
    // the step of its last.
    let steps = steps(&root.migrations, |m| {
        let mut files = files_of(m);
        files.dedup();
        files
            .iter()
            .filter_map(|&f| sources.get(f))
            .map(|s| s.text.len())
            .sum()
    });
    let mut first: Vec<Vec<FileId>> = vec![Vec::new(); steps.len()];
    let mut last: Vec<Vec<FileId>> = vec![Vec::new(); steps.len()];
    let mut seen: BTreeMap<FileId, usize> = BTreeMap::new();
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
    let mut out = Walked {
        files: Vec::with_capacity(seen.len()),
        coverage: Vec::with_capacity(seen.len()),
        errors: Vec::new(),
    };
    let mut parsed = Parsed::new();
    let mut next = first.first().map(|ids| parse_files(ids, sources, kept));
    for (i, step) in steps.iter().enumerate() {
        for (id, file, error) in next.take().unwrap_or_default() {
            out.errors.extend(error);
            parsed.insert(id, file);
        }
        let following = first.get(i + 1);
        let (ahead, ()) = rayon::join(
            || following.map(|ids| parse_files(ids, sources, kept)),
            || {
                for m in *step {
                    replay.migration(m, &parsed, visitor);
                }
            },
        );
        next = ahead;
        for id in &last[i] {
            let Some(file) = parsed.remove(id) else {
                continue;
            };
            visitor.file_done(*id, &file);
            out.files.push((*id, spans(&file)));
            out.coverage.push((*id, file.coverage()));
        }
    }
    out
}

/// The replay of one root's history, migration by migration.
struct Replay<'a> {
    root: &'a Root,
    sources: &'a [SourceFile],
    settings: &'a Settings,
    reportable: &'a (dyn Fn(FileId) -> bool + Sync),
    catalog: Catalog,
    /// `start-after`: migrations up to it are replayed, never reported.
    history: Option<Version>,
}

impl Replay<'_> {
    fn migration(&mut self, m: &Migration, parsed: &Parsed, visitor: &mut impl Visitor) {
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
            visitor.migration(&MigrationCx {
                migration: m,
                layout: root.layout,
                dialect: root.dialect,
                before: &self.catalog,
                up: up.clone(),
                down: down.clone(),
                files: parsed,
                sources: self.sources,
            });
        }
        let up_index = PartIndex::new(&up, m.up.map_or("", |p| text_of(p.file)), root.dialect);
        let down_index =
            PartIndex::new(&down, m.down.map_or("", |p| text_of(p.file)), root.dialect);
        let mut created = Created::default();
        let mut explicit_tx = false;
        let mut lock_timeout = false;
        for (i, stmt) in up.iter().enumerate() {
            if report_up {
                let file = m.up.map_or(0, |p| p.file);
                visitor.statement(&StmtCx {
                    stmt,
                    file,
                    text: text_of(file),
                    catalog: &self.catalog,
                    created: &created,
                    transaction: transaction_of(m.tx, explicit_tx, root.dialect, up.len()),
                    lock_timeout,
                    dialect: root.dialect,
                    settings,
                    layout: root.layout,
                    migration: m,
                    sources: self.sources,
                    siblings: &up,
                    down: &down,
                    siblings_index: &up_index,
                    down_index: &down_index,
                    index: i,
                    is_down: false,
                });
            }
            match &stmt.action {
                Action::Begin => explicit_tx = true,
                Action::Commit | Action::Rollback => explicit_tx = false,
                Action::Set { name }
                    if matches!(
                        name.as_str(),
                        // Not `innodb_lock_wait_timeout`: it bounds row locks, not the metadata lock DDL waits for.
                        "lock_timeout" | "lock_wait_timeout"
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
                visitor.statement(&StmtCx {
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
                    sources: self.sources,
                    siblings: &down,
                    down: &down,
                    siblings_index: &down_index,
                    down_index: &down_index,
                    index: i,
                    is_down: true,
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::{Kept, STEP, STEP_BYTES, parse_files, steps};
    use crate::discover::SourceFile;
    use crate::model::{Annotations, Dialect};
    use crate::parse::ir::Action;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "/m/001.sql".into(),
            display: "001.sql".to_string(),
            text: text.to_string(),
            dialect: Dialect::Postgres,
            annotations: Annotations::default(),
        }
    }

    fn actions(kept: &Kept, f: &SourceFile) -> Vec<String> {
        parse_files(&[0], std::slice::from_ref(f), kept)
            .into_iter()
            .flat_map(|(_, p, _)| p.statements)
            .map(|s| match s.action {
                Action::CreateTable(_) => "create",
                Action::Drop { .. } => "drop",
                _ => "other",
            })
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_kept_file_is_parsed_again_when_its_text_changes() {
        let kept = Kept::on();
        let first = file("CREATE TABLE t (id int);\n");
        let created = actions(&kept, &first);
        assert_eq!(created, ["create"]);
        assert_eq!(actions(&kept, &first), created);
        // Same path, new text: the new statements, not the kept ones.
        let dropped = file("DROP TABLE t;\n");
        assert_eq!(actions(&kept, &dropped), ["drop"]);
        assert_eq!(actions(&kept, &first), created);
    }

    /// Steps of at most STEP migrations and STEP_BYTES bytes, a migration
    /// larger than that alone in its step, none empty, none left out.
    #[test]
    fn steps_hold_16_migrations_or_64_kb() {
        let lens = |steps: Vec<&[usize]>| steps.iter().map(|s| s.len()).collect::<Vec<_>>();
        assert_eq!(lens(steps(&[1; 2 * STEP + 2], |&b| b)), [STEP, STEP, 2]);
        let big = STEP_BYTES / 2 + 1;
        assert_eq!(lens(steps(&[big, big, big], |&b| b)), [1, 1, 1]);
        assert_eq!(lens(steps(&[1, 3 * STEP_BYTES, 1, 1], |&b| b)), [1, 1, 2]);
        assert!(steps(&[] as &[usize], |&b| b).is_empty());
    }

    /// `PartIndex::holding` finds every statement whose normalised text
    /// holds a word between blanks: words in comments, strings, quoted
    /// names, templates, a number run into a word, any case.
    #[test]
    fn holding_finds_every_statement_that_names_a_word() {
        use super::PartIndex;
        for (dialect, text) in [
            (
                Dialect::Postgres,
                "CREATE INDEX Orders_Idx ON orders (note); -- drop it\n\
                 ALTER TABLE \"Orders\" RENAME COLUMN note TO memo;\n\
                 SELECT 1abc, 0x1fg, 'a b.c', $$ d e $$, E'f g' FROM s.t_1 /* h */;\n\
                 UPDATE ${schema}.café SET x = 'DROP' WHERE y = 2;\n\
                 DROP TABLE orders;\n",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `Orders` DROP INDEX `1abc`, ADD COLUMN x2 int;\n\
                 CREATE INDEX i ON t (a) COMMENT 'x y';\n",
            ),
        ] {
            let parsed = crate::parse::parse_file(text, dialect);
            let stmts: Vec<&crate::parse::Stmt> = parsed.statements.iter().collect();
            // A part scanned for the first time is not indexed yet.
            let scanning = PartIndex::new(&stmts, text, dialect);
            assert_eq!(scanning.holding(&[("orders", false)], 0..stmts.len()), None);
            let part = PartIndex::new(&stmts, text, dialect);
            part.scanned.set(usize::MAX);
            for i in 0..stmts.len() {
                let n = part.normalized(i).to_string();
                let dropping = n.starts_with("DROP ") || n.contains(" RENAME ");
                for word in n.split(' ') {
                    for drop_or_rename in [false, true] {
                        let Some(at) = part.holding(&[(word, drop_or_rename)], 0..stmts.len())
                        else {
                            continue;
                        };
                        if dropping || !drop_or_rename {
                            assert!(at.contains(&i), "{word:?} in {n:?}: {at:?}");
                        }
                    }
                }
            }
            assert!(scanning.words.get().is_none() && part.words.get().is_some());
            if dialect == Dialect::Postgres {
                let all = 0..stmts.len();
                // `1abc` is read as `1 ABC`; a word in a string is a candidate.
                assert_eq!(part.holding(&[("abc", false)], all.clone()), Some(vec![2]));
                assert_eq!(
                    part.holding(&[("DROP", false)], all.clone()),
                    Some(vec![3, 4])
                );
                assert_eq!(
                    part.holding(&[("orders", true)], all.clone()),
                    Some(vec![1, 4])
                );
                assert_eq!(part.holding(&[("orders", true)], 2..5), Some(vec![4]));
            }
            // A word none holds, and one the index does not keep.
            assert_eq!(
                part.holding(&[("NOWHERE", false), ("orders", true)], 3..4),
                Some(vec![])
            );
            assert_eq!(
                part.holding(&[("orders", false), ("A B", false)], 0..stmts.len()),
                None
            );
        }
    }
}
