//! `missing-invoke-permission`: a push trigger has no grant to invoke its function.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};
use crate::iam::{self, Match};
use crate::model::{EventKind, InvokePermission, Trigger};

/// ## What it finds
/// An S3 notification, SNS subscription, EventBridge rule target, API Gateway integration,
/// load balancer target group, log subscription, IoT rule or Cognito trigger that points at
/// a function, with no `lambda:InvokeFunction` grant for the service principal that would
/// match it (an `AWS::Lambda::Permission`, or one SAM generates for an event).
/// ## Why it matters
/// The service is refused when it invokes: events are dropped (S3 even refuses to save the
/// notification configuration), API calls return 500.
pub struct MissingInvokePermission;

static META: RuleMeta = RuleMeta {
    id: "missing-invoke-permission",
    severity: Severity::Error,
    summary: "A trigger (S3, SNS, EventBridge, API Gateway, ALB, …) cannot invoke the function: no matching `lambda:InvokeFunction` grant for its principal.",
    why: "Push triggers call Lambda with their service principal, which needs a grant in the \
          function's resource-based policy. Without it every event is refused.",
    example: "Rule:\n  Type: AWS::Events::Rule\n  Properties:\n    Targets:\n      - Id: fn\n        Arn: !GetAtt Fn.Arn   # and no AWS::Lambda::Permission for events.amazonaws.com",
    fix: "Add an `AWS::Lambda::Permission` with `Action: lambda:InvokeFunction`, the service \
          principal, and `SourceArn` set to the trigger's ARN (SAM `Events` do this for you).",
    label: "no permission to invoke",
};

/// The service principal each trigger kind invokes with (Lambda Developer Guide, the
/// "Invoking Lambda with events from other AWS services" pages). Scheduler and Pipes assume a
/// role instead, so they are not listed.
fn principal_of(kind: &EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::S3(_) => "s3.amazonaws.com",
        EventKind::Sns => "sns.amazonaws.com",
        EventKind::EventBridgeRule | EventKind::CloudWatchEvent | EventKind::Schedule => {
            "events.amazonaws.com"
        }
        EventKind::Api | EventKind::HttpApi | EventKind::WebSocket => "apigateway.amazonaws.com",
        EventKind::Alb => "elasticloadbalancing.amazonaws.com",
        EventKind::CloudWatchLogs => "logs.amazonaws.com",
        EventKind::IoTRule => "iot.amazonaws.com",
        EventKind::Cognito => "cognito-idp.amazonaws.com",
        EventKind::Ses => "ses.amazonaws.com",
        EventKind::CodeCommit => "codecommit.amazonaws.com",
        EventKind::AlexaSkill => "alexa-appkit.amazon.com",
        _ => return None,
    })
}

impl Rule for MissingInvokePermission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for t in &cx.app.triggers {
            let (Some(fid), Some(principal)) = (t.function.as_deref(), principal_of(&t.kind))
            else {
                continue;
            };
            let granted = cx
                .app
                .permissions
                .iter()
                .any(|p| p.function.as_deref() == Some(fid) && allows(p, principal, t));
            if granted {
                continue;
            }
            let Some(func) = cx.app.functions.iter().find(|f| f.id == fid) else {
                continue;
            };
            let source = t.source_ref.as_deref().unwrap_or(t.kind.name());
            out.push(
                META.finding(
                    format!(
                        "{} ({}) invokes {} as {principal}, but no lambda:InvokeFunction grant lets it{}",
                        source,
                        t.kind,
                        func.name,
                        if cx.app.permissions.iter().any(|p| p.function.as_deref() == Some(fid) && same_principal(p, principal)) {
                            " (the grants for that principal are scoped to other sources)"
                        } else {
                            ""
                        }
                    ),
                    t.span,
                )
                .function(&func.id)
                .actions(["lambda:InvokeFunction"])
                .resources([func.arn.clone()])
                .related(func.span, "function declared here"),
            );
        }
    }
}

fn same_principal(p: &InvokePermission, principal: &str) -> bool {
    let v = p.principal.value.trim();
    v == principal || v == "*"
}

/// The grant lets `principal` invoke for this trigger: right principal, an action covering
/// `lambda:InvokeFunction`, and a `SourceArn` (if any) that may be the trigger's source.
fn allows(p: &InvokePermission, principal: &str, t: &Trigger) -> bool {
    if !same_principal(p, principal)
        || !iam::action_matches(&p.action.value, "lambda:InvokeFunction")
    {
        return false;
    }
    match (&p.source_arn, &t.source_arn) {
        (Some(granted), Some(source)) => {
            iam::resource_matches(&granted.value, &source.value) != Match::No
        }
        _ => true,
    }
}
