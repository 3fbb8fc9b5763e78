//! A function's `events` to [`Event`]s. Push events get the `AWS::Lambda::Permission` the
//! framework generates for them; poll events get the statements it adds to the execution role
//! (`compile/events/*` in the framework: `sqs`, `stream`, `msk`, `kafka`, `activemq`,
//! `rabbitmq`), modelled as implicit policies the way SAM's are. See "Events" in the Serverless
//! Framework guide. Modelled on the npm package `serverless` 3.40.0 (the last 3.x,
//! `lib/plugins/aws/package/compile/events/*.js`; line numbers below are of that version).
//! Version 4 is treated as version 3: its npm package is an installer of a closed binary with no
//! source to read, and its documentation ("Serverless Framework - AWS Lambda Events") lists the
//! same events and IAM behaviour. The framework pushes these statements into the shared
//! `IamRoleLambdaExecution` only (a function with its own `role` gets none of them).

use serde_json::json;

use super::poll::{access, network, stream};
use super::{Service, normalized};
use crate::arn::Arn;
use crate::model::{
    AttachedPolicy, Event, EventKind, FunctionConfig, InvokePermission, KeyRule, PolicyDoc,
    PolicySource, Poll, S3Notification,
};
use crate::source::Spanned;
use crate::syntax::node::{Key, Node, Value};

const RA: &str = "${AWS::Region}:${AWS::AccountId}";

/// What one event lowers to before it becomes an [`Event`].
pub(super) struct Lowered {
    pub kind: EventKind,
    pub source: Option<Spanned<String>>,
    pub source_node: Option<Node>,
    /// `(principal, source ARN, source account)` of the generated permission.
    pub permission: Option<(String, Option<String>, bool)>,
    pub statements: Vec<serde_json::Value>,
}

/// Lowers `events` of function `fid` (deployed as `fname`); permissions go to `perms`,
/// poller statements to `extra`.
pub fn lower(
    svc: &Service,
    fid: &str,
    fname: &str,
    events: Option<&Node>,
    perms: &mut Vec<InvokePermission>,
    extra: &mut Vec<AttachedPolicy>,
) -> Vec<Event> {
    let Some(events) = events else {
        return Vec::new();
    };
    if !events.is_seq() {
        if !matches!(events.value, Value::Null) {
            svc.t.issue(events.span, "`events` must be a list");
        }
        return Vec::new();
    }
    let fkey = fid.rsplit('#').next().unwrap_or(fid);
    let mut out = Vec::new();
    for (i, item) in events.items().enumerate() {
        let Some((key, v)) = first_entry(item) else {
            svc.t
                .issue(item.span, "event must be a mapping such as `- sqs: <arn>`");
            continue;
        };
        let n = i + 1;
        let r = svc.t.resolve(v);
        let name = format!("{}{n}", key.name);
        let Some(low) = lower_one(svc, &key.name, v, &r, fkey, fname, n) else {
            svc.t
                .issue(key.span, format!("`{}` event has no source", key.name));
            continue;
        };
        if let Some((principal, source_arn, account)) = low.permission {
            let span = key.span;
            perms.push(InvokePermission {
                id: format!("{fid}/events/{i}"),
                span,
                function: Some(fid.to_string()),
                function_ref: fkey.to_string(),
                qualifier: None,
                action: Spanned::new("lambda:InvokeFunction".into(), span),
                principal: Spanned::new(principal, span),
                source_arn: source_arn.map(|a| Spanned::new(a, span)),
                source_account: account.then(|| Spanned::new("${AWS::AccountId}".into(), span)),
                principal_org_id: None,
                function_url_auth_type: None,
                // The framework scopes an Alexa grant to `appId` with `EventSourceToken`
                // (v3.40.0 `lib/plugins/aws/package/compile/events/alexa-skill.js` lines 51-74).
                event_source_token: low.kind == EventKind::AlexaSkill
                    && (r.scalar_text().is_some() || r.get("appId").is_some()),
                generated: true,
            });
        }
        if !low.statements.is_empty() {
            let doc = json!({"Version": "2012-10-17", "Statement": low.statements});
            extra.push(AttachedPolicy {
                source: PolicySource::Implicit {
                    arn: String::new(),
                    reason: format!("Serverless statements for the {} event `{name}`", key.name),
                },
                span: key.span,
                doc: Some(PolicyDoc {
                    node: Node::from_json(&doc, key.span),
                    span: key.span,
                }),
            });
        }
        let enabled = r.get("enabled").and_then(Node::as_bool) != Some(false);
        out.push(Event {
            name,
            kind: low.kind,
            span: key.span,
            source_ref: low.source_node.as_ref().and_then(|n| svc.t.refers_to(n)),
            source_arn: low.source,
            enabled,
        });
    }
    out
}

/// `- sqs: ...` (a one-key map; extra keys from a mis-indented list item are ignored).
fn first_entry(item: &Node) -> Option<(&Key, &Node)> {
    item.entries().next()
}

/// The ARN written as `kind: <arn>` or `kind: {arn: <arn>}`, resolved, and its node.
pub(super) fn arn_of<'n>(v: &'n Node, r: &Node) -> Option<(Spanned<String>, &'n Node)> {
    let (orig, res) = match (v.get("arn"), r.get("arn")) {
        (Some(o), Some(x)) => (o, x),
        _ => (v, r),
    };
    let s = res.scalar_text()?;
    Some((Spanned::new(s, orig.span), orig))
}

#[allow(clippy::too_many_lines)]
fn lower_one(
    svc: &Service,
    kind: &str,
    v: &Node,
    r: &Node,
    fkey: &str,
    fname: &str,
    n: usize,
) -> Option<Lowered> {
    let text = |k: &str| r.get(k).and_then(Node::scalar_text);
    let plain = |kind: EventKind| Lowered {
        kind,
        source: None,
        source_node: None,
        permission: None,
        statements: Vec::new(),
    };
    let norm = normalized(fkey);
    Some(match kind {
        "sqs" => {
            // `compile/events/sqs.js:36-41,122,139-147`.
            let (arn, node) = arn_of(v, r)?;
            let st = json!({"Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": [arn.value]});
            Lowered {
                source: Some(arn),
                source_node: Some(node.clone()),
                statements: vec![st],
                ..plain(EventKind::Sqs(Poll::default()))
            }
        }
        "stream" => stream(v, r, fkey),
        "msk" => {
            // `compile/events/msk/index.js:69-85,175-182`.
            let (arn, node) = arn_of(v, r)?;
            // The framework adds no secret access for `saslScram512` (only the mapping's
            // `SourceAccessConfigurations`), so the need for it stays visible.
            let statements = vec![
                json!({"Effect": "Allow",
                    "Action": ["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"],
                    "Resource": [arn.value]}),
                network(),
            ];
            let secret = text("saslScram512");
            let poll = Poll {
                access: secret.map_or_else(Vec::new, |s| vec![access("SASL_SCRAM_512_AUTH", s)]),
                on_failure: None,
            };
            Lowered {
                source: Some(arn),
                source_node: Some(node.clone()),
                statements,
                ..plain(EventKind::Msk(poll))
            }
        }
        "kafka" => {
            // `compile/events/kafka.js:115-135,190-240,277-287`: every access configuration but
            // the VPC ones is a secret; VPC ones add the ENI statement.
            let mut configs = Vec::new();
            let mut secrets = Vec::new();
            let mut vpc = false;
            for (k, val) in r
                .get("accessConfigurations")
                .into_iter()
                .flat_map(Node::entries)
            {
                let ty = match k.name.as_str() {
                    "vpcSubnet" => "VPC_SUBNET",
                    "vpcSecurityGroup" => "VPC_SECURITY_GROUP",
                    "saslPlainAuth" => "BASIC_AUTH",
                    "saslScram256Auth" => "SASL_SCRAM_256_AUTH",
                    "saslScram512Auth" => "SASL_SCRAM_512_AUTH",
                    "clientCertificateTlsAuth" => "CLIENT_CERTIFICATE_TLS_AUTH",
                    "serverRootCaCertificate" => "SERVER_ROOT_CA_CERTIFICATE",
                    _ => continue,
                };
                for item in val.items() {
                    let Some(s) = item.scalar_text() else {
                        continue;
                    };
                    if ty.starts_with("VPC_") {
                        vpc = true;
                    } else {
                        secrets.push(s.clone());
                    }
                    configs.push(access(ty, s));
                }
            }
            let mut statements = Vec::new();
            if !secrets.is_empty() {
                statements.push(json!({"Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets}));
            }
            if vpc {
                statements.push(network());
            }
            Lowered {
                statements,
                ..plain(EventKind::SelfManagedKafka(Poll {
                    access: configs,
                    on_failure: None,
                }))
            }
        }
        "activemq" | "rabbitmq" => {
            let (arn, node) = match (v.get("arn"), r.get("arn").and_then(Node::scalar_text)) {
                (Some(o), Some(s)) => (Spanned::new(s, o.span), o),
                _ => return None,
            };
            let secret = text("basicAuthArn");
            // `compile/events/activemq.js:160-166` and `rabbitmq.js:172-178` (serverless 3.40.0):
            // the secret, `mq:DescribeBroker` on the broker and the ENI statement.
            let mut statements = vec![json!({"Effect": "Allow",
                "Action": ["mq:DescribeBroker"], "Resource": [arn.value]})];
            if let Some(s) = &secret {
                statements.push(json!({"Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"], "Resource": [s]}));
            }
            statements.push(network());
            let poll = Poll {
                access: secret.map_or_else(Vec::new, |s| vec![access("BASIC_AUTH", s)]),
                on_failure: None,
            };
            Lowered {
                source: Some(arn),
                source_node: Some(node.clone()),
                statements,
                ..plain(EventKind::Mq(poll))
            }
        }
        "s3" => {
            let bnode = v.get("bucket").unwrap_or(v);
            let bucket = r.get("bucket").unwrap_or(r).scalar_text()?;
            let existing = r.get("existing").and_then(Node::as_bool) == Some(true);
            let declared = svc.t.refers_to(bnode).and_then(|id| svc.t.arn(&id));
            let arn = declared.unwrap_or_else(|| format!("arn:aws:s3:::{bucket}"));
            // A bucket the framework creates (`existing` unset) is `S3Bucket<Name>`.
            let source_node = if existing || bnode.single_entry().is_some() {
                bnode.clone()
            } else {
                Node::new(
                    Value::Map(vec![(
                        Key {
                            name: "Ref".into(),
                            span: bnode.span,
                        },
                        Node::string(format!("S3Bucket{}", normalized(&bucket)), bnode.span),
                    )]),
                    bnode.span,
                )
            };
            Lowered {
                source: Some(Spanned::new(arn.clone(), bnode.span)),
                source_node: Some(source_node),
                permission: Some(("s3.amazonaws.com".into(), Some(arn), true)),
                ..plain(EventKind::S3(S3Notification {
                    key_filter: s3_rules(r),
                }))
            }
        }
        "sns" => {
            let given = r.get("arn").unwrap_or(r).scalar_text();
            let node = v.get("arn").unwrap_or(v);
            let topic = given
                .filter(|g| Arn::parse(g).is_ok() || node.single_entry().is_some())
                .or_else(|| {
                    let name = text("topicName").or_else(|| r.scalar_text())?;
                    Some(format!("arn:aws:sns:{RA}:{name}"))
                })?;
            Lowered {
                source: Some(Spanned::new(topic.clone(), node.span)),
                source_node: Some(node.clone()),
                permission: Some(("sns.amazonaws.com".into(), Some(topic), false)),
                ..plain(EventKind::Sns)
            }
        }
        "http" => {
            let api = svc
                .provider("apiGateway")
                .and_then(|a| a.get("restApiId"))
                .map(|a| svc.t.resolve(a))
                .and_then(|a| a.scalar_text())
                .unwrap_or_else(|| "${ApiGatewayRestApi}".into());
            let arn = format!("arn:aws:execute-api:{RA}:{api}/*/*");
            Lowered {
                permission: Some(("apigateway.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::Api)
            }
        }
        "httpApi" => {
            let api = svc
                .provider("httpApi")
                .and_then(|a| a.get("id"))
                .map(|a| svc.t.resolve(a))
                .and_then(|a| a.scalar_text())
                .unwrap_or_else(|| "${HttpApi}".into());
            let arn = format!("arn:aws:execute-api:{RA}:{api}/*");
            Lowered {
                permission: Some(("apigateway.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::HttpApi)
            }
        }
        "websocket" => Lowered {
            permission: Some(("apigateway.amazonaws.com".into(), None, false)),
            ..plain(EventKind::WebSocket)
        },
        "schedule" => {
            let name = text("name").unwrap_or_else(|| format!("${{{norm}EventsRuleSchedule{n}}}"));
            let arn = format!("arn:aws:events:{RA}:rule/{name}");
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                permission: Some(("events.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::Schedule)
            }
        }
        "eventBridge" => {
            // The framework names the rule `<function name>-rule-<n>` on the given bus.
            let rule = format!("{fname}-rule-{n}");
            let bus = text("eventBus")
                .map(|b| crate::parse::common::resources::bus_name(&b))
                .filter(|b| b != "default");
            let path = match bus {
                Some(b) => format!("{b}/{rule}"),
                None => rule,
            };
            let arn = format!("arn:aws:events:{RA}:rule/{path}");
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                permission: Some(("events.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::EventBridgeRule)
            }
        }
        "cloudwatchEvent" => {
            let arn = format!("arn:aws:events:{RA}:rule/${{{norm}EventsRuleCloudWatchEvent{n}}}");
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                permission: Some(("events.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::CloudWatchEvent)
            }
        }
        "alb" => Lowered {
            permission: Some(("elasticloadbalancing.amazonaws.com".into(), None, false)),
            ..plain(EventKind::Alb)
        },
        "cloudwatchLog" => {
            let group = text("logGroup").or_else(|| r.scalar_text())?;
            let arn = format!("arn:aws:logs:{RA}:log-group:{group}:*");
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                // The framework grants the regional principal `logs.<region>.amazonaws.com`.
                permission: Some(("logs.${AWS::Region}.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::CloudWatchLogs)
            }
        }
        "iot" => {
            let name = text("name").unwrap_or_else(|| format!("${{{norm}IotTopicRule{n}}}"));
            let arn = format!("arn:aws:iot:{RA}:rule/{name}");
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                permission: Some(("iot.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::IoTRule)
            }
        }
        "cognitoUserPool" => {
            let pool = text("pool")?;
            let existing = r.get("existing").and_then(Node::as_bool) == Some(true);
            let arn = if existing {
                format!("arn:aws:cognito-idp:{RA}:userpool/*")
            } else {
                format!(
                    "arn:aws:cognito-idp:{RA}:userpool/${{CognitoUserPool{}}}",
                    normalized(&pool)
                )
            };
            Lowered {
                source: Some(Spanned::new(arn.clone(), v.span)),
                permission: Some(("cognito-idp.amazonaws.com".into(), Some(arn), false)),
                ..plain(EventKind::Cognito)
            }
        }
        "alexaSkill" => Lowered {
            permission: Some(("alexa-appkit.amazon.com".into(), None, false)),
            ..plain(EventKind::AlexaSkill)
        },
        "alexaSmartHome" => Lowered {
            permission: Some(("alexa-connectedhome.amazon.com".into(), None, false)),
            ..plain(EventKind::AlexaSmartHome)
        },
        "cloudFront" => plain(EventKind::CloudFront),
        _ => plain(EventKind::Other("Other".into())),
    })
}

/// The Lambda authorizers of the service's APIs, as events of the functions they call, with
/// the grant the framework adds for each (Serverless Framework 3.40.0,
/// `lib/plugins/aws/package/compile/events/api-gateway/lib/permissions.js` lines 44-80 for
/// `http` events' `authorizer`: `apigateway.amazonaws.com` on `<rest api>/*/*`;
/// `lib/plugins/aws/package/compile/events/http-api.js` lines 247-294 for
/// `provider.httpApi.authorizers`: on `<http api>/*`; neither when `managedExternally: true`).
/// Authorizers named by ARN, `aws_iam` and Cognito user pools call no function of the service.
pub fn authorizers(svc: &Service, funcs: &[super::FunctionEntry], app: &mut crate::model::App) {
    let api_id = |kind: &str, key: &str, default: &str| {
        svc.provider(kind)
            .and_then(|a| a.get(key))
            .map(|a| svc.t.resolve(a))
            .and_then(|a| a.scalar_text())
            .unwrap_or_else(|| default.into())
    };
    // (authorizer function key, where it is named, kind and name, source ARN, granted)
    type Found = (
        String,
        crate::source::Span,
        (EventKind, String),
        String,
        bool,
    );
    let mut found: Vec<Found> = Vec::new();
    let rest = api_id("apiGateway", "restApiId", "${ApiGatewayRestApi}");
    for entry in funcs {
        for item in entry
            .node
            .get("events")
            .map(|e| e.items().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let Some(auth) = item.get("http").and_then(|h| h.get("authorizer")) else {
                continue;
            };
            let r = svc.t.resolve(auth);
            let (name, external) = match r.scalar_text() {
                Some(n) => (Some(n), false),
                None => (
                    r.get("arn")
                        .is_none()
                        .then(|| r.get("name").and_then(Node::scalar_text))
                        .flatten(),
                    r.get("managedExternally").and_then(Node::as_bool) == Some(true),
                ),
            };
            if let Some(name) = name.filter(|n| n != "aws_iam" && !n.starts_with("arn:")) {
                let arn = format!("arn:aws:execute-api:{RA}:{rest}/*/*");
                let label = (EventKind::ApiAuthorizer, "authorizer".to_string());
                found.push((name, auth.span, label, arn, !external));
            }
        }
    }
    let http = api_id("httpApi", "id", "${HttpApi}");
    if let Some(auths) = svc.provider("httpApi").and_then(|h| h.get("authorizers")) {
        for (key, a) in auths.entries() {
            let r = svc.t.resolve(a);
            let lambda = r.get("type").and_then(Node::as_str) == Some("request");
            if let (true, Some(name)) = (lambda, r.get("functionName").and_then(Node::scalar_text))
            {
                let external = r.get("managedExternally").and_then(Node::as_bool) == Some(true);
                let arn = format!("arn:aws:execute-api:{RA}:{http}/*");
                let label = (EventKind::HttpApiAuthorizer, key.name.clone());
                found.push((name, key.span, label, arn, !external));
            }
        }
    }
    for (name, span, (kind, event), arn, granted) in found {
        let fid = svc.id(&name);
        let Some(f) = app.functions.iter_mut().find(|f| f.id == fid) else {
            continue;
        };
        // One event per authorizer, however many endpoints use it.
        if f.events.iter().any(|e| e.name == event && e.kind == kind) {
            continue;
        }
        f.events.push(Event {
            name: event,
            kind,
            span,
            source_arn: None,
            source_ref: None,
            enabled: true,
        });
        if granted {
            app.permissions.push(InvokePermission {
                id: format!("{fid}/authorizer/{}", f.events.len()),
                span,
                function: Some(fid.clone()),
                function_ref: name,
                qualifier: None,
                action: Spanned::new("lambda:InvokeFunction".into(), span),
                principal: Spanned::new("apigateway.amazonaws.com".into(), span),
                source_arn: Some(Spanned::new(arn, span)),
                source_account: None,
                principal_org_id: None,
                function_url_auth_type: None,
                event_source_token: false,
                generated: true,
            });
        }
    }
}

/// The public grant the framework adds for `url` without `authorizer: aws_iam`.
pub fn url_permission(fid: &str, key: &str, config: &FunctionConfig) -> Option<InvokePermission> {
    let auth = config.url_auth.as_ref().filter(|a| a.value == "NONE")?;
    Some(InvokePermission::public_url(
        format!("{fid}/url"),
        fid,
        key,
        auth,
    ))
}

/// The `rules` of a Serverless `s3` event (`- prefix: uploads/`, `- suffix: .jpg`) as the
/// notification's key filter.
/// <https://www.serverless.com/framework/docs/providers/aws/events/s3>, "Setting filter rules".
fn s3_rules(event: &Node) -> Vec<KeyRule> {
    let Some(rules) = event.get("rules") else {
        return Vec::new();
    };
    rules
        .items()
        .flat_map(|rule| rule.entries())
        .filter_map(|(k, v)| {
            let name = k.name.to_ascii_lowercase();
            (name == "prefix" || name == "suffix").then(|| KeyRule {
                name,
                value: v.scalar_text().unwrap_or_default(),
            })
        })
        .collect()
}
