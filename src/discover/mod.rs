//! Finding migration roots, detecting their layout, and ordering migrations.
//!
//! Every layout reduces a directory to the same thing: an ordered list of
//! [`Migration`]s, each knowing its version, name, up source, down source
//! (a whole file or a section of one) and whether its runner wraps it in a
//! transaction.

mod golang_migrate;
mod plain;
pub mod version;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::parse::ByteSpan;
pub use version::Version;

/// Index of a file in [`Workspace::files`].
pub type FileId = usize;

/// The migration tools whose layouts bellows reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    GolangMigrate,
    Sqlx,
    Diesel,
    Flyway,
    Dbmate,
    Goose,
    SqlMigrate,
    Prisma,
    Plain,
}

impl Layout {
    pub fn id(self) -> &'static str {
        match self {
            Layout::GolangMigrate => "golang-migrate",
            Layout::Sqlx => "sqlx",
            Layout::Diesel => "diesel",
            Layout::Flyway => "flyway",
            Layout::Dbmate => "dbmate",
            Layout::Goose => "goose",
            Layout::SqlMigrate => "sql-migrate",
            Layout::Prisma => "prisma",
            Layout::Plain => "plain",
        }
    }

    /// Whether the tool keeps a down migration beside each up.
    pub fn has_down(self) -> bool {
        !matches!(self, Layout::Prisma | Layout::Plain | Layout::Flyway)
    }

    /// How a statement that must run outside a transaction is taken out of
    /// the tool's wrapper, in the tool's own words.
    pub fn no_transaction_hint(self) -> Option<&'static str> {
        match self {
            Layout::Goose => Some("put `-- +goose NO TRANSACTION` at the top of the file"),
            Layout::Dbmate => Some("write `-- migrate:up transaction:false`"),
            Layout::Sqlx => Some("start the file with `-- no-transaction`"),
            Layout::Diesel => {
                Some("add `run_in_transaction = false` to the migration's metadata.toml")
            }
            Layout::SqlMigrate => Some("write `-- +migrate Up notransaction`"),
            Layout::GolangMigrate => Some("keep the statement alone in its own migration file"),
            Layout::Flyway => {
                Some("set `executeInTransaction=false` in the migration's .sql.conf file")
            }
            Layout::Prisma | Layout::Plain => None,
        }
    }
}

/// Whether the runner wraps a migration in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TxMode {
    /// No wrapper: each statement commits alone.
    None,
    /// The tool runs the migration in one transaction.
    Wrapped,
    /// The file is sent as one query string: PostgreSQL runs a multi-statement
    /// query as one implicit transaction, a single statement alone.
    ImplicitMulti,
}

/// A migration's up or down: a whole file or a section of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub file: FileId,
    /// `None` = the whole file.
    pub section: Option<ByteSpan>,
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub version: Version,
    pub name: String,
    pub up: Option<Part>,
    pub down: Option<Part>,
    pub tx: TxMode,
}

/// A directory of migrations with one history.
#[derive(Debug, Clone)]
pub struct Root {
    pub path: PathBuf,
    /// The path as the user would type it.
    pub display: String,
    pub layout: Layout,
    pub dialect: crate::Dialect,
    pub migrations: Vec<Migration>,
    /// Down files with no up of the same version.
    pub orphan_downs: Vec<FileId>,
}

/// A file read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as the user would type it (relative to the working directory).
    pub display: String,
    pub text: String,
}

/// A problem with the input (exit code 2): the message names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub message: String,
}

/// Everything discovered under the given paths.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub roots: Vec<Root>,
    pub errors: Vec<InputError>,
    /// Files named explicitly on the command line: when set, only these are reported.
    pub only: Vec<PathBuf>,
}

/// What discovery needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    pub dialect: crate::Dialect,
    /// Forced layout (`None` = detect).
    pub layout: Option<Layout>,
    /// The working directory, for display paths.
    pub cwd: PathBuf,
}

/// A candidate file: a `.sql` file under a root directory.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    /// The file name.
    pub name: String,
}

/// Walks the paths, reads every migration file, groups them into roots.
pub fn discover(paths: &[PathBuf], opts: &Options) -> Discovered {
    let mut out = Discovered::default();
    // Directory → candidate files directly in it.
    let mut dirs: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(InputError {
                    message: format!("{}: {}", display_path(path, &opts.cwd), io_reason(&e)),
                });
                continue;
            }
        };
        if meta.is_file() {
            let parent = path.parent().map_or_else(
                || PathBuf::from("."),
                |p| {
                    if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    }
                },
            );
            if !is_sql(path, opts.dialect) {
                out.errors.push(InputError {
                    message: format!(
                        "{}: not a migration file (expected a .sql file)",
                        display_path(path, &opts.cwd)
                    ),
                });
                continue;
            }
            out.only.push(normalize(path));
            collect_dir(&parent, false, opts.dialect, &mut dirs);
            continue;
        }
        let before: usize = dirs.values().map(Vec::len).sum();
        collect_dir(path, true, opts.dialect, &mut dirs);
        let after: usize = dirs.values().map(Vec::len).sum();
        if after == before && !dirs.keys().any(|d| d.starts_with(path)) {
            out.errors.push(InputError {
                message: format!(
                    "{}: no migration file (*.sql) found under this path",
                    display_path(path, &opts.cwd)
                ),
            });
        }
    }
    for (dir, mut cands) in dirs {
        cands.sort_by(|a, b| a.name.cmp(&b.name));
        cands.dedup_by(|a, b| a.path == b.path);
        let layout = opts.layout.unwrap_or_else(|| detect(&cands));
        let mut ids = Vec::new();
        for c in &cands {
            match read_source(&c.path, &opts.cwd) {
                Ok(f) => {
                    ids.push(Some(out.files.len()));
                    out.files.push(f);
                }
                Err(e) => {
                    ids.push(None);
                    out.errors.push(e);
                }
            }
        }
        let readable: Vec<(FileId, &Candidate)> = ids
            .iter()
            .zip(&cands)
            .filter_map(|(id, c)| id.map(|id| (id, c)))
            .collect();
        let (migrations, orphan_downs) = match layout {
            Layout::GolangMigrate => golang_migrate::build(&readable),
            _ => plain::build(&readable),
        };
        out.roots.push(Root {
            display: display_path(&dir, &opts.cwd),
            path: dir,
            layout,
            dialect: opts.dialect,
            migrations,
            orphan_downs,
        });
    }
    out
}

fn detect(cands: &[Candidate]) -> Layout {
    let gm = cands
        .iter()
        .filter(|c| golang_migrate::parse_name(&c.name).is_some())
        .count();
    if gm > 0 && gm * 2 >= cands.len() {
        Layout::GolangMigrate
    } else {
        Layout::Plain
    }
}

/// A migration file: `*.sql`, or `*.sql.<dialect>` (one dialect's variant
/// of a file, as Synapse keeps them) when that dialect is the one linted.
fn is_sql(path: &Path, dialect: crate::Dialect) -> bool {
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    if Path::new(&name).extension().is_some_and(|e| e == "sql") {
        return true;
    }
    match name.rsplit_once(".sql.") {
        Some((_, suffix)) => dialect_suffix(suffix) == Some(dialect),
        None => false,
    }
}

/// The dialect a folder or suffix name stands for.
pub fn dialect_suffix(s: &str) -> Option<crate::Dialect> {
    match s {
        "postgres" | "postgresql" | "pg" | "psql" => Some(crate::Dialect::Postgres),
        "mysql" | "mariadb" => Some(crate::Dialect::Mysql),
        "sqlite" | "sqlite3" => Some(crate::Dialect::Sqlite),
        _ => None,
    }
}

/// Directories never searched for migrations.
fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 || matches!(name, "node_modules" | "target" | "vendor")
}

fn collect_dir(
    dir: &Path,
    recursive: bool,
    dialect: crate::Dialect,
    dirs: &mut BTreeMap<PathBuf, Vec<Candidate>>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(if recursive { usize::MAX } else { 1 })
        .sort_by_file_name();
    let walker = walker.into_iter().filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skipped_dir(&e.file_name().to_string_lossy()))
    });
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || !is_sql(entry.path(), dialect) {
            continue;
        }
        let path = normalize(entry.path());
        let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
        dirs.entry(parent).or_default().push(Candidate {
            name: entry.file_name().to_string_lossy().into_owned(),
            path,
        });
    }
}

/// Removes `./` components so the same file compares equal however named.
fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn read_source(path: &Path, cwd: &Path) -> Result<SourceFile, InputError> {
    let display = display_path(path, cwd);
    let bytes = std::fs::read(path).map_err(|e| InputError {
        message: format!("{display}: {}", io_reason(&e)),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| InputError {
        message: format!(
            "{display}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(SourceFile {
        path: path.to_path_buf(),
        display,
        text,
    })
}

/// The path as the user would type it: relative to `cwd` when under it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let p = normalize(path);
    let rel = if p.is_absolute() {
        p.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(p)
    } else {
        p
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}
