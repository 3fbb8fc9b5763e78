//! `public-invoke`: anyone can invoke the function.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::model::{Function, InvokePermission};

/// What it detects, in detail; what users read about it is [`catalog::PUBLIC_INVOKE`].
///
/// A resource-based grant to `Principal: "*"` with no `SourceArn`, `SourceAccount` or
/// `PrincipalOrgID` narrowing it, and function URLs with `AuthType: NONE`.
pub struct PublicInvoke;

static META: &RuleDoc = &catalog::PUBLIC_INVOKE;

impl Rule for PublicInvoke {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for func in &cx.app.functions {
            if let Some(auth) = &func.config.url_auth
                && auth.value.eq_ignore_ascii_case("NONE")
            {
                out.push(
                        META.finding(
                            format!("{} has a function URL with AuthType NONE: anyone on the internet can invoke it", func.name),
                            auth.span,
                        )
                        .function(&func.id)
                        .actions(["lambda:InvokeFunctionUrl"]),
                    );
            }
        }
        for p in &cx.app.permissions {
            if !is_public(p) {
                continue;
            }
            let func = p
                .function
                .as_deref()
                .and_then(|id| cx.app.functions.iter().find(|f| f.id == id));
            // Since October 2025 an open URL also needs `lambda:InvokeFunction` for `*`: that grant
            // belongs to the URL, which is reported once, above.
            if func.is_some_and(open_url) && is_url_companion(p) {
                continue;
            }
            let name = func.map_or(p.function_ref.as_str(), |f| f.name.as_str());
            let mut f = META
                .finding(
                    format!(
                        "{} lets any principal (`*`) call {} on {name} with no SourceArn, SourceAccount or PrincipalOrgID condition",
                        p.id.rsplit('#').next().unwrap_or(&p.id),
                        p.action.value
                    ),
                    p.principal.span,
                )
                .actions([p.action.value.clone()]);
            if let Some(func) = func {
                f = f
                    .function(&func.id)
                    .related(func.span, "function declared here");
            }
            out.push(f);
        }
    }
}

/// `*` (or an ARN-shaped `*`) with nothing narrowing who may use the grant.
pub(crate) fn is_public(p: &InvokePermission) -> bool {
    let principal = p.principal.value.trim();
    let any = principal == "*" || principal == "arn:aws:iam::*:root";
    any && p.source_arn.is_none() && p.source_account.is_none() && p.principal_org_id.is_none()
}

fn open_url(f: &Function) -> bool {
    f.config
        .url_auth
        .as_ref()
        .is_some_and(|a| a.value.eq_ignore_ascii_case("NONE"))
}

fn is_url_companion(p: &InvokePermission) -> bool {
    p.action
        .value
        .eq_ignore_ascii_case("lambda:InvokeFunctionUrl")
        || p.function_url_auth_type.is_some()
        || p.action.value.eq_ignore_ascii_case("lambda:InvokeFunction")
}
