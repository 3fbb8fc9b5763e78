//! What a Go expression refers to (an SDK package, client or request) or evaluates to (an
//! [`Arg`]).

use std::collections::{BTreeMap, HashMap};

use super::Named;
use tree_sitter::Node;

use super::{MAX_DEPTH, concat, text};
use crate::model::Arg;
use crate::source::SourceFile;

/// What a name is bound to.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Obj {
    /// An imported package, by its import path.
    Package(String),
    /// A service client (`*s3.Client`, v1 `*s3.S3`, `s3iface.S3API`); `presign` for
    /// `s3.NewPresignClient`, whose `PresignGetObject` signs a `GetObject` for later use.
    Client {
        service: String,
        presign: bool,
    },
    /// `manager.NewUploader` / `manager.NewDownloader` (v1 `s3manager`).
    Uploader,
    Downloader,
    /// The index of the `NewXPaginator` / `NewXWaiter` call in the output.
    Paginator(usize),
    Waiter(usize),
    /// A composite literal: an SDK request (`&s3.GetObjectInput{...}`) or a local struct.
    Fields(Vec<(String, Arg)>),
    Value(Arg),
    /// An OpenSearch request signer (opensearch-go `signer/awsv2.NewSigner`,
    /// `NewSignerWithService`) for service `es` or `aoss`; see `gosigned`.
    SearchSigner(String),
    /// An opensearch-go request struct (`opensearchapi.IndexRequest{...}`), by the API it
    /// calls (`Index`, `IndicesCreate`), sent with `.Do(ctx, client)`.
    SearchRequest(String),
    /// An OpenSearch client signing for `service`, its first address and the namespace
    /// reached (`Indices`).
    Search {
        service: String,
        endpoint: Arg,
        namespace: String,
    },
}

/// What an import path is to the extractor.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Package {
    /// `github.com/aws/aws-sdk-go-v2/service/<name>` (or v1 `aws-sdk-go`), with its `*iface`.
    Service(String),
    /// `feature/s3/manager` (v2) or `service/s3/s3manager` (v1).
    Manager,
    /// `os`.
    Os,
    /// `fmt`.
    Fmt,
    /// IAM database authentication tokens: v2 `feature/rds/auth`, v1 `service/rds/rdsutils`.
    RdsAuth,
    /// opensearch-go's request signers (`signer/awsv2`, `signer/aws`).
    SearchSigner,
    /// opensearch-go's client packages (`opensearch`, `opensearchapi`).
    OpenSearch,
    Other,
}

/// Classifies an import path.
pub(super) fn package(path: &str) -> Package {
    if path == "os" {
        return Package::Os;
    }
    if path == "fmt" {
        return Package::Fmt;
    }
    if path == "github.com/aws/aws-sdk-go-v2/feature/rds/auth"
        || path == "github.com/aws/aws-sdk-go/service/rds/rdsutils"
    {
        return Package::RdsAuth;
    }
    if let Some(rest) = path.strip_prefix("github.com/opensearch-project/opensearch-go") {
        if rest.contains("/signer/") {
            return Package::SearchSigner;
        }
        let last = rest.rsplit('/').next().unwrap_or("");
        let version = last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
        if rest.is_empty() || last == "opensearchapi" || version {
            return Package::OpenSearch;
        }
        return Package::Other;
    }
    let rest = path
        .strip_prefix("github.com/aws/aws-sdk-go-v2/")
        .or_else(|| path.strip_prefix("github.com/aws/aws-sdk-go/"));
    let Some(rest) = rest else {
        return Package::Other;
    };
    if rest == "feature/s3/manager" || rest == "service/s3/s3manager" {
        return Package::Manager;
    }
    let Some(service) = rest.strip_prefix("service/") else {
        return Package::Other;
    };
    let mut parts = service.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, _) => Package::Service(name.to_string()),
        // v1 `service/s3/s3iface` holds the client interface.
        (Some(name), Some(sub), None) if sub == format!("{name}iface") => {
            Package::Service(name.to_string())
        }
        _ => Package::Other,
    }
}

pub(super) struct Env<'a> {
    pub file: &'a SourceFile,
    pub names: BTreeMap<String, Obj>,
    /// Calls already turned into paginators or waiters (tree-sitter node id).
    pub memo: HashMap<usize, Obj>,
}

impl Env<'_> {
    pub(super) fn t(&self, node: Node<'_>) -> &str {
        text(self.file, node)
    }

    /// The package an identifier names (`s3`, an alias), if it is an import.
    pub(super) fn package_of(&self, node: Node<'_>) -> Option<Package> {
        if node.kind() != "identifier" && node.kind() != "package_identifier" {
            return None;
        }
        match self.names.get(self.t(node)) {
            Some(Obj::Package(path)) => Some(package(path)),
            _ => None,
        }
    }

    /// The package a selector's operand names (`os` in `os.Getenv`).
    pub(super) fn package_of_operand(&self, selector: Node<'_>) -> Option<Package> {
        self.package_of(selector.child_by_field_name("operand")?)
    }

    /// The SDK object a type names: `*s3.Client`, `s3.Client`, v1 `*dynamodb.DynamoDB`,
    /// `dynamodbiface.DynamoDBAPI`, `*manager.Uploader`.
    pub(super) fn type_obj(&self, node: Node<'_>) -> Option<Obj> {
        let node = if node.kind() == "pointer_type" {
            node.arg(0)?
        } else {
            node
        };
        if node.kind() != "qualified_type" {
            return None;
        }
        let pkg = self.package_of(node.child_by_field_name("package")?)?;
        let name = self.t(node.child_by_field_name("name")?);
        match pkg {
            Package::Service(service) => {
                let presign = name == "PresignClient";
                let client = name == "Client"
                    || presign
                    || name.ends_with("API")
                    || name.eq_ignore_ascii_case(&service);
                client.then_some(Obj::Client { service, presign })
            }
            Package::Manager if name == "Uploader" => Some(Obj::Uploader),
            Package::Manager if name == "Downloader" => Some(Obj::Downloader),
            _ => None,
        }
    }

    /// What an expression refers to.
    pub(super) fn resolve(&self, node: Node<'_>, depth: usize) -> Option<Obj> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        if let Some(obj) = self.memo.get(&node.id()) {
            return Some(obj.clone());
        }
        match node.kind() {
            "identifier" => self.names.get(self.t(node)).cloned(),
            "parenthesized_expression" => self.resolve(node.arg(0)?, d),
            "unary_expression" => self.resolve(node.child_by_field_name("operand")?, d),
            "selector_expression" => {
                let operand = node.child_by_field_name("operand")?;
                let field = self.t(node.child_by_field_name("field")?);
                if let Some(Obj::Fields(pairs)) = self.resolve(operand, d)
                    && let Some((_, v)) = pairs
                        .into_iter()
                        .find(|(k, v)| k == field && *v != Arg::Unknown)
                {
                    return Some(Obj::Value(v));
                }
                if let Some(Obj::Search {
                    service,
                    endpoint,
                    namespace,
                }) = self.resolve(operand, d)
                    && namespace.is_empty()
                    && field == "Indices"
                {
                    return Some(Obj::Search {
                        service,
                        endpoint,
                        namespace: "indices".to_string(),
                    });
                }
                // Struct fields live in the flat table under their name (`h.db` -> `.db`).
                self.names
                    .get(self.t(node))
                    .or_else(|| self.names.get(&format!(".{field}")))
                    .cloned()
            }
            "composite_literal" => {
                if let Some(api) = self.search_request(node) {
                    return Some(Obj::SearchRequest(api));
                }
                Some(Obj::Fields(
                    self.fields(node.child_by_field_name("body")?, d),
                ))
            }
            "call_expression" => self.call_obj(node, d),
            _ => None,
        }
    }

    /// Clients made by constructors: `s3.NewFromConfig(cfg)`, v1 `s3.New(sess)`,
    /// `s3.NewPresignClient(c)`, `manager.NewUploader(c)`, and by the file's own functions
    /// declared to return one (`newS3(ctx)`, `h.client()`).
    fn call_obj(&self, node: Node<'_>, d: usize) -> Option<Obj> {
        let function = node.child_by_field_name("function")?;
        if function.kind() == "identifier" {
            return self.local_result(self.t(function));
        }
        if function.kind() != "selector_expression" {
            return None;
        }
        let name = self.t(function.child_by_field_name("field")?);
        let pkg = self.package_of(function.child_by_field_name("operand")?);
        // A function of the file, or of a local package the file imports (`awsx.NewS3(cfg)`).
        if matches!(pkg, None | Some(Package::Other))
            && let Some(obj) = self.local_result(name)
        {
            return Some(obj);
        }
        match pkg {
            Some(Package::Service(service)) => match name {
                "New" | "NewFromConfig" => Some(Obj::Client {
                    service,
                    presign: false,
                }),
                "NewPresignClient" => Some(Obj::Client {
                    service,
                    presign: true,
                }),
                _ => None,
            },
            Some(Package::Manager) if name.starts_with("NewUploader") => Some(Obj::Uploader),
            Some(Package::Manager) if name.starts_with("NewDownloader") => Some(Obj::Downloader),
            Some(Package::SearchSigner | Package::OpenSearch) => {
                super::gosigned::made(self, name, node, d)
            }
            Some(_) => Some(Obj::Value(self.eval(node, d))),
            None => None,
        }
    }

    /// The SDK client a local function or method returns, by its declared result type (see
    /// `go::returns`).
    fn local_result(&self, name: &str) -> Option<Obj> {
        match self.names.get(&format!("{name}()")) {
            Some(obj @ (Obj::Client { .. } | Obj::Uploader | Obj::Downloader)) => Some(obj.clone()),
            _ => None,
        }
    }

    /// The API an `opensearchapi.<Api>Request{...}` literal calls.
    fn search_request(&self, node: Node<'_>) -> Option<String> {
        let ty = node.child_by_field_name("type")?;
        if ty.kind() != "qualified_type" {
            return None;
        }
        if self.package_of(ty.child_by_field_name("package")?)? != Package::OpenSearch {
            return None;
        }
        let name = self.t(ty.child_by_field_name("name")?);
        name.strip_suffix("Request")
            .filter(|a| !a.is_empty())
            .map(str::to_string)
    }

    /// `Key: value` elements of a composite literal's body.
    pub(super) fn fields(&self, body: Node<'_>, d: usize) -> Vec<(String, Arg)> {
        let mut out = Vec::new();
        let mut cursor = body.walk();
        for element in body.named_children(&mut cursor).filter(|n| !n.is_extra()) {
            if element.kind() != "keyed_element" {
                continue;
            }
            let (Some(key), Some(value)) = (element.arg(0), element.arg(1)) else {
                continue;
            };
            let key = self.t(key).trim();
            if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let value = if value.kind() == "literal_element" {
                value.arg(0).unwrap_or(value)
            } else {
                value
            };
            // Members of a nested structure by their path (`Target.RoleArn`,
            // `Targets[].RoleArn`), where a parameter-dependent need reads them.
            if let Some(path) = crate::data::params().member_path(key) {
                for (k, v) in self.nested(value, d) {
                    out.push((format!("{path}.{k}"), v));
                }
            }
            out.push((key.to_string(), self.eval(value, d)));
        }
        out
    }

    /// The fields of the structures a value builds: `&types.Target{...}`, a name bound to
    /// one, or each element of `[]types.Target{{...}, {...}}`.
    fn nested(&self, value: Node<'_>, d: usize) -> Vec<(String, Arg)> {
        if d > MAX_DEPTH {
            return Vec::new();
        }
        let value = if value.kind() == "unary_expression" {
            match value.child_by_field_name("operand") {
                Some(v) => v,
                None => return Vec::new(),
            }
        } else {
            value
        };
        match value.kind() {
            "composite_literal" => {
                let slice = value
                    .child_by_field_name("type")
                    .is_some_and(|t| t.kind() == "slice_type");
                let Some(body) = value.child_by_field_name("body") else {
                    return Vec::new();
                };
                if !slice {
                    return self.fields(body, d + 1);
                }
                let mut cursor = body.walk();
                let items: Vec<Node<'_>> = body
                    .named_children(&mut cursor)
                    .filter(|n| !n.is_extra())
                    .collect();
                items
                    .into_iter()
                    .flat_map(|item| {
                        let item = if item.kind() == "literal_element" {
                            item.arg(0).unwrap_or(item)
                        } else {
                            item
                        };
                        match item.kind() {
                            "literal_value" => self.fields(item, d + 1),
                            _ => self.nested(item, d + 1),
                        }
                    })
                    .collect()
            }
            _ => match self.resolve(value, d) {
                Some(Obj::Fields(pairs)) => pairs,
                _ => Vec::new(),
            },
        }
    }

    /// What an expression evaluates to.
    pub(super) fn eval(&self, node: Node<'_>, depth: usize) -> Arg {
        if depth > MAX_DEPTH {
            return Arg::Unknown;
        }
        let d = depth + 1;
        match node.kind() {
            "interpreted_string_literal" => Arg::Str(super::unescape(
                self.t(node)
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(""),
            )),
            "raw_string_literal" => Arg::Str(self.t(node).trim_matches('`').to_string()),
            "parenthesized_expression" | "literal_element" => {
                node.arg(0).map_or(Arg::Unknown, |n| self.eval(n, d))
            }
            "unary_expression" => node
                .child_by_field_name("operand")
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
            "identifier" | "selector_expression" => match self.resolve(node, d) {
                Some(Obj::Value(arg)) => arg,
                _ => self.event_field(node).unwrap_or(Arg::Unknown),
            },
            "call_expression" => self.call_value(node, d),
            _ => Arg::Unknown,
        }
    }

    /// A field of the invocation event or of the Lambda context a chain of selectors reads
    /// (`record.S3.Bucket.Name`, `lambdacontext.FunctionName` of
    /// `github.com/aws/aws-lambda-go/lambdacontext`; see `code::event_read`).
    fn event_field(&self, node: Node<'_>) -> Option<Arg> {
        let mut members: Vec<String> = Vec::new();
        let mut at = node;
        for _ in 0..16 {
            match at.kind() {
                "selector_expression" => {
                    members.push(self.t(at.child_by_field_name("field")?).to_string());
                    at = at.child_by_field_name("operand")?;
                }
                "index_expression" => at = at.child_by_field_name("operand")?,
                "identifier" | "package_identifier" => {
                    members.reverse();
                    let members: Vec<&str> = members.iter().map(String::as_str).collect();
                    let root = self.t(at);
                    // The context's function name is a package variable of `lambdacontext`.
                    let package = match self.names.get(root) {
                        Some(Obj::Package(path)) => Some(path.as_str()),
                        _ => None,
                    };
                    if package.is_some_and(|p| p != "github.com/aws/aws-lambda-go/lambdacontext") {
                        return None;
                    }
                    return super::event_read(root, &members);
                }
                _ => return None,
            }
        }
        None
    }

    /// `aws.String(x)`, `os.Getenv("X")`, `fmt.Sprintf("%s/x", a)`.
    fn call_value(&self, node: Node<'_>, d: usize) -> Arg {
        if let Some(name) = self.env_name(node, d) {
            return Arg::Env(name);
        }
        let (Some(function), Some(args)) = (
            node.child_by_field_name("function"),
            node.child_by_field_name("arguments"),
        ) else {
            return Arg::Unknown;
        };
        if function.kind() != "selector_expression" {
            return Arg::Unknown;
        }
        let name = function
            .child_by_field_name("field")
            .map_or("", |f| self.t(f));
        let pkg = function
            .child_by_field_name("operand")
            .and_then(|o| self.package_of(o));
        let mut cursor = args.walk();
        let list: Vec<Node<'_>> = args
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .collect();
        match (pkg, name) {
            // `aws.String`, `jsii.String`, `aws.ToString`: pointer helpers pass the value on.
            (Some(Package::Other), "String" | "ToString" | "StringValue") if list.len() == 1 => {
                self.eval(list[0], d)
            }
            (Some(Package::Fmt), "Sprintf") if !list.is_empty() => {
                let Arg::Str(format) = self.eval(list[0], d) else {
                    return Arg::Unknown;
                };
                let mut parts = Vec::new();
                let mut rest = list[1..].iter();
                let mut pieces = format.split('%');
                parts.push(Arg::Str(pieces.next().unwrap_or("").to_string()));
                for piece in pieces {
                    // `%s`, `%v`, `%d`: one verb letter; `%%` is a literal percent sign.
                    let mut chars = piece.chars();
                    match chars.next() {
                        None => parts.push(Arg::Str("%".into())),
                        Some(_) => {
                            parts.push(rest.next().map_or(Arg::Unknown, |a| self.eval(*a, d)));
                            parts.push(Arg::Str(chars.as_str().to_string()));
                        }
                    }
                }
                concat(parts)
            }
            _ => Arg::Unknown,
        }
    }

    /// The variable `os.Getenv(name)` / `os.LookupEnv(name)` reads, when the name is known.
    pub(super) fn env_name(&self, node: Node<'_>, d: usize) -> Option<String> {
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        if function.kind() != "selector_expression" {
            return None;
        }
        let name = self.t(function.child_by_field_name("field")?);
        if !matches!(name, "Getenv" | "LookupEnv")
            || self.package_of(function.child_by_field_name("operand")?) != Some(Package::Os)
        {
            return None;
        }
        match self.eval(node.child_by_field_name("arguments")?.arg(0)?, d) {
            Arg::Str(name) => Some(name),
            _ => None,
        }
    }
}
