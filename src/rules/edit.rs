//! What the rules' fixes share: finding a keyword in the user's statement,
//! the bytes that remove a statement cleanly, names written back as SQL.

use crate::model::{ByteSpan, Edit, Fix, NewMigration};
use crate::parse::ir::Name;

use super::StmtCx;

/// The byte offset right after the first whole word `word` (ASCII, any
/// case) of `text[span]`, outside comments, strings and quoted names.
pub fn word_end(text: &str, span: ByteSpan, word: &str) -> Option<usize> {
    let s = text.get(span.start..span.end)?;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i += s[i..].find('\n').unwrap_or(s.len() - i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += s[i..].find("*/").map_or(s.len() - i, |e| e + 2);
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1 + s[i + 1..]
                    .find(q as char)
                    .map_or(s.len() - i - 1, |e| e + 1);
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                if s[start..i].eq_ignore_ascii_case(word) {
                    return Some(span.start + i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The span of the name (`orders`, `app."Orders"`) that starts at `from`
/// or after blanks and any of the words in `skip` (`IF`, `EXISTS`, `ONLY`).
pub fn next_name(text: &str, from: usize, skip: &[&str]) -> Option<ByteSpan> {
    let b = text.as_bytes();
    let mut i = from;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let word_end = (i..b.len())
            .find(|&j| !(b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$'))
            .unwrap_or(b.len());
        let word = text.get(i..word_end)?;
        if !word.is_empty() && skip.iter().any(|s| s.eq_ignore_ascii_case(word)) {
            i = word_end;
            continue;
        }
        break;
    }
    let start = i;
    loop {
        match b.get(i)? {
            q @ (b'"' | b'`') => {
                let close = text.get(i + 1..)?.find(*q as char)?;
                i += close + 2;
            }
            c if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    (i > start).then(|| ByteSpan::new(start, i))
}

/// The table of an `ALTER TABLE` statement as the user wrote it.
pub fn altered_table<'a>(cx: &StmtCx<'a>) -> Option<&'a str> {
    let at = word_end(cx.text, cx.stmt.span, "TABLE")?;
    let span = next_name(cx.text, at, &["IF", "EXISTS", "ONLY"])?;
    cx.text.get(span.start..span.end)
}

/// The name after `word` in the span, as the user wrote it
/// (`CONSTRAINT orders_customer_fkey`).
pub fn name_after(cx: &StmtCx<'_>, span: ByteSpan, word: &str, skip: &[&str]) -> Option<ByteSpan> {
    let at = word_end(cx.text, span, word)?;
    next_name(cx.text, at, skip).filter(|n| n.end <= span.end)
}

/// A span without its trailing blanks.
pub fn trimmed(text: &str, span: ByteSpan) -> ByteSpan {
    let s = text.get(span.start..span.end).unwrap_or("");
    ByteSpan::new(span.start, span.start + s.trim_end().len())
}

/// `NOT VALID` on the constraint that the operation at `op` adds, and its
/// `VALIDATE CONSTRAINT` in a new migration (on PostgreSQL: the validation
/// scans while reads and writes go on).
pub fn not_valid(cx: &StmtCx<'_>, op: ByteSpan) -> Option<Fix> {
    if cx.dialect != crate::model::Dialect::Postgres {
        return None;
    }
    let table = altered_table(cx)?;
    let name = cx.source(name_after(cx, op, "CONSTRAINT", &[])?);
    let end = trimmed(cx.text, op).end;
    let not_valid = edit(cx, ByteSpan::new(end, end), " NOT VALID");
    // A VALIDATE later in this migration: validate-in-same-transaction's
    // fix moves that one out.
    let folded = name.trim_matches('"').to_lowercase();
    let crate::parse::ir::Action::AlterTable { table: altered, .. } = &cx.stmt.action else {
        return None;
    };
    if cx
        .siblings_index
        .alters(altered, cx.later_positions())
        .any(|s| {
            matches!(&s.action, crate::parse::ir::Action::AlterTable { ops, .. }
            if ops.iter().any(|o| matches!(&o.kind,
                crate::parse::ir::AlterKind::ValidateConstraint { name } if name.to_lowercase() == folded)))
        })
    {
        return Some(fix("add it NOT VALID", vec![not_valid], Vec::new()));
    }
    Some(fix(
        "add it NOT VALID, and validate it in a new migration",
        vec![not_valid],
        vec![NewMigration {
            name: crate::discover::write::file_words(&["validate", name]),
            up: format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name};\n"),
            down: None,
            no_transaction: false,
        }],
    ))
}

/// The current statement moved into a new migration named `name` (its
/// down: nothing to undo).
pub fn moved(cx: &StmtCx<'_>, title: &str, name: &str) -> Fix {
    fix(
        title,
        vec![edit(cx, removal(cx.text, cx.stmt.span), "")],
        vec![NewMigration {
            name: name.to_string(),
            up: statement(cx),
            down: None,
            no_transaction: false,
        }],
    )
}

/// `SET lock_timeout` (MySQL `SET SESSION lock_wait_timeout`) on a line of
/// its own before the current statement, indented as it is.
pub fn lock_timeout_prelude(cx: &StmtCx<'_>) -> Fix {
    let start = cx.stmt.span.start;
    let line_start = cx.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &cx.text[line_start..start];
    let indent = if indent.trim().is_empty() { indent } else { "" };
    let set = match cx.dialect {
        crate::model::Dialect::Mysql => "SET SESSION lock_wait_timeout = 5;".to_string(),
        _ => format!(
            "SET {}lock_timeout = '2s';",
            if cx.transaction.is_some() {
                "LOCAL "
            } else {
                ""
            }
        ),
    };
    let newline = if cx.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    fix(
        "set a lock timeout first",
        vec![edit(
            cx,
            ByteSpan::new(start, start),
            format!("{set}{newline}{indent}"),
        )],
        Vec::new(),
    )
}

/// The bytes that remove a statement: the statement, its `;`, and the rest
/// of its line when only blanks remain, with the blanks before it on its
/// line.
pub fn removal(text: &str, span: ByteSpan) -> ByteSpan {
    let bytes = text.as_bytes();
    let mut end = span.end;
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
        end += 1;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    let mut line_end = end;
    while line_end < bytes.len() && matches!(bytes[line_end], b' ' | b'\t' | b'\r') {
        line_end += 1;
    }
    if line_end >= bytes.len() || bytes[line_end] == b'\n' {
        end = (line_end + 1).min(bytes.len());
    }
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let start = if text[line_start..span.start].trim().is_empty() {
        line_start
    } else {
        span.start
    };
    ByteSpan::new(start, end)
}

/// A PostgreSQL name as SQL: bare when folding keeps it, else quoted.
pub fn ident(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `schema.name` as SQL.
pub fn qualified(n: &Name) -> String {
    match &n.schema {
        Some(s) => format!("{}.{}", ident(s), ident(&n.name)),
        None => ident(&n.name),
    }
}

/// The whole statement as the user wrote it, with its `;` and a newline.
pub fn statement(cx: &StmtCx<'_>) -> String {
    format!("{};\n", cx.source(cx.stmt.span).trim_end())
}

/// A fix of the current statement.
pub fn fix(title: &str, edits: Vec<Edit>, migrations: Vec<NewMigration>) -> Fix {
    Fix {
        title: title.to_string(),
        edits,
        migrations,
        files: Vec::new(),
    }
}

/// An edit of the current file.
pub fn edit(cx: &StmtCx<'_>, span: ByteSpan, text: impl Into<String>) -> Edit {
    Edit {
        file: cx.file,
        span,
        text: text.into(),
    }
}

/// Whether a statement after this one in its migration depends on the
/// index `name` or changes what it is built on: it names the index or one
/// of its columns, or drops or renames its table. Moved into a new
/// migration, the statement would run after it (a later `DROP COLUMN`
/// takes the column's indexes with it, and the moved `DROP INDEX` would
/// then fail).
fn later_names_it(cx: &StmtCx<'_>, name: &Name) -> bool {
    let (table, columns) = match &cx.stmt.action {
        crate::parse::ir::Action::CreateIndex(ci) => (Some(ci.table.clone()), ci.columns.clone()),
        _ => (
            cx.catalog.table_of_index(name),
            cx.catalog
                .indexes
                .get(name)
                .map(|i| i.columns.clone())
                .unwrap_or_default(),
        ),
    };
    let mut words: Vec<String> = columns.iter().map(|c| c.to_uppercase()).collect();
    if !name.name.is_empty() {
        words.push(name.name.to_uppercase());
    }
    let table = table.map(|t| t.name.to_uppercase());
    let all: Vec<&str> = words.iter().chain(&table).map(String::as_str).collect();
    let part = cx.siblings_index;
    let later = cx.later_positions();
    // The later statements that may name a word, or the table along with
    // `DROP` or `RENAME`.
    let asked: Vec<(&str, bool)> = words
        .iter()
        .map(|w| (w.as_str(), false))
        .chain(table.iter().map(|t| (t.as_str(), true)))
        .collect();
    part.naming(&asked, later, &all).any(|(_, n)| {
        let mut names_table = false;
        // Words are short: a loop over bytes finds each space sooner than memchr.
        for w in n.as_bytes().split(|&b| b == b' ') {
            if words.iter().any(|x| x.as_bytes() == w) {
                return true;
            }
            names_table |= table.as_ref().is_some_and(|t| t.as_bytes() == w);
        }
        names_table && (n.starts_with("DROP ") || n.contains(" RENAME "))
    })
}

/// When a statement moves into a new migration: the statement of this
/// migration's down that undoes it (`None`: nothing does) (`undoes` says which; `CONCURRENTLY` is
/// added after `INDEX` when missing), moved out of the down with the edit
/// that removes it. `(None, [])` when the down does not name `name`;
/// `None` (no fix) when the down uses the name otherwise. `undoes` takes
/// only a `DROP` of `name` alone or a `CREATE INDEX` named `name` (those
/// are the statements it is asked about).
pub fn moved_down(
    cx: &StmtCx<'_>,
    name: &Name,
    undoes: Option<&dyn Fn(&crate::parse::ir::Action) -> bool>,
) -> Option<(Option<String>, Vec<Edit>)> {
    use crate::parse::ir::{Action, ObjectKind};
    let (Some(part), Some(undoes)) = (cx.migration.down, undoes) else {
        return Some((None, Vec::new()));
    };
    let src = cx.sources.get(part.file)?;
    let word = name.name.to_uppercase();
    let index = cx.down_index;
    // `undoes` takes only statements that drop or index `name`.
    let found = index
        .dropping_or_indexing(&name.name)
        .iter()
        .copied()
        .find(|&i| cx.down.get(i).is_some_and(|s| undoes(&s.action)));
    // Any other statement of the down that names it: no fix.
    let holds_word = |n: &str| {
        n.as_bytes()
            .split(|&b| b == b' ')
            .any(|w| w == word.as_bytes())
    };
    let named = index
        .naming(&[(&word, false)], 0..cx.down.len(), &[&word])
        .any(|(i, n)| Some(i) != found && holds_word(n));
    if named {
        return None;
    }
    let found = found.and_then(|i| cx.down.get(i).copied());
    let Some(s) = found else {
        return Some((None, Vec::new()));
    };
    let text = src.text.get(s.span.start..s.span.end)?;
    let concurrent = match &s.action {
        Action::Drop {
            kind: ObjectKind::Index,
            concurrently,
            ..
        } => *concurrently,
        Action::CreateIndex(ci) => ci.concurrently,
        _ => true,
    };
    let moved = match word_end(&src.text, s.span, "INDEX") {
        Some(at) if !concurrent => format!(
            "{} CONCURRENTLY{};\n",
            src.text.get(s.span.start..at)?,
            src.text.get(at..s.span.end)?.trim_end()
        ),
        _ => format!("{};\n", text.trim_end()),
    };
    Some((
        Some(moved),
        vec![Edit {
            file: part.file,
            span: removal(&src.text, s.span),
            text: String::new(),
        }],
    ))
}

/// A statement that must run outside a transaction block (with
/// `CONCURRENTLY` inserted at `insert`, when given): as it is where the
/// migration runs outside one; with the layout's no-transaction marker
/// where the tool wraps the migration and the statement is alone in it;
/// else moved into a new migration that runs outside one, with the down
/// statement that `undoes` it (or `default_down`; `None`: a statement
/// with no down counterpart, such as `REINDEX`), as [`moved_down`] finds it.
pub fn outside_transaction(
    cx: &StmtCx<'_>,
    insert: Option<usize>,
    name: &Name,
    undoes: Option<&dyn Fn(&crate::parse::ir::Action) -> bool>,
    default_down: Option<String>,
) -> Option<Fix> {
    use super::TxReason;
    let mut edits: Vec<Edit> = insert
        .map(|at| edit(cx, ByteSpan::new(at, at), " CONCURRENTLY"))
        .into_iter()
        .collect();
    match cx.transaction {
        None if insert.is_some() => Some(fix("add CONCURRENTLY", edits, Vec::new())),
        None | Some(TxReason::Explicit) => None,
        Some(TxReason::Tool) if cx.siblings.len() == 1 => {
            let part = if cx.is_down {
                cx.migration.down
            } else {
                cx.migration.up
            };
            let marker = format!("{}'s no-transaction marker", cx.layout.id());
            let title = if insert.is_some() {
                format!("add CONCURRENTLY and {marker}")
            } else {
                format!("add {marker}")
            };
            let mut fix = fix(&title, Vec::new(), Vec::new());
            if let Some((span, text)) =
                crate::discover::write::no_transaction_marker(cx.layout, part, cx.text)
            {
                edits.insert(0, edit(cx, span, text));
            } else {
                // In a file beside the migration (diesel, flyway): that
                // file written whole, as it is now with the marker.
                let script = &cx.sources.get(cx.file)?.path;
                let path = crate::discover::write::marker_file(cx.layout, script)?;
                let now = crate::discover::read_beside(&path, &cx.settings.overlay);
                let text = crate::discover::write::with_marker(cx.layout, now.as_deref())?;
                fix.files.push(crate::model::NewFile {
                    display: crate::discover::display_path(&path, &cx.settings.cwd),
                    path,
                    text,
                });
            }
            fix.edits = edits;
            Some(fix)
        }
        Some(_) => {
            if cx.is_down || later_names_it(cx, name) {
                return None;
            }
            let (down, mut edits) = moved_down(cx, name, undoes)?;
            let down = down.or(default_down);
            let span = cx.stmt.span;
            let up = match insert {
                Some(at) => format!(
                    "{} CONCURRENTLY{};\n",
                    cx.source(ByteSpan::new(span.start, at)),
                    cx.source(ByteSpan::new(at, span.end)).trim_end()
                ),
                None => statement(cx),
            };
            edits.push(edit(cx, removal(cx.text, span), ""));
            let verb = match cx.stmt.action {
                crate::parse::ir::Action::CreateIndex(_) => "create",
                crate::parse::ir::Action::Reindex { .. } => "reindex",
                _ => "drop",
            };
            let title = if insert.is_some() {
                "add CONCURRENTLY, in a new migration outside a transaction"
            } else {
                "move it into a new migration outside a transaction"
            };
            Some(fix(
                title,
                edits,
                vec![NewMigration {
                    name: crate::discover::write::file_words(&[verb, &name.name]),
                    up,
                    down,
                    no_transaction: true,
                }],
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ident, removal, word_end};
    use crate::model::ByteSpan;

    #[test]
    fn words_are_found_outside_comments_and_quotes() {
        let t = "CREATE /* index */ UNIQUE \"index\" INDEX i ON t (a)";
        let at = word_end(t, ByteSpan::new(0, t.len()), "index").unwrap();
        assert_eq!(&t[..at], "CREATE /* index */ UNIQUE \"index\" INDEX");
    }

    #[test]
    fn a_statement_is_removed_with_its_line() {
        let t = "SET x = 1;\n  CREATE INDEX i ON t (a);\nSELECT 1;\n";
        let s = removal(t, ByteSpan::new(13, 37));
        assert_eq!(
            format!("{}{}", &t[..s.start], &t[s.end..]),
            "SET x = 1;\nSELECT 1;\n"
        );
    }

    #[test]
    fn names_are_quoted_only_when_folding_would_change_them() {
        assert_eq!(ident("orders_idx"), "orders_idx");
        assert_eq!(ident("Orders"), "\"Orders\"");
    }
}
