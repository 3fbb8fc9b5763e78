//! AWS SDK for JavaScript calls in JavaScript and TypeScript: v3 clients and commands
//! (`client.send(new XCommand(...))`), v3 aggregated clients, `@aws-sdk/lib-dynamodb`,
//! `@aws-sdk/lib-storage`, paginators and waiters, and v2 service objects (`new AWS.S3()`).
//!
//! As for Python, names live in one flat table filled in document order.

use super::Named;
use std::collections::BTreeMap;

use tree_sitter::{Node, Tree};

use super::Lang;
use super::driver::{self, Scope, Walker};
use super::handler::join;
use super::jsbind::{
    bind, declarator, import, import_binds, parameters, record_import, require_binds,
};
use super::jseval::{self, Env, JsObj};
use super::profile::{self, Profile};
use super::{kind, short_receiver, text};
use crate::model::{Arg, CallStyle, CodeFacts, ExportKind, Factory, Made, SdkCall, SdkKind};
use crate::source::{SourceFile, Span};

/// JavaScript and TypeScript: handlers `path/file.export`, relative imports (`./db`).
pub(super) static PROFILE: Profile = Profile {
    name: "JavaScript",
    extensions: &[
        ("js", Lang::JavaScript),
        ("mjs", Lang::JavaScript),
        ("cjs", Lang::JavaScript),
        ("jsx", Lang::JavaScript),
        ("ts", Lang::TypeScript),
        ("mts", Lang::TypeScript),
        ("cts", Lang::TypeScript),
        ("tsx", Lang::Tsx),
    ],
    runtimes: &["nodejs"],
    grammar: |lang| match lang {
        Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        _ => tree_sitter_javascript::LANGUAGE.into(),
    },
    extract,
    handler_files,
    import_files,
    packages: None,
    entry: profile::module_function_entry,
};

const JS_EXTS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"];

/// `src/index.handler` -> `src/index.js` (and the other extensions); TypeScript compiled to
/// `dist/`, `build/`, ... keeps its source under `src/`.
fn handler_files(code_path: &str, handler: &str) -> Vec<String> {
    let Some((module, _function)) = handler.rsplit_once('.') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ext in JS_EXTS {
        out.push(join(code_path, &format!("{module}{ext}")));
    }
    // TypeScript sources compiled to dist/ or build/ keep their stem under src/.
    let stem = module.rsplit('/').next().unwrap_or(module);
    let compiled = ["dist/", "build/", "out/", "lib/", ".build/"];
    let src_module = compiled
        .iter()
        .find_map(|d| module.strip_prefix(d))
        .map_or_else(|| format!("src/{module}"), |rest| format!("src/{rest}"));
    for ext in [".ts", ".mts", ".js", ".mjs"] {
        out.push(join(code_path, &format!("{src_module}{ext}")));
    }
    out.push(join(code_path, &format!("src/{stem}.ts")));
    out.push(join(code_path, &format!("src/{stem}/index.ts")));
    out
}

/// A relative specifier (`./db`, `../lib/x.js`) as written, with each extension, or as a
/// folder's `index`; bare specifiers are packages.
fn import_files(dir: &str, module: &str, _code_root: &str) -> Vec<String> {
    if !(module.starts_with("./") || module.starts_with("../") || module == "." || module == "..") {
        return Vec::new();
    }
    let base = join(dir, module);
    let mut out = Vec::new();
    if Lang::from_path(&base).is_some() {
        out.push(base.clone());
        // `import "./db.js"` in TypeScript names the compiled file; the source is db.ts.
        if let Some(stem) = base.strip_suffix(".js") {
            out.push(format!("{stem}.ts"));
            out.push(format!("{stem}.tsx"));
        }
        if let Some(stem) = base.strip_suffix(".mjs") {
            out.push(format!("{stem}.mts"));
        }
    }
    for ext in JS_EXTS {
        out.push(format!("{base}{ext}"));
    }
    for ext in JS_EXTS {
        out.push(join(&base, &format!("index{ext}")));
    }
    out
}

/// The SDK facts of one parsed JavaScript or TypeScript file.
fn extract(file: &SourceFile, tree: &Tree, imported: &[Factory]) -> CodeFacts {
    driver::extract::<JavaScript<'_>>(file, tree, imported)
}

/// The one pass over a JavaScript or TypeScript file: bindings are read in document order.
struct JavaScript<'f> {
    cx: Env<'f>,
}

impl<'f> Walker<'f> for JavaScript<'f> {
    type Value = Arg;
    type Carried = ();
    const PASSES: usize = 1;

    fn start(file: &'f SourceFile, _: ()) -> Self {
        JavaScript {
            cx: Env {
                file,
                names: BTreeMap::new(),
            },
        }
    }

    fn defines_function(&self, node: Node<'_>) -> bool {
        match kind(node) {
            "function_declaration" | "method_definition" => true,
            "variable_declarator" => is_function(node),
            _ => false,
        }
    }

    const OUTLINE: bool = true;
    const DYNAMIC: &'static [&'static str] = &["eval"];

    fn unit(&self, node: Node<'_>) -> Option<String> {
        let cx = &self.cx;
        let name = |n: Node<'_>| {
            n.child_by_field_name("name")
                .map(|x| cx.t(x).trim_matches(['"', '\'']).to_string())
        };
        match kind(node) {
            "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "abstract_class_declaration" => name(node),
            "variable_declarator" => name(node).filter(|_| {
                node.child_by_field_name("name")
                    .is_some_and(|n| n.kind() == "identifier")
            }),
            "export_specifier" => node
                .child_by_field_name("alias")
                .map(|a| cx.t(a).trim_matches(['"', '\'']).to_string())
                .or_else(|| name(node)),
            "export_statement" => {
                let mut cursor = node.walk();
                let default = node.children(&mut cursor).any(|c| c.kind() == "default");
                default.then(|| "default".to_string())
            }
            "assignment_expression" => {
                let left = cx.t(node.child_by_field_name("left")?);
                if let Some(export) = left
                    .strip_prefix("module.exports.")
                    .or_else(|| left.strip_prefix("exports."))
                {
                    return (!export.contains('.')).then(|| export.to_string());
                }
                let right = node.child_by_field_name("right")?;
                (left == "module.exports" && right.kind() != "object")
                    .then(|| "default".to_string())
            }
            "pair" | "method_definition" | "shorthand_property_identifier" => {
                let object = node.parent().filter(|p| p.kind() == "object")?;
                let assignment = object
                    .parent()
                    .filter(|p| p.kind() == "assignment_expression")?;
                let left = assignment.child_by_field_name("left")?;
                if cx.t(left) != "module.exports" {
                    return None;
                }
                let key = match node.kind() {
                    "shorthand_property_identifier" => node,
                    _ => node
                        .child_by_field_name("key")
                        .or_else(|| node.child_by_field_name("name"))?,
                };
                Some(cx.t(key).trim_matches(['"', '\'']).to_string())
            }
            _ => None,
        }
    }

    fn defers(&self, node: Node<'_>) -> bool {
        matches!(
            kind(node),
            "function_declaration"
                | "generator_function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function"
        )
    }

    fn enter(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        let cx = &mut self.cx;
        match kind(node) {
            "import_statement" => import(cx, scope, node),
            "export_statement" => {
                if let Some(source) = node.child_by_field_name("source")
                    && let Some(index) = record_import(cx, scope, source)
                {
                    let mut cursor = node.walk();
                    let clause = node
                        .named_children(&mut cursor)
                        .filter(|n| !n.is_extra())
                        .find(|c| c.kind() == "export_clause");
                    for (local, imported) in clause.map(|c| import_binds(cx, c)).unwrap_or_default()
                    {
                        scope.bind_import(index, &local, &imported);
                    }
                }
                exports(cx, scope, node);
            }
            "formal_parameters" => parameters(cx, node),
            _ => {}
        }
    }

    fn leave(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        let cx = &mut self.cx;
        let file = cx.file;
        match kind(node) {
            "return_statement" => {
                if let (Some(name), Some(value)) = (scope.function(), node.arg(0))
                    && let Some(obj) = cx.resolve(value, 0)
                {
                    cx.names.insert(format!("{name}()"), obj.clone());
                    cx.names.insert(format!("this.{name}()"), obj);
                }
            }
            "variable_declarator" => {
                // `const getClient = () => new S3Client({})`: an expression body is the result.
                if is_function(node)
                    && let (Some(name), Some(body)) = (
                        node.child_by_field_name("name"),
                        node.child_by_field_name("value")
                            .and_then(|v| v.child_by_field_name("body")),
                    )
                    && let Some(obj) = cx.resolve(body, 0)
                {
                    cx.names.insert(format!("{}()", text(file, name)), obj);
                }
                declarator(cx, scope, node);
            }
            "assignment_expression" => {
                if let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) && matches!(left.kind(), "identifier" | "member_expression")
                {
                    commonjs_exports(cx, scope, left, right);
                    let key = text(file, left).to_string();
                    bind(cx, key, right);
                }
            }
            "public_field_definition" | "field_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .or_else(|| node.child_by_field_name("property"));
                if let (Some(name), Some(value)) = (name, node.child_by_field_name("value")) {
                    let name = text(file, name).to_string();
                    bind(cx, format!("this.{name}"), value);
                }
            }
            "call_expression" => call(cx, scope, node),
            "new_expression" => upload(cx, &mut scope.facts, node),
            "member_expression" | "subscript_expression" => {
                if let Some(name) = cx.env_name(node, 0) {
                    scope.env_read(name, node);
                }
            }
            _ => {}
        }
    }

    fn finish(self, scope: &mut Scope<'_, Arg>) {
        for (key, obj) in &self.cx.names {
            let Some(name) = key.strip_suffix("()").filter(|n| !n.contains('.')) else {
                continue;
            };
            let made = match obj {
                JsObj::V2Client(class) => Made::Service(class.clone()),
                JsObj::V3Client(package) => Made::Service(package.clone()),
                // A factory choosing among its own classes passes them on by service name
                // (an empty table would mean any v2 class: a table of other classes is not
                // passed on).
                JsObj::ClientOf { position, classes } => {
                    let services: Vec<(String, String)> = classes
                        .iter()
                        .filter_map(|(key, class)| match jseval::instance(class.clone())? {
                            JsObj::V2Client(c) | JsObj::V3Client(c) => Some((key.clone(), c)),
                            _ => None,
                        })
                        .collect();
                    if services.is_empty() != classes.is_empty() {
                        continue;
                    }
                    Made::Named {
                        position: *position,
                        keyword: String::new(),
                        classes: services,
                    }
                }
                _ => continue,
            };
            scope.facts.factories.push(Factory {
                name: name.to_string(),
                made,
                resource: false,
            });
        }
    }

    fn imported(&mut self, factories: &[Factory]) {
        for f in factories {
            let obj = match &f.made {
                Made::Service(s) if s.starts_with('@') => JsObj::V3Client(s.clone()),
                Made::Service(s) => JsObj::V2Client(s.clone()),
                Made::Named {
                    position, classes, ..
                } => JsObj::ClientOf {
                    position: *position,
                    classes: classes
                        .iter()
                        .map(|(key, service)| {
                            let class = match service.strip_prefix('@') {
                                Some(_) => JsObj::V3Export {
                                    package: service.clone(),
                                    name: "Client".to_string(),
                                },
                                None => JsObj::V2Class(service.clone()),
                            };
                            (key.clone(), class)
                        })
                        .collect(),
                },
            };
            self.cx.names.entry(format!("{}()", f.name)).or_insert(obj);
        }
    }
}

/// ES module exports: `export function handler`, `export const handler = ...`,
/// `export { main as handler }`.
fn exports(cx: &Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    if let Some(declaration) = node.child_by_field_name("declaration") {
        match declaration.kind() {
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                if let Some(name) = declaration.child_by_field_name("name") {
                    scope.export(cx.t(name).to_string(), ExportKind::Function, declaration);
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = declaration.walk();
                for d in declaration
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                {
                    if let Some(name) = d
                        .child_by_field_name("name")
                        .filter(|n| n.kind() == "identifier")
                    {
                        scope.export(cx.t(name).to_string(), ExportKind::Function, d);
                    }
                }
            }
            _ => {}
        }
        return;
    }
    let mut cursor = node.walk();
    let Some(clause) = node
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .find(|c| c.kind() == "export_clause")
    else {
        return;
    };
    let mut cursor = clause.walk();
    for spec in clause.named_children(&mut cursor).filter(|n| !n.is_extra()) {
        let exported = spec
            .child_by_field_name("alias")
            .or_else(|| spec.child_by_field_name("name"));
        if let Some(exported) = exported {
            let name = cx.t(exported).trim_matches(['"', '\'']).to_string();
            scope.export(name, ExportKind::Function, spec);
        }
    }
}

/// CommonJS exports: `exports.handler = ...`, `module.exports.handler = ...`,
/// `module.exports = { handler, other: fn }`.
fn commonjs_exports(cx: &Env<'_>, scope: &mut Scope<'_, Arg>, left: Node<'_>, right: Node<'_>) {
    let target = cx.t(left);
    if let Some(name) = target
        .strip_prefix("module.exports.")
        .or_else(|| target.strip_prefix("exports."))
    {
        if !name.contains('.') {
            scope.export(name.to_string(), ExportKind::Function, right);
        }
        return;
    }
    if target != "module.exports" || right.kind() != "object" {
        return;
    }
    let mut cursor = right.walk();
    for entry in right.named_children(&mut cursor).filter(|n| !n.is_extra()) {
        let key = match entry.kind() {
            "shorthand_property_identifier" => Some(entry),
            "pair" | "method_definition" => entry
                .child_by_field_name("key")
                .or_else(|| entry.child_by_field_name("name")),
            _ => None,
        };
        if let Some(key) = key {
            let name = cx.t(key).trim_matches(['"', '\'']).to_string();
            scope.export(name, ExportKind::Function, entry);
        }
    }
}

/// A declaration whose value is a function (`const f = async () => {...}`).
fn is_function(declarator: Node<'_>) -> bool {
    declarator.child_by_field_name("value").is_some_and(|v| {
        matches!(
            v.kind(),
            "arrow_function" | "function_expression" | "function"
        )
    })
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
        alternative: None,
    }
}

/// A call on an SDK client, or of an SDK function (paginators, waiters, presigner).
fn call(cx: &mut Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    let facts = &mut scope.facts;
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let args = node.child_by_field_name("arguments");
    let arg = |i: usize| args.and_then(|a| a.arg(i));
    let span = cx.file.span(node.start_byte(), node.end_byte());
    if function.kind() == "import" || cx.t(function) == "require" {
        if let Some(first) = arg(0)
            && let Some(index) = record_import(cx, scope, first)
        {
            for (local, imported) in require_binds(cx, node) {
                scope.bind_import(index, &local, &imported);
            }
        }
        return;
    }
    if super::jssigned::call(cx, facts, function, args, span) {
        return;
    }
    if extension_request(cx, facts, function, arg(0), span) {
        return;
    }
    // Functions the SDK exports, called bare or through a namespace (`s3.paginateListObjectsV2`).
    if let Some(JsObj::V3Export { package, name }) = cx.resolve(function, 0) {
        // `getSignedUrl(client, new GetObjectCommand({...}))` signs the command's request.
        if package == "@aws-sdk/s3-request-presigner" && name == "getSignedUrl" {
            let Some((package, op, args)) =
                arg(1).and_then(|c| command(cx, c, "@aws-sdk/client-s3"))
            else {
                return;
            };
            let text = format!("getSignedUrl({op})");
            let mut sdk = sdk_call(span, SdkKind::JsV3, &package, &op, CallStyle::Direct, text);
            sdk.args = args;
            facts.calls.push(sdk);
            return;
        }
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
            let Some((package, name, cmd_args)) = arg(0).and_then(|c| command(cx, c, &package))
            else {
                return;
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
        // A client made where rolefit cannot see (`new clients[name]()`, an injected one):
        // the command, imported from its SDK package, still says what is sent.
        None if method == "send" => {
            let Some(JsObj::Command {
                package,
                name,
                args,
            }) = arg(0).and_then(|c| cx.resolve(c, 0))
            else {
                return;
            };
            if !package.starts_with("@aws-sdk/") {
                return;
            }
            let text = format!("{}.send({name})", shown(&package));
            let mut sdk = sdk_call(
                span,
                SdkKind::JsV3,
                &package,
                &name,
                CallStyle::Direct,
                text,
            );
            sdk.args = args;
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
        other => {
            super::jssigned::on_receiver(cx, facts, other, &method, function, args, span);
        }
    }
}

/// A command's package, class name and input.
type Command = (String, String, Vec<(String, Arg)>);

/// The command an expression builds: a bound or inline `new XCommand(input)`. A command
/// class the file does not import from the SDK (a re-export) takes the client's package.
fn command(cx: &Env<'_>, node: Node<'_>, package: &str) -> Option<Command> {
    if let Some(JsObj::Command {
        package,
        name,
        args,
    }) = cx.resolve(node, 0)
    {
        return Some((package, name, args));
    }
    if node.kind() != "new_expression" {
        return None;
    }
    let name = cx.t(node.child_by_field_name("constructor")?).to_string();
    if !name.ends_with("Command") {
        return None;
    }
    let first = node.child_by_field_name("arguments").and_then(|a| a.arg(0));
    Some((
        package.to_string(),
        name,
        first.map(|a| cx.object(a, 0)).unwrap_or_default(),
    ))
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
    let options = node.child_by_field_name("arguments").and_then(|a| a.arg(0));
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

/// An HTTP request to a Lambda extension that calls AWS with the function's role (the
/// Parameters and Secrets extension, the AppConfig Agent; see `extension.rs`):
/// `fetch(url)`, `axios.get(url)`, `http.get(url)`, `got(url)`.
fn extension_request(
    cx: &Env<'_>,
    facts: &mut CodeFacts,
    function: Node<'_>,
    url: Option<Node<'_>>,
    span: Span,
) -> bool {
    let name = match function.kind() {
        "identifier" => cx.t(function),
        "member_expression" => function
            .child_by_field_name("property")
            .map_or("", |p| cx.t(p)),
        _ => return false,
    };
    if !matches!(name, "fetch" | "get" | "request" | "axios" | "got") {
        return false;
    }
    let Some(url) = url else { return false };
    let sent = super::extension::calls(&cx.eval(url, 0), span, cx.t(function));
    if sent.is_empty() {
        return false;
    }
    facts.calls.extend(sent);
    true
}
