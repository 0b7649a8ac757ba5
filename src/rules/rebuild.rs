//! The SQLite table rebuild (RULES.md "SQLite rebuilds"): create the new
//! table, copy with `INSERT … SELECT`, drop the old one, and end with the old
//! name holding the new table, in either real order:
//!
//! - create `x_new` → copy → drop `x` → rename `x_new` to `x` (the documented
//!   order; drizzle's `__new_x`);
//! - rename `x` to `x_old` → create `x` → copy → drop `x_old`.
//!
//! Found from any of its DROP or RENAME steps by looking a bounded number of
//! statements around it, so the cost stays linear in the migration.

use sqlparser::tokenizer::Token;

use super::StmtCx;
use crate::catalog::Table;
use crate::parse::Stmt;
use crate::parse::ir::{Action, AlterKind, DmlKind, Name, ObjectKind};
use crate::parse::tokens::Tok;

/// How far around a step the other steps are looked for.
const WINDOW: usize = 256;

/// One rebuild of a table, by statement indexes in its migration part.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// The name the table has before and after.
    pub table: Name,
    /// The old table's name when it is dropped (`x`, or `x_old`).
    pub old: Name,
    /// The new table's name when it is created (`x_new`, or `x`).
    pub new: Name,
    pub create: usize,
    pub drop: usize,
    pub rename: usize,
    /// The `INSERT INTO new … SELECT … FROM old`, if there is one.
    pub copy: Option<Copy>,
    /// Where the copy is.
    pub copy_at: Option<usize>,
}

/// What the copy fills and reads.
#[derive(Debug, Clone, Default)]
pub struct Copy {
    /// The target columns (empty: the new table's columns in order).
    pub targets: Vec<String>,
    /// The words of each select expression, in order.
    pub sources: Vec<Vec<String>>,
    /// `SELECT *` (or `t.*`): every column of the old table.
    pub star: bool,
}

impl Copy {
    /// The old column `c` is read by the copy.
    pub fn reads(&self, c: &str) -> bool {
        self.star || self.sources.iter().any(|s| s.iter().any(|w| w == c))
    }

    /// The new column `c` (at `position` in the new table) is filled.
    pub fn fills(&self, c: &str, position: usize) -> bool {
        if self.targets.is_empty() {
            self.star || position < self.sources.len()
        } else {
            self.targets.iter().any(|t| t == c)
        }
    }

    /// The expression copied into the new column `c`, as its words.
    pub fn source_of(&self, c: &str, position: usize) -> Option<&[String]> {
        let i = if self.targets.is_empty() {
            position
        } else {
            self.targets.iter().position(|t| t == c)?
        };
        self.sources.get(i).map(Vec::as_slice)
    }
}

fn single_drop(s: &Stmt) -> Option<&Name> {
    match &s.action {
        Action::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } if names.len() == 1 => names.first(),
        _ => None,
    }
}

/// `ALTER TABLE from RENAME TO to` → (from, to), `to` in `from`'s schema.
fn rename_of(s: &Stmt) -> Option<(&Name, Name)> {
    let Action::AlterTable { table, ops, .. } = &s.action else {
        return None;
    };
    let [op] = ops.as_slice() else { return None };
    let AlterKind::RenameTo { to } = &op.kind else {
        return None;
    };
    Some((
        table,
        Name::new(
            to.schema.clone().or_else(|| table.schema.clone()),
            to.name.clone(),
        ),
    ))
}

fn creates(s: &Stmt, name: &Name) -> bool {
    matches!(&s.action, Action::CreateTable(ct) if &ct.name == name)
}

fn range(i: usize, len: usize) -> (usize, usize) {
    (i.saturating_sub(WINDOW), (i + WINDOW + 1).min(len))
}

/// The rebuild whose DROP or RENAME step is statement `i` of `stmts`.
pub fn find(stmts: &[&Stmt], i: usize, text: &str) -> Option<Rebuild> {
    let s = stmts.get(i)?;
    if single_drop(s).is_some() {
        return from_drop(stmts, i, text);
    }
    let (_, to) = rename_of(s)?;
    let (lo, hi) = range(i, stmts.len());
    // The drop of the same rebuild drops the renamed-to name, before
    // (documented order) or after (rename-old-first) the rename.
    (lo..hi)
        .filter(|&j| single_drop(stmts[j]).is_some_and(|d| *d == to))
        .find_map(|j| from_drop(stmts, j, text).filter(|r| r.rename == i))
}

/// The rebuild whose DROP step is statement `i`.
fn from_drop(stmts: &[&Stmt], i: usize, text: &str) -> Option<Rebuild> {
    let dropped = single_drop(stmts.get(i)?)?;
    let (lo, hi) = range(i, stmts.len());
    // Documented order: a table created before the drop is renamed to the
    // dropped name after it.
    for j in i + 1..hi {
        let Some((from, to)) = rename_of(stmts[j]) else {
            continue;
        };
        if &to != dropped {
            continue;
        }
        let Some(create) = (lo..i).rev().find(|&k| creates(stmts[k], from)) else {
            continue;
        };
        return Some(Rebuild {
            table: dropped.clone(),
            old: dropped.clone(),
            new: from.clone(),
            create,
            drop: i,
            rename: j,
            copy_at: copy_index(stmts, create, i, from),
            copy: copy_between(stmts, create, i, from, text),
        });
    }
    // Rename-old-first: the table was renamed to the dropped name, and a
    // table of its old name created, before the drop.
    for j in (lo..i).rev() {
        let Some((from, to)) = rename_of(stmts[j]) else {
            continue;
        };
        if &to != dropped {
            continue;
        }
        let create = (j + 1..i).find(|&k| creates(stmts[k], from))?;
        return Some(Rebuild {
            table: from.clone(),
            old: dropped.clone(),
            new: from.clone(),
            create,
            drop: i,
            rename: j,
            copy_at: copy_index(stmts, create, i, from),
            copy: copy_between(stmts, create, i, from, text),
        });
    }
    through_backup(stmts, i, dropped, text)
}

/// The rebuild through a copy: create `b`, copy `x` into it, drop `x`,
/// create `x` again, copy `b` back, drop `b`. Found from either drop; from
/// the first, old and new are both `x` as it was (only objects are judged),
/// from the second, old is `b`.
fn through_backup(stmts: &[&Stmt], i: usize, dropped: &Name, text: &str) -> Option<Rebuild> {
    let (lo, hi) = range(i, stmts.len());
    // `INSERT INTO t … SELECT … FROM from` → t.
    let needle = |from: &Name| format!("FROM {}", from.name.to_uppercase());
    let copy_from = |k: usize, needle: &str| match &stmts[k].action {
        Action::Dml {
            kind: DmlKind::InsertSelect,
            table,
        } if crate::parse::normalized(text, stmts[k].span, crate::model::Dialect::Sqlite)
            .contains(needle) =>
        {
            Some(table)
        }
        _ => None,
    };
    let from_dropped = needle(dropped);
    // First drop: `x` copied into a table created here, then created again.
    let backup = (lo..i).rev().find_map(|k| {
        copy_from(k, &from_dropped)
            .filter(|b| *b != dropped && (lo..k).any(|m| creates(stmts[m], b)))
    });
    if let Some(backup) = backup
        && let Some(create) = (i + 1..hi).find(|&k| creates(stmts[k], dropped))
        && (create + 1..hi).any(|k| single_drop(stmts[k]) == Some(backup))
    {
        return Some(Rebuild {
            table: dropped.clone(),
            old: dropped.clone(),
            new: dropped.clone(),
            create,
            drop: i,
            rename: i,
            copy: None,
            copy_at: None,
        });
    }
    // Second drop: the backup, copied into a table dropped and created again.
    for m in (lo..i).rev() {
        let Some(into) = copy_from(m, &from_dropped).filter(|t| *t != dropped) else {
            continue;
        };
        let Some(create) = (lo..m).rev().find(|&k| creates(stmts[k], into)) else {
            continue;
        };
        let Some(first) = (lo..create)
            .rev()
            .find(|&k| single_drop(stmts[k]) == Some(into))
        else {
            continue;
        };
        return Some(Rebuild {
            table: into.clone(),
            old: dropped.clone(),
            new: into.clone(),
            create,
            drop: i,
            rename: first,
            copy_at: copy_index(stmts, create, i, into),
            copy: copy_between(stmts, create, i, into, text),
        });
    }
    None
}

/// `DROP TABLE IF EXISTS t` of a table the schema does not hold, just
/// before this migration creates `t`: a guard, nothing is dropped.
pub fn is_guard(cx: &StmtCx<'_>) -> bool {
    let Action::Drop {
        kind: ObjectKind::Table,
        names,
        if_exists: true,
        ..
    } = &cx.stmt.action
    else {
        return false;
    };
    let (_, hi) = range(cx.index, cx.siblings.len());
    names.iter().all(|n| {
        cx.catalog.table(n).is_none() && (cx.index + 1..hi).any(|k| creates(cx.siblings[k], n))
    })
}

fn copy_index(stmts: &[&Stmt], from: usize, to: usize, into: &Name) -> Option<usize> {
    (from + 1..to).find(|&k| {
        matches!(&stmts[k].action, Action::Dml { kind: DmlKind::InsertSelect, table } if table == into)
    })
}

fn copy_between(stmts: &[&Stmt], from: usize, to: usize, into: &Name, text: &str) -> Option<Copy> {
    (from + 1..to).find_map(|k| match &stmts[k].action {
        Action::Dml {
            kind: DmlKind::InsertSelect,
            table,
        } if table == into => {
            let s = stmts[k];
            read_copy(text.get(s.span.start..s.span.end)?)
        }
        _ => None,
    })
}

/// Reads `INSERT [OR …] INTO t [(cols)] SELECT e1, e2 … FROM …`.
fn read_copy(sql: &str) -> Option<Copy> {
    let (toks, _) = crate::parse::tokenize(sql, crate::model::Dialect::Sqlite);
    let word = |t: &Tok| t.word().map(|w| w.value.to_lowercase());
    let mut i = toks.iter().position(|t| t.is_word("INTO"))? + 1;
    // The table name (possibly qualified).
    i += 1;
    while toks
        .get(i)
        .is_some_and(|t| matches!(t.token(), Token::Period))
    {
        i += 2;
    }
    let mut copy = Copy::default();
    if toks
        .get(i)
        .is_some_and(|t| matches!(t.token(), Token::LParen))
    {
        i += 1;
        while let Some(t) = toks.get(i) {
            i += 1;
            match t.token() {
                Token::RParen => break,
                Token::Comma => {}
                _ => copy.targets.extend(word(t)),
            }
        }
    }
    if !toks.get(i).is_some_and(|t| t.is_word("SELECT")) {
        return None;
    }
    i += 1;
    if toks.get(i).is_some_and(|t| t.is_word("DISTINCT")) {
        i += 1;
    }
    let mut depth = 0usize;
    let mut current: Vec<String> = Vec::new();
    let mut star = false;
    // After `SELECT`, `,` or `t.`: a `*` here is every column, not a product.
    let mut starts = true;
    while let Some(t) = toks.get(i) {
        i += 1;
        let at_start = std::mem::replace(&mut starts, false);
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                copy.sources.push(std::mem::take(&mut current));
                starts = true;
                continue;
            }
            Token::Period => starts = true,
            Token::Mul if depth == 0 && at_start => star = true,
            _ if depth == 0 && t.is_word("FROM") => break,
            _ => {}
        }
        if let Some(w) = word(t) {
            current.push(w);
        }
    }
    copy.sources.push(current);
    copy.star = star && copy.sources.len() == 1;
    Some(copy)
}

/// The rebuild whose DROP step is this statement, with the old and new
/// tables as the catalog holds them at that moment.
pub fn at_drop<'a>(cx: &StmtCx<'a>) -> Option<(Rebuild, &'a Table, &'a Table)> {
    single_drop(cx.stmt)?;
    let r = from_drop(cx.siblings, cx.index, cx.text)?;
    let old = cx.catalog.table(&r.old)?;
    let new = cx.catalog.table(&r.new)?;
    Some((r, old, new))
}

/// Whether statement `i` is a DROP or RENAME step of a rebuild.
pub fn is_step(cx: &StmtCx<'_>) -> bool {
    find(cx.siblings, cx.index, cx.text).is_some()
}

#[cfg(test)]
mod tests {
    use super::read_copy;

    #[test]
    fn reads_what_the_copy_fills_and_reads() {
        let c = read_copy("INSERT INTO t_new (a, b) SELECT x, coalesce(y, '') FROM t WHERE z > 1")
            .unwrap_or_default();
        assert_eq!(c.targets, ["a", "b"]);
        assert_eq!(c.sources, [vec!["x"], vec!["coalesce", "y"]]);
        assert!(!c.star);
        assert!(c.reads("y") && !c.reads("z"));
        assert!(c.fills("b", 5) && !c.fills("c", 0));
    }

    #[test]
    fn a_star_copies_every_column_but_a_product_does_not() {
        let star = read_copy("INSERT INTO t_new SELECT * FROM t").unwrap_or_default();
        assert!(star.star && star.reads("anything"));
        let qualified = read_copy("INSERT INTO t_new SELECT t.* FROM t").unwrap_or_default();
        assert!(qualified.star);
        let product = read_copy("INSERT INTO t_new SELECT a * 2 FROM t").unwrap_or_default();
        assert!(!product.star && product.reads("a") && !product.reads("b"));
        // Positional: the first columns of the new table are filled.
        assert!(product.fills("first", 0) && !product.fills("second", 1));
    }

    #[test]
    fn not_a_copy() {
        assert!(read_copy("INSERT INTO t VALUES (1)").is_none());
    }
}
