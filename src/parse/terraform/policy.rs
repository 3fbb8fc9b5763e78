//! Policy documents: `data "aws_iam_policy_document"` blocks turned into IAM JSON trees
//! (the data source page of the AWS provider documentation: `statement`, `principals`,
//! `condition`, `source_policy_documents`, `override_policy_documents`), and policy
//! arguments written as JSON text (heredocs, `file()`) parsed into trees.

use super::eval::Eval;
use super::module::{Decl, span_of};
use crate::source::Span;
use crate::syntax::node::{Key, Node, Value};

fn key(name: &str, span: Span) -> Key {
    Key {
        name: name.to_string(),
        span,
    }
}

/// The JSON document a `data "aws_iam_policy_document"` produces.
pub fn document(ev: &Eval, d: &Decl) -> Option<Node> {
    let span = span_of(d.file, d.block);
    let body = ev.body(d.file, &d.block.body, span);
    let mut statements: Vec<Node> = Vec::new();
    // Source documents come first; override documents replace statements with the same Sid.
    if let Some(src) = body.get("source_policy_documents") {
        for doc in src.items() {
            statements.extend(statements_of(&as_policy(ev, doc.clone())));
        }
    }
    if let Some(src) = body.get("source_json") {
        statements.extend(statements_of(&as_policy(ev, src.clone())));
    }
    for st in body
        .get("statement")
        .map(|s| s.items().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        push_by_sid(&mut statements, statement(&st));
    }
    let mut overrides: Vec<Node> = Vec::new();
    if let Some(o) = body.get("override_policy_documents") {
        overrides.extend(o.items().cloned());
    }
    if let Some(o) = body.get("override_json") {
        overrides.push(o.clone());
    }
    for doc in overrides {
        for st in statements_of(&as_policy(ev, doc)) {
            push_by_sid(&mut statements, st);
        }
    }
    let version = body
        .get("version")
        .cloned()
        .unwrap_or_else(|| Node::string("2012-10-17", span));
    Some(Node::new(
        Value::Map(vec![
            (key("Version", span), version),
            (
                key("Statement", span),
                Node::new(Value::Seq(statements), span),
            ),
        ]),
        span,
    ))
}

fn statements_of(doc: &Node) -> Vec<Node> {
    doc.get("Statement")
        .map(|s| s.items().cloned().collect())
        .unwrap_or_default()
}

/// Adds a statement; one with the same non-empty `Sid` is replaced.
fn push_by_sid(list: &mut Vec<Node>, st: Node) {
    let sid = st.get("Sid").and_then(Node::as_str).map(str::to_string);
    if let Some(sid) = sid.filter(|s| !s.is_empty())
        && let Some(slot) = list
            .iter_mut()
            .find(|x| x.get("Sid").and_then(Node::as_str) == Some(sid.as_str()))
    {
        *slot = st;
        return;
    }
    list.push(st);
}

/// One `statement` block as an IAM statement.
pub fn statement(st: &Node) -> Node {
    let mut out: Vec<(Key, Node)> = Vec::new();
    let copy = |out: &mut Vec<(Key, Node)>, from: &str, to: &str| {
        if let Some((k, v)) = st.get_entry(from) {
            out.push((key(to, k.span), v.clone()));
        }
    };
    copy(&mut out, "sid", "Sid");
    match st.get_entry("effect") {
        Some((k, v)) => out.push((key("Effect", k.span), v.clone())),
        None => out.push((key("Effect", st.span), Node::string("Allow", st.span))),
    }
    copy(&mut out, "actions", "Action");
    copy(&mut out, "not_actions", "NotAction");
    copy(&mut out, "resources", "Resource");
    copy(&mut out, "not_resources", "NotResource");
    for (from, to) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let Some((k, list)) = st.get_entry(from) else {
            continue;
        };
        let mut map: Vec<(Key, Node)> = Vec::new();
        for p in list.items() {
            let Some(kind) = p.get("type").and_then(Node::as_str) else {
                continue;
            };
            let ids = p
                .get("identifiers")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), p.span));
            match map.iter_mut().find(|(x, _)| x.name == kind) {
                Some((
                    _,
                    Node {
                        value: Value::Seq(items),
                        ..
                    },
                )) => items.extend(ids.items().cloned()),
                _ => map.push((key(kind, p.span), ids)),
            }
        }
        // `type = "*"` with `identifiers = ["*"]` is the anonymous principal `"*"`.
        let node = if map.len() == 1 && map[0].0.name == "*" {
            Node::string("*", k.span)
        } else {
            Node::new(Value::Map(map), list.span)
        };
        out.push((key(to, k.span), node));
    }
    if let Some((k, list)) = st.get_entry("condition") {
        let mut ops: Vec<(Key, Node)> = Vec::new();
        for c in list.items() {
            let (Some(test), Some(var)) = (
                c.get("test").and_then(Node::as_str),
                c.get("variable").and_then(Node::as_str),
            ) else {
                continue;
            };
            let values = c
                .get("values")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Seq(Vec::new()), c.span));
            let entry = (key(var, c.span), values);
            match ops.iter_mut().find(|(x, _)| x.name == test) {
                Some((
                    _,
                    Node {
                        value: Value::Map(m),
                        ..
                    },
                )) => m.push(entry),
                _ => ops.push((
                    key(test, c.span),
                    Node::new(Value::Map(vec![entry]), c.span),
                )),
            }
        }
        out.push((
            key("Condition", k.span),
            Node::new(Value::Map(ops), list.span),
        ));
    }
    Node::new(Value::Map(out), st.span)
}

/// A policy argument as a tree: an object (from `jsonencode`) as is, JSON text parsed.
pub fn as_policy(ev: &Eval, n: Node) -> Node {
    let Some(text) = n.as_str() else { return n };
    // An unknown value (`${var.policy}`, an unreadable file) is not JSON text.
    if text.starts_with("${") {
        return n;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Node::from_json(&v, n.span),
        Err(e) => {
            ev.m.issue(n.span, format!("policy is not valid JSON: {e}"));
            n
        }
    }
}
