//! `unused-suppression`: an inline suppression that has no reason, names an unknown rule, or
//! silences nothing.
//!
//! The finding needs the other rules' output, so `suppress::apply` reports it after every
//! rule ran; this file registers the rule in `rules::ALL` (its text is in the catalog, like
//! every rule's), so that it is enabled, configured and listed like any other rule.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::UNUSED_SUPPRESSION`].
///
/// A `rolefit: ignore[...]` comment or `Metadata: rolefit: ignore` entry that is not applied
/// (no reason, unknown rule) or that no finding matches.
pub struct UnusedSuppression;

static META: &RuleDoc = &catalog::UNUSED_SUPPRESSION;

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    /// Nothing to check on the model alone: see the module documentation.
    fn check(&self, _cx: &RuleContext<'_>, _out: &mut Vec<Finding>) {}
}
