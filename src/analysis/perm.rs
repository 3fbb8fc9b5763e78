//! The permission graph: functions, roles, policies, resources, principals, triggers and SDK
//! calls as a petgraph, drawn as Graphviz dot, Mermaid or JSON (`rolefit graph`).
//!
//! Needs are drawn at the level a reader thinks in: an S3 object write is an edge to the
//! bucket (labelled with the key), a stream read an edge to the table. Event sources hang off
//! the resource that emits them, so a function that writes into its own trigger shows as a
//! cycle, and the edges of the loops of the [`TriggerGraph`](super::TriggerGraph) are marked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::model::App;
use crate::parse::codebase::FunctionCode;
use crate::source::SourceMap;
use crate::source::locate;

use super::{Analysis, Origin, Verdict};

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
    /// A function needs actions on a resource: the label, whether all are granted, and
    /// whether the edge lies on an invocation cycle.
    Needs {
        label: String,
        granted: bool,
        cycle: bool,
    },
    Calls,
    /// A resource emits the events of a trigger.
    Emits {
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
        // The edges each trigger and each need is drawn as, to mark the loops on.
        let mut trigger_edges: BTreeMap<Origin, Vec<EdgeIndex>> = BTreeMap::new();
        let mut need_edges: BTreeMap<(usize, usize), EdgeIndex> = BTreeMap::new();
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
            for (event, ev) in func.events.iter().enumerate() {
                let tn = g.node(
                    NodeKind::Trigger,
                    &format!("{}#{}", func.id, ev.name),
                    &format!("{} {}", ev.kind, ev.name),
                );
                let drawn = trigger_edges
                    .entry(Origin::Event {
                        function: fi,
                        event,
                    })
                    .or_default();
                drawn.push(g.edge(tn, fnode, EdgeKind::Invokes { cycle: false }));
                if let Some(src) = &ev.source_arn {
                    let (key, _) = display_resource(&src.value);
                    let rn = g.node(NodeKind::Resource, &key, &key);
                    drawn.push(g.edge(rn, tn, EdgeKind::Emits { cycle: false }));
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
                type Acc = (BTreeSet<String>, bool, Vec<usize>);
                let mut per_resource: BTreeMap<String, Acc> = BTreeMap::new();
                for (ni, (need, verdict)) in fa.needs.iter().zip(&fa.verdicts).enumerate() {
                    let (key, detail) = display_resource(&need.resource);
                    let e = per_resource
                        .entry(key)
                        .or_insert_with(|| (BTreeSet::new(), true, Vec::new()));
                    e.0.insert(match &detail {
                        Some(d) => format!("{} ({d})", need.action),
                        None => need.action.clone(),
                    });
                    e.1 &= matches!(verdict.verdict, Verdict::Allowed | Verdict::Conditional);
                    e.2.push(ni);
                }
                for (key, (actions, granted, needs)) in per_resource {
                    let res = g.node(NodeKind::Resource, &key, &key);
                    let label = actions.into_iter().collect::<Vec<_>>().join(", ");
                    let edge = g.edge(
                        fnode,
                        res,
                        EdgeKind::Needs {
                            label,
                            granted,
                            cycle: false,
                        },
                    );
                    need_edges.extend(needs.into_iter().map(|ni| ((fi, ni), edge)));
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
        for (ti, t) in app.triggers.iter().enumerate() {
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
            let drawn = trigger_edges.entry(Origin::Trigger(ti)).or_default();
            drawn.push(g.edge(tn, target, EdgeKind::Invokes { cycle: false }));
            if let Some(src) = &t.source_arn {
                let (key, _) = display_resource(&src.value);
                let rn = g.node(NodeKind::Resource, &key, &key);
                drawn.push(g.edge(rn, tn, EdgeKind::Emits { cycle: false }));
            }
        }
        // A loop's hops: the function's write, and the trigger it feeds (a function invoking
        // itself or another through its ARN is the write alone).
        let mut marked = BTreeSet::new();
        for hop in analysis.triggers.loops().iter().flat_map(|l| &l.hops) {
            marked.extend(need_edges.get(&(hop.from, hop.need)));
            marked.extend(trigger_edges.get(&hop.origin).into_iter().flatten());
        }
        for id in marked {
            if let Some(w) = g.graph.edge_weight_mut(id) {
                w.set_cycle();
            }
        }
        g
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

    /// The edge `a → b` of this kind, added unless it is there already.
    fn edge(&mut self, a: NodeIndex, b: NodeIndex, kind: EdgeKind) -> EdgeIndex {
        let existing = self
            .graph
            .edges_connecting(a, b)
            .find(|e| *e.weight() == kind)
            .map(|e| e.id());
        existing.unwrap_or_else(|| self.graph.add_edge(a, b, kind))
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
