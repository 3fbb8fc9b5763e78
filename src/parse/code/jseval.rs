//! What a JavaScript / TypeScript expression refers to (an SDK object) or evaluates to.

use std::collections::BTreeMap;

use super::Named;
use tree_sitter::Node;

use super::{MAX_DEPTH, concat, text, unescape};
use crate::model::Arg;
use crate::source::SourceFile;

/// What a name is bound to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JsObj {
    /// A name exported by an `@aws-sdk/*` package (or by one of the signing packages
    /// `jssigned` reads, [`jssigned::PACKAGES`](super::jssigned::PACKAGES)).
    V3Export {
        package: String,
        name: String,
    },
    /// `import * as s3 from "@aws-sdk/client-s3"`.
    V3Namespace(String),
    /// A bare client (`S3Client`, `DynamoDBDocumentClient`): calls go through `send`.
    V3Client(String),
    /// An aggregated client (`S3`, `DynamoDBDocument`): one method per operation.
    V3Aggregated(String),
    Command {
        package: String,
        name: String,
        args: Vec<(String, Arg)>,
    },
    /// The `aws-sdk` (v2) module.
    V2Root,
    /// A v2 service class (`S3`, `DynamoDB.DocumentClient`).
    V2Class(String),
    V2Client(String),
    ProcessEnv,
    Value(Arg),
    Object(Vec<(String, Arg)>),
    /// A parameter of the enclosing function, by position (see `jsbind::parameters`).
    Param(usize),
    /// An object literal of SDK client classes (`{ s3: S3Client, sqs: AWS.SQS }`), by key.
    Classes(Vec<(String, JsObj)>),
    /// What a client factory returns (`function client(name) { return new AWS[name]() }`,
    /// `new clients[name]()`): the client of the class its parameter at `position` names,
    /// among `classes` (or v2's `AWS` when empty), made at each call.
    ClientOf {
        position: usize,
        classes: Vec<(String, JsObj)>,
    },
    /// A client signed with credentials given in code (`new S3Client({ credentials })`, v2
    /// `new AWS.S3({ accessKeyId, ... })`), such as an assumed role's or an authorizer's: its
    /// calls are not made with the execution role, so they need nothing from it.
    OtherCredentials,
    /// An IAM database authentication token signer (`new Signer({ hostname, port, username })`
    /// of `@aws-sdk/rds-signer`, v2 `new AWS.RDS.Signer(...)`), with its options.
    RdsSigner(Vec<(String, Arg)>),
    /// The client options `AwsSigv4Signer({ service })` returns, for service `es` or `aoss`.
    SearchSigner(String),
    /// An OpenSearch client signing for `service`, the node it is given and the namespace
    /// reached (`indices`).
    Search {
        service: String,
        endpoint: Arg,
        namespace: String,
    },
}

/// Credential providers that read the execution role's own credentials in Lambda (the
/// environment or the default chain); any other `credentials` value signs with something else.
/// <https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html>
/// ("Setting credentials in Node.js").
const ROLE_PROVIDERS: [&str; 4] = [
    "fromEnv",
    "fromNodeProviderChain",
    "defaultProvider",
    "fromContainerMetadata",
];

/// Client configuration keys that carry credentials: v3 `credentials`, v2 `credentials` and
/// the static `accessKeyId` / `sessionToken`.
const CREDENTIAL_KEYS: [&str; 3] = ["credentials", "accessKeyId", "sessionToken"];

/// What a module specifier gives when imported whole.
pub(crate) fn module_obj(module: &str) -> Option<JsObj> {
    if module == "aws-sdk" || module == "aws-sdk/global" {
        return Some(JsObj::V2Root);
    }
    if let Some(service) = module.strip_prefix("aws-sdk/clients/") {
        return Some(JsObj::V2Class(v2_class(service)));
    }
    (module.starts_with("@aws-sdk/") || super::jssigned::PACKAGES.contains(&module))
        .then(|| JsObj::V3Namespace(module.to_string()))
}

/// A client of an SDK class (`new S3Client()`, `new S3()`, v2 `new AWS.S3()`).
pub(crate) fn instance(class: JsObj) -> Option<JsObj> {
    match class {
        JsObj::V3Export { package, .. } if !is_service_package(&package) => None,
        JsObj::V3Export { package, name } if name.ends_with("Client") => {
            Some(JsObj::V3Client(package))
        }
        JsObj::V3Export { package, name }
            if name.starts_with(|c: char| c.is_ascii_uppercase())
                && name != "Upload"
                && !name.ends_with("Command") =>
        {
            Some(JsObj::V3Aggregated(package))
        }
        JsObj::V2Class(class) if is_v2_service(&class) => Some(JsObj::V2Client(class)),
        _ => None,
    }
}

/// The client of the class `key` names: among `classes`, or a v2 service class of `AWS` when
/// there are none.
fn client_named(classes: &[(String, JsObj)], key: &str) -> Option<JsObj> {
    if classes.is_empty() {
        return instance(JsObj::V2Class(key.to_string()));
    }
    let (_, class) = classes.iter().find(|(k, _)| k == key)?;
    instance(class.clone())
}

/// Packages whose classes are service clients and commands (not signers, credential
/// providers, marshallers or HTTP helpers).
pub(crate) fn is_service_package(package: &str) -> bool {
    package.starts_with("@aws-sdk/client-")
        || package == "@aws-sdk/lib-dynamodb"
        || package == "@aws-sdk/lib-storage"
}

/// v2 classes of `aws-sdk` that are not services.
fn is_v2_service(class: &str) -> bool {
    const NOT_SERVICES: &[&str] = &[
        "Signers",
        "Credentials",
        "CredentialProviderChain",
        "EnvironmentCredentials",
        "SharedIniFileCredentials",
        "CognitoIdentityCredentials",
        "ChainableTemporaryCredentials",
        "TemporaryCredentials",
        "EC2MetadataCredentials",
        "ECSCredentials",
        "WebIdentityCredentials",
        "Config",
        "Endpoint",
        "HttpRequest",
        "HttpClient",
        "NodeHttpClient",
        "Response",
        "Request",
        "MetadataService",
        "Service",
        "SequentialExecutor",
        "EventListeners",
    ];
    let first = class.split('.').next().unwrap_or(class);
    !NOT_SERVICES.contains(&first) && !class.ends_with("Converter")
}

/// The class name of an `aws-sdk/clients/<file>` module (the file is the lowercased class).
fn v2_class(file: &str) -> String {
    const CLASSES: &[&str] = &[
        "S3",
        "DynamoDB",
        "SQS",
        "SNS",
        "SSM",
        "SecretsManager",
        "KMS",
        "STS",
        "Lambda",
        "StepFunctions",
        "Kinesis",
        "Firehose",
        "SES",
        "CloudWatch",
        "CloudWatchLogs",
        "CloudWatchEvents",
        "EventBridge",
        "Rekognition",
        "Textract",
        "Comprehend",
        "Translate",
        "Polly",
        "Athena",
        "Glue",
        "IAM",
        "EC2",
        "ECS",
        "CognitoIdentityServiceProvider",
        "APIGateway",
        "ApiGatewayManagementApi",
        "IotData",
        "CloudFormation",
        "CodePipeline",
        "TranscribeService",
        "XRay",
        "AppConfig",
        "Route53",
    ];
    CLASSES
        .iter()
        .find(|c| c.eq_ignore_ascii_case(file))
        .map_or_else(|| file.to_string(), |c| (*c).to_string())
}

pub(crate) struct Env<'a> {
    pub file: &'a SourceFile,
    pub names: BTreeMap<String, JsObj>,
}

impl Env<'_> {
    pub(crate) fn t(&self, node: Node<'_>) -> &str {
        text(self.file, node)
    }

    fn lookup(&self, key: &str) -> Option<JsObj> {
        if let Some(obj) = self.names.get(key) {
            return Some(obj.clone());
        }
        let field = key.strip_prefix("this.")?;
        self.names.get(field).cloned()
    }

    /// The SDK object an expression refers to.
    pub(crate) fn resolve(&self, node: Node<'_>, depth: usize) -> Option<JsObj> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match node.kind() {
            "identifier" | "this" | "shorthand_property_identifier" => self.lookup(self.t(node)),
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type_assertion" => self.resolve(node.arg(0)?, d),
            "member_expression" => {
                if let Some(obj) = self.lookup(self.t(node)) {
                    return Some(obj);
                }
                let object = node.child_by_field_name("object")?;
                let property = self.t(node.child_by_field_name("property")?);
                if self.t(object) == "process" && property == "env" {
                    return Some(JsObj::ProcessEnv);
                }
                Some(match (self.resolve(object, d)?, property) {
                    (JsObj::V3Namespace(package), name) => JsObj::V3Export {
                        package,
                        name: name.to_string(),
                    },
                    (JsObj::V2Root, name) => JsObj::V2Class(name.to_string()),
                    (JsObj::V2Class(class), name)
                        if name.starts_with(|c: char| c.is_ascii_uppercase()) =>
                    {
                        JsObj::V2Class(format!("{class}.{name}"))
                    }
                    (JsObj::Object(pairs), name) => {
                        JsObj::Value(pairs.into_iter().find(|(k, _)| k == name)?.1)
                    }
                    (
                        JsObj::Search {
                            service,
                            endpoint,
                            namespace,
                        },
                        space @ ("indices" | "transport"),
                    ) if namespace.is_empty() => JsObj::Search {
                        service,
                        endpoint,
                        namespace: space.to_string(),
                    },
                    _ => return None,
                })
            }
            "new_expression" => {
                let args = node.child_by_field_name("arguments");
                let constructor = node.child_by_field_name("constructor")?;
                if let Some(made) = self.v2_by_name(constructor, d) {
                    return Some(made);
                }
                let class = self.resolve(constructor, d)?;
                if let Some(made) = super::jssigned::construct(self, &class, args, d) {
                    return Some(made);
                }
                match class {
                    JsObj::V3Export { package, name }
                        if name.ends_with("Command") && is_service_package(&package) =>
                    {
                        let args = args
                            .and_then(|a| a.arg(0))
                            .map(|a| self.request(a, d))
                            .unwrap_or_default();
                        Some(JsObj::Command {
                            package,
                            name,
                            args,
                        })
                    }
                    class => {
                        let client = instance(class)?;
                        if args.is_some_and(|a| self.other_credentials(a)) {
                            return Some(JsObj::OtherCredentials);
                        }
                        Some(client)
                    }
                }
            }
            "object" => {
                let mut cursor = node.walk();
                let classes: Vec<(String, JsObj)> = node
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                    .filter_map(|child| {
                        let (key, value) = match child.kind() {
                            "pair" => (
                                child.child_by_field_name("key")?,
                                child.child_by_field_name("value")?,
                            ),
                            "shorthand_property_identifier" => (child, child),
                            _ => return None,
                        };
                        let key = match self.eval(key, d) {
                            Arg::Str(s) => s,
                            _ => self.t(key).to_string(),
                        };
                        let class = self.resolve(value, d)?;
                        instance(class.clone())?;
                        Some((key, class))
                    })
                    .collect();
                (!classes.is_empty()).then_some(JsObj::Classes(classes))
            }
            "call_expression" => {
                let function = node.child_by_field_name("function")?;
                let args = node.child_by_field_name("arguments");
                if function.kind() == "import" || self.t(function) == "require" {
                    let first = args?.arg(0)?;
                    return match self.eval(first, d) {
                        Arg::Str(module) => module_obj(&module),
                        _ => None,
                    };
                }
                if let Some(obj) = self.names.get(&format!("{}()", self.t(function))) {
                    return self.returned(obj.clone(), args, d);
                }
                let callee = self.t(function);
                // X-Ray and Powertools tracers wrap a client and return it:
                // `AWSXRay.captureAWSv3Client(new S3Client({}))`, `captureAWS(require("aws-sdk"))`.
                if callee
                    .rsplit('.')
                    .next()
                    .is_some_and(|m| m.starts_with("captureAWS"))
                {
                    return self.resolve(args?.arg(0)?, d);
                }
                if let Some(made) = super::jssigned::made_by_call(self, function, args, d) {
                    return Some(made);
                }
                if function.kind() != "member_expression" {
                    return None;
                }
                let method = self.t(function.child_by_field_name("property")?);
                let Some(object) = self.resolve(function.child_by_field_name("object")?, d) else {
                    // A factory of a module or class the table does not know
                    // (`clients.make("SNS")`): what the function of that name returns.
                    let obj = self.names.get(&format!("{method}()"))?;
                    return self.returned(obj.clone(), args, d);
                };
                let wraps_other = || {
                    args.and_then(|a| a.arg(0)).and_then(|a| self.resolve(a, d))
                        == Some(JsObj::OtherCredentials)
                };
                match (object, method) {
                    (JsObj::V3Export { .. }, "from") if wraps_other() => {
                        Some(JsObj::OtherCredentials)
                    }
                    (JsObj::V3Export { package, name }, "from") if name.ends_with("Client") => {
                        Some(JsObj::V3Client(package))
                    }
                    (JsObj::V3Export { package, .. }, "from") => Some(JsObj::V3Aggregated(package)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Whether a client constructor's configuration (its first argument, an object literal)
    /// gives credentials other than the execution role's.
    fn other_credentials(&self, args: Node<'_>) -> bool {
        let Some(config) = args.arg(0).filter(|c| c.kind() == "object") else {
            return false;
        };
        let mut cursor = config.walk();
        config
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .any(|child| {
                let (key, value) = match child.kind() {
                    "pair" => match (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) {
                        (Some(k), Some(v)) => (self.t(k).trim_matches(['"', '\'']), Some(v)),
                        _ => return false,
                    },
                    "shorthand_property_identifier" => (self.t(child), None),
                    _ => return false,
                };
                if !CREDENTIAL_KEYS.contains(&key) {
                    return false;
                }
                let provider = value
                    .filter(|v| v.kind() == "call_expression")
                    .and_then(|v| v.child_by_field_name("function"))
                    .map(|f| self.t(f).rsplit('.').next().unwrap_or_default());
                !provider.is_some_and(|p| ROLE_PROVIDERS.contains(&p))
            })
    }

    /// `new AWS[name]()`: the v2 client of a service named by a string, or, inside a factory,
    /// by the parameter the factory's callers pass.
    fn v2_by_name(&self, constructor: Node<'_>, d: usize) -> Option<JsObj> {
        if constructor.kind() != "subscript_expression" {
            return None;
        }
        let classes = match self.resolve(constructor.child_by_field_name("object")?, d)? {
            JsObj::V2Root => Vec::new(),
            JsObj::Classes(classes) => classes,
            _ => return None,
        };
        let index = constructor.child_by_field_name("index")?;
        match (self.eval(index, d), self.resolve(index, d)) {
            (Arg::Str(key), _) => client_named(&classes, &key),
            (_, Some(JsObj::Param(position))) => Some(JsObj::ClientOf { position, classes }),
            _ => None,
        }
    }

    /// What a call of a local function returns, given the call's arguments: a factory's
    /// client of the service the call names, anything else as the function returns it.
    fn returned(&self, obj: JsObj, args: Option<Node<'_>>, d: usize) -> Option<JsObj> {
        let JsObj::ClientOf { position, classes } = obj else {
            return Some(obj);
        };
        let mut cursor = args?.walk();
        let arg = args?
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .filter(|a| a.kind() != "comment")
            .nth(position)?;
        match self.eval(arg, d) {
            Arg::Str(key) => client_named(&classes, &key),
            _ => None,
        }
    }

    /// The value of an argument expression.
    pub(crate) fn eval(&self, node: Node<'_>, depth: usize) -> Arg {
        if depth > MAX_DEPTH {
            return Arg::Unknown;
        }
        let d = depth + 1;
        match node.kind() {
            "string" => {
                let raw = self.t(node);
                Arg::Str(unescape(
                    raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""),
                ))
            }
            "template_string" => {
                let mut parts = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor).filter(|n| !n.is_extra()) {
                    parts.push(match child.kind() {
                        "string_fragment" => Arg::Str(self.t(child).to_string()),
                        "escape_sequence" => Arg::Str(unescape(self.t(child))),
                        "template_substitution" => {
                            child.arg(0).map_or(Arg::Unknown, |e| self.eval(e, d))
                        }
                        _ => continue,
                    });
                }
                concat(parts)
            }
            "binary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map_or("", |o| self.t(o));
                let left = node
                    .child_by_field_name("left")
                    .map_or(Arg::Unknown, |n| self.eval(n, d));
                let right = || {
                    node.child_by_field_name("right")
                        .map_or(Arg::Unknown, |n| self.eval(n, d))
                };
                match op {
                    "+" => concat(vec![left, right()]),
                    "||" | "??" if left != Arg::Unknown => left,
                    "||" | "??" => right(),
                    _ => Arg::Unknown,
                }
            }
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression" => node.arg(0).map_or(Arg::Unknown, |n| self.eval(n, d)),
            "member_expression" | "subscript_expression" | "identifier" => {
                if let Some(name) = self.env_name(node, d) {
                    return Arg::Env(name);
                }
                match self.resolve(node, d) {
                    Some(JsObj::Value(arg)) => arg,
                    _ => self.event_field(node).unwrap_or(Arg::Unknown),
                }
            }
            "call_expression" => {
                let function = node.child_by_field_name("function");
                let first = node.child_by_field_name("arguments").and_then(|a| a.arg(0));
                match (function.map(|f| self.t(f)), first) {
                    (Some("String"), Some(first)) => self.eval(first, d),
                    _ => Arg::Unknown,
                }
            }
            _ => Arg::Unknown,
        }
    }

    /// A field of the invocation event or of the Lambda context a chain of member reads
    /// reads (`record.s3.bucket.name`, `context.functionName`; see `code::event_read`).
    fn event_field(&self, node: Node<'_>) -> Option<Arg> {
        let mut members: Vec<String> = Vec::new();
        let mut at = node;
        for _ in 0..16 {
            match at.kind() {
                "member_expression" => {
                    members.push(self.t(at.child_by_field_name("property")?).to_string());
                    at = at.child_by_field_name("object")?;
                }
                "subscript_expression" => {
                    let index = at.child_by_field_name("index")?;
                    match (index.kind(), self.eval(index, MAX_DEPTH)) {
                        ("number", _) => {}
                        (_, Arg::Str(k)) => members.push(k),
                        _ => return None,
                    }
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

    /// `process.env.X`, `process.env["X"]`.
    pub(crate) fn env_name(&self, node: Node<'_>, depth: usize) -> Option<String> {
        let (object, key) = match node.kind() {
            "member_expression" => {
                let property = node.child_by_field_name("property")?;
                (
                    node.child_by_field_name("object")?,
                    Arg::Str(self.t(property).to_string()),
                )
            }
            "subscript_expression" => (
                node.child_by_field_name("object")?,
                self.eval(node.child_by_field_name("index")?, depth + 1),
            ),
            _ => return None,
        };
        if self.resolve(object, depth + 1)? != JsObj::ProcessEnv {
            return None;
        }
        match key {
            Arg::Str(name) => Some(name),
            _ => None,
        }
    }

    /// The properties of an object literal (or of a name bound to one).
    pub(crate) fn object(&self, node: Node<'_>, depth: usize) -> Vec<(String, Arg)> {
        self.object_at(node, depth, depth == 0)
    }

    /// [`Self::object`] for an object that is a request's parameters (`top`), whose nested
    /// members a parameter-dependent need may read, wherever the request is evaluated (a
    /// command written inline in `send(new XCommand({...}))`).
    pub(crate) fn request(&self, node: Node<'_>, depth: usize) -> Vec<(String, Arg)> {
        self.object_at(node, depth, true)
    }

    fn object_at(&self, node: Node<'_>, depth: usize, top: bool) -> Vec<(String, Arg)> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let d = depth + 1;
        if node.kind() != "object" {
            return match self.resolve(node, d) {
                Some(JsObj::Object(pairs)) => pairs,
                _ => Vec::new(),
            };
        }
        let mut out = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor).filter(|n| !n.is_extra()) {
            match child.kind() {
                "pair" => {
                    let (Some(k), Some(v)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key = match k.kind() {
                        "string" => match self.eval(k, d) {
                            Arg::Str(s) => s,
                            _ => continue,
                        },
                        "property_identifier" => self.t(k).to_string(),
                        _ => continue,
                    };
                    // Members of a nested structure by their path (`Target.RoleArn`,
                    // `Targets[].RoleArn`), one level deep, where a parameter-dependent need
                    // reads them.
                    let reads = top && crate::data::params().reads_members(&key);
                    let nested: Vec<(String, Arg)> = match v.kind() {
                        "object" if reads => self
                            .object(v, d)
                            .into_iter()
                            .map(|(k, a)| (format!("{key}.{k}"), a))
                            .collect(),
                        "array" if reads => {
                            let mut items = v.walk();
                            v.named_children(&mut items)
                                .filter(|n| !n.is_extra())
                                .filter(|i| i.kind() == "object")
                                .flat_map(|i| self.object(i, d))
                                .map(|(k, a)| (format!("{key}[].{k}"), a))
                                .collect()
                        }
                        _ => Vec::new(),
                    };
                    out.push((key, self.eval(v, d)));
                    out.extend(nested);
                }
                "shorthand_property_identifier" => {
                    let name = self.t(child).to_string();
                    let value = match self.names.get(&name) {
                        Some(JsObj::Value(arg)) => arg.clone(),
                        _ => Arg::Unknown,
                    };
                    out.push((name, value));
                }
                "spread_element" => {
                    if let Some(inner) = child.arg(0) {
                        out.extend(self.object(inner, d));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The node of property `name` in an object literal.
    pub(crate) fn property<'t>(&self, node: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut cursor = node.walk();
        let found = node
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .find(|c| match c.kind() {
                "pair" => c
                    .child_by_field_name("key")
                    .is_some_and(|k| self.t(k).trim_matches(['"', '\'']) == name),
                "shorthand_property_identifier" => self.t(*c) == name,
                _ => false,
            })?;
        // `{ params }` is the identifier itself, which `object` resolves to its binding.
        if found.kind() == "shorthand_property_identifier" {
            return Some(found);
        }
        found.child_by_field_name("value")
    }
}
