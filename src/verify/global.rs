//! Statements that reach past the scratch database: roles and users,
//! databases, tablespaces, server settings, another MySQL database. On a
//! server given by URL they stop the run before anything executes, unless
//! `--allow-global-changes` lets bellows undo them (roles, users and
//! databases the run creates); some are refused whatever the flags.

use crate::model::Dialect;
use crate::parse::ir::ObjectKind;
use crate::parse::{Action, Stmt};

/// What a statement does outside the scratch database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Creates roles or users: undone by dropping them afterwards.
    CreatesRoles,
    /// Changes or drops these roles or users (lower-cased names): allowed
    /// only when the run created them.
    ChangesRoles(Vec<String>),
    /// Creates a database: dropped afterwards.
    CreatesDatabase(String),
    /// Drops a database: allowed only when the run created it.
    DropsDatabase(String),
    /// Never run on a shared server.
    Never,
}

/// A role, user or database name as the server compares it.
fn name(word: &str) -> String {
    word.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_lowercase()
}

/// Role or user names in `words` until a keyword that ends the list
/// (MySQL's `'bob'@'%'` gives `bob`).
fn names(words: &[&str], stop: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut host = false;
    for w in words {
        if stop.contains(w) {
            break;
        }
        match *w {
            "@" => {
                host = true;
                continue;
            }
            "," => {}
            _ if host => {}
            _ => out.push(name(w)),
        }
        host = false;
    }
    out
}

/// The name part of a role identity as [`super::Engine::roles`] gives it
/// (`'bob'@'%'` → `bob`).
pub fn role_name(identity: &str) -> String {
    let user = identity.rsplit_once("'@'").map_or(identity, |(u, _)| u);
    name(user)
}

/// What a statement (`text` its file's text) reaches outside the scratch
/// database, if anything, with the words that say so.
pub fn reach(stmt: &Stmt, text: &str, dialect: Dialect) -> Option<(Reach, String)> {
    let normalized = crate::parse::normalized(text, stmt.span, dialect);
    let words: Vec<&str> = normalized.split(' ').collect();
    let w = |i: usize| words.get(i).copied().unwrap_or("");
    let what = |n: usize| words.iter().take(n).copied().collect::<Vec<_>>().join(" ");
    let role_word = |s: &str| matches!(s, "ROLE" | "USER" | "GROUP");
    match (w(0), w(1)) {
        ("ALTER", "SYSTEM")
        | ("SET", "GLOBAL" | "PERSIST" | "PERSIST_ONLY")
        | ("CREATE" | "ALTER" | "DROP", "TABLESPACE") => return Some((Reach::Never, what(2))),
        ("USE", _) if dialect == Dialect::Mysql => return Some((Reach::Never, what(2))),
        ("CREATE", r) if role_word(r) => return Some((Reach::CreatesRoles, what(2))),
        ("ALTER" | "DROP" | "RENAME", r) if role_word(r) => {
            let rest = &words[2.min(words.len())..];
            let rest = if rest.first() == Some(&"IF") {
                &rest[2.min(rest.len())..]
            } else {
                rest
            };
            let list = if w(0) == "ALTER" {
                rest.iter().take(1).map(|x| name(x)).collect()
            } else {
                names(rest, &["TO"])
            };
            return Some((Reach::ChangesRoles(list), what(2)));
        }
        ("GRANT" | "REVOKE", _) => {
            let on = words.contains(&"ON");
            // PostgreSQL: a privilege on an object of the scratch database
            // stays there; membership in a role changes the grantee.
            if dialect == Dialect::Postgres && on {
                return None;
            }
            let to = words
                .iter()
                .position(|x| *x == "TO" || *x == "FROM")
                .map_or(&[][..], |p| &words[p + 1..]);
            return Some((
                Reach::ChangesRoles(names(to, &["WITH", "GRANTED", "IDENTIFIED", "REQUIRE"])),
                what(1),
            ));
        }
        _ => {}
    }
    match &stmt.action {
        Action::NoTransaction {
            what: "CREATE DATABASE",
        } => {
            let n = words
                .iter()
                .skip(2)
                .find(|x| !matches!(**x, "IF" | "NOT" | "EXISTS"))
                .map(|x| name(x))
                .unwrap_or_default();
            Some((Reach::CreatesDatabase(n), what(2)))
        }
        Action::CreateSchema { name: n } if dialect == Dialect::Mysql => {
            Some((Reach::CreatesDatabase(n.to_lowercase()), what(2)))
        }
        Action::Drop { kind, names, .. }
            if *kind == ObjectKind::Database
                || (*kind == ObjectKind::Schema && dialect == Dialect::Mysql) =>
        {
            let n = names
                .first()
                .map(|n| n.name.to_lowercase())
                .unwrap_or_default();
            Some((Reach::DropsDatabase(n), what(2)))
        }
        _ if w(0) == "ALTER" && w(1) == "DATABASE" => Some((Reach::Never, what(2))),
        _ if dialect == Dialect::Mysql => other_database(&stmt.action)
            .map(|db| (Reach::Never, format!("{} names the database {db}", what(2)))),
        _ => None,
    }
}

/// MySQL: a table named with a database (`other.t`) is in another database.
fn other_database(action: &Action) -> Option<String> {
    let schema = |n: &crate::parse::ir::Name| n.schema.clone();
    match action {
        Action::CreateTable(ct) => schema(&ct.name),
        Action::AlterTable { table, .. } | Action::Dml { table, .. } => schema(table),
        Action::CreateView(v) => schema(&v.name),
        Action::Drop { names, .. } | Action::Truncate { tables: names } => {
            names.iter().find_map(schema)
        }
        Action::RenameTables(pairs) => pairs
            .iter()
            .find_map(|(a, b)| schema(a).or_else(|| schema(b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(sql: &str, d: Dialect) -> Option<Reach> {
        let p = crate::parse::parse_file(sql, d);
        p.statements
            .first()
            .and_then(|s| reach(s, sql, d))
            .map(|r| r.0)
    }

    #[test]
    fn statements_outside_the_database_are_found() {
        let pg = Dialect::Postgres;
        let my = Dialect::Mysql;
        assert_eq!(
            first("CREATE ROLE anon NOLOGIN", pg),
            Some(Reach::CreatesRoles)
        );
        assert_eq!(
            first("ALTER ROLE \"Anon\" SET x = 1", pg),
            Some(Reach::ChangesRoles(vec!["anon".into()]))
        );
        assert_eq!(
            first("GRANT anon TO authenticator", pg),
            Some(Reach::ChangesRoles(vec!["authenticator".into()]))
        );
        assert_eq!(first("GRANT SELECT ON t TO anon", pg), None);
        assert_eq!(
            first("ALTER SYSTEM SET work_mem = '1MB'", pg),
            Some(Reach::Never)
        );
        assert_eq!(
            first("DROP ROLE IF EXISTS anon, bob", pg),
            Some(Reach::ChangesRoles(vec!["anon".into(), "bob".into()]))
        );
        assert_eq!(
            first("CREATE DATABASE foo", pg),
            Some(Reach::CreatesDatabase("foo".into()))
        );
        assert_eq!(
            first("DROP DATABASE foo", pg),
            Some(Reach::DropsDatabase("foo".into()))
        );
        assert_eq!(first("USE other", my), Some(Reach::Never));
        assert_eq!(
            first("GRANT ALL ON *.* TO 'bob'@'%'", my),
            Some(Reach::ChangesRoles(vec!["bob".into()]))
        );
        assert_eq!(
            first("SET GLOBAL max_connections = 10", my),
            Some(Reach::Never)
        );
        assert_eq!(
            first("CREATE TABLE other.t (id int)", my),
            Some(Reach::Never)
        );
        assert_eq!(first("CREATE TABLE t (id int)", my), None);
        assert_eq!(first("CREATE SCHEMA audit", pg), None);
    }
}
