//! bellows' own token recogniser.
//!
//! sqlparser lacks some valid statements that matter to the rules
//! (`DROP INDEX CONCURRENTLY`, `REINDEX`, `ATTACH PARTITION`, …) and some
//! harmless ones that are frequent in real migrations (`COMMENT ON … IS 'a'
//! 'b'`, `DO $$ … $$`). [`recognise`] reads those from the token stream.
//! [`scan`] reads what it can of a statement nobody could parse, so that a
//! dangerous operation never hides behind syntax bellows does not know.

use sqlparser::tokenizer::Token;

use super::ir::{
    Action, AlterKind, AlterOp, ColumnDef, ConstraintDef, ConstraintKind, CreateTable, DmlKind,
    Name, ObjectKind, Using, Volatility,
};
use super::lower::{after_table_name, fold, make_name, normalize_type, split_commas, stmt_span};
use super::tokens::Tok;
use crate::model::Dialect;

/// Reads a statement sqlparser could not (or one whose AST is not lowered):
/// `None` when the form is not one bellows knows.
pub fn recognise(toks: &[Tok], _text: &str, dialect: Dialect) -> Option<Action> {
    Cursor::new(toks, dialect).statement(true)
}

/// The head of `CREATE [OR REPLACE] [TEMP|TEMPORARY] [RECURSIVE]
/// [MATERIALIZED] VIEW [IF NOT EXISTS] name [(columns)] AS …`: all the
/// rules use of a view, read without parsing its query. `None` when the
/// statement does not start that way.
pub fn view_head(toks: &[Tok], dialect: Dialect) -> Option<Action> {
    let mut c = Cursor::new(toks, dialect);
    if !c.eat("CREATE") {
        return None;
    }
    let or_replace = c.eat_all(&["OR", "REPLACE"]);
    let _ = c.eat("TEMP") || c.eat("TEMPORARY");
    c.eat("RECURSIVE");
    let materialized = c.eat("MATERIALIZED");
    if !c.eat("VIEW") {
        return None;
    }
    c.eat_all(&["IF", "NOT", "EXISTS"]);
    let name = c.name()?;
    c.skip_parens();
    if !c.eat("AS") {
        return None;
    }
    let (reads, words) = view_reads(toks, dialect);
    Some(Action::CreateView {
        name,
        materialized,
        or_replace,
        columns: view_columns(toks, dialect),
        reads,
        words,
    })
}

/// The relations a view's query reads (after `FROM`, `JOIN` and the commas
/// of a `FROM` list) and every name it mentions, sorted and deduplicated.
pub fn view_reads(toks: &[Tok], dialect: Dialect) -> (Vec<Name>, Vec<String>) {
    let Some(start) = toks.iter().position(|t| t.is_word("AS")) else {
        return (Vec::new(), Vec::new());
    };
    let body = toks.get(start + 1..).unwrap_or(&[]);
    let mut words: Vec<String> = body
        .iter()
        .filter_map(|t| {
            t.word()
                .map(|w| super::lower::fold(&w.value, w.quote_style.is_some(), dialect))
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    let mut reads = Vec::new();
    for (i, t) in body.iter().enumerate() {
        if !(t.is_word("FROM") || t.is_word("JOIN")) {
            continue;
        }
        let mut c = Cursor::new(body.get(i + 1..).unwrap_or(&[]), dialect);
        loop {
            if c.peek_is("LATERAL") || c.peek_is_token(&Token::LParen) {
                break;
            }
            c.eat("ONLY");
            let Some(n) = c.name() else { break };
            reads.push(n);
            // An alias, then maybe `, next`.
            if c.eat("AS") || c.peek().and_then(Tok::keyword).is_none() {
                c.ident();
            }
            if !c.eat_token(&Token::Comma) {
                break;
            }
        }
    }
    reads.sort_unstable();
    reads.dedup();
    (reads, words)
}

/// The column names of `CREATE … VIEW name [(columns)] [WITH (…)] AS query`,
/// as PostgreSQL names them: the explicit list, else each item of the first
/// `SELECT` list (its alias, a column's own name, a function's name,
/// `?column?`). `None` for `*`, or a query not read this way.
pub fn view_columns(toks: &[Tok], dialect: Dialect) -> Option<Vec<String>> {
    let word = |t: &Tok| {
        t.word()
            .map(|w| super::lower::fold(&w.value, w.quote_style.is_some(), dialect))
    };
    let view = toks.iter().position(|t| t.is_word("VIEW"))?;
    let mut c = Cursor::new(toks.get(view + 1..)?, dialect);
    c.eat_all(&["IF", "NOT", "EXISTS"]);
    c.name()?;
    if c.peek_is_token(&Token::LParen) {
        let start = c.i + 1;
        c.skip_parens();
        let inner = c.toks.get(start..c.i.saturating_sub(1))?;
        return split_commas(inner)
            .into_iter()
            .map(|r| match inner.get(r)? {
                [one] => word(one),
                _ => None,
            })
            .collect();
    }
    // The first SELECT at depth 0 after AS (past any WITH … AS (…) parts).
    let rest = &c.toks[c.i..];
    let mut depth = 0usize;
    let mut select = None;
    for (i, t) in rest.iter().enumerate() {
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && t.is_word("SELECT") => {
                select = Some(i);
                break;
            }
            _ => {}
        }
    }
    let body = rest.get(select? + 1..)?;
    // The select list ends at the first clause word at depth 0.
    let ends = [
        "FROM",
        "WHERE",
        "GROUP",
        "HAVING",
        "WINDOW",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "FETCH",
        "INTO",
        "FOR",
    ];
    let mut depth = 0usize;
    let mut end = body.len();
    for (i, t) in body.iter().enumerate() {
        match t.token() {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ if depth == 0 && ends.iter().any(|e| t.is_word(e)) => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let mut list = body.get(..end)?;
    if list.first().is_some_and(|t| t.is_word("ALL")) {
        list = list.get(1..)?;
    } else if list.first().is_some_and(|t| t.is_word("DISTINCT")) {
        list = list.get(1..)?;
        if list.first().is_some_and(|t| t.is_word("ON")) {
            let mut d = Cursor::new(list.get(1..)?, dialect);
            d.skip_parens();
            list = list.get(1 + d.i..)?;
        }
    }
    split_commas(list)
        .into_iter()
        .map(|r| item_name(list.get(r)?, &word))
        .collect()
}

/// The name PostgreSQL gives one select-list item; `None` for `*`.
fn item_name(item: &[Tok], word: &impl Fn(&Tok) -> Option<String>) -> Option<String> {
    let last = item.last()?;
    if matches!(last.token(), Token::Mul) {
        return None;
    }
    if item.first().is_some_and(|t| t.is_word("CASE")) && last.is_word("END") {
        return Some("case".to_string());
    }
    // `expr AS alias`, `expr alias`.
    if item.len() >= 2 {
        let before = &item[item.len() - 2];
        if before.is_word("AS")
            || (last.word().is_some() && before.word().is_some() && !before.is_word("AS"))
        {
            return word(last);
        }
        if let Some(w) = word(last)
            && matches!(
                before.token(),
                Token::RParen | Token::SingleQuotedString(_) | Token::Number(..)
            )
        {
            return Some(w);
        }
    }
    // `col`, `t.col`, `s.t.col`: the column's own name.
    if item.iter().enumerate().all(|(i, t)| {
        if i % 2 == 0 {
            t.word().is_some()
        } else {
            matches!(t.token(), Token::Period)
        }
    }) && item.len() % 2 == 1
    {
        return word(last);
    }
    // `col::type`: the column's name; `f(…)`: the function's name.
    let head: Vec<&Tok> = item
        .iter()
        .take_while(|t| !matches!(t.token(), Token::DoubleColon))
        .collect();
    if head.len() < item.len() {
        return item_name(&item[..head.len()], word);
    }
    if item.len() >= 2 && matches!(item[1].token(), Token::LParen | Token::Period) {
        let call = item
            .iter()
            .position(|t| matches!(t.token(), Token::LParen))?;
        if call >= 1
            && item[..call]
                .iter()
                .all(|t| t.word().is_some() || matches!(t.token(), Token::Period))
        {
            return word(&item[call - 1]);
        }
    }
    Some("?column?".to_string())
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY]
/// table [USING method] (element [ASC|DESC] [NULLS FIRST|LAST], …)
/// [INCLUDE (column, …)] [WHERE predicate]` and nothing else, read without
/// sqlparser, which tries each element as an expression in several ways.
///
/// An element is a plain column, or in PostgreSQL also an expression in
/// parentheses or a function call, each with an optional operator class.
/// Only the plain columns are kept (as the full path keeps them); an
/// expression and a `WHERE` predicate are skipped to their balanced end
/// without being read, so their syntax is not checked. Anything else
/// (storage options, `COLLATE`, a qualified function or operator class, a
/// column named by a word sqlparser reads as a value or special expression,
/// a skipped part holding a word that starts a statement) is `None`, for
/// sqlparser to read.
pub fn plain_index(toks: &[Tok], dialect: Dialect) -> Option<Action> {
    let mut c = Cursor::new(toks, dialect);
    if !c.eat("CREATE") {
        return None;
    }
    let unique = c.eat("UNIQUE");
    if !c.eat("INDEX") {
        return None;
    }
    // MySQL and SQLite: only the plain form with a name.
    let pg = dialect == Dialect::Postgres;
    let concurrently = pg && c.eat("CONCURRENTLY");
    let if_not_exists = c.eat_all(&["IF", "NOT", "EXISTS"]);
    // The index's own name: no keyword (sqlparser reads some there, such as
    // `ASYNC`, as options).
    let name = if pg && c.peek_is("ON") {
        None
    } else if c.peek().and_then(Tok::keyword).is_some() {
        return None;
    } else {
        Some(c.plain_name()?)
    };
    if !c.eat("ON") {
        return None;
    }
    if pg {
        c.eat("ONLY");
    }
    // As the full path decides it: any `ONLY` word.
    let only = toks.iter().any(|t| t.is_word("ONLY"));
    let table = c.plain_name()?;
    if pg && c.eat("USING") {
        c.plain_ident()?;
    }
    let mut columns = Vec::new();
    c.plain_list(|c| {
        if pg && c.peek_is_token(&Token::LParen) {
            c.balanced()?;
        } else if pg && c.at_call() {
            c.i += 1;
            c.balanced()?;
        } else {
            columns.push(c.column_ident()?);
        }
        if pg {
            c.operator_class();
        }
        let _ = c.eat("ASC") || c.eat("DESC");
        if pg && c.eat("NULLS") && !(c.eat("FIRST") || c.eat("LAST")) {
            return None;
        }
        Some(())
    })?;
    if pg && c.eat("INCLUDE") {
        c.plain_list(|c| c.column_ident().map(|_| ()))?;
    }
    // A partial index's predicate: skipped to the end of the statement,
    // its parentheses balanced.
    if pg && c.eat("WHERE") && (c.at_end() || !c.skip_balanced_to_end()) {
        return None;
    }
    if !c.at_end() {
        return None;
    }
    Some(Action::CreateIndex(super::ir::CreateIndex {
        name,
        table,
        unique,
        concurrently,
        if_not_exists,
        only,
        columns,
    }))
}

/// A word that begins a statement of its own and has no place in an index
/// expression or predicate (PostgreSQL forbids subqueries there): text the
/// index reader would skip unread that holds one may be a second statement
/// glued on by a missing `;`, for the full path to report.
fn starts_statement(t: &Tok) -> bool {
    use sqlparser::keywords::Keyword as K;
    matches!(
        t.keyword(),
        Some(
            K::SELECT
                | K::INSERT
                | K::UPDATE
                | K::DELETE
                | K::MERGE
                | K::WITH
                | K::VALUES
                | K::SET
                | K::GRANT
                | K::REVOKE
                | K::COMMENT
                | K::BEGIN
                | K::COMMIT
                | K::ROLLBACK
                | K::DO
                | K::CALL
                | K::COPY
                | K::REFRESH
                | K::LOCK
                | K::VACUUM
                | K::ANALYZE
                | K::REINDEX
                | K::CLUSTER
        )
    )
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
            return Some(Action::Reindex {
                kind,
                name,
                concurrently,
            });
        }
        if first.is_word("REFRESH") {
            self.i += 1;
            if !self.eat_all(&["MATERIALIZED", "VIEW"]) {
                return None;
            }
            let concurrently = self.eat("CONCURRENTLY");
            let name = self.name()?;
            return Some(Action::RefreshMaterializedView { name, concurrently });
        }
        if first.is_word("VACUUM") {
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
            return Some(Action::Vacuum { full, tables });
        }
        if first.is_word("CLUSTER") {
            self.i += 1;
            self.eat("VERBOSE");
            let table = self.name();
            return Some(Action::Cluster { table });
        }
        if first.is_word("OPTIMIZE") {
            self.i += 1;
            self.eat("NO_WRITE_TO_BINLOG");
            self.eat("LOCAL");
            if !self.eat("TABLE") {
                return None;
            }
            return Some(Action::Optimize {
                tables: self.names(),
            });
        }
        if first.is_word("TRUNCATE") {
            self.i += 1;
            self.eat("TABLE");
            self.eat("ONLY");
            return Some(Action::Truncate {
                tables: self.names(),
            });
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
            return Some(if weak {
                Action::Other
            } else {
                Action::LockTable { table, reads }
            });
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

    fn drop(&mut self) -> Option<Action> {
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
                Some(self.name()?)
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
        let table = if self.eat("ON") { self.name() } else { None };
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
        Some(super::ir::signature(&args))
    }

    fn create(&mut self, strict: bool) -> Option<Action> {
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
                return Some(Action::CreateTrigger {
                    name,
                    table,
                    words: super::tokens::words(self.toks.get(after_name..).unwrap_or_default()),
                });
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
            return Some(Action::CreateObject {
                kind,
                name,
                on: Some(table),
                signature: None,
                or_replace,
            });
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
            return Some(Action::CreateObject {
                kind,
                name,
                on: None,
                signature,
                or_replace,
            });
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
            return Some(Action::CreateTable(CreateTable::opaque(name)));
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
                return Some(Action::CreateTable(CreateTable::opaque(name)));
            }
        }
        self.i = save;
        let unique = self.eat("UNIQUE");
        if !self.eat("FULLTEXT") {
            self.eat("SPATIAL");
        }
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
            return Some(Action::CreateTable(self.table_body(name)));
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
            return Some(Action::CreateIndex(super::ir::CreateIndex {
                name,
                table,
                unique,
                concurrently,
                if_not_exists,
                only,
                columns: Vec::new(),
            }));
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
        Some(Action::CreateFunction {
            name,
            volatility,
            sql,
            sql_body,
            signature,
            or_replace,
            returns_trigger,
        })
    }

    /// The parenthesised column list of a `CREATE TABLE`, read leniently.
    fn table_body(&mut self, name: Name) -> CreateTable {
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

    fn alter(&mut self, strict: bool) -> Option<Action> {
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
                    attach_partition: Some(child),
                });
            }
            if self.eat_all(&["RENAME", "TO"]) {
                let to = self.ident()?;
                return Some(Action::RenameObject {
                    kind: ObjectKind::Index,
                    to: Name::new(name.schema.clone(), to),
                    from: name,
                });
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
                let to = self.ident()?;
                return Some(Action::RenameObject {
                    kind,
                    to: Name::new(from.schema.clone(), to),
                    from,
                });
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
                let to = self.ident()?;
                return Some(Action::RenameObject {
                    kind,
                    to: Name::new(from.schema.clone(), to),
                    from,
                });
            }
            return Some(Action::Other);
        }
        if self.eat("DOMAIN") {
            let domain = self.name()?;
            if self.eat_all(&["RENAME", "TO"]) {
                let to = self.ident()?;
                return Some(Action::RenameObject {
                    kind: ObjectKind::Domain,
                    to: Name::new(domain.schema.clone(), to),
                    from: domain,
                });
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

    fn alter_table(&mut self, strict: bool) -> Option<Action> {
        let start = after_table_name(self.toks)?;
        self.i += 1;
        let if_exists = self.eat_all(&["IF", "EXISTS"]);
        let only = self.eat("ONLY");
        let table = self.name()?;
        let mut ops = Vec::new();
        let rest = &self.toks[start.min(self.toks.len())..];
        for range in split_commas(rest) {
            let part = &rest[range];
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

/// Whether a boolean option of a parenthesised list is on: present with no
/// value, or with a value other than `false`, `off`, `0`.
fn option_on(options: &[Vec<String>], name: &str) -> bool {
    options.iter().any(|o| {
        o.first().is_some_and(|n| n == name)
            && o.get(1)
                .is_none_or(|v| !matches!(v.as_str(), "FALSE" | "OFF" | "0"))
    })
}

/// One `ALTER TABLE` operation from its tokens.
fn alter_op(part: &[Tok], dialect: Dialect) -> Option<AlterKind> {
    let mut c = Cursor::new(part, dialect);
    if c.eat_all(&["ATTACH", "PARTITION"]) {
        let partition = c.name()?;
        let default = c.rest_has("DEFAULT");
        return Some(AlterKind::AttachPartition { partition, default });
    }
    if c.eat_all(&["DETACH", "PARTITION"]) {
        let partition = c.name()?;
        let concurrently = c.eat("CONCURRENTLY");
        let finalize = c.eat("FINALIZE");
        return Some(AlterKind::DetachPartition {
            partition,
            concurrently,
            finalize,
        });
    }
    if c.eat_all(&["SET", "TABLESPACE"]) {
        return Some(AlterKind::SetTablespace);
    }
    if (c.peek_is("SET") || c.peek_is("RESET"))
        && part
            .get(1)
            .is_some_and(|t| matches!(t.token(), Token::LParen))
    {
        return Some(AlterKind::SetStorageOptions);
    }
    if c.eat_all(&["SET", "LOGGED"]) {
        return Some(AlterKind::SetLogged);
    }
    if c.eat_all(&["SET", "UNLOGGED"]) {
        return Some(AlterKind::SetUnlogged);
    }
    if c.eat_all(&["SET", "SCHEMA"]) {
        return Some(AlterKind::SetSchema { schema: c.ident()? });
    }
    if c.eat("RENAME") {
        if c.eat("TO") || c.eat("AS") {
            return Some(AlterKind::RenameTo { to: c.name()? });
        }
        // MySQL `RENAME new_name`.
        if part.len() == 2 && !c.peek_is("COLUMN") {
            return Some(AlterKind::RenameTo { to: c.name()? });
        }
        if c.eat("CONSTRAINT") {
            let from = c.ident()?;
            c.eat("TO");
            return Some(AlterKind::RenameConstraint {
                from,
                to: c.ident()?,
            });
        }
        c.eat("COLUMN");
        let from = c.ident()?;
        if !c.eat("TO") {
            return None;
        }
        return Some(AlterKind::RenameColumn {
            from,
            to: c.ident()?,
        });
    }
    if c.eat("DROP") {
        if c.eat("CONSTRAINT") {
            let if_exists = c.eat_all(&["IF", "EXISTS"]);
            return Some(AlterKind::DropConstraint {
                name: c.ident()?,
                if_exists,
            });
        }
        if c.eat_all(&["PRIMARY", "KEY"]) {
            return Some(AlterKind::DropPrimaryKey);
        }
        if c.eat("INDEX") || c.eat("KEY") {
            return Some(AlterKind::DropIndex { name: c.ident()? });
        }
        if c.eat_all(&["FOREIGN", "KEY"]) {
            return Some(AlterKind::DropConstraint {
                name: c.ident()?,
                if_exists: false,
            });
        }
        c.eat("COLUMN");
        let if_exists = c.eat_all(&["IF", "EXISTS"]);
        return Some(AlterKind::DropColumn {
            name: c.ident()?,
            if_exists,
        });
    }
    if c.eat("VALIDATE") {
        c.eat("CONSTRAINT");
        return Some(AlterKind::ValidateConstraint { name: c.ident()? });
    }
    if c.eat("ADD") {
        if let Some(con) = lenient_constraint(&part[c.i..], dialect) {
            return Some(AlterKind::AddConstraint(con));
        }
        c.eat("COLUMN");
        let if_not_exists = c.eat_all(&["IF", "NOT", "EXISTS"]);
        let column = lenient_column(&part[c.i..], dialect)?;
        return Some(AlterKind::AddColumn {
            column,
            if_not_exists,
        });
    }
    if c.eat("ALTER") {
        c.eat("COLUMN");
        let column = c.ident()?;
        if c.eat_all(&["SET", "NOT", "NULL"]) {
            return Some(AlterKind::SetNotNull { column });
        }
        if c.eat_all(&["DROP", "NOT", "NULL"]) {
            return Some(AlterKind::DropNotNull { column });
        }
        if c.eat_all(&["DROP", "DEFAULT"]) {
            return Some(AlterKind::DropDefault { column });
        }
        if c.eat_all(&["SET", "DEFAULT"]) {
            return Some(AlterKind::SetDefault {
                column,
                default: text_of(&part[c.i..]).to_lowercase(),
            });
        }
        if c.eat_all(&["SET", "STATISTICS"])
            || c.eat_all(&["SET", "STORAGE"])
            || c.eat_all(&["SET", "COMPRESSION"])
        {
            return Some(AlterKind::SetStatistics { column });
        }
        if c.eat_all(&["SET", "EXPRESSION"]) {
            return Some(AlterKind::SetExpression { column });
        }
        if c.peek_is("SET")
            && part
                .get(c.i + 1)
                .is_some_and(|t| matches!(t.token(), Token::LParen))
        {
            return Some(AlterKind::SetStatistics { column });
        }
        if c.eat_all(&["SET", "DATA", "TYPE"]) || c.eat("TYPE") {
            let rest = &part[c.i..];
            let using_at = rest.iter().position(|t| t.is_word("USING"));
            let ty_toks = &rest[..using_at.unwrap_or(rest.len())];
            let ty_end = ty_toks
                .iter()
                .position(|t| t.is_word("COLLATE"))
                .unwrap_or(ty_toks.len());
            let using = match using_at {
                None => Using::None,
                Some(u) => {
                    let expr = &rest[u + 1..];
                    match expr {
                        [one]
                            if one.word().is_some_and(|w| {
                                fold(&w.value, w.quote_style.is_some(), dialect) == column
                            }) =>
                        {
                            Using::SameColumn
                        }
                        _ => Using::Expression,
                    }
                }
            };
            return Some(AlterKind::SetType {
                column,
                ty: Some(normalize_type(&text_of(&ty_toks[..ty_end]))),
                using,
            });
        }
        return Some(AlterKind::Other);
    }
    if c.eat("MODIFY") || c.eat("CHANGE") {
        let change = part.first().is_some_and(|t| t.is_word("CHANGE"));
        c.eat("COLUMN");
        let from = c.ident()?;
        let column = if change {
            lenient_column(&part[c.i..], dialect)?
        } else {
            lenient_column(&part[c.i - 1..], dialect)?
        };
        return Some(AlterKind::Redefine { from, column });
    }
    if c.eat("ALGORITHM") {
        c.eat_token(&Token::Eq);
        return Some(AlterKind::Algorithm {
            value: c.ident().unwrap_or_default(),
        });
    }
    if c.peek_is("ENGINE") || c.eat_all(&["CONVERT", "TO"]) {
        return Some(AlterKind::TableOption {
            name: if c.peek_is("ENGINE") {
                "engine".into()
            } else {
                "convert to character set".into()
            },
        });
    }
    let harmless = [
        "OWNER",
        "ENABLE",
        "DISABLE",
        "FORCE",
        "NO",
        "REPLICA",
        "CLUSTER",
        "SET",
        "RESET",
        "INHERIT",
        "OF",
        "NOT",
        "LOCK",
        "COMMENT",
        "AUTO_INCREMENT",
        "DEFAULT",
        "CHARACTER",
        "COLLATE",
        "ROW_FORMAT",
    ];
    if part
        .first()
        .is_some_and(|t| harmless.iter().any(|h| t.is_word(h)))
    {
        return Some(AlterKind::Other);
    }
    None
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

/// A table constraint (`CONSTRAINT n …`, `PRIMARY KEY (…)`, …) from its tokens.
fn lenient_constraint(part: &[Tok], dialect: Dialect) -> Option<ConstraintDef> {
    let mut c = Cursor::new(part, dialect);
    let name = if c.eat("CONSTRAINT") { c.ident() } else { None };
    let cols = |c: &mut Cursor<'_>| -> Vec<String> {
        let mut v = Vec::new();
        if c.eat_token(&Token::LParen) {
            while let Some(n) = c.ident() {
                v.push(n);
                if !c.eat_token(&Token::Comma) {
                    break;
                }
            }
            c.eat_token(&Token::RParen);
        }
        v
    };
    let kind;
    let mut columns = Vec::new();
    if c.eat_all(&["PRIMARY", "KEY"]) {
        kind = ConstraintKind::PrimaryKey;
        columns = cols(&mut c);
    } else if c.eat("UNIQUE") {
        c.eat("KEY");
        c.eat("INDEX");
        kind = ConstraintKind::Unique;
        columns = cols(&mut c);
    } else if c.eat_all(&["FOREIGN", "KEY"]) {
        columns = cols(&mut c);
        if !c.eat("REFERENCES") {
            return None;
        }
        let references = c.name()?;
        let on_delete_cascade = part
            .windows(2)
            .any(|w| w[0].is_word("DELETE") && w[1].is_word("CASCADE"));
        kind = ConstraintKind::ForeignKey {
            references,
            on_delete_cascade,
        };
    } else if c.eat("CHECK") {
        let body = &part[c.i..];
        let not_null_of = match body {
            [l, col, is, not, null, r, ..]
                if matches!(l.token(), Token::LParen)
                    && matches!(r.token(), Token::RParen)
                    && is.is_word("IS")
                    && not.is_word("NOT")
                    && null.is_word("NULL") =>
            {
                col.word()
                    .map(|w| fold(&w.value, w.quote_style.is_some(), dialect))
            }
            _ => None,
        };
        let expr = body
            .iter()
            .map(|t| t.token().to_string())
            .collect::<String>();
        kind = ConstraintKind::Check {
            not_null_of,
            expr: Some(super::ir::check_expr(&expr)),
        };
    } else if c.eat("EXCLUDE") {
        kind = ConstraintKind::Exclude;
    } else if name.is_some() && c.eat_all(&["NOT", "NULL"]) {
        kind = ConstraintKind::NotNull;
        columns = c.ident().into_iter().collect();
    } else if name.is_none()
        && (c.peek_is("KEY") || c.peek_is("INDEX") || c.peek_is("FULLTEXT") || c.peek_is("SPATIAL"))
    {
        // MySQL inline index definitions inside CREATE TABLE.
        kind = ConstraintKind::Other;
    } else {
        return None;
    }
    let not_valid = part
        .windows(2)
        .any(|w| w[0].is_word("NOT") && w[1].is_word("VALID"));
    let using_index = part
        .windows(3)
        .find(|w| w[0].is_word("USING") && w[1].is_word("INDEX"))
        .and_then(|w| {
            w[2].word()
                .map(|x| fold(&x.value, x.quote_style.is_some(), dialect))
        });
    Some(ConstraintDef {
        name,
        kind,
        columns,
        not_valid,
        using_index,
    })
}

/// A column definition (`name type [options]`) from its tokens.
fn lenient_column(part: &[Tok], dialect: Dialect) -> Option<ColumnDef> {
    let mut c = Cursor::new(part, dialect);
    let name = c.ident()?;
    let mut col = ColumnDef::named(name);
    let stop = [
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "UNIQUE",
        "REFERENCES",
        "CHECK",
        "CONSTRAINT",
        "GENERATED",
        "COLLATE",
        "AUTO_INCREMENT",
        "AUTOINCREMENT",
        "COMMENT",
        "FIRST",
        "AFTER",
        "ON",
        "CHARACTER",
        "IDENTITY",
        "AS",
    ];
    let ty_start = c.i;
    let mut depth = 0usize;
    while let Some(t) = c.peek() {
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && stop.iter().any(|s| t.is_word(s)) => break,
            _ => {}
        }
        c.i += 1;
    }
    if c.i > ty_start {
        let t = normalize_type(&text_of(&part[ty_start..c.i]));
        col.set_type(t);
    }
    while !c.at_end() {
        if c.eat_all(&["NOT", "NULL"]) {
            col.not_null = true;
        } else if c.eat("NULL") {
            col.not_null = false;
        } else if c.eat("DEFAULT") {
            let s = c.i;
            let mut depth = 0usize;
            while let Some(t) = c.peek() {
                match t.token() {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ if depth == 0 && c.i > s && stop.iter().any(|w| t.is_word(w)) => break,
                    _ => {}
                }
                c.i += 1;
            }
            col.default = Some(text_of(&part[s..c.i]).to_lowercase());
        } else if c.eat_all(&["PRIMARY", "KEY"]) {
            col.primary_key = true;
            col.not_null = true;
        } else if c.eat("UNIQUE") {
            col.unique = true;
        } else if c.eat("REFERENCES") {
            col.references = c.name();
        } else if c.eat("CHECK") {
            col.check = true;
            c.skip_parens();
        } else if c.eat("GENERATED") || c.peek_is("AS") {
            let stored = c.rest_has("STORED");
            let identity = c.rest_has("IDENTITY");
            col.generated = Some(if identity {
                super::ir::Generated::Identity
            } else if stored {
                super::ir::Generated::Stored
            } else {
                super::ir::Generated::Virtual
            });
            break;
        } else if c.eat("AUTO_INCREMENT") || c.eat("AUTOINCREMENT") {
            col.generated = Some(super::ir::Generated::Identity);
        } else {
            c.i += 1;
            c.skip_parens();
        }
    }
    Some(col)
}

/// PostgreSQL 18 (and its `pg_dump`) writes named NOT NULL constraints in a
/// table body, `CONSTRAINT n NOT NULL col`, which sqlparser lacks. Returns the
/// tokens without those elements, and the columns they make NOT NULL, so the
/// rest of the statement can still be parsed by sqlparser.
pub fn without_not_null_constraints(
    toks: &[Tok],
    dialect: Dialect,
) -> Option<(Vec<Tok>, Vec<String>)> {
    if !(toks.first()?.is_word("CREATE") && toks.iter().take(6).any(|t| t.is_word("TABLE"))) {
        return None;
    }
    let open = toks
        .iter()
        .position(|t| matches!(t.token(), Token::LParen))?;
    let mut keep: Vec<Tok> = toks[..=open].to_vec();
    let mut cols = Vec::new();
    let mut depth = 1usize;
    let mut i = open + 1;
    while i < toks.len() {
        let t = &toks[i];
        if depth == 1
            && let [c, n, not, null, col, ..] = &toks[i..]
            && c.is_word("CONSTRAINT")
            && n.word().is_some()
            && not.is_word("NOT")
            && null.is_word("NULL")
            && let Some(w) = col.word()
        {
            cols.push(fold(&w.value, w.quote_style.is_some(), dialect));
            i += 5;
            // Drop the comma before (or after, for the first element).
            if matches!(keep.last().map(Tok::token), Some(Token::Comma)) {
                keep.pop();
            } else if toks
                .get(i)
                .is_some_and(|t| matches!(t.token(), Token::Comma))
            {
                i += 1;
            }
            continue;
        }
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        keep.push(t.clone());
        i += 1;
    }
    (!cols.is_empty()).then_some((keep, cols))
}
