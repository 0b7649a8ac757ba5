//! How deep a statement's expression tree would be, estimated from its
//! tokens before sqlparser builds it.
//!
//! sqlparser bounds its own recursion (`RECURSION_LIMIT`), but it reads a
//! chain of binary operators (`1 + 1 + …`, `a AND b AND …`, `x::t::t…`,
//! `… UNION …`) in a loop, into a tree as deep as the chain is long.
//! Printing or dropping that tree recurses once a level: a `DEFAULT` of
//! 200,000 terms overflowed the stack, which aborts the process. A statement
//! whose estimate passes [`MAX_CHAIN`] is therefore not handed to the parser.
//!
//! The estimate is the most operators on one path from the statement down
//! into nested groups, where every operator of a list item is taken to sit
//! above the item's deepest group. It never undercounts a chain: every
//! operator counts, whether it nests (`+`) or not (`.` in `a.b.c`). It resets only
//! where the grammar starts a sibling rather than a child: after a comma
//! (list items), and at `WHEN`, `THEN` and `ELSE` of a `CASE` (branches are a
//! list too), so long lists and long `CASE` mappings are not refused.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The most operators on one path that bellows hands to the parser: 20
/// times the deepest statement of `../shared/corpus` (25); a `CHECK` of 250
/// `OR`ed comparisons is 499. At this depth printing the tree takes about
/// 200 KB of stack in a release build, and 5.2 MB in a debug build (10 KB
/// a level: sqlparser's `Display` for `Expr` has a large frame there). The
/// pool's threads have 8 MB, as the main thread has (see `par.rs`).
pub const MAX_CHAIN: usize = 500;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `(…)`, `[…]`, `{…}`, or the statement itself.
    Group,
    /// `CASE … END`.
    Case,
}

/// A group being read, and the depth of what it holds so far.
struct Frame {
    kind: Kind,
    /// Operators in the current list item (or `CASE` branch).
    ops: usize,
    /// The deepest group closed inside the current item.
    child: usize,
    /// The deepest of the items already finished.
    best: usize,
}

impl Frame {
    fn new(kind: Kind) -> Self {
        Frame {
            kind,
            ops: 0,
            child: 0,
            best: 0,
        }
    }

    /// The current item ends; the next one is its sibling.
    fn next_item(&mut self) {
        self.best = self.depth();
        self.ops = 0;
        self.child = 0;
    }

    /// As deep as this group can be: every operator of an item taken to
    /// sit above the item's deepest group.
    fn depth(&self) -> usize {
        self.best.max(self.ops + self.child)
    }
}

/// The most operators on one path through `tokens` (see the module doc).
pub fn operator_chain(tokens: &[TokenWithSpan]) -> usize {
    let mut stack = vec![Frame::new(Kind::Group)];
    for t in tokens {
        match &t.token {
            Token::LParen | Token::LBrace => stack.push(Frame::new(Kind::Group)),
            Token::LBracket => {
                // `a[1][2]…` subscripts nest like operators.
                top(&mut stack).ops += 1;
                stack.push(Frame::new(Kind::Group));
            }
            Token::RParen | Token::RBracket | Token::RBrace => {
                // An unclosed CASE ends with its group.
                while let Some(kind) = close(&mut stack) {
                    if kind == Kind::Group {
                        break;
                    }
                }
            }
            Token::Comma | Token::SemiColon => top(&mut stack).next_item(),
            Token::Word(w) => match w.keyword {
                Keyword::CASE => stack.push(Frame::new(Kind::Case)),
                Keyword::WHEN | Keyword::THEN | Keyword::ELSE
                    if top(&mut stack).kind == Kind::Case =>
                {
                    top(&mut stack).next_item();
                }
                Keyword::END if top(&mut stack).kind == Kind::Case => {
                    close(&mut stack);
                }
                k if is_operator_word(k) => top(&mut stack).ops += 1,
                _ => {}
            },
            Token::EOF
            | Token::Whitespace(_)
            | Token::Number(..)
            | Token::Char(_)
            | Token::Placeholder(_)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedByteStringLiteral(_)
            | Token::TripleDoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::TripleSingleQuotedRawStringLiteral(_)
            | Token::TripleDoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::QuoteDelimitedStringLiteral(_)
            | Token::NationalQuoteDelimitedStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_) => {}
            // Every other symbol is, or may be, an operator.
            _ => top(&mut stack).ops += 1,
        }
    }
    // Groups left open end with the statement.
    while close(&mut stack).is_some() {}
    stack.first().map_or(0, Frame::depth)
}

fn top(stack: &mut Vec<Frame>) -> &mut Frame {
    if stack.is_empty() {
        stack.push(Frame::new(Kind::Group));
    }
    let last = stack.len() - 1;
    &mut stack[last]
}

/// Ends the innermost group, which becomes part of its parent's item; the
/// statement itself is never closed. Gives the kind of group it closed.
fn close(stack: &mut Vec<Frame>) -> Option<Kind> {
    if stack.len() < 2 {
        return None;
    }
    let done = stack.pop()?;
    let parent = top(stack);
    parent.child = parent.child.max(done.depth());
    Some(done.kind)
}

/// Keywords that join or follow an operand, each a level of the tree.
fn is_operator_word(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::AND
            | Keyword::OR
            | Keyword::XOR
            | Keyword::NOT
            | Keyword::IS
            | Keyword::LIKE
            | Keyword::ILIKE
            | Keyword::SIMILAR
            | Keyword::REGEXP
            | Keyword::RLIKE
            | Keyword::IN
            | Keyword::BETWEEN
            | Keyword::COLLATE
            | Keyword::AT
            | Keyword::DIV
            | Keyword::MOD
            | Keyword::OPERATOR
            | Keyword::OVERLAPS
            | Keyword::UNION
            | Keyword::EXCEPT
            | Keyword::INTERSECT
            | Keyword::MINUS
    )
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn chain(sql: &str) -> usize {
        let toks = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .expect("tokenizes");
        operator_chain(&toks)
    }

    #[test]
    fn a_chain_counts_each_operator() {
        assert_eq!(chain("SELECT 1"), 0);
        assert_eq!(chain("SELECT 1 + 2 * 3"), 2);
        assert_eq!(chain("SELECT a AND b OR NOT c"), 3);
        assert_eq!(chain("SELECT x::int::text"), 2);
        assert_eq!(chain("SELECT 1 UNION SELECT 2 UNION SELECT 3"), 2);
        assert_eq!(chain("SELECT a[1][2]"), 2);
    }

    #[test]
    fn nested_groups_add_to_the_path_and_end_with_their_group() {
        assert_eq!(chain("SELECT 1 + (2 + (3 + 4))"), 3);
        assert_eq!(chain("SELECT (1 + 2 + 3) + (4 + 5)"), 3);
        // The group's depth counts under the operators after it, too.
        assert_eq!(chain("SELECT f(1 + 2) + 3 + 4"), 3);
        assert_eq!(chain("SELECT ((1 + 1 + 1) + 1 + 1) + 1 + 1"), 6);
    }

    #[test]
    fn list_items_and_case_branches_are_siblings() {
        assert_eq!(
            chain("INSERT INTO t VALUES (1 + 1, 2 + 2), (3 + 3, 4 + 4)"),
            1
        );
        assert_eq!(
            chain("SELECT CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' ELSE 'z' END"),
            1
        );
        // ... but a branch's depth adds to the operators around the CASE
        // (all taken to be above it: the tree is 3 deep, the estimate 4).
        assert_eq!(chain("SELECT 1 + 2 + CASE WHEN a = 1 THEN 1 END + 3"), 4);
        assert_eq!(chain("SELECT 1 + (CASE WHEN a = 1 + 1 THEN 1 END)"), 3);
        assert_eq!(chain("SELECT CASE WHEN a THEN 1 END + 1 + 1"), 2);
    }

    #[test]
    fn unbalanced_groups_do_not_panic() {
        assert_eq!(chain("SELECT ))) 1 + 1"), 1);
        assert_eq!(chain("SELECT ((( 1 + 1"), 1);
        assert_eq!(chain("SELECT END END CASE CASE 1 + 1"), 1);
    }
}
