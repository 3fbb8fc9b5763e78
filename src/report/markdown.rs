//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` and pull-request comments:
//! totals, then for each function with findings a table and a Mermaid picture of what it
//! needs and what its role grants (missing in red, unused dashed).
//!
//! The picture is drawn from the function's report (`required`/`granted`) rather than the
//! whole `PermissionGraph`: one function's needs per resource read better in a PR than the
//! full graph with its SDK-call and policy nodes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{FindingReport, FunctionReport, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::from("## rolefit\n\n");
    let c = &report.summary.findings;
    let _ = writeln!(
        out,
        "{} function(s) in {} file(s): **{} error(s)**, {} warning(s), {} note(s)\n",
        report.summary.functions, report.summary.files, c.error, c.warning, c.note
    );
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    let mut by_function: BTreeMap<&str, Vec<&FindingReport>> = BTreeMap::new();
    let mut several: Vec<&FindingReport> = Vec::new();
    for f in &report.findings {
        if f.functions.len() > 1 {
            several.push(f);
            continue;
        }
        by_function
            .entry(f.function.as_deref().unwrap_or(""))
            .or_default()
            .push(f);
    }
    for func in &report.functions {
        let Some(findings) = by_function.remove(func.id.as_str()) else {
            continue;
        };
        let _ = writeln!(out, "### {} (`{}`)\n", cell(&func.name), cell(&func.id));
        table(&findings, &mut out);
        out.push_str("\n```mermaid\n");
        out.push_str(&picture(func));
        out.push_str("```\n\n");
    }
    // Findings about a role several functions share: the functions they concern, by name.
    if !several.is_empty() {
        let names: BTreeMap<&str, &str> = report
            .functions
            .iter()
            .map(|f| (f.id.as_str(), f.name.as_str()))
            .collect();
        out.push_str("### Findings about several functions\n\n");
        out.push_str(
            "| severity | rule | location | functions | message |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in several {
            let functions: Vec<&str> = f
                .functions
                .iter()
                .map(|id| names.get(id.as_str()).copied().unwrap_or(id.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                f.severity.as_str(),
                f.rule,
                location_cell(f),
                cell(&functions.join(", ")),
                cell(&f.message)
            );
        }
        out.push('\n');
    }
    // Findings about no function (parse errors, suppressions) or an unknown one.
    let rest: Vec<&FindingReport> = by_function.into_values().flatten().collect();
    if !rest.is_empty() {
        out.push_str("### Other findings\n\n");
        table(&rest, &mut out);
        out.push('\n');
    }
    out
}

fn location_cell(f: &FindingReport) -> String {
    f.location
        .as_ref()
        .map(|l| format!("`{}:{}`", cell(&l.file), l.line))
        .unwrap_or_default()
}

fn table(findings: &[&FindingReport], out: &mut String) {
    out.push_str("| severity | rule | location | message |\n| --- | --- | --- | --- |\n");
    for f in findings {
        let loc = location_cell(f);
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            f.severity.as_str(),
            f.rule,
            loc,
            cell(&f.message)
        );
    }
}

/// One function, its resources, and edges labelled with actions: needed and granted
/// (solid), needed but missing (red), granted but unused (dashed).
pub fn picture(func: &FunctionReport) -> String {
    let mut edges: BTreeMap<(&str, u8), Vec<&str>> = BTreeMap::new();
    for r in &func.required {
        let kind = if r.granted { 0 } else { 1 };
        edges
            .entry((&r.resource, kind))
            .or_default()
            .push(&r.action);
    }
    for g in func.granted.iter().filter(|g| !g.used) {
        edges.entry((&g.resource, 2)).or_default().push(&g.action);
    }
    let mut resources: Vec<&str> = edges.keys().map(|(r, _)| *r).collect();
    resources.dedup();
    let mut s = format!("flowchart LR\n  f[\"λ {}\"]\n", mermaid(&func.name));
    for (i, r) in resources.iter().enumerate() {
        let _ = writeln!(s, "  r{i}[(\"{}\")]", mermaid(short_resource(r)));
    }
    let mut red = Vec::new();
    for (n, ((resource, kind), actions)) in edges.iter().enumerate() {
        let i = resources.iter().position(|r| r == resource).unwrap_or(0);
        let mut actions = actions.clone();
        actions.sort_unstable();
        actions.dedup();
        let label = mermaid(&shorten(&actions));
        match kind {
            0 => {
                let _ = writeln!(s, "  f -->|\"{label}\"| r{i}");
            }
            1 => {
                let _ = writeln!(s, "  f -->|\"missing: {label}\"| r{i}");
                red.push(n);
            }
            _ => {
                let _ = writeln!(s, "  f -.->|\"unused: {label}\"| r{i}");
            }
        }
    }
    for n in red {
        let _ = writeln!(s, "  linkStyle {n} stroke:#d33,color:#d33");
    }
    s
}

/// At most four actions on an edge, then a count.
fn shorten(actions: &[&str]) -> String {
    if actions.len() <= 4 {
        return actions.join(", ");
    }
    format!("{}, +{} more", actions[..3].join(", "), actions.len() - 3)
}

/// The part of an ARN that names the resource (`table/${OrdersTable}`).
fn short_resource(arn: &str) -> &str {
    crate::arn::Arn::parse(arn)
        .ok()
        .and_then(|a| a.resource())
        .map_or(arn, |r| r.as_str())
}

/// Mermaid label text inside quotes: quotes and angle brackets as entity codes.
fn mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Markdown table cell: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_short() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(mermaid("say \"hi\""), "say #quot;hi#quot;");
        assert_eq!(
            short_resource("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}"),
            "table/${T}"
        );
        assert_eq!(short_resource("*"), "*");
        assert_eq!(short_resource("arn:aws:s3:::${B}/*"), "${B}/*");
        assert_eq!(shorten(&["a", "b", "c", "d", "e"]), "a, b, c, +2 more");
    }
}
