//! `privilege-escalation`: the role can change IAM or code and so become anything.

use std::collections::BTreeSet;

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;

/// What it detects, in detail; what users read about it is [`catalog::PRIVILEGE_ESCALATION`].
///
/// An Allow of an escalation action on a broad resource: `iam:PassRole` on `*`, `iam:*`,
/// `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreatePolicyVersion`,
/// `iam:UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode` / `AddPermission` on `*`,
/// `sts:AssumeRole` on `*`, `*`.
pub struct PrivilegeEscalation;

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
            let first_fn = cx.role_function_id(ra);
            let mut seen = BTreeSet::new();
            for p in &ra.policies {
                if !p.user_written {
                    continue;
                }
                for esc in iam::escalations(&p.policy) {
                    let span = if p.builtin { p.span } else { esc.span };
                    if !seen.insert((span, esc.action.clone())) {
                        continue;
                    }
                    let via = if p.builtin {
                        format!(" (through {})", p.name)
                    } else {
                        String::new()
                    };
                    let mut f = META
                        .finding(
                            format!(
                                "role {} of {names} allows {} on {}{via}: {}",
                                role.name, esc.action, esc.resource, esc.reason
                            ),
                            span,
                        )
                        .actions([esc.action.clone()])
                        .resources([esc.resource.clone()]);
                    f.function = first_fn.clone();
                    out.push(f);
                }
            }
        }
    }
}
