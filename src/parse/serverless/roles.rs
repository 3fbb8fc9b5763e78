//! Execution roles: the shared `IamRoleLambdaExecution` the framework generates
//! (`provider.iam.role` / legacy `iamRoleStatements`), a role per function from the
//! serverless-iam-roles-per-function plugin, and `role:` bindings to roles in `resources` or
//! outside the input ("IAM Permissions For Functions" in the Serverless Framework guide).

use serde_json::json;

use super::{FunctionEntry, SHARED_ROLE, Service, normalized};
use crate::arn::Arn;
use crate::model::{self, AttachedPolicy, Origin, PolicyDoc, PolicySource, RoleBinding};
use crate::parse::common::cloudformation::sam;
use crate::source::{Span, Spanned};
use crate::syntax::node::{Key, Node, Value};

/// The shared role, built up while functions are lowered.
#[derive(Default)]
pub struct SharedRole {
    /// Deployed names of the functions using it (their log groups).
    names: Vec<String>,
    /// Statements the framework adds for events and settings of those functions.
    extra: Vec<AttachedPolicy>,
    used: bool,
}

impl SharedRole {
    pub fn add(&mut self, name: &str, extra: Vec<AttachedPolicy>) {
        self.used = true;
        self.names.push(name.to_string());
        for p in extra {
            // One AWS managed policy (VPC access) is attached once however many functions need it.
            let managed_twice = matches!(&p.source, PolicySource::Implicit { arn, .. }
                if !arn.is_empty() && self.extra.iter().any(|q| q.source == p.source));
            if !managed_twice {
                self.extra.push(p);
            }
        }
    }

    /// The role, when some function uses it.
    pub fn finish(self, svc: &Service) -> Option<model::Role> {
        if !self.used {
            return None;
        }
        let span = svc
            .root
            .get_entry("provider")
            .map_or(svc.root.span, |(k, _)| k.span);
        let prefix = svc.prefix();
        // The framework grants its own log groups by prefix, and custom-named ones by name.
        let mut groups = vec![format!("/aws/lambda/{prefix}*")];
        for n in &self.names {
            if !n.starts_with(&prefix) {
                groups.push(format!("/aws/lambda/{n}"));
            }
        }
        let role_cfg = svc
            .provider("iam")
            .and_then(|i| i.get("role"))
            .filter(|r| r.is_map());
        let mut policies = vec![logs_policy(&groups, span)];
        policies.extend(self.extra);
        let statements = role_cfg
            .and_then(|r| r.get("statements"))
            .or_else(|| svc.provider("iamRoleStatements"));
        if let Some(s) = statements {
            policies.push(inline(svc, &format!("{prefix}-lambda"), s));
        }
        let managed_list = role_cfg
            .and_then(|r| r.get("managedPolicies"))
            .or_else(|| svc.provider("iamManagedPolicies"));
        for item in managed_list.into_iter().flat_map(Node::items) {
            policies.extend(managed(svc, item));
        }
        let boundary = role_cfg
            .and_then(|r| r.get("permissionsBoundary"))
            .or_else(|| svc.provider("rolePermissionsBoundary"))
            .and_then(|b| managed(svc, b));
        let name = role_cfg
            .and_then(|r| r.get("name"))
            .and_then(|n| svc.t.text(n))
            .unwrap_or_else(|| format!("{prefix}-${{AWS::Region}}-lambdaRole"));
        Some(role(svc, SHARED_ROLE, &name, span, policies, boundary))
    }
}

fn role(
    svc: &Service,
    logical: &str,
    name: &str,
    span: Span,
    policies: Vec<AttachedPolicy>,
    boundary: Option<AttachedPolicy>,
) -> model::Role {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRole"],
        "Principal": {"Service": ["lambda.amazonaws.com"]}}]});
    // `provider.iam.role.tags` tag the framework's shared role; `provider.stackTags` are the
    // stack's tags, which CloudFormation adds to every resource it creates (Serverless
    // Framework "AWS Provider: IAM Permissions" and "serverless.yml Reference",
    // https://www.serverless.com/framework/docs/providers/aws/guide/iam). Tags given at deploy
    // time cannot be seen, so the set is never complete.
    let mut tags = model::RoleTags::default();
    let mut add = |map: Option<&Node>| {
        for (k, v) in map.into_iter().flat_map(Node::entries) {
            tags.insert(Some(k.name.clone()), v.scalar_text());
        }
    };
    add(svc.provider("stackTags"));
    if logical == SHARED_ROLE {
        add(svc
            .provider("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("tags")));
    }
    model::Role {
        id: svc.id(logical),
        name: logical.to_string(),
        origin: Origin::Serverless,
        span,
        arn: format!("arn:aws:iam::${{AWS::AccountId}}:role/{name}"),
        generated: true,
        trust: Some(PolicyDoc {
            node: Node::from_json(&trust, span),
            span,
        }),
        policies,
        boundary,
        tags,
    }
}

/// The logs statements of a generated role (`iam-role-lambda-execution-template` in the
/// framework): create streams and groups, and put events, in the functions' log groups.
fn logs_policy(groups: &[String], span: Span) -> AttachedPolicy {
    let base = "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:";
    let streams: Vec<String> = groups.iter().map(|g| format!("{base}{g}:*")).collect();
    let events: Vec<String> = groups.iter().map(|g| format!("{base}{g}:*:*")).collect();
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup",
            "logs:TagResource"], "Resource": streams},
        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": events}]});
    AttachedPolicy {
        source: PolicySource::Implicit {
            arn: String::new(),
            reason: "Serverless logs statements".into(),
        },
        span,
        doc: Some(PolicyDoc {
            node: Node::from_json(&doc, span),
            span,
        }),
    }
}

/// User statements as one inline policy, reported at the statements.
fn inline(svc: &Service, name: &str, statements: &Node) -> AttachedPolicy {
    if statements.as_str().is_some_and(|s| s.contains("${")) {
        // Read from a file that is not in the repository, or known only at deploy time: the
        // statements are unknown (the variable said so once), not malformed.
        return AttachedPolicy {
            source: PolicySource::Inline { name: name.into() },
            span: statements.span,
            doc: None,
        };
    }
    if !statements.is_seq() {
        svc.t
            .issue(statements.span, "IAM statements must be a list");
    }
    let span = statements.span;
    let doc = Node::new(
        Value::Map(vec![
            (
                Key {
                    name: "Version".into(),
                    span,
                },
                Node::string("2012-10-17", span),
            ),
            (
                Key {
                    name: "Statement".into(),
                    span,
                },
                svc.t.resolve_policy(statements),
            ),
        ]),
        span,
    );
    AttachedPolicy {
        source: PolicySource::Inline { name: name.into() },
        span,
        doc: Some(PolicyDoc { node: doc, span }),
    }
}

/// A managed policy: a customer policy declared in `resources`, or an ARN.
fn managed(svc: &Service, item: &Node) -> Option<AttachedPolicy> {
    if let Some(target) = svc.t.refers_to(item)
        && svc.t.kind_of(&target) == Some("AWS::IAM::ManagedPolicy")
    {
        let doc = svc
            .t
            .resources
            .get(&target)
            .and_then(|d| d.props())
            .and_then(|p| p.get("PolicyDocument"))
            .map(|d| PolicyDoc {
                node: svc.t.resolve_policy(d),
                span: d.span,
            });
        return Some(AttachedPolicy {
            source: PolicySource::Customer {
                id: svc.id(&target),
            },
            span: item.span,
            doc,
        });
    }
    let arn = svc.t.text(item)?;
    Some(AttachedPolicy {
        source: PolicySource::Managed { arn },
        span: item.span,
        doc: None,
    })
}

/// Statements the framework adds for a function's settings: VPC (the AWS managed policy),
/// X-Ray, DLQ (`onError`) and destinations.
pub fn config_policies(f: &model::Function) -> Vec<AttachedPolicy> {
    let mut out = Vec::new();
    let implicit = |reason: &str, span: Span, doc: serde_json::Value| AttachedPolicy {
        source: PolicySource::Implicit {
            arn: String::new(),
            reason: reason.into(),
        },
        span,
        doc: Some(PolicyDoc {
            node: Node::from_json(&doc, span),
            span,
        }),
    };
    if let Some(span) = f.config.vpc {
        out.push(AttachedPolicy {
            source: PolicySource::Implicit {
                arn: sam::VPC_ACCESS.into(),
                reason: "vpc".into(),
            },
            span,
            doc: None,
        });
    }
    if let Some(span) = f.config.tracing {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"]}]});
        out.push(implicit("Serverless tracing statements", span, doc));
    }
    if let Some(dlq) = &f.config.dead_letter {
        // `compile/functions.js:287-309` (serverless 3.40.0): `sns:Publish` on the target,
        // whatever its service (an SQS `onError` gets no grant that works).
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": ["sns:Publish"], "Resource": [dlq.value]}]});
        out.push(implicit("Serverless onError statements", dlq.span, doc));
    }
    // `compile/functions.js:795-842` `ensureTargetExecutionPermission`: one action per target
    // (a function name or ARN, SQS, SNS, an event bus), only for the framework's own role.
    for d in &f.config.destinations {
        let service = Arn::parse(&d.arn.value).ok().and_then(|a| a.service());
        let kind = match service.map(|s| s.as_str()) {
            Some("sqs") => "SQS",
            Some("sns") => "SNS",
            Some("events") => "EventBridge",
            _ => "Lambda",
        };
        if let Some(doc) = sam::destination_statements(kind, &d.arn.value) {
            out.push(implicit(
                &format!("Serverless {} destination statements", d.condition),
                d.arn.span,
                doc,
            ));
        }
    }
    out
}

/// `kms:Decrypt` on the function's (or provider's) `kmsKeyArn`, which the framework adds to its
/// shared role only (`compile/functions.js:311-335`, serverless 3.40.0).
pub fn kms_policy(f: &model::Function) -> Option<AttachedPolicy> {
    let key = f.config.kms_key_arn.as_ref()?;
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["kms:Decrypt"], "Resource": [key.value]}]});
    Some(AttachedPolicy {
        source: PolicySource::Implicit {
            arn: String::new(),
            reason: "Serverless kmsKeyArn statements".into(),
        },
        span: key.span,
        doc: Some(PolicyDoc {
            node: Node::from_json(&doc, key.span),
            span: key.span,
        }),
    })
}

/// The per-function role of the serverless-iam-roles-per-function plugin: the function's
/// log group, its statements (plus the provider's with `iamRoleStatementsInherit`) and what
/// its events and settings need.
pub fn function_role(
    svc: &Service,
    entry: &FunctionEntry,
    f: &model::Function,
    statements: &Node,
    extra: Vec<AttachedPolicy>,
) -> model::Role {
    let logical = format!("{}IamRoleLambdaExecution", normalized(&entry.key.name));
    let fname = Arn::parse(&f.arn)
        .ok()
        .and_then(|a| a.resource())
        .map_or_else(|| f.name.clone(), |r| r.last_segment(&[':']).to_string());
    let mut policies = vec![logs_policy(
        &[format!("/aws/lambda/{fname}")],
        entry.key.span,
    )];
    policies.extend(extra);
    let inherit_default = svc
        .root
        .get("custom")
        .and_then(|c| c.get("serverless-iam-roles-per-function"))
        .and_then(|c| c.get("defaultInherit"))
        .and_then(Node::as_bool)
        == Some(true);
    let inherit = entry
        .node
        .get("iamRoleStatementsInherit")
        .and_then(Node::as_bool)
        .unwrap_or(inherit_default);
    if inherit
        && let Some(s) = svc
            .provider("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("statements"))
            .or_else(|| svc.provider("iamRoleStatements"))
    {
        policies.push(inline(svc, &format!("{}-lambda", svc.prefix()), s));
    }
    policies.push(inline(svc, &format!("{logical}Policy"), statements));
    let name = entry
        .node
        .get("iamRoleStatementsName")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| {
            format!(
                "{}-{}-${{AWS::Region}}-lambdaRole",
                svc.prefix(),
                entry.key.name
            )
        });
    role(svc, &logical, &name, entry.key.span, policies, None)
}

/// `role:` of a function or provider: a role in `resources` (logical id or intrinsic), or an
/// ARN/name outside the input.
pub fn bind(svc: &Service, n: &Node) -> RoleBinding {
    let t = svc.t;
    if let Some(target) = t.refers_to(n)
        && t.kind_of(&target) == Some("AWS::IAM::Role")
    {
        return RoleBinding::Role(svc.id(&target));
    }
    let Some(s) = t.text(n) else {
        t.issue(
            n.span,
            "`role` must be a role name, ARN or intrinsic function",
        );
        return RoleBinding::Unknown;
    };
    if t.kind_of(&s) == Some("AWS::IAM::Role") {
        return RoleBinding::Role(svc.id(&s));
    }
    if let Some((logical, _)) = t
        .resources
        .iter()
        .find(|(l, d)| d.kind == "AWS::IAM::Role" && t.arn(l).is_some_and(|a| a == s))
    {
        return RoleBinding::Role(svc.id(logical));
    }
    if Arn::parse(&s).is_ok() || s.contains("${") {
        return RoleBinding::External(Spanned::new(s, n.span));
    }
    // The framework reads a bare name as a logical id of `resources`.
    t.issue(n.span, format!("role `{s}` is not declared in `resources`"));
    RoleBinding::External(Spanned::new(
        format!("arn:aws:iam::${{AWS::AccountId}}:role/{s}"),
        n.span,
    ))
}
