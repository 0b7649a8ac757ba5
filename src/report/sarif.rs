//! `sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

use serde_json::{Value, json};

use super::{doc_intro, fingerprints, locate, rule_url};
use crate::model::Severity;
use crate::outcome::Outcome;
use crate::rules::REGISTRY;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(outcome: &Outcome) -> String {
    let rules: Vec<Value> = REGISTRY
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": doc_intro(r.doc) },
                "helpUri": rule_url(r.id),
                "help": { "text": r.doc, "markdown": r.doc },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": r.dialects.names() }
            })
        })
        .collect();
    let prints = fingerprints(outcome);
    let results: Vec<Value> = locate(outcome)
        .into_iter()
        .zip(prints)
        .map(|(l, print)| {
            let f = l.finding;
            let index = REGISTRY.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let region = match (l.start, l.end) {
                (Some(s), Some(e)) => json!({
                    "startLine": s.line, "startColumn": s.column,
                    "endLine": e.line, "endColumn": e.column
                }),
                _ => json!({ "startLine": 1 }),
            };
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": format!("{} (help: {})", f.message, f.help) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": l.path, "uriBaseId": "%SRCROOT%" },
                        "region": region
                    }
                }],
                "partialFingerprints": { "bellows/v1": print }
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "bellows",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": super::DOCS_URL,
                    "rules": rules
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
