//! `CREATE INDEX`, read by a strict reader of its own: sqlparser tries each
//! index element as an expression in several ways, which is slow.

use sqlparser::tokenizer::Token;

use super::Cursor;
use crate::model::Dialect;
use crate::parse::ir::Action;
use crate::parse::tokens::Tok;

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
    Some(Action::CreateIndex(Box::new(
        crate::parse::ir::CreateIndex {
            name,
            table,
            unique,
            concurrently,
            if_not_exists,
            only,
            columns,
            kind: crate::parse::ir::IndexKind::Plain,
        },
    )))
}

/// A word that begins a statement of its own and has no place in an index
/// expression or predicate (PostgreSQL forbids subqueries there): text the
/// index reader would skip unread that holds one may be a second statement
/// glued on by a missing `;`, for the full path to report.
pub(super) fn starts_statement(t: &Tok) -> bool {
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

#[cfg(test)]
mod tests {
    use super::plain_index;
    use crate::model::Dialect::Postgres;
    use crate::parse::ir::Action;

    #[test]
    fn a_plain_index_is_read_with_its_columns() {
        let sql = "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email, lower(name)) WHERE deleted_at IS NULL";
        let (toks, _) = crate::parse::tokenize(sql, Postgres);
        let Some(Action::CreateIndex(ci)) = plain_index(&toks, Postgres) else {
            panic!("not read: {sql}");
        };
        assert!(ci.unique && ci.concurrently && ci.if_not_exists);
        assert_eq!(ci.columns, ["email"]);
    }

    #[test]
    fn storage_options_are_left_to_sqlparser() {
        let sql = "CREATE INDEX i ON t (a) WITH (fillfactor = 70)";
        let (toks, _) = crate::parse::tokenize(sql, Postgres);
        assert_eq!(plain_index(&toks, Postgres), None);
    }
}
