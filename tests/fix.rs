//! `rolefit fix`: templates edited in place so the role findings go away, on copies of the
//! fixtures (never the fixtures themselves).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use rolefit::fix::{self, Options};

mod common;
use common::{audit, copy, fixtures};

fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    copy(&fixtures().join(name), dir.path());
    dir
}

fn rolefit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn the_demo_is_fixed_clean_with_the_smallest_change() {
    let dir = fixture_copy("demo");
    let before = std::fs::read_to_string(dir.path().join("template.yaml")).expect("read");
    let (needs, findings) = audit(dir.path());
    assert!(!findings.is_empty());
    let out = rolefit(&["fix", &dir.path().to_string_lossy()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let after = std::fs::read_to_string(dir.path().join("template.yaml")).expect("read");
    let (needs_after, left) = audit(dir.path());
    assert_eq!(needs, needs_after, "the needs are unchanged");
    assert!(left.is_empty(), "{left:?}");
    // Untouched lines stay, comments included; only the policies changed.
    for line in before.lines() {
        let in_policies = line.contains("# expect:")
            || line.trim_start().starts_with("- Effect")
            || line.contains("Resource:")
            || line.contains("Action:")
            || line.contains("TableName:")
            || line.contains("BucketName:")
            || line.contains("- Statement:");
        if !in_policies {
            assert!(after.contains(line), "lost line {line:?}");
        }
    }
    assert!(after.contains(
        "      Policies:\n        - SQSSendMessagePolicy:\n            QueueName: !GetAtt OrdersQueue.QueueName\n"
    ));
    // A second run changes nothing.
    let again = rolefit(&["fix", "--diff", &dir.path().to_string_lossy()]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn diff_and_dry_run_write_nothing() {
    let dir = fixture_copy("demo");
    let path = dir.path().join("template.yaml");
    let before = std::fs::read_to_string(&path).expect("read");
    let out = rolefit(&["fix", "--diff", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/template.yaml\n+++ b/template.yaml\n"),
        "{diff}"
    );
    assert!(diff.contains("-        - DynamoDBWritePolicy: # expect: unused-permission\n"));
    let out = rolefit(&["fix", "--dry-run", &dir.path().to_string_lossy()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("would fix"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
}

#[test]
fn line_endings_of_the_file_are_kept() {
    let dir = fixture_copy("demo");
    let path = dir.path().join("template.yaml");
    let crlf = std::fs::read_to_string(&path)
        .expect("read")
        .replace('\n', "\r\n");
    std::fs::write(&path, &crlf).expect("write");
    let out = rolefit(&["fix", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0));
    let after = std::fs::read_to_string(&path).expect("read");
    assert_ne!(after, crlf);
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
}

#[test]
fn one_function_and_one_rule_at_a_time() {
    let dir = fixture_copy("demo");
    let root = dir.path().to_string_lossy().to_string();
    let out = rolefit(&[
        "fix",
        "--function",
        "GetOrderFunction",
        "--rule",
        "wildcard-permission",
        &root,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (_, left) = audit(dir.path());
    assert!(
        !left
            .iter()
            .any(|(r, m)| r == "wildcard-permission" && m.contains("GetOrderFunction"))
    );
    assert!(
        left.iter()
            .any(|(r, m)| r == "missing-permission" && m.contains("CreateOrderFunction"))
    );
    let out = rolefit(&["fix", "--function", "NoSuchFunction", &root]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn generated_templates_are_left_naming_the_construct() {
    let dir = fixture_copy("cdk-out");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.changes.is_empty());
    assert!(!outcome.left.is_empty());
    assert!(
        outcome
            .left
            .iter()
            .all(|l| l.why.contains("CDK construct `")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    let out = rolefit(&["fix", &dir.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(left: generated template"));
}

/// A CDK grant is known by its action set (policies/cdk-grants.json): the reason names the
/// grant call to change and the narrowest one that covers the needs.
#[test]
fn cdk_findings_name_the_grant_call_to_change() {
    let dir = fixture_copy("cdk-out-grants");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.changes.is_empty());
    let whys: BTreeSet<&str> = outcome.left.iter().map(|l| l.why.as_str()).collect();
    let want = [
        "change `orders.grantReadWriteData(getOrder)` to `orders.grantReadData(getOrder)`",
        "change `jobs.grantConsumeMessages(publishJob)` to `jobs.grantSendMessages(publishJob)`",
        "grant with `jobs.grantSendMessages(publishJob)`",
    ];
    for w in want {
        assert!(whys.iter().any(|y| y.contains(w)), "{w} not in {whys:?}");
    }
    assert!(
        whys.iter()
            .all(|y| y.contains("CDK construct `OrdersStack/")),
        "{whys:?}"
    );
}

/// Grants in an `AWS::IAM::Policy` and an `AWS::IAM::ManagedPolicy` attached to one role are
/// narrowed in place; the managed policy whose only statement goes is deleted with its
/// attachment.
#[test]
fn policy_resources_attached_to_one_role_are_narrowed() {
    let dir = fixture_copy("cfn-yaml-policy-resources");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(
        outcome.left.is_empty(),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    let after = &outcome.changes[0].after;
    assert!(!after.contains("sqs:*"));
    assert!(!after.contains("ThumbAccess"));
    assert!(after.contains("cloudwatch:PutMetricData"));
    assert!(after.contains("!Sub \"${Assets.Arn}/thumbs/*\""));
}

/// A flow-style statement list loses the element with its comma; the rest stays as written.
#[test]
fn flow_style_statements_are_edited_in_place() {
    let dir = fixture_copy("sam-flow-statements");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.left.is_empty());
    let after = &outcome.changes[0].after;
    assert!(after.contains(
        "        - Statement: [{Effect: Allow, Action: [sns:Publish], Resource: !Ref Events}]"
    ));
    assert!(!after.contains("s3:*"));
    assert!(after.contains("!Sub \"${Uploads.Arn}/*\""));
}

/// `serverless.json` is edited in place like a JSON template.
#[test]
fn serverless_json_is_edited_in_place() {
    let dir = fixture_copy("sls-json-statements");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(
        outcome.left.is_empty(),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    let after: serde_json::Value =
        serde_json::from_str(&outcome.changes[0].after).expect("still JSON");
    let statements = &after["provider"]["iam"]["role"]["statements"];
    assert_eq!(statements.as_array().map(Vec::len), Some(1));
    assert_eq!(
        statements[0]["Action"],
        serde_json::json!(["s3:GetObject", "s3:PutObject"])
    );
    assert!(!outcome.changes[0].after.contains("s3:*"));
}

/// A need whose resource pattern is wider than the resource the template granted is written
/// on that resource: a fix never widens a grant's resource.
#[test]
fn a_fix_keeps_the_narrower_resource_the_template_granted() {
    let dir = fixture_copy("cfn-yaml-shared-role-narrow");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(
        outcome.left.is_empty(),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    let after = &outcome.changes[0].after;
    assert!(after.contains("- !GetAtt CatalogEvents.Arn"), "{after}");
    assert!(!after.contains("event-bus/*"));
    assert!(!after.contains("AmazonDynamoDBFullAccess"));
    assert!(!after.contains("CatalogPublishPolicy"));
}

#[test]
fn an_explicit_deny_and_a_boundary_are_left_for_a_human() {
    let dir = fixture_copy("sam-deny-and-boundary");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    let whys: Vec<&str> = outcome.left.iter().map(|l| l.why.as_str()).collect();
    assert!(whys.iter().any(|w| w.contains("explicit Deny")), "{whys:?}");
    assert!(
        whys.iter().any(|w| w.contains("permissions boundary")),
        "{whys:?}"
    );
    // The role that can be fixed is.
    assert_eq!(outcome.changes.len(), 1);
    assert!(!outcome.changes[0].after.contains("DynamoDBCrudPolicy"));
}

/// Every fixture: after `fix`, no finding of the three rules is left but those it listed for
/// a human; the needs are unchanged; a second `fix` changes nothing.
#[test]
fn round_trip_over_every_fixture() {
    let mut fixed = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures").flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let dir = tempfile::tempdir().expect("temp");
        copy(&entry.path(), dir.path());
        let (needs, _) = audit(dir.path());
        let outcome =
            fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
        fix::apply(&outcome).expect("write");
        fixed += usize::from(!outcome.changes.is_empty());
        let (needs_after, findings) = audit(dir.path());
        assert_eq!(needs, needs_after, "{name}: needs changed");
        let listed: BTreeSet<(String, String)> = outcome
            .left
            .iter()
            .map(|l| (l.finding.rule.to_string(), l.finding.message.clone()))
            .collect();
        for f in &findings {
            assert!(listed.contains(f), "{name}: {f:?} left and not listed");
        }
        let again = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
        assert!(
            again.changes.is_empty(),
            "{name}: a second fix changed {:?}",
            again.changes
        );
    }
    assert!(fixed >= 40, "only {fixed} fixtures fixed");
}

/// `cfn-lint` errors of each template as `rule:message` without positions (one run for all);
/// `None` when cfn-lint does not run (`.ci/run` installs a pinned version).
fn lint_errors(files: &[PathBuf]) -> Option<Vec<BTreeSet<String>>> {
    let run = Command::new("cfn-lint")
        .args(["--format", "parseable", "--"])
        .args(files)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&run.stdout).to_string();
    let mut out = vec![BTreeSet::new(); files.len()];
    for line in text.lines() {
        // path:line:col:line:col:RULE:message
        let Some(i) = files
            .iter()
            .position(|f| line.starts_with(&format!("{}:", f.display())))
        else {
            continue;
        };
        let rest = &line[files[i].display().to_string().len() + 1..];
        let fields: Vec<&str> = rest.splitn(6, ':').collect();
        let (Some(rule), Some(message)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        if rule.starts_with('E') {
            // Messages may name lines, which an edit shifts.
            let message = message.split(" (line ").next().unwrap_or(message);
            out[i].insert(format!("{rule}:{message}"));
        }
    }
    Some(out)
}

/// Every template `fix` edits gains no cfn-lint error.
#[test]
fn fixed_templates_gain_no_cfn_lint_error() {
    if Command::new("cfn-lint").arg("--version").output().is_err() {
        eprintln!("skipped: cfn-lint is not installed (.ci/run installs it)");
        return;
    }
    let work = tempfile::tempdir().expect("temp");
    let mut pairs: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("fixtures").flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let dir = work.path().join(&name);
        copy(&entry.path(), &dir);
        let outcome = fix::plan(&dir, &Default::default(), &Options::default()).expect("plan");
        for change in &outcome.changes {
            let after = work
                .path()
                .join(format!("{name}-{}", change.file.replace('/', "-")));
            std::fs::write(&after, &change.after).expect("write");
            pairs.push((
                format!("{name}/{}", change.file),
                change.path.clone(),
                after,
            ));
        }
    }
    let files: Vec<PathBuf> = pairs
        .iter()
        .flat_map(|(_, before, after)| [before.clone(), after.clone()])
        .collect();
    let Some(errors) = lint_errors(&files) else {
        eprintln!("skipped: cfn-lint did not run");
        return;
    };
    for (i, (name, _, _)) in pairs.iter().enumerate() {
        let new: Vec<&String> = errors[2 * i + 1].difference(&errors[2 * i]).collect();
        assert!(new.is_empty(), "{name}: new cfn-lint errors {new:?}");
    }
    assert!(pairs.len() >= 40, "only {} templates checked", pairs.len());
}

/// JSON templates are edited in place: the elements that go with their comma, new ones at
/// the indentation of their neighbours, every other line kept; the result parses, audits
/// clean and a second fix changes nothing.
#[test]
fn json_templates_are_fixed_in_place() {
    let dir = tempfile::tempdir().expect("temp");
    let template = r#"{
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]
            }
        },
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Reader": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "src/",
                "Handler": "app.handler",
                "Runtime": "python3.12",
                "Environment": {"Variables": {"TABLE_NAME": {"Ref": "Table"}, "QUEUE_URL": {"Ref": "Queue"}}},
                "Policies": [
                    {
                        "Statement": [
                            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}
                        ]
                    },
                    {"S3ReadPolicy": {"BucketName": "some-bucket"}}
                ]
            }
        }
    }
}
"#;
    std::fs::write(dir.path().join("template.json"), template).expect("write");
    std::fs::create_dir_all(dir.path().join("src")).expect("dir");
    std::fs::write(
        dir.path().join("src/app.py"),
        "import os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE_NAME\"])\n\n\ndef handler(event, context):\n    table.get_item(Key={\"id\": \"1\"})\n    sqs.send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=\"x\")\n",
    )
    .expect("write");
    let (needs, findings) = audit(dir.path());
    assert!(findings.len() >= 3, "{findings:?}");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.left.is_empty(), "{:?}", outcome.left);
    fix::apply(&outcome).expect("write");
    let after = std::fs::read_to_string(dir.path().join("template.json")).expect("read");
    serde_json::from_str::<serde_json::Value>(&after).expect("still JSON");
    let (needs_after, left) = audit(dir.path());
    assert_eq!(needs, needs_after);
    assert!(left.is_empty(), "{left:?}");
    // Only the policies changed: the wildcard statement and the unused template went with
    // their commas, the queue's grant came in at the indentation of its neighbours.
    let removed = [
        "{\"Effect\": \"Allow\", \"Action\": \"dynamodb:*\", \"Resource\": \"*\"},",
        "{\"S3ReadPolicy\": {\"BucketName\": \"some-bucket\"}}",
    ];
    for line in template.lines() {
        if removed.iter().any(|r| line.trim() == *r) {
            assert!(!after.contains(line), "{after}");
        } else if line.trim() != "}" && line.trim() != "}," {
            assert!(after.contains(line), "lost {line:?}\n{after}");
        }
    }
    assert!(
        after.contains("                    },\n                    {\n                        \"SQSSendMessagePolicy\": {\n                            \"QueueName\": {\n"),
        "{after}"
    );
    let again = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(again.changes.is_empty(), "{}", fix::diff(&again));
}

/// Writes a one-function app: `template.yaml` and `src/app.py` sending to `Queue`.
fn queue_sender(template: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("template.yaml"), template).expect("write");
    std::fs::create_dir_all(dir.path().join("src")).expect("dir");
    std::fs::write(
        dir.path().join("src/app.py"),
        "import os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\n\n\ndef handler(event, context):\n    sqs.send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=\"x\")\n",
    )
    .expect("write");
    dir
}

/// Every statement of a role's inline policy goes: the policy written in its place keeps
/// the original name; every SAM `Policies` item goes: the new ones are written at the
/// original items' depth.
#[test]
fn emptied_policies_keep_their_name_and_depth() {
    let role = queue_sender(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: 'orders-access'\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Effect: Allow\n                Action: \"*\"\n                Resource: \"*\"\n  Sender:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      Role: !GetAtt Role.Arn\n      Environment:\n        Variables:\n          QUEUE_URL: !Ref Queue\n",
    );
    let outcome = fix::plan(role.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.left.is_empty(), "{:?}", outcome.left);
    let after = &outcome.changes[0].after;
    assert!(
        after.contains(
            "      Policies:\n        - PolicyName: 'orders-access'\n          PolicyDocument:\n"
        ),
        "{after}"
    );
    assert_eq!(after.matches("PolicyName").count(), 1, "{after}");
    assert!(after.contains("sqs:SendMessage"), "{after}");
    assert!(!after.contains("Action: \"*\""), "{after}");

    let sam = queue_sender(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Table:\n    Type: AWS::DynamoDB::Table\n  Sender:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      Policies:\n      - DynamoDBCrudPolicy:\n          TableName: !Ref Table\n      Environment:\n        Variables:\n          QUEUE_URL: !Ref Queue\n",
    );
    let outcome = fix::plan(sam.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.left.is_empty(), "{:?}", outcome.left);
    let after = &outcome.changes[0].after;
    assert!(
        after.contains("      Policies:\n      - SQSSendMessagePolicy:\n          QueueName: !GetAtt Queue.QueueName\n      Environment:\n"),
        "{after}"
    );
    for dir in [&role, &sam] {
        fix::apply(&fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan"))
            .expect("write");
        let again = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
        assert!(again.changes.is_empty(), "{}", fix::diff(&again));
    }
}
