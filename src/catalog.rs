//! The schema model replayed from the migration history.
//!
//! In: one statement's [`Action`] at a time. Out: the schema as it stands
//! after it — tables with their columns and constraints, indexes, views,
//! enums, schemas — which the replay shows each statement as it was before.

mod few;
pub mod mysql;

pub use few::Few;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::model::Dialect;
use crate::parse::ir::{
    Action, AlterKind, AlterOp, ColumnDef, ColumnExtra, ConstraintDef, ConstraintKind,
    CreateFunction, CreateObject, CreateView, IndexKind, NO_EXTRA, Name, ObjectKind, RenameObject,
    TypeName, Volatility,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: Option<TypeName>,
    pub not_null: bool,
    pub default: Option<String>,
    /// Of a [`ColumnExtra`], the model keeps only a column's MySQL
    /// `CHARACTER SET` and `COLLATE` (else the table's) and its SQLite
    /// expression words; `None` when it has none of them.
    extra: Option<Box<ColumnExtra>>,
}

impl Column {
    pub fn extra(&self) -> &ColumnExtra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    pub fn extra_mut(&mut self) -> &mut ColumnExtra {
        self.extra.get_or_insert_default()
    }

    /// The column takes the table's character set again.
    fn clear_charset(&mut self) {
        if let Some(x) = self.extra.take() {
            self.extra = ColumnExtra {
                charset: None,
                ..*x
            }
            .boxed();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    pub columns: Vec<String>,
    /// False while `NOT VALID`.
    pub validated: bool,
    /// Declared in a column's definition (`col … REFERENCES p`), not as a
    /// table constraint.
    pub inline: bool,
}

impl Constraint {
    /// A foreign key that references `parent`.
    pub fn references(&self, parent: &Name) -> bool {
        matches!(&self.kind, ConstraintKind::ForeignKey { references, .. } if references == parent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// In order. Shared like tables: a copy of the table copies a column
    /// only when it changes it. Changed only through the methods below,
    /// which keep `positions` in step.
    columns: Vec<Arc<Column>>,
    /// Each column's index in `columns`, by name: a statement on a table of
    /// n columns looks its column up in O(1), not O(n).
    positions: FxHashMap<String, usize>,
    pub constraints: Vec<Constraint>,
    /// Declared with `PARTITION BY`.
    pub partitioned: bool,
    pub partition_of: Option<Name>,
    /// The `DEFAULT` partition of its parent.
    pub default_partition: bool,
    /// Seen only through `ALTER`s (created before the history bellows read,
    /// or by a statement it could not read): its columns may be incomplete.
    pub partial: bool,
    /// MySQL: the table's default character set and row format, as declared.
    pub charset: Option<String>,
    pub row_format: Option<String>,
    /// MySQL: columns added or dropped by `ALTER TABLE` since the table was
    /// created or last rebuilt (each instant one is a row version).
    pub row_versions: u16,
    /// MySQL: FULLTEXT indexes among `constraints`, kept in step with them.
    pub fulltext_keys: u32,
    /// The names of `constraints`, kept in step with them: adding one of
    /// n keys (a MySQL table's indexes) is O(1), not a scan of all n.
    constraint_names: ConstraintNames,
}

/// The names of a table's constraints. Derived from them, so two tables
/// with equal constraints have equal names: comparing tables compares the
/// constraints, not this set again.
#[derive(Debug, Clone, Default)]
struct ConstraintNames(rustc_hash::FxHashSet<String>);

impl PartialEq for ConstraintNames {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ConstraintNames {}

impl Table {
    /// The columns, in order.
    pub fn columns(&self) -> &[Arc<Column>] {
        &self.columns
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        let i = *self.positions.get(name)?;
        self.columns.get(i).map(AsRef::as_ref)
    }
    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        let i = *self.positions.get(name)?;
        self.columns.get_mut(i).map(Arc::make_mut)
    }
    /// Adds a column at the end (one of the same name goes first).
    fn push_column(&mut self, column: Column) {
        self.remove_column(&column.name);
        self.positions
            .insert(column.name.clone(), self.columns.len());
        self.columns.push(Arc::new(column));
    }
    /// Puts `column` in the place of `from`, or at the end.
    fn replace_column(&mut self, from: &str, column: Column) {
        match self.positions.remove(from) {
            Some(i) => {
                self.positions.insert(column.name.clone(), i);
                if let Some(slot) = self.columns.get_mut(i) {
                    *slot = Arc::new(column);
                }
            }
            None => self.push_column(column),
        }
    }
    /// Renames a column in place.
    fn rename_column(&mut self, from: &str, to: &str) {
        if let Some(i) = self.positions.remove(from) {
            self.positions.insert(to.to_string(), i);
            if let Some(c) = self.columns.get_mut(i) {
                Arc::make_mut(c).name = to.to_string();
            }
        }
    }
    /// A copy holding only the named columns (in order) and the constraints.
    fn restricted(&self, names: &BTreeSet<&str>) -> Table {
        let mut at: Vec<usize> = names
            .iter()
            .filter_map(|n| self.positions.get(*n).copied())
            .collect();
        at.sort_unstable();
        let mut t = Table {
            columns: Vec::with_capacity(at.len()),
            positions: FxHashMap::default(),
            constraints: self.constraints.clone(),
            partitioned: self.partitioned,
            partition_of: self.partition_of.clone(),
            default_partition: self.default_partition,
            partial: self.partial,
            charset: self.charset.clone(),
            row_format: self.row_format.clone(),
            row_versions: self.row_versions,
            fulltext_keys: self.fulltext_keys,
            constraint_names: self.constraint_names.clone(),
        };
        for i in at {
            if let Some(c) = self.columns.get(i) {
                t.positions.insert(c.name.clone(), t.columns.len());
                t.columns.push(c.clone());
            }
        }
        t
    }
    /// Brings what is kept beside the constraints in step again (after a
    /// removal or a rename, which scan them anyway).
    fn sync_constraints(&mut self) {
        let n = self
            .constraints
            .iter()
            .filter(|c| c.kind == ConstraintKind::Index(IndexKind::Fulltext))
            .count();
        self.fulltext_keys = u32::try_from(n).unwrap_or(u32::MAX);
        self.constraint_names =
            ConstraintNames(self.constraints.iter().map(|c| c.name.clone()).collect());
    }

    /// Removes a column: O(n) for the columns after it, as on the server.
    fn remove_column(&mut self, name: &str) {
        let Some(i) = self.positions.remove(name) else {
            return;
        };
        self.columns.remove(i);
        for c in self.columns.iter().skip(i) {
            if let Some(p) = self.positions.get_mut(&c.name) {
                *p -= 1;
            }
        }
    }
    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.name == name)
    }
    /// A validated `CHECK (col IS NOT NULL)` exists.
    pub fn has_validated_not_null_check(&self, column: &str) -> bool {
        self.constraints.iter().any(|c| {
            c.validated
                && matches!(&c.kind, ConstraintKind::Check { not_null_of: Some(n), .. } if n == column)
        })
    }
}

/// A function as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// `None`: not declared, so `VOLATILE`.
    pub volatility: Option<Volatility>,
    /// `LANGUAGE sql`: a simple body may be inlined (and folded) by the planner.
    pub sql: bool,
    /// Its body, when `LANGUAGE sql` (lower-cased, without blanks).
    pub sql_body: Option<String>,
    /// `RETURNS trigger`: run by triggers, never called by code.
    pub returns_trigger: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub table: Name,
    pub unique: bool,
    pub columns: Vec<String>,
    pub kind: IndexKind,
}

/// The schema model's maps by name. Every statement looks names up in the
/// whole schema of its history, so they are hashed: with ordered maps the
/// lookups, each a handful of string comparisons, grew with the schema
/// (log n), and made ten times the history cost 10.25 times the
/// instructions. Iterating one gives no useful order: code that reports
/// what it finds there sorts first. The hash is rustc's FxHash, far cheaper
/// than std's SipHash on short names; the input is the user's own
/// migrations, so there is no one to guard against with a keyed hash.
pub type NameMap<V> = FxHashMap<Name, V>;

/// A [`NameMap`]'s entries in name order, for what is reported from it.
pub fn by_name<V>(map: &NameMap<V>) -> Vec<(&Name, &V)> {
    let mut entries: Vec<(&Name, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

/// A SQLite view or trigger: what it names, to know which changes of the
/// tables it uses SQLite refuses or breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependent {
    /// `None` for a view; a trigger's table.
    pub trigger_on: Option<Name>,
    /// The words of its text (tables, columns, keywords), lower-cased, sorted.
    pub words: Vec<String>,
}

impl Dependent {
    pub fn kind(&self) -> &'static str {
        if self.trigger_on.is_some() {
            "trigger"
        } else {
            "view"
        }
    }

    /// It names `word` (a table or column name).
    pub fn names(&self, word: &str) -> bool {
        self.words
            .binary_search_by(|w| w.as_str().cmp(word))
            .is_ok()
    }

    /// It may use column `column` of table `table`.
    pub fn uses(&self, table: &Name, column: &str) -> bool {
        (self.trigger_on.as_ref() == Some(table) || self.names(&table.name)) && self.names(column)
    }
}

/// SQLite's views and triggers, found by the words they name (so a change
/// looks only at those that name its table or column, however many there
/// are), and the views left naming a dropped table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dependents {
    by_name: NameMap<Dependent>,
    by_word: FxHashMap<String, Few<Name>>,
    /// View → the dropped table it still names.
    dangling: std::collections::BTreeMap<Name, Name>,
}

impl Dependents {
    fn insert(&mut self, name: Name, d: Dependent) {
        self.remove(&name);
        for w in &d.words {
            self.by_word
                .entry(w.clone())
                .or_default()
                .insert(name.clone());
        }
        self.by_name.insert(name, d);
    }

    fn remove(&mut self, name: &Name) -> Option<Dependent> {
        let d = self.by_name.remove(name)?;
        for w in &d.words {
            if let Some(set) = self.by_word.get_mut(w) {
                set.remove(name);
                if set.is_empty() {
                    self.by_word.remove(w);
                }
            }
        }
        self.dangling.remove(name);
        Some(d)
    }

    /// The view or trigger of that name.
    pub fn get(&self, name: &Name) -> Option<&Dependent> {
        self.by_name.get(name)
    }

    /// Those that name `word`, by name.
    pub fn naming(&self, word: &str) -> Vec<(&Name, &Dependent)> {
        self.by_word
            .get(word)
            .into_iter()
            .flatten()
            .filter_map(|n| self.by_name.get_key_value(n))
            .collect()
    }

    /// Replaces the word `from` by `to` in those of `names`.
    fn rename_word(&mut self, names: &[Name], from: &str, to: &str) {
        for n in names {
            let Some(mut d) = self.by_name.get(n).cloned() else {
                continue;
            };
            for w in &mut d.words {
                if w == from {
                    *w = to.to_string();
                }
            }
            d.words.sort_unstable();
            d.words.dedup();
            let dangling = self.dangling.get(n).cloned();
            self.insert(n.clone(), d);
            if let Some(t) = dangling {
                self.dangling.insert(n.clone(), t);
            }
        }
    }
}

/// A lookup kept in step with the rest of the catalog, to find by name what
/// would otherwise take going through all of it. Derived from the rest (and
/// allowed stale entries, which each use checks again), so comparing two
/// catalogs compares the rest, not the lookups.
#[derive(Debug, Clone, Default)]
struct Lookup<T>(T);

impl<T> PartialEq for Lookup<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Lookup<T> {}

impl<T> std::ops::Deref for Lookup<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Lookup<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// An object by kind, name and, for a trigger or a policy, its table.
pub type ObjectKey = (ObjectKind, Name, Option<Name>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub dialect: Dialect,
    pub schemas: BTreeSet<String>,
    /// Shared with copies (see [`Catalog::subset`]): a table is copied only
    /// when a copy changes it.
    pub tables: NameMap<Arc<Table>>,
    /// Views and materialized views.
    pub views: NameMap<ObjectKind>,
    /// The column names of the views whose query bellows could read.
    pub view_columns: NameMap<Vec<String>>,
    /// What each view's query reads, and the names it mentions. Change
    /// only through `set_view_reads` / `remove_view_reads`, which keep
    /// `readers` in step.
    view_reads: NameMap<(Vec<Name>, Vec<String>)>,
    /// Read freely; change only through `add_index` / `remove_index`, which
    /// keep `by_table` in step.
    pub indexes: NameMap<Arc<Index>>,
    pub enums: NameMap<Vec<String>>,
    /// Domains, and whether each has a constraint (a `CHECK`, or a `NOT NULL`).
    pub domains: NameMap<bool>,
    /// Functions by name (any signature).
    pub functions: NameMap<Function>,
    /// Objects that code or other objects can name, besides tables, views,
    /// indexes, enums and domains: functions, procedures, aggregates, other
    /// types, sequences, extensions, triggers, policies, MySQL events; with
    /// the signatures of a routine's overloads (empty when unknown).
    pub objects: BTreeMap<ObjectKey, Few<String>>,
    /// The keys of `objects` on a table (triggers, policies), by the table;
    /// checked again when used, so it may hold more.
    on_table: Lookup<NameMap<Few<ObjectKey>>>,
    /// Index names by table.
    by_table: NameMap<Few<Name>>,
    /// MySQL: FULLTEXT indexes by table (kept in step by `add_index` / `remove_index`).
    fulltext_by_table: NameMap<u32>,
    /// SQLite: views and triggers, with what they name.
    pub dependents: Dependents,
    /// The tables that have (or had) a foreign key to a table, by the name
    /// the key references; each is checked again when used, so it may hold
    /// more.
    children: Lookup<NameMap<Few<Name>>>,
    /// The tables that have (or had) a primary key, unique or exclusion
    /// constraint, by the name of its index (the constraint's, in the
    /// table's schema); checked again when used, so it may hold more.
    key_owners: Lookup<NameMap<Few<Name>>>,
    /// The tables with a column whose type or default names a word, by the
    /// word: the type as written (not an array of it, nor a built-in type
    /// named bare, see [`builtin`]), and each run of
    /// letters, digits and `_` of the lower-cased default that a call or a
    /// quoted name ends with (see [`called_or_quoted`]). Checked again
    /// when used, so it may hold more. `None` in a [`Catalog::subset`],
    /// which holds only the tables a migration names: asked there, every
    /// table is a candidate.
    column_words: Lookup<Option<FxHashMap<String, Few<Name>>>>,
    /// The views whose query reads a relation, by its name: what depends on
    /// a table is found without going through every view.
    readers: NameMap<Few<Name>>,
}

impl Catalog {
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            schemas: BTreeSet::new(),
            tables: NameMap::default(),
            views: NameMap::default(),
            view_columns: NameMap::default(),
            view_reads: NameMap::default(),
            readers: NameMap::default(),
            indexes: NameMap::default(),
            enums: NameMap::default(),
            domains: NameMap::default(),
            functions: NameMap::default(),
            objects: BTreeMap::new(),
            on_table: Lookup::default(),
            by_table: NameMap::default(),
            fulltext_by_table: NameMap::default(),
            dependents: Dependents::default(),
            children: Lookup::default(),
            key_owners: Lookup::default(),
            column_words: Lookup(Some(FxHashMap::default())),
        }
    }

    /// Records what a view's query reads (replacing what it read before).
    fn set_view_reads(&mut self, view: &Name, reads: Vec<Name>, words: Vec<String>) {
        self.remove_view_reads(view);
        for r in &reads {
            self.readers
                .entry(r.clone())
                .or_default()
                .insert(view.clone());
        }
        self.view_reads.insert(view.clone(), (reads, words));
    }

    /// Forgets what a view's query reads, and returns it.
    fn remove_view_reads(&mut self, view: &Name) -> Option<(Vec<Name>, Vec<String>)> {
        let old = self.view_reads.remove(view)?;
        for r in &old.0 {
            if let Some(set) = self.readers.get_mut(r) {
                set.remove(view);
                if set.is_empty() {
                    self.readers.remove(r);
                }
            }
        }
        Some(old)
    }

    /// The tables a lookup filed under one key that the catalog still has
    /// (an entry may outlive its table: each is checked again when used).
    fn filed_tables<'a>(
        &'a self,
        names: Option<&'a Few<Name>>,
    ) -> impl Iterator<Item = (&'a Name, &'a Table)> {
        names
            .into_iter()
            .flatten()
            .filter_map(|n| self.tables.get_key_value(n))
            .map(|(n, t)| (n, t.as_ref()))
    }

    /// The tables whose foreign keys reference `parent`, by name.
    pub fn children_of<'a>(&'a self, parent: &'a Name) -> Vec<(&'a Name, &'a Table)> {
        self.filed_tables(self.children.get(parent))
            .filter(|(_, t)| t.constraints.iter().any(|c| c.references(parent)))
            .collect()
    }

    /// The foreign keys that reference `parent`, with their tables, tables
    /// by name.
    pub fn foreign_keys_to<'a>(
        &'a self,
        parent: &'a Name,
    ) -> impl Iterator<Item = (&'a Constraint, &'a Name)> {
        self.children_of(parent)
            .into_iter()
            .flat_map(move |(n, t)| {
                t.constraints
                    .iter()
                    .filter(move |c| c.references(parent))
                    .map(move |c| (c, n))
            })
    }

    /// Files `table` where its keys are looked up without going through
    /// every table: as a child of the tables its foreign keys reference, and
    /// as the owner of its constraints' indexes. Called whenever a table
    /// gains a constraint, a constraint its name, or the table a name.
    fn note_keys(&mut self, table: &Name) {
        let Some(t) = self.tables.get(table) else {
            return;
        };
        for c in &t.constraints {
            match &c.kind {
                ConstraintKind::ForeignKey { references, .. } => {
                    file_under(&mut self.children, references, table);
                }
                ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclude => {
                    let index = Name::new(table.schema.clone(), c.name.clone());
                    file_under(&mut self.key_owners, &index, table);
                }
                _ => {}
            }
        }
    }

    /// Files `table` under the words its columns' types and defaults name
    /// (`column`: only that column's). Called whenever a column gains a
    /// type or a default, or the table a name.
    fn note_columns(&mut self, table: &Name, column: Option<&str>) {
        let (Some(words), Some(t)) = (&mut *self.column_words, self.tables.get(table)) else {
            return;
        };
        let one;
        let columns: &[Arc<Column>] = match column {
            Some(name) => {
                let Some(i) = t.positions.get(name) else {
                    return;
                };
                one = t.columns.get(*i..=*i).unwrap_or_default();
                one
            }
            None => &t.columns,
        };
        let mut file = |word: &str| file_under(words, word, table);
        for c in columns {
            if let Some(ty) = c.ty.as_ref().filter(|ty| !ty.array && !builtin(&ty.base)) {
                file(&ty.base);
            }
            if let Some(d) = &c.default {
                let lower: std::borrow::Cow<'_, str> = if d.chars().any(char::is_uppercase) {
                    d.to_lowercase().into()
                } else {
                    d.as_str().into()
                };
                called_or_quoted(&lower).into_iter().for_each(&mut file);
            }
        }
    }

    /// The tables that may have a column whose type or default names
    /// `word` (as [`Catalog::column_words`] keeps them), by name.
    fn tables_naming(&self, word: &str) -> Vec<(&Name, &Table)> {
        match &*self.column_words {
            Some(words) => self.filed_tables(words.get(word)).collect(),
            None => self.tables_by_name(),
        }
    }

    /// Every table, by name.
    fn tables_by_name(&self) -> Vec<(&Name, &Table)> {
        by_name(&self.tables)
            .into_iter()
            .map(|(n, t)| (n, t.as_ref()))
            .collect()
    }

    /// The tables with a column whose default may call `word` or name it
    /// in quotes (lower-cased), by name: those filed under its last run of
    /// letters, digits and `_`, or every table when it does not end with
    /// one.
    pub fn tables_with_default_naming(&self, word: &str) -> Vec<(&Name, &Table)> {
        match word.rsplit(|c: char| !is_word_char(c)).next() {
            Some(last) if !last.is_empty() => self.tables_naming(last),
            _ => self.tables_by_name(),
        }
    }

    /// SQLite: the views and triggers that may use column `column` of `table`, by name.
    pub fn dependents_using<'a>(
        &'a self,
        table: &'a Name,
        column: &'a str,
    ) -> Vec<(&'a Name, &'a Dependent)> {
        let mut v = self.dependents.naming(column);
        v.retain(|(_, d)| d.uses(table, column));
        v
    }

    /// SQLite: a view left pointing at a dropped table (the first by name).
    pub fn dangling_view(&self) -> Option<(&Name, &Name)> {
        self.dependents.dangling.iter().next()
    }

    /// SQLite: a table now exists under `name` again: views that named it work again.
    fn table_back(&mut self, name: &Name) {
        if !self.dependents.dangling.is_empty() {
            self.dependents.dangling.retain(|_, t| t != name);
        }
    }

    /// MySQL: how many FULLTEXT indexes a table has (declared with it, added
    /// by `ALTER TABLE` or by `CREATE FULLTEXT INDEX`).
    pub fn fulltext_indexes(&self, table: &Name) -> usize {
        let keys = self.tables.get(table).map_or(0, |t| t.fulltext_keys);
        let indexes = self.fulltext_by_table.get(table).copied().unwrap_or(0);
        usize::try_from(keys + indexes).unwrap_or(usize::MAX)
    }

    fn add_index(&mut self, name: Name, index: Index) {
        self.add_shared_index(name, Arc::new(index));
    }

    fn add_shared_index(&mut self, name: Name, index: Arc<Index>) {
        self.remove_index(&name);
        if index.kind == IndexKind::Fulltext {
            *self
                .fulltext_by_table
                .entry(index.table.clone())
                .or_default() += 1;
        }
        self.by_table
            .entry(index.table.clone())
            .or_default()
            .insert(name.clone());
        self.indexes.insert(name, index);
    }

    fn remove_index(&mut self, name: &Name) -> Option<Arc<Index>> {
        let index = self.indexes.remove(name)?;
        if index.kind == IndexKind::Fulltext
            && let Some(n) = self.fulltext_by_table.get_mut(&index.table)
        {
            *n = n.saturating_sub(1);
        }
        if let Some(names) = self.by_table.get_mut(&index.table) {
            names.remove(name);
            if names.is_empty() {
                self.by_table.remove(&index.table);
            }
        }
        Some(index)
    }

    /// The names of a table's indexes.
    fn index_names_of(&self, table: &Name) -> Vec<Name> {
        self.by_table
            .get(table)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn table(&self, name: &Name) -> Option<&Table> {
        self.tables.get(name).map(AsRef::as_ref)
    }

    fn table_entry(&mut self, name: &Name) -> &mut Table {
        Arc::make_mut(self.tables.entry(name.clone()).or_insert_with(|| {
            Arc::new(Table {
                partial: true,
                ..Table::default()
            })
        }))
    }

    /// Applies one statement's effect.
    pub fn apply(&mut self, action: &Action) {
        match action {
            Action::CreateTable(ct) => {
                if ct.if_not_exists && self.tables.contains_key(&ct.name) {
                    return;
                }
                let mut t = Table {
                    partitioned: ct.partitioned,
                    partition_of: ct.partition_of.clone(),
                    default_partition: ct.default_partition,
                    partial: ct.columns_unknown,
                    charset: ct.charset.clone(),
                    row_format: ct.row_format.clone(),
                    ..Table::default()
                };
                for c in &ct.columns {
                    add_column(&mut t, &ct.name, c, self.dialect);
                }
                for c in &ct.constraints {
                    add_constraint(&mut t, &ct.name, c);
                }
                // Most tables keep the constraints they are created with:
                // room for those only (pushed one by one, a primary key
                // alone had room for four, 336 bytes never used).
                t.constraints.shrink_to_fit();
                self.tables.insert(ct.name.clone(), Arc::new(t));
                self.note_keys(&ct.name);
                self.note_columns(&ct.name, None);
                self.table_back(&ct.name);
            }
            Action::CreateView(v) => {
                let CreateView {
                    name,
                    materialized,
                    columns,
                    reads,
                    words,
                    ..
                } = &**v;
                self.set_view_reads(name, reads.clone(), words.clone());
                let kind = if *materialized {
                    ObjectKind::MaterializedView
                } else {
                    ObjectKind::View
                };
                self.views.insert(name.clone(), kind);
                if self.dialect == Dialect::Sqlite {
                    self.dependents.insert(
                        name.clone(),
                        Dependent {
                            trigger_on: None,
                            words: words.clone(),
                        },
                    );
                }
                match columns {
                    Some(c) => {
                        self.view_columns.insert(name.clone(), c.clone());
                    }
                    None => {
                        self.view_columns.remove(name);
                    }
                }
            }
            Action::CreateTrigger(t) => {
                self.dependents.insert(
                    t.name.clone(),
                    Dependent {
                        trigger_on: Some(t.table.clone()),
                        words: t.words.clone(),
                    },
                );
            }
            Action::DropTrigger { name } => {
                self.dependents.remove(name);
            }
            Action::CreateIndex(ci) => {
                let name = ci.name.clone().unwrap_or_else(|| {
                    Name::new(
                        ci.table.schema.clone(),
                        format!("{}_{}_idx", ci.table.name, ci.columns.join("_")),
                    )
                });
                if ci.if_not_exists && self.indexes.contains_key(&name) {
                    return;
                }
                self.add_index(
                    name,
                    Index {
                        table: ci.table.clone(),
                        unique: ci.unique,
                        columns: ci.columns.clone(),
                        kind: ci.kind,
                    },
                );
            }
            Action::CreateSchema { name } => {
                self.schemas.insert(name.clone());
            }
            Action::CreateEnum { name, values } => {
                self.enums.insert(name.clone(), values.clone());
            }
            Action::CreateDomain { name, check } => {
                self.domains.insert(name.clone(), *check);
            }
            Action::AlterDomainAddConstraint { domain, .. } => {
                self.domains.insert(domain.clone(), true);
            }
            Action::CreateObject(o) => {
                let CreateObject {
                    kind,
                    name,
                    on,
                    signature,
                    ..
                } = &**o;
                let key = (*kind, name.clone(), on.clone());
                if let Some(table) = on {
                    self.on_table
                        .entry(table.clone())
                        .or_default()
                        .insert(key.clone());
                }
                let sigs = self.objects.entry(key).or_default();
                sigs.extend(signature.clone());
            }
            Action::CreateFunction(f) => {
                let CreateFunction {
                    name,
                    volatility,
                    sql,
                    sql_body,
                    signature,
                    returns_trigger,
                    ..
                } = &**f;
                self.objects
                    .entry((ObjectKind::Function, name.clone(), None))
                    .or_default()
                    .extend(signature.clone());
                self.functions.insert(
                    name.clone(),
                    Function {
                        volatility: *volatility,
                        sql: *sql,
                        sql_body: sql_body.clone(),
                        returns_trigger: *returns_trigger,
                    },
                );
            }
            Action::Drop {
                kind,
                names,
                table,
                signatures,
                ..
            } => {
                for (i, n) in names.iter().enumerate() {
                    let signature = signatures.get(i).cloned().flatten();
                    self.drop_object(*kind, n, table.as_deref(), signature.as_deref());
                    self.drop(*kind, n);
                    // MySQL `DROP INDEX i ON t` of an index declared in the table.
                    if let (ObjectKind::Index, Some(t)) = (kind, table)
                        && self
                            .tables
                            .get(t)
                            .is_some_and(|x| x.constraint(&n.name).is_some())
                    {
                        let t = self.table_entry(t);
                        t.constraints.retain(|c| c.name != n.name);
                        t.sync_constraints();
                    }
                }
            }
            Action::AlterTable { table, ops, .. } => {
                let mut current = table.clone();
                for op in ops {
                    if let Some(renamed) = self.alter(&current, &op.kind) {
                        current = renamed;
                    }
                }
            }
            Action::RenameTables(pairs) => {
                for (from, to) in pairs {
                    self.rename_table(from, to);
                }
            }
            Action::RenameObject(r) => {
                let RenameObject { kind, from, to } = &**r;
                match kind {
                    ObjectKind::Index => {
                        if let Some(i) = self.remove_index(from) {
                            self.add_shared_index(to.clone(), i);
                        } else if let Some(table) = self.table_of_index(from) {
                            // The index of a constraint: renaming it renames the constraint.
                            let t = self.table_entry(&table);
                            for c in &mut t.constraints {
                                if c.name == from.name {
                                    c.name.clone_from(&to.name);
                                }
                            }
                            t.sync_constraints();
                            self.note_keys(&table);
                        }
                    }
                    ObjectKind::View | ObjectKind::MaterializedView => {
                        if let Some(k) = self.views.remove(from) {
                            self.views.insert(to.clone(), k);
                        }
                        if let Some(c) = self.view_columns.remove(from) {
                            self.view_columns.insert(to.clone(), c);
                        }
                        if let Some((reads, words)) = self.remove_view_reads(from) {
                            self.set_view_reads(to, reads, words);
                        }
                    }
                    ObjectKind::Type => {
                        if let Some(v) = self.enums.remove(from) {
                            self.enums.insert(to.clone(), v);
                        }
                        self.rename_object(*kind, from, to);
                    }
                    ObjectKind::Domain => {
                        if let Some(v) = self.domains.remove(from) {
                            self.domains.insert(to.clone(), v);
                        }
                    }
                    ObjectKind::Function => {
                        if let Some(v) = self.functions.remove(from) {
                            self.functions.insert(to.clone(), v);
                        }
                        self.rename_object(*kind, from, to);
                    }
                    ObjectKind::Schema => {
                        if self.schemas.remove(&from.name) {
                            self.schemas.insert(to.name.clone());
                        }
                    }
                    _ => self.rename_object(*kind, from, to),
                }
            }
            Action::AddEnumValue { ty, value, .. } => {
                let values = self.enums.entry(ty.clone()).or_default();
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
            Action::RenameEnumValue(r) => {
                if let Some(values) = self.enums.get_mut(&r.ty) {
                    for v in values.iter_mut() {
                        if *v == r.from {
                            v.clone_from(&r.to);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The keys of the objects of this kind and name, on any table: a range
    /// of `objects`, whose keys sort by kind, then name, then table.
    pub fn objects_named<'a>(
        &'a self,
        kind: ObjectKind,
        name: &'a Name,
    ) -> impl Iterator<Item = &'a ObjectKey> + 'a {
        self.objects
            .range((kind, name.clone(), None)..)
            .map(|(key, _)| key)
            .take_while(move |(k, n, _)| *k == kind && n == name)
    }

    /// Whether the history created this object (and did not drop it); `on`
    /// is the table of a trigger or policy (`None`: on any table).
    pub fn has_object(&self, kind: ObjectKind, name: &Name, on: Option<&Name>) -> bool {
        let other = || match on {
            Some(on) => self
                .objects
                .contains_key(&(kind, name.clone(), Some(on.clone()))),
            None => self.objects_named(kind, name).next().is_some(),
        };
        match kind {
            ObjectKind::Table => self.tables.contains_key(name),
            ObjectKind::View | ObjectKind::MaterializedView => self.views.get(name) == Some(&kind),
            ObjectKind::Index => self.indexes.contains_key(name),
            ObjectKind::Schema | ObjectKind::Database => self.schemas.contains(&name.name),
            ObjectKind::Type => self.enums.contains_key(name) || other(),
            ObjectKind::Domain => self.domains.contains_key(name),
            ObjectKind::Function => self.functions.contains_key(name) || other(),
            _ => other(),
        }
    }

    /// The signatures known for a routine (empty when none was read).
    pub fn signatures(&self, kind: ObjectKind, name: &Name) -> Option<&Few<String>> {
        self.objects.get(&(kind, name.clone(), None))
    }

    /// Forgets a dropped object of [`Catalog::objects`], enums, domains and
    /// functions (one overload when `signature` is given).
    fn drop_object(
        &mut self,
        kind: ObjectKind,
        name: &Name,
        on: Option<&Name>,
        signature: Option<&str>,
    ) {
        match kind {
            ObjectKind::Domain => {
                self.domains.remove(name);
            }
            ObjectKind::Trigger | ObjectKind::Policy => {
                let gone: Vec<ObjectKey> = self
                    .objects_named(kind, name)
                    .filter(|(_, _, t)| on.is_none_or(|on| t.as_ref() == Some(on)))
                    .cloned()
                    .collect();
                for key in gone {
                    self.objects.remove(&key);
                }
            }
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate => {
                let key = (kind, name.clone(), None);
                let empty = match (self.objects.get_mut(&key), signature) {
                    (Some(sigs), Some(sig)) => {
                        sigs.remove(sig);
                        sigs.is_empty()
                    }
                    _ => true,
                };
                if empty {
                    self.objects.remove(&key);
                    if kind == ObjectKind::Function {
                        self.functions.remove(name);
                    }
                }
            }
            ObjectKind::Table => {
                for key in self.on_table.remove(name).unwrap_or_default() {
                    self.objects.remove(&key);
                }
            }
            ObjectKind::Schema | ObjectKind::Database => {
                let s = Some(name.name.clone());
                self.objects.retain(|(_, n, _), _| n.schema != s);
                self.domains.retain(|k, _| k.schema != s);
                self.functions.retain(|k, _| k.schema != s);
            }
            _ => {
                self.objects.remove(&(kind, name.clone(), None));
            }
        }
    }

    fn rename_object(&mut self, kind: ObjectKind, from: &Name, to: &Name) {
        if let Some(v) = self.objects.remove(&(kind, from.clone(), None)) {
            self.objects.insert((kind, to.clone(), None), v);
        }
    }

    fn drop(&mut self, kind: ObjectKind, name: &Name) {
        match kind {
            ObjectKind::Table => {
                self.tables.remove(name);
                for i in self.index_names_of(name) {
                    self.remove_index(&i);
                }
                if self.dialect == Dialect::Sqlite {
                    // Its triggers go with it; views that name it are left dangling.
                    let naming: Vec<(Name, bool)> = self
                        .dependents
                        .naming(&name.name)
                        .into_iter()
                        .map(|(n, d)| (n.clone(), d.trigger_on.is_some()))
                        .collect();
                    for (n, trigger) in naming {
                        let on_it = trigger
                            && self
                                .dependents
                                .by_name
                                .get(&n)
                                .is_some_and(|d| d.trigger_on.as_ref() == Some(name));
                        if on_it {
                            self.dependents.remove(&n);
                        } else if !trigger {
                            self.dependents.dangling.insert(n, name.clone());
                        }
                    }
                }
            }
            ObjectKind::View | ObjectKind::MaterializedView => {
                self.views.remove(name);
                self.dependents.remove(name);
                self.view_columns.remove(name);
                self.remove_view_reads(name);
            }
            ObjectKind::Index => {
                self.remove_index(name);
            }
            ObjectKind::Type => {
                self.enums.remove(name);
            }
            ObjectKind::Schema | ObjectKind::Database => {
                let s = Some(name.name.clone());
                self.schemas.remove(&name.name);
                self.tables.retain(|k, _| k.schema != s);
                self.views.retain(|k, _| k.schema != s);
                self.view_columns.retain(|k, _| k.schema != s);
                let views: Vec<Name> = self
                    .view_reads
                    .keys()
                    .filter(|k| k.schema == s)
                    .cloned()
                    .collect();
                for v in &views {
                    self.remove_view_reads(v);
                }
                let gone: Vec<Name> = self
                    .indexes
                    .iter()
                    .filter(|(k, i)| k.schema == s || i.table.schema == s)
                    .map(|(k, _)| k.clone())
                    .collect();
                for i in gone {
                    self.remove_index(&i);
                }
                self.enums.retain(|k, _| k.schema != s);
            }
            _ => {}
        }
    }

    fn rename_table(&mut self, from: &Name, to: &Name) {
        let t = self.tables.remove(from).unwrap_or_else(|| {
            Arc::new(Table {
                partial: true,
                ..Table::default()
            })
        });
        self.tables.insert(to.clone(), t);
        // Triggers and policies stay on the renamed table.
        for key in self.on_table.remove(from).unwrap_or_default() {
            if let Some(v) = self.objects.remove(&key) {
                let moved = (key.0, key.1, Some(to.clone()));
                self.on_table
                    .entry(to.clone())
                    .or_default()
                    .insert(moved.clone());
                self.objects.insert(moved, v);
            }
        }
        if self.dialect == Dialect::Sqlite {
            // SQLite rewrites other tables' foreign keys, views and
            // triggers to the new name (3.26+, legacy_alter_table off).
            let children: Vec<Name> = self
                .children_of(from)
                .into_iter()
                .map(|(n, _)| n.clone())
                .collect();
            for n in &children {
                if let Some(t) = self.tables.get_mut(n) {
                    for c in &mut Arc::make_mut(t).constraints {
                        if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
                            && references == from
                        {
                            references.clone_from(to);
                        }
                    }
                }
            }
            self.children.remove(from);
            if !children.is_empty() {
                self.children
                    .entry(to.clone())
                    .or_default()
                    .extend(children);
            }
            let naming: Vec<Name> = self
                .dependents
                .naming(&from.name)
                .into_iter()
                .map(|(n, _)| n.clone())
                .collect();
            for n in &naming {
                if let Some(d) = self.dependents.by_name.get_mut(n)
                    && d.trigger_on.as_ref() == Some(from)
                {
                    d.trigger_on = Some(to.clone());
                }
            }
            self.dependents.rename_word(&naming, &from.name, &to.name);
            self.table_back(to);
        }
        // The renamed table's own keys and columns, under its new name.
        self.note_keys(to);
        self.note_columns(to, None);
        for name in self.index_names_of(from) {
            if let Some(mut i) = self.remove_index(&name) {
                Arc::make_mut(&mut i).table = to.clone();
                self.add_shared_index(name, i);
            }
        }
    }

    /// Applies one `ALTER TABLE` op; returns the new name after a rename.
    fn alter(&mut self, table: &Name, op: &AlterKind) -> Option<Name> {
        let dialect = self.dialect;
        match op {
            AlterKind::RenameTo { to } => {
                let to = Name::new(
                    to.schema.clone().or_else(|| table.schema.clone()),
                    to.name.clone(),
                );
                self.rename_table(table, &to);
                return Some(to);
            }
            AlterKind::SetSchema { schema } => {
                let to =
                    crate::parse::ir::make_name(vec![schema.clone(), table.name.clone()], dialect);
                self.rename_table(table, &to);
                return Some(to);
            }
            AlterKind::DropIndex { name } => {
                self.remove_index(&Name::new(table.schema.clone(), name.clone()));
                if self
                    .tables
                    .get(table)
                    .is_some_and(|t| t.constraint_names.0.contains(name))
                {
                    let t = self.table_entry(table);
                    t.constraints.retain(|c| &c.name != name);
                    t.sync_constraints();
                }
                return None;
            }
            AlterKind::RenameIndex { from, to } => {
                let old = Name::new(table.schema.clone(), from.clone());
                if let Some(i) = self.remove_index(&old) {
                    self.add_shared_index(Name::new(table.schema.clone(), to.clone()), i);
                }
                if self
                    .tables
                    .get(table)
                    .is_some_and(|t| t.constraint_names.0.contains(from))
                {
                    let t = self.table_entry(table);
                    for c in &mut t.constraints {
                        if &c.name == from {
                            c.name.clone_from(to);
                        }
                    }
                    t.sync_constraints();
                    self.note_keys(table);
                }
                return None;
            }
            _ => {}
        }
        self.alter_table(table, op, dialect);
        let keyed = match op {
            AlterKind::AddColumn { column, .. } => {
                column.primary_key || column.unique || column.extra().references.is_some()
            }
            AlterKind::AddConstraint(_) | AlterKind::RenameConstraint { .. } => true,
            _ => false,
        };
        if keyed {
            self.note_keys(table);
        }
        let column = match op {
            AlterKind::AddColumn { column, .. } | AlterKind::Redefine { column, .. } => {
                Some(column.name.as_str())
            }
            AlterKind::SetType { column, .. } | AlterKind::SetDefault { column, .. } => {
                Some(column.as_str())
            }
            _ => None,
        };
        if let Some(column) = column {
            self.note_columns(table, Some(column));
        }
        None
    }

    /// Applies one `ALTER TABLE` op that changes the table itself.
    fn alter_table(&mut self, table: &Name, op: &AlterKind, dialect: Dialect) {
        let t = self.table_entry(table);
        match op {
            AlterKind::AddColumn {
                column,
                if_not_exists,
                ..
            } if !(*if_not_exists && t.column(&column.name).is_some()) => {
                add_column(t, table, column, dialect);
                if dialect == Dialect::Mysql {
                    t.row_versions = t.row_versions.saturating_add(1);
                }
            }
            AlterKind::TableOption { name, value } => match name.as_str() {
                "row_format" => {
                    t.row_format = Some(value.clone());
                    t.row_versions = 0;
                }
                "force" | "engine" => t.row_versions = 0,
                "convert to character set" => {
                    t.row_versions = 0;
                    t.charset = Some(value.clone());
                    for c in &mut t.columns {
                        if c.extra().charset.is_some() {
                            Arc::make_mut(c).clear_charset();
                        }
                    }
                }
                "default character set" => t.charset = Some(value.clone()),
                _ => {}
            },
            AlterKind::DropColumn { name, .. } => {
                if dialect == Dialect::Mysql {
                    t.row_versions = t.row_versions.saturating_add(1);
                }
                t.remove_column(name);
                let before = t.constraints.len();
                t.constraints.retain(|c| !c.columns.contains(name));
                if t.constraints.len() != before {
                    t.sync_constraints();
                }
                for i in self.index_names_of(table) {
                    if self
                        .indexes
                        .get(&i)
                        .is_some_and(|x| x.columns.contains(name))
                    {
                        self.remove_index(&i);
                    }
                }
            }
            AlterKind::RenameColumn { from, to } => {
                t.rename_column(from, to);
                rename_in_constraints(t, from, to);
                for c in &mut t.columns {
                    if c.extra().refs.iter().any(|r| r == from) {
                        Arc::make_mut(c).extra_mut().refs.iter_mut().for_each(|r| {
                            if r == from {
                                r.clone_from(to);
                            }
                        });
                    }
                }
                self.rename_in_indexes(table, from, to);
                let using: Vec<Name> = self
                    .dependents_using(table, from)
                    .into_iter()
                    .map(|(n, _)| n.clone())
                    .collect();
                self.dependents.rename_word(&using, from, to);
            }
            AlterKind::Redefine { from, column } => {
                let old = t.column(from).cloned();
                t.replace_column(from, column_of(column));
                if old.is_some_and(|o| o.name != column.name) {
                    rename_in_constraints(t, from, &column.name);
                    self.rename_in_indexes(table, from, &column.name);
                }
            }
            AlterKind::SetType { column, ty, .. } => {
                if let Some(c) = t.column_mut(column) {
                    c.ty.clone_from(ty);
                }
            }
            AlterKind::SetNotNull { column } => {
                if let Some(c) = t.column_mut(column) {
                    c.not_null = true;
                }
            }
            AlterKind::DropNotNull { column } => {
                if let Some(c) = t.column_mut(column) {
                    c.not_null = false;
                }
                // PostgreSQL 18 drops the column's NOT NULL constraint with it.
                let before = t.constraints.len();
                t.constraints.retain(|c| {
                    !(c.kind == ConstraintKind::NotNull && c.columns.first() == Some(column))
                });
                if t.constraints.len() != before {
                    t.sync_constraints();
                }
            }
            AlterKind::SetDefault { column, default } => {
                if let Some(c) = t.column_mut(column) {
                    c.default = Some(default.clone());
                }
            }
            AlterKind::DropDefault { column } => {
                if let Some(c) = t.column_mut(column) {
                    c.default = None;
                }
            }
            AlterKind::AddConstraint(def) => add_constraint(t, table, def),
            AlterKind::DropConstraint { name, .. } if t.constraint_names.0.contains(name) => {
                // PostgreSQL 18: dropping a NOT NULL constraint makes its column nullable.
                let nullable: Vec<String> = t
                    .constraints
                    .iter()
                    .filter(|c| &c.name == name && c.kind == ConstraintKind::NotNull)
                    .flat_map(|c| c.columns.clone())
                    .collect();
                for n in &nullable {
                    if let Some(c) = t.column_mut(n) {
                        c.not_null = false;
                    }
                }
                t.constraints.retain(|c| &c.name != name);
                t.sync_constraints();
            }
            AlterKind::DropPrimaryKey => {
                let before = t.constraints.len();
                t.constraints
                    .retain(|c| c.kind != ConstraintKind::PrimaryKey);
                if t.constraints.len() != before {
                    t.sync_constraints();
                }
            }
            AlterKind::ValidateConstraint { name } => {
                let mut not_null = Vec::new();
                for c in &mut t.constraints {
                    if &c.name == name {
                        c.validated = true;
                        if c.kind == ConstraintKind::NotNull {
                            not_null.extend(c.columns.iter().cloned());
                        }
                    }
                }
                // PostgreSQL 18: a validated NOT NULL constraint proves the
                // column NOT NULL (a NOT VALID one only refuses new NULLs:
                // `SET NOT NULL` still scans, measured).
                for n in &not_null {
                    if let Some(c) = t.column_mut(n) {
                        c.not_null = true;
                    }
                }
            }
            AlterKind::RenameConstraint { from, to } => {
                for c in &mut t.constraints {
                    if &c.name == from {
                        c.name.clone_from(to);
                    }
                }
                t.sync_constraints();
            }
            AlterKind::AttachPartition { partition, default } => {
                let p = partition.clone();
                let parent = table.clone();
                let part = self.table_entry(&p);
                part.partition_of = Some(parent);
                part.default_partition = *default;
            }
            AlterKind::DetachPartition { partition, .. } => {
                let p = partition.clone();
                self.table_entry(&p).partition_of = None;
            }
            _ => {}
        }
    }

    fn rename_in_indexes(&mut self, table: &Name, from: &str, to: &str) {
        for name in self.index_names_of(table) {
            if let Some(i) = self.indexes.get_mut(&name)
                && i.columns.iter().any(|c| c == from)
            {
                for c in &mut Arc::make_mut(i).columns {
                    if c == from {
                        *c = to.to_string();
                    }
                }
            }
        }
    }

    /// A copy holding only what `actions` can touch: the named tables (with
    /// their indexes), views, indexes and types. Comparing two such copies is
    /// enough to see what the actions changed, at a fraction of a full clone.
    #[must_use]
    pub fn subset<'a>(&self, actions: impl Iterator<Item = &'a Action>) -> Catalog {
        let mut names: BTreeSet<Name> = BTreeSet::new();
        let mut columns: BTreeMap<Name, BTreeSet<&'a str>> = BTreeMap::new();
        for a in actions {
            match a {
                Action::CreateTable(ct) => {
                    names.insert(ct.name.clone());
                    names.extend(ct.partition_of.clone());
                }
                Action::CreateView(v) => {
                    names.insert(v.name.clone());
                }
                Action::CreateEnum { name, .. } => {
                    names.insert(name.clone());
                }
                Action::CreateIndex(ci) => {
                    names.insert(ci.table.clone());
                    names.extend(ci.name.clone());
                }
                Action::Drop {
                    kind,
                    names: n,
                    table,
                    ..
                } => {
                    if matches!(kind, ObjectKind::Schema | ObjectKind::Database) {
                        return self.clone();
                    }
                    names.extend(n.iter().cloned());
                    names.extend(table.as_deref().cloned());
                }
                Action::AlterTable { table, ops, .. } => {
                    // Changes of columns only need those columns: a copy of
                    // a wide table restricted to them costs what the
                    // statement names, not the table.
                    if let Some(cols) = column_changes(ops) {
                        columns.entry(table.clone()).or_default().extend(cols);
                        continue;
                    }
                    names.insert(table.clone());
                    for op in ops {
                        match &op.kind {
                            AlterKind::RenameTo { to } => {
                                names.insert(Name::new(
                                    to.schema.clone().or_else(|| table.schema.clone()),
                                    to.name.clone(),
                                ));
                            }
                            AlterKind::AttachPartition { partition, .. }
                            | AlterKind::DetachPartition { partition, .. } => {
                                names.insert(partition.clone());
                            }
                            AlterKind::SetSchema { .. } => return self.clone(),
                            _ => {}
                        }
                    }
                }
                Action::RenameTables(pairs) => {
                    for (f, t) in pairs {
                        names.insert(f.clone());
                        names.insert(t.clone());
                    }
                }
                Action::RenameObject(r) => {
                    names.insert(r.from.clone());
                    names.insert(r.to.clone());
                }
                Action::AddEnumValue { ty, .. } => {
                    names.insert(ty.clone());
                }
                Action::RenameEnumValue(r) => {
                    names.insert(r.ty.clone());
                }
                _ => {}
            }
        }
        let mut sub = Catalog {
            dialect: self.dialect,
            schemas: self.schemas.clone(),
            column_words: Lookup(None),
            ..Catalog::new(self.dialect)
        };
        for (n, cols) in &columns {
            if let (false, Some(t)) = (names.contains(n), self.tables.get(n)) {
                sub.tables.insert(n.clone(), Arc::new(t.restricted(cols)));
            }
        }
        for n in names.iter().chain(columns.keys()) {
            if let (false, Some(t)) = (sub.tables.contains_key(n), self.tables.get(n)) {
                sub.tables.insert(n.clone(), t.clone());
            }
            sub.note_keys(n);
            if let Some(v) = self.views.get(n) {
                sub.views.insert(n.clone(), *v);
            }
            if let Some(e) = self.enums.get(n) {
                sub.enums.insert(n.clone(), e.clone());
            }
            let own = self.indexes.get(n).map(|i| (n.clone(), i.clone()));
            let of_table = self
                .index_names_of(n)
                .into_iter()
                .filter_map(|i| self.indexes.get(&i).map(|x| (i, x.clone())));
            for (name, index) in own.into_iter().chain(of_table) {
                sub.add_shared_index(name, index);
            }
        }
        sub
    }

    /// The existing tables with a column of type `ty` (a domain or enum), by
    /// name, with those columns (not a column of a built-in type named bare:
    /// that is PostgreSQL's own type, see `builtin`).
    pub fn tables_using_type(&self, ty: &Name) -> Vec<(&Name, Vec<&str>)> {
        // A column names the type bare or with its schema (`type_is`).
        let qualified = format!("{}.{}", ty.schema.as_deref().unwrap_or("public"), ty.name);
        let candidates: BTreeMap<&Name, &Table> = self
            .tables_naming(&ty.name)
            .into_iter()
            .chain(self.tables_naming(&qualified))
            .collect();
        candidates
            .into_iter()
            .filter_map(|(n, t)| {
                let cols: Vec<&str> = t
                    .columns
                    .iter()
                    .filter(|c| {
                        c.ty.as_ref()
                            .is_some_and(|x| !builtin(&x.base) && type_is(x, ty))
                    })
                    .map(|c| c.name.as_str())
                    .collect();
                (!cols.is_empty()).then_some((n, cols))
            })
            .collect()
    }

    /// The table of an index: one created by `CREATE INDEX`, or the index
    /// behind a primary key, unique or exclusion constraint (named as the
    /// constraint, in the table's schema).
    pub fn table_of_index(&self, index: &Name) -> Option<Name> {
        if let Some(i) = self.indexes.get(index) {
            return Some(i.table.clone());
        }
        // The first owner by name, as the tables are ordered in the set.
        let owner = self.key_owners.get(index)?.iter().find(|t| {
            t.schema == index.schema
                && self.tables.get(*t).is_some_and(|table| {
                    table.constraints.iter().any(|c| {
                        c.name == index.name
                            && matches!(
                                c.kind,
                                ConstraintKind::PrimaryKey
                                    | ConstraintKind::Unique
                                    | ConstraintKind::Exclude
                            )
                    })
                })
        });
        owner.cloned()
    }

    /// What a `DROP … CASCADE` of a relation (or, with `column`, of one of
    /// its columns) takes with it: the views that read it (and the views
    /// on those), and the foreign keys of other tables that reference it, by
    /// name.
    pub fn cascade_of(&self, relation: &Name, column: Option<&str>) -> (Vec<Name>, Vec<String>) {
        let mut views: Vec<Name> = Vec::new();
        let mut frontier = vec![relation.clone()];
        while let Some(r) = frontier.pop() {
            let readers = self.readers.get(&r).into_iter().flatten();
            for (v, (reads, words)) in readers.filter_map(|v| self.view_reads.get_key_value(v)) {
                let uses = reads.contains(&r)
                    && (r != *relation
                        || column
                            .is_none_or(|c| words.binary_search_by(|w| w.as_str().cmp(c)).is_ok()));
                if uses && v != relation && !views.contains(v) {
                    views.push(v.clone());
                    frontier.push(v.clone());
                }
            }
        }
        views.sort_unstable();
        let mut fks: Vec<String> = Vec::new();
        if column.is_none() {
            for (c, t) in self.foreign_keys_to(relation) {
                if t != relation {
                    fks.push(format!("{} on {t}", c.name));
                }
            }
        }
        fks.sort_unstable();
        (views, fks)
    }

    /// The partitions of a table, by name.
    pub fn partitions_of<'a>(
        &'a self,
        parent: &'a Name,
    ) -> impl Iterator<Item = (&'a Name, &'a Table)> {
        // Only the partitions are sorted, not the whole schema.
        let mut parts: Vec<(&Name, &Table)> = self
            .tables
            .iter()
            .filter(|(_, t)| t.partition_of.as_ref() == Some(parent))
            .map(|(n, t)| (n, t.as_ref()))
            .collect();
        parts.sort_unstable_by(|a, b| a.0.cmp(b.0));
        parts.into_iter()
    }

    /// How many indexes a table has, counting those behind PRIMARY KEY and UNIQUE.
    pub fn index_count(&self, table: &Name) -> usize {
        let constraint_indexes = self.tables.get(table).map_or(0, |t| {
            t.constraints
                .iter()
                .filter(|c| {
                    matches!(
                        c.kind,
                        ConstraintKind::PrimaryKey
                            | ConstraintKind::Unique
                            | ConstraintKind::Exclude
                    )
                })
                .count()
        });
        self.indexes_of(table).count() + constraint_indexes
    }

    /// Indexes on a table.
    pub fn indexes_of<'a>(
        &'a self,
        table: &'a Name,
    ) -> impl Iterator<Item = (&'a Name, &'a Index)> {
        self.by_table
            .get(table)
            .into_iter()
            .flatten()
            .filter_map(|n| self.indexes.get_key_value(n))
            .map(|(n, i)| (n, i.as_ref()))
    }
}

/// Whether a column type names the user type `ty` (schema-qualified or not).
fn type_is(t: &TypeName, ty: &Name) -> bool {
    if t.array {
        return false;
    }
    let base = t.base.as_str();
    // `schema.name` (the type's schema, or `public` for a bare name) or `name`.
    let schema = ty.schema.as_deref().unwrap_or("public");
    base == ty.name
        || base
            .strip_prefix(schema)
            .and_then(|rest| rest.strip_prefix('.'))
            == Some(ty.name.as_str())
}

fn rename_in_constraints(t: &mut Table, from: &str, to: &str) {
    for c in &mut t.constraints {
        for col in &mut c.columns {
            if col == from {
                *col = to.to_string();
            }
        }
        if let ConstraintKind::Check { not_null_of, expr } = &mut c.kind {
            if let Some(n) = not_null_of
                && n == from
            {
                *n = to.to_string();
            }
            if let Some(e) = expr {
                *e = rename_word(e, from, to);
            }
        }
    }
}

/// `text` with every whole word `from` replaced by `to`.
fn rename_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if word == from { to } else { word });
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn column_of(c: &ColumnDef) -> Column {
    Column {
        name: c.name.clone(),
        ty: c.ty.clone(),
        not_null: c.not_null,
        default: c.default.clone(),
        extra: c.extra.as_deref().and_then(|x| {
            ColumnExtra {
                charset: x.charset.clone(),
                collation: x.collation.clone(),
                refs: x.refs.clone(),
                ..ColumnExtra::default()
            }
            .boxed()
        }),
    }
}

/// A built-in type named bare (as `normalize_type` spells it). PostgreSQL
/// looks in `pg_catalog` before the search path, so such a name is never a
/// type a migration created: no `DROP TYPE` or `DROP DOMAIN` reaches it.
fn builtin(base: &str) -> bool {
    matches!(
        base,
        "integer"
            | "bigint"
            | "smallint"
            | "serial"
            | "bigserial"
            | "smallserial"
            | "numeric"
            | "float4"
            | "float8"
            | "boolean"
            | "char"
            | "varchar"
            | "text"
            | "bytea"
            | "uuid"
            | "json"
            | "jsonb"
            | "date"
            | "time"
            | "timetz"
            | "timestamp"
            | "timestamptz"
            | "interval"
            | "inet"
            | "cidr"
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The runs of letters, digits and `_` of a default that a call or a
/// quoted name may end with: each followed (past spaces) by `(` or `'`.
/// A function `f` called as `f(` or `s.f (`, a sequence `s` named as
/// `'s'` or `'public.s'`, is found under the last run of its name.
fn called_or_quoted(default: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in default.char_indices().chain([(default.len(), ' ')]) {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                start = None;
                let next = default
                    .get(at..)
                    .and_then(|r| r.trim_start().chars().next());
                if matches!(next, Some('(' | '\'')) {
                    out.extend(default.get(from..at));
                }
            }
            _ => {}
        }
    }
    out
}

/// Files `table` in `map` under `key`, once.
fn file_under<K, Q>(map: &mut FxHashMap<K, Few<Name>>, key: &Q, table: &Name)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: ToOwned<Owned = K> + std::hash::Hash + Eq + ?Sized,
{
    match map.get_mut(key) {
        Some(tables) => {
            if !tables.contains(table) {
                tables.insert(table.clone());
            }
        }
        None => {
            map.insert(key.to_owned(), Few::from(table.clone()));
        }
    }
}

fn add_column(t: &mut Table, table: &Name, c: &ColumnDef, dialect: Dialect) {
    t.push_column(column_of(c));
    let _ = dialect;
    let inline = |kind: ConstraintKind, suffix: &str| Constraint {
        name: format!("{}_{}_{suffix}", table.name, c.name),
        kind,
        columns: vec![c.name.clone()],
        validated: true,
        inline: true,
    };
    let mut added = Vec::new();
    let extra = c.extra();
    if c.primary_key {
        added.push(Constraint {
            name: extra
                .primary_key_constraint
                .clone()
                .unwrap_or_else(|| format!("{}_pkey", table.name)),
            kind: ConstraintKind::PrimaryKey,
            columns: vec![c.name.clone()],
            validated: true,
            inline: true,
        });
    }
    if c.unique {
        let mut unique = inline(ConstraintKind::Unique, "key");
        if let Some(n) = &extra.unique_constraint {
            unique.name.clone_from(n);
        }
        added.push(unique);
    }
    if let Some(r) = &extra.references {
        let mut fk = inline(
            ConstraintKind::ForeignKey {
                references: r.clone(),
                on_delete_cascade: extra.on_delete_cascade,
            },
            "fkey",
        );
        if let Some(n) = &extra.references_constraint {
            fk.name.clone_from(n);
        }
        added.push(fk);
    }
    if c.check {
        added.push(inline(
            ConstraintKind::Check {
                not_null_of: None,
                expr: None,
            },
            "check",
        ));
    }
    for k in added {
        t.constraint_names.0.insert(k.name.clone());
        t.constraints.push(k);
    }
}

/// The columns an ALTER TABLE names, when it changes nothing but columns.
fn column_changes(ops: &[AlterOp]) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for op in ops {
        match &op.kind {
            AlterKind::AddColumn { column, .. } => {
                if column.primary_key
                    || column.unique
                    || column.extra().references.is_some()
                    || column.check
                {
                    return None;
                }
                out.push(column.name.as_str());
            }
            AlterKind::DropColumn { name, .. }
            | AlterKind::SetType { column: name, .. }
            | AlterKind::SetNotNull { column: name }
            | AlterKind::DropNotNull { column: name }
            | AlterKind::SetDefault { column: name, .. }
            | AlterKind::DropDefault { column: name } => out.push(name),
            AlterKind::RenameColumn { from, to } => out.extend([from.as_str(), to.as_str()]),
            _ => return None,
        }
    }
    Some(out)
}

/// The name PostgreSQL gives an unnamed constraint.
fn default_constraint_name(table: &Name, def: &ConstraintDef) -> String {
    let cols = def.columns.join("_");
    match &def.kind {
        ConstraintKind::PrimaryKey => format!("{}_pkey", table.name),
        ConstraintKind::Unique => format!("{}_{cols}_key", table.name),
        ConstraintKind::ForeignKey { .. } => format!("{}_{cols}_fkey", table.name),
        ConstraintKind::Check {
            not_null_of: Some(c),
            ..
        } => format!("{}_{c}_check", table.name),
        ConstraintKind::Exclude => format!("{}_{cols}_excl", table.name),
        ConstraintKind::NotNull => format!("{}_{cols}_not_null", table.name),
        // MySQL names an unnamed index after its first column.
        ConstraintKind::Index(_) => def.columns.first().cloned().unwrap_or_default(),
        ConstraintKind::Check { .. } | ConstraintKind::Other => format!("{}_check", table.name),
    }
}

fn add_constraint(t: &mut Table, table: &Name, def: &ConstraintDef) {
    let name = def
        .name
        .clone()
        .unwrap_or_else(|| default_constraint_name(table, def));
    if def.kind == ConstraintKind::PrimaryKey
        || (def.kind == ConstraintKind::NotNull && !def.not_valid)
    {
        for n in &def.columns {
            if let Some(c) = t.column_mut(n) {
                c.not_null = true;
            }
        }
    }
    let fulltext = |k: &ConstraintKind| *k == ConstraintKind::Index(IndexKind::Fulltext);
    if t.constraint_names.0.contains(&name) {
        let mut replaced = 0;
        t.constraints.retain(|c| {
            let keep = c.name != name;
            if !keep && fulltext(&c.kind) {
                replaced += 1;
            }
            keep
        });
        t.fulltext_keys = t.fulltext_keys.saturating_sub(replaced);
    }
    t.fulltext_keys += u32::from(fulltext(&def.kind));
    t.constraint_names.0.insert(name.clone());
    t.constraints.push(Constraint {
        name,
        kind: def.kind.clone(),
        columns: def.columns.clone(),
        validated: !def.not_valid,
        inline: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn replayed(sql: &str) -> Catalog {
        let mut c = Catalog::new(Dialect::Postgres);
        for s in parse_file(sql, Dialect::Postgres).statements {
            c.apply(&s.action);
        }
        c
    }

    fn names(c: &Catalog, table: &str) -> Vec<String> {
        c.table(&Name::bare(table))
            .map(|t| t.columns().iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    fn views_on(c: &Catalog, table: &str, column: Option<&str>) -> Vec<String> {
        let (views, _) = c.cascade_of(&Name::bare(table), column);
        views.iter().map(ToString::to_string).collect()
    }

    fn fks_on(c: &Catalog, table: &str) -> Vec<String> {
        c.cascade_of(&Name::bare(table), None).1
    }

    fn owner(c: &Catalog, index: &str) -> Option<String> {
        c.table_of_index(&Name::bare(index)).map(|t| t.to_string())
    }

    /// The foreign keys to a table and the table of a constraint's index are
    /// found by name, not by going through every table: through the child's
    /// and the parent's renames, constraints added by `ALTER`, renamed
    /// constraints and indexes, and drops.
    #[test]
    fn keys_are_found_through_renames_and_drops() {
        let base = "CREATE TABLE p (id int PRIMARY KEY);\n\
                    CREATE TABLE c1 (id int, p_id int REFERENCES p (id));\n\
                    CREATE TABLE c2 (id int, p_id int, CONSTRAINT c2_key UNIQUE (id));\n\
                    ALTER TABLE c2 ADD CONSTRAINT c2_p FOREIGN KEY (p_id) REFERENCES p (id);\n";
        let c = replayed(base);
        assert_eq!(fks_on(&c, "p"), ["c1_p_id_fkey on c1", "c2_p on c2"]);
        assert_eq!(owner(&c, "p_pkey").as_deref(), Some("p"));
        assert_eq!(owner(&c, "c2_key").as_deref(), Some("c2"));
        assert_eq!(owner(&c, "c2_p"), None, "a foreign key has no index");
        // A column's own constraints keep the names written for them.
        let c = replayed(
            "CREATE TABLE c3 (k int CONSTRAINT c3_main PRIMARY KEY, u int CONSTRAINT c3_u UNIQUE);",
        );
        assert_eq!(owner(&c, "c3_main").as_deref(), Some("c3"));
        assert_eq!(owner(&c, "c3_u").as_deref(), Some("c3"));
        assert_eq!(owner(&c, "c3_pkey"), None);

        // A renamed child keeps its key; PostgreSQL keeps the key on a
        // renamed parent, which the catalog knows by the name written.
        let c = replayed(&format!(
            "{base}ALTER TABLE c1 RENAME TO d1; ALTER TABLE c2 ADD COLUMN q int REFERENCES d1 (id);\n\
             ALTER TABLE c2 RENAME CONSTRAINT c2_key TO c2_unique; ALTER INDEX p_pkey RENAME TO p_key;"
        ));
        assert_eq!(fks_on(&c, "p"), ["c1_p_id_fkey on d1", "c2_p on c2"]);
        assert_eq!(fks_on(&c, "d1"), ["c2_q_fkey on c2"]);
        assert_eq!(owner(&c, "c2_key"), None);
        assert_eq!(owner(&c, "c2_unique").as_deref(), Some("c2"));
        assert_eq!(owner(&c, "p_pkey"), None);
        assert_eq!(owner(&c, "p_key").as_deref(), Some("p"));

        let c = replayed(&format!(
            "{base}ALTER TABLE c2 DROP CONSTRAINT c2_p; DROP TABLE c1;\n\
             CREATE TABLE c1 (id int, CONSTRAINT c2_key PRIMARY KEY (id));"
        ));
        assert!(fks_on(&c, "p").is_empty());
        assert_eq!(
            owner(&c, "c2_key").as_deref(),
            Some("c1"),
            "the first owner by name"
        );
    }

    /// A column uses a type named bare (whatever the type's schema: the
    /// search path is not known) or with its schema (`public` for a bare
    /// name), not an array of it.
    #[test]
    fn tables_using_a_type_by_either_name() {
        let c = replayed(
            "CREATE TABLE a (x mood, y public.mood, z mood[]); CREATE TABLE b (x s.mood, y publicx.mood);",
        );
        let using = |ty: Name| -> Vec<String> {
            c.tables_using_type(&ty)
                .into_iter()
                .map(|(t, cols)| format!("{t}: {}", cols.join(" ")))
                .collect()
        };
        assert_eq!(using(Name::bare("mood")), ["a: x y"]);
        assert_eq!(
            using(Name::new(Some("s".to_string()), "mood")),
            ["a: x", "b: x"]
        );
    }

    /// The columns that use a type or name a word in their default are found
    /// through renames of their table and changes of their type and default.
    #[test]
    fn columns_are_found_by_their_type_and_default() {
        let using = |c: &Catalog, ty: &str| -> Vec<String> {
            c.tables_using_type(&Name::bare(ty))
                .into_iter()
                .map(|(t, cols)| format!("{t}: {}", cols.join(" ")))
                .collect()
        };
        let defaults = |c: &Catalog, word: &str| -> Vec<String> {
            c.tables_with_default_naming(word)
                .into_iter()
                .map(|(t, _)| t.to_string())
                .collect()
        };
        let base = "CREATE TABLE a (x mood, n bigint DEFAULT nextval('a_seq'), s text DEFAULT Slug_Of('x'));\n\
                    CREATE TABLE b (x int);\n";
        let c = replayed(base);
        assert_eq!(using(&c, "mood"), ["a: x"]);
        assert!(
            using(&c, "integer").is_empty(),
            "PostgreSQL's own, not a domain"
        );
        assert_eq!(defaults(&c, "a_seq"), ["a"]);
        assert_eq!(defaults(&c, "slug_of"), ["a"]);
        assert!(defaults(&c, "b").is_empty());
        let c = replayed(&format!(
            "{base}ALTER TABLE a RENAME TO a2; ALTER TABLE b ALTER COLUMN x TYPE public.mood;\n\
             ALTER TABLE b ADD COLUMN y text DEFAULT Make_It (); ALTER TABLE b ALTER COLUMN x SET DEFAULT 'b_seq';\n\
             ALTER TABLE b ADD COLUMN z bigint DEFAULT nextval('public.z$seq'::regclass) + 0;"
        ));
        assert_eq!(using(&c, "mood"), ["a2: x", "b: x"]);
        assert_eq!(defaults(&c, "a_seq"), ["a2"]);
        assert_eq!(defaults(&c, "make_it"), ["b"]);
        assert_eq!(defaults(&c, "b_seq"), ["b"]);
        assert_eq!(defaults(&c, "z$seq"), ["b"]);
        assert!(
            defaults(&c, "regclass").is_empty(),
            "neither called nor quoted"
        );
        assert_eq!(defaults(&c, "z$"), ["a2", "b"], "no last run: every table");
    }

    /// A catalog compares by what it holds, not by its lookups' stale
    /// entries: a key added and dropped again leaves an equal catalog.
    #[test]
    fn lookups_are_not_compared() {
        let base = "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (x int);\n";
        let again = format!(
            "{base}ALTER TABLE c ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES p (id);\n\
             ALTER TABLE c DROP CONSTRAINT f; ALTER TABLE c ADD COLUMN y mood DEFAULT f();\n\
             ALTER TABLE c DROP COLUMN y;"
        );
        assert_eq!(replayed(base), replayed(&again));
    }

    /// Triggers and policies follow their table's renames and go with it.
    #[test]
    fn objects_on_a_table_follow_it() {
        let base = "CREATE TABLE t (a int); CREATE TABLE u (a int);\n\
                    CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
                    CREATE POLICY p ON t USING (true);\n\
                    CREATE TRIGGER tr2 BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION f();\n\
                    ALTER TABLE t RENAME TO t2; ALTER TABLE t2 RENAME TO t3; DROP TABLE u;\n";
        let on = |c: &Catalog, kind, name: &str, table: Option<&str>| {
            c.has_object(kind, &Name::bare(name), table.map(Name::bare).as_ref())
        };
        let c = replayed(base);
        assert!(on(&c, ObjectKind::Trigger, "tr", Some("t3")));
        assert!(on(&c, ObjectKind::Policy, "p", Some("t3")));
        assert!(!on(&c, ObjectKind::Trigger, "tr", Some("t")));
        assert!(!on(&c, ObjectKind::Trigger, "tr2", None));
        let c = replayed(&format!("{base}DROP TABLE t3;"));
        assert!(!on(&c, ObjectKind::Trigger, "tr", None));
        assert!(!on(&c, ObjectKind::Policy, "p", None));
    }

    /// A constraint renamed through its index (`ALTER INDEX … RENAME`) is
    /// dropped by its new name.
    #[test]
    fn constraint_renamed_through_its_index_drops_by_the_new_name() {
        let c = replayed(
            "CREATE TABLE t (id int PRIMARY KEY); ALTER INDEX t_pkey RENAME TO t_key;\n\
             ALTER TABLE t DROP CONSTRAINT t_key;",
        );
        let t = c.table(&Name::bare("t"));
        assert_eq!(t.map(|t| t.constraints.len()), Some(0));
    }

    /// The views that depend on a table, through other views too, as views
    /// are created, replaced and dropped (a replaced view no longer reads
    /// what it read before; a dropped schema takes its views along).
    #[test]
    fn dependent_views_follow_replacements_and_drops() {
        let base = "CREATE TABLE t (a int, b int); CREATE TABLE u (c int); CREATE SCHEMA s;\n\
                    CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT a FROM v1;\n\
                    CREATE VIEW s.w AS SELECT b FROM t;\n";
        let c = replayed(base);
        assert_eq!(views_on(&c, "t", None), ["v1", "v2", "s.w"]);
        assert_eq!(views_on(&c, "t", Some("a")), ["v1", "v2"]);
        assert_eq!(views_on(&c, "t", Some("b")), ["s.w"]);
        let c = replayed(&format!(
            "{base}CREATE OR REPLACE VIEW v1 AS SELECT c FROM u;"
        ));
        assert_eq!(views_on(&c, "t", None), ["s.w"]);
        assert_eq!(views_on(&c, "u", None), ["v1", "v2"]);
        let c = replayed(&format!("{base}DROP VIEW v2; DROP SCHEMA s CASCADE;"));
        assert_eq!(views_on(&c, "t", None), ["v1"]);
        let c = replayed(&format!(
            "{base}DROP VIEW v1; CREATE VIEW v1 AS SELECT c FROM u;"
        ));
        assert_eq!(views_on(&c, "t", None), ["s.w"]);
    }

    /// PostgreSQL 18 NOT NULL constraints: NOT VALID leaves the column
    /// nullable for the rules (SET NOT NULL still scans); VALIDATE, or adding
    /// one valid, makes it NOT NULL; dropping it, or DROP NOT NULL, undoes it.
    #[test]
    fn not_null_constraints_of_postgres_18() {
        let nn = |sql: &str| {
            let c = replayed(&format!("CREATE TABLE t (a int, b text);\n{sql}"));
            let t = c.table(&Name::bare("t")).expect("table t");
            let k: Vec<(String, bool)> = t
                .constraints
                .iter()
                .map(|k| (k.name.clone(), k.validated))
                .collect();
            (t.column("b").expect("b").not_null, k)
        };
        let add = "ALTER TABLE t ADD CONSTRAINT t_b_nn NOT NULL b NOT VALID;";
        assert_eq!(nn(add), (false, vec![("t_b_nn".to_string(), false)]));
        let validated = format!("{add}\nALTER TABLE t VALIDATE CONSTRAINT t_b_nn;");
        assert_eq!(nn(&validated), (true, vec![("t_b_nn".to_string(), true)]));
        assert_eq!(
            nn(&format!(
                "{validated}\nALTER TABLE t DROP CONSTRAINT IF EXISTS t_b_nn;"
            )),
            (false, vec![])
        );
        assert_eq!(
            nn(&format!(
                "{validated}\nALTER TABLE t ALTER COLUMN b DROP NOT NULL;"
            )),
            (false, vec![])
        );
        assert_eq!(
            nn("ALTER TABLE t ADD CONSTRAINT t_b_nn NOT NULL b;"),
            (true, vec![("t_b_nn".to_string(), true)])
        );
    }

    /// Columns found by name stay right through drops, renames, re-adds
    /// and redefinitions, in the server's order.
    #[test]
    fn columns_by_name_follow_every_change() {
        let c = replayed(
            "CREATE TABLE t (a int, b text, c int NOT NULL, d int);
             ALTER TABLE t DROP COLUMN b;
             ALTER TABLE t RENAME COLUMN c TO cc;
             ALTER TABLE t ADD COLUMN a bigint;
             ALTER TABLE t ALTER COLUMN d SET NOT NULL;",
        );
        assert_eq!(names(&c, "t"), ["cc", "d", "a"]);
        let t = c.table(&Name::bare("t")).expect("table t");
        assert!(t.column("b").is_none() && t.column("c").is_none());
        assert!(t.column("cc").is_some_and(|c| c.not_null));
        assert!(t.column("d").is_some_and(|c| c.not_null));
        assert_eq!(
            t.column("a")
                .and_then(|c| c.ty.as_ref())
                .map(ToString::to_string),
            Some("bigint".to_string())
        );
    }
}
