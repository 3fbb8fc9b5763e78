//! `unused-suppression`: an inline suppression that has no reason, names an unknown rule, or
//! silences nothing.
//!
//! The finding needs the other rules' output, so `suppress::apply` reports it after every
//! rule ran; this file holds the rule's documentation and registers its id, so the
//! configuration, `rolefit explain`, docs/rules.md and SARIF know it like any other rule.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// A `rolefit: ignore[...]` comment or `Metadata: rolefit: ignore` entry that is not applied
/// (no reason, unknown rule) or that no finding matches.
/// ## Why it matters
/// Stale suppressions hide the next real problem on that line.
pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    severity: Severity::Note,
    summary: "A suppression has no reason, names an unknown rule, or silences nothing.",
    why: "A suppression is a decision someone has to be able to review: without a reason it \
          is not applied. One that silences nothing is stale (the code or policy changed) and \
          would hide the next real finding on that line.",
    example: "handler.py:\n  s3.put_object(...)  # rolefit: ignore[missing-permission]\n\
              (no reason given, or the call is no longer reported)",
    fix: "Write the reason after the brackets (`# rolefit: ignore[missing-permission] the \
          bucket policy grants it`), fix the rule id, or delete the suppression.",
    label: "suppression",
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Nothing to check on the model alone: see the module documentation.
    fn check(&self, _cx: &RuleContext<'_>, _out: &mut Vec<Finding>) {}
}
