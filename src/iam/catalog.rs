//! Checking a policy's actions against a catalog of known services and actions.

use crate::iam::policy::Policy;
use crate::source::Span;

/// Known services and actions, provided by the embedded AWS data.
pub trait ActionCatalog {
    /// Whether a service prefix (`s3`, lower-case) exists.
    fn has_prefix(&self, prefix: &str) -> bool;
    /// Whether an action pattern (`s3:Get*`, case-insensitive) matches at least one action.
    fn matches_any(&self, pattern: &str) -> bool;
    /// The closest known action or prefix, for a "did you mean" hint.
    fn nearest(&self, action: &str) -> Option<String>;
}

/// An action (or pattern) that names no known service or matches no known action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownAction {
    pub span: Span,
    pub action: String,
    pub suggestion: Option<String>,
}

/// Every `Action`/`NotAction` entry of `policy` the catalog does not know (`*` is known).
pub fn unknown_actions(policy: &Policy, catalog: &dyn ActionCatalog) -> Vec<UnknownAction> {
    let mut out = Vec::new();
    for st in &policy.statements {
        for p in st.action.patterns() {
            let raw = p.value.raw.as_str();
            if raw == "*" {
                continue;
            }
            let known = match raw.split_once(':') {
                Some((prefix, _)) => {
                    catalog.has_prefix(&prefix.to_ascii_lowercase()) && catalog.matches_any(raw)
                }
                None => false,
            };
            if !known {
                out.push(UnknownAction {
                    span: p.span,
                    action: raw.to_string(),
                    suggestion: catalog.nearest(raw),
                });
            }
        }
    }
    out
}
