//! `untrusted-role`: the execution role's trust policy does not let Lambda assume it.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;

/// What it detects, in detail; what users read about it is [`catalog::UNTRUSTED_ROLE`].
///
/// A role used as a function's execution role whose `AssumeRolePolicyDocument` does not
/// allow `sts:AssumeRole` for the service principal `lambda.amazonaws.com` (or
/// `edgelambda.amazonaws.com` for Lambda@Edge).
pub struct UntrustedRole;

static META: &RuleDoc = &catalog::UNTRUSTED_ROLE;

impl Rule for UntrustedRole {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for ra in &cx.analysis.roles {
            if ra.functions.is_empty() {
                continue;
            }
            let (Some(role), Some(trust)) = (cx.app.roles.get(ra.role), ra.trust.as_ref()) else {
                continue;
            };
            let trusted = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
                .iter()
                .any(|service| trusts_service(trust, service));
            if trusted {
                continue;
            }
            let span = role.trust.as_ref().map_or(role.span, |t| t.span);
            let mut f = META.finding(
                format!(
                    "role {} is the execution role of {}, but its trust policy does not let lambda.amazonaws.com assume it",
                    role.name,
                    cx.function_names(ra)
                ),
                span,
            );
            f = f.functions(cx.role_function_ids(ra));
            out.push(f.related(role.span, "role declared here"));
        }
    }
}

/// Whether an Allow statement of the trust policy lets the service principal call
/// `sts:AssumeRole`. Conditions are not evaluated: Lambda passes none that a trust policy
/// usually tests, and a condition-only trust is not the mistake this rule is about.
fn trusts_service(trust: &iam::Policy, service: &str) -> bool {
    trust.statements.iter().any(|st| {
        if st.effect != iam::Effect::Allow {
            return false;
        }
        let action = match &st.action {
            iam::ActionSpec::Action(p) => p
                .iter()
                .any(|p| iam::action_matches(&p.value.raw, "sts:AssumeRole")),
            iam::ActionSpec::NotAction(p) => !p
                .iter()
                .any(|p| iam::action_matches(&p.value.raw, "sts:AssumeRole")),
        };
        let principal = match &st.principal {
            Some(iam::PrincipalSpec::Principal(set)) => {
                set.any
                    || set.entries.iter().any(|(kind, p)| {
                        *kind == iam::PrincipalKind::Service
                            && iam::resource_matches(&p.value.raw, service) == iam::Match::Yes
                    })
            }
            _ => false,
        };
        action
            && principal
            && !st
                .conditions
                .iter()
                .any(|c| unsatisfiable_for_lambda(&c.key_lc))
    })
}

/// Condition keys that Lambda's own `AssumeRole` call never carries: a trust statement that
/// requires them never lets Lambda in (an external id, MFA, a SAML or web identity claim, a
/// caller's tags, IP address or VPC).
fn unsatisfiable_for_lambda(key: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sts:externalid",
        "aws:multifactorauth",
        "aws:principaltag/",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:vpcsourceip",
        "saml:",
        "cognito-identity.amazonaws.com:",
        "accounts.google.com:",
        "graph.facebook.com:",
        "www.amazon.com:",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p))
}
