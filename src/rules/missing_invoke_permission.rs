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

/// The service principal each trigger kind invokes with. Scheduler and Pipes assume a role
/// instead, so they are not listed. Sources, by kind:
/// - S3, SNS, EventBridge, API Gateway, ALB, CloudWatch Logs, IoT rules, Cognito, SES,
///   CodeCommit, Alexa: the Lambda Developer Guide, "Invoking Lambda with events from other AWS
///   services" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html) and each
///   service's page under it; Alexa's principal is `alexa-appkit.amazon.com`
///   (https://docs.aws.amazon.com/lambda/latest/dg/services-alexa.html).
/// - API Gateway Lambda authorizers, REST and HTTP APIs: "Use API Gateway Lambda authorizers"
///   (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)
///   and "Control access to HTTP APIs with AWS Lambda authorizers"
///   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html):
///   `apigateway.amazonaws.com`, source `arn:aws:execute-api:<region>:<account>:<api>/authorizers/<id>`.
/// - IoT custom authorizers: "Authorizing AWS IoT to invoke your Lambda function"
///   (https://docs.aws.amazon.com/iot/latest/developerguide/custom-auth-authorize.html).
/// - Lex V2 code hooks: "Attach an AWS Lambda function to an Amazon Lex V2 bot using API
///   operations" (https://docs.aws.amazon.com/lexv2/latest/dg/lambda-attach-api.html), the hook
///   being the bot alias's `lambdaCodeHook`: `lexv2.amazonaws.com`, source the bot alias ARN.
/// - Config custom Lambda rules: "Custom Lambda Rules (General Example)"
///   (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html).
/// - CloudWatch alarm actions: "Invoke a Lambda function from an alarm"
///   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html).
fn principal_of(kind: &EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::S3(_) => "s3.amazonaws.com",
        EventKind::Sns => "sns.amazonaws.com",
        EventKind::EventBridgeRule | EventKind::CloudWatchEvent | EventKind::Schedule => {
            "events.amazonaws.com"
        }
        EventKind::Api
        | EventKind::HttpApi
        | EventKind::WebSocket
        | EventKind::ApiAuthorizer
        | EventKind::HttpApiAuthorizer => "apigateway.amazonaws.com",
        EventKind::Alb => "elasticloadbalancing.amazonaws.com",
        EventKind::CloudWatchLogs => "logs.amazonaws.com",
        EventKind::IoTRule | EventKind::IoTAuthorizer => "iot.amazonaws.com",
        EventKind::Cognito => "cognito-idp.amazonaws.com",
        EventKind::Ses => "ses.amazonaws.com",
        EventKind::CodeCommit => "codecommit.amazonaws.com",
        EventKind::AlexaSkill => "alexa-appkit.amazon.com",
        EventKind::Lex => "lexv2.amazonaws.com",
        EventKind::ConfigRule => "config.amazonaws.com",
        EventKind::CloudWatchAlarm => "lambda.alarms.cloudwatch.amazonaws.com",
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
            // Invoked with a role the service assumes, not through the function's policy.
            if t.invoke_role.is_some() {
                continue;
            }
            let grants: Vec<&InvokePermission> = cx
                .app
                .permissions
                .iter()
                .filter(|p| p.function.as_deref() == Some(fid))
                .collect();
            if grants
                .iter()
                .any(|p| allows(p, principal, t) && same_qualifier(p, t))
            {
                continue;
            }
            let Some(func) = cx.app.functions.iter().find(|f| f.id == fid) else {
                continue;
            };
            let source = t.source_ref.as_deref().unwrap_or(t.kind.name());
            let target = match &t.qualifier {
                Some(q) => format!("{}:{q}", func.name),
                None => func.name.clone(),
            };
            // Why the grants there are do not do: another qualifier, or other sources.
            let elsewhere: Vec<String> = grants
                .iter()
                .filter(|p| allows(p, principal, t) && !same_qualifier(p, t))
                .map(|p| match &p.qualifier {
                    Some(q) => format!("`{q}`"),
                    None => "the unqualified function".to_string(),
                })
                .collect();
            let why = if let Some(first) = elsewhere.first() {
                format!(
                    ": a grant applies only to the qualifier it names, and the {principal} grant is on {first}"
                )
            } else if grants.iter().any(|p| same_principal(p, principal)) {
                " (the grants for that principal are scoped to other sources)".to_string()
            } else {
                String::new()
            };
            let resource = match &t.qualifier {
                Some(q) => format!("{}:{q}", func.arn),
                None => func.arn.clone(),
            };
            out.push(
                META.finding(
                    format!(
                        "{source} ({}) invokes {target} as {principal}, but no lambda:InvokeFunction grant lets it{why}",
                        t.kind,
                    ),
                    t.span,
                )
                .function(&func.id)
                .actions(["lambda:InvokeFunction"])
                .resources([resource])
                .related(func.span, "function declared here"),
            );
        }
    }
}

/// A grant applies to the version or alias it names only, and a grant on the function to the
/// unqualified ARN only: "If the qualifier is not specified, the permission is valid only when
/// requests is made using unqualified function ARN" (Lambda API Reference, `AddPermission`,
/// `Qualifier`, https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html; also
/// "Using Lambda aliases in event sources and permissions policies", "Resource policies",
/// https://docs.aws.amazon.com/lambda/latest/dg/using-aliases.html). A qualifier known only at
/// deploy time (`${...}`) may be either, and is not reported.
fn same_qualifier(p: &InvokePermission, t: &Trigger) -> bool {
    let unknown = |q: &str| q.contains("${");
    match (p.qualifier.as_deref(), t.qualifier.as_deref()) {
        (None, None) => true,
        (Some(g), Some(q)) => {
            g == q || unknown(g) || unknown(q) || iam::resource_matches(g, q) == Match::Yes
        }
        (Some(q), None) | (None, Some(q)) => unknown(q),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Span, Spanned};

    fn grant(qualifier: Option<&str>) -> InvokePermission {
        let s = |v: &str| Spanned::new(v.to_string(), Span::default());
        InvokePermission {
            id: "p".into(),
            span: Span::default(),
            function: Some("f".into()),
            function_ref: "f".into(),
            qualifier: qualifier.map(str::to_string),
            action: s("lambda:InvokeFunction"),
            principal: s("s3.amazonaws.com"),
            source_arn: None,
            source_account: None,
            principal_org_id: None,
            function_url_auth_type: None,
            event_source_token: false,
            generated: false,
        }
    }

    fn trigger(qualifier: Option<&str>) -> Trigger {
        Trigger {
            id: "t".into(),
            kind: EventKind::S3(Default::default()),
            span: Span::default(),
            function: Some("f".into()),
            function_ref: "f".into(),
            qualifier: qualifier.map(str::to_string),
            invoke_role: None,
            source_arn: None,
            source_ref: None,
        }
    }

    #[test]
    fn a_grant_covers_its_own_qualifier_only() {
        assert!(same_qualifier(&grant(None), &trigger(None)));
        assert!(same_qualifier(&grant(Some("live")), &trigger(Some("live"))));
        assert!(!same_qualifier(&grant(None), &trigger(Some("live"))));
        assert!(!same_qualifier(&grant(Some("live")), &trigger(None)));
        assert!(!same_qualifier(
            &grant(Some("live")),
            &trigger(Some("beta"))
        ));
        // Known only at deploy time: either may be meant.
        assert!(same_qualifier(
            &grant(None),
            &trigger(Some("${Fn.Version}"))
        ));
        assert!(same_qualifier(
            &grant(Some("${Alias}")),
            &trigger(Some("live"))
        ));
    }

    #[test]
    fn every_easy_to_forget_trigger_has_its_principal() {
        for (kind, principal) in [
            (EventKind::ApiAuthorizer, "apigateway.amazonaws.com"),
            (EventKind::HttpApiAuthorizer, "apigateway.amazonaws.com"),
            (EventKind::IoTAuthorizer, "iot.amazonaws.com"),
            (EventKind::Lex, "lexv2.amazonaws.com"),
            (EventKind::ConfigRule, "config.amazonaws.com"),
            (
                EventKind::CloudWatchAlarm,
                "lambda.alarms.cloudwatch.amazonaws.com",
            ),
            (EventKind::Cognito, "cognito-idp.amazonaws.com"),
            (EventKind::Ses, "ses.amazonaws.com"),
            (EventKind::AlexaSkill, "alexa-appkit.amazon.com"),
        ] {
            assert_eq!(principal_of(&kind), Some(principal), "{kind}");
        }
    }
}
