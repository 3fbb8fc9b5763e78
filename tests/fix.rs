//! `rolefit fix`: templates edited in place so the role findings go away, on copies of the
//! fixtures (never the fixtures themselves).

use std::collections::{BTreeMap, BTreeSet};
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
        // Terraform files are checked by `terraform_fixes_parse_and_keep_their_needs`.
        for change in outcome.changes.iter().filter(|c| !c.file.ends_with(".tf")) {
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

/// A function's code that sends to the queue its `QUEUE_URL` names.
const QUEUE_SENDER_PY: &str = "import os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\n\n\ndef handler(event, context):\n    sqs.send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=\"x\")\n";

/// A temporary app of the given files (path from the app's root, text).
fn app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("dir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Writes a one-function app: `template.yaml` and `src/app.py` sending to `Queue`.
fn queue_sender(template: &str) -> tempfile::TempDir {
    app(&[("template.yaml", template), ("src/app.py", QUEUE_SENDER_PY)])
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

/// `terraform fmt` of a text (from standard input), or `None` when terraform does not run or
/// the text does not parse for it.
fn terraform_fmt(text: &str) -> Option<Result<String, String>> {
    use std::io::Write as _;
    let mut child = Command::new("terraform")
        .args(["fmt", "-no-color", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(text.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    })
}

/// Every Terraform fixture: the `.tf` files `fix` edits still parse (rolefit's HCL parser,
/// and `terraform fmt` when terraform is installed: `terraform validate` needs providers
/// downloaded by `terraform init`, which the tests do not do), a file `terraform fmt` left
/// as it was stays so, and the edits are in the forms the module writes.
#[test]
fn terraform_fixes_parse_and_keep_their_format() {
    let mut edited = 0;
    let mut formatted = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with("tf-") && !name.ends_with("-tf") {
            continue;
        }
        let dir = tempfile::tempdir().expect("temp");
        copy(&entry.path(), dir.path());
        let outcome =
            fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
        for c in &outcome.changes {
            assert!(c.file.ends_with(".tf"), "{name}: {} edited", c.file);
            edited += 1;
            if let Err(e) = hcl_edit::parser::parse_body(&c.after) {
                panic!("{name}/{}: does not parse: {e}\n{}", c.file, c.after);
            }
            match (terraform_fmt(&c.before), terraform_fmt(&c.after)) {
                (Some(Ok(before)), Some(after)) => {
                    let after =
                        after.unwrap_or_else(|e| panic!("{name}/{}: terraform fmt: {e}", c.file));
                    if before == c.before {
                        formatted += 1;
                        assert_eq!(
                            after, c.after,
                            "{name}/{}: the edit is not formatted",
                            c.file
                        );
                    }
                }
                (None, _) => eprintln!("skipped terraform fmt: terraform does not run"),
                _ => {}
            }
        }
    }
    assert!(edited >= 8, "only {edited} Terraform files edited");
    eprintln!("{formatted} formatted files stayed formatted");
}

/// Each Terraform policy form is edited where it is written, with resource attributes; a
/// policy other roles share is left for a human with the reason.
#[test]
fn terraform_policy_forms_are_edited_in_place() {
    let plan = |name: &str| {
        let dir = fixture_copy(name);
        let outcome =
            fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
        (fix::diff(&outcome), outcome)
    };
    // A JSON heredoc: the wildcard statement goes, the narrow ones are appended as JSON.
    let (diff, outcome) = plan("tf-heredoc-inline-policy");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains("-            \"Action\": \"s3:*\",\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+            \"Resource\": \"${aws_sqs_queue.invoice_events.arn}\"\n"),
        "{diff}"
    );
    // `statement` blocks of the module's `policy_json` document.
    let (diff, outcome) = plan("tf-lambda-module-policy-json");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains(
            "+    actions   = [\"sns:Publish\"]\n+    resources = [aws_sns_topic.done.arn]\n"
        ),
        "{diff}"
    );
    // The module's `policy_statements` and a customer policy attached to this role only.
    let (diff, outcome) = plan("tf-lambda-module-statements-bundle");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains("+        Action   = [\"dynamodb:UpdateItem\"]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+        Resource = [aws_sns_topic.alerts.arn]\n"),
        "{diff}"
    );
    assert!(diff.contains("-    legacy_bucket = {\n"), "{diff}");
    // An AWS managed policy attached to this role alone: detached, the used part written.
    let (diff, outcome) = plan("tf-managed-policy-partly-used");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains("-  policy_arn = \"arn:aws:iam::aws:policy/AmazonS3FullAccess\"\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+        Resource = [\"${aws_s3_bucket.media.arn}/originals/*\"]\n"),
        "{diff}"
    );
    // A customer policy two roles share is detached from each (its document stays for other
    // users), and what each role's function uses of it is written into the role's own policy.
    let (diff, outcome) = plan("tf-shared-customer-policy");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains("-resource \"aws_iam_role_policy_attachment\" \"producer_shared\" {\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-resource \"aws_iam_role_policy_attachment\" \"archiver_shared\" {\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("-    actions   = [\"sqs:SendMessage\""),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+    actions   = [\"sqs:SendMessage\"]\n+    resources = [aws_sqs_queue.events.arn]\n"
        ),
        "{diff}"
    );
    assert!(
        diff.contains("+        Action   = [\"sqs:DeleteMessage\", \"sqs:ReceiveMessage\"]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+        Action   = [\"s3:PutObject\"]\n"),
        "{diff}"
    );
    // The `roles` list of an `aws_iam_policy_attachment` and a role's `managed_policy_arns`:
    // each role's item goes, and the attachment left with no role goes with it.
    let (diff, outcome) = plan("tf-shared-policy-attachment");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        diff.contains("-  roles      = [aws_iam_role.reader.name, aws_iam_role.writer.name]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-resource \"aws_iam_policy_attachment\" \"jobs\" {\n"),
        "{diff}"
    );
    assert!(diff.contains("-    aws_iam_policy.jobs.arn,\n"), "{diff}");
    assert!(
        !diff.contains("-        Action   = \"dynamodb:*\""),
        "{diff}"
    );
    for action in ["dynamodb:GetItem", "dynamodb:Scan"] {
        assert!(
            diff.contains(&format!("+    actions   = [\"{action}\"]\n")),
            "{action}: {diff}"
        );
    }
    // Only one role of the list is fixed: the other keeps the policy.
    let dir = fixture_copy("tf-shared-policy-attachment");
    let outcome = fix::plan(
        dir.path(),
        &Default::default(),
        &Options {
            functions: vec!["writer".into()],
            ..Options::default()
        },
    )
    .expect("plan");
    let diff = fix::diff(&outcome);
    assert!(
        diff.contains("+  roles      = [aws_iam_role.reader.name]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+    actions   = [\"sqs:SendMessage\"]\n"),
        "{diff}"
    );
    // The lambda module's `attach_policy`/`policy`: both lines go, what the function uses is
    // written as the module's `policy_statements`.
    let (diff, outcome) = plan("tf-shared-policy-lambda-modules");
    assert!(outcome.left.is_empty(), "{diff}");
    assert_eq!(
        diff.matches("-  policy        = aws_iam_policy.sensors.arn\n")
            .count(),
        2,
        "{diff}"
    );
    assert_eq!(
        diff.matches("-  attach_policy = true\n").count(),
        2,
        "{diff}"
    );
    assert!(
        !diff.contains("-    actions   = [\"dynamodb:PutItem\""),
        "{diff}"
    );
    assert!(
        diff.contains("+      actions   = [\"dynamodb:Query\"]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+      actions   = [\"sns:Publish\"]\n"),
        "{diff}"
    );
    // A shared policy an `output` exports may be attached anywhere: left, naming the output;
    // the role's own policy is still narrowed.
    let (diff, outcome) = plan("tf-shared-policy-exported");
    assert_eq!(outcome.left.len(), 2, "{diff}");
    assert!(
        outcome
            .left
            .iter()
            .all(|l| l.why.contains("`output \"reports_read_policy_arn\"`")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    assert!(!diff.contains("aws_iam_policy.reports_read"), "{diff}");
    assert!(
        diff.contains("+        Action   = [\"dynamodb:PutItem\"]\n"),
        "{diff}"
    );
    // Roles fix cannot edit are listed with why.
    // A local module's role: its policy document is edited where the caller writes it.
    let (diff, outcome) = plan("tf-principal-tag-conditions");
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(diff.starts_with("--- a/main.tf\n"), "{diff}");
    assert!(
        diff.contains(
            "+    actions   = [\"sqs:SendMessage\"]\n+    resources = [aws_sqs_queue.work.arn]\n"
        ),
        "{diff}"
    );
    for (name, why) in [
        ("tf-resource-for-each", "for_each"),
        ("tf-local-modules", "for_each"),
    ] {
        let (_, outcome) = plan(name);
        assert!(!outcome.left.is_empty(), "{name}");
        assert!(
            outcome.left.iter().all(|l| l.why.contains(why)),
            "{name}: {:?}",
            outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
        );
    }
}

/// A need met one of several ways (a Kinesis poller: `DescribeStream`, or
/// `DescribeStreamSummary` with `ListShards`) stays met the way it was: `fix` grants again
/// every need granted before, so the needs and grants are unchanged.
#[test]
fn needs_met_by_an_alternative_stay_granted() {
    let dir = app(&[
        (
            "src/app.js",
            "exports.handler = async (event) => {\n  console.log(event.Records.length);\n};\n",
        ),
        (
            "main.tf",
            r#"resource "aws_kinesis_stream" "clicks" {
  name        = "clicks"
  shard_count = 1
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.reader.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "reader" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = [
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:ListShards",
          "kinesis:ListStreams",
        ]
        Resource = aws_kinesis_stream.clicks.arn
      },
    ]
  })
}

resource "aws_lambda_function" "reader" {
  function_name = "reader"
  role          = aws_iam_role.reader.arn
  runtime       = "nodejs20.x"
  handler       = "app.handler"
  filename      = "src"
}

resource "aws_lambda_event_source_mapping" "clicks" {
  event_source_arn  = aws_kinesis_stream.clicks.arn
  function_name     = aws_lambda_function.reader.arn
  starting_position = "LATEST"
}
"#,
        ),
    ]);
    let (needs, findings) = audit(dir.path());
    assert!(!findings.is_empty());
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(
        outcome.left.is_empty(),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    fix::apply(&outcome).expect("write");
    let (needs_after, left) = audit(dir.path());
    assert_eq!(needs, needs_after);
    assert!(left.is_empty(), "{left:?}");
    let text = std::fs::read_to_string(dir.path().join("main.tf")).expect("read");
    assert!(text.contains("\"kinesis:DescribeStreamSummary\""), "{text}");
    assert!(
        text.contains("Action   = [\"kinesis:ListStreams\"]\n"),
        "{text}"
    );
}

/// A Terraform plan is generated: its findings are listed for a human, nothing is edited.
#[test]
fn a_terraform_plan_is_left_for_a_human() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.exec", "mode": "managed", "type": "aws_iam_role", "name": "exec",
     "values": {"name": "exec",
       "assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}"}},
    {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api",
     "values": {"function_name": "api", "runtime": "python3.12", "handler": "app.handler"}}
  ]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_lambda_function.api", "expressions": {"role": {"references": ["aws_iam_role.exec.arn", "aws_iam_role.exec"]}}}
  ]}}
}"#;
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("plan.json"), plan).expect("write");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.changes.is_empty());
    assert!(!outcome.left.is_empty());
    assert!(
        outcome
            .left
            .iter()
            .all(|l| l.why.contains("Terraform plan")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
}

/// A statement written inside the role's own `inline_policy` refers by ARN, not by
/// reference, to a resource that refers to the role (here a queue whose policy names it):
/// the reference would close a dependency cycle (role → queue → role).
#[test]
fn terraform_inline_policy_takes_no_reference_that_closes_a_cycle() {
    let dir = app(&[
        ("src/front.py", QUEUE_SENDER_PY),
        (
            "main.tf",
            r#"resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]

  inline_policy {
    name = "app"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = "*"
        },
      ]
    })
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = "sqs:SendMessage"
      Resource  = "*"
    }]
  })
}

resource "aws_lambda_function" "front" {
  function_name = "front"
  role          = aws_iam_role.app.arn
  runtime       = "python3.12"
  handler       = "front.handler"
  filename      = "src"
  environment {
    variables = { QUEUE_URL = aws_sqs_queue.jobs.url }
  }
}
"#,
        ),
    ]);
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    let diff = fix::diff(&outcome);
    assert!(outcome.left.is_empty(), "{diff}");
    assert!(
        !diff.contains("+          Resource = [aws_sqs_queue.jobs.arn]"),
        "{diff}"
    );
    assert!(
        diff.contains("+          Resource = [\"arn:aws:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:jobs\"]\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+data \"aws_region\" \"current\" {}\n"),
        "{diff}"
    );
}

/// The actions of each `Action = [...]` line of a Terraform `jsonencode` policy, with the
/// `Resource = [...]` line after it.
fn hcl_grants(text: &str) -> BTreeMap<String, Vec<String>> {
    let list = |line: &str| -> Vec<String> {
        let inner = line
            .split_once('[')
            .and_then(|(_, rest)| rest.rsplit_once(']'))
            .map_or(line.split_once('=').map_or("", |(_, v)| v), |(l, _)| l);
        inner
            .split(", ")
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut actions: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("Action ") {
            actions = list(line);
        } else if line.starts_with("Resource ") {
            for a in actions.drain(..) {
                out.entry(a).or_default().extend(list(line));
            }
        }
    }
    out
}

/// A VPC function's role narrowed by `fix` keeps what Lambda needs to attach it (Lambda
/// Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC"):
/// `DescribeNetworkInterfaces` on `"*"` only, `CreateNetworkInterface` on the interface, the
/// subnet and the security group, `DeleteNetworkInterface` on every interface.
#[test]
fn a_vpc_function_keeps_its_network_interface_grants() {
    let dir = fixture_copy("tf-vpc-eni");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    let change = outcome
        .changes
        .iter()
        .find(|c| c.file.ends_with("main.tf"))
        .expect("main.tf fixed");
    let grants = hcl_grants(&change.after);
    assert_eq!(
        grants["ec2:DescribeNetworkInterfaces"],
        ["*"],
        "{}",
        change.after
    );
    let create = &grants["ec2:CreateNetworkInterface"];
    for kind in [":network-interface/*", ":subnet/*", ":security-group/*"] {
        assert!(
            create.iter().any(|r| r.ends_with(kind)),
            "CreateNetworkInterface without {kind}: {create:?}"
        );
    }
    assert!(
        grants["ec2:DeleteNetworkInterface"]
            .iter()
            .any(|r| r == "*" || r.ends_with(":network-interface/*")),
        "{grants:?}"
    );
    assert!(
        !grants.contains_key("rds-data:ExecuteStatement"),
        "{grants:?}"
    );
    assert!(
        grants
            .get("logs:CreateLogStream")
            .is_some_and(|r| r.iter().all(|r| r != "*")),
        "{grants:?}"
    );
}

/// The lambda module attaches `policies` by `number_of_policies`: removing an item alone would
/// leave an index past the list's end (the plan fails), so the role is left for a human.
#[test]
fn counted_module_policies_are_left_for_a_human() {
    let dir = fixture_copy("tf-lambda-module-counted-policies");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    assert!(outcome.changes.is_empty(), "{}", fix::diff(&outcome));
    assert!(!outcome.left.is_empty());
    assert!(
        outcome
            .left
            .iter()
            .all(|l| l.why.contains("number_of_policies")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
}

/// A bucket written by name (a reference would close a cycle) keeps the parameter its name is
/// built from, not the default the audit read.
#[test]
fn a_name_built_from_a_parameter_keeps_the_parameter() {
    let dir = fixture_copy("sam-parameter-named-bucket");
    let outcome = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    let after = &outcome.changes[0].after;
    assert!(
        after.contains("media-uploads-${Stage}-${AWS::AccountId}/*"),
        "{after}"
    );
    assert!(!after.contains("media-uploads-dev-"), "{after}");
}
