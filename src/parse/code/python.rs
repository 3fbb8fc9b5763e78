//! boto3 calls in Python: clients and resources made from `boto3`, sessions or `meta.client`,
//! paginators, waiters, and the AWS Lambda Powertools utilities that call AWS for the function.
//!
//! Names are bound in one flat table in document order: a name means what it was last
//! assigned, whatever the scope. That reads the usual handler layout (clients at module level,
//! helpers that take them as parameters) without a full scope analysis.

use super::Named;
use std::collections::{BTreeMap, HashMap};

use tree_sitter::{Node, Tree};

use super::Lang;
use super::driver::{self, Passed, Scope, Walker};
use super::handler::join;
use super::profile::{self, Profile};
use super::pyeval::{Env, Obj};
use super::{by_field, kind, short_receiver, text};
use crate::model::{Arg, CallStyle, CodeFacts, ExportKind, Factory, Made, SdkCall, SdkKind};
use crate::source::SourceFile;

/// Python: `.py` files, handlers `path/module.function`, imports relative (`.util`) or from
/// the code folder.
pub(super) static PROFILE: Profile = Profile {
    name: "Python",
    extensions: &[("py", Lang::Python)],
    runtimes: &["python"],
    grammar: |_| tree_sitter_python::LANGUAGE.into(),
    extract,
    handler_files,
    import_files,
    packages: None,
    entry: profile::module_function_entry,
};

/// `src/app.handler` -> `src/app.py`, `src/app/__init__.py`; dots in the module name are
/// folders (`pkg.mod.handler` -> `pkg/mod.py`).
fn handler_files(code_path: &str, handler: &str) -> Vec<String> {
    let Some((module, _function)) = handler.rsplit_once('.') else {
        return Vec::new();
    };
    let file = module.replace('.', "/");
    vec![
        join(code_path, &format!("{file}.py")),
        join(code_path, &format!("{file}/__init__.py")),
    ]
}

/// A relative import (`.util`, `..lib.db`) from the importer's folder; an absolute one
/// (`util`) from the importer's folder and the code folder, unless it is a known package.
fn import_files(dir: &str, module: &str, code_root: &str) -> Vec<String> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = module[dots..].replace('.', "/");
    let files = |base: &str| -> Vec<String> {
        if rest.is_empty() {
            vec![join(base, "__init__.py")]
        } else {
            vec![
                join(base, &format!("{rest}.py")),
                join(base, &format!("{rest}/__init__.py")),
            ]
        }
    };
    if dots > 0 {
        let mut base = dir.to_string();
        for _ in 1..dots {
            base = join(&base, "..");
        }
        return files(&base);
    }
    if rest.is_empty() || super::pystd::is_known_package(module) {
        return Vec::new();
    }
    let mut out = files(dir);
    out.extend(files(code_root.trim_end_matches('/')));
    out
}

/// The boto3 facts of one parsed Python file.
fn extract(file: &SourceFile, tree: &Tree, imported: &[Factory]) -> CodeFacts {
    driver::extract::<Python<'_>>(file, tree, imported)
}

/// One pass over a Python file. The first pass learns what local functions return and what
/// callers pass them, so the second can read helpers defined before their callers (or called
/// before defined).
struct Python<'f> {
    cx: Env<'f>,
    /// `name()`: the SDK object or value local function `name` returns.
    returns: BTreeMap<String, Obj>,
    /// What local functions return to other modules' calls (see `Env::factory`).
    factories: BTreeMap<String, Obj>,
    /// How many class bodies the walk is inside (module level is outside functions and
    /// classes).
    classes: usize,
}

impl<'f> Walker<'f> for Python<'f> {
    /// Callers pass SDK objects (the last one wins) and values (unknown where they disagree).
    type Value = Obj;
    /// What local functions return (`name()`) and the SDK objects module names end up holding.
    type Carried = BTreeMap<String, Obj>;
    const PASSES: usize = 2;

    fn start(file: &'f SourceFile, carried: Self::Carried) -> Self {
        Python {
            cx: Env {
                file,
                names: carried,
                mypy: BTreeMap::new(),
                memo: HashMap::new(),
                boto3: false,
                durable: false,
            },
            returns: BTreeMap::new(),
            factories: BTreeMap::new(),
            classes: 0,
        }
    }

    fn defines_function(&self, node: Node<'_>) -> bool {
        kind(node) == "function_definition"
    }

    const OUTLINE: bool = true;
    const DYNAMIC: &'static [&'static str] = &["globals", "locals", "vars", "eval", "exec"];

    fn unit(&self, node: Node<'_>) -> Option<String> {
        let file = self.cx.file;
        let name = |n: Node<'_>| by_field(n, "name").map(|x| text(file, x).to_string());
        match kind(node) {
            "function_definition" | "class_definition" => name(node),
            "decorated_definition" => by_field(node, "definition").and_then(name),
            "assignment" => node
                .child_by_field_name("left")
                .filter(|l| l.kind() == "identifier")
                .map(|l| text(file, l).to_string()),
            _ if is_main_block(file, node) => Some("__main__".to_string()),
            _ => None,
        }
    }

    fn defers(&self, node: Node<'_>) -> bool {
        matches!(kind(node), "function_definition" | "lambda") || is_main_block(self.cx.file, node)
    }

    fn enter(&mut self, node: Node<'_>, scope: &mut Scope<'_, Obj>) {
        match kind(node) {
            "import_statement" | "import_from_statement" => {
                super::pyimport::import(&mut self.cx, scope, node)
            }
            "function_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| text(self.cx.file, n).to_string())
                    .unwrap_or_default();
                if self.classes == 0 && scope.functions.is_empty() {
                    scope.export(name.clone(), ExportKind::Function, node);
                }
                parameters(&mut self.cx, node, &name, scope.learned);
            }
            "class_definition" => self.classes += 1,
            _ => {}
        }
    }

    fn leave(&mut self, node: Node<'_>, scope: &mut Scope<'_, Obj>) {
        let cx = &mut self.cx;
        match kind(node) {
            "assignment" => {
                if self.classes == 0 && scope.functions.is_empty() {
                    module_assignment(cx, scope, node);
                }
                assignment(cx, node);
            }
            "class_definition" => self.classes = self.classes.saturating_sub(1),
            "with_item" => with_item(cx, node),
            "return_statement" => {
                if let (Some(name), Some(value)) = (scope.function(), node.arg(0))
                    && let Some(obj) = cx.resolve(value, 0).filter(Obj::is_sdk)
                {
                    cx.names.insert(format!("{name}()"), obj.clone());
                    self.factories
                        .insert(name.to_string(), cx.factory(value, obj.clone()));
                    self.returns.insert(format!("{name}()"), obj);
                }
            }
            "call" => {
                env_read(cx, scope, node);
                call(cx, &mut scope.facts, node);
                passed(cx, &mut scope.passed, node);
            }
            "subscript" => env_read(cx, scope, node),
            _ => {}
        }
    }

    fn imported(&mut self, factories: &[Factory]) {
        for f in factories {
            let obj = match (&f.made, f.resource) {
                (Made::Service(service), false) => Obj::Client(service.clone()),
                (Made::Service(service), true) => Obj::Resource {
                    service: service.clone(),
                    resource_type: String::new(),
                    ids: Vec::new(),
                    path: String::new(),
                },
                (
                    Made::Named {
                        position, keyword, ..
                    },
                    resource,
                ) => Obj::ClientOf {
                    position: *position,
                    name: keyword.clone(),
                    resource,
                },
            };
            self.cx.names.entry(format!("{}()", f.name)).or_insert(obj);
        }
    }

    fn finish(self, scope: &mut Scope<'_, Obj>) -> Self::Carried {
        for (name, obj) in &self.factories {
            let (made, resource) = match obj {
                Obj::Client(service) => (Made::Service(service.clone()), false),
                Obj::Resource {
                    service,
                    resource_type,
                    path,
                    ..
                } if resource_type.is_empty() && path.is_empty() => {
                    (Made::Service(service.clone()), true)
                }
                Obj::ClientOf {
                    position,
                    name,
                    resource,
                } => (
                    Made::Named {
                        position: *position,
                        keyword: name.clone(),
                        classes: Vec::new(),
                    },
                    *resource,
                ),
                _ => continue,
            };
            scope.facts.factories.push(Factory {
                name: name.to_string(),
                made,
                resource,
            });
        }
        // Clients a module ends up holding (`s3 = None` first, set by an init function later)
        // are known from the start of the next pass.
        let mut carried = self.returns;
        for (name, obj) in self.cx.names {
            if matches!(obj, Obj::Client(_) | Obj::Resource { .. }) && !name.ends_with("()") {
                carried.insert(name, obj);
            }
        }
        carried
    }
}

/// `if __name__ == "__main__":` — code for running the file by hand, never run by Lambda.
fn is_main_block(file: &SourceFile, node: Node<'_>) -> bool {
    kind(node) == "if_statement"
        && by_field(node, "condition").is_some_and(|c| {
            let t = text(file, c);
            t.contains("__name__") && t.contains("__main__")
        })
}

/// `handler = Mangum(app)` at module level is a handler's name too.
fn module_assignment(cx: &Env<'_>, scope: &mut Scope<'_, Obj>, node: Node<'_>) {
    if let Some(left) = by_field(node, "left")
        && left.kind() == "identifier"
    {
        scope.export(text(cx.file, left).to_string(), ExportKind::Function, node);
    }
}

/// SDK objects passed to a local function or method: `save(table, item)`, `self.put(s3)`.
fn passed(cx: &Env<'_>, out: &mut Passed<Obj>, node: Node<'_>) {
    let (Some(function), Some(args)) = (by_field(node, "function"), by_field(node, "arguments"))
    else {
        return;
    };
    let (name, offset) = match function.kind() {
        "identifier" => (text(cx.file, function), 0),
        "attribute" => {
            let object = function
                .child_by_field_name("object")
                .map(|o| text(cx.file, o));
            match (object, by_field(function, "attribute")) {
                (Some("self" | "cls"), Some(attr)) => (text(cx.file, attr), 1),
                _ => return,
            }
        }
        _ => return,
    };
    let mut position = offset;
    let mut cursor = args.walk();
    for a in args.named_children(&mut cursor).filter(|n| !n.is_extra()) {
        let (slot, value) = match a.kind() {
            "keyword_argument" => {
                let (Some(k), Some(v)) = (by_field(a, "name"), by_field(a, "value")) else {
                    continue;
                };
                (text(cx.file, k).to_string(), v)
            }
            "list_splat" | "dictionary_splat" | "comment" => continue,
            _ => {
                position += 1;
                ((position - 1).to_string(), a)
            }
        };
        match cx.resolve(value, 0) {
            Some(obj @ (Obj::Client(_) | Obj::Resource { .. })) => out.set(name, slot, obj),
            // A value the parameter takes at every call site; callers that disagree leave it
            // unknown (one call is reported once, not once per caller).
            _ => out.agree(
                name,
                slot,
                Obj::Value(cx.eval(value, 0)),
                Obj::Value(Arg::Unknown),
            ),
        }
    }
}

/// Parameters annotated with mypy-boto3 types, passed SDK objects by callers, or named like
/// an SDK client.
fn parameters(cx: &mut Env<'_>, def: Node<'_>, function: &str, learned: &Passed<Obj>) {
    let Some(params) = by_field(def, "parameters") else {
        return;
    };
    let mut cursor = params.walk();
    let first = params
        .arg(0)
        .map(|p| text(cx.file, by_field(p, "name").unwrap_or(p)));
    // A method's `self` / `cls` is not among its call's arguments.
    let receiver = usize::from(matches!(first, Some("self" | "cls")));
    for (i, p) in params
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .enumerate()
    {
        let (name, annotation) = match p.kind() {
            "identifier" => (Some(p), None),
            "typed_parameter" => (p.arg(0), by_field(p, "type")),
            "default_parameter" | "typed_default_parameter" => {
                (by_field(p, "name"), by_field(p, "type"))
            }
            _ => (None, None),
        };
        let Some(name) = name.map(|n| text(cx.file, n).to_string()) else {
            continue;
        };
        let passed = learned
            .get(function, i)
            .or_else(|| learned.get(function, &name));
        let sdk_passed = passed.filter(|o| !matches!(o, Obj::Value(_))).cloned();
        // An SDK object the name already holds (a module-level client of the same name) or a
        // guess from the name outranks a plain value callers pass.
        let held = || match cx.names.get(&name) {
            Some(obj @ (Obj::Client(_) | Obj::Resource { .. })) => Some(obj.clone()),
            Some(_) => None,
            None => cx.by_name(&name),
        };
        let obj = annotation
            .and_then(|t| cx.annotation(t))
            .or(sdk_passed)
            .or_else(held)
            .or_else(|| passed.cloned());
        // A parameter no caller gives one value: a factory's service name is read at each
        // call of it (`Obj::ClientOf`).
        let param = |value: Arg| Obj::Param {
            position: i - receiver,
            name: name.clone(),
            value,
        };
        let obj = match obj {
            // What the name already holds stays its value (the table is flat).
            None if i >= receiver => match cx.names.get(&name) {
                None => Some(param(Arg::Unknown)),
                Some(Obj::Value(value) | Obj::Param { value, .. }) => Some(param(value.clone())),
                Some(_) => None,
            },
            Some(Obj::Value(value)) if i >= receiver => Some(param(value)),
            other => other,
        };
        if let Some(obj) = obj {
            cx.names.insert(name, obj);
        }
    }
}

/// `name = value` and `self.attr = value` (with an optional annotation).
fn assignment(cx: &mut Env<'_>, node: Node<'_>) {
    let Some(left) = by_field(node, "left") else {
        return;
    };
    if !matches!(left.kind(), "identifier" | "attribute") {
        return;
    }
    let key = text(cx.file, left).to_string();
    let right = by_field(node, "right");
    let mut obj = right.and_then(|r| cx.resolve(r, 0));
    if obj.is_none() {
        obj = node
            .child_by_field_name("type")
            .and_then(|t| cx.annotation(t));
    }
    if obj.is_none() {
        obj = right.map(|r| match r.kind() {
            "dictionary" => Obj::Dict(cx.dict(r, 0)),
            _ => Obj::Value(cx.eval(r, 0)),
        });
    }
    // `client = None` is the lazy-initialisation placeholder: keep what the name holds.
    let placeholder = right.is_some_and(|r| r.kind() == "none");
    match obj {
        Some(Obj::Value(Arg::Unknown)) | None if placeholder => {}
        Some(Obj::Value(Arg::Unknown)) | None => {
            cx.names.remove(&key);
        }
        Some(obj) => {
            cx.names.insert(key, obj);
        }
    }
}

/// `with table.batch_writer() as batch:` and friends.
fn with_item(cx: &mut Env<'_>, node: Node<'_>) {
    let Some(value) = by_field(node, "value") else {
        return;
    };
    if value.kind() != "as_pattern" {
        return;
    }
    let (Some(expr), Some(alias)) = (value.arg(0), by_field(value, "alias")) else {
        return;
    };
    let key = text(cx.file, alias).to_string();
    match cx.resolve(expr, 0) {
        Some(obj) => cx.names.insert(key, obj),
        None => cx.names.remove(&key),
    };
}

/// Records an environment variable read.
fn env_read(cx: &Env<'_>, scope: &mut Scope<'_, Obj>, node: Node<'_>) {
    if let Some(name) = cx.env_name(node, 0) {
        scope.env_read(name, node);
    }
}

/// Positional parameter names of boto3's injected helpers (boto3 `s3/inject.py`).
fn positional_names(resource_type: &str, method: &str) -> &'static [&'static str] {
    match (resource_type, method) {
        ("", "upload_file") => &["Filename", "Bucket", "Key"],
        ("", "download_file") => &["Bucket", "Key", "Filename"],
        ("", "upload_fileobj") => &["Fileobj", "Bucket", "Key"],
        ("", "download_fileobj") => &["Bucket", "Key", "Fileobj"],
        ("", "copy") => &["CopySource", "Bucket", "Key"],
        ("", "generate_presigned_url") => &["ClientMethod", "Params"],
        ("", "generate_presigned_post") => &["Bucket", "Key"],
        ("Bucket", "upload_file") => &["Filename", "Key"],
        ("Bucket", "download_file") => &["Key", "Filename"],
        ("Bucket", "upload_fileobj") => &["Fileobj", "Key"],
        ("Bucket", "download_fileobj") => &["Key", "Fileobj"],
        ("Object", "upload_file" | "download_file") => &["Filename"],
        ("Object", "upload_fileobj" | "download_fileobj") => &["Fileobj"],
        _ => &[],
    }
}

/// Actions and helpers of a boto3 DynamoDB `Table` resource (boto3 `dynamodb.json` resource
/// model plus the injected `batch_writer`).
const TABLE_METHODS: &[&str] = &[
    "batch_writer",
    "delete",
    "delete_item",
    "get_item",
    "put_item",
    "query",
    "scan",
    "update",
    "update_item",
    "load",
    "reload",
    "wait_until_exists",
    "wait_until_not_exists",
];

/// Client methods that make no request.
const LOCAL_METHODS: &[&str] = &["can_paginate", "close", "get_paginator", "get_waiter"];

/// A method call on an SDK object, or a Powertools utility call.
fn call(cx: &mut Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let file = cx.file;
    let Some(function) = by_field(node, "function") else {
        return;
    };
    let args = by_field(node, "arguments");
    let span = file.span(node.start_byte(), node.end_byte());
    let new = |service: &str, method: String, style: CallStyle, text: String| SdkCall {
        span,
        sdk: SdkKind::Python,
        service: service.to_string(),
        resource_type: None,
        method,
        style,
        args: Vec::new(),
        resource_ids: Vec::new(),
        text,
        alternative: None,
    };
    if super::pysigned::call(cx, facts, function, args, span) {
        return;
    }
    // An HTTP request to a Lambda extension that calls AWS with the role (the Parameters and
    // Secrets extension, the AppConfig Agent): `requests.get(url)`, `urlopen(url)`,
    // `http.request("GET", url)`.
    if let Some(args) = args {
        let shown = text(file, function);
        let sent = cx
            .keyword(args, "url")
            .into_iter()
            .chain((0..2).filter_map(|i| cx.positional(args, i)))
            .map(|a| super::extension::calls(&a, span, shown))
            .find(|r| !r.is_empty());
        if let Some(sent) = sent {
            facts.calls.extend(sent);
            return;
        }
    }
    if function.kind() == "identifier" {
        let name = text(file, function);
        if let Some(Obj::LibCall {
            module,
            name: entry,
        }) = cx.resolve(function, 0)
            && let Some(call) = library_call(cx, args, &module, &entry, span, name)
        {
            facts.calls.push(call);
        }
        return;
    }
    if function.kind() != "attribute" {
        return;
    }
    let (Some(receiver), Some(attr)) = (
        by_field(function, "object"),
        by_field(function, "attribute"),
    ) else {
        return;
    };
    let method = text(file, attr).to_string();
    let receiver_text = text(file, receiver);
    match cx.resolve(receiver, 0) {
        Some(Obj::Client(service)) => {
            let shown = format!("{}.{method}", short_receiver(receiver_text, &service));
            if method == "get_paginator" || method == "get_waiter" {
                let Some(Arg::Str(name)) = args.and_then(|a| cx.positional(a, 0)) else {
                    return;
                };
                let (style, obj): (CallStyle, fn(usize) -> Obj) = if method == "get_paginator" {
                    (CallStyle::Paginator, Obj::Paginator)
                } else {
                    (CallStyle::Waiter, Obj::Waiter)
                };
                cx.memo.insert(node.id(), obj(facts.calls.len()));
                facts.calls.push(new(&service, name, style, shown));
                return;
            }
            if LOCAL_METHODS.contains(&method.as_str()) || method.starts_with('_') {
                return;
            }
            let mut sdk = new(&service, method.clone(), CallStyle::Direct, shown);
            sdk.args = args
                .map(|a| cx.arguments(a, positional_names("", &method)))
                .unwrap_or_default();
            facts.calls.push(sdk);
        }
        Some(Obj::Resource {
            service,
            resource_type,
            ids,
            path,
        }) => {
            if method.starts_with(|c: char| c.is_ascii_uppercase()) || method.starts_with('_') {
                return;
            }
            // A `Table` has a closed set of actions; anything else is a value that only
            // looks like one (a parameter named `table` holding a name).
            if resource_type == "Table"
                && path.is_empty()
                && !TABLE_METHODS.contains(&method.as_str())
            {
                return;
            }
            let full = if path.is_empty() {
                method.clone()
            } else {
                format!("{path}.{method}")
            };
            let shown = format!("{}.{method}", short_receiver(receiver_text, &service));
            let mut sdk = new(&service, full, CallStyle::Resource, shown);
            sdk.args = args
                .map(|a| cx.arguments(a, positional_names(&resource_type, &method)))
                .unwrap_or_default();
            sdk.resource_type = Some(resource_type);
            sdk.resource_ids = ids;
            facts.calls.push(sdk);
        }
        Some(Obj::Paginator(i)) if method == "paginate" => merge_args(cx, facts, i, args, span),
        Some(Obj::Waiter(i)) if method == "wait" => merge_args(cx, facts, i, args, span),
        Some(Obj::LibModule(m)) => {
            let entry = crate::data::sdk().library_entry(SdkKind::Python, &m, &method);
            if let Some(e) = entry
                && let Some(call) =
                    library_call(cx, args, e.module, e.name, span, text(file, function))
            {
                facts.calls.push(call);
            }
        }
        Some(Obj::LibInstance { module, class }) => {
            let name = format!("{class}.{method}");
            if let Some(call) = library_call(cx, args, &module, &name, span, text(file, function)) {
                facts.calls.push(call);
            }
        }
        _ => {}
    }
}

/// `paginate(...)` / `wait(...)` arguments belong to the `get_paginator` / `get_waiter` call,
/// and the request is sent there, so the call's span moves to it.
fn merge_args(
    cx: &Env<'_>,
    facts: &mut CodeFacts,
    index: usize,
    args: Option<Node<'_>>,
    span: crate::source::Span,
) {
    if let Some(call) = facts.calls.get_mut(index) {
        call.span = span;
        if let Some(args) = args {
            call.args.extend(cx.arguments(args, &[]));
        }
    }
}

/// A call of a library entry point (the helpers table's `library` entries), with its
/// arguments under the request members the entry maps them to. `None` for a class entry (its
/// constructor sends nothing) and when an `unless_object_arg` keyword is given an object.
fn library_call(
    cx: &Env<'_>,
    args: Option<Node<'_>>,
    module: &str,
    name: &str,
    span: crate::source::Span,
    shown: &str,
) -> Option<SdkCall> {
    let entry = crate::data::sdk().library_entry(SdkKind::Python, module, name)?;
    if entry.instance {
        return None;
    }
    if let (Some(keyword), Some(args)) = (entry.unless_object_arg, args)
        && cx
            .keyword(args, keyword)
            .is_some_and(|v| !matches!(v, Arg::Str(_) | Arg::Env(_) | Arg::Concat(_)))
    {
        return None;
    }
    let mut out = Vec::new();
    if let Some(args) = args {
        for (i, (keyword, member)) in entry.params.iter().enumerate() {
            let value = cx.keyword(args, keyword).or_else(|| cx.positional(args, i));
            if let Some(value) = value {
                out.push((member.clone(), value));
            }
        }
    }
    Some(SdkCall {
        span,
        sdk: SdkKind::Python,
        service: entry.module.to_string(),
        resource_type: None,
        method: entry.name.to_string(),
        style: CallStyle::Direct,
        args: out,
        resource_ids: Vec::new(),
        text: shown.to_string(),
        alternative: None,
    })
}
