//! AWS SDK for Java 2.x calls: service clients (declared types or `XClient.builder()...build()`
//! / `create()`), their operations with the request from a builder chain or a consumer
//! lambda, paginators (`listObjectsV2Paginator`), waiters (`s3.waiter().waitUntilX`), the
//! enhanced DynamoDB client's tables and the S3 Transfer Manager.
//!
//! Names (locals, fields, parameters) are bound in one flat table in document order, read in
//! two passes so fields assigned in a constructor below their use are known.

use std::collections::{BTreeMap, BTreeSet};

use super::Named;
use tree_sitter::{Node, Tree};

use super::Lang;
use super::driver::{self, Passed, Scope, Walker};
use super::handler::join;
use super::javaeval::{Env, Obj, V1_OVERLOADS};
use super::profile::{self, FileFacts, HandlerEntry, Profile};
use super::{short_receiver, text};
use crate::model::{
    Arg, CallStyle, CodeFacts, ExportKind, Factory, INJECTED_TYPE, Import, LocalCall, MAPPED_CLASS,
    Made, SdkCall, SdkKind,
};
use crate::source::{SourceFile, Span, Spanned};

/// Service names of the enhanced DynamoDB client and the S3 Transfer Manager (their Maven
/// artifacts, as the knowledge base's helper table names them).
const ENHANCED: &str = "dynamodb-enhanced";
const TRANSFER: &str = "s3-transfer-manager";

/// Client methods that send no request.
const LOCAL_METHODS: &[&str] = &[
    "close",
    "serviceName",
    "serviceClientConfiguration",
    "utilities",
    "waiter",
    "toString",
    "hashCode",
    "equals",
    // SDK v1 client methods that configure the client or read its state (AmazonS3 reference).
    "shutdown",
    "setRegion",
    "setEndpoint",
    "getUrl",
    "getRegion",
    "getRegionName",
    "getCachedResponseMetadata",
    "setS3ClientOptions",
];

/// SDK v1 client methods that are another operation (AmazonS3 reference:
/// `getObjectAsString` reads `GetObject`, `doesObjectExist` sends `GetObjectMetadata`,
/// `doesBucketExistV2` `GetBucketAcl`).
const V1_ALIASES: &[(&str, &str)] = &[
    ("getObjectAsString", "getObject"),
    ("doesObjectExist", "getObjectMetadata"),
    ("doesBucketExistV2", "getBucketAcl"),
];

/// `DynamoDBMapper` methods and the DynamoDB operations they send (DynamoDBMapper class,
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.Methods.html>):
/// `save` updates an item under the default `SaveBehavior.UPDATE`
/// (<https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/dynamodbv2/datamodeling/DynamoDBMapperConfig.SaveBehavior.html>),
/// puts it under `CLOBBER` and `PUT`.
const MAPPER_METHODS: &[(&str, &str)] = &[
    ("save", "updateItem"),
    ("load", "getItem"),
    ("delete", "deleteItem"),
    ("query", "query"),
    ("queryPage", "query"),
    ("scan", "scan"),
    ("scanPage", "scan"),
    ("parallelScan", "scan"),
    ("count", "scan"),
    ("batchLoad", "batchGetItem"),
    ("batchSave", "batchWriteItem"),
    ("batchDelete", "batchWriteItem"),
    ("batchWrite", "batchWriteItem"),
    ("transactionWrite", "transactWriteItems"),
    ("transactionLoad", "transactGetItems"),
];

/// `DynamoDbTable` / `DynamoDbIndex` methods that call DynamoDB (enhanced client reference).
const TABLE_METHODS: &[&str] = &[
    "putItem",
    "getItem",
    "updateItem",
    "deleteItem",
    "query",
    "scan",
    "createTable",
    "deleteTable",
    "describeTable",
];

/// `DynamoDbEnhancedClient` methods that call DynamoDB.
const ENHANCED_METHODS: &[&str] = &[
    "batchGetItem",
    "batchWriteItem",
    "transactGetItems",
    "transactWriteItems",
];

/// `S3TransferManager` methods (transfer manager reference).
const TRANSFER_METHODS: &[&str] = &[
    "upload",
    "uploadFile",
    "download",
    "downloadFile",
    "copy",
    "uploadDirectory",
    "downloadDirectory",
];

/// Packages that are never the function's own code.
const EXTERNAL: &[&str] = &[
    "java.",
    "javax.",
    "jakarta.",
    "software.amazon.",
    "com.amazonaws.",
    "org.",
    "com.fasterxml.",
    "com.google.",
    "lombok.",
    "io.",
];

/// Java: handlers `com.example.App::handleRequest` or `com.example.App` (the class's source
/// under a Maven/Gradle source root), imports of classes by package.
pub(super) static PROFILE: Profile = Profile {
    name: "Java",
    extensions: &[("java", Lang::Java)],
    runtimes: &["java"],
    grammar: |_| tree_sitter_java::LANGUAGE.into(),
    extract,
    handler_files,
    import_files,
    packages: None,
    entry,
};

/// `com.example.App::handleRequest` -> `src/main/java/com/example/App.java` (Maven and
/// Gradle), `src/com/example/App.java` or `com/example/App.java` under the code folder; a nested
/// class (`App$Handler`) lives in its outer class's file.
fn handler_files(code_path: &str, handler: &str) -> Vec<String> {
    let class = handler.split("::").next().unwrap_or(handler).trim();
    let class = class.split('$').next().unwrap_or(class);
    if class.is_empty() {
        return Vec::new();
    }
    let file = format!("{}.java", class.replace('.', "/"));
    ["src/main/java", "src/main/kotlin", "src", ""]
        .iter()
        .map(|root| join(code_path, &join(root, &file)))
        .collect()
}

/// `com.example.Db` under every folder above the importer (a source root), a nested class
/// (`com.example.Outer.Inner`) in `Outer.java`; a same-package class (`.Db`) next to it.
fn import_files(dir: &str, module: &str, _code_root: &str) -> Vec<String> {
    if let Some(class) = module.strip_prefix('.') {
        return vec![join(dir, &format!("{class}.java"))];
    }
    let file = format!("{}.java", module.replace('.', "/"));
    // A nested class import (`com.example.Outer.Inner`) lives in `Outer.java`.
    let outer = module
        .rsplit_once('.')
        .map(|(o, _)| format!("{}.java", o.replace('.', "/")));
    let mut out = Vec::new();
    let mut base = dir.to_string();
    loop {
        out.push(join(&base, &file));
        if let Some(outer) = &outer {
            out.push(join(&base, outer));
        }
        match base.rsplit_once('/') {
            Some((up, _)) => base = up.to_string(),
            None if !base.is_empty() => base = String::new(),
            None => break,
        }
    }
    out
}

/// `com.example.App::handleRequest` is that method of that class; a handler naming only the
/// class (`com.example.App`) runs its `handleRequest` (the `RequestHandler` interface). A
/// method the class does not define is inherited: then the class itself is the entry.
fn entry(handler: &str, files: &[FileFacts<'_>]) -> Option<HandlerEntry> {
    let (class, method) = match handler.split_once("::") {
        Some((class, method)) => (class.trim(), method.trim()),
        None => (handler, "handleRequest"),
    };
    let function = format!("{class}::{method}");
    let method_entry = files.iter().find_map(|(file, facts)| {
        profile::find(facts, ExportKind::Function, &function).map(|e| profile::entry(file, e))
    });
    method_entry.or_else(|| {
        files.iter().find_map(|(file, facts)| {
            profile::find(facts, ExportKind::Class, class).map(|e| HandlerEntry {
                function: function.clone(),
                ..profile::entry(file, e)
            })
        })
    })
}

/// The SDK facts of one parsed Java file.
fn extract(file: &SourceFile, tree: &Tree, imported: &[Factory]) -> CodeFacts {
    driver::extract::<Java<'_>>(file, tree, imported)
}

/// One pass over a Java file: the first learns the fields a constructor sets below their use
/// and what callers pass the class's methods, the second binds them.
struct Java<'f> {
    cx: Env<'f>,
    /// Capitalised names used as types or static receivers, where first written.
    types: BTreeMap<String, Span>,
    /// The `package` the file declares (`com.example`), empty for the default package.
    package: String,
    /// The classes (and interfaces, enums, records) the walk is inside, outermost first.
    classes: Vec<String>,
    /// The export names of the methods the walk is inside (empty for constructors), innermost
    /// last.
    methods: Vec<String>,
}

impl<'f> Walker<'f> for Java<'f> {
    type Value = Arg;
    type Carried = BTreeMap<String, Obj>;
    const PASSES: usize = 2;

    fn start(file: &'f SourceFile, names: Self::Carried) -> Self {
        Java {
            cx: Env {
                file,
                names,
                classes: BTreeMap::new(),
                wildcards: Vec::new(),
                declared: BTreeMap::new(),
                injected: BTreeMap::new(),
            },
            types: BTreeMap::new(),
            package: String::new(),
            classes: Vec::new(),
            methods: Vec::new(),
        }
    }

    fn defines_function(&self, node: Node<'_>) -> bool {
        matches!(
            node.kind(),
            "method_declaration" | "constructor_declaration"
        )
    }

    fn enter(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        match node.kind() {
            "method_declaration" | "constructor_declaration" => {
                // A method of an anonymous class runs as part of the method around it.
                let mut current = self.methods.last().cloned().unwrap_or_default();
                if node.kind() == "constructor_declaration" {
                    current = String::new();
                } else if let (Some(class), Some(name)) =
                    (self.class_name(), node.child_by_field_name("name"))
                {
                    let name = format!("{class}::{}", self.cx.t(name));
                    scope.export(name.clone(), ExportKind::Function, node);
                    current = name;
                }
                self.methods.push(current);
                returns(&mut self.cx, node);
                parameters(&mut self.cx, node, scope.learned);
            }
            "package_declaration" => {
                let mut cursor = node.walk();
                if let Some(name) = node
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                    .find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
                {
                    self.package = self.cx.t(name).to_string();
                }
            }
            kind if CLASS_KINDS.contains(&kind) => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| self.cx.t(n).to_string())
                    .unwrap_or_default();
                self.classes.push(name);
                if let Some(class) = self.class_name() {
                    scope.export(class, ExportKind::Class, node);
                }
            }
            // An anonymous class's methods are no handler's.
            "class_body" if is_anonymous(node) => self.classes.push(String::new()),
            _ => {}
        }
    }

    fn leave(&mut self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        match node.kind() {
            "method_declaration" | "constructor_declaration" => {
                self.methods.pop();
                bean(&self.cx, &mut scope.facts, node);
            }
            "method_invocation" | "method_reference" => self.local_call_edge(node, scope),
            _ => {}
        }
        let cx = &mut self.cx;
        let file = cx.file;
        match node.kind() {
            "import_declaration" => import(cx, scope, node),
            "annotation" => mapped_table(cx, &mut scope.facts, node),
            "local_variable_declaration" | "field_declaration" => declaration(cx, node),
            "formal_parameter" => parameter(cx, node),
            "assignment_expression" => assignment(cx, node),
            "return_statement" => {
                if let (Some(method), Some(value)) = (scope.function(), node.arg(0))
                    && let Some(obj) = cx.resolve(value, 0).filter(Obj::is_sdk)
                {
                    cx.names.insert(format!("{method}()"), obj);
                }
            }
            "method_invocation" => {
                if let Some(name) = cx.env_name(node, 0) {
                    scope.env_read(name, node);
                }
                call(cx, &mut scope.facts, node);
                local_call(cx, &mut scope.passed, node);
            }
            // Classes of the same package need no import: a capitalised name used as a type
            // or a static receiver may be a sibling file.
            "type_identifier" => {
                self.types
                    .entry(text(file, node).to_string())
                    .or_insert_with(|| file.span(node.start_byte(), node.end_byte()));
            }
            "identifier" if is_receiver(node) => {
                let name = text(file, node);
                if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    self.types
                        .entry(name.to_string())
                        .or_insert_with(|| file.span(node.start_byte(), node.end_byte()));
                }
            }
            kind if CLASS_KINDS.contains(&kind) => {
                self.classes.pop();
            }
            "class_body" if is_anonymous(node) => {
                self.classes.pop();
            }
            _ => {}
        }
    }

    fn imported(&mut self, factories: &[Factory]) {
        for f in factories {
            if let Made::Service(service) = &f.made {
                let client = Obj::Client(service.clone());
                self.cx
                    .names
                    .entry(format!("{}()", f.name))
                    .or_insert(client);
            }
        }
    }

    fn finish(self, scope: &mut Scope<'_, Arg>) -> Self::Carried {
        for (key, obj) in &self.cx.names {
            if let (Some(name), Obj::Client(service)) = (key.strip_suffix("()"), obj) {
                scope.facts.factories.push(Factory {
                    name: name.to_string(),
                    made: Made::Service(service.clone()),
                    resource: false,
                });
            }
        }
        let imported: BTreeSet<&str> = self.cx.classes.keys().map(String::as_str).collect();
        for (name, span) in self.types {
            if imported.contains(name.as_str()) {
                continue;
            }
            scope.facts.imports.push(Import {
                module: Spanned::new(format!(".{name}"), span),
            });
        }
        self.cx.names
    }
}

/// Declarations that name a class a handler can name.
const CLASS_KINDS: &[&str] = &[
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
];

fn is_anonymous(class_body: Node<'_>) -> bool {
    class_body
        .parent()
        .is_some_and(|p| p.kind() == "object_creation_expression")
}

impl Java<'_> {
    /// Records which method calls which (`send(x)`, `this.send(x)`, `service.process(o)`,
    /// `this::send`), for what one handler method reaches.
    fn local_call_edge(&self, node: Node<'_>, scope: &mut Scope<'_, Arg>) {
        let (object, name) = if node.kind() == "method_reference" {
            let mut cursor = node.walk();
            let parts: Vec<Node<'_>> = node
                .named_children(&mut cursor)
                .filter(|n| !n.is_extra())
                .collect();
            match parts.as_slice() {
                [object, .., name] if name.kind() == "identifier" => (Some(*object), *name),
                _ => return,
            }
        } else {
            match node.child_by_field_name("name") {
                Some(name) => (node.child_by_field_name("object"), name),
                None => return,
            }
        };
        let name = self.cx.t(name);
        let on_this = object.is_none_or(|o| o.kind() == "this");
        // Methods of SDK objects are no code of the project's.
        if object.is_some_and(|o| self.cx.resolve(o, 0).is_some()) {
            return;
        }
        let callee = match (self.class_name(), object) {
            (Some(class), _) if on_this => format!("{class}::{name}"),
            // A static call (`Orders.save(x)`, `System.getenv(…)`) names its class.
            (_, Some(o))
                if o.kind() == "identifier"
                    && self.cx.t(o).starts_with(|c: char| c.is_ascii_uppercase()) =>
            {
                format!("{}::{name}", self.cx.t(o))
            }
            _ => format!("::{name}"),
        };
        let caller = self.methods.last().cloned().unwrap_or_default();
        scope.facts.local_calls.push(LocalCall { caller, callee });
    }

    /// The binary name of the innermost class (`com.example.App`, `com.example.App$Inner`),
    /// as a Lambda handler writes it; none outside a class or inside an anonymous one.
    fn class_name(&self) -> Option<String> {
        if self.classes.is_empty() || self.classes.iter().any(String::is_empty) {
            return None;
        }
        let nested = self.classes.join("$");
        Some(if self.package.is_empty() {
            nested
        } else {
            format!("{}.{nested}", self.package)
        })
    }
}

/// A method declared to return an SDK client (`S3Client s3()`): calls of it are that client,
/// under `name()`. A method returning a wider type is bound by its `return` instead.
fn returns(cx: &mut Env<'_>, node: Node<'_>) {
    if node.kind() != "method_declaration" {
        return;
    }
    let (Some(name), Some(obj)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("type")
            .and_then(|t| cx.type_obj(t)),
    ) else {
        return;
    };
    cx.names.insert(format!("{}()", text(cx.file, name)), obj);
}

/// Binds a method's parameters to what every caller in the file passes; a parameter callers
/// disagree on forgets what an earlier method's same-named variable held.
fn parameters(cx: &mut Env<'_>, node: Node<'_>, learned: &Passed<Arg>) {
    let (Some(name), Some(params)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("parameters"),
    ) else {
        return;
    };
    let function = text(cx.file, name);
    let mut cursor = params.walk();
    let params: Vec<Node<'_>> = params
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|p| p.kind() == "formal_parameter")
        .collect();
    for (i, p) in params.into_iter().enumerate() {
        let Some(param) = p.child_by_field_name("name") else {
            continue;
        };
        let param = text(cx.file, param).to_string();
        match learned.agreed(function, i) {
            Some(arg) => {
                cx.names.insert(param, Obj::Value(arg.clone()));
            }
            None => {
                if matches!(cx.names.get(&param), Some(Obj::Value(_))) {
                    cx.names.remove(&param);
                }
            }
        }
    }
}

/// Records what a call of the class's own method (`send(x)`, `this.send(x)`) passes.
fn local_call(cx: &Env<'_>, passed: &mut Passed<Arg>, node: Node<'_>) {
    if node
        .child_by_field_name("object")
        .is_some_and(|o| o.kind() != "this")
    {
        return;
    }
    let (Some(name), Some(args)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("arguments"),
    ) else {
        return;
    };
    let function = text(cx.file, name);
    let mut cursor = args.walk();
    let args = args
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|a| !a.kind().ends_with("comment"));
    for (i, a) in args.enumerate() {
        passed.record(function, i, cx.eval(a, 0));
    }
}

fn is_receiver(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        p.kind() == "method_invocation"
            && p.child_by_field_name("object").map(|o| o.id()) == Some(node.id())
    })
}

/// `import a.b.C;`, `import a.b.*;` (static imports name members, not classes).
fn import(cx: &mut Env<'_>, scope: &mut Scope<'_, Arg>, node: Node<'_>) {
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
    if children.iter().any(|c| c.kind() == "static") {
        return;
    }
    let Some(path) = children
        .iter()
        .find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
    else {
        return;
    };
    let name = text(cx.file, *path).to_string();
    scope.library("java", &name, *path);
    if children.iter().any(|c| c.kind() == "asterisk") {
        cx.wildcards.push(name);
        return;
    }
    if let Some((_, simple)) = name.rsplit_once('.') {
        cx.classes.insert(simple.to_string(), name.clone());
    }
    if !EXTERNAL.iter().any(|p| name.starts_with(p)) {
        scope.import(name, *path);
    }
}

/// `@DynamoDBTable(tableName = "orders")` on a class: the table `DynamoDBMapper` calls on the
/// class use.
fn mapped_table(cx: &Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let Some(name) = node.child_by_field_name("name") else {
        return;
    };
    if cx.t(name).rsplit('.').next() != Some("DynamoDBTable") {
        return;
    }
    let Some(class) = node
        .parent()
        .filter(|m| m.kind() == "modifiers")
        .and_then(|m| m.parent())
        .filter(|c| CLASS_KINDS.contains(&c.kind()))
        .and_then(|c| c.child_by_field_name("name"))
    else {
        return;
    };
    let Some(args) = node.child_by_field_name("arguments") else {
        return;
    };
    let mut cursor = args.walk();
    let value = args
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .find_map(|a| match a.kind() {
            "element_value_pair" => a
                .child_by_field_name("key")
                .filter(|k| cx.t(*k) == "tableName")
                .and_then(|_| a.child_by_field_name("value")),
            _ => None,
        });
    if let Some(value) = value {
        facts
            .mapped_tables
            .push((cx.t(class).to_string(), cx.eval(value, 0)));
    }
}

/// `Type name = value, other;` for locals and fields.
fn declaration(cx: &mut Env<'_>, node: Node<'_>) {
    let ty = node.child_by_field_name("type");
    let declared = ty.and_then(|t| cx.type_obj(t));
    let mut cursor = node.walk();
    let declarators: Vec<Node<'_>> = node
        .children_by_field_name("declarator", &mut cursor)
        .collect();
    for d in declarators {
        let Some(name) = d
            .child_by_field_name("name")
            .map(|n| text(cx.file, n).to_string())
        else {
            continue;
        };
        let value = d.child_by_field_name("value");
        if let Some(ty) = ty {
            cx.record_type(&name, ty);
            if value.is_none()
                && node.kind() == "field_declaration"
                && matches!(declared, Some(Obj::Table(_)))
            {
                cx.injected.insert(name.clone(), type_key(cx, ty));
            }
        }
        bind(cx, name, value, declared.clone());
    }
}

fn parameter(cx: &mut Env<'_>, node: Node<'_>) {
    let (Some(ty), Some(name)) = (
        node.child_by_field_name("type"),
        node.child_by_field_name("name"),
    ) else {
        return;
    };
    cx.record_type(text(cx.file, name), ty);
    if let Some(obj) = cx.type_obj(ty) {
        // Constructor parameters are what the framework injects.
        let constructor = node
            .parent()
            .and_then(|p| p.parent())
            .is_some_and(|c| c.kind() == "constructor_declaration");
        if constructor && matches!(obj, Obj::Table(_)) {
            let key = type_key(cx, ty);
            cx.injected.insert(text(cx.file, name).to_string(), key);
        }
        cx.names.insert(text(cx.file, name).to_string(), obj);
    }
}

/// `name = value` and `this.name = value`.
fn assignment(cx: &mut Env<'_>, node: Node<'_>) {
    let Some(left) = node.child_by_field_name("left") else {
        return;
    };
    let name = match left.kind() {
        "identifier" => left,
        "field_access" => match left.child_by_field_name("field") {
            Some(f) => f,
            None => return,
        },
        _ => return,
    };
    let name = text(cx.file, name).to_string();
    let value = node.child_by_field_name("right");
    bind(cx, name, value, None);
}

/// Binds a name to what its value is, else to what its declared type says.
fn bind(cx: &mut Env<'_>, name: String, value: Option<Node<'_>>, declared: Option<Obj>) {
    let resolved = value
        .and_then(|v| cx.resolve(v, 0))
        .filter(|o| !matches!(o, Obj::Class(_)));
    let obj = match (resolved, declared) {
        (Some(Obj::Table(Arg::Unknown)), Some(t @ Obj::Table(_))) => Some(t),
        (Some(obj), _) => Some(obj),
        (None, Some(t)) => Some(t),
        (None, None) => value.map(|v| Obj::Value(cx.eval(v, 0))),
    };
    match obj {
        Some(Obj::Value(Arg::Unknown)) | None => {
            // A value the code computes: keep an SDK object a declaration gave the name.
            if matches!(cx.names.get(&name), Some(Obj::Value(_))) {
                cx.names.remove(&name);
            }
        }
        Some(obj) => {
            cx.names.insert(name, obj);
        }
    }
}

/// A method call on an SDK object.
fn call(cx: &Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    let file = cx.file;
    let (Some(object), Some(name)) = (
        node.child_by_field_name("object"),
        node.child_by_field_name("name"),
    ) else {
        return;
    };
    let method = text(file, name).to_string();
    let first = node.child_by_field_name("arguments").and_then(|a| a.arg(0));
    let span = file.span(node.start_byte(), node.end_byte());
    let receiver = text(file, object);
    let request = || first.and_then(|a| cx.request(a, 0)).unwrap_or_default();
    let new = |service: &str, method: String, style: CallStyle, fallback: &str| SdkCall {
        span,
        sdk: SdkKind::Java,
        service: service.to_string(),
        resource_type: None,
        text: format!("{}.{method}", short_receiver(receiver, fallback)),
        alternative: None,
        method,
        style,
        args: Vec::new(),
        resource_ids: Vec::new(),
    };
    // A durable function's `context.invoke(name, functionName, payload, ...)` (AWS Lambda
    // Durable Execution SDK for Java, `DurableContext.invoke` / `invokeAsync`).
    if matches!(method.as_str(), "invoke" | "invokeAsync") && durable_context(cx, object) {
        let target = node
            .child_by_field_name("arguments")
            .and_then(|a| a.arg(1))
            .map_or(Arg::Unknown, |a| cx.eval(a, 0));
        facts.calls.push(super::action_call(
            span,
            SdkKind::Java,
            "lambda",
            "InvokeFunction",
            vec![("FunctionName".to_string(), target)],
            format!("{}.{method}", short_receiver(receiver, "context")),
        ));
        return;
    }
    let sdk = match cx.resolve(object, 0) {
        Some(Obj::Client(service)) => {
            if LOCAL_METHODS.contains(&method.as_str()) {
                return;
            }
            // `getObjectAsBytes` is `getObject` read into memory (S3Client reference).
            let mut op = method.strip_suffix("AsBytes").unwrap_or(&method);
            if let Some((_, alias)) = V1_ALIASES.iter().find(|(m, _)| *m == op) {
                op = alias;
            }
            let presign = op == "generatePresignedUrl";
            let mut sdk = match op.strip_suffix("Paginator") {
                Some(op) if !op.is_empty() => {
                    new(&service, op.to_string(), CallStyle::Paginator, &service)
                }
                _ => new(&service, op.to_string(), CallStyle::Direct, &service),
            };
            sdk.args = request();
            if sdk.args.is_empty() {
                let args = node.child_by_field_name("arguments");
                sdk.args = cx.positional(V1_OVERLOADS, &format!("{service}.{method}"), args, 0);
            }
            // SDK v2's `CopyObjectRequest` names both ends (`sourceBucket`, `sourceKey`,
            // `destinationBucket`, `destinationKey`; S3 `CopyObjectRequest.Builder` reference)
            // where the API has `CopySource` and `Bucket`/`Key`.
            if service == "s3" && op == "copyObject" {
                for (name, _) in &mut sdk.args {
                    let api = match name.as_str() {
                        "SourceBucket" => "CopySource.Bucket",
                        "SourceKey" => "CopySource.Key",
                        "DestinationBucket" => "Bucket",
                        "DestinationKey" => "Key",
                        _ => continue,
                    };
                    *name = api.to_string();
                }
            }
            // SDK v1 presigns in the client: the URL's request is the HTTP method it names
            // (`GET` unless `HttpMethod.PUT` and the like, GeneratePresignedUrlRequest
            // reference); the URL is signed for that operation.
            if presign {
                let method = sdk
                    .args
                    .iter()
                    .find(|(k, _)| k == "Method")
                    .map(|(_, v)| v.clone());
                sdk.method = match method {
                    None => "getObject".to_string(),
                    Some(Arg::Str(m)) if m == "GET" => "getObject".to_string(),
                    Some(Arg::Str(m)) if m == "PUT" => "putObject".to_string(),
                    Some(Arg::Str(m)) if m == "DELETE" => "deleteObject".to_string(),
                    Some(Arg::Str(m)) if m == "HEAD" => "headObject".to_string(),
                    // An unknown method leaves the call unresolved.
                    _ => "generatePresignedUrl".to_string(),
                };
                sdk.text = format!(
                    "{}.generatePresignedUrl",
                    short_receiver(receiver, &service)
                );
                sdk.args.retain(|(k, _)| k != "Method" && k != "Expiration");
            }
            sdk
        }
        Some(Obj::Mapper) => {
            let Some((_, op)) = MAPPER_METHODS.iter().find(|(m, _)| *m == method) else {
                return;
            };
            let args = node.child_by_field_name("arguments");
            let args_text = args.map_or("", |a| text(file, a));
            let op = match *op {
                "updateItem" if args_text.contains("CLOBBER") || args_text.contains(".PUT") => {
                    "putItem"
                }
                "scan" if method == "count" && args_text.contains("Query") => "query",
                other => other,
            };
            let mut sdk = new("dynamodb", op.to_string(), CallStyle::Direct, "mapper");
            let table = first
                .and_then(|a| cx.mapped_class(a))
                .map_or(Arg::Unknown, |class| Arg::Str(class.to_string()));
            sdk.args = vec![(MAPPED_CLASS.to_string(), table)];
            sdk
        }
        Some(Obj::Waiter(service)) => {
            let Some(waiter) = method.strip_prefix("waitUntil") else {
                return;
            };
            let mut sdk = new(&service, waiter.to_string(), CallStyle::Waiter, "waiter");
            sdk.args = request();
            sdk
        }
        Some(Obj::Table(table)) if TABLE_METHODS.contains(&method.as_str()) => {
            let mut sdk = new(ENHANCED, method.clone(), CallStyle::Direct, "table");
            // A table the framework injects is named by the factory method providing its type.
            let field = match object.kind() {
                "field_access" => object.child_by_field_name("field"),
                _ => Some(object),
            };
            let injected = field.and_then(|f| cx.injected.get(text(file, f)));
            sdk.args = match (&table, injected) {
                (Arg::Unknown, Some(ty)) => vec![(INJECTED_TYPE.to_string(), Arg::Str(ty.clone()))],
                _ => vec![("TableName".to_string(), table)],
            };
            sdk
        }
        Some(Obj::Enhanced) if ENHANCED_METHODS.contains(&method.as_str()) => {
            let mut sdk = new(ENHANCED, method.clone(), CallStyle::Direct, "enhanced");
            if let Some(table) = first.and_then(|a| table_in(cx, a)) {
                sdk.args = vec![("TableName".to_string(), table)];
            }
            sdk
        }
        Some(Obj::TransferManager) if TRANSFER_METHODS.contains(&method.as_str()) => {
            let mut sdk = new(
                TRANSFER,
                method.clone(),
                CallStyle::Direct,
                "transferManager",
            );
            sdk.args = request();
            sdk
        }
        _ => return,
    };
    facts.calls.push(sdk);
}

/// A declared type as a dependency-injection key: its text without spaces
/// (`DynamoDbTable<Order>`).
fn type_key(cx: &Env<'_>, ty: Node<'_>) -> String {
    cx.t(ty).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Annotations that make a method a dependency-injection factory: Spring's `@Bean`, CDI's
/// (Quarkus) `@Produces`, Micronaut's `@Singleton`/`@Prototype`/`@Bean` on `@Factory` methods.
const BEAN_ANNOTATIONS: &[&str] = &["Bean", "Produces", "Singleton", "Prototype"];

/// A factory method (`@Bean DynamoDbTable<Order> orders(...) { return client.table(...); }`)
/// providing a table: recorded under its declared type for the files that inject it.
fn bean(cx: &Env<'_>, facts: &mut CodeFacts, node: Node<'_>) {
    if node.kind() != "method_declaration" {
        return;
    }
    let annotated = {
        let mut cursor = node.walk();
        node.children(&mut cursor)
            .filter(|c| c.kind() == "modifiers")
            .any(|m| {
                let mut c2 = m.walk();
                m.named_children(&mut c2)
                    .filter(|n| !n.is_extra())
                    .filter(|a| matches!(a.kind(), "marker_annotation" | "annotation"))
                    .filter_map(|a| a.child_by_field_name("name"))
                    .any(|n| BEAN_ANNOTATIONS.contains(&cx.t(n).rsplit('.').next().unwrap_or("")))
            })
    };
    let (Some(name), Some(ty)) = (
        node.child_by_field_name("name"),
        node.child_by_field_name("type"),
    ) else {
        return;
    };
    if !annotated {
        return;
    }
    if let Some(Obj::Table(table)) = cx.names.get(&format!("{}()", cx.t(name))) {
        let entry = (type_key(cx, ty), table.clone());
        if !facts.beans.contains(&entry) {
            facts.beans.push(entry);
        }
    }
}

/// The durable SDK's package (`software.amazon.lambda.durable.DurableContext`).
const DURABLE: &str = "software.amazon.lambda.durable";

/// Whether a receiver is declared as the durable SDK's `DurableContext`.
fn durable_context(cx: &Env<'_>, object: Node<'_>) -> bool {
    if object.kind() != "identifier" {
        return false;
    }
    let Some(class) = cx.declared.get(text(cx.file, object)) else {
        return false;
    };
    if class != "DurableContext" {
        return false;
    }
    cx.classes
        .get(class)
        .is_some_and(|fqcn| fqcn.starts_with(DURABLE))
        || cx.wildcards.iter().any(|w| w.starts_with(DURABLE))
}

/// The name of the first table a batch or transaction request names
/// (`addPutItem(table, item)`, `mappedTableResource(table)`).
fn table_in(cx: &Env<'_>, node: Node<'_>) -> Option<Arg> {
    let mut stack = vec![node];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 2000 {
            return None;
        }
        if n.kind() == "identifier"
            && let Some(Obj::Table(name)) = cx.names.get(text(cx.file, n))
        {
            return Some(name.clone());
        }
        let mut cursor = n.walk();
        let children: Vec<Node<'_>> = n
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .collect();
        stack.extend(children.into_iter().rev());
    }
    None
}
