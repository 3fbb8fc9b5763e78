//! The CloudFormation front end: SAM and CloudFormation templates, `cdk.out` included.
//!
//! [`parse_template`] classifies a file by content, parses it (YAML or JSON) and lowers it
//! through the shared CloudFormation lowering ([`cloudformation`]), which resolves intrinsic
//! functions and produces functions, roles, permissions, triggers and other resources.

use crate::model::App;
use crate::parse::common::cloudformation::{self, intrinsics::Template, sam};
use crate::parse::common::{Context, FrontEnd, Reads};
use crate::source::SourceFile;
use crate::syntax::node::Node;
use crate::syntax::{json, yaml};

pub use crate::parse::common::TemplateOutcome;

/// The SAM transform that marks a template as SAM.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// The `cloudformation` front end: every YAML/JSON file that is a template.
pub struct CloudFormation;

impl FrontEnd for CloudFormation {
    fn name(&self) -> &'static str {
        "cloudformation"
    }

    fn reads(&self) -> Reads {
        Reads::Documents
    }

    fn lower(&self, files: &[&SourceFile], _cx: &Context<'_>) -> TemplateOutcome {
        files
            .first()
            .map_or(TemplateOutcome::NotTemplate, |f| parse_template(f))
    }
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
    cloudformation::lower(&t, &root, sam, &mut app);
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
