//! atlas: `<version>_<name>.sql` files beside `atlas.sum`, in name order
//! (the version is the text before the first `_`). No down: atlas computes
//! them. One transaction per file, unless the file's header says
//! `-- atlas:txmode none`.

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version};

/// The transaction mode the header directives of a file ask for.
fn tx_of(text: &str) -> TxMode {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            break;
        };
        let words: Vec<&str> = comment.split_whitespace().collect();
        if words.first() == Some(&"atlas:txmode") && words.get(1) == Some(&"none") {
            return TxMode::None;
        }
    }
    TxMode::Wrapped
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let migrations = files
        .iter()
        .filter(|c| !c.name.contains('/'))
        .filter_map(|c| {
            let stem = c.name.strip_suffix(".sql")?;
            let (version, name) = stem.split_once('_').unwrap_or((stem, ""));
            Some(Migration::forward(
                Version::new(version),
                name.to_string(),
                c.id,
                sources
                    .get(c.id)
                    .map_or(TxMode::Wrapped, |s| tx_of(&s.text)),
            ))
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
