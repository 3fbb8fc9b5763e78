//! JavaScript / TypeScript bindings: imports and `require`s of the SDK, declarations,
//! destructuring of `process.env`, assignments and typed parameters.

use super::Named;
use tree_sitter::Node;

use super::driver::Scope;
use super::jseval::{Env, JsObj, is_service_package, module_obj};
use crate::model::Arg;

/// Records a relative module specifier (`./db`, `../lib/x.js`) as a possible local file, and a
/// package or `/opt/` path other than the AWS SDK's as a possible layer module (see
/// `parse::layers`). Returns the import's index.
pub(super) fn record_import(
    cx: &Env<'_>,
    scope: &mut Scope<'_, Arg>,
    source: Node<'_>,
) -> Option<usize> {
    if let Arg::Str(module) = cx.eval(source, 0) {
        scope.library("javascript", &module, source);
    }
    if let Arg::Str(module) = cx.eval(source, 0)
        && (module.starts_with("./")
            || module.starts_with("../")
            || module == "."
            || module == ".."
            || layer_module(&module))
    {
        return Some(scope.import(module, source));
    }
    None
}

/// A specifier a layer may provide: a package name or a path under `/opt`, not the AWS SDK's
/// packages (whose bindings the walker reads itself) nor Node's built-in modules.
fn layer_module(module: &str) -> bool {
    let sdk = module.starts_with("@aws-sdk/")
        || module == "aws-sdk"
        || module.starts_with("aws-sdk/")
        || module.starts_with("@smithy/")
        || module.starts_with("node:");
    (module.starts_with("/opt/") || !module.starts_with('/')) && !sdk
}

/// What an `import` clause or `export ... from` clause binds, as (local name, imported name):
/// `import x` is the module's `default`, `import * as ns` the whole module; `export { a as b }
/// from` makes `b` the module's `a`.
pub(super) fn import_binds(cx: &Env<'_>, clause: Node<'_>) -> Vec<(String, String)> {
    let trim = |n: Node<'_>| cx.t(n).trim_matches(['"', '\'']).to_string();
    let mut out = Vec::new();
    let mut cursor = clause.walk();
    for part in clause.named_children(&mut cursor).filter(|n| !n.is_extra()) {
        match part.kind() {
            "identifier" => out.push((trim(part), "default".to_string())),
            "namespace_import" => {
                if let Some(name) = part.arg(0) {
                    out.push((trim(name), "*".to_string()));
                }
            }
            "named_imports" => out.extend(import_binds(cx, part)),
            "import_specifier" | "export_specifier" => {
                if let Some(name) = part.child_by_field_name("name") {
                    let bound = part.child_by_field_name("alias").unwrap_or(name);
                    out.push((trim(bound), trim(name)));
                }
            }
            _ => {}
        }
    }
    out
}

/// What a `require(...)` call binds: `const db = require('./db')` the whole module, `const { a,
/// b: c } = require(...)` its `a` and `b`; `require('./a').handler` in a module-level binding
/// binds that binding to the module's `handler`.
pub(super) fn require_binds(cx: &Env<'_>, call: Node<'_>) -> Vec<(String, String)> {
    let Some(parent) = call.parent() else {
        return Vec::new();
    };
    match parent.kind() {
        "variable_declarator" | "assignment_expression" => {
            let target = parent
                .child_by_field_name("name")
                .or_else(|| parent.child_by_field_name("left"));
            let Some(target) = target else {
                return Vec::new();
            };
            match target.kind() {
                "identifier" => vec![(cx.t(target).to_string(), "*".to_string())],
                "object_pattern" => {
                    let mut out = Vec::new();
                    let mut cursor = target.walk();
                    for p in target.named_children(&mut cursor).filter(|n| !n.is_extra()) {
                        match p.kind() {
                            "shorthand_property_identifier_pattern" => {
                                out.push((cx.t(p).to_string(), cx.t(p).to_string()))
                            }
                            "pair_pattern" => {
                                if let (Some(k), Some(v)) =
                                    (p.child_by_field_name("key"), p.child_by_field_name("value"))
                                    && v.kind() == "identifier"
                                {
                                    out.push((cx.t(v).to_string(), cx.t(k).to_string()));
                                } else {
                                    return Vec::new();
                                }
                            }
                            _ => return Vec::new(),
                        }
                    }
                    out
                }
                _ => Vec::new(),
            }
        }
        "member_expression" if parent.child_by_field_name("object") == Some(call) => parent
            .child_by_field_name("property")
            .map(|p| vec![(String::new(), cx.t(p).to_string())])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `import ... from "<module>"`: binds SDK modules, classes and functions.
pub(super) fn import(cx: &mut Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    let Some(source) = node.child_by_field_name("source") else {
        return;
    };
    if let Some(index) = record_import(cx, scope, source) {
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .find(|c| c.kind() == "import_clause");
        for (local, imported) in clause.map(|c| import_binds(cx, c)).unwrap_or_default() {
            scope.bind_import(index, &local, &imported);
        }
    }
    let Arg::Str(module) = cx.eval(source, 0) else {
        return;
    };
    let mut cursor = node.walk();
    let Some(clause) = node
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .find(|c| c.kind() == "import_clause")
    else {
        return;
    };
    let mut cursor = clause.walk();
    for part in clause.named_children(&mut cursor).filter(|n| !n.is_extra()) {
        match part.kind() {
            "identifier" => {
                if let Some(obj) = module_obj(&module) {
                    cx.names.insert(cx.t(part).to_string(), obj);
                }
            }
            "namespace_import" => {
                if let (Some(name), Some(obj)) = (part.arg(0), module_obj(&module)) {
                    cx.names.insert(cx.t(name).to_string(), obj);
                }
            }
            "named_imports" => {
                let mut cursor = part.walk();
                for spec in part.named_children(&mut cursor).filter(|n| !n.is_extra()) {
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

/// Binds `key` to what `value` refers to or evaluates to (or unbinds it).
pub(super) fn bind(cx: &mut Env<'_>, key: String, value: Node<'_>) {
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

/// `const x = ...`, `const { A, B: b, C = d } = ...` (from a module, `process.env` or an object).
pub(super) fn declarator(cx: &mut Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
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
    for part in name.named_children(&mut cursor).filter(|n| !n.is_extra()) {
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
                scope.env_read(key_text.clone(), key);
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
pub(super) fn type_obj(cx: &Env<'_>, annotation: Node<'_>) -> Option<JsObj> {
    let raw = cx.t(annotation).trim_start_matches(':').trim();
    let name = raw.split(['|', '<']).next().unwrap_or(raw).trim();
    match cx.names.get(name).cloned()? {
        // Types of signers, credential providers and other packages are no clients.
        JsObj::V3Export { package, .. } if !is_service_package(&package) => None,
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
pub(super) fn parameters(cx: &mut Env<'_>, params: Node<'_>) {
    let mut cursor = params.walk();
    let list: Vec<Node<'_>> = params
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|p| p.kind() != "comment")
        .collect();
    for (position, p) in list.into_iter().enumerate() {
        // A plain parameter the table does not know yet: what a factory's caller names with
        // it is read at each call (`JsObj::V2ClientOf`).
        let plain = match p.kind() {
            "identifier" => Some(p),
            "required_parameter" | "optional_parameter" => p
                .child_by_field_name("pattern")
                .filter(|n| n.kind() == "identifier"),
            _ => None,
        };
        if let Some(name) = plain {
            let name = cx.t(name).to_string();
            if matches!(cx.names.get(&name), None | Some(JsObj::Param(_))) {
                cx.names.insert(name, JsObj::Param(position));
            }
        }
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
