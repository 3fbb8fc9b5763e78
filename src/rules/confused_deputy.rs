//! `confused-deputy`: a service may invoke the function on behalf of anyone's resource.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::CONFUSED_DEPUTY`].
///
/// A grant to an AWS service principal (`s3.amazonaws.com`, `events.amazonaws.com`, ...) with
/// neither `SourceArn` nor `SourceAccount` (nor an organization condition).
pub struct ConfusedDeputy;

static META: &RuleDoc = &catalog::CONFUSED_DEPUTY;

impl Rule for ConfusedDeputy {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for p in &cx.app.permissions {
            let principal = p.principal.value.trim();
            let service =
                principal.ends_with(".amazonaws.com") || principal.ends_with(".amazon.com");
            if !service || principal == "lambda.amazonaws.com" {
                continue;
            }
            if p.source_arn.is_some()
                || p.source_account.is_some()
                || p.principal_org_id.is_some()
                || p.event_source_token
            {
                continue;
            }
            let func = p
                .function
                .as_deref()
                .and_then(|id| cx.app.functions.iter().find(|f| f.id == id));
            let name = func.map_or(p.function_ref.as_str(), |f| f.name.as_str());
            let mut f = META
                .finding(
                    format!(
                        "{principal} may invoke {name} for any account's resources: the grant has no SourceArn or SourceAccount"
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
