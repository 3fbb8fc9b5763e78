//! Typed access to the AWS knowledge embedded from `policies/`.
//!
//! `build.rs` compresses each `policies/*.json` with zstd; this module embeds the bytes and
//! decodes a dataset on first use only (one `OnceLock` each), so commands that need none of
//! them (`rolefit --version`) pay nothing. The JSON files come from pinned registry packages
//! (see `policies/SOURCES.toml` and `policies/regen`) plus two hand-kept files
//! (`overrides.json`, `lambda.json`); `tests/data.rs` checks them against each other.

mod catalog;
mod glob;
mod helpers;
mod lambda;
mod managed;
pub mod query;
mod resources;
mod sam;
mod sdk;

pub use catalog::{AccessLevel, ActionInfo, Catalog, ResourceRef};
pub use helpers::SdkNames;
pub use lambda::{ConfigEntry, EventSource, LambdaTable, Statement, Trigger};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_names};
pub use resources::ResourceCallResolution;
pub use sam::{SamTemplate, sam_expand, sam_template, sam_template_names};
pub use sdk::{FollowOn, OpResolution, ParamAction, SdkIndex, Source};

use std::sync::OnceLock;

use serde::de::DeserializeOwned;

/// Embedded, zstd-compressed datasets (written by `build.rs`).
mod blobs {
    pub const CATALOG: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/iam-catalog.json.zst"));
    pub const SDK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sdk-operations.json.zst"));
    pub const RESOURCES: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/boto3-resources.json.zst"));
    pub const MANAGED: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/managed-policies.json.zst"));
    pub const SAM_TEMPLATES: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/sam-policy-templates.json.zst"));
    pub const SAM_ARNS: &[u8] = include_bytes!(concat!(
        env!("OUT_DIR"),
        "/sam-managed-policy-arns.json.zst"
    ));
    pub const OVERRIDES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/overrides.json.zst"));
    pub const LAMBDA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lambda.json.zst"));
}

/// Sizes of the embedded datasets: (file name, compressed bytes).
pub fn embedded_sizes() -> [(&'static str, usize); 8] {
    [
        ("iam-catalog.json", blobs::CATALOG.len()),
        ("sdk-operations.json", blobs::SDK.len()),
        ("boto3-resources.json", blobs::RESOURCES.len()),
        ("managed-policies.json", blobs::MANAGED.len()),
        ("sam-policy-templates.json", blobs::SAM_TEMPLATES.len()),
        ("sam-managed-policy-arns.json", blobs::SAM_ARNS.len()),
        ("overrides.json", blobs::OVERRIDES.len()),
        ("lambda.json", blobs::LAMBDA.len()),
    ]
}

/// Decodes one embedded dataset. The bytes are produced by our own build from committed,
/// test-checked files, so a failure is a broken build, not bad user input.
fn decode<T: DeserializeOwned>(name: &str, packed: &[u8]) -> T {
    let raw = zstd::decode_all(packed)
        .unwrap_or_else(|e| panic!("embedded {name} is not valid zstd: {e}"));
    serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("embedded {name} does not parse: {e}"))
}

/// The IAM action catalog (every service prefix, action, resource type and condition key).
pub fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(|| Catalog::from_raw(decode("iam-catalog.json", blobs::CATALOG)))
}

/// The SDK operation index: botocore operations, SDK naming per language, helper methods,
/// boto3 resource models and the hand-kept exceptions.
pub fn sdk() -> &'static SdkIndex {
    static CELL: OnceLock<SdkIndex> = OnceLock::new();
    CELL.get_or_init(|| {
        SdkIndex::from_raw(
            decode("sdk-operations.json", blobs::SDK),
            decode("overrides.json", blobs::OVERRIDES),
            decode("boto3-resources.json", blobs::RESOURCES),
        )
    })
}

/// What Lambda itself needs per event source, trigger and configuration option.
pub fn lambda() -> &'static LambdaTable {
    static CELL: OnceLock<LambdaTable> = OnceLock::new();
    CELL.get_or_init(|| decode("lambda.json", blobs::LAMBDA))
}
