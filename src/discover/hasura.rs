//! hasura: `hasura/migrations/<database>/<ts>_<name>/{up.sql,down.sql}`,
//! with `hasura/config.yaml`: one root per database folder, one folder per
//! migration (as diesel). The transaction model is not documented: bellows
//! assumes one transaction per migration.

use std::path::Path;

use super::{Built, Candidate, diesel};

/// The hasura project above a migrations folder: `config.yaml` beside a
/// `migrations` folder that holds `dir`.
pub(super) fn is_migrations_dir(dir: &Path) -> bool {
    dir.ancestors()
        .skip(1)
        .take(3)
        .any(|d| d.join("config.yaml").is_file() && dir.starts_with(d.join("migrations")))
}

pub(super) fn build(dir: &Path, files: &[Candidate]) -> Built {
    diesel::build(dir, files, &std::collections::BTreeMap::new())
}
