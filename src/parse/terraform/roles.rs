//! `aws_iam_role` (with `inline_policy` and `managed_policy_arns`), `aws_iam_role_policy`,
//! `aws_iam_policy` attached with `aws_iam_role_policy_attachment`,
//! `aws_iam_policy_attachment` or `aws_iam_role_policy_attachments_exclusive`.

use hcl_edit::expr::Expression;

use super::eval::Eval;
use super::module::Decl;
use super::policy::as_policy;
use super::refs::{arg, target};
use crate::model::{self, AttachedPolicy, Origin, PolicyDoc, PolicySource};
use crate::source::{SourceFile, Span};

/// Lowers every `aws_iam_role`, then attaches the policies declared apart from it.
pub fn lower(ev: &Eval, app: &mut model::App) {
    for r in ev.resources() {
        let (addr, d) = (&r.addr, r.d);
        if d.kind != "aws_iam_role" {
            continue;
        }
        let _each = ev.bind(r.each.clone());
        let b = &d.block.body;
        let trust = b.get_attribute("assume_role_policy").map(|a| PolicyDoc {
            node: as_policy(ev, ev.expr(d.file, &a.value)),
            span: super::module::span_of(d.file, &a.key),
        });
        let mut policies = Vec::new();
        for ip in b.get_blocks("inline_policy") {
            let Some(p) = ip.body.get_attribute("policy") else {
                continue;
            };
            let name = arg(&ip.body, &["name"]).map_or_else(String::new, |e| ev.text(d.file, e));
            let span = super::module::span_of(d.file, &ip.ident);
            policies.push(AttachedPolicy {
                source: PolicySource::Inline { name },
                span,
                doc: Some(doc(ev, d.file, &p.value)),
            });
        }
        if let Some(e) = arg(b, &["managed_policy_arns"]) {
            policies.extend(managed_list(ev, d.file, e));
        }
        let boundary = arg(b, &["permissions_boundary"]).and_then(|e| managed_one(ev, d.file, e));
        let tags = tags(ev, d.file, arg(b, &["tags"]).into_iter());
        app.roles.push(model::Role {
            id: ev.id(d.file, addr),
            name: format!("{}{addr}", ev.scope.prefix),
            origin: Origin::Terraform,
            span: d.span,
            arn: ev.arn(addr).unwrap_or_default(),
            generated: false,
            trust,
            policies,
            boundary,
            tags,
        });
    }
    attach(ev, app);
}

/// A role's `tags` maps. The set is complete only when every AWS provider configuration the
/// instance uses is in the input without `default_tags`, which the provider adds to them
/// (Terraform AWS provider, "Resource: aws_iam_role", argument `tags`,
/// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role#tags).
pub fn tags<'e>(
    ev: &Eval,
    file: &SourceFile,
    maps: impl Iterator<Item = &'e Expression>,
) -> model::RoleTags {
    let mut tags = model::RoleTags {
        complete: ev.scope.provider_tags_known,
        ..model::RoleTags::default()
    };
    for e in maps {
        let node = ev.expr(file, e);
        if !node.is_map() {
            // A `tags` value the input does not resolve (`var.tags` from outside).
            tags.complete = false;
            continue;
        }
        for (k, v) in node.entries() {
            tags.insert(Some(k.name.clone()), v.scalar_text());
        }
    }
    tags
}

fn doc(ev: &Eval, file: &SourceFile, e: &Expression) -> PolicyDoc {
    let node = as_policy(ev, ev.expr(file, e));
    PolicyDoc {
        span: node.span,
        node,
    }
}

/// Managed policy ARNs written as a list (`managed_policy_arns`, `policy_arns`).
fn managed_list(ev: &Eval, file: &SourceFile, e: &Expression) -> Vec<AttachedPolicy> {
    match e {
        Expression::Array(a) => a.iter().filter_map(|x| managed_one(ev, file, x)).collect(),
        other => ev
            .expr(file, other)
            .items()
            .filter_map(|n| {
                Some(AttachedPolicy {
                    source: PolicySource::Managed {
                        arn: n.scalar_text()?,
                    },
                    span: n.span,
                    doc: None,
                })
            })
            .collect(),
    }
}

/// One managed policy: an `aws_iam_policy` of the module (with its document), or an ARN.
fn managed_one(ev: &Eval, file: &SourceFile, e: &Expression) -> Option<AttachedPolicy> {
    let n = ev.expr(file, e);
    if let Some(addr) = target(ev, file, e)
        && let Some(p) = ev.decl(&addr).filter(|p| p.kind == "aws_iam_policy")
    {
        // The policy's document is evaluated in its own instance.
        let _each = ev.bind(ev.each_of(&addr));
        return Some(AttachedPolicy {
            source: PolicySource::Customer {
                id: ev.id(p.file, &addr),
            },
            span: n.span,
            doc: arg(&p.block.body, &["policy"]).map(|x| doc(ev, p.file, x)),
        });
    }
    Some(AttachedPolicy {
        source: PolicySource::Managed {
            arn: n.scalar_text()?,
        },
        span: n.span,
        doc: None,
    })
}

/// The role a `role`/`roles` argument names: by reference or by its physical name.
fn role_of(ev: &Eval, file: &SourceFile, e: &Expression) -> Option<String> {
    if let Some(addr) = target(ev, file, e)
        && ev.decl(&addr).is_some_and(|d| d.kind == "aws_iam_role")
    {
        return Some(addr);
    }
    let name = ev.expr(file, e).scalar_text()?;
    let name = name.rsplit('/').next().unwrap_or(&name).to_string();
    ev.resources()
        .into_iter()
        .find(|r| r.d.kind == "aws_iam_role" && ev.name(&r.addr) == name)
        .map(|r| r.addr)
}

fn push(app: &mut model::App, ev: &Eval, role: &str, p: AttachedPolicy) {
    let Some(d) = ev.decl(role) else {
        return;
    };
    let rid = ev.id(d.file, role);
    if let Some(r) = app.roles.iter_mut().find(|r| r.id == rid) {
        r.policies.push(p);
    }
}

fn attach(ev: &Eval, app: &mut model::App) {
    for r in ev.resources() {
        let (addr, d) = (&r.addr, r.d);
        let _each = ev.bind(r.each.clone());
        let b = &d.block.body;
        match d.kind.as_str() {
            "aws_iam_role_policy" => {
                let (Some(role), Some(policy)) = (arg(b, &["role"]), arg(b, &["policy"])) else {
                    continue;
                };
                let Some(role) = role_of(ev, d.file, role) else {
                    continue;
                };
                let name = arg(b, &["name"]).map_or_else(|| addr.clone(), |e| ev.text(d.file, e));
                let p = AttachedPolicy {
                    source: PolicySource::Inline { name },
                    span: d.span,
                    doc: Some(doc(ev, d.file, policy)),
                };
                push(app, ev, &role, p);
            }
            "aws_iam_role_policy_attachment" | "aws_iam_policy_attachment" => {
                let Some(policy) = arg(b, &["policy_arn"]).and_then(|e| managed_one(ev, d.file, e))
                else {
                    continue;
                };
                for role in roles_arg(b) {
                    if let Some(r) = role_of(ev, d.file, role) {
                        push(app, ev, &r, with_span(policy.clone(), d.span));
                    }
                }
            }
            "aws_iam_role_policy_attachments_exclusive" => {
                let (Some(role), Some(list)) = (arg(b, &["role_name"]), arg(b, &["policy_arns"]))
                else {
                    continue;
                };
                let Some(r) = role_of(ev, d.file, role) else {
                    continue;
                };
                for p in managed_list(ev, d.file, list) {
                    push(app, ev, &r, p);
                }
            }
            _ => {}
        }
    }
}

/// `role = ...` or `roles = [...]`.
fn roles_arg(b: &hcl_edit::structure::Body) -> Vec<&Expression> {
    if let Some(e) = arg(b, &["role"]) {
        return vec![e];
    }
    match arg(b, &["roles"]) {
        Some(Expression::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// The attachment is reported where it is written (the attachment resource).
fn with_span(mut p: AttachedPolicy, span: Span) -> AttachedPolicy {
    p.span = span;
    p
}

/// Declarations that became roles, functions or permissions rather than resources.
pub fn handled(d: &Decl) -> bool {
    matches!(
        d.kind.as_str(),
        "aws_lambda_function"
            | "aws_iam_role"
            | "aws_iam_role_policy"
            | "aws_iam_role_policy_attachment"
            | "aws_iam_policy_attachment"
            | "aws_iam_role_policy_attachments_exclusive"
            | "aws_iam_role_policies_exclusive"
            | "aws_lambda_permission"
            | "aws_lambda_event_source_mapping"
            | "aws_lambda_function_url"
            | "aws_lambda_function_event_invoke_config"
            | "aws_s3_bucket_notification"
            | "aws_sns_topic_subscription"
            | "aws_cloudwatch_event_target"
    )
}
