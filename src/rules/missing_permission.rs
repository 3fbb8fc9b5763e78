//! `missing-permission`: the function needs an action its role does not allow.

use std::collections::BTreeMap;

use super::{Rule, RuleContext};
use crate::analysis::Verdict;
use crate::finding::catalog::{self, RuleDoc};
use crate::finding::{Finding, Severity};
use crate::iam;
use crate::needs::Strength;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::MISSING_PERMISSION`].
///
/// An action that the function's code, an event source, a destination or its configuration
/// needs, which the execution role (identity policies capped by the boundary) does not allow.
pub struct MissingPermission;

static META: &RuleDoc = &catalog::MISSING_PERMISSION;

impl Rule for MissingPermission {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (fi, fa) in cx.analysis.functions.iter().enumerate() {
            let Some(func) = cx.app.functions.get(fi) else {
                continue;
            };
            let Some(role) = fa.role.and_then(|ri| cx.analysis.roles.get(ri)) else {
                continue;
            };
            let role_span = cx
                .app
                .roles
                .get(role.role)
                .map(|r| r.span)
                .unwrap_or(func.span);
            let role_name = cx
                .app
                .roles
                .get(role.role)
                .map(|r| r.name.as_str())
                .unwrap_or("its role");
            // One finding per place and strength that needs something: a call needing two
            // actions is one fix; what AWS recommends without enforcing is a note of its own.
            // A required action that takes only `Resource: "*"` granted on narrower ARNs is its
            // own finding: the role means to grant it, IAM does not apply the grant.
            let mut by_site: BTreeMap<(Span, Strength, bool), Vec<usize>> = BTreeMap::new();
            for (ni, v) in fa.verdicts.iter().enumerate() {
                if v.verdict == Verdict::Denied {
                    let need = &fa.needs[ni];
                    let site = need.because.first().map(|r| r.span).unwrap_or(func.span);
                    let star_only = need.strength == Strength::Required
                        && v.by.is_empty()
                        && need.resource == "*"
                        && !cx.star_only_grants(role, &need.action).is_empty();
                    by_site
                        .entry((site, need.strength, star_only))
                        .or_default()
                        .push(ni);
                }
            }
            for ((site, strength, star_only), indices) in by_site {
                let needs: Vec<_> = indices.iter().map(|&ni| &fa.needs[ni]).collect();
                let mut actions: Vec<String> = needs.iter().map(|n| n.action.clone()).collect();
                actions.dedup();
                let mut resources: Vec<String> = needs.iter().map(|n| n.resource.clone()).collect();
                resources.sort();
                resources.dedup();
                let why = needs[0]
                    .because
                    .first()
                    .map(|r| r.detail.as_str())
                    .unwrap_or("its configuration");
                let verb = match needs[0].because.first().map(|r| r.kind) {
                    Some(crate::needs::ReasonKind::SdkCall) => format!("calls {why}, which needs"),
                    _ => format!("needs, for {why},"),
                };
                let denied_explicitly = indices.iter().any(|&ni| !fa.verdicts[ni].by.is_empty());
                // A grant whose condition is false for this function: say which condition and
                // what the function's request has instead.
                let mut unmet: Vec<String> = Vec::new();
                for &ni in &indices {
                    for c in &fa.verdicts[ni].false_conditions {
                        let actual = if c.actual.is_empty() {
                            "the request has no such key".to_string()
                        } else {
                            format!("the request has {}", c.actual.join(", "))
                        };
                        let text = format!("{} ({actual})", c.condition);
                        if !unmet.contains(&text) {
                            unmet.push(text);
                        }
                    }
                }
                let boundary_blocks = indices.iter().all(|&ni| fa.verdicts[ni].boundary_blocks);
                let tail = if denied_explicitly {
                    "an explicit Deny blocks it".to_string()
                } else if boundary_blocks && unmet.is_empty() {
                    let boundary = role
                        .boundary
                        .as_ref()
                        .map_or("", |b| b.name.rsplit('#').next().unwrap_or(&b.name));
                    format!(
                        "its role's permissions boundary {boundary} does not allow it (a role can do only what both its policies and its boundary allow)"
                    )
                } else if unmet.is_empty() {
                    "its role does not allow it".to_string()
                } else {
                    format!(
                        "its role allows it only when {}, which is false for {}",
                        unmet.join("; or when "),
                        func.name
                    )
                };
                let recommended = strength == Strength::Recommended;
                let message = if recommended {
                    format!(
                        "{} should have, for {why}, {} on {} (recommended by AWS, not enforced), but {tail} ({role_name})",
                        func.name,
                        actions.join(", "),
                        resources.join(", ")
                    )
                } else if star_only {
                    let why: Vec<String> = actions
                        .iter()
                        .map(|a| {
                            format!(
                                "{a} accepts only Resource \"*\" (AWS defines no resource type for it), so the role's grant on {} never applies",
                                cx.star_only_grants(role, a).join(", ")
                            )
                        })
                        .collect();
                    format!(
                        "{} {verb} {}; {} ({role_name})",
                        func.name,
                        actions.join(", "),
                        why.join("; ")
                    )
                } else {
                    format!(
                        "{} {verb} {} on {}, but {tail} ({role_name})",
                        func.name,
                        actions.join(", "),
                        resources.join(", ")
                    )
                };
                let reqs: Vec<iam::Requirement> = needs
                    .iter()
                    .map(|n| iam::Requirement {
                        action: n.action.clone(),
                        resource: n.resource.clone(),
                    })
                    .collect();
                let fix = cx.suggested_statement(&reqs);
                let mut f = META
                    .finding(message, site)
                    .severity_if(star_only, Severity::Warning)
                    .severity_if(recommended, Severity::Note)
                    .function(&func.id)
                    .actions(actions)
                    .resources(resources)
                    .fix(fix)
                    .related(role_span, "execution role declared here");
                for n in &needs {
                    for r in n.because.iter().skip(1) {
                        f = f.related(r.span, format!("also needed by {}", r.detail));
                    }
                }
                out.push(f);
            }
        }
    }
}
