//! unused-ignore: a `bellows:ignore` comment that suppressed nothing or names an unknown rule.

use super::{Check, Class, Dialects, Hit, IgnoreCx, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "unused-ignore",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "an ignore comment that suppresses nothing or names an unknown rule",
    doc: include_str!("../../rules/unused-ignore.md"),
    check: Check::Ignores(check),
};

fn check(cx: &IgnoreCx<'_>, out: &mut Vec<Hit>) {
    for (i, d) in cx.ignores.directives.iter().enumerate() {
        let hit = |message: String, help: &str| Hit {
            file: d.file,
            span: Some(d.span),
            message,
            help: help.to_string(),
            severity: None,
            tables: Vec::new(),
            fix: None,
        };
        if d.rules.is_empty() {
            out.push(hit(
                "this ignore comment names no rule".to_string(),
                "write `-- bellows:ignore <rule-id> -- <reason>`; `bellows rules` lists the ids",
            ));
            continue;
        }
        for r in &d.rules {
            if super::find(r).is_none() {
                out.push(hit(
                    format!("this ignore comment names an unknown rule `{r}`"),
                    "`bellows rules` lists the rule ids",
                ));
            } else if cx.settings.require_ignore_reason && d.reason.is_none() {
                out.push(hit(
                    format!("this ignore of `{r}` has no reason, so it suppresses nothing (require-ignore-reason)"),
                    "say why after a second `--`: `-- bellows:ignore <rule-id> -- <reason>`",
                ));
            } else if !cx.ignores.used.contains(&(i, r.clone())) {
                let place = if d.whole_file {
                    "in this file"
                } else {
                    "on the next statement"
                };
                out.push(hit(
                    format!("this ignore of `{r}` suppressed nothing: `{r}` does not fire {place}"),
                    "remove the comment, so that it cannot hide a future finding",
                ));
            }
        }
    }
}
