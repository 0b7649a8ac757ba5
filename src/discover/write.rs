//! Writing migrations the way a layout wants them: the files of a new
//! migration after a root's last one (its version numbered or timestamped
//! like the others, its up and down where the layout keeps them), and the
//! layout's no-transaction marker in an existing file. Fixes use it.
//!
//! A layout bellows cannot write safely gets nothing: atlas and
//! graphile-migrate keep hashes of every file (a changed or new file would
//! need them recomputed), drizzle a journal, sqitch a plan, liquibase and
//! yoyo changesets and dependencies, ory-pop per-dialect files, and
//! node-pg-migrate timestamps in milliseconds that runs every migration in
//! one transaction anyway.

use std::path::{Path, PathBuf};

use super::{Layout, Part, Root, SourceFile, Version};
use crate::model::{ByteSpan, NewFile, NewMigration};

/// Whether bellows may edit or add migration files of a layout at all (a
/// layout that hashes its files is left alone).
pub fn editable(layout: Layout) -> bool {
    !matches!(layout, Layout::Atlas | Layout::GraphileMigrate)
}

/// The layout's no-transaction marker, as an edit of the file `text` that
/// holds `part` (a migration's up or down): `None` when the layout has no
/// marker bellows can write in the file itself (diesel's and flyway's live
/// in another file: [`marker_file`]).
pub fn no_transaction_marker(
    layout: Layout,
    part: Option<Part>,
    text: &str,
) -> Option<(ByteSpan, String)> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let at_top = |line: &str| Some((ByteSpan::new(0, 0), format!("{line}{newline}")));
    match layout {
        Layout::Sqlx => at_top("-- no-transaction"),
        Layout::Goose => at_top("-- +goose NO TRANSACTION"),
        Layout::Tern => at_top("---- tern: disable-tx ----"),
        Layout::Refinery => at_top("-- refinery:noTransaction"),
        Layout::Dbmate | Layout::SqlMigrate => {
            // The section's marker line gets the option.
            let section = part?.section?;
            let head = text.get(..section.start)?;
            let line_start = head
                .trim_end_matches(['\n', '\r'])
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line = text.get(line_start..section.start)?;
            let end = line_start + line.trim_end().len();
            let option = if layout == Layout::Dbmate {
                " transaction:false"
            } else {
                " notransaction"
            };
            Some((ByteSpan::new(end, end), option.to_string()))
        }
        _ => None,
    }
}

/// The file beside the migration whose up or down is `script` that holds
/// the layout's no-transaction marker: diesel's `<folder>/metadata.toml`
/// (for the up and the down), flyway's `<script>.conf`; `None` for a
/// layout whose marker lives in the migration file.
pub fn marker_file(layout: Layout, script: &Path) -> Option<PathBuf> {
    match layout {
        Layout::Diesel => Some(script.parent()?.join("metadata.toml")),
        Layout::Flyway => Some(super::flyway::conf_path(script)),
        _ => None,
    }
}

/// The text of [`marker_file`] with the marker (diesel
/// `run_in_transaction = false`, flyway `executeInTransaction=false`):
/// `existing` (its text today, `None` = no such file) with the key set to
/// false, the rest kept.
pub fn with_marker(layout: Layout, existing: Option<&str>) -> Option<String> {
    let (key, line) = match layout {
        Layout::Diesel => ("run_in_transaction", "run_in_transaction = false"),
        Layout::Flyway => ("executeInTransaction", "executeInTransaction=false"),
        _ => return None,
    };
    let Some(text) = existing else {
        return Some(format!("{line}\n"));
    };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // The key's line is replaced; without one, the marker goes first (a
    // TOML key after a `[table]` header would belong to the table).
    let is_key = |l: &str| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let mut out = String::with_capacity(text.len() + line.len() + 2);
    let mut found = false;
    for l in text.split_inclusive('\n') {
        if !found && is_key(l) {
            found = true;
            out.push_str(line);
            out.push_str(newline);
        } else {
            out.push_str(l);
        }
    }
    if !found {
        out = format!("{line}{newline}{text}");
    }
    Some(out)
}

/// The next version after `last`, `n` steps on, written the same way: a
/// 14-digit UTC timestamp (`20240102150405`) a second later, diesel's
/// `2024-01-02-150405` likewise, a number (`000042`, a Unix time) plus one
/// with the same width.
pub fn next_version(last: &str, n: u32) -> Option<String> {
    let digits: String = last.chars().filter(char::is_ascii_digit).collect();
    let diesel = last.len() == 17 && last.as_bytes().get(4) == Some(&b'-');
    if (digits.len() == 14 && digits.len() == last.len()) || diesel {
        let t = Timestamp::parse(&digits)?.plus(n);
        return Some(if diesel {
            format!(
                "{:04}-{:02}-{:02}-{:02}{:02}{:02}",
                t.0[0], t.0[1], t.0[2], t.0[3], t.0[4], t.0[5]
            )
        } else {
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}",
                t.0[0], t.0[1], t.0[2], t.0[3], t.0[4], t.0[5]
            )
        });
    }
    if digits.len() != last.len() || last.is_empty() {
        return None;
    }
    let v: u128 = last.parse().ok()?;
    let next = v.checked_add(u128::from(n))?;
    Some(format!("{next:0width$}", width = last.len()))
}

/// Year, month, day, hour, minute, second.
struct Timestamp([u32; 6]);

impl Timestamp {
    fn parse(d: &str) -> Option<Self> {
        let n = |a: usize, b: usize| d.get(a..b)?.parse::<u32>().ok();
        let t = [
            n(0, 4)?,
            n(4, 6)?,
            n(6, 8)?,
            n(8, 10)?,
            n(10, 12)?,
            n(12, 14)?,
        ];
        let ok = (1..=12).contains(&t[1])
            && (1..=days_in(t[0], t[1])).contains(&t[2])
            && t[3] < 24
            && t[4] < 60
            && t[5] < 60;
        ok.then_some(Self(t))
    }

    fn plus(mut self, seconds: u32) -> Self {
        for _ in 0..seconds {
            let t = &mut self.0;
            t[5] += 1;
            if t[5] < 60 {
                continue;
            }
            t[5] = 0;
            t[4] += 1;
            if t[4] < 60 {
                continue;
            }
            t[4] = 0;
            t[3] += 1;
            if t[3] < 24 {
                continue;
            }
            t[3] = 0;
            t[2] += 1;
            if t[2] <= days_in(t[0], t[1]) {
                continue;
            }
            t[2] = 1;
            t[1] += 1;
            if t[1] <= 12 {
                continue;
            }
            t[1] = 1;
            t[0] += 1;
        }
        self
    }
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The files of `new` migrations, in order, after the root's last
/// migration, named and laid out as the root's layout wants; `None` where
/// the layout cannot be written safely (see the module doc) or has no
/// no-transaction marker for a migration that needs one.
pub fn new_migrations(
    root: &Root,
    files: &[SourceFile],
    new: &[NewMigration],
) -> Option<Vec<NewFile>> {
    let last = root
        .migrations
        .iter()
        .filter(|m| !m.version.text.is_empty())
        .max_by(|a, b| a.version.cmp(&b.version))?;
    let up_file = files.get(last.up?.file)?;
    let rel = up_file.path.strip_prefix(&root.path).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    // The version as numbered: plain roots take the whole stem as their
    // version (`002_add_note`), numbered by its leading digits.
    let current: &str = if next_version(&last.version.text, 1).is_some() {
        &last.version.text
    } else {
        let digits = last
            .version
            .text
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        last.version.text.get(..digits).filter(|d| !d.is_empty())?
    };
    // What comes before the version in the file name (`V` for flyway).
    let pos = rel.find(current)?;
    let prefix = &rel[..pos];
    let after = &rel[pos + current.len()..];
    let sep = if after.starts_with("__") {
        "__"
    } else if after.starts_with('-') {
        "-"
    } else {
        "_"
    };
    let reversible = root.migrations.iter().any(|m| m.down.is_some()) || last.expects_down;
    let mut out = Vec::new();
    for (i, m) in new.iter().enumerate() {
        let version = next_version(current, u32::try_from(i + 1).ok()?)?;
        if Version::new(&version) <= last.version {
            return None;
        }
        let stem = format!("{prefix}{version}{sep}{}", m.name);
        let down = m.down.clone().unwrap_or_else(|| {
            "-- nothing to undo: this migration changes no schema that a down could restore\n"
                .to_string()
        });
        let mut file = |name: String, text: String| {
            out.push(NewFile {
                path: root.path.join(&name),
                display: if root.display == "." {
                    name
                } else {
                    format!("{}/{name}", root.display.trim_end_matches('/'))
                },
                text,
            });
        };
        match root.layout {
            Layout::GolangMigrate => {
                file(format!("{stem}.up.sql"), m.up.clone());
                file(format!("{stem}.down.sql"), down);
            }
            Layout::Sqlx => {
                let marker = if m.no_transaction {
                    "-- no-transaction\n"
                } else {
                    ""
                };
                if reversible {
                    file(format!("{stem}.up.sql"), format!("{marker}{}", m.up));
                    file(format!("{stem}.down.sql"), format!("{marker}{down}"));
                } else {
                    file(format!("{stem}.sql"), format!("{marker}{}", m.up));
                }
            }
            Layout::Goose => {
                let marker = if m.no_transaction {
                    "-- +goose NO TRANSACTION\n"
                } else {
                    ""
                };
                file(
                    format!("{stem}.sql"),
                    format!("{marker}-- +goose Up\n{}\n-- +goose Down\n{down}", m.up),
                );
            }
            Layout::Dbmate => {
                let opt = if m.no_transaction {
                    " transaction:false"
                } else {
                    ""
                };
                file(
                    format!("{stem}.sql"),
                    format!("-- migrate:up{opt}\n{}\n-- migrate:down{opt}\n{down}", m.up),
                );
            }
            Layout::SqlMigrate => {
                let opt = if m.no_transaction {
                    " notransaction"
                } else {
                    ""
                };
                file(
                    format!("{stem}.sql"),
                    format!(
                        "-- +migrate Up{opt}\n{}\n-- +migrate Down{opt}\n{down}",
                        m.up
                    ),
                );
            }
            Layout::Tern => {
                let marker = if m.no_transaction {
                    "---- tern: disable-tx ----\n"
                } else {
                    ""
                };
                file(
                    format!("{stem}.sql"),
                    format!(
                        "{marker}{}\n---- create above / drop below ----\n\n{down}",
                        m.up
                    ),
                );
            }
            Layout::Refinery => {
                let marker = if m.no_transaction {
                    "-- refinery:noTransaction\n"
                } else {
                    ""
                };
                file(format!("{stem}.sql"), format!("{marker}{}", m.up));
            }
            Layout::Diesel => {
                file(format!("{stem}/up.sql"), m.up.clone());
                file(format!("{stem}/down.sql"), down);
                if m.no_transaction {
                    file(
                        format!("{stem}/metadata.toml"),
                        with_marker(Layout::Diesel, None)?,
                    );
                }
            }
            Layout::Hasura if !m.no_transaction => {
                file(format!("{stem}/up.sql"), m.up.clone());
                file(format!("{stem}/down.sql"), down);
            }
            Layout::Prisma if !m.no_transaction => {
                file(format!("{stem}/migration.sql"), m.up.clone());
            }
            Layout::Flyway => {
                // Each script has its own configuration file.
                let conf = with_marker(Layout::Flyway, None)?;
                file(format!("{stem}.sql"), m.up.clone());
                if m.no_transaction {
                    file(format!("{stem}.sql.conf"), conf.clone());
                }
                if root.migrations.iter().any(|m| m.down.is_some()) {
                    let undo = format!("U{}", stem.strip_prefix(prefix).unwrap_or(&stem));
                    file(format!("{undo}.sql"), down);
                    if m.no_transaction {
                        file(format!("{undo}.sql.conf"), conf.clone());
                    }
                }
            }
            Layout::Supabase if !m.no_transaction => {
                file(format!("{stem}.sql"), m.up.clone());
            }
            Layout::Plain => {
                if !is_plain_name(&rel) {
                    return None;
                }
                file(format!("{stem}.sql"), m.up.clone());
            }
            _ => return None,
        }
    }
    // Never over an existing file.
    if out
        .iter()
        .any(|f| f.path.exists() || files.iter().any(|s| s.path == f.path))
    {
        return None;
    }
    Some(out)
}

/// A plain migration named `<digits><sep><words>.sql` directly in the root.
fn is_plain_name(rel: &str) -> bool {
    !rel.contains('/')
        && rel.starts_with(|c: char| c.is_ascii_digit())
        && std::path::Path::new(rel)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// Words fit for a file name from SQL names: lower-case, `_` between.
pub fn file_words(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        for c in p.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        }
        if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::{Layout, next_version, with_marker};

    #[test]
    fn a_marker_file_is_written_or_its_key_set() {
        assert_eq!(
            with_marker(Layout::Diesel, None).as_deref(),
            Some("run_in_transaction = false\n")
        );
        // The key's line replaced, whatever its spacing; the rest kept.
        assert_eq!(
            with_marker(Layout::Diesel, Some("# x\r\n  run_in_transaction=true\r\n")).as_deref(),
            Some("# x\r\nrun_in_transaction = false\r\n")
        );
        // No key: first, before any table.
        assert_eq!(
            with_marker(Layout::Diesel, Some("[x]\nrun_in_transaction_x = 1\n")).as_deref(),
            Some("run_in_transaction = false\n[x]\nrun_in_transaction_x = 1\n")
        );
        assert_eq!(
            with_marker(Layout::Flyway, Some("executeInTransaction = true\n")).as_deref(),
            Some("executeInTransaction=false\n")
        );
        assert_eq!(with_marker(Layout::Goose, None), None);
    }

    #[test]
    fn versions_keep_their_format() {
        assert_eq!(next_version("000002", 1).as_deref(), Some("000003"));
        assert_eq!(next_version("9", 2).as_deref(), Some("11"));
        assert_eq!(next_version("1700000000", 1).as_deref(), Some("1700000001"));
        assert_eq!(
            next_version("20231231235959", 1).as_deref(),
            Some("20240101000000")
        );
        assert_eq!(
            next_version("20240228235959", 1).as_deref(),
            Some("20240229000000")
        );
        assert_eq!(
            next_version("2024-01-02-150405", 2).as_deref(),
            Some("2024-01-02-150407")
        );
        assert_eq!(next_version("1.2", 1), None);
    }
}
