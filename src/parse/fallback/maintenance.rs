//! Maintenance statements: `REINDEX`, `REFRESH MATERIALIZED VIEW`, `VACUUM`,
//! `CLUSTER`, MySQL `OPTIMIZE TABLE`, `TRUNCATE`, `LOCK TABLE`.

use sqlparser::tokenizer::Token;

use super::Cursor;
use crate::parse::ir::{Action, Name, ObjectKind};
use crate::parse::tokens::Tok;

impl Cursor<'_> {
    /// REINDEX [(options)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM name.
    pub(super) fn reindex(&mut self) -> Option<Action> {
        self.i += 1;
        // `REINDEX (CONCURRENTLY [true], VERBOSE, …) …` (PostgreSQL 14+).
        let options = self.options();
        let kind = if self.eat("INDEX") {
            ObjectKind::Index
        } else if self.eat("TABLE") {
            ObjectKind::Table
        } else if self.eat("SCHEMA") {
            ObjectKind::Schema
        } else if self.eat("DATABASE") {
            ObjectKind::Database
        } else if self.eat("SYSTEM") {
            // The system catalogs only.
            ObjectKind::Other
        } else {
            return None;
        };
        let concurrently = self.eat("CONCURRENTLY") || option_on(&options, "CONCURRENTLY");
        let name = self.name().unwrap_or_else(|| Name::bare(""));
        Some(Action::Reindex {
            kind,
            name,
            concurrently,
        })
    }

    /// REFRESH MATERIALIZED VIEW [CONCURRENTLY] name.
    pub(super) fn refresh(&mut self) -> Option<Action> {
        self.i += 1;
        if !self.eat_all(&["MATERIALIZED", "VIEW"]) {
            return None;
        }
        let concurrently = self.eat("CONCURRENTLY");
        let name = self.name()?;
        Some(Action::RefreshMaterializedView { name, concurrently })
    }

    /// VACUUM [FULL] [options] [tables]: only FULL rewrites.
    pub(super) fn vacuum(&mut self) -> Action {
        self.i += 1;
        let mut full = false;
        loop {
            if self.eat("FULL") {
                full = true;
            } else if self.eat("FREEZE")
                || self.eat("VERBOSE")
                || self.eat("ANALYZE")
                || self.eat("ANALYSE")
            {
            } else if matches!(self.peek().map(Tok::token), Some(Token::LParen)) {
                // `(FULL)`, `(FULL true)`; `(FULL false|off|0)` rewrites nothing.
                full |= option_on(&self.options(), "FULL");
            } else {
                break;
            }
        }
        let tables = self.names();
        Action::Vacuum { full, tables }
    }

    /// CLUSTER [VERBOSE] [table].
    pub(super) fn cluster(&mut self) -> Action {
        self.i += 1;
        self.eat("VERBOSE");
        let table = self.name();
        Action::Cluster { table }
    }

    /// MySQL OPTIMIZE [NO_WRITE_TO_BINLOG|LOCAL] TABLE tables: rebuilds them.
    pub(super) fn optimize(&mut self) -> Option<Action> {
        self.i += 1;
        self.eat("NO_WRITE_TO_BINLOG");
        self.eat("LOCAL");
        if !self.eat("TABLE") {
            return None;
        }
        Some(Action::Optimize {
            tables: self.names(),
        })
    }

    /// TRUNCATE [TABLE] [ONLY] tables.
    pub(super) fn truncate(&mut self) -> Action {
        self.i += 1;
        self.eat("TABLE");
        self.eat("ONLY");
        Action::Truncate {
            tables: self.names(),
        }
    }

    /// LOCK [TABLE] [ONLY] table [IN mode MODE]: the weak modes block nothing that matters.
    pub(super) fn lock(&mut self) -> Option<Action> {
        self.i += 1;
        self.eat("TABLE");
        self.eat("ONLY");
        let table = self.name()?;
        let rest: Vec<String> = self.toks[self.i..]
            .iter()
            .filter_map(|t| t.word().map(|w| w.value.to_ascii_uppercase()))
            .collect();
        let mode = rest.join(" ");
        let reads = mode.is_empty() || mode.contains("ACCESS EXCLUSIVE");
        let weak = [
            "ACCESS SHARE",
            "ROW SHARE",
            "ROW EXCLUSIVE",
            "SHARE UPDATE EXCLUSIVE",
        ]
        .iter()
        .any(|m| mode.starts_with(&format!("IN {m} MODE")));
        Some(if weak {
            Action::Other
        } else {
            Action::LockTable { table, reads }
        })
    }
}

/// Whether a boolean option of a parenthesised list is on: present with no
/// value, or with a value other than `false`, `off`, `0`.
pub(super) fn option_on(options: &[Vec<String>], name: &str) -> bool {
    options.iter().any(|o| {
        o.first().is_some_and(|n| n == name)
            && o.get(1)
                .is_none_or(|v| !matches!(v.as_str(), "FALSE" | "OFF" | "0"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::read;
    use crate::model::Dialect::{Mysql, Postgres};
    use crate::parse::ir::{Action, ObjectKind};

    #[test]
    fn vacuum_rewrites_only_when_full_is_on() {
        for (sql, full) in [
            ("VACUUM FULL orders", true),
            ("VACUUM (FULL) orders", true),
            ("VACUUM (FULL true, VERBOSE) orders", true),
            ("VACUUM (FULL false) orders", false),
            ("VACUUM (FULL off) orders", false),
            ("VACUUM (FULL 0) orders", false),
            ("VACUUM ANALYZE orders", false),
        ] {
            assert!(
                matches!(read(sql, Postgres), Some(Action::Vacuum { full: f, .. }) if f == full),
                "{sql}"
            );
        }
    }

    #[test]
    fn reindex_knows_every_concurrent_form() {
        for (sql, concurrently) in [
            ("REINDEX TABLE orders", false),
            ("REINDEX TABLE CONCURRENTLY orders", true),
            ("REINDEX (CONCURRENTLY) TABLE orders", true),
            (
                "REINDEX (VERBOSE, CONCURRENTLY true) INDEX orders_pkey",
                true,
            ),
            ("REINDEX (CONCURRENTLY false) TABLE orders", false),
        ] {
            assert!(
                matches!(read(sql, Postgres), Some(Action::Reindex { concurrently: c, .. }) if c == concurrently),
                "{sql}"
            );
        }
        assert!(matches!(
            read("REINDEX SYSTEM app", Postgres),
            Some(Action::Reindex {
                kind: ObjectKind::Other,
                ..
            })
        ));
    }

    #[test]
    fn weak_locks_block_nothing_and_the_rest_do() {
        assert!(matches!(
            read("LOCK TABLE orders IN ACCESS SHARE MODE", Postgres),
            Some(Action::Other)
        ));
        assert!(matches!(
            read("LOCK TABLE orders", Postgres),
            Some(Action::LockTable { reads: true, .. })
        ));
        assert!(matches!(
            read("LOCK TABLE orders IN SHARE MODE", Postgres),
            Some(Action::LockTable { reads: false, .. })
        ));
    }

    #[test]
    fn optimize_truncate_cluster_and_refresh_name_their_tables() {
        assert!(
            matches!(read("OPTIMIZE TABLE a, b", Mysql), Some(Action::Optimize { tables }) if tables.len() == 2)
        );
        assert!(
            matches!(read("TRUNCATE TABLE ONLY a", Postgres), Some(Action::Truncate { tables }) if tables.len() == 1)
        );
        assert!(matches!(
            read("CLUSTER VERBOSE orders", Postgres),
            Some(Action::Cluster { table: Some(_) })
        ));
        assert!(matches!(
            read("REFRESH MATERIALIZED VIEW CONCURRENTLY totals", Postgres),
            Some(Action::RefreshMaterializedView {
                concurrently: true,
                ..
            })
        ));
    }
}
