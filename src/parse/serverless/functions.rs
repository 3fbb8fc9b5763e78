//! `functions` to [`model::Function`]s: provider defaults, code location, environment,
//! configuration and the execution role each function ends up with ("Functions" and
//! "IAM Permissions For Functions" in the Serverless Framework guide).

use super::{FunctionEntry, SHARED_ROLE, Service, events, normalized, physical_name, roles};
use crate::arn::Arn;
use crate::model::{self, App, Destination, EnvVar, FunctionConfig, RoleBinding};
use crate::parse::common::resources::function_arn_of;
use crate::parse::common::{join_path, sp};
use crate::source::Spanned;
use crate::syntax::node::{Node, Value};

/// Lowers every function, the roles generated for them, and takes over what the
/// CloudFormation lowering attached to the generated `<Name>LambdaFunction` resources.
pub fn lower(svc: &Service, funcs: &[FunctionEntry], app: &mut App) {
    let provider = svc
        .root
        .get("provider")
        .map(|p| svc.t.resolve(p))
        .unwrap_or_else(|| Node::new(Value::Map(Vec::new()), svc.root.span));
    let mut shared = roles::SharedRole::default();
    let mut own_roles = Vec::new();
    let webpack = webpack_entries(svc);
    for entry in funcs {
        let r = svc.t.resolve(&entry.node);
        let key = &entry.key;
        let fid = svc.id(&key.name);
        let name = physical_name(entry, &svc.name, &svc.stage);
        let logical = format!("{}LambdaFunction", normalized(&key.name));
        let cfn_id = svc.id(&logical);
        let from_cfn = app
            .functions
            .iter()
            .position(|f| f.id == cfn_id)
            .map(|i| app.functions.remove(i));
        let mut config = config(&r, &provider, svc);
        // serverless-webpack builds the handler's module from the webpack entry of that name.
        if let Some(module) =
            sp(&r, "handler").and_then(|h| Some(h.value.rsplit_once('.')?.0.to_string()))
            && let Some((_, path)) = webpack.iter().find(|(k, _)| *k == module)
        {
            config.entry_points = vec![path.clone()];
        }
        let environment = environment(svc, &entry.node, &mut config);
        let image = r.get("image").is_some();
        let artifact = r
            .get("package")
            .and_then(|p| p.get("artifact"))
            .or_else(|| svc.root.get("package").and_then(|p| p.get("artifact")))
            .is_some();
        let handler = sp(&r, "handler");
        let code_path = match (&handler, image || artifact) {
            (Some(h), false) => join_path(&svc.file.path, ".").map(|p| Spanned::new(p, h.span)),
            _ => None,
        };
        let mut f = model::Function {
            id: fid.clone(),
            name: key.name.clone(),
            origin: model::Origin::Serverless,
            span: key.span,
            arn: function_arn_of(&name),
            runtime: sp(&r, "runtime").or_else(|| sp(&provider, "runtime")),
            handler,
            code_path,
            inline_code: None,
            role: RoleBinding::Unknown,
            environment,
            events: Vec::new(),
            config,
        };
        let mut extra = Vec::new();
        f.events = events::lower(
            svc,
            &fid,
            &name,
            entry.node.get("events"),
            &mut app.permissions,
            &mut extra,
        );
        if let Some(old) = from_cfn {
            f.events.extend(old.events);
            f.config.destinations.extend(old.config.destinations);
            if f.config.url_auth.is_none() {
                f.config.url_auth = old.config.url_auth;
            }
        }
        if let Some(p) = events::url_permission(&fid, &key.name, &f.config) {
            app.permissions.push(p);
        }
        for p in &mut app.permissions {
            if p.function.as_deref() == Some(cfn_id.as_str()) {
                p.function = Some(fid.clone());
            }
        }
        for t in &mut app.triggers {
            if t.function.as_deref() == Some(cfn_id.as_str()) {
                t.function = Some(fid.clone());
            }
        }
        extra.extend(roles::config_policies(&f));
        let own_role = entry.node.get("role").or_else(|| {
            // `provider.iam.role` as a name, ARN or intrinsic, or the legacy `provider.role`.
            svc.provider("iam")
                .and_then(|i| i.get("role"))
                .filter(|r| {
                    !r.is_map()
                        || r.single_entry()
                            .is_some_and(|(k, _)| k.starts_with("Fn::") || k == "Ref")
                })
                .or_else(|| svc.provider("role"))
        });
        if let Some(role) = own_role {
            f.role = roles::bind(svc, role);
        } else if let Some(stmts) = entry.node.get("iamRoleStatements") {
            let role = roles::function_role(svc, entry, &f, stmts, extra);
            f.role = RoleBinding::Role(role.id.clone());
            own_roles.push(role);
        } else {
            f.role = RoleBinding::Role(svc.id(SHARED_ROLE));
            extra.extend(roles::kms_policy(&f));
            shared.add(&name, extra);
        }
        app.functions.push(f);
    }
    events::authorizers(svc, funcs, app);
    if svc.shared_generated {
        app.roles.retain(|r| r.id != svc.id(SHARED_ROLE));
        if let Some(role) = shared.finish(svc) {
            app.roles.push(role);
        }
    }
    app.roles.extend(own_roles);
}

/// The named entries of the service's webpack configuration when it uses `serverless-webpack`:
/// `custom.webpack.webpackConfig`, by default `webpack.config.js` beside the configuration
/// (serverless-webpack README, "Webpack configuration file"), as (entry name, root-relative
/// source path).
fn webpack_entries(svc: &Service) -> Vec<(String, String)> {
    let plugins = svc.root.get("plugins");
    let listed = plugins
        .map(|p| p.get("modules").unwrap_or(p))
        .is_some_and(|p| p.items().any(|i| i.as_str() == Some("serverless-webpack")));
    if !listed {
        return Vec::new();
    }
    let config = svc
        .root
        .get("custom")
        .and_then(|c| c.get("webpack"))
        .and_then(|w| w.get("webpackConfig"))
        .and_then(Node::as_str)
        .unwrap_or("webpack.config.js");
    let Some(path) = join_path(&svc.file.path, config) else {
        return Vec::new();
    };
    let Some(text) = (svc.files)(&path) else {
        return Vec::new();
    };
    crate::parse::bundle::webpack_entries(&text)
        .into_iter()
        .filter_map(|(k, p)| Some((k, join_path(&path, &p)?)))
        .collect()
}

fn num(n: Option<&Node>) -> Option<Spanned<f64>> {
    let n = n?;
    n.as_f64().map(|v| Spanned::new(v, n.span))
}

/// A function setting, else the provider's.
fn either<'n>(r: &'n Node, provider: &'n Node, key: &str) -> Option<&'n Node> {
    r.get(key).or_else(|| provider.get(key))
}

fn config(r: &Node, provider: &Node, svc: &Service) -> FunctionConfig {
    // `vpc` with subnets, on the function or the provider, reported at its key.
    let vpc = r
        .get_entry("vpc")
        .or_else(|| provider.get_entry("vpc"))
        .filter(|(_, v)| {
            v.get("subnetIds")
                .is_some_and(|s| s.items().next().is_some())
        })
        .map(|(k, _)| k.span);
    let tracing = r
        .get("tracing")
        .filter(|t| t.as_str() == Some("Active") || t.as_bool() == Some(true))
        .map(|t| t.span)
        .or_else(|| {
            provider
                .get("tracing")
                .and_then(|t| t.get("lambda"))
                .filter(|t| t.as_str() == Some("Active") || t.as_bool() == Some(true))
                .map(|t| t.span)
        });
    let destinations = r
        .get("destinations")
        .map(|d| destinations(d, svc))
        .unwrap_or_default();
    let url_auth = r.get("url").and_then(|u| {
        // `url: true` is public; `authorizer: aws_iam` requires signed requests.
        let iam = u
            .get("authorizer")
            .and_then(Node::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
        if u.as_bool() == Some(false) {
            return None;
        }
        let auth = if iam { "AWS_IAM" } else { "NONE" };
        Some(Spanned::new(auth.to_string(), u.span))
    });
    let image_uri = r.get("image").and_then(|i| {
        i.scalar_text()
            .or_else(|| i.get("uri").and_then(Node::scalar_text))
            .or_else(|| i.get("name").and_then(Node::scalar_text))
            .map(|s| Spanned::new(s, i.span))
    });
    FunctionConfig {
        timeout: num(either(r, provider, "timeout")),
        memory: num(either(r, provider, "memorySize")),
        ephemeral_storage: num(either(r, provider, "ephemeralStorageSize")),
        // `{Ref: NameLambdaLayer}` names a layer of the service's `layers:` section.
        layers: either(r, provider, "layers")
            .map(|n| {
                n.items()
                    .filter_map(|i| {
                        let i = svc.t.resolve(i);
                        i.scalar_text().map(|s| Spanned::new(s, i.span))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        vpc,
        tracing,
        kms_key_arn: sp(r, "kmsKeyArn").or_else(|| sp(provider, "kmsKeyArn")),
        dead_letter: sp(r, "onError"),
        destinations,
        file_systems: r
            .get("fileSystemConfig")
            .and_then(|f| sp(f, "arn"))
            .into_iter()
            .collect(),
        log_group: None,
        image_uri,
        snap_start: r
            .get("snapStart")
            .filter(|s| s.as_bool() == Some(true))
            .map(|s| s.span),
        durable: None,
        environment_bytes: 0,
        environment_span: None,
        url_auth,
        entry_points: Vec::new(),
    }
}

/// `destinations.onSuccess`/`onFailure`: an ARN, `{type, arn}`, or the name of a function
/// of this service.
fn destinations(d: &Node, svc: &Service) -> Vec<Destination> {
    [("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")]
        .iter()
        .filter_map(|(k, cond)| {
            let n = d.get(k)?;
            let target = n.get("arn").unwrap_or(n);
            let s = target.scalar_text()?;
            let arn = if Arn::parse(&s).is_ok() || s.contains("${") {
                s
            } else {
                function_arn_of(&format!("{}-{s}", svc.prefix()))
            };
            Some(Destination {
                condition: (*cond).to_string(),
                arn: Spanned::new(arn, target.span),
            })
        })
        .collect()
}

/// `provider.environment` merged with the function's (the function wins).
fn environment(svc: &Service, node: &Node, config: &mut FunctionConfig) -> Vec<EnvVar> {
    let own = node.get("environment");
    let shared = svc.provider("environment");
    config.environment_span = own.or(shared).map(|e| e.span);
    let mut vars: Vec<(&crate::syntax::node::Key, &Node)> = Vec::new();
    for (k, v) in shared.into_iter().flat_map(Node::entries) {
        vars.push((k, v));
    }
    for (k, v) in own.into_iter().flat_map(Node::entries) {
        vars.retain(|(x, _)| x.name != k.name);
        vars.push((k, v));
    }
    let mut out = Vec::new();
    for (k, v) in vars {
        let rv = svc.t.resolve(v);
        let value = rv.scalar_text().map(|s| Spanned::new(s, v.span));
        let refers_to = svc.t.refers_to(v).and_then(|id| {
            svc.t
                .kind_of(&id)
                .map(|kind| (id.clone(), kind.to_string()))
        });
        // Literal when the text the user wrote holds no variable or intrinsic.
        let written = svc
            .file
            .text
            .get(v.span.start as usize..v.span.end as usize)
            .unwrap_or("");
        let literal = matches!(
            v.value,
            Value::String(_) | Value::Number(_) | Value::Bool(_)
        ) && !written.contains("${")
            && !written.contains('!');
        config.environment_bytes += k.name.len() + value.as_ref().map_or(0, |s| s.value.len());
        out.push(EnvVar {
            name: Spanned::new(k.name.clone(), k.span),
            value,
            refers_to,
            literal,
        });
    }
    out
}
