//! `terraform show -json` plan files (the "JSON Output Format" page of the Terraform
//! documentation): recognised by `format_version` with `planned_values` or
//! `resource_changes`. Resources are read from `planned_values` (root and child modules);
//! values that are only known after apply (the ARN of a role created in the same plan) are
//! found through the references in `configuration`.

use super::Outcome;
use super::policy_json;
use crate::arn::Part;
use crate::model::{self, AttachedPolicy, Origin, PolicySource, RoleBinding};
use crate::source::{SourceFile, Spanned};
use crate::syntax::node::Node;

/// A JSON document written by `terraform show -json`.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// Planned resources of every module, with the module's `configuration` block.
fn resources<'n>(module: &'n Node, out: &mut Vec<&'n Node>) {
    if let Some(list) = module.get("resources") {
        out.extend(
            list.items()
                .filter(|r| r.get("mode").and_then(Node::as_str) == Some("managed")),
        );
    }
    if let Some(children) = module.get("child_modules") {
        for c in children.items() {
            resources(c, out);
        }
    }
}

fn sp(n: &Node, key: &str) -> Option<Spanned<String>> {
    let v = n.get(key)?;
    v.scalar_text().map(|s| Spanned::new(s, v.span))
}

/// The addresses a configuration expression of resource `address` references.
fn references(root: &Node, address: &str, arg: &str) -> Vec<String> {
    let Some(cfg) = root.get("configuration").and_then(|c| c.get("root_module")) else {
        return Vec::new();
    };
    cfg.get("resources")
        .into_iter()
        .flat_map(Node::items)
        .filter(|r| r.get("address").and_then(Node::as_str) == Some(address))
        .filter_map(|r| r.get("expressions")?.get(arg)?.get("references"))
        .flat_map(|refs| {
            refs.items()
                .filter_map(Node::scalar_text)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Lowers the functions and roles of a plan.
pub fn parse_plan(file: &SourceFile, root: &Node) -> Outcome {
    let mut out = Outcome::default();
    let mut all = Vec::new();
    if let Some(pv) = root
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        resources(pv, &mut all);
    }
    let kind = |r: &Node| {
        r.get("type")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let address = |r: &Node| {
        r.get("address")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let role_id = |addr: &str| format!("{}#{addr}", file.path);
    for r in all.iter().filter(|r| kind(r) == "aws_iam_role") {
        let v = r.get("values");
        let get = |k: &str| v.and_then(|v| v.get(k));
        let name = v.and_then(|v| sp(v, "name")).map(|s| s.value);
        let mut policies = Vec::new();
        for ip in get("inline_policy").into_iter().flat_map(Node::items) {
            if let Some(p) = ip.get("policy") {
                policies.push(AttachedPolicy {
                    source: PolicySource::Inline {
                        name: sp(ip, "name").map(|s| s.value).unwrap_or_default(),
                    },
                    span: ip.span,
                    doc: policy_json(p, &mut out.issues),
                });
            }
        }
        for arn in get("managed_policy_arns").into_iter().flat_map(Node::items) {
            if let Some(a) = arn.scalar_text() {
                policies.push(AttachedPolicy {
                    source: PolicySource::Managed { arn: a },
                    span: arn.span,
                    doc: None,
                });
            }
        }
        let addr = address(r);
        out.app.roles.push(model::Role {
            id: role_id(&addr),
            name: addr.clone(),
            origin: Origin::Terraform,
            span: r.span,
            arn: format!(
                "arn:aws:iam::${{AWS::AccountId}}:role/{}",
                name.clone().unwrap_or_else(|| format!("${{{addr}}}"))
            ),
            generated: false,
            trust: get("assume_role_policy").and_then(|p| policy_json(p, &mut out.issues)),
            policies,
            boundary: None,
            tags: plan_tags(get("tags_all").or_else(|| get("tags"))),
        });
    }
    // Attachments name the role by its name.
    let by_name = |app: &model::App, name: &str| {
        app.roles
            .iter()
            .position(|x| Part::new(&x.arn).last_segment(&['/']).as_str() == name)
    };
    for r in &all {
        let Some(v) = r.get("values") else { continue };
        let Some(role) = sp(v, "role").and_then(|n| by_name(&out.app, &n.value)) else {
            continue;
        };
        let p = match kind(r).as_str() {
            "aws_iam_role_policy" => v.get("policy").map(|p| AttachedPolicy {
                source: PolicySource::Inline {
                    name: sp(v, "name").map_or_else(|| address(r), |s| s.value),
                },
                span: r.span,
                doc: policy_json(p, &mut out.issues),
            }),
            "aws_iam_role_policy_attachment" => sp(v, "policy_arn").map(|a| AttachedPolicy {
                source: PolicySource::Managed { arn: a.value },
                span: a.span,
                doc: None,
            }),
            _ => None,
        };
        if let (Some(p), Some(role)) = (p, out.app.roles.get_mut(role)) {
            role.policies.push(p);
        }
    }
    for r in all.iter().filter(|r| kind(r) == "aws_lambda_function") {
        let addr = address(r);
        let Some(v) = r.get("values") else { continue };
        let fname = sp(v, "function_name").map_or_else(|| format!("${{{addr}}}"), |s| s.value);
        let role = match sp(v, "role") {
            Some(arn) => match out.app.roles.iter().find(|x| x.arn == arn.value) {
                Some(x) => RoleBinding::Role(x.id.clone()),
                None => RoleBinding::External(arn),
            },
            None => references(root, &addr, "role")
                .iter()
                .find_map(|x| {
                    let a = x.strip_suffix(".arn")?;
                    out.app.roles.iter().find(|r| r.name == a)
                })
                .map_or(RoleBinding::Unknown, |x| RoleBinding::Role(x.id.clone())),
        };
        let environment = v
            .get("environment")
            .and_then(|e| e.items().next())
            .and_then(|e| e.get("variables"))
            .map(|vars| {
                vars.entries()
                    .map(|(k, x)| model::EnvVar {
                        name: Spanned::new(k.name.clone(), k.span),
                        value: x.scalar_text().map(|s| Spanned::new(s, x.span)),
                        refers_to: None,
                        literal: true,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let num = |k: &str| {
            let n = v.get(k)?;
            n.as_f64().map(|x| Spanned::new(x, n.span))
        };
        out.app.functions.push(model::Function {
            id: format!(
                "{}#{}",
                file.path,
                r.get("name").and_then(Node::as_str).unwrap_or(&addr)
            ),
            name: addr.clone(),
            origin: Origin::Terraform,
            span: r.span,
            arn: format!("arn:aws:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{fname}"),
            runtime: sp(v, "runtime"),
            handler: sp(v, "handler"),
            code_path: None,
            inline_code: None,
            role,
            environment,
            events: Vec::new(),
            config: model::FunctionConfig {
                timeout: num("timeout"),
                memory: num("memory_size"),
                ..model::FunctionConfig::default()
            },
        });
    }
    out
}

/// A planned role's tags: `tags_all` holds its `tags` merged with the provider's
/// `default_tags` (Terraform AWS provider, "Resource: aws_iam_role", attribute `tags_all`,
/// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role#tags_all).
/// A value unknown until apply is absent from the plan's values, so only a present map is
/// complete.
fn plan_tags(map: Option<&Node>) -> model::RoleTags {
    let mut tags = model::RoleTags {
        complete: map.is_some_and(Node::is_map),
        ..model::RoleTags::default()
    };
    for (k, v) in map.into_iter().flat_map(Node::entries) {
        tags.insert(Some(k.name.clone()), v.scalar_text());
    }
    tags
}
