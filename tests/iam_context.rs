//! The request context of a Lambda function's calls (`iam::RequestContext`): property tests of
//! its key handling, and one test per key and policy variable it decides.
//!
//! AWS rules checked: "Condition key names are not case-sensitive" and string values are
//! (IAM User Guide, "IAM JSON policy elements: Condition operators"); a policy variable with no
//! value makes the element miss unless it has a default ("IAM policy elements: Variables and
//! tags", "Specifying default values"); a role session has no `aws:username` ("Request
//! information that you can use for policy variables"); an Allow whose condition is false does
//! not apply and neither does a Deny ("Policy evaluation logic").

use proptest::prelude::*;
use rolefit::iam::{Caller, Decision, Policy, PolicySet, RequestContext, evaluate, parse_policy};
use rolefit::source::Span;
use rolefit::syntax::node::Node;
use serde_json::json;

const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const FUNCTION: &str = "arn:aws:lambda:eu-west-1:111122223333:function:settle";

fn policy(v: &serde_json::Value) -> Policy {
    let (p, issues) = parse_policy(&Node::from_json(v, Span::default()));
    assert!(issues.is_empty(), "{issues:?}");
    p
}

fn ctx() -> RequestContext {
    RequestContext {
        principal_arn: ROLE.into(),
        function_arn: Some(FUNCTION.into()),
        tags_complete: true,
        in_vpc: Some(false),
        ..RequestContext::default()
    }
}

fn decide(p: &Policy, ctx: &RequestContext, action: &str, resource: &str) -> Decision {
    let set = PolicySet {
        identity: vec![p],
        ..PolicySet::default()
    };
    evaluate(&set, &ctx.request(action, resource, Caller::Code))
}

fn allow_if(key: &str, op: &str, value: &str) -> Policy {
    policy(
        &json!({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
        "Resource": "*", "Condition": {op: {key: value}}}]}),
    )
}

fn allow_on(resource: &str) -> Policy {
    policy(
        &json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": resource}]}),
    )
}

fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

const Q: &str = "arn:aws:sqs:eu-west-1:111122223333:q";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A tag condition decides by the tag's value whatever the case of the key, in the policy
    /// or in the declaration.
    #[test]
    fn tag_keys_are_case_insensitive(key in "[a-z][a-z0-9-]{0,10}", value in "[a-zA-Z0-9]{1,8}",
                                     other in "[a-zA-Z0-9]{1,8}", m1: u64, m2: u64) {
        let c = ctx().with_tag(&recase(&key, m1), Some(&value));
        let written = format!("aws:PrincipalTag/{}", recase(&key, m2));
        let yes = decide(&allow_if(&written, "StringEquals", &value), &c, "sqs:SendMessage", Q);
        prop_assert!(yes.is_allowed(), "{:?}", yes);
        let no = decide(&allow_if(&written, "StringEquals", &other), &c, "sqs:SendMessage", Q);
        prop_assert_eq!(no.is_allowed(), value == other);
        prop_assert!(!no.is_conditional());
    }

    /// Values are case-sensitive for `StringEquals`, not for `StringEqualsIgnoreCase`.
    #[test]
    fn tag_values_keep_their_case(value in "[a-z]{1,8}", m: u64) {
        let c = ctx().with_tag("team", Some(&value));
        let cased = recase(&value, m);
        let exact = decide(&allow_if("aws:PrincipalTag/team", "StringEquals", &cased), &c, "sqs:SendMessage", Q);
        prop_assert_eq!(exact.is_allowed(), cased == value);
        let folded = decide(&allow_if("aws:PrincipalTag/team", "StringEqualsIgnoreCase", &cased), &c, "sqs:SendMessage", Q);
        prop_assert!(folded.is_allowed());
    }

    /// Knowing more never flips a definite answer: when the answer without a tag's value
    /// (stack tags may add it) is definite, it is the answer with the value.
    #[test]
    fn more_context_only_settles(value in "(a|b|c)", want in "(a|b|c)", deny: bool,
                                 op in "(StringEquals|StringNotEquals|StringEqualsIfExists|StringNotEqualsIfExists|StringLike)") {
        let effect = if deny { "Deny" } else { "Allow" };
        let p = policy(&json!({"Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
            {"Effect": effect, "Action": "sqs:SendMessage", "Resource": "*",
             "Condition": {op.as_str(): {"aws:PrincipalTag/team": want}}}]}));
        let mut open = ctx();
        open.tags_complete = false;
        let known = ctx().with_tag("team", Some(&value));
        let before = decide(&p, &open, "sqs:SendMessage", Q);
        let after = decide(&p, &known, "sqs:SendMessage", Q);
        prop_assert!(!after.is_conditional(), "{:?}", after);
        if !before.is_conditional() {
            prop_assert_eq!(before.is_allowed(), after.is_allowed());
        }
    }

    /// `${aws:PrincipalTag/team}` in a resource resolves to the tag's value.
    #[test]
    fn resource_variables_resolve(value in "[a-z]{1,8}", bucket in "[a-z]{1,8}") {
        let c = ctx().with_tag("Team", Some(&value));
        let p = allow_on("arn:aws:s3:::${aws:PrincipalTag/team}-data/*");
        let d = decide(&p, &c, "s3:GetObject", &format!("arn:aws:s3:::{bucket}-data/k"));
        prop_assert_eq!(d.is_allowed(), bucket == value);
        prop_assert!(!d.is_conditional());
    }
}

#[test]
fn principal_arn_and_account() {
    let c = ctx();
    let arn = allow_if("aws:PrincipalArn", "ArnEquals", ROLE);
    assert!(decide(&arn, &c, "sqs:SendMessage", Q).is_allowed());
    let other = allow_if("aws:PrincipalArn", "ArnLike", "arn:aws:iam::*:role/other");
    assert!(decide(&other, &c, "sqs:SendMessage", Q).is_denied());
    let account = allow_if("aws:PrincipalAccount", "StringEquals", "111122223333");
    assert!(decide(&account, &c, "sqs:SendMessage", Q).is_allowed());
    let p = allow_on("arn:aws:s3:::data-${aws:PrincipalAccount}/*");
    assert!(decide(&p, &c, "s3:GetObject", "arn:aws:s3:::data-111122223333/k").is_allowed());
}

#[test]
fn requested_region_and_resource_account() {
    let c = ctx();
    let region = allow_if("aws:RequestedRegion", "StringEquals", "eu-west-1");
    assert!(decide(&region, &c, "sqs:SendMessage", Q).is_allowed());
    let far = "arn:aws:sqs:us-east-1:111122223333:q";
    assert!(decide(&region, &c, "sqs:SendMessage", far).is_denied());
    let owner = allow_if("aws:ResourceAccount", "StringEquals", "111122223333");
    assert!(decide(&owner, &c, "sqs:SendMessage", Q).is_allowed());
    // An S3 ARN names no account: the owner is unknown.
    let p = policy(
        &json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": "111122223333"}}}]}),
    );
    let d = decide(&p, &c, "s3:GetObject", "arn:aws:s3:::b/k");
    assert_eq!(d.unknown_keys(), vec!["aws:ResourceAccount".to_string()]);
}

#[test]
fn source_function_arn_and_source_keys() {
    let c = ctx();
    let mine = allow_if("lambda:SourceFunctionArn", "ArnEquals", FUNCTION);
    assert!(decide(&mine, &c, "sqs:SendMessage", Q).is_allowed());
    // An event source poller's calls do not carry it.
    let set = PolicySet {
        identity: vec![&mine],
        ..PolicySet::default()
    };
    let poll = c.request("sqs:SendMessage", Q, Caller::Lambda);
    assert!(evaluate(&set, &poll).is_denied());
    // aws:SourceArn / aws:SourceAccount are absent from calls with the role's own credentials.
    let src = allow_if("aws:SourceAccount", "StringEquals", "111122223333");
    assert!(decide(&src, &c, "sqs:SendMessage", Q).is_denied());
    let var = allow_on("arn:aws:s3:::b-${aws:SourceAccount}/*");
    assert!(decide(&var, &c, "s3:GetObject", "arn:aws:s3:::b-111122223333/k").is_denied());
}

#[test]
fn username_is_absent_userid_unknown_and_defaults_apply() {
    let c = ctx();
    // A role session has no user name: the variable without default misses.
    let home = allow_on("arn:aws:s3:::home/${aws:username}/*");
    assert!(decide(&home, &c, "s3:GetObject", "arn:aws:s3:::home/x/k").is_denied());
    // With a default, the default is used.
    let dflt = allow_on("arn:aws:s3:::home/${aws:username, 'shared'}/*");
    assert!(decide(&dflt, &c, "s3:GetObject", "arn:aws:s3:::home/shared/k").is_allowed());
    let tag_dflt = allow_on("arn:aws:s3:::${aws:PrincipalTag/team, 'common'}/*");
    assert!(decide(&tag_dflt, &c, "s3:GetObject", "arn:aws:s3:::common/k").is_allowed());
    // The role's unique id is not in the input: conditional on aws:userid.
    let id = allow_on("arn:aws:s3:::home/${aws:userid}/*");
    let d = decide(
        &id,
        &c,
        "s3:GetObject",
        "arn:aws:s3:::home/AROAEXAMPLE:settle/k",
    );
    assert!(d.is_conditional(), "{d:?}");
    assert_eq!(d.unknown_keys(), vec!["aws:userid".to_string()]);
}

#[test]
fn false_deny_does_not_deny_and_unknown_tag_is_conditional() {
    let c = ctx().with_tag("team", Some("payments"));
    let p = policy(&json!({"Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "payments"}}}]}));
    assert!(decide(&p, &c, "sqs:SendMessage", Q).is_allowed());
    // Tags that may be added at deploy time: an undeclared tag is unknown.
    let mut open = c.clone();
    open.tags_complete = false;
    let cost = allow_if("aws:PrincipalTag/CostCenter", "StringEquals", "42");
    let d = decide(&cost, &open, "sqs:SendMessage", Q);
    assert!(d.is_conditional());
    assert_eq!(
        d.unknown_keys(),
        vec!["aws:PrincipalTag/CostCenter".to_string()]
    );
    // All tags known: an undeclared tag is absent, so the Allow does not apply.
    assert!(decide(&cost, &c, "sqs:SendMessage", Q).is_denied());
    // ...and a Null check sees it absent.
    let null = allow_if("aws:PrincipalTag/CostCenter", "Null", "true");
    assert!(decide(&null, &c, "sqs:SendMessage", Q).is_allowed());
}

#[test]
fn vpc_endpoint_keys() {
    let p = allow_if("aws:SourceVpce", "StringEquals", "vpce-1a2b3c4d");
    // Not attached to a VPC: no endpoint is used, the Allow does not apply.
    assert!(decide(&p, &ctx(), "sqs:SendMessage", Q).is_denied());
    let mut vpc = ctx();
    vpc.in_vpc = Some(true);
    let d = decide(&p, &vpc, "sqs:SendMessage", Q);
    assert_eq!(d.unknown_keys(), vec!["aws:SourceVpce".to_string()]);
}
