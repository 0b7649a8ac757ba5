//! hasura: `hasura/migrations/<database>/<ts>_<name>/{up.sql,down.sql}`,
//! with `hasura/config.yaml`: one root per database folder, one folder per
//! migration (as diesel). The transaction model is not documented: bellows
//! assumes one transaction per migration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Built, Candidate, Probes, diesel};

/// The hasura project above a migrations folder: `config.yaml` beside a
/// `migrations` folder that holds `dir`.
pub(super) fn is_migrations_dir(dir: &Path, probes: &mut Probes) -> bool {
    dir.ancestors()
        .skip(1)
        .take(3)
        .any(|d| probes.is_file(d.join("config.yaml")) && dir.starts_with(d.join("migrations")))
}

pub(super) fn build(dir: &Path, files: &[Candidate], beside: &BTreeSet<PathBuf>) -> Built {
    diesel::build(dir, files, &BTreeMap::new(), beside)
}
