//! Python calls that are no SDK client method yet need an IAM action
//! ([`CallStyle::Action`]):
//! - boto3 `rds.generate_db_auth_token(DBHostname, Port, DBUsername, Region)`: `rds-db:connect`;
//! - SigV4-signed HTTP to OpenSearch: a signer (`requests_aws4auth.AWS4Auth`,
//!   `opensearchpy.AWSV4SignerAuth` / `Urllib3AWSV4SignerAuth`, `botocore.auth.SigV4Auth`,
//!   `requests_auth_aws_sigv4.AWSSigV4`) for service `es` or `aoss`, used as the `auth=` of a
//!   `requests`-style verb call, the `http_auth=` of an `OpenSearch` / `Elasticsearch` client,
//!   or adding its signature to a botocore `AWSRequest`: `es:ESHttp<Method>` (see
//!   [`CLIENT_METHODS`]) or `aoss:APIAccessAll`;
//! - a durable function's `context.invoke(function_name, payload, ...)` (AWS Durable
//!   Execution SDK for Python): `lambda:InvokeFunction`.

use super::Named;
use tree_sitter::Node;

use super::pyeval::{Env, Obj};
use super::{short_receiver, text};
use crate::model::{Arg, CodeFacts, SdkCall, SdkKind};
use crate::source::Span;

/// Signer classes and the services whose requests they sign for OpenSearch.
const SIGNERS: &[&str] = &[
    "AWS4Auth",
    "AWSV4SignerAuth",
    "Urllib3AWSV4SignerAuth",
    "AWSV4SignerAsyncAuth",
    "SigV4Auth",
    "AWSSigV4",
];

/// OpenSearch / Elasticsearch client classes.
const CLIENTS: &[&str] = &["OpenSearch", "AsyncOpenSearch", "Elasticsearch"];

/// HTTP verbs of `requests`-style helpers and their `es:ESHttp*` action names.
const VERBS: &[(&str, &str)] = &[
    ("get", "ESHttpGet"),
    ("post", "ESHttpPost"),
    ("put", "ESHttpPut"),
    ("delete", "ESHttpDelete"),
    ("head", "ESHttpHead"),
    ("patch", "ESHttpPatch"),
];

/// The HTTP methods each client method sends, from the REST API each wraps (OpenSearch
/// documentation, "REST API reference": index a document is `PUT <index>/_doc/<id>` or `POST
/// <index>/_doc`, search `GET`/`POST <index>/_search`, bulk `POST _bulk`, ...). Methods of the
/// `indices` namespace are prefixed `indices.`. A method not listed leaves the action unknown.
pub(crate) const CLIENT_METHODS: &[(&str, &[&str])] = &[
    ("index", &["ESHttpPut", "ESHttpPost"]),
    ("create", &["ESHttpPut"]),
    ("get", &["ESHttpGet"]),
    ("get_source", &["ESHttpGet"]),
    ("mget", &["ESHttpGet", "ESHttpPost"]),
    ("exists", &["ESHttpHead"]),
    ("search", &["ESHttpGet", "ESHttpPost"]),
    ("msearch", &["ESHttpGet", "ESHttpPost"]),
    ("count", &["ESHttpGet", "ESHttpPost"]),
    ("scroll", &["ESHttpGet", "ESHttpPost"]),
    ("clear_scroll", &["ESHttpDelete"]),
    ("update", &["ESHttpPost"]),
    ("bulk", &["ESHttpPost"]),
    ("update_by_query", &["ESHttpPost"]),
    ("delete_by_query", &["ESHttpPost"]),
    ("reindex", &["ESHttpPost"]),
    ("delete", &["ESHttpDelete"]),
    ("info", &["ESHttpGet"]),
    ("ping", &["ESHttpHead"]),
    ("indices.create", &["ESHttpPut"]),
    ("indices.delete", &["ESHttpDelete"]),
    ("indices.exists", &["ESHttpHead"]),
    ("indices.get", &["ESHttpGet"]),
    ("indices.put_mapping", &["ESHttpPut"]),
    ("indices.get_mapping", &["ESHttpGet"]),
    ("indices.put_settings", &["ESHttpPut"]),
    ("indices.refresh", &["ESHttpPost"]),
    ("indices.put_alias", &["ESHttpPut"]),
];

/// The last name of a callee (`requests_aws4auth.AWS4Auth` -> `AWS4Auth`).
fn last_name<'a>(env: &'a Env<'_>, function: Node<'_>) -> &'a str {
    match function.kind() {
        "identifier" => env.t(function),
        "attribute" => function
            .child_by_field_name("attribute")
            .map_or("", |a| env.t(a)),
        _ => "",
    }
}

/// Every argument's value (positional and keyword).
fn all_args(env: &Env<'_>, args: Node<'_>) -> Vec<Arg> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter_map(|a| match a.kind() {
            "keyword_argument" => a.child_by_field_name("value").map(|v| env.eval(v, 0)),
            "comment" | "list_splat" | "dictionary_splat" => None,
            _ => Some(env.eval(a, 0)),
        })
        .collect()
}

/// What a constructor call makes, when it is a signer, an OpenSearch client or a botocore
/// `AWSRequest`.
pub(crate) fn construct(env: &Env<'_>, function: Node<'_>, args: Option<Node<'_>>) -> Option<Obj> {
    let name = last_name(env, function);
    let args = args?;
    if SIGNERS.contains(&name) {
        // The service is one of the arguments (`AWS4Auth(key, secret, region, 'es')`,
        // `AWSV4SignerAuth(credentials, region, 'aoss')`, `SigV4Auth(creds, 'es', region)`).
        return all_args(env, args).into_iter().find_map(|a| match a {
            Arg::Str(s) if s == "es" || s == "aoss" => Some(Obj::Signer(s)),
            _ => None,
        });
    }
    if CLIENTS.contains(&name) {
        let auth = env.keyword_node(args, "http_auth")?;
        let Some(Obj::Signer(service)) = env.resolve(auth, 0) else {
            return None;
        };
        let endpoint = env
            .keyword_node(args, "hosts")
            .or_else(|| env.positional_node(args, 0))
            .map_or(Arg::Unknown, |h| host_of(env, h));
        return Some(Obj::Search {
            service,
            endpoint,
            namespace: String::new(),
        });
    }
    if name == "AWSRequest" {
        let method = env
            .keyword(args, "method")
            .or_else(|| env.positional(args, 0))
            .unwrap_or(Arg::Unknown);
        let url = env
            .keyword(args, "url")
            .or_else(|| env.positional(args, 1))
            .unwrap_or(Arg::Unknown);
        return Some(Obj::SignedRequest { method, url });
    }
    None
}

/// The host of an OpenSearch client's `hosts` (`[{'host': host, 'port': 443}]`, `[url]`).
fn host_of(env: &Env<'_>, node: Node<'_>) -> Arg {
    match node.kind() {
        "list" | "tuple" => node
            .arg(0)
            .map_or(Arg::Unknown, |first| host_of(env, first)),
        "dictionary" => env
            .dict(node, 0)
            .into_iter()
            .find(|(k, _)| k == "host")
            .map_or(Arg::Unknown, |(_, v)| v),
        _ => match env.resolve(node, 0) {
            Some(Obj::Dict(pairs)) => pairs
                .into_iter()
                .find(|(k, _)| k == "host")
                .map_or(Arg::Unknown, |(_, v)| v),
            _ => env.eval(node, 0),
        },
    }
}

/// One action-named call.
fn action(
    span: Span,
    service: &str,
    action: &str,
    args: Vec<(String, Arg)>,
    text: String,
) -> SdkCall {
    super::action_call(span, SdkKind::Python, service, action, args, text)
}

/// The OpenSearch calls a request with `service`'s signer makes: `aoss:APIAccessAll` whatever
/// the method, else one `es:ESHttp*` per method (an unknown action when none is known).
fn search_calls(
    facts: &mut CodeFacts,
    span: Span,
    service: &str,
    methods: &[&str],
    endpoint: Arg,
    shown: &str,
) {
    let args = vec![("Endpoint".to_string(), endpoint)];
    if service == "aoss" {
        facts.calls.push(action(
            span,
            "aoss",
            "APIAccessAll",
            args,
            shown.to_string(),
        ));
        return;
    }
    if methods.is_empty() {
        facts
            .calls
            .push(action(span, "es", "", args.clone(), shown.to_string()));
    }
    for m in methods {
        facts
            .calls
            .push(action(span, "es", m, args.clone(), shown.to_string()));
    }
}

fn verb_action(verb: &Arg) -> Option<&'static str> {
    let Arg::Str(v) = verb else { return None };
    VERBS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(v))
        .map(|(_, a)| *a)
}

/// Records the call if it is one of this module's; true when it was.
pub(crate) fn call(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    function: Node<'_>,
    args: Option<Node<'_>>,
    span: Span,
) -> bool {
    let shown = short_receiver(text(env.file, function), "signed request");
    let receiver = function.child_by_field_name("object");
    let method = last_name(env, function);
    let resolved = receiver.and_then(|r| env.resolve(r, 0));
    match resolved {
        // `rds.generate_db_auth_token(DBHostname, Port, DBUsername, Region)`.
        Some(Obj::Client(service)) if service == "rds" && method == "generate_db_auth_token" => {
            let named = args
                .map(|a| env.arguments(a, &["DBHostname", "Port", "DBUsername", "Region"]))
                .unwrap_or_default();
            facts
                .calls
                .push(action(span, "rds-db", "connect", named, shown));
            return true;
        }
        Some(Obj::Search {
            service,
            endpoint,
            namespace,
        }) => {
            let full = if namespace.is_empty() {
                method.to_string()
            } else {
                format!("{namespace}.{method}")
            };
            let methods = super::search_methods(&full);
            search_calls(facts, span, &service, methods, endpoint, &shown);
            return true;
        }
        // `SigV4Auth(creds, 'es', region).add_auth(request)`.
        Some(Obj::Signer(service)) if method == "add_auth" => {
            let request = args
                .and_then(|a| env.positional_node(a, 0))
                .and_then(|r| env.resolve(r, 0));
            let (verb, url) = match request {
                Some(Obj::SignedRequest { method, url }) => (method, url),
                _ => (Arg::Unknown, Arg::Unknown),
            };
            let methods: Vec<&str> = verb_action(&verb).into_iter().collect();
            search_calls(facts, span, &service, &methods, url, &shown);
            return true;
        }
        _ => {}
    }
    // `requests.get(url, auth=signer)`, `session.request("POST", url, auth=signer)`.
    if let Some(args) = args
        && let Some(auth) = env.keyword_node(args, "auth")
        && let Some(Obj::Signer(service)) = env.resolve(auth, 0)
    {
        let (verb, url) = if method == "request" {
            (
                env.keyword(args, "method")
                    .or_else(|| env.positional(args, 0))
                    .unwrap_or(Arg::Unknown),
                env.keyword(args, "url")
                    .or_else(|| env.positional(args, 1))
                    .unwrap_or(Arg::Unknown),
            )
        } else {
            (
                Arg::Str(method.to_string()),
                env.keyword(args, "url")
                    .or_else(|| env.positional(args, 0))
                    .unwrap_or(Arg::Unknown),
            )
        };
        let methods: Vec<&str> = verb_action(&verb).into_iter().collect();
        search_calls(facts, span, &service, &methods, url, &shown);
        return true;
    }
    // A durable function's `context.invoke(function_name, payload, ...)`.
    if env.durable
        && method == "invoke"
        && matches!(resolved, None | Some(Obj::Param { .. } | Obj::Value(_)))
        && let Some(args) = args
    {
        let target = env
            .keyword(args, "function_name")
            .or_else(|| env.positional(args, 0))
            .unwrap_or(Arg::Unknown);
        let named = vec![("FunctionName".to_string(), target)];
        facts
            .calls
            .push(action(span, "lambda", "InvokeFunction", named, shown));
        return true;
    }
    false
}
