//! `privilege-escalation`: the role can change IAM or code and so become anything.

use std::collections::BTreeSet;

use super::unused_permission::function_names;
use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::iam;

/// ## What it finds
/// An Allow of an escalation action on a broad resource: `iam:PassRole` on `*`, `iam:*`,
/// `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreatePolicyVersion`,
/// `iam:UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode` / `AddPermission` on `*`,
/// `sts:AssumeRole` on `*`, `*`.
/// ## Why it matters
/// Whoever controls the function can grant themselves any permission in the account.
pub struct PrivilegeEscalation;

static META: RuleMeta = RuleMeta {
    id: "privilege-escalation",
    severity: Severity::Error,
    summary: "The role can change IAM or code (`iam:PassRole` on `*`, `iam:*`, `lambda:UpdateFunctionCode` on `*`, …).",
    why: "With these actions code in the function can attach AdministratorAccess to a role, \
          pass a powerful role to a new function, or replace another function's code: one \
          injection bug becomes an account takeover.",
    example: "- Effect: Allow\n  Action: iam:PassRole\n  Resource: \"*\"",
    fix: "Scope the action to the exact role or function ARNs the code needs (and add an \
          `iam:PassedToService` condition to PassRole), or remove it.",
    label: "escalation path",
};

impl Rule for PrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
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
            let names = function_names(cx, ra);
            let first_fn = ra
                .functions
                .first()
                .and_then(|&fi| cx.app.functions.get(fi))
                .map(|f| f.id.clone());
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
