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
pub fn sdk_needs(
    func: &Function,
    calls: &[SdkCall],
    hints: &BTreeMap<String, String>,
    set: &mut NeedSet,
) -> SdkNeeds {
    let mut stats = SdkNeeds::default();
    for call in calls {
        let Some(resolved) = resolve(func, hints, call) else {
            stats.unresolved.push(call.text.clone());
            continue;
        };
        stats.resolved += 1;
        let mut params = resolved.params.clone();
        let (region, account) = super::home(func);
        params.insert(super::REGION.to_string(), region);
        params.insert(super::ACCOUNT.to_string(), account);
        for action in &resolved.actions {
            let resource = resource_for_action(action, &params);
            stats.total_pairs += 1;
            if resource != "*" && !resource.ends_with(":*") {
                stats.specific += 1;
            }
            set.add(
                action,
                &resource,
                Reason {
                    kind: ReasonKind::SdkCall,
                    span: call.span,
                    detail: call.text.clone(),
                },
            );
        }
    }
    stats
}

fn resolve(func: &Function, hints: &BTreeMap<String, String>, call: &SdkCall) -> Option<Resolved> {
    let sdk = data::sdk();
    let mut params: BTreeMap<String, String> = call
        .args
        .iter()
        // A parameter whose value is unknown is still present (`PhoneNumber` from the event
        // decides what `sns:Publish` applies to); its value stands as `*`.
        .map(|(name, arg)| {
            (
                name.clone(),
                arg_value(func, hints, arg).unwrap_or_else(|| "*".to_string()),
            )
        })
        .collect();
    let op = match call.style {
        CallStyle::Resource => {
            let rt = call.resource_type.as_deref().unwrap_or("");
            let r = sdk.boto3_resource_call(&call.service, rt, &call.method)?;
            for ((_, param), id) in r.params.iter().zip(&call.resource_ids) {
                if let Some(v) = arg_value(func, hints, id) {
                    params.entry(param.clone()).or_insert(v);
                }
            }
            // Building a sub-resource (`s3.Bucket(name)`) calls nothing.
            match r.resolution {
                Some(op) => op,
                None => {
                    return Some(Resolved {
                        actions: Vec::new(),
                        params,
                    });
                }
            }
        }
        CallStyle::Paginator => sdk.resolve_paginator(call.sdk, &call.service, &call.method)?,
        CallStyle::Waiter => sdk.resolve_waiter(call.sdk, &call.service, &call.method)?,
        CallStyle::Direct => match powertools_key(call) {
            Some((service, method)) => sdk.resolve(call.sdk, &service, method)?,
            None => sdk.resolve(call.sdk, &call.service, &call.method)?,
        },
    };
    if op.source == data::Source::Unresolved {
        return None;
    }
    let mut actions = op.actions.clone();
    // Parameters that add actions (`VersionId` -> `s3:GetObjectVersion`, `ACL` -> `s3:PutObjectAcl`).
    for pa in &op.param_actions {
        if call.args.iter().any(|(name, _)| *name == pa.param) {
            actions.extend(pa.actions.iter().cloned());
        }
    }
    actions.sort();
    actions.dedup();
    Some(Resolved { actions, params })
}

/// aws-lambda-powertools utilities, which the extractor reports as service
/// `aws-lambda-powertools` and method `<utility>.<function>`, are keyed in the knowledge base
/// by their module (`aws_lambda_powertools.utilities.<utility>`) and function.
fn powertools_key(call: &SdkCall) -> Option<(String, &str)> {
    if call.service != crate::parse::code::POWERTOOLS {
        return None;
    }
    let (utility, function) = call.method.split_once('.')?;
    Some((
        format!("aws_lambda_powertools.utilities.{utility}"),
        function,
    ))
}

/// The value of an argument as far as the template tells: literals as written, environment
/// variables through the function's `Environment`, concatenations with `*` for unknown parts.
/// `None` when nothing is known.
pub(crate) fn arg_value(
    func: &Function,
    hints: &BTreeMap<String, String>,
    arg: &Arg,
) -> Option<String> {
    match arg {
        Arg::Str(s) => Some(s.clone()),
        // The template's `Environment` first, then the configuration's hints for variables
        // set elsewhere.
        Arg::Env(name) => func
            .environment
            .iter()
            .find(|v| v.name.value == *name)
            .and_then(|v| v.value.as_ref())
            .map(|v| v.value.clone())
            .or_else(|| hints.get(name).cloned()),
        Arg::Concat(parts) => {
            let mut out = String::new();
            let mut known = false;
            for p in parts {
                match arg_value(func, hints, p) {
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
