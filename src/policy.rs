//! `rolefit policy`: per function, the least-privilege policy that its code, triggers and
//! configuration need (the engine's synthesis over the analysis' needs), as IAM JSON or as a
//! snippet in the syntax of the file that declares the function.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::app::Audit;
use crate::iam;
use crate::model::{Function, Origin, RoleBinding};

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
    /// Serverless Framework `iamRoleStatements` (serverless-iam-roles-per-function).
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

pub fn render(selected: &[(&Function, Value)], syntax: Syntax) -> String {
    if syntax == Syntax::Json {
        let map: serde_json::Map<String, Value> = selected
            .iter()
            .map(|(f, p)| (f.id.clone(), p.clone()))
            .collect();
        let mut s = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let mut out = String::new();
    for (f, policy) in selected {
        let syntax = match syntax {
            Syntax::Native => native(f.origin),
            other => other,
        };
        let statements = policy
            .get("Statement")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let _ = writeln!(out, "# {} ({})", f.name, f.id);
        match syntax {
            Syntax::Json | Syntax::Native => {
                let text = serde_json::to_string_pretty(policy).unwrap_or_default();
                let _ = writeln!(out, "{text}");
            }
            Syntax::Sam => {
                let _ = writeln!(
                    out,
                    "{}:\n  Properties:\n    Policies:\n      - Statement:",
                    f.name
                );
                yaml_statements(&statements, 10, false, &mut out);
            }
            Syntax::CloudFormation => {
                let role = match &f.role {
                    RoleBinding::Role(id) => id.rsplit('#').next().unwrap_or(id).to_string(),
                    _ => format!("{}Role", f.name),
                };
                let _ = writeln!(
                    out,
                    "{name}LeastPrivilegePolicy:\n  Type: AWS::IAM::Policy\n  Properties:\n    PolicyName: {name}-least-privilege\n    Roles:\n      - !Ref {role}\n    PolicyDocument:\n      Version: \"2012-10-17\"\n      Statement:",
                    name = f.name
                );
                yaml_statements(&statements, 8, false, &mut out);
            }
            Syntax::Serverless => {
                let _ = writeln!(out, "functions:\n  {}:\n    iamRoleStatements:", f.name);
                yaml_statements(&statements, 6, true, &mut out);
            }
            Syntax::Terraform => terraform(f, &statements, &mut out),
        }
        out.push('\n');
    }
    out
}

fn native(origin: Origin) -> Syntax {
    match origin {
        Origin::Sam => Syntax::Sam,
        Origin::CloudFormation => Syntax::CloudFormation,
        Origin::Serverless => Syntax::Serverless,
        Origin::Terraform => Syntax::Terraform,
        Origin::Account => Syntax::Json,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Statements as a YAML block list at `indent`. Resources with `${...}` placeholders become
/// `!Sub` strings in CloudFormation; Serverless writes the pseudo parameters as its own
/// `${aws:region}`/`${aws:accountId}` variables.
fn yaml_statements(statements: &[Value], indent: usize, serverless: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    for st in statements {
        let _ = writeln!(out, "{pad}- Effect: Allow\n{pad}  Action:");
        for a in list(st.get("Action")) {
            let _ = writeln!(out, "{pad}    - {}", quote(&a));
        }
        let _ = writeln!(out, "{pad}  Resource:");
        for r in list(st.get("Resource")) {
            let value = if serverless {
                quote(
                    &r.replace("${AWS::Region}", "${aws:region}")
                        .replace("${AWS::AccountId}", "${aws:accountId}"),
                )
            } else if r.contains("${") {
                format!("!Sub {}", quote(&r))
            } else {
                quote(&r)
            };
            let _ = writeln!(out, "{pad}    - {value}");
        }
    }
}

fn terraform(f: &Function, statements: &[Value], out: &mut String) {
    let name: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let _ = writeln!(out, "data \"aws_iam_policy_document\" \"{name}\" {{");
    for st in statements {
        let actions: Vec<String> = list(st.get("Action")).iter().map(|a| quote(a)).collect();
        let resources: Vec<String> = list(st.get("Resource"))
            .iter()
            .map(|r| {
                quote(
                    &r.replace("${AWS::Region}", "${data.aws_region.current.name}")
                        .replace(
                            "${AWS::AccountId}",
                            "${data.aws_caller_identity.current.account_id}",
                        ),
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  statement {{\n    effect    = \"Allow\"\n    actions   = [{}]\n    resources = [{}]\n  }}",
            actions.join(", "),
            resources.join(", ")
        );
    }
    out.push_str("}\n");
}

/// A double-quoted string: JSON escaping is valid in YAML and HCL strings.
fn quote(s: &str) -> String {
    json!(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_statements_use_sub_for_placeholders() {
        let st = json!({"Effect": "Allow", "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue}"});
        let mut out = String::new();
        yaml_statements(std::slice::from_ref(&st), 0, false, &mut out);
        assert!(out.contains("- \"sqs:SendMessage\""));
        assert!(out.contains("- !Sub \"arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue}\""));
        let mut sls = String::new();
        yaml_statements(&[st], 0, true, &mut sls);
        assert!(sls.contains("arn:aws:sqs:${aws:region}:${aws:accountId}:${Queue}"));
    }
}
