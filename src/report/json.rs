//! `--format json`: exactly one JSON document, the v1 contract.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serializing plain data structs cannot fail; keep the contract shape if it ever does.
        format!("{{\"version\":1,\"error\":\"{e}\"}}")
    });
    s.push('\n');
    s
}
