//! `unknown-action`: a policy names an action or service AWS does not define.

use std::collections::BTreeMap;

use super::{Rule, RuleContext};
use crate::data;
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;
use crate::source::Span;

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
        // Per written action: the finding, and every function whose role carries it (a
        // customer managed policy may be attached to several roles).
        let mut sites: BTreeMap<(Span, String), Finding> = BTreeMap::new();
        for ra in &cx.analysis.roles {
            // rolefit audits execution roles; other roles in a template are not its business.
            if ra.functions.is_empty() {
                continue;
            }
            let ids = cx.role_function_ids(ra);
            for p in ra.policies.iter().chain(ra.boundary.iter()) {
                if !p.user_written || p.builtin {
                    continue;
                }
                for u in iam::unknown_actions(&p.policy, &Catalog) {
                    let f = sites.entry((u.span, u.action.clone())).or_insert_with(|| {
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
                            f = f.related(u.span, format!("nearest real action: {s}"));
                        }
                        f
                    });
                    for id in &ids {
                        if !f.functions.contains(id) {
                            f.functions.push(id.clone());
                        }
                    }
                }
            }
        }
        out.extend(sites.into_values());
    }
}
