//! The lookups behind `rolefit actions PATTERN` and `rolefit actions --sdk LANG NAME`:
//! plain lines for the terminal, errors with a did-you-mean.

use super::SdkKind;

use super::sdk::{OpResolution, SdkIndex, Source};
use super::{catalog, glob, sdk};

/// `rolefit actions PATTERN`: every matching action with its access level, one a line
/// (`s3:GetObject  Read`). A bare prefix (`s3`) lists the whole service.
pub fn actions_lines(pattern: &str) -> Result<Vec<String>, String> {
    let cat = catalog();
    let pattern = if !pattern.contains(':') && !glob::is_pattern(pattern) && cat.has_prefix(pattern)
    {
        format!("{pattern}:*")
    } else {
        pattern.to_owned()
    };
    let found = cat.expand(&pattern);
    if found.is_empty() {
        let hint = cat
            .nearest_action(&pattern.replace(['*', '?'], ""))
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        return Err(format!("no IAM action matches `{pattern}`{hint}"));
    }
    let names: Vec<String> = found.iter().map(|a| a.full_name()).collect();
    let width = names.iter().map(String::len).max().unwrap_or(0);
    Ok(found
        .iter()
        .zip(&names)
        .map(|(a, n)| format!("{n:width$}  {}", a.access_level))
        .collect())
}

/// `rolefit actions --sdk LANG NAME`: the IAM actions an SDK call needs.
///
/// `NAME` is `service.method` (`s3.list_objects_v2`, `@aws-sdk/client-s3.GetObjectCommand`,
/// `DynamoDB.DocumentClient.put`, `s3.GetObject`), for boto3 also
/// `service.ResourceType.method` (`dynamodb.Table.put_item`), or a bare method/command that is
/// searched across every service (`PutCommand`, `GetObjectCommand`). `JsV3` and `JsV2` both
/// search the two JavaScript SDKs.
pub fn sdk_lines(kind: SdkKind, name: &str) -> Result<Vec<String>, String> {
    let idx = sdk();
    let kinds: &[SdkKind] = match kind {
        SdkKind::JsV3 | SdkKind::JsV2 => &[SdkKind::JsV3, SdkKind::JsV2],
        SdkKind::Python => &[SdkKind::Python],
        SdkKind::Go => &[SdkKind::Go],
        SdkKind::Java => &[SdkKind::Java],
    };
    if kind == SdkKind::Python
        && let Some((service, rest)) = name.split_once('.')
        && let Some((rt, method)) = rest.split_once('.')
        && let Some(r) = idx.boto3_resource_call(service, rt, method)
    {
        return Ok(match r.resolution {
            Some(res) => lines(&res),
            None => vec![format!(
                "(builds a {} object; no AWS call)",
                r.resource.unwrap_or_default()
            )],
        });
    }
    let split = match kind {
        SdkKind::Python => name.split_once('.'),
        _ => name.rsplit_once('.'),
    };
    if let Some((service, method)) = split {
        for &k in kinds {
            if let Some(res) = idx.resolve(k, service, method) {
                return Ok(lines(&res));
            }
        }
        return Err(unknown(idx, kinds, Some(service), method));
    }
    let matches = search(idx, kinds, name);
    match matches.as_slice() {
        [] => Err(unknown(idx, kinds, None, name)),
        [(_, res)] => Ok(lines(res)),
        many => Ok(many
            .iter()
            .flat_map(|(svc, res)| lines(res).into_iter().map(move |l| format!("{svc}: {l}")))
            .collect()),
    }
}

/// Every service of the given SDKs that has `method`, with the SDK's name for the service.
fn search(idx: &SdkIndex, kinds: &[SdkKind], method: &str) -> Vec<(String, OpResolution)> {
    let mut out: Vec<(String, OpResolution)> = Vec::new();
    for &k in kinds {
        let mut services: Vec<String> = idx
            .helpers
            .iter()
            .filter(|h| h.resource_type.is_none() && h.service != "*")
            .map(|h| h.service.clone())
            .collect();
        services.extend(idx.botocore_services().filter_map(|b| sdk_name(idx, k, b)));
        services.sort();
        services.dedup();
        for s in services {
            if let Some(res) = idx.resolve(k, &s, method)
                && !out.iter().any(|(o, _)| *o == s)
            {
                out.push((s, res));
            }
        }
    }
    out
}

fn sdk_name(idx: &SdkIndex, kind: SdkKind, botocore: &str) -> Option<String> {
    let n = idx.names(botocore)?;
    Some(
        match kind {
            SdkKind::Python => n.botocore,
            SdkKind::JsV3 => n.js_v3,
            SdkKind::JsV2 => n.js_v2?,
            SdkKind::Go => n.go,
            SdkKind::Java => n.java,
        }
        .to_owned(),
    )
}

/// The error for an unknown service or method, with the closest known spelling.
fn unknown(idx: &SdkIndex, kinds: &[SdkKind], service: Option<&str>, method: &str) -> String {
    let mut services: Vec<String> = Vec::new();
    let mut methods: Vec<String> = Vec::new();
    for &k in kinds {
        for b in idx.botocore_services() {
            let Some(n) = sdk_name(idx, k, b) else {
                continue;
            };
            if service.is_none_or(|s| n.eq_ignore_ascii_case(s)) {
                methods.extend(ops_of(idx, k, b));
            }
            services.push(n);
        }
        let helpers = idx.helpers.iter().filter(|h| h.resource_type.is_none());
        for h in helpers.filter(|h| service.is_none_or(|s| h.service.eq_ignore_ascii_case(s))) {
            methods.push(h.method.clone());
        }
    }
    let (what, target, candidates) = match service {
        Some(s) if methods.is_empty() => ("service", s, services),
        _ => ("method", method, methods),
    };
    let hint = glob::nearest(target, candidates.iter().map(String::as_str))
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    let full = service.map_or_else(|| method.to_owned(), |s| format!("{s}.{method}"));
    format!("unknown SDK {what} in `{full}`{hint}")
}

fn ops_of(idx: &SdkIndex, kind: SdkKind, botocore: &str) -> Vec<String> {
    idx.services
        .iter()
        .filter(|s| s.name == botocore)
        .flat_map(|s| &s.ops)
        .filter_map(|o| idx.method_name(kind, botocore, &o.name))
        .collect()
}

fn lines(res: &OpResolution) -> Vec<String> {
    let mut out: Vec<String> = res.actions.clone();
    if res.actions.is_empty() {
        out.push(match res.source {
            Source::Unsigned => "(no permission needed: the call is unsigned)".to_owned(),
            Source::Unresolved => format!(
                "(unknown: no IAM action is known for {} {})",
                res.service, res.operation
            ),
            _ => match &res.note {
                Some(note) => format!("(no permission needed: {note})"),
                None => "(no permission needed)".to_owned(),
            },
        });
    }
    for p in &res.param_actions {
        for a in &p.actions {
            out.push(format!("{a}  (with {})", p.param));
        }
    }
    for f in &res.follow_on {
        for a in &f.actions {
            out.push(format!("{a}  (if {})", f.when));
        }
    }
    // A helper merges the follow-ons of several operations; show each line once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|l| seen.insert(l.clone()));
    out
}
