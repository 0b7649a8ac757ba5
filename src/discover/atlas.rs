//! atlas: `<version>_<name>.sql` files beside `atlas.sum`, in name order
//! (the version is the text before the first `_`). No down: atlas computes
//! them. One transaction per file, unless the file's header says
//! `-- atlas:txmode none`.

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version};

/// The transaction mode the header directives of a file ask for.
fn tx_of(text: &str) -> TxMode {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            break;
        };
        let words: Vec<&str> = comment.split_whitespace().collect();
        if words.first() == Some(&"atlas:txmode") && words.get(1) == Some(&"none") {
            return TxMode::None;
        }
    }
    TxMode::Wrapped
}

pub(super) fn build(dir: &std::path::Path, files: &[Candidate], sources: &[SourceFile]) -> Built {
    let migrations = files
        .iter()
        .filter(|c| !c.name.contains('/'))
        .filter_map(|c| {
            let stem = c.name.strip_suffix(".sql")?;
            let (version, name) = stem.split_once('_').unwrap_or((stem, ""));
            Some(Migration::forward(
                Version::new(version),
                name.to_string(),
                c.id,
                sources
                    .get(c.id)
                    .map_or(TxMode::Wrapped, |s| tx_of(&s.text)),
            ))
        })
        .collect();
    Built {
        migrations,
        out_of_step: stale_sum(dir, files),
        ..Built::default()
    }
}

/// `atlas.sum` against the folder, computed as atlas computes it (its
/// `NewHashFile` and `HashFile.Sum`): one SHA-256 runs over every `*.sql`
/// file of the folder in byte order of the names, fed each name and then
/// the file's bytes (only the name when the file's first line is
/// `-- atlas:sum ignore`); after each file its running digest, base64, is
/// that file's `h1:` line, and the first line is the SHA-256 of every name
/// and hash. A mismatch makes atlas refuse to run anything. The first file
/// out of step is reported (every later hash differs with it).
pub(super) fn stale_sum(dir: &std::path::Path, files: &[Candidate]) -> Vec<OutOfStep> {
    let Ok(text) = std::fs::read_to_string(dir.join("atlas.sum")) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("").trim_start_matches("h1:");
    let written: Vec<(String, String)> = lines
        .filter_map(|l| {
            let (name, hash) = l.split_once("h1:")?;
            Some((name.trim().to_string(), hash.to_string()))
        })
        .collect();
    let disk = folder_hashes(dir);
    let id = |name: &str| files.iter().find(|c| c.name == name).map(|c| c.id);
    let rehash = "run `atlas migrate hash` if the change is meant; if this migration already ran \
                  somewhere, restore it and put the change in a new migration instead";
    let first_diff = (0..disk.len().max(written.len())).find(|&i| disk.get(i) != written.get(i));
    let mut out = Vec::new();
    match first_diff {
        Some(i) => match (disk.get(i), written.get(i)) {
            (Some((name, _)), Some((listed, _))) if name == listed => out.extend(id(name).map(|f| {
                (
                    f,
                    "atlas.sum does not match this file: it changed after atlas.sum was written, and \
                     atlas refuses to run any migration of the folder until the sum is right"
                        .to_string(),
                    rehash.to_string(),
                )
            })),
            (Some((name, _)), _) if !written.iter().any(|(n, _)| n == name) => {
                out.extend(id(name).map(|f| {
                    (
                        f,
                        "this file is not in atlas.sum: atlas refuses to run any migration of the \
                         folder until the sum lists it"
                            .to_string(),
                        "create migrations with `atlas migrate new` or `atlas migrate diff`, or run \
                         `atlas migrate hash` after adding one by hand"
                            .to_string(),
                    )
                }));
            }
            (_, Some((listed, _))) => {
                // A listed file that is gone: reported on the file after
                // it, else the last one.
                let near = disk
                    .iter()
                    .find(|(n, _)| n > listed)
                    .or(disk.last())
                    .and_then(|(n, _)| id(n));
                out.extend(near.map(|f| {
                    (
                        f,
                        format!(
                            "atlas.sum lists {listed}, which is not in the folder: atlas refuses to \
                             run any migration of the folder until the sum is right"
                        ),
                        format!(
                            "restore {listed} if it was deleted by mistake, else run `atlas migrate hash`"
                        ),
                    )
                }));
            }
            _ => {}
        },
        None if header != sum_of(&written) => {
            out.extend(disk.first().and_then(|(n, _)| id(n)).map(|f| {
                (
                    f,
                    "the first line of atlas.sum (the sum of its lines) does not match the lines \
                     below it: atlas.sum was edited by hand, and atlas refuses to run any migration \
                     of the folder"
                        .to_string(),
                    "run `atlas migrate hash` to write atlas.sum again".to_string(),
                )
            }));
        }
        None => {}
    }
    out
}

/// A file the tool's metadata disagrees with: see [`super::Root::out_of_step`].
type OutOfStep = (super::FileId, String, String);

/// The `h1:` hash of each `*.sql` file of `dir`, as atlas writes them.
fn folder_hashes(dir: &std::path::Path) -> Vec<(String, String)> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        // atlas globs `*.sql`: case-sensitive, as here.
        .filter(|n| {
            #[allow(clippy::case_sensitive_file_extension_comparisons)]
            n.ends_with(".sql")
        })
        .collect();
    names.sort_unstable();
    let mut h = sha2::Sha256::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap_or_default();
        h.update(name.as_bytes());
        if sum_ignored(&bytes) {
            continue;
        }
        h.update(&bytes);
        let digest = h.clone().finalize();
        out.push((
            name,
            base64::engine::general_purpose::STANDARD.encode(digest),
        ));
    }
    out
}

/// The sum of a hash file's lines (atlas's `HashFile.Sum`).
fn sum_of(lines: &[(String, String)]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for (name, hash) in lines {
        h.update(name.as_bytes());
        h.update(hash.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// Whether the file opens with the directive `atlas:sum ignore` (atlas
/// matches `^([ -~]*)atlas:(\w+)(?: +([ -~]*))*` on the file's text: the
/// first line, any printable prefix).
fn sum_ignored(bytes: &[u8]) -> bool {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    // The greedy prefix: the last `atlas:` of the line.
    let Some(at) = line.rfind("atlas:") else {
        return false;
    };
    let (prefix, rest) = (&line[..at], &line[at + "atlas:".len()..]);
    if !prefix.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return false;
    }
    let word_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, args) = rest.split_at(word_end);
    let printable = args
        .find(|c: char| !(' '..='~').contains(&c))
        .unwrap_or(args.len());
    let args = &args[..printable];
    name == "sum" && args.starts_with(' ') && args.trim_start_matches(' ') == "ignore"
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sum_directive_is_read_as_atlas_reads_it() {
        assert!(super::sum_ignored(b"-- atlas:sum ignore\nSELECT 1;"));
        assert!(!super::sum_ignored(b"-- atlas:sum ignored\nSELECT 1;"));
        assert!(!super::sum_ignored(b"-- atlas:txmode none\n"));
        assert!(!super::sum_ignored(b"SELECT 1;\n-- atlas:sum ignore\n"));
        assert!(super::sum_ignored(b"-- atlas:sum ignore\r\nSELECT 1;"));
    }
}
