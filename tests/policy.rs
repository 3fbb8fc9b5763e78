//! `rolefit policy`: the least-privilege policy per function, as IAM JSON or a snippet in
//! the function's own syntax; and every missing/wildcard finding carries its fix.

use std::path::Path;
use std::process::{Command, Output};

fn demo() -> String {
    format!("{}/fixtures/demo", env!("CARGO_MANIFEST_DIR"))
}

fn policy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .arg("policy")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn json_has_one_policy_per_function_with_what_the_code_needs() {
    let out = policy(&[&demo()]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let map = doc.as_object().expect("by function id");
    assert_eq!(map.len(), 3);
    let create = &doc["template.yaml#CreateOrderFunction"];
    assert_eq!(create["Version"], "2012-10-17");
    let statements = create["Statement"].as_array().expect("statements");
    assert!(statements.iter().any(|s| {
        s["Action"] == "sqs:SendMessage"
            && s["Resource"] == "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${OrdersQueue}"
    }));
    assert!(
        statements
            .iter()
            .all(|s| s["Resource"] != "*" && !s["Action"].to_string().contains('*')),
        "least privilege: no wildcard the needs do not hold"
    );
}

#[test]
fn snippets_in_each_syntax_for_selected_functions() {
    let sam = policy(&["GetOrderFunction", "--format", "sam", &demo()]);
    let text = String::from_utf8_lossy(&sam.stdout);
    assert!(text.starts_with("# GetOrderFunction (template.yaml#GetOrderFunction)\nGetOrderFunction:\n  Properties:\n    Policies:\n      - Statement:\n"), "{text}");
    assert!(text.contains(
        "- !Sub \"arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}\""
    ));
    assert!(!text.contains("CreateOrderFunction"));

    let cfn = policy(&["GetOrderFunction", "--format", "cloudformation", &demo()]);
    let text = String::from_utf8_lossy(&cfn.stdout);
    assert!(text.contains("Type: AWS::IAM::Policy"));
    assert!(text.contains("- !Ref GetOrderFunctionRole"), "{text}");

    let tf = policy(&["GetOrderFunction", "--format", "terraform", &demo()]);
    let text = String::from_utf8_lossy(&tf.stdout);
    assert!(text.contains("data \"aws_iam_policy_document\" \"getorderfunction\" {"));
    assert!(text.contains(
        "${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/"
    ));

    let sls = policy(&["GetOrderFunction", "--format", "serverless", &demo()]);
    let text = String::from_utf8_lossy(&sls.stdout);
    assert!(text.contains("functions:\n  GetOrderFunction:\n    iamRoleStatements:\n"));
    assert!(text.contains("${aws:region}:${aws:accountId}"));

    let native = policy(&["GetOrderFunction", "--format", "native", &demo()]);
    assert_eq!(
        native.stdout, sam.stdout,
        "a SAM function's own syntax is SAM"
    );
}

#[test]
fn an_unknown_function_fails_with_2() {
    let out = policy(&["NoSuchFunction", &demo()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NoSuchFunction"));
}

#[test]
fn missing_and_wildcard_findings_carry_their_fix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for app in std::fs::read_dir(root).expect("fixtures").flatten() {
        if !app.path().is_dir() {
            continue;
        }
        let audit = rolefit::app::audit(&[app.path()], &Default::default()).expect("audit");
        for f in &audit.report.findings {
            if matches!(f.rule, "missing-permission" | "wildcard-permission") {
                assert!(
                    f.fix.is_some(),
                    "{}: {} has no fix",
                    app.path().display(),
                    f.message
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} findings checked");
}
