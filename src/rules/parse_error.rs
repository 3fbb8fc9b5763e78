//! `parse-error`: an input file could not be parsed; the rest was analysed.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// A template or code file that is malformed, binary, not UTF-8, too large, or over a
/// parsing limit (YAML alias expansion, nesting depth).
/// ## Why it matters
/// What the file declares is missing from the audit: its functions and roles are not checked.
pub struct ParseError;

static META: RuleMeta = RuleMeta {
    id: "parse-error",
    severity: Severity::Warning,
    summary: "An input file could not be parsed; the rest was analysed.",
    why: "rolefit cannot check what it cannot read. The rest of the tree is still audited, \
          but findings for this file's functions are missing.",
    example: "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n   Properties:   # bad indentation",
    fix: "Fix the syntax (the message says where), or exclude the file if it is not a template.",
    label: "cannot parse",
};

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for e in &cx.analysis.parse_errors {
            out.push(META.finding(e.message.clone(), e.span));
        }
    }
}
