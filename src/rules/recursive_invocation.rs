//! `recursive-invocation`: a function can trigger itself, directly or through others.

use std::collections::BTreeMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

use super::{Rule, RuleContext};
use crate::analysis::loops::{key_may_match, s3_key};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam::{self, Match};
use crate::model::KeyRule;
use crate::needs::ReasonKind;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::RECURSIVE_INVOCATION`].
///
/// Cycles of "function writes to a resource that triggers a function": an S3-triggered
/// function writing into its own bucket (unless the notification's prefix/suffix filter
/// provably excludes the keys it writes), an SQS consumer sending to its own queue, an SNS
/// subscriber publishing to its topic, a stream consumer writing to its table or stream, a
/// function invoking itself, and longer loops through several functions.
pub struct RecursiveInvocation;

static META: &RuleDoc = &catalog::RECURSIVE_INVOCATION;

/// Actions that deliver an event to whatever listens on the resource they write.
const WRITES: &[&str] = &[
    "s3:PutObject",
    "sqs:SendMessage",
    "sns:Publish",
    "lambda:InvokeFunction",
    "lambda:InvokeAsync",
    "kinesis:PutRecord",
    "kinesis:PutRecords",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
];

/// One way a function is triggered.
struct Source<'a> {
    /// Normalized source ARN (bucket, queue, topic, table, stream, function).
    arn: String,
    kind: &'a str,
    /// The S3 notification's object key filter.
    filter: &'a [KeyRule],
}

/// A write of function `from` that triggers function `to`.
struct Edge {
    span: Span,
    action: String,
    resource: String,
    via: String,
}

impl Rule for RecursiveInvocation {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let app = cx.app;
        let mut sources: Vec<Vec<Source<'_>>> = app.functions.iter().map(|_| Vec::new()).collect();
        let index: BTreeMap<&str, usize> = app
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), i))
            .collect();
        for (i, f) in app.functions.iter().enumerate() {
            for e in &f.events {
                if let Some(arn) = &e.source_arn {
                    sources[i].push(Source {
                        arn: normalize(&arn.value),
                        kind: e.kind.name(),
                        filter: e.kind.key_filter(),
                    });
                }
            }
            // Invoking the function's own ARN is a trigger too.
            sources[i].push(Source {
                arn: normalize(&f.arn),
                kind: "Invoke",
                filter: &[],
            });
        }
        for t in &app.triggers {
            let (Some(fi), Some(arn)) = (
                t.function.as_deref().and_then(|id| index.get(id)),
                &t.source_arn,
            ) else {
                continue;
            };
            sources[*fi].push(Source {
                arn: normalize(&arn.value),
                kind: t.kind.name(),
                filter: t.kind.key_filter(),
            });
        }
        let index = SourceIndex::new(&sources, app);
        let mut graph: DiGraph<usize, Edge> = DiGraph::new();
        let nodes: Vec<_> = (0..app.functions.len())
            .map(|i| graph.add_node(i))
            .collect();
        for (fi, fa) in cx.analysis.functions.iter().enumerate() {
            for need in &fa.needs {
                if !WRITES.contains(&need.action.as_str()) {
                    continue;
                }
                let Some(reason) = need.because.iter().find(|r| r.kind == ReasonKind::SdkCall)
                else {
                    continue;
                };
                let written = normalize(&need.resource);
                let scope = scope(&app.functions[fi].id, &written);
                for (gi, si) in index.candidates(scope, &written) {
                    let s = &sources[gi][si];
                    if !delivers(&need.action, s) || !same_resource(&s.arn, &written) {
                        continue;
                    }
                    if s.kind == "S3" && !key_may_match(s3_key(&need.resource), s.filter) {
                        continue;
                    }
                    graph.add_edge(
                        nodes[fi],
                        nodes[gi],
                        Edge {
                            span: reason.span,
                            action: need.action.clone(),
                            resource: need.resource.clone(),
                            via: s.kind.to_string(),
                        },
                    );
                }
            }
        }
        for scc in tarjan_scc(&graph) {
            let self_loop = scc.len() == 1 && graph.find_edge(scc[0], scc[0]).is_some();
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let mut members: Vec<usize> = scc.iter().map(|n| graph[*n]).collect();
            members.sort_by(|a, b| app.functions[*a].id.cmp(&app.functions[*b].id));
            let first = members[0];
            // The write of the first function that leads into the cycle.
            let Some(edge) = graph
                .edges_directed(nodes[first], petgraph::Direction::Outgoing)
                .filter(|e| members.contains(&graph[petgraph::visit::EdgeRef::target(e)]))
                .map(|e| (graph[petgraph::visit::EdgeRef::target(&e)], e.weight()))
                .min_by_key(|(to, w)| (app.functions[*to].id.clone(), w.span))
            else {
                continue;
            };
            let (to, w) = edge;
            let func = &app.functions[first];
            let cycle = if self_loop || to == first {
                format!(
                    "{} {} {}, which triggers {} again ({})",
                    func.name, w.action, w.resource, func.name, w.via
                )
            } else {
                let names: Vec<&str> = members
                    .iter()
                    .map(|i| app.functions[*i].name.as_str())
                    .collect();
                format!(
                    "{} {} {}, which triggers {} ({}); the loop {} comes back to {}",
                    func.name,
                    w.action,
                    w.resource,
                    app.functions[to].name,
                    w.via,
                    names.join(" → "),
                    func.name
                )
            };
            out.push(
                META.finding(format!("recursive invocation: {cycle}"), w.span)
                    .function(&func.id)
                    .actions([w.action.clone()])
                    .resources([w.resource.clone()])
                    .related(func.span, "function declared here"),
            );
        }
    }
}

/// The resource an event source or a write names: an object's bucket, a table's stream's
/// table, a function without qualifier.
fn normalize(arn: &str) -> String {
    if let Some(rest) = arn.strip_prefix("arn:aws:s3:::") {
        return format!("arn:aws:s3:::{}", rest.split('/').next().unwrap_or(rest));
    }
    if arn.starts_with("arn:aws:dynamodb:") {
        if let Some((table, _)) = arn.split_once("/stream/") {
            return table.to_string();
        }
        if let Some((table, _)) = arn.split_once("/index/") {
            return table.to_string();
        }
    }
    if arn.starts_with("arn:aws:kinesis:")
        && let Some((stream, _)) = arn.split_once("/consumer/")
    {
        return stream.to_string();
    }
    if arn.starts_with("arn:aws:lambda:") && arn.matches(":function:").count() == 1 {
        // `...:function:name:alias` -> `...:function:name`
        let (head, name) = arn.split_once(":function:").unwrap_or((arn, ""));
        let base = split_top_colon(name);
        return format!("{head}:function:{base}");
    }
    arn.to_string()
}

/// The part of a function name before a `:qualifier`, leaving `${...}` placeholders whole.
fn split_top_colon(name: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in name.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return &name[..i],
            _ => {}
        }
    }
    name
}

/// Trigger sources by ARN, so a write meets only the sources that can match it: comparing
/// every write with every source of every function was quadratic (most of a 10,000-function
/// run). A source without wildcards, policy variables or escapes matches a write definitely
/// only when the two ARNs are equal (placeholders are opaque), so it is found by lookup;
/// the others are tried against every write. Exact ARNs are keyed by [`scope`] too.
struct SourceIndex<'s> {
    exact: BTreeMap<(&'s str, &'s str), Vec<(usize, usize)>>,
    patterns: Vec<(usize, usize)>,
}

impl<'s> SourceIndex<'s> {
    fn new(sources: &'s [Vec<Source<'_>>], app: &'s crate::model::App) -> SourceIndex<'s> {
        let mut index = SourceIndex {
            exact: BTreeMap::new(),
            patterns: Vec::new(),
        };
        for (gi, srcs) in sources.iter().enumerate() {
            for (si, s) in srcs.iter().enumerate() {
                if is_literal(&s.arn) {
                    let key = (scope(&app.functions[gi].id, &s.arn), s.arn.as_str());
                    index.exact.entry(key).or_default().push((gi, si));
                } else {
                    index.patterns.push((gi, si));
                }
            }
        }
        index
    }

    /// `(function, source)` pairs in function and source order, as the full scan met them.
    fn candidates(&self, scope: &str, written: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = self.patterns.clone();
        if let Some(exact) = self.exact.get(&(scope, written)) {
            out.extend(exact.iter().copied());
        }
        out.sort_unstable();
        out
    }
}

/// Where an ARN names one resource: `${LogicalId}` placeholders name a resource of the
/// function's own template (logical ids are local to a template), so `${Queue}` in two
/// templates of a monorepo are two queues; other ARNs are global (`""`). A function id is
/// `<template>#<logical id>`.
fn scope<'a>(function_id: &'a str, arn: &str) -> &'a str {
    let local = arn.match_indices("${").any(|(i, _)| {
        arn[i + 2..].split_once('}').is_some_and(|(inner, _)| {
            !inner.starts_with("AWS::")
                && matches!(
                    iam::pattern::classify(inner),
                    iam::pattern::Subst::Placeholder(_)
                )
        })
    });
    if local {
        function_id.rsplit_once('#').map_or("", |(t, _)| t)
    } else {
        ""
    }
}

/// An ARN that matches only itself: no `*`/`?`, and every `${...}` a deploy-time placeholder.
fn is_literal(arn: &str) -> bool {
    if arn.contains(['*', '?']) {
        return false;
    }
    arn.match_indices("${").all(|(i, _)| {
        arn[i + 2..].split_once('}').is_some_and(|(inner, _)| {
            matches!(
                iam::pattern::classify(inner),
                iam::pattern::Subst::Placeholder(_)
            )
        })
    })
}

/// Only a definite match makes a loop: `arn:aws:s3:::*` (a bucket from the event) might be
/// anything and is not reported.
fn same_resource(source: &str, written: &str) -> bool {
    source == written || iam::resource_matches(source, written) == Match::Yes
}

/// The write reaches this kind of trigger.
fn delivers(action: &str, s: &Source<'_>) -> bool {
    let service = action.split(':').next().unwrap_or("");
    match service {
        "s3" => s.kind == "S3",
        "sqs" => matches!(s.kind, "SQS" | "EventSourceMapping"),
        "sns" => s.kind == "SNS",
        "lambda" => s.kind == "Invoke",
        "kinesis" => matches!(s.kind, "Kinesis" | "EventSourceMapping"),
        "dynamodb" => matches!(s.kind, "DynamoDB" | "EventSourceMapping"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_arns_match_only_themselves() {
        let t = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue}";
        assert!(is_literal(t));
        assert!(same_resource(t, t));
        assert!(!is_literal("arn:aws:s3:::b*"));
        assert!(!is_literal("arn:aws:s3:::${aws:username}"));
        assert!(!is_literal("arn:aws:s3:::a${?}"));
        for other in [
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Other}",
            "arn:aws:sqs:us-east-1:${AWS::AccountId}:${Queue}",
        ] {
            assert!(!same_resource(t, other));
        }
    }

    #[test]
    fn logical_ids_are_local_to_their_template() {
        let q = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue}";
        assert_eq!(scope("a/template.yaml#Fn", q), "a/template.yaml");
        assert_eq!(scope("b/template.yaml#Fn", q), "b/template.yaml");
        let global = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders";
        assert_eq!(scope("a/template.yaml#Fn", global), "");
    }

    #[test]
    fn normalizes_sources() {
        assert_eq!(normalize("arn:aws:s3:::${B}/clean/*"), "arn:aws:s3:::${B}");
        assert_eq!(
            normalize("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}/stream/*"),
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}"
        );
        assert_eq!(
            normalize("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${F}:live"),
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${F}"
        );
    }
}
