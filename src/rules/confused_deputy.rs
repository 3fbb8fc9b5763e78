//! `confused-deputy`: a service may invoke the function on behalf of anyone's resource.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// A grant to an AWS service principal (`s3.amazonaws.com`, `events.amazonaws.com`, ...) with
/// neither `SourceArn` nor `SourceAccount` (nor an organization condition).
/// ## Why it matters
/// The service acts for every customer. Without a source condition, a bucket or rule in
/// someone else's account can make the service invoke your function (the confused deputy
/// problem, IAM User Guide).
pub struct ConfusedDeputy;

static META: RuleMeta = RuleMeta {
    id: "confused-deputy",
    severity: Severity::Warning,
    summary: "A service principal may invoke without `SourceArn`/`SourceAccount` conditions.",
    why: "Services such as S3, SNS and EventBridge invoke functions for all their customers. \
          A grant to the service with no source condition lets resources in other accounts \
          trigger the function through the service.",
    example: "Permission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    Action: lambda:InvokeFunction\n    FunctionName: !Ref Fn\n    Principal: s3.amazonaws.com",
    fix: "Add `SourceArn` (the bucket, rule or topic ARN) and, for S3, `SourceAccount: !Ref AWS::AccountId`.",
    label: "service principal without a source condition",
};

impl Rule for ConfusedDeputy {
    fn meta(&self) -> &'static RuleMeta {
        &META
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
