//! refinery: `V<n>__<name>.sql` versioned and `U<n>__<name>.sql`
//! *unversioned* migrations (which may apply out of order: not undo files),
//! in a Rust project depending on `refinery`. No down. One transaction per
//! migration unless the file holds a `-- refinery:noTransaction` line.

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version, marker_line};

/// `(version, name)` of a refinery file name.
fn parse_name(file: &str) -> Option<(&str, &str)> {
    if file.contains('/') {
        return None;
    }
    let stem = file.strip_suffix(".sql")?;
    let body = stem.strip_prefix(['V', 'v', 'U', 'u'])?;
    let (version, name) = body.split_once("__")?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then_some((version, name))
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let migrations = files
        .iter()
        .filter_map(|c| {
            let (version, name) = parse_name(&c.name)?;
            let no_tx = sources.get(c.id).is_some_and(|s| {
                marker_line(&s.text, |l| l.trim() == "-- refinery:noTransaction").is_some()
            });
            Some(Migration::forward(
                Version::new(version),
                name.to_string(),
                c.id,
                if no_tx { TxMode::None } else { TxMode::Wrapped },
            ))
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
