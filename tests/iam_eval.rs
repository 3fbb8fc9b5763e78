//! Evaluation cases from AWS's documentation ("Policy evaluation logic", "Determining whether a
//! request is allowed or denied within an account", "Cross-account policy evaluation logic",
//! "IAM JSON policy elements: Condition operators", "Policy variables") and edge cases. Each
//! case states the documented expectation next to it.

use rolefit::iam::{
    Decision, Match, Policy, PolicySet, Request, action_matches, evaluate, parse_policy_json,
    resource_matches,
};
use rolefit::source::Span;

const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const OTHER_ROLE: &str = "arn:aws:iam::444455556666:role/app";
const BUCKET: &str = "arn:aws:s3:::docs";
const OBJ: &str = "arn:aws:s3:::docs/report.txt";

#[derive(Clone, Copy, Debug, PartialEq)]
enum E {
    Allow,
    Deny,
    Cond,
}

fn pol(json: &str) -> Policy {
    let (p, issues) = parse_policy_json(json, Span::default());
    assert!(issues.is_empty(), "{json}: {issues:?}");
    p
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn deny(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn stmt(body: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#)
}

#[derive(Default)]
struct Case {
    identity: Vec<String>,
    boundary: Option<String>,
    scps: Vec<String>,
    resource: Option<String>,
}

fn run(case: &Case, req: &Request) -> E {
    let identity: Vec<Policy> = case.identity.iter().map(|s| pol(s)).collect();
    let boundary = case.boundary.as_deref().map(pol);
    let scps: Vec<Policy> = case.scps.iter().map(|s| pol(s)).collect();
    let resource = case.resource.as_deref().map(pol);
    let set = PolicySet {
        identity: identity.iter().collect(),
        boundary: boundary.as_ref(),
        scps: scps.iter().collect(),
        resource: resource.as_ref(),
        ..PolicySet::default()
    };
    match evaluate(&set, req) {
        Decision::Allowed { by } => {
            assert!(!by.is_empty(), "an allow names its statements");
            E::Allow
        }
        Decision::Denied { .. } => E::Deny,
        Decision::Conditional { .. } => E::Cond,
    }
}

fn id(policies: &[String]) -> Case {
    Case {
        identity: policies.to_vec(),
        ..Case::default()
    }
}

fn req(action: &str, resource: &str) -> Request {
    Request::new(ROLE, action, resource)
}

#[test]
fn evaluation_table() {
    let get = || req("s3:GetObject", OBJ);
    // One case per line: the table reads best unwrapped.
    #[rustfmt::skip]
    let cases: Vec<(&str, Case, Request, E)> = vec![
        // "By default, all requests are implicitly denied" (evaluation logic).
        ("no policies", id(&[]), get(), E::Deny),
        // An identity-based Allow grants within the account.
        ("identity allow", id(&[allow("s3:GetObject", OBJ)]), get(), E::Allow),
        // "An explicit deny in any policy overrides any allows".
        ("deny beats allow", id(&[allow("s3:*", "*"), deny("s3:GetObject", OBJ)]), get(), E::Deny),
        // Deny in one statement of the same policy also wins.
        ("deny same policy", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"*","Resource":"*"}},{{"Effect":"Deny","Action":"s3:Get*","Resource":"{OBJ}"}}"#))]), get(), E::Deny),
        // Deny on another resource does not apply.
        ("deny elsewhere", id(&[allow("s3:*", "*"), deny("s3:*", "arn:aws:s3:::logs/*")]), get(), E::Allow),
        // Action names are case-insensitive ("Action element").
        ("action case", id(&[allow("S3:getobject", OBJ)]), get(), E::Allow),
        // Resource ARNs are case-sensitive.
        ("resource case", id(&[allow("s3:GetObject", "arn:aws:s3:::DOCS/report.txt")]), get(), E::Deny),
        // `*` in an action matches any run of characters.
        ("action star", id(&[allow("s3:Get*", OBJ)]), get(), E::Allow),
        // `?` matches exactly one character.
        ("action question", id(&[allow("s3:GetObjec?", OBJ)]), get(), E::Allow),
        ("action question short", id(&[allow("s3:GetObjec??", OBJ)]), get(), E::Deny),
        // Resource `*` in the ARN spans `/`.
        ("resource star spans slash", id(&[allow("s3:GetObject", "arn:aws:s3:::docs/*")]), req("s3:GetObject", "arn:aws:s3:::docs/a/b/c"), E::Allow),
        // Wildcards are allowed in any ARN segment, and `*` spans `:`.
        ("resource star spans colon", id(&[allow("logs:PutLogEvents", "arn:aws:logs:*")]), req("logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:x"), E::Allow),
        // A bucket ARN does not cover its objects.
        ("bucket is not object", id(&[allow("s3:GetObject", BUCKET)]), get(), E::Deny),
        // NotAction with Allow: allows everything except the listed actions ("NotAction").
        ("notaction allow other", id(&[stmt(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#)]), get(), E::Allow),
        ("notaction allow excluded", id(&[stmt(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#)]), req("iam:CreateUser", "*"), E::Deny),
        // NotAction with Deny: denies everything but the listed actions.
        ("notaction deny", id(&[allow("*", "*"), stmt(r#"{"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"}"#)]), req("s3:PutObject", OBJ), E::Deny),
        ("notaction deny spared", id(&[allow("*", "*"), stmt(r#"{"Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"}"#)]), get(), E::Allow),
        // NotResource with Allow: every resource except the listed ones.
        ("notresource allow", id(&[stmt(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#)]), get(), E::Allow),
        ("notresource allow excluded", id(&[stmt(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#)]), req("s3:GetObject", "arn:aws:s3:::secret/k"), E::Deny),
        // NotResource with Deny: deny everything outside the listed resources.
        ("notresource deny", id(&[allow("s3:*", "*"), stmt(&format!(r#"{{"Effect":"Deny","Action":"s3:*","NotResource":"{OBJ}"}}"#))]), req("s3:GetObject", "arn:aws:s3:::docs/other"), E::Deny),
        // Statement given as a single object instead of an array.
        ("statement object", id(&[format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["{OBJ}"]}}}}"#)]), get(), E::Allow),
        // Permissions boundary caps identity grants: allowed only if both allow.
        ("boundary caps", Case { identity: vec![allow("s3:*", "*")], boundary: Some(allow("sqs:*", "*")), ..Case::default() }, get(), E::Deny),
        ("boundary and identity", Case { identity: vec![allow("s3:GetObject", OBJ)], boundary: Some(allow("s3:*", "*")), ..Case::default() }, get(), E::Allow),
        // A boundary alone grants nothing.
        ("boundary grants nothing", Case { boundary: Some(allow("*", "*")), ..Case::default() }, get(), E::Deny),
        // Explicit deny in a boundary wins.
        ("boundary deny", Case { identity: vec![allow("*", "*")], boundary: Some(stmt(&format!(r#"{{"Effect":"Allow","Action":"*","Resource":"*"}},{{"Effect":"Deny","Action":"s3:GetObject","Resource":"{OBJ}"}}"#))), ..Case::default() }, get(), E::Deny),
        // SCPs cap everything: an action outside the SCP is denied even with an identity allow.
        ("scp caps", Case { identity: vec![allow("*", "*")], scps: vec![allow("sqs:*", "*")], ..Case::default() }, get(), E::Deny),
        ("scp allows", Case { identity: vec![allow("s3:GetObject", OBJ)], scps: vec![allow("*", "*")], ..Case::default() }, get(), E::Allow),
        // An SCP deny wins.
        ("scp deny", Case { identity: vec![allow("*", "*")], scps: vec![allow("*", "*"), deny("s3:*", "*")], ..Case::default() }, get(), E::Deny),
        // Every SCP level must allow.
        ("scp levels", Case { identity: vec![allow("*", "*")], scps: vec![allow("*", "*"), allow("sqs:*", "*")], ..Case::default() }, get(), E::Deny),
        // Same account: a resource-based allow naming the role session suffices with no identity
        // allow, even under a boundary (not capped for session principals).
        ("same account rbp session", Case { boundary: Some(allow("sqs:*", "*")), resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get().with_session("arn:aws:sts::111122223333:assumed-role/app/s1"), E::Allow),
        // Same account: a resource-based allow naming the role ARN suffices without identity allow.
        ("same account rbp role", Case { resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, get(), E::Allow),
        // ...but a grant to the role ARN is limited by the role's permissions boundary.
        ("rbp role capped by boundary", Case { boundary: Some(allow("sqs:*", "*")), resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, get(), E::Deny),
        // Same account: a grant to the account root delegates to IAM policies.
        ("rbp account needs identity", Case { resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get(), E::Deny),
        ("rbp account plus identity", Case { identity: vec![allow("s3:GetObject", OBJ)], resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get(), E::Allow),
        // A resource-policy deny wins over identity allows.
        ("rbp deny", Case { identity: vec![allow("*", "*")], resource: Some(stmt(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#)), ..Case::default() }, get(), E::Deny),
        // A resource-policy statement for another principal does not apply.
        ("rbp other principal", Case { resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/other"},"Action":"s3:*","Resource":"*"}"#)), ..Case::default() }, get(), E::Deny),
        // Principal "*" grants to everyone.
        ("rbp star", Case { resource: Some(stmt(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get(), E::Allow),
        ("rbp aws star", Case { resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get(), E::Allow),
        // A Service principal does not match a role.
        ("rbp service", Case { resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, get(), E::Deny),
        // NotPrincipal with Deny: denies everyone except the listed principal.
        // "AWS JSON policy elements: NotPrincipal": "you must also specify the account ARN of
        // the principal that should not be denied. Otherwise, the policy might deny access to
        // the entire account containing the principal."
        ("notprincipal deny spared", Case { identity: vec![allow("*", "*")], resource: Some(stmt(&format!(r#"{{"Effect":"Deny","NotPrincipal":{{"AWS":["{ROLE}","arn:aws:iam::111122223333:root"]}},"Action":"s3:*","Resource":"*"}}"#))), ..Case::default() }, get(), E::Allow),
        ("notprincipal without the account", Case { identity: vec![allow("*", "*")], resource: Some(stmt(&format!(r#"{{"Effect":"Deny","NotPrincipal":{{"AWS":"{ROLE}"}},"Action":"s3:*","Resource":"*"}}"#))), ..Case::default() }, get(), E::Deny),
        ("notprincipal deny others", Case { identity: vec![allow("*", "*")], resource: Some(stmt(r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"s3:*","Resource":"*"}"#)), ..Case::default() }, get(), E::Deny),
        // Cross-account: the identity policy alone is not enough.
        ("cross identity only", id(&[allow("s3:*", "*")]), req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Deny),
        // Cross-account: both sides allow.
        ("cross both", Case { identity: vec![allow("s3:GetObject", OBJ)], resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Allow),
        // Cross-account: resource policy alone is not enough.
        ("cross rbp only", Case { resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Deny),
        // Cross-account: a grant to the trusted account root plus the identity allow suffices.
        ("cross account root", Case { identity: vec![allow("s3:GetObject", OBJ)], resource: Some(stmt(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}"#)), ..Case::default() }, req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Allow),
        // Cross-account: the boundary still caps the identity side.
        ("cross boundary", Case { identity: vec![allow("s3:GetObject", OBJ)], boundary: Some(allow("sqs:*", "*")), resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Deny),
        // Cross-account principal in another account is not ours.
        ("cross other principal", Case { identity: vec![allow("s3:GetObject", OBJ)], resource: Some(stmt(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"{OTHER_ROLE}"}},"Action":"s3:GetObject","Resource":"*"}}"#))), ..Case::default() }, req("s3:GetObject", OBJ).with_resource_account("444455556666"), E::Deny),
        // The resource account is read from the ARN: a queue in another account is cross-account.
        ("cross from arn", id(&[allow("sqs:SendMessage", "*")]), req("sqs:SendMessage", "arn:aws:sqs:us-east-1:444455556666:q"), E::Deny),
        ("same from arn", id(&[allow("sqs:SendMessage", "*")]), req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"), E::Allow),
        // A placeholder account is not known to differ: treated as the same account.
        ("placeholder account", id(&[allow("sqs:SendMessage", "*")]), req("sqs:SendMessage", "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"), E::Allow),
        // Policy variable resolved from the context ("IAM policy elements: Variables and tags").
        ("variable known", id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]), req("s3:GetObject", "arn:aws:s3:::home/ana/x").with_context("aws:username", &["ana"]), E::Allow),
        ("variable other user", id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]), req("s3:GetObject", "arn:aws:s3:::home/bob/x").with_context("aws:username", &["ana"]), E::Deny),
        // Unknown variable: the answer depends on the request.
        ("variable unknown", id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]), req("s3:GetObject", "arn:aws:s3:::home/ana/x"), E::Cond),
        // Absent key without default: the resource does not match.
        ("variable absent", id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]), req("s3:GetObject", "arn:aws:s3:::home/ana/x").with_context("aws:username", &[]), E::Deny),
        // Default value applies when the key is absent.
        ("variable default", id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*")]), req("s3:GetObject", "arn:aws:s3:::home/shared/x").with_context("aws:PrincipalTag/team", &[]), E::Allow),
        // `${*}` is a literal asterisk, not a wildcard.
        ("escape star", id(&[allow("s3:GetObject", "arn:aws:s3:::docs/${*}")]), get(), E::Deny),
        ("escape star literal", id(&[allow("s3:GetObject", "arn:aws:s3:::docs/${*}")]), req("s3:GetObject", "arn:aws:s3:::docs/*"), E::Allow),
        // Condition keys are case-insensitive; StringEquals values are case-sensitive.
        ("condition key case", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"AWS:SourceVpc":"vpc-1"}}}}}}"#))]), get().with_context("aws:sourcevpc", &["vpc-1"]), E::Allow),
        ("condition value case", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceVpc":"VPC-1"}}}}}}"#))]), get().with_context("aws:SourceVpc", &["vpc-1"]), E::Deny),
        ("ignore case", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEqualsIgnoreCase":{{"aws:SourceVpc":"VPC-1"}}}}}}"#))]), get().with_context("aws:SourceVpc", &["vpc-1"]), E::Allow),
        // Missing key: the condition is false ("the values don't match").
        ("condition key missing", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-1"}}}}}}"#))]), get().with_context("aws:SourceVpc", &[]), E::Deny),
        // Missing key with a negated operator: the condition is true.
        ("negated missing key", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringNotLike":{{"aws:SourceVpc":"vpc-*"}}}}}}"#))]), get().with_context("aws:SourceVpc", &[]), E::Allow),
        // Unknown key: the answer is conditional.
        ("condition unknown", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-1"}}}}}}"#))]), get(), E::Cond),
        // A conditional deny on top of a definite allow makes the answer conditional.
        ("conditional deny", id(&[allow("s3:*", "*"), stmt(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#)]), get(), E::Cond),
        ("conditional deny false", id(&[allow("s3:*", "*"), stmt(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#)]), get().with_context("aws:SecureTransport", &["true"]), E::Allow),
        // IfExists: true when the key is absent.
        ("ifexists absent", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEqualsIfExists":{{"ec2:InstanceType":"t3.micro"}}}}}}"#))]), get().with_context("ec2:InstanceType", &[]), E::Allow),
        ("ifexists present wrong", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEqualsIfExists":{{"ec2:InstanceType":"t3.micro"}}}}}}"#))]), get().with_context("ec2:InstanceType", &["m5.large"]), E::Deny),
        // ForAllValues on an empty set is true ("returns true if there are no keys").
        ("forallvalues empty", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ForAllValues:StringEquals":{{"aws:TagKeys":["a","b"]}}}}}}"#))]), get().with_context("aws:TagKeys", &[]), E::Allow),
        ("forallvalues subset", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ForAllValues:StringEquals":{{"aws:TagKeys":["a","b"]}}}}}}"#))]), get().with_context("aws:TagKeys", &["a"]), E::Allow),
        ("forallvalues extra", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ForAllValues:StringEquals":{{"aws:TagKeys":["a","b"]}}}}}}"#))]), get().with_context("aws:TagKeys", &["a", "c"]), E::Deny),
        // ForAnyValue on an empty set is false.
        ("foranyvalue empty", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ForAnyValue:StringEquals":{{"aws:TagKeys":["a"]}}}}}}"#))]), get().with_context("aws:TagKeys", &[]), E::Deny),
        ("foranyvalue one", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ForAnyValue:StringEquals":{{"aws:TagKeys":["a"]}}}}}}"#))]), get().with_context("aws:TagKeys", &["z", "a"]), E::Allow),
        // Null: "true" means the key must be absent.
        ("null true absent", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"Null":{{"aws:TokenIssueTime":"true"}}}}}}"#))]), get().with_context("aws:TokenIssueTime", &[]), E::Allow),
        ("null false present", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"Null":{{"aws:TokenIssueTime":"false"}}}}}}"#))]), get().with_context("aws:TokenIssueTime", &[]), E::Deny),
        // Multiple values for one key are ORed; multiple keys are ANDed.
        ("values or", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceVpc":["vpc-1","vpc-2"]}}}}}}"#))]), get().with_context("aws:SourceVpc", &["vpc-2"]), E::Allow),
        ("keys and", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-1","aws:SourceAccount":"1"}}}}}}"#))]), get().with_context("aws:SourceVpc", &["vpc-1"]).with_context("aws:SourceAccount", &["2"]), E::Deny),
        // Negated operator with several values is a NOR.
        ("negated nor", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringNotEquals":{{"aws:SourceVpc":["vpc-1","vpc-2"]}}}}}}"#))]), get().with_context("aws:SourceVpc", &["vpc-2"]), E::Deny),
        // Numeric, date, IP, ARN operators.
        ("numeric lt", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"NumericLessThanEquals":{{"s3:max-keys":"10"}}}}}}"#))]), get().with_context("s3:max-keys", &["10"]), E::Allow),
        ("numeric gt fails", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"NumericGreaterThan":{{"s3:max-keys":"10"}}}}}}"#))]), get().with_context("s3:max-keys", &["10"]), E::Deny),
        ("date before", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"DateLessThan":{{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}}}"#))]), get().with_context("aws:CurrentTime", &["2026-11-25T14:00:00Z"]), E::Allow),
        ("date epoch", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"DateGreaterThan":{{"aws:EpochTime":"1893456000"}}}}}}"#))]), get().with_context("aws:EpochTime", &["1764079200"]), E::Deny),
        ("ip in range", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"IpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}"#))]), get().with_context("aws:SourceIp", &["203.0.113.9"]), E::Allow),
        ("not ip", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"NotIpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}"#))]), get().with_context("aws:SourceIp", &["203.0.113.9"]), E::Deny),
        ("arnlike", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}}}}}"#))]), get().with_context("aws:SourceArn", &["arn:aws:sns:us-east-1:111122223333:topic"]), E::Allow),
        ("arnequals wrong account", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"ArnEquals":{{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}}}}}}"#))]), get().with_context("aws:SourceArn", &["arn:aws:sns:us-east-1:999:topic"]), E::Deny),
        ("bool", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#))]), get().with_context("aws:MultiFactorAuthPresent", &["true"]), E::Allow),
        ("binary", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"BinaryEquals":{{"k:bin":"QmluYXJ5"}}}}}}"#))]), get().with_context("k:bin", &["QmluYXJ5"]), E::Allow),
        // Condition value with a policy variable.
        ("condition variable", id(&[stmt(&format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"{OBJ}","Condition":{{"StringEquals":{{"aws:PrincipalTag/owner":"${{aws:username}}"}}}}}}"#))]), get().with_context("aws:PrincipalTag/owner", &["ana"]).with_context("aws:username", &["ana"]), E::Allow),
        // Placeholders: a wildcard grant covers a templated ARN.
        ("placeholder wildcard", id(&[allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*")]), req("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"), E::Allow),
        // The identical placeholder grant covers it too.
        ("placeholder same", id(&[allow("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}")]), req("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"), E::Allow),
        // A concrete ARN vs. a placeholder depends on deploy-time values.
        ("placeholder concrete", id(&[allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders")]), req("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"), E::Cond),
        // Two different deploy-time names are two different resources: each logical resource
        // gets its own physical name, and a name taken from a parameter carries the
        // parameter's placeholder. So the grant on UsersTable does not reach OrdersTable.
        ("placeholder other", id(&[allow("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${UsersTable}")]), req("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"), E::Deny),
        // Different service: definitely no.
        ("placeholder other service", id(&[allow("dynamodb:GetItem", "arn:aws:s3:::*")]), req("dynamodb:GetItem", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"), E::Deny),
    ];
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, case, request, want) in &cases {
        let got = run(case, request);
        if got != *want {
            failures.push(format!("{name}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn matchers() {
    assert!(action_matches("iam:Put*Policy", "iam:PutRolePolicy"));
    assert!(!action_matches("iam:Put*Policy", "iam:PutRolePolicyX"));
    assert_eq!(
        resource_matches("*", "arn:aws:sqs:${AWS::Region}:1:q"),
        Match::Yes
    );
    assert_eq!(
        resource_matches("arn:aws:sqs:?:1:q", "arn:aws:sqs:${AWS::Region}:1:q"),
        Match::Unknown
    );
    assert_eq!(
        resource_matches("arn:aws:sqs:us-east-1:1:q", "arn:aws:sqs:us-east-1:1:q"),
        Match::Yes
    );
    assert_eq!(
        resource_matches("arn:aws:sqs:us-east-1:1:q", "arn:aws:sqs:us-east-1:1:r"),
        Match::No
    );
}
