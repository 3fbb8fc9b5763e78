//! `missing-permission`: the function needs an action its role does not allow.

use std::collections::BTreeMap;

use super::{Rule, RuleContext, RuleMeta};
use crate::analysis::Verdict;
use crate::finding::{Finding, Severity};
use crate::iam;
use crate::source::Span;

/// ## What it finds
/// An action that the function's code, an event source, a destination or its configuration
/// needs, which the execution role (identity policies capped by the boundary) does not allow.
/// ## Why it matters
/// The call fails with AccessDenied in production; for event sources, Lambda cannot poll and
/// the mapping is disabled.
pub struct MissingPermission;

static META: RuleMeta = RuleMeta {
    id: "missing-permission",
    severity: Severity::Error,
    summary: "The execution role does not allow an action that the code, an event source, a destination or the configuration needs.",
    why: "Lambda runs the function with its execution role only. An SDK call the role does not \
          allow fails with AccessDenied at run time; an event source the role cannot read is \
          never polled; logs the role cannot write are lost.",
    example: "# template.yaml\nPolicies:\n  - DynamoDBReadPolicy: {TableName: !Ref Orders}\n# app.py\ntable.put_item(Item=order)   # needs dynamodb:PutItem",
    fix: "Add the suggested statement to the role (`rolefit policy` prints the whole \
          least-privilege policy), or remove the call.",
    label: "needs a permission the role lacks",
};

impl Rule for MissingPermission {
    fn meta(&self) -> &'static RuleMeta {
        &META
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
            // One finding per place that needs something: a call needing two actions is one fix.
            let mut by_site: BTreeMap<Span, Vec<usize>> = BTreeMap::new();
            for (ni, v) in fa.verdicts.iter().enumerate() {
                if v.verdict == Verdict::Denied {
                    let site = fa.needs[ni]
                        .because
                        .first()
                        .map(|r| r.span)
                        .unwrap_or(func.span);
                    by_site.entry(site).or_default().push(ni);
                }
            }
            for (site, indices) in by_site {
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
                let tail = if denied_explicitly {
                    "an explicit Deny blocks it"
                } else {
                    "its role does not allow it"
                };
                let message = format!(
                    "{} {verb} {} on {}, but {tail} ({role_name})",
                    func.name,
                    actions.join(", "),
                    resources.join(", ")
                );
                let reqs: Vec<iam::Requirement> = needs
                    .iter()
                    .map(|n| iam::Requirement {
                        action: n.action.clone(),
                        resource: n.resource.clone(),
                    })
                    .collect();
                let fix = statement_fix(&iam::synthesize(&reqs, &[]));
                let mut f = META
                    .finding(message, site)
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

/// The single statement of a synthesized policy, or the whole policy when it needs several.
pub(crate) fn statement_fix(policy: &serde_json::Value) -> serde_json::Value {
    match policy.get("Statement").and_then(|s| s.as_array()) {
        Some(list) if list.len() == 1 => list[0].clone(),
        _ => policy.clone(),
    }
}
