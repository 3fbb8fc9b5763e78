//! From an action and the request parameters of a call to the ARN it touches: the action's
//! resource type from the IAM catalog, its ARN template, and the parameters filled in.
//! Parts that stay unknown become `*`; region and account become `${AWS::Region}` and
//! `${AWS::AccountId}` unless the parameter names them.

use std::collections::BTreeMap;

use crate::arn::Arn;
use crate::data;

/// Request parameters that fill an ARN template variable when their names differ
/// (template variable, parameter names in order of preference).
const PARAM_ALIASES: &[(&str, &[&str])] = &[
    ("BucketName", &["Bucket", "BucketName"]),
    ("ObjectName", &["Key", "ObjectName"]),
    ("QueueName", &["QueueName", "QueueUrl"]),
    ("TopicName", &["TopicName", "TopicArn"]),
    ("TableName", &["TableName", "TableArn"]),
    ("FunctionName", &["FunctionName"]),
    ("SecretId", &["SecretId", "SecretArn"]),
    ("ParameterNameWithoutLeadingSlash", &["Name", "Path"]),
    (
        "StateMachineName",
        &["stateMachineArn", "StateMachineArn", "name"],
    ),
    ("StreamName", &["StreamName", "StreamARN"]),
    // EventBridge `PutEvents` names the bus in each entry (`Entries[].EventBusName`).
    ("EventBusName", &["EventBusName", "Entries[].EventBusName"]),
    // EventBridge `PutTargets(Rule)`, `PutRule(Name)`; IoT `CreateTopicRule(ruleName)`.
    ("RuleName", &["Rule", "Name", "ruleName"]),
    ("KeyId", &["KeyId"]),
    ("LogGroupName", &["logGroupName", "LogGroupName"]),
    ("IndexName", &["IndexName"]),
    ("ClusterName", &["ClusterName", "clusterName"]),
    ("RoleNameWithPath", &["RoleName"]),
    ("ModelId", &["modelId", "ModelId"]),
    // Bedrock's foundation-model ARN names the model id `${ResourceId}`.
    ("ResourceId", &["modelId", "ModelId"]),
    // Batch `SubmitJob(jobQueue, jobDefinition)`: names or ARNs.
    ("JobQueueName", &["jobQueue"]),
    ("JobDefinitionName", &["jobDefinition"]),
];

/// Actions IAM authorizes on several resource types at once, where the Service Authorization
/// Reference's required marks differ from what the service documents:
/// - `batch:SubmitJob` on the job queue and the job definition (AWS Batch User Guide,
///   "Resource: Restrict to a job queue": "When scoping resource-level access for job
///   submission, you must provide both job queue and job definition resource types"; its
///   examples grant nothing on `job/*`).
const AUTHORIZED_TYPES: &[(&str, &[&str])] =
    &[("batch:SubmitJob", &["job-queue", "job-definition"])];

/// Reserved parameter keys (no API member looks like them) for the caller's own region and
/// account, when known.
pub const REGION: &str = "${Region}";
pub const ACCOUNT: &str = "${Account}";

/// Parameters whose value may be a whole ARN of the resource.
const ARN_PARAMS: &[&str] = &[
    "TopicArn",
    "TargetArn",
    "SecretId",
    "SecretArn",
    "stateMachineArn",
    "StateMachineArn",
    "executionArn",
    "FunctionName",
    "StreamARN",
    "TableName",
    "TableArn",
    "KeyId",
    "resourceArn",
    "ResourceArn",
    "EventBusName",
    "Entries[].EventBusName",
    "modelId",
    "QueueArn",
    "RoleArn",
    // ECS `RunTask(taskDefinition)`: a family, `family:revision` or the ARN.
    "taskDefinition",
];

/// The ARN an action touches, given the call's resolved parameters (`*` for unknown values).
pub fn resource_for_action(action: &str, params: &BTreeMap<String, String>) -> String {
    let Some((prefix, _)) = action.split_once(':') else {
        return "*".to_string();
    };
    // An action the Service Authorization Reference lists with no resource type is evaluated
    // against `*` only, whatever ARN the call names.
    if data::catalog()
        .action(action)
        .is_some_and(|a| a.resource_types.is_empty())
    {
        return "*".to_string();
    }
    // A parameter that already holds an ARN of this service names the resource; so does an
    // unresolved reference known to be a whole ARN (`${module.x.state_machine_arn}`), whose
    // token then meets the same token in a grant.
    // The services whose ARNs the action's resource types have: its own, or another's
    // (`sts:AssumeRole` acts on an `iam` role).
    let catalog = data::catalog();
    let owners: Vec<&str> = catalog.action(action).map_or_else(Vec::new, |info| {
        info.resource_types
            .iter()
            .filter_map(|rt| catalog.arn_template(prefix, &rt.name))
            .filter_map(|t| t.split(':').nth(2))
            .collect()
    });
    for p in ARN_PARAMS {
        if let Some(v) = params.get(*p)
            && let Ok(arn) = Arn::parse(v)
            && (arn.whole().is_some()
                || arn
                    .service()
                    .is_some_and(|s| s.as_str() == prefix || owners.contains(&s.as_str())))
        {
            return v.clone();
        }
    }
    if let Some(url) = params.get("QueueUrl")
        && prefix == "sqs"
        && let Some(arn) = queue_url_to_arn(url)
    {
        return arn;
    }
    // SMS and mobile push: `Publish` with a phone number and no topic applies to `*`.
    if action == "sns:Publish"
        && !params.contains_key("TopicArn")
        && !params.contains_key("TargetArn")
        && params.contains_key("PhoneNumber")
    {
        return "*".to_string();
    }
    let Some(info) = catalog.action(action) else {
        return "*".to_string();
    };
    // The resource type whose ARN the call's parameters fill best; ties go to the type the
    // identifier's shape names, to the plain type over access points and Outposts, then to
    // the catalog's order.
    let shaped = shaped_type(prefix, params);
    let authorized = authorized_types(action);
    let mut best: Option<((usize, bool, bool, bool), String)> = None;
    for rt in &info.resource_types {
        if authorized.is_some_and(|a| !a.contains(&rt.name.as_str())) {
            continue;
        }
        let Some(template) = catalog.arn_template(prefix, &rt.name) else {
            continue;
        };
        let (filled, known) = fill_counting(template, params);
        let plain = !["accesspoint", "outpost", "object-lambda", "multi-region"]
            .iter()
            .any(|w| template.contains(w));
        let score = (known, shaped == Some(rt.name.as_str()), plain, rt.required);
        let better = match &best {
            None => true,
            Some((s, _)) => score > *s,
        };
        if better {
            best = Some((score, filled));
        }
    }
    // The catalog marks a lone resource type without `*` as optional (`cloudwatch:PutMetricData`
    // on a dataset): with nothing naming it, the action is used on `*`. Alternatives (an object
    // or an access point object) are both unmarked, yet one of them always applies.
    let optional = info.resource_types.len() == 1 && !info.resource_types[0].required;
    match best {
        Some(((known, ..), arn)) if known > 0 || !optional => arn,
        _ => "*".to_string(),
    }
}

/// The resource a tag-on-create action applies to: the one the operation creates, named by the
/// operation (`CreateBackup` creates a `backup`, `RunInstances` an `instance`; IAM User Guide,
/// "Controlling access during AWS requests": the tag action is authorized on the new
/// resource), filled from the parameters. `None` when no resource type of the action is the
/// operation's object.
pub fn created_resource_for_action(
    action: &str,
    operations: &[String],
    params: &BTreeMap<String, String>,
) -> Option<String> {
    let (prefix, _) = action.split_once(':')?;
    let catalog = data::catalog();
    let info = catalog.action(action)?;
    let nouns: Vec<String> = operations
        .iter()
        .map(|op| op.to_ascii_lowercase())
        .flat_map(|op| {
            let singular = op.strip_suffix('s').map(str::to_string);
            std::iter::once(op).chain(singular)
        })
        .collect();
    let rt = info
        .resource_types
        .iter()
        .filter(|rt| {
            let key = rt.name.replace('-', "").to_ascii_lowercase();
            nouns.iter().any(|n| n.ends_with(&key))
        })
        .max_by_key(|rt| rt.name.len())?;
    let template = catalog.arn_template(prefix, &rt.name)?;
    Some(fill_template_public(template, params))
}

/// The resource types of [`AUTHORIZED_TYPES`] for an action.
fn authorized_types(action: &str) -> Option<&'static [&'static str]> {
    AUTHORIZED_TYPES
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, t)| *t)
}

/// Services whose requests IAM authorizes against every resource type the Service
/// Authorization Reference marks required for an action, at once: EC2 ("Actions, resources,
/// and condition keys for Amazon EC2": a request is authorized on each resource it creates or
/// uses, `ec2:CreateSecurityGroup` on the VPC and on the new security group). Elsewhere the
/// required types are alternatives (Bedrock's `InvokeModel` on a foundation model or on an
/// inference profile).
const ALL_REQUIRED_TYPES: &[&str] = &["ec2"];

/// The other resources an action needs besides `primary` ([`resource_for_action`]): for the
/// services of [`ALL_REQUIRED_TYPES`], every other required resource type
/// (`ec2:CreateNetworkInterface` on the interface and the subnet), filled from the parameters
/// (`*` for unknown parts). A Bedrock call through a cross-Region
/// inference profile also needs the action on the profile's foundation model in every Region
/// it routes to (Bedrock User Guide, "Prerequisites for inference profiles").
pub fn other_resources_for_action(
    action: &str,
    params: &BTreeMap<String, String>,
    primary: &str,
) -> Vec<String> {
    other_resources(action, params, primary, false)
}

/// [`other_resources_for_action`] for a request whose parameters are unknown but that names
/// a resource of every type the action lists, required or not: Lambda creates a VPC
/// function's network interfaces in its subnets with its security groups (Lambda Developer
/// Guide, "Giving Lambda functions access to resources in an Amazon VPC"), so
/// `ec2:CreateNetworkInterface` is authorized on the interface, the subnet and the security
/// group.
pub fn every_resource_for_action(
    action: &str,
    params: &BTreeMap<String, String>,
    primary: &str,
) -> Vec<String> {
    other_resources(action, params, primary, true)
}

fn other_resources(
    action: &str,
    params: &BTreeMap<String, String>,
    primary: &str,
    optional_too: bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some((prefix, _)) = action.split_once(':') else {
        return out;
    };
    let catalog = data::catalog();
    let Some(info) = catalog.action(action) else {
        return out;
    };
    if primary != "*" && ALL_REQUIRED_TYPES.contains(&prefix) {
        let types = info
            .resource_types
            .iter()
            .filter(|rt| rt.required || optional_too);
        for rt in types {
            let Some(template) = catalog.arn_template(prefix, &rt.name) else {
                continue;
            };
            let filled = fill_template_public(template, params);
            if resource_kind(&filled) != resource_kind(primary) && !out.contains(&filled) {
                out.push(filled);
            }
        }
    }
    if primary != "*"
        && let Some(types) = authorized_types(action)
    {
        for name in types {
            let Some(template) = catalog.arn_template(prefix, name) else {
                continue;
            };
            let filled = fill_template_public(template, params);
            if resource_kind(&filled) != resource_kind(primary) && !out.contains(&filled) {
                out.push(filled);
            }
        }
    }
    if prefix == "bedrock"
        && let Some(model) = primary
            .split_once(":inference-profile/")
            .map(|(_, id)| id)
            .and_then(|id| id.split_once('.'))
            .map(|(_, model)| model)
        && info
            .resource_types
            .iter()
            .any(|rt| rt.name == "foundation-model")
    {
        out.push(format!("arn:aws:bedrock:*::foundation-model/{model}"));
    }
    out
}

/// The resource kind of an ARN: its resource part up to the first `/` or `:`
/// (`security-group` for `arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*`).
fn resource_kind(arn: &str) -> Option<String> {
    let plain = arn
        .replace("${AWS::Region}", "r")
        .replace("${AWS::AccountId}", "a");
    let resource = plain.splitn(6, ':').nth(5)?;
    Some(
        resource
            .split(['/', ':'])
            .next()
            .unwrap_or(resource)
            .to_string(),
    )
}

/// [`fill_counting`]'s ARN.
fn fill_template_public(template: &str, params: &BTreeMap<String, String>) -> String {
    fill_counting(template, params).0
}

/// The resource type an identifier's shape names, where one parameter may name several
/// types. Bedrock's `modelId` (Bedrock User Guide, "Supported foundation models" and
/// "Inference profiles"): `us.anthropic.claude-…` (a geography first) is a cross-Region
/// inference profile, `anthropic.claude-…` a foundation model; ARNs are handled before.
///
/// An EventBridge rule is on the default event bus unless the call names another
/// (EventBridge API Reference, `PutTargets` / `PutRule`, `EventBusName`: "If you omit this,
/// the default event bus is used"): `rule/<name>`, not `rule/<bus>/<name>`.
fn shaped_type(prefix: &str, params: &BTreeMap<String, String>) -> Option<&'static str> {
    if prefix == "events" {
        let bus = params.get("EventBusName").map(String::as_str);
        return Some(match bus {
            None | Some("default") => "rule-on-default-event-bus",
            Some(_) => "rule-on-custom-event-bus",
        });
    }
    if prefix != "bedrock" {
        return None;
    }
    let id = params.get("modelId").or_else(|| params.get("ModelId"))?;
    if Arn::parse(id).is_ok() || id.contains("${") {
        return None;
    }
    let first = id.split('.').next().unwrap_or_default();
    let geography = ["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"];
    Some(if geography.contains(&first) && id.contains('.') {
        "inference-profile"
    } else {
        "foundation-model"
    })
}

/// Fills `${Partition}`, `${Region}`, `${Account}` and resource variables of an ARN template.
#[cfg(test)]
fn fill_template(template: &str, params: &BTreeMap<String, String>) -> String {
    fill_counting(template, params).0
}

/// [`fill_template`] that also counts the resource variables the parameters filled.
fn fill_counting(template: &str, params: &BTreeMap<String, String>) -> (String, usize) {
    let mut known = 0;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return (collapse_stars(&out), known);
        };
        let var = &after[..end];
        let value = variable_value(var, params);
        if value != "*" && !matches!(var, "Partition" | "Region" | "Account") {
            known += 1;
        }
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (collapse_stars(&out), known)
}

fn variable_value(var: &str, params: &BTreeMap<String, String>) -> String {
    match var {
        "Partition" => return "aws".into(),
        // The function's own region and account when they are known (exported account
        // state), else deploy-time placeholders.
        "Region" => {
            return params
                .get(REGION)
                .cloned()
                .unwrap_or_else(|| "${AWS::Region}".into());
        }
        "Account" => {
            return params
                .get(ACCOUNT)
                .cloned()
                .unwrap_or_else(|| "${AWS::AccountId}".into());
        }
        _ => {}
    }
    let names: &[&str] = PARAM_ALIASES
        .iter()
        .find(|(v, _)| *v == var)
        .map(|(_, n)| *n)
        .unwrap_or(&[]);
    for name in names.iter().copied().chain(std::iter::once(var)) {
        // Nested members keep the caller's spelling (`Entries[].eventBusName` from a Java
        // builder): they compare without regard to case.
        let value = params.get(name).or_else(|| {
            name.contains('.')
                .then(|| {
                    params
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v)
                })
                .flatten()
        });
        let Some(value) = value else {
            continue;
        };
        return match (var, name) {
            // A URL known only at deploy time (`${ssm:/app/queue-url}`) is an unknown name as a
            // whole: its last `/` is inside the token, not a path separator.
            ("QueueName", "QueueUrl") if is_one_token(value) => value.clone(),
            ("QueueName", "QueueUrl") => value.rsplit('/').next().unwrap_or("*").to_string(),
            // The resource name at the end of an ARN (`arn:aws:sns:r:a:topic` -> `topic`).
            (_, n) if n.ends_with("Arn") || n.ends_with("ARN") || n.ends_with("arn") => {
                Arn::parse(value)
                    .ok()
                    .and_then(|a| a.resource())
                    .map_or_else(
                        || value.clone(),
                        |r| r.last_segment(&[':', '/']).to_string(),
                    )
            }
            ("ParameterNameWithoutLeadingSlash", _) => value.trim_start_matches('/').to_string(),
            // A job queue by ARN: its name.
            ("JobQueueName", "jobQueue") => Arn::parse(value)
                .ok()
                .and_then(|a| a.resource())
                .map_or_else(|| value.clone(), |r| r.last_segment(&['/']).to_string()),
            // A job definition by ARN, `name:revision` or `name`: `SubmitJob` is authorized on
            // the revision's ARN, the latest one for a bare name (AWS Batch User Guide,
            // "Accounting for job definition revisions").
            ("JobDefinitionName", "jobDefinition") => {
                let name = Arn::parse(value)
                    .ok()
                    .and_then(|a| a.resource())
                    .map_or_else(
                        || value.clone(),
                        |r| {
                            let r = r.as_str();
                            r.split_once('/').map_or(r, |(_, n)| n).to_string()
                        },
                    );
                if name.contains(':') || name == "*" || is_one_token(&name) {
                    name
                } else {
                    format!("{name}:*")
                }
            }
            ("SecretId", _) if Arn::parse(value).is_err() && value != "*" => {
                // Secret ARNs end with `-` and six random characters.
                format!("{value}-??????")
            }
            _ => value.clone(),
        };
    }
    "*".into()
}

/// Whether a required resource names something in particular: not `*`, and with the name part
/// known (`arn:aws:s3:::${Bucket}/*` and a function's log group are; `arn:aws:s3:::*/*`,
/// `...:parameter/*` and `...:stateMachine:*` are not).
pub fn is_specific(resource: &str) -> bool {
    Arn::parse(resource)
        .ok()
        .and_then(|a| a.resource_id())
        .is_some_and(|name| !name.is_empty() && !name.as_str().starts_with('*'))
}

/// `a/*/*` and `**` fold to one `*` so reports stay readable.
fn collapse_stars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_star = false;
    for c in s.chars() {
        if c == '*' && prev_star {
            continue;
        }
        prev_star = c == '*';
        out.push(c);
    }
    out
}

/// A value that is one unresolved `${...}` token from start to end.
fn is_one_token(value: &str) -> bool {
    value.starts_with("${")
        && value.ends_with('}')
        && value[2..].find('}').is_some_and(|i| i + 3 == value.len())
}

/// `text` split at `sep`, except where `sep` is inside a `${...}` token.
fn split_outside_tokens(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut prev = '\0';
    for (i, c) in text.char_indices() {
        match c {
            '{' if prev == '$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&text[start..]);
    out
}

/// `https://sqs.<region>.amazonaws.com/<account>/<name>` (and the legacy
/// `https://<region>.queue.amazonaws.com/...` and `https://queue.amazonaws.com/...` forms) to
/// `arn:aws:sqs:<region>:<account>:<name>`.
pub fn queue_url_to_arn(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    // `/` inside an unresolved `${ssm:/app/queue-url}` is not a path separator.
    let parts = split_outside_tokens(rest, '/');
    let [host, account, name, ..] = parts.as_slice() else {
        return None;
    };
    let (host, account, name) = (*host, *account, *name);
    // The path is `/<account>/<name>`: an account id, or a value known only at deploy time.
    let account_like = crate::arn::is_account_id(account) || is_one_token(account);
    if !account_like || name.is_empty() {
        return None;
    }
    let region = if let Some(r) = host.strip_prefix("sqs.") {
        r.split(".amazonaws.com").next().unwrap_or("${AWS::Region}")
    } else if let Some((r, _)) = host.split_once(".queue.amazonaws.com") {
        r
    } else {
        "${AWS::Region}"
    };
    Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bedrock_model_ids_name_their_resource_type() {
        let arn = |id: &str| {
            let params = BTreeMap::from([("modelId".to_string(), id.to_string())]);
            resource_for_action("bedrock:InvokeModel", &params)
        };
        assert_eq!(
            arn("anthropic.claude-3-haiku-20240307-v1:0"),
            "arn:aws:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
        );
        assert_eq!(
            arn("us.anthropic.claude-3-haiku-20240307-v1:0"),
            "arn:aws:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
        );
    }

    #[test]
    fn tags_on_create_apply_to_the_created_resource() {
        let created = |action: &str, op: &str, params: &[(&str, &str)]| {
            let params: BTreeMap<String, String> = params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            created_resource_for_action(action, &[op.to_string()], &params)
        };
        assert_eq!(
            created(
                "fsx:TagResource",
                "CreateBackup",
                &[("FileSystemId", "fs-1")]
            )
            .as_deref(),
            Some("arn:aws:fsx:${AWS::Region}:${AWS::AccountId}:backup/*")
        );
        assert_eq!(
            created("ec2:CreateTags", "CreateSnapshot", &[("VolumeId", "vol-1")]).as_deref(),
            Some("arn:aws:ec2:${AWS::Region}::snapshot/*")
        );
        assert_eq!(
            created("ec2:CreateTags", "RunInstances", &[]).as_deref(),
            Some("arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:instance/*")
        );
        assert_eq!(
            created("dynamodb:TagResource", "CreateTable", &[("TableName", "t")]).as_deref(),
            Some("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/t")
        );
    }

    #[test]
    fn requests_on_several_resources_need_each() {
        let others = |action: &str, params: &[(&str, &str)]| {
            let params: BTreeMap<String, String> = params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let primary = resource_for_action(action, &params);
            (
                primary.clone(),
                other_resources_for_action(action, &params, &primary),
            )
        };
        // EC2 authorizes every required resource type: the new group as well as the VPC.
        let (primary, rest) = others("ec2:CreateSecurityGroup", &[("VpcId", "vpc-1")]);
        assert_eq!(
            primary,
            "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:vpc/vpc-1"
        );
        assert_eq!(
            rest,
            ["arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*"]
        );
        // Lambda's network interfaces: interface, subnet and (always given) security group.
        let primary = resource_for_action("ec2:CreateNetworkInterface", &BTreeMap::new());
        let mut all = vec![primary.clone()];
        all.extend(every_resource_for_action(
            "ec2:CreateNetworkInterface",
            &BTreeMap::new(),
            &primary,
        ));
        all.sort();
        assert_eq!(
            all,
            [
                "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*",
                "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:security-group/*",
                "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:subnet/*",
            ]
        );
        // Batch authorizes `SubmitJob` on the queue and the job definition revision (a bare
        // name is the latest revision), not on the new job.
        let (primary, rest) = others(
            "batch:SubmitJob",
            &[
                (
                    "jobQueue",
                    "arn:aws:batch:us-east-1:111122223333:job-queue/nightly",
                ),
                ("jobDefinition", "reindex"),
            ],
        );
        assert_eq!(
            (primary.as_str(), rest.as_slice()),
            (
                "arn:aws:batch:${AWS::Region}:${AWS::AccountId}:job-queue/nightly",
                [
                    "arn:aws:batch:${AWS::Region}:${AWS::AccountId}:job-definition/reindex:*"
                        .to_string()
                ]
                .as_slice()
            )
        );
        let (_, rest) = others(
            "batch:SubmitJob",
            &[("jobQueue", "q"), ("jobDefinition", "d:3")],
        );
        assert_eq!(
            rest,
            ["arn:aws:batch:${AWS::Region}:${AWS::AccountId}:job-definition/d:3"]
        );
        // Bedrock's resource types are alternatives; a cross-Region inference profile also
        // needs its foundation model in every Region.
        let (_, rest) = others(
            "bedrock:InvokeModel",
            &[("modelId", "anthropic.claude-3-haiku-20240307-v1:0")],
        );
        assert!(rest.is_empty(), "{rest:?}");
        let (_, rest) = others(
            "bedrock:InvokeModel",
            &[("modelId", "us.anthropic.claude-3-haiku-20240307-v1:0")],
        );
        assert_eq!(
            rest,
            ["arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
        );
        // An action AWS defines with no resource type stays on `*`.
        let (primary, rest) = others("ec2:DescribeSubnets", &[]);
        assert_eq!((primary.as_str(), rest.len()), ("*", 0));
    }

    #[test]
    fn whole_arn_references_name_the_resource() {
        let need = |action: &str, param: &str, value: &str| {
            let params = BTreeMap::from([(param.to_string(), value.to_string())]);
            resource_for_action(action, &params)
        };
        assert_eq!(
            need("sns:Publish", "TopicArn", "${module.bus.topic_arn}"),
            "${module.bus.topic_arn}"
        );
        assert_eq!(
            need("states:StartExecution", "stateMachineArn", "${Flow.Arn}"),
            "${Flow.Arn}"
        );
        // A literal ARN of another service does not name this action's resource, and a
        // reference that does not say it is an ARN stays a name in the template.
        assert_eq!(
            need("sns:Publish", "TopicArn", "arn:aws:sqs:us-east-1:1:q"),
            "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:q"
        );
        assert_eq!(
            need("sns:Publish", "TopicArn", "${Topic}"),
            "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${Topic}"
        );
        assert_eq!(
            need(
                "sns:Publish",
                "TopicArn",
                "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${A::B}"
            ),
            "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${A::B}"
        );
    }

    #[test]
    fn specific_resources() {
        for r in [
            "arn:aws:s3:::${B}/*",
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q}",
            "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/f:log-stream:*",
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}/index/*",
            "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db",
        ] {
            assert!(is_specific(r), "{r}");
        }
        for r in [
            "*",
            "arn:aws:s3:::*/*",
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:*",
            "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/*",
            "arn:aws:states:${AWS::Region}:${AWS::AccountId}:stateMachine:*",
            "arn:aws:iam::${AWS::AccountId}:user/*",
        ] {
            assert!(!is_specific(r), "{r}");
        }
    }

    #[test]
    fn a_queue_url_known_only_at_deploy_time_is_one_unknown_name() {
        let params = BTreeMap::from([(
            "QueueUrl".to_string(),
            "${ssm:/billing/dev/queue-url}".to_string(),
        )]);
        assert_eq!(
            resource_for_action("sqs:SendMessage", &params),
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${ssm:/billing/dev/queue-url}"
        );
        assert!(!is_one_token("${a}/${b}"));
    }

    #[test]
    fn queue_urls() {
        assert_eq!(
            queue_url_to_arn("https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${Q}")
                .as_deref(),
            Some("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q}")
        );
        assert_eq!(
            queue_url_to_arn("https://sqs.eu-west-1.amazonaws.com/123456789012/orders").as_deref(),
            Some("arn:aws:sqs:eu-west-1:123456789012:orders")
        );
        assert_eq!(queue_url_to_arn("orders"), None);
        // A host known only at deploy time, with a path that is not `/<account>/<name>`.
        assert_eq!(
            queue_url_to_arn("https://${ssm:/orders/dev/api-host}/queue"),
            None
        );
        assert_eq!(
            queue_url_to_arn("https://sqs.us-east-1.amazonaws.com/${ssm:/acct/id}/jobs").as_deref(),
            Some("arn:aws:sqs:us-east-1:${ssm:/acct/id}:jobs")
        );
    }

    #[test]
    fn fills_templates() {
        let mut p = BTreeMap::new();
        p.insert("Bucket".to_string(), "${B}".to_string());
        assert_eq!(
            fill_template("arn:${Partition}:s3:::${BucketName}/${ObjectName}", &p),
            "arn:aws:s3:::${B}/*"
        );
        p.insert("Name".to_string(), "/app/db".to_string());
        assert_eq!(
            fill_template(
                "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}",
                &p
            ),
            "arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db"
        );
    }
}
