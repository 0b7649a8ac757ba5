//! non-atomic-ddl: a MySQL/MariaDB migration that can fail half applied.

use std::collections::BTreeSet;

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::catalog::Catalog;
use crate::model::{Dialect, Severity};
use crate::parse::Stmt;
use crate::parse::ir::{Action, AlterKind, ConstraintKind, Name, ObjectKind, TypeName};
use crate::parse::tokens::Tok;

pub static RULE: Rule = Rule {
    id: "non-atomic-ddl",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects {
        postgres: false,
        mysql: true,
        sqlite: false,
    },
    summary: "a MySQL migration that changes existing tables in several statements, each committed on its own, can fail half applied",
    doc: include_str!("../../rules/non-atomic-ddl.md"),
    check: Check::Migration(check),
};

/// How many heads the help lists before it shortens the list.
const LISTED: usize = 4;

/// Whether a statement is DDL that MySQL commits on its own: `CREATE`,
/// `ALTER`, `DROP`, `RENAME`, `TRUNCATE`, but not temporary tables, which
/// neither commit nor outlive the session.
fn is_ddl(part: &Part<'_>, stmt: &Stmt) -> bool {
    let normalized = part.normalized(stmt);
    let mut words = normalized.split(' ');
    let first = words.next().unwrap_or("");
    match first {
        "ALTER" | "RENAME" | "TRUNCATE" => true,
        "CREATE" | "DROP" => words.next() != Some("TEMPORARY"),
        _ => false,
    }
}

/// An up or a down: its statements and the text of its file.
struct Part<'a> {
    stmts: &'a [&'a Stmt],
    text: &'a str,
}

impl Part<'_> {
    /// The user's own text of a statement.
    fn source(&self, stmt: &Stmt) -> &str {
        self.text.get(stmt.span.start..stmt.span.end).unwrap_or("")
    }

    /// A statement's normalised text (`parse::normalized`).
    fn normalized(&self, stmt: &Stmt) -> String {
        crate::parse::normalized(self.text, stmt.span, Dialect::Mysql)
    }
}

/// The tables a statement changes (DDL or a row change), by name.
fn targets(stmt: &Stmt) -> Vec<&Name> {
    match &stmt.action {
        Action::AlterTable { table, .. } | Action::Dml { table, .. } => vec![table],
        Action::CreateIndex(ci) => vec![&ci.table],
        Action::Drop {
            kind: ObjectKind::Table | ObjectKind::View,
            names,
            ..
        }
        | Action::Truncate { tables: names } => names.iter().collect(),
        Action::Drop {
            kind: ObjectKind::Index,
            table: Some(t),
            ..
        } => vec![t],
        Action::RenameTables(pairs) => pairs.iter().map(|(from, _)| from).collect(),
        _ => Vec::new(),
    }
}

/// Why a statement can fail on the rows a table already holds, if it can.
fn can_fail(stmt: &Stmt, catalog: &Catalog) -> Option<&'static str> {
    match &stmt.action {
        Action::Dml { .. } => {
            Some("a row change can fail on a key, a constraint or a value that does not fit")
        }
        Action::CreateIndex(ci) if ci.unique => Some("a unique index fails on duplicate values"),
        Action::AlterTable { table, ops, .. } => {
            let old = catalog.table(table);
            ops.iter().find_map(|op| match &op.kind {
                AlterKind::AddConstraint(d) => match d.kind {
                    ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
                        Some("a unique index or key fails on duplicate values")
                    }
                    ConstraintKind::ForeignKey { .. } => {
                        Some("a foreign key fails on rows without a parent")
                    }
                    ConstraintKind::Check { .. } => Some("a CHECK fails on rows that break it"),
                    _ => None,
                },
                AlterKind::AddColumn { column, .. } if column.unique || column.primary_key => {
                    Some("a unique index or key fails on duplicate values")
                }
                AlterKind::SetNotNull { .. } => Some("NOT NULL fails on the NULLs a column holds"),
                AlterKind::SetType { .. } => Some("a type change fails on values that do not fit"),
                AlterKind::Redefine { from, column } => {
                    // Only what bellows knows of the column before.
                    let before = old.and_then(|t| t.column(from))?;
                    if column.not_null && !before.not_null {
                        Some("NOT NULL fails on the NULLs a column holds")
                    } else if let (Some(o), Some(n)) = (&before.ty, &column.ty)
                        && o != n
                        && !widens(o, n)
                    {
                        Some("a type change fails on values that do not fit")
                    } else {
                        None
                    }
                }
                _ => None,
            })
        }
        _ => None,
    }
}

/// Whether every value of type `old` fits type `new` unchanged: a change
/// that cannot fail on the data.
fn widens(old: &TypeName, new: &TypeName) -> bool {
    let arg = |t: &TypeName, i: usize| t.args.get(i).and_then(|a| a.parse::<u64>().ok());
    let rank = |family: &[&str], base: &str| family.iter().position(|b| *b == base);
    let families: [&[&str]; 4] = [
        &["tinyint", "smallint", "mediumint", "integer", "bigint"],
        &["tinytext", "text", "mediumtext", "longtext"],
        &["tinyblob", "blob", "mediumblob", "longblob"],
        &["float4", "float8"],
    ];
    for family in families {
        if let (Some(a), Some(b)) = (rank(family, &old.base), rank(family, &new.base)) {
            return b >= a;
        }
    }
    match (old.base.as_str(), new.base.as_str()) {
        ("varchar" | "char", "varchar") | ("varbinary", "varbinary") => {
            matches!((arg(old, 0), arg(new, 0)), (Some(a), Some(b)) if b >= a)
        }
        ("varchar" | "char", "tinytext" | "text" | "mediumtext" | "longtext") => true,
        ("numeric", "numeric") => match (arg(old, 0), arg(old, 1), arg(new, 0), arg(new, 1)) {
            (Some(p), s, Some(p2), s2) => {
                let (s, s2) = (s.unwrap_or(0), s2.unwrap_or(0));
                s2 >= s && p2.saturating_sub(s2) >= p.saturating_sub(s)
            }
            _ => false,
        },
        ("enum" | "set", _) => new.base == old.base && new.args.starts_with(&old.args),
        _ => false,
    }
}

/// Reported once per up, on the first statement that can fail on existing
/// data after another statement already changed an existing table: only
/// there can a failure leave the migration half applied. Not for downs.
fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect != Dialect::Mysql {
        return;
    }
    let Some(file) = cx.migration.up.map(|p| p.file) else {
        return;
    };
    let stmts = &cx.up;
    // The tables of this migration, replayed as it goes (only those it touches are copied).
    let mut catalog = cx.before.subset(stmts.iter().map(|s| &s.action));
    let mut created: BTreeSet<Name> = BTreeSet::new();
    let mut before: Vec<&Stmt> = Vec::new();
    let part = Part {
        stmts,
        text: cx.text(file),
    };
    for s in stmts.iter().copied() {
        let existing: Vec<&Name> = targets(s)
            .into_iter()
            .filter(|t| !created.contains(*t))
            .collect();
        let changes_existing =
            !existing.is_empty() && (matches!(s.action, Action::Dml { .. }) || is_ddl(&part, s));
        if changes_existing
            && !before.is_empty()
            && let Some(why) = can_fail(s, &catalog)
        {
            let ddl: Vec<&Stmt> = stmts.iter().copied().filter(|x| is_ddl(&part, x)).collect();
            let mut tables: Vec<String> = before
                .iter()
                .flat_map(|b| targets(b))
                .filter(|t| !created.contains(*t))
                .map(ToString::to_string)
                .collect();
            tables.dedup();
            let n = before.len();
            let message = format!(
                "if this statement fails ({why}), the {} before it that changed {} {} applied: MySQL commits \
                 each DDL statement on its own, so the migration is left half done",
                if n == 1 {
                    "statement".to_string()
                } else {
                    format!("{n} statements")
                },
                tables.join(", "),
                if n == 1 { "stays" } else { "stay" }
            );
            let help = match combined(&part, &ddl) {
                Some(sql) => format!(
                    "make them one statement, which MySQL applies all or nothing: `{sql}`; or give each its own migration"
                ),
                None => split_help(&part, &ddl),
            };
            out.push(Hit {
                file,
                span: Some(s.span),
                message,
                help,
                severity: None,
                tables: Vec::new(),
                fix: None,
            });
            return;
        }
        if changes_existing {
            before.push(s);
        }
        match &s.action {
            Action::CreateTable(ct) => {
                created.insert(ct.name.clone());
            }
            Action::RenameTables(pairs) => {
                for (from, to) in pairs {
                    if created.contains(from) {
                        created.insert(to.clone());
                    }
                }
            }
            _ => {}
        }
        catalog.apply(&s.action);
    }
}

/// The statement's verb and object, with the user's names: `ALTER TABLE orders`.
fn head(part: &Part<'_>, stmt: &Stmt) -> String {
    match &stmt.action {
        Action::CreateTable(ct) => format!("CREATE TABLE {}", ct.name),
        Action::CreateView(v) => format!("CREATE VIEW {}", v.name),
        Action::CreateIndex(ci) => match &ci.name {
            Some(n) => format!("CREATE INDEX {n} ON {}", ci.table),
            None => format!("CREATE INDEX ON {}", ci.table),
        },
        Action::AlterTable { table, .. } => format!("ALTER TABLE {table}"),
        Action::Drop {
            kind, names, table, ..
        } => {
            let kind = match kind {
                ObjectKind::Table => "TABLE",
                ObjectKind::View => "VIEW",
                ObjectKind::Index => "INDEX",
                ObjectKind::Database => "DATABASE",
                ObjectKind::Schema => "SCHEMA",
                _ => return words(part, stmt, 2),
            };
            let name = names.first().map(ToString::to_string).unwrap_or_default();
            match table {
                Some(t) => format!("DROP {kind} {name} ON {t}"),
                None => format!("DROP {kind} {name}"),
            }
        }
        Action::RenameTables(pairs) => match pairs.first() {
            Some((from, to)) => format!("RENAME TABLE {from} TO {to}"),
            None => words(part, stmt, 2),
        },
        Action::Truncate { tables } => match tables.first() {
            Some(t) => format!("TRUNCATE TABLE {t}"),
            None => words(part, stmt, 2),
        },
        _ => words(part, stmt, 2),
    }
}

/// The first `n` words of the statement's normalised text.
fn words(part: &Part<'_>, stmt: &Stmt, n: usize) -> String {
    part.normalized(stmt)
        .split(' ')
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// When every DDL statement is an `ALTER TABLE` of one table, the single
/// statement that does all of it, in the user's own words. Not when other
/// statements run between them (a backfill between adding a column and
/// tightening it must stay between), nor when two of them touch the same
/// column: one statement cannot change a column another clause adds.
fn combined(part: &Part<'_>, ddl: &[&Stmt]) -> Option<String> {
    let first = ddl.first()?.span.start;
    let last = ddl.last()?.span.end;
    let between = |s: &&&Stmt| s.span.start > first && s.span.end < last;
    if part
        .stmts
        .iter()
        .filter(between)
        .any(|s| !is_ddl(part, s) && !matches!(s.action, Action::Set { .. }))
    {
        return None;
    }
    let mut table: Option<&Name> = None;
    let mut head = None;
    let mut clauses = Vec::new();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for s in ddl {
        let Action::AlterTable { table: t, ops, .. } = &s.action else {
            return None;
        };
        if table.is_some_and(|x| x != t) || ops.is_empty() {
            return None;
        }
        table = Some(t);
        let mine: Vec<String> = ops
            .iter()
            .flat_map(|o| columns_of(&o.kind))
            .map(str::to_ascii_lowercase)
            .collect();
        if mine.iter().any(|c| touched.contains(c)) {
            return None;
        }
        touched.extend(mine);
        let (h, c) = alter_parts(part, s)?;
        head.get_or_insert(h);
        clauses.push(c);
    }
    Some(format!("{} {}", head?, clauses.join(", ")))
}

/// The columns an `ALTER TABLE` clause adds, drops, renames or changes.
fn columns_of(kind: &AlterKind) -> Vec<&str> {
    match kind {
        AlterKind::AddColumn { column, .. } => vec![column.name.as_str()],
        AlterKind::RenameColumn { from, to } => vec![from.as_str(), to.as_str()],
        AlterKind::Redefine { from, column } => vec![from.as_str(), column.name.as_str()],
        AlterKind::DropColumn { name: column, .. }
        | AlterKind::SetType { column, .. }
        | AlterKind::SetNotNull { column }
        | AlterKind::DropNotNull { column }
        | AlterKind::SetDefault { column, .. }
        | AlterKind::DropDefault { column }
        | AlterKind::SetExpression { column }
        | AlterKind::SetStatistics { column } => vec![column.as_str()],
        _ => Vec::new(),
    }
}

/// An `ALTER TABLE` in the user's words, on one line, cut after its table
/// name: (`ALTER TABLE orders`, `ADD COLUMN note text, ADD INDEX idx_note (note)`).
fn alter_parts(part: &Part<'_>, stmt: &Stmt) -> Option<(String, String)> {
    let text = part.source(stmt);
    let (toks, _) = crate::parse::tokenize(text, Dialect::Mysql);
    // ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] name[.name]
    let mut i = 1;
    while toks.get(i).is_some_and(|t| !t.is_word("TABLE")) {
        i += 1;
        if i > 3 {
            return None;
        }
    }
    i += 1;
    if toks.get(i).is_some_and(|t| t.is_word("IF")) {
        i += 2;
    }
    i += 1;
    while toks
        .get(i)
        .is_some_and(|t| matches!(t.token(), sqlparser::tokenizer::Token::Period))
    {
        i += 2;
    }
    Some((joined(text, toks.get(..i)?)?, joined(text, toks.get(i..)?)?))
}

/// Tokens as written, one space where whitespace or a comment stood
/// between two of them.
fn joined(text: &str, toks: &[Tok]) -> Option<String> {
    let mut out = String::new();
    let mut end = toks.first()?.span.start;
    for t in toks {
        if t.span.start > end {
            out.push(' ');
        }
        out.push_str(text.get(t.span.start..t.span.end)?);
        end = t.span.end;
    }
    Some(out)
}

/// The help when the statements cannot be one: a migration each.
fn split_help(part: &Part<'_>, ddl: &[&Stmt]) -> String {
    let mut heads: Vec<String> = ddl
        .iter()
        .take(LISTED)
        .map(|s| format!("`{}`", head(part, s)))
        .collect();
    if ddl.len() > LISTED {
        heads.push(format!("and {} more", ddl.len() - LISTED));
    }
    let mut help = format!(
        "give each DDL statement a migration of its own ({}), so that a failure leaves nothing half applied",
        heads.join(", ")
    );
    // Changes to one table can share a single ALTER TABLE, which is atomic,
    // when nothing has to run between them.
    let mut alters: Vec<(&Name, Vec<&Stmt>)> = Vec::new();
    for s in ddl {
        if let Action::AlterTable { table, .. } = &s.action {
            match alters.iter_mut().find(|(t, _)| *t == table) {
                Some((_, v)) => v.push(s),
                None => alters.push((table, vec![s])),
            }
        }
    }
    let shared = alters
        .iter()
        .find(|(_, v)| v.len() > 1 && combined(part, v).is_some());
    if let Some((table, v)) = shared {
        help = format!(
            "{help}; the {} changes to {table} can share one `ALTER TABLE {table} …`, which MySQL applies all or nothing",
            v.len()
        );
    }
    // A new table's indexes can be declared inside its CREATE TABLE.
    let new_table_index = ddl.iter().enumerate().find_map(|(i, s)| match &s.action {
        Action::CreateIndex(ci)
            if ddl[..i]
                .iter()
                .any(|c| matches!(&c.action, Action::CreateTable(ct) if ct.name == ci.table)) =>
        {
            Some(&ci.table)
        }
        _ => None,
    });
    if let Some(table) = new_table_index {
        help = format!(
            "{help}; the indexes of the new table {table} can be declared inside its `CREATE TABLE`"
        );
    }
    help
}
