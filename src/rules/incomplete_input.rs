//! `incomplete-input`: something about a function could not be known; said once.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::INCOMPLETE_INPUT`].
///
/// A function whose code was found by rolefit's own search (the template names no local code
/// and exactly one file in the template's folder defines its handler), or whose handler several
/// files define (none is taken).
pub struct IncompleteInput;

static META: &RuleDoc = &catalog::INCOMPLETE_INPUT;

impl Rule for IncompleteInput {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for e in &cx.analysis.incomplete_inputs {
            out.push(META.finding(e.message.clone(), e.span));
        }
    }
}
