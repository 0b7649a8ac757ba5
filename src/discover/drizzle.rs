//! drizzle: `<out>/NNNN_<words>.sql` run in the order of
//! `<out>/meta/_journal.json` (`entries: [{idx, when, tag}]`); a file the
//! journal does not list never runs. Statements are split on
//! `--> statement-breakpoint` lines. No down. drizzle-kit runs every pending
//! migration in one transaction (PostgreSQL, SQLite), with no opt-out.

use std::path::Path;

use super::{Built, Candidate, Migration, Probes, SourceFile, TxMode, Version};
use crate::model::Dialect;

/// What `meta/_journal.json` says.
struct Journal {
    /// The entries in order: (idx, tag, when).
    entries: Vec<(u64, String, Option<u64>)>,
    dialect: Option<Dialect>,
}

fn journal(dir: &Path) -> Option<Journal> {
    let text = std::fs::read_to_string(dir.join("meta").join("_journal.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let dialect = match v.get("dialect").and_then(serde_json::Value::as_str) {
        Some("postgresql" | "postgres") => Some(Dialect::Postgres),
        Some("mysql" | "singlestore") => Some(Dialect::Mysql),
        Some("sqlite" | "turso") => Some(Dialect::Sqlite),
        _ => None,
    };
    let entries = v
        .get("entries")?
        .as_array()?
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let tag = e.get("tag")?.as_str()?.to_string();
            let idx = e
                .get("idx")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(i as u64);
            let when = e.get("when").and_then(serde_json::Value::as_u64);
            Some((idx, tag, when))
        })
        .collect();
    Some(Journal { entries, dialect })
}

/// Whether `dir` holds a drizzle journal.
pub(super) fn has_journal(dir: &Path, probes: &mut Probes) -> bool {
    probes.is_file(dir.join("meta").join("_journal.json"))
}

/// The database named by the journal's `dialect`.
pub(super) fn dialect(dir: &Path) -> Option<Dialect> {
    journal(dir)?.dialect
}

/// Each `--> statement-breakpoint` line ends a statement.
fn breakpoints(text: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(at) = line.find("--> statement-breakpoint") {
            cuts.push(offset + at);
        }
        offset += line.len();
    }
    cuts
}

pub(super) fn build(dir: &Path, files: &[Candidate], sources: &mut [SourceFile]) -> Built {
    let journal = journal(dir);
    let listed = journal.is_some();
    let entries = journal.map_or_else(
        || {
            // No readable journal: the files in name order.
            files
                .iter()
                .filter(|c| !c.name.contains('/'))
                .enumerate()
                .map(|(i, c)| {
                    let tag = c.name.strip_suffix(".sql").unwrap_or(&c.name);
                    (i as u64, tag.to_string(), None)
                })
                .collect()
        },
        |j| j.entries,
    );
    let mut built = Built::default();
    let mut last_when: Option<u64> = None;
    // Journal entries with no file, and the file listed before each.
    let mut missing: Vec<(&str, Option<usize>)> = Vec::new();
    let mut listed_before: Option<usize> = None;
    for (idx, tag, when) in &entries {
        let Some(c) = files.iter().find(|c| c.name == format!("{tag}.sql")) else {
            missing.push((tag.as_str(), listed_before));
            continue;
        };
        listed_before = Some(c.id);
        if let (Some(w), Some(last)) = (when, last_when)
            && *w <= last
        {
            built.out_of_step.push((
                c.id,
                "its `when` in meta/_journal.json is not later than the entry before it, so drizzle-kit skips it \
                 on every database that already applied that one"
                    .to_string(),
                "give its journal entry a `when` later than the entry before it, or regenerate the migration with \
                 `drizzle-kit generate`"
                    .to_string(),
            ));
        }
        last_when = last_when.max(*when);
        let (idx, tag) = (*idx, tag.as_str());
        if let Some(src) = sources.get_mut(c.id) {
            src.annotations.cuts = breakpoints(&src.text);
        }
        let name = tag.split_once('_').map_or(tag, |(_, n)| n);
        built.migrations.push(Migration::forward(
            Version::new(&format!("{idx:04}")),
            name.to_string(),
            c.id,
            TxMode::Wrapped,
        ));
    }
    // Reported on the file the journal lists before the missing one, else
    // the first one it lists.
    let first = built.migrations.first().and_then(|m| m.up).map(|p| p.file);
    for (tag, before) in missing {
        if let Some(file) = before.or(first) {
            built.out_of_step.push((
                file,
                format!(
                    "meta/_journal.json lists {tag}, but {tag}.sql is not in the folder: drizzle-kit \
                     migrate stops with an error on every database"
                ),
                format!(
                    "restore {tag}.sql if it was deleted by mistake; else remove its entry from \
                     meta/_journal.json with `drizzle-kit drop`"
                ),
            ));
        }
    }
    if listed {
        for c in files.iter().filter(|c| !c.name.contains('/')) {
            let tag = c.name.strip_suffix(".sql").unwrap_or(&c.name);
            if !entries.iter().any(|e| e.1 == tag) {
                built.out_of_step.push((
                    c.id,
                    "it is not listed in meta/_journal.json, so drizzle-kit never runs it".to_string(),
                    "generate migrations with `drizzle-kit generate` instead of adding or renaming files by hand, \
                     or delete the file if it is a leftover"
                        .to_string(),
                ));
            }
        }
    }
    built
}
