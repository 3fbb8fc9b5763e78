//! `unknown-action`: a policy names an action or service AWS does not define.

use std::collections::BTreeSet;

use super::{Rule, RuleContext};
use crate::data;
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;

/// What it detects, in detail; what users read about it is [`catalog::UNKNOWN_ACTION`].
///
/// An action (or service prefix) in a policy the user wrote that matches nothing in the IAM
/// catalog, with the nearest real action as a hint.
pub struct UnknownAction;

static META: &RuleDoc = &catalog::UNKNOWN_ACTION;

/// The IAM catalog as the engine's [`iam::ActionCatalog`].
struct Catalog;

impl iam::ActionCatalog for Catalog {
    fn has_prefix(&self, prefix: &str) -> bool {
        data::catalog().has_prefix(prefix)
    }
    fn matches_any(&self, pattern: &str) -> bool {
        !data::catalog().expand(pattern).is_empty()
    }
    fn nearest(&self, action: &str) -> Option<String> {
        data::catalog().nearest_action(action)
    }
}

impl Rule for UnknownAction {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = BTreeSet::new();
        for ra in &cx.analysis.roles {
            for p in ra.policies.iter().chain(ra.boundary.iter()) {
                if !p.user_written || p.builtin {
                    continue;
                }
                for u in iam::unknown_actions(&p.policy, &Catalog) {
                    if !seen.insert((u.span, u.action.clone())) {
                        continue;
                    }
                    let hint = u
                        .suggestion
                        .as_ref()
                        .map(|s| format!("; did you mean {s}?"))
                        .unwrap_or_default();
                    let mut f = META
                        .finding(
                            format!(
                                "policy {} names {}, which AWS does not define{hint}",
                                p.name, u.action
                            ),
                            u.span,
                        )
                        .actions([u.action.clone()]);
                    if let Some(s) = &u.suggestion {
                        f.message = f.message.clone();
                        f = f.related(u.span, format!("nearest real action: {s}"));
                    }
                    out.push(f);
                }
            }
        }
    }
}
