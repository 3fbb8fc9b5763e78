//! `AWS::Serverless::Function` and `AWS::Lambda::Function` to [`model::Function`], with the
//! execution role SAM generates when `Role` is not set.

use super::intrinsics::Template;
use super::{events, id, roles, sam};
use crate::model::{self, App, EnvVar, FunctionConfig, InvokePermission, Origin, RoleBinding};
use crate::parse::common::{destinations_of, join_path, sp};
use crate::source::Spanned;
use crate::syntax::node::{Node, Value};

/// Lowers every function of the template (roles declared with `AWS::IAM::Role` are lowered
/// before, so `Role: !GetAtt R.Arn` binds to them).
pub fn lower_functions(t: &Template, root: &Node, _origin: Origin, app: &mut App) {
    let globals = root.get("Globals").and_then(|g| g.get("Function"));
    for (logical, decl) in &t.resources {
        let is_sam = decl.kind == "AWS::Serverless::Function";
        if !is_sam && decl.kind != "AWS::Lambda::Function" {
            continue;
        }
        if is_cdk_internal(logical) {
            continue;
        }
        let own = decl.props().filter(|p| p.is_map());
        let props = if is_sam {
            sam::merge_globals(globals, own)
        } else {
            own.cloned()
                .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), decl.key.span))
        };
        let r = t.resolve(&props);
        let fid = id(t.file, logical);
        let (code_path, inline_code, image) = code(t, decl.node, &r, is_sam);
        let mut config = config(&r, is_sam);
        if config.image_uri.is_none() {
            config.image_uri = image;
        }
        let environment = env(t, &props, &r, &mut config);
        if let Some(code) = &code_path {
            config.entry_points = esbuild_entry_points(decl.node, &code.value);
        }
        let mut f = model::Function {
            id: fid.clone(),
            name: logical.clone(),
            origin: if is_sam {
                Origin::Sam
            } else {
                Origin::CloudFormation
            },
            span: decl.key.span,
            arn: t.arn(logical).unwrap_or_default(),
            runtime: sp(&r, "Runtime"),
            handler: sp(&r, "Handler"),
            code_path,
            inline_code,
            role: RoleBinding::Unknown,
            environment,
            events: Vec::new(),
            config,
        };
        if is_sam {
            let before = app.permissions.len();
            f.events = events::lower_sam_events(
                t,
                logical,
                &fid,
                props.get("Events"),
                &mut app.permissions,
            );
            // With `AutoPublishAlias`, SAM points the events, and their grants, at the alias
            // (aws-sam-translator 1.115.0, `samtranslator/model/sam_resources.py`, "connect all
            // event sources to the alias").
            if let Some(alias) = r.get("AutoPublishAlias").and_then(Node::scalar_text) {
                for p in &mut app.permissions[before..] {
                    p.qualifier = Some(alias.clone());
                }
            }
            if let Some(auth) = &f.config.url_auth
                && auth.value == "NONE"
            {
                app.permissions.push(url_permission(&fid, logical, auth));
            }
        }
        match props.get("Role") {
            Some(role) => f.role = roles::bind(t, role),
            None if is_sam => {
                let role = roles::generated_role(t, logical, decl.key.span, &props, &f);
                f.role = RoleBinding::Role(role.id.clone());
                app.roles.push(role);
            }
            None => t.issue(decl.key.span, format!("function `{logical}` has no `Role`")),
        }
        app.functions.push(f);
    }
}

/// SAM's `<Function>UrlPublicPermissions`: anyone may call a URL with `AuthType: NONE`.
fn url_permission(fid: &str, logical: &str, auth: &Spanned<String>) -> InvokePermission {
    InvokePermission::public_url(format!("{fid}UrlPublicPermissions"), fid, logical, auth)
}

fn num(n: Option<&Node>) -> Option<Spanned<f64>> {
    let n = n?;
    n.as_f64().map(|v| Spanned::new(v, n.span))
}

/// Code location: local path (relative to the root), inline code, image URI.
#[allow(clippy::type_complexity)]
fn code(
    t: &Template,
    decl: &Node,
    r: &Node,
    is_sam: bool,
) -> (
    Option<Spanned<String>>,
    Option<Spanned<String>>,
    Option<Spanned<String>>,
) {
    let (code, inline, image) = if is_sam {
        (r.get("CodeUri"), sp(r, "InlineCode"), sp(r, "ImageUri"))
    } else {
        let c = r.get("Code");
        let inline = c.and_then(|c| sp(c, "ZipFile"));
        let image = c.and_then(|c| sp(c, "ImageUri"));
        (c, inline, image)
    };
    // CDK writes the local asset folder in the resource's metadata (`cdk.out/asset.<hash>`).
    let asset = decl
        .get("Metadata")
        .and_then(|m| m.get("aws:asset:path"))
        .filter(|a| a.as_str().is_some());
    let path = code
        .filter(|c| c.as_str().is_some())
        .or(asset)
        .and_then(|c| {
            let s = c.as_str()?;
            if s.starts_with("s3://") || s.contains("${") {
                return None;
            }
            match join_path(&t.file.path, s) {
                Some(p) => Some(Spanned::new(p, c.span)),
                None => {
                    t.issue(c.span, format!("code path `{s}` leaves the audited folder"));
                    None
                }
            }
        });
    let path = path.or_else(|| sam_default_code(t, r, is_sam && code.is_none() && asset.is_none()));
    (path, inline, image)
}

/// The source files `sam build` bundles with esbuild (`Metadata: BuildMethod: esbuild`,
/// `BuildProperties.EntryPoints`), relative to the audited root: the entry points are
/// relative to `CodeUri`. See <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html>,
/// section "Building Node.js Lambda functions with esbuild" (`EntryPoints`: "Specifies entry
/// points for your application").
fn esbuild_entry_points(decl: &Node, code_path: &str) -> Vec<String> {
    let Some(meta) = decl.get("Metadata") else {
        return Vec::new();
    };
    if meta.get("BuildMethod").and_then(Node::as_str) != Some("esbuild") {
        return Vec::new();
    }
    let Some(points) = meta
        .get("BuildProperties")
        .and_then(|b| b.get("EntryPoints"))
    else {
        return Vec::new();
    };
    points
        .items()
        .filter_map(Node::as_str)
        .filter_map(|p| join_path(&format!("{}/_", code_path.trim_end_matches('/')), p))
        .collect()
}

/// A SAM function without `CodeUri`, `InlineCode` or `ImageUri`: SAM resolves code paths from
/// the template's folder, so a handler path (`Handler: src/api/orders.handler`) is read from
/// there. See <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-build.html>,
/// option `--base-dir`: "By default, relative paths are resolved with respect to the AWS SAM
/// template's location."
fn sam_default_code(t: &Template, r: &Node, no_code: bool) -> Option<Spanned<String>> {
    let image = r.get("PackageType").and_then(Node::as_str) == Some("Image");
    if !no_code || image || r.get("InlineCode").is_some() || r.get("ImageUri").is_some() {
        return None;
    }
    let handler = r.get("Handler")?;
    handler.as_str()?;
    join_path(&t.file.path, ".").map(|p| Spanned::new(p, handler.span))
}

fn env(t: &Template, props: &Node, r: &Node, config: &mut FunctionConfig) -> Vec<EnvVar> {
    let Some(vars) = props.get("Environment").and_then(|e| e.get("Variables")) else {
        return Vec::new();
    };
    config.environment_span = props.get("Environment").map(|e| e.span);
    let resolved = r.get("Environment").and_then(|e| e.get("Variables"));
    let mut out = Vec::new();
    for (k, v) in vars.entries() {
        let Some(rv) = resolved.and_then(|m| m.get(&k.name)) else {
            continue; // `AWS::NoValue`
        };
        let value = rv.scalar_text().map(|s| Spanned::new(s, v.span));
        let refers_to = t
            .refers_to(v)
            .and_then(|id| t.kind_of(&id).map(|kind| (id.clone(), kind.to_string())));
        let literal = match &v.value {
            Value::String(s) => !s.contains("{{resolve:"),
            Value::Number(_) | Value::Bool(_) => true,
            _ => false,
        };
        config.environment_bytes += k.name.len()
            + value
                .as_ref()
                .map_or(0, |s: &Spanned<String>| s.value.len());
        out.push(EnvVar {
            name: Spanned::new(k.name.clone(), k.span),
            value,
            refers_to,
            literal,
        });
    }
    out
}

fn config(r: &Node, is_sam: bool) -> FunctionConfig {
    let spanned_items = |n: Option<&Node>| -> Vec<Spanned<String>> {
        n.map(|n| {
            n.items()
                .filter_map(|i| i.scalar_text().map(|s| Spanned::new(s, i.span)))
                .collect()
        })
        .unwrap_or_default()
    };
    // Settings are reported at their key, where the block that needs rights starts.
    let vpc = r
        .get_entry("VpcConfig")
        .filter(|(_, v)| {
            v.get("SubnetIds")
                .is_some_and(|s| s.items().next().is_some())
        })
        .map(|(k, _)| k.span);
    let tracing = if is_sam {
        r.get("Tracing")
            .filter(|n| n.as_str() == Some("Active"))
            .map(|n| n.span)
    } else {
        r.get("TracingConfig")
            .and_then(|c| c.get("Mode"))
            .filter(|n| n.as_str() == Some("Active"))
            .map(|n| n.span)
    };
    let dlq = if is_sam {
        "DeadLetterQueue"
    } else {
        "DeadLetterConfig"
    };
    let mut destinations = Vec::new();
    if let Some(dc) = r
        .get("EventInvokeConfig")
        .and_then(|e| e.get("DestinationConfig"))
    {
        destinations = destinations_of(dc);
    }
    let image_uri = if is_sam && r.get("PackageType").and_then(Node::as_str) == Some("Image") {
        sp(r, "ImageUri")
    } else {
        None
    };
    FunctionConfig {
        timeout: num(r.get("Timeout")),
        memory: num(r.get("MemorySize")),
        ephemeral_storage: num(r.get("EphemeralStorage").and_then(|e| e.get("Size"))),
        layers: spanned_items(r.get("Layers")),
        vpc,
        tracing,
        kms_key_arn: sp(r, "KmsKeyArn"),
        dead_letter: r.get(dlq).and_then(|d| sp(d, "TargetArn")),
        destinations,
        file_systems: r
            .get("FileSystemConfigs")
            .map(|f| f.items().filter_map(|i| sp(i, "Arn")).collect())
            .unwrap_or_default(),
        log_group: r.get("LoggingConfig").and_then(|l| sp(l, "LogGroup")),
        image_uri,
        snap_start: r
            .get("SnapStart")
            .filter(|s| s.get("ApplyOn").and_then(Node::as_str) == Some("PublishedVersions"))
            .map(|s| s.span),
        durable: r.get_entry("DurableConfig").map(|(k, _)| k.span),
        environment_bytes: 0,
        environment_span: None,
        url_auth: r.get("FunctionUrlConfig").and_then(|u| sp(u, "AuthType")),
        entry_points: Vec::new(),
    }
}

/// Functions the AWS CDK adds for its own constructs (bucket notifications, custom resource
/// providers, log retention, bucket deployments, auto-delete): their code and roles are the
/// CDK's, with fixed logical ids, not the user's to fit.
fn is_cdk_internal(logical: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
        "AWS679f53fac002430cb0da5b7982bd2287",
        "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
        "CustomS3AutoDeleteObjectsCustomResourceProvider",
        "CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C",
        "CustomVpcRestrictDefaultSGCustomResourceProvider",
        "CustomCrossRegionExportWriter",
        "CustomCrossRegionExportReader",
    ];
    PREFIXES.iter().any(|p| logical.starts_with(p))
}
