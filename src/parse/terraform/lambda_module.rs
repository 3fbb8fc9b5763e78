//! The `terraform-aws-modules/lambda/aws` registry module, lowered from its inputs (the
//! module's README and `iam.tf`): the function, the role the module creates for it (a
//! generated role) with the policies its `attach_*` switches add, `allowed_triggers` as
//! permissions and `event_source_mapping` as events.

use hcl_edit::expr::Expression;

use super::eval::Eval;
use super::functions::{env_var, join};
use super::module::{Decl, span_of};
use super::policy::{as_policy, statement};
use super::refs::{arg, key_span, text};
use crate::model::{
    self, AttachedPolicy, Event, EventKind, FunctionConfig, InvokePermission, Origin, PolicyDoc,
    PolicySource, Poll, RoleBinding,
};
use crate::source::{Span, Spanned};
use crate::syntax::node::{Node, Value};

/// A `module` block that uses the Lambda registry module.
pub fn is_lambda_module(ev: &Eval, d: &Decl) -> bool {
    text(ev, d.file, &d.block.body, &["source"]).is_some_and(|s| {
        s.value.contains("terraform-aws-modules/lambda/aws")
            || s.value
                .contains("terraform-aws-modules/terraform-aws-lambda")
    })
}

pub fn lower(ev: &Eval, app: &mut model::App) {
    for (name, d) in &ev.m.modules {
        if !is_lambda_module(ev, d) {
            continue;
        }
        let b = &d.block.body;
        let f = d.file;
        let flag = |k: &str, default: bool| {
            arg(b, &[k])
                .and_then(|e| ev.expr(f, e).as_bool())
                .unwrap_or(default)
        };
        // The module's `aws_lambda_function.this` has
        // `count = local.create && var.create_function && !var.create_layer ? 1 : 0`: a module
        // call that builds a layer (`create_layer = true`) declares no function.
        if !flag("create", true) || !flag("create_function", true) || flag("create_layer", false) {
            continue;
        }
        let t = |k: &str| text(ev, f, b, &[k]);
        let num = |k: &str| {
            let n = arg(b, &[k]).map(|e| ev.expr(f, e))?;
            n.as_f64().map(|v| Spanned::new(v, n.span))
        };
        let fname = t("function_name").map_or_else(|| format!("${{module.{name}}}"), |s| s.value);
        let fid = ev.id(f, name);
        let mut config = FunctionConfig {
            timeout: num("timeout"),
            memory: num("memory_size"),
            ephemeral_storage: num("ephemeral_storage_size"),
            layers: arg(b, &["layers"])
                .map(|e| {
                    ev.expr(f, e)
                        .items()
                        .filter_map(|i| i.scalar_text().map(|s| Spanned::new(s, i.span)))
                        .collect()
                })
                .unwrap_or_default(),
            vpc: arg(b, &["vpc_subnet_ids"])
                .filter(|e| !matches!(ev.expr(f, e).value, Value::Null))
                .and_then(|_| key_span(d, "vpc_subnet_ids")),
            tracing: t("tracing_mode")
                .filter(|m| m.value == "Active")
                .map(|m| m.span),
            kms_key_arn: t("kms_key_arn"),
            dead_letter: t("dead_letter_target_arn"),
            log_group: t("logging_log_group"),
            image_uri: t("image_uri"),
            ..FunctionConfig::default()
        };
        let mut environment = Vec::new();
        if let Some(Expression::Object(o)) = arg(b, &["environment_variables"]) {
            config.environment_span = key_span(d, "environment_variables");
            for (k, v) in o.iter() {
                let key = match k {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(x) => ev.text(f, x),
                };
                let kspan = span_of(f, k);
                environment.push(env_var(
                    ev,
                    f,
                    Spanned::new(key, kspan),
                    v.expr(),
                    &mut config,
                ));
            }
        }
        let arn = format!("arn:aws:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{fname}");
        let mut func = model::Function {
            id: fid.clone(),
            name: ev.function_name(name),
            origin: Origin::Terraform,
            span: d.span,
            arn,
            runtime: t("runtime"),
            handler: t("handler"),
            code_path: source_path(ev, d),
            inline_code: None,
            role: RoleBinding::Unknown,
            environment,
            events: Vec::new(),
            config,
        };
        func.events = events(ev, d);
        permissions(ev, d, &fid, app);
        // The module creates the function's log group (`aws_cloudwatch_log_group.lambda`, unless
        // `use_existing_cloudwatch_log_group`, which names one that exists already), so it
        // exists before the function runs. Lambda@Edge logs to `/aws/lambda/us-east-1.<name>`
        // in each Region it runs in, which Lambda creates there.
        if !flag("lambda_at_edge", false) {
            let group =
                t("logging_log_group").map_or_else(|| format!("/aws/lambda/{fname}"), |g| g.value);
            app.resources.push(model::Resource {
                id: format!("{fid}.log_group"),
                logical_id: format!("module.{name}.log_group"),
                type_name: "AWS::Logs::LogGroup".into(),
                arn: Some(format!(
                    "arn:aws:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}"
                )),
                kind: model::ResourceKind::LogGroup { name: Some(group) },
                span: d.span,
                encryption: None,
                tags: model::RoleTags::default(),
            });
        }
        if flag("create_role", true) {
            let role = role(ev, d, &fname, &func);
            func.role = RoleBinding::Role(role.id.clone());
            app.roles.push(role);
        } else if let Some(r) = t("lambda_role") {
            func.role = RoleBinding::External(r);
        }
        app.functions.push(func);
    }
}

/// `source_path` as a string, or the `path` of its first item when it is a list of objects.
pub(super) fn source_path(ev: &Eval, d: &Decl) -> Option<Spanned<String>> {
    let n = ev.expr(d.file, arg(&d.block.body, &["source_path"])?);
    let first = n.items().next()?;
    let p = first.get("path").unwrap_or(first);
    let s = p.as_str()?;
    join(ev, Spanned::new(s.to_string(), p.span))
}

fn events(ev: &Eval, d: &Decl) -> Vec<Event> {
    let Some(n) = arg(&d.block.body, &["event_source_mapping"]).map(|e| ev.expr(d.file, e)) else {
        return Vec::new();
    };
    n.entries()
        .map(|(k, v)| Event {
            name: k.name.clone(),
            kind: EventKind::Mapping {
                poll: Poll::default(),
                self_managed: false,
            },
            span: k.span,
            source_arn: v
                .get("event_source_arn")
                .and_then(|a| a.scalar_text().map(|s| Spanned::new(s, a.span))),
            source_ref: None,
            enabled: v.get("enabled").and_then(Node::as_bool).unwrap_or(true),
        })
        .collect()
}

/// `allowed_triggers`: one `aws_lambda_permission` per entry.
fn permissions(ev: &Eval, d: &Decl, fid: &str, app: &mut model::App) {
    let Some(n) = arg(&d.block.body, &["allowed_triggers"]).map(|e| ev.expr(d.file, e)) else {
        return;
    };
    let sp = |v: &Node, k: &str| {
        v.get(k)
            .and_then(|a| a.scalar_text().map(|s| Spanned::new(s, a.span)))
    };
    for (k, v) in n.entries() {
        let principal = sp(v, "principal").or_else(|| {
            sp(v, "service").map(|s| Spanned::new(format!("{}.amazonaws.com", s.value), s.span))
        });
        let Some(principal) = principal else { continue };
        app.permissions.push(InvokePermission {
            id: format!("{fid}.allowed_triggers.{}", k.name),
            span: k.span,
            function: Some(fid.to_string()),
            function_ref: fid.to_string(),
            qualifier: None,
            action: sp(v, "action")
                .unwrap_or_else(|| Spanned::new("lambda:InvokeFunction".into(), k.span)),
            principal,
            source_arn: sp(v, "source_arn"),
            source_account: sp(v, "source_account"),
            principal_org_id: sp(v, "principal_org_id"),
            function_url_auth_type: None,
            event_source_token: false,
            generated: false,
        });
    }
}

fn implicit(arn: &str, reason: &str, span: Span, doc: Option<serde_json::Value>) -> AttachedPolicy {
    AttachedPolicy {
        source: PolicySource::Implicit {
            arn: arn.into(),
            reason: reason.into(),
        },
        span,
        doc: doc.map(|d| PolicyDoc {
            node: Node::from_json(&d, span),
            span,
        }),
    }
}

/// The role the module creates, with what each `attach_*` input adds.
fn role(ev: &Eval, d: &Decl, fname: &str, func: &model::Function) -> model::Role {
    let b = &d.block.body;
    let f = d.file;
    let on = |k: &str, default: bool| {
        arg(b, &[k])
            .and_then(|e| ev.expr(f, e).as_bool())
            .unwrap_or(default)
    };
    let at = |k: &str| key_span(d, k).unwrap_or(d.span);
    let mut policies = Vec::new();
    // Source: terraform-aws-modules/terraform-aws-lambda `iam.tf` (data
    // "aws_iam_policy_document" "logs" ... "additional_inline"): every `attach_*` input below is
    // written as that file writes it, on the role the module creates (`create_role`).
    // attach_cloudwatch_logs_policy defaults to true: write to the function's log group
    // (`logging_log_group` when set), `logs:CreateLogGroup` only without
    // `use_existing_cloudwatch_log_group`; Lambda@Edge logs in every region.
    if on("attach_cloudwatch_logs_policy", true) {
        let group = func
            .config
            .log_group
            .as_ref()
            .map_or_else(|| format!("/aws/lambda/{fname}"), |g| g.value.clone());
        let region = if on("lambda_at_edge", false) {
            "*"
        } else {
            "${AWS::Region}"
        };
        let lg = format!("arn:aws:logs:{region}:${{AWS::AccountId}}:log-group:{group}");
        let mut actions = vec!["logs:CreateLogStream", "logs:PutLogEvents"];
        if !on("use_existing_cloudwatch_log_group", false) {
            actions.insert(0, "logs:CreateLogGroup");
        }
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": actions,
            "Resource": [format!("{lg}:*"), format!("{lg}:*:*")]}]});
        policies.push(implicit(
            "",
            "attach_cloudwatch_logs_policy",
            at("attach_cloudwatch_logs_policy"),
            Some(doc),
        ));
    }
    // attach_async_event_policy: the four destination actions on both destinations.
    if on("attach_async_event_policy", false) {
        let mut targets: Vec<String> = Vec::new();
        for k in ["destination_on_failure", "destination_on_success"] {
            if let Some(t) = arg(b, &[k]).and_then(|e| ev.expr(f, e).scalar_text())
                && !t.is_empty()
                && !targets.contains(&t)
            {
                targets.push(t);
            }
        }
        if !targets.is_empty() {
            let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": ["sns:Publish", "sqs:SendMessage", "events:PutEvents",
                    "lambda:InvokeFunction"],
                "Resource": targets}]});
            policies.push(implicit(
                "",
                "attach_async_event_policy",
                at("attach_async_event_policy"),
                Some(doc),
            ));
        }
    }
    if on("attach_dead_letter_policy", false)
        && let Some(dlq) = &func.config.dead_letter
    {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["sns:Publish", "sqs:SendMessage"], "Resource": dlq.value}]});
        policies.push(implicit(
            "",
            "attach_dead_letter_policy",
            at("attach_dead_letter_policy"),
            Some(doc),
        ));
    }
    if on("attach_network_policy", false) {
        policies.push(implicit(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess",
            "attach_network_policy",
            at("attach_network_policy"),
            None,
        ));
    }
    if on("attach_tracing_policy", false) {
        policies.push(implicit(
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            "attach_tracing_policy",
            at("attach_tracing_policy"),
            None,
        ));
    }
    if on("attach_policy_json", false)
        && let Some(e) = arg(b, &["policy_json"])
    {
        let node = as_policy(ev, ev.expr(f, e));
        policies.push(AttachedPolicy {
            source: PolicySource::Inline {
                name: "policy_json".into(),
            },
            span: node.span,
            doc: Some(PolicyDoc {
                span: node.span,
                node,
            }),
        });
    }
    if on("attach_policy_jsons", false)
        && let Some(e) = arg(b, &["policy_jsons"])
    {
        for (i, n) in ev.expr(f, e).items().enumerate() {
            let node = as_policy(ev, n.clone());
            policies.push(AttachedPolicy {
                source: PolicySource::Inline {
                    name: format!("policy_jsons[{i}]"),
                },
                span: node.span,
                doc: Some(PolicyDoc {
                    span: node.span,
                    node,
                }),
            });
        }
    }
    for (switch, input) in [("attach_policy", "policy"), ("attach_policies", "policies")] {
        if !on(switch, false) {
            continue;
        }
        let Some(e) = arg(b, &[input]) else { continue };
        for n in ev.expr(f, e).items() {
            if let Some(arn) = n.scalar_text() {
                policies.push(AttachedPolicy {
                    source: PolicySource::Managed { arn },
                    span: n.span,
                    doc: None,
                });
            }
        }
    }
    if on("attach_policy_statements", false)
        && let Some(e) = arg(b, &["policy_statements"])
    {
        let n = ev.expr(f, e);
        let statements: Vec<Node> = n.entries().map(|(_, v)| statement(&as_blocks(v))).collect();
        let doc = Node::new(
            Value::Map(vec![
                (key("Version", n.span), Node::string("2012-10-17", n.span)),
                (
                    key("Statement", n.span),
                    Node::new(Value::Seq(statements), n.span),
                ),
            ]),
            n.span,
        );
        policies.push(AttachedPolicy {
            source: PolicySource::Inline {
                name: "policy_statements".into(),
            },
            span: n.span,
            doc: Some(PolicyDoc {
                span: n.span,
                node: doc,
            }),
        });
    }
    let default_trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRole"],
        "Principal": {"Service": ["lambda.amazonaws.com"]}}]});
    let role_name = text(ev, f, b, &["role_name"]).map_or_else(|| fname.to_string(), |s| s.value);
    model::Role {
        id: ev.id(f, &format!("module.{}.role", d.name)),
        name: format!("{}module.{}.role", ev.scope.prefix, d.name),
        origin: Origin::Terraform,
        span: d.span,
        arn: format!("arn:aws:iam::${{AWS::AccountId}}:role/{role_name}"),
        generated: true,
        trust: Some(PolicyDoc {
            node: Node::from_json(&default_trust, d.span),
            span: d.span,
        }),
        policies,
        boundary: text(ev, f, b, &["role_permissions_boundary"]).map(|s| AttachedPolicy {
            source: PolicySource::Managed { arn: s.value },
            span: s.span,
            doc: None,
        }),
        // The module tags its role with `merge(var.tags, var.role_tags)`
        // (terraform-aws-modules/lambda, `iam.tf`).
        tags: super::roles::tags(
            ev,
            f,
            ["tags", "role_tags"].iter().filter_map(|k| arg(b, &[k])),
        ),
    }
}

fn key(name: &str, span: Span) -> crate::syntax::node::Key {
    crate::syntax::node::Key {
        name: name.into(),
        span,
    }
}

/// The module writes `principals` and `condition` as maps of objects; the data source
/// writes them as repeated blocks. Maps become lists so one reader serves both.
fn as_blocks(st: &Node) -> Node {
    let Value::Map(entries) = &st.value else {
        return st.clone();
    };
    let entries = entries
        .iter()
        .map(|(k, v)| {
            let listy = matches!(
                k.name.as_str(),
                "principals" | "not_principals" | "condition"
            );
            if listy && v.is_map() && v.entries().all(|(_, x)| x.is_map()) {
                let items = v.entries().map(|(_, x)| x.clone()).collect();
                (k.clone(), Node::new(Value::Seq(items), v.span))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    Node::new(Value::Map(entries), st.span)
}
