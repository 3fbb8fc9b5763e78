//! `unused-permission`: the role allows an action nothing in its functions needs.

use std::collections::{BTreeMap, BTreeSet};

use super::bundle::{BundleUse, Replacement};
use super::{Rule, RuleContext};
use crate::data;
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::UNUSED_PERMISSION`].
///
/// An action string in a policy the user wrote (or a whole policy they attached) that no SDK
/// call, event source, destination or setting of any function using the role needs.
/// Reported only when everything the functions need is known: their code was read and
/// every SDK call resolved.
pub struct UnusedPermission;

static META: &RuleDoc = &catalog::UNUSED_PERMISSION;

impl Rule for UnusedPermission {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for ra in &cx.analysis.roles {
            if ra.functions.is_empty()
                || !ra
                    .functions
                    .iter()
                    .all(|&fi| cx.analysis.functions[fi].complete)
            {
                continue;
            }
            let Some(role) = cx.app.roles.get(ra.role) else {
                continue;
            };
            let names = cx.function_names(ra);
            let ids = cx.role_function_ids(ra);
            let first_fn = ids.first().cloned();
            let incidental = cx.incidental_actions(ra);
            // Per written action string: used when any of its (action, resource) grants is.
            let mut by_span: BTreeMap<Span, (bool, String, Vec<String>)> = BTreeMap::new();
            for g in &ra.grants {
                let Some(p) = ra.policies.get(g.policy) else {
                    continue;
                };
                if !p.user_written || p.builtin || g.negated || ignored(cx, &g.action) {
                    continue;
                }
                let used = !g.used_by.is_empty()
                    || incidental.iter().any(|a| iam::action_matches(&g.action, a));
                // A misspelt action is `unknown-action`'s finding, not this one's.
                if !used && !g.action.contains('*') && data::catalog().action(&g.action).is_none() {
                    continue;
                }
                let e = by_span
                    .entry(g.action_span)
                    .or_insert_with(|| (false, g.action.clone(), Vec::new()));
                e.0 |= used;
                e.2.push(g.resource.clone());
            }
            for (span, (used, action, resources)) in by_span {
                if used {
                    continue;
                }
                // The action is needed, but on resources this statement does not name.
                let needed: Vec<&crate::needs::Need> = ra
                    .functions
                    .iter()
                    .flat_map(|&fi| cx.analysis.functions[fi].needs.iter())
                    .filter(|n| iam::action_matches(&action, &n.action))
                    .collect();
                // An action that takes only `Resource: "*"`, granted on an ARN: IAM never
                // applies the grant. When the need is missing, `missing-permission` explains
                // it; when another grant serves it, this one is dead and is said so.
                let star_only: Vec<&crate::needs::Need> = needed
                    .iter()
                    .copied()
                    .filter(|n| n.resource == "*" && super::takes_only_star(&n.action))
                    .collect();
                if !star_only.is_empty() {
                    if star_only.iter().any(|n| !granted_somewhere(cx, ra, n)) {
                        continue;
                    }
                    let mut f = META
                        .finding(
                            format!(
                                "role {} allows {action} on {}, but {action} accepts only Resource \"*\" (it has no resource type), so IAM never applies this grant; {names} gets it from the grant on \"*\"",
                                role.name,
                                resources.join(", ")
                            ),
                            span,
                        )
                        .actions([action])
                        .resources(resources)
                        .functions(ids.clone());
                    f.function = first_fn.clone();
                    out.push(f);
                    continue;
                }
                let elsewhere: BTreeSet<String> = needed
                    .iter()
                    .map(|n| format!("{} on {}", n.action, n.resource))
                    .collect();
                let why = if elsewhere.is_empty() {
                    format!("nothing {names} does needs it")
                } else {
                    let needs: Vec<String> = elsewhere.into_iter().collect();
                    format!(
                        "{names} needs only {}, which these resources do not cover",
                        needs.join(", ")
                    )
                };
                let mut f = META
                    .finding(
                        format!(
                            "role {} allows {action} on {}, but {why}",
                            role.name,
                            resources.join(", ")
                        ),
                        span,
                    )
                    .actions([action])
                    .resources(resources)
                    .functions(ids.clone());
                f.function = first_fn.clone();
                out.push(f);
            }
            for (pi, p) in ra.policies.iter().enumerate() {
                let Some(bundle) = cx.bundle_use(ra, pi) else {
                    continue;
                };
                // The Lambda execution baselines are the documented way to grant what Lambda
                // itself needs: reported when nothing needs them, never trimmed.
                if bundle.unused.is_empty()
                    || (!bundle.used.is_empty() && p.is_lambda_execution_policy())
                {
                    continue;
                }
                let mut f = if bundle.used.is_empty() {
                    META.finding(
                        format!(
                            "role {} attaches {}, but nothing {names} does needs any of it",
                            role.name, p.name
                        ),
                        p.span,
                    )
                } else {
                    partly_used(cx, role.name.as_str(), &names, p, &bundle)
                };
                f = f.functions(ids.clone());
                f.function = first_fn.clone();
                out.push(f);
            }
        }
    }
}

/// A bundle of which the functions use some actions: the unused ones, and the replacement.
fn partly_used(
    cx: &RuleContext<'_>,
    role: &str,
    names: &str,
    p: &crate::analysis::LoadedPolicy,
    bundle: &BundleUse,
) -> Finding {
    let used: Vec<&str> = bundle.used.iter().map(String::as_str).collect();
    let unused = bundle.granted.saturating_sub(bundle.used.len());
    let (instead, fix) = match cx.replacement(p, bundle) {
        Replacement::Sam {
            templates,
            params,
            document,
        } => {
            let args: Vec<String> = params.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let list: Vec<String> = templates.iter().map(|t| format!("`{t}`")).collect();
            (
                format!(
                    "SAM policy template {} ({}) grants what it uses",
                    list.join(" with "),
                    args.join(", ")
                ),
                document,
            )
        }
        Replacement::Inline(statement) => (
            "an inline statement with exactly these actions grants what it uses".to_string(),
            statement,
        ),
    };
    let resources: BTreeSet<&str> = bundle.served.iter().map(|r| r.resource.as_str()).collect();
    META.finding(
        format!(
            "role {role} attaches {}, of which {names} uses only {} ({} of {} actions unused); {instead}",
            p.name,
            used.join(", "),
            unused,
            bundle.granted
        ),
        p.span,
    )
    .actions(bundle.unused.iter().cloned())
    .resources(resources.into_iter().map(str::to_string))
    .fix(fix)
}

fn ignored(cx: &RuleContext<'_>, action: &str) -> bool {
    cx.config
        .ignore_actions
        .iter()
        .any(|i| iam::action_matches(i, action))
}

/// Whether a function on the role is allowed the need (so another grant serves it).
fn granted_somewhere(
    cx: &RuleContext<'_>,
    ra: &crate::analysis::RoleAnalysis,
    need: &crate::needs::Need,
) -> bool {
    ra.functions.iter().any(|&fi| {
        cx.analysis.functions.get(fi).is_some_and(|fa| {
            fa.needs
                .iter()
                .zip(&fa.verdicts)
                .any(|(n, v)| n == need && v.verdict == crate::analysis::Verdict::Allowed)
        })
    })
}
