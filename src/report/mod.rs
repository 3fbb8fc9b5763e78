//! The versioned report contract (`../shared/REPORT.md`, JSON schema in
//! `schema/report-v1.json`) and the formats that render it. These types are the contract:
//! internal structs are never serialized directly.

pub mod asff;
pub mod fingerprint;
mod functions;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod ocsf;
pub mod read;
pub mod sarif;
pub mod time;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};
pub use crate::source::{Location, locate};
pub use functions::function_report;

use crate::source::SourceMap;

pub const REPORT_VERSION: u32 = 1;

/// A text from a closed set the contract fixes (rule ids, `because` kinds). Named, not written
/// `&'static str`, so that serde reads it through the field's `deserialize_with` (which maps it
/// into the set) instead of borrowing it from the input.
pub type StaticStr = &'static str;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub version: u32,
    /// The tool that wrote this report (a merged report: the tool that merged).
    #[serde(skip_deserializing)]
    pub tool: Tool,
    /// What was audited (additive): one root for `rolefit audit`, one per shard for
    /// `rolefit merge`. Absent from reports written before roots were recorded.
    #[serde(default)]
    pub roots: Vec<Root>,
    pub functions: Vec<FunctionReport>,
    pub findings: Vec<FindingReport>,
    pub summary: Summary,
}

/// One audited root (a shard): its label and, when known, the AWS account and region it was
/// collected from (an account export's `rolefit-collect.json` or ARNs, or
/// `--account-id`/`--region`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Root {
    /// Names the root among others: `--label`, else `<account>/<region>` when the inputs state
    /// both, else the audited folder's name; null for several PATHs (an unlabelled run, whose
    /// fingerprints are exactly those of baselines).
    pub label: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// What precedes this root's paths and function ids in this report: empty in an audit's
    /// report, `<label>/` in a merged one.
    #[serde(default)]
    pub prefix: String,
    /// Files read under this root (`summary.files` of its own report).
    #[serde(default)]
    pub files: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Tool {
        Tool {
            name: "rolefit",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FunctionReport {
    pub id: String,
    pub name: String,
    pub location: Option<Location>,
    pub runtime: Option<String>,
    pub code: Vec<String>,
    pub role: Option<String>,
    /// The deployed function's ARN, when the input states it literally (account exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The deployed execution role's ARN, when the input states it literally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// How the code was found (REPORT.md v1.1).
    #[serde(default = "CodeLink::none")]
    pub code_link: CodeLink,
    pub required: Vec<Required>,
    pub granted: Vec<Granted>,
}

/// `functions[].code_link` (REPORT.md v1.1).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CodeLink {
    /// The template names the code (a code folder, a handler file, inline code) and it was read.
    Declared,
    /// rolefit's own search found the code (a unique handler file, a build artefact's project).
    Inferred,
    /// No code was found.
    None,
}

impl CodeLink {
    fn none() -> CodeLink {
        CodeLink::None
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Required {
    pub action: String,
    pub resource: String,
    pub granted: bool,
    pub because: Vec<Because>,
    /// REPORT.md v1.1 `strength`: `recommended`, or absent for `required`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "read::strength"
    )]
    pub strength: Option<StaticStr>,
    /// REPORT.md v1.1 `conditional_on`: the condition keys whose unknown values decide whether
    /// the grant applies; absent when the answer does not depend on one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditional_on: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Because {
    #[serde(deserialize_with = "read::because_kind")]
    pub kind: StaticStr,
    pub file: String,
    pub line: u32,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Granted {
    pub action: String,
    pub resource: String,
    pub used: bool,
    pub location: Option<Location>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FindingReport {
    #[serde(deserialize_with = "read::rule")]
    pub rule: StaticStr,
    pub severity: Severity,
    /// The one function the finding concerns; null when it concerns several or none.
    pub function: Option<String>,
    /// Every function the finding concerns (v1.1).
    #[serde(default)]
    pub functions: Vec<String>,
    pub message: String,
    pub location: Option<Location>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub fix: Option<serde_json::Value>,
    /// v1.1: the fix as text in the syntax of the file that holds the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_text: Option<String>,
    /// The finding's fingerprint (`fingerprint::fingerprints`, recipe `rolefit/v1`) computed
    /// with the root's label before its file path and function id, so the same finding in two
    /// shards never shares one; without a label, the baseline's and SARIF's fingerprint.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct Summary {
    pub files: usize,
    pub functions: usize,
    pub findings: SeverityCounts,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

/// The evidence of a finding (SARIF `relatedLocations`): spans in embedded data are left out.
pub fn related_locations(f: &Finding, sources: &SourceMap) -> Vec<(Location, String)> {
    f.related
        .iter()
        .filter_map(|(span, label)| Some((locate(sources, *span)?, label.clone())))
        .collect()
}

impl FindingReport {
    pub fn new(f: &Finding, sources: &SourceMap) -> FindingReport {
        FindingReport {
            rule: f.rule,
            severity: f.severity,
            function: match f.functions.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            },
            functions: f.functions.clone(),
            message: f.message.clone(),
            location: locate(sources, f.primary),
            actions: f.actions.clone(),
            resources: f.resources.clone(),
            fix: f.fix.clone(),
            fix_text: f.fix_text.clone(),
            fingerprint: String::new(),
        }
    }
}

impl SeverityCounts {
    pub fn count(findings: &[FindingReport]) -> SeverityCounts {
        let mut c = SeverityCounts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.error += 1,
                Severity::Warning => c.warning += 1,
                Severity::Note => c.note += 1,
            }
        }
        c
    }
}

/// Sort key that makes output deterministic: (file, line, column, rule, message).
pub fn finding_order(f: &FindingReport) -> impl Ord + '_ {
    let loc = f.location.as_ref();
    (
        loc.map(|l| l.file.as_str()).unwrap_or(""),
        loc.map(|l| l.line).unwrap_or(0),
        loc.map(|l| l.column).unwrap_or(0),
        f.rule,
        f.function.as_deref().unwrap_or(""),
        f.message.as_str(),
    )
}

impl Report {
    /// The root a finding belongs to: the one whose prefix starts its file (or, for a finding
    /// without a location, its first function id), the longest such prefix when several do.
    pub fn root_of(&self, f: &FindingReport) -> Option<&Root> {
        let path = f
            .location
            .as_ref()
            .map(|l| l.file.as_str())
            .or(f.functions.first().map(String::as_str))
            .unwrap_or("");
        self.root_of_path(path)
    }

    /// The root whose prefix starts `path` (a report path or function id).
    pub fn root_of_path(&self, path: &str) -> Option<&Root> {
        self.roots
            .iter()
            .filter(|r| path.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
    }
}
