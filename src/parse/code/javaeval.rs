//! What a Java expression refers to (an SDK client, builder or request) or evaluates to (an
//! [`Arg`]).

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::{MAX_DEPTH, concat, text};
use crate::model::Arg;
use crate::source::SourceFile;

/// What a name or expression is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Obj {
    /// A class of the SDK, by what its instances are.
    Class(Box<Obj>),
    /// A builder that `build()`s into the object.
    Builder(Box<Obj>),
    /// A service client (`S3Client`, `DynamoDbAsyncClient`), by artifact name.
    Client(String),
    /// `s3.waiter()` / `S3Waiter`.
    Waiter(String),
    /// `DynamoDbEnhancedClient`.
    Enhanced,
    /// `DynamoDbTable` / `DynamoDbIndex`, with the table name.
    Table(Arg),
    /// `S3TransferManager`.
    TransferManager,
    /// A request (`GetObjectRequest.builder()...build()`), as API member names.
    Request(Vec<(String, Arg)>),
    Value(Arg),
}

impl Obj {
    /// Objects a method returning them stands for at its calls (a client factory).
    pub(super) fn is_sdk(&self) -> bool {
        matches!(
            self,
            Obj::Client(_) | Obj::Waiter(_) | Obj::Enhanced | Obj::Table(_) | Obj::TransferManager
        )
    }
}

const SERVICES: &str = "software.amazon.awssdk.services.";

/// What instances of a fully qualified class are.
pub(super) fn class(fqcn: &str) -> Option<Obj> {
    let (package, name) = fqcn.rsplit_once('.')?;
    if let Some(rest) = package.strip_prefix(SERVICES) {
        if let Some(service) = rest.strip_suffix(".model") {
            return (!service.contains('.') && name.ends_with("Request"))
                .then(|| Obj::Request(Vec::new()));
        }
        if rest.contains('.') {
            // `services.s3.paginators`, `services.s3.presigner`: no client of their own.
            return rest
                .strip_suffix(".waiters")
                .filter(|s| !s.contains('.') && name.ends_with("Waiter"))
                .map(|s| Obj::Waiter(s.to_string()));
        }
        if name.ends_with("Client") {
            return Some(Obj::Client(rest.to_string()));
        }
        return None;
    }
    // Transfer Manager requests (`UploadFileRequest`) are built like service requests.
    if package == "software.amazon.awssdk.transfer.s3.model" && name.ends_with("Request") {
        return Some(Obj::Request(Vec::new()));
    }
    match fqcn {
        "software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient"
        | "software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedAsyncClient" => {
            Some(Obj::Enhanced)
        }
        "software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable"
        | "software.amazon.awssdk.enhanced.dynamodb.DynamoDbAsyncTable"
        | "software.amazon.awssdk.enhanced.dynamodb.DynamoDbIndex"
        | "software.amazon.awssdk.enhanced.dynamodb.DynamoDbAsyncIndex" => {
            Some(Obj::Table(Arg::Unknown))
        }
        "software.amazon.awssdk.transfer.s3.S3TransferManager" => Some(Obj::TransferManager),
        _ => None,
    }
}

pub(super) struct Env<'a> {
    pub file: &'a SourceFile,
    pub names: BTreeMap<String, Obj>,
    /// Simple class name -> fully qualified name, from imports.
    pub classes: BTreeMap<String, String>,
    /// Packages imported with `.*`.
    pub wildcards: Vec<String>,
}

impl Env<'_> {
    pub(super) fn t(&self, node: Node<'_>) -> &str {
        text(self.file, node)
    }

    /// What instances of a class named in code are (`S3Client`, `software...S3Client`).
    pub(super) fn class_named(&self, name: &str) -> Option<Obj> {
        if name.contains('.') {
            return class(name);
        }
        if let Some(fqcn) = self.classes.get(name) {
            return class(fqcn);
        }
        self.wildcards
            .iter()
            .find_map(|p| class(&format!("{p}.{name}")))
    }

    /// What instances of a declared type are (`S3Client`, `DynamoDbTable<Customer>`).
    pub(super) fn type_obj(&self, node: Node<'_>) -> Option<Obj> {
        let node = if node.kind() == "generic_type" {
            node.named_child(0)?
        } else {
            node
        };
        match node.kind() {
            "type_identifier" | "scoped_type_identifier" => self.class_named(self.t(node)),
            _ => None,
        }
    }

    /// What an expression refers to.
    pub(super) fn resolve(&self, node: Node<'_>, depth: usize) -> Option<Obj> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match node.kind() {
            "identifier" => {
                let name = self.t(node);
                self.names
                    .get(name)
                    .cloned()
                    .or_else(|| self.class_named(name).map(|o| Obj::Class(Box::new(o))))
            }
            "field_access" => {
                let field = self.t(node.child_by_field_name("field")?);
                match self.names.get(field) {
                    Some(obj) => Some(obj.clone()),
                    None => self
                        .class_named(self.t(node))
                        .map(|o| Obj::Class(Box::new(o))),
                }
            }
            "parenthesized_expression" | "cast_expression" => {
                let inner = node
                    .child_by_field_name("value")
                    .or_else(|| node.named_child(node.named_child_count().checked_sub(1)?))?;
                self.resolve(inner, d)
            }
            "method_invocation" => self.invocation(node, d),
            _ => None,
        }
    }

    /// Builders, their setters and `build()`, `create()`, `waiter()`, `table(...)`.
    fn invocation(&self, node: Node<'_>, d: usize) -> Option<Obj> {
        let name = self.t(node.child_by_field_name("name")?);
        // A method of the file's own classes that returns an SDK object (`s3()`,
        // `this.dynamo()`): what its declared type or its `return` says (see `java::returns`).
        // A static factory of a class the table does not know (`Clients.s3()`) too.
        let object = node.child_by_field_name("object");
        let own = object.is_none_or(|o| {
            o.kind() == "this"
                || (o.kind() == "identifier"
                    && self.t(o).starts_with(|c: char| c.is_ascii_uppercase())
                    && self.resolve(o, d).is_none())
        });
        if own && let Some(obj) = self.names.get(&format!("{name}()")) {
            return Some(obj.clone());
        }
        let object = object?;
        let args = node.child_by_field_name("arguments");
        match (self.resolve(object, d)?, name) {
            (Obj::Class(inner), "builder") => Some(Obj::Builder(inner)),
            (Obj::Class(inner), "create") => Some(*inner),
            (Obj::Builder(inner), "build") => Some(*inner),
            (Obj::Builder(inner), setter) => match *inner {
                Obj::Request(mut pairs) => {
                    if let Some(arg) = args.and_then(|a| a.named_child(0)) {
                        self.setter(&mut pairs, setter, arg, d);
                    }
                    Some(Obj::Builder(Box::new(Obj::Request(pairs))))
                }
                other => Some(Obj::Builder(Box::new(other))),
            },
            (Obj::Client(service), "waiter") => Some(Obj::Waiter(service)),
            (Obj::Enhanced, "table") => {
                let name = args
                    .and_then(|a| a.named_child(0))
                    .map_or(Arg::Unknown, |a| self.eval(a, d));
                Some(Obj::Table(name))
            }
            (table @ Obj::Table(_), "index") => Some(table),
            _ => None,
        }
    }

    /// One builder setter: `bucket(x)` is member `Bucket`; a nested request
    /// (`putObjectRequest(b -> b.bucket(x))`, `putObjectRequest(req)`) adds its members.
    pub(super) fn setter(
        &self,
        pairs: &mut Vec<(String, Arg)>,
        name: &str,
        arg: Node<'_>,
        d: usize,
    ) {
        if name.ends_with("Request")
            && let Some(nested) = self.request(arg, d)
        {
            pairs.extend(nested);
            return;
        }
        pairs.push((member(name), self.eval(arg, d)));
    }

    /// The members of a request argument: a built request, a builder, or a consumer lambda
    /// (`b -> b.bucket(x).key(k)`).
    pub(super) fn request(&self, node: Node<'_>, d: usize) -> Option<Vec<(String, Arg)>> {
        if node.kind() == "lambda_expression" {
            let params = node.child_by_field_name("parameters")?;
            let param = if params.kind() == "identifier" {
                params
            } else {
                params.named_child(0)?
            };
            let param = if param.kind() == "identifier" {
                param
            } else {
                param.child_by_field_name("name")?
            };
            let body = node.child_by_field_name("body")?;
            return self.chain(body, self.t(param), d);
        }
        match self.resolve(node, d)? {
            Obj::Request(pairs) => Some(pairs),
            Obj::Builder(inner) => match *inner {
                Obj::Request(pairs) => Some(pairs),
                _ => None,
            },
            _ => None,
        }
    }

    /// Setters called in a chain on the variable `root`: `b.bucket(x).key(k)`.
    fn chain(&self, node: Node<'_>, root: &str, d: usize) -> Option<Vec<(String, Arg)>> {
        if d > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" if self.t(node) == root => Some(Vec::new()),
            "method_invocation" => {
                let mut pairs = self.chain(node.child_by_field_name("object")?, root, d + 1)?;
                let name = self.t(node.child_by_field_name("name")?);
                if let Some(arg) = node
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                {
                    self.setter(&mut pairs, name, arg, d + 1);
                }
                Some(pairs)
            }
            _ => None,
        }
    }

    /// What an expression evaluates to.
    pub(super) fn eval(&self, node: Node<'_>, depth: usize) -> Arg {
        if depth > MAX_DEPTH {
            return Arg::Unknown;
        }
        let d = depth + 1;
        if let Some(name) = self.env_name(node, d) {
            return Arg::Env(name);
        }
        match node.kind() {
            "string_literal" => {
                let raw = self.t(node);
                if raw.starts_with("\"\"\"") {
                    return Arg::Unknown;
                }
                Arg::Str(super::unescape(
                    raw.strip_prefix('"')
                        .and_then(|s| s.strip_suffix('"'))
                        .unwrap_or(""),
                ))
            }
            "parenthesized_expression" => node
                .named_child(0)
                .map_or(Arg::Unknown, |n| self.eval(n, d)),
            "binary_expression" => {
                let op = node.child_by_field_name("operator").map(|o| self.t(o));
                match (
                    op,
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) {
                    (Some("+"), Some(l), Some(r)) => concat(vec![self.eval(l, d), self.eval(r, d)]),
                    _ => Arg::Unknown,
                }
            }
            "identifier" | "field_access" => match self.resolve(node, d) {
                Some(Obj::Value(arg)) => arg,
                _ => Arg::Unknown,
            },
            _ => Arg::Unknown,
        }
    }

    /// `System.getenv("X")`, `System.getenv().get("X")`, `System.getenv().getOrDefault("X", d)`.
    pub(super) fn env_name(&self, node: Node<'_>, d: usize) -> Option<String> {
        if node.kind() != "method_invocation" {
            return None;
        }
        let object = node.child_by_field_name("object")?;
        let name = self.t(node.child_by_field_name("name")?);
        let args = node.child_by_field_name("arguments")?;
        let first = args.named_child(0)?;
        let reads = match name {
            "getenv" => matches!(self.t(object), "System" | "java.lang.System"),
            "get" | "getOrDefault" => {
                object.kind() == "method_invocation"
                    && object
                        .child_by_field_name("name")
                        .is_some_and(|n| self.t(n) == "getenv")
                    && object
                        .child_by_field_name("object")
                        .is_some_and(|o| matches!(self.t(o), "System" | "java.lang.System"))
                    && object
                        .child_by_field_name("arguments")
                        .is_some_and(|a| a.named_child_count() == 0)
            }
            _ => false,
        };
        if !reads {
            return None;
        }
        match self.eval(first, d) {
            Arg::Str(name) => Some(name),
            _ => None,
        }
    }
}

/// A builder setter's API member name: `tableName` -> `TableName` (the SDK's setters are the
/// members with the first letter lower-cased).
pub(super) fn member(setter: &str) -> String {
    let mut chars = setter.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
