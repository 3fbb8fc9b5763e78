//! JavaScript / TypeScript calls that are no SDK client method yet need an IAM action
//! ([`CallStyle::Action`](crate::model::CallStyle::Action)), as `pysigned` reads them in Python:
//! - an IAM database authentication token: `new Signer({ hostname, port, username })
//!   .getAuthToken()` of `@aws-sdk/rds-signer`, v2 `new AWS.RDS.Signer(options)
//!   .getAuthToken(options?, callback?)`: `rds-db:connect`;
//! - SigV4-signed HTTP to OpenSearch: `aws4.sign({ host, method, body, service })` (the `aws4`
//!   package: the method defaults to `POST` with a body and `GET` without, the service to the
//!   one the host names) and the `@opensearch-project/opensearch` client given
//!   `AwsSigv4Signer({ service })` of `@opensearch-project/opensearch/aws` (its methods, and
//!   `transport.request({ method })` by the method given): `es:ESHttp<Method>` (see
//!   `pysigned::CLIENT_METHODS`) or `aoss:APIAccessAll`;
//! - a durable function's `context.invoke(name, funcId, input)` or `context.invoke(funcId,
//!   input)` (`@aws/durable-execution-sdk-js`, `DurableContext.invoke`):
//!   `lambda:InvokeFunction` on `funcId`.

use super::Named;
use tree_sitter::Node;

use super::jseval::{Env, JsObj};
use super::{action_call, http_action, search_methods, short_receiver};
use crate::model::{Arg, CodeFacts, SdkKind};
use crate::source::Span;

/// Packages besides `@aws-sdk/*` whose exports this module reads.
pub(crate) const PACKAGES: &[&str] = &["aws4", OPENSEARCH, OPENSEARCH_AWS, DURABLE_SDK];

const RDS_SIGNER: &str = "@aws-sdk/rds-signer";
const OPENSEARCH: &str = "@opensearch-project/opensearch";
const OPENSEARCH_AWS: &str = "@opensearch-project/opensearch/aws";
const DURABLE_SDK: &str = "@aws/durable-execution-sdk-js";

/// What `new <class>(args)` makes, when it is a token signer or a signing OpenSearch client.
pub(super) fn construct(
    env: &Env<'_>,
    class: &JsObj,
    args: Option<Node<'_>>,
    d: usize,
) -> Option<JsObj> {
    let first = args.and_then(|a| a.arg(0));
    match class {
        JsObj::V3Export { package, name } if package == RDS_SIGNER && name == "Signer" => Some(
            JsObj::RdsSigner(first.map(|o| env.object(o, d)).unwrap_or_default()),
        ),
        JsObj::V2Class(class) if class == "RDS.Signer" => Some(JsObj::RdsSigner(
            first.map(|o| env.object(o, d)).unwrap_or_default(),
        )),
        JsObj::V3Export { package, name } if package == OPENSEARCH && name == "Client" => {
            let options = first.filter(|o| o.kind() == "object")?;
            let mut cursor = options.walk();
            let service = options
                .named_children(&mut cursor)
                .filter(|n| !n.is_extra())
                .filter(|c| c.kind() == "spread_element")
                .find_map(|c| match env.resolve(c.arg(0)?, d) {
                    Some(JsObj::SearchSigner(s)) => Some(s),
                    _ => None,
                })?;
            let endpoint = env
                .property(options, "node")
                .map(|n| env.eval(n, d))
                .or_else(|| {
                    env.property(options, "nodes")
                        .and_then(|n| {
                            if n.kind() == "array" {
                                n.arg(0)
                            } else {
                                Some(n)
                            }
                        })
                        .map(|n| env.eval(n, d))
                })
                .unwrap_or(Arg::Unknown);
            Some(JsObj::Search {
                service,
                endpoint,
                namespace: String::new(),
            })
        }
        _ => None,
    }
}

/// What a call makes, when it is `AwsSigv4Signer({ service })`: the options of a client
/// signing for that service (`es` unless told).
pub(super) fn made_by_call(
    env: &Env<'_>,
    function: Node<'_>,
    args: Option<Node<'_>>,
    d: usize,
) -> Option<JsObj> {
    if !env.t(function).ends_with("AwsSigv4Signer") {
        return None;
    }
    match env.resolve(function, d)? {
        JsObj::V3Export { package, name }
            if package == OPENSEARCH_AWS && name == "AwsSigv4Signer" =>
        {
            let options = args
                .and_then(|a| a.arg(0))
                .map(|o| env.object(o, d))
                .unwrap_or_default();
            let service = match options.iter().find(|(k, _)| k == "service") {
                Some((_, Arg::Str(s))) if s == "aoss" => "aoss",
                Some((_, Arg::Str(s))) if s == "es" => "es",
                None => "es",
                Some(_) => return None,
            };
            Some(JsObj::SearchSigner(service.to_string()))
        }
        _ => None,
    }
}

/// Records the call if it is `aws4.sign(...)` (or a bare `sign` imported from `aws4`); true
/// when it was.
pub(super) fn call(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    function: Node<'_>,
    args: Option<Node<'_>>,
    span: Span,
) -> bool {
    let method = match function.kind() {
        "member_expression" => function
            .child_by_field_name("property")
            .map_or("", |p| env.t(p)),
        "identifier" => env.t(function),
        _ => return false,
    };
    if method != "sign" {
        return false;
    }
    match env.resolve(function, 0) {
        Some(JsObj::V3Export { package, name }) if package == "aws4" && name == "sign" => {
            let arg = |i: usize| args.and_then(|a| a.arg(i));
            aws4_sign(env, facts, arg(0), arg(1), span)
        }
        _ => false,
    }
}

/// Records a method call on a receiver that resolved to `resolved` (none of the SDK's client
/// objects) if it is one of this module's: a token signer's `getAuthToken`, a signing
/// OpenSearch client's method, a durable context's `invoke`.
pub(super) fn on_receiver(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    resolved: Option<JsObj>,
    method: &str,
    function: Node<'_>,
    args: Option<Node<'_>>,
    span: Span,
) {
    let arg = |i: usize| args.and_then(|a| a.arg(i));
    let shown = || short_receiver(env.t(function), "signed request");
    match resolved {
        Some(JsObj::RdsSigner(mut options)) if method == "getAuthToken" => {
            // v2 takes the options again at the call; they win over the constructor's.
            if let Some(more) = arg(0).filter(|a| a.kind() == "object") {
                let more = env.object(more, 0);
                options.retain(|(k, _)| !more.iter().any(|(m, _)| m == k));
                options.extend(more);
            }
            let named = options
                .into_iter()
                .filter_map(|(k, v)| {
                    let name = match k.as_str() {
                        "hostname" => "DBHostname",
                        "username" => "DBUsername",
                        "port" => "Port",
                        "region" => "Region",
                        _ => return None,
                    };
                    Some((name.to_string(), v))
                })
                .collect();
            facts.calls.push(action_call(
                span,
                SdkKind::JsV3,
                "rds-db",
                "connect",
                named,
                shown(),
            ));
        }
        Some(JsObj::Search {
            service,
            endpoint,
            namespace,
        }) => {
            let full = if namespace.is_empty() {
                method.to_string()
            } else {
                format!("{namespace}.{method}")
            };
            // `client.transport.request({ method, path, body })`: the method it is given.
            let methods: Vec<&str> = if full == "transport.request" {
                let options = arg(0).map(|o| env.object(o, 0)).unwrap_or_default();
                match options.iter().find(|(k, _)| k == "method") {
                    Some((_, Arg::Str(m))) => http_action(m).into_iter().collect(),
                    _ => Vec::new(),
                }
            } else {
                search_methods(&full).to_vec()
            };
            search_calls(facts, span, &service, &methods, endpoint, &shown());
        }
        // A durable function's `context.invoke(...)` (or a child context's), on a plain name.
        None | Some(JsObj::Param(_))
            if method == "invoke"
                && function
                    .child_by_field_name("object")
                    .is_some_and(|o| o.kind() == "identifier")
                && durable(env) =>
        {
            let target = durable_target(env, args);
            let named = vec![("FunctionName".to_string(), target)];
            facts.calls.push(action_call(
                span,
                SdkKind::JsV3,
                "lambda",
                "InvokeFunction",
                named,
                shown(),
            ));
        }
        _ => {}
    }
}

/// Whether the file imports the durable execution SDK.
fn durable(env: &Env<'_>) -> bool {
    env.names.values().any(|o| match o {
        JsObj::V3Namespace(p) | JsObj::V3Export { package: p, .. } => p == DURABLE_SDK,
        _ => false,
    })
}

/// The function a durable `invoke` names: `invoke(name, funcId, input, config?)` when the
/// second of three or more arguments is a string, else `invoke(funcId, input, config?)`.
fn durable_target(env: &Env<'_>, args: Option<Node<'_>>) -> Arg {
    let Some(args) = args else {
        return Arg::Unknown;
    };
    let mut cursor = args.walk();
    let list: Vec<Node<'_>> = args
        .named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|a| a.kind() != "comment")
        .collect();
    let stringy = |n: &Node<'_>| {
        matches!(n.kind(), "string" | "template_string")
            || matches!(env.eval(*n, 0), Arg::Str(_) | Arg::Env(_) | Arg::Concat(_))
    };
    let at = if list.len() >= 3 && stringy(&list[1]) {
        1
    } else {
        0
    };
    list.get(at).map_or(Arg::Unknown, |n| env.eval(*n, 0))
}

/// `aws4.sign(options, credentials?)`: one OpenSearch request when the service (given or
/// named by the host) is `es` or `aoss`. Credentials other than the environment's (the
/// execution role's in Lambda) sign with something else and need nothing from the role.
fn aws4_sign(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    options: Option<Node<'_>>,
    credentials: Option<Node<'_>>,
    span: Span,
) -> bool {
    let Some(options) = options else {
        return false;
    };
    if let Some(c) = credentials {
        let pairs = env.object(c, 0);
        let from_env = pairs
            .iter()
            .find(|(k, _)| k == "accessKeyId")
            .is_some_and(|(_, v)| matches!(v, Arg::Env(_)));
        if !from_env {
            return true;
        }
    }
    let opts = env.object(options, 0);
    let get = |k: &str| opts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let host = get("host")
        .or_else(|| get("hostname"))
        .unwrap_or(Arg::Unknown);
    let service = match get("service") {
        Some(Arg::Str(s)) => s,
        Some(_) => return false,
        None => match &host {
            Arg::Str(h) if h.contains(".es.amazonaws.com") => "es".to_string(),
            Arg::Str(h) if h.contains(".aoss.amazonaws.com") => "aoss".to_string(),
            _ => return false,
        },
    };
    if service != "es" && service != "aoss" {
        return false;
    }
    let methods: Vec<&str> = match get("method") {
        Some(Arg::Str(m)) => http_action(&m).into_iter().collect(),
        Some(_) => Vec::new(),
        None if get("body").is_some() => vec!["ESHttpPost"],
        None => vec!["ESHttpGet"],
    };
    search_calls(facts, span, &service, &methods, host, "aws4.sign");
    true
}

/// The OpenSearch calls a request signed for `service` makes: `aoss:APIAccessAll` whatever the
/// method, else one `es:ESHttp*` per method (an action-less call when none is known).
fn search_calls(
    facts: &mut CodeFacts,
    span: Span,
    service: &str,
    methods: &[&str],
    endpoint: Arg,
    shown: &str,
) {
    let args = vec![("Endpoint".to_string(), endpoint)];
    let push = |facts: &mut CodeFacts, service: &str, action: &str| {
        facts.calls.push(action_call(
            span,
            SdkKind::JsV3,
            service,
            action,
            args.clone(),
            shown.to_string(),
        ));
    };
    if service == "aoss" {
        push(facts, "aoss", "APIAccessAll");
        return;
    }
    if methods.is_empty() {
        push(facts, "es", "");
    }
    for m in methods {
        push(facts, "es", m);
    }
}
