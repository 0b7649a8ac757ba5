//! Statement splitting, spans and parsing.
//!
//! A file is tokenized once with sqlparser's tokenizer, split at top-level
//! semicolons into statements, and each statement is parsed alone. What
//! sqlparser cannot read goes to bellows' own token recogniser
//! ([`fallback`]); what neither reads is kept with a `parse-error` note and
//! is still scanned for dangerous operations.

pub mod fallback;
pub mod ir;
mod lower;
mod split;
pub mod tokens;

use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

pub use ir::{Action, ByteSpan};
pub use split::LineIndex;

use crate::Dialect;

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
    /// Every keyword and identifier of the statement, upper-cased, joined by
    /// single spaces: used for fingerprints and quick keyword tests.
    pub normalized: String,
}

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

/// Parses a whole file.
pub fn parse_file(text: &str, dialect: Dialect) -> ParsedFile {
    let index = LineIndex::new(text);
    let sd = sql_dialect(dialect);
    let (tokens, comments) = split::tokenize(text, &index, sd);
    let mut out = ParsedFile {
        statements: Vec::new(),
        comments,
    };
    for chunk in split::statements(&tokens) {
        let stmt_tokens = &tokens[chunk.clone()];
        if stmt_tokens.is_empty() {
            continue;
        }
        out.statements.push(parse_statement(stmt_tokens, text, sd, dialect));
    }
    out
}

fn parse_statement(toks: &[tokens::Tok], text: &str, sd: &dyn SqlDialect, dialect: Dialect) -> Stmt {
    let span = ByteSpan::new(
        toks.first().map_or(0, |t| t.span.start),
        toks.last().map_or(0, |t| t.span.end),
    );
    let normalized = tokens::normalize(toks, text);
    let parsed = if toks.iter().any(|t| t.bad) {
        Err("the tokenizer could not read this statement (an unterminated string, quoted name or comment?)".to_string())
    } else {
        parse_with_sqlparser(toks, sd)
    };
    match parsed {
        Ok(ast) => {
            let action = lower::lower(&ast, toks, dialect)
                .or_else(|| fallback::recognise(toks, text, dialect))
                .unwrap_or(Action::Other);
            Stmt {
                span,
                action,
                understood: Understood::Parser,
                normalized,
            }
        }
        Err(message) => match fallback::recognise(toks, text, dialect) {
            Some(action) => Stmt {
                span,
                action,
                understood: Understood::Recogniser,
                normalized,
            },
            None => Stmt {
                span,
                action: fallback::scan(toks, text, dialect),
                understood: Understood::No(message),
                normalized,
            },
        },
    }
}

fn parse_with_sqlparser(
    toks: &[tokens::Tok],
    sd: &dyn SqlDialect,
) -> Result<sqlparser::ast::Statement, String> {
    let with_spans: Vec<TokenWithSpan> = toks.iter().map(|t| t.raw.clone()).collect();
    let mut parser = Parser::new(sd)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(with_spans);
    let stmt = parser.parse_statement().map_err(|e| clean_message(&e.to_string()))?;
    // Only a trailing semicolon may follow.
    loop {
        let next = parser.next_token();
        match next.token {
            Token::EOF => break,
            Token::SemiColon => {}
            other => return Err(format!("unexpected `{other}` after the end of the statement")),
        }
    }
    Ok(stmt)
}

fn clean_message(msg: &str) -> String {
    let msg = msg
        .strip_prefix("sql parser error: ")
        .unwrap_or(msg)
        .trim();
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
