//! Runs every rule's fixtures: each `-- expect: <rule>` mark (and each line of
//! a case's `EXPECTED` file) must be matched by exactly one finding, ok cases
//! must stay quiet, and the rendered findings are snapshotted.

mod common;

use std::collections::BTreeSet;

use bellows::report::human::{Style, render};
use bellows::rules::{Check, REGISTRY};
use common::{Expect, case_dialect, expectations, found, lint_dir, root, subdirs};

#[test]
fn every_rule_fixture() {
    let mut failures = Vec::new();
    let mut snapshots: Vec<(&str, String)> = Vec::new();
    // Rules of `bellows verify` only: tests/verify.rs runs their fixtures.
    for rule in REGISTRY
        .iter()
        .filter(|r| !matches!(r.check, Check::Verify))
    {
        let dir = root().join("fixtures").join(rule.id);
        let mut snapshot = String::new();
        for case in subdirs(&dir) {
            let name = case
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let violation = name.starts_with("violation");
            let outcome = lint_dir(&case, case_dialect(&name));
            assert!(
                outcome.input_errors().is_empty(),
                "{}: {:?}",
                case.display(),
                outcome.input_errors()
            );
            let expected = expectations(&case);
            let mut checked: BTreeSet<String> = expected.iter().map(|e| e.2.clone()).collect();
            checked.insert(rule.id.to_string());
            let actual: Expect = found(&outcome)
                .into_iter()
                .filter(|f| checked.contains(&f.2))
                .collect();
            if actual != expected {
                failures.push(format!(
                    "{}/{name}:\n  expected {:?}\n  found    {:?}",
                    rule.id, expected, actual
                ));
            }
            if violation && !expected.iter().any(|e| e.2 == rule.id) {
                failures.push(format!(
                    "{}/{name}: a violation case marks no `{}`",
                    rule.id, rule.id
                ));
            }
            for f in &outcome.findings {
                let first = f.message.chars().next().unwrap_or('a');
                assert!(
                    !first.is_uppercase() && !f.message.ends_with('.'),
                    "{}: message must start lowercase and have no final period: {}",
                    f.rule,
                    f.message
                );
            }
            if violation {
                let mut mine = outcome;
                mine.findings.retain(|f| f.rule == rule.id);
                snapshot.push_str("=== ");
                snapshot.push_str(&name);
                snapshot.push('\n');
                snapshot.push_str(&render(
                    &mine,
                    Style {
                        color: false,
                        width: 80,
                    },
                ));
            }
        }
        snapshots.push((rule.id, snapshot));
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
    for (id, snapshot) in snapshots {
        insta::assert_snapshot!(id, snapshot);
    }
}

#[test]
fn an_explained_empty_down_is_an_info_note() {
    let case = root().join("fixtures/empty-down/ok-comment");
    let outcome = lint_dir(&case, bellows::Dialect::Postgres);
    let notes: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "empty-down")
        .map(|f| (f.severity, f.message.contains("empty on purpose")))
        .collect();
    assert_eq!(notes, [(bellows::Severity::Info, true)]);
}
