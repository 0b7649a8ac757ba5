//! non-atomic-ddl: a MySQL/MariaDB migration with more than one DDL statement.

use std::collections::BTreeSet;

use super::{Check, Class, Dialects, Hit, MigrationCx, Rule};
use crate::model::{Dialect, Severity};
use crate::parse::Stmt;
use crate::parse::ir::{Action, AlterKind, Name, ObjectKind};
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
    summary: "a MySQL migration with several DDL statements, each committed on its own, can fail half applied",
    doc: include_str!("../../rules/non-atomic-ddl.md"),
    check: Check::Migration(check),
};

/// How many heads the help lists before it shortens the list.
const LISTED: usize = 4;

/// Whether a statement is DDL that MySQL commits on its own: `CREATE`,
/// `ALTER`, `DROP`, `RENAME`, `TRUNCATE`, but not temporary tables, which
/// neither commit nor outlive the session.
fn is_ddl(stmt: &Stmt) -> bool {
    let mut words = stmt.normalized.split(' ');
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
}

/// Reported on the second DDL statement of an up or a down, once per part.
fn check(cx: &MigrationCx<'_>, out: &mut Vec<Hit>) {
    if cx.dialect != Dialect::Mysql {
        return;
    }
    let label = super::migration_label(cx.migration);
    let parts = [
        ("up", cx.migration.up, &cx.up),
        ("down", cx.migration.down, &cx.down),
    ];
    for (name, part, stmts) in parts {
        let Some(file) = part.map(|p| p.file) else {
            continue;
        };
        let ddl: Vec<&Stmt> = stmts.iter().copied().filter(|s| is_ddl(s)).collect();
        let Some(second) = ddl.get(1) else { continue };
        let part = Part {
            stmts,
            text: cx.text(file),
        };
        let message = format!(
            "the {name} of {label} runs {} DDL statements and MySQL commits each one on its own: if this one or a \
             later one fails, the ones before it stay applied and the migration is left half done",
            ddl.len()
        );
        let help = match combined(&part, &ddl) {
            Some(sql) => format!(
                "make them one statement, which MySQL applies all or nothing: `{sql}`; or give each its own migration"
            ),
            None => split_help(&part, &ddl),
        };
        out.push(Hit {
            file,
            span: Some(second.span),
            message,
            help,
            severity: None,
            tables: Vec::new(),
        });
    }
}

/// The statement's verb and object, with the user's names: `ALTER TABLE orders`.
fn head(stmt: &Stmt) -> String {
    match &stmt.action {
        Action::CreateTable(ct) => format!("CREATE TABLE {}", ct.name),
        Action::CreateView { name, .. } => format!("CREATE VIEW {name}"),
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
                _ => return words(stmt, 2),
            };
            let name = names.first().map(ToString::to_string).unwrap_or_default();
            match table {
                Some(t) => format!("DROP {kind} {name} ON {t}"),
                None => format!("DROP {kind} {name}"),
            }
        }
        Action::RenameTables(pairs) => match pairs.first() {
            Some((from, to)) => format!("RENAME TABLE {from} TO {to}"),
            None => words(stmt, 2),
        },
        Action::Truncate { tables } => match tables.first() {
            Some(t) => format!("TRUNCATE TABLE {t}"),
            None => words(stmt, 2),
        },
        _ => words(stmt, 2),
    }
}

/// The first `n` words of the statement's normalised text.
fn words(stmt: &Stmt, n: usize) -> String {
    stmt.normalized
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
        .any(|s| !is_ddl(s) && !matches!(s.action, Action::Set { .. }))
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
        .map(|s| format!("`{}`", head(s)))
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
