//! Conventions that keep rules, docs, fixtures and snapshots one to one.

mod common;

use std::collections::BTreeSet;

use bellows::rules::REGISTRY;
use common::{root, subdirs};

/// Fixture folders that are not rules (`verify` holds the cases of
/// `bellows verify`, one folder per rule it reports).
const NOT_RULES: &[&str] = &["layouts", "demo", "verify", "fix"];

/// Where a rule's fixtures and snapshot are: rules of `bellows verify` only
/// keep them under fixtures/verify/<id>, run by tests/verify.rs.
fn fixtures_and_snapshot(r: &bellows::rules::Rule) -> (std::path::PathBuf, String) {
    if matches!(r.check, bellows::rules::Check::Verify) {
        (
            root().join("fixtures/verify").join(r.id),
            format!("verify__{}.snap", r.id),
        )
    } else {
        (
            root().join("fixtures").join(r.id),
            format!("rules__{}.snap", r.id),
        )
    }
}

const HEADINGS: &[&str] = &[
    "## What it flags",
    "## Why it is dangerous",
    "## Use instead",
    "## Exemptions",
    "## Dialects",
    "## Example",
];

#[test]
fn ids_are_unique_sorted_and_kebab_case() {
    let ids: Vec<&str> = REGISTRY.iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        ids, sorted,
        "the registry must be sorted by id, without duplicates"
    );
    for id in ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id}: ids are lowercase kebab-case"
        );
    }
}

#[test]
fn summaries_follow_the_message_convention() {
    for r in REGISTRY {
        let first = r.summary.chars().next().unwrap_or('A');
        assert!(first.is_lowercase(), "{}: summary starts lowercase", r.id);
        assert!(
            !r.summary.ends_with('.'),
            "{}: summary has no final period",
            r.id
        );
    }
}

#[test]
fn every_rule_has_a_doc_fixtures_and_a_snapshot() {
    for r in REGISTRY {
        let doc_path = root().join("rules").join(format!("{}.md", r.id));
        let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
        assert_eq!(
            doc, r.doc,
            "{}: the compiled-in doc is rules/{}.md",
            r.id, r.id
        );
        assert!(
            doc.starts_with(&format!("# {}\n", r.id)),
            "{}: doc starts with `# {}`",
            r.id,
            r.id
        );
        let mut at = 0;
        for h in HEADINGS {
            let pos = doc[at..].find(h).map(|p| p + at);
            assert!(
                pos.is_some(),
                "{}: doc lacks `{h}` (in this order: {HEADINGS:?})",
                r.id
            );
            at = pos.unwrap_or(at);
        }
        let (fixtures, snapshot) = fixtures_and_snapshot(r);
        let cases: Vec<String> = subdirs(&fixtures)
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        assert!(
            cases.iter().any(|c| c.starts_with("violation")),
            "{}: no violation case",
            r.id
        );
        assert!(
            cases.iter().any(|c| c.starts_with("ok")),
            "{}: no ok case",
            r.id
        );
        for c in &cases {
            assert!(
                c.starts_with("violation") || c.starts_with("ok"),
                "{}: case `{c}` must start with violation or ok",
                r.id
            );
        }
        let snap = root().join("tests/snapshots").join(snapshot);
        assert!(snap.is_file(), "{}: no snapshot {}", r.id, snap.display());
    }
}

#[test]
fn a_rule_has_a_fix_paragraph_exactly_when_it_has_fix_fixtures() {
    for r in REGISTRY {
        let fixtures = root().join("fixtures/fix").join(r.id).is_dir();
        assert_eq!(
            r.has_fix(),
            fixtures,
            "{}: a `## Fix` paragraph in rules/{}.md and fixtures/fix/{} go together \
             (tests/fix.rs asserts that the fix is offered and applied there)",
            r.id,
            r.id,
            r.id
        );
        if r.has_fix() {
            let fix = r.doc.find("\n## Fix\n");
            let use_instead = r.doc.find("\n## Use instead\n");
            let exemptions = r.doc.find("\n## Exemptions\n");
            assert!(
                use_instead < fix && fix < exemptions,
                "{}: `## Fix` sits between `## Use instead` and `## Exemptions`",
                r.id
            );
        }
    }
    for dir in subdirs(&root().join("fixtures/fix")) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        assert!(
            REGISTRY.iter().any(|r| r.id == name),
            "fixtures/fix/{name} has no rule"
        );
    }
}

#[test]
fn every_doc_and_fixture_folder_has_a_rule() {
    let ids: BTreeSet<&str> = REGISTRY.iter().map(|r| r.id).collect();
    for entry in std::fs::read_dir(root().join("rules"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().to_string();
        let id = name.strip_suffix(".md").unwrap_or(&name);
        assert!(ids.contains(id), "rules/{name} has no rule");
    }
    for dir in subdirs(&root().join("fixtures")) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        assert!(
            ids.contains(name.as_str()) || NOT_RULES.contains(&name.as_str()),
            "fixtures/{name} has no rule"
        );
    }
    for dir in subdirs(&root().join("fixtures/verify")) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        assert!(
            ids.contains(name.as_str()),
            "fixtures/verify/{name} has no rule"
        );
    }
}
