//! One `ALTER TABLE` operation from its tokens: columns, constraints,
//! partitions (`ATTACH`/`DETACH`), storage, MySQL's forms.

use sqlparser::tokenizer::Token;

use super::{Cursor, lenient_column, lenient_constraint, text_of};
use crate::model::Dialect;
use crate::parse::ir::{AlterKind, Using};
use crate::parse::lower::{fold, normalize_type};
use crate::parse::tokens::Tok;

/// One `ALTER TABLE` operation from its tokens.
pub(super) fn alter_op(part: &[Tok], dialect: Dialect) -> Option<AlterKind> {
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

#[cfg(test)]
mod tests {
    use super::super::read;
    use crate::model::Dialect::Postgres;
    use crate::parse::ir::{Action, AlterKind};

    fn op(sql: &str) -> Option<AlterKind> {
        match read(sql, Postgres)? {
            Action::AlterTable { mut ops, .. } => ops.pop().map(|o| o.kind),
            _ => None,
        }
    }

    #[test]
    fn partitions_are_attached_and_detached() {
        assert!(matches!(
            op(
                "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
            ),
            Some(AlterKind::AttachPartition { default: false, .. })
        ));
        assert!(matches!(
            op("ALTER TABLE events ATTACH PARTITION events_rest DEFAULT"),
            Some(AlterKind::AttachPartition { default: true, .. })
        ));
        assert!(matches!(
            op("ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY"),
            Some(AlterKind::DetachPartition {
                concurrently: true,
                ..
            })
        ));
    }

    #[test]
    fn storage_changes_are_read() {
        assert!(matches!(
            op("ALTER TABLE events SET UNLOGGED"),
            Some(AlterKind::SetUnlogged)
        ));
        assert!(matches!(
            op("ALTER TABLE events SET TABLESPACE fast"),
            Some(AlterKind::SetTablespace)
        ));
    }
}
