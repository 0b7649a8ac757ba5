//! `CREATE VIEW`: its head, read without parsing the query, and what the
//! query reads (relations, names, the view's columns).

use rustc_hash::FxHashSet;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::Cursor;
use crate::model::Dialect;
use crate::parse::ir::{Action, CreateView, Name};
use crate::parse::lower::split_commas;
use crate::parse::tokens::Tok;

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
    Some(Action::CreateView(Box::new(CreateView {
        name,
        materialized,
        or_replace,
        columns: view_columns(toks, dialect),
        reads,
        words,
    })))
}

/// The relations a view's query reads (after `FROM`, `JOIN` and the commas
/// of a `FROM` list) and every name it mentions, sorted and deduplicated.
pub fn view_reads(toks: &[Tok], dialect: Dialect) -> (Vec<Name>, Vec<String>) {
    let Some(start) = toks.iter().position(|t| t.is_word("AS")) else {
        return (Vec::new(), Vec::new());
    };
    let body = toks.get(start + 1..).unwrap_or(&[]);
    // Each distinct word is folded once, and only those are sorted: a
    // view's body repeats its words.
    let written: FxHashSet<(&str, bool)> = body
        .iter()
        .filter_map(|t| {
            t.word()
                .map(|w| (w.value.as_str(), w.quote_style.is_some()))
        })
        .collect();
    let mut words: Vec<String> = written
        .into_iter()
        .map(|(value, quoted)| crate::parse::lower::fold(value, quoted, dialect))
        .collect();
    words.sort_unstable();
    words.dedup();
    let mut reads = Vec::new();
    for (i, t) in body.iter().enumerate() {
        if !matches!(t.keyword(), Some(Keyword::FROM | Keyword::JOIN)) {
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
            .map(|w| crate::parse::lower::fold(&w.value, w.quote_style.is_some(), dialect))
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
    let ends = |t: &Tok| {
        use Keyword as K;
        matches!(
            t.keyword(),
            Some(
                K::FROM
                    | K::WHERE
                    | K::GROUP
                    | K::HAVING
                    | K::WINDOW
                    | K::UNION
                    | K::INTERSECT
                    | K::EXCEPT
                    | K::ORDER
                    | K::LIMIT
                    | K::OFFSET
                    | K::FETCH
                    | K::INTO
                    | K::FOR
            )
        )
    };
    let mut depth = 0usize;
    let mut end = body.len();
    for (i, t) in body.iter().enumerate() {
        match t.token() {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ if depth == 0 && ends(t) => {
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

#[cfg(test)]
mod tests {
    use super::{view_columns, view_reads};
    use crate::model::Dialect::Postgres;
    use crate::parse::ir::Name;

    #[test]
    fn a_view_names_its_columns_and_what_it_reads() {
        let sql = "CREATE OR REPLACE VIEW open_orders AS SELECT o.id, o.total AS amount, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id";
        let (toks, _) = crate::parse::tokenize(sql, Postgres);
        assert_eq!(
            view_columns(&toks, Postgres),
            Some(vec![
                "id".to_string(),
                "amount".to_string(),
                "count".to_string()
            ])
        );
        let (reads, words) = view_reads(&toks, Postgres);
        assert_eq!(reads, [Name::bare("customers"), Name::bare("orders")]);
        assert!(words.contains(&"customer_id".to_string()));
    }

    #[test]
    fn a_star_view_has_no_known_columns() {
        let sql = "CREATE VIEW v AS SELECT * FROM t";
        let (toks, _) = crate::parse::tokenize(sql, Postgres);
        assert_eq!(view_columns(&toks, Postgres), None);
    }
}
