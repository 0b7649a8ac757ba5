//! sqlx: reversible `<version>_<name>.up.sql` / `.down.sql` pairs, or simple
//! `<version>_<name>.sql` files with no down. sqlx runs each migration in a
//! transaction unless the file starts with `-- no-transaction`.

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version, golang_migrate};

/// `(version, name)` of a simple migration file name.
pub(super) fn simple_name(file: &str) -> Option<(&str, &str)> {
    if file.contains('/') {
        return None;
    }
    let stem = file.strip_suffix(".sql")?;
    if golang_migrate::parse_name(file).is_some() {
        return None;
    }
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &stem[digits..];
    Some((&stem[..digits], rest.strip_prefix('_').unwrap_or(rest)))
}

fn tx_of(file: Option<&SourceFile>) -> TxMode {
    let first = file
        .and_then(|f| f.text.trim_start_matches('\u{feff}').lines().next())
        .unwrap_or("");
    if first.trim() == "-- no-transaction" {
        TxMode::None
    } else {
        TxMode::Wrapped
    }
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let reversible = files
        .iter()
        .any(|c| golang_migrate::parse_name(&c.name).is_some());
    if reversible {
        return golang_migrate::build_with(files, |id| tx_of(sources.get(id)));
    }
    let migrations = files
        .iter()
        .filter_map(|c| {
            let (version, name) = simple_name(&c.name)?;
            Some(Migration::forward(
                Version::new(version),
                name.to_string(),
                c.id,
                tx_of(sources.get(c.id)),
            ))
        })
        .collect();
    Built {
        migrations,
        ..Built::default()
    }
}
