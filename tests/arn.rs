//! The one ARN type: parsing never panics and gives back its input, tokens never split, and
//! the rules that read accounts out of ARNs see through deploy-time regions.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use proptest::prelude::*;
use rolefit::arn::{Arn, Piece};
use rolefit::iam::{Match, resource_matches};

/// Text built from ARN-ish atoms, so that parses succeed often enough to be interesting.
fn arnish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("arn:".to_string()),
        Just(":".to_string()),
        Just("/".to_string()),
        Just("$".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("${AWS::Region}".to_string()),
        Just("${AWS::AccountId}".to_string()),
        Just("${Queue.Arn}".to_string()),
        Just("${aws_sqs_queue.q.arn}".to_string()),
        Just("${lookup(var.m, \"a:b\")}".to_string()),
        "[a-z0-9*?-]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(atom, 0..16).prop_map(|v| v.concat())
}

/// A token: `${` and a body without braces, which may hold colons.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.:]{1,12}".prop_map(|b| format!("${{{b}}}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text: parsing does not panic, and a parsed ARN displays as its input; its fields
    /// joined back with `:` are the input too.
    #[test]
    fn parse_round_trips(s in prop_oneof![arnish(), any::<String>()]) {
        if let Ok(a) = Arn::parse(&s) {
            prop_assert_eq!(a.to_string(), s.clone());
            if let Some(fields) = a.fields() {
                let joined: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
                prop_assert_eq!(format!("arn:{}", joined.join(":")), s.clone());
                for f in fields {
                    let back: String = f.pieces().map(|p| match p {
                        Piece::Text(t) | Piece::Token(t) => t,
                    }).collect();
                    prop_assert_eq!(back, f.as_str());
                }
            }
            let _ = (a.resource_type(), a.resource_id(), a.whole());
        }
        let _ = Arn::parse_expected(&s);
    }

    /// A token in any field stays whole, whatever colons it holds.
    #[test]
    fn tokens_never_split(
        region in token(),
        account in token(),
        name in token(),
        ty in "[a-z]{1,8}",
    ) {
        let s = format!("arn:aws:lambda:{region}:{account}:{ty}:{name}");
        let a = Arn::parse(&s).unwrap();
        prop_assert_eq!(a.region().unwrap().token(), Some(region.as_str()));
        prop_assert_eq!(a.account().unwrap().token(), Some(account.as_str()));
        prop_assert_eq!(a.resource_type().unwrap().as_str(), ty.as_str());
        prop_assert_eq!(a.resource_id().unwrap().token(), Some(name.as_str()));
        prop_assert_eq!(a.resource().unwrap().last_segment(&[':', '/']).as_str(), name.as_str());
    }

    /// The same unresolved reference on both sides matches, whole or in a field. (A body
    /// with exactly one `:` is an IAM policy variable, resolved from the request instead.)
    #[test]
    fn same_token_matches_itself(
        t in prop_oneof!["[A-Za-z0-9_.]{1,12}", "AWS::[A-Za-z]{1,8}"].prop_map(|b| format!("${{{b}}}"))
    ) {
        let whole = format!("${{{}.arn}}", &t[2..t.len() - 1]);
        prop_assert_eq!(resource_matches(&whole, &whole), Match::Yes);
        let fields = format!("arn:aws:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{t}");
        prop_assert_eq!(resource_matches(&fields, &fields), Match::Yes);
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Issue 12: an event source in another account, written with a deploy-time region, is
/// found by `cross-account-access` (splitting on `:` read `${AWS` as the account).
#[test]
fn foreign_account_behind_a_region_token_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    copy_dir(
        &PathBuf::from("fixtures/account-event-source-mappings"),
        &app,
    );
    let esm = app.join("event-source-mappings.json");
    let text = std::fs::read_to_string(&esm).unwrap();
    let foreign = "arn:aws:sqs:${AWS::Region}:444455556666:jobs";
    assert!(text.contains("arn:aws:sqs:us-east-1:111122223333:jobs"));
    std::fs::write(
        &esm,
        text.replace("arn:aws:sqs:us-east-1:111122223333:jobs", foreign),
    )
    .unwrap();
    let audit = rolefit::app::audit(&[app], &Default::default()).unwrap();
    let found: Vec<&str> = audit
        .report
        .findings
        .iter()
        .filter(|f| f.rule == "cross-account-access" && f.message.contains(foreign))
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        found.iter().any(|m| m.contains("in account 444455556666")),
        "{found:?}"
    );
}

/// Issue 12: a need on an unresolved whole ARN is covered by a grant on the same reference.
/// Before, the topic's ARN was put into the name slot of an SNS ARN template
/// (`arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${module.bus.topic_arn}`), which the grant
/// on `${module.bus.topic_arn}` could never cover: a false `missing-permission`.
#[test]
fn same_unresolved_reference_on_both_sides_matches() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(app.join("src/pub")).unwrap();
    std::fs::write(
        app.join("main.tf"),
        r#"
module "bus" {
  source = "./bus"
}

data "archive_file" "pub" {
  type        = "zip"
  source_dir  = "${path.module}/src/pub"
  output_path = "${path.module}/build/pub.zip"
}

resource "aws_iam_role" "pub" {
  name = "pub"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
    Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "pub" {
  role = aws_iam_role.pub.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Allow", Action = "sns:Publish", Resource = module.bus.topic_arn }] })
}

resource "aws_lambda_function" "pub" {
  function_name = "pub"
  role          = aws_iam_role.pub.arn
  runtime       = "python3.13"
  handler       = "handler.lambda_handler"
  filename      = data.archive_file.pub.output_path
  environment {
    variables = { TOPIC_ARN = module.bus.topic_arn }
  }
}
"#,
    )
    .unwrap();
    std::fs::write(
        app.join("src/pub/handler.py"),
        "import os\nimport boto3\n\nsns = boto3.client(\"sns\")\n\n\ndef lambda_handler(event, context):\n    sns.publish(TopicArn=os.environ[\"TOPIC_ARN\"], Message=\"hello\")\n",
    )
    .unwrap();
    let audit = rolefit::app::audit(&[app], &Default::default()).unwrap();
    let publish: Vec<_> = audit
        .report
        .functions
        .iter()
        .flat_map(|f| &f.required)
        .filter(|r| r.action == "sns:Publish")
        .map(|r| (r.resource.as_str(), r.granted))
        .collect();
    assert_eq!(publish, [("${module.bus.topic_arn}", true)]);
    let wrong: Vec<_> = audit
        .report
        .findings
        .iter()
        .filter(|f| f.message.contains("sns:Publish"))
        .map(|f| f.message.as_str())
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}
