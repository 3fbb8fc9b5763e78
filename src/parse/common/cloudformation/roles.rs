//! Execution roles: `AWS::IAM::Role`, policies attached with `AWS::IAM::Policy` and
//! `AWS::IAM::ManagedPolicy`, role bindings of functions and the roles SAM generates
//! ("AWS SAM policy templates" and `Policies` in the SAM developer guide).

use std::collections::BTreeMap;

use super::intrinsics::{Mode, Template};
use super::{id, sam};
use crate::model::{self, App, AttachedPolicy, Origin, PolicyDoc, PolicySource, RoleBinding};
use crate::source::{Span, Spanned};
use crate::syntax::node::{Node, Value};

/// Lowers every `AWS::IAM::Role`.
pub fn lower_roles(t: &Template, origin: Origin, app: &mut App) {
    for (logical, decl) in &t.resources {
        if decl.kind != "AWS::IAM::Role" {
            continue;
        }
        let props = decl.props().filter(|p| p.is_map());
        let get = |k: &str| props.and_then(|p| p.get(k));
        // The trust policy is reported at its key, where a reader looks for it.
        let trust = props
            .and_then(|p| p.get_entry("AssumeRolePolicyDocument"))
            .map(|(k, d)| PolicyDoc {
                node: t.resolve_policy(d),
                span: k.span,
            });
        let mut policies = Vec::new();
        if let Some(list) = get("Policies") {
            for item in expand_if(t, list) {
                let name = item
                    .get("PolicyName")
                    .and_then(|n| t.text(n))
                    .unwrap_or_default();
                let doc = item.get("PolicyDocument").map(|d| PolicyDoc {
                    node: t.resolve_policy(d),
                    span: d.span,
                });
                if doc.is_none() {
                    t.issue(item.span, "inline policy without `PolicyDocument`");
                }
                policies.push(AttachedPolicy {
                    source: PolicySource::Inline { name },
                    span: item.span,
                    doc,
                });
            }
        }
        if let Some(list) = get("ManagedPolicyArns") {
            for item in expand_if(t, list) {
                policies.extend(managed(t, item));
            }
        }
        let boundary = get("PermissionsBoundary").and_then(|b| managed(t, b));
        let mut tags = model::RoleTags::default();
        if let Some(list) = get("Tags") {
            tag_list(t, list, &mut tags);
        }
        app.roles.push(model::Role {
            id: id(t.file, logical),
            name: logical.clone(),
            origin,
            span: decl.key.span,
            arn: t.arn(logical).unwrap_or_default(),
            generated: false,
            trust,
            policies,
            boundary,
            tags,
        });
    }
}

/// `AWS::IAM::Role` `Tags`: a list of `{Key, Value}`. The set stays incomplete: CloudFormation
/// adds the stack's tags (given at deploy time) to every resource it creates ("Resource tag",
/// CloudFormation User Guide, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html).
fn tag_list(t: &Template, list: &Node, tags: &mut model::RoleTags) {
    for item in expand_if(t, list) {
        let key = item.get("Key").and_then(|k| t.text(k));
        let value = item.get("Value").and_then(|v| t.text(v));
        tags.insert(key, value);
    }
    if !list.is_seq() {
        tags.complete = false;
    }
}

/// A resource's `Tags`: a list of `{Key, Value}` (most CloudFormation types) or a map (SAM
/// resources and a few CloudFormation types such as `AWS::SSM::Parameter`). Incomplete, as
/// CloudFormation adds the stack's tags (see [`tag_list`]).
pub(super) fn resource_tags(t: &Template, props: &Node) -> model::RoleTags {
    let mut tags = model::RoleTags::default();
    match props.get("Tags") {
        Some(map) if map.is_map() => {
            for (k, v) in map.entries() {
                tags.insert(Some(k.name.clone()), t.text(v));
            }
        }
        Some(list) => tag_list(t, list, &mut tags),
        None => {}
    }
    tags.complete = false;
    tags
}

/// Items of a list, with `Fn::If` items expanded into both branches (`AWS::NoValue` dropped).
pub fn expand_if<'n>(t: &Template, list: &'n Node) -> Vec<&'n Node> {
    let mut out = Vec::new();
    for item in list.items() {
        match item.single_entry() {
            Some(("Fn::If", args)) => {
                for b in args.items().skip(1) {
                    if t.eval(b, Mode::First).is_some() {
                        out.push(b);
                    }
                }
            }
            _ => out.push(item),
        }
    }
    out
}

/// A managed policy reference: a customer policy declared in the template, or an ARN/name.
fn managed(t: &Template, item: &Node) -> Option<AttachedPolicy> {
    if let Some(target) = t.refers_to(item)
        && t.kind_of(&target) == Some("AWS::IAM::ManagedPolicy")
    {
        let doc = t
            .resources
            .get(&target)
            .and_then(|d| d.props())
            .and_then(|p| p.get("PolicyDocument"))
            .map(|d| PolicyDoc {
                node: t.resolve_policy(d),
                span: d.span,
            });
        return Some(AttachedPolicy {
            source: PolicySource::Customer {
                id: id(t.file, &target),
            },
            span: item.span,
            doc,
        });
    }
    let arn = t.text(item)?;
    Some(AttachedPolicy {
        source: PolicySource::Managed { arn },
        span: item.span,
        doc: None,
    })
}

/// A function's `Role` property: a role of the template, or an external ARN/name.
pub fn bind(t: &Template, role: &Node) -> RoleBinding {
    if let Some(target) = t.refers_to(role)
        && t.kind_of(&target) == Some("AWS::IAM::Role")
    {
        return RoleBinding::Role(id(t.file, &target));
    }
    match t.text(role) {
        Some(s) => {
            // A literal ARN naming a role of this template (`RoleName` set) binds to it.
            let by_name = t
                .resources
                .iter()
                .find(|(l, d)| d.kind == "AWS::IAM::Role" && t.arn(l).is_some_and(|a| a == s));
            match by_name {
                Some((l, _)) => RoleBinding::Role(id(t.file, l)),
                None => RoleBinding::External(Spanned::new(s, role.span)),
            }
        }
        None => RoleBinding::Unknown,
    }
}

/// The `<Function>Role` SAM generates for a function without `Role`.
pub fn generated_role(
    t: &Template,
    logical: &str,
    span: Span,
    props: &Node,
    f: &model::Function,
) -> model::Role {
    let role_logical = format!("{logical}Role");
    let implicit = |arn: &str, reason: &str, span: Span| AttachedPolicy {
        source: PolicySource::Implicit {
            arn: arn.into(),
            reason: reason.into(),
        },
        span,
        doc: None,
    };
    let mut policies = vec![implicit(sam::BASIC_EXECUTION, "SAM function", span)];
    for ev in &f.events {
        if let Some(arn) = sam::event_policy(ev.kind.name())
            && !policies
                .iter()
                .any(|p| matches!(&p.source, PolicySource::Implicit { arn: a, .. } if a == arn))
        {
            policies.push(implicit(
                arn,
                &format!("{} event `{}`", ev.kind, ev.name),
                ev.span,
            ));
        }
        let source = ev.source_arn.as_ref().map_or("*", |s| s.value.as_str());
        let secrets: Vec<String> = ev
            .kind
            .poll()
            .map(|p| p.access.iter().filter_map(|a| a.uri.clone()).collect())
            .unwrap_or_default();
        if let Some(doc) = sam::event_statements(ev.kind.name(), source, &secrets) {
            policies.push(AttachedPolicy {
                source: PolicySource::Implicit {
                    arn: String::new(),
                    reason: format!("SAM statements for the {} event `{}`", ev.kind, ev.name),
                },
                span: ev.span,
                doc: Some(PolicyDoc {
                    node: Node::from_json(&doc, ev.span),
                    span: ev.span,
                }),
            });
        }
    }
    if let Some(s) = f.config.vpc {
        policies.push(implicit(sam::VPC_ACCESS, "VpcConfig", s));
    }
    if let Some(s) = f.config.durable {
        policies.push(implicit(sam::DURABLE_EXECUTION, "DurableConfig", s));
    }
    if let Some(s) = f.config.tracing {
        policies.push(implicit(sam::XRAY_WRITE, "Tracing: Active", s));
    }
    if let Some(dlq) = &f.config.dead_letter {
        // SAM grants the DLQ write with an inline statement on the target.
        let action = if dlq.value.contains(":sns:") {
            "sns:Publish"
        } else {
            "sqs:SendMessage"
        };
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": dlq.value}]});
        policies.push(AttachedPolicy {
            source: PolicySource::Implicit {
                arn: String::new(),
                reason: format!("{role_logical}DeadLetterQueuePolicy"),
            },
            span: dlq.span,
            doc: Some(PolicyDoc {
                node: Node::from_json(&doc, dlq.span),
                span: dlq.span,
            }),
        });
    }
    // SAM writes an inline statement for each `EventInvokeConfig` destination with a `Type`.
    let dc = props
        .get("EventInvokeConfig")
        .and_then(|e| e.get("DestinationConfig"));
    for dest in &f.config.destinations {
        let kind = dc
            .and_then(|d| d.get(&dest.condition))
            .and_then(|c| c.get("Type"))
            .and_then(|n| t.text(n));
        if let Some(doc) = kind.and_then(|k| sam::destination_statements(&k, &dest.arn.value)) {
            policies.push(AttachedPolicy {
                source: PolicySource::Implicit {
                    arn: String::new(),
                    reason: format!("{role_logical}EventInvokeConfig{}Policy", dest.condition),
                },
                span: dest.arn.span,
                doc: Some(PolicyDoc {
                    node: Node::from_json(&doc, dest.arn.span),
                    span: dest.arn.span,
                }),
            });
        }
    }
    if let Some(list) = props.get("Policies") {
        for (i, item) in expand_if(t, list).into_iter().enumerate() {
            policies.extend(sam_policy(t, &role_logical, i, item));
        }
    }
    let boundary = props.get("PermissionsBoundary").and_then(|b| managed(t, b));
    let default_trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRole"],
        "Principal": {"Service": ["lambda.amazonaws.com"]}}]});
    // SAM tags the generated role with the function's `Tags` and `lambda:createdBy: SAM`
    // (AWS SAM Developer Guide, "AWS::Serverless::Function", property `Tags`:
    // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-tags).
    let mut tags = model::RoleTags::default();
    tags.insert(Some("lambda:createdBy".into()), Some("SAM".into()));
    match props.get("Tags") {
        Some(map) if map.is_map() => {
            for (k, v) in map.entries() {
                tags.insert(Some(k.name.clone()), t.text(v));
            }
        }
        Some(_) => tags.complete = false,
        None => {}
    }
    model::Role {
        id: id(t.file, &role_logical),
        name: role_logical.clone(),
        origin: Origin::Sam,
        span,
        arn: t.arn(&role_logical).unwrap_or_else(|| {
            format!("arn:aws:iam::${{AWS::AccountId}}:role/${{{role_logical}}}")
        }),
        generated: true,
        trust: Some(match props.get("AssumeRolePolicyDocument") {
            Some(d) => PolicyDoc {
                node: t.resolve_policy(d),
                span: d.span,
            },
            None => PolicyDoc {
                node: Node::from_json(&default_trust, span),
                span,
            },
        }),
        policies,
        boundary,
        tags,
    }
}

/// One item of a SAM function's `Policies`.
fn sam_policy(t: &Template, role: &str, i: usize, item: &Node) -> Option<AttachedPolicy> {
    if item.is_map() && item.get("Statement").is_some() {
        return Some(AttachedPolicy {
            source: PolicySource::Inline {
                name: format!("{role}Policy{i}"),
            },
            span: item.span,
            doc: Some(PolicyDoc {
                node: t.resolve_policy(item),
                span: item.span,
            }),
        });
    }
    match item.single_entry() {
        Some((k, v)) if k != "Ref" && !k.starts_with("Fn::") => {
            let mut params = BTreeMap::new();
            for (pk, pv) in v.entries() {
                let val = t.text(pv).unwrap_or_else(|| format!("${{{}}}", pk.name));
                params.insert(pk.name.clone(), val);
            }
            Some(AttachedPolicy {
                source: PolicySource::SamTemplate {
                    name: k.to_string(),
                    params,
                },
                span: item.span,
                doc: None,
            })
        }
        _ if matches!(item.value, Value::Map(_) | Value::Seq(_))
            && item.single_entry().is_none() =>
        {
            t.issue(
                item.span,
                "policy item is neither a name, a policy document nor a policy template",
            );
            None
        }
        _ => managed(t, item),
    }
}

/// `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` with `Roles`: attach to those roles.
pub fn attach_policies(t: &Template, app: &mut App) {
    for (logical, decl) in &t.resources {
        let customer = match decl.kind.as_str() {
            "AWS::IAM::Policy" => false,
            "AWS::IAM::ManagedPolicy" => true,
            _ => continue,
        };
        let Some(props) = decl.props() else { continue };
        let Some(roles) = props.get("Roles") else {
            continue;
        };
        let doc = props.get("PolicyDocument").map(|d| PolicyDoc {
            node: t.resolve_policy(d),
            span: d.span,
        });
        for r in roles.items() {
            let target = t.refers_to(r).or_else(|| {
                let name = t.text(r)?;
                t.resources
                    .keys()
                    .find(|l| t.kind_of(l) == Some("AWS::IAM::Role") && t.physical_name(l) == name)
                    .cloned()
            });
            let Some(target) = target else { continue };
            let rid = id(t.file, &target);
            let Some(role) = app.roles.iter_mut().find(|x| x.id == rid) else {
                continue;
            };
            let source = if customer {
                PolicySource::Customer {
                    id: id(t.file, logical),
                }
            } else {
                let name = props
                    .get("PolicyName")
                    .and_then(|n| t.text(n))
                    .unwrap_or_else(|| logical.clone());
                PolicySource::Inline { name }
            };
            role.policies.push(AttachedPolicy {
                source,
                span: decl.key.span,
                doc: doc.clone(),
            });
        }
    }
}
