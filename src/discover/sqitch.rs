//! sqitch: `sqitch.plan` lists the changes in order (`name [deps] <ts>
//! <planner> <<email>> # note`, tags `@v1.0 …`); each change has
//! `deploy/<name>.sql`, `revert/<name>.sql` (its down) and
//! `verify/<name>.sql` (a post-deploy check, not a migration). A change
//! reworked after a tag keeps its earlier script as `deploy/<name>@<tag>.sql`.
//! sqitch wraps nothing: its templates write `BEGIN; … COMMIT;` in each
//! script. Scripts run through psql, so meta-commands (`\set`) are skipped
//! by the parser.

use std::path::Path;

use super::{Built, Candidate, Migration, Part, TxMode, Version};

/// The plan's file name.
pub(super) const PLAN: &str = "sqitch.plan";

/// Whether a folder holds a sqitch plan.
pub(super) fn has_plan(dir: &Path) -> bool {
    dir.join(PLAN).is_file()
}

/// The plan's changes in order, each with the file stem of its scripts
/// (`name`, or `name@tag` for an earlier version of a reworked change).
fn plan(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join(PLAN)) else {
        return Vec::new();
    };
    // (name, index of the first tag after it)
    let mut changes: Vec<(String, Option<usize>)> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(first) = line.split_whitespace().next() else {
            continue;
        };
        if first.starts_with(['%', '#']) {
            continue;
        }
        if let Some(tag) = first.strip_prefix('@') {
            for c in changes.iter_mut().filter(|c| c.1.is_none()) {
                c.1 = Some(tags.len());
            }
            tags.push(tag.to_string());
            continue;
        }
        // `name`, or `name [deps]` written without a space.
        let name = first.split('[').next().unwrap_or(first);
        if !name.is_empty() {
            changes.push((name.to_string(), None));
        }
    }
    let names: Vec<String> = changes.iter().map(|c| c.0.clone()).collect();
    changes
        .iter()
        .enumerate()
        .map(|(i, (name, tag))| {
            let reworked_later = names.iter().skip(i + 1).any(|n| n == name);
            let stem = match tag.and_then(|t| tags.get(t)) {
                Some(t) if reworked_later => format!("{name}@{t}"),
                _ => name.clone(),
            };
            (name.clone(), stem)
        })
        .collect()
}

pub(super) fn build(dir: &Path, files: &[Candidate]) -> Built {
    let script = |folder: &str, stem: &str| {
        files
            .iter()
            .find(|c| c.name == format!("{folder}/{stem}.sql"))
            .map(|c| c.id)
    };
    let mut built = Built::default();
    for (i, (name, stem)) in plan(dir).into_iter().enumerate() {
        let Some(up) = script("deploy", &stem) else {
            continue;
        };
        built.migrations.push(Migration {
            version: Version::new(&format!("{:04}", i + 1)),
            name,
            up: Some(Part {
                file: up,
                section: None,
            }),
            down: script("revert", &stem).map(|file| Part {
                file,
                section: None,
            }),
            expects_down: false,
            tx: TxMode::None,
        });
    }
    built.expects_down = built.migrations.iter().any(|m| m.down.is_some());
    built
}
