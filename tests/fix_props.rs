//! Property: `rolefit fix` run twice changes nothing the second time, over generated SAM
//! apps: functions whose code uses a varying part of a queue, a table and a bucket, and whose
//! `Policies` hold a varying list of exact, partly used and unused SAM policy templates,
//! wildcard statements and statements that are partly used. The needs stay the same.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use rolefit::fix::{self, Options};

mod common;
use common::needs;

/// Calls a function's code can make, as Python lines.
const CALLS: [&str; 5] = [
    "    sqs.send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=\"x\")",
    "    table.get_item(Key={\"id\": \"1\"})",
    "    table.put_item(Item={\"id\": \"1\"})",
    "    s3.put_object(Bucket=os.environ[\"BUCKET\"], Key=\"k\", Body=b\"x\")",
    "    s3.get_object(Bucket=os.environ[\"BUCKET\"], Key=\"k\")",
];

/// Entries of a SAM `Policies` list, at the list's indentation (8 spaces).
const POLICIES: [&str; 10] = [
    "        - SQSSendMessagePolicy:\n            QueueName: !GetAtt Queue.QueueName\n",
    "        - SQSPollerPolicy: # reads too\n            QueueName: !GetAtt Queue.QueueName\n",
    "        - DynamoDBCrudPolicy:\n            TableName: !Ref Table\n",
    "        - DynamoDBReadPolicy:\n            TableName: !Ref Table\n",
    "        - S3CrudPolicy:\n            BucketName: !Ref Bucket\n",
    "        - Statement:\n            - Effect: Allow\n              Action: dynamodb:*\n              Resource: \"*\"\n",
    "        - Statement:\n            - Effect: Allow\n              Action:\n                - sqs:*\n              Resource: '*'\n",
    "        - Statement:\n            - Effect: Allow\n              Action: s3:PutObject\n              Resource: !Sub \"${Bucket.Arn}/*\"\n",
    "        - Statement:\n            # the table, and a topic nothing publishes to\n            - Effect: Allow\n              Action: dynamodb:GetItem\n              Resource: !GetAtt Table.Arn\n            - Effect: Allow\n              Action: sns:Publish\n              Resource: \"*\"\n",
    "        - S3ReadPolicy:\n            BucketName: !Ref Bucket\n",
];

#[derive(Clone, Debug)]
struct Func {
    calls: BTreeSet<usize>,
    policies: Vec<usize>,
}

fn func() -> impl Strategy<Value = Func> {
    (
        prop::collection::btree_set(0..CALLS.len(), 0..=CALLS.len()),
        prop::collection::btree_set(0..POLICIES.len(), 0..4).prop_shuffle_set(),
    )
        .prop_map(|(calls, policies)| Func { calls, policies })
}

trait ShuffleSet {
    fn prop_shuffle_set(self) -> BoxedStrategy<Vec<usize>>;
}

impl<S: Strategy<Value = BTreeSet<usize>> + 'static> ShuffleSet for S {
    /// The set's items in a generated order.
    fn prop_shuffle_set(self) -> BoxedStrategy<Vec<usize>> {
        self.prop_map(|s| s.into_iter().collect::<Vec<_>>())
            .prop_shuffle()
            .boxed()
    }
}

fn write_app(dir: &Path, functions: &[Func]) {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\n\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n\n  Queue:\n    Type: AWS::SQS::Queue\n\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    );
    for (i, f) in functions.iter().enumerate() {
        t.push_str(&format!(
            "\n  # function {i}\n  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/fn{i}/\n      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n          TABLE_NAME: !Ref Table\n          QUEUE_URL: !Ref Queue\n          BUCKET: !Ref Bucket\n"
        ));
        if !f.policies.is_empty() {
            t.push_str("      Policies:\n");
            for p in &f.policies {
                t.push_str(POLICIES[*p]);
            }
        }
        t.push_str("      Timeout: 10\n");
        let code = format!(
            "import os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\ns3 = boto3.client(\"s3\")\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE_NAME\"])\n\n\ndef handler(event, context):\n{}    return {{}}\n",
            f.calls
                .iter()
                .map(|c| format!("{}\n", CALLS[*c]))
                .collect::<String>()
        );
        let src = dir.join(format!("src/fn{i}"));
        std::fs::create_dir_all(&src).expect("dir");
        std::fs::write(src.join("app.py"), code).expect("write");
    }
    std::fs::write(dir.join("template.yaml"), t).expect("write");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn fix_twice_changes_nothing_the_second_time(
        functions in prop::collection::vec(func(), 1..3)
    ) {
        let dir = tempfile::tempdir().expect("temp");
        write_app(dir.path(), &functions);
        let before = needs(dir.path());
        let first = fix::plan(dir.path(), &Default::default(), &Options::default())
            .expect("plan");
        fix::apply(&first).expect("write");
        prop_assert_eq!(&before, &needs(dir.path()), "the needs changed");
        let second = fix::plan(dir.path(), &Default::default(), &Options::default())
            .expect("plan");
        let template = std::fs::read_to_string(dir.path().join("template.yaml"))
            .expect("read");
        prop_assert!(
            second.changes.is_empty(),
            "a second fix changed\n{}\nafter the first made\n{}",
            fix::diff(&second),
            fix::diff(&first)
        );
        // The same findings are left for a human both times.
        let left = |o: &fix::Outcome| -> BTreeSet<(String, String)> {
            o.left.iter().map(|l| (l.finding.rule.to_string(), l.finding.message.clone())).collect()
        };
        prop_assert_eq!(left(&first), left(&second), "{}", template);
    }
}

/// The generated apps are ones `fix` edits: a wildcard nothing uses goes, what the code
/// calls comes in, and a partly used template is narrowed.
#[test]
fn generated_apps_are_fixed() {
    let dir = tempfile::tempdir().expect("temp");
    write_app(
        dir.path(),
        &[
            Func {
                calls: BTreeSet::from([0]),
                policies: vec![5],
            },
            Func {
                calls: BTreeSet::from([1]),
                policies: vec![2, 8],
            },
        ],
    );
    let first = fix::plan(dir.path(), &Default::default(), &Options::default()).expect("plan");
    let diff = fix::diff(&first);
    assert!(
        first.left.is_empty(),
        "{:?}",
        first.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
    assert!(
        diff.contains("-              Action: dynamodb:*\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+        - SQSSendMessagePolicy:\n"),
        "{diff}"
    );
    assert!(diff.contains("-        - DynamoDBCrudPolicy:\n"), "{diff}");
    assert!(
        diff.contains("-              Action: sns:Publish\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("-              Action: dynamodb:GetItem\n"),
        "{diff}"
    );
}

/// Statements of a Terraform policy: (actions, resources) as HCL lists of the app's resources.
const TF_STATEMENTS: [(&str, &str); 6] = [
    ("[\"dynamodb:*\"]", "[aws_dynamodb_table.table.arn]"),
    ("[\"sqs:*\"]", "[\"*\"]"),
    ("[\"s3:PutObject\"]", "[\"${aws_s3_bucket.bucket.arn}/*\"]"),
    (
        "[\"dynamodb:GetItem\", \"sns:Publish\"]",
        "[aws_dynamodb_table.table.arn, \"*\"]",
    ),
    ("[\"sqs:SendMessage\"]", "[aws_sqs_queue.queue.arn]"),
    (
        "[\"s3:GetObject\", \"s3:DeleteObject\"]",
        "[\"${aws_s3_bucket.bucket.arn}/*\"]",
    ),
];

/// How a Terraform role's policy is written.
#[derive(Clone, Copy, Debug)]
enum Form {
    Encoded,
    Document,
    Heredoc,
}

#[derive(Clone, Debug)]
struct TfFunc {
    calls: BTreeSet<usize>,
    statements: Vec<usize>,
    form: Form,
}

fn tf_func() -> impl Strategy<Value = TfFunc> {
    (
        prop::collection::btree_set(0..CALLS.len(), 0..=CALLS.len()),
        prop::collection::btree_set(0..TF_STATEMENTS.len(), 0..4).prop_shuffle_set(),
        prop_oneof![
            Just(Form::Encoded),
            Just(Form::Document),
            Just(Form::Heredoc)
        ],
    )
        .prop_map(|(calls, statements, form)| TfFunc {
            calls,
            statements,
            form,
        })
}

/// A customer policy every role is attached to: its statements, and whether one
/// `aws_iam_policy_attachment` lists the roles (else one `aws_iam_role_policy_attachment` each).
type Shared = Option<(Vec<usize>, bool)>;

fn write_tf_app(dir: &Path, functions: &[TfFunc], shared: &Shared) {
    let mut t = String::from(
        "resource \"aws_dynamodb_table\" \"table\" {\n  name         = \"items\"\n  billing_mode = \"PAY_PER_REQUEST\"\n  hash_key     = \"id\"\n\n  attribute {\n    name = \"id\"\n    type = \"S\"\n  }\n}\n\nresource \"aws_sqs_queue\" \"queue\" {\n  name = \"jobs\"\n}\n\nresource \"aws_s3_bucket\" \"bucket\" {\n  bucket = \"acme-files\"\n}\n",
    );
    for (i, f) in functions.iter().enumerate() {
        t.push_str(&format!(
            "\n# function {i}\nresource \"aws_iam_role\" \"fn{i}\" {{\n  name = \"fn{i}\"\n  assume_role_policy = jsonencode({{\n    Version   = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"lambda.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}]\n  }})\n}}\n\nresource \"aws_iam_role_policy_attachment\" \"fn{i}_logs\" {{\n  role       = aws_iam_role.fn{i}.name\n  policy_arn = \"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\"\n}}\n"
        ));
        if !f.statements.is_empty() {
            let chosen: Vec<(&str, &str)> =
                f.statements.iter().map(|s| TF_STATEMENTS[*s]).collect();
            let policy = match f.form {
                Form::Encoded => {
                    let items: String = chosen
                        .iter()
                        .map(|(a, r)| {
                            format!("      {{\n        Effect   = \"Allow\"\n        Action   = {a}\n        Resource = {r}\n      }},\n")
                        })
                        .collect();
                    format!(
                        "jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n{items}    ]\n  }})"
                    )
                }
                Form::Document => {
                    let blocks: Vec<String> = chosen
                        .iter()
                        .map(|(a, r)| {
                            format!(
                                "  statement {{\n    actions   = {a}\n    resources = {r}\n  }}\n"
                            )
                        })
                        .collect();
                    t.push_str(&format!(
                        "\ndata \"aws_iam_policy_document\" \"fn{i}\" {{\n{}}}\n",
                        blocks.join("\n")
                    ));
                    format!("data.aws_iam_policy_document.fn{i}.json")
                }
                Form::Heredoc => {
                    // JSON: references become interpolations.
                    let json = |list: &str| -> String {
                        list.trim_matches(['[', ']'])
                            .split(", ")
                            .map(|x| {
                                if x.starts_with('"') {
                                    x.to_string()
                                } else {
                                    format!("\"${{{x}}}\"")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let items: Vec<String> = chosen
                        .iter()
                        .map(|(a, r)| {
                            format!("    {{\n      \"Effect\": \"Allow\",\n      \"Action\": {a},\n      \"Resource\": [{}]\n    }}", json(r))
                        })
                        .collect();
                    format!(
                        "<<-EOF\n  {{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n{}\n    ]\n  }}\n  EOF",
                        items.join(",\n")
                    )
                }
            };
            t.push_str(&format!(
                "\nresource \"aws_iam_role_policy\" \"fn{i}\" {{\n  name   = \"fn{i}\"\n  role   = aws_iam_role.fn{i}.id\n  policy = {policy}\n}}\n"
            ));
        }
        t.push_str(&format!(
            "\nresource \"aws_lambda_function\" \"fn{i}\" {{\n  function_name = \"fn{i}\"\n  role          = aws_iam_role.fn{i}.arn\n  runtime       = \"python3.12\"\n  handler       = \"app.handler\"\n  filename      = \"src/fn{i}\"\n\n  environment {{\n    variables = {{\n      TABLE_NAME = aws_dynamodb_table.table.name\n      QUEUE_URL  = aws_sqs_queue.queue.url\n      BUCKET     = aws_s3_bucket.bucket.bucket\n    }}\n  }}\n}}\n"
        ));
        let code = format!(
            "import os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\ns3 = boto3.client(\"s3\")\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE_NAME\"])\n\n\ndef handler(event, context):\n{}    return {{}}\n",
            f.calls
                .iter()
                .map(|c| format!("{}\n", CALLS[*c]))
                .collect::<String>()
        );
        let src = dir.join(format!("src/fn{i}"));
        std::fs::create_dir_all(&src).expect("dir");
        std::fs::write(src.join("app.py"), code).expect("write");
    }
    if let Some((statements, list)) = shared {
        let items: String = statements
            .iter()
            .map(|s| TF_STATEMENTS[*s])
            .map(|(a, r)| {
                format!("      {{\n        Effect   = \"Allow\"\n        Action   = {a}\n        Resource = {r}\n      }},\n")
            })
            .collect();
        t.push_str(&format!(
            "\nresource \"aws_iam_policy\" \"shared\" {{\n  name = \"shared\"\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n{items}    ]\n  }})\n}}\n"
        ));
        if *list {
            let roles: Vec<String> = (0..functions.len())
                .map(|i| format!("aws_iam_role.fn{i}.name"))
                .collect();
            t.push_str(&format!(
                "\nresource \"aws_iam_policy_attachment\" \"shared\" {{\n  name       = \"shared\"\n  policy_arn = aws_iam_policy.shared.arn\n  roles      = [{}]\n}}\n",
                roles.join(", ")
            ));
        } else {
            for i in 0..functions.len() {
                t.push_str(&format!(
                    "\nresource \"aws_iam_role_policy_attachment\" \"fn{i}_shared\" {{\n  role       = aws_iam_role.fn{i}.name\n  policy_arn = aws_iam_policy.shared.arn\n}}\n"
                ));
            }
        }
    }
    std::fs::write(dir.join("main.tf"), t).expect("write");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Terraform: every policy form fixed once is fixed for good, the needs unchanged, and
    /// nothing is left (each role is its function's alone; a customer policy they share is
    /// detached from each).
    #[test]
    fn terraform_fix_twice_changes_nothing_the_second_time(
        functions in prop::collection::vec(tf_func(), 1..3),
        shared in prop::option::of((
            prop::collection::btree_set(0..TF_STATEMENTS.len(), 1..3).prop_shuffle_set(),
            any::<bool>(),
        )),
    ) {
        let dir = tempfile::tempdir().expect("temp");
        write_tf_app(dir.path(), &functions, &shared);
        let before = needs(dir.path());
        let first = fix::plan(dir.path(), &Default::default(), &Options::default())
            .expect("plan");
        fix::apply(&first).expect("write");
        prop_assert_eq!(&before, &needs(dir.path()), "the needs changed");
        let text = std::fs::read_to_string(dir.path().join("main.tf")).expect("read");
        prop_assert!(hcl_edit::parser::parse_body(&text).is_ok(), "{}", text);
        prop_assert!(
            first.left.is_empty(),
            "left {:?}\n{}",
            first.left.iter().map(|l| (&l.finding.message, &l.why)).collect::<Vec<_>>(),
            fix::diff(&first)
        );
        let second = fix::plan(dir.path(), &Default::default(), &Options::default())
            .expect("plan");
        prop_assert!(
            second.changes.is_empty(),
            "a second fix changed\n{}\nafter the first made\n{}",
            fix::diff(&second),
            fix::diff(&first)
        );
    }
}
