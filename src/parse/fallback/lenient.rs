//! Lenient readers of table elements (a column, a constraint) from their
//! tokens, and the PostgreSQL 18 named NOT NULL constraints sqlparser lacks.

use sqlparser::tokenizer::Token;

use super::{Cursor, text_of};
use crate::model::Dialect;
use crate::parse::ir::{ColumnDef, ConstraintDef, ConstraintKind, IndexKind};
use crate::parse::lower::{fold, normalize_type};
use crate::parse::tokens::Tok;

/// A table constraint (`CONSTRAINT n …`, `PRIMARY KEY (…)`, …) from its tokens.
pub(super) fn lenient_constraint(part: &[Tok], dialect: Dialect) -> Option<ConstraintDef> {
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
            expr: Some(crate::parse::ir::check_expr(&expr)),
        };
    } else if c.eat("EXCLUDE") {
        kind = ConstraintKind::Exclude;
    } else if name.is_some() && c.eat_all(&["NOT", "NULL"]) {
        kind = ConstraintKind::NotNull;
        columns = c.ident().into_iter().collect();
    } else if name.is_none()
        && (c.peek_is("KEY") || c.peek_is("INDEX") || c.peek_is("FULLTEXT") || c.peek_is("SPATIAL"))
    {
        // MySQL index definitions: `[FULLTEXT|SPATIAL] [INDEX|KEY] [name] (cols)`.
        let index = if c.eat("FULLTEXT") {
            IndexKind::Fulltext
        } else if c.eat("SPATIAL") {
            IndexKind::Spatial
        } else {
            IndexKind::Plain
        };
        if !c.eat("INDEX") {
            c.eat("KEY");
        }
        let name = if c.peek_is_token(&Token::LParen) {
            None
        } else {
            c.ident()
        };
        let columns = cols(&mut c);
        return Some(ConstraintDef {
            name,
            kind: ConstraintKind::Index(index),
            columns,
            not_valid: false,
            using_index: None,
        });
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
pub(super) fn lenient_column(part: &[Tok], dialect: Dialect) -> Option<ColumnDef> {
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
            if let Some(table) = c.name() {
                col.extra_mut().references = Some(table);
            }
        } else if c.eat("CHECK") {
            col.check = true;
            c.skip_parens();
        } else if c.eat("GENERATED") || c.peek_is("AS") {
            let stored = c.rest_has("STORED");
            let identity = c.rest_has("IDENTITY");
            col.generated = Some(if identity {
                crate::parse::ir::Generated::Identity
            } else if stored {
                crate::parse::ir::Generated::Stored
            } else {
                crate::parse::ir::Generated::Virtual
            });
            break;
        } else if c.eat("AUTO_INCREMENT") || c.eat("AUTOINCREMENT") {
            col.generated = Some(crate::parse::ir::Generated::Identity);
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

#[cfg(test)]
mod tests {
    use super::without_not_null_constraints;
    use crate::model::Dialect::Postgres;

    #[test]
    fn named_not_null_constraints_are_taken_out_of_a_table_body() {
        let sql = "CREATE TABLE t (a int, b text, CONSTRAINT t_a_not_null NOT NULL a)";
        let (toks, _) = crate::parse::tokenize(sql, Postgres);
        let (kept, columns) = without_not_null_constraints(&toks, Postgres).expect("read");
        assert_eq!(columns, ["a"]);
        assert!(kept.len() < toks.len());
        assert!(!kept.iter().any(|t| t.is_word("CONSTRAINT")));
    }

    #[test]
    fn other_statements_are_left_alone() {
        let (toks, _) = crate::parse::tokenize("ALTER TABLE t ADD COLUMN a int", Postgres);
        assert!(without_not_null_constraints(&toks, Postgres).is_none());
    }
}
