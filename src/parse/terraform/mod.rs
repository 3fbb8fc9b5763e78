//! Terraform configurations: every directory of `.tf` files is one module, parsed with
//! `hcl-edit` (spans kept) and lowered to the same [`crate::model`] the CloudFormation front
//! end produces, so rules and reports work unchanged.
//!
//! Expressions are evaluated symbolically ([`eval`]); `count`/`for_each` are not expanded
//! (a resource with `count` is one model item; `each.key` stays `${each.key}`). Physical
//! names that the configuration does not set are written `${<address>}`, the way the
//! CloudFormation front end writes `${LogicalId}`. Child modules with local sources are
//! audited as modules of their own; registry modules other than
//! `terraform-aws-modules/lambda/aws` are not followed.

mod encryption;
pub mod eval;
pub mod functions;
pub mod kinds;
pub mod lambda_module;
pub mod module;
pub mod plan;
pub mod policy;
pub mod refs;
pub mod roles;
pub mod triggers;

use crate::model::{self, App};
use crate::parse::common::{Context, FrontEnd, Reads, TemplateOutcome};
use crate::source::SourceFile;
use crate::syntax::ParseError;

/// The `terraform-hcl` front end: `.tf` files, each folder one module.
pub struct TerraformHcl;

impl FrontEnd for TerraformHcl {
    fn name(&self) -> &'static str {
        "terraform-hcl"
    }

    fn reads(&self) -> Reads {
        Reads::Terraform
    }

    fn group<'r>(&self, rel: &'r str) -> Option<&'r str> {
        Some(rel.rsplit_once('/').map_or("", |(d, _)| d))
    }

    fn lower(&self, files: &[&SourceFile], cx: &Context<'_>) -> TemplateOutcome {
        let o = parse_module(files, cx.read);
        TemplateOutcome::Template {
            app: o.app,
            issues: o.issues,
        }
    }
}

/// The `terraform-plan` front end: `terraform show -json` output.
pub struct TerraformPlan;

impl FrontEnd for TerraformPlan {
    fn name(&self) -> &'static str {
        "terraform-plan"
    }

    fn reads(&self) -> Reads {
        Reads::Documents
    }

    fn offered(&self, rel: &str) -> bool {
        rel.ends_with(".json")
    }

    fn lower(&self, files: &[&SourceFile], _cx: &Context<'_>) -> TemplateOutcome {
        let Some(file) = files.first() else {
            return TemplateOutcome::NotTemplate;
        };
        if !file.text.contains("\"format_version\"") {
            return TemplateOutcome::NotTemplate;
        }
        match crate::syntax::json::parse(file) {
            Ok(root) if plan::is_plan(&root) => {
                let o = plan::parse_plan(file, &root);
                TemplateOutcome::Template {
                    app: o.app,
                    issues: o.issues,
                }
            }
            _ => TemplateOutcome::NotTemplate,
        }
    }
}

/// A policy written as JSON text in a plan, parsed; bad JSON is an issue.
fn policy_json(
    n: &crate::syntax::node::Node,
    issues: &mut Vec<ParseError>,
) -> Option<model::PolicyDoc> {
    let text = n.as_str()?;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Some(model::PolicyDoc {
            node: crate::syntax::node::Node::from_json(&v, n.span),
            span: n.span,
        }),
        Err(e) => {
            issues.push(ParseError::new(
                n.span,
                format!("policy is not valid JSON: {e}"),
            ));
            None
        }
    }
}

/// What one module lowered to, and what could not be read.
#[derive(Debug, Default)]
pub struct Outcome {
    pub app: App,
    pub issues: Vec<ParseError>,
}

/// Lowers one module: `files` are the `.tf` files of one directory; `read` reads a file
/// relative to the audited root (for `file()`/`templatefile()`), `None` outside it.
/// `.tf.json` files are not read (JSON configuration syntax is rare in practice).
pub fn parse_module(files: &[&SourceFile], read: &dyn Fn(&str) -> Option<String>) -> Outcome {
    let mut out = Outcome::default();
    let mut bodies = Vec::new();
    for f in files {
        if f.path.ends_with(".json") {
            continue;
        }
        match module::parse_file(f) {
            Ok(b) => bodies.push((*f, b)),
            Err(e) => out.issues.push(e),
        }
    }
    let Some((first, _)) = bodies.first() else {
        return out;
    };
    let dir = first
        .path
        .rsplit_once('/')
        .map_or_else(String::new, |(d, _)| d.to_string());
    let m = module::Module::new(dir, &bodies, read);
    let ev = eval::Eval::new(&m);
    roles::lower(&ev, &mut out.app);
    functions::lower(&ev, &mut out.app);
    lambda_module::lower(&ev, &mut out.app);
    triggers::lower(&ev, &mut out.app);
    for (addr, d) in &m.resources {
        if roles::handled(d) {
            continue;
        }
        let type_name =
            kinds::cfn_kind(&d.kind).map_or_else(|| d.kind.clone(), |(k, _)| k.to_string());
        // Evaluated for the problems it shows (unreadable `file()`s) and the typed details.
        let body = ev.body(d.file, &d.block.body, d.span);
        let kind = match d.kind.as_str() {
            "aws_cloudwatch_log_group" => model::ResourceKind::LogGroup {
                name: body
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
            },
            // The file system of an access point is not read from Terraform.
            "aws_efs_access_point" => model::ResourceKind::EfsAccessPoint { file_system: None },
            _ => model::ResourceKind::Other,
        };
        let encryption = encryption::key_of(&d.kind, &body);
        out.app.resources.push(model::Resource {
            id: refs::id(d.file, addr),
            logical_id: addr.clone(),
            type_name,
            kind,
            span: d.span,
            arn: ev.arn(addr),
            encryption,
        });
    }
    encryption::bucket_configurations(&ev, &m, &mut out.app);
    out.issues.extend(m.issues.into_inner());
    out.app.unknowns.extend(m.unknowns.into_inner());
    out
}
