//! `parse-error`: an input file could not be parsed; the rest was analysed.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::PARSE_ERROR`].
///
/// A template or code file that is malformed, binary, not UTF-8, too large, or over a
/// parsing limit (YAML alias expansion, nesting depth).
pub struct ParseError;

static META: &RuleDoc = &catalog::PARSE_ERROR;

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for e in &cx.analysis.parse_errors {
            out.push(META.finding(e.message.clone(), e.span));
        }
    }
}
