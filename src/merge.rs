//! `rolefit merge`: one report from the JSON reports of many shards (issue 18). Each shard's
//! file paths and function ids get its root label before them (`<label>/functions.json#orders`),
//! findings are deduplicated by fingerprint (computed under the label by the shard's own
//! audit, so two accounts never share one), and the totals are recounted. The result is the
//! report an audit of the shards' union would give, each shard in a folder named by its label.
//!
//! A merged report merges again: its roots already carry their prefixes and are kept as they
//! are.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{
    FindingReport, FunctionReport, Location, Report, Root, SeverityCounts, Summary, Tool,
    finding_order,
};

/// Why shard reports cannot be merged (exit status 2).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error(
        "{0}: the report has no root label; audit the shard again with --label NAME (or \
         --account-id and --region, whose `<account>/<region>` is the default label)"
    )]
    Unlabelled(String),
    #[error(
        "{0}: the report has no finding fingerprints (written by an older rolefit); audit the shard again"
    )]
    NoFingerprints(String),
    #[error("{input}: {message}")]
    Malformed { input: String, message: String },
    #[error(
        "two shards are labelled `{label}` but name different accounts or regions; give them \
         distinct --label values"
    )]
    Conflict { label: String },
    #[error(
        "labels `{0}` and `{1}` overlap: one is a folder of the other, so their paths could collide"
    )]
    Overlap(String, String),
}

/// Merges `reports` (each with the name it was read from, for messages).
pub fn merge(reports: Vec<(String, Report)>) -> Result<Report, MergeError> {
    let mut roots: BTreeMap<String, Root> = BTreeMap::new();
    let mut functions: BTreeMap<String, FunctionReport> = BTreeMap::new();
    let mut findings: Vec<FindingReport> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (name, report) in reports {
        let shard_roots = shard_roots(&name, &report)?;
        let prefix = if report.roots.iter().any(|r| !r.prefix.is_empty()) {
            String::new()
        } else {
            shard_roots[0].prefix.clone()
        };
        for root in shard_roots {
            let Some(label) = root.label.clone() else {
                return Err(MergeError::Unlabelled(name));
            };
            match roots.get_mut(&label) {
                Some(known) => {
                    if known.account != root.account || known.region != root.region {
                        return Err(MergeError::Conflict { label });
                    }
                    known.files = known.files.max(root.files);
                }
                None => {
                    roots.insert(label, root);
                }
            }
        }
        for mut func in report.functions {
            prefix_function(&mut func, &prefix);
            functions.entry(func.id.clone()).or_insert(func);
        }
        for mut f in report.findings {
            if f.fingerprint.is_empty() {
                return Err(MergeError::NoFingerprints(name));
            }
            prefix_finding(&mut f, &prefix);
            if seen.insert(f.fingerprint.clone()) {
                findings.push(f);
            }
        }
    }
    let labels: Vec<&String> = roots.keys().collect();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            if b.starts_with(&format!("{a}/")) {
                return Err(MergeError::Overlap((*a).clone(), (*b).clone()));
            }
        }
    }
    findings.sort_by(|a, b| finding_order(a).cmp(&finding_order(b)));
    let functions: Vec<FunctionReport> = functions.into_values().collect();
    let roots: Vec<Root> = roots.into_values().collect();
    let summary = Summary {
        files: roots.iter().map(|r| r.files).sum(),
        functions: functions.len(),
        findings: SeverityCounts::count(&findings),
    };
    Ok(Report {
        version: crate::report::REPORT_VERSION,
        tool: Tool::default(),
        roots,
        functions,
        findings,
        summary,
    })
}

/// The roots of one input as they will stand in the merged report: an audit's one root gets
/// the prefix `<label>/`; a merged report's roots are kept.
fn shard_roots(name: &str, report: &Report) -> Result<Vec<Root>, MergeError> {
    let malformed = |message: &str| MergeError::Malformed {
        input: name.to_string(),
        message: message.to_string(),
    };
    if report.roots.iter().any(|r| !r.prefix.is_empty()) {
        for r in &report.roots {
            let expected = r.label.as_ref().map(|l| format!("{l}/"));
            if expected.as_deref() != Some(r.prefix.as_str()) {
                return Err(malformed(
                    "a merged report's roots must each have the prefix `<label>/`",
                ));
            }
        }
        return Ok(report.roots.clone());
    }
    match report.roots.as_slice() {
        [] => Err(MergeError::Unlabelled(name.to_string())),
        [root] => {
            let Some(label) = &root.label else {
                return Err(MergeError::Unlabelled(name.to_string()));
            };
            if !crate::root::is_label(label) {
                return Err(malformed(&format!("`{label}` is not a valid label")));
            }
            Ok(vec![Root {
                prefix: format!("{label}/"),
                files: root.files.max(report.summary.files),
                ..root.clone()
            }])
        }
        _ => Err(malformed("several roots, none with a prefix")),
    }
}

/// Whether a `role` value is a report id (`file#Name`) rather than a role ARN or name the
/// inputs do not declare.
fn is_report_id(s: &str) -> bool {
    s.contains('#') && !s.starts_with("arn:")
}

fn prefix_location(loc: &mut Option<Location>, prefix: &str) {
    if let Some(l) = loc {
        l.file.insert_str(0, prefix);
    }
}

fn prefix_function(f: &mut FunctionReport, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    f.id.insert_str(0, prefix);
    prefix_location(&mut f.location, prefix);
    for c in &mut f.code {
        c.insert_str(0, prefix);
    }
    if let Some(role) = &mut f.role
        && is_report_id(role)
    {
        role.insert_str(0, prefix);
    }
    for r in &mut f.required {
        for b in &mut r.because {
            b.file.insert_str(0, prefix);
        }
    }
    for g in &mut f.granted {
        prefix_location(&mut g.location, prefix);
    }
}

fn prefix_finding(f: &mut FindingReport, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    if let Some(id) = &mut f.function {
        id.insert_str(0, prefix);
    }
    for id in &mut f.functions {
        id.insert_str(0, prefix);
    }
    prefix_location(&mut f.location, prefix);
}
