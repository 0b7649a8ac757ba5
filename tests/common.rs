//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bellows::mysql_version::Server;
use bellows::{Dialect, Outcome, Settings};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The dialect a fixture case folder stands for.
pub fn case_dialect(name: &str) -> Dialect {
    if name.contains("mysql") || name.contains("mariadb") {
        Dialect::Mysql
    } else if name.contains("sqlite") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    }
}

/// The MySQL server a fixture case folder targets: `…-mariadb-…` is
/// MariaDB 10.11 (the server the oracle runs on), `…-mariadb-11.4-…` or
/// `…-mysql-8.0.28-…` name a version; otherwise the default, MySQL 8.4.
pub fn case_server(name: &str) -> Server {
    for (marker, flavour) in [("mariadb-", "mariadb-"), ("mysql-", "")] {
        if let Some(i) = name.find(marker) {
            let version: String = name[i + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if let Ok(s) = Server::parse(&format!("{flavour}{}", version.trim_end_matches('.'))) {
                return s;
            }
        }
    }
    if name.contains("mariadb") {
        Server::mariadb(10, 11)
    } else {
        Server::default()
    }
}

/// The SQLite target of a case: `…-sqlite-3.34…` in its name, else the default.
pub fn case_sqlite_version(dir: &Path) -> bellows::sqlite_version::SqliteVersion {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    name.split_once("sqlite-3.")
        .and_then(|(_, rest)| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            bellows::sqlite_version::SqliteVersion::parse(&format!("3.{digits}")).ok()
        })
        .unwrap_or_default()
}

/// The PostgreSQL target of a case: `postgres-version` in its `bellows.toml`
/// (as `bellows check` reads it from the root), else the default (15).
pub fn case_postgres_version(dir: &Path) -> u32 {
    let config = dir.join("bellows.toml");
    config
        .exists()
        .then(|| bellows::config::load(&config, "bellows.toml").unwrap())
        .and_then(|c| c.postgres_version)
        .unwrap_or(Settings::default().postgres_version)
}

/// The server URL for a PostgreSQL target: `BELLOWS_TEST_POSTGRES18_URL`
/// for 18 (its syntax is a syntax error before), else
/// `BELLOWS_TEST_POSTGRES_URL` (PostgreSQL 15); `Err(variable)` when unset.
pub fn postgres_url(version: u32) -> Result<String, &'static str> {
    let var = if version >= 18 {
        "BELLOWS_TEST_POSTGRES18_URL"
    } else {
        "BELLOWS_TEST_POSTGRES_URL"
    };
    std::env::var(var).ok().filter(|u| !u.is_empty()).ok_or(var)
}

/// Lints a directory with paths shown relative to it. A `BASE` file in
/// the directory lists the files that exist on the base ref, as `--since`
/// would learn from git: every other file counts as changed.
pub fn lint_dir(dir: &Path, dialect: Dialect) -> Outcome {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let settings = Settings {
        dialect: Some(dialect),
        mysql_version: case_server(&name),
        cwd: dir.to_path_buf(),
        since: since_from_base(dir),
        sqlite_version: case_sqlite_version(dir),
        postgres_version: case_postgres_version(dir),
        ..Settings::default()
    };
    bellows::check(&[dir.to_path_buf()], &settings)
}

/// `--since` as a `BASE` file in `dir` describes it: one file of the base
/// ref a line, followed by `edited` when the branch changed it.
pub fn since_from_base(dir: &Path) -> Option<bellows::since::Since> {
    std::fs::read_to_string(dir.join("BASE")).ok().map(|text| {
        let lines: Vec<(PathBuf, bool)> = text
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let path = words.next()?;
                Some((dir.join(path), words.next() == Some("edited")))
            })
            .collect();
        let base: BTreeSet<PathBuf> = lines.iter().map(|(p, _)| p.clone()).collect();
        let edited: BTreeSet<&PathBuf> = lines.iter().filter(|l| l.1).map(|(p, _)| p).collect();
        let changed = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .map(|e| e.path().to_path_buf())
            .filter(|p| p.is_file() && (!base.contains(p) || edited.contains(p)))
            .collect();
        bellows::since::Since { changed, base }
    })
}

/// `(path, line, rule)` of every warning and error (info notes are not
/// violations); line `None` for file-level ones.
pub fn found(outcome: &Outcome) -> BTreeSet<(String, Option<usize>, String)> {
    bellows::report::locate(outcome)
        .into_iter()
        .filter(|l| l.finding.severity != bellows::Severity::Info)
        .map(|l| {
            (
                l.path.to_string(),
                l.start.map(|p| p.line),
                l.finding.rule.to_string(),
            )
        })
        .collect()
}

/// Sorted sub-directories of a directory.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

pub type Expect = BTreeSet<(String, Option<usize>, String)>;

/// Marks written in the case: trailing `-- expect: a, b` comments and the `EXPECTED` file.
pub fn expectations(case: &Path) -> Expect {
    let mut out = Expect::new();
    for entry in walkdir::WalkDir::new(case).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let rel = path
            .strip_prefix(case)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if rel == "BASE" {
            continue;
        }
        if rel == "EXPECTED" {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let mut parts = line.split_whitespace();
                let (Some(file), Some(rule)) = (parts.next(), parts.next()) else {
                    panic!("{}: bad EXPECTED line `{line}`", case.display());
                };
                out.insert((file.to_string(), None, rule.to_string()));
            }
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            if let Some((_, marks)) = line.split_once("-- expect:") {
                for rule in marks.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                    out.insert((rel.clone(), Some(i + 1), rule.to_string()));
                }
            }
        }
    }
    out
}
