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
    if dialect == Dialect::Mysql
        && let Some(op) = mysql_alter_op(part)
    {
        return Some(op);
    }
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
        let positioned = part
            .iter()
            .any(|t| t.is_word("FIRST") || t.is_word("AFTER"));
        return Some(AlterKind::AddColumn {
            column,
            if_not_exists,
            positioned,
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

/// MySQL-only `ALTER TABLE` operations: table options, `LOCK=`, MariaDB's
/// `WAIT n` / `NOWAIT`, `RENAME INDEX`, partition maintenance.
pub(crate) fn mysql_alter_op(part: &[Tok]) -> Option<AlterKind> {
    let word = |i: usize| {
        part.get(i)
            .and_then(Tok::word)
            .map(|w| w.value.to_lowercase())
    };
    let first = word(0)?;
    // The value after `NAME [=]` (or after `CONVERT TO CHARACTER SET`).
    let value_after = |i: usize| {
        let i = if part.get(i).is_some_and(|t| matches!(t.token(), Token::Eq)) {
            i + 1
        } else {
            i
        };
        part.get(i)
            .map(|t| match t.token() {
                Token::Word(w) => w.value.to_lowercase(),
                other => other.to_string().to_lowercase(),
            })
            .unwrap_or_default()
    };
    let option = |name: &str, value: String| {
        Some(AlterKind::TableOption {
            name: name.to_string(),
            value,
        })
    };
    match first.as_str() {
        "wait" | "nowait" => Some(AlterKind::Wait),
        "lock" => Some(AlterKind::Lock {
            value: value_after(1),
        }),
        "force" => option("force", String::new()),
        "engine" | "row_format" | "auto_increment" | "comment" | "key_block_size"
        | "stats_persistent" | "stats_auto_recalc" | "stats_sample_pages" | "avg_row_length"
        | "max_rows" | "min_rows" | "pack_keys" | "checksum" | "page_compressed" => {
            option(&first, value_after(1))
        }
        "convert" if word(2).as_deref() == Some("charset") => {
            option("convert to character set", value_after(3))
        }
        "convert" => option("convert to character set", value_after(4)),
        "charset" => option("default character set", value_after(1)),
        "character" => option("default character set", value_after(2)),
        "default" if word(1).is_some_and(|w| w == "charset") => {
            option("default character set", value_after(2))
        }
        "default" if word(1).is_some_and(|w| w == "character") => {
            option("default character set", value_after(3))
        }
        "default" | "collate" => option("default collation", String::new()),
        "rename" if word(1).is_some_and(|w| w == "index" || w == "key") => {
            let from = word(2)?;
            (word(3).as_deref() == Some("to")).then_some(())?;
            Some(AlterKind::RenameIndex { from, to: word(4)? })
        }
        "partition" if word(1).as_deref() == Some("by") => {
            Some(AlterKind::Partition { copies: true })
        }
        "remove" if word(1).as_deref() == Some("partitioning") => {
            Some(AlterKind::Partition { copies: true })
        }
        "add" | "drop" | "reorganize" | "coalesce" | "truncate" | "exchange" | "analyze"
        | "check" | "optimize" | "rebuild" | "repair" | "discard" | "import"
            if word(1).is_some_and(|w| w == "partition" || w == "partitions") =>
        {
            Some(AlterKind::Partition { copies: false })
        }
        _ => None,
    }
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
