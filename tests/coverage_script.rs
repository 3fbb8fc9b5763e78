//! `scripts/coverage` (the closing figures of issue 13): functions with code found out of
//! those with local code, and SDK calls resolved to an IAM action out of those made, over a
//! small app with one function whose code is read (one call resolved, one not), one whose
//! code folder exists in a language rolefit does not read, and one whose package is absent.

use std::fs;
use std::path::Path;
use std::process::Command;

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: app/
      Handler: main.handler
      Runtime: python3.12
  Dotnet:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dotnet/
      Handler: Example::Example.Function::Handle
      Runtime: dotnet8
  Absent:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: build/absent.zip
      Handler: main.handler
      Runtime: java21
";

const CODE: &str = "\
import boto3

s3 = boto3.client(\"s3\")


def handler(event, context):
    s3.put_object(Bucket=\"b\", Key=\"k\", Body=b\"x\")
    s3.frobnicate_widgets(Bucket=\"b\")
";

#[test]
fn coverage_counts_code_found_local_code_and_resolved_calls() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("app")).expect("app dir");
    fs::create_dir_all(dir.path().join("dotnet")).expect("dotnet dir");
    fs::write(dir.path().join("template.yaml"), TEMPLATE).expect("template");
    fs::write(dir.path().join("app/main.py"), CODE).expect("code");
    fs::write(dir.path().join("dotnet/Function.cs"), "class F {}\n").expect("cs");
    let out = Command::new("python3")
        .arg("scripts/coverage")
        .arg(dir.path())
        .args(["--bin", env!("CARGO_BIN_EXE_rolefit"), "--json"])
        .current_dir(root)
        .output()
        .expect("run python3 scripts/coverage");
    assert!(
        out.status.success(),
        "coverage failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json figures");
    let all = &v["all"];
    assert_eq!(all["functions"], 3);
    assert_eq!(all["found"], 1, "only the Python function's code is read");
    assert_eq!(
        all["local"], 2,
        "the .NET folder exists, the Java package does not"
    );
    assert_eq!(all["calls"], 2);
    assert_eq!(
        all["resolved"], 1,
        "`frobnicate_widgets` is no S3 operation"
    );
    let java = &v["java"];
    assert_eq!(java["functions"], 1);
    assert_eq!(java["local"], 0);
}
