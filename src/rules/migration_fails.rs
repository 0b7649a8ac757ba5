//! migration-fails: a statement the real server refused (`bellows verify`).

use super::{Check, Class, Dialects, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "migration-fails",
    severity: Severity::Error,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "a statement of an up, a down or the re-applied up that the real server refused",
    doc: include_str!("../../rules/migration-fails.md"),
    check: Check::Verify,
};
