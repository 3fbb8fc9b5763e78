//! boto3 resource objects (`boto3.resource('dynamodb').Table(t).put_item`,
//! `Bucket(b).objects.all()`): which operation each method calls and which request parameters
//! the resource's identifiers fill. Source: boto3's `resources-1.json` models, condensed by
//! `policies/regen` into `policies/boto3-resources.json`, plus the injected helper methods
//! (`upload_file`, `batch_writer`) from `overrides.json`.

use std::collections::BTreeMap;

use super::SdkKind;
use super::sdk::{OpResolution, SdkIndex, norm};

/// What a method on a boto3 resource object does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceCallResolution {
    /// The AWS call it makes; `None` when it only builds a sub-resource (`s3.Bucket(name)`,
    /// `bucket.Object(key)`), which calls nothing.
    pub resolution: Option<OpResolution>,
    /// (identifier, request parameter) in model order: `Object` `get` ->
    /// `[("BucketName", "Bucket"), ("Key", "Key")]`.
    pub params: Vec<(String, String)>,
    /// The resource type the method hands out (sub-resource or collection item), if any.
    pub resource: Option<String>,
}

/// Collection methods that list (boto3 `ResourceCollection`): all of them page through the
/// collection's operation.
const COLLECTION_VERBS: &[&str] = &["all", "filter", "limit", "page_size", "pages"];

fn find<'a, V>(map: &'a BTreeMap<String, V>, name: &str) -> Option<&'a V> {
    let key = norm(name);
    map.iter().find(|(k, _)| norm(k) == key).map(|(_, v)| v)
}

impl SdkIndex {
    /// Resolves `method` on a boto3 resource of `resource_type` (`""` = the service resource
    /// itself). `method` is as [`crate::model::SdkCall`] keeps it: `put_item`, `load`,
    /// `objects.all`, `objects.delete`, `wait_until_exists`, `upload_file`, `Bucket`.
    pub fn boto3_resource_call(
        &self,
        service: &str,
        resource_type: &str,
        method: &str,
    ) -> Option<ResourceCallResolution> {
        let types = self.resources.services.get(service)?;
        let (type_name, res) = types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(resource_type))?;
        let call = |op: &str, params: &[(String, String)], resource: Option<&String>| {
            Some(ResourceCallResolution {
                resolution: self.resolve(SdkKind::Python, service, op),
                params: params.to_vec(),
                resource: resource.cloned(),
            })
        };
        if let Some((coll, verb)) = method.split_once('.') {
            let c = find(&res.collections, coll)?;
            if COLLECTION_VERBS.contains(&verb) {
                return call(&c.op, &c.params, c.resource.as_ref());
            }
            let b = find(&c.batch_actions, verb)?;
            return call(&b.op, &b.params, None);
        }
        if matches!(method, "load" | "reload") {
            let l = res.load.as_ref()?;
            return call(&l.op, &l.params, None);
        }
        if let Some(a) = find(&res.actions, method) {
            return call(&a.op, &a.params, None);
        }
        if let Some(w) = find(&res.waiters, method) {
            return Some(ResourceCallResolution {
                resolution: self.resolve_waiter(SdkKind::Python, service, &w.waiter),
                params: w.params.clone(),
                resource: None,
            });
        }
        let rt = (!type_name.is_empty()).then_some(type_name.as_str());
        if let Some(h) = self.find_helper(SdkKind::Python, service, rt, method) {
            return Some(ResourceCallResolution {
                resolution: Some(self.helper_resolution(h, service)),
                params: h.params.clone(),
                resource: None,
            });
        }
        if let Some(t) = find(&res.has, method) {
            return Some(ResourceCallResolution {
                resolution: None,
                params: Vec::new(),
                resource: Some(t.clone()),
            });
        }
        None
    }

    /// The identifiers a boto3 resource type is built from, in order (`Object` ->
    /// `BucketName`, `Key`).
    pub fn boto3_identifiers(&self, service: &str, resource_type: &str) -> Option<&[String]> {
        let types = self.resources.services.get(service)?;
        types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(resource_type))
            .map(|(_, r)| r.identifiers.as_slice())
    }
}
