//! AWS SDK for JavaScript calls in JavaScript and TypeScript: v3 clients and commands
//! (`client.send(new XCommand(...))`), v3 aggregated clients, `@aws-sdk/lib-dynamodb`,
//! `@aws-sdk/lib-storage`, paginators and waiters, and v2 service objects (`new AWS.S3()`).
//!
//! As for Python, names live in one flat table filled in document order.

use std::collections::BTreeMap;

use tree_sitter::{Node, Tree};

use super::jseval::{Env, JsObj, module_obj};
use super::{short_receiver, text, walk};
use crate::model::{Arg, CallStyle, CodeFacts, EnvRead, Import, SdkCall, SdkKind};
use crate::source::{SourceFile, Span, Spanned};

pub(super) fn extract(file: &SourceFile, tree: &Tree) -> CodeFacts {
    let mut cx = Env {
        file,
        names: BTreeMap::new(),
    };
    let mut facts = CodeFacts::default();
    let mut functions: Vec<String> = Vec::new();
    walk(tree, |node, entering| match (node.kind(), entering) {
        ("import_statement", true) => import(&mut cx, &mut facts, node),
        ("export_statement", true) => {
            if let Some(source) = node.child_by_field_name("source") {
                record_import(&cx, &mut facts, source);
            }
        }
        ("formal_parameters", true) => parameters(&mut cx, node),
        ("function_declaration" | "method_definition", true) => {
            functions.push(
                node.child_by_field_name("name")
                    .map(|n| text(file, n).to_string())
                    .unwrap_or_default(),
            );
        }
        ("function_declaration" | "method_definition", false) => {
            functions.pop();
        }
        ("return_statement", false) => {
            if let (Some(name), Some(value)) = (functions.last(), node.named_child(0))
                && let Some(obj) = cx.resolve(value, 0)
            {
                cx.names.insert(format!("{name}()"), obj.clone());
                cx.names.insert(format!("this.{name}()"), obj);
            }
        }
        ("variable_declarator", false) => declarator(&mut cx, &mut facts, node),
        ("assignment_expression", false) => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) && matches!(left.kind(), "identifier" | "member_expression")
            {
                let key = text(file, left).to_string();
                bind(&mut cx, key, right);
            }
        }
        ("public_field_definition" | "field_definition", false) => {
            let name = node
                .child_by_field_name("name")
                .or_else(|| node.child_by_field_name("property"));
            if let (Some(name), Some(value)) = (name, node.child_by_field_name("value")) {
                let name = text(file, name).to_string();
                bind(&mut cx, format!("this.{name}"), value);
            }
        }
        ("call_expression", false) => call(&mut cx, &mut facts, node),
        ("new_expression", false) => upload(&cx, &mut facts, node),
        ("member_expression" | "subscript_expression", false) => {
            if let Some(name) = cx.env_name(node, 0) {
                facts.env_reads.push(EnvRead {
                    name,
                    span: file.span(node.start_byte(), node.end_byte()),
                });
            }
        }
        _ => {}
    });
    facts
}

fn record_import(cx: &Env<'_>, facts: &mut CodeFacts, source: Node<'_>) {
    if let Arg::Str(module) = cx.eval(source, 0)
        && (module.starts_with("./")
            || module.starts_with("../")
            || module == "."
            || module == "..")
    {
        let span = cx.file.span(source.start_byte(), source.end_byte());
        facts.imports.push(Import {
            module: Spanned::new(module, span),
        });
    }
}

fn import(cx: &mut Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let Some(source) = node.child_by_field_name("source") else {
        return;
    };
    record_import(cx, facts, source);
    let Arg::Str(module) = cx.eval(source, 0) else {
        return;
    };
    let mut cursor = node.walk();
    let Some(clause) = node
        .named_children(&mut cursor)
        .find(|c| c.kind() == "import_clause")
    else {
        return;
    };
    let mut cursor = clause.walk();
    for part in clause.named_children(&mut cursor) {
        match part.kind() {
            "identifier" => {
                if let Some(obj) = module_obj(&module) {
                    cx.names.insert(cx.t(part).to_string(), obj);
                }
            }
            "namespace_import" => {
                if let (Some(name), Some(obj)) = (part.named_child(0), module_obj(&module)) {
                    cx.names.insert(cx.t(name).to_string(), obj);
                }
            }
            "named_imports" => {
                let mut cursor = part.walk();
                for spec in part.named_children(&mut cursor) {
                    let Some(name) = spec.child_by_field_name("name") else {
                        continue;
                    };
                    let bound = spec.child_by_field_name("alias").unwrap_or(name);
                    let name = cx.t(name).trim_matches(['"', '\'']).to_string();
                    if let Some(obj) = export(&module, name) {
                        cx.names.insert(cx.t(bound).to_string(), obj);
                    }
                }
            }
            _ => {}
        }
    }
}

/// What `name` imported from `module` is.
fn export(module: &str, name: String) -> Option<JsObj> {
    match module_obj(module)? {
        JsObj::V3Namespace(package) => Some(JsObj::V3Export { package, name }),
        JsObj::V2Root => Some(JsObj::V2Class(name)),
        _ => None,
    }
}

fn bind(cx: &mut Env<'_>, key: String, value: Node<'_>) {
    let obj = match cx.resolve(value, 0) {
        Some(obj) => Some(obj),
        None if value.kind() == "object" => Some(JsObj::Object(cx.object(value, 0))),
        None => match cx.eval(value, 0) {
            Arg::Unknown => None,
            arg => Some(JsObj::Value(arg)),
        },
    };
    match obj {
        Some(obj) => {
            if let Some(field) = key.strip_prefix("this.") {
                cx.names.insert(field.to_string(), obj.clone());
            }
            cx.names.insert(key, obj);
        }
        None => {
            cx.names.remove(&key);
        }
    }
}

fn declarator(cx: &mut Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let Some(name) = node.child_by_field_name("name") else {
        return;
    };
    let value = node.child_by_field_name("value");
    if name.kind() == "identifier" {
        let key = cx.t(name).to_string();
        match value {
            Some(value) => bind(cx, key, value),
            None => {
                if let Some(obj) = node
                    .child_by_field_name("type")
                    .and_then(|t| type_obj(cx, t))
                {
                    cx.names.insert(key, obj);
                }
            }
        }
        return;
    }
    if name.kind() != "object_pattern" {
        return;
    }
    let Some(value) = value else { return };
    let source = cx.resolve(value, 0);
    let pairs = if value.kind() == "object" {
        cx.object(value, 0)
    } else {
        Vec::new()
    };
    let mut cursor = name.walk();
    for part in name.named_children(&mut cursor) {
        let (key, bound, default) = match part.kind() {
            "shorthand_property_identifier_pattern" => (part, part, None),
            "object_assignment_pattern" => {
                let Some(left) = part.child_by_field_name("left") else {
                    continue;
                };
                (left, left, part.child_by_field_name("right"))
            }
            "pair_pattern" => {
                let (Some(k), Some(v)) = (
                    part.child_by_field_name("key"),
                    part.child_by_field_name("value"),
                ) else {
                    continue;
                };
                match v.kind() {
                    "assignment_pattern" => match v.child_by_field_name("left") {
                        Some(left) => (k, left, v.child_by_field_name("right")),
                        None => continue,
                    },
                    _ => (k, v, None),
                }
            }
            _ => continue,
        };
        let key_text = cx.t(key).trim_matches(['"', '\'']).to_string();
        let bound_text = cx.t(bound).to_string();
        let obj = match &source {
            Some(JsObj::ProcessEnv) => {
                facts.env_reads.push(EnvRead {
                    name: key_text.clone(),
                    span: cx.file.span(key.start_byte(), key.end_byte()),
                });
                Some(JsObj::Value(Arg::Env(key_text)))
            }
            Some(JsObj::V3Namespace(package)) => Some(JsObj::V3Export {
                package: package.clone(),
                name: key_text,
            }),
            Some(JsObj::V2Root) => Some(JsObj::V2Class(key_text)),
            Some(JsObj::Object(p)) => p
                .iter()
                .find(|(k, _)| *k == key_text)
                .map(|(_, v)| JsObj::Value(v.clone())),
            _ => pairs
                .iter()
                .find(|(k, _)| *k == key_text)
                .map(|(_, v)| JsObj::Value(v.clone())),
        };
        let obj = obj.or_else(|| default.map(|d| JsObj::Value(cx.eval(d, 0))));
        match obj {
            Some(obj) => cx.names.insert(bound_text, obj),
            None => cx.names.remove(&bound_text),
        };
    }
}

/// The SDK object a TypeScript type annotation names (`S3Client`, `DynamoDBDocumentClient`).
fn type_obj(cx: &Env<'_>, annotation: Node<'_>) -> Option<JsObj> {
    let raw = cx.t(annotation).trim_start_matches(':').trim();
    let name = raw.split(['|', '<']).next().unwrap_or(raw).trim();
    match cx.names.get(name).cloned()? {
        JsObj::V3Export { package, name } if name.ends_with("Client") => {
            Some(JsObj::V3Client(package))
        }
        JsObj::V3Export { package, name }
            if !name.ends_with("Command") && !name.ends_with("Input") =>
        {
            Some(JsObj::V3Aggregated(package))
        }
        JsObj::V2Class(class) => Some(JsObj::V2Client(class)),
        _ => None,
    }
}

/// Typed parameters (`client: S3Client`, `constructor(private readonly ddb: DynamoDBDocumentClient)`).
fn parameters(cx: &mut Env<'_>, params: Node<'_>) {
    let mut cursor = params.walk();
    for p in params.named_children(&mut cursor) {
        if !matches!(p.kind(), "required_parameter" | "optional_parameter") {
            continue;
        }
        let (Some(pattern), Some(annotation)) = (
            p.child_by_field_name("pattern"),
            p.child_by_field_name("type"),
        ) else {
            continue;
        };
        if pattern.kind() != "identifier" {
            continue;
        }
        if let Some(obj) = type_obj(cx, annotation) {
            let name = cx.t(pattern).to_string();
            cx.names.insert(format!("this.{name}"), obj.clone());
            cx.names.insert(name, obj);
        }
    }
}

/// Methods of clients that make no request.
const LOCAL_METHODS: &[&str] = &[
    "send",
    "destroy",
    "middlewareStack",
    "config",
    "promise",
    "on",
    "makeRequest",
    "makeUnauthenticatedRequest",
];

fn sdk_call(
    span: Span,
    sdk: SdkKind,
    service: &str,
    method: &str,
    style: CallStyle,
    text: String,
) -> SdkCall {
    SdkCall {
        span,
        sdk,
        service: service.to_string(),
        resource_type: None,
        method: method.to_string(),
        style,
        args: Vec::new(),
        resource_ids: Vec::new(),
        text,
    }
}

fn call(cx: &mut Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let args = node.child_by_field_name("arguments");
    let arg = |i: usize| args.and_then(|a| a.named_child(i));
    let span = cx.file.span(node.start_byte(), node.end_byte());
    if function.kind() == "import" || cx.t(function) == "require" {
        if let Some(first) = arg(0) {
            record_import(cx, facts, first);
        }
        return;
    }
    if function.kind() == "identifier" {
        let Some(JsObj::V3Export { package, name }) = cx.resolve(function, 0) else {
            return;
        };
        let (style, op) = if let Some(op) = name.strip_prefix("paginate") {
            (CallStyle::Paginator, op)
        } else if let Some(op) = name
            .strip_prefix("waitUntil")
            .or_else(|| name.strip_prefix("waitFor"))
        {
            (CallStyle::Waiter, op)
        } else {
            return;
        };
        if op.is_empty() {
            return;
        }
        let mut sdk = sdk_call(span, SdkKind::JsV3, &package, op, style, name.clone());
        sdk.args = arg(1).map(|a| cx.object(a, 0)).unwrap_or_default();
        facts.calls.push(sdk);
        return;
    }
    if function.kind() != "member_expression" {
        return;
    }
    let (Some(receiver), Some(property)) = (
        function.child_by_field_name("object"),
        function.child_by_field_name("property"),
    ) else {
        return;
    };
    let method = cx.t(property).to_string();
    let shown = |service: &str| short_receiver(cx.t(receiver), service);
    match cx.resolve(receiver, 0) {
        Some(JsObj::V3Client(package)) if method == "send" => {
            let Some(command) = arg(0) else { return };
            let (package, name, cmd_args) = match cx.resolve(command, 0) {
                Some(JsObj::Command {
                    package,
                    name,
                    args,
                }) => (package, name, args),
                // A command class the file does not import from the SDK (a re-export).
                _ if command.kind() == "new_expression" => {
                    let Some(ctor) = command.child_by_field_name("constructor") else {
                        return;
                    };
                    let name = cx.t(ctor).to_string();
                    if !name.ends_with("Command") {
                        return;
                    }
                    let first = command
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0));
                    (
                        package,
                        name,
                        first.map(|a| cx.object(a, 0)).unwrap_or_default(),
                    )
                }
                _ => return,
            };
            let text = format!("{}.send({name})", shown(&package));
            let mut sdk = sdk_call(
                span,
                SdkKind::JsV3,
                &package,
                &name,
                CallStyle::Direct,
                text,
            );
            sdk.args = cmd_args;
            facts.calls.push(sdk);
        }
        Some(JsObj::V3Aggregated(package)) if !LOCAL_METHODS.contains(&method.as_str()) => {
            let text = format!("{}.{method}", shown(&package));
            let mut sdk = sdk_call(
                span,
                SdkKind::JsV3,
                &package,
                &method,
                CallStyle::Direct,
                text,
            );
            sdk.args = arg(0).map(|a| cx.object(a, 0)).unwrap_or_default();
            facts.calls.push(sdk);
        }
        Some(JsObj::V2Client(class)) if !LOCAL_METHODS.contains(&method.as_str()) => {
            let text = format!("{}.{method}", shown(&class));
            let mut sdk = sdk_call(
                span,
                SdkKind::JsV2,
                &class,
                &method,
                CallStyle::Direct,
                text,
            );
            if method == "getSignedUrl" || method == "getSignedUrlPromise" {
                // getSignedUrl(operation, params): the operation name, then its parameters.
                sdk.args.push((
                    "Operation".to_string(),
                    arg(0).map_or(Arg::Unknown, |a| cx.eval(a, 0)),
                ));
                sdk.args
                    .extend(arg(1).map(|a| cx.object(a, 0)).unwrap_or_default());
            } else if method == "waitFor" {
                let Some(Arg::Str(waiter)) = arg(0).map(|a| cx.eval(a, 0)) else {
                    return;
                };
                sdk.method = waiter;
                sdk.style = CallStyle::Waiter;
                sdk.args = arg(1).map(|a| cx.object(a, 0)).unwrap_or_default();
            } else {
                sdk.args = arg(0).map(|a| cx.object(a, 0)).unwrap_or_default();
            }
            facts.calls.push(sdk);
        }
        _ => {}
    }
}

/// `new Upload({ client, params: { Bucket, Key, Body } })` from `@aws-sdk/lib-storage`.
fn upload(cx: &Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let Some(ctor) = node.child_by_field_name("constructor") else {
        return;
    };
    let Some(JsObj::V3Export { package, name }) = cx.resolve(ctor, 0) else {
        return;
    };
    if package != "@aws-sdk/lib-storage" || name != "Upload" {
        return;
    }
    let options = node
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0));
    let params = options.and_then(|o| {
        if o.kind() == "object" {
            cx.property(o, "params")
        } else {
            None
        }
    });
    let span = cx.file.span(node.start_byte(), node.end_byte());
    let mut sdk = sdk_call(
        span,
        SdkKind::JsV3,
        &package,
        &name,
        CallStyle::Direct,
        format!("new {name}"),
    );
    sdk.args = params.map(|p| cx.object(p, 0)).unwrap_or_default();
    facts.calls.push(sdk);
}
