//! `--since <git-ref>`: which files changed since a ref, asked of git itself.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

pub use crate::model::Since;

/// `cwd.join(path)` with `.` and `..` resolved lexically.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("--since needs git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git failed")
            .trim();
        return Err(format!("--since: {first}"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Asks git what changed since `reference`, from the repository around `cwd`.
pub fn since(reference: &str, cwd: &Path) -> Result<Since, String> {
    let top = git(cwd, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top.trim());
    git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("--since: unknown git ref `{reference}`"))?;
    let lines = |s: String| -> Vec<PathBuf> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(|l| top.join(l))
            .collect()
    };
    let mut changed: BTreeSet<PathBuf> = lines(git(
        &top,
        &["diff", "--name-only", "--no-renames", reference, "--"],
    )?)
    .into_iter()
    .collect();
    changed.extend(lines(git(
        &top,
        &["ls-files", "--others", "--exclude-standard"],
    )?));
    let base = lines(git(&top, &["ls-tree", "-r", "--name-only", reference])?)
        .into_iter()
        .collect();
    Ok(Since { changed, base })
}
