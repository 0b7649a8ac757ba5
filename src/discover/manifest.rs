//! The metadata files and project manifests that name the tool running a
//! migration directory: the strongest signal of its layout, before what its
//! files look like (golang-migrate and sqlx share `<version>_<name>.up.sql`).

use std::path::Path;

use super::{Layout, Probes};

/// How far a signal is from the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strength {
    /// A tool's own file in or just beside the directory (`flyway.conf`,
    /// `dbconfig.yml`, `schema.prisma`): wins when any file fits the tool.
    Metadata,
    /// A project manifest's dependency (`Cargo.toml`, `go.mod`): wins when
    /// at least half of the files that look like some tool's fit this one.
    Manifest,
}

/// The signals above `dir`, strongest first: (layout, what says so, strength).
pub(super) fn signals(dir: &Path, probes: &mut Probes) -> Vec<(Layout, String, Strength)> {
    let mut out = Vec::new();
    // `.` given on the command line is normalised to an empty path.
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Some(abs) = probes.canonical(dir) else {
        return out;
    };
    // A tool's own files in the directory.
    if probes.is_file(abs.join("atlas.sum")) {
        out.push((Layout::Atlas, "atlas.sum".to_string(), Strength::Metadata));
    }
    if super::drizzle::has_journal(&abs, probes) {
        out.push((
            Layout::Drizzle,
            "meta/_journal.json".to_string(),
            Strength::Metadata,
        ));
    }
    if super::hasura::is_migrations_dir(&abs, probes) {
        out.push((
            Layout::Hasura,
            "config.yaml (hasura)".to_string(),
            Strength::Metadata,
        ));
    }
    if super::yoyo::has_config(&abs, probes) {
        out.push((Layout::Yoyo, "yoyo.ini".to_string(), Strength::Metadata));
    }
    if probes.is_file(abs.join(super::sqitch::PLAN)) {
        out.push((
            Layout::Sqitch,
            "sqitch.plan".to_string(),
            Strength::Metadata,
        ));
    }
    if probes.is_file(abs.join("tern.conf")) {
        out.push((Layout::Tern, "tern.conf".to_string(), Strength::Metadata));
    }
    if super::supabase::is_migrations_dir(&abs, probes) {
        out.push((
            Layout::Supabase,
            "supabase/config.toml".to_string(),
            Strength::Metadata,
        ));
    }
    // Tool config files: in the directory or up to the repository root,
    // four folders at most.
    for d in abs.ancestors().take(4) {
        for (file, layout) in [
            ("flyway.conf", Layout::Flyway),
            ("flyway.toml", Layout::Flyway),
            ("dbconfig.yml", Layout::SqlMigrate),
            ("schema.prisma", Layout::Prisma),
        ] {
            if probes.is_file(d.join(file)) {
                out.push((layout, file.to_string(), Strength::Metadata));
            }
        }
        if probes.exists(d.join(".git")) {
            break;
        }
    }
    for d in abs.ancestors() {
        if let Some(t) = probes.read(d.join("Cargo.toml")) {
            let table = t.parse::<toml::Table>().ok();
            for (krate, layout) in [
                ("sqlx", Layout::Sqlx),
                ("diesel", Layout::Diesel),
                ("refinery", Layout::Refinery),
            ] {
                if table.as_ref().is_some_and(|t| depends_on(t, krate)) {
                    out.push((layout, format!("Cargo.toml ({krate})"), Strength::Manifest));
                }
            }
            break;
        }
        if let Some(t) = probes.read(d.join("go.mod")) {
            for (module, layout) in [
                ("github.com/golang-migrate/migrate", Layout::GolangMigrate),
                ("github.com/pressly/goose", Layout::Goose),
                ("github.com/rubenv/sql-migrate", Layout::SqlMigrate),
                ("github.com/gobuffalo/pop", Layout::OryPop),
                ("github.com/ory/pop", Layout::OryPop),
            ] {
                let required = t
                    .lines()
                    .any(|l| l.split_whitespace().any(|w| w.starts_with(module)));
                if required {
                    out.push((
                        layout,
                        format!("go.mod ({})", layout.id()),
                        Strength::Manifest,
                    ));
                }
            }
            break;
        }
    }
    out
}

/// Whether a Cargo manifest depends on a crate (also through the workspace).
fn depends_on(t: &toml::Table, krate: &str) -> bool {
    ["dependencies", "dev-dependencies", "workspace"]
        .iter()
        .any(|k| {
            t.get(*k).and_then(toml::Value::as_table).is_some_and(|d| {
                d.contains_key(krate)
                    || d.get("dependencies")
                        .and_then(toml::Value::as_table)
                        .is_some_and(|w| w.contains_key(krate))
            })
        })
}
