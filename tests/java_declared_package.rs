//! A Java handler class is the one its `package` declaration names, whatever folders hold it
//! (the compiler does not require them to match): `example.Handler` in
//! `src/main/java/com/example/Handler.java` that declares `package example;`, and a class of
//! the default package in a folder of its own. Two files declaring the class: neither is taken.

use std::fs;
use std::path::Path;
use std::process::Command;

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Packaged:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: packaged
      Handler: example.Handler::handleRequest
      Runtime: java21
  Default:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: default
      Handler: Batch::handleRequest
      Runtime: java21
  Twice:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: twice
      Handler: example.Handler::handleRequest
      Runtime: java21
";

const HANDLER: &str = "\
package example;

import software.amazon.awssdk.services.sqs.SqsClient;

public class Handler {
    private final SqsClient sqs = SqsClient.create();

    public void handleRequest(Object in, Object ctx) {
        sqs.purgeQueue(r -> r.queueUrl(\"https://sqs.us-east-1.amazonaws.com/123456789012/q\"));
    }
}
";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

#[test]
fn handler_classes_are_found_by_their_package_declaration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(root, "template.yaml", TEMPLATE);
    write(
        root,
        "packaged/src/main/java/com/example/Handler.java",
        HANDLER,
    );
    let default = HANDLER
        .replace("package example;\n", "")
        .replace("class Handler", "class Batch");
    write(root, "default/src/main/java/batch/Batch.java", &default);
    write(root, "twice/src/main/java/a/Handler.java", HANDLER);
    write(root, "twice/src/main/java/b/Handler.java", HANDLER);
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .arg("audit")
        .arg(root)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run rolefit");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let function = |id: &str| {
        report["functions"]
            .as_array()
            .expect("functions")
            .iter()
            .find(|f| f["id"] == format!("template.yaml#{id}"))
            .cloned()
            .expect("function")
    };
    let packaged = function("Packaged");
    assert_eq!(
        packaged["code"],
        serde_json::json!(["packaged/src/main/java/com/example/Handler.java"])
    );
    assert_eq!(packaged["code_link"], "declared");
    assert!(
        packaged["required"]
            .as_array()
            .expect("required")
            .iter()
            .any(|r| r["action"] == "sqs:PurgeQueue")
    );
    assert_eq!(
        function("Default")["code"],
        serde_json::json!(["default/src/main/java/batch/Batch.java"])
    );
    assert_eq!(function("Twice")["code"], serde_json::json!([]));
}
