//! Needs from SDK calls: each call resolved through the knowledge base to its IAM actions,
//! and its parameters (followed through environment variables to the template) to an ARN.
//! Besides the operation's own actions: the actions its parameters add (`VersionId`, a passed
//! role, tags on create, a copy source; `policies/parameters.json` and the catalog's dependent
//! actions), and the KMS actions on the customer managed key of the resource it reaches
//! (`follow_on` in `policies/overrides.json`).

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Choice, NeedOpts, NeedSet, Reason, ReasonKind, Strength, arn::created_resource_for_action, kms,
    other_resources_for_action, resource_for_action, signed,
};
use crate::arn::Arn;
use crate::data::{self, AccessLevel, FollowOn};
use crate::model::{
    App, Arg, CallStyle, EVENT_BUCKET, EVENT_SOURCE_ARN, EventKind, FUNCTION_NAME_VAR, Function,
    ResourceKind, SdkCall,
};

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
    /// botocore service and operations, when the call makes any.
    service: String,
    operations: Vec<String>,
    follow_on: Vec<FollowOn>,
}

/// Adds the needs of `calls` (made by `func`'s code) to `set`.
pub fn sdk_needs(
    func: &Function,
    app: &App,
    calls: &[SdkCall],
    hints: &BTreeMap<String, String>,
    set: &mut NeedSet,
) -> SdkNeeds {
    let mut stats = SdkNeeds::default();
    let (region, account) = super::home(func);
    let hints = &with_event_values(func, app, hints, calls);
    // The readings of one call site, only one of which happens, as one choice of needs.
    let mut groups: BTreeMap<u32, u32> = BTreeMap::new();
    // The app's resources encrypted with a customer managed key, listed once per function.
    let encrypted = std::cell::OnceCell::new();
    for call in calls {
        let choice = call.alternative.map(|a| Choice {
            group: *groups.entry(a.group).or_insert_with(|| set.new_group()),
            option: a.option,
        });
        let Some(resolved) = resolve(func, hints, call) else {
            stats.unresolved.push(call.text.clone());
            continue;
        };
        stats.resolved += 1;
        let mut params = resolved.params.clone();
        params.insert(super::REGION.to_string(), region.clone());
        params.insert(super::ACCOUNT.to_string(), account.clone());
        let reason = || Reason {
            kind: ReasonKind::SdkCall,
            span: call.span,
            detail: call.text.clone(),
        };
        let mut add = |set: &mut NeedSet, action: &str, resource: &str, mut opts: NeedOpts| {
            if choice.is_some() {
                opts.choice = choice;
            }
            stats.total_pairs += 1;
            if resource != "*" && !resource.ends_with(":*") {
                stats.specific += 1;
            }
            set.add_with(action, resource, reason(), opts);
        };
        let params_table = data::params();
        let copy = resolved
            .operations
            .iter()
            .find_map(|op| params_table.copy_source(&resolved.service, op));
        let source_params = copy.map(|c| copy_source_params(&params, &c.param));
        let mut reached = Vec::new();
        for action in &resolved.actions {
            let on_source = copy.is_some_and(|c| c.actions.contains(action));
            let resource = match (&source_params, on_source) {
                (Some(sp), true) => resource_for_action(action, sp),
                _ if call.style == CallStyle::Action => {
                    signed::resource(app, action, &params, &region, &account)
                }
                _ => resource_for_action(action, &params),
            };
            if !on_source {
                reached.push(resource.clone());
            }
            let others = match (&source_params, on_source) {
                (Some(sp), true) => other_resources_for_action(action, sp, &resource),
                _ if call.style == CallStyle::Action => Vec::new(),
                _ => other_resources_for_action(action, &params, &resource),
            };
            add(set, action, &resource, NeedOpts::default());
            for other in others {
                add(set, action, &other, NeedOpts::default());
            }
        }
        // Tag on create: the operation's dependent tag action, when the call passes tags.
        let tagged = params_table
            .tags
            .params
            .iter()
            .any(|p| call.args.iter().any(|(n, _)| n == p));
        if tagged {
            let catalog = data::catalog();
            let mut tag_actions: Vec<&String> = resolved
                .actions
                .iter()
                .filter_map(|a| catalog.action(a))
                .flat_map(|info| &info.dependent)
                .filter(|d| {
                    catalog
                        .action(d)
                        .is_some_and(|i| i.access_level == AccessLevel::Tagging)
                })
                .collect();
            tag_actions.sort();
            tag_actions.dedup();
            for action in tag_actions {
                let resource = created_resource_for_action(action, &resolved.operations, &params)
                    .unwrap_or_else(|| resource_for_action(action, &params));
                add(set, action, &resource, NeedOpts::default());
            }
        }
        // Roles handed to a service: `iam:PassRole` on the role, for that service.
        for op in &resolved.operations {
            for pr in params_table.pass_role(&resolved.service, op) {
                // Members as each SDK spells them (`roleArn`, Java's and Go's `RoleArn`).
                let Some(value) = params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&pr.param))
                    .map(|(_, v)| v)
                else {
                    continue;
                };
                let roles = match &pr.roles_of {
                    Some(_) => declared_roles(app, value),
                    None => vec![value.clone()],
                };
                for role in roles {
                    let role = role_arn(&role, &account);
                    let opts = NeedOpts {
                        context: vec![("iam:PassedToService".to_string(), pr.passed_to.clone())],
                        ..NeedOpts::default()
                    };
                    add(set, "iam:PassRole", &role, opts);
                }
            }
        }
        // Follow-on actions: on another resource the call names (`secretArn` of the Data
        // API), or on the customer managed key of the resource the call reaches.
        // The arguments that name what an entry applies to: the call's own top-level ones, or
        // those under the parameter naming another resource (`CopySource.Bucket`).
        let copy_param = copy.map(|c| c.param.as_str());
        let args_of = |param: Option<&str>| -> Vec<&Arg> {
            call.args
                .iter()
                .filter(|(n, _)| match param {
                    Some(p) => n == p || n.strip_prefix(p).is_some_and(|r| r.starts_with('.')),
                    None => !n.contains('.') && Some(n.as_str()) != copy_param,
                })
                .map(|(_, a)| a)
                .collect()
        };
        for f in &resolved.follow_on {
            if let Some(p) = &f.param
                && !call.args.iter().any(|(n, _)| n == p)
            {
                continue;
            }
            let strength = if f.recommended {
                Strength::Recommended
            } else {
                Strength::Required
            };
            match f.applies.as_deref() {
                Some("always") => {
                    let Some(p) = &f.resource_param else {
                        continue;
                    };
                    let Some(value) = params.get(p) else {
                        continue;
                    };
                    for action in &f.actions {
                        let resource = if value == "*" {
                            resource_for_action(action, &BTreeMap::new())
                        } else {
                            let mut one = params.clone();
                            one.insert("SecretId".to_string(), value.clone());
                            resource_for_action(action, &one)
                        };
                        let opts = NeedOpts {
                            strength,
                            ..NeedOpts::default()
                        };
                        add(set, action, &resource, opts);
                    }
                }
                Some("key") => {
                    let targets: Vec<String> = match (&f.resource_param, &source_params) {
                        (Some(_), Some(sp)) => {
                            vec![resource_for_action("s3:GetObject", sp)]
                        }
                        (Some(_), None) => continue,
                        (None, _) => reached.clone(),
                    };
                    let args = args_of(f.resource_param.as_deref());
                    let mut keys: Vec<String> = targets
                        .iter()
                        .filter_map(|t| {
                            let among = encrypted.get_or_init(|| kms::encrypted_resources(app));
                            kms::encrypted(among, func, t, &args)
                        })
                        .filter_map(|r| r.encryption.as_ref())
                        .map(|k| kms::key_arn(app, &k.value, &region, &account))
                        .collect();
                    keys.sort();
                    keys.dedup();
                    for key in keys {
                        for action in &f.actions {
                            let opts = NeedOpts {
                                strength,
                                ..NeedOpts::default()
                            };
                            add(set, action, &key, opts);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    stats
}

/// The roles an ECS task definition of the input declares, when `value` (its ARN as a
/// reference gives it, a family, or `family:revision`) names one; none when it names none. A
/// family known only at deploy time (`${AWS::StackName}-task`) names no definition by itself.
fn declared_roles(app: &App, value: &str) -> Vec<String> {
    let definitions: Vec<(&str, &Vec<String>)> = app
        .resources
        .iter()
        .filter_map(|r| match (&r.kind, r.arn.as_deref()) {
            (ResourceKind::TaskDefinition { roles }, Some(arn)) => Some((arn, roles)),
            _ => None,
        })
        .collect();
    let family = |v: &str| -> Option<String> {
        let rest = v.rsplit_once(":task-definition/").map_or(v, |(_, r)| r);
        let name = rest.split_once(':').map_or(rest, |(n, _)| n);
        (!name.is_empty() && name != "*" && !name.contains("${")).then(|| name.to_string())
    };
    let exact: Vec<String> = definitions
        .iter()
        .filter(|(arn, _)| *arn == value)
        .flat_map(|(_, roles)| roles.iter().cloned())
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let Some(wanted) = family(value) else {
        return Vec::new();
    };
    definitions
        .iter()
        .filter(|(arn, _)| family(arn).as_deref() == Some(wanted.as_str()))
        .flat_map(|(_, roles)| roles.iter().cloned())
        .collect()
}

/// A passed role as an ARN: an ARN (or a reference to one) as it is, a role name in the
/// function's account, any role when unknown.
fn role_arn(value: &str, account: &str) -> String {
    if value == "*" || value.is_empty() {
        return format!("arn:aws:iam::{account}:role/*");
    }
    if Arn::parse(value).is_ok() {
        return value.to_string();
    }
    format!(
        "arn:aws:iam::{account}:role/{}",
        value.trim_start_matches('/')
    )
}

/// The bucket and key a copy source names: `bucket/key` (optionally with a leading `/` and a
/// `?versionId=`), an access point ARN with `/object/key`, or the `{Bucket, Key}` structure
/// (boto3's `copy_object(CopySource={...})`). Unknown parts stay `*`.
fn copy_source_params(params: &BTreeMap<String, String>, param: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = params
        .iter()
        .filter(|(k, _)| k.starts_with("${"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let (bucket, key) = match params.get(param) {
        Some(v) if v != "*" => {
            let v = v.trim_start_matches('/');
            let v = v.split_once("?versionId=").map_or(v, |(p, _)| p);
            match v.split_once('/') {
                Some((b, k)) => (b.to_string(), k.to_string()),
                None => (v.to_string(), "*".to_string()),
            }
        }
        _ => (
            params
                .get(&format!("{param}.Bucket"))
                .cloned()
                .unwrap_or_else(|| "*".to_string()),
            params
                .get(&format!("{param}.Key"))
                .cloned()
                .unwrap_or_else(|| "*".to_string()),
        ),
    };
    out.insert("Bucket".to_string(), bucket);
    out.insert("Key".to_string(), key);
    out
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
        // Named by its IAM action; an empty name is a call whose action could not be told.
        CallStyle::Action => {
            if call.method.is_empty() || call.service.is_empty() {
                return None;
            }
            return Some(Resolved {
                actions: vec![format!("{}:{}", call.service, call.method)],
                params,
                service: String::new(),
                operations: Vec::new(),
                follow_on: Vec::new(),
            });
        }
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
                        service: String::new(),
                        operations: Vec::new(),
                        follow_on: Vec::new(),
                    });
                }
            }
        }
        CallStyle::Paginator => sdk.resolve_paginator(call.sdk, &call.service, &call.method)?,
        CallStyle::Waiter => sdk.resolve_waiter(call.sdk, &call.service, &call.method)?,
        CallStyle::Direct => sdk.resolve(call.sdk, &call.service, &call.method)?,
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
    Some(Resolved {
        actions,
        params,
        service: op.service.clone(),
        operations: op.operations.clone(),
        follow_on: op.follow_on.clone(),
    })
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
        Arg::Event(field) => hints.get(&event_key(field)).cloned(),
        Arg::Unknown => None,
    }
}

/// The key under which [`with_event_values`] records an [`Arg::Event`] field among the hints
/// (no environment variable name holds a `:`).
fn event_key(field: &str) -> String {
    format!("event:{field}")
}

/// `hints` with what the function's own definition decides of the values its code reads from
/// the invocation: the reserved `AWS_LAMBDA_FUNCTION_NAME` (the function's name, unless the
/// configuration says otherwise), an S3 record's bucket when every S3 notification that
/// triggers the function is on one bucket, and a polled record's `eventSourceARN` when the
/// function polls one source. Several sources leave the field unknown.
fn with_event_values(
    func: &Function,
    app: &App,
    hints: &BTreeMap<String, String>,
    calls: &[SdkCall],
) -> BTreeMap<String, String> {
    let mut out = hints.clone();
    if let Ok(arn) = Arn::parse(&func.arn)
        && let Some((name, _)) = arn.function()
    {
        out.entry(FUNCTION_NAME_VAR.to_string())
            .or_insert_with(|| name.as_str().to_string());
    }
    // The triggers are looked at only for code that reads the event (a large app has many).
    fn reads_event(a: &Arg) -> bool {
        match a {
            Arg::Event(_) => true,
            Arg::Concat(parts) => parts.iter().any(reads_event),
            _ => false,
        }
    }
    let reads = calls.iter().any(|c| {
        c.args.iter().any(|(_, a)| reads_event(a)) || c.resource_ids.iter().any(reads_event)
    });
    if !reads {
        return out;
    }
    let pushed = app
        .triggers
        .iter()
        .filter(|t| t.function.as_deref() == Some(func.id.as_str()))
        .map(|t| (&t.kind, t.source_arn.as_ref()));
    let own = func
        .events
        .iter()
        .filter(|e| e.enabled)
        .map(|e| (&e.kind, e.source_arn.as_ref()));
    let mut buckets = BTreeSet::new();
    let mut polled = BTreeSet::new();
    for (kind, arn) in own.chain(pushed) {
        let Some(arn) = arn.map(|a| a.value.as_str()) else {
            continue;
        };
        match kind {
            EventKind::S3(_) => {
                buckets.insert(arn.split_once(":::").map_or(arn, |(_, b)| b));
            }
            EventKind::Sqs(_)
            | EventKind::Kinesis(_)
            | EventKind::DynamoDb(_)
            | EventKind::Mapping { .. } => {
                polled.insert(arn);
            }
            _ => {}
        }
    }
    if buckets.len() == 1
        && let Some(b) = buckets.first()
    {
        out.insert(event_key(EVENT_BUCKET), (*b).to_string());
    }
    if polled.len() == 1
        && let Some(a) = polled.first()
    {
        out.insert(event_key(EVENT_SOURCE_ARN), (*a).to_string());
    }
    out
}
