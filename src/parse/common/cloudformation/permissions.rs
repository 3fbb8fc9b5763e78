//! Resource-based grants, event source mappings, invoke configs, function URLs and the
//! push triggers declared apart from the function (bucket notifications, subscriptions,
//! rule targets, API integrations, target groups, IoT rules, Cognito triggers).

use super::events::s3_notification;
use super::id;
use super::intrinsics::Template;
use crate::arn::{Arn, Part};
use crate::model::{
    App, Event, EventKind, InvokePermission, Origin, Poll, S3Notification, Trigger,
};
use crate::parse::common::poll_of;
use crate::parse::common::{destinations_of, resources, sp};
use crate::source::Spanned;
use crate::syntax::node::Node;

/// A function reference resolved against the template's functions.
struct Target {
    function: Option<String>,
    raw: String,
    qualifier: Option<String>,
}

fn is_function(kind: Option<&str>) -> bool {
    matches!(
        kind,
        Some("AWS::Serverless::Function" | "AWS::Lambda::Function")
    )
}

/// The function ARN inside an API Gateway integration or authorizer URI
/// (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`),
/// or the text itself.
fn unwrap_uri(raw: &str) -> &str {
    raw.split_once(":lambda:path/")
        .and_then(|(_, path)| path.split_once("/functions/"))
        .map(|(_, rest)| rest.strip_suffix("/invocations").unwrap_or(rest))
        .unwrap_or(raw)
}

/// The version or alias a function name or ARN names (`live` in `f:live` and
/// `arn:...:function:f:live`), after the first `:` outside `${...}` for names.
fn qualifier_in(raw: &str) -> Option<String> {
    match Arn::parse(raw) {
        Ok(arn) => arn.function().and_then(|(_, q)| q.map(|q| q.to_string())),
        Err(_) => Part::new(raw)
            .split_once(&[':'])
            .map(|(_, q)| q.to_string()),
    }
}

/// Resolves a `FunctionName`/`Arn`/`Endpoint` value to a template function.
fn target(t: &Template, app: &App, n: &Node) -> Target {
    let raw = t.text(n).unwrap_or_default();
    let inner = unwrap_uri(&raw);
    if let Some(rid) = t.refers_to(n) {
        let kind = t.kind_of(&rid);
        if is_function(kind) {
            return Target {
                function: Some(id(t.file, &rid)),
                qualifier: qualifier_in(inner),
                raw,
            };
        }
        if matches!(kind, Some("AWS::Lambda::Alias" | "AWS::Lambda::Version")) {
            let props = t.resources.get(&rid).and_then(|d| d.props());
            let inner = props.and_then(|p| p.get("FunctionName"));
            let qualifier = if kind == Some("AWS::Lambda::Alias") {
                props.and_then(|p| p.get("Name")).and_then(|q| t.text(q))
            } else {
                Some(format!("${{{rid}.Version}}"))
            };
            if let Some(inner) = inner {
                let mut tg = target(t, app, inner);
                tg.raw = raw;
                tg.qualifier = qualifier;
                return tg;
            }
            // The alias SAM generates for `AutoPublishAlias`: `<Function>Alias<alias>`.
            if let Some(tg) = sam_alias(t, &rid) {
                return Target { raw, ..tg };
            }
        }
    }
    // SAM's `${Function.Alias}` / `${Function.Version}` when the alias name is not known here.
    if let Some(inner) = raw.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
        && let Some((res, attr)) = inner.split_once('.')
        && matches!(attr, "Alias" | "Version")
        && is_function(t.kind_of(res))
    {
        return Target {
            function: Some(id(t.file, res)),
            qualifier: Some(raw.clone()),
            raw,
        };
    }
    // A name or ARN written out: `name`, `name:alias`, `arn:...:function:name[:alias]`; the
    // qualifier follows the first `:` outside `${...}` (`${AWS::StackName}-fn:live`).
    let name_and_qualifier = |p: Part<'_>| match p.split_once(&[':']) {
        Some((n, q)) => (n.to_string(), Some(q.to_string())),
        None => (p.to_string(), None),
    };
    let (name, qualifier) = match Arn::parse(inner) {
        Ok(arn) => match arn.function() {
            Some((name, qualifier)) => (name.to_string(), qualifier.map(|q| q.to_string())),
            None => (inner.to_string(), None),
        },
        Err(_) => name_and_qualifier(Part::new(inner)),
    };
    let want = resources::function_arn_of(&name);
    let function = app
        .functions
        .iter()
        .find(|f| f.arn == want || f.arn == inner)
        .map(|f| f.id.clone());
    Target {
        function,
        raw,
        qualifier,
    }
}

/// The function and alias of an alias SAM generates for a function's `AutoPublishAlias`
/// (logical id `<Function>Alias<alias>`, "AutoPublishAlias" in the SAM developer guide's
/// `AWS::Serverless::Function` page).
fn sam_alias(t: &Template, rid: &str) -> Option<Target> {
    rid.match_indices("Alias").find_map(|(i, _)| {
        let function = &rid[..i];
        if t.kind_of(function) != Some("AWS::Serverless::Function") {
            return None;
        }
        let alias = t
            .resources
            .get(function)
            .and_then(|d| d.props())
            .and_then(|p| p.get("AutoPublishAlias"))
            .and_then(|a| t.text(a))
            .unwrap_or_else(|| rid[i + "Alias".len()..].to_string());
        Some(Target {
            function: Some(id(t.file, function)),
            raw: String::new(),
            qualifier: Some(alias),
        })
    })
}

/// Lowers permissions, mappings, invoke configs, URLs and triggers.
pub fn lower(t: &Template, _origin: Origin, app: &mut App) {
    for (logical, decl) in &t.resources {
        let Some(p) = decl.props().filter(|p| p.is_map()) else {
            continue;
        };
        let span = decl.key.span;
        match decl.kind.as_str() {
            "AWS::Lambda::Permission" => {
                let Some(f) = p.get("FunctionName") else {
                    t.issue(
                        span,
                        format!("permission `{logical}` has no `FunctionName`"),
                    );
                    continue;
                };
                let tg = target(t, app, f);
                let Some(action) = p.get("Action").and_then(|n| t.spanned(n)) else {
                    t.issue(span, format!("permission `{logical}` has no `Action`"));
                    continue;
                };
                let Some(principal) = p.get("Principal").and_then(|n| t.spanned(n)) else {
                    t.issue(span, format!("permission `{logical}` has no `Principal`"));
                    continue;
                };
                let get = |k: &str| p.get(k).and_then(|n| t.spanned(n));
                let qualifier = tg.qualifier.clone();
                app.permissions.push(InvokePermission {
                    id: id(t.file, logical),
                    span,
                    function: tg.function,
                    function_ref: tg.raw,
                    qualifier,
                    action,
                    principal,
                    source_arn: get("SourceArn"),
                    source_account: get("SourceAccount"),
                    principal_org_id: get("PrincipalOrgID"),
                    function_url_auth_type: get("FunctionUrlAuthType"),
                    // Alexa grants are scoped by the skill id, kept for `confused-deputy`
                    // (resolved for the problems it shows).
                    event_source_token: p.get("EventSourceToken").map(|v| t.resolve(v)).is_some(),
                    generated: false,
                });
            }
            "AWS::Lambda::EventSourceMapping" => {
                let Some(f) = p.get("FunctionName") else {
                    continue;
                };
                let tg = target(t, app, f);
                let r = t.resolve(p);
                let src = p.get("EventSourceArn");
                let ev = Event {
                    name: logical.clone(),
                    kind: EventKind::Mapping {
                        poll: poll_of(Some(&r)),
                        self_managed: r.get("SelfManagedEventSource").is_some(),
                    },
                    span,
                    source_arn: src.and_then(|s| t.spanned(s)),
                    source_ref: src.and_then(|s| t.refers_to(s)),
                    enabled: r.get("Enabled").and_then(Node::as_bool) != Some(false),
                };
                with_function(app, tg.function.as_deref(), |f| f.events.push(ev));
            }
            "AWS::Lambda::EventInvokeConfig" => {
                let Some(f) = p.get("FunctionName") else {
                    continue;
                };
                let tg = target(t, app, f);
                let r = t.resolve(p);
                if let Some(dc) = r.get("DestinationConfig") {
                    let d = destinations_of(dc);
                    with_function(app, tg.function.as_deref(), |f| {
                        f.config.destinations.extend(d)
                    });
                }
            }
            "AWS::Lambda::Url" => {
                let Some(f) = p.get("TargetFunctionArn") else {
                    continue;
                };
                let tg = target(t, app, f);
                let r = t.resolve(p);
                let auth = sp(&r, "AuthType");
                with_function(app, tg.function.as_deref(), |f| f.config.url_auth = auth);
            }
            _ => triggers(t, logical, decl.kind.as_str(), p, app),
        }
    }
}

fn with_function(app: &mut App, fid: Option<&str>, f: impl FnOnce(&mut crate::model::Function)) {
    if let Some(func) = fid.and_then(|fid| app.functions.iter_mut().find(|x| x.id == fid)) {
        f(func);
    }
}

/// Push triggers declared on the source resource.
fn triggers(t: &Template, logical: &str, kind: &str, p: &Node, app: &mut App) {
    let own_arn = t.arn(logical).map(|a| Spanned::new(a, p.span));
    // (trigger kind, function reference node, source ARN, node with its details)
    let mut found: Vec<(&str, &Node, Option<Spanned<String>>, &Node)> = Vec::new();
    match kind {
        "AWS::S3::Bucket" => {
            let cfgs = p
                .get("NotificationConfiguration")
                .and_then(|n| n.get("LambdaConfigurations"));
            for c in cfgs
                .map(|c| c.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = c.get("Function") {
                    found.push(("S3", f, own_arn.clone(), c));
                }
            }
        }
        "AWS::SNS::Subscription" => {
            let lambda = p.get("Protocol").and_then(|n| t.text(n)).as_deref() == Some("lambda");
            if let (true, Some(f)) = (lambda, p.get("Endpoint")) {
                let topic = p.get("TopicArn").and_then(|n| t.spanned(n));
                found.push(("SNS", f, topic, p));
            }
        }
        "AWS::SNS::Topic" => {
            for s in p
                .get("Subscription")
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let lambda = s.get("Protocol").and_then(|n| t.text(n)).as_deref() == Some("lambda");
                if let (true, Some(f)) = (lambda, s.get("Endpoint")) {
                    found.push(("SNS", f, own_arn.clone(), s));
                }
            }
        }
        "AWS::Events::Rule" => {
            for tg in p
                .get("Targets")
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = tg.get("Arn") {
                    found.push(("EventBridgeRule", f, own_arn.clone(), tg));
                }
            }
        }
        "AWS::Scheduler::Schedule" => {
            if let Some(f) = p.get("Target").and_then(|tg| tg.get("Arn")) {
                found.push(("ScheduleV2", f, own_arn.clone(), p));
            }
        }
        "AWS::Logs::SubscriptionFilter" => {
            if let Some(f) = p.get("DestinationArn") {
                let lg = p.get("LogGroupName").and_then(|n| t.spanned(n)).map(|s| {
                    Spanned::new(
                        format!(
                            "arn:aws:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}:*",
                            s.value
                        ),
                        s.span,
                    )
                });
                found.push(("CloudWatchLogs", f, lg, p));
            }
        }
        "AWS::ApiGateway::Method" => {
            if let Some(f) = p.get("Integration").and_then(|i| i.get("Uri")) {
                found.push(("Api", f, None, p));
            }
        }
        "AWS::ApiGatewayV2::Integration" => {
            if let Some(f) = p.get("IntegrationUri") {
                found.push(("HttpApi", f, None, p));
            }
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let lambda = p.get("TargetType").and_then(|n| t.text(n)).as_deref() == Some("lambda");
            for tg in p
                .get("Targets")
                .filter(|_| lambda)
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = tg.get("Id") {
                    found.push(("ALB", f, own_arn.clone(), tg));
                }
            }
        }
        "AWS::IoT::TopicRule" => {
            let actions = p.get("TopicRulePayload").and_then(|x| x.get("Actions"));
            for a in actions
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = a.get("Lambda").and_then(|l| l.get("FunctionArn")) {
                    found.push(("IoTRule", f, own_arn.clone(), a));
                }
            }
        }
        // The CDK writes bucket notifications through its own custom resource.
        "Custom::S3BucketNotifications" => {
            let bucket = p
                .get("BucketName")
                .and_then(|n| t.text(n))
                .map(|b| Spanned::new(format!("arn:aws:s3:::{b}"), p.span));
            let cfgs = p
                .get("NotificationConfiguration")
                .and_then(|n| n.get("LambdaFunctionConfigurations"));
            for c in cfgs
                .map(|c| c.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = c.get("LambdaFunctionArn") {
                    found.push(("S3", f, bucket.clone(), c));
                }
            }
        }
        "AWS::SES::ReceiptRule" => {
            let actions = p.get("Rule").and_then(|r| r.get("Actions"));
            for a in actions
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = a.get("LambdaAction").and_then(|l| l.get("FunctionArn")) {
                    found.push(("SES", f, None, a));
                }
            }
        }
        "AWS::CodeCommit::Repository" => {
            for tg in p
                .get("Triggers")
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = tg.get("DestinationArn") {
                    found.push(("CodeCommit", f, own_arn.clone(), tg));
                }
            }
        }
        "AWS::Cognito::UserPool" => {
            if let Some(lc) = p.get("LambdaConfig") {
                for (_, f) in lc.entries() {
                    // `CustomSMSSender`/`CustomEmailSender` nest the ARN in `LambdaArn`.
                    let f = f.get("LambdaArn").unwrap_or(f);
                    found.push(("Cognito", f, own_arn.clone(), lc));
                }
            }
        }
        // TOKEN and REQUEST authorizers call a function; COGNITO_USER_POOLS ones have no URI.
        "AWS::ApiGateway::Authorizer" | "AWS::ApiGatewayV2::Authorizer" => {
            if let Some(f) = p.get("AuthorizerUri") {
                let tkind = if kind == "AWS::ApiGateway::Authorizer" {
                    "ApiAuthorizer"
                } else {
                    "HttpApiAuthorizer"
                };
                let api = p
                    .get(if tkind == "ApiAuthorizer" {
                        "RestApiId"
                    } else {
                        "ApiId"
                    })
                    .and_then(|n| t.text(n));
                let source = api.map(|api| {
                    Spanned::new(authorizer_arn(&api, &format!("${{{logical}}}")), p.span)
                });
                found.push((tkind, f, source, p));
            }
        }
        "AWS::IoT::Authorizer" => {
            if let Some(f) = p.get("AuthorizerFunctionArn") {
                let name = p
                    .get("AuthorizerName")
                    .and_then(|n| t.text(n))
                    .unwrap_or_else(|| format!("${{{logical}}}"));
                let arn =
                    format!("arn:aws:iot:${{AWS::Region}}:${{AWS::AccountId}}:authorizer/{name}");
                found.push(("IoTAuthorizer", f, Some(Spanned::new(arn, p.span)), p));
            }
        }
        "AWS::Lex::BotAlias" => {
            let alias_arn = Spanned::new(
                own_arn
                    .as_ref()
                    .map_or_else(|| format!("${{{logical}.Arn}}"), |a| a.value.clone()),
                p.span,
            );
            for l in p
                .get("BotAliasLocaleSettings")
                .map(|s| s.items().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let hook = l
                    .get("BotAliasLocaleSetting")
                    .and_then(|s| s.get("CodeHookSpecification"))
                    .and_then(|c| c.get("LambdaCodeHook"))
                    .and_then(|h| h.get("LambdaArn"));
                if let Some(f) = hook {
                    found.push(("Lex", f, Some(alias_arn.clone()), l));
                }
            }
        }
        "AWS::Config::ConfigRule" => {
            let source = p.get("Source");
            let owner = source.and_then(|s| s.get("Owner")).and_then(|n| t.text(n));
            if let (Some("CUSTOM_LAMBDA"), Some(f)) = (
                owner.as_deref(),
                source.and_then(|s| s.get("SourceIdentifier")),
            ) {
                // The rule's ARN holds an id AWS Config assigns.
                let arn = Spanned::new(
                    own_arn
                        .as_ref()
                        .map_or_else(|| format!("${{{logical}.Arn}}"), |a| a.value.clone()),
                    p.span,
                );
                found.push(("ConfigRule", f, Some(arn), p));
            }
        }
        "AWS::CloudWatch::Alarm" => {
            let name = p
                .get("AlarmName")
                .and_then(|n| t.text(n))
                .unwrap_or_else(|| format!("${{{logical}}}"));
            let arn = Spanned::new(
                format!("arn:aws:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{name}"),
                p.span,
            );
            for list in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
                for a in p
                    .get(list)
                    .map(|s| s.items().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    found.push(("CloudWatchAlarm", a, Some(arn.clone()), p));
                }
            }
        }
        // SAM APIs' Lambda authorizers; SAM adds their permission (below).
        "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
            let tkind = if kind == "AWS::Serverless::Api" {
                "ApiAuthorizer"
            } else {
                "HttpApiAuthorizer"
            };
            let source = Spanned::new(authorizer_arn(&format!("${{{logical}}}"), "*"), p.span);
            for (_, a) in p
                .get("Auth")
                .and_then(|a| a.get("Authorizers"))
                .map(|a| a.entries().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if let Some(f) = a.get("FunctionArn") {
                    found.push((tkind, f, Some(source.clone()), a));
                }
            }
        }
        _ => {}
    }
    // API integrations embed the function in a URI: only template functions are recognised.
    let embedded = matches!(
        kind,
        "AWS::ApiGateway::Method" | "AWS::ApiGatewayV2::Integration"
    );
    for (i, (tkind, fnode, source_arn, props)) in found.into_iter().enumerate() {
        let tg = target(t, app, fnode);
        // Rules, schedules, repositories and alarms also target queues, topics, streams...:
        // keep Lambda targets.
        let any_target = matches!(
            kind,
            "AWS::Events::Rule"
                | "AWS::Scheduler::Schedule"
                | "AWS::CodeCommit::Repository"
                | "AWS::CloudWatch::Alarm"
        );
        if (embedded || any_target) && tg.function.is_none() && !tg.raw.contains(":function:") {
            continue;
        }
        let suffix = if i == 0 {
            String::new()
        } else {
            format!("/{i}")
        };
        let trigger_id = format!("{}{suffix}", id(t.file, logical));
        let details = if tkind == "S3" {
            EventKind::S3(s3_notification(Some(&t.resolve(props))))
        } else {
            EventKind::from_sam(tkind, Poll::default(), S3Notification::default())
        };
        let role = |path: &[&str]| {
            let mut n = Some(props);
            for k in path {
                n = n.and_then(|x| x.get(k));
            }
            n.and_then(|x| t.text(x))
        };
        // API Gateway invokes with a role it assumes when given one ("Credentials" of
        // `AWS::ApiGateway::Method` Integration, `CredentialsArn`, `AuthorizerCredentials`,
        // `AuthorizerCredentialsArn`, SAM `FunctionInvokeRole`).
        let invoke_role = match kind {
            "AWS::ApiGateway::Method" => role(&["Integration", "Credentials"]),
            "AWS::ApiGatewayV2::Integration" => role(&["CredentialsArn"]),
            "AWS::ApiGateway::Authorizer" => role(&["AuthorizerCredentials"]),
            "AWS::ApiGatewayV2::Authorizer" => role(&["AuthorizerCredentialsArn"]),
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => role(&["FunctionInvokeRole"]),
            _ => None,
        }
        // `arn:aws:iam::*:user/*` asks API Gateway to call with the caller's credentials.
        .filter(|r| !r.contains(":user/"));
        if matches!(kind, "AWS::Serverless::Api" | "AWS::Serverless::HttpApi") {
            sam_authorizer_permission(t, logical, kind, props, fnode, &tg, app, &trigger_id);
        }
        app.triggers.push(Trigger {
            id: trigger_id,
            kind: details,
            span: fnode.span,
            function: tg.function,
            function_ref: tg.raw,
            qualifier: tg.qualifier,
            invoke_role,
            source_arn,
            source_ref: Some(logical.to_string()),
        });
    }
}

/// The source ARN API Gateway invokes an authorizer with: `<api>/authorizers/<id>` ("Use API
/// Gateway Lambda authorizers", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
fn authorizer_arn(api: &str, authorizer: &str) -> String {
    format!(
        "arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:{api}/authorizers/{authorizer}"
    )
}

/// The permission SAM adds for an API's Lambda authorizer, when it adds one: for REST APIs
/// unless `DisableFunctionDefaultPermissions: true`, for HTTP APIs only with
/// `EnableFunctionDefaultPermissions: true` (aws-sam-translator 1.115.0,
/// `samtranslator/model/api/api_generator.py` `_construct_authorizer_lambda_permission` and
/// `samtranslator/model/api/http_api_generator.py` `_construct_authorizer_lambda_permission`;
/// both grant `apigateway.amazonaws.com` on the `FunctionArn` as written, with `SourceArn`
/// `arn:aws:execute-api:<region>:<account>:<api id>/authorizers/*`).
#[allow(clippy::too_many_arguments)]
fn sam_authorizer_permission(
    t: &Template,
    logical: &str,
    kind: &str,
    authorizer: &Node,
    fnode: &Node,
    tg: &Target,
    app: &mut App,
    trigger_id: &str,
) {
    let flag = |k: &str| authorizer.get(k).and_then(|n| t.resolve(n).as_bool());
    let adds = if kind == "AWS::Serverless::Api" {
        flag("DisableFunctionDefaultPermissions") != Some(true)
    } else {
        flag("EnableFunctionDefaultPermissions") == Some(true)
    };
    if !adds {
        return;
    }
    let span = fnode.span;
    app.permissions.push(InvokePermission {
        id: format!("{trigger_id}AuthorizerPermission"),
        span,
        function: tg.function.clone(),
        function_ref: tg.raw.clone(),
        qualifier: tg.qualifier.clone(),
        action: Spanned::new("lambda:InvokeFunction".into(), span),
        principal: Spanned::new("apigateway.amazonaws.com".into(), span),
        source_arn: Some(Spanned::new(
            authorizer_arn(&format!("${{{logical}}}"), "*"),
            span,
        )),
        source_account: None,
        principal_org_id: None,
        function_url_auth_type: None,
        event_source_token: false,
        generated: true,
    });
}

#[cfg(test)]
mod tests {
    use super::{qualifier_in, unwrap_uri};

    #[test]
    fn integration_uris_hold_the_function_arn() {
        let f = "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Auth}";
        let uri = format!(
            "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{f}:live/invocations"
        );
        assert_eq!(unwrap_uri(&uri), format!("{f}:live"));
        assert_eq!(unwrap_uri(f), f);
        assert_eq!(qualifier_in(unwrap_uri(&uri)).as_deref(), Some("live"));
        assert_eq!(qualifier_in(f), None);
    }

    #[test]
    fn qualifiers_follow_the_first_colon_outside_placeholders() {
        assert_eq!(qualifier_in("orders:prod").as_deref(), Some("prod"));
        assert_eq!(qualifier_in("${AWS::StackName}-orders"), None);
        assert_eq!(
            qualifier_in("arn:aws:lambda:us-east-1:123456789012:function:orders:7").as_deref(),
            Some("7")
        );
    }
}
