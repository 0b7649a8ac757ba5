//! Statement splitting, spans and parsing.
//!
//! A file is tokenized (by bellows' lexer, which yields exactly
//! sqlparser's tokens, or by sqlparser's tokenizer where the lexer gives
//! up), split at top-level semicolons into statements, and each statement
//! is parsed alone. The lexer's tokens go to the splitter one at a time and
//! each statement's are dropped once it is parsed: a file's tokens (about
//! 112 bytes each, one per 5 bytes of SQL) are never all held at once. What sqlparser cannot read goes to bellows' own token
//! recogniser ([`fallback`]); what neither reads is kept with a
//! `parse-error` note and is still scanned for dangerous operations.
//!
//! In: a file's text, its dialect and the layout's annotations. Out: a
//! [`ParsedFile`]: each statement's span, its [`Action`] (what it does, in
//! bellows' own terms) and how it was understood, and the file's comments.

mod depth;
pub mod fallback;
pub mod ir;
mod lexer;
mod lower;
mod mask;
pub(crate) use mask::mask;
pub mod mysql_client;
mod split;
pub mod tokens;

use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

pub use ir::{Action, ByteSpan};
pub use split::{Annotations, LineIndex};

use crate::model::Dialect;

/// How much of a file bellows understood, statement by statement: a run
/// over SQL it could not read is never mistaken for a safe one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Read by sqlparser.
    pub parsed: usize,
    /// Read by bellows' own recogniser (valid SQL the parser lacks).
    pub recognised: usize,
    /// Read by neither: only scanned for dangerous keywords.
    pub not_understood: usize,
    /// Of those read, `DO` blocks: code whose statements bellows does not follow.
    pub code: usize,
}

impl Coverage {
    /// Every statement counted.
    pub fn statements(self) -> usize {
        self.parsed + self.recognised + self.not_understood
    }
}

impl std::ops::Add for Coverage {
    type Output = Coverage;

    fn add(self, other: Coverage) -> Coverage {
        Coverage {
            parsed: self.parsed + other.parsed,
            recognised: self.recognised + other.recognised,
            not_understood: self.not_understood + other.not_understood,
            code: self.code + other.code,
        }
    }
}

impl ParsedFile {
    /// How each of the file's statements was understood.
    pub fn coverage(&self) -> Coverage {
        let mut c = Coverage::default();
        for s in &self.statements {
            match s.understood {
                Understood::Parser => c.parsed += 1,
                Understood::Recogniser => c.recognised += 1,
                Understood::No(_) => c.not_understood += 1,
            }
            if matches!(s.action, Action::Code) && !matches!(s.understood, Understood::No(_)) {
                c.code += 1;
            }
        }
        c
    }
}

/// Depth limit handed to sqlparser: deep nesting becomes a parse error, never a stack overflow.
const RECURSION_LIMIT: usize = 64;

/// How a statement was understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Understood {
    /// sqlparser read it.
    Parser,
    /// sqlparser could not, bellows' recogniser could: valid SQL the parser lacks.
    Recogniser,
    /// Neither could: kept as tokens; carries sqlparser's message.
    No(String),
}

/// One statement of a file.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// The statement's bytes in the file, without the final `;`.
    pub span: ByteSpan,
    pub action: Action,
    pub understood: Understood,
}

// A file's statements are all held until its migration is replayed: 200,000
// of them in a long migration. `Action` boxes its variants that pass 72
// bytes so that a statement stays at this size (it was 168 bytes).
const _: () = assert!(std::mem::size_of::<Stmt>() <= 120);

/// A comment of the file, kept for annotations (`-- +goose Down`,
/// `-- bellows:ignore …`).
#[derive(Debug, Clone)]
pub struct Comment {
    pub span: ByteSpan,
    /// The text after `--` / `#` / inside `/* */`.
    pub text: String,
}

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    pub statements: Vec<Stmt>,
    pub comments: Vec<Comment>,
}

fn sql_dialect(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::Postgres => &PostgreSqlDialect {},
        Dialect::Mysql => &MySqlDialect {},
        Dialect::Sqlite => &SQLiteDialect {},
    }
}

/// The normalised text of the statement at `span` of a file, read again
/// from the file's text: its tokens joined by single spaces, unquoted words
/// upper-cased (fingerprints and quick keyword tests). Not kept with each
/// statement: the few rules that read it ask for it.
pub fn normalized(text: &str, span: ByteSpan, dialect: Dialect) -> String {
    let Some(sub) = text.get(span.start..span.end) else {
        return String::new();
    };
    let masked = mask::mask(sub);
    let sub: &str = &masked;
    let (toks, _) = tokenize(sub, dialect);
    tokens::normalize(&toks, sub)
}

/// Whether the normalised text of the statement at `span` can hold one of
/// `words`: only when its text, masked as [`normalized`] masks it, holds
/// the word in some ASCII case. A quick test before [`normalized`], which
/// lexes.
pub fn may_hold(text: &str, span: ByteSpan, words: &[&str]) -> bool {
    let Some(sub) = text.get(span.start..span.end) else {
        return false;
    };
    let masked = mask::mask(sub);
    let b = masked.as_bytes();
    words.iter().any(|word| {
        let w = word.as_bytes();
        let Some(&first) = w.first() else {
            return true;
        };
        memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), b).any(|i| {
            b.get(i..i + w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
        })
    })
}

/// Tokenizes a text as files are tokenized: bellows' lexer where it reads
/// the text, sqlparser's tokenizer where it does not.
pub fn tokenize(text: &str, dialect: Dialect) -> (Vec<tokens::Tok>, Vec<Comment>) {
    split::tokenize(text, sql_dialect(dialect), dialect)
}

/// Tokenizes a file with bellows' lexer alone: `None` when the file holds
/// something it leaves to sqlparser's tokenizer. Whitespace is dropped and
/// comments are returned apart, as [`tokenize_with_sqlparser`] does.
pub fn lex(text: &str, dialect: Dialect) -> Option<(Vec<tokens::Tok>, Vec<Comment>)> {
    lexer::lex(text, dialect)
}

/// Tokenizes a file with sqlparser's tokenizer alone (the reference the
/// lexer must match), turning unreadable text into `bad` tokens.
pub fn tokenize_with_sqlparser(text: &str, dialect: Dialect) -> (Vec<tokens::Tok>, Vec<Comment>) {
    split::tokenize_with_sqlparser(text, &LineIndex::new(text), sql_dialect(dialect))
}

/// Parses a whole file.
pub fn parse_file(text: &str, dialect: Dialect) -> ParsedFile {
    parse_annotated(text, dialect, &Annotations::default())
}

/// Parses a whole file whose migration tool splits or joins statements
/// with annotations.
pub fn parse_annotated(text: &str, dialect: Dialect, notes: &Annotations) -> ParsedFile {
    // Template syntax (`${x}`, `{{ x }}`, `:x`) is read as a name of the same length.
    let masked = mask::mask(text);
    let text: &str = &masked;
    // MySQL: what the client does first (DELIMITER, version comments).
    let client = if dialect == Dialect::Mysql {
        mysql_client::read(text)
    } else {
        None
    };
    let merged;
    let (text, notes) = match &client {
        Some(c) => {
            let mut n = notes.clone();
            n.blocks.extend(c.blocks.iter().copied());
            n.blocks.sort_unstable();
            merged = n;
            (c.text.as_str(), &merged)
        }
        None => (text, notes),
    };
    let sd = sql_dialect(dialect);
    // Statement by statement: a file's tokens are never all held at once.
    let mut lexer = lexer::Lexer::new(text, dialect);
    let mut split = split::Statements::new(&mut lexer, notes).thinning(dialect);
    let mut statements = Vec::with_capacity(statement_room(text));
    while let Some((toks, thinned)) = split.next_statement() {
        statements.push(parse_statement(toks, thinned, text, sd, dialect));
    }
    if !lexer.gave_up {
        return ParsedFile {
            statements,
            comments: lexer.comments,
        };
    }
    // The lexer left something to sqlparser's tokenizer: the file again with it.
    let (tokens, comments) = split::tokenize_with_sqlparser(text, &LineIndex::new(text), sd);
    let mut split = split::Statements::new(tokens.into_iter(), notes);
    let mut statements = Vec::with_capacity(statement_room(text));
    while let Some((toks, thinned)) = split.next_statement() {
        statements.push(parse_statement(toks, thinned, text, sd, dialect));
    }
    ParsedFile {
        statements,
        comments,
    }
}

/// Room for a file's statements, given before the first is read: one per
/// `;` (most statements end at one), at most one per 16 bytes. Grown by
/// doubling instead, the list of a file of 200,000 statements was copied
/// at 131,072 into room for 262,144, and both copies stayed resident: 126
/// MB at the peak against 109. Room a `;` in a string or a routine's body
/// asks for and no statement fills is address space, never touched.
fn statement_room(text: &str) -> usize {
    memchr::memchr_iter(b';', text.as_bytes())
        .count()
        .min(text.len() / 16)
        + 1
}

/// A statement from its tokens; `thinned`: the split left some out.
fn parse_statement(
    toks: &mut [tokens::Tok],
    thinned: bool,
    text: &str,
    sd: &dyn SqlDialect,
    dialect: Dialect,
) -> Stmt {
    let span = lower::stmt_span(toks);
    if toks.iter().any(|t| t.bad) {
        return Stmt {
            span,
            action: fallback::scan(toks, text, dialect),
            understood: Understood::No(
                "an unterminated string, quoted name or comment".to_string(),
            ),
        };
    }
    if let Some(action) = read_by_head(toks, text, dialect) {
        return Stmt {
            span,
            action,
            understood: Understood::Recogniser,
        };
    }
    if thinned {
        // The parser needs every token: the statement's text read again.
        let (mut all, _) = split::tokenize(&text[span.start..span.end], sd, dialect);
        for t in &mut all {
            t.span = ByteSpan::new(t.span.start + span.start, t.span.end + span.start);
        }
        return parse_in_full(&mut all, text, sd, dialect, span);
    }
    parse_in_full(toks, text, sd, dialect, span)
}

/// A statement read by sqlparser, then by bellows' recogniser, then scanned.
fn parse_in_full(
    toks: &mut [tokens::Tok],
    text: &str,
    sd: &dyn SqlDialect,
    dialect: Dialect,
    span: ByteSpan,
) -> Stmt {
    // The parser takes its tokens by value, with spans: lend them (with
    // empty spans, see `Tok::token`) and take them back.
    let lent: Vec<TokenWithSpan> = toks
        .iter_mut()
        .map(|t| TokenWithSpan::wrap(std::mem::replace(&mut t.token, Token::EOF)))
        .collect();
    let (parsed, back) = parse_tokens(lent, sd);
    for (t, raw) in toks.iter_mut().zip(back) {
        t.token = raw.token;
    }
    let toks: &[tokens::Tok] = toks;
    match parsed {
        Ok(ast) => {
            let action = lower::lower(&ast, toks, dialect)
                .or_else(|| fallback::recognise(toks, text, dialect))
                .unwrap_or(Action::Other);
            Stmt {
                span,
                action,
                understood: Understood::Parser,
            }
        }
        Err(message) => {
            let read = repaired(toks, sd, dialect)
                .or_else(|| fallback::recognise(toks, text, dialect))
                // A row change sqlparser cannot read that holds DDL words is most
                // likely two statements glued by a missing `;`: not understood.
                .filter(|a| !(matches!(a, Action::Dml { .. }) && has_ddl_word(toks)));
            match read {
                Some(action) => Stmt {
                    span,
                    action,
                    understood: Understood::Recogniser,
                },
                None => Stmt {
                    span,
                    action: fallback::scan(scanned(toks), text, dialect),
                    understood: Understood::No(message),
                },
            }
        }
    }
}

/// `INSERT`, `UPDATE`, `DELETE` and `CREATE VIEW` are read by their head
/// (kind and table or view), which is all the rules use, without parsing
/// their values, conditions and queries: these take most of the parser's
/// time in data migrations. An index on plain columns is read whole by a
/// strict reader ([`fallback::plain_index`]). One that holds a DDL word
/// (past its own `CREATE`) goes the full way, so a missing `;` before DDL
/// is still found.
fn read_by_head(toks: &[tokens::Tok], text: &str, dialect: Dialect) -> Option<Action> {
    use sqlparser::keywords::Keyword;
    let head = toks.first()?.keyword()?;
    if toks.iter().skip(1).any(is_ddl_word) {
        return None;
    }
    match head {
        Keyword::INSERT | Keyword::UPDATE | Keyword::DELETE => {
            fallback::recognise(toks, text, dialect).filter(|a| matches!(a, Action::Dml { .. }))
        }
        Keyword::CREATE => {
            fallback::view_head(toks, dialect).or_else(|| fallback::plain_index(toks, dialect))
        }
        _ => None,
    }
}

/// Whether an unquoted word of the statement starts DDL.
fn has_ddl_word(toks: &[tokens::Tok]) -> bool {
    toks.iter().any(is_ddl_word)
}

fn is_ddl_word(t: &tokens::Tok) -> bool {
    use sqlparser::keywords::Keyword;
    matches!(
        t.keyword(),
        Some(
            Keyword::CREATE | Keyword::ALTER | Keyword::DROP | Keyword::TRUNCATE | Keyword::RENAME
        )
    )
}

/// What to scan of a statement nobody could read: a row change glued to DDL
/// by a missing `;` is scanned from its DDL, the part that can do harm.
fn scanned(toks: &[tokens::Tok]) -> &[tokens::Tok] {
    use sqlparser::keywords::Keyword;
    let row_change = toks
        .first()
        .and_then(tokens::Tok::keyword)
        .is_some_and(|k| {
            matches!(
                k,
                Keyword::INSERT | Keyword::UPDATE | Keyword::DELETE | Keyword::WITH
            )
        });
    match toks.iter().skip(1).position(is_ddl_word) {
        Some(i) if row_change => &toks[i + 1..],
        _ => toks,
    }
}

fn parse_with_sqlparser(
    toks: &[tokens::Tok],
    sd: &dyn SqlDialect,
) -> Result<Box<Statement>, String> {
    let tokens = toks.iter().map(|t| TokenWithSpan::wrap(t.token.clone()));
    parse_tokens(tokens.collect(), sd).0
}

/// Parses one statement; gives the tokens back. The statement is boxed as
/// soon as sqlparser returns it: it is 3.4 kB, copied at each return.
fn parse_tokens(
    tokens: Vec<TokenWithSpan>,
    sd: &dyn SqlDialect,
) -> (Result<Box<Statement>, String>, Vec<TokenWithSpan>) {
    // Each operator is a token: a short statement needs no estimate.
    let chain = if tokens.len() > depth::MAX_CHAIN {
        depth::operator_chain(&tokens)
    } else {
        0
    };
    if chain > depth::MAX_CHAIN {
        return (
            Err(format!(
                "an expression nested {chain} operators deep: bellows reads at most {}",
                depth::MAX_CHAIN
            )),
            tokens,
        );
    }
    let mut parser = Parser::new(sd)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let result = statement_alone(&mut parser);
    (result, parser.into_tokens())
}

fn statement_alone(parser: &mut Parser<'_>) -> Result<Box<Statement>, String> {
    let stmt = parser
        .parse_statement()
        .map(Box::new)
        .map_err(|e| clean_message(&e.to_string()))?;
    // Only a trailing semicolon may follow.
    loop {
        let next = parser.next_token();
        match next.token {
            Token::EOF => break,
            Token::SemiColon => {}
            other => {
                return Err(format!(
                    "unexpected `{other}` after the end of the statement"
                ));
            }
        }
    }
    Ok(stmt)
}

fn clean_message(msg: &str) -> String {
    let msg = msg.strip_prefix("sql parser error: ").unwrap_or(msg).trim();
    // Positions are relative to a statement fed alone: drop them, the
    // diagnostic carries the real span.
    let msg = match msg.find(" at Line: ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    let mut s = msg.to_string();
    if let Some(first) = s.get(..1) {
        let lower = first.to_lowercase();
        s.replace_range(..1, &lower);
    }
    s
}

/// Valid SQL that sqlparser lacks inside an otherwise ordinary statement:
/// remove the fragment, parse the rest, and put its meaning back.
fn repaired(toks: &[tokens::Tok], sd: &dyn SqlDialect, dialect: Dialect) -> Option<Action> {
    // `CREATE MATERIALIZED VIEW … AS … WITH [NO] DATA`: the data clause changes nothing bellows models.
    let n = toks.len();
    let data_clause = match toks {
        [.., w, no, d] if w.is_word("WITH") && no.is_word("NO") && d.is_word("DATA") => 3,
        [.., w, d] if w.is_word("WITH") && d.is_word("DATA") => 2,
        _ => 0,
    };
    if data_clause > 0 && toks.first().is_some_and(|t| t.is_word("CREATE")) {
        let kept = &toks[..n - data_clause];
        let ast = parse_with_sqlparser(kept, sd).ok()?;
        return lower::lower(&ast, kept, dialect);
    }
    // MySQL `CREATE TABLE … (…) … PARTITION BY …`: the partitioning changes
    // nothing bellows models but that the table is partitioned.
    if dialect == Dialect::Mysql
        && toks.first().is_some_and(|t| t.is_word("CREATE"))
        && let Some(cut) = partition_clause(toks)
    {
        let kept = &toks[..cut];
        let ast = parse_with_sqlparser(kept, sd).ok()?;
        let mut action = lower::lower(&ast, kept, dialect)?;
        if let Action::CreateTable(ct) = &mut action {
            ct.partitioned = true;
        }
        return Some(action);
    }
    let (kept, not_null) = fallback::without_not_null_constraints(toks, dialect)?;
    let ast = parse_with_sqlparser(&kept, sd).ok()?;
    let mut action = lower::lower(&ast, &kept, dialect)?;
    if let Action::CreateTable(ct) = &mut action {
        for col in &mut ct.columns {
            if not_null.contains(&col.name) {
                col.not_null = true;
            }
        }
    }
    Some(action)
}

/// Where a MySQL `PARTITION BY` clause starts: the first top-level
/// `PARTITION` after the column list.
fn partition_clause(toks: &[tokens::Tok]) -> Option<usize> {
    let mut depth = 0usize;
    let mut body = false;
    for (i, t) in toks.iter().enumerate() {
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                body |= depth == 0;
            }
            _ if body
                && depth == 0
                && t.is_word("PARTITION")
                && toks.get(i + 1).is_some_and(|n| n.is_word("BY")) =>
            {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_col(text: &str, offset: usize) -> (usize, usize) {
        LineIndex::new(text).line_col(text, offset)
    }

    fn stmts(text: &str) -> Vec<Stmt> {
        parse_file(text, Dialect::Postgres).statements
    }

    #[test]
    fn view_columns_are_named_as_the_server_names_them() {
        let columns = |sql: &str| match &stmts(sql)[0].action {
            Action::CreateView(v) => v.columns.clone(),
            other => panic!("not a view: {other:?}"),
        };
        assert_eq!(
            columns(
                "CREATE VIEW v AS SELECT DISTINCT ON (a) a, t.b, c AS d, count(*), x::text, \"E\" f, \
                 CASE WHEN a THEN 1 END, 1 + 2 FROM t"
            ),
            Some(
                ["a", "b", "d", "count", "x", "f", "case", "?column?"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(
            columns("CREATE OR REPLACE VIEW v (x, \"Y\") AS SELECT 1, 2"),
            Some(vec!["x".to_string(), "Y".to_string()])
        );
        assert_eq!(
            columns("CREATE VIEW v AS WITH w AS (SELECT 1 AS z) SELECT z, n FROM w"),
            Some(vec!["z".to_string(), "n".to_string()])
        );
        assert_eq!(columns("CREATE VIEW v AS SELECT t.* FROM t"), None);
    }

    #[test]
    fn spans_are_exact_under_bom_crlf_and_non_ascii() {
        let text =
            "\u{feff}CREATE TABLE \"üsers\" (id int);\r\nALTER TABLE \"üsers\" DROP COLUMN id;\r\n";
        let s = stmts(text);
        assert_eq!(s.len(), 2);
        assert_eq!(
            &text[s[0].span.start..s[0].span.end],
            "CREATE TABLE \"üsers\" (id int)"
        );
        assert_eq!(line_col(text, s[0].span.start), (1, 1));
        assert_eq!(line_col(text, s[1].span.start), (2, 1));
        let Action::AlterTable { ops, table, .. } = &s[1].action else {
            panic!("not an ALTER TABLE: {:?}", s[1].action);
        };
        assert_eq!(table.name, "üsers");
        assert_eq!(&text[ops[0].span.start..ops[0].span.end], "DROP COLUMN id");
        // Characters, not bytes: `ü` is one column.
        assert_eq!(line_col(text, ops[0].span.start), (2, 21));
        assert_eq!(line_col(text, ops[0].span.end), (2, 35));
    }

    /// A long `INSERT` keeps few of its tokens past its head; it is read as
    /// if it had kept them all.
    #[test]
    fn long_inserts_are_read_as_from_all_their_tokens() {
        let rows = (0..2000)
            .map(|i| format!("({i}, 'a;{i}')"))
            .collect::<Vec<_>>()
            .join(",\n");
        let whole = |stmt: &str| {
            let sd = sql_dialect(Dialect::Postgres);
            let (mut toks, _) = split::tokenize(stmt, sd, Dialect::Postgres);
            parse_statement(&mut toks, false, stmt, sd, Dialect::Postgres)
        };
        let values = format!("INSERT INTO t (a, b) VALUES {rows}");
        let select = format!("INSERT INTO t SELECT * FROM (VALUES {rows}) AS v");
        let glued = format!("{values}\nDROP TABLE u");
        // A head bellows cannot read (backticks in PostgreSQL) keeps every token.
        let unread = format!("INSERT INTO `t` VALUES {rows}");
        for (stmt, action, thinned) in [
            (&values, "Dml { kind: Insert", true),
            (&select, "Dml { kind: InsertSelect", true),
            (&glued, "Drop { kind: Table", true),
            (&unread, "Other", false),
        ] {
            let text = format!("{stmt};\nDROP TABLE w;\n");
            let s = stmts(&text);
            assert_eq!(s.len(), 2, "{stmt:.40}");
            assert_eq!(s[0].span, ByteSpan::new(0, stmt.len()));
            assert_eq!(format!("{:?}", s[0]), format!("{:?}", whole(stmt)));
            assert!(
                format!("{:?}", s[0].action).starts_with(action),
                "{:?}",
                s[0].action
            );
            let notes = Annotations::default();
            let mut lexer = lexer::Lexer::new(&text, Dialect::Postgres);
            let mut split = split::Statements::new(&mut lexer, &notes).thinning(Dialect::Postgres);
            let (toks, left_out) = split.next_statement().expect("a statement");
            assert_eq!(left_out, thinned, "{stmt:.40}");
            assert_eq!(toks.len() < 5000, thinned, "{} tokens", toks.len());
        }
    }

    #[test]
    fn dollar_quotes_strings_and_comments_do_not_split() {
        let text = "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN x := 1; RETURN NEW; END $$ LANGUAGE plpgsql;\n\
                    -- a comment; with a semicolon\n\
                    INSERT INTO t VALUES ('a;b');\n";
        let s = stmts(text);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(matches!(s[1].action, Action::Dml { .. }));
    }

    #[test]
    fn trigger_bodies_stay_whole() {
        let text = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END;\nSELECT 1;";
        let s = parse_file(text, Dialect::Sqlite).statements;
        assert_eq!(s.len(), 2, "{s:?}");
    }

    #[test]
    fn unterminated_string_is_one_parse_error_and_the_rest_is_read() {
        let text = "CREATE TABLE a (id int);\nINSERT INTO a VALUES ('oops);\nDROP TABLE a;\n";
        let s = stmts(text);
        assert!(matches!(s[0].action, Action::CreateTable(_)));
        assert!(s.iter().any(|x| matches!(x.understood, Understood::No(_))));
        assert!(matches!(
            s.last().map(|x| &x.action),
            Some(Action::Drop { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_crash() {
        let text = format!("SELECT {}1{};", "(".repeat(20_000), ")".repeat(20_000));
        let s = stmts(&text);
        assert_eq!(s.len(), 1);
        assert!(matches!(s[0].understood, Understood::No(_)));
    }

    #[test]
    fn statements_sqlparser_lacks_are_recognised() {
        for sql in [
            "DROP INDEX CONCURRENTLY IF EXISTS i",
            "REINDEX INDEX CONCURRENTLY i",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
            "VACUUM (FULL, ANALYZE) t",
            "CLUSTER t USING i",
            "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (1) TO (10)",
            "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY",
            "ALTER TABLE t SET TABLESPACE fast",
            "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500",
            "ALTER SEQUENCE s RESTART WITH 10",
            "DO $$ BEGIN PERFORM 1; END $$",
            "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE PROCEDURE f('x')",
            "COMMENT ON COLUMN t.a IS 'one' 'two'",
            "COMMENT ON FUNCTION f(int) IS 'x'",
            "CREATE TABLE t (a int, CONSTRAINT a_nn NOT NULL a)",
            "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one WITH NO DATA",
            "CREATE TABLE t2 (LIKE t INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
            "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
            "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
        ] {
            let s = stmts(sql);
            assert_eq!(s.len(), 1, "{sql}");
            assert!(
                !matches!(s[0].understood, Understood::No(_)),
                "{sql}: {:?}",
                s[0].understood
            );
        }
    }

    #[test]
    fn a_missing_semicolon_is_still_an_error() {
        let s = stmts("CREATE INDEX a ON t (x)\nCREATE INDEX b ON t (y);");
        assert!(matches!(s[0].understood, Understood::No(_)));
    }

    /// Whether the plain-index reader answers for a statement; when it does,
    /// asserts that the full path reads the statement, to the same action.
    fn plain_index_agrees(
        toks: &mut [tokens::Tok],
        text: &str,
        dialect: Dialect,
        at: &str,
    ) -> bool {
        let Some(fast) = fallback::plain_index(toks, dialect) else {
            return false;
        };
        let span = lower::stmt_span(toks);
        let full = parse_in_full(toks, text, sql_dialect(dialect), dialect, span);
        assert!(
            !matches!(full.understood, Understood::No(_)),
            "{at} ({dialect:?}): not readable in full"
        );
        // The recogniser (for what sqlparser lacks, such as `ON ONLY`) does
        // not read columns; the reader does.
        let mut expected = fast;
        if let (Understood::Recogniser, Action::CreateIndex(ci)) = (&full.understood, &mut expected)
        {
            ci.columns.clear();
        }
        assert_eq!(full.action, expected, "{at} ({dialect:?})");
        true
    }

    /// Every index statement of the fixtures and of ../shared/corpus that
    /// the plain-index reader answers for, in each dialect, is one sqlparser
    /// reads too, to exactly the same action.
    #[test]
    fn plain_index_reader_agrees_with_sqlparser() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = root.join("../shared/corpus");
        let mut dirs = vec![root.join("fixtures")];
        if corpus.is_dir() {
            dirs.push(corpus);
        } else {
            eprintln!("skipped: ../shared/corpus is not there; the fixtures only");
        }
        let least = if dirs.len() > 1 { 500 } else { 10 };
        let mut read = 0;
        for dir in dirs {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
                    let sd = sql_dialect(dialect);
                    let (toks, _) = split::tokenize(&text, sd, dialect);
                    let notes = Annotations::default();
                    let mut split = split::Statements::new(toks.into_iter(), &notes);
                    while let Some((stmt, _)) = split.next_statement() {
                        let at = format!(
                            "{} at byte {}",
                            entry.path().display(),
                            lower::stmt_span(stmt).start
                        );
                        if !plain_index_agrees(stmt, &text, dialect, &at) {
                            continue;
                        }
                        read += 1;
                    }
                }
            }
        }
        eprintln!("{read} index statements read by the plain-index reader");
        assert!(read > least, "only {read} index statements read");
    }

    /// Expressions, function calls, operator classes and partial-index
    /// predicates: the reader takes them, to what the full path gives.
    #[test]
    fn plain_index_reader_takes_expressions_as_the_full_path_does() {
        let pg = Dialect::Postgres;
        let tokens = |sql: &str| split::tokenize(sql, sql_dialect(pg), pg).0;
        for sql in [
            "CREATE INDEX by_close ON ev (ns, (COALESCE(close_time, '9999-12-31')) DESC, run_id)",
            "CREATE INDEX CONCURRENTLY users_email ON users (lower(email))",
            "CREATE INDEX docs_body ON docs USING GIN (ns, body jsonb_path_ops)",
            "CREATE INDEX t_trgm ON t USING gin (lower(name) gin_trgm_ops)",
            "CREATE INDEX t_x ON t ((a + b) NULLS FIRST, c DESC NULLS LAST) INCLUDE (d)",
            "CREATE UNIQUE INDEX live ON users (name) WHERE deleted_at IS NULL AND (kind = 'a' OR f(kind))",
        ] {
            assert!(plain_index_agrees(&mut tokens(sql), sql, pg, sql), "{sql}");
        }
        // Left to sqlparser: options the reader does not know, and
        // parentheses that do not balance.
        for sql in [
            "CREATE INDEX i ON t (a COLLATE \"C\")",
            "CREATE INDEX i ON t (a) WITH (fillfactor = 70)",
            "CREATE INDEX i ON t (s.f(a))",
            "CREATE INDEX i ON t (a s.text_ops)",
            "CREATE INDEX i ON t (())",
            "CREATE INDEX i ON t ((a)",
            "CREATE INDEX i ON t (a) WHERE",
            "CREATE INDEX i ON t (a) WHERE (b))",
            "CREATE INDEX i ON t (a) WHERE (b",
            // A missing `;` before a row change: the full path reports it.
            "CREATE INDEX i ON t (a) WHERE b INSERT INTO t VALUES (1)",
            "CREATE INDEX i ON t ((SELECT 1))",
        ] {
            assert_eq!(fallback::plain_index(&tokens(sql), pg), None, "{sql}");
        }
        // MySQL key parts with expressions or prefix lengths: sqlparser's.
        for sql in [
            "CREATE INDEX i ON t ((lower(a)))",
            "CREATE INDEX i ON t (a(10))",
        ] {
            let toks = split::tokenize(sql, sql_dialect(Dialect::Mysql), Dialect::Mysql).0;
            assert_eq!(fallback::plain_index(&toks, Dialect::Mysql), None, "{sql}");
        }
        // The price, chosen: what is inside an expression or a predicate is
        // not read, so a typo there is no parse-error. PostgreSQL rejects
        // such a migration when it runs; the index itself is still linted.
        let sql = "CREATE INDEX i ON t ((a +)) WHERE b =";
        let Some(Action::CreateIndex(ci)) = fallback::plain_index(&tokens(sql), pg) else {
            panic!("{sql}: not read");
        };
        assert_eq!((ci.table.name.as_str(), ci.columns.len()), ("t", 0));
    }

    /// Every word sqlparser knows, as an index's name, table and columns:
    /// where the plain-index reader answers, the full path agrees.
    #[test]
    fn plain_index_reader_agrees_on_every_keyword() {
        let mut read = 0;
        for kw in sqlparser::keywords::ALL_KEYWORDS {
            for sql in [
                format!("CREATE INDEX i ON t ({kw})"),
                format!("CREATE INDEX i ON t (a, {kw} DESC)"),
                format!("CREATE UNIQUE INDEX {kw} ON {kw} ({kw}, b)"),
                format!("CREATE INDEX i ON t USING {kw} (a) INCLUDE ({kw})"),
            ] {
                for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
                    let sd = sql_dialect(dialect);
                    let (mut toks, _) = split::tokenize(&sql, sd, dialect);
                    if !plain_index_agrees(&mut toks, &sql, dialect, &sql) {
                        continue;
                    }
                    read += 1;
                }
            }
        }
        assert!(read > 1000);
    }
}
