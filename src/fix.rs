//! Fixes: turns the rules' fixes of a run's findings into changed and new
//! files, keeps only those that re-check clean, and writes them or shows
//! them as a unified diff.
//!
//! In: an [`Outcome`] whose findings carry their rule's [`Fix`], and a way
//! to re-check the same paths with files replaced in memory. Out: a
//! [`Plan`] (the files each accepted fix changes or creates, and why any
//! other was not applied), then [`write()`] or [`diff`].
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
    if outcome.findings.iter().all(|f| f.fix.is_none()) {
        return;
    }
    // Each file's migration, once.
    let mut of_file: BTreeMap<FileId, (usize, usize)> = BTreeMap::new();
    for (ri, r) in outcome.discovered.roots.iter().enumerate() {
        for (mi, m) in r.migrations.iter().enumerate() {
            for p in [m.up, m.down].into_iter().flatten() {
                of_file.entry(p.file).or_insert((ri, mi));
            }
        }
    }
    // Each root's last migration, once.
    let lasts: Vec<Option<&Migration>> = outcome
        .discovered
        .roots
        .iter()
        .map(|r| r.migrations.iter().max_by(|a, b| a.version.cmp(&b.version)))
        .collect();
    let mut findings = std::mem::take(&mut outcome.findings);
    for f in &mut findings {
        if let Some(fix) = f.fix.take() {
            f.fix = of_file.get(&f.file).and_then(|&(ri, mi)| {
                complete(outcome, ri, mi, lasts.get(ri).copied().flatten(), fix)
            });
        }
    }
    outcome.findings = findings;
}

/// `last`: the root's last migration.
fn complete(
    outcome: &Outcome,
    ri: usize,
    mi: usize,
    last: Option<&Migration>,
    mut fix: Fix,
) -> Option<Fix> {
    let root = outcome.discovered.roots.get(ri)?;
    let m = root.migrations.get(mi)?;
    if !discover::write::editable(root.layout) {
        return None;
    }
    if fix.migrations.is_empty() {
        return Some(fix);
    }
    let last = last?;
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
    /// The fixes applied: path, rule, title.
    pub applied: Vec<(String, &'static str, String)>,
    /// The fixes not applied: path, rule, why.
    pub refused: Vec<(String, &'static str, String)>,
}

/// Rounds of fixing: a fix can make way for another (a lock-timeout
/// prelude is written once the statements around it are settled).
const ROUNDS: usize = 4;

/// The re-check of fixes: the paths of one run of `check`, run again with
/// fixed files in memory. `--fix` / `--diff` ([`plan`]), the editor's code
/// actions and `bellows mcp` all judge a fix through it, so none of them
/// offers a fix the others would refuse.
pub struct Recheck<'a> {
    settings: &'a Settings,
    /// The same settings, parse errors always on, no slow references.
    base: Settings,
    run: &'a dyn Fn(&Settings) -> Outcome,
    /// The run with those settings and no fix.
    first: Outcome,
}

impl<'a> Recheck<'a> {
    /// Runs `recheck` (the same paths as the run being fixed) once with
    /// `settings`, as every fix will be judged against it.
    pub fn new(settings: &'a Settings, recheck: &'a dyn Fn(&Settings) -> Outcome) -> Self {
        let mut base = settings.clone();
        base.references = crate::references::References::new(false);
        if !base.select.is_empty() {
            base.select.insert("parse-error".to_string());
        }
        base.ignore.remove("parse-error");
        let first = recheck(&base);
        Self {
            settings,
            base,
            run: recheck,
            first,
        }
    }

    /// The settings with the files of `overlay` in place of those on disk
    /// (or of standard input).
    fn with(&self, overlay: &BTreeMap<PathBuf, String>) -> Settings {
        let mut s = self.base.clone();
        for (path, text) in overlay {
            match &mut s.stdin {
                Some((name, t)) if same_file(name, path, &self.settings.cwd) => t.clone_from(text),
                _ => {
                    s.overlay.insert(path.clone(), text.clone());
                }
            }
        }
        s
    }

    /// The fixes of the findings `set` of `current` applied on top of
    /// `overlay` (the fixes accepted so far), re-checked and judged: the
    /// overlay with them and the re-check's outcome, or why they fail.
    fn attempt(
        &self,
        current: &Outcome,
        overlay: &BTreeMap<PathBuf, String>,
        set: &[usize],
    ) -> Result<(BTreeMap<PathBuf, String>, Outcome), String> {
        let mut next = overlay.clone();
        for c in changes(current, set, &self.settings.cwd)? {
            next.insert(c.path, c.after);
        }
        let after = (self.run)(&self.with(&next));
        judge(current, set, &counts(current), &after)?;
        // Every new migration file is read back as (part of) a
        // migration (a marker file beside one is judged by its effect).
        let new_files = next.keys().filter(|p| {
            discover::is_sql(p) && !self.first.discovered.files.iter().any(|f| &f.path == *p)
        });
        for path in new_files {
            let id = after.discovered.files.iter().position(|f| &f.path == path);
            let read = id.is_some_and(|id| {
                after
                    .discovered
                    .roots
                    .iter()
                    .flat_map(|r| &r.migrations)
                    .any(|m| [m.up, m.down].into_iter().flatten().any(|p| p.file == id))
            });
            if !read {
                return Err(format!(
                    "{} would not be read as a migration",
                    discover::display_path(path, &self.settings.cwd)
                ));
            }
        }
        Ok((next, after))
    }

    /// Why the fix of the finding of `rule` at `span` in the file at
    /// `path` would not be applied on its own, or `None` when it would.
    /// A finding the re-check does not find (or finds without a fix) is
    /// refused.
    pub fn refusal(
        &self,
        path: &std::path::Path,
        rule: &str,
        span: Option<ByteSpan>,
    ) -> Option<String> {
        let Some(i) = self.fixable(path, rule, span) else {
            return Some(format!("the {rule} finding has no fix on re-check"));
        };
        self.attempt(&self.first, &BTreeMap::new(), &[i]).err()
    }

    /// The re-check's finding of `rule` at `span` in the file at `path`,
    /// when it has a fix.
    fn fixable(&self, path: &std::path::Path, rule: &str, span: Option<ByteSpan>) -> Option<usize> {
        let first = &self.first;
        first.findings.iter().position(|f| {
            f.rule == rule
                && f.span == span
                && f.fix.is_some()
                && first
                    .discovered
                    .files
                    .get(f.file)
                    .is_some_and(|s| s.path == path)
        })
    }
}

/// Drops the fix of each finding of `outcome` (a run of `check` with
/// `settings`) that [`Recheck`] refuses: what a front end hands out is
/// only what `--fix` would write. All the fixes are re-checked together
/// first (one more run, as [`plan`] starts), and only when together they
/// fail, each on its own.
pub fn keep_rechecked(
    outcome: &mut Outcome,
    settings: &Settings,
    recheck: &dyn Fn(&Settings) -> Outcome,
) {
    if outcome.findings.iter().all(|f| f.fix.is_none()) {
        return;
    }
    let r = Recheck::new(settings, recheck);
    let all: Vec<usize> = (0..r.first.findings.len())
        .filter(|&i| r.first.findings[i].fix.is_some())
        .collect();
    let together = r.attempt(&r.first, &BTreeMap::new(), &all).is_ok();
    let mut findings = std::mem::take(&mut outcome.findings);
    for f in &mut findings {
        if f.fix.is_none() {
            continue;
        }
        let path = outcome
            .discovered
            .files
            .get(f.file)
            .map(|s| s.path.as_path());
        let keep = path.is_some_and(|p| {
            if together {
                r.fixable(p, f.rule, f.span).is_some()
            } else {
                r.refusal(p, f.rule, f.span).is_none()
            }
        });
        if !keep {
            f.fix = None;
        }
    }
    outcome.findings = findings;
}

/// Plans the fixes of a run of `check` with `settings`, re-checking each
/// round of fixes in memory with `recheck` (the same paths, the fixed
/// files in `Settings::overlay`).
pub fn plan(settings: &Settings, recheck: &dyn Fn(&Settings) -> Outcome) -> Plan {
    let r = Recheck::new(settings, recheck);
    let first = &r.first;
    let mut plan = Plan::default();
    let mut overlay: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut refused: std::collections::BTreeSet<(String, &'static str, String)> =
        std::collections::BTreeSet::new();
    let mut later: Option<Outcome> = None;
    for _ in 0..ROUNDS {
        let current = later.as_ref().unwrap_or(first);
        let key = |o: &Outcome, i: usize| {
            let f = &o.findings[i];
            (display(o, f.file), f.rule, f.message.clone())
        };
        let fixable: Vec<usize> = (0..current.findings.len())
            .filter(|&i| current.findings[i].fix.is_some() && !refused.contains(&key(current, i)))
            .collect();
        // A lock-timeout prelude waits for the other fixes of its file:
        // they may take the statement out of its transaction, or remove
        // the need for it.
        let files_of = |i: usize| -> Vec<FileId> {
            current.findings[i]
                .fix
                .iter()
                .flat_map(|f| f.edits.iter().map(|e| e.file))
                .collect()
        };
        let candidates: Vec<usize> = fixable
            .iter()
            .copied()
            .filter(|&i| {
                current.findings[i].rule != "missing-lock-timeout"
                    || !fixable.iter().any(|&j| {
                        current.findings[j].rule != "missing-lock-timeout"
                            && files_of(j).iter().any(|f| files_of(i).contains(f))
                    })
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let attempt = |set: &[usize]| r.attempt(current, &overlay, set);
        let mut accepted: Vec<usize> = Vec::new();
        let mut state = None;
        if let Ok(r) = attempt(&candidates) {
            accepted.clone_from(&candidates);
            state = Some(r);
        } else {
            // One at a time, each on top of those accepted.
            for &i in &candidates {
                let mut set = accepted.clone();
                set.push(i);
                match attempt(&set) {
                    Ok(r) => {
                        accepted = set;
                        state = Some(r);
                    }
                    Err(why) => {
                        let (path, rule, message) = key(current, i);
                        refused.insert((path.clone(), rule, message));
                        plan.refused.push((path, rule, why));
                    }
                }
            }
        }
        let Some((next, after)) = state else {
            continue;
        };
        for &i in &accepted {
            let f = &current.findings[i];
            let title = f.fix.as_ref().map(|x| x.title.clone()).unwrap_or_default();
            plan.applied.push((display(current, f.file), f.rule, title));
        }
        overlay = next;
        later = Some(after);
    }
    for (path, after) in overlay {
        let before = first
            .discovered
            .files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.text.clone())
            .or_else(|| {
                // A marker file beside a migration, when it exists.
                (!discover::is_sql(&path))
                    .then(|| discover::read_beside(&path, &settings.overlay))
                    .flatten()
            });
        plan.changes.push(Change {
            display: discover::display_path(&path, &settings.cwd),
            path,
            before,
            after,
        });
    }
    plan
}

fn same_file(a: &std::path::Path, b: &std::path::Path, cwd: &std::path::Path) -> bool {
    crate::since::absolute(a, cwd) == crate::since::absolute(b, cwd)
}

/// Warnings and errors per rule and file (by path as shown; new files
/// count as none before). Info notes (an empty down explained by its
/// comment) are no hazard.
fn counts(outcome: &Outcome) -> BTreeMap<(&'static str, String), usize> {
    let mut out = BTreeMap::new();
    for f in outcome
        .findings
        .iter()
        .filter(|f| f.severity != crate::model::Severity::Info)
    {
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
    let mut whole: Vec<Change> = Vec::new();
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
        // A fix without new migrations may still write a file whole: the
        // no-transaction marker beside its migration (diesel, flyway).
        if fix.migrations.is_empty() {
            for f in &fix.files {
                if let Some(other) = whole.iter().find(|c: &&Change| c.path == f.path) {
                    if other.after != f.text {
                        return Err(format!("two fixes write {}", f.display));
                    }
                    continue;
                }
                whole.push(Change {
                    path: f.path.clone(),
                    display: f.display.clone(),
                    before: None,
                    after: f.text.clone(),
                });
            }
        } else {
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
    let mut out = whole;
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
