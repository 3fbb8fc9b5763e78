//! `rolefit graph`: the permission graph drawn for people. The Mermaid picture of a fixture
//! with a self-triggering function is snapshotted; its cycle edges are drawn bold.

use std::path::Path;

fn graph_of(app: &str) -> rolefit::analysis::PermissionGraph {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(app);
    let audit = rolefit::app::audit(&[dir], &Default::default()).expect("audit");
    rolefit::analysis::PermissionGraph::build(
        &audit.app,
        &audit.code,
        &audit.analysis,
        &audit.sources,
    )
}

#[test]
fn mermaid_shows_functions_roles_triggers_and_the_cycle() {
    let mermaid = graph_of("sam-recursive-s3").to_mermaid();
    // StripExif writes clean/* into the bucket whose notification invokes it: a bold loop.
    let loop_edge = mermaid
        .lines()
        .find(|l| l.contains("s3:PutObject (clean/*)"))
        .expect("the write edge is drawn");
    assert!(loop_edge.contains("==>"), "{loop_edge}");
    // DeskewScan writes processed/ while its trigger filters incoming/: no loop.
    let safe_edge = mermaid
        .lines()
        .find(|l| l.contains("s3:PutObject (processed/*.png)"))
        .expect("the write edge is drawn");
    assert!(safe_edge.contains("-->"), "{safe_edge}");
    insta::assert_snapshot!("mermaid_recursive", mermaid);
}

#[test]
fn dot_and_json_are_deterministic_and_complete() {
    let a = graph_of("demo");
    let b = graph_of("demo");
    assert_eq!(a.to_dot(), b.to_dot());
    let json: serde_json::Value = serde_json::from_str(&a.to_json()).expect("json");
    let kinds: std::collections::BTreeSet<&str> = json["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    for k in [
        "function", "role", "policy", "resource", "trigger", "sdk-call",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    assert!(
        json["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["missing"] == true)
    );
}
