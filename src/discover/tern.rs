//! tern: `NNN_<name>.sql`, numbered without gaps, with `tern.conf` beside.
//! The down follows the exact line `---- create above / drop below ----`.
//! One transaction per migration, unless the file holds the line
//! `---- tern: disable-tx ----`. Go templates (`{{ … }}`) are masked by the
//! parser.

use super::{Built, Candidate, Migration, Part, SourceFile, TxMode, Version, marker_line};
use crate::model::ByteSpan;

pub(super) fn is_split(line: &str) -> bool {
    line.trim_end() == "---- create above / drop below ----"
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
        let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        let (version, name) = stem.split_at(digits);
        let len = src.text.len();
        let split = marker_line(&src.text, is_split);
        if let Some((start, _)) = split {
            src.annotations.cuts = vec![start];
        }
        let no_tx = marker_line(&src.text, |l| l.trim_end() == "---- tern: disable-tx ----");
        built.migrations.push(Migration {
            version: Version::new(version),
            name: name.trim_start_matches('_').to_string(),
            up: Some(Part {
                file: c.id,
                section: Some(ByteSpan::new(0, split.map_or(len, |(start, _)| start))),
            }),
            down: split.map(|(_, end)| Part {
                file: c.id,
                section: Some(ByteSpan::new(end, len)),
            }),
            expects_down: false,
            tx: if no_tx.is_some() {
                TxMode::None
            } else {
                TxMode::Wrapped
            },
        });
    }
    // A project that writes downs expects them; one that never does is forward-only.
    built.expects_down = built.migrations.iter().any(|m| m.down.is_some());
    built
}
