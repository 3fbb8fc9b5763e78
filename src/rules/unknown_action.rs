//! `unknown-action`: a policy names an action or service AWS does not define.

use std::collections::BTreeSet;

use super::{Rule, RuleContext, RuleMeta};
use crate::data;
use crate::finding::{Finding, Severity};
use crate::iam;

/// ## What it finds
/// An action (or service prefix) in a policy the user wrote that matches nothing in the IAM
/// catalog, with the nearest real action as a hint.
/// ## Why it matters
/// IAM accepts the policy and silently grants nothing for that line: the author believes
/// a permission exists that does not (`s3:GetObjects`, `dynamodb:PutItems`).
pub struct UnknownAction;

static META: RuleMeta = RuleMeta {
    id: "unknown-action",
    severity: Severity::Warning,
    summary: "A policy names an action or service prefix that AWS does not define (the nearest real one is suggested).",
    why: "IAM does not reject unknown actions: the statement is accepted and grants nothing, \
          so the function fails at run time although the policy looks right.",
    example: "Action: s3:GetObjects   # did you mean s3:GetObject?",
    fix: "Correct the spelling to the suggested action.",
    label: "not an AWS action",
};

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
    fn meta(&self) -> &'static RuleMeta {
        &META
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
