//! `rolefit policy`: per function, the least-privilege policy that its code, triggers and
//! configuration need (the engine's synthesis over the analysis' needs), as IAM JSON or as a
//! snippet in the syntax of the file that declares the function.

use std::fmt::Write as _;

use serde_json::Value;

use crate::app::Audit;
use crate::iam;
use crate::model::Function;
use crate::render::{self, Idiom, Renderer};

/// Output syntax of `rolefit policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// One IAM policy document per function id.
    Json,
    /// SAM `Policies:` with an inline statement list.
    Sam,
    /// An `AWS::IAM::Policy` resource attached to the execution role.
    CloudFormation,
    /// A `data "aws_iam_policy_document"` block.
    Terraform,
    /// Serverless Framework `provider.iam.role.statements` (per-function `iamRoleStatements`
    /// when the project uses serverless-iam-roles-per-function).
    Serverless,
    /// The syntax of the file that declares each function.
    Native,
}

/// The synthesized policy of every selected function: all functions when `names` is empty,
/// else those whose name or id is listed. Unknown names are returned as the error.
pub fn policies<'a>(
    audit: &'a Audit,
    names: &[String],
) -> Result<Vec<(&'a Function, Value)>, Vec<String>> {
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| {
            !audit
                .app
                .functions
                .iter()
                .any(|f| &f.name == *n || &f.id == *n)
        })
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(audit
        .app
        .functions
        .iter()
        .zip(&audit.analysis.functions)
        .filter(|(f, _)| names.is_empty() || names.iter().any(|n| n == &f.name || n == &f.id))
        .map(|(f, fa)| {
            let reqs: Vec<iam::Requirement> = fa
                .needs
                .iter()
                .map(|n| iam::Requirement {
                    action: n.action.clone(),
                    resource: n.resource.clone(),
                })
                .collect();
            (f, iam::synthesize(&reqs, &[]))
        })
        .collect())
}

/// The policies in `syntax`: one JSON object keyed by function id, or per function a comment
/// line and the snippet in the idiom of [`crate::render`] (the text findings' `fix_text` uses).
pub fn render(audit: &Audit, selected: &[(&Function, Value)], syntax: Syntax) -> String {
    if syntax == Syntax::Json {
        let map: serde_json::Map<String, Value> = selected
            .iter()
            .map(|(f, p)| (f.id.clone(), p.clone()))
            .collect();
        let mut s = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let renderer = Renderer::new(&audit.app, &audit.sources);
    let mut out = String::new();
    for (f, policy) in selected {
        let native = render::idiom_of(&audit.app, f);
        let json = matches!(
            native,
            Idiom::Sam { json: true } | Idiom::CloudFormation { json: true }
        );
        let idiom = match syntax {
            Syntax::Sam => Idiom::Sam { json: false },
            Syntax::CloudFormation => Idiom::CloudFormation { json: false },
            Syntax::Terraform => Idiom::Terraform,
            Syntax::Serverless => Idiom::Serverless,
            Syntax::Native | Syntax::Json => native,
        };
        // A JSON template's snippet is JSON, which has no comments.
        if !(json && idiom == native) {
            let _ = writeln!(out, "# {} ({})", f.name, f.id);
        }
        out.push_str(&renderer.policy(f, idiom, policy));
        out.push('\n');
    }
    out
}
