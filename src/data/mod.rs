//! Typed access to the AWS knowledge embedded from `policies/`.
//!
//! `build.rs` turns the large `policies/*.json` files (catalog, SDK map, boto3 resources,
//! overrides, managed policies) into postcard, the shapes of [`raw`] in a compact binary
//! form that decodes without parsing text, and zstd-compresses every dataset; this module
//! embeds the bytes and decodes a dataset on first use only (one `OnceLock` each), so
//! commands that need none of them (`rolefit --version`) pay nothing. The JSON files come from pinned registry packages
//! (see `policies/SOURCES.toml` and `policies/regen`) plus two hand-kept files
//! (`overrides.json`, `lambda.json`); `tests/data.rs` checks them against each other.

mod catalog;
mod glob;
mod helpers;
mod lambda;
mod managed;
mod params;
pub mod query;
mod raw;
mod resources;
mod sam;
mod sdk;
mod triggers;

pub use catalog::{AccessLevel, ActionInfo, Catalog, ResourceRef};
pub use helpers::SdkNames;
pub use lambda::{
    Alternative, ConfigEntry, EventSource, LambdaTable, Statement, Strength, Trigger,
};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_names};
pub use params::{CopySource, ParamTable, PassRole, TagParams};
pub use raw::Library;
pub use resources::ResourceCallResolution;
pub use sam::{
    ConnectorProfile, ConnectorProfileType, SamTemplate, connector_profile, connector_profiles,
    sam_expand, sam_template, sam_template_names,
};
pub use sdk::{FollowOn, OpResolution, ParamAction, SdkIndex, Source};
pub use triggers::{Channel, FEEDS, Feed, fed_by};

use std::sync::OnceLock;

use serde::de::DeserializeOwned;

/// Embedded, zstd-compressed datasets (written by `build.rs`).
mod blobs {
    pub const CATALOG: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/iam-catalog.bin.zst"));
    pub const SDK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sdk-operations.bin.zst"));
    pub const RESOURCES: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/boto3-resources.bin.zst"));
    /// Not compressed as a whole: each document inside is (see `raw::RawManaged`).
    pub const MANAGED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/managed-policies.bin"));
    pub const SAM_TEMPLATES: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/sam-policy-templates.json.zst"));
    pub const SAM_CONNECTORS: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/sam-connector-profiles.json.zst"));
    pub const SAM_ARNS: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/sam-managed-policy-arns.bin.zst"));
    pub const OVERRIDES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/overrides.bin.zst"));
    pub const LAMBDA: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/lambda.json.zst"));
    pub const PARAMETERS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/parameters.json.zst"));
}

/// Sizes of the embedded datasets: (file name, bytes in the binary).
pub fn embedded_sizes() -> [(&'static str, usize); 10] {
    [
        ("iam-catalog.json", blobs::CATALOG.len()),
        ("sdk-operations.json", blobs::SDK.len()),
        ("boto3-resources.json", blobs::RESOURCES.len()),
        ("managed-policies.json", blobs::MANAGED.len()),
        ("sam-policy-templates.json", blobs::SAM_TEMPLATES.len()),
        ("sam-connector-profiles.json", blobs::SAM_CONNECTORS.len()),
        ("sam-managed-policy-arns.json", blobs::SAM_ARNS.len()),
        ("overrides.json", blobs::OVERRIDES.len()),
        ("lambda.json", blobs::LAMBDA.len()),
        ("parameters.json", blobs::PARAMETERS.len()),
    ]
}

/// Decompresses one embedded dataset. The bytes are produced by our own build from
/// committed, test-checked files, so a failure is a broken build, not bad user input.
fn unpack(name: &str, packed: &[u8]) -> Vec<u8> {
    // build.rs writes single frames that record their size: one allocation, one call.
    let size = zstd::zstd_safe::get_frame_content_size(packed)
        .ok()
        .flatten()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or_else(|| panic!("embedded {name} does not record its size"));
    zstd::bulk::decompress(packed, size)
        .unwrap_or_else(|e| panic!("embedded {name} is not valid zstd: {e}"))
}

/// Decodes one embedded JSON dataset (the small, hand-readable ones).
fn decode<T: DeserializeOwned>(name: &str, packed: &[u8]) -> T {
    serde_json::from_slice(&unpack(name, packed))
        .unwrap_or_else(|e| panic!("embedded {name} does not parse: {e}"))
}

/// Decodes one embedded postcard dataset (a [`raw`] shape written by `build.rs`).
fn decode_binary<T: DeserializeOwned>(name: &str, packed: &[u8]) -> T {
    postcard::from_bytes(&unpack(name, packed))
        .unwrap_or_else(|e| panic!("embedded {name} does not decode: {e}"))
}

/// The IAM action catalog (every service prefix, action, resource type and condition key).
pub fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(|| Catalog::from_raw(decode_binary("iam-catalog.json", blobs::CATALOG)))
}

/// The SDK operation index: botocore operations, SDK naming per language, helper methods,
/// boto3 resource models and the hand-kept exceptions.
pub fn sdk() -> &'static SdkIndex {
    static CELL: OnceLock<SdkIndex> = OnceLock::new();
    CELL.get_or_init(|| {
        SdkIndex::from_raw(
            decode_binary("sdk-operations.json", blobs::SDK),
            decode_binary("overrides.json", blobs::OVERRIDES),
            decode_binary("boto3-resources.json", blobs::RESOURCES),
        )
    })
}

/// What Lambda itself needs per event source, trigger and configuration option.
pub fn lambda() -> &'static LambdaTable {
    static CELL: OnceLock<LambdaTable> = OnceLock::new();
    CELL.get_or_init(|| decode("lambda.json", blobs::LAMBDA))
}

/// Request parameters that pass a role, tag on create, or name a copy source.
pub fn params() -> &'static ParamTable {
    static CELL: OnceLock<ParamTable> = OnceLock::new();
    CELL.get_or_init(|| decode("parameters.json", blobs::PARAMETERS))
}

/// Which AWS SDK a call is written with: the key of the SDK-to-IAM tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SdkKind {
    /// boto3 / botocore.
    Python,
    /// AWS SDK for JavaScript v3 (`@aws-sdk/client-*`, `@aws-sdk/lib-*`).
    JsV3,
    /// AWS SDK for JavaScript v2 (`aws-sdk`).
    JsV2,
    Go,
    Java,
}
