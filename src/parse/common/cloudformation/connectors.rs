//! SAM connectors: `AWS::Serverless::Connector` resources and the `Connectors` attribute
//! embedded on a resource, turned into the policies and Lambda permissions SAM generates.
//!
//! Source: "AWS::Serverless::Connector", AWS SAM Developer Guide
//! (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-connector.html,
//! sections "Properties" and "ResourceReference"), and the translator itself, `aws-sam-translator`
//! 1.115.0: `samtranslator/translator/translator.py` `_get_embedded_connectors` (an embedded
//! connector's source is the resource it sits on, `SourceReference` adds to it),
//! `samtranslator/model/connector/connector.py` `get_resource_reference` (an `Id` or a `Type` with
//! `Arn`/`RoleName`/`Name`/...), `samtranslator/model/sam_resources.py` `SamConnector`
//! (`_get_policy_statements`: the statements of every category named in `Permissions`;
//! `_construct_iam_policy`: a managed policy on the source's role when the profile's
//! `SourcePolicy` is true, else on the destination's role; `_construct_lambda_permission_policy`)
//! and the profiles in `samtranslator/model/connector_profiles/profiles.json` (embedded as
//! `policies/sam-connector-profiles.json`).

use std::collections::BTreeMap;

use serde_json::json;

use super::id;
use super::intrinsics::Template;
use crate::data::{ConnectorProfile, ConnectorProfileType, connector_profile};
use crate::model::{App, AttachedPolicy, InvokePermission, PolicyDoc, PolicySource, RoleBinding};
use crate::source::{Span, Spanned};
use crate::syntax::node::{Key, Node, Value};

/// One end of a connector, as `ConnectorResourceReference` holds it.
#[derive(Default)]
struct End {
    logical: Option<String>,
    kind: String,
    arn: Option<String>,
    name: Option<String>,
    resource_id: Option<String>,
    qualifier: Option<String>,
    /// The id of the end's role in [`App::roles`].
    role: Option<String>,
}

/// One connector: its logical id (`<Source><Name>` when embedded), where it is written, its
/// source and destination references and `Permissions`.
struct Connector<'n> {
    logical: String,
    span: Span,
    source: Node,
    destinations: Vec<&'n Node>,
    permissions: Vec<String>,
}

/// Lowers every connector of the template. Runs after functions, roles and permissions.
pub fn lower(t: &Template, app: &mut App) {
    let mut found = Vec::new();
    for (logical, decl) in &t.resources {
        if decl.kind == "AWS::Serverless::Connector" {
            let Some(p) = decl.props() else {
                t.issue(
                    decl.key.span,
                    format!("connector `{logical}` has no `Properties`"),
                );
                continue;
            };
            let Some(source) = p.get("Source") else {
                t.issue(
                    decl.key.span,
                    format!("connector `{logical}` has no `Source`"),
                );
                continue;
            };
            found.extend(connector(
                t,
                logical.clone(),
                decl.key.span,
                source.clone(),
                p,
            ));
        }
        let Some(embedded) = decl.node.get("Connectors") else {
            continue;
        };
        for (k, c) in embedded.entries() {
            let full = format!("{logical}{}", k.name);
            let Some(p) = c.get("Properties") else {
                t.issue(k.span, format!("connector `{full}` has no `Properties`"));
                continue;
            };
            // The source is the resource the connector sits on; `SourceReference` adds to it.
            let key = |name: &str| Key {
                name: name.to_string(),
                span: k.span,
            };
            let mut source = vec![(key("Id"), Node::string(logical.clone(), k.span))];
            if let Some(r) = p.get("SourceReference") {
                source.extend(r.entries().map(|(rk, rv)| (rk.clone(), rv.clone())));
            }
            let source = Node::new(Value::Map(source), k.span);
            found.extend(connector(t, full, k.span, source, p));
        }
    }
    for c in found {
        apply(t, app, &c);
    }
}

fn connector<'n>(
    t: &Template,
    logical: String,
    span: Span,
    source: Node,
    p: &'n Node,
) -> Option<Connector<'n>> {
    let Some(dest) = p.get("Destination") else {
        t.issue(span, format!("connector `{logical}` has no `Destination`"));
        return None;
    };
    let destinations = if dest.is_map() {
        vec![dest]
    } else {
        dest.items().collect()
    };
    let permissions: Vec<String> = p
        .get("Permissions")
        .map(|l| l.items().filter_map(|i| t.text(i)).collect())
        .unwrap_or_default();
    if permissions.is_empty() {
        t.issue(span, format!("connector `{logical}` has no `Permissions`"));
        return None;
    }
    Some(Connector {
        logical,
        span,
        source,
        destinations,
        permissions,
    })
}

/// Resolves a `ResourceReference` (`Id`, or `Type` with `Arn`, `RoleName`, `Name`, ...).
fn end(t: &Template, app: &App, r: &Node) -> Option<End> {
    let text = |k: &str| r.get(k).and_then(|n| t.text(n));
    let qualifier = text("Qualifier");
    if let Some(logical) = text("Id") {
        let kind = t.kind_of(&logical)?.to_string();
        let fid = id(t.file, &logical);
        // A function's role is the one it is bound to (SAM's generated `<Function>Role`
        // included); other types name it in a property, as the profiles' `Inputs.Role` say.
        let role = match app.functions.iter().find(|f| f.id == fid) {
            Some(f) => match &f.role {
                RoleBinding::Role(rid) => Some(rid.clone()),
                _ => None,
            },
            None => {
                let prop = match kind.as_str() {
                    "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                        Some("RoleArn")
                    }
                    "AWS::AppSync::DataSource" => Some("ServiceRoleArn"),
                    _ => None,
                };
                prop.and_then(|p| t.resources.get(&logical)?.props()?.get(p))
                    .and_then(|n| t.refers_to(n))
                    .map(|l| id(t.file, &l))
            }
        };
        let api = matches!(
            kind.as_str(),
            "AWS::ApiGateway::RestApi"
                | "AWS::ApiGatewayV2::Api"
                | "AWS::Serverless::Api"
                | "AWS::Serverless::HttpApi"
                | "AWS::AppSync::GraphQLApi"
        );
        return Some(End {
            arn: t.arn(&logical),
            name: Some(t.physical_name(&logical)),
            resource_id: api.then(|| format!("${{{logical}}}")),
            qualifier: qualifier.or_else(|| api.then(|| "*".to_string())),
            role,
            logical: Some(logical),
            kind,
        });
    }
    let kind = text("Type")?;
    let role = r.get("RoleName").and_then(|n| {
        if let Some(l) = t.refers_to(n) {
            return Some(id(t.file, &l));
        }
        let name = t.text(n)?;
        app.roles
            .iter()
            .find(|x| x.name == name)
            .map(|x| x.id.clone())
    });
    Some(End {
        logical: None,
        kind,
        arn: text("Arn"),
        name: text("Name"),
        resource_id: text("ResourceId"),
        qualifier,
        role,
    })
}

fn apply(t: &Template, app: &mut App, c: &Connector) {
    let Some(src) = end(t, app, &c.source) else {
        t.issue(
            c.span,
            format!(
                "connector `{}`: its source is not a resource of this template",
                c.logical
            ),
        );
        return;
    };
    for (i, d) in c.destinations.iter().enumerate() {
        let Some(dst) = end(t, app, d) else {
            t.issue(
                d.span,
                format!(
                    "connector `{}`: its destination is not a resource of this template",
                    c.logical
                ),
            );
            continue;
        };
        let Some(profile) = connector_profile(&src.kind, &dst.kind) else {
            t.issue(
                d.span,
                format!(
                    "connector `{}`: SAM has no connector from {} to {}",
                    c.logical, src.kind, dst.kind
                ),
            );
            continue;
        };
        let unsupported: Vec<&str> = c
            .permissions
            .iter()
            .filter(|p| !profile.categories.contains_key(*p))
            .map(String::as_str)
            .collect();
        if !unsupported.is_empty() {
            t.issue(
                c.span,
                format!(
                    "connector `{}`: `Permissions` {} not supported from {} to {}",
                    c.logical,
                    unsupported.join(", "),
                    src.kind,
                    dst.kind
                ),
            );
            continue;
        }
        let name = if c.destinations.len() > 1 {
            format!("{}PolicyDestination{i}", c.logical)
        } else {
            format!("{}Policy", c.logical)
        };
        let vars = vars(&src, &dst);
        match profile.kind {
            ConnectorProfileType::RolePolicy => {
                role_policy(t, app, c, profile, &src, &dst, &vars, name, d.span)
            }
            ConnectorProfileType::LambdaPermission => {
                lambda_permission(t, app, c, profile, &src, &dst, &vars, i, d.span)
            }
            // Queue and topic policies grant services, not a Lambda function's role.
            ConnectorProfileType::QueuePolicy | ConnectorProfileType::TopicPolicy => {}
        }
    }
}

/// The `%{...}` values SAM substitutes into a profile.
fn vars(src: &End, dst: &End) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    for (side, e) in [("Source", src), ("Destination", dst)] {
        for (field, val) in [
            ("Arn", &e.arn),
            ("Name", &e.name),
            ("ResourceId", &e.resource_id),
            ("Qualifier", &e.qualifier),
        ] {
            if let Some(val) = val {
                let key: &'static str = match (side, field) {
                    ("Source", "Arn") => "Source.Arn",
                    ("Source", "Name") => "Source.Name",
                    ("Source", "ResourceId") => "Source.ResourceId",
                    ("Source", "Qualifier") => "Source.Qualifier",
                    ("Destination", "Arn") => "Destination.Arn",
                    ("Destination", "Name") => "Destination.Name",
                    ("Destination", "ResourceId") => "Destination.ResourceId",
                    _ => "Destination.Qualifier",
                };
                v.insert(key, val.clone());
            }
        }
    }
    v
}

#[allow(clippy::too_many_arguments)]
fn role_policy(
    t: &Template,
    app: &mut App,
    c: &Connector,
    profile: &ConnectorProfile,
    src: &End,
    dst: &End,
    vars: &BTreeMap<&str, String>,
    name: String,
    span: Span,
) {
    let owner = if profile.source_policy { src } else { dst };
    // SAM needs the role's logical id; a role outside the template cannot be told.
    let Some(role) = owner
        .role
        .as_deref()
        .and_then(|rid| app.roles.iter_mut().find(|r| r.id == rid))
    else {
        return;
    };
    let statements = match profile.statements(&c.permissions, vars) {
        Ok(s) => s,
        Err(e) => {
            t.issue(span, format!("connector `{}`: {e}", c.logical));
            return;
        }
    };
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    role.policies.push(AttachedPolicy {
        source: PolicySource::Implicit {
            arn: String::new(),
            reason: format!(
                "SAM connector `{}` ({}) from {} to {}: {name}",
                c.logical,
                c.permissions.join(", "),
                src.logical.as_deref().unwrap_or(&src.kind),
                dst.logical.as_deref().unwrap_or(&dst.kind),
            ),
        },
        span: c.span,
        doc: Some(PolicyDoc {
            node: Node::from_json(&doc, c.span),
            span: c.span,
        }),
    });
}

#[allow(clippy::too_many_arguments)]
fn lambda_permission(
    t: &Template,
    app: &mut App,
    c: &Connector,
    profile: &ConnectorProfile,
    src: &End,
    dst: &End,
    vars: &BTreeMap<&str, String>,
    i: usize,
    span: Span,
) {
    let func = if profile.source_policy { src } else { dst };
    let Some(fid) = func.logical.as_deref().map(|l| id(t.file, l)) else {
        return;
    };
    if !app.functions.iter().any(|f| f.id == fid) {
        return;
    }
    let (Some(principal), Some(source_arn)) = (&profile.principal, &profile.source_arn) else {
        return;
    };
    let source_arn = match ConnectorProfile::fill_text(source_arn, vars) {
        Ok(s) => s,
        Err(e) => {
            t.issue(span, format!("connector `{}`: {e}", c.logical));
            return;
        }
    };
    let suffix = if c.destinations.len() > 1 {
        format!("Destination{i}")
    } else {
        String::new()
    };
    for cat in &c.permissions {
        app.permissions.push(InvokePermission {
            id: id(
                t.file,
                &format!("{}{cat}LambdaPermission{suffix}", c.logical),
            ),
            span: c.span,
            function: Some(fid.clone()),
            function_ref: func.arn.clone().unwrap_or_else(|| fid.clone()),
            qualifier: None,
            action: Spanned::new("lambda:InvokeFunction".to_string(), c.span),
            principal: Spanned::new(principal.clone(), c.span),
            source_arn: Some(Spanned::new(source_arn.clone(), c.span)),
            source_account: None,
            principal_org_id: None,
            function_url_auth_type: None,
            event_source_token: false,
            generated: true,
        });
    }
}
