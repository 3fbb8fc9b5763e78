//! `rolefit merge`: one report from the JSON reports of many shards (issue 18). Each shard's
//! file paths and function ids get its root label before them (`<label>/functions.json#orders`),
//! findings are deduplicated by fingerprint (computed under the label by the shard's own
//! audit, so two accounts never share one), and the totals are recounted. The result is the
//! report an audit of the shards' union would give, each shard in a folder named by its label.
//!
//! A label given twice must say the same both times (one shard passed twice, or a merged report
//! and one of its shards): it then counts once. Two different reports under one label are
//! refused, never blended: one could be an older audit whose fixed findings would come back.
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
        "two different reports are labelled `{label}` (another shard, or another audit of the \
         same one); give the shards distinct --label values, or merge one report per shard"
    )]
    Conflict { label: String },
    #[error(
        "labels `{0}` and `{1}` overlap: one is a folder of the other, so their paths could collide"
    )]
    Overlap(String, String),
}

/// What one label contributes: its root, functions and findings (paths prefixed).
struct Shard {
    root: Root,
    functions: Vec<FunctionReport>,
    findings: Vec<FindingReport>,
}

/// Merges `reports` (each with the name it was read from, for messages).
pub fn merge(reports: Vec<(String, Report)>) -> Result<Report, MergeError> {
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    for (name, report) in reports {
        for (label, shard) in split(&name, report)? {
            match shards.get(&label) {
                // The same shard again (given twice, or inside a merged report too): once.
                Some(known) if same(known, &shard) => {}
                Some(_) => return Err(MergeError::Conflict { label }),
                None => {
                    shards.insert(label, shard);
                }
            }
        }
    }
    let labels: Vec<&String> = shards.keys().collect();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            if b.starts_with(&format!("{a}/")) {
                return Err(MergeError::Overlap((*a).clone(), (*b).clone()));
            }
        }
    }
    let mut roots = Vec::with_capacity(shards.len());
    let mut functions: Vec<FunctionReport> = Vec::new();
    let mut findings: Vec<FindingReport> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for shard in shards.into_values() {
        roots.push(shard.root);
        functions.extend(shard.functions);
        findings.extend(
            shard
                .findings
                .into_iter()
                .filter(|f| seen.insert(f.fingerprint.clone())),
        );
    }
    functions.sort_by(|a, b| a.id.cmp(&b.id));
    findings.sort_by(|a, b| finding_order(a).cmp(&finding_order(b)));
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

/// Whether two reports of one label say the same (the order of their lists aside).
fn same(a: &Shard, b: &Shard) -> bool {
    content(a) == content(b)
}

type Content = (
    Option<String>,
    Option<String>,
    usize,
    Vec<String>,
    Vec<String>,
);

fn content(s: &Shard) -> Content {
    let sorted = |items: Vec<String>| {
        let mut items = items;
        items.sort();
        items
    };
    (
        s.root.account.clone(),
        s.root.region.clone(),
        s.root.files,
        sorted(
            s.functions
                .iter()
                .map(|f| serde_json::to_string(f).unwrap_or_default())
                .collect(),
        ),
        sorted(
            s.findings
                .iter()
                .map(|f| serde_json::to_string(f).unwrap_or_default())
                .collect(),
        ),
    )
}

/// One input's shards by label, with paths and function ids prefixed (a merged report's
/// already are).
fn split(name: &str, report: Report) -> Result<BTreeMap<String, Shard>, MergeError> {
    let roots = shard_roots(name, &report)?;
    let already = report.roots.iter().any(|r| !r.prefix.is_empty());
    let mut out: BTreeMap<String, Shard> = BTreeMap::new();
    let mut prefixes: Vec<(String, String)> = Vec::new();
    for root in roots {
        let Some(label) = root.label.clone() else {
            return Err(MergeError::Unlabelled(name.to_string()));
        };
        prefixes.push((root.prefix.clone(), label.clone()));
        out.insert(
            label,
            Shard {
                root,
                functions: Vec::new(),
                findings: Vec::new(),
            },
        );
    }
    // Longest prefix first: the label a path belongs to.
    prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let owner = |path: &str| -> Option<String> {
        prefixes
            .iter()
            .find(|(p, _)| path.starts_with(p.as_str()))
            .map(|(_, l)| l.clone())
    };
    let outside = |what: &str| MergeError::Malformed {
        input: name.to_string(),
        message: format!("`{what}` is under none of the report's roots"),
    };
    for mut func in report.functions {
        if !already {
            prefix_function(&mut func, &prefixes[0].0);
        }
        let label = owner(&func.id).ok_or_else(|| outside(&func.id))?;
        if let Some(shard) = out.get_mut(&label) {
            shard.functions.push(func);
        }
    }
    for mut f in report.findings {
        if f.fingerprint.is_empty() {
            return Err(MergeError::NoFingerprints(name.to_string()));
        }
        if !already {
            prefix_finding(&mut f, &prefixes[0].0);
        }
        let path = f
            .location
            .as_ref()
            .map(|l| l.file.clone())
            .or_else(|| f.functions.first().cloned())
            .unwrap_or_default();
        let label = owner(&path).ok_or_else(|| outside(&path))?;
        if let Some(shard) = out.get_mut(&label) {
            shard.findings.push(f);
        }
    }
    Ok(out)
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
