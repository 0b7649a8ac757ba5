//! graphile-migrate: `migrations/committed/000001.sql …` (with
//! `--! Previous:` / `--! Hash:` headers), and `migrations/current.sql`,
//! the work in progress, linted as the next migration. No down. One
//! transaction per file unless its header says `--! no-transaction`.

use std::fmt::Write as _;

use super::{Built, Candidate, Migration, SourceFile, TxMode, Version, marker_line};

/// The number of a committed migration (`committed/000001.sql`,
/// `committed/000002-add-users.sql`).
pub(super) fn committed_number(name: &str) -> Option<&str> {
    let file = name.strip_prefix("committed/")?.strip_suffix(".sql")?;
    let digits = file.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| &file[..digits])
}

fn tx_of(src: Option<&SourceFile>) -> TxMode {
    let off = src.is_some_and(|s| {
        marker_line(&s.text, |l| {
            l.trim().eq_ignore_ascii_case("--! no-transaction")
        })
        .is_some()
    });
    if off { TxMode::None } else { TxMode::Wrapped }
}

pub(super) fn build(files: &[Candidate], sources: &[SourceFile]) -> Built {
    let mut built = Built::default();
    let mut last = 0u64;
    for c in files {
        let Some(n) = committed_number(&c.name) else {
            continue;
        };
        last = last.max(n.parse().unwrap_or(0));
        built.migrations.push(Migration::forward(
            Version::new(n),
            String::new(),
            c.id,
            tx_of(sources.get(c.id)),
        ));
    }
    built.out_of_step = broken_chain(files, sources);
    if let Some(c) = files.iter().find(|c| c.name == "current.sql") {
        built.migrations.push(Migration::forward(
            Version::new(&format!("{:06}", last + 1)),
            "current".to_string(),
            c.id,
            tx_of(sources.get(c.id)),
        ));
    }
    built
}

/// `--! Key: value` headers in order (`None`: a key with no value).
type Headers<'a> = Vec<(&'a str, Option<&'a str>)>;

/// The headers and body of a committed migration, as graphile-migrate's
/// `parseMigrationText` reads them: the leading `--! Key: value` lines
/// (a key starts with a capital letter), then an empty line, then the body,
/// trimmed, with one final newline. `None` when the empty line is missing
/// (graphile-migrate refuses the file).
fn parse(text: &str) -> Option<(Headers<'_>, String)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut headers = Vec::new();
    for line in &lines {
        // JavaScript's `.` stops at a carriage return: such a line is no header.
        let Some(rest) = line
            .strip_prefix("--! ")
            .filter(|r| !r.contains(['\r', '\u{2028}', '\u{2029}']))
        else {
            break;
        };
        let key_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_end);
        if !key.starts_with(|c: char| c.is_ascii_uppercase()) {
            break;
        }
        let value = match after.strip_prefix(':') {
            Some(v) => Some(js_trim(v)).filter(|v| !v.is_empty()),
            None if after.is_empty() => None,
            None => break,
        };
        headers.push((key, value));
    }
    if lines.get(headers.len()) != Some(&"") {
        return None;
    }
    let body = lines[headers.len()..].join("\n");
    Some((headers, format!("{}\n", js_trim(&body))))
}

/// JavaScript's `String.prototype.trim`: white space, line ends and the BOM.
fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// graphile-migrate's `calculateHash`: SHA-1 over the previous hash, a
/// newline and the body, trimmed, plus a newline.
fn hash(body: &str, previous: Option<&str>) -> String {
    use sha1::Digest as _;
    let text = format!("{}\n{}", previous.unwrap_or(""), js_trim(body));
    let digest = sha1::Sha1::digest(format!("{}\n", js_trim(&text)).as_bytes());
    let hex = digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    format!("sha1:{hex}")
}

/// The committed migrations whose hash chain graphile-migrate would refuse:
/// a `--! Hash:` that is not the hash of the file's body and previous hash
/// (the file was edited after `graphile-migrate commit`; unless
/// `--! AllowInvalidHash`), a `--! Previous:` that is not the hash of the
/// migration before it, or headers it cannot read.
fn broken_chain(
    files: &[Candidate],
    sources: &[SourceFile],
) -> Vec<(super::FileId, String, String)> {
    let mut committed: Vec<(u64, &Candidate)> = files
        .iter()
        .filter_map(|c| Some((committed_number(&c.name)?.parse().ok()?, c)))
        .collect();
    committed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut out = Vec::new();
    let mut previous: Option<(&str, &str)> = None;
    for (_, c) in committed {
        let Some(src) = sources.get(c.id) else {
            continue;
        };
        let file = c.name.trim_start_matches("committed/");
        let Some((headers, body)) = parse(&src.text) else {
            out.push((
                c.id,
                "its header is not followed by an empty line, so graphile-migrate refuses to read \
                 the committed migrations"
                    .to_string(),
                "restore the file as `graphile-migrate commit` wrote it".to_string(),
            ));
            return out;
        };
        let header = |k: &str| headers.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let (Some(Some(written_previous)), Some(Some(written))) =
            (header("Previous"), header("Hash"))
        else {
            out.push((
                c.id,
                "it has no `--! Previous:` and `--! Hash:` header, so graphile-migrate refuses to \
                 read the committed migrations"
                    .to_string(),
                "restore the file as `graphile-migrate commit` wrote it".to_string(),
            ));
            return out;
        };
        let written_previous = (written_previous != "-").then_some(written_previous);
        let expected_previous = previous.map(|(h, _)| h);
        let computed = hash(&body, written_previous);
        if written_previous != expected_previous {
            let before = match &previous {
                Some((_, name)) => format!("the `--! Hash:` of {name}, the migration before it"),
                None => "`-`, as the first migration's must be".to_string(),
            };
            out.push((
                c.id,
                format!(
                    "its `--! Previous:` is not {before}: the hash chain is broken, and \
                     graphile-migrate refuses to migrate"
                ),
                "restore the committed migrations as `graphile-migrate commit` wrote them; to \
                 change the last one, `graphile-migrate uncommit` it and commit it again"
                    .to_string(),
            ));
        } else if computed != written && header("AllowInvalidHash").is_none() {
            out.push((
                c.id,
                "its body no longer matches its `--! Hash:`: it was changed after \
                 `graphile-migrate commit`, and graphile-migrate refuses to run it"
                    .to_string(),
                "restore the committed migration and put the change in current.sql; databases \
                 that already ran it never run an edit"
                    .to_string(),
            ));
        }
        previous = Some((written, file));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn headers_and_body_are_read_as_graphile_migrate_reads_them() {
        let text =
            "--! Previous: -\n--! Hash: sha1:x\n--! Message: users\n\n\nCREATE TABLE t ();  \n\n";
        let (headers, body) = super::parse(text).expect("valid");
        assert_eq!(
            headers,
            [
                ("Previous", Some("-")),
                ("Hash", Some("sha1:x")),
                ("Message", Some("users"))
            ]
        );
        assert_eq!(body, "CREATE TABLE t ();\n");
        assert!(super::parse("--! Previous: -\n--! Hash: sha1:x\nSELECT 1;\n").is_none());
    }
}
