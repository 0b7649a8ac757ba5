//! flyway: versioned `V<version>__<description>.sql`, undo
//! `U<version>__<description>.sql`, repeatable `R__<description>.sql`
//! (replayed after the versioned ones). Versions use `.` or `_` between
//! parts (`V1_2__x.sql` is version 1.2). Each migration runs in a
//! transaction unless its `<file>.conf` says `executeInTransaction=false`.
//! A baseline `B<version>__<description>.sql` stands, on a new database,
//! for every versioned migration up to its version: it is replayed only
//! when those are gone from the folder. Callbacks (`beforeMigrate.sql`,
//! `afterEachMigrate__x.sql`, …) are not migrations. `${placeholder}`s are
//! masked by the parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Built, Candidate, FileId, Migration, Part, TxMode, Version};

/// `(prefix, version, description)`; the version is empty for `R`.
pub(super) fn parse_name(file: &str) -> Option<(char, String, &str)> {
    if file.contains('/') {
        return None;
    }
    let stem = file.strip_suffix(".sql")?;
    let prefix = stem.chars().next()?.to_ascii_uppercase();
    if !matches!(prefix, 'V' | 'U' | 'R' | 'B') {
        return None;
    }
    let (version, desc) = stem[1..].split_once("__")?;
    if prefix == 'R' {
        return version.is_empty().then_some(('R', String::new(), desc));
    }
    let ok = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    ok.then(|| (prefix, version.replace('_', "."), desc))
}

/// The script configuration file beside a flyway script (`V1__x.sql.conf`).
pub fn conf_path(script: &Path) -> PathBuf {
    let mut conf = script.as_os_str().to_owned();
    conf.push(".conf");
    PathBuf::from(conf)
}

fn tx_of(path: &Path, overlay: &BTreeMap<PathBuf, String>, beside: &BTreeSet<PathBuf>) -> TxMode {
    let off = super::read_walked(&conf_path(path), overlay, beside).is_some_and(|t| {
        t.lines().any(|l| {
            let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            l.eq_ignore_ascii_case("executeInTransaction=false")
        })
    });
    if off { TxMode::None } else { TxMode::Wrapped }
}

/// A versioned migration's file, description and transaction mode.
type Versioned = (FileId, String, TxMode);

pub(super) fn build(
    files: &[Candidate],
    overlay: &BTreeMap<PathBuf, String>,
    beside: &BTreeSet<PathBuf>,
) -> Built {
    let mut versioned: BTreeMap<String, (Option<Versioned>, Option<FileId>)> = BTreeMap::new();
    let mut repeatable = Vec::new();
    let mut baselines: Vec<(String, Versioned)> = Vec::new();
    for c in files {
        let Some((prefix, version, desc)) = parse_name(&c.name) else {
            continue;
        };
        match prefix {
            'V' => {
                versioned.entry(version).or_default().0 =
                    Some((c.id, desc.to_string(), tx_of(&c.path, overlay, beside)));
            }
            'U' => versioned.entry(version).or_default().1 = Some(c.id),
            'B' => baselines.push((
                version,
                (c.id, desc.to_string(), tx_of(&c.path, overlay, beside)),
            )),
            _ => repeatable.push((desc.to_string(), c.id, tx_of(&c.path, overlay, beside))),
        }
    }
    let mut built = Built {
        expects_down: files
            .iter()
            .any(|c| parse_name(&c.name).is_some_and(|(p, _, _)| p == 'U')),
        ..Built::default()
    };
    // The latest baseline replaces the versioned migrations up to it, on a
    // new database, when they are no longer kept.
    let latest = baselines
        .into_iter()
        .max_by(|a, b| Version::new(&a.0).cmp(&Version::new(&b.0)));
    if let Some((version, base)) = latest {
        let covered = versioned
            .iter()
            .any(|(v, (up, _))| up.is_some() && Version::new(v) <= Version::new(&version));
        if !covered {
            versioned.entry(version).or_default().0 = Some(base);
        }
    }
    for (version, (up, down)) in versioned {
        match up {
            Some((file, name, tx)) => built.migrations.push(Migration {
                version: Version::new(&version),
                name,
                up: Some(Part {
                    file,
                    section: None,
                }),
                down: down.map(|file| Part {
                    file,
                    section: None,
                }),
                expects_down: false,
                tx,
            }),
            None => built.orphan_downs.extend(down),
        }
    }
    // Repeatables run after every versioned migration, ordered by description.
    repeatable.sort_by(|a, b| a.0.cmp(&b.0));
    let last = built
        .migrations
        .iter()
        .map(|m| m.version.text.clone())
        .max_by(|a, b| Version::new(a).cmp(&Version::new(b)))
        .unwrap_or_default();
    for (desc, file, tx) in repeatable {
        built.repeatable.push(Migration::forward(
            Version::new(&format!("{last}~R__{desc}")),
            desc,
            file,
            tx,
        ));
    }
    built
}
