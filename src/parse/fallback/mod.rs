//! bellows' own token recogniser.
//!
//! sqlparser lacks some valid statements that matter to the rules
//! (`DROP INDEX CONCURRENTLY`, `REINDEX`, `ATTACH PARTITION`, …) and some
//! harmless ones that are frequent in real migrations (`COMMENT ON … IS 'a'
//! 'b'`, `DO $$ … $$`). [`recognise`] reads those from the token stream.
//! [`scan`] reads what it can of a statement nobody could parse, so that a
//! dangerous operation never hides behind syntax bellows does not know.

mod alter;
mod ddl;
mod index;
mod lenient;
mod maintenance;
mod view;

use sqlparser::tokenizer::Token;

use super::ir::{Action, DmlKind, Name};
use super::lower::{fold, make_name, split_commas};
use super::tokens::Tok;
use crate::model::Dialect;
use alter::alter_op;
pub use index::plain_index;
use index::starts_statement;
pub use lenient::without_not_null_constraints;
use lenient::{lenient_column, lenient_constraint};
pub use view::{view_columns, view_head, view_reads};

/// Reads a statement sqlparser could not (or one whose AST is not lowered):
/// `None` when the form is not one bellows knows.
pub fn recognise(toks: &[Tok], _text: &str, dialect: Dialect) -> Option<Action> {
    Cursor::new(toks, dialect).statement(true)
}

/// Best-effort reading of an unparsable statement: never fails.
pub fn scan(toks: &[Tok], _text: &str, dialect: Dialect) -> Action {
    Cursor::new(toks, dialect)
        .statement(false)
        .unwrap_or(Action::Other)
}

struct Cursor<'a> {
    toks: &'a [Tok],
    i: usize,
    dialect: Dialect,
}

impl<'a> Cursor<'a> {
    fn new(toks: &'a [Tok], dialect: Dialect) -> Self {
        Self {
            toks,
            i: 0,
            dialect,
        }
    }

    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.i)
    }

    fn peek_is(&self, w: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(w))
    }

    fn eat(&mut self, w: &str) -> bool {
        if self.peek_is(w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_all(&mut self, words: &[&str]) -> bool {
        let save = self.i;
        for w in words {
            if !self.eat(w) {
                self.i = save;
                return false;
            }
        }
        true
    }

    fn eat_token(&mut self, tok: &Token) -> bool {
        if self.peek_is_token(tok) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        let w = self.peek()?.word()?;
        self.i += 1;
        Some(fold(&w.value, w.quote_style.is_some(), self.dialect))
    }

    fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.ident()?];
        while self.eat_token(&Token::Period) {
            parts.push(self.ident()?);
        }
        Some(make_name(parts, self.dialect))
    }

    /// A name (any word, as sqlparser takes object names).
    fn plain_ident(&mut self) -> Option<String> {
        self.peek()?.word()?;
        self.ident()
    }

    /// A column in an expression list that sqlparser reads as a plain
    /// column: not a word it reads as a value or the start of a special
    /// expression (`NULL`, `USER`, `CURRENT_DATE`, `CASE`, …).
    fn column_ident(&mut self) -> Option<String> {
        use sqlparser::keywords::Keyword as K;
        let w = self.peek()?.word()?;
        // MySQL and SQLite read more words specially (`BINARY`, …): there,
        // no keyword at all.
        let keyword = w.quote_style.is_none() && w.keyword != K::NoKeyword;
        if keyword && self.dialect != Dialect::Postgres {
            return None;
        }
        let special = keyword
            && matches!(
                w.keyword,
                K::ARRAY
                    | K::BOX
                    | K::CASE
                    | K::CAST
                    | K::CEIL
                    | K::CIRCLE
                    | K::CONVERT
                    | K::CURRENT_CATALOG
                    | K::CURRENT_DATE
                    | K::CURRENT_TIME
                    | K::CURRENT_TIMESTAMP
                    | K::CURRENT_USER
                    | K::EXISTS
                    | K::EXTRACT
                    | K::FALSE
                    | K::FLOOR
                    | K::INTERVAL
                    | K::LAMBDA
                    | K::LINE
                    | K::LOCALTIME
                    | K::LOCALTIMESTAMP
                    | K::LSEG
                    | K::MAP
                    | K::MATCH
                    | K::NOT
                    | K::NULL
                    | K::OVERLAY
                    | K::PATH
                    | K::POINT
                    | K::POLYGON
                    | K::POSITION
                    | K::PRIOR
                    | K::SAFE_CAST
                    | K::SELECT
                    | K::SESSION_USER
                    | K::STRUCT
                    | K::SUBSTR
                    | K::SUBSTRING
                    | K::TRIM
                    | K::TRUE
                    | K::TRY_CAST
                    | K::TRY_CONVERT
                    | K::USER
                    | K::WITH
            );
        if special {
            return None;
        }
        self.ident()
    }

    fn plain_name(&mut self) -> Option<Name> {
        let mut parts = vec![self.plain_ident()?];
        while self.eat_token(&Token::Period) {
            parts.push(self.plain_ident()?);
        }
        Some(make_name(parts, self.dialect))
    }

    /// `( item, … )` with at least one item, each read by `item`.
    fn plain_list(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.eat_token(&Token::LParen) {
            return None;
        }
        loop {
            item(self)?;
            if self.eat_token(&Token::RParen) {
                return Some(());
            }
            if !self.eat_token(&Token::Comma) {
                return None;
            }
        }
    }

    fn names(&mut self) -> Vec<Name> {
        let mut out = Vec::new();
        while let Some(n) = self.name() {
            out.push(n);
            if !self.eat_token(&Token::Comma) {
                break;
            }
        }
        out
    }

    fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }

    fn peek_is_token(&self, tok: &Token) -> bool {
        self.peek().is_some_and(|t| t.token() == tok)
    }

    /// A function call starts here: an unquoted word, then `(`.
    fn at_call(&self) -> bool {
        let Some(w) = self.peek().and_then(Tok::word) else {
            return false;
        };
        w.quote_style.is_none()
            && self
                .toks
                .get(self.i + 1)
                .is_some_and(|t| t.token() == &Token::LParen)
    }

    /// A parenthesised group with something in it, up to its matching `)`;
    /// `None` when it is empty or never closed, or holds a word that starts
    /// a statement.
    fn balanced(&mut self) -> Option<()> {
        if !self.peek_is_token(&Token::LParen)
            || self.toks.get(self.i + 1)?.token() == &Token::RParen
        {
            return None;
        }
        self.through_group(true)
    }

    /// From a `(`, moves past its matching `)`: `Some` then, `None` when the
    /// group is never closed (all is passed) or, if `statement_words_end`,
    /// at a word that starts a statement (passed too).
    fn through_group(&mut self, statement_words_end: bool) -> Option<()> {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            self.i += 1;
            match t.token() {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ if statement_words_end && starts_statement(t) => return None,
                _ => {}
            }
        }
        None
    }

    /// Skips every token left when no `)` closes more than was opened;
    /// `false` (and nothing skipped) otherwise.
    fn skip_balanced_to_end(&mut self) -> bool {
        let mut depth = 0usize;
        for t in &self.toks[self.i..] {
            match t.token() {
                Token::LParen => depth += 1,
                Token::RParen => match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => return false,
                },
                _ if starts_statement(t) => return false,
                _ => {}
            }
        }
        if depth != 0 {
            return false;
        }
        self.i = self.toks.len();
        true
    }

    /// An operator class after an index element (`jsonb_path_ops`): an
    /// unquoted word that is no keyword, followed by what may follow an
    /// element.
    fn operator_class(&mut self) {
        let Some(t) = self.peek() else {
            return;
        };
        let plain = t.word().is_some_and(|w| w.quote_style.is_none()) && t.keyword().is_none();
        let next = self.toks.get(self.i + 1);
        let ends = next.is_some_and(|n| {
            matches!(n.token(), Token::Comma | Token::RParen)
                || n.is_word("ASC")
                || n.is_word("DESC")
                || n.is_word("NULLS")
        });
        if plain && ends {
            self.i += 1;
        }
    }

    /// Skips a parenthesised group if one starts here (to the end if it is
    /// never closed).
    fn skip_parens(&mut self) {
        if self.peek_is_token(&Token::LParen) {
            let _closed = self.through_group(false);
        }
    }

    /// A parenthesised option list (`(name [value], …)`), upper-cased
    /// words per option; empty when the next token is not `(`.
    fn options(&mut self) -> Vec<Vec<String>> {
        if !self.peek_is_token(&Token::LParen) {
            return Vec::new();
        }
        let start = self.i + 1;
        self.skip_parens();
        let end = self.i.saturating_sub(1).max(start);
        let inner = self.toks.get(start..end).unwrap_or(&[]);
        split_commas(inner)
            .into_iter()
            .filter_map(|r| inner.get(r))
            .map(|part| {
                part.iter()
                    .map(|t| match t.token() {
                        Token::Word(w) => w.value.to_ascii_uppercase(),
                        Token::Number(n, _) => n.clone(),
                        Token::SingleQuotedString(v) => v.to_ascii_uppercase(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    fn rest_has(&self, w: &str) -> bool {
        self.toks[self.i.min(self.toks.len())..]
            .iter()
            .any(|t| t.is_word(w))
    }

    /// `PRAGMA [schema.]name [= value | (value)]`.
    fn pragma(&mut self) -> Action {
        self.i += 1;
        let Some(name) = self.name() else {
            return Action::Other;
        };
        let _ = self.eat_token(&Token::Eq) || self.eat_token(&Token::LParen);
        let value = self
            .peek()
            .map(|t| match t.token() {
                Token::Word(w) => w.value.to_lowercase(),
                Token::SingleQuotedString(v) | Token::DoubleQuotedString(v) => v.to_lowercase(),
                other => other.to_string().to_lowercase(),
            })
            .unwrap_or_default();
        Action::Pragma {
            name: name.name,
            value,
        }
    }

    fn statement(&mut self, strict: bool) -> Option<Action> {
        let first = self.peek()?;
        if first.is_word("DROP") {
            return self.drop();
        }
        if first.is_word("ALTER") {
            return self.alter(strict);
        }
        if first.is_word("CREATE") {
            return self.create(strict);
        }
        if first.is_word("REINDEX") {
            return self.reindex();
        }
        if first.is_word("REFRESH") {
            return self.refresh();
        }
        if first.is_word("VACUUM") {
            return Some(self.vacuum());
        }
        if first.is_word("CLUSTER") {
            return Some(self.cluster());
        }
        if first.is_word("OPTIMIZE") {
            return self.optimize();
        }
        if first.is_word("TRUNCATE") {
            return Some(self.truncate());
        }
        if first.is_word("UPDATE") {
            self.i += 1;
            self.eat("ONLY");
            let table = self.name()?;
            return Some(Action::Dml {
                kind: DmlKind::Update,
                table,
            });
        }
        if first.is_word("DELETE") {
            self.i += 1;
            self.eat("FROM");
            self.eat("ONLY");
            let table = self.name()?;
            return Some(Action::Dml {
                kind: DmlKind::Delete,
                table,
            });
        }
        if first.is_word("INSERT") || first.is_word("REPLACE") {
            self.i += 1;
            self.eat("IGNORE");
            self.eat("INTO");
            let table = self.name()?;
            let kind = if self.rest_has("SELECT") {
                DmlKind::InsertSelect
            } else {
                DmlKind::Insert
            };
            return Some(Action::Dml { kind, table });
        }
        if first.is_word("WITH") {
            // A data-modifying CTE: classify by the statement it wraps.
            let verb = self
                .toks
                .iter()
                .position(|t| t.is_word("UPDATE") || t.is_word("DELETE") || t.is_word("INSERT"));
            return Some(match verb {
                Some(v) => Cursor::new(&self.toks[v..], self.dialect)
                    .statement(false)
                    .unwrap_or(Action::Other),
                None => Action::Other,
            });
        }
        if first.is_word("SET") {
            self.i += 1;
            if !self.eat("LOCAL") {
                self.eat("SESSION");
            }
            let name = self.ident().unwrap_or_default();
            return Some(Action::Set { name });
        }
        if first.is_word("BEGIN") || first.is_word("START") {
            return Some(Action::Begin);
        }
        if first.is_word("COMMIT") || first.is_word("END") {
            return Some(Action::Commit);
        }
        if first.is_word("ROLLBACK") || first.is_word("ABORT") {
            return Some(Action::Rollback);
        }
        if first.is_word("LOCK") {
            return self.lock();
        }
        if first.is_word("PRAGMA") {
            return Some(self.pragma());
        }
        if first.is_word("SELECT") && self.toks.len() == 1 {
            // PostgreSQL allows an empty select list: `SELECT;`.
            return Some(Action::Other);
        }
        if first.is_word("DO") {
            return Some(Action::Code);
        }
        if first.is_word("COMMENT") && self.toks.get(1).is_some_and(|t| t.is_word("ON")) {
            return Some(Action::Other);
        }
        if first.is_word("GRANT") || first.is_word("REVOKE") || first.is_word("ANALYZE") {
            return Some(Action::Other);
        }
        // PostgreSQL statements that touch no table data: `IMPORT FOREIGN
        // SCHEMA`, `REASSIGN OWNED`, `CHECKPOINT`, `SECURITY LABEL`.
        let second = |w: &str| self.toks.get(1).is_some_and(|t| t.is_word(w));
        if (first.is_word("IMPORT") && second("FOREIGN"))
            || (first.is_word("REASSIGN") && second("OWNED"))
            || (first.is_word("CHECKPOINT") && self.toks.len() == 1)
            || (first.is_word("SECURITY") && second("LABEL"))
        {
            return Some(Action::Other);
        }
        if strict { None } else { Some(Action::Other) }
    }
}

/// The tokens' text joined by spaces (unquoted words as written).
fn text_of(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| t.token().to_string())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ( ", "(")
        .replace(" )", ")")
        .replace(" , ", ",")
}

/// What the recogniser reads of one statement (tests of each family).
#[cfg(test)]
fn read(sql: &str, dialect: Dialect) -> Option<Action> {
    let (toks, _) = crate::parse::tokenize(sql, dialect);
    recognise(&toks, sql, dialect)
}
