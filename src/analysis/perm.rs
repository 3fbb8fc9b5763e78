//! The permission graph: functions, roles, policies, resources, principals, triggers and SDK
//! calls as a petgraph, drawn as Graphviz dot, Mermaid or JSON (`rolefit graph`).
//!
//! Needs are drawn at the level a reader thinks in: an S3 object write is an edge to the
//! bucket (labelled with the key), a stream read an edge to the table. Event sources hang off
//! the resource that emits them, so a function that writes into its own trigger shows as a
//! cycle, and edges on such cycles are marked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::algo::tarjan_scc;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::model::{App, KeyRule};
use crate::parse::codebase::FunctionCode;
use crate::source::SourceMap;
use crate::source::locate;

use super::{Analysis, Verdict, loops};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Function,
    Role,
    Policy,
    Resource,
    Principal,
    Trigger,
    SdkCall,
}

impl NodeKind {
    fn as_str(&self) -> &'static str {
        match self {
            NodeKind::Function => "function",
            NodeKind::Role => "role",
            NodeKind::Policy => "policy",
            NodeKind::Resource => "resource",
            NodeKind::Principal => "principal",
            NodeKind::Trigger => "trigger",
            NodeKind::SdkCall => "sdk-call",
        }
    }
}

#[derive(Clone, Debug)]
pub struct GNode {
    pub kind: NodeKind,
    /// Unique within its kind.
    pub key: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    AssumesRole,
    Attaches,
    /// A policy allows an action pattern on a resource pattern.
    Grants(String),
    /// A function needs actions on a resource: the label, whether all are granted, the
    /// writes among them as (action, S3 key or `*`), and whether the edge lies on an
    /// invocation cycle.
    Needs {
        label: String,
        granted: bool,
        writes: Vec<(String, String)>,
        cycle: bool,
    },
    Calls,
    /// A resource emits the events of a trigger of this kind, passing its S3 key filter.
    Emits {
        kind: String,
        filter: Vec<KeyRule>,
        cycle: bool,
    },
    /// A trigger or principal may invoke a function; an event source is polled by it.
    Invokes {
        cycle: bool,
    },
}

impl EdgeKind {
    fn label(&self) -> String {
        match self {
            EdgeKind::AssumesRole => "assumes".into(),
            EdgeKind::Attaches => "attaches".into(),
            EdgeKind::Grants(a) => a.clone(),
            EdgeKind::Needs {
                label,
                granted: true,
                ..
            } => label.clone(),
            EdgeKind::Needs {
                label,
                granted: false,
                ..
            } => format!("{label} (missing)"),
            EdgeKind::Calls => "calls".into(),
            EdgeKind::Emits { .. } => "emits".into(),
            EdgeKind::Invokes { .. } => "invokes".into(),
        }
    }

    fn missing(&self) -> bool {
        matches!(self, EdgeKind::Needs { granted: false, .. })
    }

    fn on_cycle(&self) -> bool {
        matches!(
            self,
            EdgeKind::Needs { cycle: true, .. }
                | EdgeKind::Emits { cycle: true, .. }
                | EdgeKind::Invokes { cycle: true }
        )
    }

    fn set_cycle(&mut self) {
        match self {
            EdgeKind::Needs { cycle, .. }
            | EdgeKind::Emits { cycle, .. }
            | EdgeKind::Invokes { cycle } => *cycle = true,
            _ => {}
        }
    }
}

/// Actions that deliver events to whatever listens on the resource they write, with the
/// trigger kinds that hear them.
const WRITES: &[(&str, &[&str])] = &[
    ("s3:PutObject", &["S3"]),
    ("sqs:SendMessage", &["SQS", "EventSourceMapping"]),
    ("sns:Publish", &["SNS"]),
    ("kinesis:PutRecord", &["Kinesis", "EventSourceMapping"]),
    ("kinesis:PutRecords", &["Kinesis", "EventSourceMapping"]),
    ("dynamodb:PutItem", &["DynamoDB", "EventSourceMapping"]),
    ("dynamodb:UpdateItem", &["DynamoDB", "EventSourceMapping"]),
    ("dynamodb:DeleteItem", &["DynamoDB", "EventSourceMapping"]),
    (
        "dynamodb:BatchWriteItem",
        &["DynamoDB", "EventSourceMapping"],
    ),
];

/// An edge between two node ids of [`PermissionGraph::ordered`].
type OrderedEdge<'a> = (usize, usize, &'a EdgeKind);

/// The graph with a stable, sorted insertion order so every rendering is deterministic.
pub struct PermissionGraph {
    pub graph: StableDiGraph<GNode, EdgeKind>,
    index: BTreeMap<(NodeKind, String), NodeIndex>,
}

impl PermissionGraph {
    pub fn build(
        app: &App,
        code: &[FunctionCode],
        analysis: &Analysis,
        sources: &SourceMap,
    ) -> PermissionGraph {
        let mut g = PermissionGraph {
            graph: StableDiGraph::new(),
            index: BTreeMap::new(),
        };
        for ra in &analysis.roles {
            let Some(role) = app.roles.get(ra.role) else {
                continue;
            };
            let rn = g.node(NodeKind::Role, &role.id, &role.name);
            for (pi, p) in ra.policies.iter().enumerate() {
                let pn = g.node(
                    NodeKind::Policy,
                    &format!("{}#{pi}:{}", role.id, p.name),
                    &p.name,
                );
                g.edge(rn, pn, EdgeKind::Attaches);
                for grant in ra.grants.iter().filter(|gr| gr.policy == pi) {
                    let res = g.node(NodeKind::Resource, &grant.resource, &grant.resource);
                    g.edge(pn, res, EdgeKind::Grants(grant.action.clone()));
                }
            }
        }
        for (fi, func) in app.functions.iter().enumerate() {
            let fnode = g.node(NodeKind::Function, &func.id, &func.name);
            if let Some(ra) = analysis
                .functions
                .get(fi)
                .and_then(|fa| fa.role)
                .and_then(|ri| analysis.roles.get(ri))
                && let Some(role) = app.roles.get(ra.role)
            {
                let rn = g.node(NodeKind::Role, &role.id, &role.name);
                g.edge(fnode, rn, EdgeKind::AssumesRole);
            }
            for ev in &func.events {
                let tn = g.node(
                    NodeKind::Trigger,
                    &format!("{}#{}", func.id, ev.name),
                    &format!("{} {}", ev.kind, ev.name),
                );
                g.edge(tn, fnode, EdgeKind::Invokes { cycle: false });
                if let Some(src) = &ev.source_arn {
                    let (key, _) = display_resource(&src.value);
                    let rn = g.node(NodeKind::Resource, &key, &key);
                    let filter = ev.kind.key_filter().to_vec();
                    g.edge(
                        rn,
                        tn,
                        EdgeKind::Emits {
                            kind: ev.kind.name().to_string(),
                            filter,
                            cycle: false,
                        },
                    );
                }
            }
            if let Some(fc) = code.get(fi) {
                for call in &fc.calls {
                    let loc = locate(sources, call.span)
                        .map(|l| format!("{}:{}", l.file, l.line))
                        .unwrap_or_default();
                    let cn = g.node(
                        NodeKind::SdkCall,
                        &format!("{loc}:{}", call.text),
                        &format!("{} ({loc})", call.text),
                    );
                    g.edge(fnode, cn, EdgeKind::Calls);
                }
            }
            if let Some(fa) = analysis.functions.get(fi) {
                // One edge per resource, with every action (and S3 key) it needs there.
                type Acc = (BTreeSet<String>, bool, Vec<(String, String)>);
                let mut per_resource: BTreeMap<String, Acc> = BTreeMap::new();
                for (need, verdict) in fa.needs.iter().zip(&fa.verdicts) {
                    let (key, detail) = display_resource(&need.resource);
                    let e = per_resource
                        .entry(key)
                        .or_insert_with(|| (BTreeSet::new(), true, Vec::new()));
                    e.0.insert(match &detail {
                        Some(d) => format!("{} ({d})", need.action),
                        None => need.action.clone(),
                    });
                    e.1 &= matches!(verdict.verdict, Verdict::Allowed | Verdict::Conditional);
                    let from_code = need
                        .because
                        .iter()
                        .any(|r| r.kind == crate::needs::ReasonKind::SdkCall);
                    if from_code && WRITES.iter().any(|(w, _)| *w == need.action) {
                        e.2.push((
                            need.action.clone(),
                            detail.unwrap_or_else(|| "*".to_string()),
                        ));
                    }
                }
                for (key, (actions, granted, writes)) in per_resource {
                    let res = g.node(NodeKind::Resource, &key, &key);
                    let label = actions.into_iter().collect::<Vec<_>>().join(", ");
                    g.edge(
                        fnode,
                        res,
                        EdgeKind::Needs {
                            label,
                            granted,
                            writes,
                            cycle: false,
                        },
                    );
                }
            }
        }
        for p in &app.permissions {
            let Some(target) = p
                .function
                .as_deref()
                .and_then(|id| g.index.get(&(NodeKind::Function, id.to_string())).copied())
            else {
                continue;
            };
            let pn = g.node(NodeKind::Principal, &p.principal.value, &p.principal.value);
            g.edge(pn, target, EdgeKind::Invokes { cycle: false });
        }
        for t in &app.triggers {
            let Some(target) = t
                .function
                .as_deref()
                .and_then(|id| g.index.get(&(NodeKind::Function, id.to_string())).copied())
            else {
                continue;
            };
            let tn = g.node(
                NodeKind::Trigger,
                &t.id,
                &format!("{} {}", t.kind, t.id.rsplit('#').next().unwrap_or(&t.id)),
            );
            g.edge(tn, target, EdgeKind::Invokes { cycle: false });
            if let Some(src) = &t.source_arn {
                let (key, _) = display_resource(&src.value);
                let rn = g.node(NodeKind::Resource, &key, &key);
                let filter = t.kind.key_filter().to_vec();
                g.edge(
                    rn,
                    tn,
                    EdgeKind::Emits {
                        kind: t.kind.name().to_string(),
                        filter,
                        cycle: false,
                    },
                );
            }
        }
        g.mark_cycles();
        g
    }

    /// Marks the edges of invocation cycles: a function writes a resource whose events (past
    /// the trigger's S3 key filter) invoke a function that, in turn, comes back to it.
    fn mark_cycles(&mut self) {
        use petgraph::stable_graph::EdgeIndex;
        let mut fgraph: petgraph::graph::DiGraph<NodeIndex, [EdgeIndex; 3]> =
            petgraph::graph::DiGraph::new();
        let mut fnodes = BTreeMap::new();
        for n in self.graph.node_indices() {
            if self.graph[n].kind == NodeKind::Function {
                fnodes.insert(n, fgraph.add_node(n));
            }
        }
        for (&f, &fi) in &fnodes {
            for e1 in self.graph.edges(f) {
                let EdgeKind::Needs { writes, .. } = e1.weight() else {
                    continue;
                };
                if writes.is_empty() {
                    continue;
                }
                for e2 in self.graph.edges(e1.target()) {
                    let EdgeKind::Emits { kind, filter, .. } = e2.weight() else {
                        continue;
                    };
                    let heard = writes.iter().any(|(action, key)| {
                        WRITES
                            .iter()
                            .any(|(w, kinds)| w == action && kinds.contains(&kind.as_str()))
                            && (kind != "S3" || loops::key_may_match(key, filter))
                    });
                    if !heard {
                        continue;
                    }
                    for e3 in self.graph.edges(e2.target()) {
                        if let (EdgeKind::Invokes { .. }, Some(&gi)) =
                            (e3.weight(), fnodes.get(&e3.target()))
                        {
                            fgraph.add_edge(fi, gi, [e1.id(), e2.id(), e3.id()]);
                        }
                    }
                }
            }
        }
        let mut marked = Vec::new();
        for scc in tarjan_scc(&fgraph) {
            let members: BTreeSet<_> = scc.iter().copied().collect();
            for &n in &scc {
                for e in fgraph.edges(n) {
                    if members.contains(&e.target()) && (scc.len() > 1 || e.target() == n) {
                        marked.extend(e.weight().iter().copied());
                    }
                }
            }
        }
        for id in marked {
            if let Some(w) = self.graph.edge_weight_mut(id) {
                w.set_cycle();
            }
        }
    }

    fn node(&mut self, kind: NodeKind, key: &str, label: &str) -> NodeIndex {
        if let Some(&i) = self.index.get(&(kind.clone(), key.to_string())) {
            return i;
        }
        let i = self.graph.add_node(GNode {
            kind: kind.clone(),
            key: key.to_string(),
            label: label.to_string(),
        });
        self.index.insert((kind, key.to_string()), i);
        i
    }

    fn edge(&mut self, a: NodeIndex, b: NodeIndex, kind: EdgeKind) {
        let exists = self
            .graph
            .edges_connecting(a, b)
            .any(|e| *e.weight() == kind);
        if !exists {
            self.graph.add_edge(a, b, kind);
        }
    }

    /// Node ids in sorted (kind, key) order, and edges sorted by those ids.
    fn ordered(&self) -> (Vec<(usize, &GNode)>, Vec<OrderedEdge<'_>>) {
        let ids: BTreeMap<NodeIndex, usize> = self
            .index
            .values()
            .enumerate()
            .map(|(n, &i)| (i, n))
            .collect();
        let nodes: Vec<(usize, &GNode)> = self
            .index
            .values()
            .enumerate()
            .map(|(n, &i)| (n, &self.graph[i]))
            .collect();
        let mut edges: Vec<OrderedEdge<'_>> = self
            .graph
            .edge_references()
            .filter_map(|e| Some((*ids.get(&e.source())?, *ids.get(&e.target())?, e.weight())))
            .collect();
        edges.sort();
        (nodes, edges)
    }

    pub fn to_dot(&self) -> String {
        let (nodes, edges) = self.ordered();
        let mut s =
            String::from("digraph rolefit {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        for (id, n) in &nodes {
            let shape = match n.kind {
                NodeKind::Function => "box, style=bold",
                NodeKind::Role => "hexagon",
                NodeKind::Policy => "note",
                NodeKind::Resource => "cylinder",
                NodeKind::Principal => "diamond",
                NodeKind::Trigger => "cds",
                NodeKind::SdkCall => "plaintext",
            };
            let _ = writeln!(
                s,
                "  n{id} [label=\"{}\", shape={shape}];",
                escape(&n.label)
            );
        }
        for (a, b, e) in &edges {
            let style = match (e.missing(), e.on_cycle()) {
                (true, _) => ", color=red, fontcolor=red",
                (false, true) => ", color=orange, style=bold",
                _ => "",
            };
            let _ = writeln!(
                s,
                "  n{a} -> n{b} [label=\"{}\"{style}];",
                escape(&e.label())
            );
        }
        s.push_str("}\n");
        s
    }

    /// A picture for people: functions, roles, attached policies, triggers and the resources
    /// functions use. Grants and SDK call sites are left to the JSON and dot outputs.
    pub fn to_mermaid(&self) -> String {
        let (nodes, edges) = self.ordered();
        let shown = |k: &NodeKind| !matches!(k, NodeKind::SdkCall);
        let mut used: BTreeSet<usize> = BTreeSet::new();
        let edges: Vec<_> = edges
            .into_iter()
            .filter(|(a, b, e)| {
                !matches!(e, EdgeKind::Grants(_) | EdgeKind::Calls)
                    && shown(&nodes[*a].1.kind)
                    && shown(&nodes[*b].1.kind)
            })
            .collect();
        for (a, b, _) in &edges {
            used.insert(*a);
            used.insert(*b);
        }
        let mut s = String::from("flowchart LR\n");
        for (id, n) in &nodes {
            if !shown(&n.kind) || (!used.contains(id) && n.kind != NodeKind::Function) {
                continue;
            }
            let label = mermaid_text(&n.label);
            let shape = match n.kind {
                NodeKind::Function => format!("n{id}[\"λ {label}\"]"),
                NodeKind::Role => format!("n{id}{{{{\"role {label}\"}}}}"),
                NodeKind::Policy => format!("n{id}[/\"{label}\"/]"),
                NodeKind::Resource => format!("n{id}[(\"{label}\")]"),
                NodeKind::Principal => format!("n{id}{{\"{label}\"}}"),
                NodeKind::Trigger => format!("n{id}>\"{label}\"]"),
                NodeKind::SdkCall => format!("n{id}([\"{label}\"])"),
            };
            let _ = writeln!(s, "  {shape}");
        }
        for (i, (a, b, e)) in edges.iter().enumerate() {
            let arrow = if e.on_cycle() { "==>" } else { "-->" };
            let _ = writeln!(s, "  n{a} {arrow}|\"{}\"| n{b}", mermaid_text(&e.label()));
            if e.missing() {
                let _ = writeln!(s, "  linkStyle {i} stroke:#d33,color:#d33");
            } else if e.on_cycle() {
                let _ = writeln!(s, "  linkStyle {i} stroke:#e80,color:#e80");
            }
        }
        s
    }

    pub fn to_json(&self) -> String {
        let (nodes, edges) = self.ordered();
        let value = serde_json::json!({
            "nodes": nodes.iter().map(|(id, n)| serde_json::json!({
                "id": id, "kind": n.kind.as_str(), "key": n.key, "label": n.label,
            })).collect::<Vec<_>>(),
            "edges": edges.iter().map(|(a, b, e)| serde_json::json!({
                "from": a, "to": b, "label": e.label(),
                "missing": e.missing(),
                "cycle": e.on_cycle(),
            })).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// The resource node a need or event source is drawn on, and what part of it (an S3 key):
/// objects on their bucket, stream ARNs on their table or stream.
fn display_resource(arn: &str) -> (String, Option<String>) {
    if let Some(rest) = arn.strip_prefix("arn:aws:s3:::")
        && let Some((bucket, key)) = rest.split_once('/')
    {
        return (format!("arn:aws:s3:::{bucket}"), Some(key.to_string()));
    }
    if arn.starts_with("arn:aws:dynamodb:")
        && let Some((table, _)) = arn.split_once("/stream/")
    {
        return (table.to_string(), None);
    }
    (arn.to_string(), None)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid labels in quotes cannot hold `"`; `#` starts an entity.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}
