//! The trigger graph: which resources trigger which functions, and which of those resources
//! each function writes, so that a function feeding its own trigger (directly or through
//! other functions) shows as a loop. Built once per audit; `recursive-invocation` reports its
//! loops and `rolefit graph` marks their edges.
//!
//! Nodes are functions and trigger sources (a bucket, queue, topic, stream, table, or a
//! function's own ARN). A source has an edge to each function it triggers; a function has an
//! edge to each source whose resource one of its writes names definitely (the writes are the
//! actions of [`data::FEEDS`] that its code needs). A write reaches a function when the
//! trigger hears its channel and, for an S3 notification, the written keys may pass the key
//! filter: each such write-then-trigger path is a [`Hop`] between two functions, and the
//! loops are the strongly connected components of the hops.
//!
//! The graph is built whole, then only its loops are kept, with the nodes and edges they go
//! through: a large app has a source per function (its ARN) and many hops that lead nowhere,
//! and the analysis lives as long as the report.
//!
//! Everything read from the model's events and push triggers goes through [`event_source`],
//! [`trigger_source`] and [`invoke_source`] (by [`Origin`]: [`source_of`]).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::data::{self, Channel};
use crate::iam::{self, Match};
use crate::model::{App, Event, EventKind, Function, Trigger};
use crate::needs::ReasonKind;
use crate::source::Span;

use super::FunctionAnalysis;

/// A function, or a resource that triggers functions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TriggerNode {
    /// Index in `App::functions`.
    Function(usize),
    /// A trigger source by its normalized ARN (see [`normalize`]) and the template its
    /// `${LogicalId}` placeholders belong to (`""` when the ARN names a global resource).
    Source { scope: String, arn: String },
}

/// An edge of the trigger graph.
#[derive(Clone, Debug)]
pub enum TriggerEdge {
    /// The source triggers the function.
    Triggers {
        origin: Origin,
        /// The trigger kind as the model names it (`S3`, `SQS`, `EventSourceMapping`, `Invoke`).
        kind: &'static str,
        channels: &'static [Channel],
        /// S3 key filter rules (lower-cased name, value); empty when every key passes.
        key_rules: Vec<(String, String)>,
    },
    /// The function writes the source's resource.
    Writes {
        /// Index in the function's needs.
        need: usize,
        channel: Channel,
    },
}

/// Where a trigger is declared in the model. The order is the order in which a function's
/// triggers are listed: its own events, its ARN, then push triggers declared elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// `App::functions[function].events[event]`.
    Event { function: usize, event: usize },
    /// Invoking `App::functions[.0]` through its own ARN.
    Invoke(usize),
    /// `App::triggers[.0]`.
    Trigger(usize),
}

/// A write of one function that triggers another (or itself).
#[derive(Clone, Debug)]
pub struct Hop {
    /// Indices in `App::functions`.
    pub from: usize,
    pub to: usize,
    /// Index in the writer's needs.
    pub need: usize,
    /// The SDK call that writes.
    pub span: Span,
    pub origin: Origin,
    /// The trigger kind as the model names it.
    pub kind: &'static str,
}

/// Functions that trigger each other in a circle, with the hops between them.
#[derive(Clone, Debug)]
pub struct Loop {
    /// Indices in `App::functions`, sorted by function id.
    pub functions: Vec<usize>,
    /// Every hop from a member to a member: by writer, then need, then triggered function
    /// (in listing order of its triggers).
    pub hops: Vec<Hop>,
}

impl Loop {
    /// The hop of the first function that leads into the loop: towards the first function
    /// by id, from the first call; on a tie, the last found.
    pub fn entry(&self, app: &App) -> Option<&Hop> {
        let first = *self.functions.first()?;
        self.hops
            .iter()
            .enumerate()
            .filter(|(_, h)| h.from == first)
            .min_by_key(|&(i, h)| (app.functions.get(h.to).map(|f| &f.id), h.span, Reverse(i)))
            .map(|(_, h)| h)
    }
}

/// The loops, and the part of the graph they go through.
#[derive(Debug, Default)]
pub struct TriggerGraph {
    graph: DiGraph<TriggerNode, TriggerEdge>,
    loops: Vec<Loop>,
}

/// A hop while the graph is built: which edges it goes through.
struct Found {
    hop: Hop,
    write: EdgeIndex,
    trigger: EdgeIndex,
}

impl TriggerGraph {
    /// Builds the graph of `app` with the needs of `functions` (parallel to `App::functions`).
    pub fn build(app: &App, functions: &[FunctionAnalysis]) -> TriggerGraph {
        let mut graph: DiGraph<TriggerNode, TriggerEdge> = DiGraph::new();
        let listed = list_triggers(app);
        let index = SourceIndex::new(&listed);
        // Sources enter the graph when a write reaches them, each listed trigger once, and
        // functions when they write or are triggered so.
        let mut nodes: BTreeMap<(&str, &str), NodeIndex> = BTreeMap::new();
        let mut fnodes: Vec<Option<NodeIndex>> = vec![None; app.functions.len()];
        let mut fnode = |graph: &mut DiGraph<TriggerNode, TriggerEdge>, fi: usize| {
            *fnodes[fi].get_or_insert_with(|| graph.add_node(TriggerNode::Function(fi)))
        };
        let mut drawn: Vec<Option<EdgeIndex>> = vec![None; listed.len()];
        let mut found: Vec<Found> = Vec::new();
        for (fi, fa) in functions.iter().enumerate().take(app.functions.len()) {
            for (ni, need) in fa.needs.iter().enumerate() {
                let Some(channel) = data::fed_by(&need.action) else {
                    continue;
                };
                let Some(reason) = need.because.iter().find(|r| r.kind == ReasonKind::SdkCall)
                else {
                    continue;
                };
                let written = normalize(&need.resource);
                let key = s3_key(&need.resource);
                let scope = scope(&app.functions[fi].id, written);
                let mut reached: Vec<(NodeIndex, EdgeIndex)> = Vec::new();
                let mut hops = Vec::new();
                for li in index.candidates(scope, written) {
                    let l = &listed[li];
                    if !same_resource(l.arn, written) {
                        continue;
                    }
                    let Some(source) = source_of(app, l.origin) else {
                        continue;
                    };
                    let node = *nodes.entry((l.scope, l.arn)).or_insert_with(|| {
                        graph.add_node(TriggerNode::Source {
                            scope: l.scope.to_string(),
                            arn: l.arn.to_string(),
                        })
                    });
                    let trigger = match drawn[li] {
                        Some(e) => e,
                        None => {
                            let edge = TriggerEdge::Triggers {
                                origin: l.origin,
                                kind: source.kind,
                                channels: source.channels,
                                key_rules: source.key_rules.clone(),
                            };
                            let to = fnode(&mut graph, l.function);
                            *drawn[li].insert(graph.add_edge(node, to, edge))
                        }
                    };
                    let write = match reached.iter().find(|(n, _)| *n == node) {
                        Some(&(_, e)) => e,
                        None => {
                            let edge = TriggerEdge::Writes { need: ni, channel };
                            let from = fnode(&mut graph, fi);
                            let e = graph.add_edge(from, node, edge);
                            reached.push((node, e));
                            e
                        }
                    };
                    let heard = source.channels.contains(&channel)
                        && (channel != Channel::S3Notification
                            || key_may_match(key, &source.key_rules));
                    if heard {
                        let hop = Hop {
                            from: fi,
                            to: l.function,
                            need: ni,
                            span: reason.span,
                            origin: l.origin,
                            kind: source.kind,
                        };
                        hops.push(Found {
                            hop,
                            write,
                            trigger,
                        });
                    }
                }
                hops.sort_by_key(|f| (f.hop.to, f.hop.origin));
                found.extend(hops);
            }
        }
        let loops = find_loops(app, &found);
        // Keep the edges the loops go through, and their ends.
        let kept: BTreeSet<EdgeIndex> = loops
            .iter()
            .flatten()
            .flat_map(|&i| [found[i].write, found[i].trigger])
            .collect();
        let graph = graph.filter_map(
            |n, w| {
                let mut edges = graph.edges_directed(n, petgraph::Direction::Outgoing);
                let mut incoming = graph.edges_directed(n, petgraph::Direction::Incoming);
                let on_loop = edges.any(|e| kept.contains(&e.id()))
                    || incoming.any(|e| kept.contains(&e.id()));
                on_loop.then(|| w.clone())
            },
            |e, w| kept.contains(&e).then(|| w.clone()),
        );
        let loops = loops
            .into_iter()
            .map(|hops| {
                let mut functions: Vec<usize> = hops.iter().map(|&i| found[i].hop.from).collect();
                functions.sort_by_key(|&i| (&app.functions[i].id, i));
                functions.dedup();
                let hops = hops.into_iter().map(|i| found[i].hop.clone()).collect();
                Loop { functions, hops }
            })
            .collect();
        TriggerGraph { graph, loops }
    }

    /// The functions and trigger sources the loops go through, with their "triggers" and
    /// "writes" edges.
    pub fn graph(&self) -> &DiGraph<TriggerNode, TriggerEdge> {
        &self.graph
    }

    /// The loops, by their first function's id.
    pub fn loops(&self) -> &[Loop] {
        &self.loops
    }
}

/// A trigger of the model with its source's resource, kept small: a large app lists one per
/// function at least, and the details are read again (see [`source_of`]) for the few that a
/// write reaches.
struct Listed<'a> {
    /// The function it triggers (index in `App::functions`).
    function: usize,
    origin: Origin,
    /// Where the ARN's logical ids belong (see [`scope`]).
    scope: &'a str,
    /// The source's resource (see [`normalize`]).
    arn: &'a str,
}

/// Every trigger a write may reach: each function's events and own ARN, then the push
/// triggers declared apart from their function.
fn list_triggers(app: &App) -> Vec<Listed<'_>> {
    fn listed<'a>(
        f: &'a Function,
        function: usize,
        origin: Origin,
        source: TriggerSource<'a>,
    ) -> Listed<'a> {
        let arn = normalize(source.arn);
        Listed {
            function,
            origin,
            scope: scope(&f.id, arn),
            arn,
        }
    }
    let events: usize = app.functions.iter().map(|f| f.events.len()).sum();
    let mut out = Vec::with_capacity(events + app.functions.len() + app.triggers.len());
    for (fi, f) in app.functions.iter().enumerate() {
        for event in 0..f.events.len() {
            let origin = Origin::Event {
                function: fi,
                event,
            };
            if let Some(s) = source_of(app, origin) {
                out.push(listed(f, fi, origin, s));
            }
        }
        out.push(listed(f, fi, Origin::Invoke(fi), invoke_source(f)));
    }
    let by_id: BTreeMap<&str, usize> = app
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    for (ti, t) in app.triggers.iter().enumerate() {
        let Some(&fi) = t.function.as_deref().and_then(|id| by_id.get(id)) else {
            continue;
        };
        if let Some(s) = trigger_source(t) {
            out.push(listed(&app.functions[fi], fi, Origin::Trigger(ti), s));
        }
    }
    out
}

/// The strongly connected components of the hops that hold a cycle (two functions or more,
/// or one function with a hop to itself), as the indices of their inner hops in `found`,
/// sorted by their first function's id.
fn find_loops(app: &App, found: &[Found]) -> Vec<Vec<usize>> {
    let mut fg: DiGraph<usize, usize> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..app.functions.len()).map(|i| fg.add_node(i)).collect();
    for (i, f) in found.iter().enumerate() {
        fg.add_edge(nodes[f.hop.from], nodes[f.hop.to], i);
    }
    let mut loops: Vec<(&str, Vec<usize>)> = Vec::new();
    for scc in tarjan_scc(&fg) {
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let mut inner: Vec<usize> = scc
            .iter()
            .flat_map(|&n| fg.edges(n))
            .filter(|e| members.contains(&e.target()))
            .map(|e| *e.weight())
            .collect();
        if inner.is_empty() {
            continue;
        }
        inner.sort_unstable();
        let first = scc
            .iter()
            .map(|n| app.functions[fg[*n]].id.as_str())
            .min()
            .unwrap_or("");
        loops.push((first, inner));
    }
    loops.sort_by(|a, b| a.0.cmp(b.0));
    loops.into_iter().map(|(_, hops)| hops).collect()
}

// ---- The model's events and triggers, read in one place ----

/// A trigger as the graph needs it.
struct TriggerSource<'a> {
    /// The source's ARN as the model gives it.
    arn: &'a str,
    /// The trigger kind as the model names it.
    kind: &'static str,
    /// What the trigger hears.
    channels: &'static [Channel],
    /// S3 key filter rules (lower-cased name, value).
    key_rules: Vec<(String, String)>,
}

/// An event source or push trigger declared on a function, if it has a source that writes
/// can reach.
fn event_source(ev: &Event) -> Option<TriggerSource<'_>> {
    source(&ev.kind, ev.source_arn.as_ref()?)
}

/// A push trigger declared apart from its function, if it has a source that writes can reach.
fn trigger_source(t: &Trigger) -> Option<TriggerSource<'_>> {
    source(&t.kind, t.source_arn.as_ref()?)
}

/// The trigger an origin names, if writes can reach it.
fn source_of(app: &App, origin: Origin) -> Option<TriggerSource<'_>> {
    match origin {
        Origin::Event { function, event } => {
            event_source(app.functions.get(function)?.events.get(event)?)
        }
        Origin::Invoke(function) => app.functions.get(function).map(invoke_source),
        Origin::Trigger(t) => trigger_source(app.triggers.get(t)?),
    }
}

/// Invoking a function through its own ARN.
fn invoke_source(f: &Function) -> TriggerSource<'_> {
    TriggerSource {
        arn: &f.arn,
        kind: "Invoke",
        channels: &[Channel::Invoke],
        key_rules: Vec::new(),
    }
}

fn source<'a>(
    kind: &EventKind,
    arn: &'a crate::source::Spanned<String>,
) -> Option<TriggerSource<'a>> {
    let (name, channels): (&'static str, &'static [Channel]) = match kind {
        EventKind::S3(_) => ("S3", &[Channel::S3Notification]),
        EventKind::Sqs(_) => ("SQS", &[Channel::SqsQueue]),
        EventKind::Sns => ("SNS", &[Channel::SnsTopic]),
        EventKind::Kinesis(_) => ("Kinesis", &[Channel::KinesisStream]),
        EventKind::DynamoDb(_) => ("DynamoDB", &[Channel::DynamoDbStream]),
        // A mapping's source ARN tells which; the ARN match decides.
        EventKind::Mapping { .. } => (
            "EventSourceMapping",
            &[
                Channel::SqsQueue,
                Channel::KinesisStream,
                Channel::DynamoDbStream,
            ],
        ),
        _ => return None,
    };
    // The notification's object key filter (prefix/suffix rules, lower-cased names).
    let key_rules = match kind {
        EventKind::S3(n) => n
            .key_filter
            .iter()
            .map(|r| (r.name.clone(), r.value.clone()))
            .collect(),
        _ => Vec::new(),
    };
    Some(TriggerSource {
        arn: &arn.value,
        kind: name,
        channels,
        key_rules,
    })
}

// ---- Matching writes with sources ----

/// Whether keys written as `key` (with `*` and `${...}` for unknown parts) may pass the
/// prefix and suffix rules. Only a literal head or tail that contradicts a rule excludes it.
fn key_may_match(key: &str, rules: &[(String, String)]) -> bool {
    let head = key.split(['*', '$']).next().unwrap_or("");
    let tail = key.rsplit(['*', '}']).next().unwrap_or("");
    let whole = !key.contains(['*', '$']);
    rules.iter().all(|(name, value)| match name.as_str() {
        "prefix" => {
            if whole {
                head.starts_with(value.as_str())
            } else {
                head.starts_with(value.as_str()) || value.starts_with(head)
            }
        }
        "suffix" => {
            if whole {
                tail.ends_with(value.as_str())
            } else {
                tail.ends_with(value.as_str()) || value.ends_with(tail)
            }
        }
        _ => true,
    })
}

/// The key part of an object ARN (`arn:aws:s3:::bucket/key`), or `*` when there is none.
fn s3_key(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:s3:::")
        .and_then(|r| r.split_once('/'))
        .map(|(_, k)| k)
        .unwrap_or("*")
}

/// The resource an event source or a write names: an object's bucket, a table's stream's
/// table, a function without qualifier. Always a prefix of `arn`.
fn normalize(arn: &str) -> &str {
    if let Some(rest) = arn.strip_prefix("arn:aws:s3:::") {
        let bucket = rest.split('/').next().unwrap_or(rest);
        return &arn[..arn.len() - rest.len() + bucket.len()];
    }
    if arn.starts_with("arn:aws:dynamodb:") {
        if let Some((table, _)) = arn.split_once("/stream/") {
            return table;
        }
        if let Some((table, _)) = arn.split_once("/index/") {
            return table;
        }
    }
    if arn.starts_with("arn:aws:kinesis:")
        && let Some((stream, _)) = arn.split_once("/consumer/")
    {
        return stream;
    }
    if arn.starts_with("arn:aws:lambda:")
        && arn.matches(":function:").count() == 1
        && let Some((head, name)) = arn.split_once(":function:")
    {
        // `...:function:name:alias` -> `...:function:name`
        let base = split_top_colon(name);
        return &arn[..head.len() + ":function:".len() + base.len()];
    }
    arn
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
/// every write with every source was quadratic (most of a 10,000-function run). A source
/// without wildcards, policy variables or escapes matches a write definitely only when the two
/// ARNs are equal (placeholders are opaque), so it is found by lookup; the others are tried
/// against every write. Exact ARNs are keyed by [`scope`] too.
struct SourceIndex<'s> {
    exact: BTreeMap<(&'s str, &'s str), Vec<usize>>,
    patterns: Vec<usize>,
}

impl<'s> SourceIndex<'s> {
    fn new(listed: &'s [Listed<'_>]) -> SourceIndex<'s> {
        let mut index = SourceIndex {
            exact: BTreeMap::new(),
            patterns: Vec::new(),
        };
        for (li, l) in listed.iter().enumerate() {
            if is_literal(l.arn) {
                index.exact.entry((l.scope, l.arn)).or_default().push(li);
            } else {
                index.patterns.push(li);
            }
        }
        index
    }

    /// The listed triggers a write of `written` in `scope` may reach, in listing order.
    fn candidates(&self, scope: &str, written: &str) -> Vec<usize> {
        let mut out = self.patterns.clone();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, v: &str) -> (String, String) {
        (name.to_string(), v.to_string())
    }

    #[test]
    fn prefix_and_suffix_filters() {
        let incoming = [r("prefix", "incoming/")];
        assert!(!key_may_match("processed/*", &incoming));
        assert!(key_may_match("incoming/x.jpg", &incoming));
        assert!(key_may_match("*", &incoming));
        assert!(key_may_match("inc*", &incoming));
        let jpg = [r("suffix", ".jpg")];
        assert!(!key_may_match("thumbs/*.png", &jpg));
        assert!(key_may_match("thumbs/*.jpg", &jpg));
        assert!(key_may_match("clean/*", &jpg));
        assert!(!key_may_match("report.csv", &jpg));
    }

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
