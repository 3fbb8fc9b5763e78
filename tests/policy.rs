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
    assert!(text.contains("- !GetAtt OrdersTable.Arn"), "{text}");
    assert!(!text.contains("CreateOrderFunction"));

    let cfn = policy(&["GetOrderFunction", "--format", "cloudformation", &demo()]);
    let text = String::from_utf8_lossy(&cfn.stdout);
    assert!(text.contains("Type: AWS::IAM::Policy"));
    assert!(text.contains("- !Ref GetOrderFunctionRole"), "{text}");
    assert!(text.contains("- !GetAtt OrdersTable.Arn"), "{text}");

    // A template's resources are no Terraform addresses: literal ARNs with the module's
    // (or declared) data sources.
    let tf = policy(&["GetOrderFunction", "--format", "terraform", &demo()]);
    let text = String::from_utf8_lossy(&tf.stdout);
    assert!(text.contains("data \"aws_iam_policy_document\" \"getorderfunction\" {"));
    assert!(text.contains(
        "${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/"
    ));
    assert!(
        text.contains("data \"aws_region\" \"current\" {}"),
        "{text}"
    );

    // Core Serverless reads `provider.iam.role.statements` only.
    let sls = policy(&["GetOrderFunction", "--format", "serverless", &demo()]);
    let text = String::from_utf8_lossy(&sls.stdout);
    assert!(
        text.contains("provider:\n  iam:\n    role:\n      statements:\n"),
        "{text}"
    );
    assert!(text.contains("${aws:region}:${aws:accountId}"));

    let native = policy(&["GetOrderFunction", "--format", "native", &demo()]);
    assert_eq!(
        native.stdout, sam.stdout,
        "a SAM function's own syntax is SAM"
    );
}

/// The demo's policies deploy: a queue ARN by `GetAtt` (its `Ref` is the URL), a SAM policy
/// template where one grants exactly the statement, bucket objects under the bucket's ARN,
/// and the function's own log group by name pattern (its `Ref` inside its own role would be
/// a circular dependency).
#[test]
fn native_snippets_use_references_that_deploy() {
    let out = policy(&["--format", "native", &demo()]);
    let text = String::from_utf8_lossy(&out.stdout);
    let create = "# CreateOrderFunction (template.yaml#CreateOrderFunction)
CreateOrderFunction:
  Properties:
    Policies:
      - SQSSendMessagePolicy:
          QueueName: !GetAtt OrdersQueue.QueueName
      - Statement:
          - Effect: Allow
            Action:
              - dynamodb:PutItem
            Resource:
              - !GetAtt OrdersTable.Arn
          - Effect: Allow
            Action:
              - logs:CreateLogGroup
            Resource:
              - !Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*:*\"
";
    assert!(text.starts_with(create), "{text}");
    assert!(text.contains("- !GetAtt OrdersQueue.Arn\n"), "{text}");
    assert!(text.contains("- !Sub \"${ReceiptsBucket.Arn}/receipts/*/*.json\"\n"));
    for bad in [
        "${OrdersQueue}",
        "${CreateOrderFunction}",
        "${GetOrderFunction}",
    ] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
}

fn findings(dir: &str) -> Vec<rolefit::report::FindingReport> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    rolefit::app::audit(&[root], &Default::default())
        .expect("audit")
        .report
        .findings
}

#[test]
fn fix_text_is_the_policy_text_of_the_fix() {
    let found = findings("fixtures/demo");
    let text = |rule: &str, function: &str| {
        found
            .iter()
            .find(|f| f.rule == rule && f.function.as_deref() == Some(function))
            .and_then(|f| f.fix_text.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        text("missing-permission", "template.yaml#CreateOrderFunction"),
        "- SQSSendMessagePolicy:\n    QueueName: !GetAtt OrdersQueue.QueueName\n"
    );
    assert_eq!(
        text("wildcard-permission", "template.yaml#GetOrderFunction"),
        "- Statement:\n    - Effect: Allow\n      Action:\n        - dynamodb:GetItem\n      Resource:\n        - !GetAtt OrdersTable.Arn\n"
    );
    // `rolefit policy` writes the same items, indented under `Policies:`.
    let out = policy(&["CreateOrderFunction", "--format", "native", &demo()]);
    let snippet = String::from_utf8_lossy(&out.stdout);
    assert!(snippet.contains(
        "      - SQSSendMessagePolicy:\n          QueueName: !GetAtt OrdersQueue.QueueName\n"
    ));
    // Every finding with a fix has its text.
    for f in &found {
        assert_eq!(f.fix.is_some(), f.fix_text.is_some(), "{}", f.message);
    }
}

#[test]
fn terraform_fix_text_uses_resource_attributes_and_declares_data_sources() {
    let found = findings("fixtures/tf-esm-sqs");
    let dlq = found
        .iter()
        .find(|f| f.rule == "missing-permission" && f.actions == ["sqs:SendMessage"])
        .and_then(|f| f.fix_text.clone())
        .unwrap_or_default();
    assert_eq!(
        dlq,
        "statement {\n  effect    = \"Allow\"\n  actions   = [\"sqs:SendMessage\"]\n  resources = [aws_sqs_queue.orders_dlq.arn]\n}\n"
    );
    let out = policy(&["--format", "native", "fixtures/tf-esm-sqs"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("resources = [aws_sqs_queue.orders.arn]"),
        "{text}"
    );
    // The module declares no `aws_region`: the text declares what it reads.
    assert!(
        text.contains(
            "\n}\ndata \"aws_caller_identity\" \"current\" {}\ndata \"aws_region\" \"current\" {}\n"
        ),
        "{text}"
    );
}

#[test]
fn serverless_texts_follow_where_the_role_is() {
    // Custom roles under `resources:` take CloudFormation statements in that role.
    let out = policy(&["charge", "--format", "native", "fixtures/sls-resources-cfn"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("- !GetAtt Invoices.Arn"), "{text}");
    // The per-function form only with the plugin that reads it.
    let out = policy(&["--format", "native", "fixtures/sls-node-per-function-roles"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("functions:\n  thumbnails:\n    iamRoleStatements:\n"),
        "{text}"
    );
    let out = policy(&[
        "charge",
        "--format",
        "serverless",
        "fixtures/sls-resources-cfn",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("provider:\n  iam:\n    role:\n      statements:\n"),
        "{text}"
    );
    assert!(
        text.contains("- {\"Fn::GetAtt\":[\"Invoices\",\"Arn\"]}"),
        "{text}"
    );
}

fn audit_text(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<rolefit::report::FindingReport>) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, text).expect("write");
    }
    let found = rolefit::app::audit(&[dir.path().to_path_buf()], &Default::default())
        .expect("audit")
        .report
        .findings;
    (dir, found)
}

const HANDLER: &str = "import boto3, os
sns = boto3.client('sns')
def handler(event, context):
    sns.publish(TopicArn=os.environ['TOPIC'], Message='x')
";

/// A log group named after the function depends on it, so the role cannot name it: the
/// name pattern is written instead. A topic's `Ref` is its ARN.
#[test]
fn no_reference_closes_a_dependency_cycle() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/aws/lambda/${Fn}"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
      Role: !GetAtt Role.Arn
      LoggingConfig:
        LogGroup: !Ref Logs
      Environment:
        Variables:
          TOPIC: !Ref Topic
"#;
    let (dir, found) = audit_text(&[("template.yaml", template), ("src/app.py", HANDLER)]);
    let texts: Vec<String> = found.iter().filter_map(|f| f.fix_text.clone()).collect();
    let all = texts.join("");
    assert!(all.contains("- !Ref Topic\n"), "{all}");
    let out = policy(&["--format", "native", &dir.path().to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("- !Ref Topic\n"), "{text}");
    assert!(
        !text.contains("${Logs}") && !text.contains("Logs.Arn") && !text.contains("${Fn}"),
        "{text}"
    );
    assert!(text.contains("log-group:/aws/lambda/*"), "{text}");
}

#[test]
fn json_templates_get_json_intrinsics() {
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Transform": "AWS::Serverless-2016-10-31",
  "Resources": {
    "Topic": {"Type": "AWS::SNS::Topic"},
    "Fn": {
      "Type": "AWS::Serverless::Function",
      "Properties": {
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "CodeUri": "src/",
        "Environment": {"Variables": {"TOPIC": {"Ref": "Topic"}}}
      }
    }
  }
}"#;
    let (_dir, found) = audit_text(&[("template.json", template), ("src/app.py", HANDLER)]);
    let text = found
        .iter()
        .find(|f| f.rule == "missing-permission")
        .and_then(|f| f.fix_text.clone())
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON fix text");
    assert_eq!(
        v,
        serde_json::json!([{"SNSPublishMessagePolicy": {"TopicName": {"Fn::GetAtt": ["Topic", "TopicName"]}}}]),
        "{text}"
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

/// SAM writes an `S3` event into the bucket's notification configuration, so the bucket
/// depends on the function: its policy names the bucket by name, not by reference.
#[test]
fn a_bucket_that_triggers_the_function_is_named_not_referenced() {
    let out = policy(&["--format", "native", "fixtures/sam-recursive-s3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("PhotosBucket") && !text.contains("ScansBucket"),
        "{text}"
    );
    assert!(text.contains(
        "- !Sub \"arn:${AWS::Partition}:s3:::${AWS::StackName}-photos-${AWS::AccountId}/clean/*\""
    ));
}
