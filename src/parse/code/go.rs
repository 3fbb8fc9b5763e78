//! AWS SDK for Go calls (v2, and v1 where it is spelled the same): clients from
//! `NewFromConfig`/`New` or declared types, operations with their `&svc.XInput{...}` request,
//! paginators (`NewXPaginator`), waiters (`NewXWaiter`, v1 `WaitUntilX`), presigning and the S3
//! transfer manager (`feature/s3/manager`).
//!
//! Names are bound in one flat table in document order (struct fields under `.name`), read in
//! two passes so package-level variables set in `init()` are known everywhere. An operation on
//! a receiver the table does not know still counts when its request literal names it
//! (`db.PutItem(ctx, &dynamodb.PutItemInput{...})` through a local interface).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Named;
use tree_sitter::{Node, Tree};

use super::Lang;
use super::driver::{self, Passed, Scope, Walker};
use super::goeval::{Env, Obj, Package};
use super::profile::{self, FileFacts, HandlerEntry, Packages, Profile};
use super::{short_receiver, text};
use crate::model::{
    Arg, CallStyle, CodeFacts, ExportKind, Factory, LocalCall, Made, SdkCall, SdkKind,
};
use crate::source::SourceFile;

/// Go: a handler names the binary built from the code folder's package (`go1.x`, or
/// `bootstrap` on an OS-only runtime), imports name package folders of the module `go.mod`
/// declares.
pub(super) static PROFILE: Profile = Profile {
    name: "Go",
    extensions: &[("go", Lang::Go)],
    runtimes: &["go", "provided"],
    grammar: |_| tree_sitter_go::LANGUAGE.into(),
    extract,
    handler_files: |_, _| Vec::new(),
    import_files: |_, _, _| Vec::new(),
    packages: Some(Packages {
        manifest: "go.mod",
        module_path,
        files: |folder, files| package_files(folder, files),
    }),
    entry,
};

/// The function `package main` hands to `lambda.Start` (the handler string names the binary,
/// not a function), where the package defines it: a method value (`a.run`) is the method of
/// that name.
fn entry(_handler: &str, files: &[FileFacts<'_>]) -> Option<HandlerEntry> {
    let (file, start) = files.iter().find_map(|(file, facts)| {
        facts
            .exports
            .iter()
            .find(|e| e.kind == ExportKind::Start)
            .map(|e| (*file, e))
    })?;
    let name = start.name.value.as_str();
    let method = name.rsplit_once('.').map(|(_, m)| m);
    let defined = files.iter().find_map(|(file, facts)| {
        profile::find(facts, ExportKind::Function, name)
            .or_else(|| profile::find(facts, ExportKind::Function, method?))
            .map(|e| profile::entry(file, e))
    });
    Some(defined.unwrap_or_else(|| profile::entry(file, start)))
}

impl Go<'_> {
    /// Records that code in `caller` (empty: package level) mentions `callee`, once.
    fn reference(&mut self, scope: &mut Scope<'_, Arg>, caller: String, callee: String) {
        if self.refs.insert((caller.clone(), callee.clone())) {
            scope.facts.local_calls.push(LocalCall { caller, callee });
        }
    }
}

/// The SDK facts of one parsed Go file.
fn extract(file: &SourceFile, tree: &Tree, imported: &[Factory]) -> CodeFacts {
    driver::extract::<Go<'_>>(file, tree, imported)
}

/// One pass over a Go file: the first learns what package-level variables end up holding and
/// what callers pass the file's functions, the second binds them.
struct Go<'f> {
    cx: Env<'f>,
    /// The file is in `package main` (its `lambda.Start` names the binary's handler).
    main: bool,
    /// (function, name) pairs already recorded as [`LocalCall`]s.
    refs: BTreeSet<(String, String)>,
}

impl<'f> Walker<'f> for Go<'f> {
    type Value = Arg;
    type Carried = BTreeMap<String, Obj>;
    const PASSES: usize = 2;

    fn start(file: &'f SourceFile, names: Self::Carried) -> Self {
        Go {
            cx: Env {
                file,
                names,
                memo: HashMap::new(),
            },
            main: false,
            refs: BTreeSet::new(),
        }
    }

    fn defines_function(&self, node: Node<'_>) -> bool {
        matches!(node.kind(), "function_declaration" | "method_declaration")
    }

    fn enter(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        match node.kind() {
            "package_clause" => {
                let mut cursor = node.walk();
                self.main = node
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                    .any(|n| n.kind() == "package_identifier" && self.cx.t(n) == "main");
            }
            "import_spec" => import(&mut self.cx, scope, node),
            "function_declaration" | "method_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    let name = self.cx.t(name).to_string();
                    // `init` runs when the package loads, like package-level code.
                    if node.kind() == "function_declaration" && name == "init" {
                        self.reference(scope, String::new(), name.clone());
                    }
                    scope.export(name, ExportKind::Function, node);
                }
                returns(&mut self.cx, node);
                parameters(&mut self.cx, node, scope.learned);
            }
            // Every name a function's body mentions (called, or passed on as a function
            // value) may be one of the code's own functions or methods, matched by name.
            "identifier" | "field_identifier" => {
                if let Some(caller) = scope.function().map(str::to_string) {
                    let name = self.cx.t(node).to_string();
                    if caller != name {
                        self.reference(scope, caller, name);
                    }
                }
            }
            _ => {}
        }
    }

    fn leave(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        let cx = &mut self.cx;
        match node.kind() {
            "short_var_declaration" | "assignment_statement" => assignment(cx, node),
            "var_spec" | "const_spec" => var_spec(cx, node),
            "parameter_declaration" | "field_declaration" => typed(cx, node),
            "call_expression" => {
                if let Some(name) = cx.env_name(node, 0) {
                    scope.env_read(name, node);
                }
                if self.main {
                    lambda_start(cx, scope, node);
                }
                call(cx, &mut scope.facts, node);
                local_call(cx, &mut scope.passed, node);
            }
            _ => {}
        }
    }

    fn imported(&mut self, factories: &[Factory]) {
        for f in factories {
            if let Made::Service(service) = &f.made {
                let client = Obj::Client {
                    service: service.clone(),
                    presign: false,
                };
                self.cx
                    .names
                    .entry(format!("{}()", f.name))
                    .or_insert(client);
            }
        }
    }

    fn finish(self, scope: &mut Scope<'_, Arg>) -> Self::Carried {
        for (key, obj) in &self.cx.names {
            if let (
                Some(name),
                Obj::Client {
                    service,
                    presign: false,
                },
            ) = (key.strip_suffix("()"), obj)
            {
                scope.facts.factories.push(Factory {
                    name: name.to_string(),
                    made: Made::Service(service.clone()),
                    resource: false,
                });
            }
        }
        // Only values and clients carry over: paginator indexes belong to the pass that made
        // them.
        self.cx
            .names
            .into_iter()
            .filter(|(_, o)| !matches!(o, Obj::Paginator(_) | Obj::Waiter(_)))
            .collect()
    }
}

/// `lambda.Start(handler)` (and `StartWithOptions`, `StartHandler`) in `package main`: the
/// function the binary runs for each event. A function literal is the enclosing function's.
fn lambda_start(cx: &Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    let Some(function) = node
        .child_by_field_name("function")
        .filter(|f| f.kind() == "selector_expression")
    else {
        return;
    };
    let is_start = function
        .child_by_field_name("field")
        .is_some_and(|f| cx.t(f).starts_with("Start"));
    let is_lambda = function
        .child_by_field_name("operand")
        .and_then(|o| cx.names.get(cx.t(o)))
        .is_some_and(|o| *o == Obj::Package(LAMBDA_PACKAGE.to_string()));
    if !(is_start && is_lambda) {
        return;
    }
    let Some(handler) = node.child_by_field_name("arguments").and_then(|a| a.arg(0)) else {
        return;
    };
    let name = match handler.kind() {
        "identifier" | "selector_expression" => cx.t(handler).to_string(),
        _ => scope.function().unwrap_or("main").to_string(),
    };
    scope.export(name, ExportKind::Start, handler);
}

/// The package of the Go Lambda runtime (`lambda.Start`).
const LAMBDA_PACKAGE: &str = "github.com/aws/aws-lambda-go/lambda";

/// A local function or method that returns an SDK client (`func newS3(ctx) (*s3.Client,
/// error)`): calls of it (`newS3(ctx)`, `h.client()`) are that client, under `name()`.
fn returns(cx: &mut Env<'_>, node: Node<'_>) {
    let (Some(name), Some(result)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("result"),
    ) else {
        return;
    };
    // `(*s3.Client, error)`: the first result.
    let ty = if result.kind() == "parameter_list" {
        let mut cursor = result.walk();
        let first = result
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .find(|p| p.kind() == "parameter_declaration");
        first.and_then(|p| p.child_by_field_name("type"))
    } else {
        Some(result)
    };
    if let Some(obj) = ty.and_then(|t| cx.type_obj(t)) {
        let key = format!("{}()", text(cx.file, name));
        cx.names.insert(key, obj);
    }
}

/// Binds a function's parameters to what every caller in the file passes; a parameter
/// callers disagree on forgets what an earlier function's same-named variable held.
fn parameters(cx: &mut Env<'_>, node: Node<'_>, learned: &Passed<Arg>) {
    let (Some(name), Some(params)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("parameters"),
    ) else {
        return;
    };
    let function = text(cx.file, name);
    let mut position = 0;
    let mut cursor = params.walk();
    let declarations: Vec<Node<'_>> = params
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|p| p.kind() == "parameter_declaration")
        .collect();
    for declaration in declarations {
        let mut cursor = declaration.walk();
        let names: Vec<String> = declaration
            .children_by_field_name("name", &mut cursor)
            .map(|n| text(cx.file, n).to_string())
            .collect();
        for param in names {
            match learned.agreed(function, position) {
                Some(arg) => {
                    cx.names.insert(param, Obj::Value(arg.clone()));
                }
                None => {
                    if matches!(cx.names.get(&param), Some(Obj::Value(_) | Obj::Fields(_))) {
                        cx.names.remove(&param);
                    }
                }
            }
            position += 1;
        }
    }
}

/// Records what a call of a function of the file (`notify(ctx, id)`, `a.save(x)`) passes,
/// keyed by the function or method name.
fn local_call(cx: &Env<'_>, passed: &mut Passed<Arg>, node: Node<'_>) {
    let (Some(function), Some(args)) = (
        node.child_by_field_name("function"),
        node.child_by_field_name("arguments"),
    ) else {
        return;
    };
    let name = match function.kind() {
        "identifier" => function,
        "selector_expression" => match function.child_by_field_name("field") {
            // Package functions (`os.Getenv`) are not the file's own.
            Some(f) if cx.package_of_operand(function).is_none() => f,
            _ => return,
        },
        _ => return,
    };
    let name = text(cx.file, name);
    let mut cursor = args.walk();
    let args = args
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|a| a.kind() != "comment");
    for (i, a) in args.enumerate() {
        passed.record(name, i, cx.eval(a, 0));
    }
}

/// `import alias "path"`: binds the package name and reports paths outside the standard
/// library and the SDK as imports (the caller maps them to folders through `go.mod`).
fn import(cx: &mut Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    let Some(path_node) = node.child_by_field_name("path") else {
        return;
    };
    let path = text(cx.file, path_node)
        .trim_matches(['"', '`'])
        .to_string();
    scope.library("go", &path, path_node);
    let alias = node.child_by_field_name("name").map(|n| text(cx.file, n));
    let name = match alias {
        Some("_" | ".") => None,
        Some(a) => Some(a.to_string()),
        None => default_name(&path),
    };
    if let Some(name) = name {
        cx.names.insert(name, Obj::Package(path.clone()));
    }
    let first = path.split('/').next().unwrap_or("");
    if first.contains('.') && !path.starts_with("github.com/aws/") {
        scope.import(path, path_node);
    }
}

/// The name a package is used by: its last element, skipping a major version (`/v2`).
fn default_name(path: &str) -> Option<String> {
    let mut parts = path.rsplit('/');
    let last = parts.next()?;
    let is_version =
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    let name = if is_version { parts.next()? } else { last };
    // `go-redis` is package `redis`, `opensearch-go` package `opensearch`.
    let name = name.trim_start_matches("go-").trim_end_matches("-go");
    Some(name.replace(['-', '.'], "_"))
}

/// `a := x`, `a, err := f()`, `a = x`, `h.db = x`.
fn assignment(cx: &mut Env<'_>, node: Node<'_>) {
    let (Some(left), Some(right)) = (
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
    ) else {
        return;
    };
    let mut cursor = left.walk();
    let lefts: Vec<Node<'_>> = left
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .collect();
    let mut cursor = right.walk();
    let rights: Vec<Node<'_>> = right
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .collect();
    // `v, ok := os.LookupEnv("X")` and `c, err := newClient()`: the first name takes the value.
    let pairs: Vec<(Node<'_>, Node<'_>)> = if lefts.len() == rights.len() {
        lefts.into_iter().zip(rights).collect()
    } else {
        match (lefts.first(), rights.first()) {
            (Some(l), Some(r)) if rights.len() == 1 => vec![(*l, *r)],
            _ => Vec::new(),
        }
    };
    for (l, r) in pairs {
        let key = match l.kind() {
            "identifier" => text(cx.file, l).to_string(),
            "selector_expression" => match l.child_by_field_name("field") {
                Some(f) => format!(".{}", text(cx.file, f)),
                None => continue,
            },
            _ => continue,
        };
        bind(cx, key, r);
    }
}

fn bind(cx: &mut Env<'_>, key: String, value: Node<'_>) {
    let obj = cx
        .resolve(value, 0)
        .unwrap_or_else(|| Obj::Value(cx.eval(value, 0)));
    match obj {
        Obj::Value(Arg::Unknown) => {
            // Keep an SDK object a declared type gave the name (`var c *s3.Client; c = f()`).
            if matches!(
                cx.names.get(&key),
                Some(Obj::Value(_)) | Some(Obj::Fields(_))
            ) {
                cx.names.remove(&key);
            }
        }
        obj => {
            cx.names.insert(key, obj);
        }
    }
}

/// `var name T = value` and `const name = value`.
fn var_spec(cx: &mut Env<'_>, node: Node<'_>) {
    let mut cursor = node.walk();
    let names: Vec<String> = node
        .children_by_field_name("name", &mut cursor)
        .map(|n| text(cx.file, n).to_string())
        .collect();
    if let Some(value) = node.child_by_field_name("value") {
        let mut cursor = value.walk();
        let values: Vec<Node<'_>> = value
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .collect();
        if values.len() == names.len() {
            for (name, v) in names.iter().zip(values) {
                bind(cx, name.clone(), v);
            }
            return;
        }
    }
    if let Some(obj) = node
        .child_by_field_name("type")
        .and_then(|t| cx.type_obj(t))
    {
        for name in names {
            cx.names.insert(name, obj.clone());
        }
    }
}

/// Function parameters and struct fields of an SDK client type.
fn typed(cx: &mut Env<'_>, node: Node<'_>) {
    let Some(obj) = node
        .child_by_field_name("type")
        .and_then(|t| cx.type_obj(t))
    else {
        return;
    };
    let field = node.kind() == "field_declaration";
    let mut cursor = node.walk();
    let names: Vec<String> = node
        .children_by_field_name("name", &mut cursor)
        .map(|n| text(cx.file, n).to_string())
        .collect();
    for name in names {
        let key = if field { format!(".{name}") } else { name };
        cx.names.insert(key, obj.clone());
    }
}

/// A method call on an SDK object, a paginator or waiter constructor.
fn call(cx: &mut Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let file = cx.file;
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    if function.kind() != "selector_expression" {
        return;
    }
    let (Some(operand), Some(field)) = (
        function.child_by_field_name("operand"),
        function.child_by_field_name("field"),
    ) else {
        return;
    };
    let method = text(file, field).to_string();
    let args: Vec<Node<'_>> = match node.child_by_field_name("arguments") {
        Some(a) => {
            let mut cursor = a.walk();
            a.named_children(&mut cursor)
                .filter(|n| !n.is_extra())
                .collect()
        }
        None => Vec::new(),
    };
    let span = file.span(node.start_byte(), node.end_byte());
    let receiver = text(file, operand);
    let new = |service: &str, method: String, style: CallStyle, shown: String| SdkCall {
        span,
        sdk: SdkKind::Go,
        service: service.to_string(),
        resource_type: None,
        method,
        style,
        args: Vec::new(),
        resource_ids: Vec::new(),
        text: shown,
        alternative: None,
    };
    if let Some(Package::Service(service)) = cx.package_of(operand) {
        let made = method
            .strip_prefix("New")
            .and_then(|m| {
                m.strip_suffix("Paginator")
                    .map(|op| (op, CallStyle::Paginator))
                    .or_else(|| m.strip_suffix("Waiter").map(|w| (w, CallStyle::Waiter)))
            })
            .filter(|(name, _)| !name.is_empty());
        if let Some((name, style)) = made {
            let mut sdk = new(
                &service,
                name.to_string(),
                style,
                format!("{receiver}.{method}"),
            );
            sdk.args = request(cx, &args);
            let obj = match style {
                CallStyle::Paginator => Obj::Paginator(facts.calls.len()),
                _ => Obj::Waiter(facts.calls.len()),
            };
            cx.memo.insert(node.id(), obj);
            facts.calls.push(sdk);
        }
        return;
    }
    if super::gosigned::call(cx, facts, operand, &method, &args, span) {
        return;
    }
    let shown = |fallback: &str| format!("{}.{method}", short_receiver(receiver, fallback));
    match cx.resolve(operand, 0) {
        Some(Obj::Client { service, presign }) => {
            let Some((op, style)) = operation(&method, presign) else {
                return;
            };
            let mut sdk = new(&service, op, style, shown(&service));
            sdk.args = request(cx, &args);
            facts.calls.push(sdk);
        }
        Some(Obj::Uploader) if method.starts_with("Upload") => {
            let mut sdk = new(
                "manager",
                "Upload".into(),
                CallStyle::Direct,
                shown("uploader"),
            );
            sdk.args = request(cx, &args);
            facts.calls.push(sdk);
        }
        Some(Obj::Downloader) if method.starts_with("Download") => {
            let mut sdk = new(
                "manager",
                "Download".into(),
                CallStyle::Direct,
                shown("downloader"),
            );
            sdk.args = request(cx, &args);
            facts.calls.push(sdk);
        }
        // The request goes out when the next page is read or the waiter waits.
        Some(Obj::Paginator(i)) if method == "NextPage" => {
            if let Some(call) = facts.calls.get_mut(i) {
                call.span = span;
            }
        }
        Some(Obj::Waiter(i)) if method.starts_with("Wait") => {
            let extra = request(cx, &args);
            if let Some(call) = facts.calls.get_mut(i) {
                call.span = span;
                call.args.extend(extra);
            }
        }
        Some(Obj::Search {
            service,
            endpoint,
            namespace,
        }) => {
            let client = (service, endpoint, namespace);
            super::gosigned::search_call(cx, facts, client, operand, &method, span);
        }
        // `opensearchapi.IndexRequest{...}.Do(ctx, client)`: the request's API on that client.
        Some(Obj::SearchRequest(api)) if method == "Do" => {
            if let Some(Obj::Search {
                service,
                endpoint,
                namespace: _,
            }) = args.get(1).and_then(|c| cx.resolve(*c, 0))
            {
                let (namespace, api) = match api.strip_prefix("Indices") {
                    Some(rest) if !rest.is_empty() => ("indices".to_string(), rest.to_string()),
                    _ => (String::new(), api),
                };
                let client = (service, endpoint, namespace);
                super::gosigned::search_call(cx, facts, client, operand, &api, span);
            }
        }
        Some(_) => {}
        None => {
            // An unknown receiver (a local interface, a mock-able wrapper) sending an SDK
            // request literal that names the same operation.
            let Some((service, input)) = args.iter().find_map(|a| input_type(cx, *a)) else {
                return;
            };
            let op = method.strip_suffix("WithContext").unwrap_or(&method);
            if input != op {
                return;
            }
            let mut sdk = new(&service, op.to_string(), CallStyle::Direct, shown(&service));
            sdk.args = request(cx, &args);
            facts.calls.push(sdk);
        }
    }
}

/// The operation and style of a client method: v2 `GetObject`; v1 `GetObjectWithContext`,
/// `ListObjectsV2Pages` (a paginator), `WaitUntilBucketExists` (a waiter) and
/// `GetObjectRequest` (a request built to send later); presign `PresignGetObject`.
fn operation(method: &str, presign: bool) -> Option<(String, CallStyle)> {
    if !method.starts_with(|c: char| c.is_ascii_uppercase()) || method == "Options" {
        return None;
    }
    if presign {
        let op = method.strip_prefix("Presign")?;
        return Some((op.to_string(), CallStyle::Direct));
    }
    let method = method.strip_suffix("WithContext").unwrap_or(method);
    if let Some(waiter) = method.strip_prefix("WaitUntil") {
        return Some((waiter.to_string(), CallStyle::Waiter));
    }
    if let Some(op) = method.strip_suffix("Pages") {
        return Some((op.to_string(), CallStyle::Paginator));
    }
    let op = method.strip_suffix("Request").unwrap_or(method);
    Some((op.to_string(), CallStyle::Direct))
}

/// The service and operation an `&svc.XInput{...}` literal argument names.
fn input_type(cx: &Env<'_>, node: Node<'_>) -> Option<(String, String)> {
    let node = if node.kind() == "unary_expression" {
        node.child_by_field_name("operand")?
    } else {
        node
    };
    if node.kind() != "composite_literal" {
        return None;
    }
    let ty = node.child_by_field_name("type")?;
    if ty.kind() != "qualified_type" {
        return None;
    }
    let Package::Service(service) = cx.package_of(ty.child_by_field_name("package")?)? else {
        return None;
    };
    let name = text(cx.file, ty.child_by_field_name("name")?);
    Some((service, name.strip_suffix("Input")?.to_string()))
}

/// The request members of a call: the fields of the first argument that is (or names) a
/// composite literal.
fn request(cx: &Env<'_>, args: &[Node<'_>]) -> Vec<(String, Arg)> {
    args.iter()
        .find_map(|a| match cx.resolve(*a, 0) {
            Some(Obj::Fields(pairs)) => Some(pairs),
            _ => None,
        })
        .unwrap_or_default()
}

/// Every non-test `.go` file directly in `folder`, from a listing of relative paths.
pub fn package_files<'a>(folder: &str, files: impl Iterator<Item = &'a str>) -> Vec<String> {
    let folder = folder.trim_end_matches('/');
    files
        .filter(|f| {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            dir == folder && name.ends_with(".go") && !name.ends_with("_test.go")
        })
        .map(str::to_string)
        .collect()
}

/// The module path a `go.mod` declares.
pub fn module_path(go_mod: &str) -> Option<&str> {
    go_mod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        rest.starts_with([' ', '\t'])
            .then(|| rest.trim().trim_matches('"'))
            .filter(|m| !m.is_empty())
    })
}
