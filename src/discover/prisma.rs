//! prisma: `<timestamp>_<name>/migration.sql`, no down, each migration in a
//! transaction; `migration_lock.toml`'s provider names the database.

use std::path::Path;

use super::{Built, Candidate, Migration, TxMode, Version};
use crate::model::Dialect;

/// The dialect of `migration_lock.toml`'s `provider`.
pub(super) fn provider(dir: &Path) -> Option<Dialect> {
    let text = std::fs::read_to_string(dir.join("migration_lock.toml")).ok()?;
    let table = text.parse::<toml::Table>().ok()?;
    match table.get("provider")?.as_str()? {
        "postgresql" | "postgres" | "cockroachdb" => Some(Dialect::Postgres),
        "mysql" => Some(Dialect::Mysql),
        "sqlite" => Some(Dialect::Sqlite),
        _ => None,
    }
}

pub(super) fn build(files: &[Candidate]) -> Built {
    let migrations = files
        .iter()
        .filter_map(|c| {
            let folder = c.name.strip_suffix("/migration.sql")?;
            let (version, name) = folder.split_once('_').unwrap_or((folder, ""));
            Some(Migration::forward(
                Version::new(version),
                name.to_string(),
                c.id,
                TxMode::Wrapped,
            ))
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
