//! `bellows.toml`: found upward from the working directory (or given with
//! `--config`), parsed strictly: an unknown key or rule id is an error that
//! names it and its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::discover::{Layout, LayoutChoice};
use crate::model::{Dialect, StatsFile, TableSizes};

/// The file name looked for.
pub const FILE_NAME: &str = "bellows.toml";

pub use crate::model::Level;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    paths: Vec<String>,
    dialect: Option<Dialect>,
    postgres_version: Option<u32>,
    mysql_version: Option<toml::Spanned<toml::Value>>,
    sqlite_version: Option<toml::Value>,
    layout: Option<LayoutChoice>,
    start_after: Option<toml::Value>,
    #[serde(default)]
    exclude: Vec<String>,
    lock_timeout_set_by_runner: Option<bool>,
    #[serde(default)]
    small_tables: Vec<String>,
    stats: Option<String>,
    small_table_rows: Option<u64>,
    require_ignore_reason: Option<bool>,
    baseline: Option<String>,
    #[serde(default)]
    rules: BTreeMap<toml::Spanned<String>, Level>,
}

/// A loaded configuration; paths are resolved against the file's folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from.
    pub file: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub dialect: Option<Dialect>,
    pub postgres_version: Option<u32>,
    pub mysql_version: Option<crate::mysql_version::Server>,
    pub sqlite_version: Option<crate::sqlite_version::SqliteVersion>,
    pub layout: Option<Layout>,
    pub start_after: Option<String>,
    pub exclude: Vec<String>,
    /// The folder `exclude` globs are relative to.
    pub base: PathBuf,
    pub lock_timeout_set_by_runner: bool,
    /// `small-tables`: tables known to be small.
    pub small_tables: Vec<String>,
    /// `stats`: the table sizes `bellows stats` wrote (resolved against the
    /// configuration's folder).
    pub stats: Option<PathBuf>,
    /// `small-table-rows`: with stats, tables below this are small.
    pub small_table_rows: Option<u64>,
    pub require_ignore_reason: bool,
    pub baseline: Option<PathBuf>,
    pub rules: BTreeMap<String, Level>,
}

/// A configuration problem: one line naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

/// `bellows.toml` in `dir` or the nearest folder above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |s| s.matches('\n').count() + 1)
}

/// Loads and checks a configuration file.
pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{display}: cannot read the configuration: {e}")))?;
    parse(&text, path, display)
}

/// Parses configuration text (`path` resolves relative paths).
pub fn parse(text: &str, path: &Path, display: &str) -> Result<Config, ConfigError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        ConfigError(format!(
            "{display}:{line}: {}",
            e.message().trim().replace('\n', " ")
        ))
    })?;
    let base = path.parent().map_or_else(
        || PathBuf::from("."),
        |p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        },
    );
    let mut rules = BTreeMap::new();
    for (id, level) in raw.rules {
        if crate::rules::find(id.get_ref()).is_none() {
            let line = line_of(text, id.span().start);
            return Err(ConfigError(format!(
                "{display}:{line}: unknown rule id `{}` in [rules] (`bellows rules` lists them)",
                id.get_ref()
            )));
        }
        rules.insert(id.into_inner(), level);
    }
    let start_after = match raw.start_after {
        None => None,
        Some(toml::Value::String(s)) => Some(s),
        Some(toml::Value::Integer(i)) => Some(i.to_string()),
        Some(other) => {
            return Err(ConfigError(format!(
                "{display}: start-after must be a version string, not {}",
                other.type_str()
            )));
        }
    };
    let mysql_version = match raw.mysql_version {
        None => None,
        Some(v) => {
            let line = line_of(text, v.span().start);
            let written = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Float(f) => format!("{f:.1}"),
                other => other.to_string(),
            };
            Some(
                crate::mysql_version::Server::parse(&written)
                    .map_err(|e| ConfigError(format!("{display}:{line}: mysql-version: {e}")))?,
            )
        }
    };
    let sqlite_version = match &raw.sqlite_version {
        None => None,
        Some(v) => {
            // `3.45` unquoted is a TOML float; `3.40` would read as 3.4.
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Float(f) => format!("{f:.2}"),
                other => other.to_string(),
            };
            Some(
                crate::sqlite_version::SqliteVersion::parse(&text)
                    .map_err(|e| ConfigError(format!("{display}: sqlite-version: {e}")))?,
            )
        }
    };
    for g in &raw.exclude {
        globset::Glob::new(g)
            .map_err(|e| ConfigError(format!("{display}: bad exclude glob `{g}`: {e}")))?;
    }
    Ok(Config {
        file: Some(path.to_path_buf()),
        paths: raw.paths.iter().map(|p| base.join(p)).collect(),
        dialect: raw.dialect,
        postgres_version: raw.postgres_version,
        mysql_version,
        sqlite_version,
        layout: raw.layout.and_then(LayoutChoice::layout),
        start_after,
        exclude: raw.exclude,
        lock_timeout_set_by_runner: raw.lock_timeout_set_by_runner.unwrap_or(false),
        small_tables: raw.small_tables,
        stats: raw.stats.map(|f| base.join(f)),
        small_table_rows: raw.small_table_rows,
        require_ignore_reason: raw.require_ignore_reason.unwrap_or(false),
        baseline: raw.baseline.map(|b| base.join(b)),
        rules,
        base,
    })
}

/// Reads a table-sizes file written by `bellows stats`; `display` names it
/// in the error (a missing or malformed file: exit 2).
pub fn load_stats(path: &Path, display: &str, small_rows: u64) -> Result<TableSizes, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{display}: cannot read the table sizes: {e}")))?;
    let stats: StatsFile = serde_json::from_str(&text).map_err(|e| {
        ConfigError(format!(
            "{display}: not a table-sizes file written by `bellows stats`: {e}"
        ))
    })?;
    if stats.version != 1 {
        return Err(ConfigError(format!(
            "{display}: table-sizes format version {} is not known to this bellows (it reads 1)",
            stats.version
        )));
    }
    Ok(TableSizes {
        file: display.to_string(),
        stats,
        small_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new("bellows.toml"), "bellows.toml")
            .err()
            .map(|e| e.0)
            .unwrap_or_default()
    }

    #[test]
    fn every_key_of_the_contract_parses() {
        let c = parse(
            r#"
paths = ["db/migrations"]
dialect = "postgres"
postgres-version = 16
layout = "auto"
start-after = "20230101000000"
exclude = ["**/seeds/**"]
lock-timeout-set-by-runner = false
small-tables = ["feature_flags"]
stats = "bellows-stats.json"
small-table-rows = 5000
require-ignore-reason = true
baseline = "bellows-baseline.json"

[rules]
drop-index-blocking = "error"
backfill-in-migration = "off"
"#,
            Path::new("proj/bellows.toml"),
            "proj/bellows.toml",
        )
        .expect("valid");
        assert_eq!(c.paths, [PathBuf::from("proj/db/migrations")]);
        assert_eq!(c.postgres_version, Some(16));
        assert_eq!(c.start_after.as_deref(), Some("20230101000000"));
        assert!(c.require_ignore_reason);
        assert_eq!(c.small_tables, ["feature_flags"]);
        assert_eq!(c.stats, Some(PathBuf::from("proj/bellows-stats.json")));
        assert_eq!(c.small_table_rows, Some(5000));
        assert_eq!(c.rules.get("backfill-in-migration"), Some(&Level::Off));
        assert_eq!(
            c.baseline,
            Some(PathBuf::from("proj/bellows-baseline.json"))
        );
    }

    #[test]
    fn sqlite_version_is_a_string_or_a_number_in_range() {
        let v = |text: &str| {
            parse(text, Path::new("bellows.toml"), "bellows.toml").map(|c| c.sqlite_version)
        };
        let ok = |m| Ok(Some(crate::sqlite_version::SqliteVersion::new(m)));
        assert_eq!(v("sqlite-version = \"3.35\""), ok(35));
        assert_eq!(v("sqlite-version = 3.40"), ok(40));
        assert_eq!(v("sqlite-version = 3.45"), ok(45));
        assert_eq!(
            err("sqlite-version = \"3.20\""),
            "bellows.toml: sqlite-version: bad SQLite version `3.20`: give 3.25 … 3.47 (e.g. 3.45)"
        );
    }

    #[test]
    fn unknown_keys_and_rules_name_the_line() {
        assert!(
            err("dialect = \"postgres\"\npath = [\"x\"]\n")
                .starts_with("bellows.toml:2: unknown field `path`")
        );
        assert_eq!(
            err("[rules]\n\ndrop-colum = \"off\"\n"),
            "bellows.toml:3: unknown rule id `drop-colum` in [rules] (`bellows rules` lists them)"
        );
        assert!(
            err("[rules]\ndrop-column = \"loud\"\n")
                .starts_with("bellows.toml:2: unknown variant `loud`")
        );
        assert!(err("dialect = \"oracle\"\n").starts_with("bellows.toml:1:"));
        assert!(
            err("\nmysql-version = \"10.11\"\n").starts_with("bellows.toml:2: mysql-version: bad")
        );
    }

    #[test]
    fn mysql_version_is_a_server() {
        let c = parse(
            "mysql-version = \"mariadb-10.11\"\n",
            Path::new("bellows.toml"),
            "bellows.toml",
        )
        .expect("valid");
        assert_eq!(
            c.mysql_version,
            Some(crate::mysql_version::Server::mariadb(10, 11))
        );
        let c = parse(
            "mysql-version = 8.0\n",
            Path::new("bellows.toml"),
            "bellows.toml",
        )
        .expect("valid");
        assert_eq!(
            c.mysql_version,
            Some(crate::mysql_version::Server::mysql(8, 0, None))
        );
    }
}
