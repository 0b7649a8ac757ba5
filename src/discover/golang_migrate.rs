//! golang-migrate: `<version>_<name>.up.sql` / `<version>_<name>.down.sql`.
//!
//! The tool sends each file to the server as one query string and adds no
//! transaction of its own; PostgreSQL runs a multi-statement query string
//! as one implicit transaction.

use std::collections::BTreeMap;

use super::{Candidate, FileId, Migration, Part, TxMode, Version};

/// `(version, name, is_up)` of a golang-migrate file name.
pub(super) fn parse_name(file: &str) -> Option<(&str, &str, bool)> {
    let lower = file.to_ascii_lowercase();
    let (stem, up) = if lower.ends_with(".up.sql") {
        (&file[..file.len() - ".up.sql".len()], true)
    } else if lower.ends_with(".down.sql") {
        (&file[..file.len() - ".down.sql".len()], false)
    } else {
        return None;
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let name = stem[digits..].strip_prefix('_').unwrap_or(&stem[digits..]);
    Some((&stem[..digits], name, up))
}

pub(super) fn build(files: &[(FileId, &Candidate)]) -> (Vec<Migration>, Vec<FileId>) {
    // (version text, name) → (up, down)
    let mut by_key: BTreeMap<(String, String), (Option<FileId>, Option<FileId>)> = BTreeMap::new();
    for (id, c) in files {
        let Some((version, name, up)) = parse_name(&c.name) else {
            continue;
        };
        let slot = by_key
            .entry((version.to_string(), name.to_string()))
            .or_default();
        if up {
            slot.0 = Some(*id);
        } else {
            slot.1 = Some(*id);
        }
    }
    let mut migrations = Vec::new();
    let mut orphans = Vec::new();
    for ((version, name), (up, down)) in by_key {
        match up {
            Some(up) => migrations.push(Migration {
                version: Version::new(&version),
                name,
                up: Some(Part {
                    file: up,
                    section: None,
                }),
                down: down.map(|file| Part {
                    file,
                    section: None,
                }),
                tx: TxMode::ImplicitMulti,
            }),
            None => orphans.extend(down),
        }
    }
    migrations.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
    (migrations, orphans)
}
