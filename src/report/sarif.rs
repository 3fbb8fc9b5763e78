//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rules
//! come from the rule catalog with the same help text as `rolefit explain`; each result has its
//! physical location, the evidence as `relatedLocations`, and a fingerprint that survives
//! line moves.

use serde_json::{Value, json};

use crate::finding::catalog::{self, RuleDoc};
use crate::finding::{Finding, Severity};
use crate::source::SourceMap;

use super::fingerprint::{SARIF_KEY, fingerprints};
use super::{Location, Report, related_locations};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFO_URI: &str = "https://github.com/rolefit/rolefit";

/// SARIF `level` of a severity (SARIF 2.1.0 §3.27.10).
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Renders one SARIF log. `findings` are parallel to `report.findings`; `uri_prefix` is
/// prepended to every path (the audited root relative to the repository root, or empty) so
/// that code scanning resolves the URIs from the checkout.
pub fn render(
    findings: &[Finding],
    report: &Report,
    sources: &SourceMap,
    uri_prefix: &str,
) -> String {
    let prints = fingerprints(findings, sources);
    let related: Vec<Vec<(Location, String)>> = findings
        .iter()
        .map(|f| related_locations(f, sources))
        .collect();
    render_parts(report, &prints, &related, uri_prefix)
}

/// Renders a report read back from JSON (`rolefit merge`): the fingerprints are the report's
/// own (computed under each shard's label, so they match the merged paths); the evidence,
/// which the JSON report does not keep, is left out.
pub fn render_report(report: &Report, uri_prefix: &str) -> String {
    let prints: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    render_parts(report, &prints, &[], uri_prefix)
}

fn render_parts(
    report: &Report,
    prints: &[String],
    related: &[Vec<(Location, String)>],
    uri_prefix: &str,
) -> String {
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(prints)
        .enumerate()
        .map(|(i, (r, print))| {
            let mut result = json!({
                "ruleId": r.rule,
                "level": level(r.severity),
                "message": { "text": r.message },
                "partialFingerprints": { SARIF_KEY: print },
            });
            if let Some(i) = catalog::ALL.iter().position(|d| d.id == r.rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(loc) = &r.location {
                result["locations"] = json!([{ "physicalLocation": physical(loc, uri_prefix) }]);
            }
            let related: Vec<Value> = related
                .get(i)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, (loc, label))| {
                    json!({
                        "id": i,
                        "physicalLocation": physical(&loc, uri_prefix),
                        "message": { "text": label },
                    })
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            let mut props = serde_json::Map::new();
            if let Some(func) = &r.function {
                props.insert("function".into(), json!(func));
            }
            if !r.functions.is_empty() {
                props.insert("functions".into(), json!(r.functions));
            }
            if !r.actions.is_empty() {
                props.insert("actions".into(), json!(r.actions));
            }
            if !r.resources.is_empty() {
                props.insert("resources".into(), json!(r.resources));
            }
            if let Some(fix) = &r.fix {
                props.insert("fix".into(), fix.clone());
            }
            if !props.is_empty() {
                result["properties"] = Value::Object(props);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": INFO_URI,
                "rules": rule_descriptors(),
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn rule_descriptors() -> Vec<Value> {
    catalog::ALL.iter().map(|doc| descriptor(doc)).collect()
}

/// A `reportingDescriptor` (SARIF 2.1.0 §3.49): every text is the rule's catalog entry.
fn descriptor(doc: &RuleDoc) -> Value {
    json!({
        "id": doc.id,
        "name": pascal_case(doc.id),
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.why },
        "help": { "text": doc.explain(), "markdown": doc.help_markdown() },
        "helpUri": doc.help_uri(),
        "defaultConfiguration": { "level": level(doc.severity) },
    })
}

fn physical(loc: &Location, uri_prefix: &str) -> Value {
    json!({
        "artifactLocation": { "uri": format!("{uri_prefix}{}", loc.file) },
        "region": { "startLine": loc.line.max(1), "startColumn": loc.column.max(1) },
    })
}

/// `missing-permission` -> `MissingPermission` (SARIF's `name` is an identifier).
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_one_to_one() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Note), "note");
        assert_eq!(pascal_case("missing-permission"), "MissingPermission");
    }
}
