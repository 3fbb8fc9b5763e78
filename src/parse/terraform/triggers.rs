//! What connects to a function apart from it: `aws_lambda_event_source_mapping`,
//! `aws_lambda_permission`, `aws_s3_bucket_notification`, `aws_sns_topic_subscription`,
//! `aws_cloudwatch_event_target`, `aws_lambda_function_url`,
//! `aws_lambda_function_event_invoke_config`, API Gateway Lambda integrations, and the triggers
//! that are easy to forget: API Gateway and IoT authorizers, Cognito user pool triggers, Config custom rules, SES
//! receipt rules and CloudWatch alarm actions.

use hcl_edit::expr::Expression;

use super::eval::Eval;
use super::refs::{self, arg, target, text};
use crate::arn::Arn;
use crate::model::{
    self, Destination, Event, EventKind, InvokePermission, KeyRule, Poll, S3Notification, Trigger,
};
use crate::source::{SourceFile, Spanned};

/// The function a `function_name`/`endpoint`/`arn` argument names: `(id, raw text)`.
fn function_of(
    ev: &Eval,
    app: &model::App,
    file: &SourceFile,
    e: &Expression,
) -> (Option<String>, String) {
    let (function, raw, _) = invoked(ev, app, file, e);
    (function, raw)
}

/// The function an argument names, its raw text and the version or alias it names: an
/// `aws_lambda_alias` (its `name`), or the qualifier of a qualified ARN
/// (`...:function:f:live`, `qualified_arn`).
fn invoked(
    ev: &Eval,
    app: &model::App,
    file: &SourceFile,
    e: &Expression,
) -> (Option<String>, String, Option<String>) {
    let raw = ev.text(file, e);
    let inner = unwrap_uri(&raw);
    if let Some(addr) = target(ev, file, e)
        && let Some(d) = ev.decl(&addr)
    {
        if d.kind == "aws_lambda_function" {
            return (
                Some(ev.function_id(d, &addr)),
                raw.clone(),
                qualifier_of(inner),
            );
        }
        if d.kind == "aws_lambda_alias"
            && let Some(fe) = arg(&d.block.body, &["function_name"])
        {
            let (function, _, _) = invoked(ev, app, d.file, fe);
            let alias = text(ev, d.file, &d.block.body, &["name"]).map(|n| n.value);
            return (function, raw, alias);
        }
    }
    // By name or ARN (module outputs and literal names).
    let bare = function_name(inner).unwrap_or(inner);
    let found = app
        .functions
        .iter()
        .find(|f| f.arn == inner || function_name(&f.arn) == Some(bare))
        .map(|f| f.id.clone());
    let qualifier = qualifier_of(inner);
    (found, raw, qualifier)
}

/// The function ARN inside an API Gateway integration or authorizer URI (`invoke_arn`:
/// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`),
/// or the text itself.
fn unwrap_uri(raw: &str) -> &str {
    raw.split_once(":lambda:path/")
        .and_then(|(_, path)| path.split_once("/functions/"))
        .map(|(_, rest)| rest.strip_suffix("/invocations").unwrap_or(rest))
        .unwrap_or(raw)
}

/// The qualifier of a Lambda function ARN (`live` in `...:function:f:live`).
fn qualifier_of(arn: &str) -> Option<String> {
    let arn = Arn::parse(arn).ok()?;
    if arn.service()?.as_str() != "lambda" {
        return None;
    }
    arn.function()?.1.map(|q| q.to_string())
}

/// The function name of a Lambda function ARN (`f` in `...:function:f` and `...:function:f:live`);
/// placeholders in it stay whole.
fn function_name(arn: &str) -> Option<&str> {
    let arn = Arn::parse(arn).ok()?;
    if arn.service()?.as_str() != "lambda" {
        return None;
    }
    Some(arn.function()?.0.as_str())
}

fn with_function(app: &mut model::App, fid: Option<&str>, f: impl FnOnce(&mut model::Function)) {
    if let Some(x) = fid.and_then(|fid| app.functions.iter_mut().find(|x| x.id == fid)) {
        f(x);
    }
}

pub fn lower(ev: &Eval, app: &mut model::App) {
    for r in ev.resources() {
        let (addr, d) = (&r.addr, r.d);
        let _each = ev.bind(r.each.clone());
        let b = &d.block.body;
        let f = d.file;
        let fn_arg = |name: &str| arg(b, &[name]);
        match d.kind.as_str() {
            "aws_lambda_event_source_mapping" => {
                let Some(fe) = fn_arg("function_name") else {
                    continue;
                };
                let (fid, _) = function_of(ev, app, f, fe);
                let source_arn = text(ev, f, b, &["event_source_arn"]);
                let source_ref = arg(b, &["event_source_arn"])
                    .and_then(|e| target(ev, f, e))
                    .map(|a| ev.display(&a));
                let enabled = refs::node(ev, f, b, &["enabled"])
                    .and_then(|n| n.as_bool())
                    .unwrap_or(true);
                let dest = text(
                    ev,
                    f,
                    b,
                    &["destination_config", "on_failure", "destination_arn"],
                );
                // The on-failure destination is the function's (below); access configurations
                // and self-managed sources are not read from Terraform.
                let event = Event {
                    name: addr.to_string(),
                    kind: EventKind::Mapping {
                        poll: Poll::default(),
                        self_managed: false,
                    },
                    span: d.span,
                    source_arn,
                    source_ref,
                    enabled,
                };
                with_function(app, fid.as_deref(), |x| {
                    x.events.push(event);
                    if let Some(arn) = dest {
                        x.config.destinations.push(Destination {
                            condition: "OnFailure".into(),
                            arn,
                        });
                    }
                });
            }
            "aws_lambda_permission" => {
                let Some(fe) = fn_arg("function_name") else {
                    continue;
                };
                let (function, function_ref, named) = invoked(ev, app, f, fe);
                let (Some(action), Some(principal)) =
                    (text(ev, f, b, &["action"]), text(ev, f, b, &["principal"]))
                else {
                    ev.m.issue(d.span, format!("`{addr}` has no `action` or `principal`"));
                    continue;
                };
                app.permissions.push(InvokePermission {
                    id: ev.id(f, addr),
                    span: d.span,
                    function,
                    function_ref,
                    qualifier: text(ev, f, b, &["qualifier"]).map(|q| q.value).or(named),
                    action,
                    principal,
                    source_arn: text(ev, f, b, &["source_arn"]),
                    source_account: text(ev, f, b, &["source_account"]),
                    principal_org_id: text(ev, f, b, &["principal_org_id"]),
                    function_url_auth_type: text(ev, f, b, &["function_url_auth_type"]),
                    event_source_token: false,
                    generated: false,
                });
            }
            "aws_s3_bucket_notification" => {
                let bucket = arg(b, &["bucket"]);
                let target_addr = bucket.and_then(|e| target(ev, f, e));
                let source_ref = target_addr.as_ref().map(|a| ev.display(a));
                let source_arn = match (&target_addr, bucket) {
                    (Some(r), _) => ev.arn(r).map(|a| Spanned::new(a, d.span)),
                    (None, Some(e)) => {
                        let n = ev.expr(f, e);
                        n.scalar_text()
                            .map(|s| Spanned::new(format!("arn:aws:s3:::{s}"), n.span))
                    }
                    _ => None,
                };
                for (i, lf) in b.get_blocks("lambda_function").enumerate() {
                    let Some(fe) = arg(&lf.body, &["lambda_function_arn"]) else {
                        continue;
                    };
                    let (function, function_ref, qualifier) = invoked(ev, app, f, fe);
                    let span = super::module::span_of(f, &lf.ident);
                    app.triggers.push(Trigger {
                        id: format!("{}[{i}]", ev.id(f, addr)),
                        kind: EventKind::S3(s3_notification(ev, f, &lf.body)),
                        span,
                        function,
                        function_ref,
                        qualifier,
                        invoke_role: None,
                        source_arn: source_arn.clone(),
                        source_ref: source_ref.clone(),
                    });
                }
            }
            "aws_sns_topic_subscription" => {
                if text(ev, f, b, &["protocol"]).map(|p| p.value).as_deref() != Some("lambda") {
                    continue;
                }
                let Some(fe) = fn_arg("endpoint") else {
                    continue;
                };
                let (function, function_ref, qualifier) = invoked(ev, app, f, fe);
                app.triggers.push(Trigger {
                    id: ev.id(f, addr),
                    kind: EventKind::Sns,
                    span: d.span,
                    function,
                    function_ref,
                    qualifier,
                    invoke_role: None,
                    source_arn: text(ev, f, b, &["topic_arn"]),
                    source_ref: arg(b, &["topic_arn"])
                        .and_then(|e| target(ev, f, e))
                        .map(|a| ev.display(&a)),
                });
            }
            "aws_cloudwatch_event_target" => {
                let Some(fe) = fn_arg("arn") else { continue };
                let (function, function_ref, qualifier) = invoked(ev, app, f, fe);
                if function.is_none() && !function_ref.contains(":lambda:") {
                    continue;
                }
                let rule = arg(b, &["rule"]).and_then(|e| target(ev, f, e));
                app.triggers.push(Trigger {
                    id: ev.id(f, addr),
                    kind: EventKind::EventBridgeRule,
                    span: d.span,
                    function,
                    function_ref,
                    qualifier,
                    invoke_role: None,
                    source_arn: rule
                        .as_ref()
                        .and_then(|r| ev.arn(r))
                        .map(|a| Spanned::new(a, d.span)),
                    source_ref: rule.map(|r| ev.display(&r)),
                });
            }
            "aws_lambda_function_url" => {
                let Some(fe) = fn_arg("function_name") else {
                    continue;
                };
                let (fid, _) = function_of(ev, app, f, fe);
                let auth = text(ev, f, b, &["authorization_type"]);
                with_function(app, fid.as_deref(), |x| x.config.url_auth = auth);
            }
            "aws_lambda_function_event_invoke_config" => {
                let Some(fe) = fn_arg("function_name") else {
                    continue;
                };
                let (fid, _) = function_of(ev, app, f, fe);
                let mut dests = Vec::new();
                for (block, condition) in [("on_success", "OnSuccess"), ("on_failure", "OnFailure")]
                {
                    if let Some(arn) = text(ev, f, b, &["destination_config", block, "destination"])
                    {
                        dests.push(Destination {
                            condition: condition.into(),
                            arn,
                        });
                    }
                }
                with_function(app, fid.as_deref(), |x| x.config.destinations.extend(dests));
            }
            // Lambda integrations; like `AWS::ApiGateway::Method` in CloudFormation, any grant to
            // API Gateway on the function lets them (the route is not read).
            "aws_api_gateway_integration" | "aws_apigatewayv2_integration" => {
                let (kind, uri, role) = if d.kind == "aws_api_gateway_integration" {
                    (EventKind::Api, "uri", "credentials")
                } else {
                    (EventKind::HttpApi, "integration_uri", "credentials_arn")
                };
                let Some(fe) = fn_arg(uri) else {
                    continue;
                };
                Push {
                    id: ev.id(f, addr),
                    kind,
                    span: d.span,
                    source_arn: None,
                    source_ref: Some(ev.display(addr)),
                    invoke_role: text(ev, f, b, &[role])
                        .map(|r| r.value)
                        .filter(|r| !r.contains(":user/")),
                    lambda_only: true,
                }
                .to(ev, app, f, fe);
            }
            // TOKEN and REQUEST authorizers call a function; COGNITO_USER_POOLS and JWT ones
            // have no URI.
            "aws_api_gateway_authorizer" | "aws_apigatewayv2_authorizer" => {
                let Some(fe) = fn_arg("authorizer_uri") else {
                    continue;
                };
                let (kind, api, role) = if d.kind == "aws_api_gateway_authorizer" {
                    (
                        EventKind::ApiAuthorizer,
                        "rest_api_id",
                        "authorizer_credentials",
                    )
                } else {
                    (
                        EventKind::HttpApiAuthorizer,
                        "api_id",
                        "authorizer_credentials_arn",
                    )
                };
                let source = text(ev, f, b, &[api]).map(|a| {
                    Spanned::new(
                        format!(
                            "arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:{}/authorizers/${{{}}}",
                            a.value,
                            ev.display(addr)
                        ),
                        a.span,
                    )
                });
                let push = Push {
                    id: ev.id(f, addr),
                    kind,
                    span: d.span,
                    source_arn: source,
                    source_ref: Some(ev.display(addr)),
                    invoke_role: text(ev, f, b, &[role])
                        .map(|r| r.value)
                        .filter(|r| !r.contains(":user/")),
                    lambda_only: true,
                };
                push.to(ev, app, f, fe);
            }
            "aws_iot_authorizer" => {
                let Some(fe) = fn_arg("authorizer_function_arn") else {
                    continue;
                };
                let name = ev.name(addr);
                Push {
                    id: ev.id(f, addr),
                    kind: EventKind::IoTAuthorizer,
                    span: d.span,
                    source_arn: Some(Spanned::new(
                        format!(
                            "arn:aws:iot:${{AWS::Region}}:${{AWS::AccountId}}:authorizer/{name}"
                        ),
                        d.span,
                    )),
                    source_ref: Some(ev.display(addr)),
                    invoke_role: None,
                    lambda_only: false,
                }
                .to(ev, app, f, fe);
            }
            "aws_cognito_user_pool" => {
                let Some(lc) = b.get_blocks("lambda_config").next() else {
                    continue;
                };
                let pool = ev.arn(addr).map(|a| Spanned::new(a, d.span));
                // Every trigger is a function ARN; the custom senders nest it in `lambda_arn`.
                let mut hooks: Vec<&Expression> = lc
                    .body
                    .attributes()
                    .filter(|a| a.key.as_str() != "kms_key_id")
                    .map(|a| &a.value)
                    .collect();
                for nested in lc.body.blocks() {
                    hooks.extend(arg(&nested.body, &["lambda_arn"]));
                }
                for (i, fe) in hooks.into_iter().enumerate() {
                    Push {
                        id: format!("{}[{i}]", ev.id(f, addr)),
                        kind: EventKind::Cognito,
                        span: super::module::span_of(f, &lc.ident),
                        source_arn: pool.clone(),
                        source_ref: Some(ev.display(addr)),
                        invoke_role: None,
                        lambda_only: true,
                    }
                    .to(ev, app, f, fe);
                }
            }
            "aws_config_config_rule" => {
                let owner = text(ev, f, b, &["source", "owner"]).map(|o| o.value);
                let Some(fe) = arg(b, &["source", "source_identifier"]) else {
                    continue;
                };
                if owner.as_deref() != Some("CUSTOM_LAMBDA") {
                    continue;
                }
                Push {
                    id: ev.id(f, addr),
                    kind: EventKind::ConfigRule,
                    span: d.span,
                    source_arn: ev.arn(addr).map(|a| Spanned::new(a, d.span)),
                    source_ref: Some(ev.display(addr)),
                    invoke_role: None,
                    lambda_only: false,
                }
                .to(ev, app, f, fe);
            }
            "aws_ses_receipt_rule" => {
                for (i, la) in b.get_blocks("lambda_action").enumerate() {
                    let Some(fe) = arg(&la.body, &["function_arn"]) else {
                        continue;
                    };
                    Push {
                        id: format!("{}[{i}]", ev.id(f, addr)),
                        kind: EventKind::Ses,
                        span: super::module::span_of(f, &la.ident),
                        source_arn: None,
                        source_ref: Some(ev.display(addr)),
                        invoke_role: None,
                        lambda_only: false,
                    }
                    .to(ev, app, f, fe);
                }
            }
            "aws_cloudwatch_metric_alarm" | "aws_cloudwatch_composite_alarm" => {
                let name =
                    text(ev, f, b, &["alarm_name"]).map_or_else(|| ev.name(addr), |n| n.value);
                let source = Spanned::new(
                    format!("arn:aws:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{name}"),
                    d.span,
                );
                let mut i = 0;
                for list in ["alarm_actions", "ok_actions", "insufficient_data_actions"] {
                    let Some(Expression::Array(items)) = arg(b, &[list]) else {
                        continue;
                    };
                    for fe in items.iter() {
                        Push {
                            id: format!("{}[{i}]", ev.id(f, addr)),
                            kind: EventKind::CloudWatchAlarm,
                            span: d.span,
                            source_arn: Some(source.clone()),
                            source_ref: Some(ev.display(addr)),
                            invoke_role: None,
                            lambda_only: true,
                        }
                        .to(ev, app, f, fe);
                        i += 1;
                    }
                }
            }
            _ => {}
        }
    }
}

/// A push trigger read from a Terraform resource, pushed once its function is resolved.
struct Push {
    id: String,
    kind: EventKind,
    span: crate::source::Span,
    source_arn: Option<Spanned<String>>,
    source_ref: Option<String>,
    invoke_role: Option<String>,
    /// The argument may name other targets (topics, queues): keep it only when it names a
    /// function.
    lambda_only: bool,
}

impl Push {
    fn to(self, ev: &Eval, app: &mut model::App, file: &SourceFile, e: &Expression) {
        let (function, function_ref, qualifier) = invoked(ev, app, file, e);
        if self.lambda_only && function.is_none() && !function_ref.contains(":function:") {
            return;
        }
        app.triggers.push(Trigger {
            id: self.id,
            kind: self.kind,
            span: self.span,
            function,
            function_ref,
            qualifier,
            invoke_role: self.invoke_role,
            source_arn: self.source_arn,
            source_ref: self.source_ref,
        });
    }
}

/// A `lambda_function` block's object key filter (`filter_prefix`, `filter_suffix`).
fn s3_notification(ev: &Eval, f: &SourceFile, b: &hcl_edit::structure::Body) -> S3Notification {
    let key_filter = [("filter_prefix", "prefix"), ("filter_suffix", "suffix")]
        .into_iter()
        .filter_map(|(arg_name, rule)| {
            let v = text(ev, f, b, &[arg_name])?;
            Some(KeyRule {
                name: rule.to_string(),
                value: v.value,
            })
        })
        .collect();
    S3Notification { key_filter }
}

#[cfg(test)]
mod tests {
    use super::function_name;

    #[test]
    fn function_names_keep_their_placeholders_whole() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            Some("f")
        );
        assert_eq!(
            function_name(
                "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-f"
            ),
            Some("${AWS::StackName}-f")
        );
        assert_eq!(function_name("arn:aws:sqs:us-east-1:123456789012:q"), None);
        assert_eq!(function_name("orders"), None);
    }
}
