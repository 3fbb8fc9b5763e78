//! The versioned report contract (`../shared/REPORT.md`, JSON schema in
//! `schema/report-v1.json`) and the formats that render it. These types are the contract:
//! internal structs are never serialized directly.

pub mod fingerprint;
mod functions;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use serde::Serialize;

use crate::finding::{Finding, Severity};
pub use crate::source::{Location, locate};
pub use functions::function_report;

use crate::source::SourceMap;

pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub functions: Vec<FunctionReport>,
    pub findings: Vec<FindingReport>,
    pub summary: Summary,
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

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FunctionReport {
    pub id: String,
    pub name: String,
    pub location: Option<Location>,
    pub runtime: Option<String>,
    pub code: Vec<String>,
    pub role: Option<String>,
    /// How the code was found (REPORT.md v1.1).
    pub code_link: CodeLink,
    pub required: Vec<Required>,
    pub granted: Vec<Granted>,
}

/// `functions[].code_link` (REPORT.md v1.1).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CodeLink {
    /// The template names the code (a code folder, a handler file, inline code) and it was read.
    Declared,
    /// rolefit's own search found the code (a unique handler file, a build artefact's project).
    Inferred,
    /// No code was found.
    None,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Required {
    pub action: String,
    pub resource: String,
    pub granted: bool,
    pub because: Vec<Because>,
    /// REPORT.md v1.1 `strength`: `recommended`, or absent for `required`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<&'static str>,
    /// REPORT.md v1.1 `conditional_on`: the condition keys whose unknown values decide whether
    /// the grant applies; absent when the answer does not depend on one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_on: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Because {
    pub kind: &'static str,
    pub file: String,
    pub line: u32,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Granted {
    pub action: String,
    pub resource: String,
    pub used: bool,
    pub location: Option<Location>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FindingReport {
    pub rule: &'static str,
    pub severity: Severity,
    /// The one function the finding concerns; null when it concerns several or none.
    pub function: Option<String>,
    /// Every function the finding concerns (v1.1).
    pub functions: Vec<String>,
    pub message: String,
    pub location: Option<Location>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub fix: Option<serde_json::Value>,
    /// v1.1: the fix as text in the syntax of the file that holds the grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_text: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Summary {
    pub files: usize,
    pub functions: usize,
    pub findings: SeverityCounts,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
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
