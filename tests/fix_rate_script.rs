//! `scripts/fix-rate` (issue 16's judging figure): over a folder of two apps, one whose
//! wildcard `fix` narrows and one with no finding, the findings before and after, needs
//! unchanged, no granted need lost, no new cfn-lint error and the files changed.

use std::fs;
use std::path::Path;
use std::process::Command;

const FIXED: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Send:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          QUEUE: !Ref Jobs
      Policies:
        - Statement:
            - Effect: Allow
              Action: sqs:*
              Resource: !GetAtt Jobs.Arn
";

const CODE: &str = "\
import os

import boto3

sqs = boto3.client(\"sqs\")


def handler(event, context):
    sqs.send_message(QueueUrl=os.environ[\"QUEUE\"], MessageBody=\"x\")
";

#[test]
fn fix_rate_counts_findings_before_and_after() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path().join("send");
    fs::create_dir_all(app.join("src")).expect("app dir");
    fs::write(app.join("template.yaml"), FIXED).expect("template");
    fs::write(app.join("src/app.py"), CODE).expect("code");
    // An app with no finding is counted and not fixed.
    let quiet = dir.path().join("quiet");
    fs::create_dir_all(&quiet).expect("quiet dir");
    fs::write(quiet.join("README.md"), "nothing here\n").expect("readme");
    let out = Command::new("python3")
        .arg("scripts/fix-rate")
        .arg(dir.path())
        .args(["--bin", env!("CARGO_BIN_EXE_rolefit"), "--json"])
        .current_dir(root)
        .output()
        .expect("run python3 scripts/fix-rate");
    assert!(
        out.status.success(),
        "fix-rate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json figures");
    let total = &v["total"];
    assert_eq!(total["apps"], 2);
    assert_eq!(total["before"], 1, "{v}");
    assert_eq!(total["after"], 0, "{v}");
    assert_eq!(total["rate"], 100.0);
    assert_eq!(total["needs_changed"], 0);
    assert_eq!(total["granted_lost"], 0);
    assert_eq!(total["lint_new"], 0);
    assert_eq!(
        total["by_rule"]["wildcard-permission"],
        serde_json::json!([1, 0])
    );
    let apps = v["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["changed"], serde_json::json!(["template.yaml"]));
}
