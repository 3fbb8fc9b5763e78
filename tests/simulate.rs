//! `rolefit simulate` against AWS's documented evaluation logic: each case names the
//! documentation section (URL and title) and states the documented answer. Inputs are
//! `simulate-custom-policy` JSON, read by the same code as `--cli-input-json`.

use serde_json::{Value, json};

use rolefit::simulate::{decision_name, input};

// The documentation sections the cases check.
const EVAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html — Determining whether a request is allowed or denied within an account";
const SINGLE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html — Policy evaluation for requests within a single account";
const CROSS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html — Cross-account policy evaluation logic";
const COND: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html — IAM JSON policy elements: Condition operators";
const MULTI: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html — Single-valued vs. multivalued context keys";
const LOGIC: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html — Create a condition with multiple context keys or values";
const VARS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html — IAM policy elements: Variables and tags";
const ACTION: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html — IAM JSON policy elements: Action";
const NOTACTION: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html — IAM JSON policy elements: NotAction";
const RESOURCE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html — IAM JSON policy elements: Resource";
const NOTRESOURCE: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html — IAM JSON policy elements: NotResource";
const PRINCIPAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html — AWS JSON policy elements: Principal";
const NOTPRINCIPAL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html — AWS JSON policy elements: NotPrincipal";
const BOUNDARY: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html — Permissions boundaries for IAM entities";
const SESSION: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session — Policies and permissions in IAM: Session policies";
const SCP: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html — SCP evaluation";
const SCP_EXEMPT: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html — Service control policies (SCPs): Tasks and entities not restricted by SCPs";
const RCP: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html — RCP evaluation";
const RCP_EXEMPT: &str = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html — Resource control policies (RCPs): Resources and entities not restricted by RCPs, List of AWS services that support RCPs";
const STAR_ONLY: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html — Actions, resources, and condition keys: actions with no resource type take only \"*\"";
const KEYS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html — IAM JSON policy elements: Condition (key names are not case-sensitive)";
const KMS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html — KMS key access and permissions: to use an IAM policy to allow access to a KMS key, the key policy must explicitly allow it";
const TRUST: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html — IAM roles: Role trust policy";
const SIM: &str = "https://awscli.amazonaws.com/v2/documentation/api/latest/reference/iam/simulate-custom-policy.html — simulate-custom-policy, Examples";

const ACCT: &str = "111122223333";
const OTHER: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SESSION_ARN: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const USER: &str = "arn:aws:iam::111122223333:user/alice";
const OTHER_ROLE: &str = "arn:aws:iam::444455556666:role/partner";
const OBJ: &str = "arn:aws:s3:::docs/report.txt";
const QUEUE: &str = "arn:aws:sqs:us-east-1:111122223333:orders";
const OTHER_QUEUE: &str = "arn:aws:sqs:us-east-1:444455556666:orders";

// ---- builders -------------------------------------------------------------------------------

fn st(effect: &str, action: Value, resource: Value) -> Value {
    json!({"Effect": effect, "Action": action, "Resource": resource})
}
fn allow(action: &str, resource: &str) -> Value {
    st("Allow", json!(action), json!(resource))
}
fn deny(action: &str, resource: &str) -> Value {
    st("Deny", json!(action), json!(resource))
}
fn cond(mut s: Value, op: &str, key: &str, values: Value) -> Value {
    let c = s
        .as_object_mut()
        .expect("statement")
        .entry("Condition")
        .or_insert_with(|| json!({}));
    let ops = c.as_object_mut().expect("condition");
    let block = ops.entry(op).or_insert_with(|| json!({}));
    block
        .as_object_mut()
        .expect("operator block")
        .insert(key.to_string(), values);
    s
}
fn principal(mut s: Value, p: Value) -> Value {
    s.as_object_mut()
        .expect("statement")
        .insert("Principal".into(), p);
    s
}
fn not_principal(mut s: Value, p: Value) -> Value {
    s.as_object_mut()
        .expect("statement")
        .insert("NotPrincipal".into(), p);
    s
}
fn not_action(effect: &str, actions: Value, resource: &str) -> Value {
    json!({"Effect": effect, "NotAction": actions, "Resource": resource})
}
fn not_resource(effect: &str, action: &str, resources: Value) -> Value {
    json!({"Effect": effect, "Action": action, "NotResource": resources})
}
/// A policy as JSON text, as the AWS CLI takes it.
fn pol(statements: &[Value]) -> Value {
    json!(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

#[derive(Clone, Default)]
struct In {
    v: serde_json::Map<String, Value>,
}

impl In {
    fn new(action: &str, resource: &str) -> In {
        let mut v = serde_json::Map::new();
        v.insert("ActionNames".into(), json!([action]));
        v.insert("ResourceArns".into(), json!([resource]));
        In { v }
    }
    fn push(mut self, key: &str, value: Value) -> In {
        let list = self.v.entry(key).or_insert_with(|| json!([]));
        list.as_array_mut().expect("list").push(value);
        self
    }
    fn id(self, statements: &[Value]) -> In {
        self.push("PolicyInputList", pol(statements))
    }
    fn boundary(self, statements: &[Value]) -> In {
        self.push("PermissionsBoundaryPolicyInputList", pol(statements))
    }
    fn session(self, statements: &[Value]) -> In {
        self.push("SessionPolicyInputList", pol(statements))
    }
    fn scp(self, level: &str, policies: &[&[Value]]) -> In {
        let ps: Vec<Value> = policies.iter().map(|p| pol(p)).collect();
        self.push(
            "ServiceControlPolicies",
            json!({"Id": level, "Policies": ps}),
        )
    }
    fn rcp(self, level: &str, policies: &[&[Value]]) -> In {
        let ps: Vec<Value> = policies.iter().map(|p| pol(p)).collect();
        self.push(
            "ResourceControlPolicies",
            json!({"Id": level, "Policies": ps}),
        )
    }
    fn rp(mut self, statements: &[Value]) -> In {
        self.v.insert("ResourcePolicy".into(), pol(statements));
        self
    }
    fn set(mut self, key: &str, value: &str) -> In {
        self.v.insert(key.into(), json!(value));
        self
    }
    fn caller(self, arn: &str) -> In {
        self.set("CallerArn", arn)
    }
    fn ctx(self, key: &str, values: &[&str]) -> In {
        self.push(
            "ContextEntries",
            json!({"ContextKeyName": key, "ContextKeyValues": values}),
        )
    }
    fn ctx_typed(self, key: &str, values: &[&str], ty: &str) -> In {
        self.push(
            "ContextEntries",
            json!({"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": ty}),
        )
    }
    fn text(&self) -> String {
        Value::Object(self.v.clone()).to_string()
    }
}

const A: &str = "allowed";
const X: &str = "explicitDeny";
const I: &str = "implicitDeny";

fn decide(input: &In) -> String {
    let sim = input::parse("case.json", &input.text())
        .unwrap_or_else(|e| panic!("{}: {e}", input.text()));
    let results = sim.run();
    assert_eq!(results.len(), 1);
    decision_name(&results[0].decision).to_string()
}

/// A condition on `s3:GetObject` of any object: Allow with one condition block.
fn gate(op: &str, key: &str, policy_values: Value) -> In {
    In::new("s3:GetObject", OBJ).caller(ROLE).id(&[cond(
        allow("s3:GetObject", "*"),
        op,
        key,
        policy_values,
    )])
}

fn condition_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    // (operator, key, policy values, request values (None: key not given), expected)
    type Row = (
        &'static str,
        &'static str,
        Value,
        Option<&'static [&'static str]>,
        &'static str,
    );
    let rows: Vec<Row> = vec![
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            Some(&["blue"]),
            A,
        ),
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            Some(&["Blue"]),
            I,
        ),
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            None,
            I,
        ),
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!(["red", "blue"]),
            Some(&["blue"]),
            A,
        ),
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("bl*"),
            Some(&["blue"]),
            I,
        ),
        (
            "StringEquals",
            "aws:PrincipalTag/team",
            json!("*"),
            Some(&["*"]),
            A,
        ),
        (
            "StringNotEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            Some(&["red"]),
            A,
        ),
        (
            "StringNotEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            Some(&["blue"]),
            I,
        ),
        (
            "StringNotEquals",
            "aws:PrincipalTag/team",
            json!(["blue", "red"]),
            Some(&["red"]),
            I,
        ),
        (
            "StringNotEquals",
            "aws:PrincipalTag/team",
            json!("blue"),
            None,
            A,
        ),
        (
            "StringEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("BLUE"),
            Some(&["blue"]),
            A,
        ),
        (
            "StringEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("BLUE"),
            Some(&["green"]),
            I,
        ),
        (
            "StringEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("BLUE"),
            None,
            I,
        ),
        (
            "StringNotEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("BLUE"),
            Some(&["blue"]),
            I,
        ),
        (
            "StringNotEqualsIgnoreCase",
            "aws:PrincipalTag/team",
            json!("BLUE"),
            Some(&["red"]),
            A,
        ),
        (
            "StringLike",
            "s3:prefix",
            json!("home/*"),
            Some(&["home/alice/x"]),
            A,
        ),
        (
            "StringLike",
            "s3:prefix",
            json!("home/*"),
            Some(&["work/alice"]),
            I,
        ),
        ("StringLike", "s3:prefix", json!("h?me"), Some(&["home"]), A),
        // StringLike: "multi-character match wildcards (*)" match anything, colons included;
        // the segment rule is for resource ARNs only.
        (
            "StringLike",
            "aws:SourceArn",
            json!("arn:aws:sqs:u*3:orders"),
            Some(&["arn:aws:sqs:us-east-1:111122223333:orders"]),
            A,
        ),
        (
            "StringLike",
            "s3:prefix",
            json!("h?me"),
            Some(&["hoome"]),
            I,
        ),
        (
            "StringLike",
            "s3:prefix",
            json!("Home/*"),
            Some(&["home/x"]),
            I,
        ),
        ("StringLike", "s3:prefix", json!("home/*"), None, I),
        (
            "StringLike",
            "s3:prefix",
            json!(["a/*", "b/*"]),
            Some(&["b/1"]),
            A,
        ),
        (
            "StringNotLike",
            "s3:prefix",
            json!("home/*"),
            Some(&["work/x"]),
            A,
        ),
        (
            "StringNotLike",
            "s3:prefix",
            json!("home/*"),
            Some(&["home/x"]),
            I,
        ),
        ("StringNotLike", "s3:prefix", json!("home/*"), None, A),
        (
            "NumericEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            A,
        ),
        (
            "NumericEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["10.0"]),
            A,
        ),
        (
            "NumericEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["11"]),
            I,
        ),
        ("NumericEquals", "s3:max-keys", json!("10"), None, I),
        (
            "NumericNotEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["11"]),
            A,
        ),
        (
            "NumericNotEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            I,
        ),
        (
            "NumericLessThan",
            "s3:max-keys",
            json!("10"),
            Some(&["9"]),
            A,
        ),
        (
            "NumericLessThan",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            I,
        ),
        (
            "NumericLessThanEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            A,
        ),
        (
            "NumericLessThanEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["11"]),
            I,
        ),
        (
            "NumericGreaterThan",
            "s3:max-keys",
            json!("10"),
            Some(&["11"]),
            A,
        ),
        (
            "NumericGreaterThan",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            I,
        ),
        (
            "NumericGreaterThanEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["10"]),
            A,
        ),
        (
            "NumericGreaterThanEquals",
            "s3:max-keys",
            json!("10"),
            Some(&["9"]),
            I,
        ),
        ("NumericLessThan", "s3:max-keys", json!("10"), None, I),
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2019-12-31T23:59:59Z"]),
            A,
        ),
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-01-01T00:00:00Z"]),
            I,
        ),
        (
            "DateLessThanEquals",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-01-01T00:00:00Z"]),
            A,
        ),
        (
            "DateGreaterThan",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-06-01T00:00:00Z"]),
            A,
        ),
        (
            "DateGreaterThan",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2019-06-01T00:00:00Z"]),
            I,
        ),
        (
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            json!("2020-01-01"),
            Some(&["2020-01-01T00:00:00Z"]),
            A,
        ),
        (
            "DateEquals",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-01-01T01:00:00+01:00"]),
            A,
        ),
        (
            "DateNotEquals",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-01-02T00:00:00Z"]),
            A,
        ),
        (
            "DateNotEquals",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            Some(&["2020-01-01T00:00:00Z"]),
            I,
        ),
        (
            "DateLessThan",
            "aws:EpochTime",
            json!("1577836800"),
            Some(&["1577836799"]),
            A,
        ),
        (
            "DateGreaterThan",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            None,
            I,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!("true"),
            Some(&["true"]),
            A,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!("true"),
            Some(&["false"]),
            I,
        ),
        ("Bool", "aws:SecureTransport", json!("true"), None, I),
        ("Bool", "aws:SecureTransport", json!("false"), None, I),
        (
            "Bool",
            "aws:MultiFactorAuthPresent",
            json!("false"),
            Some(&["false"]),
            A,
        ),
        (
            "Bool",
            "aws:SecureTransport",
            json!("TRUE"),
            Some(&["true"]),
            A,
        ),
        (
            "BinaryEquals",
            "s3:x-amz-content-sha256",
            json!("QmluYXJ5VmFsdWU="),
            Some(&["QmluYXJ5VmFsdWU="]),
            A,
        ),
        (
            "BinaryEquals",
            "s3:x-amz-content-sha256",
            json!("QmluYXJ5VmFsdWU="),
            Some(&["T3RoZXI="]),
            I,
        ),
        (
            "ArnEquals",
            "aws:SourceArn",
            json!("arn:aws:sns:us-east-1:111122223333:topic"),
            Some(&["arn:aws:sns:us-east-1:111122223333:topic"]),
            A,
        ),
        (
            "ArnEquals",
            "aws:SourceArn",
            json!("arn:aws:sns:*:111122223333:topic"),
            Some(&["arn:aws:sns:eu-west-1:111122223333:topic"]),
            A,
        ),
        (
            "ArnEquals",
            "aws:SourceArn",
            json!("arn:aws:sns:us-east-1:111122223333:topic"),
            Some(&["arn:aws:sns:us-east-1:444455556666:topic"]),
            I,
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::bucket-*"),
            Some(&["arn:aws:s3:::bucket-logs"]),
            A,
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::bucket-*"),
            Some(&["arn:aws:s3:::other"]),
            I,
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            json!("arn:aws:lambda:*:111122223333:function:*"),
            Some(&["arn:aws:lambda:us-east-1:111122223333:function:f"]),
            A,
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::bucket-*"),
            None,
            I,
        ),
        (
            "ArnNotEquals",
            "aws:SourceArn",
            json!("arn:aws:s3:::bucket"),
            Some(&["arn:aws:s3:::other"]),
            A,
        ),
        (
            "ArnNotEquals",
            "aws:SourceArn",
            json!("arn:aws:s3:::bucket"),
            Some(&["arn:aws:s3:::bucket"]),
            I,
        ),
        (
            "ArnNotLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::b*"),
            Some(&["arn:aws:s3:::bucket"]),
            I,
        ),
        (
            "ArnNotLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::b*"),
            Some(&["arn:aws:s3:::other"]),
            A,
        ),
        (
            "ArnNotLike",
            "aws:SourceArn",
            json!("arn:aws:s3:::b*"),
            None,
            A,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            Some(&["203.0.113.7"]),
            A,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            Some(&["198.51.100.7"]),
            I,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!(["198.51.100.0/24", "203.0.113.0/24"]),
            Some(&["198.51.100.9"]),
            A,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("2001:db8::/32"),
            Some(&["2001:db8:1::1"]),
            A,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.5"),
            Some(&["203.0.113.5"]),
            A,
        ),
        (
            "IpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            None,
            I,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            Some(&["198.51.100.7"]),
            A,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            Some(&["203.0.113.7"]),
            I,
        ),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            None,
            A,
        ),
        ("Null", "aws:TokenIssueTime", json!("true"), None, A),
        (
            "Null",
            "aws:TokenIssueTime",
            json!("true"),
            Some(&["2020-01-01T00:00:00Z"]),
            I,
        ),
        (
            "Null",
            "aws:TokenIssueTime",
            json!("false"),
            Some(&["2020-01-01T00:00:00Z"]),
            A,
        ),
        ("Null", "aws:TokenIssueTime", json!("false"), None, I),
        // ...IfExists: "If the policy key is present in the context of the request, process
        // the key as specified in the policy. If the key is not present, evaluate the
        // condition element as true."
        (
            "StringEqualsIfExists",
            "ec2:InstanceType",
            json!("t2.micro"),
            None,
            A,
        ),
        (
            "StringEqualsIfExists",
            "ec2:InstanceType",
            json!("t2.micro"),
            Some(&["t2.micro"]),
            A,
        ),
        (
            "StringEqualsIfExists",
            "ec2:InstanceType",
            json!("t2.micro"),
            Some(&["m5.large"]),
            I,
        ),
        (
            "StringLikeIfExists",
            "ec2:InstanceType",
            json!("t2.*"),
            Some(&["t2.nano"]),
            A,
        ),
        (
            "StringNotEqualsIfExists",
            "ec2:InstanceType",
            json!("t2.micro"),
            Some(&["t2.micro"]),
            I,
        ),
        (
            "NumericLessThanIfExists",
            "s3:max-keys",
            json!("10"),
            None,
            A,
        ),
        (
            "NumericLessThanIfExists",
            "s3:max-keys",
            json!("10"),
            Some(&["20"]),
            I,
        ),
        (
            "DateLessThanIfExists",
            "aws:CurrentTime",
            json!("2020-01-01T00:00:00Z"),
            None,
            A,
        ),
        (
            "BoolIfExists",
            "aws:MultiFactorAuthPresent",
            json!("true"),
            None,
            A,
        ),
        (
            "BoolIfExists",
            "aws:MultiFactorAuthPresent",
            json!("true"),
            Some(&["false"]),
            I,
        ),
        (
            "ArnLikeIfExists",
            "aws:SourceArn",
            json!("arn:aws:s3:::b*"),
            None,
            A,
        ),
        (
            "IpAddressIfExists",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            None,
            A,
        ),
        (
            "IpAddressIfExists",
            "aws:SourceIp",
            json!("203.0.113.0/24"),
            Some(&["198.51.100.1"]),
            I,
        ),
    ];
    rows.into_iter()
        .map(|(op, key, want, given, expect)| {
            let mut input = gate(op, key, want);
            if let Some(values) = given {
                input = input.ctx(key, values);
            }
            let cite = if op.ends_with("IfExists") || op == "Null" {
                COND
            } else if given.is_none() {
                MULTI
            } else {
                COND
            };
            (cite, op, input, expect)
        })
        .collect()
}

fn multivalued_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    type Row = (
        &'static str,
        Value,
        Option<&'static [&'static str]>,
        &'static str,
    );
    let key = "aws:TagKeys";
    let rows: Vec<Row> = vec![
        // "ForAnyValue: ... returns true if at least one of the values in the request matches
        // at least one of the condition key values in the policy"; missing or empty: false.
        (
            "ForAnyValue:StringEquals",
            json!(["env", "team"]),
            Some(&["team", "cost"]),
            A,
        ),
        (
            "ForAnyValue:StringEquals",
            json!(["env", "team"]),
            Some(&["cost"]),
            I,
        ),
        ("ForAnyValue:StringEquals", json!(["env", "team"]), None, I),
        (
            "ForAnyValue:StringEquals",
            json!(["env", "team"]),
            Some(&[]),
            I,
        ),
        (
            "ForAnyValue:StringLike",
            json!(["env*"]),
            Some(&["environment"]),
            A,
        ),
        (
            "ForAnyValue:StringEqualsIgnoreCase",
            json!(["ENV"]),
            Some(&["env"]),
            A,
        ),
        (
            "ForAnyValue:StringNotEquals",
            json!(["env"]),
            Some(&["env", "team"]),
            A,
        ),
        (
            "ForAnyValue:StringNotEquals",
            json!(["env"]),
            Some(&["env"]),
            I,
        ),
        ("ForAnyValue:StringEqualsIfExists", json!(["env"]), None, A),
        // "ForAllValues: ... returns true if every value in the request matches at least one
        // value in the policy"; it also returns true when the key is missing or empty.
        (
            "ForAllValues:StringEquals",
            json!(["env", "team"]),
            Some(&["env"]),
            A,
        ),
        (
            "ForAllValues:StringEquals",
            json!(["env", "team"]),
            Some(&["env", "team"]),
            A,
        ),
        (
            "ForAllValues:StringEquals",
            json!(["env", "team"]),
            Some(&["env", "cost"]),
            I,
        ),
        ("ForAllValues:StringEquals", json!(["env", "team"]), None, A),
        (
            "ForAllValues:StringEquals",
            json!(["env", "team"]),
            Some(&[]),
            A,
        ),
        (
            "ForAllValues:StringLike",
            json!(["t*"]),
            Some(&["team", "tier"]),
            A,
        ),
        (
            "ForAllValues:StringLike",
            json!(["t*"]),
            Some(&["team", "env"]),
            I,
        ),
        (
            "ForAllValues:StringNotEquals",
            json!(["secret"]),
            Some(&["env", "team"]),
            A,
        ),
        (
            "ForAllValues:StringNotEquals",
            json!(["secret"]),
            Some(&["env", "secret"]),
            I,
        ),
        (
            "ForAllValues:StringNotLike",
            json!(["aws:*"]),
            Some(&["env"]),
            A,
        ),
        (
            "ForAllValues:StringNotLike",
            json!(["aws:*"]),
            Some(&["aws:cloudformation:stack"]),
            I,
        ),
    ];
    let mut out: Vec<(&'static str, &'static str, In, &'static str)> = rows
        .into_iter()
        .map(|(op, want, given, expect)| {
            let mut input = gate(op, key, want);
            if let Some(values) = given {
                input = input.ctx(key, values);
            }
            (MULTI, op, input, expect)
        })
        .collect();
    // A single-valued operator applied to a multivalued key without a qualifier matches when
    // any request value matches ("Single-valued vs. multivalued context keys").
    out.push((
        MULTI,
        "StringEquals on a multivalued key",
        gate("StringEquals", key, json!("env")).ctx(key, &["team", "env"]),
        A,
    ));
    // Deny unless every tag key is allowed: the documented ForAllValues guard.
    out.push((
        MULTI,
        "Deny ForAllValues guard passes",
        In::new("ec2:CreateTags", "*")
            .caller(ROLE)
            .id(&[
                allow("ec2:CreateTags", "*"),
                cond(
                    deny("ec2:CreateTags", "*"),
                    "ForAnyValue:StringNotEquals",
                    key,
                    json!(["env", "team"]),
                ),
            ])
            .ctx(key, &["env"]),
        A,
    ));
    out.push((
        MULTI,
        "Deny ForAnyValue:StringNotEquals guard fires",
        In::new("ec2:CreateTags", "*")
            .caller(ROLE)
            .id(&[
                allow("ec2:CreateTags", "*"),
                cond(
                    deny("ec2:CreateTags", "*"),
                    "ForAnyValue:StringNotEquals",
                    key,
                    json!(["env", "team"]),
                ),
            ])
            .ctx(key, &["env", "owner"]),
        X,
    ));
    out
}

fn logic_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let two_keys = |team: &str, env: &str| {
        In::new("s3:GetObject", OBJ)
            .caller(ROLE)
            .id(&[cond(
                cond(
                    allow("s3:GetObject", "*"),
                    "StringEquals",
                    "aws:PrincipalTag/team",
                    json!("blue"),
                ),
                "StringEquals",
                "aws:PrincipalTag/env",
                json!("prod"),
            )])
            .ctx("aws:PrincipalTag/team", &[team])
            .ctx("aws:PrincipalTag/env", &[env])
    };
    let two_ops = |ip: &str, tls: &str| {
        In::new("s3:GetObject", OBJ)
            .caller(ROLE)
            .id(&[cond(
                cond(
                    allow("s3:GetObject", "*"),
                    "IpAddress",
                    "aws:SourceIp",
                    json!("203.0.113.0/24"),
                ),
                "Bool",
                "aws:SecureTransport",
                json!("true"),
            )])
            .ctx("aws:SourceIp", &[ip])
            .ctx("aws:SecureTransport", &[tls])
    };
    vec![
        // "If your policy has multiple condition operators or multiple keys attached to a
        // single condition operator, the conditions are evaluated using a logical AND."
        (LOGIC, "two keys, both match", two_keys("blue", "prod"), A),
        (LOGIC, "two keys, one misses", two_keys("blue", "dev"), I),
        (LOGIC, "two keys, none match", two_keys("red", "dev"), I),
        (
            LOGIC,
            "two operators, both match",
            two_ops("203.0.113.9", "true"),
            A,
        ),
        (
            LOGIC,
            "two operators, one misses",
            two_ops("203.0.113.9", "false"),
            I,
        ),
        (
            LOGIC,
            "two operators, other misses",
            two_ops("198.51.100.1", "true"),
            I,
        ),
        // "If a single condition operator includes multiple values for a context key, those
        // values are evaluated using a logical OR."
        (
            LOGIC,
            "values are ORed",
            gate(
                "StringEquals",
                "aws:PrincipalTag/team",
                json!(["a", "b", "c"]),
            )
            .ctx("aws:PrincipalTag/team", &["c"]),
            A,
        ),
        // Condition key names are case-insensitive; values are compared as the operator says.
        (
            KEYS,
            "key name case",
            gate("StringEquals", "AWS:PrincipalTag/Team", json!("blue"))
                .ctx("aws:principaltag/team", &["blue"]),
            A,
        ),
        (
            KEYS,
            "key name case in the request",
            gate("StringEquals", "aws:principaltag/team", json!("blue"))
                .ctx("AWS:PRINCIPALTAG/TEAM", &["blue"]),
            A,
        ),
        (
            KEYS,
            "values are case-sensitive",
            gate("StringEquals", "aws:PrincipalTag/team", json!("Blue"))
                .ctx("aws:PrincipalTag/team", &["blue"]),
            I,
        ),
        // The AWS CLI Command Reference's two simulate-custom-policy examples.
        (
            SIM,
            "DateGreaterThan after",
            In::new("dynamodb:CreateBackup", "*")
                .id(&[cond(
                    allow("dynamodb:*", "*"),
                    "DateGreaterThan",
                    "aws:CurrentTime",
                    json!("2018-08-16T12:00:00Z"),
                )])
                .ctx_typed("aws:CurrentTime", &["2019-04-25T11:00:00Z"], "date"),
            A,
        ),
        (
            SIM,
            "DateGreaterThan before",
            In::new("dynamodb:CreateBackup", "*")
                .id(&[cond(
                    allow("dynamodb:*", "*"),
                    "DateGreaterThan",
                    "aws:CurrentTime",
                    json!("2018-08-16T12:00:00Z"),
                )])
                .ctx_typed("aws:CurrentTime", &["2014-04-25T11:00:00Z"], "date"),
            I,
        ),
    ]
}

fn variable_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let home = |resource: &str, caller: &str| {
        In::new("s3:GetObject", resource)
            .caller(caller)
            .id(&[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")])
    };
    let tag_default = |resource: &str| {
        In::new("s3:GetObject", resource).caller(ROLE).id(&[allow(
            "s3:GetObject",
            "arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*",
        )])
    };
    vec![
        (VARS, "username in Resource", home("arn:aws:s3:::home/alice/a.txt", USER), A),
        (VARS, "another user's folder", home("arn:aws:s3:::home/bob/a.txt", USER), I),
        // A role session has no aws:username: the variable has no value, the pattern misses.
        (VARS, "no username for a role", home("arn:aws:s3:::home/app/a.txt", ROLE), I),
        (
            VARS,
            "username from the context",
            home("arn:aws:s3:::home/carol/a.txt", ROLE).ctx("aws:username", &["carol"]),
            A,
        ),
        (VARS, "default value when missing", tag_default("arn:aws:s3:::home/shared/x"), A),
        (VARS, "default value not another", tag_default("arn:aws:s3:::home/blue/x"), I),
        (
            VARS,
            "tag value over the default",
            tag_default("arn:aws:s3:::home/blue/x").ctx("aws:PrincipalTag/team", &["blue"]),
            A,
        ),
        (
            VARS,
            "tag value, not the default",
            tag_default("arn:aws:s3:::home/shared/x").ctx("aws:PrincipalTag/team", &["blue"]),
            I,
        ),
        (
            VARS,
            "variable in a condition value",
            In::new("s3:ListBucket", "arn:aws:s3:::home")
                .caller(USER)
                .id(&[cond(
                    allow("s3:ListBucket", "arn:aws:s3:::home"),
                    "StringLike",
                    "s3:prefix",
                    json!("${aws:username}/*"),
                )])
                .ctx("s3:prefix", &["alice/photos"]),
            A,
        ),
        (
            VARS,
            "variable in a condition value, other prefix",
            In::new("s3:ListBucket", "arn:aws:s3:::home")
                .caller(USER)
                .id(&[cond(
                    allow("s3:ListBucket", "arn:aws:s3:::home"),
                    "StringLike",
                    "s3:prefix",
                    json!("${aws:username}/*"),
                )])
                .ctx("s3:prefix", &["bob/photos"]),
            I,
        ),
        (
            VARS,
            "escape ${*} is a literal star",
            In::new("s3:GetObject", "arn:aws:s3:::b/*")
                .caller(ROLE)
                .id(&[allow("s3:GetObject", "arn:aws:s3:::b/${*}")]),
            A,
        ),
        (
            VARS,
            "escape ${*} is not a wildcard",
            In::new("s3:GetObject", "arn:aws:s3:::b/x")
                .caller(ROLE)
                .id(&[allow("s3:GetObject", "arn:aws:s3:::b/${*}")]),
            I,
        ),
        (
            VARS,
            "variable in Resource with Version 2008-10-17 is literal",
            In::new("s3:GetObject", "arn:aws:s3:::home/alice/x")
                .caller(USER)
                .push(
                    "PolicyInputList",
                    json!(
                        json!({"Version": "2008-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")]})
                            .to_string()
                    ),
                ),
            I,
        ),
        (
            VARS,
            "PrincipalTag in Resource",
            In::new("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret:blue-db")
                .caller(ROLE)
                .id(&[allow(
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:us-east-1:111122223333:secret:${aws:PrincipalTag/team}-*",
                )])
                .ctx("aws:PrincipalTag/team", &["blue"]),
            A,
        ),
    ]
}

fn wildcard_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let id = |action: &str, resource: &str, grant_action: &str, grant_resource: &str| {
        In::new(action, resource)
            .caller(ROLE)
            .id(&[allow(grant_action, grant_resource)])
    };
    vec![
        (
            ACTION,
            "prefix wildcard",
            id("s3:GetObject", OBJ, "s3:Get*", "*"),
            A,
        ),
        (
            ACTION,
            "suffix wildcard",
            id("s3:PutObject", OBJ, "s3:*Object", "*"),
            A,
        ),
        (
            ACTION,
            "service wildcard",
            id("s3:PutObject", OBJ, "s3:*", "*"),
            A,
        ),
        (ACTION, "everything", id("s3:PutObject", OBJ, "*", "*"), A),
        (
            ACTION,
            "other service",
            id("sqs:SendMessage", QUEUE, "s3:*", "*"),
            I,
        ),
        (
            ACTION,
            "action names ignore case",
            id("s3:GetObject", OBJ, "S3:getobject", "*"),
            A,
        ),
        (
            ACTION,
            "request action case",
            id("S3:GETOBJECT", OBJ, "s3:GetObject", "*"),
            A,
        ),
        (
            ACTION,
            "question mark",
            id("s3:GetObject", OBJ, "s3:Get?bject", "*"),
            A,
        ),
        (
            ACTION,
            "question mark is one character",
            id("s3:GetObject", OBJ, "s3:Ge?bject", "*"),
            I,
        ),
        (
            ACTION,
            "wildcard in the middle",
            id("iam:GetRolePolicy", "*", "iam:Get*Policy", "*"),
            A,
        ),
        (
            ACTION,
            "wildcard does not cover other names",
            id("iam:ListRoles", "*", "iam:Get*", "*"),
            I,
        ),
        (
            ACTION,
            "list of actions",
            In::new("sqs:SendMessage", QUEUE).caller(ROLE).id(&[st(
                "Allow",
                json!(["sqs:ReceiveMessage", "sqs:SendMessage"]),
                json!("*"),
            )]),
            A,
        ),
        (
            RESOURCE,
            "star spans slashes",
            id(
                "s3:GetObject",
                "arn:aws:s3:::docs/a/b/c.txt",
                "s3:GetObject",
                "arn:aws:s3:::docs/*",
            ),
            A,
        ),
        (
            RESOURCE,
            "resources are case-sensitive",
            id("s3:GetObject", OBJ, "s3:GetObject", "arn:aws:s3:::Docs/*"),
            I,
        ),
        (
            RESOURCE,
            "bucket is not its objects",
            id("s3:GetObject", OBJ, "s3:GetObject", "arn:aws:s3:::docs"),
            I,
        ),
        (
            RESOURCE,
            "exact resource",
            id("sqs:SendMessage", QUEUE, "sqs:SendMessage", QUEUE),
            A,
        ),
        (
            RESOURCE,
            "region wildcard",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:*:111122223333:orders",
            ),
            A,
        ),
        (
            RESOURCE,
            "account must match",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:444455556666:orders",
            ),
            I,
        ),
        (
            RESOURCE,
            "question mark in a resource",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:order?",
            ),
            A,
        ),
        (
            RESOURCE,
            "list of resources",
            In::new("s3:GetObject", OBJ).caller(ROLE).id(&[st(
                "Allow",
                json!("s3:GetObject"),
                json!(["arn:aws:s3:::a/*", "arn:aws:s3:::docs/*"]),
            )]),
            A,
        ),
        (
            RESOURCE,
            "prefix of a name is not the name",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:111122223333:order",
            ),
            I,
        ),
        // Actions without a resource type take only "*".
        (
            STAR_ONLY,
            "ListAllMyBuckets with a bucket ARN grant",
            id(
                "s3:ListAllMyBuckets",
                "arn:aws:s3:::docs",
                "s3:ListAllMyBuckets",
                "arn:aws:s3:::docs",
            ),
            I,
        ),
        (
            STAR_ONLY,
            "ListAllMyBuckets with *",
            id(
                "s3:ListAllMyBuckets",
                "arn:aws:s3:::docs",
                "s3:ListAllMyBuckets",
                "*",
            ),
            A,
        ),
        (
            STAR_ONLY,
            "GetCallerIdentity with an ARN grant",
            id("sts:GetCallerIdentity", ROLE, "sts:GetCallerIdentity", ROLE),
            I,
        ),
        (
            STAR_ONLY,
            "DescribeInstances with an ARN grant",
            id(
                "ec2:DescribeInstances",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
                "ec2:DescribeInstances",
                "arn:aws:ec2:us-east-1:111122223333:instance/*",
            ),
            I,
        ),
        (
            STAR_ONLY,
            "DescribeInstances with *",
            id("ec2:DescribeInstances", "*", "ec2:Describe*", "*"),
            A,
        ),
        (
            STAR_ONLY,
            "ListQueues with *",
            id("sqs:ListQueues", "*", "sqs:ListQueues", "*"),
            A,
        ),
        // "Using wildcards in resource ARNs": wildcards work "within the individual segments of
        // an ARN (the parts separated by colons)"; "If the * wildcard is the last character of a
        // resource ARN segment, it can expand to match beyond the colon boundaries".
        (
            RESOURCE,
            "star ending a segment crosses colons",
            id(
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:app:prod",
                "lambda:InvokeFunction",
                "arn:aws:lambda:us-east-1:111122223333:function:*",
            ),
            A,
        ),
        (
            RESOURCE,
            "star ending the region segment crosses colons",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:us-*:orders",
            ),
            A,
        ),
        (
            RESOURCE,
            "star inside a segment stops at the colon",
            id(
                "sqs:SendMessage",
                QUEUE,
                "sqs:SendMessage",
                "arn:aws:sqs:u*3:orders",
            ),
            I,
        ),
        (
            RESOURCE,
            "star before a slash stays in its segment",
            id(
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/creds-AbCdEf",
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:111122223333:*/*",
            ),
            I,
        ),
        (
            RESOURCE,
            "star inside a segment spans slashes",
            id("s3:GetObject", OBJ, "s3:GetObject", "arn:aws:s3:::d*t"),
            A,
        ),
        (
            RESOURCE,
            "star inside the last segment",
            id(
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/creds-AbCdEf",
                "secretsmanager:GetSecretValue",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db/*-??????",
            ),
            A,
        ),
    ]
}

fn not_element_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let na = |action: &str| {
        In::new(action, "*")
            .caller(ROLE)
            .id(&[not_action("Allow", json!("iam:*"), "*")])
    };
    let deny_na = |action: &str| {
        In::new(action, "*").caller(ROLE).id(&[
            allow("*", "*"),
            not_action("Deny", json!(["s3:*", "sqs:*"]), "*"),
        ])
    };
    let nr = |resource: &str| {
        In::new("s3:GetObject", resource)
            .caller(ROLE)
            .id(&[not_resource(
                "Allow",
                "s3:*",
                json!("arn:aws:s3:::secret/*"),
            )])
    };
    let deny_nr = |resource: &str| {
        In::new("s3:GetObject", resource).caller(ROLE).id(&[
            allow("s3:*", "*"),
            not_resource(
                "Deny",
                "s3:*",
                json!(["arn:aws:s3:::docs/*", "arn:aws:s3:::docs"]),
            ),
        ])
    };
    vec![
        (NOTACTION, "Allow NotAction allows the others", na("s3:GetObject"), A),
        (NOTACTION, "Allow NotAction leaves the listed", na("iam:CreateUser"), I),
        (NOTACTION, "Allow NotAction, listed by wildcard", na("IAM:PassRole"), I),
        (NOTACTION, "Deny NotAction spares the listed", deny_na("s3:GetObject"), A),
        (NOTACTION, "Deny NotAction spares the listed (2)", deny_na("sqs:SendMessage"), A),
        (NOTACTION, "Deny NotAction denies the others", deny_na("ec2:RunInstances"), X),
        (NOTACTION, "Deny NotAction denies iam", deny_na("iam:CreateUser"), X),
        (NOTRESOURCE, "Allow NotResource allows the others", nr("arn:aws:s3:::public/a"), A),
        (NOTRESOURCE, "Allow NotResource leaves the listed", nr("arn:aws:s3:::secret/a"), I),
        (NOTRESOURCE, "Deny NotResource spares the listed", deny_nr(OBJ), A),
        (NOTRESOURCE, "Deny NotResource spares the bucket", deny_nr("arn:aws:s3:::docs"), A),
        (NOTRESOURCE, "Deny NotResource denies the others", deny_nr("arn:aws:s3:::other/x"), X),
        (
            NOTRESOURCE,
            "NotAction with NotResource",
            In::new("s3:GetObject", "arn:aws:s3:::x/y")
                .caller(ROLE)
                .id(&[json!({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::z/*"})]),
            A,
        ),
    ]
}

fn precedence_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let base = || In::new("s3:GetObject", OBJ).caller(ROLE);
    vec![
        (EVAL, "no policy: implicit deny", base(), I),
        (EVAL, "empty statement list", base().id(&[]), I),
        (EVAL, "allow", base().id(&[allow("s3:GetObject", OBJ)]), A),
        (
            EVAL,
            "allow of another action",
            base().id(&[allow("s3:PutObject", OBJ)]),
            I,
        ),
        (
            EVAL,
            "allow of another resource",
            base().id(&[allow("s3:GetObject", "arn:aws:s3:::other/*")]),
            I,
        ),
        (
            EVAL,
            "deny wins in one policy",
            base().id(&[allow("s3:*", "*"), deny("s3:GetObject", OBJ)]),
            X,
        ),
        (
            EVAL,
            "deny wins across policies",
            base().id(&[allow("s3:*", "*")]).id(&[deny("s3:*", "*")]),
            X,
        ),
        (
            EVAL,
            "deny alone",
            base().id(&[deny("s3:GetObject", "*")]),
            X,
        ),
        (
            EVAL,
            "deny of another action",
            base().id(&[allow("s3:*", "*"), deny("s3:PutObject", "*")]),
            A,
        ),
        (
            EVAL,
            "allow in either policy",
            base()
                .id(&[allow("sqs:*", "*")])
                .id(&[allow("s3:GetObject", "*")]),
            A,
        ),
        (
            EVAL,
            "conditional deny that does not apply",
            base()
                .id(&[
                    allow("s3:*", "*"),
                    cond(
                        deny("s3:*", "*"),
                        "Bool",
                        "aws:SecureTransport",
                        json!("false"),
                    ),
                ])
                .ctx("aws:SecureTransport", &["true"]),
            A,
        ),
        (
            EVAL,
            "conditional deny that applies",
            base()
                .id(&[
                    allow("s3:*", "*"),
                    cond(
                        deny("s3:*", "*"),
                        "Bool",
                        "aws:SecureTransport",
                        json!("false"),
                    ),
                ])
                .ctx("aws:SecureTransport", &["false"]),
            X,
        ),
        (
            EVAL,
            "conditional deny with the key missing",
            base().id(&[
                allow("s3:*", "*"),
                cond(
                    deny("s3:*", "*"),
                    "Bool",
                    "aws:SecureTransport",
                    json!("false"),
                ),
            ]),
            A,
        ),
        (
            EVAL,
            "deny in the boundary",
            base()
                .id(&[allow("s3:*", "*")])
                .boundary(&[allow("*", "*"), deny("s3:GetObject", "*")]),
            X,
        ),
        (
            EVAL,
            "deny in a session policy",
            base()
                .id(&[allow("s3:*", "*")])
                .session(&[allow("*", "*"), deny("s3:*", "*")]),
            X,
        ),
        (
            EVAL,
            "deny in an SCP",
            base()
                .id(&[allow("s3:*", "*")])
                .scp("root", &[&[allow("*", "*"), deny("s3:*", "*")]]),
            X,
        ),
        (
            EVAL,
            "deny in an RCP",
            base().id(&[allow("s3:*", "*")]).rcp(
                "root",
                &[&[
                    principal(allow("*", "*"), json!("*")),
                    principal(deny("s3:*", "*"), json!("*")),
                ]],
            ),
            X,
        ),
        (
            EVAL,
            "deny in the resource policy",
            base()
                .id(&[allow("s3:*", "*")])
                .rp(&[principal(deny("s3:GetObject", "*"), json!({"AWS": ROLE}))]),
            X,
        ),
        (
            EVAL,
            "deny in the resource policy to everyone",
            base()
                .id(&[allow("s3:*", "*")])
                .rp(&[principal(deny("s3:GetObject", "*"), json!("*"))]),
            X,
        ),
        (
            EVAL,
            "resource policy deny for someone else",
            base().id(&[allow("s3:*", "*")]).rp(&[principal(
                deny("s3:GetObject", "*"),
                json!({"AWS": OTHER_ROLE}),
            )]),
            A,
        ),
        (
            EVAL,
            "resource policy allow beats nothing",
            base().rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            A,
        ),
    ]
}

fn boundary_session_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let role = |action: &str| In::new(action, OBJ).caller(ROLE);
    let sess = |action: &str| In::new(action, OBJ).caller(SESSION_ARN);
    vec![
        // "Evaluating effective permissions with boundaries": identity ∩ boundary.
        (
            BOUNDARY,
            "both allow",
            role("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[allow("s3:GetObject", "*")]),
            A,
        ),
        (
            BOUNDARY,
            "boundary leaves it out",
            role("s3:PutObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[allow("s3:GetObject", "*")]),
            I,
        ),
        (
            BOUNDARY,
            "boundary alone grants nothing",
            role("s3:GetObject").boundary(&[allow("s3:*", "*")]),
            I,
        ),
        (
            BOUNDARY,
            "identity leaves it out",
            role("s3:GetObject")
                .id(&[allow("sqs:*", "*")])
                .boundary(&[allow("*", "*")]),
            I,
        ),
        (
            BOUNDARY,
            "boundary with a condition met",
            role("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[cond(
                    allow("s3:*", "*"),
                    "StringEquals",
                    "aws:RequestedRegion",
                    json!("us-east-1"),
                )])
                .ctx("aws:RequestedRegion", &["us-east-1"]),
            A,
        ),
        (
            BOUNDARY,
            "boundary with a condition not met",
            role("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[cond(
                    allow("s3:*", "*"),
                    "StringEquals",
                    "aws:RequestedRegion",
                    json!("us-east-1"),
                )])
                .ctx("aws:RequestedRegion", &["eu-west-1"]),
            I,
        ),
        // Same account: a resource-based grant to the role ARN is capped by the boundary; to
        // the role session ARN or a user ARN it is not.
        (
            SINGLE,
            "grant to the role ARN, boundary silent",
            role("s3:GetObject")
                .boundary(&[allow("sqs:*", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            I,
        ),
        (
            SINGLE,
            "grant to the role ARN, boundary allows",
            role("s3:GetObject")
                .boundary(&[allow("s3:*", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            A,
        ),
        (
            SINGLE,
            "grant to the session ARN, boundary silent",
            sess("s3:GetObject")
                .boundary(&[allow("sqs:*", "*")])
                .rp(&[principal(
                    allow("s3:GetObject", OBJ),
                    json!({"AWS": SESSION_ARN}),
                )]),
            A,
        ),
        (
            SINGLE,
            "grant to the role ARN from a session, boundary silent",
            sess("s3:GetObject")
                .boundary(&[allow("sqs:*", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            I,
        ),
        (
            SINGLE,
            "grant to a user ARN, boundary silent",
            In::new("s3:GetObject", OBJ)
                .caller(USER)
                .boundary(&[allow("sqs:*", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": USER}))]),
            A,
        ),
        (
            SINGLE,
            "grant to the account, no identity grant",
            role("s3:GetObject").rp(&[principal(
                allow("s3:GetObject", OBJ),
                json!({"AWS": "arn:aws:iam::111122223333:root"}),
            )]),
            I,
        ),
        (
            SINGLE,
            "grant to the account id, no identity grant",
            role("s3:GetObject").rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ACCT}))]),
            I,
        ),
        (
            SINGLE,
            "grant to the account and an identity grant",
            role("s3:GetObject")
                .id(&[allow("s3:GetObject", "*")])
                .rp(&[principal(
                    allow("s3:GetObject", OBJ),
                    json!({"AWS": "arn:aws:iam::111122223333:root"}),
                )]),
            A,
        ),
        (
            SINGLE,
            "grant to the role ARN, no identity grant",
            role("s3:GetObject").rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            A,
        ),
        (
            SINGLE,
            "grant to the role ARN matches its sessions",
            sess("s3:GetObject").rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            A,
        ),
        (
            SINGLE,
            "grant to another role",
            role("s3:GetObject").rp(&[principal(
                allow("s3:GetObject", OBJ),
                json!({"AWS": "arn:aws:iam::111122223333:role/other"}),
            )]),
            I,
        ),
        (
            SINGLE,
            "grant to everyone",
            role("s3:GetObject").rp(&[principal(allow("s3:GetObject", OBJ), json!("*"))]),
            A,
        ),
        (
            SINGLE,
            "grant to AWS *",
            role("s3:GetObject").rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": "*"}))]),
            A,
        ),
        // "You cannot use a wildcard to match part of a principal name or ARN."
        (
            PRINCIPAL,
            "no partial wildcard in a principal",
            role("s3:GetObject").rp(&[principal(
                allow("s3:GetObject", OBJ),
                json!({"AWS": "arn:aws:iam::111122223333:role/a*"}),
            )]),
            I,
        ),
        (
            SINGLE,
            "grant of another action",
            role("s3:PutObject").rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            I,
        ),
        (
            SINGLE,
            "grant with a false condition",
            role("s3:GetObject")
                .rp(&[cond(
                    principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE})),
                    "Bool",
                    "aws:SecureTransport",
                    json!("true"),
                )])
                .ctx("aws:SecureTransport", &["false"]),
            I,
        ),
        // Session policies: identity ∩ session; a resource-based grant to the role ARN is
        // limited by the session policy, one to the session ARN is not.
        (
            SESSION,
            "both allow",
            sess("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .session(&[allow("s3:GetObject", "*")]),
            A,
        ),
        (
            SESSION,
            "session policy leaves it out",
            sess("s3:PutObject")
                .id(&[allow("s3:*", "*")])
                .session(&[allow("s3:GetObject", "*")]),
            I,
        ),
        (
            SESSION,
            "session policy alone grants nothing",
            sess("s3:GetObject").session(&[allow("*", "*")]),
            I,
        ),
        (
            SESSION,
            "several session policies act as one",
            sess("s3:PutObject")
                .id(&[allow("s3:*", "*")])
                .session(&[allow("s3:GetObject", "*")])
                .session(&[allow("s3:PutObject", "*")]),
            A,
        ),
        (
            SESSION,
            "grant to the role ARN is limited",
            sess("s3:GetObject")
                .session(&[allow("sqs:*", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]),
            I,
        ),
        (
            SESSION,
            "grant to the session ARN is not limited",
            sess("s3:GetObject")
                .session(&[allow("sqs:*", "*")])
                .rp(&[principal(
                    allow("s3:GetObject", OBJ),
                    json!({"AWS": SESSION_ARN}),
                )]),
            A,
        ),
        (
            SESSION,
            "boundary and session both cap",
            sess("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[allow("s3:*", "*")])
                .session(&[allow("s3:*", "*")]),
            A,
        ),
        (
            SESSION,
            "boundary caps while session allows",
            sess("s3:GetObject")
                .id(&[allow("s3:*", "*")])
                .boundary(&[allow("sqs:*", "*")])
                .session(&[allow("s3:*", "*")]),
            I,
        ),
    ]
}

fn cross_account_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let req = || In::new("sqs:SendMessage", OTHER_QUEUE).caller(ROLE);
    let grant = |p: Value| principal(allow("sqs:SendMessage", OTHER_QUEUE), p);
    vec![
        (
            CROSS,
            "identity only",
            req().id(&[allow("sqs:SendMessage", "*")]),
            I,
        ),
        (
            CROSS,
            "resource policy only",
            req().rp(&[grant(json!({"AWS": ROLE}))]),
            I,
        ),
        (
            CROSS,
            "both sides",
            req()
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[grant(json!({"AWS": ROLE}))]),
            A,
        ),
        (
            CROSS,
            "resource policy trusts the account",
            req()
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[grant(json!({"AWS": "arn:aws:iam::111122223333:root"}))]),
            A,
        ),
        (
            CROSS,
            "resource policy trusts the account id",
            req()
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[grant(json!({"AWS": ACCT}))]),
            A,
        ),
        (
            CROSS,
            "resource policy trusts another account",
            req()
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[grant(json!({"AWS": "arn:aws:iam::999988887777:root"}))]),
            I,
        ),
        (
            CROSS,
            "resource policy trusts everyone",
            req()
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[grant(json!("*"))]),
            A,
        ),
        (
            CROSS,
            "resource policy denies",
            req().id(&[allow("sqs:SendMessage", "*")]).rp(&[
                grant(json!({"AWS": ROLE})),
                principal(deny("sqs:*", "*"), json!("*")),
            ]),
            X,
        ),
        (
            CROSS,
            "identity denies",
            req()
                .id(&[allow("sqs:*", "*"), deny("sqs:SendMessage", "*")])
                .rp(&[grant(json!({"AWS": ROLE}))]),
            X,
        ),
        (
            CROSS,
            "boundary caps the identity side",
            req()
                .id(&[allow("sqs:*", "*")])
                .boundary(&[allow("s3:*", "*")])
                .rp(&[grant(json!({"AWS": ROLE}))]),
            I,
        ),
        (
            CROSS,
            "session ARN grant still needs the identity side",
            In::new("sqs:SendMessage", OTHER_QUEUE)
                .caller(SESSION_ARN)
                .rp(&[grant(json!({"AWS": SESSION_ARN}))]),
            I,
        ),
        (
            CROSS,
            "ResourceOwner makes it cross-account",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .set("ResourceOwner", OTHER)
                .id(&[allow("s3:GetObject", "*")]),
            I,
        ),
        (
            CROSS,
            "ResourceOwner as an account ARN",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .set("ResourceOwner", "arn:aws:iam::444455556666:root")
                .id(&[allow("s3:GetObject", "*")])
                .rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ACCT}))]),
            A,
        ),
        (
            CROSS,
            "ResourceOwner of the caller's account",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .set("ResourceOwner", ACCT)
                .id(&[allow("s3:GetObject", "*")]),
            A,
        ),
        (
            CROSS,
            "caller from the other account",
            In::new("sqs:SendMessage", QUEUE)
                .caller(OTHER_ROLE)
                .id(&[allow("sqs:SendMessage", "*")])
                .rp(&[principal(
                    allow("sqs:SendMessage", QUEUE),
                    json!({"AWS": OTHER_ROLE}),
                )]),
            A,
        ),
        (
            CROSS,
            "caller from the other account, no grant",
            In::new("sqs:SendMessage", QUEUE)
                .caller(OTHER_ROLE)
                .id(&[allow("sqs:SendMessage", "*")]),
            I,
        ),
        (
            CROSS,
            "SCP of the caller applies across accounts",
            req()
                .id(&[allow("sqs:*", "*")])
                .rp(&[grant(json!({"AWS": ROLE}))])
                .scp("root", &[&[allow("s3:*", "*")]]),
            I,
        ),
        (
            CROSS,
            "RCP of the owner applies",
            req()
                .id(&[allow("sqs:*", "*")])
                .rp(&[grant(json!({"AWS": ROLE}))])
                .rcp(
                    "root",
                    &[&[principal(
                        cond(
                            deny("sqs:*", "*"),
                            "StringNotEquals",
                            "aws:PrincipalAccount",
                            json!(OTHER),
                        ),
                        json!("*"),
                    )]],
                ),
            X,
        ),
    ]
}

fn org_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let req = || {
        In::new("s3:GetObject", OBJ)
            .caller(ROLE)
            .id(&[allow("*", "*")])
    };
    let full: &[Value] = &[allow("*", "*")];
    let s3: &[Value] = &[allow("s3:*", "*")];
    let ec2: &[Value] = &[allow("ec2:*", "*")];
    let rfull: &[Value] = &[principal(allow("*", "*"), json!("*"))];
    let rsqs: &[Value] = &[principal(allow("sqs:*", "*"), json!("*"))];
    vec![
        (SCP, "FullAWSAccess at every level", req().scp("root", &[full]).scp("ou", &[full]).scp("account", &[full]), A),
        (SCP, "one level leaves it out", req().scp("root", &[full]).scp("ou", &[ec2]).scp("account", &[full]), I),
        (SCP, "the root leaves it out", req().scp("root", &[ec2]).scp("ou", &[full]), I),
        (SCP, "the account leaves it out", req().scp("root", &[full]).scp("account", &[ec2]), I),
        (SCP, "one policy of a level allows", req().scp("root", &[full]).scp("ou", &[ec2, s3]), A),
        (SCP, "SCPs grant nothing", In::new("s3:GetObject", OBJ).caller(ROLE).scp("root", &[full]), I),
        (SCP, "SCP deny at one level", req().scp("root", &[full]).scp("ou", &[&[allow("*", "*"), deny("s3:GetObject", "*")]]), X),
        (SCP, "SCP with a condition", req().scp("root", &[&[cond(allow("*", "*"), "StringEquals", "aws:RequestedRegion", json!("us-east-1"))]]).ctx("aws:RequestedRegion", &["us-east-1"]), A),
        (SCP, "SCP with a condition not met", req().scp("root", &[&[cond(allow("*", "*"), "StringEquals", "aws:RequestedRegion", json!("us-east-1"))]]).ctx("aws:RequestedRegion", &["eu-west-1"]), I),
        (SCP, "SCP region deny", req().scp("root", &[&[allow("*", "*"), cond(deny("*", "*"), "StringNotEquals", "aws:RequestedRegion", json!(["us-east-1"]))]]).ctx("aws:RequestedRegion", &["eu-west-1"]), X),
        (SCP, "SCP caps a same-account resource grant", In::new("s3:GetObject", OBJ).caller(ROLE).rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ROLE}))]).scp("root", &[ec2]), I),
        (SCP_EXEMPT, "service-linked role ignores SCPs", In::new("s3:GetObject", OBJ).caller("arn:aws:iam::111122223333:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup").id(&[allow("*", "*")]).scp("root", &[ec2]), A),
        (SCP_EXEMPT, "service-linked role ignores SCP denies", In::new("s3:GetObject", OBJ).caller("arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX").id(&[allow("*", "*")]).scp("root", &[&[allow("*", "*"), deny("*", "*")]]), A),
        (SCP_EXEMPT, "management account ignores SCPs", req().set("ManagementAccountId", ACCT).scp("root", &[ec2]), A),
        (SCP_EXEMPT, "member account with a management account set", req().set("ManagementAccountId", OTHER).scp("root", &[ec2]), I),
        (SCP_EXEMPT, "service principal ignores SCPs", In::new("s3:GetObject", OBJ).caller("service:cloudtrail.amazonaws.com").rp(&[principal(allow("s3:GetObject", OBJ), json!({"Service": "cloudtrail.amazonaws.com"}))]).scp("root", &[ec2]), A),
        (RCP, "RCPFullAWSAccess", req().rcp("root", &[rfull]), A),
        (RCP, "RCP level leaves s3 out", req().rcp("root", &[rfull]).rcp("ou", &[rsqs]), I),
        (RCP, "one RCP of a level allows", req().rcp("root", &[rfull]).rcp("ou", &[rsqs, rfull]), A),
        (RCP, "RCPs grant nothing", In::new("s3:GetObject", OBJ).caller(ROLE).rcp("root", &[rfull]), I),
        (RCP, "RCP deny outside the org", req().rcp("root", &[rfull, &[principal(cond(deny("s3:*", "*"), "StringNotEqualsIfExists", "aws:PrincipalOrgID", json!("o-123")), json!("*"))]]).ctx("aws:PrincipalOrgID", &["o-999"]), X),
        (RCP, "RCP deny spares the org", req().rcp("root", &[rfull, &[principal(cond(deny("s3:*", "*"), "StringNotEqualsIfExists", "aws:PrincipalOrgID", json!("o-123")), json!("*"))]]).ctx("aws:PrincipalOrgID", &["o-123"]), A),
        (RCP, "RCP applies to service principals", In::new("s3:GetObject", OBJ).caller("service:cloudtrail.amazonaws.com").rp(&[principal(allow("s3:GetObject", OBJ), json!({"Service": "cloudtrail.amazonaws.com"}))]).rcp("root", &[rsqs]), I),
        (RCP, "RCP applies to cross-account callers", In::new("s3:GetObject", OBJ).caller(OTHER_ROLE).set("ResourceOwner", ACCT).id(&[allow("*", "*")]).rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": OTHER_ROLE}))]).rcp("root", &[&[principal(allow("*", "*"), json!("*")), principal(cond(deny("s3:*", "*"), "StringNotEquals", "aws:PrincipalAccount", json!(ACCT)), json!("*"))]]), X),
        (RCP_EXEMPT, "RCPs do not apply to unsupported services", In::new("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:f").caller(ROLE).id(&[allow("*", "*")]).rcp("root", &[rsqs]), A),
        (RCP_EXEMPT, "RCPs do not apply in the management account", req().set("ManagementAccountId", ACCT).rcp("root", &[rsqs]), A),
        (RCP_EXEMPT, "RCPs do not apply to service-linked roles", In::new("s3:GetObject", OBJ).caller("arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX").id(&[allow("*", "*")]).rcp("root", &[rsqs]), A),
        (RCP, "RCP supports sqs", In::new("sqs:SendMessage", QUEUE).caller(ROLE).id(&[allow("*", "*")]).rcp("root", &[&[principal(allow("s3:*", "*"), json!("*"))]]), I),
        (RCP, "RCP supports kms", In::new("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k").caller(ROLE).id(&[allow("*", "*")]).rcp("root", &[rsqs]), I),
        (RCP, "RCP and SCP both allow", req().scp("root", &[full]).rcp("root", &[rfull]), A),
    ]
}

fn principal_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let svc = |caller: &str| In::new("sqs:SendMessage", QUEUE).caller(caller);
    let grant_svc = principal(
        allow("sqs:SendMessage", QUEUE),
        json!({"Service": "sns.amazonaws.com"}),
    );
    let anon = || In::new("s3:GetObject", OBJ).caller("anonymous");
    let np = |names: Value| not_principal(deny("s3:*", "*"), names);
    vec![
        (
            PRINCIPAL,
            "service principal granted",
            svc("service:sns.amazonaws.com").rp(std::slice::from_ref(&grant_svc)),
            A,
        ),
        (
            PRINCIPAL,
            "another service principal",
            svc("service:events.amazonaws.com").rp(std::slice::from_ref(&grant_svc)),
            I,
        ),
        (
            PRINCIPAL,
            "service principal without a resource policy",
            svc("service:sns.amazonaws.com").id(&[allow("*", "*")]),
            I,
        ),
        (
            PRINCIPAL,
            "service principal ignores identity policies",
            svc("service:sns.amazonaws.com")
                .id(&[deny("*", "*")])
                .rp(std::slice::from_ref(&grant_svc)),
            A,
        ),
        (
            PRINCIPAL,
            "service principal with aws:SourceArn",
            svc("service:sns.amazonaws.com")
                .rp(&[cond(
                    grant_svc.clone(),
                    "ArnEquals",
                    "aws:SourceArn",
                    json!("arn:aws:sns:us-east-1:111122223333:t"),
                )])
                .ctx("aws:SourceArn", &["arn:aws:sns:us-east-1:111122223333:t"]),
            A,
        ),
        (
            PRINCIPAL,
            "service principal, other source",
            svc("service:sns.amazonaws.com")
                .rp(&[cond(
                    grant_svc.clone(),
                    "ArnEquals",
                    "aws:SourceArn",
                    json!("arn:aws:sns:us-east-1:111122223333:t"),
                )])
                .ctx("aws:SourceArn", &["arn:aws:sns:us-east-1:111122223333:u"]),
            I,
        ),
        (
            PRINCIPAL,
            "service principal via Principal *",
            svc("service:sns.amazonaws.com")
                .rp(&[principal(allow("sqs:SendMessage", QUEUE), json!("*"))]),
            A,
        ),
        (
            PRINCIPAL,
            "aws:PrincipalIsAWSService for a service",
            svc("service:sns.amazonaws.com").rp(&[cond(
                principal(allow("sqs:SendMessage", QUEUE), json!("*")),
                "Bool",
                "aws:PrincipalIsAWSService",
                json!("true"),
            )]),
            A,
        ),
        (
            PRINCIPAL,
            "aws:PrincipalIsAWSService for a role",
            In::new("sqs:SendMessage", QUEUE).caller(ROLE).rp(&[cond(
                principal(allow("sqs:SendMessage", QUEUE), json!("*")),
                "Bool",
                "aws:PrincipalIsAWSService",
                json!("true"),
            )]),
            I,
        ),
        (
            PRINCIPAL,
            "anonymous with Principal *",
            anon().rp(&[principal(allow("s3:GetObject", OBJ), json!("*"))]),
            A,
        ),
        (
            PRINCIPAL,
            "anonymous with AWS *",
            anon().rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": "*"}))]),
            A,
        ),
        (
            PRINCIPAL,
            "anonymous and an account grant",
            anon().rp(&[principal(allow("s3:GetObject", OBJ), json!({"AWS": ACCT}))]),
            I,
        ),
        (
            PRINCIPAL,
            "anonymous ignores identity policies",
            anon().id(&[allow("*", "*")]),
            I,
        ),
        (
            PRINCIPAL,
            "anonymous and a deny to everyone",
            anon().rp(&[
                principal(allow("s3:GetObject", OBJ), json!("*")),
                principal(deny("s3:GetObject", OBJ), json!("*")),
            ]),
            X,
        ),
        (
            PRINCIPAL,
            "principal ARN by condition",
            In::new("s3:GetObject", OBJ).caller(ROLE).rp(&[cond(
                principal(allow("s3:GetObject", OBJ), json!("*")),
                "ArnEquals",
                "aws:PrincipalArn",
                json!(ROLE),
            )]),
            A,
        ),
        (
            PRINCIPAL,
            "principal ARN by condition, other",
            In::new("s3:GetObject", OBJ)
                .caller(OTHER_ROLE)
                .set("ResourceOwner", ACCT)
                .id(&[allow("*", "*")])
                .rp(&[cond(
                    principal(allow("s3:GetObject", OBJ), json!("*")),
                    "ArnEquals",
                    "aws:PrincipalArn",
                    json!(ROLE),
                )]),
            I,
        ),
        (
            PRINCIPAL,
            "aws:PrincipalAccount",
            In::new("s3:GetObject", OBJ).caller(ROLE).rp(&[cond(
                principal(allow("s3:GetObject", OBJ), json!("*")),
                "StringEquals",
                "aws:PrincipalAccount",
                json!(ACCT),
            )]),
            A,
        ),
        (
            PRINCIPAL,
            "aws:PrincipalType of a session",
            In::new("s3:GetObject", OBJ).caller(SESSION_ARN).id(&[cond(
                allow("s3:GetObject", "*"),
                "StringEquals",
                "aws:PrincipalType",
                json!("AssumedRole"),
            )]),
            A,
        ),
        (
            PRINCIPAL,
            "aws:PrincipalType of a user",
            In::new("s3:GetObject", OBJ).caller(USER).id(&[cond(
                allow("s3:GetObject", "*"),
                "StringEquals",
                "aws:PrincipalType",
                json!("User"),
            )]),
            A,
        ),
        // NotPrincipal with Deny: everyone but the listed principals, where the account must
        // be listed with the role (or session).
        (
            NOTPRINCIPAL,
            "role and account listed",
            In::new("s3:GetObject", OBJ)
                .caller(SESSION_ARN)
                .id(&[allow("*", "*")])
                .rp(&[np(json!({"AWS": [ROLE, "arn:aws:iam::111122223333:root"]}))]),
            A,
        ),
        (
            NOTPRINCIPAL,
            "session and account listed",
            In::new("s3:GetObject", OBJ)
                .caller(SESSION_ARN)
                .id(&[allow("*", "*")])
                .rp(&[np(
                    json!({"AWS": [SESSION_ARN, "arn:aws:iam::111122223333:root"]}),
                )]),
            A,
        ),
        (
            NOTPRINCIPAL,
            "role without its account",
            In::new("s3:GetObject", OBJ)
                .caller(SESSION_ARN)
                .id(&[allow("*", "*")])
                .rp(&[np(json!({"AWS": [ROLE]}))]),
            X,
        ),
        (
            NOTPRINCIPAL,
            "account only, for a role",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .id(&[allow("*", "*")])
                .rp(&[np(json!({"AWS": ["arn:aws:iam::111122223333:root"]}))]),
            X,
        ),
        (
            NOTPRINCIPAL,
            "another principal",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .id(&[allow("*", "*")])
                .rp(&[np(
                    json!({"AWS": [OTHER_ROLE, "arn:aws:iam::444455556666:root"]}),
                )]),
            X,
        ),
        (
            NOTPRINCIPAL,
            "user and account listed",
            In::new("s3:GetObject", OBJ)
                .caller(USER)
                .id(&[allow("*", "*")])
                .rp(&[np(json!({"AWS": [USER, ACCT]}))]),
            A,
        ),
        (
            NOTPRINCIPAL,
            "a boundary makes it deny anyway",
            In::new("s3:GetObject", OBJ)
                .caller(ROLE)
                .id(&[allow("*", "*")])
                .boundary(&[allow("*", "*")])
                .rp(&[np(json!({"AWS": [ROLE, "arn:aws:iam::111122223333:root"]}))]),
            X,
        ),
        (
            NOTPRINCIPAL,
            "anonymous is not listed",
            anon().rp(&[
                principal(allow("s3:GetObject", OBJ), json!("*")),
                np(json!({"AWS": [ROLE, ACCT]})),
            ]),
            X,
        ),
    ]
}

fn key_and_trust_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";
    let decrypt = || In::new("kms:Decrypt", key).caller(ROLE);
    let target = "arn:aws:iam::111122223333:role/target";
    let assume = || In::new("sts:AssumeRole", target).caller(ROLE);
    let grant = |action: &str, resource: &str, p: Value| principal(allow(action, resource), p);
    vec![
        (
            KMS,
            "key policy silent, IAM allows",
            decrypt().id(&[allow("kms:Decrypt", "*")]).rp(&[grant(
                "kms:*",
                "*",
                json!({"AWS": "arn:aws:iam::111122223333:role/admin"}),
            )]),
            I,
        ),
        (
            KMS,
            "key policy enables IAM policies",
            decrypt().id(&[allow("kms:Decrypt", "*")]).rp(&[grant(
                "kms:*",
                "*",
                json!({"AWS": "arn:aws:iam::111122223333:root"}),
            )]),
            A,
        ),
        (
            KMS,
            "key policy enables IAM, IAM silent",
            decrypt().rp(&[grant(
                "kms:*",
                "*",
                json!({"AWS": "arn:aws:iam::111122223333:root"}),
            )]),
            I,
        ),
        (
            KMS,
            "key policy names the role",
            decrypt().rp(&[grant("kms:Decrypt", "*", json!({"AWS": ROLE}))]),
            A,
        ),
        (
            KMS,
            "no key policy given: IAM decides",
            decrypt().id(&[allow("kms:Decrypt", "*")]),
            A,
        ),
        (
            TRUST,
            "trust policy names the role",
            assume().rp(&[grant("sts:AssumeRole", "*", json!({"AWS": ROLE}))]),
            A,
        ),
        (
            TRUST,
            "trust policy names the account, IAM allows",
            assume().id(&[allow("sts:AssumeRole", target)]).rp(&[grant(
                "sts:AssumeRole",
                "*",
                json!({"AWS": ACCT}),
            )]),
            A,
        ),
        (
            TRUST,
            "trust policy names the account, IAM silent",
            assume().rp(&[grant("sts:AssumeRole", "*", json!({"AWS": ACCT}))]),
            I,
        ),
        (
            TRUST,
            "trust policy names someone else, IAM allows",
            assume().id(&[allow("sts:AssumeRole", target)]).rp(&[grant(
                "sts:AssumeRole",
                "*",
                json!({"Service": "lambda.amazonaws.com"}),
            )]),
            I,
        ),
        (
            TRUST,
            "trust policy for a service",
            In::new("sts:AssumeRole", target)
                .caller("service:lambda.amazonaws.com")
                .rp(&[grant(
                    "sts:AssumeRole",
                    "*",
                    json!({"Service": "lambda.amazonaws.com"}),
                )]),
            A,
        ),
    ]
}

fn all_cases() -> Vec<(&'static str, &'static str, In, &'static str)> {
    let mut all = Vec::new();
    all.extend(condition_cases());
    all.extend(multivalued_cases());
    all.extend(logic_cases());
    all.extend(variable_cases());
    all.extend(wildcard_cases());
    all.extend(not_element_cases());
    all.extend(precedence_cases());
    all.extend(boundary_session_cases());
    all.extend(cross_account_cases());
    all.extend(org_cases());
    all.extend(principal_cases());
    all.extend(key_and_trust_cases());
    all
}

#[test]
fn documented_evaluation_cases() {
    let cases = all_cases();
    assert!(cases.len() >= 250, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (cite, name, input, expect) in &cases {
        assert!(
            cite.starts_with("https://") && cite.contains(" — "),
            "{name}: cite a section"
        );
        let got = decide(input);
        if got != *expect {
            failures.push(format!(
                "{name}: expected {expect}, got {got}\n  ({cite})\n  {}",
                input.text()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Input errors name the policy and the position and never decide.
#[test]
fn bad_input_is_an_error_naming_the_policy() {
    let bad: Vec<(&str, String, &str)> = vec![
        ("malformed policy string", r#"{"PolicyInputList": ["{\"Version\": \"2012-10-17\", \"Statement\": ["], "ActionNames": ["s3:GetObject"]}"#.into(), "PolicyInputList.1 (line 1, column"),
        ("unknown operator", In::new("s3:GetObject", OBJ).id(&[cond(allow("s3:*", "*"), "StringEqualz", "aws:username", json!("a"))]).text(), "unknown condition operator `StringEqualz`"),
        ("NullIfExists", In::new("s3:GetObject", OBJ).id(&[cond(allow("s3:*", "*"), "NullIfExists", "aws:username", json!("true"))]).text(), "unknown condition operator"),
        ("numeric value", In::new("s3:GetObject", OBJ).id(&[cond(allow("s3:*", "*"), "NumericLessThan", "s3:max-keys", json!("ten"))]).text(), "`ten` is not a valid value for NumericLessThan"),
        ("date value", In::new("s3:GetObject", OBJ).id(&[cond(allow("s3:*", "*"), "DateLessThan", "aws:CurrentTime", json!("yesterday"))]).text(), "is not a valid value for DateLessThan"),
        ("ip value", In::new("s3:GetObject", OBJ).id(&[cond(allow("s3:*", "*"), "IpAddress", "aws:SourceIp", json!("10.0.0.0/99"))]).text(), "is not a valid value for IpAddress"),
        ("context type", In::new("s3:GetObject", OBJ).id(&[allow("s3:*", "*")]).ctx_typed("s3:max-keys", &["ten"], "numeric").text(), "`ten` is not a numeric value"),
        ("context type name", In::new("s3:GetObject", OBJ).id(&[allow("s3:*", "*")]).ctx_typed("s3:max-keys", &["1"], "integer").text(), "unknown ContextKeyType"),
        ("single value type", In::new("s3:GetObject", OBJ).id(&[allow("s3:*", "*")]).ctx_typed("aws:username", &["a", "b"], "string").text(), "takes one value"),
        ("effect", In::new("s3:GetObject", OBJ).id(&[st("Permit", json!("s3:*"), json!("*"))]).text(), "Effect must be"),
        ("principal in identity policy", In::new("s3:GetObject", OBJ).id(&[principal(allow("s3:*", "*"), json!("*"))]).text(), "cannot have a Principal"),
        ("resource policy without principal", In::new("s3:GetObject", OBJ).rp(&[allow("s3:*", "*")]).text(), "needs a Principal"),
        ("NotPrincipal with Allow", In::new("s3:GetObject", OBJ).rp(&[not_principal(allow("s3:*", "*"), json!({"AWS": ROLE}))]).text(), "NotPrincipal is only supported"),
        ("no actions", r#"{"PolicyInputList": []}"#.into(), "ActionNames"),
        ("unknown parameter", r#"{"ActionNames": ["s3:GetObject"], "PolicyInputLists": []}"#.into(), "unknown parameter `PolicyInputLists`"),
        ("caller", In::new("s3:GetObject", OBJ).caller("alice").text(), "CallerArn"),
        ("two boundaries", In::new("s3:GetObject", OBJ).boundary(&[allow("*", "*")]).boundary(&[allow("*", "*")]).text(), "at most one permissions boundary"),
        ("unknown element", In::new("s3:GetObject", OBJ).id(&[json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Resources": "*"})]).text(), "unknown statement element `Resources`"),
        ("not JSON", "{".into(), "case.json (line 1"),
    ];
    for (name, text, want) in bad {
        match input::parse("case.json", &text) {
            Ok(_) => panic!("{name}: accepted {text}"),
            Err(e) => assert!(e.to_string().contains(want), "{name}: `{e}` lacks `{want}`"),
        }
    }
}

#[test]
fn output_has_the_aws_cli_shape() {
    let sim = input::parse(
        "case.json",
        &In::new("s3:GetObject", OBJ)
            .caller(ROLE)
            .id(&[
                allow("s3:*", "*"),
                cond(
                    deny("s3:GetObject", "*"),
                    "StringEquals",
                    "aws:PrincipalTag/team",
                    json!("red"),
                ),
            ])
            .boundary(&[allow("s3:*", "*")])
            .scp("root", &[&[allow("*", "*")]])
            .text(),
    )
    .expect("valid");
    let results = sim.run();
    let out = rolefit::simulate::to_json(&sim, &results);
    let r = &out["EvaluationResults"][0];
    assert_eq!(r["EvalActionName"], "s3:GetObject");
    assert_eq!(r["EvalResourceName"], OBJ);
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["MissingContextValues"], json!(["aws:PrincipalTag/team"]));
    assert_eq!(
        r["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        true
    );
    assert_eq!(
        r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    assert_eq!(r["EvalDecisionDetails"]["identity"], "allowed");
    assert_eq!(r["EvalDecisionDetails"]["scp"], "allowed");
    let types: Vec<&str> = r["MatchedStatements"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["SourcePolicyType"].as_str())
        .collect();
    assert_eq!(types, ["none", "permissions-boundary", "scp"]);
    let ids: Vec<&str> = r["MatchedStatements"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|m| m["SourcePolicyId"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "PolicyInputList.1",
            "PermissionsBoundaryPolicyInputList.1",
            "ServiceControlPolicies.root.1"
        ]
    );
}

/// The position convention of the AWS CLI example: the statement of
/// `{"Version":"2012-10-17","Statement":{...}}` runs from column 38 to column 167.
#[test]
fn positions_follow_the_aws_cli_example() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/simulate/aws-example.json"
    ))
    .expect("fixture");
    let sim = input::parse("aws-example.json", &text).expect("valid");
    let results = sim.run();
    let out = rolefit::simulate::to_json(&sim, &results);
    let m = &out["EvaluationResults"][0]["MatchedStatements"][0];
    assert_eq!(m["SourcePolicyId"], "PolicyInputList.1");
    assert_eq!(m["StartPosition"], json!({"Line": 1, "Column": 38}));
    assert_eq!(m["EndPosition"], json!({"Line": 1, "Column": 167}));
    // A policy given as an object: positions are in the input file.
    let text = r#"{
  "ActionNames": ["s3:GetObject"],
  "PolicyInputList": [
    {"Version": "2012-10-17",
     "Statement": [
       {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
     ]}
  ]
}"#;
    let sim = input::parse("obj.json", text).expect("valid");
    let results = sim.run();
    let out = rolefit::simulate::to_json(&sim, &results);
    let m = &out["EvaluationResults"][0]["MatchedStatements"][0];
    assert_eq!(m["StartPosition"], json!({"Line": 6, "Column": 9}));
    assert_eq!(m["EndPosition"], json!({"Line": 6, "Column": 62}));
}

/// One result per (action, resource) pair, actions outer, as `simulate-custom-policy` returns.
#[test]
fn one_result_per_action_and_resource() {
    let text = json!({
        "PolicyInputList": [pol(&[allow("s3:GetObject", "arn:aws:s3:::a/*")])],
        "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "ResourceArns": ["arn:aws:s3:::a/x", "arn:aws:s3:::b/x"],
    })
    .to_string();
    let sim = input::parse("case.json", &text).expect("valid");
    let got: Vec<(String, String, String)> = sim
        .run()
        .iter()
        .map(|r| {
            (
                r.action.clone(),
                r.resource.clone(),
                decision_name(&r.decision).to_string(),
            )
        })
        .collect();
    let want = [
        ("s3:GetObject", "arn:aws:s3:::a/x", A),
        ("s3:GetObject", "arn:aws:s3:::b/x", I),
        ("s3:PutObject", "arn:aws:s3:::a/x", I),
        ("s3:PutObject", "arn:aws:s3:::b/x", I),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0.as_str(), g.1.as_str(), g.2.as_str()), w);
    }
}

mod agreement {
    //! The JSON mode and the engine `audit` uses agree: any policies, action, resource and
    //! context given to `simulate --cli-input-json` get the decision `rolefit::iam::evaluate`
    //! gives the same policies and request.
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use rolefit::iam::{Decision, Policy, PolicySet, Request, evaluate, parse_policy_json};
    use rolefit::simulate::{decision_name, input};
    use rolefit::source::Span;

    const ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:PutObject",
        "sqs:SendMessage",
        "s3:*",
        "*",
        "s3:Get*",
    ];
    const RESOURCES: &[&str] = &[
        "arn:aws:s3:::docs/a.txt",
        "arn:aws:s3:::docs/*",
        "arn:aws:s3:::other/b",
        "arn:aws:sqs:us-east-1:111122223333:q",
        "*",
    ];
    const TEAMS: &[&str] = &["blue", "red", "Blue"];
    const OPS: &[&str] = &[
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringEqualsIgnoreCase",
        "ForAnyValue:StringEquals",
        "ForAllValues:StringEquals",
        "StringEqualsIfExists",
        "Null",
    ];

    fn statement() -> impl Strategy<Value = Value> {
        (
            any::<bool>(),
            0..ACTIONS.len(),
            0..RESOURCES.len(),
            any::<bool>(),
            proptest::option::of((0..OPS.len(), 0..TEAMS.len())),
        )
            .prop_map(|(allow, a, r, not_action, c)| {
                let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }, "Resource": RESOURCES[r]});
                let key = if not_action { "NotAction" } else { "Action" };
                s[key] = json!(ACTIONS[a]);
                if let Some((op, t)) = c {
                    let value = if OPS[op] == "Null" { "true" } else { TEAMS[t] };
                    s["Condition"] = json!({OPS[op]: {"aws:PrincipalTag/team": value}});
                }
                s
            })
    }

    fn policy() -> impl Strategy<Value = Value> {
        proptest::collection::vec(statement(), 0..4)
            .prop_map(|st| json!({"Version": "2012-10-17", "Statement": st}))
    }

    fn parse(v: &Value) -> Policy {
        let (p, issues) = parse_policy_json(&v.to_string(), Span::default());
        assert!(issues.is_empty(), "{issues:?}");
        p
    }

    proptest! {
        #[test]
        fn json_mode_agrees_with_the_audit_engine(
            identity in proptest::collection::vec(policy(), 0..3),
            boundary in proptest::option::of(policy()),
            action in 0..3usize,
            resource in 0..4usize,
            team in proptest::option::of(0..TEAMS.len()),
        ) {
            let action = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"][action];
            let resource = RESOURCES[resource];
            let mut input_json = json!({
                "PolicyInputList": identity.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                "ActionNames": [action],
                "ResourceArns": [resource],
                "CallerArn": "arn:aws:iam::111122223333:role/app",
            });
            if let Some(b) = &boundary {
                input_json["PermissionsBoundaryPolicyInputList"] = json!([b.to_string()]);
            }
            if let Some(t) = team {
                input_json["ContextEntries"] = json!([{"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": [TEAMS[t]]}]);
            }
            let sim = input::parse("p.json", &input_json.to_string()).expect("valid input");
            let results = sim.run();
            prop_assert_eq!(results.len(), 1);
            let via_json = decision_name(&results[0].decision);

            let identity: Vec<Policy> = identity.iter().map(parse).collect();
            let boundary = boundary.as_ref().map(parse);
            let set = PolicySet {
                identity: identity.iter().collect(),
                boundary: boundary.as_ref(),
                ..PolicySet::default()
            };
            let mut req = Request::new("arn:aws:iam::111122223333:role/app", action, resource);
            // The simulator's rule: keys not given are absent.
            req.absent_prefixes = vec![String::new()];
            if let Some(t) = team {
                req = req.with_context("aws:PrincipalTag/team", &[TEAMS[t]]);
            }
            let direct = evaluate(&set, &req);
            let definite = !matches!(direct, Decision::Conditional { .. });
            prop_assert!(definite, "a closed-world request has a definite answer");
            prop_assert_eq!(via_json, decision_name(&direct));
        }
    }
}
