//! Lambda exports: function configurations (`list-functions`, `get-function-configuration`,
//! `get-function`), event source mappings (`list-event-source-mappings`) and function URLs
//! (`list-function-url-configs`) and asynchronous invocation destinations
//! (`list-function-event-invoke-configs`). Field names are the Lambda API's (`FunctionConfiguration`,
//! `EventSourceMappingConfiguration`, `FunctionUrlConfig` in the Lambda API Reference).

use super::iam::Roles;
use super::{FunctionIndex, Outcome, list, text, unqualified};
use crate::config::Config;
use crate::model::{EnvVar, Event, EventKind, Function, FunctionConfig, Origin, RoleBinding};
use crate::parse::common::poll_of;
use crate::parse::common::{destinations_of, join_path};
use crate::source::{SourceFile, Spanned};
use crate::syntax::ParseError;
use crate::syntax::node::Node;

/// One function configuration, with the `get-function` code location when there is one.
struct Declared<'a> {
    file: &'a SourceFile,
    config: &'a Node,
    image_uri: Option<Spanned<String>>,
}

/// Function configurations of every functions file of a folder.
#[derive(Default)]
pub struct Functions<'a> {
    declared: Vec<Declared<'a>>,
}

/// Reads one functions file: a list (`Functions`), one configuration, or `get-function`
/// output (`Configuration` and `Code`).
pub fn lower_functions<'a>(
    file: &'a SourceFile,
    root: &'a Node,
    functions: &mut Functions<'a>,
    out: &mut Outcome,
) {
    if root.get("Functions").is_some() {
        for f in list(root, "Functions", &mut out.issues) {
            functions.declared.push(Declared {
                file,
                config: f,
                image_uri: None,
            });
        }
    } else if let Some(c) = root.get("Configuration") {
        let image_uri = root.get("Code").and_then(|c| text(c, "ImageUri"));
        functions.declared.push(Declared {
            file,
            config: c,
            image_uri,
        });
    } else {
        functions.declared.push(Declared {
            file,
            config: root,
            image_uri: None,
        });
    }
}

impl Functions<'_> {
    /// Lowers the functions (the first configuration of a name wins) and binds their roles.
    pub fn finish(&self, roles: &Roles, config: &Config, out: &mut Outcome) {
        for d in &self.declared {
            let c = d.config;
            let (Some(name), Some(arn)) = (text(c, "FunctionName"), text(c, "FunctionArn")) else {
                out.issues.push(ParseError::new(
                    c.span,
                    "function configuration without `FunctionName` or `FunctionArn`",
                ));
                continue;
            };
            if out.app.functions.iter().any(|f| f.name == name.value) {
                continue;
            }
            let role = match text(c, "Role") {
                Some(r) => match roles.by_arn(&r.value) {
                    Some(id) => RoleBinding::Role(id.to_string()),
                    None => RoleBinding::External(r),
                },
                None => RoleBinding::Unknown,
            };
            let mut fconfig = settings(c, &name.value);
            if let Some(uri) = &d.image_uri {
                fconfig.image_uri = Some(uri.clone());
            }
            let environment = environment(c, &mut fconfig);
            let code_path = code_folder(config, &name, out);
            out.app.functions.push(Function {
                id: format!("{}#{}", d.file.path, name.value),
                name: name.value.clone(),
                origin: Origin::Account,
                span: name.span,
                arn: unqualified(&arn.value).0,
                runtime: text(c, "Runtime"),
                handler: text(c, "Handler"),
                code_path,
                inline_code: None,
                role,
                environment,
                events: Vec::new(),
                config: fconfig,
            });
        }
    }
}

/// The local code folder `Config::code_folders` gives the function, relative to the root.
fn code_folder(
    config: &Config,
    name: &Spanned<String>,
    out: &mut Outcome,
) -> Option<Spanned<String>> {
    let folder = config.code_folders.get(&name.value)?;
    match join_path("", folder) {
        Some(p) => Some(Spanned::new(p, name.span)),
        None => {
            out.issues.push(ParseError::new(
                name.span,
                format!(
                    "code folder `{folder}` configured for `{}` leaves the audited folder",
                    name.value
                ),
            ));
            None
        }
    }
}

fn num(n: Option<&Node>) -> Option<Spanned<f64>> {
    let n = n?;
    n.as_f64().map(|v| Spanned::new(v, n.span))
}

/// Settings that need rights or have limits.
fn settings(c: &Node, name: &str) -> FunctionConfig {
    // An exported VpcConfig is present but empty (`SubnetIds: []`) outside a VPC.
    let vpc = c
        .get_entry("VpcConfig")
        .filter(|(_, v)| {
            v.get("SubnetIds")
                .is_some_and(|s| s.items().next().is_some())
        })
        .map(|(k, _)| k.span);
    let tracing = c
        .get("TracingConfig")
        .and_then(|t| t.get("Mode"))
        .filter(|m| m.as_str() == Some("Active"))
        .map(|m| m.span);
    // Every function reports its log group; only a non-default one is a custom setting.
    let log_group = c
        .get("LoggingConfig")
        .and_then(|l| text(l, "LogGroup"))
        .filter(|g| g.value != format!("/aws/lambda/{name}"));
    FunctionConfig {
        timeout: num(c.get("Timeout")),
        memory: num(c.get("MemorySize")),
        ephemeral_storage: num(c.get("EphemeralStorage").and_then(|e| e.get("Size"))),
        layers: c
            .get("Layers")
            .map(|l| {
                l.items()
                    .filter_map(|i| {
                        text(i, "Arn")
                            .or_else(|| i.as_str().map(|s| Spanned::new(s.to_string(), i.span)))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        vpc,
        tracing,
        kms_key_arn: text(c, "KMSKeyArn"),
        dead_letter: c.get("DeadLetterConfig").and_then(|d| text(d, "TargetArn")),
        destinations: Vec::new(),
        file_systems: c
            .get("FileSystemConfigs")
            .map(|f| f.items().filter_map(|i| text(i, "Arn")).collect())
            .unwrap_or_default(),
        log_group,
        image_uri: None,
        snap_start: c
            .get("SnapStart")
            .filter(|s| s.get("ApplyOn").and_then(Node::as_str) == Some("PublishedVersions"))
            .map(|s| s.span),
        // `DurableConfig` appears in the configuration of durable functions only.
        durable: c.get_entry("DurableConfig").map(|(k, _)| k.span),
        environment_bytes: 0,
        environment_span: None,
        url_auth: None,
        entry_points: Vec::new(),
    }
}

/// `Environment.Variables`: every value is the literal the function runs with.
fn environment(c: &Node, config: &mut FunctionConfig) -> Vec<EnvVar> {
    let Some((key, env)) = c.get_entry("Environment") else {
        return Vec::new();
    };
    let Some(vars) = env.get("Variables") else {
        return Vec::new();
    };
    config.environment_span = Some(key.span);
    let mut out = Vec::new();
    for (k, v) in vars.entries() {
        let value = v.scalar_text().map(|s| Spanned::new(s, v.span));
        config.environment_bytes += k.name.len() + value.as_ref().map_or(0, |s| s.value.len());
        out.push(EnvVar {
            name: Spanned::new(k.name.clone(), k.span),
            value,
            refers_to: None,
            literal: true,
        });
    }
    out
}

/// Event source mappings become events of the functions they invoke.
pub fn lower_mappings(root: &Node, index: &FunctionIndex, out: &mut Outcome) {
    let items: Vec<&Node> = if root.get("EventSourceMappings").is_some() {
        list(root, "EventSourceMappings", &mut out.issues)
    } else {
        vec![root]
    };
    for m in items {
        let Some(function) = text(m, "FunctionArn") else {
            out.issues.push(ParseError::new(
                m.span,
                "event source mapping without `FunctionArn`",
            ));
            continue;
        };
        // Mappings of functions outside the export are someone else's to audit.
        let Some(&fi) = index.get(&unqualified(&function.value).0) else {
            continue;
        };
        let source = text(m, "EventSourceArn");
        let uuid = text(m, "UUID");
        let span = source.as_ref().or(uuid.as_ref()).map_or(m.span, |s| s.span);
        // `State` is Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting.
        let state = m.get("State").and_then(Node::as_str).unwrap_or("Enabled");
        let poll = poll_of(Some(m));
        let kind = if m.get("SelfManagedEventSource").is_some() {
            EventKind::SelfManagedKafka(poll)
        } else {
            EventKind::Mapping {
                poll,
                self_managed: false,
            }
        };
        let event = Event {
            name: uuid.map_or_else(|| "mapping".to_string(), |u| u.value),
            kind,
            span,
            source_arn: source,
            source_ref: None,
            enabled: !matches!(state, "Disabled" | "Disabling"),
        };
        if let Some(f) = out.app.functions.get_mut(fi) {
            f.events.push(event);
        }
    }
}

/// Function URLs: their `AuthType` (`NONE` or `AWS_IAM`).
pub fn lower_url_configs(root: &Node, index: &FunctionIndex, out: &mut Outcome) {
    let items: Vec<&Node> = if root.get("FunctionUrlConfigs").is_some() {
        list(root, "FunctionUrlConfigs", &mut out.issues)
    } else {
        vec![root]
    };
    for u in items {
        let Some(function) = text(u, "FunctionArn") else {
            out.issues.push(ParseError::new(
                u.span,
                "function URL without `FunctionArn`",
            ));
            continue;
        };
        let Some(&fi) = index.get(&unqualified(&function.value).0) else {
            continue;
        };
        if let Some(f) = out.app.functions.get_mut(fi) {
            f.config.url_auth = text(u, "AuthType");
        }
    }
}

/// Asynchronous invocation configurations: their `OnSuccess`/`OnFailure` destinations, which
/// Lambda sends records to with the execution role.
pub fn lower_invoke_configs(root: &Node, index: &FunctionIndex, out: &mut Outcome) {
    let items: Vec<&Node> = if root.get("FunctionEventInvokeConfigs").is_some() {
        list(root, "FunctionEventInvokeConfigs", &mut out.issues)
    } else {
        vec![root]
    };
    for c in items {
        let Some(function) = text(c, "FunctionArn") else {
            out.issues.push(ParseError::new(
                c.span,
                "event invoke configuration without `FunctionArn`",
            ));
            continue;
        };
        let Some(&fi) = index.get(&unqualified(&function.value).0) else {
            continue;
        };
        let Some(dc) = c.get("DestinationConfig") else {
            continue;
        };
        if let Some(f) = out.app.functions.get_mut(fi) {
            f.config.destinations.extend(destinations_of(dc));
        }
    }
}
