//! Where the repository's other tracked files still name a table or a
//! column: "still named in app/reports/sales.sql:14 and api/orders.go:88",
//! added to the help of a drop or a rename.
//!
//! One pass over `git ls-files`, run once per repository holding a migration
//! root with such a finding; its index is built the first time a finding
//! asks and shared by every root in that repository. Nothing is
//! named outside a git repository, when git lists over [`MAX_FILES`] files,
//! or with `--no-references`. The migration files themselves, binary or
//! non-UTF-8 files and files over [`MAX_BYTES`] are not read.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rayon::prelude::*;

/// More tracked files than this: the search is skipped.
pub const MAX_FILES: usize = 50_000;
/// Larger files are not read.
pub const MAX_BYTES: u64 = 1 << 20;
/// How many places a help names.
const SHOWN: usize = 3;

/// The index of one repository, built the first time a finding asks.
type Slot = Arc<OnceLock<Option<Index>>>;

/// The references of one run: on or off, and the index of each repository
/// (by its top directory) once built.
#[derive(Debug, Clone, Default)]
pub struct References {
    on: bool,
    repos: Arc<Mutex<HashMap<PathBuf, Slot>>>,
    /// The repository top of each folder asked about (`None`: outside one),
    /// so a run with thousands of findings looks for `.git` once a folder.
    tops: Arc<Mutex<HashMap<PathBuf, Option<PathBuf>>>>,
}

impl References {
    /// On (the `check` default) or off (`--no-references`; the library's
    /// default, so that tests over fixtures never name bellows' own files).
    pub fn new(on: bool) -> Self {
        Self {
            on,
            repos: Arc::default(),
            tops: Arc::default(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The top of the git repository holding `file` (resolved as git
    /// resolves it), or `None` outside one. Each folder is looked at once a
    /// run: a history of thousands of findings asks the disk a few times.
    fn top_of(&self, file: &Path) -> Option<PathBuf> {
        let mut tops = self.tops.lock().unwrap_or_else(PoisonError::into_inner);
        let mut visited = Vec::new();
        let mut found = None;
        for a in file.ancestors().skip(1) {
            if let Some(t) = tops.get(a) {
                found.clone_from(t);
                break;
            }
            visited.push(a.to_path_buf());
            if a.join(".git").exists() {
                found = Some(std::fs::canonicalize(a).unwrap_or_else(|_| a.to_path_buf()));
                break;
            }
        }
        for v in visited {
            tops.insert(v, found.clone());
        }
        found
    }

    /// `; still named in a:1, b:2 and c:3` — where the tracked files other
    /// than `migrations` name `table` (or its `column`), empty when nowhere
    /// or when off. `near` is a migration file of the root, `cwd` the
    /// working directory paths are shown relative to.
    pub fn still_named(
        &self,
        near: &Path,
        migrations: &mut dyn Iterator<Item = &Path>,
        cwd: &Path,
        table: &str,
        column: Option<&str>,
    ) -> String {
        if !self.on {
            return String::new();
        }
        // The repository holding the root: nothing outside one.
        let Some(top) = self.top_of(&lexical(&cwd.join(near))) else {
            return String::new();
        };
        let top = top.as_path();
        let slot = {
            let mut repos = self.repos.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(repos.entry(top.to_path_buf()).or_default())
        };
        let Some(index) = slot.get_or_init(|| Index::build(top, migrations, cwd)) else {
            return String::new();
        };
        let places = index.places(table, column);
        if places.is_empty() {
            return String::new();
        }
        format!("; still named in {}", and_list(&places))
    }
}

/// The text of every tracked file that may name something, lower-cased.
#[derive(Debug)]
struct Index {
    /// (path as shown, ASCII-lower-cased text), in `git ls-files` order.
    files: Vec<(String, String)>,
}

impl Index {
    /// One `git ls-files` in `top`; every listed file read once, in
    /// parallel.
    fn build(top: &Path, migrations: &mut dyn Iterator<Item = &Path>, cwd: &Path) -> Option<Index> {
        let out = Command::new("git")
            .arg("-C")
            .arg(top)
            .args(["ls-files", "-z", "--full-name", "--", ":(top)"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let listed = String::from_utf8_lossy(&out.stdout);
        let names: Vec<&str> = listed.split('\0').filter(|n| !n.is_empty()).collect();
        if names.len() > MAX_FILES {
            return None;
        }
        let skip: HashSet<PathBuf> = migrations.map(|m| absolute(cwd, m)).collect();
        let cwd = absolute(cwd, Path::new(""));
        let files = names
            .par_iter()
            .filter_map(|name| {
                let path = top.join(name);
                if skip.contains(&path) {
                    return None;
                }
                let meta = std::fs::metadata(&path).ok()?;
                if !meta.is_file() || meta.len() > MAX_BYTES {
                    return None;
                }
                let bytes = std::fs::read(&path).ok()?;
                if bytes.contains(&0) {
                    return None;
                }
                let mut text = String::from_utf8(bytes).ok()?;
                text.make_ascii_lowercase();
                Some((shown(&path, &cwd), text))
            })
            .collect();
        Some(Index { files })
    }

    /// `path:line` of the first use in each file, up to [`SHOWN`] files:
    /// the table as a whole word; a column as `table.column`, else as a
    /// whole word in a file that also names the table.
    fn places(&self, table: &str, column: Option<&str>) -> Vec<String> {
        let table = table.to_ascii_lowercase();
        let column = column.map(str::to_ascii_lowercase);
        let qualified = column.as_ref().map(|c| format!("{table}.{c}"));
        let mut out = Vec::new();
        for (path, text) in &self.files {
            let Some(t) = find_word(text, &table) else {
                continue;
            };
            let at = match (&column, &qualified) {
                (Some(c), Some(q)) => match find_word(text, q).or_else(|| find_word(text, c)) {
                    Some(at) => at,
                    None => continue,
                },
                _ => t,
            };
            let line = text.get(..at).map_or(0, |s| s.matches('\n').count()) + 1;
            out.push(format!("{path}:{line}"));
            if out.len() == SHOWN {
                break;
            }
        }
        out
    }
}

/// `path` from `cwd`, absolute, symbolic links resolved as git resolves
/// them (lexically when it does not exist).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let p = cwd.join(path);
    std::fs::canonicalize(&p).unwrap_or_else(|_| lexical(&p))
}

/// `path` without `.` and `..` components (`a/./b/../c` is `a/c`).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `cwd`, with `..` when outside it (`../api/orders.go`),
/// `/` as the separator.
fn shown(path: &Path, cwd: &Path) -> String {
    let mut from = cwd.components().peekable();
    let mut to = path.components().peekable();
    while let (Some(a), Some(b)) = (from.peek(), to.peek()) {
        if a != b {
            break;
        }
        from.next();
        to.next();
    }
    let mut parts: Vec<String> = from.map(|_| "..".to_string()).collect();
    parts.extend(to.map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// Where `word` first appears in `text` as a whole word (not inside a
/// longer identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let after = text.get(i + word.len()..).and_then(|s| s.chars().next());
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_from_the_working_directory() {
        let p = Path::new("/r/api/orders.go");
        assert_eq!(shown(p, Path::new("/r")), "api/orders.go");
        assert_eq!(shown(p, Path::new("/r/app")), "../api/orders.go");
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_word("x orders_old orders.status", "orders"), Some(13));
        assert_eq!(find_word("reorders", "orders"), None);
        assert_eq!(find_word("orders.status", "orders.status"), Some(0));
        assert_eq!(find_word("orders.status_code", "orders.status"), None);
    }

    #[test]
    fn a_column_needs_its_table_in_the_file() {
        let index = Index {
            files: vec![
                ("a.go".into(), "status\n".into()),
                ("b.sql".into(), "x\nselect status\nfrom orders\n".into()),
                ("c.rb".into(), "orders\n\nx orders.status\n".into()),
            ],
        };
        assert_eq!(
            index.places("orders", Some("status")),
            vec!["b.sql:2", "c.rb:3"]
        );
        assert_eq!(index.places("orders", None), vec!["b.sql:3", "c.rb:1"]);
        assert_eq!(
            and_list(&index.places("orders", None)),
            "b.sql:3 and c.rb:1"
        );
    }
}
