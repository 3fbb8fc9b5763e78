//! CloudFormation and SAM templates: intrinsics resolved symbolically, lowered to the model.
//!
//! [`parse_template`] classifies a file by content, parses it (YAML or JSON), resolves
//! intrinsic functions ([`intrinsics`]) and lowers functions, roles, permissions, triggers and
//! other resources into a [`model::App`]. Bad shapes become issues; the rest is still lowered.

pub mod events;
pub mod functions;
pub mod intrinsics;
pub mod permissions;
pub mod resources;
pub mod roles;
pub mod sam;
mod substitute;

use crate::model::{self, App, Origin};
use crate::source::SourceFile;
use crate::syntax::node::Node;
use crate::syntax::{ParseError, json, yaml};
use intrinsics::Template;

/// The SAM transform that marks a template as SAM.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// What a file turned out to be.
#[derive(Debug)]
pub enum TemplateOutcome {
    /// Not a CloudFormation or SAM template (package.json, serverless.yml, test events, ...).
    NotTemplate,
    /// A template, lowered, with the problems found in it.
    Template {
        app: model::App,
        issues: Vec<ParseError>,
    },
    /// Looks like a template but cannot be parsed.
    Invalid(ParseError),
}

/// Reads one file as a CloudFormation/SAM template.
pub fn parse_template(file: &SourceFile) -> TemplateOutcome {
    let text: &str = &file.text;
    // Every template has a `Resources` section: skip other files without parsing them.
    if !text.contains("Resources") {
        return TemplateOutcome::NotTemplate;
    }
    let path = file.path.to_ascii_lowercase();
    let is_yaml_ext = [".yaml", ".yml"].iter().any(|e| path.ends_with(e));
    let is_json = path.ends_with(".json") || (!is_yaml_ext && text.trim_start().starts_with('{'));
    let parsed = if is_json {
        json::parse(file)
    } else {
        yaml::parse(file)
    };
    let root = match parsed {
        Ok(root) => root,
        // Serverless Framework files have their own reader; a broken one is not a template.
        Err(e) if looks_like_template(text) && !is_serverless_config(&path) => {
            return TemplateOutcome::Invalid(e);
        }
        Err(_) => return TemplateOutcome::NotTemplate,
    };
    if !is_template(&root) {
        return TemplateOutcome::NotTemplate;
    }
    let sam = is_sam(&root);
    let mut t = Template::new(file, &root);
    if sam {
        sam::register_implicit(&mut t, &root);
    }
    let mut app = App::default();
    lower(&t, &root, sam, &mut app);
    TemplateOutcome::Template {
        app,
        issues: t.issues.into_inner(),
    }
}

fn is_serverless_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("serverless.") || name.starts_with("serverless-")
}

fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains(SAM_TRANSFORM)
        || (text.contains("AWS::") && text.contains("Type"))
}

/// A document whose `Resources` declare an `AWS::`/`Custom::` type, or that uses the SAM
/// transform.
pub fn is_template(root: &Node) -> bool {
    if is_sam(root) && root.get("Resources").is_some() {
        return true;
    }
    root.get("Resources").is_some_and(|r| {
        r.entries().any(|(_, v)| {
            v.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
        })
    })
}

fn is_sam(root: &Node) -> bool {
    root.get("Transform")
        .is_some_and(|t| t.items().any(|i| i.as_str() == Some(SAM_TRANSFORM)))
}

/// `<file>#<logical id>`.
pub fn id(file: &SourceFile, logical: &str) -> String {
    format!("{}#{logical}", file.path)
}

fn lower(t: &Template, root: &Node, sam: bool, app: &mut App) {
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
            _ => model::ResourceKind::Other,
        };
        app.resources.push(model::Resource {
            id: id(t.file, logical),
            logical_id: logical.clone(),
            type_name: decl.kind.clone(),
            kind,
            span: decl.key.span,
            arn: t.arn(logical),
        });
    }
}

/// Types lowered to functions, roles and permissions rather than [`model::Resource`]s.
fn handled(kind: &str) -> bool {
    matches!(
        kind,
        "AWS::Serverless::Function"
            | "AWS::Lambda::Function"
            | "AWS::IAM::Role"
            | "AWS::Lambda::Permission"
    )
}

/// Lowers a CloudFormation tree that another front end built (the Serverless Framework's
/// `resources` section plus declarations of what that framework generates).
pub fn lower_embedded(t: &Template, root: &Node, app: &mut App) {
    lower(t, root, false, app);
}
