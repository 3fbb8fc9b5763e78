//! SAM function `Events` to [`model::Event`]s, with the `AWS::Lambda::Permission` SAM
//! generates for push sources ("EventSource" in the SAM developer guide).

use super::intrinsics::Template;
use crate::model::{Event, EventKind, InvokePermission, KeyRule, S3Notification};
use crate::parse::common::poll_of;
use crate::source::Spanned;
use crate::syntax::node::Node;

const RA: &str = "${AWS::Region}:${AWS::AccountId}";

/// Lowers the `Events` of SAM function `logical` (id `fid`); generated permissions are pushed
/// to `perms`.
pub fn lower_sam_events(
    t: &Template,
    logical: &str,
    fid: &str,
    events: Option<&Node>,
    perms: &mut Vec<InvokePermission>,
) -> Vec<Event> {
    let Some(events) = events else {
        return Vec::new();
    };
    if !events.is_map() {
        t.issue(events.span, "`Events` must be a mapping");
        return Vec::new();
    }
    let mut out = Vec::new();
    for (key, ev) in events.entries() {
        let Some(kind) = ev.get("Type").and_then(|n| t.text(n)) else {
            t.issue(key.span, format!("event `{}` has no `Type`", key.name));
            continue;
        };
        let orig = ev.get("Properties");
        let props = orig.map(|p| t.resolve(p));
        let prop = |k: &str| -> Option<(&Node, Spanned<String>)> {
            let o = orig?.get(k)?;
            let v = props.as_ref()?.get(k)?.scalar_text()?;
            Some((o, Spanned::new(v, o.span)))
        };
        let generated = format!("{logical}{}", key.name);
        let mut source: Option<(&Node, Spanned<String>)> = None;
        let mut arn: Option<Spanned<String>> = None;
        match kind.as_str() {
            "SQS" => source = prop("Queue"),
            "Kinesis" | "DynamoDB" | "MSK" => source = prop("Stream"),
            "MQ" => source = prop("Broker"),
            "DocumentDB" => source = prop("Cluster"),
            "SNS" => source = prop("Topic"),
            "S3" => {
                source = prop("Bucket");
                arn = source.as_ref().map(|(o, s)| {
                    let a = t
                        .refers_to(o)
                        .and_then(|id| t.arn(&id))
                        .unwrap_or_else(|| format!("arn:aws:s3:::{}", s.value));
                    Spanned::new(a, s.span)
                });
            }
            "Cognito" => {
                source = prop("UserPool");
                arn = source.as_ref().map(|(o, s)| {
                    let a = t
                        .refers_to(o)
                        .and_then(|id| t.arn(&id))
                        .unwrap_or_else(|| s.value.clone());
                    Spanned::new(a, s.span)
                });
            }
            "CloudWatchLogs" => {
                source = prop("LogGroupName");
                arn = source.as_ref().map(|(_, s)| {
                    Spanned::new(format!("arn:aws:logs:{RA}:log-group:{}:*", s.value), s.span)
                });
            }
            "Schedule" | "EventBridgeRule" | "CloudWatchEvent" => {
                let name =
                    prop("Name").map_or_else(|| format!("${{{generated}}}"), |(_, s)| s.value);
                let bus = prop("EventBusName")
                    .map(|(_, s)| crate::parse::common::resources::bus_name(&s.value))
                    .filter(|b| b != "default");
                let path = match bus {
                    Some(b) => format!("{b}/{name}"),
                    None => name,
                };
                arn = Some(Spanned::new(
                    format!("arn:aws:events:{RA}:rule/{path}"),
                    key.span,
                ));
            }
            "ScheduleV2" => {
                let name =
                    prop("Name").map_or_else(|| format!("${{{generated}}}"), |(_, s)| s.value);
                let group = prop("GroupName").map_or_else(|| "default".into(), |(_, s)| s.value);
                arn = Some(Spanned::new(
                    format!("arn:aws:scheduler:{RA}:schedule/{group}/{name}"),
                    key.span,
                ));
            }
            "IoTRule" => {
                arn = Some(Spanned::new(
                    format!("arn:aws:iot:{RA}:rule/${{{generated}}}"),
                    key.span,
                ));
            }
            "Api" | "HttpApi" => {
                let (id_key, implicit) = if kind == "Api" {
                    ("RestApiId", "${ServerlessRestApi}")
                } else {
                    ("ApiId", "${ServerlessHttpApi}")
                };
                source = prop(id_key);
                let api = source
                    .as_ref()
                    .map_or_else(|| implicit.to_string(), |(_, s)| s.value.clone());
                let method = prop("Method").map(|(_, s)| s.value.to_ascii_uppercase());
                let path = prop("Path").map(|(_, s)| s.value);
                let route = match (method, path) {
                    (None, None) => "*".to_string(),
                    (m, p) => {
                        let m = m.filter(|m| m != "ANY" && m != "X-AMAZON-APIGATEWAY-ANY-METHOD");
                        format!(
                            "*/{}/{}",
                            m.as_deref().unwrap_or("*"),
                            api_path(p.as_deref().unwrap_or("*"))
                        )
                    }
                };
                arn = Some(Spanned::new(
                    format!("arn:aws:execute-api:{RA}:{api}/{route}"),
                    key.span,
                ));
            }
            _ => {}
        }
        let source_ref = source.as_ref().and_then(|(o, _)| t.refers_to(o));
        let source_arn = arn.or_else(|| source.as_ref().map(|(_, s)| s.clone()));
        let enabled = props
            .as_ref()
            .and_then(|p| p.get("Enabled"))
            .and_then(Node::as_bool)
            != Some(false);
        if let Some((principal, account)) = push_principal(&kind) {
            let span = key.span;
            let source_account =
                account.then(|| Spanned::new("${AWS::AccountId}".to_string(), span));
            // SAM sets only SourceAccount for S3 (a SourceArn would make the bucket and the
            // function depend on each other) and AlexaSkill has no source ARN.
            let perm_source = match kind.as_str() {
                "S3" | "AlexaSkill" => None,
                _ => source_arn.clone(),
            };
            perms.push(InvokePermission {
                id: format!("{fid}{}Permission", key.name),
                span,
                function: Some(fid.to_string()),
                function_ref: logical.to_string(),
                qualifier: None,
                action: Spanned::new("lambda:InvokeFunction".into(), span),
                principal: Spanned::new(principal.into(), span),
                source_arn: perm_source,
                source_account,
                principal_org_id: None,
                function_url_auth_type: None,
                // SAM scopes an Alexa grant to `SkillId` with `EventSourceToken`.
                event_source_token: kind == "AlexaSkill"
                    && props.as_ref().is_some_and(|p| p.get("SkillId").is_some()),
                generated: true,
            });
        }
        let details = EventKind::from_sam(
            &kind,
            poll_of(props.as_ref()),
            s3_notification(props.as_ref()),
        );
        out.push(Event {
            name: key.name.clone(),
            kind: details,
            span: key.span,
            source_arn,
            source_ref,
            enabled,
        });
    }
    out
}

/// The object key filter of an S3 notification: CloudFormation writes `Filter.S3Key.Rules`,
/// the S3 API (and the CDK's custom resource) `Filter.Key.FilterRules`.
pub fn s3_notification(props: Option<&Node>) -> S3Notification {
    let filter = props.and_then(|p| p.get("Filter"));
    let rules = filter
        .and_then(|f| f.get("S3Key"))
        .and_then(|k| k.get("Rules"))
        .or_else(|| {
            filter
                .and_then(|f| f.get("Key"))
                .and_then(|k| k.get("FilterRules"))
        });
    let key_filter = rules
        .map(|rules| {
            rules
                .items()
                .filter_map(|r| {
                    let name = r.get("Name")?.as_str()?.to_ascii_lowercase();
                    let value = r.get("Value")?.as_str()?.to_string();
                    Some(KeyRule { name, value })
                })
                .collect()
        })
        .unwrap_or_default();
    S3Notification { key_filter }
}

/// The service principal SAM grants for push event types, and whether it sets
/// `SourceAccount`.
fn push_principal(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "S3" => ("s3.amazonaws.com", true),
        "SNS" => ("sns.amazonaws.com", false),
        "Schedule" | "EventBridgeRule" | "CloudWatchEvent" => ("events.amazonaws.com", false),
        "Api" | "HttpApi" => ("apigateway.amazonaws.com", false),
        "CloudWatchLogs" => ("logs.amazonaws.com", false),
        "IoTRule" => ("iot.amazonaws.com", true),
        "Cognito" => ("cognito-idp.amazonaws.com", false),
        "AlexaSkill" => ("alexa-appkit.amazon.com", false),
        _ => return None,
    })
}

/// An API path as SAM writes it in the permission's source ARN: no leading `/`, path
/// parameters as `*`.
fn api_path(p: &str) -> String {
    p.trim_start_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') { "*" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
