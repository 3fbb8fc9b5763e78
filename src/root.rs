//! The root label of an audit (issue 18, shards): which AWS account and region an audited
//! folder stands for, and the label that names it among the shards `rolefit merge` joins.
//!
//! The label names the root in a merged report: `--label`, else `<account>/<region>` when the
//! inputs state both, else the audited folder's name (a repository checkout's), else none.
//!
//! Account and region come, in this order, from the `rolefit-collect.json` manifests that
//! `rolefit collect` writes into each export folder (their `account` and `region` fields only),
//! from the literal ARNs of the exported functions, and from `--account-id`/`--region`. A flag
//! that contradicts what the export says is an error, not an override: findings attributed to
//! the wrong account would land in the wrong place in Security Hub.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::arn::Arn;
use crate::discover::{self, Listing};
use crate::model::App;
use crate::report::Root;

/// The manifest `rolefit collect` writes into each export folder.
pub const MANIFEST: &str = "rolefit-collect.json";

/// What the command line says about the root.
#[derive(Clone, Debug, Default)]
pub struct RootOptions {
    pub label: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RootError {
    #[error("--account-id `{0}` is not a 12-digit AWS account id")]
    Account(String),
    #[error("--region `{0}` is not an AWS Region code (such as `eu-west-1`)")]
    Region(String),
    #[error("--{flag} `{given}` contradicts the {what} the export states, `{found}`")]
    Contradiction {
        flag: &'static str,
        what: &'static str,
        given: String,
        found: String,
    },
    #[error(
        "--label `{0}`: a label is one or more `/`-separated parts of letters, digits, `.`, `_` \
         and `-` (not `.` or `..`), at most 128 characters"
    )]
    Label(String),
}

/// Account and region as the inputs state them: the manifests', else the functions' ARNs'; a
/// field stays unknown when its sources disagree (an export of several accounts). The label is
/// `<account>/<region>` when both are known, else the audited folder's name (one PATH only).
pub fn detect(paths: &[PathBuf], listing: &Listing, app: &App) -> Root {
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    for (rel, entry) in &listing.files {
        if rel.rsplit('/').next() != Some(MANIFEST) {
            continue;
        }
        let Some(doc) = discover::read_text(entry)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        if let Some(a) = doc.get("account").and_then(|v| v.as_str()) {
            accounts.insert(a.to_string());
        }
        if let Some(r) = doc.get("region").and_then(|v| v.as_str()) {
            regions.insert(r.to_string());
        }
    }
    if accounts.is_empty() || regions.is_empty() {
        let arns: Vec<(String, String)> = app
            .functions
            .iter()
            .filter_map(|f| literal_account_region(&f.arn))
            .collect();
        if accounts.is_empty() {
            accounts.extend(arns.iter().map(|(a, _)| a.clone()));
        }
        if regions.is_empty() {
            regions.extend(arns.into_iter().map(|(_, r)| r));
        }
    }
    let one = |set: BTreeSet<String>| (set.len() == 1).then(|| set.into_iter().next()).flatten();
    let account = one(accounts).filter(|a| is_account(a));
    let region = one(regions).filter(|r| is_region(r));
    let label = default_label(account.as_deref(), region.as_deref()).or_else(|| match paths {
        [one] => folder_label(one),
        _ => None,
    });
    Root {
        label,
        account,
        region,
        prefix: String::new(),
        files: 0,
    }
}

/// The detected root with the command line's flags applied: a flag fills what the inputs do
/// not say, must agree with what they do say, and `--label` names the root.
pub fn apply(detected: &Root, options: &RootOptions) -> Result<Root, RootError> {
    let mut root = detected.clone();
    if let Some(given) = &options.account {
        if !is_account(given) {
            return Err(RootError::Account(given.clone()));
        }
        match &detected.account {
            Some(found) if found != given => {
                return Err(RootError::Contradiction {
                    flag: "account-id",
                    what: "account",
                    given: given.clone(),
                    found: found.clone(),
                });
            }
            _ => root.account = Some(given.clone()),
        }
    }
    if let Some(given) = &options.region {
        if !is_region(given) {
            return Err(RootError::Region(given.clone()));
        }
        match &detected.region {
            Some(found) if found != given => {
                return Err(RootError::Contradiction {
                    flag: "region",
                    what: "region",
                    given: given.clone(),
                    found: found.clone(),
                });
            }
            _ => root.region = Some(given.clone()),
        }
    }
    root.label = match &options.label {
        Some(label) if is_label(label) => Some(label.clone()),
        Some(label) => return Err(RootError::Label(label.clone())),
        // The flags do not rename the root: a repository deployed into an account keeps its
        // folder's name, so two repositories of one account stay apart.
        None if detected.label.is_some() => detected.label.clone(),
        None => default_label(root.account.as_deref(), root.region.as_deref()),
    };
    Ok(root)
}

/// The name of the audited folder (a single file's folder), as a label: `.` and `../x` are
/// resolved first, characters a label cannot hold become `-`.
fn folder_label(path: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(path).ok()?;
    let dir = if abs.is_file() { abs.parent()? } else { &abs };
    let name = dir.file_name()?.to_string_lossy();
    let label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect();
    is_label(&label).then_some(label)
}

/// `<account>/<region>` when both are known: the shard of an account export names itself.
fn default_label(account: Option<&str>, region: Option<&str>) -> Option<String> {
    Some(format!("{}/{}", account?, region?))
}

/// The account and region of an ARN that states both literally (no `${...}` placeholder).
pub fn literal_account_region(arn: &str) -> Option<(String, String)> {
    if arn.contains("${") {
        return None;
    }
    let parsed = Arn::parse(arn).ok()?;
    let account = parsed.account()?.as_str().to_string();
    let region = parsed.region()?.as_str().to_string();
    (is_account(&account) && is_region(&region)).then_some((account, region))
}

/// Twelve digits (IAM User Guide, "AWS account identifiers").
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A Region code: lower-case words joined by `-`, ending in a number (`eu-west-1`,
/// `us-gov-west-1`, `ap-southeast-5`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A label is used as a folder path in a merged report: safe path parts only.
pub fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_fill_agree_or_fail() {
        let detected = Root {
            account: Some("111122223333".into()),
            ..Root::default()
        };
        let fill = RootOptions {
            region: Some("eu-west-1".into()),
            ..RootOptions::default()
        };
        let root = apply(&detected, &fill).expect("fills the region");
        assert_eq!(root.label.as_deref(), Some("111122223333/eu-west-1"));
        let contradict = RootOptions {
            account: Some("444455556666".into()),
            ..RootOptions::default()
        };
        assert!(matches!(
            apply(&detected, &contradict),
            Err(RootError::Contradiction { .. })
        ));
        let labelled = RootOptions {
            label: Some("prod/orders".into()),
            ..RootOptions::default()
        };
        assert_eq!(
            apply(&detected, &labelled).map(|r| r.label),
            Ok(Some("prod/orders".into()))
        );
        for bad in ["", "a//b", "../x", "a b", "/a", "a#b"] {
            let o = RootOptions {
                label: Some(bad.into()),
                ..RootOptions::default()
            };
            assert!(apply(&detected, &o).is_err(), "{bad}");
        }
        let o = RootOptions {
            account: Some("12345".into()),
            ..RootOptions::default()
        };
        assert_eq!(
            apply(&detected, &o),
            Err(RootError::Account("12345".into()))
        );
    }

    #[test]
    fn literal_arns_only() {
        assert_eq!(
            literal_account_region("arn:aws:lambda:us-east-1:111122223333:function:f"),
            Some(("111122223333".into(), "us-east-1".into()))
        );
        assert_eq!(
            literal_account_region("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:f"),
            None
        );
        assert!(is_region("us-gov-west-1") && !is_region("eu-west") && !is_region("EU-west-1"));
    }
}
