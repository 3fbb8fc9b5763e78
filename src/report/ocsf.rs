//! `--format ocsf`: one OCSF 1.3.0 Detection Finding (class 2004, category Findings 2) per
//! finding, one JSON object per line (NDJSON).
//!
//! Newline-delimited rather than one array because the consumers take events one at a time:
//! Amazon Security Lake stores a custom source's events as records of Parquet files, one
//! record per event (Security Lake User Guide, "Collecting data from custom sources in
//! Security Lake"), and the usual ways there (Amazon Data Firehose records, Athena/Glue JSON
//! tables, `pyarrow.json.read_json`) read one JSON event per line. `jq -s .` makes an array.
//!
//! Attributes (OCSF 1.3.0, https://schema.ocsf.io/1.3.0/classes/detection_finding): the
//! required `activity_id`, `category_uid`, `class_uid`, `type_uid` (= class_uid × 100 +
//! activity_id), `severity_id`, `time`, `metadata` (`product`, `version`) and `finding_info`
//! (`uid`, `title`); the recommended `resources`, `status_id`, `message`; `cloud` (the cloud
//! profile) when the account and region are known; `remediation`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::finding::{Severity, catalog};

use super::asff::{finding_id, recommendation};
use super::{FindingReport, FunctionReport, Report};

pub const OCSF_VERSION: &str = "1.3.0";
const CLASS_UID: u32 = 2004;
const CATEGORY_UID: u32 = 2;
const ACTIVITY_CREATE: u32 = 1;
const INFO_URI: &str = "https://github.com/rolefit/rolefit";

/// One line per finding; `now` (milliseconds since the epoch) is each event's `time`.
pub fn render(report: &Report, now: u64) -> String {
    let functions: BTreeMap<&str, &FunctionReport> = report
        .functions
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    let mut out = String::new();
    for f in &report.findings {
        let event = event(report, f, &functions, now);
        out.push_str(&serde_json::to_string(&event).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// OCSF `severity_id`: 1 Informational, 2 Low, 3 Medium, 4 High.
fn severity(f: &FindingReport) -> (u8, &'static str) {
    match (f.severity, f.rule) {
        (_, "incomplete-input") => (1, "Informational"),
        (Severity::Error, _) => (4, "High"),
        (Severity::Warning, _) => (3, "Medium"),
        (Severity::Note, _) => (2, "Low"),
    }
}

fn event(
    report: &Report,
    f: &FindingReport,
    functions: &BTreeMap<&str, &FunctionReport>,
    now: u64,
) -> Value {
    let root = report.root_of(f);
    let (severity_id, severity) = severity(f);
    let doc = catalog::find(f.rule);
    let url = doc.map(|d| d.help_uri()).unwrap_or_default();
    let mut ev = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "time": now,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": report.tool.name,
                "vendor_name": "rolefit",
                "version": report.tool.version,
                "url_string": INFO_URI,
            },
        },
        "finding_info": {
            "uid": finding_id(f, root),
            "title": f.message,
            "desc": doc.map_or("", |d| d.summary),
            "types": [f.rule],
            "created_time": now,
            "src_url": url,
            "analytic": { "uid": f.rule, "name": f.rule, "type_id": 1, "type": "Rule" },
        },
        "remediation": { "desc": recommendation(f), "references": [url] },
    });
    let mut resources = Vec::new();
    let mut account_region = None;
    for id in &f.functions {
        let Some(func) = functions.get(id.as_str()) else {
            continue;
        };
        let arn_place = func
            .arn
            .as_deref()
            .and_then(crate::root::literal_account_region);
        if account_region.is_none() {
            account_region.clone_from(&arn_place);
        }
        let mut r = json!({
            "uid": func.arn.as_deref().unwrap_or(&func.id),
            "name": func.name,
            "type": "AWS::Lambda::Function",
        });
        if let Some((_, region)) = &arn_place {
            r["region"] = json!(region);
        }
        resources.push(r);
        if let Some(role) = func.role_arn.as_ref().or(func.role.as_ref()) {
            resources.push(json!({ "uid": role, "type": "AWS::IAM::Role" }));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    resources.retain(|r| seen.insert(r["uid"].to_string()));
    if !resources.is_empty() {
        ev["resources"] = Value::Array(resources);
    }
    let account_region = account_region.or_else(|| {
        let r = root?;
        Some((r.account.clone()?, r.region.clone()?))
    });
    if let Some((account, region)) = account_region {
        ev["cloud"] = json!({
            "provider": "AWS",
            "region": region,
            "account": { "uid": account, "type_id": 10, "type": "AWS Account" },
        });
        ev["metadata"]["profiles"] = json!(["cloud"]);
    }
    let mut unmapped = serde_json::Map::new();
    if let Some(loc) = &f.location {
        unmapped.insert(
            "location".into(),
            json!(format!("{}:{}:{}", loc.file, loc.line, loc.column)),
        );
    }
    if let Some(label) = root.and_then(|r| r.label.as_ref()) {
        unmapped.insert("label".into(), json!(label));
    }
    if !f.actions.is_empty() {
        unmapped.insert("actions".into(), json!(f.actions));
    }
    if !f.resources.is_empty() {
        unmapped.insert("resources".into(), json!(f.resources));
    }
    unmapped.insert("fingerprint".into(), json!(f.fingerprint));
    ev["unmapped"] = Value::Object(unmapped);
    ev
}
