//! `missing-invoke-permission`: a push trigger has no grant to invoke its function.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam::{self, Match};
use crate::model::{EventKind, InvokePermission, Trigger};

/// What it detects, in detail; what users read about it is [`catalog::MISSING_INVOKE_PERMISSION`].
///
/// An S3 notification, SNS subscription, EventBridge rule target, API Gateway integration,
/// load balancer target group, log subscription, IoT rule or Cognito trigger that points at
/// a function, with no `lambda:InvokeFunction` grant for the service principal that would
/// match it (an `AWS::Lambda::Permission`, or one SAM generates for an event).
pub struct MissingInvokePermission;

static META: &RuleDoc = &catalog::MISSING_INVOKE_PERMISSION;

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
    fn meta(&self) -> &'static RuleDoc {
        META
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
