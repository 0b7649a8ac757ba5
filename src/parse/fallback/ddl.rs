//! `DROP`, `CREATE` (tables, views, indexes, types, functions, triggers, …)
//! and `ALTER` of what sqlparser cannot read.

use sqlparser::tokenizer::Token;

use super::{Cursor, alter_op, lenient_column, lenient_constraint};
use crate::model::Dialect;
use crate::parse::ir::{
    Action, AlterKind, AlterOp, CreateFunction, CreateObject, CreateTable, CreateTrigger,
    IndexKind, Name, ObjectKind, RenameObject, Volatility,
};
use crate::parse::lower::{after_table_name, split_commas, stmt_span};
use crate::parse::tokens::Tok;

impl Cursor<'_> {
    /// `… RENAME TO to` after the name `from` of an object of `kind`
    /// (the new name stays in `from`'s schema).
    fn renamed(&mut self, kind: ObjectKind, from: Name) -> Option<Action> {
        let to = self.ident()?;
        Some(Action::RenameObject(Box::new(RenameObject {
            kind,
            to: Name::new(from.schema.clone(), to),
            from,
        })))
    }

    pub(super) fn drop(&mut self) -> Option<Action> {
        self.i += 1;
        let kind = if self.eat("TABLE") {
            ObjectKind::Table
        } else if self.eat("VIEW") {
            ObjectKind::View
        } else if self.eat_all(&["MATERIALIZED", "VIEW"]) {
            ObjectKind::MaterializedView
        } else if self.eat("INDEX") {
            ObjectKind::Index
        } else if self.eat("TYPE") {
            ObjectKind::Type
        } else if self.eat("SCHEMA") {
            ObjectKind::Schema
        } else if self.eat("DATABASE") {
            ObjectKind::Database
        } else if self.eat("SEQUENCE") {
            ObjectKind::Sequence
        } else if self.dialect == Dialect::Sqlite && self.eat("TRIGGER") {
            self.eat_all(&["IF", "EXISTS"]);
            let name = self.name()?;
            return Some(Action::DropTrigger { name });
        } else if self.eat("TABLESPACE") {
            return Some(Action::NoTransaction {
                what: "DROP TABLESPACE",
            });
        } else if self.eat_all(&["EVENT", "TRIGGER"]) {
            return Some(Action::Other);
        } else if self.eat("TRIGGER") || self.eat("POLICY") {
            // DROP TRIGGER/POLICY … ON t: blocks reads and writes on t
            // (MySQL: `DROP TRIGGER [schema.]name`, no table).
            let kind = if self
                .toks
                .get(self.i - 1)
                .is_some_and(|t| t.is_word("POLICY"))
            {
                ObjectKind::Policy
            } else {
                ObjectKind::Trigger
            };
            let if_exists = self.eat_all(&["IF", "EXISTS"]);
            let name = self.name()?;
            let table = if self.eat("ON") {
                Some(Box::new(self.name()?))
            } else {
                None
            };
            return Some(Action::Drop {
                kind,
                names: vec![name],
                if_exists,
                cascade: self.rest_has("CASCADE"),
                concurrently: false,
                table,
                signatures: Vec::new(),
            });
        } else if self.eat("FUNCTION") || self.eat("ROUTINE") {
            ObjectKind::Function
        } else if self.eat("PROCEDURE") {
            ObjectKind::Procedure
        } else if self.eat("AGGREGATE") {
            ObjectKind::Aggregate
        } else if self.eat("DOMAIN") {
            ObjectKind::Domain
        } else if self.eat("EXTENSION") {
            ObjectKind::Extension
        } else if self.dialect == Dialect::Mysql && self.eat("EVENT") {
            ObjectKind::Event
        } else {
            // DROP OPERATOR, CAST, ROLE, …: no table data lost.
            return Some(Action::Other);
        };
        let concurrently = self.eat("CONCURRENTLY");
        let if_exists = self.eat_all(&["IF", "EXISTS"]);
        let mut names = Vec::new();
        let mut signatures = Vec::new();
        while let Some(n) = self.name() {
            names.push(n);
            signatures.push(self.routine_args());
            if !self.eat_token(&Token::Comma) {
                break;
            }
        }
        if names.is_empty() {
            return None;
        }
        let table = if self.eat("ON") {
            self.name().map(Box::new)
        } else {
            None
        };
        let cascade = self.eat("CASCADE");
        Some(Action::Drop {
            kind,
            names,
            if_exists,
            cascade,
            concurrently,
            table,
            signatures,
        })
    }

    /// A routine's parenthesised argument list, as a signature; `None` when
    /// no `(` follows.
    fn routine_args(&mut self) -> Option<String> {
        if !self.peek_is_token(&Token::LParen) {
            return None;
        }
        let start = self.i + 1;
        self.skip_parens();
        let end = self.i.saturating_sub(1).max(start);
        let inner = self.toks.get(start..end).unwrap_or(&[]);
        let args: Vec<Vec<String>> = split_commas(inner)
            .into_iter()
            .filter_map(|r| inner.get(r))
            .map(|part| {
                part.iter()
                    .map(|t| match t.token() {
                        Token::Word(w) => w.value.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        Some(crate::parse::ir::signature(&args))
    }

    pub(super) fn create(&mut self, strict: bool) -> Option<Action> {
        self.i += 1;
        let save = self.i;
        self.eat_all(&["OR", "REPLACE"]);
        if self.eat("DATABASE") {
            return Some(Action::NoTransaction {
                what: "CREATE DATABASE",
            });
        }
        self.i = save;
        self.eat_all(&["OR", "REPLACE"]);
        self.eat("CONSTRAINT");
        if self.dialect == Dialect::Sqlite {
            let _ = self.eat("TEMP") || self.eat("TEMPORARY");
            if self.eat("TRIGGER") {
                self.eat_all(&["IF", "NOT", "EXISTS"]);
                let name = self.name()?;
                let after_name = self.i;
                let on = self.toks[self.i..].iter().position(|t| t.is_word("ON"))?;
                self.i += on + 1;
                let table = self.name()?;
                return Some(Action::CreateTrigger(Box::new(CreateTrigger {
                    name,
                    table,
                    words: crate::parse::tokens::words(
                        self.toks.get(after_name..).unwrap_or_default(),
                    ),
                })));
            }
            self.i = save;
            self.eat_all(&["OR", "REPLACE"]);
            self.eat("CONSTRAINT");
        }
        let or_replace = self.toks.get(2).is_some_and(|t| t.is_word("REPLACE"));
        let before_definer = self.i;
        if self.eat("DEFINER") {
            // MySQL `CREATE DEFINER = user TRIGGER|PROCEDURE|FUNCTION|EVENT …`.
            let kinds = ["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"];
            match self.toks[self.i..]
                .iter()
                .take(10)
                .position(|t| kinds.iter().any(|k| t.is_word(k)))
            {
                Some(at) => self.i += at,
                None => self.i = before_definer,
            }
        }
        if self.eat("TRIGGER") || self.eat("POLICY") {
            // CREATE TRIGGER … ON t blocks writes to t; CREATE POLICY … ON t blocks reads and writes.
            let kind = if self
                .toks
                .get(self.i - 1)
                .is_some_and(|t| t.is_word("POLICY"))
            {
                ObjectKind::Policy
            } else {
                ObjectKind::Trigger
            };
            self.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = self.name()?;
            let on = self.toks[self.i..].iter().position(|t| t.is_word("ON"))?;
            self.i += on + 1;
            let table = self.name()?;
            return Some(Action::CreateObject(Box::new(CreateObject {
                kind,
                name,
                on: Some(table),
                signature: None,
                or_replace,
            })));
        }
        let routine = if self.eat("PROCEDURE") {
            Some(ObjectKind::Procedure)
        } else if self.eat("AGGREGATE") {
            Some(ObjectKind::Aggregate)
        } else if self.eat("SEQUENCE") {
            Some(ObjectKind::Sequence)
        } else if self.eat("EXTENSION") {
            Some(ObjectKind::Extension)
        } else if self.dialect == Dialect::Mysql && self.eat("EVENT") {
            Some(ObjectKind::Event)
        } else if self.eat("TYPE") {
            Some(ObjectKind::Type)
        } else {
            None
        };
        if let Some(kind) = routine {
            self.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = self.name()?;
            let signature = if matches!(kind, ObjectKind::Procedure | ObjectKind::Aggregate) {
                self.routine_args()
            } else {
                None
            };
            return Some(Action::CreateObject(Box::new(CreateObject {
                kind,
                name,
                on: None,
                signature,
                or_replace,
            })));
        }
        if self.eat("FUNCTION") {
            return self.create_function(or_replace);
        }
        self.i = save;
        self.eat_all(&["OR", "REPLACE"]);
        if self.eat("TABLESPACE") {
            return Some(Action::NoTransaction {
                what: "CREATE TABLESPACE",
            });
        }
        // Foreign tables, subscriptions, conversions, access methods: no
        // table data of this database touched.
        if self.eat_all(&["FOREIGN", "TABLE"])
            || self.peek_is("SUBSCRIPTION")
            || self.peek_is("CONVERSION")
            || self.eat_all(&["ACCESS", "METHOD"])
            || self.eat_all(&["DEFAULT", "CONVERSION"])
        {
            return Some(Action::Other);
        }
        if self.eat("DOMAIN") {
            let name = self.name()?;
            return Some(Action::CreateDomain {
                name,
                check: self.rest_has("CHECK"),
            });
        }
        self.i = save;
        // Forms that define code or harmless objects.
        let harmless = [
            "TRIGGER",
            "FUNCTION",
            "PROCEDURE",
            "EXTENSION",
            "SEQUENCE",
            "AGGREGATE",
            "OPERATOR",
            "POLICY",
            "ROLE",
            "USER",
            "RULE",
            "DOMAIN",
            "COLLATION",
            "PUBLICATION",
            "CAST",
            "EVENT",
            "STATISTICS",
            "SERVER",
            "LANGUAGE",
        ];
        let head: Vec<&Tok> = self.toks.iter().take(5).collect();
        if head.iter().any(|t| harmless.iter().any(|h| t.is_word(h))) {
            return Some(Action::Other);
        }
        if self.eat_all(&["VIRTUAL", "TABLE"]) {
            // SQLite virtual tables (fts5, rtree, …): a table whose columns the module defines.
            self.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = self.name()?;
            if !self.eat("USING") {
                return None;
            }
            return Some(Action::CreateTable(Box::new(CreateTable::opaque(name))));
        }
        // CREATE TABLE t (LIKE other INCLUDING …): a copy of another table's columns.
        let save = self.i;
        while self.eat("UNLOGGED") || self.eat("TEMPORARY") || self.eat("TEMP") {}
        if self.eat("TABLE") {
            self.eat_all(&["IF", "NOT", "EXISTS"]);
            if let Some(name) = self
                .name()
                .filter(|_| self.eat_token(&Token::LParen) && self.peek_is("LIKE"))
            {
                return Some(Action::CreateTable(Box::new(CreateTable::opaque(name))));
            }
        }
        self.i = save;
        let unique = self.eat("UNIQUE");
        let kind = if self.eat("FULLTEXT") {
            IndexKind::Fulltext
        } else if self.eat("SPATIAL") {
            IndexKind::Spatial
        } else {
            IndexKind::Plain
        };
        if !self.peek_is("INDEX") {
            self.i = save;
        }
        if strict && !self.peek_is("INDEX") {
            return None;
        }
        // Lenient: CREATE [UNLOGGED|TEMP] TABLE [IF NOT EXISTS] name (…)
        while self.eat("UNLOGGED")
            || self.eat("TEMPORARY")
            || self.eat("TEMP")
            || self.eat("GLOBAL")
            || self.eat("LOCAL")
        {}
        if self.eat("TABLE") {
            self.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = self.name()?;
            return Some(Action::CreateTable(Box::new(self.table_body(name))));
        }
        if self.eat("INDEX") {
            // A missing `;` glues two statements together: not one index.
            let glued = self.toks.iter().skip(1).any(|t| {
                ["CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"]
                    .iter()
                    .any(|w| t.is_word(w))
            });
            if strict && glued {
                return None;
            }
            let concurrently = self.eat("CONCURRENTLY");
            let if_not_exists = self.eat_all(&["IF", "NOT", "EXISTS"]);
            let name = if self.peek_is("ON") {
                None
            } else {
                self.name()
            };
            if !self.eat("ON") {
                return None;
            }
            let only = self.eat("ONLY");
            let table = self.name()?;
            return Some(Action::CreateIndex(Box::new(
                crate::parse::ir::CreateIndex {
                    name,
                    table,
                    unique,
                    concurrently,
                    if_not_exists,
                    only,
                    columns: Vec::new(),
                    kind,
                },
            )));
        }
        Some(Action::Other)
    }

    /// `CREATE [OR REPLACE] FUNCTION name(args) …`, after `FUNCTION`.
    fn create_function(&mut self, or_replace: bool) -> Option<Action> {
        let name = self.name()?;
        let signature = self.routine_args();
        let declared = |w: &str| self.rest_has(w);
        let volatility = if declared("IMMUTABLE") {
            Some(Volatility::Immutable)
        } else if declared("STABLE") {
            Some(Volatility::Stable)
        } else if declared("VOLATILE") {
            Some(Volatility::Volatile)
        } else {
            None
        };
        let sql = self.toks.windows(2).any(|w| {
            w[0].is_word("LANGUAGE")
                && w[1]
                    .word()
                    .is_some_and(|x| x.value.eq_ignore_ascii_case("sql"))
        });
        // The body: a quoted string after AS (`$$ … $$` or `'…'`).
        let sql_body = sql
            .then(|| {
                self.toks.windows(2).find_map(|w| match w[1].token() {
                    Token::DollarQuotedString(d) if w[0].is_word("AS") => Some(d.value.clone()),
                    Token::SingleQuotedString(v) if w[0].is_word("AS") => Some(v.clone()),
                    _ => None,
                })
            })
            .flatten()
            .map(|b| {
                b.chars()
                    .filter(|c| !c.is_whitespace())
                    .flat_map(char::to_lowercase)
                    .collect()
            });
        let returns_trigger = self.toks.windows(2).any(|w| {
            w[0].is_word("RETURNS") && (w[1].is_word("TRIGGER") || w[1].is_word("EVENT_TRIGGER"))
        });
        Some(Action::CreateFunction(Box::new(CreateFunction {
            name,
            volatility,
            sql,
            sql_body,
            signature,
            or_replace,
            returns_trigger,
        })))
    }

    /// The parenthesised column list of a `CREATE TABLE`, read leniently.
    pub(super) fn table_body(&mut self, name: Name) -> CreateTable {
        let mut ct = CreateTable {
            partitioned: self.rest_has("PARTITION") && self.rest_has("BY"),
            ..CreateTable::opaque(name)
        };
        if self.eat_all(&["PARTITION", "OF"]) {
            ct.partition_of = self.name();
            ct.default_partition = self.peek_is("DEFAULT");
            return ct;
        }
        if !self.eat_token(&Token::LParen) {
            return ct;
        }
        let start = self.i;
        let mut depth = 1usize;
        while let Some(t) = self.peek() {
            match t.token() {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        let body = &self.toks[start..self.i];
        ct.columns_unknown = false;
        for part in split_commas(body) {
            let part = &body[part];
            if let Some(c) = lenient_constraint(part, self.dialect) {
                ct.constraints.push(c);
            } else if let Some(col) = lenient_column(part, self.dialect) {
                ct.columns.push(col);
            } else {
                ct.columns_unknown = true;
            }
        }
        ct
    }

    pub(super) fn alter(&mut self, strict: bool) -> Option<Action> {
        self.i += 1;
        if self.eat("SYSTEM") {
            return Some(Action::NoTransaction {
                what: "ALTER SYSTEM",
            });
        }
        if self.peek_is("TABLE") {
            return self.alter_table(strict);
        }
        if self.eat("INDEX") {
            self.eat_all(&["IF", "EXISTS"]);
            let name = self.name()?;
            if self.eat_all(&["SET", "TABLESPACE"]) {
                return Some(Action::AlterIndex {
                    name,
                    set_tablespace: true,
                    attach_partition: None,
                });
            }
            if self.eat_all(&["ATTACH", "PARTITION"]) {
                let child = self.name()?;
                return Some(Action::AlterIndex {
                    name,
                    set_tablespace: false,
                    attach_partition: Some(Box::new(child)),
                });
            }
            if self.eat_all(&["RENAME", "TO"]) {
                return self.renamed(ObjectKind::Index, name);
            }
            return Some(Action::Other);
        }
        let kind = if self.eat("VIEW") {
            Some(ObjectKind::View)
        } else if self.eat_all(&["MATERIALIZED", "VIEW"]) {
            Some(ObjectKind::MaterializedView)
        } else if self.eat("SEQUENCE") {
            Some(ObjectKind::Sequence)
        } else {
            None
        };
        if let Some(kind) = kind {
            self.eat_all(&["IF", "EXISTS"]);
            let from = self.name()?;
            if self.eat_all(&["RENAME", "TO"]) {
                return self.renamed(kind, from);
            }
            return Some(Action::Other);
        }
        if self.eat("TYPE") {
            let ty = self.name()?;
            if self.eat_all(&["ADD", "VALUE"]) {
                let if_not_exists = self.eat_all(&["IF", "NOT", "EXISTS"]);
                let value = match self.peek().map(Tok::token) {
                    Some(Token::SingleQuotedString(s)) => s.clone(),
                    _ => return None,
                };
                return Some(Action::AddEnumValue {
                    ty,
                    value,
                    if_not_exists,
                });
            }
            return Some(Action::Other);
        }
        let routine = if self.eat("FUNCTION") || self.eat("ROUTINE") {
            Some(ObjectKind::Function)
        } else if self.eat("PROCEDURE") {
            Some(ObjectKind::Procedure)
        } else if self.eat("AGGREGATE") {
            Some(ObjectKind::Aggregate)
        } else if self.eat("SCHEMA") {
            Some(ObjectKind::Schema)
        } else {
            None
        };
        if let Some(kind) = routine {
            let from = self.name()?;
            self.routine_args();
            if self.eat_all(&["RENAME", "TO"]) {
                return self.renamed(kind, from);
            }
            return Some(Action::Other);
        }
        if self.eat("DOMAIN") {
            let domain = self.name()?;
            if self.eat_all(&["RENAME", "TO"]) {
                return self.renamed(ObjectKind::Domain, domain);
            }
            if !self.eat("ADD") {
                return Some(Action::Other);
            }
            let constraint = if self.eat("CONSTRAINT") {
                Some(self.ident()?)
            } else {
                None
            };
            let n = self.toks.len();
            let not_valid =
                n >= 2 && self.toks[n - 2].is_word("NOT") && self.toks[n - 1].is_word("VALID");
            return Some(Action::AlterDomainAddConstraint {
                domain,
                constraint,
                not_valid,
            });
        }
        // ALTER FUNCTION/SCHEMA/DATABASE/ROLE/…: no table data touched.
        Some(Action::Other)
    }

    pub(super) fn alter_table(&mut self, strict: bool) -> Option<Action> {
        let start = after_table_name(self.toks)?;
        self.i += 1;
        let if_exists = self.eat_all(&["IF", "EXISTS"]);
        let only = self.eat("ONLY");
        let table = self.name()?;
        let mut ops = Vec::new();
        let rest = &self.toks[start.min(self.toks.len())..];
        for range in split_commas(rest) {
            let mut part = &rest[range];
            // MariaDB `WAIT n` / `NOWAIT` stands before the first operation, with no comma.
            let wait = match part {
                [w, n, ..] if w.is_word("WAIT") && matches!(n.token(), Token::Number(..)) => 2,
                [w, ..] if w.is_word("NOWAIT") => 1,
                _ => 0,
            };
            if wait > 0 && self.dialect == Dialect::Mysql {
                ops.push(AlterOp {
                    span: stmt_span(&part[..wait]),
                    kind: AlterKind::Wait,
                });
                part = &part[wait..];
                if part.is_empty() {
                    continue;
                }
            }
            let kind = alter_op(part, self.dialect);
            if strict && kind.is_none() {
                return None;
            }
            ops.push(AlterOp {
                span: stmt_span(part),
                kind: kind.unwrap_or(AlterKind::Other),
            });
        }
        Some(Action::AlterTable {
            table,
            if_exists,
            only,
            ops,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::read;
    use crate::model::Dialect::Postgres;
    use crate::parse::ir::{Action, ObjectKind};

    #[test]
    fn drop_index_concurrently_is_read_with_its_options() {
        assert!(matches!(
            read("DROP INDEX CONCURRENTLY IF EXISTS orders_status", Postgres),
            Some(Action::Drop {
                kind: ObjectKind::Index,
                concurrently: true,
                if_exists: true,
                ..
            })
        ));
    }

    #[test]
    fn drop_trigger_on_a_table_names_the_table() {
        assert!(matches!(
            read("DROP TRIGGER IF EXISTS audit ON orders", Postgres),
            Some(Action::Drop {
                kind: ObjectKind::Trigger,
                if_exists: true,
                table: Some(t),
                ..
            }) if t.name == "orders"
        ));
    }

    #[test]
    fn routines_are_read_with_their_signatures() {
        let Some(Action::Drop {
            kind, signatures, ..
        }) = read(
            "DROP FUNCTION IF EXISTS total(IN amount int4, numeric(10, 2)), other",
            Postgres,
        )
        else {
            panic!("not a drop");
        };
        assert_eq!(kind, ObjectKind::Function);
        assert_eq!(
            signatures,
            vec![Some("integer,numeric(10,2)".to_string()), None]
        );
        assert!(matches!(
            read("CREATE OR REPLACE FUNCTION f(a text) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$", Postgres),
            Some(Action::CreateFunction(f)) if f.signature.as_deref() == Some("text") && f.or_replace && f.returns_trigger
        ));
        assert!(matches!(
            read("ALTER FUNCTION f(text) RENAME TO g", Postgres),
            Some(Action::RenameObject(r)) if r.kind == ObjectKind::Function && r.to.name == "g"
        ));
    }

    #[test]
    fn create_database_and_tablespace_cannot_run_in_a_transaction() {
        for sql in [
            "CREATE DATABASE app",
            "CREATE TABLESPACE fast LOCATION '/ssd'",
        ] {
            assert!(
                matches!(read(sql, Postgres), Some(Action::NoTransaction { .. })),
                "{sql}"
            );
        }
    }
}
