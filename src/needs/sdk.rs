//! Needs from SDK calls: each call resolved through the knowledge base to its IAM actions,
//! and its parameters (followed through environment variables to the template) to an ARN.

use std::collections::BTreeMap;

use super::{NeedSet, Reason, ReasonKind, resource_for_action};
use crate::data;
use crate::model::{Arg, CallStyle, Function, SdkCall};

/// What the SDK calls of one function amount to.
#[derive(Debug, Default)]
pub struct SdkNeeds {
    /// Calls that resolved to at least one action (or to a permission-less operation).
    pub resolved: usize,
    /// Calls the knowledge base does not know (method on a non-client, newer API, ...).
    pub unresolved: Vec<String>,
    /// Required (action, resource) pairs whose resource is narrower than `*`.
    pub specific: usize,
    pub total_pairs: usize,
}

/// The IAM actions and request parameters of one call.
struct Resolved {
    actions: Vec<String>,
    params: BTreeMap<String, String>,
}

/// Adds the needs of `calls` (made by `func`'s code) to `set`.
pub fn sdk_needs(func: &Function, calls: &[SdkCall], set: &mut NeedSet) -> SdkNeeds {
    let mut stats = SdkNeeds::default();
    for call in calls {
        let Some(resolved) = resolve(func, call) else {
            stats.unresolved.push(call.text.clone());
            continue;
        };
        stats.resolved += 1;
        for action in &resolved.actions {
            let resource = resource_for_action(action, &resolved.params);
            stats.total_pairs += 1;
            if resource != "*" && !resource.ends_with(":*") {
                stats.specific += 1;
            }
            set.add(
                action,
                &resource,
                Reason { kind: ReasonKind::SdkCall, span: call.span, detail: call.text.clone() },
            );
        }
    }
    stats
}

fn resolve(func: &Function, call: &SdkCall) -> Option<Resolved> {
    let sdk = data::sdk();
    let mut params: BTreeMap<String, String> = call
        .args
        .iter()
        .filter_map(|(name, arg)| arg_value(func, arg).map(|v| (name.clone(), v)))
        .collect();
    let actions = match call.style {
        CallStyle::Resource => {
            let rt = call.resource_type.as_deref().unwrap_or("");
            let r = sdk.boto3_resource_call(&call.service, rt, &call.method)?;
            for (name, id) in r.identifier_params.iter().zip(&call.resource_ids) {
                if let Some(v) = arg_value(func, id) {
                    params.entry(name.clone()).or_insert(v);
                }
            }
            r.actions.clone()
        }
        CallStyle::Paginator => sdk.resolve_paginator(call.sdk, &call.service, &call.method)?.actions.clone(),
        CallStyle::Waiter => sdk
            .resolve_waiter(call.sdk, &call.service, &call.method)?
            .into_iter()
            .flat_map(|op| op.actions.clone())
            .collect(),
        CallStyle::Direct => sdk.resolve(call.sdk, &call.service, &call.method)?.actions.clone(),
    };
    Some(Resolved { actions, params })
}

/// The value of an argument as far as the template tells: literals as written, environment
/// variables through the function's `Environment`, concatenations with `*` for unknown parts.
/// `None` when nothing is known.
pub(crate) fn arg_value(func: &Function, arg: &Arg) -> Option<String> {
    match arg {
        Arg::Str(s) => Some(s.clone()),
        Arg::Env(name) => func
            .environment
            .iter()
            .find(|v| v.name.value == *name)
            .and_then(|v| v.value.as_ref())
            .map(|v| v.value.clone()),
        Arg::Concat(parts) => {
            let mut out = String::new();
            let mut known = false;
            for p in parts {
                match arg_value(func, p) {
                    Some(v) => {
                        known = true;
                        out.push_str(&v);
                    }
                    None => {
                        if !out.ends_with('*') {
                            out.push('*');
                        }
                    }
                }
            }
            known.then_some(out)
        }
        Arg::Unknown => None,
    }
}
