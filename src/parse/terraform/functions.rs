//! `aws_lambda_function` to [`model::Function`] (arguments as documented on the resource's
//! page of the AWS provider: `filename`/`s3_bucket`/`image_uri`, `environment`,
//! `vpc_config`, `tracing_config`, `dead_letter_config`, `file_system_config`,
//! `logging_config`, ...). `source_code_hash` and other deployment details are ignored.

use hcl_edit::expr::Expression;

use super::eval::Eval;
use super::kinds;
use super::refs::{self, arg, key_span, target, text};
use crate::model::{self, EnvVar, FunctionConfig, Origin, RoleBinding};
use crate::source::Spanned;
use crate::syntax::node::Node;

/// Lowers every `aws_lambda_function` of the module.
pub fn lower(ev: &Eval, app: &mut model::App) {
    for r in ev.resources() {
        let (addr, d) = (&r.addr, r.d);
        if d.kind != "aws_lambda_function" {
            continue;
        }
        let _each = ev.bind(r.each.clone());
        let b = &d.block.body;
        let f = d.file;
        let num = |path: &[&str]| {
            let n = refs::node(ev, f, b, path)?;
            n.as_f64().map(|v| Spanned::new(v, n.span))
        };
        let vpc = refs::node(ev, f, b, &["vpc_config", "subnet_ids"])
            .filter(|s| s.items().next().is_some())
            .and_then(|_| key_span(d, "vpc_config"));
        let tracing = text(ev, f, b, &["tracing_config", "mode"])
            .filter(|m| m.value == "Active")
            .map(|m| m.span);
        let layers = refs::node(ev, f, b, &["layers"])
            .map(|n| {
                n.items()
                    .filter_map(|i| i.scalar_text().map(|s| Spanned::new(s, i.span)))
                    .collect()
            })
            .unwrap_or_default();
        let file_systems = b
            .get_blocks("file_system_config")
            .filter_map(|fs| text(ev, f, &fs.body, &["arn"]))
            .collect();
        let mut config = FunctionConfig {
            timeout: num(&["timeout"]),
            memory: num(&["memory_size"]),
            ephemeral_storage: num(&["ephemeral_storage", "size"]),
            layers,
            vpc,
            tracing,
            kms_key_arn: text(ev, f, b, &["kms_key_arn"]),
            dead_letter: text(ev, f, b, &["dead_letter_config", "target_arn"]),
            file_systems,
            log_group: text(ev, f, b, &["logging_config", "log_group"]),
            image_uri: text(ev, f, b, &["image_uri"]),
            snap_start: text(ev, f, b, &["snap_start", "apply_on"])
                .filter(|a| a.value == "PublishedVersions")
                .map(|a| a.span),
            ..FunctionConfig::default()
        };
        let environment = env(ev, d, &mut config);
        let (code_path, inline_code) = code(ev, d);
        let role = match arg(b, &["role"]) {
            Some(e) => bind_role(ev, f, e),
            None => {
                ev.m.issue(d.span, format!("`{addr}` has no `role`"));
                RoleBinding::Unknown
            }
        };
        app.functions.push(model::Function {
            id: ev.function_id(d, addr),
            name: ev.function_name(&format!("{}{}", d.name, super::eval::split_key(addr).1)),
            origin: Origin::Terraform,
            span: d.span,
            arn: ev.arn(addr).unwrap_or_default(),
            runtime: text(ev, f, b, &["runtime"]),
            handler: text(ev, f, b, &["handler"]),
            code_path,
            inline_code,
            role,
            environment,
            events: Vec::new(),
            config,
        });
    }
}

/// The local code: the `source_dir`/`source_file` (or inline `source` content) of the
/// `archive_file` (data source, or the `archive_file` resource of hashicorp/archive 2.3+)
/// that builds the package. The archive is found through `filename`,
/// `s3_key` (an `aws_s3_object` whose `source` is the archive), `source_code_hash`, or an
/// archive whose `output_path` is the literal `filename`; else `filename` itself when it is
/// not an archive.
pub(super) fn code(
    ev: &Eval,
    d: &super::module::Decl,
) -> (Option<Spanned<String>>, Option<Spanned<String>>) {
    let b = &d.block.body;
    // A package built by the Lambda registry module (`create_function = false`):
    // `filename = module.package.local_filename` is its `source_path`.
    if let Some(m) = ["filename", "s3_key"]
        .iter()
        .filter_map(|k| arg(b, &[k]))
        .find_map(|e| packaging_module(ev, e))
    {
        return (super::lambda_module::source_path(ev, m), None);
    }
    let via = ["filename", "s3_key", "source_code_hash"]
        .iter()
        .filter_map(|k| arg(b, &[k]))
        .find_map(|e| archive_of(ev, e, 0));
    let literal = arg(b, &["filename"]).map(|e| ev.expr(d.file, e));
    let by_output = || {
        let want = ev.join(literal.as_ref()?.as_str()?)?;
        let data = ev.m.data.iter().map(|(a, d)| (format!("data.{a}"), d));
        let resources = ev.m.resources.iter().map(|(a, d)| (a.clone(), d));
        data.chain(resources).find_map(|(addr, a)| {
            if a.kind != "archive_file" {
                return None;
            }
            let out = text(ev, a.file, &a.block.body, &["output_path"])?;
            (ev.join(&out.value)? == want).then_some(addr)
        })
    };
    let archive = |addr: String| match addr.strip_prefix("data.") {
        Some(a) => ev.m.data.get(a),
        None => ev.m.resources.get(&addr),
    };
    if let Some(a) = via.or_else(by_output).and_then(archive) {
        let ab = &a.block.body;
        if let Some(src) =
            text(ev, a.file, ab, &["source_dir"]).or_else(|| text(ev, a.file, ab, &["source_file"]))
        {
            return (join(ev, src), None);
        }
        if let Some(path) = source_file(ev, d, a) {
            return (join(ev, path), None);
        }
        return (None, text(ev, a.file, ab, &["source", "content"]));
    }
    let Some(n) = literal else {
        return (None, None);
    };
    let Some(s) = n.as_str() else {
        return (None, None);
    };
    if s.contains("${") {
        return (None, None);
    }
    // A Java build artefact (`target/app.jar`, `build/distributions/app.zip`) names the Maven
    // or Gradle project it is built from, which the code stage finds; other archives are
    // built by a script and name no local code.
    let java = text(ev, d.file, b, &["runtime"]).is_some_and(|r| r.value.starts_with("java"));
    if (s.ends_with(".zip") || s.ends_with(".jar")) && !java {
        return (None, None);
    }
    (join(ev, Spanned::new(s.to_string(), n.span)), None)
}

/// The Lambda registry module a `module.<name>.local_filename` (or `s3_object`) reference
/// names: the package it builds from its `source_path`.
fn packaging_module<'m, 'a>(
    ev: &Eval<'m, 'a>,
    e: &Expression,
) -> Option<&'m super::module::Decl<'a>> {
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    if root.as_str() != "module" {
        return None;
    }
    let names: Vec<&str> = t
        .operators
        .iter()
        .filter_map(|op| match op.value() {
            hcl_edit::expr::TraversalOperator::GetAttr(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    let [name, "local_filename" | "s3_object", ..] = names.as_slice() else {
        return None;
    };
    ev.m.modules
        .get(*name)
        .filter(|d| super::lambda_module::is_lambda_module(ev, d))
}

/// The file an archive's `source { filename, content = file("...") }` blocks read for the
/// handler: the block whose `filename` is the handler's module (`app.handler` -> `app.py`,
/// `app.js`...), else the only block. Its content is that file's text, so the code is the file.
fn source_file(
    ev: &Eval,
    d: &super::module::Decl,
    a: &super::module::Decl,
) -> Option<Spanned<String>> {
    let blocks: Vec<_> = a.block.body.get_blocks("source").collect();
    let module = text(ev, d.file, &d.block.body, &["handler"])
        .and_then(|h| h.value.rsplit_once('.').map(|(m, _)| m.to_string()));
    let read = |b: &&hcl_edit::structure::Block| -> Option<Spanned<String>> {
        let Expression::FuncCall(f) = arg(&b.body, &["content"])? else {
            return None;
        };
        if f.name.name.as_str() != "file" {
            return None;
        }
        let n = ev.expr(a.file, f.args.iter().next()?);
        Some(Spanned::new(n.as_str()?.to_string(), n.span))
    };
    let stem = |b: &&hcl_edit::structure::Block| {
        text(ev, a.file, &b.body, &["filename"]).map(|f| {
            f.value
                .rsplit_once('.')
                .map_or(f.value.clone(), |(s, _)| s.to_string())
        })
    };
    match blocks.as_slice() {
        [one] => read(one),
        many => many
            .iter()
            .find(|b| module.is_some() && stem(b) == module)
            .and_then(read),
    }
}

/// The `archive_file` (data source `data.archive_file.x` or resource `archive_file.x`) an
/// expression refers to, directly or through an `aws_s3_object`.
fn archive_of(ev: &Eval, e: &Expression, depth: u8) -> Option<String> {
    let Expression::Traversal(t) = e else {
        return match e {
            Expression::FuncCall(f) => f.args.iter().find_map(|a| archive_of(ev, a, depth)),
            _ => None,
        };
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let names: Vec<&str> = t
        .operators
        .iter()
        .filter_map(|op| match op.value() {
            hcl_edit::expr::TraversalOperator::GetAttr(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    match (root.as_str(), names.as_slice()) {
        ("data", ["archive_file", name, ..]) => Some(format!("data.archive_file.{name}")),
        ("archive_file", [name, ..]) => Some(format!("archive_file.{name}")),
        ("aws_s3_object" | "aws_s3_bucket_object", [name, ..]) if depth == 0 => {
            let o = ev.m.resources.get(&format!("{}.{name}", root.as_str()))?;
            archive_of(ev, arg(&o.block.body, &["source"])?, 1)
        }
        _ => None,
    }
}

/// A path written in the module joined with its folder (`path.module` evaluates to `.`).
pub fn join(ev: &Eval, p: Spanned<String>) -> Option<Spanned<String>> {
    if p.value.contains("${") {
        return None;
    }
    match ev.join(&p.value) {
        Some(j) => Some(Spanned::new(j, p.span)),
        None => {
            ev.m.issue(
                p.span,
                format!("code path `{}` leaves the audited folder", p.value),
            );
            None
        }
    }
}

/// A function's `role`: a role declared in the module, or an external ARN.
pub fn bind_role(ev: &Eval, file: &crate::source::SourceFile, e: &Expression) -> RoleBinding {
    if let Some(addr) = target(ev, file, e)
        && ev.decl(&addr).is_some_and(|d| d.kind == "aws_iam_role")
    {
        return role_binding(ev, &addr);
    }
    let n = ev.expr(file, e);
    let Some(s) = n.scalar_text() else {
        return RoleBinding::Unknown;
    };
    // A literal ARN naming a role of this module binds to it.
    let by_arn = ev
        .resources()
        .into_iter()
        .find(|r| r.d.kind == "aws_iam_role" && ev.arn(&r.addr).as_deref() == Some(s.as_str()));
    match by_arn {
        Some(r) => role_binding(ev, &r.addr),
        None => RoleBinding::External(Spanned::new(s, n.span)),
    }
}

fn role_binding(ev: &Eval, addr: &str) -> RoleBinding {
    match ev.decl(addr) {
        Some(d) => RoleBinding::Role(ev.id(d.file, addr)),
        None => RoleBinding::Unknown,
    }
}

fn env(ev: &Eval, d: &super::module::Decl, config: &mut FunctionConfig) -> Vec<EnvVar> {
    let Some(block) = d.block.body.get_blocks("environment").next() else {
        return Vec::new();
    };
    config.environment_span = Some(super::module::span_of(d.file, &block.ident));
    let Some(vars) = block.body.get_attribute("variables") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &vars.value {
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                let name = match k {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(x) => ev.text(d.file, x),
                };
                let kspan = super::module::span_of(d.file, k);
                out.push(env_var(
                    ev,
                    d.file,
                    Spanned::new(name, kspan),
                    v.expr(),
                    config,
                ));
            }
        }
        other => {
            // `variables = local.env` or `var.env`: the evaluated map, without references.
            let n = ev.expr(d.file, other);
            for (k, v) in n.entries() {
                config.environment_bytes += k.name.len() + v.scalar_text().map_or(0, |s| s.len());
                out.push(EnvVar {
                    name: Spanned::new(k.name.clone(), k.span),
                    value: v.scalar_text().map(|s| Spanned::new(s, v.span)),
                    refers_to: None,
                    literal: false,
                });
            }
        }
    }
    out
}

/// One environment variable of a function or module.
pub fn env_var(
    ev: &Eval,
    file: &crate::source::SourceFile,
    name: Spanned<String>,
    e: &Expression,
    config: &mut FunctionConfig,
) -> EnvVar {
    let n: Node = ev.expr(file, e);
    let value = n.scalar_text().map(|s| Spanned::new(s, n.span));
    let refers_to = target(ev, file, e).and_then(|addr| {
        let d = ev.decl(&addr)?;
        let kind = kinds::cfn_kind(&d.kind).map_or(d.kind.clone(), |(k, _)| k.to_string());
        Some((ev.display(&addr), kind))
    });
    let literal = matches!(
        e,
        Expression::String(_) | Expression::Number(_) | Expression::Bool(_)
    );
    config.environment_bytes += name.value.len() + value.as_ref().map_or(0, |v| v.value.len());
    EnvVar {
        name,
        value,
        refers_to,
        literal,
    }
}
