//! The permission graph: functions, roles, policies, resources, principals, triggers and SDK
//! calls as a petgraph, drawn as Graphviz dot, Mermaid or JSON (`rolefit graph`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::codebase::FunctionCode;
use crate::model::App;
use crate::report::locate;
use crate::source::SourceMap;

use super::{Analysis, Verdict};

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
    /// A function needs an action on a resource; `true` when granted.
    Needs(String, bool),
    Calls,
    /// A trigger or principal may invoke a function; an event source is polled by it.
    Invokes,
}

impl EdgeKind {
    fn label(&self) -> String {
        match self {
            EdgeKind::AssumesRole => "assumes".into(),
            EdgeKind::Attaches => "attaches".into(),
            EdgeKind::Grants(a) => a.clone(),
            EdgeKind::Needs(a, true) => a.clone(),
            EdgeKind::Needs(a, false) => format!("{a} (missing)"),
            EdgeKind::Calls => "calls".into(),
            EdgeKind::Invokes => "invokes".into(),
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
                let key = format!("{}#{}", func.id, ev.name);
                let label = format!("{} {}", ev.kind, ev.name);
                let tn = g.node(NodeKind::Trigger, &key, &label);
                g.edge(tn, fnode, EdgeKind::Invokes);
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
                for (need, verdict) in fa.needs.iter().zip(&fa.verdicts) {
                    let res = g.node(NodeKind::Resource, &need.resource, &need.resource);
                    let ok = matches!(verdict.verdict, Verdict::Allowed | Verdict::Conditional);
                    g.edge(fnode, res, EdgeKind::Needs(need.action.clone(), ok));
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
            g.edge(pn, target, EdgeKind::Invokes);
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
            g.edge(tn, target, EdgeKind::Invokes);
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
        let mut edges: Vec<(usize, usize, &EdgeKind)> = self
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
            let style = if matches!(e, EdgeKind::Needs(_, false)) {
                ", color=red, fontcolor=red"
            } else {
                ""
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

    pub fn to_mermaid(&self) -> String {
        let (nodes, edges) = self.ordered();
        let mut s = String::from("flowchart LR\n");
        for (id, n) in &nodes {
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
            let _ = writeln!(s, "  n{a} -->|\"{}\"| n{b}", mermaid_text(&e.label()));
            if matches!(e, EdgeKind::Needs(_, false)) {
                let _ = writeln!(s, "  linkStyle {i} stroke:#d33,color:#d33");
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
                "missing": matches!(e, EdgeKind::Needs(_, false)),
            })).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid labels in quotes cannot hold `"`; `#` starts an entity.
fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}
