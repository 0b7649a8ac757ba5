//! claim-contradicted: a lock or rewrite claim of a static rule that the
//! PostgreSQL trace of the same statement contradicts (`bellows verify`).

use super::{Check, Class, Dialects, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "claim-contradicted",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::POSTGRES,
    summary: "a lock or rewrite claim of a static rule that the server's trace of the same statement contradicts",
    doc: include_str!("../../rules/claim-contradicted.md"),
    check: Check::Verify,
};
