//! The request context of calls made with a Lambda function's execution role, filled from what
//! the app declares. Keys are lower-cased: "Condition key names are not case-sensitive" (IAM
//! User Guide, "IAM JSON policy elements: Condition",
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html),
//! and that includes the tag key of `aws:PrincipalTag/<tag-key>` ("AWS global condition context
//! keys", `aws:PrincipalTag/tag-key`,
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag).
//! Values stay as written: string operators compare them case-sensitively unless the operator
//! says `IgnoreCase`.
//!
//! A key is in one of three states, as [`Request::context`] documents: known with values, known
//! absent (an empty list, or a prefix in [`Request::absent_prefixes`]), or unknown (missing),
//! which makes a condition on it [`Match::Unknown`](crate::iam::Match::Unknown).

use std::collections::BTreeMap;

use crate::arn::Arn;
use crate::iam::eval::Request;

/// Who inside Lambda makes a call with the execution role's credentials. It decides
/// `lambda:SourceFunctionArn` and the VPC keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The function's code, in its execution environment.
    Code,
    /// Lambda itself, outside the execution environment (event source pollers, destinations,
    /// environment-variable decryption, VPC network interfaces, logs, X-Ray, EFS mounts).
    Lambda,
    /// Both make this call (the same need from code and from an event source): two requests
    /// with different contexts, so the keys that differ are left unknown.
    Either,
}

/// Tags of the resources a request may name, by ARN (keys lower-cased); shared by every
/// function's context of one audit.
pub type ResourceTags = BTreeMap<String, BTreeMap<String, String>>;

/// What the app declares about the principal of a function's calls: its execution role (ARN,
/// tags) and the function (ARN, region, VPC attachment). One value serves every request the
/// function makes ([`RequestContext::request`]); `simulate --function` builds it from the app the
/// same way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// The role ARN: `aws:PrincipalArn` of a role session is the role's ARN, not the session's
    /// ("AWS global condition context keys", `aws:PrincipalArn`).
    pub principal_arn: String,
    /// The function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`), when known.
    pub function_arn: Option<String>,
    /// The role's tags by lower-cased key; `None` for a declared key whose value is unknown.
    pub principal_tags: BTreeMap<String, Option<String>>,
    /// Every tag of the role is in `principal_tags`: any other `aws:PrincipalTag/` key is
    /// absent from the request.
    pub tags_complete: bool,
    /// The function is attached to a VPC: `Some(false)` when it is known not to be.
    pub in_vpc: Option<bool>,
    /// Tags of the resources the input declares, by resource ARN, then lower-cased tag key:
    /// `aws:ResourceTag/<key>` of a request on that resource ("AWS global condition context
    /// keys", `aws:ResourceTag/tag-key`: present when the requested resource has the tag).
    /// Only declared tags with known values; others stay unknown.
    pub resource_tags: std::sync::Arc<ResourceTags>,
}

/// The calls Lambda makes outside the execution environment that still carry
/// `lambda:SourceFunctionArn` (AWS Lambda Developer Guide, "Using source function ARN to control
/// function access behavior",
/// https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).
const SOURCE_FUNCTION_ARN_SERVICE_CALLS: &[&str] = &[
    "logs:createloggroup",
    "logs:createlogstream",
    "logs:putlogevents",
    "xray:puttracesegments",
    "elasticfilesystem:clientmount",
];

/// Services whose requests go to one fixed endpoint, so the requested region is not the
/// function's ("AWS global condition context keys", `aws:RequestedRegion`: "global services,
/// such as IAM, have a single endpoint").
const GLOBAL_SERVICES: &[&str] = &[
    "iam",
    "organizations",
    "route53",
    "cloudfront",
    "globalaccelerator",
    "waf",
    "shield",
    "budgets",
    "ce",
];

impl RequestContext {
    /// The account of the principal (the role ARN's account field).
    pub fn account(&self) -> Option<String> {
        Arn::parse(&self.principal_arn)
            .ok()
            .and_then(|a| a.account())
            .filter(|a| !a.is_empty())
            .map(|a| a.to_string())
    }

    /// The function's region, read from its ARN.
    pub fn region(&self) -> Option<String> {
        let arn = self.function_arn.as_deref()?;
        let region = Arn::parse(arn).ok()?.region()?;
        let region = region.as_str();
        (!region.is_empty()).then(|| region.to_string())
    }

    /// Sets a tag, lower-casing its key.
    pub fn with_tag(mut self, key: &str, value: Option<&str>) -> RequestContext {
        self.principal_tags
            .insert(key.to_ascii_lowercase(), value.map(str::to_string));
        self
    }

    /// The request the function (or Lambda for it) makes for `action` on `resource`, with every
    /// key this context decides. Keys set later (the need's own context) override these.
    pub fn request(&self, action: &str, resource: &str, caller: Caller) -> Request {
        let mut req = Request::new(&self.principal_arn, action, resource);
        let mut set = |key: &str, values: Vec<String>| {
            req.context.insert(key.to_string(), values);
        };
        // Principal keys ("AWS global condition context keys", "Properties of the principal").
        set("aws:principaltype", vec!["AssumedRole".to_string()]);
        set("aws:principalisawsservice", vec!["false".to_string()]);
        set("aws:principalservicename", Vec::new());
        // "Policy variables", "Request information that you can use for policy variables": a
        // role session has no user name; its user id is `role-id:session-name`, and the role's
        // unique id is not in the input, so `aws:userid` stays unknown.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-infotouse
        set("aws:username", Vec::new());
        for (k, v) in &self.principal_tags {
            if let Some(v) = v {
                set(&format!("aws:principaltag/{k}"), vec![v.clone()]);
            }
        }
        // `aws:SourceArn`, `aws:SourceAccount` and the source organization keys are present
        // only when a service calls another service on a resource owner's behalf; a call with
        // the execution role's own credentials is not one ("AWS global condition context
        // keys", `aws:SourceArn`: "This key is included in the request context only if
        // accessing a resource triggers an AWS service to call another AWS service on behalf
        // of the resource owner").
        for k in [
            "aws:sourcearn",
            "aws:sourceaccount",
            "aws:sourceorgid",
            "aws:sourceorgpaths",
        ] {
            set(k, Vec::new());
        }
        // SDKs and Lambda call AWS endpoints over HTTPS ("AWS global condition context keys",
        // `aws:SecureTransport`).
        set("aws:securetransport", vec!["true".to_string()]);
        // The requested region: the resource's, else the function's, except for global
        // services ("AWS global condition context keys", `aws:RequestedRegion`).
        let service = action.split(':').next().unwrap_or_default();
        let service = service.to_ascii_lowercase();
        let resource_arn = Arn::parse(resource).ok();
        let resource_region = resource_arn
            .as_ref()
            .and_then(|a| a.region())
            .map(|r| r.as_str().to_string())
            .filter(|r| !r.is_empty() && !r.contains('*'));
        let region = if GLOBAL_SERVICES.contains(&service.as_str()) {
            None
        } else {
            resource_region.or_else(|| self.region())
        };
        if let Some(r) = region {
            set("aws:requestedregion", vec![r]);
        }
        // Some services also define their own alias of the key (`secretsmanager:ResourceTag/
        // tag-key`, `ssm:resourceTag/tag-key`, `iam:ResourceTag/${TagKey}` in the Service
        // Authorization Reference's condition keys, e.g. "Actions, resources, and condition keys
        // for AWS Secrets Manager",
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html):
        // the same tag of the same resource.
        let alias = format!("{service}:resourcetag/");
        let has_alias = || {
            crate::data::catalog().service(&service).is_some_and(|svc| {
                svc.condition_keys
                    .iter()
                    .any(|k| k.to_ascii_lowercase().starts_with(&alias))
            })
        };
        let tags = self.resource_tags.get(resource);
        let aliased = tags.is_some_and(|t| !t.is_empty()) && has_alias();
        for (k, v) in tags.into_iter().flatten() {
            set(&format!("aws:resourcetag/{k}"), vec![v.clone()]);
            if aliased {
                set(&format!("{alias}{k}"), vec![v.clone()]);
            }
        }
        // `aws:ResourceAccount`: the account in the resource ARN, when it has one.
        if let Some(account) = resource_arn
            .as_ref()
            .and_then(|a| a.account())
            .map(|a| a.as_str().to_string())
            .filter(|a| !a.is_empty() && !a.contains('*'))
        {
            set("aws:resourceaccount", vec![account]);
        }
        // `lambda:SourceFunctionArn`: every call from the execution environment, and the listed
        // calls Lambda makes for the function; no other call carries it. It is the function's
        // ARN. (`lambda:FunctionArn`, `lambda:VpcIds` and `lambda:SubnetIds` are not about the
        // caller: they name the function an event source mapping targets, and the VPC settings
        // of a `CreateFunction`/`UpdateFunctionConfiguration` request — AWS Lambda Developer
        // Guide, "Fine-tuning the Resources and Conditions sections of policies" and "Using IAM
        // condition keys for VPC settings" — so they come from the call's parameters.)
        let listed =
            SOURCE_FUNCTION_ARN_SERVICE_CALLS.contains(&action.to_ascii_lowercase().as_str());
        let carries_arn = match caller {
            Caller::Code => Some(true),
            Caller::Lambda => Some(listed),
            Caller::Either => listed.then_some(true),
        };
        match (carries_arn, &self.function_arn) {
            (Some(true), Some(arn)) => set("lambda:sourcefunctionarn", vec![arn.clone()]),
            (Some(false), _) => set("lambda:sourcefunctionarn", Vec::new()),
            _ => {}
        }
        // `aws:SourceVpc`, `aws:SourceVpce` and `aws:VpcSourceIp` are present only for requests
        // through a VPC endpoint ("AWS global condition context keys", "Properties of the
        // network"). A function not attached to a VPC reaches AWS over Lambda's own network,
        // and Lambda's own calls never use the customer's endpoints; code in a VPC may.
        let no_endpoint = match caller {
            Caller::Lambda => true,
            Caller::Code | Caller::Either => self.in_vpc == Some(false),
        };
        if no_endpoint {
            for k in ["aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"] {
                set(k, Vec::new());
            }
        }
        // A declared tag whose value is unknown stays unknown: the prefix rule would say absent.
        if self.tags_complete && self.principal_tags.values().all(Option::is_some) {
            req.absent_prefixes.push("aws:principaltag/".to_string());
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::pattern::VarLookup;

    fn ctx() -> RequestContext {
        RequestContext {
            principal_arn: "arn:aws:iam::111122223333:role/app".into(),
            function_arn: Some("arn:aws:lambda:eu-west-1:111122223333:function:f".into()),
            tags_complete: true,
            in_vpc: Some(false),
            ..RequestContext::default()
        }
        .with_tag("Team", Some("payments"))
    }

    fn get<'a>(r: &'a Request, k: &str) -> Option<&'a [String]> {
        r.lookup(k)
    }

    #[test]
    fn service_alias_of_resource_tag_where_the_service_defines_one() {
        let mut c = ctx();
        let secret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:key-AbCdEf";
        let table = "arn:aws:dynamodb:eu-west-1:111122223333:table/ledger";
        for arn in [secret, table] {
            std::sync::Arc::make_mut(&mut c.resource_tags).insert(
                arn.into(),
                BTreeMap::from([("project".to_string(), "partners".to_string())]),
            );
        }
        let r = c.request("secretsmanager:GetSecretValue", secret, Caller::Code);
        assert_eq!(
            get(&r, "secretsmanager:resourcetag/project"),
            Some(&["partners".to_string()][..])
        );
        // DynamoDB defines no `dynamodb:ResourceTag/` key: only the global one is set.
        let r = c.request("dynamodb:GetItem", table, Caller::Code);
        assert_eq!(get(&r, "dynamodb:resourcetag/project"), None);
        assert!(get(&r, "aws:resourcetag/project").is_some());
    }

    #[test]
    fn resource_tags_of_the_requested_resource_only() {
        let mut c = ctx();
        let table = "arn:aws:dynamodb:eu-west-1:111122223333:table/ledger";
        std::sync::Arc::make_mut(&mut c.resource_tags).insert(
            table.into(),
            BTreeMap::from([("team".to_string(), "payments".to_string())]),
        );
        let r = c.request("dynamodb:GetItem", table, Caller::Code);
        assert_eq!(
            get(&r, "aws:resourcetag/team"),
            Some(&["payments".to_string()][..])
        );
        let other = c.request(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:eu-west-1:111122223333:table/other",
            Caller::Code,
        );
        assert_eq!(get(&other, "aws:resourcetag/team"), None);
    }

    #[test]
    fn principal_keys() {
        let r = ctx().request(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-2:444455556666:q",
            Caller::Code,
        );
        assert_eq!(
            get(&r, "aws:principalarn"),
            Some(&["arn:aws:iam::111122223333:role/app".to_string()][..])
        );
        assert_eq!(
            get(&r, "aws:principalaccount"),
            Some(&["111122223333".to_string()][..])
        );
        assert_eq!(
            get(&r, "aws:principaltype"),
            Some(&["AssumedRole".to_string()][..])
        );
        assert_eq!(get(&r, "aws:username"), Some(&[][..]));
        assert_eq!(get(&r, "aws:userid"), None);
    }

    #[test]
    fn tags_are_case_insensitive_and_complete_sets_absent() {
        let r = ctx().request("s3:GetObject", "arn:aws:s3:::b/k", Caller::Code);
        assert_eq!(
            get(&r, "aws:principaltag/team"),
            Some(&["payments".to_string()][..])
        );
        assert_eq!(get(&r, "aws:principaltag/owner"), Some(&[][..]));
        let mut open = ctx();
        open.tags_complete = false;
        let r = open.request("s3:GetObject", "arn:aws:s3:::b/k", Caller::Code);
        assert_eq!(get(&r, "aws:principaltag/owner"), None);
        let unknown = ctx().with_tag("Cost", None);
        let r = unknown.request("s3:GetObject", "arn:aws:s3:::b/k", Caller::Code);
        assert_eq!(get(&r, "aws:principaltag/cost"), None);
    }

    #[test]
    fn regions_and_accounts() {
        let r = ctx().request(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-2:444455556666:q",
            Caller::Code,
        );
        assert_eq!(
            get(&r, "aws:requestedregion"),
            Some(&["us-east-2".to_string()][..])
        );
        assert_eq!(
            get(&r, "aws:resourceaccount"),
            Some(&["444455556666".to_string()][..])
        );
        // S3 object ARNs name no region or account: the function's region, owner unknown.
        let r = ctx().request("s3:GetObject", "arn:aws:s3:::b/k", Caller::Code);
        assert_eq!(
            get(&r, "aws:requestedregion"),
            Some(&["eu-west-1".to_string()][..])
        );
        assert_eq!(get(&r, "aws:resourceaccount"), None);
        // IAM is global: the requested region is not the function's.
        let r = ctx().request(
            "iam:GetRole",
            "arn:aws:iam::111122223333:role/x",
            Caller::Code,
        );
        assert_eq!(get(&r, "aws:requestedregion"), None);
    }

    #[test]
    fn source_keys() {
        let r = ctx().request("sqs:SendMessage", "*", Caller::Code);
        assert_eq!(get(&r, "aws:sourcearn"), Some(&[][..]));
        assert_eq!(get(&r, "aws:sourceaccount"), Some(&[][..]));
        assert_eq!(
            get(&r, "aws:securetransport"),
            Some(&["true".to_string()][..])
        );
        let f = "arn:aws:lambda:eu-west-1:111122223333:function:f".to_string();
        assert_eq!(
            get(&r, "lambda:sourcefunctionarn"),
            Some(std::slice::from_ref(&f))
        );
        let poll = ctx().request("sqs:ReceiveMessage", "*", Caller::Lambda);
        assert_eq!(get(&poll, "lambda:sourcefunctionarn"), Some(&[][..]));
        let logs = ctx().request("logs:PutLogEvents", "*", Caller::Lambda);
        assert_eq!(
            get(&logs, "lambda:sourcefunctionarn"),
            Some(std::slice::from_ref(&f))
        );
        let both = ctx().request("sqs:ReceiveMessage", "*", Caller::Either);
        assert_eq!(get(&both, "lambda:sourcefunctionarn"), None);
    }

    #[test]
    fn vpc_keys() {
        let r = ctx().request("sqs:SendMessage", "*", Caller::Code);
        assert_eq!(get(&r, "aws:sourcevpce"), Some(&[][..]));
        let mut vpc = ctx();
        vpc.in_vpc = Some(true);
        let r = vpc.request("sqs:SendMessage", "*", Caller::Code);
        assert_eq!(get(&r, "aws:sourcevpce"), None);
        let r = vpc.request("sqs:ReceiveMessage", "*", Caller::Lambda);
        assert_eq!(get(&r, "aws:sourcevpc"), Some(&[][..]));
    }
}
