//! Fixes: turns the rules' fixes of a run's findings into changed and new
//! files, keeps only those that re-check clean, and writes them or shows
//! them as a unified diff.
//!
//! In: an [`Outcome`] whose findings carry their rule's [`Fix`], and a way
//! to re-check the same paths with files replaced in memory. Out: a
//! [`Plan`] (the files each accepted fix changes or creates, and why any
//! other was not applied), then [`write`] or [`diff`].
//!
//! A fix is applied only when, re-checked with every accepted fix in
//! place, its finding is gone, bellows still parses every statement, and
//! no finding appeared that was not there before. Two fixes that edit the
//! same bytes are never both applied.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::discover::{self, Migration, Root, SourceFile};
use crate::model::{ByteSpan, Edit, FileId, Fix, Settings};
use crate::outcome::Outcome;

/// Where a file's migration sits: its root and migration.
fn migration_of(outcome: &Outcome, file: FileId) -> Option<(&Root, &Migration)> {
    outcome.discovered.roots.iter().find_map(|r| {
        r.migrations
            .iter()
            .find(|m| [m.up, m.down].into_iter().flatten().any(|p| p.file == file))
            .map(|m| (r, m))
    })
}

/// Completes each finding's fix with the files of its new migrations, as
/// the root's layout names them, and drops the fixes that cannot be
/// written: in a layout that hashes its files, and new migrations after a
/// migration that is not the root's last (a later migration may depend on
/// what the fix moves out).
pub fn resolve(outcome: &mut Outcome) {
    let mut fixes: Vec<(usize, Option<Fix>)> = Vec::new();
    for (i, f) in outcome.findings.iter().enumerate() {
        let Some(fix) = &f.fix else { continue };
        fixes.push((i, complete(outcome, f.file, fix.clone())));
    }
    for (i, fix) in fixes {
        if let Some(f) = outcome.findings.get_mut(i) {
            f.fix = fix;
        }
    }
}

fn complete(outcome: &Outcome, file: FileId, mut fix: Fix) -> Option<Fix> {
    let (root, m) = migration_of(outcome, file)?;
    if !discover::write::editable(root.layout) {
        return None;
    }
    if fix.migrations.is_empty() {
        return Some(fix);
    }
    let last = root
        .migrations
        .iter()
        .max_by(|a, b| a.version.cmp(&b.version))?;
    if last.version != m.version || last.name != m.name {
        return None;
    }
    fix.files = discover::write::new_migrations(root, &outcome.discovered.files, &fix.migrations)?;
    Some(fix)
}

/// A file a plan changes or creates.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: PathBuf,
    /// As the user would type it.
    pub display: String,
    /// `None` = a new file.
    pub before: Option<String>,
    pub after: String,
}

/// What `--fix` / `--diff` would do.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The findings (indexes into the outcome's) whose fix is applied.
    pub applied: Vec<usize>,
    /// The findings whose fix is not applied, and why.
    pub refused: Vec<(usize, String)>,
}

/// Plans the fixes of `outcome` (a run of `check` over `paths` with
/// `settings`), each re-checked in memory with `recheck`.
pub fn plan(
    outcome: &Outcome,
    settings: &Settings,
    recheck: &dyn Fn(&Settings) -> Outcome,
) -> Plan {
    let candidates: Vec<usize> = outcome
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.fix.is_some())
        .map(|(i, _)| i)
        .collect();
    let mut plan = Plan::default();
    if candidates.is_empty() {
        return plan;
    }
    // The run to compare with: the same settings, parse errors always on.
    let mut base = settings.clone();
    base.references = crate::references::References::new(false);
    if !base.select.is_empty() {
        base.select.insert("parse-error".to_string());
    }
    base.ignore.remove("parse-error");
    let before = recheck(&base);
    let counts_before = counts(&before);
    let try_set = |set: &[usize]| -> Result<Vec<Change>, String> {
        let changes = changes(outcome, set, &settings.cwd)?;
        let mut s = base.clone();
        for c in &changes {
            match &mut s.stdin {
                Some((name, text)) if same_file(name, &c.path, &settings.cwd) => {
                    text.clone_from(&c.after);
                }
                _ => {
                    s.overlay.insert(c.path.clone(), c.after.clone());
                }
            }
        }
        let after = recheck(&s);
        judge(outcome, set, &counts_before, &after)?;
        Ok(changes)
    };
    if let Ok(changes) = try_set(&candidates) {
        plan.changes = changes;
        plan.applied = candidates;
        return plan;
    }
    // One at a time, each on top of those accepted.
    let mut accepted: Vec<usize> = Vec::new();
    let mut changes = Vec::new();
    for &i in &candidates {
        let mut set = accepted.clone();
        set.push(i);
        match try_set(&set) {
            Ok(c) => {
                accepted = set;
                changes = c;
            }
            Err(why) => plan.refused.push((i, why)),
        }
    }
    plan.changes = changes;
    plan.applied = accepted;
    plan
}

fn same_file(a: &std::path::Path, b: &std::path::Path, cwd: &std::path::Path) -> bool {
    crate::since::absolute(a, cwd) == crate::since::absolute(b, cwd)
}

/// Findings per rule and file (by path as shown; new files count as none before).
fn counts(outcome: &Outcome) -> BTreeMap<(&'static str, String), usize> {
    let mut out = BTreeMap::new();
    for f in &outcome.findings {
        let path = outcome
            .discovered
            .files
            .get(f.file)
            .map(|s| s.display.clone())
            .unwrap_or_default();
        *out.entry((f.rule, path)).or_insert(0) += 1;
    }
    out
}

/// Whether the re-check `after` of the fixes `set` is what they promise:
/// each one's finding gone, nothing new, every file still read.
fn judge(
    outcome: &Outcome,
    set: &[usize],
    before: &BTreeMap<(&'static str, String), usize>,
    after: &Outcome,
) -> Result<(), String> {
    if let Some(e) = after.input_errors().first() {
        return Err(format!("the fixed files do not read back: {}", e.message));
    }
    let now = counts(after);
    for (key, n) in &now {
        let was = before.get(key).copied().unwrap_or(0);
        if *n > was {
            return Err(format!(
                "the fixed migration has a new {} finding in {}",
                key.0, key.1
            ));
        }
    }
    let mut expected: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for &i in set {
        let Some(f) = outcome.findings.get(i) else {
            continue;
        };
        let path = display(outcome, f.file);
        *expected.entry((f.rule, path)).or_insert(0) += 1;
    }
    for (key, n) in expected {
        let was = before.get(&key).copied().unwrap_or(0);
        let left = now.get(&key).copied().unwrap_or(0);
        if left + n > was {
            return Err(format!("the {} finding is still there once fixed", key.0));
        }
    }
    Ok(())
}

fn display(outcome: &Outcome, file: FileId) -> String {
    outcome
        .discovered
        .files
        .get(file)
        .map(|s| s.display.clone())
        .unwrap_or_default()
}

/// The files the fixes of `set` change or create, all together.
fn changes(outcome: &Outcome, set: &[usize], cwd: &std::path::Path) -> Result<Vec<Change>, String> {
    let files: &[SourceFile] = &outcome.discovered.files;
    let mut edits: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    // New migrations per root, numbered one after another in finding order.
    let mut new_by_root: BTreeMap<PathBuf, (usize, Vec<crate::model::NewMigration>)> =
        BTreeMap::new();
    for &i in set {
        let Some(fix) = outcome.findings.get(i).and_then(|f| f.fix.as_ref()) else {
            continue;
        };
        let Some(finding) = outcome.findings.get(i) else {
            continue;
        };
        for e in &fix.edits {
            edits.entry(e.file).or_default().push(e);
        }
        if !fix.migrations.is_empty() {
            let Some((root, _)) = migration_of(outcome, finding.file) else {
                return Err("its migration is not in a root".to_string());
            };
            let ri = outcome
                .discovered
                .roots
                .iter()
                .position(|r| std::ptr::eq(r, root))
                .unwrap_or(0);
            new_by_root
                .entry(root.path.clone())
                .or_insert_with(|| (ri, Vec::new()))
                .1
                .extend(fix.migrations.iter().cloned());
        }
    }
    let mut out = Vec::new();
    for (id, mut list) in edits {
        let Some(src) = files.get(id) else { continue };
        list.sort_by_key(|e| (e.span.start, e.span.end));
        list.dedup_by(|a, b| a == b);
        let mut text = String::with_capacity(src.text.len() + 64);
        let mut at = 0;
        let mut prev: Option<ByteSpan> = None;
        for e in &list {
            let ByteSpan { start, end } = e.span;
            // Overlapping edits, or two at the same place (which first?).
            if start < at || prev.is_some_and(|p| p.start == start) {
                return Err(format!("two fixes edit the same part of {}", src.display));
            }
            let (Some(keep), Some(_)) = (src.text.get(at..start), src.text.get(start..end)) else {
                return Err(format!("a fix edits outside {}", src.display));
            };
            text.push_str(keep);
            text.push_str(&e.text);
            at = end;
            prev = Some(e.span);
        }
        text.push_str(src.text.get(at..).unwrap_or(""));
        out.push(Change {
            path: src.path.clone(),
            display: src.display.clone(),
            before: Some(src.text.clone()),
            after: text,
        });
    }
    for (_, (ri, migrations)) in new_by_root {
        let Some(root) = outcome.discovered.roots.get(ri) else {
            continue;
        };
        let Some(new) = discover::write::new_migrations(root, files, &migrations) else {
            return Err(format!(
                "bellows cannot write a new {} migration here",
                root.layout.id()
            ));
        };
        for f in new {
            out.push(Change {
                display: discover::display_path(&f.path, cwd),
                path: f.path,
                before: None,
                after: f.text,
            });
        }
    }
    Ok(out)
}

/// Writes the plan's files; the lines say what was written.
pub fn write(plan: &Plan) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    for c in &plan.changes {
        if let Some(dir) = c.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", c.display))?;
        }
        std::fs::write(&c.path, &c.after).map_err(|e| format!("{}: {e}", c.display))?;
        notes.push(format!(
            "{} {}",
            if c.before.is_some() {
                "fixed:"
            } else {
                "created:"
            },
            c.display
        ));
    }
    Ok(notes)
}

/// The plan as a unified diff (new files from `/dev/null`).
pub fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for c in &plan.changes {
        let before = c.before.as_deref().unwrap_or("");
        let old = if c.before.is_some() {
            format!("a/{}", c.display)
        } else {
            "/dev/null".to_string()
        };
        let d = similar::TextDiff::from_lines(before, c.after.as_str());
        let _ = write!(
            out,
            "{}",
            d.unified_diff()
                .context_radius(3)
                .header(&old, &format!("b/{}", c.display))
        );
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
