//! `privilege-escalation`: the role can change IAM or code and so become anything.

use std::collections::BTreeMap;

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::PRIVILEGE_ESCALATION`].
///
/// An Allow of an escalation action on a broad resource: `iam:PassRole` on `*`, `iam:*`,
/// `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreatePolicyVersion`,
/// `iam:UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode` / `AddPermission` on `*`,
/// `sts:AssumeRole` on `*`, `*`.
pub struct PrivilegeEscalation;

/// One escalation at a place: (action, resource, what it allows).
type Item = (String, String, String);

static META: &RuleDoc = &catalog::PRIVILEGE_ESCALATION;

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for ra in &cx.analysis.roles {
            // rolefit audits execution roles; other roles in a template are not its business.
            if ra.functions.is_empty() {
                continue;
            }
            let Some(role) = cx.app.roles.get(ra.role) else {
                continue;
            };
            let names = cx.function_names(ra);
            let ids = cx.role_function_ids(ra);
            // One finding per place: an AWS managed policy's escalations are one attachment.
            let mut sites: BTreeMap<Span, (String, Vec<Item>)> = BTreeMap::new();
            let passes_to_lambda =
                iam::passes_role_to_lambda(ra.policies.iter().map(|p| &p.policy));
            for p in &ra.policies {
                if !p.user_written {
                    continue;
                }
                for esc in iam::escalations(&p.policy, passes_to_lambda) {
                    let span = if p.builtin { p.span } else { esc.span };
                    let via = if p.builtin {
                        format!(" (through {})", p.name)
                    } else {
                        String::new()
                    };
                    let site = sites.entry(span).or_insert_with(|| (via, Vec::new()));
                    let item = (esc.action, esc.resource, esc.reason);
                    if !site.1.contains(&item) {
                        site.1.push(item);
                    }
                }
            }
            for (span, (via, items)) in sites {
                let what: Vec<String> = items
                    .iter()
                    .map(|(action, resource, why)| format!("{action} on {resource}: {why}"))
                    .collect();
                let mut actions: Vec<String> = items.iter().map(|i| i.0.clone()).collect();
                actions.dedup();
                let mut resources: Vec<String> = items.iter().map(|i| i.1.clone()).collect();
                resources.sort();
                resources.dedup();
                let mut f = META
                    .finding(
                        format!(
                            "role {} of {names} allows{via} {}",
                            role.name,
                            what.join("; ")
                        ),
                        span,
                    )
                    .actions(actions)
                    .resources(resources)
                    .functions(ids.clone());
                f.function = ids.first().cloned();
                out.push(f);
            }
        }
    }
}
