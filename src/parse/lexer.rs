//! A byte-level lexer for the SQL that migrations are usually made of.
//!
//! It yields exactly the tokens sqlparser's tokenizer yields with
//! `with_unescape(false)` (same [`Token`] values, same byte spans), only
//! faster: it walks bytes, allocates one `String` per
//! token that holds text, and finds keywords in a hash table the compiler
//! builds.
//! A prefixed string (`E'…'`, `N'…'`, `X'…'`, `B'…'`, `U&'…'`) is handed to
//! sqlparser's tokenizer alone, as the slice it ends at. Whatever else it
//! is not sure to read the same way (MySQL `/*! … */` hints and `@names`,
//! hexadecimal numbers, and every input on which sqlparser would report an
//! error) makes the lexer give up (`gave_up`, or [`lex`] returns `None`),
//! and the caller tokenizes the file with sqlparser.
//!
//! The rules below mirror sqlparser 0.63's `Tokenizer::next_token` for the
//! three dialects bellows reads; `tests/lexer.rs` compares both on every
//! fixture and corpus file.

use sqlparser::ast::DollarQuotedString;
use sqlparser::keywords::{ALL_KEYWORDS, ALL_KEYWORDS_INDEX, Keyword};
use sqlparser::tokenizer::{Token, Word};

use super::Comment;
use super::ir::ByteSpan;
use super::tokens::Tok;
use crate::model::Dialect;

/// Tokenizes `text` as sqlparser would, or returns `None` when the text
/// holds something this lexer leaves to sqlparser.
pub fn lex(text: &str, dialect: Dialect) -> Option<(Vec<Tok>, Vec<Comment>)> {
    let mut lexer = Lexer::new(text, dialect);
    let mut toks = Vec::with_capacity(text.len() / BYTES_PER_TOKEN + 1);
    toks.extend(&mut lexer);
    if lexer.gave_up {
        return None;
    }
    Some((toks, lexer.comments))
}

/// Bytes of source per token in dense migrations: the corpus's files have
/// 5 to 50 (median 8), so a token vector sized by this rarely grows.
pub const BYTES_PER_TOKEN: usize = 5;

/// What the previous token was, as far as sqlparser's rules look back.
/// Whitespace and comments count as tokens there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Word,
    Period,
    Other,
}

/// One step of the lexer.
enum Step {
    /// Whitespace: nothing to keep.
    Blank,
    /// A comment with the text bellows keeps.
    Comment(String),
    Token(Token),
}

/// Byte classes of unquoted names, per dialect.
const START: u8 = 1;
const PART: u8 = 2;

/// Which bytes may start (`START`) or continue (`PART`) an unquoted name.
///
/// A byte of a multi-byte character counts as its character does: every
/// non-ASCII character is a name character for PostgreSQL and MySQL; for
/// SQLite only those up to U+FFFF are, whose lead bytes are below 0xF0.
const fn name_classes(dialect: Dialect) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let letter = c.is_ascii_alphabetic() || c == b'_';
        let start = match dialect {
            Dialect::Postgres => letter || c >= 0x80,
            Dialect::Mysql => letter || c == b'$' || c == b'@' || c >= 0x80,
            Dialect::Sqlite => letter || (c >= 0x7f && c < 0xf0),
        };
        let part =
            start || c.is_ascii_digit() || (c == b'$' && matches!(dialect, Dialect::Postgres));
        t[b] = if start { START } else { 0 } | if part { PART } else { 0 };
        b += 1;
    }
    t
}

static POSTGRES_NAMES: [u8; 256] = name_classes(Dialect::Postgres);
static MYSQL_NAMES: [u8; 256] = name_classes(Dialect::Mysql);
static SQLITE_NAMES: [u8; 256] = name_classes(Dialect::Sqlite);

/// The characters PostgreSQL lets a custom operator continue with.
fn custom_operator_part(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    dialect: Dialect,
    names: &'static [u8; 256],
    prev: Prev,
    /// The comments read so far.
    pub comments: Vec<Comment>,
    /// Set when the text holds something left to sqlparser: the tokens
    /// stop there.
    pub gave_up: bool,
}

impl Iterator for Lexer<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        if self.gave_up {
            return None;
        }
        self.next_tok()
    }

    /// At most a token per byte of the text left.
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = if self.gave_up {
            0
        } else {
            self.bytes.len().saturating_sub(self.pos)
        };
        (0, Some(left))
    }
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `text`, yielding its tokens one at a time
    /// (as an [`Iterator`]) and keeping its comments.
    pub fn new(text: &'a str, dialect: Dialect) -> Self {
        // A byte order mark is skipped, as `LineIndex` does.
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let names = match dialect {
            Dialect::Postgres => &POSTGRES_NAMES,
            Dialect::Mysql => &MYSQL_NAMES,
            Dialect::Sqlite => &SQLITE_NAMES,
        };
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: bom,
            dialect,
            names,
            prev: Prev::Other,
            comments: Vec::new(),
            gave_up: false,
        }
    }

    fn postgres(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    fn mysql(&self) -> bool {
        self.dialect == Dialect::Mysql
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn is(&self, i: usize, b: u8) -> bool {
        self.byte(i) == Some(b)
    }

    /// The character starting at byte `i`.
    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..)?.chars().next()
    }

    fn slice(&self, from: usize, to: usize) -> Option<String> {
        self.text.get(from..to).map(str::to_owned)
    }

    fn name_start(&self, b: u8) -> bool {
        self.names[usize::from(b)] & START != 0
    }

    /// The end of the name characters from `i` on.
    fn name_end(&self, mut i: usize) -> usize {
        while let Some(&b) = self.bytes.get(i) {
            if self.names[usize::from(b)] & PART == 0 {
                break;
            }
            i += 1;
        }
        i
    }

    /// The next token; `None` at the end of the text, or at the first thing
    /// left to sqlparser (then `gave_up` is set).
    fn next_tok(&mut self) -> Option<Tok> {
        while let Some(b) = self.byte(self.pos) {
            let start = self.pos;
            // Matched in place: an `Option` combinator here moved each token once more.
            match self.step(b) {
                Some(Step::Token(token)) if self.pos > start => {
                    self.prev = match token {
                        Token::Word(_) => Prev::Word,
                        Token::Period => Prev::Period,
                        _ => Prev::Other,
                    };
                    return Some(Tok {
                        token,
                        span: ByteSpan::new(start, self.pos),
                        bad: false,
                    });
                }
                Some(Step::Blank) if self.pos > start => self.prev = Prev::Other,
                Some(Step::Comment(text)) if self.pos > start => {
                    self.prev = Prev::Other;
                    self.comments.push(Comment {
                        span: ByteSpan::new(start, self.pos),
                        text,
                    });
                }
                _ => {
                    self.gave_up = true;
                    return None;
                }
            }
        }
        None
    }

    /// Reads one token from `self.pos`, whose byte is `b`, and moves past it.
    fn step(&mut self, b: u8) -> Option<Step> {
        let i = self.pos;
        let pg = self.postgres();
        let my = self.mysql();
        let sqlite = self.dialect == Dialect::Sqlite;
        let token = match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                let mut j = i + 1;
                while matches!(
                    self.byte(j),
                    Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
                ) {
                    j += 1;
                }
                self.pos = j;
                return Some(Step::Blank);
            }
            b'\'' => {
                let end = self.quoted_end(i + 1, b'\'', my)?;
                self.pos = end + 1;
                Token::SingleQuotedString(self.slice(i + 1, end)?)
            }
            b'"' if my => {
                let end = self.quoted_end(i + 1, b'"', true)?;
                self.pos = end + 1;
                Token::DoubleQuotedString(self.slice(i + 1, end)?)
            }
            b'"' => self.quoted_name(i, b'"', '"')?,
            b'`' if !pg => self.quoted_name(i, b'`', '`')?,
            b'[' if sqlite => self.quoted_name(i, b']', '[')?,
            b'0'..=b'9' | b'.' => self.number(i)?,
            b'(' => self.one(Token::LParen),
            b')' => self.one(Token::RParen),
            b',' => self.one(Token::Comma),
            b';' => self.one(Token::SemiColon),
            b'\\' => self.one(Token::Backslash),
            b'[' => self.one(Token::LBracket),
            b']' => self.one(Token::RBracket),
            b'{' => self.one(Token::LBrace),
            b'}' => self.one(Token::RBrace),
            b'+' => self.one(Token::Plus),
            b'*' => self.one(Token::Mul),
            b'-' => {
                if self.is(i + 1, b'-')
                    && (!my || self.char_at(i + 2).is_some_and(char::is_whitespace))
                {
                    return Some(self.line_comment(i + 2));
                }
                if self.is(i + 1, b'>') {
                    if self.is(i + 2, b'>') {
                        self.binop(i + 3, "->>", Some(Token::LongArrow))?
                    } else {
                        self.binop(i + 2, "->", Some(Token::Arrow))?
                    }
                } else {
                    self.binop(i + 1, "-", Some(Token::Minus))?
                }
            }
            b'/' => {
                if self.is(i + 1, b'*') {
                    return self.block_comment(i + 2);
                }
                self.one(Token::Div)
            }
            b'#' if my => return Some(self.line_comment(i + 1)),
            b'%' => {
                self.pos = i + 1;
                if self.char_at(i + 1).is_some_and(char::is_whitespace) {
                    Token::Mod
                } else {
                    self.binop(i + 1, "%", Some(Token::Mod))?
                }
            }
            b'$' if !my => self.dollar(i)?,
            b'@' if my => return None,
            b'?' if !pg => {
                let mut j = i + 1;
                while let Some(c) = self.char_at(j).filter(|c| c.is_numeric()) {
                    j += c.len_utf8();
                }
                self.pos = j;
                Token::Placeholder(self.slice(i, j)?)
            }
            b'|' | b'=' | b'!' | b'<' | b'>' | b':' | b'&' | b'^' | b'#' | b'~' | b'@' | b'?' => {
                self.operator(b)?
            }
            _ if self.name_start(b) => self.word(i, b)?,
            _ if b >= 0x80 => {
                // A character SQLite does not take into names (above U+FFFF).
                let c = self.char_at(i)?;
                self.pos = i + c.len_utf8();
                if c.is_whitespace() {
                    return Some(Step::Blank);
                }
                Token::Char(c)
            }
            _ => self.one(Token::Char(char::from(b))),
        };
        Some(Step::Token(token))
    }

    /// Ends the token at `end`.
    fn to(&mut self, end: usize, token: Token) -> Token {
        self.pos = end;
        token
    }

    fn one(&mut self, token: Token) -> Token {
        self.pos += 1;
        token
    }

    /// After an operator's first characters (`prefix`, which end at `end`),
    /// PostgreSQL reads any further operator characters as one custom
    /// operator. Without one, `default` is the token; with neither,
    /// sqlparser reports an error.
    fn binop(&mut self, end: usize, prefix: &str, default: Option<Token>) -> Option<Token> {
        self.pos = end;
        if !self.postgres() {
            return default;
        }
        let from = self.pos;
        let mut j = from;
        while self.byte(j).is_some_and(custom_operator_part) {
            j += 1;
        }
        if j == from {
            return default;
        }
        self.pos = j;
        let mut op = String::with_capacity(prefix.len() + j - from);
        op.push_str(prefix);
        op.push_str(self.text.get(from..j)?);
        Some(Token::CustomBinaryOperator(op))
    }

    /// Operators beginning with one of `| = ! < > : & ^ # ~ @ ?`.
    fn operator(&mut self, b: u8) -> Option<Token> {
        let i = self.pos;
        // The geometric operators and PostgreSQL's jsonb `?` forms.
        let geo = self.postgres();
        let n1 = self.byte(i + 1);
        let n2 = self.byte(i + 2);
        match b {
            b'|' => match n1 {
                Some(b'/') => self.binop(i + 2, "|/", Some(Token::PGSquareRoot)),
                Some(b'|') => {
                    if n2 == Some(b'/') {
                        self.binop(i + 3, "||/", Some(Token::PGCubeRoot))
                    } else {
                        self.binop(i + 2, "||", Some(Token::StringConcat))
                    }
                }
                Some(b'&') if geo => {
                    if n2 == Some(b'>') {
                        self.binop(
                            i + 3,
                            "|&>",
                            Some(Token::VerticalBarAmpersandRightAngleBracket),
                        )
                    } else {
                        self.binop(i + 2, "|&", None)
                    }
                }
                Some(b'>') if geo => {
                    if n2 == Some(b'>') {
                        self.binop(i + 3, "|>>", Some(Token::VerticalBarShiftRight))
                    } else {
                        self.binop(i + 2, "|>", None)
                    }
                }
                _ => self.binop(i + 1, "|", Some(Token::Pipe)),
            },
            b'=' => match n1 {
                Some(b'>') => Some(self.to(i + 2, Token::RArrow)),
                Some(b'=') => Some(self.to(i + 2, Token::DoubleEq)),
                _ => Some(self.to(i + 1, Token::Eq)),
            },
            b'!' => match (n1, n2) {
                (Some(b'='), _) => Some(self.to(i + 2, Token::Neq)),
                (Some(b'!'), _) => Some(self.to(i + 2, Token::DoubleExclamationMark)),
                (Some(b'~'), Some(b'*')) => {
                    Some(self.to(i + 3, Token::ExclamationMarkTildeAsterisk))
                }
                (Some(b'~'), Some(b'~')) => {
                    if self.is(i + 3, b'*') {
                        Some(self.to(i + 4, Token::ExclamationMarkDoubleTildeAsterisk))
                    } else {
                        Some(self.to(i + 3, Token::ExclamationMarkDoubleTilde))
                    }
                }
                (Some(b'~'), _) => Some(self.to(i + 2, Token::ExclamationMarkTilde)),
                _ => Some(self.to(i + 1, Token::ExclamationMark)),
            },
            b'<' => match n1 {
                Some(b'=') => match n2 {
                    Some(b'>') => self.binop(i + 3, "<=>", Some(Token::Spaceship)),
                    Some(b'+' | b'-') => Some(self.to(i + 2, Token::LtEq)),
                    _ => self.binop(i + 2, "<=", Some(Token::LtEq)),
                },
                Some(b'|') if geo => {
                    // sqlparser names `<|` after `<<|`, custom tails included.
                    self.binop(i + 2, "<<|", Some(Token::ShiftLeftVerticalBar))
                }
                Some(b'>') => self.binop(i + 2, "<>", Some(Token::Neq)),
                Some(b'<') => {
                    if geo && n2 == Some(b'|') {
                        self.binop(i + 3, "<<|", Some(Token::ShiftLeftVerticalBar))
                    } else {
                        self.binop(i + 2, "<<", Some(Token::ShiftLeft))
                    }
                }
                Some(b'+') => Some(self.to(i + 1, Token::Lt)),
                Some(b'-') if geo => {
                    if n2 == Some(b'>') {
                        self.binop(i + 3, "<->", Some(Token::TwoWayArrow))
                    } else {
                        Some(self.to(i + 1, Token::Lt))
                    }
                }
                Some(b'^') if geo => self.binop(i + 2, "<^", Some(Token::LeftAngleBracketCaret)),
                Some(b'@') => self.binop(i + 2, "<@", Some(Token::ArrowAt)),
                _ => self.binop(i + 1, "<", Some(Token::Lt)),
            },
            b'>' => match n1 {
                Some(b'=') => self.binop(i + 2, ">=", Some(Token::GtEq)),
                Some(b'>') => self.binop(i + 2, ">>", Some(Token::ShiftRight)),
                Some(b'^') if geo => self.binop(i + 2, ">^", Some(Token::RightAngleBracketCaret)),
                _ => self.binop(i + 1, ">", Some(Token::Gt)),
            },
            b':' => match n1 {
                Some(b':') => Some(self.to(i + 2, Token::DoubleColon)),
                Some(b'=') => Some(self.to(i + 2, Token::Assignment)),
                _ => Some(self.to(i + 1, Token::Colon)),
            },
            b'&' => match n1 {
                // sqlparser swallows the character after `&>` too: leave it.
                Some(b'>') if geo => None,
                Some(b'<') if geo => {
                    if n2 == Some(b'|') {
                        Some(self.to(i + 3, Token::AmpersandLeftAngleBracketVerticalBar))
                    } else {
                        self.binop(i + 2, "&<", Some(Token::AmpersandLeftAngleBracket))
                    }
                }
                Some(b'&') => self.binop(i + 2, "&&", Some(Token::Overlap)),
                _ => self.binop(i + 1, "&", Some(Token::Ampersand)),
            },
            b'^' => match n1 {
                Some(b'@') => Some(self.to(i + 2, Token::CaretAt)),
                _ => Some(self.to(i + 1, Token::Caret)),
            },
            // `#` starts a comment in MySQL, handled before.
            b'#' => match n1 {
                Some(b'-') => self.binop(i + 2, "#-", Some(Token::HashMinus)),
                Some(b'>') => {
                    if n2 == Some(b'>') {
                        self.binop(i + 3, "#>>", Some(Token::HashLongArrow))
                    } else {
                        self.binop(i + 2, "#>", Some(Token::HashArrow))
                    }
                }
                Some(b' ') => Some(self.to(i + 1, Token::Sharp)),
                Some(b'#') if geo => self.binop(i + 2, "##", Some(Token::DoubleSharp)),
                _ => self.binop(i + 1, "#", Some(Token::Sharp)),
            },
            b'~' => match n1 {
                Some(b'*') => self.binop(i + 2, "~*", Some(Token::TildeAsterisk)),
                Some(b'=') if geo => self.binop(i + 2, "~=", Some(Token::TildeEqual)),
                Some(b'~') => {
                    if n2 == Some(b'*') {
                        self.binop(i + 3, "~~*", Some(Token::DoubleTildeAsterisk))
                    } else {
                        self.binop(i + 2, "~~", Some(Token::DoubleTilde))
                    }
                }
                _ => self.binop(i + 1, "~", Some(Token::Tilde)),
            },
            // MySQL's `@` (a name start there) is left to sqlparser.
            b'@' => match n1 {
                Some(b'@') => Some(self.to(i + 2, Token::AtAt)),
                Some(b'-') if geo => {
                    if n2 == Some(b'@') {
                        Some(self.to(i + 3, Token::AtDashAt))
                    } else {
                        self.binop(i + 2, "@-", None)
                    }
                }
                Some(b'>') => Some(self.to(i + 2, Token::AtArrow)),
                Some(b'?') => Some(self.to(i + 2, Token::AtQuestion)),
                _ => Some(self.to(i + 1, Token::AtSign)),
            },
            // PostgreSQL's jsonb and geometric `?` operators; elsewhere `?`
            // is a placeholder, handled before.
            b'?' => match (n1, n2) {
                (Some(b'|'), Some(b'|')) => {
                    Some(self.to(i + 3, Token::QuestionMarkDoubleVerticalBar))
                }
                (Some(b'|'), _) => Some(self.to(i + 2, Token::QuestionPipe)),
                (Some(b'&'), _) => Some(self.to(i + 2, Token::QuestionAnd)),
                (Some(b'-'), Some(b'|')) => {
                    Some(self.to(i + 3, Token::QuestionMarkDashVerticalBar))
                }
                (Some(b'-'), _) => Some(self.to(i + 2, Token::QuestionMarkDash)),
                (Some(b'#'), _) => Some(self.to(i + 2, Token::QuestionMarkSharp)),
                _ => Some(self.to(i + 1, Token::Question)),
            },
            _ => None,
        }
    }

    /// An unquoted name or keyword starting at `i` with byte `b`.
    fn word(&mut self, i: usize, b: u8) -> Option<Token> {
        let n1 = self.byte(i + 1);
        // Letters that prefix a string literal: `N'…'`, `X'…'`, and per
        // dialect `B'…'` / `B"…"`, `E'…'`, `U&'…'`.
        let literal = match b {
            b'N' | b'n' | b'X' | b'x' => n1 == Some(b'\''),
            b'B' | b'b' => !self.is_sqlite() && matches!(n1, Some(b'\'' | b'"')),
            b'E' | b'e' => self.postgres() && n1 == Some(b'\''),
            b'U' | b'u' => self.postgres() && n1 == Some(b'&') && self.is(i + 2, b'\''),
            _ => false,
        };
        if literal {
            return self.prefixed_literal(i, b);
        }
        let end = self.name_end(i + 1);
        self.pos = end;
        let value = self.text.get(i..end)?;
        Some(word_token(value))
    }

    /// A string literal behind a prefix (`E'…'`, `N'…'`, `X'…'`, `B'…'`,
    /// `U&'…'`) starting at `i`: its end found as a string's, its token made
    /// by sqlparser's tokenizer from that slice alone, so that its escapes
    /// read exactly as sqlparser reads them. Where sqlparser would end it
    /// elsewhere, the slice is not one token, and the lexer gives up (the
    /// file goes to sqlparser's tokenizer whole, as for any other give-up).
    fn prefixed_literal(&mut self, i: usize, prefix: u8) -> Option<Token> {
        let open = if prefix.eq_ignore_ascii_case(&b'U') {
            i + 2
        } else {
            i + 1
        };
        let quote = self.byte(open)?;
        let backslash = self.mysql() || prefix.eq_ignore_ascii_case(&b'E');
        let end = self.quoted_end(open + 1, quote, backslash)?;
        let slice = self.text.get(i..=end)?;
        let mut toks =
            sqlparser::tokenizer::Tokenizer::new(super::sql_dialect(self.dialect), slice)
                .with_unescape(false)
                .tokenize()
                .ok()?;
        let one = toks.pop().filter(|_| toks.is_empty())?;
        self.pos = end + 1;
        Some(one)
    }

    fn is_sqlite(&self) -> bool {
        self.dialect == Dialect::Sqlite
    }

    /// A quoted name opened at `i`; `close` ends it, doubled to escape it.
    fn quoted_name(&mut self, i: usize, close: u8, style: char) -> Option<Token> {
        let end = self.quoted_end(i + 1, close, false)?;
        self.pos = end + 1;
        Some(Token::Word(Word {
            value: self.slice(i + 1, end)?,
            quote_style: Some(style),
            keyword: Keyword::NoKeyword,
        }))
    }

    /// The position of the quote that closes a body starting at `from`.
    /// A doubled quote stays in the body; with `backslash`, so do a
    /// backslash and the character after it. `None` when unterminated.
    fn quoted_end(&self, from: usize, quote: u8, backslash: bool) -> Option<usize> {
        let mut j = from;
        loop {
            let b = self.byte(j)?;
            if b == quote {
                if self.is(j + 1, quote) {
                    j += 2;
                } else {
                    return Some(j);
                }
            } else if b == b'\\' && backslash {
                // The escaped character may be multi-byte: its other bytes
                // are never a quote or a backslash.
                self.byte(j + 1)?;
                j += 2;
            } else {
                j += 1;
            }
        }
    }

    /// The end of ASCII digits from `j`, with PostgreSQL's and SQLite's
    /// `_` separators between digits; `None` where sqlparser reports a
    /// misplaced `_`.
    fn digits_end(&self, mut j: usize) -> Option<usize> {
        let underscores = !self.mysql();
        let from = j;
        while let Some(b) = self.byte(j) {
            if b.is_ascii_digit() {
                j += 1;
            } else if b == b'_' && underscores {
                if j == from || !self.byte(j + 1).is_some_and(|n| n.is_ascii_digit()) {
                    return None;
                }
                j += 1;
            } else {
                break;
            }
        }
        Some(j)
    }

    /// A number (or a `.`) starting at `i`.
    fn number(&mut self, i: usize) -> Option<Token> {
        let my = self.mysql();
        if self.is(i, b'.') && self.is(i + 1, b'_') {
            // `t._c`: a period after a name, else an error.
            return if self.prev == Prev::Word {
                Some(self.one(Token::Period))
            } else {
                None
            };
        }
        let mut j = self.digits_end(i)?;
        if j == i + 1 && self.is(i, b'0') && self.is(j, b'x') {
            // `0x…` is a hexadecimal literal.
            return None;
        }
        if self.is(j, b'.') {
            j += 1;
            if j == i + 1 && my && self.prev == Prev::Word {
                self.pos = j;
                return Some(Token::Period);
            }
        }
        j = self.digits_end(j)?;
        if j == i + 1 && self.is(i, b'.') {
            self.pos = j;
            return Some(Token::Period);
        }
        // sqlparser notes an `e` after the digits even when no exponent
        // follows, and MySQL's rules below look at that note.
        let after_e = matches!(self.byte(j), Some(b'e' | b'E'));
        if after_e {
            let mut k = j + 1;
            if matches!(self.byte(k), Some(b'+' | b'-')) {
                k += 1;
            }
            match self.byte(k) {
                Some(b'0'..=b'9') => j = self.digits_end(k)?,
                // sqlparser takes it for an exponent and then fails.
                Some(b'_') if !my => return None,
                _ => {}
            }
        }
        if my {
            // MySQL names may start with digits (`1a`, `1.5x`), and after
            // a period a number with an `e` is a name too.
            if !after_e {
                let end = self.name_end(j);
                if end > j {
                    self.pos = end;
                    return Some(word_token(self.text.get(i..end)?));
                }
            } else if self.prev == Prev::Period {
                self.pos = j;
                return Some(word_token(self.text.get(i..j)?));
            }
        }
        let value = self.slice(i, j)?;
        let long = self.is(j, b'L');
        self.pos = if long { j + 1 } else { j };
        Some(Token::Number(value, long))
    }

    /// `$…`: PostgreSQL's dollar-quoted strings and `$1` placeholders,
    /// SQLite's `$name` placeholders.
    fn dollar(&mut self, i: usize) -> Option<Token> {
        let pg = self.postgres();
        if pg && self.is(i + 1, b'$') {
            let body = i + 2;
            let end = body + find(self.bytes.get(body..)?, b"$$")?;
            self.pos = end + 2;
            return Some(Token::DollarQuotedString(DollarQuotedString {
                value: self.slice(body, end)?,
                tag: None,
            }));
        }
        let mut j = i + 1;
        while let Some(c) = self.char_at(j) {
            if !(c.is_alphanumeric() || c == '_' || (c == '$' && !pg)) {
                break;
            }
            j += c.len_utf8();
        }
        if pg && self.is(j, b'$') {
            let tag = self.text.get(i + 1..j)?;
            let delimiter = self.text.get(i..=j)?;
            let body = j + 1;
            let end = body + find(self.bytes.get(body..)?, delimiter.as_bytes())?;
            self.pos = end + delimiter.len();
            return Some(Token::DollarQuotedString(DollarQuotedString {
                value: self.slice(body, end)?,
                tag: Some(tag.to_owned()),
            }));
        }
        self.pos = j;
        Some(Token::Placeholder(self.slice(i, j)?))
    }

    /// A `--` or `#` comment whose text starts at `from`; it ends before
    /// the line feed (PostgreSQL: also before a carriage return).
    fn line_comment(&mut self, from: usize) -> Step {
        let stop_at_cr = self.postgres();
        let mut j = from;
        while let Some(b) = self.byte(j) {
            if b == b'\n' || (b == b'\r' && stop_at_cr) {
                break;
            }
            j += 1;
        }
        self.pos = j;
        let text = self.text.get(from..j).unwrap_or_default();
        Step::Comment(text.trim_end_matches(['\r', '\n']).to_owned())
    }

    /// A `/* … */` comment whose text starts at `from`; PostgreSQL nests
    /// them. `None` when unterminated, and for MySQL's `/*! … */` hints,
    /// whose contents sqlparser reads as tokens.
    fn block_comment(&mut self, from: usize) -> Option<Step> {
        if self.mysql() && self.is(from, b'!') {
            return None;
        }
        let nested = self.postgres();
        let mut depth = 1u32;
        let mut j = from;
        loop {
            match (self.byte(j)?, self.byte(j + 1)) {
                (b'/', Some(b'*')) if nested => {
                    depth += 1;
                    j += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = j + 2;
                        return Some(Step::Comment(self.slice(from, j)?));
                    }
                    j += 2;
                }
                _ => j += 1,
            }
        }
    }
}

/// The first position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(k) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + k;
        if hay.get(at + 1..)?.starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn word_token(value: &str) -> Token {
    Token::Word(Word {
        value: value.to_owned(),
        quote_style: None,
        keyword: keyword(value),
    })
}

/// Room for the upper-cased word; longer keywords take a slower path.
const KEYWORD_BUFFER: usize = 64;

/// Slots in the keyword table: a power of two, at most a quarter full.
const KEYWORD_SLOTS: usize = (ALL_KEYWORDS.len() * 4).next_power_of_two();

const EMPTY: u16 = u16::MAX;

/// sqlparser's keywords in an open-addressing hash table keyed by the
/// keyword's bytes: each slot holds an index into `ALL_KEYWORDS`, or
/// `EMPTY`. It is built by the compiler, so a run pays nothing for it (built
/// at run time it was 4% of the instructions of a run over a few files).
static KEYWORDS: [u16; KEYWORD_SLOTS] = keyword_table();

/// The longest keyword, in bytes.
const LONGEST_KEYWORD: usize = longest_keyword();
const _: () = assert!(LONGEST_KEYWORD <= KEYWORD_BUFFER);

const fn keyword_table() -> [u16; KEYWORD_SLOTS] {
    assert!(ALL_KEYWORDS.len() < EMPTY as usize);
    let mut slots = [EMPTY; KEYWORD_SLOTS];
    let mut i = 0;
    while i < ALL_KEYWORDS.len() {
        let mut h = fnv(ALL_KEYWORDS[i].as_bytes()) & (KEYWORD_SLOTS - 1);
        while slots[h] != EMPTY {
            h = (h + 1) & (KEYWORD_SLOTS - 1);
        }
        slots[h] = i as u16; // fits: asserted above
        i += 1;
    }
    slots
}

const fn longest_keyword() -> usize {
    let mut longest = 0;
    let mut i = 0;
    while i < ALL_KEYWORDS.len() {
        if ALL_KEYWORDS[i].len() > longest {
            longest = ALL_KEYWORDS[i].len();
        }
        i += 1;
    }
    longest
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-1a, 32 bits.
const fn fnv(bytes: &[u8]) -> usize {
    let mut h = FNV_OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        h = (h ^ bytes[i] as u32).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h as usize
}

/// The keyword an unquoted word is: the one whose text equals the word
/// with ASCII letters upper-cased, as sqlparser's lookup finds it.
pub(super) fn keyword(word: &str) -> Keyword {
    let w = word.as_bytes();
    if w.is_empty() || w.len() > LONGEST_KEYWORD {
        return Keyword::NoKeyword;
    }
    let mut buf = [0u8; KEYWORD_BUFFER];
    let Some(upper) = buf.get_mut(..w.len()) else {
        return ALL_KEYWORDS
            .iter()
            .position(|k| {
                k.len() == w.len() && k.bytes().zip(w).all(|(k, &c)| k == c.to_ascii_uppercase())
            })
            .map_or(Keyword::NoKeyword, |i| ALL_KEYWORDS_INDEX[i]);
    };
    // Upper-case and hash in one pass (the hash is `fnv` of `upper`).
    let mut hash = FNV_OFFSET;
    for (d, s) in upper.iter_mut().zip(w) {
        *d = s.to_ascii_uppercase();
        hash = (hash ^ u32::from(*d)).wrapping_mul(FNV_PRIME);
    }
    let mask = KEYWORD_SLOTS - 1;
    let mut h = hash as usize & mask;
    loop {
        let slot = KEYWORDS[h];
        if slot == EMPTY {
            return Keyword::NoKeyword;
        }
        let i = usize::from(slot);
        if ALL_KEYWORDS[i].as_bytes() == upper {
            return ALL_KEYWORDS_INDEX[i];
        }
        h = (h + 1) & mask;
    }
}

/// A keyword's text, upper-case, as sqlparser spells it (`None` for
/// `NoKeyword`): `Keyword`'s variants are `NoKeyword` and then those of
/// `ALL_KEYWORDS`, in its order.
pub(super) fn keyword_text(k: Keyword) -> Option<&'static str> {
    ALL_KEYWORDS.get((k as usize).checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::{
        Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
    };

    use super::*;

    fn reference(word: &str) -> Keyword {
        match Token::make_word(word, None) {
            Token::Word(w) => w.keyword,
            _ => Keyword::NoKeyword,
        }
    }

    #[test]
    fn keywords_are_sorted_so_sqlparsers_binary_search_finds_each() {
        assert!(ALL_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ALL_KEYWORDS.len(), ALL_KEYWORDS_INDEX.len());
    }

    #[test]
    fn keyword_text_is_the_keywords_own() {
        for (k, text) in ALL_KEYWORDS_INDEX.iter().zip(ALL_KEYWORDS) {
            assert_eq!(keyword_text(*k), Some(*text));
        }
        assert_eq!(keyword_text(Keyword::NoKeyword), None);
    }

    #[test]
    fn keyword_lookup_matches_sqlparser() {
        let mut words: Vec<String> = Vec::new();
        for k in ALL_KEYWORDS {
            words.push((*k).to_string());
            words.push(k.to_lowercase());
            let mixed: String = k
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect();
            words.push(mixed);
            words.push(format!("{k}_"));
            words.push(format!("{k}1"));
            words.push(k.get(1..).unwrap_or_default().to_string());
            words.push(format!("{k}é"));
        }
        for w in [
            "",
            "_",
            "a",
            "ß",
            "select",
            "ſelect",
            "SELECT\u{301}",
            "ǅ",
            "ﬁrst",
            "ı",
            "İNT",
            "end-exec",
            "END-EXEC",
            "x1_$",
            &"a".repeat(100),
            &"SELECT".repeat(20),
        ] {
            words.push(w.to_string());
        }
        for w in &words {
            assert_eq!(keyword(w), reference(w), "{w:?}");
        }
    }

    #[test]
    fn name_classes_match_the_dialects() {
        let dialects: [(Dialect, &dyn SqlDialect); 3] = [
            (Dialect::Postgres, &PostgreSqlDialect {}),
            (Dialect::Mysql, &MySqlDialect {}),
            (Dialect::Sqlite, &SQLiteDialect {}),
        ];
        for (d, sd) in dialects {
            let lexer = Lexer::new("", d);
            for c in (0..=0x10_ffff).filter_map(char::from_u32) {
                let mut buf = [0u8; 4];
                let lead = c.encode_utf8(&mut buf).as_bytes()[0];
                let class = lexer.names[usize::from(lead)];
                assert_eq!(
                    class & START != 0,
                    sd.is_identifier_start(c),
                    "{d:?} start {c:?}"
                );
                assert_eq!(
                    class & PART != 0,
                    sd.is_identifier_part(c),
                    "{d:?} part {c:?}"
                );
                if c.is_ascii() {
                    let b = c as u8;
                    assert_eq!(
                        d == Dialect::Postgres && custom_operator_part(b),
                        sd.is_custom_operator_part(c),
                        "{d:?} operator {c:?}"
                    );
                }
            }
            assert_eq!(sd.supports_nested_comments(), d == Dialect::Postgres);
            assert_eq!(sd.supports_geometric_types(), d == Dialect::Postgres);
            assert_eq!(sd.supports_string_escape_constant(), d == Dialect::Postgres);
            assert_eq!(sd.supports_unicode_string_literal(), d == Dialect::Postgres);
            assert_eq!(
                sd.supports_numeric_literal_underscores(),
                d != Dialect::Mysql
            );
            assert_eq!(sd.supports_numeric_prefix(), d == Dialect::Mysql);
            assert_eq!(
                sd.supports_string_literal_backslash_escape(),
                d == Dialect::Mysql
            );
            assert_eq!(
                sd.requires_single_line_comment_whitespace(),
                d == Dialect::Mysql
            );
            assert_eq!(sd.supports_multiline_comment_hints(), d == Dialect::Mysql);
            assert_eq!(sd.supports_dollar_placeholder(), d == Dialect::Sqlite);
            assert!(!sd.supports_triple_quoted_string());
            assert!(!sd.supports_quote_delimited_string());
            assert!(!sd.supports_pipe_operator());
            assert!(!sd.supports_dollar_as_money_prefix());
            for q in ['"', '`', '['] {
                let quotes_names = match q {
                    '"' => d != Dialect::Mysql,
                    '`' => d != Dialect::Postgres,
                    _ => d == Dialect::Sqlite,
                };
                assert_eq!(sd.is_delimited_identifier_start(q), quotes_names);
                assert!(!sd.is_nested_delimited_identifier_start(q));
            }
        }
    }
}
