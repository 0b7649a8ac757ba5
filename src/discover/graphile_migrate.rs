//! graphile-migrate: `migrations/committed/000001.sql …` (with
//! `--! Previous:` / `--! Hash:` headers), and `migrations/current.sql`,
//! the work in progress, linted as the next migration. No down. One
//! transaction per file unless its header says `--! no-transaction`.

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version, marker_line};

/// The number of a committed migration (`committed/000001.sql`,
/// `committed/000002-add-users.sql`).
pub(super) fn committed_number(name: &str) -> Option<&str> {
    let file = name.strip_prefix("committed/")?.strip_suffix(".sql")?;
    let digits = file.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| &file[..digits])
}

fn tx_of(src: Option<&SourceFile>) -> TxMode {
    let off = src.is_some_and(|s| {
        marker_line(&s.text, |l| {
            l.trim().eq_ignore_ascii_case("--! no-transaction")
        })
        .is_some()
    });
    if off { TxMode::None } else { TxMode::Wrapped }
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let mut built = Built::default();
    let mut last = 0u64;
    for c in files {
        let Some(n) = committed_number(&c.name) else {
            continue;
        };
        last = last.max(n.parse().unwrap_or(0));
        built.migrations.push(Migration::forward(
            Version::new(n),
            String::new(),
            c.id,
            tx_of(sources.get(c.id)),
        ));
    }
    if let Some(c) = files.iter().find(|c| c.name == "current.sql") {
        built.migrations.push(Migration::forward(
            Version::new(&format!("{:06}", last + 1)),
            "current".to_string(),
            c.id,
            tx_of(sources.get(c.id)),
        ));
    }
    built
}
