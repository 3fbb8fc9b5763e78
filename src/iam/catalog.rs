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
            // A deploy-time value (`${var.actions}`) is unknown, not undefined.
            if raw == "*" || raw.contains("${") {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::{action_matches, parse_policy_json};

    struct Fake(&'static [&'static str]);

    impl ActionCatalog for Fake {
        fn has_prefix(&self, p: &str) -> bool {
            self.0.iter().any(|a| a.split(':').next() == Some(p))
        }
        fn matches_any(&self, pattern: &str) -> bool {
            self.0.iter().any(|a| action_matches(pattern, a))
        }
        fn nearest(&self, action: &str) -> Option<String> {
            let a = action.to_ascii_lowercase();
            self.0
                .iter()
                .find(|k| k.to_ascii_lowercase().starts_with(&a[..a.len().min(5)]))
                .map(|s| s.to_string())
        }
    }

    #[test]
    fn reports_unknown_services_and_actions() {
        let (p, _) = parse_policy_json(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*",
            "Action":["*","s3:GetObject","s3:GetObjekt","s4:GetObject","s3:Get*","dynamodb:Scan",
            "${var.actions}","s3:${var.verb}"]}}"#,
            Span::default(),
        );
        let cat = Fake(&["s3:GetObject", "s3:PutObject", "dynamodb:Query"]);
        let found: Vec<_> = unknown_actions(&p, &cat)
            .into_iter()
            .map(|u| (u.action, u.suggestion))
            .collect();
        assert_eq!(
            found,
            vec![
                ("s3:GetObjekt".to_string(), Some("s3:GetObject".to_string())),
                ("s4:GetObject".to_string(), None),
                (
                    "dynamodb:Scan".to_string(),
                    Some("dynamodb:Query".to_string())
                ),
            ]
        );
    }
}
