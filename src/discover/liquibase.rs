//! liquibase formatted SQL: a `.sql` file whose first line is
//! `-- liquibase formatted sql`, cut into changesets by
//! `--changeset author:id [attributes]` lines. Each changeset is a
//! migration, in file name order then file order (a master changelog's own
//! order is not read). One transaction per changeset unless
//! `runInTransaction:false`; a changeset whose `dbms:` excludes the database
//! is skipped. `--rollback` lines are comments: bellows does not lint them
//! as a down. `${property}` placeholders are masked by the parser.

use super::{Built, Candidate, Migration, Part, SourceFile, TxMode, Version};
use crate::model::{ByteSpan, Dialect};

/// Whether a file is a liquibase formatted SQL changelog.
pub(super) fn is_changelog(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|l| {
            let l = l.trim().to_ascii_lowercase();
            l.strip_prefix("--")
                .is_some_and(|r| r.trim() == "liquibase formatted sql")
        })
}

/// `(author:id, attributes)` of a `--changeset` line.
fn changeset(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    let rest = rest
        .get(..10)
        .filter(|p| p.eq_ignore_ascii_case("changeset "))
        .map(|_| &rest[10..])?
        .trim();
    Some(rest.split_once(char::is_whitespace).unwrap_or((rest, "")))
}

/// The value of a `key:value` attribute.
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    attrs.split_whitespace().find_map(|a| {
        let (k, v) = a.split_once(':')?;
        k.eq_ignore_ascii_case(key).then_some(v)
    })
}

/// Whether a `dbms:` list lets the changeset run on the database.
fn runs_on(list: &str, dialect: Dialect) -> bool {
    let names: &[&str] = match dialect {
        Dialect::Postgres => &["postgresql"],
        Dialect::Mysql => &["mysql", "mariadb"],
        Dialect::Sqlite => &["sqlite"],
    };
    let items: Vec<String> = list
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    if items
        .iter()
        .any(|i| i.strip_prefix('!').is_some_and(|n| names.contains(&n)))
    {
        return false;
    }
    let positive: Vec<&String> = items.iter().filter(|i| !i.starts_with('!')).collect();
    positive.is_empty()
        || positive
            .iter()
            .any(|i| i.as_str() == "all" || names.contains(&i.as_str()))
}

pub(super) fn build(files: &[Candidate], sources: &mut [SourceFile]) -> Built {
    let mut built = Built::default();
    for (file_no, c) in files.iter().enumerate() {
        let Some(src) = sources.get_mut(c.id) else {
            continue;
        };
        if !is_changelog(&src.text) {
            continue;
        }
        // (line start, body start, author:id, attributes)
        let mut sets: Vec<(usize, usize, String, String)> = Vec::new();
        let mut offset = 0;
        for line in src.text.split_inclusive('\n') {
            if let Some((id, attrs)) = changeset(line) {
                sets.push((
                    offset,
                    offset + line.len(),
                    id.to_string(),
                    attrs.to_string(),
                ));
            }
            offset += line.len();
        }
        let len = src.text.len();
        src.annotations.cuts = sets.iter().map(|s| s.0).collect();
        for (n, (_, body, id, attrs)) in sets.iter().enumerate() {
            if attr(attrs, "dbms").is_some_and(|l| !runs_on(l, src.dialect)) {
                continue;
            }
            let end = sets.get(n + 1).map_or(len, |s| s.0);
            let tx = if attr(attrs, "runInTransaction")
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
            {
                TxMode::None
            } else {
                TxMode::Wrapped
            };
            built.migrations.push(Migration {
                version: Version::new(&format!("{:04}.{:04}", file_no + 1, n + 1)),
                name: id.clone(),
                up: Some(Part {
                    file: c.id,
                    section: Some(ByteSpan::new(*body, end)),
                }),
                down: None,
                expects_down: false,
                tx,
            });
        }
    }
    built
}
