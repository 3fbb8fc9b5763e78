//! `--format asff`: the findings as AWS Security Finding Format documents, one JSON array
//! ready for `aws securityhub batch-import-findings --findings file://FILE` (at most 100
//! findings per call: BatchImportFindings, "Request Syntax").
//!
//! Field rules followed here (AWS Security Hub User Guide, "Required top-level ASFF
//! attributes", https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html;
//! Security Hub API Reference, "AwsSecurityFinding",
//! https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html, and
//! "Severity", "Recommendation"):
//! - `SchemaVersion` is `2018-10-08`; `ProductArn` of a custom integration is
//!   `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`;
//! - `Id` (1–512) is stable, from the finding's fingerprint and the shard's label, so a
//!   re-import updates the finding instead of adding one; `GeneratorId` (1–512) is the rule;
//! - `Title` 1–256, `Description` 1–1024, `Remediation.Recommendation.Text` 1–512 characters;
//! - `Types` (at most 50) are `namespace/category[/classifier]` with a namespace among
//!   `Software and Configuration Checks`, `TTPs`, `Effects`, `Unusual Behaviors`,
//!   `Sensitive Data Identifications`;
//! - `Resources`: 1–32, each with `Type` and `Id`; `Severity.Label` with `Normalized` as the
//!   API sets it from a label (INFORMATIONAL 0, LOW 1, MEDIUM 40, HIGH 70, CRITICAL 90);
//! - `ProductFields`: at most 50 pairs, keys up to 128 and values up to 2048 characters;
//! - timestamps as `YYYY-MM-DDTHH:MM:SS.mmmZ` (API Reference, "Timestamps");
//! - severity and types also under `FindingProviderFields`, which is how a provider updates
//!   them on re-import (API Reference, "BatchImportFindings").
//!
//! BatchImportFindings must be called from the account in `AwsAccountId` when the default
//! product ARN is used, in the Region of `ProductArn` (API Reference, "BatchImportFindings"):
//! the README's workflow imports each account's part with that account's role.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::finding::{Severity, catalog};

use super::time::rfc3339_millis;
use super::{FindingReport, FunctionReport, Report, Root};

pub const SCHEMA_VERSION: &str = "2018-10-08";
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;
const RECOMMENDATION_MAX: usize = 512;
const RESOURCES_MAX: usize = 32;
const PRODUCT_FIELD_MAX: usize = 2048;
const BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";

/// Findings that have no AWS account or region to be filed under.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "--format asff needs the AWS account and region of every finding, and {count} finding(s) \
     {place} have none: the inputs state no account or region (no {manifest} and no literal \
     function ARNs); {hint}",
    manifest = crate::root::MANIFEST
)]
pub struct MissingAccount {
    pub count: usize,
    /// Where they are: `under the audited root` or `of shard \`label\``.
    pub place: String,
    pub hint: &'static str,
}

/// The account and region a finding is filed under: its function's literal ARN, else its
/// root's.
fn account_region<'r>(
    f: &FindingReport,
    functions: &BTreeMap<&str, &'r FunctionReport>,
    root: Option<&'r Root>,
) -> Option<(String, String)> {
    f.functions
        .iter()
        .filter_map(|id| functions.get(id.as_str()))
        .find_map(|func| {
            func.arn
                .as_deref()
                .and_then(crate::root::literal_account_region)
        })
        .or_else(|| {
            let r = root?;
            Some((r.account.clone()?, r.region.clone()?))
        })
}

/// The documents for every finding of `report`, as one JSON array; `now` (milliseconds since
/// the epoch) is `CreatedAt` and `UpdatedAt`. `merged` chooses the hint of the error.
pub fn render(report: &Report, now: u64, merged: bool) -> Result<String, MissingAccount> {
    let functions: BTreeMap<&str, &FunctionReport> = report
        .functions
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    let at = rfc3339_millis(now);
    let mut docs = Vec::with_capacity(report.findings.len());
    let mut missing: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for f in &report.findings {
        let root = report.root_of(f);
        match account_region(f, &functions, root) {
            Some((account, region)) => {
                docs.push(document(f, &functions, root, &account, &region, &at));
            }
            None => {
                *missing
                    .entry(root.and_then(|r| r.label.as_deref()))
                    .or_default() += 1;
            }
        }
    }
    if let Some((label, count)) = missing.into_iter().next() {
        return Err(MissingAccount {
            count,
            place: match label {
                Some(l) if merged => format!("of shard `{l}`"),
                _ => "under the audited root".to_string(),
            },
            hint: if merged {
                "audit that shard again with --account-id and --region"
            } else {
                "pass --account-id and --region"
            },
        });
    }
    let mut s = serde_json::to_string_pretty(&Value::Array(docs)).unwrap_or_default();
    s.push('\n');
    Ok(s)
}

/// The partition of a Region (IAM User Guide, "Identify AWS resources with Amazon Resource
/// Names (ARNs)": `aws`, `aws-cn`, `aws-us-gov`; ISO partitions by their Region prefixes).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// `Id`: the label and the finding's fingerprint (itself computed under the label).
pub fn finding_id(f: &FindingReport, root: Option<&Root>) -> String {
    match root.and_then(|r| r.label.as_deref()) {
        Some(label) => format!("rolefit/{label}/{}", f.fingerprint),
        None => format!("rolefit/{}", f.fingerprint),
    }
}

/// ASFF severity label and its normalized value (API Reference, "Severity").
fn severity(f: &FindingReport) -> (&'static str, u8) {
    match (f.severity, f.rule) {
        // Says what could not be known: no issue was found.
        (_, "incomplete-input") => ("INFORMATIONAL", 0),
        (Severity::Error, _) => ("HIGH", 70),
        (Severity::Warning, _) => ("MEDIUM", 40),
        (Severity::Note, _) => ("LOW", 1),
    }
}

fn types(rule: &str) -> Vec<&'static str> {
    let mut t = vec![BEST_PRACTICES];
    if rule == "privilege-escalation" {
        t.push("TTPs/Privilege Escalation");
    }
    t
}

/// The remediation: the suggested statement when there is one and it fits, else the rule's
/// documented fix.
pub fn recommendation(f: &FindingReport) -> String {
    let doc_fix = catalog::find(f.rule).map_or("", |d| d.fix);
    let text = match (&f.fix_text, &f.fix) {
        (Some(t), _) => format!("Suggested statement:\n{t}"),
        (None, Some(fix)) => format!("Suggested statement: {fix}"),
        _ => String::new(),
    };
    if !text.is_empty() && text.chars().count() <= RECOMMENDATION_MAX {
        return text;
    }
    let fallback = if doc_fix.is_empty() {
        f.message.as_str()
    } else {
        doc_fix
    };
    truncate(&single_spaced(fallback), RECOMMENDATION_MAX)
}

fn document(
    f: &FindingReport,
    functions: &BTreeMap<&str, &FunctionReport>,
    root: Option<&Root>,
    account: &str,
    region: &str,
    at: &str,
) -> Value {
    let part = partition(region);
    let (label, normalized) = severity(f);
    let location = f
        .location
        .as_ref()
        .map(|l| format!("{}:{}:{}", l.file, l.line, l.column));
    let mut description = f.message.clone();
    if let Some(loc) = &location {
        description.push_str(&format!("\n\nAt {loc}."));
    }
    if !f.actions.is_empty() {
        description.push_str(&format!("\nActions: {}.", f.actions.join(", ")));
    }
    let mut doc = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(f, root),
        "ProductArn": format!("arn:{part}:securityhub:{region}:{account}:product/{account}/default"),
        "GeneratorId": format!("rolefit/{}", f.rule),
        "AwsAccountId": account,
        "Types": types(f.rule),
        "CreatedAt": at,
        "UpdatedAt": at,
        "Severity": { "Label": label, "Normalized": normalized, "Original": f.severity.as_str() },
        // Where a provider states (and on re-import updates) severity and types
        // (API Reference, "BatchImportFindings", "FindingProviderFields").
        "FindingProviderFields": {
            "Severity": { "Label": label, "Original": f.severity.as_str() },
            "Types": types(f.rule),
        },
        "Title": truncate(&f.message, TITLE_MAX),
        "Description": truncate(&description, DESCRIPTION_MAX),
        "Remediation": { "Recommendation": {
            "Text": recommendation(f),
            "Url": catalog::find(f.rule).map(|d| d.help_uri()).unwrap_or_default(),
        }},
        "SourceUrl": catalog::find(f.rule).map(|d| d.help_uri()).unwrap_or_default(),
        "ProductFields": product_fields(f, root, location.as_deref()),
        "Resources": resources(f, functions, part, region),
        "RecordState": "ACTIVE",
    });
    if let Some(name) = doc.get_mut("ProductFields")
        && name.as_object().is_some_and(Map::is_empty)
        && let Some(obj) = doc.as_object_mut()
    {
        obj.remove("ProductFields");
    }
    doc
}

fn product_fields(f: &FindingReport, root: Option<&Root>, location: Option<&str>) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: String| {
        if !v.trim().is_empty() {
            m.insert(
                k.to_string(),
                Value::String(truncate(&v, PRODUCT_FIELD_MAX)),
            );
        }
    };
    put("rolefit/rule", f.rule.to_string());
    put("rolefit/severity", f.severity.as_str().to_string());
    put("rolefit/fingerprint", f.fingerprint.clone());
    if let Some(label) = root.and_then(|r| r.label.clone()) {
        put("rolefit/label", label);
    }
    if let Some(loc) = location {
        put("rolefit/location", loc.to_string());
    }
    put("rolefit/functions", f.functions.join(", "));
    put("rolefit/actions", f.actions.join(", "));
    put("rolefit/resources", f.resources.join(", "));
    Value::Object(m)
}

/// The functions and their roles: deployed ARNs as `AwsLambdaFunction`/`AwsIamRole`, report
/// ids of undeployed template resources as `Other`; the file for a finding about a file.
fn resources(
    f: &FindingReport,
    functions: &BTreeMap<&str, &FunctionReport>,
    part: &str,
    region: &str,
) -> Vec<Value> {
    let mut list = Resources {
        out: Vec::new(),
        part,
        region,
    };
    for id in &f.functions {
        match functions.get(id.as_str()) {
            Some(func) => {
                match &func.arn {
                    Some(arn) => list.push("AwsLambdaFunction", arn, true),
                    None => list.push("Other", id, true),
                }
                match (&func.role_arn, &func.role) {
                    (Some(arn), _) => list.push("AwsIamRole", arn, false),
                    (None, Some(role)) => list.push("Other", role, false),
                    (None, None) => {}
                }
            }
            None => list.push("Other", id, true),
        }
    }
    if list.out.is_empty() {
        let id = f
            .location
            .as_ref()
            .map_or("rolefit".to_string(), |l| l.file.clone());
        list.push("Other", &id, true);
    }
    list.out
}

/// `Resources`, at most 32, each `Id` once.
struct Resources<'a> {
    out: Vec<Value>,
    part: &'a str,
    region: &'a str,
}

impl Resources<'_> {
    fn push(&mut self, kind: &str, id: &str, regional: bool) {
        if self.out.len() >= RESOURCES_MAX || self.out.iter().any(|r| r["Id"] == id) {
            return;
        }
        let mut r = json!({ "Type": kind, "Id": id, "Partition": self.part });
        if regional {
            r["Region"] = json!(self.region);
        }
        self.out.push(r);
    }
}

/// Whitespace runs as one space (documentation text is wrapped in the catalog).
fn single_spaced(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_and_truncation() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3).chars().count(), 3);
    }
}
