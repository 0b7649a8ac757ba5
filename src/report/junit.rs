//! `junit`: one test case per migration, one failure per finding.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::locate;
use crate::model::Severity;
use crate::outcome::Outcome;

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub fn render(outcome: &Outcome) -> String {
    let located = locate(outcome);
    // file → findings that fail a test case (errors and warnings).
    let mut by_file: BTreeMap<usize, Vec<&super::Located<'_>>> = BTreeMap::new();
    for l in &located {
        if l.finding.severity != Severity::Info {
            by_file.entry(l.finding.file).or_default().push(l);
        }
    }
    let mut cases = String::new();
    let (mut tests, mut failures) = (0, 0);
    for root in &outcome.discovered.roots {
        for m in &root.migrations {
            let files: Vec<usize> = m.up.iter().chain(m.down.iter()).map(|p| p.file).collect();
            let Some(first) = files.first().and_then(|f| outcome.discovered.files.get(*f)) else {
                continue;
            };
            tests += 1;
            let mut seen = std::collections::BTreeSet::new();
            let found: Vec<&&super::Located<'_>> = files
                .iter()
                .filter(|f| seen.insert(**f))
                .filter_map(|f| by_file.get(f))
                .flatten()
                .collect();
            let _ = write!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&root.display),
                xml(&first.display)
            );
            if found.is_empty() {
                cases.push_str("/>\n");
                continue;
            }
            cases.push_str(">\n");
            for l in found {
                failures += 1;
                let pos = l
                    .start
                    .map_or_else(String::new, |p| format!(":{}:{}", p.line, p.column));
                let _ = writeln!(
                    cases,
                    "      <failure type=\"{}\" message=\"{}\">{}{}: {} [{}]&#10;help: {}</failure>",
                    xml(l.finding.rule),
                    xml(&l.finding.message),
                    xml(l.path),
                    pos,
                    l.finding.severity.id(),
                    xml(l.finding.rule),
                    xml(&l.finding.help)
                );
            }
            cases.push_str("    </testcase>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bellows\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"bellows\" tests=\"{tests}\" failures=\"{failures}\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
