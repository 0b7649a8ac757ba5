//! down-loses-data: with `bellows verify --rows N`, rows that existed before
//! the up are not all back after the down.

use super::{Check, Class, Dialects, Rule};
use crate::model::Severity;

pub static RULE: Rule = Rule {
    id: "down-loses-data",
    severity: Severity::Warning,
    class: Class::Other,
    dialects: Dialects::ALL,
    summary: "after the up and the down, rows that existed before the up are not all back with their values",
    doc: include_str!("../../rules/down-loses-data.md"),
    check: Check::Verify,
};
