//! `rolefit fix` on `serverless.yml`: the shared role's statements, a function's own with the
//! serverless-iam-roles-per-function plugin, roles under `resources:`; on copies of the
//! fixtures and on projects written here.

use std::collections::BTreeSet;
use std::path::Path;

use rolefit::fix::{self, Options};

mod common;
use common::{Needs, copy, fixtures};

/// The needs, and the findings of the fixed rules as a set.
fn audit(root: &Path) -> (Needs, BTreeSet<(String, String)>) {
    let (needs, findings) = common::audit(root);
    (needs, findings.into_iter().collect())
}

fn plan(root: &Path) -> fix::Outcome {
    fix::plan(root, &Default::default(), &Options::default()).expect("plan")
}

/// A project of `serverless.yml` and `handler.py`.
fn project(config: &str, handler: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("serverless.yml"), config).expect("write");
    std::fs::write(dir.path().join("handler.py"), handler).expect("write");
    dir
}

const GET_ITEM: &str = "import os\n\nimport boto3\n\ntable = boto3.resource(\"dynamodb\").Table(os.environ[\"TABLE\"])\n\n\ndef main(event, context):\n    return table.get_item(Key={\"id\": \"1\"})\n";

const NOTHING: &str = "def main(event, context):\n    return {\"statusCode\": 200}\n";

/// Every Serverless fixture: after `fix`, no finding of the three rules is left but those it
/// listed for a human; the needs are unchanged; only whole statements went (every other line
/// is kept, comments included); a second `fix` changes nothing.
#[test]
fn serverless_fixtures_round_trip_with_whole_lines() {
    let mut fixed = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with("sls-") {
            continue;
        }
        let dir = tempfile::tempdir().expect("temp");
        copy(&entry.path(), dir.path());
        let (needs, _) = audit(dir.path());
        let outcome = plan(dir.path());
        fix::apply(&outcome).expect("write");
        for c in &outcome.changes {
            fixed += 1;
            // A `serverless.json` element goes with its comma, not by lines (checked in
            // tests/fix.rs).
            if c.file.ends_with(".json") {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&c.after).is_ok(),
                    "{name}: {} is no longer JSON",
                    c.file
                );
                continue;
            }
            let diff = similar::TextDiff::from_lines(&c.before, &c.after);
            for op in diff.ops() {
                let removed: Vec<&str> =
                    c.before.lines().collect::<Vec<_>>()[op.old_range()].to_vec();
                if op.tag() == similar::DiffTag::Equal || removed.is_empty() {
                    continue;
                }
                // A removal starts at a list item or a key (the emptied list's).
                let first = removed[0].trim_start();
                assert!(
                    first.starts_with("- ") || first.ends_with(':'),
                    "{name}: {} lost {removed:?}",
                    c.file
                );
            }
        }
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
        assert!(
            plan(dir.path()).changes.is_empty(),
            "{name}: a second fix changed something"
        );
    }
    assert!(fixed >= 10, "only {fixed} Serverless files fixed");
}

/// The older `provider.iamRoleStatements`: a wildcard is narrowed to what the function calls,
/// in the file's CRLF line endings, its comments kept; the unused statement goes.
#[test]
fn legacy_statements_are_narrowed_in_place() {
    let config = "service: orders\n\nprovider:\n  name: aws\n  runtime: python3.12\n  # broad on purpose\n  iamRoleStatements:\n    - Effect: Allow\n      Action: \"dynamodb:*\"\n      Resource: \"*\"\n    - Effect: Allow\n      Action: s3:PutObject\n      Resource: arn:aws:s3:::unused-bucket/*\n\nfunctions:\n  get:\n    handler: handler.main\n    environment:\n      TABLE: orders\n"
        .replace('\n', "\r\n");
    let dir = project(&config, GET_ITEM);
    let (needs, before) = audit(dir.path());
    assert!(before.iter().any(|(r, _)| r == "wildcard-permission"));
    assert!(before.iter().any(|(r, _)| r == "unused-permission"));
    let outcome = plan(dir.path());
    assert!(outcome.left.is_empty());
    fix::apply(&outcome).expect("write");
    let after = std::fs::read_to_string(dir.path().join("serverless.yml")).expect("read");
    let expected = "  # broad on purpose\n  iamRoleStatements:\n    - Effect: Allow\n      Action:\n        - dynamodb:GetItem\n      Resource:\n        - \"arn:aws:dynamodb:${aws:region}:${aws:accountId}:table/orders\"\n\nfunctions:\n"
        .replace('\n', "\r\n");
    assert!(after.contains(&expected), "{after}");
    assert!(!after.replace("\r\n", "").contains('\n'));
    let (needs_after, left) = audit(dir.path());
    assert_eq!(needs, needs_after);
    assert!(left.is_empty(), "{left:?}");
}

/// Statements nothing needs go with the keys that held only them (`iam:`, `role:`, never
/// `provider:`); statements go under keys the file lacks.
#[test]
fn an_emptied_list_goes_with_its_keys_and_a_missing_one_is_written() {
    let config = "service: ping\n\nprovider:\n  name: aws\n  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: sqs:SendMessage\n          Resource: arn:aws:sqs:us-east-1:123456789012:jobs\n\nfunctions:\n  ping:\n    handler: handler.main\n";
    let dir = project(config, NOTHING);
    fix::apply(&plan(dir.path())).expect("write");
    let after = std::fs::read_to_string(dir.path().join("serverless.yml")).expect("read");
    assert_eq!(
        after,
        "service: ping\n\nprovider:\n  name: aws\n  runtime: python3.12\n\nfunctions:\n  ping:\n    handler: handler.main\n"
    );

    let config = "service: orders\n\nprovider:\n  name: aws\n  runtime: python3.12\n\nfunctions:\n  get:\n    handler: handler.main\n    environment:\n      TABLE: orders\n";
    let dir = project(config, GET_ITEM);
    fix::apply(&plan(dir.path())).expect("write");
    let after = std::fs::read_to_string(dir.path().join("serverless.yml")).expect("read");
    assert!(
        after.contains("  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action:\n            - dynamodb:GetItem\n"),
        "{after}"
    );
    assert!(audit(dir.path()).1.is_empty());
}

/// Per-function `iamRoleStatements` are edited only when the plugin that reads them is
/// listed; otherwise, and when every statement of a function's own role would go (the plugin
/// would put it on the shared role), the role is left for a human with why.
#[test]
fn per_function_statements_need_the_plugin_and_are_never_emptied() {
    let functions = "functions:\n  get:\n    handler: handler.main\n    environment:\n      TABLE: orders\n    iamRoleStatements:\n      - Effect: Allow\n        Action: dynamodb:*\n        Resource: \"*\"\n";
    let with_plugin = format!(
        "service: orders\nplugins:\n  - serverless-iam-roles-per-function\nprovider:\n  name: aws\n  runtime: python3.12\n{functions}"
    );
    let dir = project(&with_plugin, GET_ITEM);
    let outcome = plan(dir.path());
    assert!(outcome.left.is_empty());
    assert_eq!(outcome.changes.len(), 1);
    assert!(
        outcome.changes[0]
            .after
            .contains("    iamRoleStatements:\n      - Effect: Allow\n        Action:\n          - dynamodb:GetItem\n"),
        "{}",
        outcome.changes[0].after
    );

    let without =
        format!("service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n{functions}");
    let dir = project(&without, GET_ITEM);
    let outcome = plan(dir.path());
    assert!(outcome.changes.is_empty());
    assert!(
        outcome
            .left
            .iter()
            .any(|l| l.why.contains("serverless-iam-roles-per-function")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );

    let dir = project(&with_plugin, NOTHING);
    let outcome = plan(dir.path());
    assert!(outcome.changes.is_empty());
    assert!(
        outcome.left.iter().any(|l| l.why.contains("shared role")),
        "{:?}",
        outcome.left.iter().map(|l| &l.why).collect::<Vec<_>>()
    );
}

/// Provider statements a function's own role inherits are shared: left for a human.
#[test]
fn inherited_provider_statements_are_left() {
    let config = "service: orders\nplugins:\n  - serverless-iam-roles-per-function\nprovider:\n  name: aws\n  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: sns:Publish\n          Resource: arn:aws:sns:us-east-1:123456789012:alerts\nfunctions:\n  get:\n    handler: handler.main\n    iamRoleStatementsInherit: true\n    environment:\n      TABLE: orders\n    iamRoleStatements:\n      - Effect: Allow\n        Action: dynamodb:GetItem\n        Resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders\n";
    let dir = project(config, GET_ITEM);
    let outcome = plan(dir.path());
    assert!(outcome.changes.is_empty());
    assert_eq!(outcome.left.len(), 1);
    assert_eq!(outcome.left[0].finding.rule, "unused-permission");
    assert!(
        outcome.left[0].why.contains("iamRoleStatementsInherit"),
        "{}",
        outcome.left[0].why
    );
}

/// A role declared under `resources:` is fixed as CloudFormation, by reference.
#[test]
fn a_role_under_resources_is_fixed_as_cloudformation() {
    let dir = tempfile::tempdir().expect("temp");
    copy(&fixtures().join("sls-resources-cfn"), dir.path());
    let outcome = plan(dir.path());
    assert_eq!(outcome.changes.len(), 1);
    let after = &outcome.changes[0].after;
    assert!(
        after.contains("        Policies:\n          - PolicyName: rolefit-least-privilege\n"),
        "{after}"
    );
    assert!(after.contains("- !GetAtt Invoices.Arn\n"), "{after}");
}
