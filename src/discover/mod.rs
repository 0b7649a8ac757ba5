//! Finding migration roots, detecting their layout, and ordering migrations.
//!
//! Every layout reduces a directory to the same thing: an ordered list of
//! [`Migration`]s, each knowing its version, name, up source, down source
//! (a whole file or a section of one) and whether its runner wraps it in a
//! transaction.
//!
//! In: the paths given and the settings (dialect, layout, excludes). Out:
//! [`Discovered`]: every source file read, the roots with their layout and
//! migrations, and the input errors (one line each).

mod atlas;
mod diesel;
mod drizzle;
mod flyway;
mod golang_migrate;
mod graphile_migrate;
mod hasura;
mod liquibase;
mod manifest;
mod node_pg_migrate;
mod ory_pop;
mod plain;
mod prisma;
mod refinery;
mod sections;
mod sqitch;
mod sqlx;
mod supabase;
mod tern;
pub mod version;
pub mod write;
mod yoyo;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{Annotations, ByteSpan};
pub use version::Version;

pub use crate::model::FileId;

pub use crate::model::Layout;

/// A layout as chosen by `--layout` or `layout =`: one of them, or detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutChoice {
    Auto,
    GolangMigrate,
    Sqlx,
    Diesel,
    Flyway,
    Dbmate,
    Goose,
    SqlMigrate,
    Prisma,
    Plain,
    Supabase,
    Drizzle,
    Atlas,
    NodePgMigrate,
    Tern,
    Refinery,
    Yoyo,
    Hasura,
    OryPop,
    Sqitch,
    GraphileMigrate,
    Liquibase,
}

impl LayoutChoice {
    /// The forced layout, or `None` to detect it.
    pub fn layout(self) -> Option<Layout> {
        Some(match self {
            LayoutChoice::Auto => return None,
            LayoutChoice::GolangMigrate => Layout::GolangMigrate,
            LayoutChoice::Sqlx => Layout::Sqlx,
            LayoutChoice::Diesel => Layout::Diesel,
            LayoutChoice::Flyway => Layout::Flyway,
            LayoutChoice::Dbmate => Layout::Dbmate,
            LayoutChoice::Goose => Layout::Goose,
            LayoutChoice::SqlMigrate => Layout::SqlMigrate,
            LayoutChoice::Prisma => Layout::Prisma,
            LayoutChoice::Plain => Layout::Plain,
            LayoutChoice::Supabase => Layout::Supabase,
            LayoutChoice::Drizzle => Layout::Drizzle,
            LayoutChoice::Atlas => Layout::Atlas,
            LayoutChoice::NodePgMigrate => Layout::NodePgMigrate,
            LayoutChoice::Tern => Layout::Tern,
            LayoutChoice::Refinery => Layout::Refinery,
            LayoutChoice::Yoyo => Layout::Yoyo,
            LayoutChoice::Hasura => Layout::Hasura,
            LayoutChoice::OryPop => Layout::OryPop,
            LayoutChoice::Sqitch => Layout::Sqitch,
            LayoutChoice::GraphileMigrate => Layout::GraphileMigrate,
            LayoutChoice::Liquibase => Layout::Liquibase,
        })
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

impl Part {
    /// Whether a span of its file lies in this part.
    pub fn holds(&self, span: ByteSpan) -> bool {
        self.section
            .is_none_or(|s| span.start >= s.start && span.end <= s.end)
    }
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub version: Version,
    pub name: String,
    pub up: Option<Part>,
    pub down: Option<Part>,
    pub tx: TxMode,
    /// The project keeps a down for this migration (not sqlx simple
    /// migrations, flyway without undo files, repeatables, prisma, plain).
    pub expects_down: bool,
}

impl Migration {
    /// A forward-only migration: the whole file `file` is its up, and the
    /// project keeps no down for it.
    pub fn forward(version: Version, name: String, file: FileId, tx: TxMode) -> Migration {
        Migration {
            version,
            name,
            up: Some(Part {
                file,
                section: None,
            }),
            down: None,
            tx,
            expects_down: false,
        }
    }
}

/// A directory of migrations with one history.
#[derive(Debug, Clone)]
pub struct Root {
    pub path: PathBuf,
    /// The path as the user would type it.
    pub display: String,
    pub layout: Layout,
    /// Why this layout: the metadata file or manifest that names it
    /// (`atlas.sum`, `Cargo.toml (sqlx)`), `majority of 412 files`,
    /// `--layout` or `config`.
    pub detected_by: String,
    pub dialect: crate::model::Dialect,
    pub migrations: Vec<Migration>,
    /// Down files with no up of the same version.
    pub orphan_downs: Vec<FileId>,
    /// Files of the root bellows does not read (goose Go migrations).
    pub skipped: Vec<String>,
    /// Files the tool's own metadata disagrees with (a drizzle file its
    /// journal does not list): the file, what the tool does about it, how
    /// to bring them back in step.
    pub out_of_step: Vec<(FileId, String, String)>,
}

/// A file read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as the user would type it (relative to the working directory).
    pub display: String,
    pub text: String,
    /// The dialect the file is parsed with.
    pub dialect: crate::model::Dialect,
    /// How the layout's annotations split it into statements.
    pub annotations: Annotations,
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
    /// The dialect given by flag or config; `None` = from the tree, else PostgreSQL.
    pub dialect: Option<crate::model::Dialect>,
    /// Forced layout (`None` = detect).
    pub layout: Option<Layout>,
    /// Where the forced layout comes from: `--layout` or `config`.
    pub layout_by: &'static str,
    /// The working directory, for display paths.
    pub cwd: PathBuf,
    /// Files matching these globs, relative to the folder given, are skipped.
    pub exclude: Option<(globset::GlobSet, PathBuf)>,
    /// The path `-` is standard input, linted as if it were this file.
    pub stdin: Option<(PathBuf, String)>,
    /// Files read from here instead of the disk, and new files of a root
    /// that exist only here (a fix re-checked in memory).
    pub overlay: BTreeMap<PathBuf, String>,
}

/// A migration file of a root, read.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub id: FileId,
    pub path: PathBuf,
    /// The path relative to the root (`V1__init.sql`, `2020_x/up.sql`, `54/01_x.sql`).
    pub name: String,
    /// The dialect named by the file's suffix (`.postgres.up.sql`, `.sql.sqlite`).
    pub dialect: Option<crate::model::Dialect>,
}

/// Walks the paths, reads every migration file, groups them into roots.
pub fn discover(paths: &[PathBuf], opts: &Options) -> Discovered {
    let mut out = Discovered::default();
    // Root directory → files under it (path, name relative to the root).
    let mut dirs: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
    // The other files the walk met: the only ones a runner may read beside
    // a migration.
    let mut beside: BTreeSet<PathBuf> = BTreeSet::new();
    let stdin_name = opts.stdin.as_ref().map(|(n, _)| normalize(n));
    // The paths given, for the check that a forced layout found something.
    let mut given: Vec<PathBuf> = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let Some(name) = &stdin_name else {
                out.errors.push(InputError {
                    message: "-: standard input needs --stdin-filename NAME".to_string(),
                });
                continue;
            };
            let (root, rel) = root_key(name);
            out.only.push(name.clone());
            if root.is_dir() {
                collect(&root, Some(&root), &mut dirs, &mut beside);
            }
            let files = dirs.entry(normalize(&root)).or_default();
            if !files.iter().any(|(p, _)| p == name) {
                files.push((name.clone(), rel));
            }
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(InputError {
                    message: format!("{}: {}", display_path(path, &opts.cwd), io_reason(&e)),
                });
                continue;
            }
        };
        given.push(normalize(path));
        if meta.is_file() {
            let path = normalize(path);
            if !is_sql(&path) {
                out.errors.push(InputError {
                    message: format!(
                        "{}: not a migration file (expected a .sql file)",
                        display_path(&path, &opts.cwd)
                    ),
                });
                continue;
            }
            let (root, _) = root_key(&path);
            out.only.push(path);
            collect(&root, Some(&root), &mut dirs, &mut beside);
            continue;
        }
        let before: usize = dirs.values().map(Vec::len).sum();
        collect(path, None, &mut dirs, &mut beside);
        let after: usize = dirs.values().map(Vec::len).sum();
        if after == before && !dirs.keys().any(|d| d.starts_with(normalize(path))) {
            out.errors.push(InputError {
                message: format!(
                    "{}: no migration file (*.sql) found under this path",
                    display_path(path, &opts.cwd)
                ),
            });
        }
    }
    // New files of a fix join the root they would be written in.
    for path in opts.overlay.keys().filter(|p| is_sql(p)) {
        let path = normalize(path);
        let (root, rel) = root_key(&path);
        if let Some(files) = dirs.get_mut(&normalize(&root))
            && !files.iter().any(|(p, _)| p == &path)
        {
            files.push((path, rel));
        }
    }
    if let Some((globs, base)) = &opts.exclude {
        for files in dirs.values_mut() {
            files.retain(|(p, _)| {
                let rel = p.strip_prefix(normalize(base)).unwrap_or(p);
                !globs.is_match(rel) && !globs.is_match(p)
            });
        }
        dirs.retain(|_, f| !f.is_empty());
    }
    let mut probes = Probes::default();
    // Room for every file at once: grown by doubling, the list of a
    // history of 100,000 small files would hold up to twice its size.
    out.files.reserve(dirs.values().map(Vec::len).sum());
    for (dir, mut files) in dirs {
        // Whatever order the directory walk gave.
        files.sort_unstable_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        files.dedup_by(|a, b| a.0 == b.0);
        let mut cands = Vec::new();
        for (path, name) in files {
            let text = match (&opts.stdin, &stdin_name) {
                (Some((_, text)), Some(n)) if n == &path => Ok(text.clone()),
                _ => match opts.overlay.get(&path) {
                    Some(text) => Ok(text.clone()),
                    None => read_source(&path, &opts.cwd),
                },
            };
            match text {
                Ok(text) => {
                    cands.push(Candidate {
                        id: usize::MAX,
                        dialect: file_dialect(&name),
                        path: path.clone(),
                        name,
                    });
                    out.files.push(SourceFile {
                        display: display_path(&path, &opts.cwd),
                        path,
                        text,
                        dialect: crate::model::Dialect::Postgres,
                        annotations: Annotations::default(),
                    });
                    if let Some(c) = cands.last_mut() {
                        c.id = out.files.len() - 1;
                    }
                }
                Err(e) => out.errors.push(e),
            }
        }
        for (dialect, group) in dialect_groups(&dir, cands, opts) {
            let (layout, detected_by) = match opts.layout {
                Some(l) => (l, opts.layout_by.to_string()),
                None => detect(&dir, &group, &out.files, &mut probes),
            };
            let dialect = match layout {
                _ if opts.dialect.is_some() => dialect,
                Layout::Prisma => prisma::provider(&dir).unwrap_or(dialect),
                Layout::Drizzle => drizzle::dialect(&dir).unwrap_or(dialect),
                _ => dialect,
            };
            for c in &group {
                if let Some(f) = out.files.get_mut(c.id) {
                    f.dialect = dialect;
                }
            }
            let built = build(layout, &dir, &group, &mut out.files, &opts.overlay, &beside);
            out.roots.push(Root {
                display: display_path(&dir, &opts.cwd),
                path: dir.clone(),
                layout,
                detected_by,
                dialect,
                migrations: built.migrations,
                orphan_downs: built.orphan_downs,
                out_of_step: built.out_of_step,
                skipped: built
                    .skipped
                    .iter()
                    .map(|p| display_path(p, &opts.cwd))
                    .collect(),
            });
        }
    }
    if let Some(layout) = opts.layout {
        forced_found_nothing(layout, &given, opts, &mut out);
    }
    out
}

/// A layout given by `--layout` or config that finds no migration under a
/// path the user named is an input error, never a silent pass.
fn forced_found_nothing(layout: Layout, given: &[PathBuf], opts: &Options, out: &mut Discovered) {
    for path in given {
        let shown = display_path(path, &opts.cwd);
        // A path with no .sql file at all already has its error.
        if out
            .errors
            .iter()
            .any(|e| e.message.starts_with(&format!("{shown}: ")))
        {
            continue;
        }
        let found = out.roots.iter().flat_map(|r| &r.migrations).any(|m| {
            [m.up, m.down].into_iter().flatten().any(|p| {
                out.files
                    .get(p.file)
                    .is_some_and(|f| f.path.starts_with(path))
            })
        });
        if !found {
            out.errors.push(InputError {
                message: format!(
                    "{shown}: layout {} found no migration under this path (it expects {})",
                    layout.id(),
                    expected(layout)
                ),
            });
        }
    }
}

/// What a layout's migration files look like, in a few words.
fn expected(layout: Layout) -> &'static str {
    match layout {
        Layout::GolangMigrate => "`<version>_<name>.up.sql` and `.down.sql` files",
        Layout::Sqlx => {
            "`<version>_<name>.sql` or `<version>_<name>.up.sql`/`.down.sql` files directly in the folder"
        }
        Layout::Diesel => "one folder per migration, `<version>_<name>/up.sql` and `down.sql`",
        Layout::Flyway => "`V<version>__<name>.sql`, `U<version>__…` or `R__<name>.sql` files",
        Layout::Dbmate => "`<version>_<name>.sql` files with `-- migrate:up` and `-- migrate:down`",
        Layout::Goose => "`<version>_<name>.sql` files with `-- +goose Up` and `-- +goose Down`",
        Layout::SqlMigrate => "`.sql` files with `-- +migrate Up` and `-- +migrate Down`",
        Layout::Prisma => "one folder per migration, `<timestamp>_<name>/migration.sql`",
        Layout::Plain => "`.sql` files",
        Layout::Drizzle => "`NNNN_<name>.sql` files listed in `meta/_journal.json`",
        Layout::Atlas => "`<version>_<name>.sql` files beside `atlas.sum`",
        Layout::Supabase => "`<timestamp>_<name>.sql` files directly in the folder",
        Layout::NodePgMigrate => "`<timestamp>_<name>.sql` files with a `-- Up Migration` line",
        Layout::Tern => "`NNN_<name>.sql` files directly in the folder",
        Layout::Refinery => "`V<n>__<name>.sql` or `U<n>__<name>.sql` files",
        Layout::Yoyo => "`<id>.sql` files (with `<id>.rollback.sql`) directly in the folder",
        Layout::Hasura => "one folder per migration, `<ts>_<name>/up.sql` and `down.sql`",
        Layout::OryPop => "`<14-digit version>_<name>[.<dialect>][.autocommit].up.sql` files",
        Layout::Sqitch => "`sqitch.plan` with `deploy/<change>.sql` scripts",
        Layout::GraphileMigrate => "`committed/NNNNNN.sql` files or `current.sql`",
        Layout::Liquibase => {
            "`.sql` files starting with `-- liquibase formatted sql`, cut by `--changeset` lines"
        }
    }
}

/// What a layout makes of a root's files.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub migrations: Vec<Migration>,
    pub orphan_downs: Vec<FileId>,
    pub expects_down: bool,
    /// Migrations that run after all versioned ones (flyway `R__`).
    pub repeatable: Vec<Migration>,
    pub skipped: Vec<PathBuf>,
    /// See [`Root::out_of_step`].
    pub out_of_step: Vec<(FileId, String, String)>,
}

fn build(
    layout: Layout,
    dir: &Path,
    group: &[Candidate],
    files: &mut [SourceFile],
    overlay: &BTreeMap<PathBuf, String>,
    beside: &BTreeSet<PathBuf>,
) -> Built {
    let mut built = match layout {
        Layout::GolangMigrate => golang_migrate::build(group, TxMode::ImplicitMulti),
        Layout::Sqlx => sqlx::build(group, files),
        Layout::Diesel => diesel::build(dir, group, overlay, beside),
        Layout::Flyway => flyway::build(group, overlay, beside),
        Layout::Dbmate | Layout::Goose | Layout::SqlMigrate => {
            sections::build(layout, group, files)
        }
        Layout::Prisma => prisma::build(group),
        Layout::Plain => plain::build(group),
        Layout::Drizzle => drizzle::build(dir, group, files),
        Layout::Atlas => atlas::build(dir, group, files),
        Layout::Supabase => supabase::build(group),
        Layout::NodePgMigrate => node_pg_migrate::build(group, files),
        Layout::Tern => tern::build(group, files),
        Layout::Refinery => refinery::build(group, files),
        Layout::Yoyo => yoyo::build(group, files),
        Layout::Hasura => hasura::build(dir, group, beside),
        Layout::OryPop => ory_pop::build(group),
        Layout::Sqitch => sqitch::build(dir, group),
        Layout::GraphileMigrate => graphile_migrate::build(group, files),
        Layout::Liquibase => liquibase::build(group, files),
    };
    if layout == Layout::Goose {
        built.skipped = goose_go_files(dir);
    }
    for m in &mut built.migrations {
        m.expects_down = built.expects_down;
    }
    let repeatable = std::mem::take(&mut built.repeatable);
    built.migrations.extend(repeatable);
    built
        .migrations
        .sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
    built
}

/// Goose migrations written in Go: bellows cannot read them.
fn goose_go_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "go")
                && p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with(|c: char| c.is_ascii_digit()) && !n.ends_with("_test.go")
                })
        })
        .collect();
    v.sort();
    v
}

/// Splits a root's files by dialect: the dialect flag wins; else a folder
/// named after a database sets it; files whose suffix names a dialect
/// (`x.postgres.up.sql`, `x.sql.sqlite`) belong to that dialect only.
fn dialect_groups(
    dir: &Path,
    cands: Vec<Candidate>,
    opts: &Options,
) -> Vec<(crate::model::Dialect, Vec<Candidate>)> {
    let base = opts
        .dialect
        .or_else(|| dialect_of_path(dir.strip_prefix(&opts.cwd).unwrap_or(dir)))
        .unwrap_or(crate::model::Dialect::Postgres);
    let all_suffixed = !cands.is_empty() && cands.iter().all(|c| c.dialect.is_some());
    if opts.dialect.is_none() && all_suffixed {
        let mut groups: BTreeMap<crate::model::Dialect, Vec<Candidate>> = BTreeMap::new();
        for c in cands {
            if let Some(d) = c.dialect {
                groups.entry(d).or_default().push(c);
            }
        }
        return groups.into_iter().collect();
    }
    let group: Vec<Candidate> = cands
        .into_iter()
        .filter(|c| c.dialect.is_none_or(|d| d == base))
        .collect();
    if group.is_empty() {
        Vec::new()
    } else {
        vec![(base, group)]
    }
}

/// The dialect named by the nearest folder of the path (`…/postgres/…`),
/// below the working directory: a checkout that lives in a folder named
/// `sqlite` is not a SQLite project.
fn dialect_of_path(dir: &Path) -> Option<crate::model::Dialect> {
    dir.components()
        .rev()
        .find_map(|c| dialect_suffix(&c.as_os_str().to_string_lossy().to_ascii_lowercase()))
}

/// The dialect a file's suffix names: `x.postgres.up.sql`, `x.mysql.sql`, `x.sql.sqlite`.
fn file_dialect(name: &str) -> Option<crate::model::Dialect> {
    let lower = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    if let Some((_, suffix)) = lower.rsplit_once(".sql.") {
        return dialect_suffix(suffix);
    }
    let stem = lower.strip_suffix(".sql")?;
    let stem = stem
        .strip_suffix(".up")
        .or_else(|| stem.strip_suffix(".down"))
        .unwrap_or(stem);
    // ory/pop: `x.postgres.autocommit.up.sql`.
    let stem = stem.strip_suffix(".autocommit").unwrap_or(stem);
    dialect_suffix(stem.rsplit_once('.')?.1)
}

/// What one file's name and markers say about the tool that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A layout named by the file alone.
    Of(Layout),
    /// `<version>_<name>.up.sql`: golang-migrate or sqlx; `true` for a
    /// 14-digit version (sqlx's default).
    UpDown(bool),
    /// `<digits>_<name>.sql`: a sqlx simple migration or a plain file.
    Numbered,
}

fn shape(c: &Candidate, text: &str) -> Option<Shape> {
    let n = c.name.as_str();
    if n.ends_with("/up.sql") || n.ends_with("/down.sql") {
        return Some(Shape::Of(Layout::Diesel));
    }
    if n.ends_with("/migration.sql") {
        return Some(Shape::Of(Layout::Prisma));
    }
    if ["deploy/", "revert/", "verify/"]
        .iter()
        .any(|d| n.starts_with(d))
    {
        return Some(Shape::Of(Layout::Sqitch));
    }
    if graphile_migrate::committed_number(n).is_some() || n == "current.sql" {
        return Some(Shape::Of(Layout::GraphileMigrate));
    }
    if flyway::parse_name(n).is_some() {
        return Some(Shape::Of(Layout::Flyway));
    }
    if yoyo::is_rollback(n) {
        return Some(Shape::Of(Layout::Yoyo));
    }
    if ory_pop::is_pop_name(n) {
        return Some(Shape::Of(Layout::OryPop));
    }
    if liquibase::is_changelog(text) {
        return Some(Shape::Of(Layout::Liquibase));
    }
    // Every marker below is a `--` comment line: one pass over those lines.
    // A dbmate, goose or sql-migrate marker wins, then node-pg-migrate's,
    // then tern's.
    let (mut node_pg, mut tern) = (false, false);
    for line in text
        .split_inclusive('\n')
        .filter(|l| l.trim_start().starts_with("--"))
    {
        // As `str::lines` gives it.
        let bare = line
            .strip_suffix('\n')
            .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        if let Some(l) = sections::marker_layout(bare) {
            return Some(Shape::Of(l));
        }
        let trimmed = line.trim_end_matches(['\n', '\r']);
        node_pg = node_pg || node_pg_migrate::is_up(trimmed);
        tern = tern || tern::is_split(trimmed);
    }
    if node_pg {
        return Some(Shape::Of(Layout::NodePgMigrate));
    }
    if tern {
        return Some(Shape::Of(Layout::Tern));
    }
    if let Some((v, _, _)) = golang_migrate::parse_name(n) {
        return Some(Shape::UpDown(v.len() == 14));
    }
    sqlx::simple_name(n).map(|_| Shape::Numbered)
}

/// The layout of a root and why: a metadata file or project manifest that
/// names the tool (when some file has that tool's shape), else what most
/// files look like. One stray file with another tool's marker does not
/// flip a directory.
fn detect(
    dir: &Path,
    cands: &[Candidate],
    files: &[SourceFile],
    probes: &mut Probes,
) -> (Layout, String) {
    let shapes: Vec<Shape> = cands
        .iter()
        .filter_map(|c| shape(c, files.get(c.id).map_or("", |f| f.text.as_str())))
        .collect();
    let votes = |layout: Layout| {
        shapes
            .iter()
            .filter(|s| match s {
                // Tools that share another's file names.
                Shape::Of(Layout::Diesel) => matches!(layout, Layout::Diesel | Layout::Hasura),
                Shape::Of(Layout::Flyway) => matches!(layout, Layout::Flyway | Layout::Refinery),
                Shape::Of(l) => *l == layout,
                Shape::UpDown(_) => matches!(
                    layout,
                    Layout::Sqlx | Layout::GolangMigrate | Layout::OryPop
                ),
                Shape::Numbered => matches!(
                    layout,
                    Layout::Sqlx
                        | Layout::Plain
                        | Layout::Drizzle
                        | Layout::Atlas
                        | Layout::Supabase
                        | Layout::Tern
                        | Layout::Yoyo
                ),
            })
            .count()
    };
    for (layout, signal, strength) in manifest::signals(dir, probes) {
        let fits = votes(layout);
        let enough = match strength {
            manifest::Strength::Metadata => fits > 0,
            manifest::Strength::Manifest => fits > 0 && fits * 2 >= shapes.len(),
        };
        if enough {
            return (layout, signal);
        }
    }
    let total = cands.len();
    // The shapes in order of precedence on a tie.
    let groups = [
        Shape::Of(Layout::Diesel),
        Shape::Of(Layout::Prisma),
        Shape::Of(Layout::Flyway),
        Shape::Of(Layout::Goose),
        Shape::Of(Layout::SqlMigrate),
        Shape::Of(Layout::Dbmate),
        Shape::Of(Layout::NodePgMigrate),
        Shape::Of(Layout::Tern),
        Shape::Of(Layout::Yoyo),
        Shape::Of(Layout::OryPop),
        Shape::Of(Layout::Sqitch),
        Shape::Of(Layout::GraphileMigrate),
        Shape::Of(Layout::Liquibase),
        Shape::UpDown(false),
        Shape::Numbered,
    ];
    let count = |g: Shape| {
        shapes
            .iter()
            .filter(|s| match (g, s) {
                (Shape::UpDown(_), Shape::UpDown(_)) => true,
                _ => g == **s,
            })
            .count()
    };
    let mut best = None;
    for g in groups {
        let n = count(g);
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((g, n));
        }
    }
    let Some((winner, n)) = best else {
        return (Layout::Plain, "no tool's file names or markers".to_string());
    };
    let why = if n * 2 > total {
        format!("majority of {total} files")
    } else {
        format!("{n} of {total} files")
    };
    match winner {
        Shape::Of(l) => (l, why),
        Shape::UpDown(_) => {
            let all_14 = shapes.iter().all(|s| !matches!(s, Shape::UpDown(false)));
            if all_14 {
                (Layout::Sqlx, format!("{why}, 14-digit versions"))
            } else {
                (Layout::GolangMigrate, why)
            }
        }
        Shape::Numbered => (Layout::Plain, why),
    }
}

/// What the file system said about the files that name a root's tool,
/// remembered for the run: the roots of one tree share their parent
/// folders, and a root split by dialect is detected once per dialect.
#[derive(Debug, Default)]
pub(crate) struct Probes {
    /// Each directory's canonical path (`None`: it does not resolve).
    canonical: HashMap<PathBuf, Option<PathBuf>>,
    /// Whether something is at each path, and whether it is a file.
    kinds: HashMap<PathBuf, Option<bool>>,
    /// Each file read (`None`: missing or not UTF-8).
    texts: HashMap<PathBuf, Option<String>>,
}

impl Probes {
    fn canonical(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(abs) = self.canonical.get(dir) {
            return abs.clone();
        }
        let abs = std::fs::canonicalize(dir).ok();
        self.canonical.insert(dir.to_path_buf(), abs.clone());
        abs
    }

    fn kind(&mut self, path: PathBuf) -> Option<bool> {
        *self
            .kinds
            .entry(path)
            .or_insert_with_key(|p| std::fs::metadata(p).ok().map(|m| m.is_file()))
    }

    /// [`Path::is_file`].
    fn is_file(&mut self, path: PathBuf) -> bool {
        self.kind(path) == Some(true)
    }

    /// [`Path::exists`].
    fn exists(&mut self, path: PathBuf) -> bool {
        self.kind(path).is_some()
    }

    /// [`std::fs::read_to_string`], `None` on any error.
    fn read(&mut self, path: PathBuf) -> Option<&str> {
        self.texts
            .entry(path)
            .or_insert_with_key(|p| std::fs::read_to_string(p).ok())
            .as_deref()
    }
}

/// The first line of a text that `is` accepts: (its start, the offset
/// after its newline).
pub(crate) fn marker_line(text: &str, is: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if is(line.trim_end_matches(['\n', '\r'])) {
            return Some((start, offset));
        }
    }
    None
}

/// The root directory of a migration file and its name relative to it:
/// diesel and prisma keep one folder per migration, some projects one
/// folder per version (`54/01_x.sql`, `v1.10/x.sql`).
fn root_key(path: &Path) -> (PathBuf, String) {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let parent = if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent
    };
    let dir_name = parent
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let per_migration = dir_name.starts_with(|c: char| c.is_ascii_digit())
        && matches!(file.as_str(), "up.sql" | "down.sql" | "migration.sql");
    // sqitch's `deploy/ revert/ verify/` beside `sqitch.plan`, and
    // graphile-migrate's `committed/` beside `current.sql`: one root.
    let per_kind = match dir_name.as_str() {
        "deploy" | "revert" | "verify" => parent.parent().is_some_and(sqitch::has_plan),
        "committed" => true,
        _ => false,
    };
    let per_migration = per_migration || per_kind;
    if let Some(grand) = parent
        .parent()
        .filter(|_| per_migration || is_version_dir(&dir_name))
    {
        let grand = if grand.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            grand.to_path_buf()
        };
        return (grand, dir_name + "/" + &file);
    }
    (parent, file)
}

/// `54`, `0.10`, `v1.2`: a folder holding one version's migrations.
fn is_version_dir(name: &str) -> bool {
    let rest = name.strip_prefix(['v', 'V']).unwrap_or(name);
    !rest.is_empty()
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A migration file: `*.sql`, or `*.sql.<dialect>` (one dialect's variant
/// of a file, as Synapse keeps them).
/// A file a migration's runner reads beside it (diesel's `metadata.toml`,
/// flyway's `<script>.conf`): from `overlay` when a fix is re-checked in
/// memory, else from the disk; `None` when it does not exist.
pub fn read_beside(path: &Path, overlay: &BTreeMap<PathBuf, String>) -> Option<String> {
    match overlay.get(path).or_else(|| overlay.get(&normalize(path))) {
        Some(text) => Some(text.clone()),
        None => std::fs::read_to_string(path).ok(),
    }
}

/// [`read_beside`] for a migration of a walked root: a file the walk did
/// not meet is not on the disk, and is not looked for there.
fn read_walked(
    path: &Path,
    overlay: &BTreeMap<PathBuf, String>,
    beside: &BTreeSet<PathBuf>,
) -> Option<String> {
    let normal = normalize(path);
    let known =
        beside.contains(&normal) || overlay.contains_key(path) || overlay.contains_key(&normal);
    known.then(|| read_beside(path, overlay)).flatten()
}

/// Whether the file is a migration file (`*.sql`, `*.sql.<dialect>`).
pub fn is_sql(path: &Path) -> bool {
    let Some(name) = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    if Path::new(&name).extension().is_some_and(|e| e == "sql") {
        return true;
    }
    name.rsplit_once(".sql.")
        .is_some_and(|(_, suffix)| dialect_suffix(suffix).is_some())
}

/// The dialect a folder or suffix name stands for.
pub fn dialect_suffix(s: &str) -> Option<crate::model::Dialect> {
    match s {
        "postgres" | "postgresql" | "pg" | "psql" => Some(crate::model::Dialect::Postgres),
        "mysql" | "mariadb" => Some(crate::model::Dialect::Mysql),
        "sqlite" | "sqlite3" => Some(crate::model::Dialect::Sqlite),
        _ => None,
    }
}

/// Directories never searched for migrations.
fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 || matches!(name, "node_modules" | "target" | "vendor")
}

/// Walks `dir` and files every migration file under its root; `only_root`
/// keeps just the files of that root (a file named on the command line).
/// Every other file met goes to `beside`.
fn collect(
    dir: &Path,
    only_root: Option<&Path>,
    dirs: &mut BTreeMap<PathBuf, Vec<(PathBuf, String)>>,
    beside: &mut BTreeSet<PathBuf>,
) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(if only_root.is_some() { 2 } else { usize::MAX });
    let walker = walker.into_iter().filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skipped_dir(&e.file_name().to_string_lossy()))
    });
    for entry in walker.flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() || !is_sql(entry.path()) {
            beside.insert(normalize(entry.path()));
            continue;
        }
        let path = normalize(entry.path());
        let (root, name) = root_key(&path);
        if only_root.is_some_and(|r| normalize(r) != normalize(&root)) {
            continue;
        }
        dirs.entry(normalize(&root)).or_default().push((path, name));
    }
}

/// Removes `./` components so the same file compares equal however named.
fn normalize(path: &Path) -> PathBuf {
    // Most paths hold no `.` component, doubled or trailing `/`: no need to
    // take them apart.
    // Plain: no `.` between slashes, and no empty part but a leading `/`'s.
    let b = path.as_os_str().as_encoded_bytes();
    let plain = b
        .split(|&c| c == b'/')
        .enumerate()
        .all(|(i, part)| part != b"." && (i == 0 || !part.is_empty()));
    if plain {
        return path.to_path_buf();
    }
    without_cur_dirs(path)
}

fn without_cur_dirs(path: &Path) -> PathBuf {
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

fn read_source(path: &Path, cwd: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError {
        message: format!("{}: {}", display_path(path, cwd), io_reason(&e)),
    })?;
    String::from_utf8(bytes).map_err(|e| InputError {
        message: format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            display_path(path, cwd),
            e.utf8_error().valid_up_to()
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_takes_apart_only_paths_that_need_it() {
        for p in [
            "migrations",
            "db/migrations/001_init.up.sql",
            "/abs/db/x.sql",
            ".",
            "./db",
            "db/./x.sql",
            "db/.",
            "db/",
            "db//x.sql",
            "/",
            "../shared/corpus",
            "db/..hidden/x.sql",
            "db/.x/y",
        ] {
            let path = Path::new(p);
            assert_eq!(normalize(path), without_cur_dirs(path), "{p}");
        }
    }
}
