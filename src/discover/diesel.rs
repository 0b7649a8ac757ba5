//! diesel: one folder per migration, `<version>_<name>/up.sql` and
//! `down.sql`, with an optional `metadata.toml`. diesel runs each migration
//! in a transaction unless `run_in_transaction = false`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Built, Candidate, FileId, Migration, Part, TxMode, Version};

fn in_transaction(
    dir: &Path,
    folder: &str,
    overlay: &BTreeMap<PathBuf, String>,
    beside: &BTreeSet<PathBuf>,
) -> bool {
    let metadata = dir.join(folder).join("metadata.toml");
    let Some(text) = super::read_walked(&metadata, overlay, beside) else {
        return true;
    };
    match text.parse::<toml::Table>() {
        Ok(t) => t
            .get("run_in_transaction")
            .and_then(toml::Value::as_bool)
            .unwrap_or(true),
        Err(_) => true,
    }
}

pub(super) fn build(
    dir: &Path,
    files: &[Candidate],
    overlay: &BTreeMap<PathBuf, String>,
    beside: &BTreeSet<PathBuf>,
) -> Built {
    let mut folders: BTreeMap<&str, (Option<FileId>, Option<FileId>)> = BTreeMap::new();
    for c in files {
        let Some((folder, file)) = c.name.split_once('/') else {
            continue;
        };
        let slot = folders.entry(folder).or_default();
        match file {
            "up.sql" => slot.0 = Some(c.id),
            "down.sql" => slot.1 = Some(c.id),
            _ => {}
        }
    }
    let mut built = Built {
        expects_down: true,
        ..Built::default()
    };
    for (folder, (up, down)) in folders {
        let (version, name) = folder.split_once('_').unwrap_or((folder, ""));
        match up {
            Some(up) => built.migrations.push(Migration {
                version: Version::new(version),
                name: name.to_string(),
                up: Some(Part {
                    file: up,
                    section: None,
                }),
                down: down.map(|file| Part {
                    file,
                    section: None,
                }),
                expects_down: false,
                tx: if in_transaction(dir, folder, overlay, beside) {
                    TxMode::Wrapped
                } else {
                    TxMode::None
                },
            }),
            None => built.orphan_downs.extend(down),
        }
    }
    built
}
