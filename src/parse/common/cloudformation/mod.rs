//! The CloudFormation resource language, shared by the front ends written in it: SAM and
//! CloudFormation templates (`cdk.out` included) and the Serverless Framework, whose
//! `resources` section is CloudFormation and whose generated resources are declared in it.
//!
//! [`intrinsics::Template`] resolves intrinsic functions symbolically; [`lower`] turns the
//! resources into functions, roles, permissions, event sources, triggers and other resources
//! of the [`model::App`]. Bad shapes become issues; the rest is still lowered.

pub mod connectors;
pub mod events;
pub mod functions;
pub mod intrinsics;
pub mod permissions;
pub mod roles;
pub mod sam;
mod substitute;

use crate::model::{self, App, Origin};
use crate::source::SourceFile;
use crate::syntax::node::Node;
use intrinsics::Template;

/// `<file>#<logical id>`.
pub fn id(file: &SourceFile, logical: &str) -> String {
    format!("{}#{logical}", file.path)
}

/// Lowers a template's `Resources` (a SAM template when `sam`), with `t` resolving its
/// intrinsics: roles, functions, policies attached to them, permissions, event source
/// mappings, triggers and the other resources.
pub fn lower(t: &Template, root: &Node, sam: bool, app: &mut App) {
    if let Some(res) = root.get("Resources")
        && !res.is_map()
        && !matches!(res.value, crate::syntax::node::Value::Null)
    {
        t.issue(res.span, "`Resources` must be a mapping");
    }
    for (logical, decl) in &t.resources {
        if decl.kind.is_empty() {
            t.issue(decl.key.span, format!("resource `{logical}` has no `Type`"));
        }
        if let Some(p) = decl.props()
            && !p.is_map()
            && !matches!(p.value, crate::syntax::node::Value::Null)
        {
            t.issue(
                p.span,
                format!("`Properties` of `{logical}` must be a mapping"),
            );
        }
    }
    let origin = if sam {
        Origin::Sam
    } else {
        Origin::CloudFormation
    };
    roles::lower_roles(t, origin, app);
    functions::lower_functions(t, root, origin, app);
    roles::attach_policies(t, app);
    permissions::lower(t, origin, app);
    connectors::lower(t, app);
    for (logical, decl) in &t.resources {
        if handled(&decl.kind) {
            continue;
        }
        // Resolved for the problems it shows (undeclared references) and the typed details.
        let props = decl.props().map(|p| t.resolve(p));
        let text = |key: &str| {
            props
                .as_ref()
                .and_then(|p| p.get(key))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let kind = match decl.kind.as_str() {
            "AWS::Logs::LogGroup" => model::ResourceKind::LogGroup {
                name: text("LogGroupName"),
            },
            "AWS::EFS::AccessPoint" => model::ResourceKind::EfsAccessPoint {
                file_system: text("FileSystemId"),
            },
            "AWS::Serverless::LayerVersion" | "AWS::Lambda::LayerVersion" => {
                model::ResourceKind::Layer {
                    code_path: layer_content(t, decl.node, props.as_ref()),
                }
            }
            _ => model::ResourceKind::Other,
        };
        let encryption = props
            .as_ref()
            .and_then(|p| crate::parse::common::cfn_encryption_key(&decl.kind, p));
        app.resources.push(model::Resource {
            id: id(t.file, logical),
            logical_id: logical.clone(),
            type_name: decl.kind.clone(),
            kind,
            span: decl.key.span,
            arn: t.arn(logical),
            encryption,
            tags: props
                .as_ref()
                .map(|p| roles::resource_tags(t, p))
                .unwrap_or_default(),
        });
    }
}

/// The local folder of a layer version's content: SAM `ContentUri`, a `Content` path (before
/// `aws cloudformation package`), or the CDK asset path in the resource's metadata.
fn layer_content(t: &Template, decl: &Node, props: Option<&Node>) -> Option<String> {
    let written = props
        .and_then(|p| p.get("ContentUri").or_else(|| p.get("Content")))
        .and_then(Node::as_str);
    let asset = decl
        .get("Metadata")
        .and_then(|m| m.get("aws:asset:path"))
        .and_then(Node::as_str);
    let path = written.or(asset)?;
    if path.starts_with("s3://") || path.contains("${") {
        return None;
    }
    crate::parse::common::join_path(&t.file.path, path)
}

/// Types lowered to functions, roles, permissions and connector grants rather than
/// [`model::Resource`]s.
fn handled(kind: &str) -> bool {
    matches!(
        kind,
        "AWS::Serverless::Function"
            | "AWS::Lambda::Function"
            | "AWS::IAM::Role"
            | "AWS::Lambda::Permission"
            | "AWS::Serverless::Connector"
    )
}
