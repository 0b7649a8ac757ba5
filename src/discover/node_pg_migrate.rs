//! node-pg-migrate (SQL files): `<timestamp>_<name>.sql` holding a
//! `-- Up Migration` line and, for a reversible one, a `-- Down Migration`
//! line (matched case-insensitively). By default every migration of a run
//! goes in one transaction.

use super::{Built, Candidate, Migration, Part, SourceFile, TxMode, Version, marker_line};
use crate::model::ByteSpan;

pub(super) fn is_up(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("-- up migration")
}

fn is_down(line: &str) -> bool {
    line.trim().eq_ignore_ascii_case("-- down migration")
}

pub(super) fn build(files: &[Candidate], sources: &mut [SourceFile]) -> Built {
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    for c in files {
        if c.name.contains('/') {
            continue;
        }
        let Some(src) = sources.get_mut(c.id) else {
            continue;
        };
        let stem = c.name.strip_suffix(".sql").unwrap_or(&c.name);
        let (version, name) = stem.split_once('_').unwrap_or((stem, ""));
        let len = src.text.len();
        let up_start = marker_line(&src.text, is_up).map_or(0, |(_, end)| end);
        let down = marker_line(&src.text, is_down).filter(|(start, _)| *start >= up_start);
        let up_end = down.map_or(len, |(start, _)| start);
        if let Some((start, _)) = down {
            src.annotations.cuts = vec![start];
        }
        built.migrations.push(Migration {
            version: Version::new(version),
            name: name.to_string(),
            up: Some(Part {
                file: c.id,
                section: Some(ByteSpan::new(up_start, up_end)),
            }),
            down: down.map(|(_, end)| Part {
                file: c.id,
                section: Some(ByteSpan::new(end, len)),
            }),
            expects_down: false,
            tx: TxMode::Wrapped,
        });
    }
    // A project that writes downs expects them; one that never does is forward-only.
    built.expects_down = built.migrations.iter().any(|m| m.down.is_some());
    built
}
