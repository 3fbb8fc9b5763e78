//! What a Python expression refers to (an SDK object) or evaluates to (an [`Arg`]).

use std::collections::{BTreeMap, HashMap};

use super::Named;
use tree_sitter::Node;

use super::{MAX_DEPTH, by_field, concat, kind, text};
use crate::data::SdkKind;
use crate::model::Arg;
use crate::source::SourceFile;

/// What a name is bound to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Obj {
    Boto3,
    SessionModule,
    SessionClass,
    Session,
    ClientFn,
    ResourceFn,
    Client(String),
    /// `resource.meta`: its `.client` is the service's client.
    Meta(String),
    /// A resource object; `path` is a sub-resource collection (`objects`).
    Resource {
        service: String,
        resource_type: String,
        ids: Vec<Arg>,
        path: String,
    },
    /// A sub-resource constructor such as `dynamodb.Table`.
    ResourceClass {
        service: String,
        resource_type: String,
        ids: Vec<Arg>,
    },
    /// The index of the `get_paginator` / `get_waiter` call in the output.
    Paginator(usize),
    Waiter(usize),
    Os,
    Environ,
    EnvGet,
    Getenv,
    /// A module with library entry points (`aws_lambda_powertools.utilities.parameters`):
    /// its attributes are looked up in the helpers table's `library` entries.
    LibModule(String),
    /// A library entry point: calling it sends requests on the function's behalf
    /// (`Agent(...)`, `get_parameter(...)`), or, for a class entry, makes a [`Obj::LibInstance`].
    LibCall {
        module: String,
        name: String,
    },
    /// An object of a library class whose methods are entry points (`SecretCache()`).
    LibInstance {
        module: String,
        class: String,
    },
    Value(Arg),
    Dict(Vec<(String, Arg)>),
    /// A SigV4 signer for OpenSearch (`AWS4Auth(..., 'es')`) and the service it signs for
    /// (`es` or `aoss`); see `pysigned`.
    Signer(String),
    /// An OpenSearch client signing with a [`Obj::Signer`], the host it is given and the
    /// namespace reached (`indices`).
    Search {
        service: String,
        endpoint: Arg,
        namespace: String,
    },
    /// A botocore `AWSRequest(method, url)` to be signed.
    SignedRequest {
        method: Arg,
        url: Arg,
    },
    /// A plain parameter of the enclosing function: its position among the call's arguments
    /// (`self` aside), its name for keyword calls, and the value all callers in the file agree
    /// on (unknown where they differ).
    Param {
        position: usize,
        name: String,
        value: Arg,
    },
    /// What a client factory returns: the client (or resource) of the service its parameter
    /// names (`def client(name): return boto3.client(name)`), made at each call.
    ClientOf {
        position: usize,
        name: String,
        resource: bool,
    },
}

impl Obj {
    /// Objects worth remembering as a function's return value.
    pub(crate) fn is_sdk(&self) -> bool {
        matches!(
            self,
            Obj::Client(_)
                | Obj::Resource { .. }
                | Obj::Session
                | Obj::Value(_)
                | Obj::Dict(_)
                | Obj::ClientOf { .. }
                | Obj::Signer(_)
                | Obj::Search { .. }
        )
    }
}

pub(crate) struct Env<'a> {
    pub file: &'a SourceFile,
    pub names: BTreeMap<String, Obj>,
    /// Names imported from `mypy_boto3_<service>` modules, with the service.
    pub mypy: BTreeMap<String, String>,
    /// Calls already turned into paginators or waiters (tree-sitter node id).
    pub memo: HashMap<usize, Obj>,
    /// The file imports boto3 (enables guesses from parameter names).
    pub boto3: bool,
    /// The file imports the AWS Durable Execution SDK (`context.invoke` invokes a function).
    pub durable: bool,
}

impl Env<'_> {
    pub(crate) fn t(&self, node: Node<'_>) -> &str {
        text(self.file, node)
    }

    fn lookup(&self, key: &str) -> Option<Obj> {
        if let Some(obj) = self.names.get(key) {
            return Some(obj.clone());
        }
        // Class fields are read through `self.x` / `cls.x`.
        let field = key
            .strip_prefix("self.")
            .or_else(|| key.strip_prefix("cls."))?;
        self.names.get(field).cloned()
    }

    /// Whether a call's arguments pass credentials (`aws_access_key_id=`, `aws_session_token=`).
    fn gives_credentials(&self, args: Node<'_>) -> bool {
        let mut cursor = args.walk();
        args.named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .any(|a| {
                a.kind() == "keyword_argument"
                    && by_field(a, "name").is_some_and(|n| {
                        matches!(self.t(n), "aws_access_key_id" | "aws_session_token")
                    })
            })
    }

    /// The SDK object an expression refers to.
    pub(crate) fn resolve(&self, node: Node<'_>, depth: usize) -> Option<Obj> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match kind(node) {
            "identifier" => self.lookup(self.t(node)),
            "parenthesized_expression" | "conditional_expression" | "await" => {
                self.resolve(node.arg(0)?, d)
            }
            "attribute" => {
                if let Some(obj) = self.lookup(self.t(node)) {
                    return Some(obj);
                }
                let attr = self.t(by_field(node, "attribute")?);
                let obj = self.resolve(by_field(node, "object")?, d)?;
                Some(match (obj, attr) {
                    (Obj::Boto3, "client") | (Obj::Session, "client") => Obj::ClientFn,
                    (Obj::Boto3, "resource") | (Obj::Session, "resource") => Obj::ResourceFn,
                    (Obj::Boto3 | Obj::SessionModule, "Session") => Obj::SessionClass,
                    (Obj::Boto3, "session") => Obj::SessionModule,
                    (Obj::Meta(service), "client") => Obj::Client(service),
                    (Obj::Resource { service, .. }, "meta") => Obj::Meta(service),
                    (
                        Obj::Resource {
                            service,
                            resource_type,
                            ids,
                            path,
                        },
                        a,
                    ) if !a.starts_with('_') => {
                        if a.starts_with(|c: char| c.is_ascii_uppercase()) {
                            Obj::ResourceClass {
                                service,
                                resource_type: a.to_string(),
                                ids,
                            }
                        } else {
                            let path = if path.is_empty() {
                                a.to_string()
                            } else {
                                format!("{path}.{a}")
                            };
                            Obj::Resource {
                                service,
                                resource_type,
                                ids,
                                path,
                            }
                        }
                    }
                    (Obj::Os, "environ") => Obj::Environ,
                    (Obj::Os, "getenv") => Obj::Getenv,
                    (Obj::Environ, "get") => Obj::EnvGet,
                    (Obj::LibModule(m), f) => {
                        let e = crate::data::sdk().library_entry(SdkKind::Python, &m, f)?;
                        Obj::LibCall {
                            module: e.module.to_string(),
                            name: e.name.to_string(),
                        }
                    }
                    (Obj::Dict(pairs), a) => Obj::Value(pairs.into_iter().find(|(k, _)| k == a)?.1),
                    (
                        Obj::Search {
                            service,
                            endpoint,
                            namespace,
                        },
                        "indices",
                    ) if namespace.is_empty() => Obj::Search {
                        service,
                        endpoint,
                        namespace: "indices".to_string(),
                    },
                    _ => return None,
                })
            }
            "call" => {
                if let Some(obj) = self.memo.get(&node.id()) {
                    return Some(obj.clone());
                }
                let function = by_field(node, "function")?;
                let args = by_field(node, "arguments");
                if function.kind() == "identifier"
                    && let Some(obj) = self.names.get(&format!("{}()", self.t(function)))
                {
                    return self.returned(obj.clone(), args);
                }
                if let Some(made) = super::pysigned::construct(self, function, args) {
                    return Some(made);
                }
                let Some(callee) = self.resolve(function, d) else {
                    return self.method_result(function, args);
                };
                // A client or session given credentials in code (an assumed role's, an
                // authorizer's) does not sign with the execution role: its calls need nothing
                // from it. <https://docs.aws.amazon.com/boto3/latest/guide/credentials.html>
                // ("Passing credentials as parameters").
                if matches!(callee, Obj::ClientFn | Obj::ResourceFn | Obj::SessionClass)
                    && args.is_some_and(|a| self.gives_credentials(a))
                {
                    return None;
                }
                match callee {
                    Obj::ClientFn => self.made(args, false, d),
                    Obj::ResourceFn => self.made(args, true, d),
                    Obj::SessionClass => Some(Obj::Session),
                    Obj::LibCall { module, name } => crate::data::sdk()
                        .library_entry(SdkKind::Python, &module, &name)
                        .filter(|e| e.instance)
                        .map(|_| Obj::LibInstance {
                            module,
                            class: name,
                        }),
                    Obj::ResourceClass {
                        service,
                        resource_type,
                        mut ids,
                    } => {
                        if let Some(args) = args {
                            let mut cursor = args.walk();
                            ids.extend(
                                args.named_children(&mut cursor)
                                    .filter(|n| !n.is_extra())
                                    .map(|a| match a.kind() {
                                        "keyword_argument" => a
                                            .child_by_field_name("value")
                                            .map_or(Arg::Unknown, |v| self.eval(v, d)),
                                        _ => self.eval(a, d),
                                    }),
                            );
                        }
                        Some(Obj::Resource {
                            service,
                            resource_type,
                            ids,
                            path: String::new(),
                        })
                    }
                    // Collection methods return the collection: `objects.filter(...).delete()`.
                    Obj::Resource {
                        service,
                        resource_type,
                        ids,
                        path,
                    } => {
                        let (base, last) = path.rsplit_once('.')?;
                        matches!(last, "all" | "filter" | "limit" | "page_size").then(|| {
                            Obj::Resource {
                                service,
                                resource_type,
                                ids,
                                path: base.to_string(),
                            }
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A client or resource made by `boto3.client(service)` / `session.resource(service)`: of
    /// the service named, or, inside a factory, of the service its parameter will name.
    fn made(&self, args: Option<Node<'_>>, resource: bool, d: usize) -> Option<Obj> {
        let node = args.and_then(|a| {
            self.keyword_node(a, "service_name")
                .or_else(|| self.positional_node(a, 0))
        })?;
        match (self.eval(node, d), self.resolve(node, d)) {
            (Arg::Str(service), _) if resource => Some(Obj::Resource {
                service,
                resource_type: String::new(),
                ids: Vec::new(),
                path: String::new(),
            }),
            (Arg::Str(service), _) => Some(Obj::Client(service)),
            (_, Some(Obj::Param { position, name, .. })) => Some(Obj::ClientOf {
                position,
                name,
                resource,
            }),
            _ => None,
        }
    }

    /// What a function returning `value` is to other modules' calls: the client of the
    /// service its parameter names (`return boto3.client(name)`, even where this file's own
    /// callers all pass one service), else `obj`, what it returns here.
    pub(crate) fn factory(&self, value: Node<'_>, obj: Obj) -> Obj {
        let made = || {
            if value.kind() != "call" {
                return None;
            }
            let resource = match self.resolve(by_field(value, "function")?, 0)? {
                Obj::ClientFn => false,
                Obj::ResourceFn => true,
                _ => return None,
            };
            let args = by_field(value, "arguments")?;
            let node = self
                .keyword_node(args, "service_name")
                .or_else(|| self.positional_node(args, 0))?;
            match self.resolve(node, 0)? {
                Obj::Param { position, name, .. } => Some(Obj::ClientOf {
                    position,
                    name,
                    resource,
                }),
                _ => None,
            }
        };
        made().unwrap_or(obj)
    }

    /// What a call of a local function returns, given the call's arguments: a factory's
    /// client of the service the call names, anything else as the function returns it.
    pub(crate) fn returned(&self, obj: Obj, args: Option<Node<'_>>) -> Option<Obj> {
        let Obj::ClientOf {
            position,
            name,
            resource,
        } = obj
        else {
            return Some(obj);
        };
        let args = args?;
        let service = self
            .keyword(args, &name)
            .or_else(|| self.positional(args, position))?;
        match service {
            Arg::Str(service) if resource => Some(Obj::Resource {
                service,
                resource_type: String::new(),
                ids: Vec::new(),
                path: String::new(),
            }),
            Arg::Str(service) => Some(Obj::Client(service)),
            _ => None,
        }
    }

    /// A method of the file's own classes (`Clients().make("ec2", region)`,
    /// `self.table()`): what the method of that name returns.
    fn method_result(&self, function: Node<'_>, args: Option<Node<'_>>) -> Option<Obj> {
        if function.kind() != "attribute" {
            return None;
        }
        let method = self.t(by_field(function, "attribute")?);
        let obj = self.names.get(&format!("{method}()"))?;
        self.returned(obj.clone(), args)
    }

    /// The value of an argument expression.
    pub(crate) fn eval(&self, node: Node<'_>, depth: usize) -> Arg {
        if depth > MAX_DEPTH {
            return Arg::Unknown;
        }
        let d = depth + 1;
        match kind(node) {
            "string" => self.string(node, d),
            "concatenated_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Arg> = node
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                    .map(|n| self.eval(n, d))
                    .collect();
                concat(parts)
            }
            "binary_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map_or("", |o| self.t(o));
                match (op, by_field(node, "left"), by_field(node, "right")) {
                    ("+", Some(l), Some(r)) => concat(vec![self.eval(l, d), self.eval(r, d)]),
                    _ => Arg::Unknown,
                }
            }
            "parenthesized_expression" => node.arg(0).map_or(Arg::Unknown, |n| self.eval(n, d)),
            "boolean_operator" => {
                let left = node
                    .child_by_field_name("left")
                    .map_or(Arg::Unknown, |n| self.eval(n, d));
                if left != Arg::Unknown {
                    return left;
                }
                by_field(node, "right").map_or(Arg::Unknown, |n| self.eval(n, d))
            }
            "identifier" | "attribute" => match self.resolve(node, d) {
                Some(Obj::Value(arg) | Obj::Param { value: arg, .. }) => arg,
                _ => self.event_field(node).unwrap_or(Arg::Unknown),
            },
            "subscript" | "call" => {
                if let Some(name) = self.env_name(node, d) {
                    return Arg::Env(name);
                }
                if let Some(field) = self.event_field(node) {
                    return field;
                }
                if node.kind() == "call" {
                    self.call_value(node, d)
                } else {
                    Arg::Unknown
                }
            }
            _ => Arg::Unknown,
        }
    }

    /// A field of the invocation event or of the Lambda context a chain of subscripts and
    /// attributes reads (`record["s3"]["bucket"]["name"]`, `context.function_name`; see
    /// `code::event_read`).
    fn event_field(&self, node: Node<'_>) -> Option<Arg> {
        let mut members: Vec<String> = Vec::new();
        let mut at = node;
        for _ in 0..16 {
            match at.kind() {
                "attribute" => {
                    members.push(self.t(by_field(at, "attribute")?).to_string());
                    at = by_field(at, "object")?;
                }
                "subscript" => {
                    let key = by_field(at, "subscript")?;
                    match key.kind() {
                        "integer" => {}
                        "string" => match self.string(key, 0) {
                            Arg::Str(k) => members.push(k),
                            _ => return None,
                        },
                        _ => return None,
                    }
                    at = by_field(at, "value")?;
                }
                "identifier" => {
                    members.reverse();
                    let members: Vec<&str> = members.iter().map(String::as_str).collect();
                    return super::event_read(self.t(at), &members);
                }
                _ => return None,
            }
        }
        None
    }

    /// `str(x)`, `"...".format(...)`.
    fn call_value(&self, node: Node<'_>, d: usize) -> Arg {
        let (Some(function), Some(args)) =
            (by_field(node, "function"), by_field(node, "arguments"))
        else {
            return Arg::Unknown;
        };
        if self.t(function) == "str" {
            return self.positional(args, 0).unwrap_or(Arg::Unknown);
        }
        if function.kind() != "attribute" {
            return Arg::Unknown;
        }
        let (Some(object), Some(attr)) = (
            by_field(function, "object"),
            by_field(function, "attribute"),
        ) else {
            return Arg::Unknown;
        };
        if self.t(attr) != "format" {
            return Arg::Unknown;
        }
        let Arg::Str(template) = self.eval(object, d) else {
            return Arg::Unknown;
        };
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut next = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    for f in chars.by_ref() {
                        if f == '}' {
                            break;
                        }
                        field.push(f);
                    }
                    let name = field.split([':', '!', '.', '[']).next().unwrap_or("");
                    parts.push(Arg::Str(std::mem::take(&mut literal)));
                    parts.push(if name.is_empty() {
                        next += 1;
                        self.positional(args, next - 1).unwrap_or(Arg::Unknown)
                    } else if let Ok(i) = name.parse::<usize>() {
                        self.positional(args, i).unwrap_or(Arg::Unknown)
                    } else {
                        self.keyword(args, name).unwrap_or(Arg::Unknown)
                    });
                }
                c => literal.push(c),
            }
        }
        parts.push(Arg::Str(literal));
        concat(parts)
    }

    fn string(&self, node: Node<'_>, d: usize) -> Arg {
        let mut parts = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor).filter(|n| !n.is_extra()) {
            match child.kind() {
                "string_content" => parts.push(Arg::Str(unescape(self.t(child)))),
                "interpolation" => {
                    let value = child
                        .child_by_field_name("expression")
                        .map_or(Arg::Unknown, |e| self.eval(e, d));
                    parts.push(value);
                }
                _ => {}
            }
        }
        concat(parts)
    }

    /// The variable name of an environment read (`os.environ["X"]`, `os.getenv("X")`, ...).
    pub(crate) fn env_name(&self, node: Node<'_>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let key = match kind(node) {
            "subscript" => {
                if self.resolve(by_field(node, "value")?, depth + 1)? != Obj::Environ {
                    return None;
                }
                by_field(node, "subscript")?
            }
            "call" => {
                let obj = self.resolve(by_field(node, "function")?, depth + 1)?;
                if obj != Obj::EnvGet && obj != Obj::Getenv {
                    return None;
                }
                let args = by_field(node, "arguments")?;
                let mut cursor = args.walk();

                args.named_children(&mut cursor).find(|n| !n.is_extra())?
            }
            _ => return None,
        };
        match self.eval(key, depth + 1) {
            Arg::Str(name) => Some(name),
            _ => None,
        }
    }
}

/// Common escapes of a Python string body (`\n`, `\t`, `\\`, quotes); others stay as written.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(q @ ('\\' | '\'' | '"')) => out.push(q),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}
