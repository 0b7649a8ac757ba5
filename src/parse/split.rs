//! Tokenizing with recovery, the line index, and splitting into statements.

use std::iter::Peekable;

use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer, Whitespace};

use super::ir::ByteSpan;
use super::tokens::Tok;
use super::{Comment, lexer};
use crate::model::Dialect;

/// Converts between byte offsets and 1-based line / character columns.
///
/// A UTF-8 byte order mark is not part of line 1: the first character after
/// it is column 1.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset where each line starts (line 1 after the BOM).
    starts: Vec<usize>,
    /// Whether each line is pure ASCII (bytes = characters).
    ascii: Vec<bool>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        // memchr finds the newlines (vectorised), and `is_ascii` tests a word
        // at a time: the whole text first, each line only when it is not.
        let mut starts = vec![bom];
        starts.extend(memchr::memchr_iter(b'\n', &text.as_bytes()[bom..]).map(|i| bom + i + 1));
        let ascii = if text.is_ascii() {
            vec![true; starts.len()]
        } else {
            let ends = starts.iter().skip(1).copied().chain([text.len()]);
            starts
                .iter()
                .zip(ends)
                .map(|(&start, end)| text.as_bytes()[start..end].is_ascii())
                .collect()
        };
        Self {
            starts,
            ascii,
            len: text.len(),
        }
    }

    /// Byte length of the BOM (0 or 3).
    pub fn bom(&self) -> usize {
        self.starts[0]
    }

    /// Byte offset of a 1-based (line, column); clamps to the text.
    pub fn offset(&self, text: &str, line: u64, column: u64) -> usize {
        let Some(li) = usize::try_from(line).ok().and_then(|l| l.checked_sub(1)) else {
            return self.bom();
        };
        let Some(&start) = self.starts.get(li) else {
            return self.len;
        };
        let col = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        let line_end = self.starts.get(li + 1).copied().unwrap_or(self.len);
        if self.ascii.get(li).copied().unwrap_or(false) {
            return start.saturating_add(col).min(line_end);
        }
        let line_text = text.get(start..line_end).unwrap_or("");
        match line_text.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => line_end,
        }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let li = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let start = self.starts[li];
        let col = if self.ascii.get(li).copied().unwrap_or(false) {
            offset.saturating_sub(start)
        } else {
            text.get(start..offset.max(start))
                .map_or(0, |s| s.chars().count())
        };
        (li + 1, col + 1)
    }
}

/// Tokenizes the whole file: with bellows' own lexer when it can read the
/// file, else with sqlparser's tokenizer ([`tokenize_with_sqlparser`]). Both
/// give the same tokens wherever the lexer answers; the line index is built
/// only for sqlparser's, since the lexer counts bytes itself.
pub fn tokenize(text: &str, sd: &dyn SqlDialect, dialect: Dialect) -> (Vec<Tok>, Vec<Comment>) {
    match lexer::lex(text, dialect) {
        Some(lexed) => lexed,
        None => tokenize_with_sqlparser(text, &LineIndex::new(text), sd),
    }
}

/// Tokenizes the whole file with sqlparser's tokenizer. Text the tokenizer
/// cannot read (an unterminated string or dollar quote) becomes one `bad`
/// token up to the end of its line, and tokenizing resumes on the next line.
pub fn tokenize_with_sqlparser(
    text: &str,
    index: &LineIndex,
    dialect: &dyn SqlDialect,
) -> (Vec<Tok>, Vec<Comment>) {
    let mut toks = Vec::new();
    let mut comments = Vec::new();
    let mut from = index.bom();
    let mut line_offset: u64 = 0;
    while from < text.len() {
        let chunk = &text[from..];
        let mut buf: Vec<TokenWithSpan> = Vec::new();
        let result = Tokenizer::new(dialect, chunk)
            .with_unescape(false)
            .tokenize_with_location_into_buf(&mut buf);
        let mut last_end = from;
        for mut t in buf {
            shift(&mut t.span, line_offset);
            let start = index.offset(text, t.span.start.line, t.span.start.column);
            let end = index
                .offset(text, t.span.end.line, t.span.end.column)
                .max(start);
            last_end = last_end.max(end);
            let span = ByteSpan::new(start, end);
            match &t.token {
                Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) => {
                    comments.push(Comment {
                        span,
                        text: comment.trim_end_matches(['\r', '\n']).to_string(),
                    });
                }
                Token::Whitespace(Whitespace::MultiLineComment(c)) => comments.push(Comment {
                    span,
                    text: c.clone(),
                }),
                Token::Whitespace(_) | Token::EOF => {}
                _ => toks.push(Tok {
                    token: t.token,
                    span,
                    bad: false,
                }),
            }
        }
        if result.is_ok() {
            break;
        }
        // Mark from the end of the last good token to the end of its line as bad.
        let bad_start = last_end;
        let resume = text[bad_start..]
            .find('\n')
            .map_or(text.len(), |i| bad_start + i + 1);
        let bad_end = bad_start + text[bad_start..resume].trim_end().len();
        toks.push(Tok {
            token: Token::Char('\u{fffd}'),
            span: ByteSpan::new(bad_start, bad_end),
            bad: true,
        });
        from = resume;
        line_offset = index.line_col(text, from).0 as u64 - 1;
    }
    (toks, comments)
}

fn shift(span: &mut Span, lines: u64) {
    if lines > 0 {
        span.start.line += lines;
        span.end.line += lines;
    }
}

pub use crate::model::Annotations;

/// Room for a statement's tokens at first: most statements fit, so the
/// buffer rarely grows (from empty it grew three times a file).
const STATEMENT_TOKENS: usize = 256;

/// Tokens past which a statement's buffer grows by the text left to read.
const HUGE_STATEMENT: usize = 1 << 16;

/// Tokens an `INSERT` keeps whole when the split thins ([`Statements::thinning`]).
/// Past them, if its head can be read ([`super::read_by_head`]), the buffer
/// keeps besides the statement's last token only the words that reading it
/// by its head looks at (see [`kept_when_thinned`]): a 5 MB
/// `INSERT … VALUES` holds some 4,000 tokens, not a million. One that then
/// needs every token (it holds a DDL word past its head) is read again from
/// its text.
const THIN_AFTER: usize = 4096;

/// What a thinned statement keeps past its head: the words that decide how
/// it is read (`SELECT` makes an `INSERT … SELECT`; a DDL word sends it to
/// the parser) and unreadable text.
fn kept_when_thinned(t: &Tok) -> bool {
    t.bad || t.keyword() == Some(Keyword::SELECT) || super::is_ddl_word(t)
}

/// Splits a stream of tokens into statements at top-level semicolons,
/// handing out each statement's tokens (without the `;`) as soon as it
/// ends, in one buffer used again for the next: a file's tokens are never
/// all held at once. `BEGIN … END` bodies of triggers, procedures and
/// functions (MySQL, SQLite) stay whole, and so do annotated blocks;
/// section markers always end a statement.
pub struct Statements<'a, I: Iterator<Item = Tok>> {
    toks: I,
    cuts: Peekable<std::iter::Copied<std::slice::Iter<'a, usize>>>,
    blocks: Peekable<std::iter::Copied<std::slice::Iter<'a, ByteSpan>>>,
    /// The tokens of the statement being read.
    cur: Vec<Tok>,
    /// The buffer's last token started a new statement: it is the first of
    /// the next (with whether it is in an annotated block). It stays in the
    /// buffer rather than being moved out and back.
    carried: Option<bool>,
    block_depth: usize,
    /// An `END` closed a block, unless the next word is `IF`, `LOOP`, …
    /// (`END IF`): decided at the next token.
    end: bool,
    routine: bool,
    was_in_block: bool,
    /// Long `INSERT`s are thinned (see [`THIN_AFTER`]), read in this dialect.
    thin: Option<Dialect>,
    /// The statement being read is thinned.
    thinned: bool,
}

impl<'a, I: Iterator<Item = Tok>> Statements<'a, I> {
    pub fn new(toks: I, notes: &'a Annotations) -> Self {
        Statements {
            toks,
            cuts: notes.cuts.iter().copied().peekable(),
            blocks: notes.blocks.iter().copied().peekable(),
            cur: Vec::with_capacity(STATEMENT_TOKENS),
            carried: None,
            block_depth: 0,
            end: false,
            routine: false,
            was_in_block: false,
            thin: None,
            thinned: false,
        }
    }

    /// Thins long `INSERT`s of `dialect`: for tokens read one at a time
    /// (bellows' lexer). Tokens already all held (sqlparser's tokenizer)
    /// gain nothing from it.
    pub fn thinning(mut self, dialect: Dialect) -> Self {
        self.thin = Some(dialect);
        self
    }

    /// Room for more tokens in the statement's buffer. A huge statement (a
    /// 5 MB routine; an `INSERT` is thinned instead) gets room for the rest
    /// of the text's tokens at once: grown by doubling, the copy was the peak.
    #[cold]
    fn grow(&mut self) {
        let more = if self.cur.len() >= HUGE_STATEMENT {
            self.toks.size_hint().1.unwrap_or(0) / lexer::BYTES_PER_TOKEN
        } else {
            0
        };
        self.cur.reserve(more.max(self.cur.len()).max(8));
    }

    /// The next statement's tokens; `None` after the last.
    ///
    /// Each token is pushed into the buffer as it is read and looked at
    /// there: an 80-byte token is moved once.
    /// With them, whether some were left out ([`THIN_AFTER`]).
    pub fn next_statement(&mut self) -> Option<(&mut [Tok], bool)> {
        self.thinned = false;
        let mut carried = self.carried.take();
        if carried.is_some() {
            let last = self.cur.len() - 1;
            self.cur.drain(..last);
        } else {
            self.cur.clear();
        }
        loop {
            let in_block = if let Some(in_block) = carried.take() {
                in_block
            } else {
                let Some(t) = self.toks.next() else { break };
                let mut cut = false;
                while self.cuts.peek().is_some_and(|&c| c <= t.span.start) {
                    self.cuts.next();
                    cut = true;
                }
                while self.blocks.peek().is_some_and(|b| b.end <= t.span.start) {
                    self.blocks.next();
                    cut = true;
                }
                let in_block = self.blocks.peek().is_some_and(|b| b.start <= t.span.start);
                let starts = cut || (in_block && !self.was_in_block);
                self.was_in_block = in_block;
                if self.cur.len() == self.cur.capacity() {
                    self.grow();
                }
                self.cur.push(t);
                if starts && self.cur.len() > 1 {
                    // The statement ends before this token.
                    self.block_depth = 0;
                    self.end = false;
                    self.routine = false;
                    self.carried = Some(in_block);
                    let end = self.cur.len() - 1;
                    return Some((&mut self.cur[..end], self.thinned));
                }
                in_block
            };
            if let Some(dialect) = self.thin
                && self.cur.len() == THIN_AFTER + 1
            {
                // Thinned only if its head can be read: else the parser
                // needs every token, and they would be read twice.
                self.thinned = self.cur.first().is_some_and(|t| t.is_word("INSERT"))
                    && super::read_by_head(&self.cur, "", dialect).is_some();
            }
            if self.thinned && self.cur.len() > THIN_AFTER + 1 {
                // The token before this one is not the statement's last
                // (this one is, unless it is the `;` that ends it).
                let before = self.cur.len() - 2;
                if !self
                    .cur
                    .last()
                    .is_some_and(|t| t.bad || matches!(t.token(), Token::SemiColon))
                    && !kept_when_thinned(&self.cur[before])
                {
                    self.cur.swap_remove(before);
                }
            }
            let (first, t) = match &self.cur[..] {
                [first, .., t] => (first, t),
                [t] => (t, t),
                [] => break,
            };
            if std::mem::take(&mut self.end)
                && !["IF", "LOOP", "WHILE", "REPEAT"]
                    .iter()
                    .any(|w| t.is_word(w))
            {
                self.block_depth -= 1;
            }
            let alone = self.cur.len() == 1;
            match t.keyword() {
                Some(
                    Keyword::TRIGGER | Keyword::PROCEDURE | Keyword::FUNCTION | Keyword::EVENT,
                ) if first.keyword() == Some(Keyword::CREATE) => {
                    self.routine = true;
                }
                Some(Keyword::BEGIN | Keyword::CASE) if self.routine && !alone => {
                    self.block_depth += 1;
                }
                Some(Keyword::END) if self.block_depth > 0 => self.end = true,
                _ => {}
            }
            if t.bad {
                // Unreadable text ends the statement it is in: what follows is read afresh.
                self.block_depth = 0;
                self.end = false;
                self.routine = false;
                return Some((&mut self.cur, self.thinned));
            }
            if matches!(t.token(), Token::SemiColon) && self.block_depth == 0 && !in_block {
                self.cur.pop();
                self.routine = false;
                if !self.cur.is_empty() {
                    return Some((&mut self.cur, self.thinned));
                }
            }
        }
        self.routine = false;
        (!self.cur.is_empty()).then_some((&mut self.cur[..], self.thinned))
    }
}
