//! The project manifest nearest above a migration directory says which
//! tool runs it when file names alone cannot (golang-migrate and sqlx share
//! `<version>_<name>.up.sql`).

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tool {
    Sqlx,
    GolangMigrate,
    Other,
}

/// The tool named by the nearest `Cargo.toml` or `go.mod` above `dir`.
pub(super) fn nearest(dir: &Path) -> Option<Tool> {
    let abs = std::fs::canonicalize(dir).ok()?;
    for d in abs.ancestors() {
        if let Ok(t) = std::fs::read_to_string(d.join("Cargo.toml")) {
            let deps_sqlx = t.parse::<toml::Table>().ok().is_some_and(|t| {
                ["dependencies", "dev-dependencies", "workspace"]
                    .iter()
                    .any(|k| {
                        t.get(*k).and_then(toml::Value::as_table).is_some_and(|d| {
                            d.contains_key("sqlx")
                                || d.get("dependencies")
                                    .and_then(toml::Value::as_table)
                                    .is_some_and(|w| w.contains_key("sqlx"))
                        })
                    })
            });
            return Some(if deps_sqlx { Tool::Sqlx } else { Tool::Other });
        }
        if let Ok(t) = std::fs::read_to_string(d.join("go.mod")) {
            let gm = t.lines().any(|l| {
                l.split_whitespace()
                    .any(|w| w.starts_with("github.com/golang-migrate/migrate"))
            });
            return Some(if gm { Tool::GolangMigrate } else { Tool::Other });
        }
    }
    None
}
