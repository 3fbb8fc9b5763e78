//! Go calls that are no SDK client method yet need an IAM action
//! ([`CallStyle::Action`](crate::model::CallStyle::Action)), as `pysigned` reads them in Python:
//! - an IAM database authentication token: v2 `auth.BuildAuthToken(ctx, endpoint, region,
//!   dbUser, creds)` (`github.com/aws/aws-sdk-go-v2/feature/rds/auth`), v1
//!   `rdsutils.BuildAuthToken(endpoint, region, dbUser, creds)`: `rds-db:connect`, the
//!   endpoint being `host:port`;
//! - SigV4-signed HTTP to OpenSearch: an opensearch-go client whose `Config` carries a
//!   `Signer` from `signer/awsv2.NewSigner(cfg)` (service `es`) or
//!   `NewSignerWithService(cfg, service)`, directly (`opensearch.NewClient`) or inside
//!   `opensearchapi.Config{Client: ...}`: each client method (`Index`, `Search`,
//!   `Indices.Create`), and each `opensearchapi.<Api>Request{...}.Do(ctx, client)` on it, is
//!   `es:ESHttp<Method>` (see `pysigned::CLIENT_METHODS`) or `aoss:APIAccessAll`.

use super::Named;
use tree_sitter::Node;

use super::goeval::{Env, Obj, Package};
use super::{action_call, search_methods, short_receiver};
use crate::model::{Arg, CodeFacts, SdkKind};
use crate::source::Span;

/// What a call of the signer or client packages makes (`node` is the call).
pub(super) fn made(env: &Env<'_>, name: &str, node: Node<'_>, d: usize) -> Option<Obj> {
    let args = positional(node);
    match name {
        "NewSigner" => Some(Obj::SearchSigner("es".to_string())),
        "NewSignerWithService" => match args.get(1).map(|a| env.eval(*a, d)) {
            Some(Arg::Str(s)) if s == "es" || s == "aoss" => Some(Obj::SearchSigner(s)),
            _ => None,
        },
        "NewClient" => {
            let config = literal(*args.first()?)?;
            search_client(env, config, d)
        }
        _ => None,
    }
}

/// The arguments of a call expression.
fn positional(node: Node<'_>) -> Vec<Node<'_>> {
    let Some(args) = node.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|a| a.kind() != "comment")
        .collect()
}

/// The composite literal an expression is (`Config{...}`, `&Config{...}`).
fn literal(node: Node<'_>) -> Option<Node<'_>> {
    let node = if node.kind() == "unary_expression" {
        node.child_by_field_name("operand")?
    } else {
        node
    };
    (node.kind() == "composite_literal").then_some(node)
}

/// The `Key: value` element nodes of a composite literal.
fn elements<'t>(env: &Env<'_>, literal: Node<'t>) -> Vec<(String, Node<'t>)> {
    let Some(body) = literal.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter(|n| !n.is_extra())
        .filter(|e| e.kind() == "keyed_element")
        .filter_map(|e| {
            let key = env.t(e.arg(0)?).trim().to_string();
            let value = e.arg(1)?;
            let value = if value.kind() == "literal_element" {
                value.arg(0).unwrap_or(value)
            } else {
                value
            };
            Some((key, value))
        })
        .collect()
}

/// A client whose configuration signs with a [`Obj::SearchSigner`]: `opensearch.Config{
/// Addresses: []string{endpoint}, Signer: signer }`, or `opensearchapi.Config{Client:
/// opensearch.Config{...}}`.
fn search_client(env: &Env<'_>, config: Node<'_>, d: usize) -> Option<Obj> {
    let fields = elements(env, config);
    if let Some((_, inner)) = fields.iter().find(|(k, _)| k == "Client")
        && let Some(inner) = literal(*inner)
    {
        return search_client(env, inner, d + 1);
    }
    let (_, signer) = fields.iter().find(|(k, _)| k == "Signer")?;
    let Some(Obj::SearchSigner(service)) = env.resolve(*signer, d) else {
        return None;
    };
    let endpoint = fields
        .iter()
        .find(|(k, _)| k == "Addresses")
        .and_then(|(_, v)| literal(*v))
        .and_then(|list| {
            let body = list.child_by_field_name("body")?;
            let first = body.arg(0)?;
            Some(env.eval(first, d))
        })
        .unwrap_or(Arg::Unknown);
    Some(Obj::Search {
        service,
        endpoint,
        namespace: String::new(),
    })
}

/// Records the call if it builds an IAM database token; true when it did.
pub(super) fn call(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    operand: Node<'_>,
    method: &str,
    args: &[Node<'_>],
    span: Span,
) -> bool {
    let shown = || {
        format!(
            "{}.{method}",
            short_receiver(env.t(operand), "signed request")
        )
    };
    if method == "BuildAuthToken" && env.package_of(operand) == Some(Package::RdsAuth) {
        // v2 takes a context first.
        let skip = usize::from(args.len() >= 5);
        let at = |i: usize| args.get(skip + i).map_or(Arg::Unknown, |a| env.eval(*a, 0));
        let named = vec![
            ("DBHostname".to_string(), at(0)),
            ("Region".to_string(), at(1)),
            ("DBUsername".to_string(), at(2)),
        ];
        facts.calls.push(action_call(
            span,
            SdkKind::Go,
            "rds-db",
            "connect",
            named,
            shown(),
        ));
        return true;
    }
    false
}

/// Records a method call on a signing OpenSearch client (`client.Index`, `client.Indices.Create`).
pub(super) fn search_call(
    env: &Env<'_>,
    facts: &mut CodeFacts,
    (service, endpoint, namespace): (String, Arg, String),
    operand: Node<'_>,
    method: &str,
    span: Span,
) {
    let shown = || {
        format!(
            "{}.{method}",
            short_receiver(env.t(operand), "signed request")
        )
    };
    let full = if namespace.is_empty() {
        method.to_string()
    } else {
        format!("{namespace}.{method}")
    };
    let args = vec![("Endpoint".to_string(), endpoint)];
    let push = |facts: &mut CodeFacts, service: &str, action: &str| {
        facts.calls.push(action_call(
            span,
            SdkKind::Go,
            service,
            action,
            args.clone(),
            shown(),
        ));
    };
    if service == "aoss" {
        push(facts, "aoss", "APIAccessAll");
        return;
    }
    let methods = search_methods(&full);
    if methods.is_empty() {
        push(facts, "es", "");
    }
    for m in methods {
        push(facts, "es", m);
    }
}
