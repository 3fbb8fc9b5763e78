//! Baselines: `--write-baseline FILE` records the fingerprints of today's findings, and
//! `--baseline FILE` drops findings recorded there, so adopting rolefit on an existing
//! repository fails only on new problems. The fingerprints are SARIF's (`report::fingerprint`):
//! they survive lines moving.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::app::Audit;
use crate::report::fingerprint::fingerprints;
use crate::report::{SeverityCounts, finding_order};

const VERSION: u64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("reading baseline {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("writing baseline {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// The fingerprints recorded in a baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    pub fingerprints: BTreeSet<String>,
}

/// The baseline document for an audit: version, and one entry per finding with its
/// fingerprint and, for people reading the diff, rule, location and message.
pub fn render(audit: &Audit) -> String {
    let prints = fingerprints(&audit.findings, &audit.sources);
    let mut entries: Vec<_> = audit.report.findings.iter().zip(&prints).collect();
    entries.sort_by(|a, b| finding_order(a.0).cmp(&finding_order(b.0)));
    let findings: Vec<_> = entries
        .into_iter()
        .map(|(f, print)| {
            json!({
                "fingerprint": print,
                "rule": f.rule,
                "location": f.location.as_ref().map(|l| format!("{}:{}", l.file, l.line)),
                "message": f.message,
            })
        })
        .collect();
    let doc = json!({ "version": VERSION, "tool": "rolefit", "findings": findings });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

pub fn write(path: &Path, audit: &Audit) -> Result<(), BaselineError> {
    std::fs::write(path, render(audit)).map_err(|e| BaselineError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let fail = |message: String| BaselineError::Read {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    if doc.get("version").and_then(|v| v.as_u64()) != Some(VERSION) {
        return Err(fail(format!("not a version {VERSION} rolefit baseline")));
    }
    let fingerprints = doc
        .get("findings")
        .and_then(|f| f.as_array())
        .ok_or_else(|| fail("no `findings` list".into()))?
        .iter()
        .filter_map(|f| f.get("fingerprint")?.as_str().map(str::to_string))
        .collect();
    Ok(Baseline { fingerprints })
}

/// Drops the findings whose fingerprint is in the baseline and recounts the summary.
/// Returns how many were dropped.
pub fn apply(audit: &mut Audit, baseline: &Baseline) -> usize {
    let prints = fingerprints(&audit.findings, &audit.sources);
    let keep: Vec<bool> = prints
        .iter()
        .map(|p| !baseline.fingerprints.contains(p))
        .collect();
    let mut i = 0;
    audit.findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    let mut i = 0;
    audit.report.findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    audit.report.summary.findings = SeverityCounts::count(&audit.report.findings);
    keep.iter().filter(|k| !**k).count()
}
