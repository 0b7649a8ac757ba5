//! golang-migrate: `<version>_<name>.up.sql` / `<version>_<name>.down.sql`.
//!
//! The tool sends each file to the server as one query string and adds no
//! transaction of its own; PostgreSQL runs a multi-statement query string
//! as one implicit transaction. sqlx's reversible migrations share these
//! names (see `sqlx.rs`). A `V` prefix and a `.` separator
//! (`V0001.Init.up.sql`, as some projects' own runners write) are read too.

use std::collections::BTreeMap;

use super::{Built, Candidate, FileId, Migration, Part, TxMode, Version};

/// `(version, name, is_up)` of an up/down file name.
pub(super) fn parse_name(file: &str) -> Option<(&str, &str, bool)> {
    if file.contains('/') {
        return None;
    }
    let lower = file.to_ascii_lowercase();
    let (stem, up) = if lower.ends_with(".up.sql") {
        (&file[..file.len() - ".up.sql".len()], true)
    } else if lower.ends_with(".down.sql") {
        (&file[..file.len() - ".down.sql".len()], false)
    } else {
        return None;
    };
    let body = stem.strip_prefix(['V', 'v']).unwrap_or(stem);
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &body[digits..];
    let name = rest.strip_prefix(['_', '.']).unwrap_or(rest);
    Some((&body[..digits], name, up))
}

/// Pairs up and down files by version and name.
pub(super) fn build(files: &[Candidate], tx: TxMode) -> Built {
    build_with(files, |_| tx)
}

fn migration(key: &(String, String), up: FileId, down: Option<FileId>, tx: TxMode) -> Migration {
    Migration {
        version: Version::new(&key.0),
        name: key.1.clone(),
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
    }
}

/// As [`build`], with the transaction mode decided per up file.
pub(super) fn build_with(files: &[Candidate], tx_of: impl Fn(FileId) -> TxMode) -> Built {
    let mut by_key: BTreeMap<(String, String), (Option<FileId>, Option<FileId>)> = BTreeMap::new();
    for c in files {
        let Some((version, name, up)) = parse_name(&c.name) else {
            continue;
        };
        // The dialect suffix is not part of the name (`x.postgres.up.sql`).
        let name = match c.dialect {
            Some(_) => name.rsplit_once('.').map_or(name, |(n, _)| n),
            None => name,
        };
        let slot = by_key
            .entry((version.to_string(), name.to_string()))
            .or_default();
        if up {
            slot.0 = Some(c.id);
        } else {
            slot.1 = Some(c.id);
        }
    }
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    // A down pairs with the up of the same version and name, else with the
    // only up of its version (the tool pairs by version).
    let mut downs: Vec<((String, String), FileId)> = Vec::new();
    let mut ups: Vec<((String, String), FileId)> = Vec::new();
    let mut paired: std::collections::BTreeSet<FileId> = std::collections::BTreeSet::new();
    for (key, (up, down)) in by_key {
        match (up, down) {
            (Some(up), Some(down)) => {
                paired.insert(up);
                ups.push((key.clone(), up));
                built
                    .migrations
                    .push(migration(&key, up, Some(down), tx_of(up)));
            }
            (Some(up), None) => ups.push((key, up)),
            (None, Some(down)) => downs.push((key, down)),
            (None, None) => {}
        }
    }
    for (key, up) in &ups {
        if paired.contains(up) {
            continue;
        }
        let same_version = |k: &(String, String)| Version::new(&k.0) == Version::new(&key.0);
        let only_up = ups.iter().filter(|(k, _)| same_version(k)).count() == 1;
        let down = if only_up {
            downs
                .iter()
                .position(|(k, _)| same_version(k))
                .map(|i| downs.remove(i).1)
        } else {
            None
        };
        built.migrations.push(migration(key, *up, down, tx_of(*up)));
    }
    built.orphan_downs.extend(downs.into_iter().map(|(_, d)| d));
    built
}
