//! MySQL and MariaDB: the online DDL model, which algorithm and lock the
//! server picks for each `ALTER TABLE` clause given the replayed table and
//! the target server (`--mysql-version`). The facts are
//! those of `mysql-ddl.md` (measured on MariaDB 10.11; MySQL from its
//! manual); every row of it has a test below.

use super::{Catalog, Column, Table};
use crate::parse::ir::{
    AlterKind, AlterOp, ColumnDef, ConstraintKind, Generated, IndexKind, Name, TypeName,
};

pub use crate::mysql_version::{ACCEPTED, Flavour, Server};

// ---------------------------------------------------------------------------
// The online DDL model.

/// How the server carries out a change, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// Metadata only.
    Instant,
    /// In place, the table is not rebuilt (an index may be built).
    InplaceNoRebuild,
    /// In place, InnoDB rebuilds the table (online for DML unless the lock says otherwise).
    InplaceRebuild,
    /// Every row copied through the SQL layer into a new table.
    Copy,
}

/// What other sessions may do meanwhile, least restrictive first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lock {
    /// Reads and writes go on (`LOCK=NONE`).
    None,
    /// Reads go on, writes wait (`LOCK=SHARED`).
    Shared,
    /// Only `LOCK=EXCLUSIVE` is accepted (a rename: a moment's metadata change).
    Exclusive,
}

/// Which rule speaks for an operation's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A column's type, length or character set changes (`change-column-type`).
    TypeChange,
    /// A foreign key validated by copying (`add-foreign-key-validating`).
    ForeignKey,
    /// A FULLTEXT or SPATIAL index (`create-index-blocking`).
    SpecialIndex,
    /// Anything else (`table-rewrite`, `online-rebuild`).
    Other,
}

/// The cost of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpPlan {
    pub algorithm: Algorithm,
    pub lock: Lock,
    pub cause: Cause,
    /// Why, in plain words with the user's names ("the type of events.kind
    /// changes from int to bigint").
    pub reason: String,
}

impl OpPlan {
    fn new(algorithm: Algorithm, lock: Lock, reason: impl Into<String>) -> Self {
        OpPlan {
            algorithm,
            lock,
            cause: Cause::Other,
            reason: reason.into(),
        }
    }
    fn cause(mut self, cause: Cause) -> Self {
        self.cause = cause;
        self
    }
}

/// The cost of a whole `ALTER TABLE` on the target server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What the server does with no `ALGORITHM`/`LOCK` clause.
    pub default: Algorithm,
    pub default_lock: Lock,
    /// What it does with the statement's own clauses (equal to the default
    /// when there are none); `None` when it refuses them.
    pub effective: Option<(Algorithm, Lock)>,
    /// Each operation's plan, in order (`None` for the clauses themselves),
    /// as the statement's own clauses make it.
    pub ops: Vec<Option<OpPlan>>,
    /// The statement's `ALGORITHM=` and `LOCK=` values, lower-cased, and the
    /// index of their operations.
    pub algorithm_clause: Option<(String, usize)>,
    pub lock_clause: Option<(String, usize)>,
    /// MariaDB `WAIT n` / `NOWAIT`.
    pub wait: Option<usize>,
}

/// Why the server refuses the statement's own `ALGORITHM`/`LOCK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The operation index of the refused clause.
    pub op: usize,
    /// The clause as the server reads it: `ALGORITHM=INSTANT`.
    pub clause: String,
    /// Why, in plain words.
    pub why: String,
}

/// What bellows knows of a table for the model: each fact costs O(1),
/// or a scan of the table's keys only where an operation asks for it
/// (a hostile file of 100,000 ALTERs stays linear).
struct Facts<'a> {
    catalog: &'a Catalog,
    table: &'a Table,
    name: &'a Name,
    fulltext: usize,
    charset: &'a str,
}

impl<'a> Facts<'a> {
    fn new(catalog: &'a Catalog, name: &'a Name, table: &'a Table) -> Self {
        Facts {
            catalog,
            table,
            name,
            fulltext: catalog.fulltext_indexes(name),
            charset: table.charset.as_deref().unwrap_or("utf8mb4"),
        }
    }

    /// Whether an index or key of the table covers the column.
    fn is_indexed(&self, column: &str) -> bool {
        self.table.constraints.iter().any(|c| {
            matches!(
                c.kind,
                ConstraintKind::Index(_)
                    | ConstraintKind::PrimaryKey
                    | ConstraintKind::Unique
                    | ConstraintKind::ForeignKey { .. }
            ) && c.columns.iter().any(|x| x == column)
        }) || self
            .catalog
            .indexes_of(self.name)
            .any(|(_, i)| i.columns.iter().any(|x| x == column))
    }

    fn in_foreign_key(&self, column: &str) -> bool {
        self.table.constraints.iter().any(|c| {
            matches!(c.kind, ConstraintKind::ForeignKey { .. })
                && c.columns.iter().any(|x| x == column)
        })
    }

    fn has_primary_key(&self) -> bool {
        self.table
            .constraints
            .iter()
            .any(|c| c.kind == ConstraintKind::PrimaryKey)
    }

    fn compressed(&self) -> bool {
        self.table.row_format.as_deref() == Some("compressed")
    }
}

/// Bytes a character takes at most in a character set.
pub fn bytes_per_char(charset: &str) -> u64 {
    match charset {
        "latin1" | "latin2" | "latin5" | "latin7" | "ascii" | "binary" | "cp1250" | "cp1251"
        | "cp1256" | "cp1257" | "cp850" | "cp852" | "cp866" | "dec8" | "greek" | "hebrew"
        | "hp8" | "keybcs2" | "koi8r" | "koi8u" | "macce" | "macroman" | "swe7" | "tis620"
        | "armscii8" | "geostd8" => 1,
        "ucs2" | "big5" | "gbk" | "sjis" | "cp932" | "euckr" | "gb2312" => 2,
        "utf8" | "utf8mb3" | "ujis" | "eucjpms" => 3,
        _ => 4,
    }
}

/// The most instant ADD/DROP COLUMN changes a MySQL table can take before
/// it must be rebuilt.
fn row_version_limit(s: Server) -> u16 {
    if s.at_least(9, 1, 0) { 255 } else { 64 }
}

/// Whether the server can add a column (at the end) instantly.
pub fn adds_columns_instantly(s: Server) -> bool {
    instant_columns(s).0
}

/// Whether the server adds or drops columns instantly at all, and at any position.
fn instant_columns(s: Server) -> (bool, bool) {
    match s.flavour {
        Flavour::Mysql => (s.at_least(8, 0, 12), s.at_least(8, 0, 29)),
        Flavour::Mariadb => (s.at_least(10, 3, 0), s.at_least(10, 4, 0)),
    }
}

fn type_name(t: Option<&TypeName>) -> String {
    t.map_or_else(|| "?".to_string(), ToString::to_string)
}

/// A type change's cost: `None` when the types are the same.
fn type_change(
    server: Server,
    facts: &Facts<'_>,
    column: &str,
    old: &Column,
    new: &ColumnDef,
) -> Option<OpPlan> {
    let (Some(o), Some(n)) = (&old.ty, &new.ty) else {
        return None;
    };
    // MySQL's aliases: BOOL/BOOLEAN are TINYINT(1).
    let alias = |t: &TypeName| {
        if t.base == "boolean" {
            TypeName {
                base: "tinyint".to_string(),
                args: vec!["1".to_string()],
                array: false,
            }
        } else {
            t.clone()
        }
    };
    let (o, n) = (&alias(o), &alias(n));
    let at = format!("{}.{column}", facts.name);
    let old_cs = old.extra().charset.as_deref().unwrap_or(facts.charset);
    let new_cs = new.extra().charset.as_deref().unwrap_or(old_cs);
    if new_cs != old_cs {
        return Some(
            OpPlan::new(
                Algorithm::Copy,
                Lock::Shared,
                format!("the character set of {at} changes from {old_cs} to {new_cs}"),
            )
            .cause(Cause::TypeChange),
        );
    }
    if o == n {
        return None;
    }
    let arg = |t: &TypeName, i: usize| t.args.get(i).and_then(|a| a.parse::<u64>().ok());
    let copy = |why: String| {
        Some(OpPlan::new(Algorithm::Copy, Lock::Shared, why).cause(Cause::TypeChange))
    };
    let integers = ["tinyint", "smallint", "mediumint", "integer", "bigint"];
    match (o.base.as_str(), n.base.as_str()) {
        ("varchar", "varchar") | ("varbinary", "varbinary") => {
            let bpc = if o.base == "varbinary" {
                1
            } else {
                bytes_per_char(old_cs)
            };
            let (Some(oc), Some(nc)) = (arg(o, 0), arg(n, 0)) else {
                return copy(format!("the type of {at} changes from {o} to {n}"));
            };
            let (ob, nb) = (oc * bpc, nc * bpc);
            if nc < oc {
                return copy(format!(
                    "{at} shrinks from {o} to {n}: every row is copied and checked"
                ));
            }
            let same_prefix = nb <= 255 || ob > 255;
            let grows = match server.flavour {
                // Measured on MariaDB 10.11: also instant when the old maximum is ≤ 127 bytes.
                Flavour::Mariadb if same_prefix || ob <= 127 => Some(Algorithm::Instant),
                Flavour::Mysql if same_prefix => Some(Algorithm::InplaceNoRebuild),
                _ => None,
            };
            match grows {
                Some(a) => Some(OpPlan::new(
                    a,
                    Lock::None,
                    format!("{at} grows from {o} to {n}"),
                )),
                None => copy(format!(
                    "{at} grows from {o} to {n}, {ob} to {nb} bytes in {old_cs}: past 255 bytes each value needs a \
                     two-byte length prefix instead of one"
                )),
            }
        }
        ("enum", "enum") | ("set", "set") => {
            let appended =
                n.args.len() >= o.args.len() && n.args.get(..o.args.len()) == Some(&o.args[..]);
            let limit = if o.base == "enum" { 255 } else { 8 };
            let same_size = o.base == "enum" && (o.args.len() <= 255) == (n.args.len() <= 255)
                || o.args.len().div_ceil(8) == n.args.len().div_ceil(8);
            if appended && (n.args.len() <= limit || same_size) {
                Some(OpPlan::new(
                    Algorithm::Instant,
                    Lock::None,
                    format!("values are appended to {at}"),
                ))
            } else {
                copy(format!(
                    "the values of {at} change other than by appending at the end"
                ))
            }
        }
        (a, b) if a == b && integers.contains(&a) => {
            // `int(11)` → `int`: a display width, no change to the stored values.
            Some(OpPlan::new(
                Algorithm::Instant,
                Lock::None,
                format!("{at} keeps its type"),
            ))
        }
        _ => copy(format!("the type of {at} changes from {o} to {n}")),
    }
}

/// One operation's plan; `None` when bellows does not know it (or it is a clause).
#[allow(clippy::too_many_lines)]
fn plan_op(
    s: Server,
    f: &Facts<'_>,
    op: &AlterKind,
    fk_checks: bool,
    fulltext_before: usize,
) -> Option<OpPlan> {
    use Algorithm::{Copy, InplaceNoRebuild, InplaceRebuild, Instant};
    let t = f.name;
    let (instant, anywhere) = instant_columns(s);
    // The change after the limit rebuilds the table, which starts a new count:
    // every (limit + 1)-th instant column change is a rebuild.
    let limit = row_version_limit(s);
    let versions_full = s.is_mysql() && f.table.row_versions % (limit + 1) == limit;
    Some(match op {
        AlterKind::AddColumn { column, positioned, .. } => {
            let at = format!("{t}.{}", column.name);
            if column.generated == Some(Generated::Stored) {
                return Some(OpPlan::new(
                    Copy,
                    Lock::Shared,
                    format!("the stored generated column {at} is computed and written for every row"),
                ));
            }
            if column.default.as_deref().is_some_and(|d| d.contains("uuid(")) {
                return Some(OpPlan::new(
                    Copy,
                    Lock::Shared,
                    format!("the default of {at} gives each row its own value"),
                ));
            }
            if column.generated == Some(Generated::Identity) {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::Shared,
                    format!("the AUTO_INCREMENT column {at} numbers every row"),
                ));
            }
            if column.primary_key || column.unique {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!("the index of the new column {at} is built with the table"),
                ));
            }
            if f.fulltext > 0 {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::Shared,
                    format!("{t} has a FULLTEXT index, which rules out an instant ADD COLUMN"),
                ));
            }
            if column.generated == Some(Generated::Virtual) {
                return Some(OpPlan::new(
                    if instant { Instant } else { InplaceNoRebuild },
                    Lock::None,
                    format!("{at} is a virtual column"),
                ));
            }
            if !instant {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!("{s} adds a column by rebuilding {t}"),
                ));
            }
            if *positioned && !anywhere {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!("{s} adds a column instantly only at the end, and {at} is placed with FIRST/AFTER"),
                ));
            }
            if f.compressed() {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!("{t} is ROW_FORMAT=COMPRESSED, which rules out an instant ADD COLUMN"),
                ));
            }
            if versions_full {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!(
                        "{t} has had {} instant column changes, the most {s} allows before a rebuild",
                        row_version_limit(s)
                    ),
                ));
            }
            OpPlan::new(Instant, Lock::None, format!("{at} is added instantly"))
        }
        AlterKind::DropColumn { name, .. } => {
            if f.in_foreign_key(name) {
                return None;
            }
            let at = format!("{t}.{name}");
            if f.fulltext > 0 {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::Shared,
                    format!("{t} has a FULLTEXT index, which rules out an instant DROP COLUMN"),
                ));
            }
            let drop_instant = match s.flavour {
                Flavour::Mysql => s.at_least(8, 0, 29),
                Flavour::Mariadb => s.at_least(10, 4, 0),
            };
            if !drop_instant || f.compressed() || versions_full {
                return Some(OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!("{s} drops {at} by rebuilding {t}"),
                ));
            }
            if f.is_indexed(name) {
                return Some(OpPlan::new(
                    InplaceNoRebuild,
                    Lock::None,
                    format!("{at} is dropped with its index"),
                ));
            }
            OpPlan::new(Instant, Lock::None, format!("{at} is dropped instantly"))
        }
        AlterKind::RenameColumn { from, .. } => {
            let a = if s.is_mariadb() || s.at_least(8, 0, 28) { Instant } else { InplaceNoRebuild };
            OpPlan::new(a, Lock::None, format!("{t}.{from} is renamed"))
        }
        AlterKind::Redefine { from, column } => {
            let old = f.table.column(from)?;
            if column.generated == Some(Generated::Stored) {
                return Some(OpPlan::new(
                    Copy,
                    Lock::Shared,
                    format!("{t}.{from} becomes a stored generated column"),
                ));
            }
            let mut plan = type_change(s, f, from, old, column);
            if plan.as_ref().is_some_and(|p| p.algorithm == Copy) && f.in_foreign_key(from) {
                // Refused by the server (a column in a foreign key keeps its type).
                return None;
            }
            let collation = &column.extra().collation;
            if plan.is_none() && collation.is_some() && *collation != old.extra().collation {
                plan = Some(if f.is_indexed(from) {
                    OpPlan::new(
                        InplaceNoRebuild,
                        Lock::None,
                        format!("the collation of the indexed column {t}.{from} changes: its index is rebuilt"),
                    )
                } else {
                    OpPlan::new(Instant, Lock::None, format!("the collation of {t}.{from} changes"))
                });
            }
            // A primary key column stays NOT NULL whatever MODIFY says.
            let in_primary_key = f.table.constraints.iter().any(|c| {
                c.kind == ConstraintKind::PrimaryKey && c.columns.iter().any(|x| x == from)
            });
            if old.not_null != column.not_null && !in_primary_key {
                let null = OpPlan::new(
                    InplaceRebuild,
                    Lock::None,
                    format!(
                        "{t}.{from} changes from {} to {}",
                        if old.not_null { "NOT NULL" } else { "NULL" },
                        if column.not_null { "NOT NULL" } else { "NULL" }
                    ),
                );
                if plan.as_ref().is_none_or(|p| p.algorithm < null.algorithm) {
                    plan = Some(null);
                }
            }
            match plan {
                Some(p) => p,
                None if &column.name != from => {
                    let a = if s.is_mariadb() || s.at_least(8, 0, 28) { Instant } else { InplaceNoRebuild };
                    OpPlan::new(a, Lock::None, format!("{t}.{from} is renamed"))
                }
                None => OpPlan::new(
                    Instant,
                    Lock::None,
                    format!("{t}.{from} keeps its type ({})", type_name(old.ty.as_ref())),
                ),
            }
        }
        AlterKind::SetDefault { column, .. } | AlterKind::DropDefault { column } => {
            OpPlan::new(Instant, Lock::None, format!("the default of {t}.{column} changes"))
        }
        AlterKind::AddConstraint(def) => match &def.kind {
            ConstraintKind::ForeignKey { references, .. } => {
                if fk_checks {
                    OpPlan::new(
                        Copy,
                        Lock::Shared,
                        format!("with foreign_key_checks on, the new foreign key is checked by copying {t}; writes to {references} wait too"),
                    )
                    .cause(Cause::ForeignKey)
                } else {
                    OpPlan::new(
                        InplaceNoRebuild,
                        Lock::None,
                        "with foreign_key_checks off, only the foreign key's index is built",
                    )
                    .cause(Cause::ForeignKey)
                }
            }
            ConstraintKind::Check { .. } => {
                if s.is_mysql() && !s.at_least(8, 0, 16) {
                    OpPlan::new(InplaceNoRebuild, Lock::None, format!("{s} ignores CHECK constraints"))
                } else {
                    OpPlan::new(Copy, Lock::Shared, format!("the new CHECK is verified by copying every row of {t}"))
                }
            }
            ConstraintKind::PrimaryKey => OpPlan::new(
                InplaceRebuild,
                Lock::None,
                format!("the primary key is the table's order: {t} is rebuilt around the new one"),
            ),
            ConstraintKind::Unique | ConstraintKind::Index(IndexKind::Plain) => OpPlan::new(
                InplaceNoRebuild,
                Lock::None,
                "a secondary index is built in place",
            ),
            ConstraintKind::Index(IndexKind::Fulltext) => {
                if f.fulltext + fulltext_before == 0 {
                    OpPlan::new(
                        InplaceRebuild,
                        Lock::Shared,
                        format!("the first FULLTEXT index of {t} rebuilds it (adding FTS_DOC_ID) and blocks writes"),
                    )
                } else {
                    OpPlan::new(
                        InplaceNoRebuild,
                        Lock::Shared,
                        "a FULLTEXT index is built while writes wait",
                    )
                }
                .cause(Cause::SpecialIndex)
            }
            ConstraintKind::Index(IndexKind::Spatial) => OpPlan::new(
                InplaceNoRebuild,
                Lock::Shared,
                "a SPATIAL index is built while writes wait",
            )
            .cause(Cause::SpecialIndex),
            _ => return None,
        },
        AlterKind::DropConstraint { name, .. } => {
            let kind = f.table.constraint(name).map(|c| &c.kind);
            match kind {
                Some(ConstraintKind::Check { .. }) => {
                    OpPlan::new(Instant, Lock::None, format!("the CHECK {name} is dropped"))
                }
                Some(ConstraintKind::ForeignKey { .. }) => OpPlan::new(
                    if s.is_mariadb() { Instant } else { InplaceNoRebuild },
                    Lock::None,
                    format!("the foreign key {name} is dropped"),
                ),
                Some(ConstraintKind::Unique | ConstraintKind::Index(_)) => {
                    OpPlan::new(InplaceNoRebuild, Lock::None, format!("the index {name} is dropped"))
                }
                _ => return None,
            }
        }
        AlterKind::DropPrimaryKey => OpPlan::new(
            Copy,
            Lock::Shared,
            format!("dropping the primary key of {t} without adding another copies the table"),
        ),
        AlterKind::DropIndex { name } => {
            OpPlan::new(InplaceNoRebuild, Lock::None, format!("the index {name} is dropped"))
        }
        AlterKind::RenameIndex { from, .. } => OpPlan::new(
            if s.is_mariadb() || s.at_least(8, 0, 0) { Instant } else { InplaceNoRebuild },
            Lock::None,
            format!("the index {from} is renamed"),
        ),
        AlterKind::RenameTo { .. } => {
            OpPlan::new(Instant, Lock::Exclusive, format!("renaming {t} takes LOCK=EXCLUSIVE only"))
        }
        AlterKind::TableOption { name, value } => match name.as_str() {
            "convert to character set" => return convert_plan(s, f, value),
            "default character set" | "default collation" | "comment" | "stats_persistent"
            | "stats_auto_recalc" | "stats_sample_pages" => {
                OpPlan::new(Instant, Lock::None, format!("a table option of {t} changes"))
            }
            "auto_increment" => OpPlan::new(
                if s.is_mariadb() { Instant } else { InplaceNoRebuild },
                Lock::None,
                format!("the AUTO_INCREMENT counter of {t} changes"),
            ),
            "engine" if value == "innodb" => OpPlan::new(
                InplaceRebuild,
                Lock::None,
                format!("ENGINE=InnoDB on an InnoDB table rebuilds {t}"),
            ),
            "engine" => OpPlan::new(
                Copy,
                Lock::Shared,
                format!("moving {t} to the {value} engine copies every row"),
            ),
            "force" => OpPlan::new(InplaceRebuild, Lock::None, format!("FORCE rebuilds {t}")),
            "row_format" | "key_block_size" => OpPlan::new(
                InplaceRebuild,
                Lock::None,
                format!("a new {} rebuilds {t}", name.to_uppercase()),
            ),
            _ => return None,
        },
        AlterKind::Partition { copies: true } => OpPlan::new(
            Copy,
            Lock::Shared,
            format!("changing how {t} is partitioned copies every row"),
        ),
        _ => return None,
    })
}

/// `CONVERT TO CHARACTER SET`: MySQL documents a copy. MariaDB 10.11
/// (measured by the oracle, which contradicted "always a copy"): a
/// collation change is instant for each text column (its index rebuilt in
/// place), utf8mb3 → utf8mb4 follows the VARCHAR length-prefix rule for
/// CHAR/VARCHAR columns; ENUM and SET columns, TEXT columns whose character
/// set changes, and any other character set change copy the table.
fn convert_plan(s: Server, f: &Facts<'_>, target: &str) -> Option<OpPlan> {
    let t = f.name;
    if s.is_mysql() {
        return Some(OpPlan::new(
            Algorithm::Copy,
            Lock::Shared,
            format!("CONVERT TO CHARACTER SET re-encodes every text value of {t}"),
        ));
    }
    if f.table.partial {
        return None;
    }
    let canonical = |cs: &str| {
        if cs == "utf8" {
            "utf8mb3".to_string()
        } else {
            cs.to_string()
        }
    };
    let new_cs = canonical(target);
    let mut worst = OpPlan::new(
        Algorithm::Instant,
        Lock::None,
        format!("the text columns of {t} keep their encoding"),
    );
    for c in f.table.columns() {
        let Some(ty) = &c.ty else { continue };
        let base = ty.base.as_str();
        let text = matches!(base, "tinytext" | "text" | "mediumtext" | "longtext");
        let chars = matches!(base, "varchar" | "char");
        let listed = matches!(base, "enum" | "set");
        if !(text || chars || listed) {
            continue;
        }
        let old_cs = canonical(c.extra().charset.as_deref().unwrap_or(f.charset));
        let at = format!("{t}.{}", c.name);
        let plan = if listed {
            OpPlan::new(
                Algorithm::Copy,
                Lock::Shared,
                format!("the {base} column {at} is rewritten"),
            )
        } else if old_cs == new_cs {
            if f.is_indexed(&c.name) {
                OpPlan::new(
                    Algorithm::InplaceNoRebuild,
                    Lock::None,
                    format!("the index on {at} is rebuilt"),
                )
            } else {
                OpPlan::new(
                    Algorithm::Instant,
                    Lock::None,
                    format!("the collation of {at} changes"),
                )
            }
        } else if old_cs == "utf8mb3" && new_cs == "utf8mb4" && chars {
            let n = ty
                .args
                .first()
                .and_then(|a| a.parse::<u64>().ok())
                .unwrap_or(u64::MAX / 8);
            let (ob, nb) = (n * 3, n * 4);
            if nb <= 255 || ob <= 127 || ob > 255 {
                OpPlan::new(
                    Algorithm::Instant,
                    Lock::None,
                    format!("{at} keeps its length prefix"),
                )
            } else {
                OpPlan::new(
                    Algorithm::Copy,
                    Lock::Shared,
                    format!("{at} grows from {ob} to {nb} bytes, past the one-byte length prefix"),
                )
            }
        } else {
            OpPlan::new(
                Algorithm::Copy,
                Lock::Shared,
                format!("every value of {at} is re-encoded from {old_cs} to {new_cs}"),
            )
        };
        if plan.algorithm > worst.algorithm {
            worst = plan;
        }
    }
    if worst.algorithm == Algorithm::Copy {
        worst.reason = format!("CONVERT TO CHARACTER SET {target}: {}", worst.reason);
    }
    Some(worst)
}

/// Whether `foreign_key_checks` is on at a statement, from the texts of
/// the statements before it in the migration (`SET foreign_key_checks = 0`,
/// also inside a `SET` of several variables).
pub fn foreign_key_checks<'a>(earlier: impl Iterator<Item = &'a str>) -> bool {
    let mut on = true;
    for text in earlier {
        let lower = text.to_ascii_lowercase();
        if !lower.trim_start().starts_with("set") {
            continue;
        }
        let mut rest = lower.as_str();
        while let Some(i) = rest.find("foreign_key_checks") {
            let after = &rest[i + "foreign_key_checks".len()..];
            // `@@foreign_key_checks` on the right of another variable's `=` is a read.
            let before = &rest[..i];
            let read =
                before.ends_with("@@") && !before.trim_end_matches('@').ends_with("session.");
            if let Some(v) = after
                .trim_start()
                .strip_prefix('=')
                .or_else(|| after.trim_start().strip_prefix(":="))
                && !read
            {
                let v = v.trim_start();
                if v.starts_with('0') || v.starts_with("off") || v.starts_with("false") {
                    on = false;
                } else if v.starts_with('1') || v.starts_with("on") || v.starts_with("true") {
                    on = true;
                }
            }
            rest = after;
        }
    }
    on
}

/// The plan of an `ALTER TABLE` of an existing table; `None` when bellows
/// does not know the table or one of the operations well enough to say.
pub fn plan(
    catalog: &Catalog,
    name: &Name,
    ops: &[AlterOp],
    server: Server,
    fk_checks: &dyn Fn() -> bool,
) -> Option<Plan> {
    let table = catalog.table(name)?;
    // Read only when a foreign key is added (it scans the migration so far).
    let foreign_key = ops.iter().any(|o| {
        matches!(&o.kind, AlterKind::AddConstraint(d) if matches!(d.kind, ConstraintKind::ForeignKey { .. }))
    });
    let fk_checks = foreign_key && fk_checks();
    let f = Facts::new(catalog, name, table);
    let mut plans = Vec::with_capacity(ops.len());
    let mut algorithm_clause = None;
    let mut lock_clause = None;
    let mut wait = None;
    let mut unknown = false;
    let mut fulltext_before = 0;
    for (i, op) in ops.iter().enumerate() {
        match &op.kind {
            AlterKind::Algorithm { value } => algorithm_clause = Some((value.clone(), i)),
            AlterKind::Lock { value } => lock_clause = Some((value.clone(), i)),
            AlterKind::Wait => wait = Some(i),
            kind => {
                let p = plan_op(server, &f, kind, fk_checks, fulltext_before);
                if let AlterKind::AddConstraint(d) = kind
                    && d.kind == ConstraintKind::Index(IndexKind::Fulltext)
                {
                    fulltext_before += 1;
                }
                unknown |= p.is_none();
                plans.push(p);
                continue;
            }
        }
        plans.push(None);
    }
    let is_op = |k: &AlterKind| {
        !matches!(
            k,
            AlterKind::Algorithm { .. } | AlterKind::Lock { .. } | AlterKind::Wait
        )
    };
    if !ops.iter().any(|o| is_op(&o.kind)) {
        return None;
    }
    // DROP PRIMARY KEY with ADD PRIMARY KEY: one in-place rebuild.
    let adds_pk = ops.iter().any(
        |o| matches!(&o.kind, AlterKind::AddConstraint(d) if d.kind == ConstraintKind::PrimaryKey),
    );
    let drops_pk = ops.iter().any(|o| o.kind == AlterKind::DropPrimaryKey);
    if adds_pk && !drops_pk && f.has_primary_key() {
        // Refused: the table has a primary key already.
        return None;
    }
    if adds_pk {
        for (o, p) in ops.iter().zip(plans.iter_mut()) {
            if o.kind == AlterKind::DropPrimaryKey {
                *p = Some(OpPlan::new(
                    Algorithm::InplaceRebuild,
                    Lock::None,
                    format!("{name} is rebuilt around its new primary key"),
                ));
            }
        }
    }
    // MariaDB 11.4 copies online: writes made during the copy are applied at its end.
    if server.is_mariadb() && server.at_least(11, 4, 0) {
        for p in plans.iter_mut().flatten() {
            if p.algorithm == Algorithm::Copy {
                p.lock = Lock::None;
            }
        }
    }
    let combine = |plans: &[Option<OpPlan>]| {
        plans
            .iter()
            .flatten()
            .fold((Algorithm::Instant, Lock::None), |(a, l), p| {
                (a.max(p.algorithm), l.max(p.lock))
            })
    };
    let (worst, _) = combine(&plans);
    if unknown && worst < Algorithm::Copy {
        return None;
    }
    // An instant column change in a statement that cannot be instant is done
    // the statement's way: ADD COLUMN rebuilds (measured: ADD COLUMN with ADD
    // INDEX), a MySQL DROP COLUMN too.
    let demote = |plans: &mut Vec<Option<OpPlan>>, to_inplace: bool| {
        for (o, p) in ops.iter().zip(plans.iter_mut()) {
            let Some(p) = p else { continue };
            if p.algorithm != Algorithm::Instant {
                continue;
            }
            match &o.kind {
                AlterKind::AddColumn { column, .. }
                    if column.generated == Some(Generated::Virtual) =>
                {
                    p.algorithm = Algorithm::InplaceNoRebuild;
                    p.lock = Lock::Shared;
                    p.reason = format!(
                        "the virtual column {name}.{} is added together with other changes",
                        column.name
                    );
                }
                AlterKind::AddColumn { column, .. } => {
                    p.algorithm = Algorithm::InplaceRebuild;
                    p.reason = format!(
                        "{name}.{} would be added instantly alone, but {}",
                        column.name,
                        if to_inplace {
                            "ALGORITHM=INPLACE adds it by rebuilding the table"
                        } else {
                            "with the other changes of the statement it is added by rebuilding the table"
                        }
                    );
                }
                AlterKind::DropColumn { name: c, .. } if server.is_mysql() => {
                    p.algorithm = Algorithm::InplaceRebuild;
                    p.reason = format!(
                        "{name}.{c} is dropped by rebuilding the table, not instantly, in this statement"
                    );
                }
                _ if server.is_mysql() && to_inplace => p.algorithm = Algorithm::InplaceNoRebuild,
                _ => {}
            }
        }
    };
    if worst > Algorithm::Instant {
        demote(&mut plans, false);
    }
    let (default, default_lock) = combine(&plans);
    let mut plan = Plan {
        default,
        default_lock,
        effective: Some((default, default_lock)),
        ops: plans,
        algorithm_clause,
        lock_clause,
        wait,
    };
    // The statement's own clauses.
    let requested = plan.algorithm_clause.as_ref().map(|(v, _)| v.as_str());
    let lock = plan
        .lock_clause
        .as_ref()
        .map(|(v, _)| v.as_str())
        .filter(|l| *l != "default");
    match requested {
        Some("copy") => {
            plan.effective = Some((Algorithm::Copy, default_lock.max(Lock::Shared)));
        }
        Some("inplace") if server.is_mysql() && default == Algorithm::Instant => {
            demote(&mut plan.ops, true);
            plan.effective = Some(combine(&plan.ops));
        }
        None if server.is_mysql() && default == Algorithm::Instant && lock.is_some() => {
            // MySQL does instant changes only with LOCK=DEFAULT: another
            // LOCK makes it take the in-place way.
            demote(&mut plan.ops, true);
            plan.effective = Some(combine(&plan.ops));
        }
        _ => {}
    }
    if refusal(&plan, server).is_some() {
        plan.effective = None;
    }
    Some(plan)
}

/// The statement's own `ALGORITHM=`/`LOCK=` (or MariaDB syntax) that the
/// target server refuses for this change.
pub fn refusal(plan: &Plan, server: Server) -> Option<Refusal> {
    if server.is_mysql()
        && let Some(i) = plan.wait
    {
        return Some(Refusal {
            op: i,
            clause: "WAIT/NOWAIT".to_string(),
            why: "it is MariaDB syntax; MySQL has no WAIT or NOWAIT clause (a syntax error)"
                .to_string(),
        });
    }
    let d = plan.default;
    let worst_reason = || {
        plan.ops
            .iter()
            .flatten()
            .filter(|p| p.algorithm == d)
            .map(|p| p.reason.clone())
            .next()
            .unwrap_or_default()
    };
    if let Some((a, i)) = &plan.algorithm_clause {
        let refuse = |why: String| {
            Some(Refusal {
                op: *i,
                clause: format!("ALGORITHM={}", a.to_uppercase()),
                why,
            })
        };
        match a.as_str() {
            "nocopy" if server.is_mysql() => {
                return refuse("it is MariaDB syntax; MySQL has no ALGORITHM=NOCOPY".to_string());
            }
            "instant" if d != Algorithm::Instant => {
                return refuse(format!("the change cannot be instant: {}", worst_reason()));
            }
            "instant"
                if server.is_mysql()
                    && plan
                        .lock_clause
                        .as_ref()
                        .is_some_and(|(l, _)| l != "default") =>
            {
                let l = plan
                    .lock_clause
                    .as_ref()
                    .map(|(l, _)| l.to_uppercase())
                    .unwrap_or_default();
                return refuse(format!(
                    "MySQL does instant changes only with LOCK=DEFAULT, and the statement asks for LOCK={l}"
                ));
            }
            "nocopy" if d > Algorithm::InplaceNoRebuild => {
                return refuse(format!(
                    "the change rebuilds or copies the table: {}",
                    worst_reason()
                ));
            }
            "inplace" if d == Algorithm::Copy => {
                return refuse(format!("the change needs a table copy: {}", worst_reason()));
            }
            _ => {}
        }
    }
    if let Some((l, i)) = &plan.lock_clause {
        let copy = plan
            .algorithm_clause
            .as_ref()
            .is_some_and(|(a, _)| a == "copy")
            || d == Algorithm::Copy;
        let needed = if copy && !(server.is_mariadb() && server.at_least(11, 4, 0)) {
            plan.default_lock.max(Lock::Shared)
        } else {
            plan.default_lock
        };
        let allowed = match l.as_str() {
            "none" => Lock::None,
            "shared" => Lock::Shared,
            _ => Lock::Exclusive,
        };
        if needed > allowed {
            let why = if copy {
                format!("a table copy blocks writes on {server}")
            } else {
                plan.ops
                    .iter()
                    .flatten()
                    .find(|p| p.lock > allowed)
                    .map(|p| p.reason.clone())
                    .unwrap_or_default()
            };
            return Some(Refusal {
                op: *i,
                clause: format!("LOCK={}", l.to_uppercase()),
                why: format!("the change needs a stronger lock: {why}"),
            });
        }
    }
    None
}

/// How an algorithm is done, in words.
pub fn describe(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Instant => "instantly",
        Algorithm::InplaceNoRebuild => "in place without a rebuild",
        Algorithm::InplaceRebuild => "in place by a rebuild",
        Algorithm::Copy => "by a table copy",
    }
}

/// Which online schema change tool fits a table: gh-ost does not support
/// foreign keys (on the table or pointing at it) nor triggers;
/// pt-online-schema-change works through triggers of its own.
pub fn online_tool_help(catalog: &Catalog, table: &Name) -> String {
    let child = catalog.table(table).is_some_and(|t| {
        t.constraints
            .iter()
            .any(|c| matches!(c.kind, ConstraintKind::ForeignKey { .. }))
    });
    let parent = !catalog.children_of(table).is_empty();
    let gh_ost = if child || parent {
        format!("gh-ost cannot be used ({table} has foreign keys)")
    } else {
        format!("gh-ost (when {table} has no triggers)")
    };
    format!(
        "on a large table run the change outside the migration with an online schema change tool: {gh_ost}, \
         or pt-online-schema-change (works with foreign keys and triggers)"
    )
}

/// The clause that makes the server refuse rather than silently do worse:
/// what the change supports on the target (never `LOCK=NONE` with an
/// instant change for MySQL, never MariaDB's `NOCOPY` there).
pub fn assertion(plan: &Plan) -> Option<&'static str> {
    match (plan.default, plan.default_lock) {
        (Algorithm::Instant, _) => Some("ALGORITHM=INSTANT"),
        (Algorithm::InplaceNoRebuild | Algorithm::InplaceRebuild, Lock::None) => {
            Some("ALGORITHM=INPLACE, LOCK=NONE")
        }
        (Algorithm::InplaceNoRebuild | Algorithm::InplaceRebuild, _) => {
            Some("ALGORITHM=INPLACE, LOCK=SHARED")
        }
        (Algorithm::Copy, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dialect;
    use crate::parse::{Action, parse_file};

    /// mysql-ddl.md's table: `t` (200,000 rows there) and the FK target `p`.
    const SCHEMA: &str = "CREATE TABLE p (id bigint PRIMARY KEY, name varchar(20));
        CREATE TABLE t (id bigint PRIMARY KEY AUTO_INCREMENT, a int, b varchar(50), c varchar(20),
            d text, e enum('x','y'), ts datetime, fk_id bigint, n decimal(10,2),
            KEY idx_a (a), KEY idx_c (c)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;";

    const MARIADB: Server = Server::mariadb(10, 11);
    const MYSQL: Server = Server::mysql(8, 4, None);

    /// The plan of the last statement of `sql`, after `SCHEMA` and the statements before it.
    fn plan_of(server: Server, sql: &str) -> Option<Plan> {
        let text = format!("{SCHEMA}\n{sql}");
        let parsed = parse_file(&text, Dialect::Mysql);
        let mut catalog = Catalog::new(Dialect::Mysql);
        let (last, before) = parsed.statements.split_last()?;
        for s in before {
            catalog.apply(&s.action);
        }
        let Action::AlterTable { table, ops, .. } = &last.action else {
            panic!("not an ALTER TABLE: {sql}");
        };
        let earlier = before.iter().map(|s| &text[s.span.start..s.span.end]);
        plan(&catalog, table, ops, server, &|| {
            foreign_key_checks(earlier.clone())
        })
    }

    fn row(server: Server, sql: &str, algorithm: Algorithm, lock: Lock) {
        let p = plan_of(server, sql).unwrap_or_else(|| panic!("{server}: no plan for {sql}"));
        assert_eq!(
            (p.default, p.default_lock),
            (algorithm, lock),
            "{server}: {sql}: {p:#?}"
        );
    }

    fn refused(server: Server, sql: &str) -> Option<String> {
        let p = plan_of(server, sql).unwrap_or_else(|| panic!("{server}: no plan for {sql}"));
        refusal(&p, server).map(|r| r.clause)
    }

    use Algorithm::{Copy, InplaceNoRebuild as NoRebuild, InplaceRebuild as Rebuild, Instant};
    use Lock::{None as Online, Shared as WritesWait};

    #[test]
    fn add_column_rows() {
        let m = MARIADB;
        for sql in [
            "ALTER TABLE t ADD COLUMN x int",
            "ALTER TABLE t ADD COLUMN x int AFTER a",
            "ALTER TABLE t ADD COLUMN x int FIRST",
            "ALTER TABLE t ADD COLUMN x int NOT NULL",
            "ALTER TABLE t ADD COLUMN x varchar(10) NOT NULL",
            "ALTER TABLE t ADD COLUMN x datetime NOT NULL",
            "ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0",
            "ALTER TABLE t ADD COLUMN x varchar(20) DEFAULT 'abc'",
            "ALTER TABLE t ADD COLUMN x datetime DEFAULT CURRENT_TIMESTAMP",
            "ALTER TABLE t ADD COLUMN x timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP",
            "ALTER TABLE t ADD COLUMN x double DEFAULT (RAND())",
            "ALTER TABLE t ADD COLUMN g int AS (a*2) VIRTUAL",
        ] {
            row(m, sql, Instant, Online);
        }
        row(
            m,
            "ALTER TABLE t ADD COLUMN x char(36) DEFAULT (UUID())",
            Copy,
            WritesWait,
        );
        row(m, "ALTER TABLE t ADD COLUMN x int UNIQUE", Rebuild, Online);
        row(
            m,
            "ALTER TABLE t ADD COLUMN x int, ADD INDEX idx_x (x)",
            Rebuild,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d);\nALTER TABLE t ADD COLUMN x int",
            Rebuild,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t MODIFY id bigint NOT NULL;\nALTER TABLE t ADD COLUMN x bigint NOT NULL AUTO_INCREMENT UNIQUE",
            Rebuild,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN g int AS (a*2) VIRTUAL, ADD INDEX idx_g (g)",
            NoRebuild,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN g int AS (a*2) STORED",
            Copy,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN x int, MODIFY a bigint",
            Copy,
            WritesWait,
        );
    }

    #[test]
    fn drop_rename_change_rows() {
        let m = MARIADB;
        row(m, "ALTER TABLE t DROP COLUMN b", Instant, Online);
        row(m, "ALTER TABLE t DROP COLUMN c", NoRebuild, Online);
        let fk = "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (fk_id) REFERENCES p (id);\n";
        assert_eq!(
            plan_of(m, &format!("{fk}ALTER TABLE t DROP COLUMN fk_id")),
            None,
            "fails 1553"
        );
        row(m, "ALTER TABLE t RENAME COLUMN b TO b2", Instant, Online);
        row(m, "ALTER TABLE t RENAME COLUMN c TO c2", Instant, Online);
        row(
            m,
            &format!("{fk}ALTER TABLE t RENAME COLUMN fk_id TO fk2"),
            Instant,
            Online,
        );
        row(m, "ALTER TABLE t CHANGE b b2 varchar(50)", Instant, Online);
        row(m, "ALTER TABLE t MODIFY b varchar(50)", Instant, Online);
    }

    #[test]
    fn modify_type_rows() {
        let m = MARIADB;
        for sql in [
            "ALTER TABLE t MODIFY b varchar(60)",
            "ALTER TABLE t MODIFY b varchar(63)",
            "ALTER TABLE t MODIFY c varchar(40)",
            "ALTER TABLE t MODIFY c varchar(100)",
            "ALTER TABLE t MODIFY b varchar(50) COLLATE utf8mb4_bin",
        ] {
            row(m, sql, Instant, Online);
        }
        for sql in [
            "ALTER TABLE t MODIFY b varchar(64)",
            "ALTER TABLE t MODIFY b varchar(100)",
            "ALTER TABLE t MODIFY b varchar(300)",
            "ALTER TABLE t MODIFY c varchar(10)",
            "ALTER TABLE t MODIFY b varchar(40)",
            "ALTER TABLE t MODIFY b text",
            "ALTER TABLE t MODIFY a bigint",
            "ALTER TABLE t MODIFY a int unsigned",
            "ALTER TABLE t MODIFY n decimal(12,2)",
        ] {
            row(m, sql, Copy, WritesWait);
        }
        row(
            m,
            "ALTER TABLE t MODIFY c varchar(20) COLLATE utf8mb4_bin",
            NoRebuild,
            Online,
        );
        let fk = "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (fk_id) REFERENCES p (id);\n";
        assert_eq!(
            plan_of(m, &format!("{fk}ALTER TABLE t MODIFY fk_id int")),
            None,
            "fails 1832"
        );
        // latin1: 1 byte a character (checked on small tables).
        let latin1 = "ALTER TABLE t ADD COLUMN l varchar(127) CHARACTER SET latin1, ADD COLUMN k varchar(128) CHARACTER SET latin1;\n";
        row(
            m,
            &format!("{latin1}ALTER TABLE t MODIFY l varchar(300) CHARACTER SET latin1"),
            Instant,
            Online,
        );
        row(
            m,
            &format!("{latin1}ALTER TABLE t MODIFY k varchar(256) CHARACTER SET latin1"),
            Copy,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN u varchar(31);\nALTER TABLE t MODIFY u varchar(100)",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN u varchar(32);\nALTER TABLE t MODIFY u varchar(64)",
            Copy,
            WritesWait,
        );
    }

    #[test]
    fn modify_null_enum_default_rows() {
        let m = MARIADB;
        row(m, "ALTER TABLE t MODIFY a int NOT NULL", Rebuild, Online);
        row(
            m,
            "ALTER TABLE t MODIFY a int NOT NULL;\nALTER TABLE t MODIFY a int NULL",
            Rebuild,
            Online,
        );
        row(
            m,
            "ALTER TABLE t MODIFY e enum('x','y','z')",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t MODIFY e enum('x','w','y')",
            Copy,
            WritesWait,
        );
        row(m, "ALTER TABLE t MODIFY e enum('x')", Copy, WritesWait);
        row(
            m,
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT 5",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
            Instant,
            Online,
        );
        row(m, "ALTER TABLE t MODIFY a int DEFAULT 5", Instant, Online);
        // The primary key column stays NOT NULL; BOOL is TINYINT(1).
        row(
            m,
            "ALTER TABLE t MODIFY id bigint AUTO_INCREMENT",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ADD COLUMN f tinyint(1) NOT NULL DEFAULT 0;\nALTER TABLE t MODIFY f boolean NOT NULL DEFAULT 1",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t MODIFY b varchar(50) COMMENT 'hello'",
            Instant,
            Online,
        );
    }

    #[test]
    fn index_rows() {
        let m = MARIADB;
        row(m, "ALTER TABLE t ADD INDEX idx_b (b)", NoRebuild, Online);
        row(
            m,
            "ALTER TABLE t ADD UNIQUE INDEX ux_b (b)",
            NoRebuild,
            Online,
        );
        row(m, "ALTER TABLE t DROP INDEX idx_a", NoRebuild, Online);
        row(
            m,
            "ALTER TABLE t RENAME INDEX idx_a TO idx_a2",
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d)",
            Rebuild,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d);\nALTER TABLE t ADD FULLTEXT INDEX ft_b (b)",
            NoRebuild,
            WritesWait,
        );
        row(
            m,
            "CREATE FULLTEXT INDEX ft_d ON t (d);\nALTER TABLE t ADD FULLTEXT INDEX ft_b (b)",
            NoRebuild,
            WritesWait,
        );
    }

    #[test]
    fn fulltext_indexes_are_counted_through_adds_and_drops() {
        let m = MARIADB;
        for sql in [
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d);\nALTER TABLE t DROP INDEX ft_d;\nALTER TABLE t ADD COLUMN x int",
            "CREATE FULLTEXT INDEX ft_d ON t (d);\nDROP INDEX ft_d ON t;\nALTER TABLE t ADD COLUMN x int",
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d);\nALTER TABLE t DROP COLUMN d;\nALTER TABLE t ADD COLUMN x int",
        ] {
            row(m, sql, Instant, Online);
        }
        for sql in [
            "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d), ADD FULLTEXT INDEX ft_b (b);\nALTER TABLE t DROP INDEX ft_d;\nALTER TABLE t ADD COLUMN x int",
            "CREATE FULLTEXT INDEX ft_d ON t (d);\nALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME TO t;\nALTER TABLE t ADD COLUMN x int",
        ] {
            row(m, sql, Rebuild, WritesWait);
        }
    }

    #[test]
    fn foreign_key_check_primary_key_rows() {
        let m = MARIADB;
        let fk = "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (fk_id) REFERENCES p (id)";
        row(m, fk, Copy, WritesWait);
        row(
            m,
            &format!("SET foreign_key_checks = 0;\n{fk}"),
            NoRebuild,
            Online,
        );
        row(
            m,
            &format!(
                "/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n{fk}"
            ),
            NoRebuild,
            Online,
        );
        row(
            m,
            &format!("SET foreign_key_checks = 0;\nSET foreign_key_checks = 1;\n{fk}"),
            Copy,
            WritesWait,
        );
        row(
            m,
            &format!("{fk};\nALTER TABLE t DROP FOREIGN KEY fk_p"),
            Instant,
            Online,
        );
        row(
            m,
            "ALTER TABLE t ADD CONSTRAINT chk_a CHECK (a >= 0)",
            Copy,
            WritesWait,
        );
        row(
            m,
            "ALTER TABLE t ADD CONSTRAINT chk_a CHECK (a >= 0);\nALTER TABLE t DROP CONSTRAINT chk_a",
            Instant,
            Online,
        );
        row(
            m,
            "CREATE TABLE q (id bigint NOT NULL, v int);\nALTER TABLE q ADD PRIMARY KEY (id)",
            Rebuild,
            Online,
        );
        row(m, "ALTER TABLE t DROP PRIMARY KEY", Copy, WritesWait);
        row(
            m,
            "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, fk_id)",
            Rebuild,
            Online,
        );
        assert_eq!(
            plan_of(m, "ALTER TABLE t ADD PRIMARY KEY (a)"),
            None,
            "t has one"
        );
    }

    #[test]
    fn whole_table_rows() {
        let m = MARIADB;
        // mysql-ddl.md measured a copy on its table `t`, which has an ENUM column.
        row(
            m,
            "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            Copy,
            WritesWait,
        );
        // The oracle measured the rest on 10.11: collation only, utf8mb3 -> utf8mb4, other charsets.
        let q = "CREATE TABLE q (id bigint PRIMARY KEY, kind varchar(40), body text) DEFAULT CHARSET=utf8mb4;\n";
        let collation = "ALTER TABLE q CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
        row(m, &format!("{q}{collation}"), Instant, Online);
        row(
            m,
            &format!("{q}ALTER TABLE q ADD INDEX (kind);\n{collation}"),
            NoRebuild,
            Online,
        );
        row(
            m,
            &format!("{q}ALTER TABLE q CONVERT TO CHARACTER SET latin1"),
            Copy,
            WritesWait,
        );
        row(MYSQL, &format!("{q}{collation}"), Copy, WritesWait);
        let q3 = "CREATE TABLE q (id bigint PRIMARY KEY, kind varchar(40), wide varchar(70)) DEFAULT CHARSET=utf8mb3;\n";
        let mb4 = "ALTER TABLE q CONVERT TO CHARACTER SET utf8mb4";
        row(
            m,
            &format!("{q3}ALTER TABLE q DROP COLUMN wide;\n{mb4}"),
            Instant,
            Online,
        );
        row(m, &format!("{q3}{mb4}"), Copy, WritesWait);

        row(
            m,
            "ALTER TABLE t DEFAULT CHARACTER SET utf8mb3",
            Instant,
            Online,
        );
        row(m, "ALTER TABLE t ENGINE=InnoDB", Rebuild, Online);
        row(m, "ALTER TABLE t FORCE", Rebuild, Online);
        row(m, "ALTER TABLE t ROW_FORMAT=COMPACT", Rebuild, Online);
        row(
            m,
            "ALTER TABLE t AUTO_INCREMENT = 10000000",
            Instant,
            Online,
        );
        row(m, "ALTER TABLE t COMMENT = 'hello'", Instant, Online);
        row(m, "ALTER TABLE t RENAME TO t2", Instant, Lock::Exclusive);
        assert_eq!(
            refused(m, "ALTER TABLE t RENAME TO t2, LOCK=NONE").as_deref(),
            Some("LOCK=NONE")
        );
    }

    #[test]
    fn explicit_clauses_the_server_accepts_or_refuses() {
        let m = MARIADB;
        // Measured: INSTANT implies NOCOPY and INPLACE; LOCK=NONE with an instant change is fine on MariaDB.
        for ok in [
            "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INSTANT",
            "ALTER TABLE t ADD COLUMN x int, ALGORITHM=NOCOPY",
            "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INPLACE, LOCK=NONE",
            "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INSTANT, LOCK=NONE",
            "ALTER TABLE t ADD INDEX idx_b (b), ALGORITHM=NOCOPY, LOCK=NONE",
            "ALTER TABLE t MODIFY a bigint, ALGORITHM=COPY",
            "ALTER TABLE t FORCE, ALGORITHM=INPLACE, LOCK=NONE",
        ] {
            assert_eq!(refused(m, ok), None, "{ok}");
        }
        for (bad, clause) in [
            (
                "ALTER TABLE t ADD INDEX idx_b (b), ALGORITHM=INSTANT",
                "ALGORITHM=INSTANT",
            ),
            (
                "ALTER TABLE t MODIFY a bigint, ALGORITHM=INPLACE",
                "ALGORITHM=INPLACE",
            ),
            (
                "ALTER TABLE t MODIFY a int NOT NULL, ALGORITHM=NOCOPY",
                "ALGORITHM=NOCOPY",
            ),
            (
                "ALTER TABLE t ADD FULLTEXT INDEX ft_d (d), LOCK=NONE",
                "LOCK=NONE",
            ),
            ("ALTER TABLE t MODIFY a bigint, LOCK=NONE", "LOCK=NONE"),
            (
                "ALTER TABLE t ADD COLUMN g int AS (a*2) VIRTUAL, ADD INDEX idx_g (g), LOCK=NONE",
                "LOCK=NONE",
            ),
        ] {
            assert_eq!(refused(m, bad).as_deref(), Some(clause), "{bad}");
        }
        // MariaDB from 11.4 copies with LOCK=NONE (documented).
        let m114 = Server::mariadb(11, 4);
        assert_eq!(
            refused(
                m114,
                "ALTER TABLE t MODIFY a bigint, ALGORITHM=COPY, LOCK=NONE"
            ),
            None
        );
    }

    #[test]
    fn mysql_differs_where_its_manual_says() {
        let y = MYSQL;
        // D8: only within the same length-prefix size, and in place rather than instant.
        row(y, "ALTER TABLE t MODIFY b varchar(60)", NoRebuild, Online);
        row(y, "ALTER TABLE t MODIFY c varchar(100)", Copy, WritesWait);
        assert_eq!(
            refused(y, "ALTER TABLE t MODIFY b varchar(60), ALGORITHM=INSTANT").as_deref(),
            Some("ALGORITHM=INSTANT")
        );
        // D2: instant only with LOCK=DEFAULT.
        assert_eq!(
            refused(
                y,
                "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INSTANT, LOCK=NONE"
            )
            .as_deref(),
            Some("ALGORITHM=INSTANT")
        );
        assert_eq!(
            refused(y, "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INSTANT"),
            None
        );
        // D3: no NOCOPY, no WAIT.
        assert_eq!(
            refused(y, "ALTER TABLE t ADD INDEX idx_b (b), ALGORITHM=NOCOPY").as_deref(),
            Some("ALGORITHM=NOCOPY")
        );
        assert_eq!(
            refused(y, "ALTER TABLE t WAIT 5 ADD COLUMN x int").as_deref(),
            Some("WAIT/NOWAIT")
        );
        // ALGORITHM=INPLACE takes an instant ADD COLUMN the in-place way: a rebuild.
        let p = plan_of(
            y,
            "ALTER TABLE t ADD COLUMN x int, ALGORITHM=INPLACE, LOCK=NONE",
        )
        .expect("plan");
        assert_eq!(p.default, Instant);
        assert_eq!(p.effective, Some((Rebuild, Online)));
        // Versions: instant ADD COLUMN from 8.0.12 (last position only before 8.0.29), DROP from 8.0.29.
        row(
            Server::mysql(5, 7, None),
            "ALTER TABLE t ADD COLUMN x int",
            Rebuild,
            Online,
        );
        row(
            Server::mysql(8, 0, Some(28)),
            "ALTER TABLE t ADD COLUMN x int",
            Instant,
            Online,
        );
        row(
            Server::mysql(8, 0, Some(28)),
            "ALTER TABLE t ADD COLUMN x int AFTER a",
            Rebuild,
            Online,
        );
        row(
            Server::mysql(8, 0, Some(28)),
            "ALTER TABLE t DROP COLUMN b",
            Rebuild,
            Online,
        );
        row(
            Server::mysql(8, 0, None),
            "ALTER TABLE t DROP COLUMN b",
            Instant,
            Online,
        );
        row(
            Server::mariadb(10, 3),
            "ALTER TABLE t ADD COLUMN x int FIRST",
            Rebuild,
            Online,
        );
        // 64 instant column changes, then a rebuild (255 from 9.1).
        let many: String = (0..64).fold(String::new(), |mut acc, i| {
            use std::fmt::Write;
            let _ = writeln!(acc, "ALTER TABLE t ADD COLUMN x{i} int;");
            acc
        });
        row(
            y,
            &format!("{many}ALTER TABLE t ADD COLUMN y int"),
            Rebuild,
            Online,
        );
        row(
            Server::mysql(9, 1, None),
            &format!("{many}ALTER TABLE t ADD COLUMN y int"),
            Instant,
            Online,
        );
        row(
            y,
            &format!("{many}ALTER TABLE t FORCE;\nALTER TABLE t ADD COLUMN y int"),
            Instant,
            Online,
        );
        // The rebuild starts a new count of row versions.
        row(
            y,
            &format!("{many}ALTER TABLE t ADD COLUMN y int;\nALTER TABLE t ADD COLUMN z int"),
            Instant,
            Online,
        );
    }
}
