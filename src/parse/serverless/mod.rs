//! Serverless Framework configurations (`serverless.yml`/`.yaml`/`.json`) lowered to the model.
//!
//! [`parse`] reads the file, resolves its variables ([`vars`]), and lowers functions, the
//! execution roles the framework generates ([`roles`]), events with the permissions and
//! poller rights they bring ([`events`]), and the `resources` section, which is plain
//! CloudFormation and goes through the CloudFormation lowering. Resources the framework
//! generates (`<Name>LambdaFunction`, `IamRoleLambdaExecution`, ...) are declared to that
//! lowering so `!Ref`/`!GetAtt` to them resolve the way they do at deploy time.

pub mod events;
pub mod functions;
mod poll;
pub mod roles;
pub mod vars;

use crate::model::App;
use crate::parse::common::cloudformation::{self, intrinsics::Template};
use crate::parse::common::{Context, FrontEnd, Reads, TemplateOutcome};
use crate::source::{SourceFile, Span};
use crate::syntax::node::{Key, Node, Value};
use crate::syntax::{ParseError, json, yaml};
use vars::{Files, Vars};

/// The role the framework generates for functions without their own (`IamRoleLambdaExecution`).
pub const SHARED_ROLE: &str = "IamRoleLambdaExecution";

/// The `serverless` front end: `serverless.yml` and its siblings. A file named so that is
/// not a configuration goes on to the next front end (a CloudFormation template, maybe).
pub struct Serverless;

impl FrontEnd for Serverless {
    fn name(&self) -> &'static str {
        "serverless"
    }

    fn reads(&self) -> Reads {
        Reads::Documents
    }

    fn offered(&self, rel: &str) -> bool {
        is_config_name(rel)
    }

    fn lower(&self, files: &[&SourceFile], cx: &Context<'_>) -> TemplateOutcome {
        files
            .first()
            .map_or(TemplateOutcome::NotTemplate, |f| parse(f, cx.read))
    }
}

/// Whether a file name is a Serverless Framework configuration (`serverless.yml`,
/// `serverless.prod.yml`, `serverless.json`, ...).
pub fn is_config_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.starts_with("serverless.") && [".yml", ".yaml", ".json"].iter().any(|e| name.ends_with(e))
}

/// Reads one Serverless Framework configuration. `files` reads other files of the audited
/// root (`${file(...)}`) by root-relative path.
pub fn parse(file: &SourceFile, files: Files<'_>) -> TemplateOutcome {
    let is_json = file.path.to_ascii_lowercase().ends_with(".json");
    let parsed = if is_json {
        json::parse(file)
    } else {
        yaml::parse(file)
    };
    let raw = match parsed {
        Ok(r) => r,
        Err(e) => return TemplateOutcome::Invalid(e),
    };
    if raw.get("service").is_none()
        || (raw.get("functions").is_none() && raw.get("provider").is_none())
    {
        return TemplateOutcome::NotTemplate;
    }
    let vars = Vars::new(file, &raw, files);
    let root = vars.resolve(&raw);
    let mut issues = vars.issues.take();
    let mut unknowns = vars.unknowns.take();
    unknowns.sort_by(|a, b| (a.span, a.kind, &a.subject).cmp(&(b.span, b.kind, &b.subject)));
    unknowns.dedup();
    let provider = root.get("provider");
    if let Some(name) = provider.and_then(|p| p.get("name")).and_then(Node::as_str)
        && name != "aws"
    {
        // Other providers (azure, google, ...) have no Lambda functions.
        return TemplateOutcome::NotTemplate;
    }
    let service = service_name(&root);
    let funcs = function_entries(&root, &mut issues);
    let (cfn_root, shared_generated) =
        cloudformation_root(&root, &service, &vars.stage, &funcs, &mut issues);
    let mut t = Template::new(file, &cfn_root);
    for (logical, kind) in [
        ("ServerlessDeploymentBucket", "AWS::S3::Bucket"),
        ("ApiGatewayRestApi", "AWS::ApiGateway::RestApi"),
        ("HttpApi", "AWS::ApiGatewayV2::Api"),
        ("WebsocketsApi", "AWS::ApiGatewayV2::Api"),
    ] {
        if !t.resources.contains_key(logical) {
            t.implicit.insert(logical.to_string(), kind);
        }
    }
    let svc = Service {
        file,
        root: &root,
        name: service,
        stage: vars.stage.clone(),
        t: &t,
        shared_generated,
        files,
    };
    let mut app = App::default();
    cloudformation::lower(&t, &cfn_root, false, &mut app);
    functions::lower(&svc, &funcs, &mut app);
    app.unknowns.extend(unknowns);
    issues.extend(t.issues.take());
    // The stage is resolved twice (first on its own): report each problem once.
    issues.sort_by(|a, b| (a.span, &a.message).cmp(&(b.span, &b.message)));
    issues.dedup();
    TemplateOutcome::Template { app, issues }
}

/// What the lowering of one configuration shares.
pub struct Service<'a> {
    pub file: &'a SourceFile,
    /// The configuration with variables resolved.
    pub root: &'a Node,
    pub name: String,
    pub stage: String,
    /// The `resources` section plus the generated resources, for intrinsics.
    pub t: &'a Template<'a>,
    /// `IamRoleLambdaExecution` is the framework's (not overridden in `resources`).
    pub shared_generated: bool,
    /// Reads other files of the audited root by root-relative path.
    pub files: Files<'a>,
}

impl Service<'_> {
    pub fn provider(&self, key: &str) -> Option<&Node> {
        self.root.get("provider").and_then(|p| p.get(key))
    }

    /// `<file>#<name>`.
    pub fn id(&self, name: &str) -> String {
        cloudformation::id(self.file, name)
    }

    /// `<service>-<stage>`, the prefix of every generated name.
    pub fn prefix(&self) -> String {
        format!("{}-{}", self.name, self.stage)
    }
}

/// `service: name` or the older `service: {name: ...}`.
fn service_name(root: &Node) -> String {
    let s = root.get("service");
    s.and_then(|s| s.get("name").or(Some(s)))
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// A function of the configuration: its key (with span) and definition.
pub struct FunctionEntry {
    pub key: Key,
    pub node: Node,
}

/// `functions` is a map, or a list of maps (often one `${file(...)}` each).
fn function_entries(root: &Node, issues: &mut Vec<ParseError>) -> Vec<FunctionEntry> {
    let Some(f) = root.get("functions") else {
        return Vec::new();
    };
    let maps: Vec<&Node> = match &f.value {
        Value::Map(_) => vec![f],
        Value::Seq(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => {
            issues.push(ParseError::new(f.span, "`functions` must be a mapping"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for m in maps {
        if !m.is_map() {
            issues.push(ParseError::new(
                m.span,
                "`functions` item must be a mapping",
            ));
            continue;
        }
        for (k, v) in m.entries() {
            if !v.is_map() {
                issues.push(ParseError::new(
                    k.span,
                    format!("function `{}` must be a mapping", k.name),
                ));
                continue;
            }
            out.push(FunctionEntry {
                key: k.clone(),
                node: v.clone(),
            });
        }
    }
    out
}

/// The layers of the `layers:` section as the `AWS::Lambda::LayerVersion`s the framework
/// generates (`<Name>LambdaLayer`, `getLambdaLayerLogicalId` in the framework's naming
/// module), with their local `path` as `Content`.
fn layers(root: &Node, resources: &[(Key, Node)]) -> Vec<(Key, Node)> {
    let Some(section) = root.get("layers") else {
        return Vec::new();
    };
    section
        .entries()
        .filter(|(_, v)| v.is_map())
        .map(|(k, v)| {
            let logical = format!("{}LambdaLayer", normalized(&k.name));
            (k, v, logical)
        })
        .filter(|(_, _, logical)| !resources.iter().any(|(x, _)| x.name == *logical))
        .map(|(k, v, logical)| {
            let mut props = vec![(
                "LayerName",
                Node::string(
                    v.get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| k.name.clone()),
                    k.span,
                ),
            )];
            if let Some(path) = v.get("path").filter(|p| p.as_str().is_some()) {
                props.push(("Content", path.clone()));
            }
            (
                Key {
                    name: logical,
                    span: k.span,
                },
                decl("AWS::Lambda::LayerVersion", props, k.span),
            )
        })
        .collect()
}

/// The framework's normalized name: first letter upper case, `-` as `Dash`, `_` as
/// `Underscore` (`getNormalizedFunctionName` in the framework's naming module).
pub fn normalized(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        match c {
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            c if i == 0 => out.extend(c.to_uppercase()),
            c => out.push(c),
        }
    }
    out
}

/// The deployed function name: `name:` when set, else `<service>-<stage>-<key>`.
pub fn physical_name(entry: &FunctionEntry, service: &str, stage: &str) -> String {
    entry
        .node
        .get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| format!("{service}-{stage}-{}", entry.key.name))
}

/// A CloudFormation tree: the `resources` section (a map, or a list of maps merged in order)
/// plus declarations of the resources the framework generates; whether the shared role is
/// generated.
fn cloudformation_root(
    root: &Node,
    service: &str,
    stage: &str,
    funcs: &[FunctionEntry],
    issues: &mut Vec<ParseError>,
) -> (Node, bool) {
    let mut resources: Vec<(Key, Node)> = Vec::new();
    let mut outputs: Vec<(Key, Node)> = Vec::new();
    if let Some(r) = root.get("resources") {
        let parts: Vec<&Node> = match &r.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![r],
        };
        for part in parts {
            if !part.is_map() {
                issues.push(ParseError::new(part.span, "`resources` must be a mapping"));
                continue;
            }
            for (k, v) in part
                .get("Resources")
                .map(|r| r.entries().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                resources.retain(|(x, _)| x.name != k.name);
                resources.push((k.clone(), v.clone()));
            }
            for (k, v) in part
                .get("Outputs")
                .map(|r| r.entries().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                outputs.push((k.clone(), v.clone()));
            }
        }
    }
    let declared = |name: &str, res: &[(Key, Node)]| res.iter().any(|(k, _)| k.name == name);
    let mut generated = Vec::new();
    for f in funcs {
        let logical = format!("{}LambdaFunction", normalized(&f.key.name));
        if declared(&logical, &resources) {
            continue;
        }
        let name = physical_name(f, service, stage);
        generated.push((
            Key {
                name: logical,
                span: f.key.span,
            },
            decl(
                "AWS::Lambda::Function",
                vec![
                    ("FunctionName", Node::string(name, f.key.span)),
                    // The binding is the front end's; this only keeps the lowering quiet.
                    ("Role", Node::string("", f.key.span)),
                ],
                f.key.span,
            ),
        ));
        let log_group = format!("{}LogGroup", normalized(&f.key.name));
        if !declared(&log_group, &resources) {
            let name = format!("/aws/lambda/{}", physical_name(f, service, stage));
            generated.push((
                Key {
                    name: log_group,
                    span: f.key.span,
                },
                decl(
                    "AWS::Logs::LogGroup",
                    vec![("LogGroupName", Node::string(name, f.key.span))],
                    f.key.span,
                ),
            ));
        }
    }
    generated.extend(state_machines(root, &resources));
    generated.extend(layers(root, &resources));
    let shared_generated = !declared(SHARED_ROLE, &resources);
    if shared_generated {
        let span = root
            .get_entry("provider")
            .map_or_else(Span::default, |(k, _)| k.span);
        generated.push((
            Key {
                name: SHARED_ROLE.to_string(),
                span,
            },
            decl(
                "AWS::IAM::Role",
                vec![(
                    "RoleName",
                    Node::string(
                        format!("{service}-{stage}-${{AWS::Region}}-lambdaRole"),
                        span,
                    ),
                )],
                span,
            ),
        ));
    }
    resources.extend(generated);
    let span = root.span;
    let mut top = vec![(
        Key {
            name: "Resources".into(),
            span,
        },
        Node::new(Value::Map(resources), span),
    )];
    if !outputs.is_empty() {
        top.push((
            Key {
                name: "Outputs".into(),
                span,
            },
            Node::new(Value::Map(outputs), span),
        ));
    }
    (Node::new(Value::Map(top), span), shared_generated)
}

/// State machines of the serverless-step-functions plugin (`stepFunctions.stateMachines`),
/// under the plugin's logical id: `id`, else `name` with only letters and digits, else
/// `<Key>StepFunctionsStateMachine`.
fn state_machines(root: &Node, resources: &[(Key, Node)]) -> Vec<(Key, Node)> {
    let machines = root
        .get("stepFunctions")
        .and_then(|s| s.get("stateMachines"));
    let mut out = Vec::new();
    for (k, m) in machines.into_iter().flat_map(Node::entries) {
        let name = m.get("name").and_then(Node::scalar_text);
        let logical = m
            .get("id")
            .and_then(Node::scalar_text)
            .or_else(|| {
                name.as_ref()
                    .map(|n| n.chars().filter(char::is_ascii_alphanumeric).collect())
            })
            .unwrap_or_else(|| format!("{}StepFunctionsStateMachine", normalized(&k.name)));
        if resources.iter().any(|(x, _)| x.name == logical) {
            continue;
        }
        let props = name
            .map(|n| vec![("StateMachineName", Node::string(n, k.span))])
            .unwrap_or_default();
        out.push((
            Key {
                name: logical,
                span: k.span,
            },
            decl("AWS::StepFunctions::StateMachine", props, k.span),
        ));
    }
    out
}

/// A generated resource declaration (`Type` and `Properties`).
fn decl(kind: &str, props: Vec<(&str, Node)>, span: Span) -> Node {
    let key = |name: &str| Key {
        name: name.to_string(),
        span,
    };
    let props = props.into_iter().map(|(k, v)| (key(k), v)).collect();
    Node::new(
        Value::Map(vec![
            (key("Type"), Node::string(kind, span)),
            (key("Properties"), Node::new(Value::Map(props), span)),
        ]),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_the_framework() {
        assert_eq!(normalized("hello-world_x"), "HelloDashworldUnderscorex");
        assert!(is_config_name("a/serverless.prod.yml"));
        assert!(!is_config_name("a/serverless-resources/x.yml"));
    }
}
