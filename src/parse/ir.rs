//! The lint-relevant meaning of a statement, independent of how it was read.
//!
//! Both the sqlparser AST (see `lower.rs`) and bellows' own token recogniser
//! (see `fallback.rs`) produce these types, so the catalog and every rule work
//! on one model whichever parser understood the statement.

use std::fmt;

pub use crate::model::{ByteSpan, Name};

/// Builds a [`Name`] from already-folded parts; the default schema is dropped.
pub fn make_name(mut parts: Vec<String>, dialect: crate::model::Dialect) -> Name {
    let name = parts.pop().unwrap_or_default();
    let schema = parts.pop();
    let schema = match (dialect, schema) {
        (crate::model::Dialect::Postgres, Some(s)) if s == "public" => None,
        (crate::model::Dialect::Sqlite, Some(s)) if s == "main" => None,
        (_, s) => s,
    };
    Name::new(schema, name)
}

/// A column type, normalised so that aliases compare equal
/// (`int4` = `integer`, `character varying(20)` = `varchar(20)`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeName {
    pub base: String,
    pub args: Vec<String>,
    /// `[]` suffixes.
    pub array: bool,
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)?;
        if !self.args.is_empty() {
            write!(f, "({})", self.args.join(","))?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// How a column gets its value without an explicit insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generated {
    /// `GENERATED … AS IDENTITY`, MySQL `AUTO_INCREMENT`, SQLite `AUTOINCREMENT`.
    Identity,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    Stored,
    /// `GENERATED ALWAYS AS (expr) VIRTUAL` or without a kind (PostgreSQL 18).
    Virtual,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: Option<TypeName>,
    pub not_null: bool,
    /// The default expression as written, lower-cased.
    pub default: Option<String>,
    pub primary_key: bool,
    pub unique: bool,
    pub check: bool,
    pub generated: Option<Generated>,
    /// `serial`, `bigserial`, `smallserial`.
    pub serial: bool,
    /// What few columns have (`None` when it would be empty): read it
    /// through [`ColumnDef::extra`], write it through [`ColumnDef::extra_mut`].
    pub extra: Option<Box<ColumnExtra>>,
}

/// The parts of a column's definition that few columns have. They live
/// behind a box, so that a column without them (nearly every one) does not
/// carry their room: a file of 100,000 `ADD COLUMN`s holds each column
/// once as it was written and once in the schema model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnExtra {
    pub references: Option<Name>,
    /// Its `REFERENCES` says `ON DELETE CASCADE`.
    pub on_delete_cascade: bool,
    /// `CONSTRAINT name REFERENCES …`: the foreign key's own name.
    pub references_constraint: Option<String>,
    /// `CONSTRAINT name PRIMARY KEY` and `CONSTRAINT name UNIQUE`: the
    /// constraint's own name.
    pub primary_key_constraint: Option<String>,
    pub unique_constraint: Option<String>,
    /// MySQL `CHARACTER SET cs` and `COLLATE c` of the column, lower-cased.
    pub charset: Option<String>,
    pub collation: Option<String>,
    /// SQLite: the words (column names) of its CHECK and generation
    /// expressions, lower-cased, sorted.
    pub refs: Vec<String>,
}

/// A column's extra when it has none.
pub static NO_EXTRA: ColumnExtra = ColumnExtra {
    references: None,
    on_delete_cascade: false,
    references_constraint: None,
    primary_key_constraint: None,
    unique_constraint: None,
    charset: None,
    collation: None,
    refs: Vec::new(),
};

impl ColumnExtra {
    /// Boxed when something is set, `None` when nothing is.
    pub fn boxed(self) -> Option<Box<ColumnExtra>> {
        (self != NO_EXTRA).then(|| Box::new(self))
    }
}

impl ColumnDef {
    /// Sets the type; `serial` types also make the column NOT NULL.
    pub fn set_type(&mut self, ty: TypeName) {
        if ty.base.ends_with("serial") {
            self.serial = true;
            self.not_null = true;
        }
        self.ty = Some(ty);
    }

    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty: None,
            not_null: false,
            default: None,
            primary_key: false,
            unique: false,
            check: false,
            generated: None,
            serial: false,
            extra: None,
        }
    }

    pub fn extra(&self) -> &ColumnExtra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    pub fn extra_mut(&mut self) -> &mut ColumnExtra {
        self.extra.get_or_insert_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    /// `CHECK (expr)`; `not_null_of` is set when the expression is exactly `col IS NOT NULL`.
    Check {
        not_null_of: Option<String>,
        /// The expression, lower-cased without blanks (see [`check_expr`]);
        /// `None` when unknown (an inline column check).
        expr: Option<String>,
    },
    ForeignKey {
        references: Name,
        /// `ON DELETE CASCADE`.
        on_delete_cascade: bool,
    },
    Exclude,
    /// PostgreSQL 18 `CONSTRAINT n NOT NULL col`.
    NotNull,
    /// A MySQL index declared in a table or added by `ALTER TABLE … ADD
    /// INDEX|KEY|FULLTEXT|SPATIAL` (a unique one is [`ConstraintKind::Unique`]).
    Index(IndexKind),
    Other,
}

/// What kind of index: MySQL builds FULLTEXT and SPATIAL ones differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexKind {
    #[default]
    Plain,
    Fulltext,
    Spatial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintDef {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub columns: Vec<String>,
    pub not_valid: bool,
    /// `… USING INDEX idx`.
    pub using_index: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Index,
    Type,
    Schema,
    Database,
    Sequence,
    Function,
    Procedure,
    Aggregate,
    Domain,
    Extension,
    Trigger,
    Policy,
    /// MySQL `EVENT`.
    Event,
    Other,
}

impl ObjectKind {
    pub fn describe(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Index => "index",
            ObjectKind::Type => "type",
            ObjectKind::Schema => "schema",
            ObjectKind::Database => "database",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::Domain => "domain",
            ObjectKind::Extension => "extension",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Policy => "policy",
            ObjectKind::Event => "event",
            ObjectKind::Other => "object",
        }
    }
}

/// How a type change rewrites values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Using {
    /// No `USING` clause.
    None,
    /// `USING col` with the bare column itself.
    SameColumn,
    /// Any other expression.
    Expression,
}

/// One operation of an `ALTER TABLE`, with the bytes it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterOp {
    pub span: ByteSpan,
    pub kind: AlterKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AlterKind {
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
        /// MySQL `FIRST` / `AFTER col`: not at the end.
        positioned: bool,
    },
    DropColumn {
        name: String,
        if_exists: bool,
    },
    RenameColumn {
        from: String,
        to: String,
    },
    /// MySQL `CHANGE old new type …` / `MODIFY col type …`: a full redefinition.
    Redefine {
        from: String,
        column: ColumnDef,
    },
    SetType {
        column: String,
        ty: Option<TypeName>,
        using: Using,
    },
    SetNotNull {
        column: String,
    },
    DropNotNull {
        column: String,
    },
    SetDefault {
        column: String,
        default: String,
    },
    DropDefault {
        column: String,
    },
    AddConstraint(ConstraintDef),
    DropConstraint {
        name: String,
        if_exists: bool,
    },
    ValidateConstraint {
        name: String,
    },
    RenameConstraint {
        from: String,
        to: String,
    },
    RenameTo {
        to: Name,
    },
    SetSchema {
        schema: String,
    },
    SetTablespace,
    SetLogged,
    SetUnlogged,
    SetExpression {
        column: String,
    },
    SetStatistics {
        column: String,
    },
    /// `SET (fillfactor = …)` / `RESET (…)`: storage parameters.
    SetStorageOptions,
    AttachPartition {
        partition: Name,
        default: bool,
    },
    DetachPartition {
        partition: Name,
        concurrently: bool,
        /// `FINALIZE`: completes an interrupted concurrent detach
        /// (ShareUpdateExclusive on the parent).
        finalize: bool,
    },
    /// MySQL `ALGORITHM=COPY` and the like (value lower-cased).
    Algorithm {
        value: String,
    },
    /// MySQL `LOCK=NONE` and the like (value lower-cased).
    Lock {
        value: String,
    },
    /// MariaDB `WAIT n` / `NOWAIT` before the operations: a lock wait timeout.
    Wait,
    /// MySQL `RENAME INDEX|KEY a TO b`.
    RenameIndex {
        from: String,
        to: String,
    },
    /// MySQL partition maintenance; `copies` when it copies every row
    /// (`PARTITION BY`, `REMOVE PARTITIONING`).
    Partition {
        copies: bool,
    },
    /// MySQL table options: `name` is `engine`, `convert to character set`,
    /// `default character set`, `row_format`, `force`, `auto_increment`,
    /// `comment`, … and `value` what follows it, lower-cased.
    TableOption {
        name: String,
        value: String,
    },
    /// MySQL `DROP PRIMARY KEY`.
    DropPrimaryKey,
    /// MySQL `DROP INDEX name` inside `ALTER TABLE`.
    DropIndex {
        name: String,
    },
    /// Anything else (owner, triggers, row level security, …).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    pub name: Name,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<ConstraintDef>,
    pub if_not_exists: bool,
    pub temporary: bool,
    pub partition_of: Option<Name>,
    /// `PARTITION OF parent DEFAULT`.
    pub default_partition: bool,
    /// `PARTITION BY …`: a partitioned parent.
    pub partitioned: bool,
    /// `CREATE TABLE … AS SELECT` / `LIKE`: columns unknown.
    pub columns_unknown: bool,
    /// MySQL `DEFAULT CHARSET=…` and `ROW_FORMAT=…`, lower-cased.
    pub charset: Option<String>,
    pub row_format: Option<String>,
}

impl CreateTable {
    /// A table whose columns bellows cannot see (`LIKE`, a virtual table, …).
    pub fn opaque(name: Name) -> Self {
        Self {
            name,
            columns: Vec::new(),
            constraints: Vec::new(),
            if_not_exists: false,
            temporary: false,
            partition_of: None,
            default_partition: false,
            partitioned: false,
            columns_unknown: true,
            charset: None,
            row_format: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    pub name: Option<Name>,
    pub table: Name,
    pub unique: bool,
    pub concurrently: bool,
    pub if_not_exists: bool,
    /// `ON ONLY parent`.
    pub only: bool,
    pub columns: Vec<String>,
    /// MySQL `CREATE FULLTEXT|SPATIAL INDEX`.
    pub kind: IndexKind,
}

/// A function's volatility (`VOLATILE` unless declared otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlKind {
    Update,
    Delete,
    InsertSelect,
    Insert,
}

/// `CREATE [OR REPLACE] [MATERIALIZED] VIEW`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateView {
    pub name: Name,
    pub materialized: bool,
    pub or_replace: bool,
    /// The view's column names, as the server names them; `None` when
    /// bellows cannot tell (`SELECT *`, a query it does not read).
    pub columns: Option<Vec<String>>,
    /// What the query reads: the relations after `FROM` / `JOIN`, and
    /// every name it mentions (folded as the dialect folds names,
    /// sorted, deduplicated).
    pub reads: Vec<Name>,
    pub words: Vec<String>,
}

/// `CREATE [OR REPLACE] FUNCTION name(…) …`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateFunction {
    pub name: Name,
    /// As declared; `None` = not declared (the server takes `VOLATILE`).
    pub volatility: Option<Volatility>,
    /// `LANGUAGE sql`: a simple body may be inlined into the caller.
    pub sql: bool,
    /// A `LANGUAGE sql` function's body, lower-cased without blanks.
    pub sql_body: Option<String>,
    /// Its argument types (see [`signature`]); `None` when unread.
    pub signature: Option<String>,
    pub or_replace: bool,
    /// `RETURNS trigger` / `event_trigger`: run by triggers, never called by code.
    pub returns_trigger: bool,
}

/// SQLite `CREATE TRIGGER name … ON table …`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTrigger {
    pub name: Name,
    pub table: Name,
    /// The words of the trigger (its body's tables and columns), lower-cased, sorted.
    pub words: Vec<String>,
}

/// `ALTER VIEW|MATERIALIZED VIEW|INDEX|SEQUENCE|TYPE|FUNCTION|PROCEDURE|DOMAIN|SCHEMA … RENAME TO`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenameObject {
    pub kind: ObjectKind,
    pub from: Name,
    pub to: Name,
}

/// `ALTER TYPE ty RENAME VALUE 'from' TO 'to'`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenameEnumValue {
    pub ty: Name,
    pub from: String,
    pub to: String,
}

/// `CREATE [OR REPLACE] PROCEDURE|AGGREGATE|SEQUENCE|EXTENSION|TYPE|TRIGGER|POLICY|EVENT`:
/// an object that code or other objects can name.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateObject {
    pub kind: ObjectKind,
    pub name: Name,
    /// The table of a trigger or policy.
    pub on: Option<Name>,
    /// A routine's argument types (see [`signature`]).
    pub signature: Option<String>,
    pub or_replace: bool,
}

/// A statement's meaning. Variants whose fields pass 72 bytes are boxed, so
/// that a statement, which is kept until its migration is replayed, stays
/// small (see `Stmt`'s size check).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    CreateTable(Box<CreateTable>),
    CreateView(Box<CreateView>),
    CreateTrigger(Box<CreateTrigger>),
    /// SQLite `DROP TRIGGER name`.
    DropTrigger {
        name: Name,
    },
    /// SQLite `PRAGMA [schema.]name [= value | (value)]`; both lower-cased,
    /// the value empty when none is given.
    Pragma {
        name: String,
        value: String,
    },
    CreateIndex(Box<CreateIndex>),
    CreateSchema {
        name: String,
    },
    CreateEnum {
        name: Name,
        values: Vec<String>,
    },
    /// `CREATE DOMAIN name AS type …`.
    CreateDomain {
        name: Name,
        /// It has a `CHECK` constraint.
        check: bool,
    },
    /// `ALTER DOMAIN name ADD [CONSTRAINT c] CHECK (…) | NOT NULL [NOT VALID]`.
    AlterDomainAddConstraint {
        domain: Name,
        constraint: Option<String>,
        not_valid: bool,
    },
    /// `CREATE [OR REPLACE] FUNCTION name(…) …`.
    CreateFunction(Box<CreateFunction>),
    /// `CREATE [OR REPLACE] PROCEDURE|AGGREGATE|SEQUENCE|EXTENSION|TYPE|TRIGGER|POLICY|EVENT`:
    /// an object that code or other objects can name.
    CreateObject(Box<CreateObject>),
    /// `DROP TABLE|VIEW|INDEX|TYPE|SCHEMA|DATABASE|…`.
    Drop {
        kind: ObjectKind,
        names: Vec<Name>,
        if_exists: bool,
        cascade: bool,
        concurrently: bool,
        /// MySQL `DROP INDEX i ON t`; PostgreSQL `DROP TRIGGER|POLICY n ON t`.
        table: Option<Box<Name>>,
        /// A routine's argument types, by position in `names` (see
        /// [`signature`]); missing or `None` when not given.
        signatures: Vec<Option<String>>,
    },
    AlterTable {
        table: Name,
        if_exists: bool,
        only: bool,
        ops: Vec<AlterOp>,
    },
    RenameObject(Box<RenameObject>),
    /// MySQL `RENAME TABLE a TO b, c TO d`.
    RenameTables(Vec<(Name, Name)>),
    AlterIndex {
        name: Name,
        set_tablespace: bool,
        attach_partition: Option<Box<Name>>,
    },
    AddEnumValue {
        ty: Name,
        value: String,
        if_not_exists: bool,
    },
    RenameEnumValue(Box<RenameEnumValue>),
    Truncate {
        tables: Vec<Name>,
    },
    Reindex {
        kind: ObjectKind,
        name: Name,
        concurrently: bool,
    },
    RefreshMaterializedView {
        name: Name,
        concurrently: bool,
    },
    Vacuum {
        full: bool,
        tables: Vec<Name>,
    },
    Cluster {
        table: Option<Name>,
    },
    /// MySQL `OPTIMIZE TABLE`.
    Optimize {
        tables: Vec<Name>,
    },
    Dml {
        kind: DmlKind,
        table: Name,
    },
    Begin,
    Commit,
    Rollback,
    /// `SET [LOCAL|SESSION] name …`.
    Set {
        name: String,
    },
    /// `ALTER SYSTEM`, `CREATE DATABASE`.
    NoTransaction {
        what: &'static str,
    },
    /// A statement that only locks a table: triggers, policies, `LOCK TABLE`.
    LockTable {
        table: Name,
        /// The lock blocks reads too (else writes only).
        reads: bool,
    },
    /// A `DO` block or function body: code, not DDL that bellows can follow.
    Code,
    /// Harmless or not modelled: comments on objects, grants, functions, triggers, …
    Other,
}

/// A routine's argument list as compared by signature: the types only
/// (modes, names and defaults left out), lower-cased, common aliases
/// spelled one way, joined by `,`. `words` are the arguments' words,
/// one list per argument.
pub fn signature(args: &[Vec<String>]) -> String {
    let multiword = [
        "double",
        "character",
        "timestamp",
        "time",
        "bit",
        "interval",
        "national",
        "char",
        "varchar",
        "setof",
    ];
    let mut out = Vec::new();
    for arg in args {
        let mut w: Vec<String> = arg.iter().map(|x| x.to_lowercase()).collect();
        if let Some(d) = w.iter().position(|x| x == "default" || x == "=") {
            w.truncate(d);
        }
        if w.first()
            .is_some_and(|x| matches!(x.as_str(), "in" | "out" | "inout" | "variadic"))
        {
            w.remove(0);
        }
        // `name type`: a first word followed by a type word is the name.
        let named = w.len() > 1
            && w.first().is_some_and(|x| !multiword.contains(&x.as_str()))
            && w.get(1)
                .is_some_and(|x| x.chars().next().is_some_and(char::is_alphabetic));
        if named {
            w.remove(0);
        }
        let mut ty = String::new();
        for x in &w {
            let word = x.chars().next().is_some_and(char::is_alphanumeric);
            if word && ty.chars().last().is_some_and(char::is_alphanumeric) {
                ty.push(' ');
            }
            ty.push_str(x);
        }
        let ty = match ty.as_str() {
            "int" | "int4" => "integer".to_string(),
            "int8" => "bigint".to_string(),
            "int2" => "smallint".to_string(),
            "bool" => "boolean".to_string(),
            "float8" => "double precision".to_string(),
            "float4" => "real".to_string(),
            "varchar" => "character varying".to_string(),
            "timestamptz" => "timestamp with time zone".to_string(),
            _ => ty,
        };
        if !ty.is_empty() {
            out.push(ty);
        }
    }
    out.join(",")
}

/// A check's expression as compared by definition: lower-cased, without
/// blanks or the outer parentheses.
pub fn check_expr(written: &str) -> String {
    let mut s: String = written
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    while let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        if !balanced(inner) {
            break;
        }
        s = inner.to_string();
    }
    s
}

/// Parentheses balance at every prefix.
fn balanced(s: &str) -> bool {
    let mut depth = 0i64;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::check_expr;

    #[test]
    fn check_expressions_compare_without_blanks_case_or_outer_parentheses() {
        assert_eq!(check_expr("((Amount > 0))"), "amount>0");
        assert_eq!(check_expr("(a > 0) AND (b > 0)"), "(a>0)and(b>0)");
        assert_eq!(check_expr(" email <> '' "), check_expr("(email<>'')"));
    }
}
