//! Runs bellows over every directory of ../shared/corpus (real migrations of
//! public projects): no panic, exit 0 or 1, valid JSON; prints the
//! parse-error share per dialect.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

#[test]
fn corpus_reads_without_crash_and_few_parse_errors() {
    let corpus = common::root().join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        eprintln!("skipped: ../shared/corpus is not there");
        return;
    };
    // dialect → (statements, parse errors)
    let mut share: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [repo, _commit, dir, layout, dialect, ..] = cols[..] else {
            panic!("bad MANIFEST row: {row}");
        };
        let path = corpus.join(repo.replace('/', "__")).join(dir);
        let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("bellows runs");
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{}: exit {code:?}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
        let roots: Vec<(String, String)> = v["roots"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["layout"].to_string().replace('"', ""),
                    r["dialect"].to_string().replace('"', ""),
                )
            })
            .collect();
        assert!(
            roots.contains(&(layout.to_string(), dialect.to_string())),
            "{}: detected {roots:?}, MANIFEST says {layout} {dialect}",
            path.display()
        );
        let missing_down = v["diagnostics"].as_array().map_or(0, |d| {
            d.iter().filter(|x| x["rule"] == "missing-down").count()
        });
        assert_eq!(
            missing_down,
            0,
            "{}: missing-down where the downs are there",
            path.display()
        );
        let statements = v["summary"]["statements"].as_u64().unwrap_or(0);
        assert!(statements > 0, "{}: no statement read", path.display());
        let errors = v["diagnostics"].as_array().map_or(0, |d| {
            d.iter().filter(|x| x["rule"] == "parse-error").count() as u64
        });
        let e = share.entry(dialect.to_string()).or_default();
        e.0 += statements;
        e.1 += errors;
    }
    for (dialect, (statements, errors)) in &share {
        let pct = 100.0 * *errors as f64 / (*statements).max(1) as f64;
        println!("corpus {dialect}: {errors} parse-error in {statements} statements ({pct:.2} %)");
        assert!(
            pct <= 1.0,
            "{dialect}: parse-error share {pct:.2} % is over 1 %"
        );
    }
}

/// Fingerprints read a statement's normalised text again from the file once
/// the parsed statements are gone: it must be the text the parse gave, for
/// every statement of the corpus and of the fixtures, in all three dialects,
/// or baselines would stop matching.
#[test]
fn normalised_text_read_again_is_the_parsed_one() {
    use bellows::Dialect;
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let corpus = common::root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is not there; the fixtures only");
    }
    for dir in [corpus, common::root().join("fixtures")] {
        files.extend(
            walkdir::WalkDir::new(dir)
                .into_iter()
                .flatten()
                .map(|e| e.path().to_path_buf())
                .filter(|p| p.extension().is_some_and(|e| e == "sql")),
        );
    }
    let mut checked = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            for s in bellows::parse::parse_file(&text, dialect).statements {
                assert_eq!(
                    bellows::parse::normalized(&text, s.span, dialect),
                    &*s.normalized,
                    "{} ({dialect:?}) at byte {}",
                    path.display(),
                    s.span.start
                );
                checked += 1;
            }
        }
    }
    eprintln!("{checked} statements of {} files read twice", files.len());
    assert!(
        checked > 1000,
        "the corpus and fixtures should hold statements"
    );
}
