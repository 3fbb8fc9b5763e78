//! `terraform show -json` plan files: recognised by `format_version` with `planned_values`
//! or `resource_changes`.

use crate::parse::node::Node;

/// A JSON document written by `terraform show -json`.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}
