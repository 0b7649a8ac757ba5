//! yoyo: `<id>.sql` with its rollback `<id>.rollback.sql` beside, and a
//! `yoyo.ini`. Applied in file name order (bellows does not follow the
//! `-- depends:` graph). One transaction per migration unless the header
//! says `-- transactional: false`.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Built, Candidate, FileId, Migration, Part, Probes, SourceFile, TxMode, Version};

/// Whether `dir` or the folder above it holds `yoyo.ini`.
pub(super) fn has_config(dir: &Path, probes: &mut Probes) -> bool {
    dir.ancestors()
        .take(2)
        .any(|d| probes.is_file(d.join("yoyo.ini")))
}

/// Whether a file is a rollback.
pub(super) fn is_rollback(name: &str) -> bool {
    !name.contains('/') && name.to_ascii_lowercase().ends_with(".rollback.sql")
}

/// `-- transactional: false` among the header comments.
fn transactional(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(c) = line.strip_prefix("--") else {
            break;
        };
        if let Some((k, v)) = c.split_once(':')
            && k.trim().eq_ignore_ascii_case("transactional")
        {
            return !v.trim().eq_ignore_ascii_case("false");
        }
    }
    true
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let mut by_id: BTreeMap<String, (Option<FileId>, Option<FileId>)> = BTreeMap::new();
    for c in files {
        if c.name.contains('/') {
            continue;
        }
        let lower = c.name.to_ascii_lowercase();
        if let Some(id) = lower.strip_suffix(".rollback.sql") {
            by_id.entry(c.name[..id.len()].to_string()).or_default().1 = Some(c.id);
        } else if let Some(id) = lower.strip_suffix(".sql") {
            by_id.entry(c.name[..id.len()].to_string()).or_default().0 = Some(c.id);
        }
    }
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    for (id, (up, down)) in by_id {
        let Some(up) = up else {
            built.orphan_downs.extend(down);
            continue;
        };
        let tx = if sources.get(up).is_none_or(|s| transactional(&s.text)) {
            TxMode::Wrapped
        } else {
            TxMode::None
        };
        built.migrations.push(Migration {
            version: Version::new(&id),
            name: id.clone(),
            up: Some(Part {
                file: up,
                section: None,
            }),
            down: down.map(|file| Part {
                file,
                section: None,
            }),
            expects_down: false,
            tx,
        });
    }
    built
}
