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
