//! `rolefit simulate` as scripts use it: both modes, both formats, exit statuses.

use std::io::Write;
use std::process::{Command, Stdio};

fn rolefit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
}

fn data(name: &str) -> String {
    format!("{}/tests/data/simulate/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> String {
    format!("{}/fixtures/demo", env!("CARGO_MANIFEST_DIR"))
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn cli_input_json_in_both_formats() {
    let input = format!("file://{}", data("organization.json"));
    let out = rolefit()
        .args(["simulate", "--cli-input-json", &input, "--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let results = v["EvaluationResults"].as_array().expect("results");
    let decisions: Vec<&str> = results
        .iter()
        .filter_map(|r| r["EvalDecision"].as_str())
        .collect();
    // The SCP of the OU denies deletes; the session policy allows only S3.
    assert_eq!(decisions, ["allowed", "explicitDeny", "implicitDeny"]);
    let deny = &results[1]["MatchedStatements"][0];
    assert_eq!(
        deny["SourcePolicyId"],
        "ServiceControlPolicies.ou-workloads.1"
    );
    assert_eq!(deny["SourcePolicyType"], "scp");
    assert_eq!(deny["StartPosition"]["Line"], 1);
    assert_eq!(
        results[0]["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        true
    );
    assert_eq!(
        results[1]["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        false
    );
    assert_eq!(results[2]["EvalDecisionDetails"]["session"], "implicitDeny");

    let human = rolefit()
        .args([
            "simulate",
            "--cli-input-json",
            &data("organization.json"),
            "--color",
            "never",
        ])
        .output()
        .expect("runs");
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("s3:DeleteObject on arn:aws:s3:::reports/2024/q1.csv: explicitDeny"),
        "{text}"
    );
    assert!(
        text.contains("ServiceControlPolicies.ou-workloads.1: denies s3:DeleteObject"),
        "{text}"
    );
    assert!(
        text.contains("the session policies do not allow it"),
        "{text}"
    );
}

#[test]
fn cli_input_json_from_standard_input() {
    let text = std::fs::read(data("aws-example.json")).expect("fixture");
    let mut child = rolefit()
        .args(["simulate", "--cli-input-json", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&text)
        .expect("writes");
    let out = child.wait_with_output().expect("finishes");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    assert_eq!(r["MatchedStatements"][0]["StartPosition"]["Column"], 38);
    assert_eq!(r["MatchedStatements"][0]["EndPosition"]["Column"], 167);
}

#[test]
fn bad_input_exits_2_naming_the_policy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        r#"{"ActionNames": ["s3:GetObject"], "PolicyInputList": ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":{\"aws:username\":\"a\"}}}]}"]}"#,
    )
    .expect("writes");
    let out = rolefit()
        .args([
            "simulate",
            "--cli-input-json",
            &path.to_string_lossy(),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no decision on bad input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PolicyInputList.1 (line 1, column"), "{err}");
    assert!(
        err.contains("unknown condition operator `StringEqualz`"),
        "{err}"
    );

    // A deploy-time placeholder leaves the answer open: an error, not a guess.
    std::fs::write(
        &path,
        r#"{"ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::b/k"], "PolicyInputList": ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::${Bucket}/*\"}]}"]}"#,
    )
    .expect("writes");
    let out = rolefit()
        .args(["simulate", "--cli-input-json", &path.to_string_lossy()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a policy variable"));

    let missing = rolefit()
        .args([
            "simulate",
            "--cli-input-json",
            "file:///nonexistent/input.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
}

/// The issue's demo check: CreateOrderFunction cannot send to the queue, and the human output
/// shows the role's statements, none of which allows it.
#[test]
fn function_mode_on_the_demo_app() {
    let args = [
        "simulate",
        "--function",
        "CreateOrderFunction",
        "--action",
        "sqs:SendMessage",
        "--resource",
        "arn:aws:sqs:us-east-1:123456789012:orders",
    ];
    let out = rolefit()
        .args(args)
        .arg(demo())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "implicitDeny");
    assert_eq!(
        r["EvalResourceName"],
        "arn:aws:sqs:us-east-1:123456789012:orders"
    );
    assert_eq!(r["EvalDecisionDetails"]["identity"], "implicitDeny");

    let human = rolefit()
        .args(args)
        .arg(demo())
        .args(["--color", "never"])
        .output()
        .expect("runs");
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains(": implicitDeny"), "{text}");
    assert!(
        text.contains("template.yaml:"),
        "explained at the template: {text}"
    );
    assert!(
        text.contains("DynamoDBWritePolicy: does not allow sqs:SendMessage"),
        "{text}"
    );

    // A logical id, and a grant the role has: allowed at the SAM policy template's line.
    let out = rolefit()
        .args([
            "simulate",
            "--function",
            "CreateOrderFunction",
            "--action",
            "dynamodb:PutItem",
            "--resource",
            "OrdersTable",
        ])
        .arg(demo())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "allowed");
    let m = &r["MatchedStatements"][0];
    assert_eq!(m["SourcePolicyId"], "DynamoDBWritePolicy");
    assert_eq!(m["SourceFile"], "template.yaml");
    assert_eq!(m["StartPosition"]["Line"], 55);

    let unknown = rolefit()
        .args([
            "simulate",
            "--function",
            "NoSuchFunction",
            "--action",
            "s3:GetObject",
        ])
        .arg(demo())
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("CreateOrderFunction"));
}

#[test]
fn the_two_modes_exclude_each_other() {
    let out = rolefit()
        .args([
            "simulate",
            "--cli-input-json",
            "x.json",
            "--function",
            "F",
            "--action",
            "s3:GetObject",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let none = rolefit().args(["simulate"]).output().expect("runs");
    assert_eq!(none.status.code(), Some(2));
}

/// Both modes' JSON validates against `schema/simulate-v1.json`.
#[test]
fn json_output_validates_against_the_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schema/simulate-v1.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let runs: Vec<Vec<String>> = vec![
        vec!["--cli-input-json".into(), data("organization.json")],
        vec!["--cli-input-json".into(), data("aws-example.json")],
        vec![
            "--function".into(),
            "CreateOrderFunction".into(),
            "--action".into(),
            "sqs:SendMessage".into(),
            demo(),
        ],
        vec![
            "--function".into(),
            "CreateOrderFunction".into(),
            "--action".into(),
            "dynamodb:PutItem".into(),
            "--resource".into(),
            "arn:aws:dynamodb:*:*:table/*".into(),
            demo(),
        ],
        vec![
            "--function".into(),
            "GetOrderFunction".into(),
            "--action".into(),
            "dynamodb:GetItem".into(),
            demo(),
        ],
    ];
    for args in runs {
        let out = rolefit()
            .arg("simulate")
            .args(&args)
            .args(["--format", "json"])
            .output()
            .expect("runs");
        let v = json_of(&out);
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
    }
}

/// A resource the needs name with parts the app does not say (`*`) is not the character `*`:
/// the answer is `conditional` where a grant may cover it, as in `audit`.
#[test]
fn unknown_resource_parts_are_conditional_in_function_mode() {
    let out = rolefit()
        .args([
            "simulate",
            "--function",
            "GetOrderFunction",
            "--action",
            "dynamodb:GetItem",
            "--resource",
            "arn:aws:dynamodb:*:*:table/*",
        ])
        .arg(demo())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    // GetOrderFunction's policy allows dynamodb:* on "*": any table is allowed.
    assert_eq!(r["EvalDecision"], "allowed");
    let out = rolefit()
        .args([
            "simulate",
            "--function",
            "CreateOrderFunction",
            "--action",
            "dynamodb:PutItem",
            "--resource",
            "arn:aws:dynamodb:*:*:table/*",
        ])
        .arg(demo())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    // DynamoDBWritePolicy names OrdersTable only: the unknown table may or may not be it.
    assert_eq!(r["EvalDecision"], "conditional");
    assert_eq!(r["EvalDecisionDetails"]["identity"], "conditional");
}

/// A function the app declares is a resource with a policy: its Lambda permissions, shown at
/// the `AWS::Lambda::Permission` that declares each grant.
#[test]
fn function_mode_reads_lambda_permissions_as_the_resource_policy() {
    let app = format!(
        "{}/fixtures/cfn-confused-deputy",
        env!("CARGO_MANIFEST_DIR")
    );
    let args = [
        "simulate",
        "--function",
        "ClassifyDocumentFunction",
        "--action",
        "lambda:InvokeFunction",
        "--resource",
        "IndexDocumentFunction",
    ];
    let out = rolefit()
        .args(args)
        .arg(&app)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v = json_of(&out);
    let r = &v["EvaluationResults"][0];
    // The grants name SNS and EventBridge, not the role; the role grants nothing.
    assert_eq!(r["EvalDecision"], "implicitDeny");
    assert_eq!(r["EvalDecisionDetails"]["resource"], "implicitDeny");
    let human = rolefit()
        .args(args)
        .arg(&app)
        .args(["--color", "never"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains(
            "IndexDocumentFunction resource-based policy: does not allow lambda:InvokeFunction"
        ),
        "{text}"
    );
    assert!(
        text.contains("TopicInvokePermission"),
        "shown at the permission: {text}"
    );
}
