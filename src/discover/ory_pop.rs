//! ory-pop (fizz/pop, as Ory's projects use it):
//! `<14-digit>_<name>[.<dialect>][.autocommit].{up,down}.sql` in one folder.
//! A dialect-less file applies to every database, a suffixed one to its
//! database only (`postgres`, `cockroach`, `mysql`, `sqlite3`); several
//! files may share a version. Many files are empty on purpose. One
//! transaction per file unless its name says `.autocommit`.

use std::collections::BTreeMap;

use super::{Built, Candidate, FileId, Migration, Part, TxMode, Version};

/// A pop file name: its version, name, whether it names a database,
/// whether it runs outside a transaction, whether it is an up.
struct PopFile<'a> {
    version: &'a str,
    desc: &'a str,
    specific: bool,
    autocommit: bool,
    up: bool,
}

/// `None` for a name of another shape or a cockroach file.
fn parse_name(file: &str) -> Option<PopFile<'_>> {
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
    let (stem, autocommit) = match stem.strip_suffix(".autocommit") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    // The dialect suffix: discover has already sorted files by database;
    // `cockroach` is not one bellows lints.
    let (stem, specific) = match stem.rsplit_once('.') {
        Some((_, "cockroach")) => return None,
        Some((s, d)) if super::dialect_suffix(d).is_some() => (s, true),
        _ => (stem, false),
    };
    let (version, desc) = stem.split_once('_')?;
    (version.len() >= 14 && version.bytes().all(|b| b.is_ascii_digit())).then_some(PopFile {
        version,
        desc,
        specific,
        autocommit,
        up,
    })
}

/// Whether a file name has pop's shape (a 14-digit version, `.up.sql` or
/// `.down.sql`, and a dialect or `.autocommit` suffix).
pub(super) fn is_pop_name(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    parse_name(file).is_some()
        && (lower.contains(".autocommit.")
            || lower.contains(".cockroach.")
            || lower.contains(".sqlite3."))
}

pub(super) fn build(files: &[Candidate]) -> Built {
    // (version, name, dialect-specific) → (up, down, autocommit).
    type Slot = (Option<FileId>, Option<FileId>, bool);
    let mut by_key: BTreeMap<(String, String, bool), Slot> = BTreeMap::new();
    for c in files {
        let Some(n) = parse_name(&c.name) else {
            continue;
        };
        let slot = by_key
            .entry((n.version.to_string(), n.desc.to_string(), n.specific))
            .or_default();
        if n.up {
            slot.0 = Some(c.id);
            slot.2 = n.autocommit;
        } else {
            slot.1 = Some(c.id);
        }
    }
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    for ((version, name, _), (up, down, autocommit)) in by_key {
        let Some(up) = up else {
            built.orphan_downs.extend(down);
            continue;
        };
        built.migrations.push(Migration {
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
            expects_down: false,
            tx: if autocommit {
                TxMode::None
            } else {
                TxMode::Wrapped
            },
        });
    }
    built
}
