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

/// Writes what [`render`] gives, byte for byte, without holding the whole text in memory (the
/// report of a large monorepo runs to a hundred megabytes and more).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
