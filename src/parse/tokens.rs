//! bellows' view of a token: sqlparser's token with its byte span.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::ir::ByteSpan;
use super::lexer::keyword_text;

/// A non-whitespace, non-comment token.
#[derive(Debug, Clone)]
pub struct Tok {
    /// The token, without sqlparser's line / column span: the parser gets
    /// its tokens without one (it would only go into error messages, where
    /// it is relative to the statement and dropped, and formatting it costs
    /// much in the parser's speculative tries), and bellows reads the byte
    /// span below. A token is 80 bytes instead of 112.
    pub token: Token,
    pub span: ByteSpan,
    /// Text the tokenizer could not read (an unterminated string, …).
    pub bad: bool,
}

impl Tok {
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The keyword of an unquoted word, if it is one sqlparser knows.
    pub fn keyword(&self) -> Option<Keyword> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() && w.keyword != Keyword::NoKeyword => {
                Some(w.keyword)
            }
            _ => None,
        }
    }

    /// True when the token is the unquoted word `word` (case-insensitive).
    pub fn is_word(&self, word: &str) -> bool {
        match &self.token {
            Token::Word(w) => w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word),
            _ => false,
        }
    }

    /// The word's value if the token is a word (quoted or not).
    pub fn word(&self) -> Option<&sqlparser::tokenizer::Word> {
        match &self.token {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// The words of tokens (names and keywords, quoted or not), lower-cased,
/// sorted, each once: what a SQLite view or trigger may name.
pub fn words(toks: &[Tok]) -> Vec<String> {
    let mut out: Vec<String> = toks
        .iter()
        .filter_map(Tok::word)
        .map(|w| super::lower::lowercase(&w.value))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The statement's tokens as one line of text: unquoted words upper-cased,
/// everything else as written, single spaces between tokens.
pub fn normalize(toks: &[Tok], text: &str) -> String {
    // Each token and a blank before all but the first: exact when no name is quoted.
    let len: usize = toks.iter().map(|t| t.span.len() + 1).sum();
    let mut out = String::with_capacity(len.saturating_sub(1));
    for t in toks {
        if !out.is_empty() {
            out.push(' ');
        }
        match &t.token {
            // A keyword is its own text, upper-cased already.
            Token::Word(w) if w.quote_style.is_none() => {
                if let Some(keyword) = keyword_text(w.keyword) {
                    out.push_str(keyword);
                } else {
                    let from = out.len();
                    out.push_str(&w.value);
                    out[from..].make_ascii_uppercase();
                }
            }
            _ => out.push_str(text.get(t.span.start..t.span.end).unwrap_or("")),
        }
    }
    out
}
