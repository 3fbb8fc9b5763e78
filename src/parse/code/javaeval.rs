//! What a Java expression refers to (an SDK client, builder or request) or evaluates to (an
//! [`Arg`]).

use std::collections::BTreeMap;

use super::Named;
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
    /// SDK v1 `DynamoDBMapper`.
    Mapper,
    /// SDK v1 Document API `DynamoDB` (its `getTable(name)` is a [`Obj::Table`]).
    DocumentDb,
    /// A request (`GetObjectRequest.builder()...build()`), as API member names.
    Request(Vec<(String, Arg)>),
    /// Another structure of a service's model (`Target.builder().roleArn(r).build()`), by
    /// member names: a member of the request that sets it.
    Shape(Vec<(String, Arg)>),
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
const V1_SERVICES: &str = "com.amazonaws.services.";

/// SDK v1 packages (`com.amazonaws.services.<package>`) whose service is named differently by
/// SDK v2's Maven artifact, the name the knowledge base keys Java calls by (AWS SDK for Java
/// 1.x API Reference, package list: <https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/>).
const V1_PACKAGES: &[(&str, &str)] = &[
    ("dynamodbv2", "dynamodb"),
    ("kinesisfirehose", "firehose"),
    ("stepfunctions", "sfn"),
    ("simplesystemsmanagement", "ssm"),
    ("simpleemail", "ses"),
    ("simpleemailv2", "sesv2"),
    ("cognitoidp", "cognitoidentityprovider"),
    ("logs", "cloudwatchlogs"),
    ("securitytoken", "sts"),
    ("identitymanagement", "iam"),
];

/// What instances of an SDK for Java 1.x class are: clients (`AmazonS3`, `AmazonS3Client`,
/// `AmazonSQSAsync`) and their builders (`AmazonS3ClientBuilder`), requests of the `model`
/// package, `DynamoDBMapper` and the Document API.
fn v1_class(package: &str, name: &str) -> Option<Obj> {
    match (package, name) {
        ("dynamodbv2.datamodeling", "DynamoDBMapper" | "IDynamoDBMapper") => {
            return Some(Obj::Mapper);
        }
        ("dynamodbv2.document", "DynamoDB") => return Some(Obj::DocumentDb),
        ("dynamodbv2.document", "Table" | "Index") => return Some(Obj::Table(Arg::Unknown)),
        // `RdsIamAuthTokenGenerator.getAuthToken(GetIamAuthTokenRequest)` signs an IAM
        // database token locally (read as `rds-db:connect` by `token_signer` in `code`).
        ("rds.auth", "RdsIamAuthTokenGenerator") => return Some(Obj::Client("rds".to_string())),
        ("rds.auth", "GetIamAuthTokenRequest") => return Some(Obj::Request(Vec::new())),
        _ => {}
    }
    if let Some(service) = package.strip_suffix(".model") {
        return (!service.contains('.') && (name.ends_with("Request") || name.ends_with("Entry")))
            .then(|| Obj::Request(Vec::new()));
    }
    if package.contains('.') || !(name.starts_with("Amazon") || name.starts_with("AWS")) {
        return None;
    }
    let base = [
        "ClientBuilder",
        "AsyncClientBuilder",
        "AsyncClient",
        "Client",
        "Async",
    ]
    .iter()
    .find_map(|suffix| name.strip_suffix(suffix))
    .unwrap_or(name);
    // `AmazonS3URI`, `AmazonServiceException`: no client.
    if base.ends_with("Exception") || base.ends_with("URI") || base.ends_with("Builder") {
        return None;
    }
    let service = V1_PACKAGES
        .iter()
        .find(|(p, _)| *p == package)
        .map_or(package, |(_, s)| *s);
    Some(Obj::Client(service.to_string()))
}

/// What instances of a fully qualified class are.
pub(super) fn class(fqcn: &str) -> Option<Obj> {
    let (package, name) = fqcn.rsplit_once('.')?;
    if let Some(rest) = package.strip_prefix(V1_SERVICES) {
        return v1_class(rest, name);
    }
    if let Some(rest) = package.strip_prefix(SERVICES) {
        if let Some(service) = rest.strip_suffix(".model") {
            if service.contains('.') {
                return None;
            }
            // Entries of a request (`PutEventsRequestEntry`, `SendMessageBatchRequestEntry`)
            // are built like requests and flattened into the call's members; other structures
            // (`Target`, `ContainerProperties`) are members of their own.
            return Some(if name.ends_with("Request") || name.ends_with("Entry") {
                Obj::Request(Vec::new())
            } else {
                Obj::Shape(Vec::new())
            });
        }
        if rest.contains('.') {
            // `services.s3.paginators`, `services.s3.presigner`: no client of their own.
            return rest
                .strip_suffix(".waiters")
                .filter(|s| !s.contains('.') && name.ends_with("Waiter"))
                .map(|s| Obj::Waiter(s.to_string()));
        }
        // `RdsUtilities.generateAuthenticationToken` signs an IAM database token locally; the
        // call is named by `rds-db:connect` once read (`token_signer` in `code`).
        if name.ends_with("Client") || name == "RdsUtilities" {
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
    /// Fields and parameters given no value in the file, of a table type, by name: what the
    /// framework injects (`DynamoDbTable<Order>`, spaces removed).
    pub injected: BTreeMap<String, String>,
    pub names: BTreeMap<String, Obj>,
    /// Simple class name -> fully qualified name, from imports.
    pub classes: BTreeMap<String, String>,
    /// Packages imported with `.*`.
    pub wildcards: Vec<String>,
    /// The simple class names names are declared with (`Order order` -> `Order`).
    pub declared: BTreeMap<String, String>,
}

impl Env<'_> {
    pub(super) fn t(&self, node: Node<'_>) -> &str {
        text(self.file, node)
    }

    /// Records the class a name is declared with (its simple name, without type arguments).
    pub(super) fn record_type(&mut self, name: &str, ty: Node<'_>) {
        let ty = if ty.kind() == "generic_type" {
            ty.arg(0).unwrap_or(ty)
        } else {
            ty
        };
        if matches!(ty.kind(), "type_identifier" | "scoped_type_identifier") {
            let class = self.t(ty).rsplit('.').next().unwrap_or("").to_string();
            self.declared.insert(name.to_string(), class);
        }
    }

    /// The class a `DynamoDBMapper` argument maps: `Order.class`, `new Order(…)`, or a name
    /// declared as `Order`.
    pub(super) fn mapped_class(&self, node: Node<'_>) -> Option<&str> {
        let class = match node.kind() {
            "class_literal" => node.arg(0)?,
            "object_creation_expression" => node.child_by_field_name("type")?,
            "identifier" => return self.declared.get(self.t(node)).map(String::as_str),
            _ => return None,
        };
        Some(self.t(class).rsplit('.').next().unwrap_or(""))
    }

    /// What instances of a class named in code are (`S3Client`, `software...S3Client`).
    pub(super) fn class_named(&self, name: &str) -> Option<Obj> {
        if name.contains('.') {
            return class(name);
        }
        if let Some(fqcn) = self.classes.get(name) {
            return class(fqcn);
        }
        // Through a wildcard import any name would be a model structure (`System`, `List`):
        // those are only taken as such where built (`Target.builder()`, see `invocation`).
        self.wildcards
            .iter()
            .find_map(|p| class(&format!("{p}.{name}")))
            .filter(|o| !matches!(o, Obj::Shape(_)))
    }

    /// Whether a wildcard import brings in a service's model package.
    fn imports_model(&self) -> bool {
        self.wildcards
            .iter()
            .any(|w| w.starts_with(SERVICES) && w.ends_with(".model"))
    }

    /// What instances of a declared type are (`S3Client`, `DynamoDbTable<Customer>`).
    pub(super) fn type_obj(&self, node: Node<'_>) -> Option<Obj> {
        let node = if node.kind() == "generic_type" {
            node.arg(0)?
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
                    .or_else(|| node.arg(node.arg_count().checked_sub(1)?))?;
                self.resolve(inner, d)
            }
            "method_invocation" => self.invocation(node, d),
            // `new AmazonS3Client()`, `new DynamoDBMapper(client)`, `new PutItemRequest(t, i)`.
            "object_creation_expression" => {
                let ty = node.child_by_field_name("type")?;
                match self.type_obj(ty)? {
                    Obj::Request(_) => {
                        let class = self.t(ty).rsplit('.').next().unwrap_or("");
                        let args = node.child_by_field_name("arguments");
                        Some(Obj::Request(self.positional(V1_REQUESTS, class, args, d)))
                    }
                    obj @ (Obj::Client(_) | Obj::Mapper | Obj::DocumentDb) => Some(obj),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Members of positional arguments after a table of `(name, members)`: v1 constructors
    /// and convenience overloads (`new GetObjectRequest(bucket, key)`, `s3.putObject(bucket,
    /// key, content)`). Only leading `String` members are listed, so overloads that differ in
    /// later parameters agree.
    pub(super) fn positional(
        &self,
        table: &[(&str, &[&str])],
        name: &str,
        args: Option<Node<'_>>,
        d: usize,
    ) -> Vec<(String, Arg)> {
        let Some(members) = table.iter().find(|(n, _)| *n == name).map(|(_, m)| *m) else {
            return Vec::new();
        };
        let Some(args) = args else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        let values: Vec<Node<'_>> = args
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .filter(|a| !a.kind().ends_with("comment"))
            .collect();
        // A single request object is no positional member.
        if values.len() == 1 && self.request(values[0], d).is_some() {
            return Vec::new();
        }
        members
            .iter()
            .zip(values)
            .map(|(m, v)| ((*m).to_string(), self.eval(v, d)))
            .collect()
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
        // `Target.builder()` with `...eventbridge.model.*` imported: a model structure.
        if name == "builder"
            && object.kind() == "identifier"
            && self.t(object).starts_with(|c: char| c.is_ascii_uppercase())
            && self.imports_model()
            && self.resolve(object, d).is_none()
        {
            return Some(Obj::Builder(Box::new(Obj::Shape(Vec::new()))));
        }
        match (self.resolve(object, d)?, name) {
            (Obj::Class(inner), "builder") => Some(Obj::Builder(inner)),
            (Obj::Class(inner), "create") => Some(*inner),
            // SDK v1: `AmazonS3ClientBuilder.standard()...build()`, `.defaultClient()`.
            (Obj::Class(inner), "standard") if matches!(*inner, Obj::Client(_)) => {
                Some(Obj::Builder(inner))
            }
            (Obj::Class(inner), "defaultClient") if matches!(*inner, Obj::Client(_)) => {
                Some(*inner)
            }
            // SDK v1 requests: `new PutItemRequest().withTableName(t).withItem(i)`.
            (Obj::Request(mut pairs), setter) if setter.starts_with("with") && setter.len() > 4 => {
                if let Some(arg) = args.and_then(|a| a.arg(0)) {
                    self.setter(&mut pairs, &setter[4..], arg, d);
                }
                Some(Obj::Request(pairs))
            }
            (Obj::DocumentDb, "getTable") => {
                let name = args
                    .and_then(|a| a.arg(0))
                    .map_or(Arg::Unknown, |a| self.eval(a, d));
                Some(Obj::Table(name))
            }
            (Obj::Builder(inner), "build") => Some(*inner),
            (Obj::Builder(inner), setter) => match *inner {
                Obj::Request(mut pairs) => {
                    if let Some(arg) = args.and_then(|a| a.arg(0)) {
                        self.setter(&mut pairs, setter, arg, d);
                    }
                    Some(Obj::Builder(Box::new(Obj::Request(pairs))))
                }
                Obj::Shape(mut pairs) => {
                    if let Some(arg) = args.and_then(|a| a.arg(0)) {
                        self.setter(&mut pairs, setter, arg, d);
                    }
                    Some(Obj::Builder(Box::new(Obj::Shape(pairs))))
                }
                other => Some(Obj::Builder(Box::new(other))),
            },
            (Obj::Client(service), "waiter") => Some(Obj::Waiter(service)),
            // `rdsClient.utilities()` is the client's `RdsUtilities`.
            (Obj::Client(service), "utilities") if service == "rds" => Some(Obj::Client(service)),
            (Obj::Enhanced, "table") => {
                let name = args
                    .and_then(|a| a.arg(0))
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
        // Entries built as requests (`entries(entry)`, `entries(List.of(a, b))`,
        // `withEntries(Arrays.asList(e))`) lend their members to the call.
        let nested = self.entries(arg, d);
        if !nested.is_empty() {
            pairs.extend(nested);
            return;
        }
        let name = member(name);
        // Members of a nested structure by their path (`Target.RoleArn`,
        // `Targets[].RoleArn`), where a parameter-dependent need reads them.
        if let Some(path) = crate::data::params().member_path(&name) {
            for shape in self.shapes(arg, d) {
                pairs.extend(shape.into_iter().map(|(k, v)| (format!("{path}.{k}"), v)));
            }
        }
        pairs.push((name, self.eval(arg, d)));
    }

    /// The structures an argument builds: one (`Target.builder()...build()`, a consumer
    /// `t -> t.roleArn(r)`), or a list of them (`List.of(a, b)`).
    fn shapes(&self, node: Node<'_>, d: usize) -> Vec<Vec<(String, Arg)>> {
        if d > MAX_DEPTH {
            return Vec::new();
        }
        if node.kind() == "lambda_expression" {
            return self.request(node, d).into_iter().collect();
        }
        match self.resolve(node, d) {
            Some(Obj::Shape(pairs)) => return vec![pairs],
            Some(Obj::Builder(inner)) => {
                if let Obj::Shape(pairs) = *inner {
                    return vec![pairs];
                }
                return Vec::new();
            }
            _ => {}
        }
        let is_list = node.kind() == "method_invocation"
            && node
                .child_by_field_name("name")
                .is_some_and(|n| matches!(self.t(n), "of" | "asList" | "singletonList"));
        if !is_list {
            return Vec::new();
        }
        let Some(args) = node.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        let items: Vec<Node<'_>> = args
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .collect();
        items
            .into_iter()
            .flat_map(|a| self.shapes(a, d + 1))
            .collect()
    }

    /// The members of a request argument: a built request, a builder, or a consumer lambda
    /// (`b -> b.bucket(x).key(k)`).
    pub(super) fn request(&self, node: Node<'_>, d: usize) -> Option<Vec<(String, Arg)>> {
        if node.kind() == "lambda_expression" {
            let params = node.child_by_field_name("parameters")?;
            let param = if params.kind() == "identifier" {
                params
            } else {
                params.arg(0)?
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

    /// The members of request entries an argument holds: one built entry, or a list of them
    /// (`List.of`, `Arrays.asList`, `Collections.singletonList`).
    fn entries(&self, node: Node<'_>, d: usize) -> Vec<(String, Arg)> {
        if d > MAX_DEPTH {
            return Vec::new();
        }
        if let Some(pairs) = self.request(node, d) {
            return pairs;
        }
        let is_list = node.kind() == "method_invocation"
            && node
                .child_by_field_name("name")
                .is_some_and(|n| matches!(self.t(n), "of" | "asList" | "singletonList"))
            && node
                .child_by_field_name("object")
                .is_some_and(|o| matches!(self.t(o), "List" | "Arrays" | "Collections" | "Set"));
        if !is_list {
            return Vec::new();
        }
        let Some(args) = node.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut cursor = args.walk();
        let items: Vec<Node<'_>> = args
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .collect();
        items
            .into_iter()
            .filter_map(|a| self.request(a, d + 1))
            .flatten()
            .collect()
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
                if let Some(arg) = node.child_by_field_name("arguments").and_then(|a| a.arg(0)) {
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
            "parenthesized_expression" => node.arg(0).map_or(Arg::Unknown, |n| self.eval(n, d)),
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
            // `HttpMethod.PUT` (SDK v1 presigned requests) is the method's name.
            "field_access"
                if node
                    .child_by_field_name("object")
                    .is_some_and(|o| self.t(o) == "HttpMethod") =>
            {
                node.child_by_field_name("field")
                    .map_or(Arg::Unknown, |f| Arg::Str(self.t(f).to_string()))
            }
            "identifier" | "field_access" => match self.resolve(node, d) {
                Some(Obj::Value(arg)) => arg,
                _ => Arg::Unknown,
            },
            "method_invocation" => self.event_field(node).unwrap_or(Arg::Unknown),
            _ => Arg::Unknown,
        }
    }

    /// A field of the invocation event or of the Lambda context a chain of getters reads
    /// (`record.getS3().getBucket().getName()`, `context.getFunctionName()`; see
    /// `code::event_read`).
    fn event_field(&self, node: Node<'_>) -> Option<Arg> {
        let mut members: Vec<String> = Vec::new();
        let mut at = node;
        for _ in 0..16 {
            match at.kind() {
                "method_invocation" => {
                    let args = at.child_by_field_name("arguments")?;
                    if args.arg_count() > 0 {
                        return None;
                    }
                    let name = self.t(at.child_by_field_name("name")?);
                    members.push(name.strip_prefix("get").unwrap_or(name).to_string());
                    at = at.child_by_field_name("object")?;
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

    /// `System.getenv("X")`, `System.getenv().get("X")`, `System.getenv().getOrDefault("X", d)`.
    pub(super) fn env_name(&self, node: Node<'_>, d: usize) -> Option<String> {
        if node.kind() != "method_invocation" {
            return None;
        }
        let object = node.child_by_field_name("object")?;
        let name = self.t(node.child_by_field_name("name")?);
        let args = node.child_by_field_name("arguments")?;
        let first = args.arg(0)?;
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
                        .is_some_and(|a| a.arg_count() == 0)
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

/// Leading `String` parameters of SDK v1 request constructors, as request members (AWS SDK
/// for Java 1.x API Reference, e.g. `GetObjectRequest(String bucketName, String key)`,
/// `SendMessageRequest(String queueUrl, String messageBody)`, `PublishRequest(String
/// topicArn, String message)`, `PutItemRequest(String tableName, Map item)`).
pub(super) const V1_REQUESTS: &[(&str, &[&str])] = &[
    ("GetObjectRequest", &["Bucket", "Key"]),
    ("PutObjectRequest", &["Bucket", "Key"]),
    ("DeleteObjectRequest", &["Bucket", "Key"]),
    ("GetObjectMetadataRequest", &["Bucket", "Key"]),
    ("GeneratePresignedUrlRequest", &["Bucket", "Key", "Method"]),
    ("ListObjectsRequest", &["Bucket"]),
    ("SendMessageRequest", &["QueueUrl"]),
    ("ReceiveMessageRequest", &["QueueUrl"]),
    ("DeleteMessageRequest", &["QueueUrl"]),
    ("SendMessageBatchRequest", &["QueueUrl"]),
    ("PublishRequest", &["TopicArn"]),
    ("PutItemRequest", &["TableName"]),
    ("GetItemRequest", &["TableName"]),
    ("DeleteItemRequest", &["TableName"]),
    ("UpdateItemRequest", &["TableName"]),
    ("QueryRequest", &["TableName"]),
    ("ScanRequest", &["TableName"]),
    ("PutRecordRequest", &["StreamName"]),
    ("InvokeRequest", &[]),
];

/// Leading `String` parameters of SDK v1 client convenience overloads, by `service.method`
/// (AWS SDK for Java 1.x API Reference: `AmazonS3.putObject(String bucketName, String key,
/// String content)`, `AmazonSQS.sendMessage(String queueUrl, String messageBody)`,
/// `AmazonSNS.publish(String topicArn, String message)`, `AmazonDynamoDB.putItem(String
/// tableName, Map item)`, `AmazonKinesis.putRecord(String streamName, …)`).
pub(super) const V1_OVERLOADS: &[(&str, &[&str])] = &[
    ("s3.putObject", &["Bucket", "Key"]),
    ("s3.getObject", &["Bucket", "Key"]),
    ("s3.getObjectAsString", &["Bucket", "Key"]),
    ("s3.getObjectMetadata", &["Bucket", "Key"]),
    ("s3.deleteObject", &["Bucket", "Key"]),
    ("s3.doesObjectExist", &["Bucket", "Key"]),
    (
        "s3.generatePresignedUrl",
        &["Bucket", "Key", "Expiration", "Method"],
    ),
    ("s3.listObjects", &["Bucket"]),
    ("s3.listObjectsV2", &["Bucket"]),
    ("s3.copyObject", &["Bucket", "Key"]),
    ("sqs.sendMessage", &["QueueUrl"]),
    ("sqs.receiveMessage", &["QueueUrl"]),
    ("sqs.deleteMessage", &["QueueUrl"]),
    ("sqs.getQueueUrl", &["QueueName"]),
    ("sqs.purgeQueue", &["QueueUrl"]),
    ("sns.publish", &["TopicArn"]),
    ("dynamodb.putItem", &["TableName"]),
    ("dynamodb.getItem", &["TableName"]),
    ("dynamodb.deleteItem", &["TableName"]),
    ("dynamodb.updateItem", &["TableName"]),
    ("dynamodb.scan", &["TableName"]),
    ("dynamodb.describeTable", &["TableName"]),
    ("kinesis.putRecord", &["StreamName"]),
];

/// A builder setter's API member name: `tableName` -> `TableName` (the SDK's setters are the
/// members with the first letter lower-cased).
pub(super) fn member(setter: &str) -> String {
    let mut chars = setter.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
