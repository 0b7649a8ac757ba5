//! Layouts that keep up and down in one file, split by annotation comments:
//!
//! - goose: `-- +goose Up` / `-- +goose Down`, `-- +goose StatementBegin` /
//!   `StatementEnd` around statements with inner semicolons, and
//!   `-- +goose NO TRANSACTION` to run the file outside a transaction;
//! - sql-migrate: `-- +migrate Up` / `-- +migrate Down`, `StatementBegin` /
//!   `StatementEnd`, and `notransaction` on the marker;
//! - dbmate: `-- migrate:up` / `-- migrate:down`, and `transaction:false`
//!   on the marker.
//!
//! Like the tools themselves, bellows reads the annotations line by line.

use super::{Built, Candidate, Layout, Migration, Part, SourceFile, TxMode, Version};
use crate::model::{Annotations, ByteSpan};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Up,
    Down,
    Begin,
    End,
    NoTransaction,
}

/// The annotation of a comment line, for a layout, with its options.
fn marker(layout: Layout, line: &str) -> Option<(Marker, String)> {
    let body = marker_body(line)?;
    let lower = body.to_ascii_lowercase();
    let rest = match layout {
        Layout::Goose => lower.strip_prefix("+goose")?,
        Layout::SqlMigrate => lower.strip_prefix("+migrate")?,
        Layout::Dbmate => {
            let r = lower.strip_prefix("migrate:")?;
            return if let Some(opts) = r.strip_prefix("up") {
                Some((Marker::Up, opts.trim().to_string()))
            } else {
                r.strip_prefix("down")
                    .map(|opts| (Marker::Down, opts.trim().to_string()))
            };
        }
        _ => return None,
    };
    let mut words = rest.split_whitespace();
    let first = words.next()?;
    let opts = words.collect::<Vec<_>>().join(" ");
    let m = match first {
        "up" => Marker::Up,
        "down" => Marker::Down,
        "statementbegin" => Marker::Begin,
        "statementend" => Marker::End,
        "no" if opts == "transaction" => Marker::NoTransaction,
        _ => return None,
    };
    Some((m, opts))
}

/// The text after `--` of a comment line that may be a tool's marker
/// (`+goose …`, `+migrate …`, `migrate:…`). Most lines are SQL or prose
/// comments: they are rejected here, once, before any allocation.
fn marker_body(line: &str) -> Option<&str> {
    let body = line.trim_start().strip_prefix("--")?.trim();
    (body.starts_with('+')
        || body
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("migrate:")))
    .then_some(body)
}

/// The layout whose up or down marker a line is, if any.
pub(super) fn marker_layout(line: &str) -> Option<Layout> {
    marker_body(line)?;
    [Layout::Goose, Layout::SqlMigrate, Layout::Dbmate]
        .into_iter()
        .find(|&layout| matches!(marker(layout, line), Some((Marker::Up | Marker::Down, _))))
}

/// What the markers of one file say.
struct Split {
    up: ByteSpan,
    down: Option<ByteSpan>,
    no_transaction: bool,
    annotations: Annotations,
}

fn split(layout: Layout, text: &str) -> Split {
    let mut up_start = None;
    let mut up_end = text.len();
    let mut down_start = None;
    let mut no_transaction = false;
    let mut notes = Annotations::default();
    let mut begin = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let (start, end) = (offset, offset + line.len());
        offset = end;
        let Some((m, opts)) = marker(layout, line) else {
            continue;
        };
        match m {
            Marker::Up => {
                up_start.get_or_insert(end);
                notes.cuts.push(start);
                no_transaction |=
                    opts.contains("notransaction") || opts.contains("transaction:false");
            }
            Marker::Down => {
                if down_start.is_none() {
                    up_end = start;
                    down_start = Some(end);
                }
                notes.cuts.push(start);
            }
            Marker::Begin => begin = Some(end),
            Marker::End => {
                if let Some(b) = begin.take() {
                    notes.blocks.push(ByteSpan::new(b, start));
                }
            }
            Marker::NoTransaction => no_transaction = true,
        }
    }
    let up_start = up_start.unwrap_or(0).min(up_end);
    Split {
        up: ByteSpan::new(up_start, up_end),
        down: down_start.map(|d| ByteSpan::new(d, text.len())),
        no_transaction,
        annotations: notes,
    }
}

pub(super) fn build(layout: Layout, files: &[Candidate], sources: &mut [SourceFile]) -> Built {
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    for c in files {
        if c.name.contains('/') {
            continue;
        }
        let stem = c.name.strip_suffix(".sql").unwrap_or(&c.name);
        let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
        let (version, name) = if digits > 0 {
            let rest = &stem[digits..];
            (&stem[..digits], rest.strip_prefix('_').unwrap_or(rest))
        } else {
            (stem, "")
        };
        let Some(src) = sources.get_mut(c.id) else {
            continue;
        };
        let s = split(layout, &src.text);
        src.annotations = s.annotations;
        built.migrations.push(Migration {
            version: Version::new(version),
            name: name.to_string(),
            up: Some(Part {
                file: c.id,
                section: Some(s.up),
            }),
            down: s.down.map(|d| Part {
                file: c.id,
                section: Some(d),
            }),
            expects_down: true,
            tx: if s.no_transaction {
                TxMode::None
            } else {
                TxMode::Wrapped
            },
        });
    }
    built
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goose_sections_and_blocks() {
        let text = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n\
                    -- +goose StatementBegin\nCREATE FUNCTION f() AS 'a; b';\n-- +goose StatementEnd\n\
                    -- +goose Down\nDROP INDEX i;\n";
        let s = split(Layout::Goose, text);
        assert!(s.no_transaction);
        assert!(text[s.up.start..s.up.end].starts_with("CREATE INDEX"));
        assert_eq!(
            s.down.map(|d| &text[d.start..d.end]),
            Some("DROP INDEX i;\n")
        );
        assert_eq!(s.annotations.blocks.len(), 1);
    }

    #[test]
    fn dbmate_transaction_false() {
        let text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;\n";
        let s = split(Layout::Dbmate, text);
        assert!(s.no_transaction);
        assert_eq!(
            marker_layout(text.lines().next().unwrap_or_default()),
            Some(Layout::Dbmate)
        );
    }
}
