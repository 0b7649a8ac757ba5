//! supabase: `supabase/migrations/<14-digit UTC>_<name>.sql`, forward only.
//! The CLI sends each file as one batch together with its history insert:
//! one implicit transaction per file, with no opt-out.

use std::path::Path;

use super::{Built, Candidate, Migration, Probes, TxMode, Version};

/// Whether `dir` (a canonical path) is a supabase project's
/// `supabase/migrations` folder.
pub(super) fn is_migrations_dir(dir: &Path, probes: &mut Probes) -> bool {
    dir.file_name().is_some_and(|n| n == "migrations")
        && dir.parent().is_some_and(|p| {
            p.file_name().is_some_and(|n| n == "supabase") && probes.is_file(p.join("config.toml"))
        })
}

pub(super) fn build(files: &[Candidate]) -> Built {
    let migrations = files
        .iter()
        .filter(|c| !c.name.contains('/'))
        .filter_map(|c| {
            let stem = c.name.strip_suffix(".sql")?;
            let (version, name) = stem.split_once('_').unwrap_or((stem, ""));
            version.bytes().all(|b| b.is_ascii_digit()).then(|| {
                Migration::forward(
                    Version::new(version),
                    name.to_string(),
                    c.id,
                    TxMode::Wrapped,
                )
            })
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
