//! Hostile and broken input beside a good SAM app: every case must end in a report (exit 0
//! or 1), name the problem as a finding where there is one, keep the good app's findings,
//! and never read outside the audited root.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rolefit::report::{FindingReport, Report};

/// A SAM function whose code writes to S3 without a policy: one `missing-permission`.
const GOOD_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Good:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: good/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          BUCKET: !Ref Bucket
"#;

const GOOD_CODE: &str = r#"import os
import boto3

s3 = boto3.client("s3")


def handler(event, context):
    s3.put_object(Bucket=os.environ["BUCKET"], Key="k", Body=b"")
"#;

/// Text that must never reach a report: it only exists outside the audited root.
const SECRET: &str = "OUTSIDE-THE-ROOT-7f3a";

/// A temp folder holding the good app at `app/` (the audited root) and room outside it.
struct Tree {
    tmp: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let t = Tree {
            tmp: tempfile::tempdir().expect("temp dir"),
        };
        t.write("template.yaml", GOOD_TEMPLATE);
        t.write("good/app.py", GOOD_CODE);
        t
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("app")
    }

    /// A path beside the root, never audited.
    fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
        path
    }

    fn audit(&self) -> Report {
        audit(&self.root())
    }
}

fn audit(root: &Path) -> Report {
    rolefit::app::audit(&[root.to_path_buf()], &Default::default())
        .expect("audit runs")
        .report
}

fn findings<'r>(report: &'r Report, rule: &str, file: &str) -> Vec<&'r FindingReport> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.location.as_ref().is_some_and(|l| l.file == file))
        .collect()
}

/// The one `parse-error` of `file`, with its message.
fn parse_error<'r>(report: &'r Report, file: &str) -> &'r FindingReport {
    let found = findings(report, "parse-error", file);
    assert_eq!(
        found.len(),
        1,
        "one parse-error for {file}: {:#?}",
        report.findings
    );
    found[0]
}

fn assert_good_app_analysed(report: &Report) {
    let missing = findings(report, "missing-permission", "good/app.py");
    assert!(
        missing
            .iter()
            .any(|f| f.actions.iter().any(|a| a == "s3:PutObject")),
        "the good app's finding survives: {:#?}",
        report.findings
    );
}

fn location(f: &FindingReport) -> (u32, u32) {
    let l = f.location.as_ref().expect("located");
    (l.line, l.column)
}

/// Runs the binary with `--fail-on warning`: parse errors are warnings, so a run that saw
/// one exits 1; 0 would mean it was missed, 2 or a signal a crash.
fn run_binary(root: &Path) -> (i32, Report, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["audit", "--format", "json", "--fail-on", "warning"])
        .arg(root)
        .env("CI", "true")
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    let code = out.status.code().expect("exited, not killed by a signal");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    // The library's report is the same document; re-audit to get typed findings.
    let report = audit(root);
    assert_eq!(
        json["summary"]["findings"]["warning"].as_u64(),
        Some(report.summary.findings.warning as u64)
    );
    (
        code,
        report,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn malformed_yaml_template_is_a_located_parse_error() {
    let t = Tree::new();
    t.write(
        "broken/template.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n   Properties: {\n",
    );
    let (code, report, _) = run_binary(&t.root());
    assert_eq!(code, 1);
    let e = parse_error(&report, "broken/template.yaml");
    let (line, column) = location(e);
    assert!(
        line >= 4 && column >= 1,
        "points into the file: {line}:{column}"
    );
    assert_good_app_analysed(&report);
}

#[test]
fn malformed_json_template_is_a_located_parse_error() {
    let t = Tree::new();
    t.write(
        "broken/template.json",
        "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Fn\": {\"Type\": \"AWS::Lambda::Function\",,}\n  }\n}\n",
    );
    let report = t.audit();
    let e = parse_error(&report, "broken/template.json");
    assert_eq!(location(e).0, 4, "{}", e.message);
    assert_good_app_analysed(&report);
}

#[test]
fn broken_code_still_yields_the_calls_around_the_error() {
    // tree-sitter recovers from syntax errors: the calls before and after still count (the
    // one after runs on import, so the handler needs it).
    let t = Tree::new();
    t.write(
        "good/app.py",
        format!("{GOOD_CODE}\ndef broken(:\n    pass\n\ns3.delete_object(Bucket=os.environ[\"BUCKET\"], Key=\"k\")\n"),
    );
    t.write(
        "js/template.yaml",
        GOOD_TEMPLATE.replace("python3.12", "nodejs20.x"),
    );
    t.write(
        "js/good/app.mjs",
        "import { S3Client, PutObjectCommand } from \"@aws-sdk/client-s3\";\nconst s3 = new S3Client({});\nexport const handler = async () => {\n  if (( {\n  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: \"k\" }));\n};\n",
    );
    let report = t.audit();
    assert_good_app_analysed(&report);
    let py = findings(&report, "missing-permission", "good/app.py");
    assert!(
        py.iter()
            .any(|f| f.actions.iter().any(|a| a == "s3:DeleteObject")),
        "{:#?}",
        report.findings
    );
    assert!(
        !findings(&report, "missing-permission", "js/good/app.mjs").is_empty(),
        "{:#?}",
        report.findings
    );
}

#[test]
fn binary_files_with_template_names_are_parse_errors() {
    let t = Tree::new();
    let mut bytes = b"AWSTemplateFormatVersion: x\nResources:\n".to_vec();
    bytes.extend([0u8, 1, 2, 0xff, 0xfe, 0]);
    t.write("bin/template.yaml", &bytes);
    t.write("bin2/template.json", [0x7f, b'E', b'L', b'F', 0, 0, 0, 0]);
    let report = t.audit();
    assert!(
        parse_error(&report, "bin/template.yaml")
            .message
            .contains("binary")
    );
    assert!(
        parse_error(&report, "bin2/template.json")
            .message
            .contains("binary")
    );
    assert_good_app_analysed(&report);
}

#[test]
fn non_utf8_text_is_a_parse_error() {
    let t = Tree::new();
    // Latin-1 "é" in a template and in code the template reaches.
    t.write(
        "latin/template.yaml",
        b"AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: caf\xe9\nResources: {}\n",
    );
    t.write("good/helper.py", b"# caf\xe9\nX = 1\n");
    t.write("good/app.py", format!("import helper\n{GOOD_CODE}"));
    let report = t.audit();
    assert!(
        parse_error(&report, "latin/template.yaml")
            .message
            .contains("UTF-8")
    );
    assert!(
        parse_error(&report, "good/helper.py")
            .message
            .contains("UTF-8")
    );
    assert_good_app_analysed(&report);
}

#[test]
fn python_files_that_declare_their_encoding_are_read() {
    let t = Tree::new();
    // PEP 263: the declared Latin-1 text is read and its calls found; a declaration Python
    // would reject, or bytes that do not follow it, are parse errors.
    t.write("good/wrong.py", b"# coding: utf-8\nX = 'caf\xe9'\n");
    t.write("good/odd.py", b"# coding: klingon\nX = 1\n");
    t.write("good/helpers.py", "import wrong\nimport odd\n".as_bytes());
    t.write(
        "good/app.py",
        [
            b"# -*- coding: latin-1 -*-\n# caf\xe9\nimport helpers\n".as_slice(),
            GOOD_CODE.as_bytes(),
        ]
        .concat(),
    );
    let report = t.audit();
    assert_good_app_analysed(&report);
    assert!(findings(&report, "parse-error", "good/app.py").is_empty());
    assert!(
        parse_error(&report, "good/wrong.py")
            .message
            .contains("as `coding: utf-8` declares")
    );
    assert!(
        parse_error(&report, "good/odd.py")
            .message
            .contains("unknown source encoding `klingon`")
    );
}

#[test]
fn empty_files_are_quietly_empty() {
    let t = Tree::new();
    t.write("empty/template.yaml", "");
    t.write("empty/template.json", "");
    t.write(
        "empty2/template.yaml",
        GOOD_TEMPLATE.replace("good/", "code/"),
    );
    t.write("empty2/code/app.py", "");
    let report = t.audit();
    assert_good_app_analysed(&report);
    let noise: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "parse-error")
        .collect();
    assert!(
        noise.is_empty(),
        "an empty file is not an error: {noise:#?}"
    );
}

#[test]
fn a_50_mb_template_is_refused_quickly() {
    let t = Tree::new();
    let path = t.write(
        "huge/template.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n",
    );
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    let block: String = (0..1000)
        .map(|i| format!("  Queue{i}:\n    Type: AWS::SQS::Queue\n"))
        .collect();
    while f.metadata().expect("meta").len() < 50 * 1024 * 1024 {
        f.write_all(block.as_bytes()).expect("write");
    }
    drop(f);
    let started = Instant::now();
    let report = t.audit();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        parse_error(&report, "huge/template.yaml")
            .message
            .contains("limit")
    );
    assert_good_app_analysed(&report);
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let t = Tree::new();
    let depth = 10_000;
    let head = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {}\nDeep: ";
    t.write(
        "deep/template.yaml",
        format!("{head}{}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    t.write(
        "deepmap/template.yaml",
        format!("{head}{}1{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
    );
    t.write(
        "deep/template.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{}}, \"Deep\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    // Deep expressions in code the handler reaches.
    t.write(
        "good/app.py",
        format!(
            "{GOOD_CODE}\nX = {}1{}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
    );
    let report = t.audit();
    for file in [
        "deep/template.yaml",
        "deepmap/template.yaml",
        "deep/template.json",
    ] {
        // Our depth limit, or yaml-rust2's own recursion limit for flow collections.
        let message = &parse_error(&report, file).message;
        assert!(
            message.contains("nesting") || message.contains("recursion limit"),
            "{file}: {message}"
        );
    }
    assert_good_app_analysed(&report);
}

#[test]
fn yaml_alias_bombs_stop_at_the_budget() {
    let t = Tree::new();
    let mut bomb = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\na: &a [\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 10].join(", ");
        bomb.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    bomb.push_str("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { Tags: *j }\n");
    t.write("bomb/template.yaml", bomb);
    let started = Instant::now();
    let report = t.audit();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        parse_error(&report, "bomb/template.yaml")
            .message
            .contains("alias")
    );
    assert_good_app_analysed(&report);
}

/// Each of `files` has exactly one `parse-error` saying its work budget ran out.
fn assert_budget_spent_once(report: &Report, files: &[&str], message: &str) {
    for file in files {
        let spent = findings(report, "parse-error", file)
            .into_iter()
            .filter(|f| f.message.contains(message))
            .count();
        assert_eq!(spent, 1, "{file}: {:#?}", report.findings);
    }
}

/// Serverless variables are a second way to build a bomb: each level uses the previous one
/// ten times, or a configuration includes itself (found by the `serverless` fuzz target on a real
/// app whose `${file()}` includes the fuzzer answered with the configuration itself).
#[test]
fn serverless_variable_bombs_stop_at_the_budget() {
    let t = Tree::new();
    let mut bomb = String::from(
        "service: bomb\nprovider:\n  name: aws\n  runtime: python3.12\ncustom:\n  l0: [lol, lol]\n",
    );
    for i in 1..=9 {
        let prev = vec![format!("\"${{self:custom.l{}}}\"", i - 1); 10].join(", ");
        bomb.push_str(&format!("  l{i}: [{prev}]\n"));
    }
    bomb.push_str(
        "functions:\n  f:\n    handler: h.handler\n    tags:\n      t: ${self:custom.l9}\n",
    );
    t.write("bomb/serverless.yml", bomb);
    let mut itself = String::from(
        "service: itself\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.handler\nresources:\n",
    );
    itself.push_str(&"  - ${file(serverless.yml)}\n".repeat(8));
    t.write("self/serverless.yml", itself);
    let report = t.audit();
    assert_budget_spent_once(
        &report,
        &["bomb/serverless.yml", "self/serverless.yml"],
        "variables expand to more than",
    );
    assert_good_app_analysed(&report);
}

/// Terraform locals are evaluated where they are used: locals that use the previous one ten
/// times, or text that doubles at each step, stop at the evaluation budget.
#[test]
fn terraform_local_bombs_stop_at_the_budget() {
    let t = Tree::new();
    let function = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  \
                    role = \"arn:aws:iam::123456789012:role/r\"\n  handler = \"h.handler\"\n  \
                    runtime = \"python3.12\"\n  environment { variables = { X = jsonencode(local.l12) } }\n}\n";
    let mut lists = String::from("locals {\n  l0 = [\"lol\"]\n");
    let mut text = String::from("locals {\n  l0 = \"lollollollollollollollollollollol\"\n");
    for i in 1..=12 {
        let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
        lists.push_str(&format!("  l{i} = [{refs}]\n"));
        text.push_str(&format!(
            "  l{i} = \"${{local.l{0}}}${{local.l{0}}}${{local.l{0}}}${{local.l{0}}}\"\n",
            i - 1
        ));
    }
    t.write("lists/main.tf", format!("{lists}}}\n{function}"));
    t.write("text/main.tf", format!("{text}}}\n{function}"));
    let report = t.audit();
    assert_budget_spent_once(
        &report,
        &["lists/main.tf", "text/main.tf"],
        "expressions expand to more than",
    );
    assert_good_app_analysed(&report);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_in_or_out() {
    use std::os::unix::fs::symlink;
    let t = Tree::new();
    let outside = t.outside();
    fs::create_dir_all(outside.join("code")).expect("mkdir");
    fs::write(
        outside.join("template.yaml"),
        GOOD_TEMPLATE.replace("Good:", &format!("{SECRET}:")),
    )
    .expect("write");
    fs::write(
        outside.join("code/app.py"),
        format!("import boto3\n# {SECRET}\ndef handler(e, c):\n    boto3.client(\"kms\").decrypt(CiphertextBlob=b\"\")\n"),
    )
    .expect("write");
    let root = t.root();
    symlink(&root, root.join("loop")).expect("symlink");
    symlink(root.join("a"), root.join("b")).expect("symlink");
    symlink(root.join("b"), root.join("a")).expect("symlink");
    symlink(
        outside.join("template.yaml"),
        root.join("linked.template.yaml"),
    )
    .expect("symlink");
    symlink(&outside, root.join("outdir")).expect("symlink");
    // A function whose code folder is a link out of the root.
    t.write(
        "viaLink/template.yaml",
        GOOD_TEMPLATE.replace("good/", "../outdir/code/"),
    );
    let (code, report, stdout) = run_binary(&root);
    assert!(code == 0 || code == 1);
    assert!(!stdout.contains(SECRET), "nothing from outside the root");
    assert!(
        !stdout.contains("kms:Decrypt"),
        "code behind a link out is never read"
    );
    assert_good_app_analysed(&report);
}

#[test]
fn code_paths_that_escape_the_root_are_refused() {
    let t = Tree::new();
    let outside = t.outside();
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(
        outside.join("app.py"),
        format!("import boto3\n# {SECRET}\ndef handler(e, c):\n    boto3.client(\"kms\").decrypt(CiphertextBlob=b\"\")\n"),
    )
    .expect("write");
    t.write(
        "up/template.yaml",
        GOOD_TEMPLATE.replace("good/", "../../outside/"),
    );
    t.write(
        "abs/template.yaml",
        GOOD_TEMPLATE.replace("good/", &format!("{}/", outside.display())),
    );
    t.write(
        "cfn/template.json",
        r#"{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
  "Code": "../../outside", "Handler": "app.handler", "Runtime": "python3.12",
  "Role": "arn:aws:iam::111122223333:role/r"}}}}"#,
    );
    let (code, report, stdout) = run_binary(&t.root());
    assert_eq!(code, 1);
    for file in ["up/template.yaml", "abs/template.yaml", "cfn/template.json"] {
        let e = parse_error(&report, file);
        assert!(
            e.message.contains("leaves the audited folder"),
            "{file}: {}",
            e.message
        );
    }
    let up = parse_error(&report, "up/template.yaml");
    assert_eq!(location(up), (9, 16), "at the CodeUri value");
    assert!(!stdout.contains(SECRET) && !stdout.contains("kms:Decrypt"));
    assert_good_app_analysed(&report);
}

#[test]
fn a_handler_that_points_nowhere_is_reported_at_the_handler() {
    let t = Tree::new();
    t.write(
        "lost/template.yaml",
        GOOD_TEMPLATE.replace("app.handler", "missing.handler"),
    );
    t.write("lost/good/app.py", GOOD_CODE);
    let report = t.audit();
    // Absent code is unknown, not malformed: an `incomplete-input` note, no `parse-error`.
    assert!(findings(&report, "parse-error", "lost/template.yaml").is_empty());
    let found = findings(&report, "incomplete-input", "lost/template.yaml");
    assert_eq!(found.len(), 1, "{:#?}", report.findings);
    let e = found[0];
    assert_eq!(e.severity, rolefit::finding::Severity::Note);
    assert_eq!(location(e), (10, 16), "at the Handler value: {}", e.message);
    assert!(e.message.contains("missing.handler"), "{}", e.message);
    assert!(e.message.contains("not found"), "{}", e.message);
    assert_good_app_analysed(&report);
}

#[test]
fn unreadable_files_are_read_errors() {
    // Through the reader directly: a path that exists in the listing but cannot be read as
    // a file (a folder) takes the same `Io` path as a permission error.
    let t = Tree::new();
    let dir = t.root().join("good");
    let entry = rolefit::discover::Entry {
        rel: "good".into(),
        abs: dir,
        kind: rolefit::discover::FileKind::Yaml,
        size: 0,
    };
    assert!(matches!(
        rolefit::discover::read_text(&entry),
        Err(rolefit::discover::ReadError::Io(_))
    ));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = t.write("locked/template.yaml", GOOD_TEMPLATE);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
        // Root reads anything whatever the mode: then only the reader test above applies.
        let unreadable = fs::read(&path).is_err();
        let report = t.audit();
        if unreadable {
            assert!(
                parse_error(&report, "locked/template.yaml")
                    .message
                    .contains("cannot read")
            );
        }
        assert_good_app_analysed(&report);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod back");
    }
}

/// Every file under `dir` with its content, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = fs::symlink_metadata(&path).expect("meta");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let bytes = fs::read(&path).expect("read");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_report_is_the_only_file_written() {
    let t = Tree::new();
    let before = snapshot(t.tmp.path());
    let report = t.tmp.path().join("out/report.json");
    fs::create_dir_all(report.parent().expect("parent")).expect("mkdir");
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["audit", "--format", "json", "--output"])
        .arg(&report)
        .arg(t.root())
        .env("CI", "true")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(1), "the good app has an error");
    assert!(out.stdout.is_empty(), "the report went to --output");
    let mut after = snapshot(t.tmp.path());
    after.retain(|(p, _)| p != &report);
    assert_eq!(before, after, "nothing else was created or changed");
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(&report).expect("report written")).expect("JSON");
    assert!(json["summary"]["functions"].as_u64() >= Some(1));
}

/// Code that doubles a value at each assignment would build exponentially long strings in the
/// evaluators; past their size limit the value is unknown, and the call is still found.
#[test]
fn doubled_values_in_code_stay_bounded() {
    use rolefit::model::Arg;
    use rolefit::parse::code::{Lang, extract};
    use rolefit::source::{FileId, SourceFile};

    let steps = |line: &dyn Fn(usize) -> String| (1..=60).map(line).collect::<String>();
    let python = format!(
        "import boto3\ns3 = boto3.client(\"s3\")\nx0 = \"lol\"\n{}def handler(e, c):\n    s3.put_object(Bucket=x60, Key=\"k\")\n",
        steps(&|i| format!("x{i} = x{0} + f\"{{x{0}}}\"\n", i - 1))
    );
    let js = format!(
        "const {{ S3Client, PutObjectCommand }} = require(\"@aws-sdk/client-s3\");\nconst s3 = new S3Client({{}});\nconst x0 = \"lol\";\n{}exports.handler = async () => s3.send(new PutObjectCommand({{ Bucket: x60, Key: \"k\" }}));\n",
        steps(&|i| format!("const x{i} = x{0} + `${{x{0}}}`;\n", i - 1))
    );
    let go = format!(
        "package main\n\nimport (\n\t\"context\"\n\t\"github.com/aws/aws-sdk-go-v2/aws\"\n\ts3svc \"github.com/aws/aws-sdk-go-v2/service/s3\"\n)\n\nconst x0 = \"lol\"\n{}\nfunc handle(ctx context.Context, c *s3svc.Client) {{\n\tc.GetObject(ctx, &s3svc.GetObjectInput{{Bucket: aws.String(x60)}})\n}}\n",
        steps(&|i| format!("const x{i} = x{0} + x{0}\n", i - 1))
    );
    let java = format!(
        "import software.amazon.awssdk.services.s3.S3Client;\nimport software.amazon.awssdk.services.s3.model.*;\n\npublic class App {{\n    static final String X0 = \"lol\";\n{}    private final S3Client s3 = S3Client.create();\n    public void handle() {{ s3.getObject(GetObjectRequest.builder().bucket(X60).key(\"k\").build()); }}\n}}\n",
        steps(&|i| format!("    static final String X{i} = X{0} + X{0};\n", i - 1))
    );
    for (path, lang, src) in [
        ("app.py", Lang::Python, python),
        ("app.js", Lang::JavaScript, js),
        ("main.go", Lang::Go, go),
        ("App.java", Lang::Java, java),
    ] {
        let facts = extract(&SourceFile::new(FileId(0), path, src), lang).expect("parses");
        let [call] = facts.calls.as_slice() else {
            panic!("{path}: one call: {:#?}", facts.calls);
        };
        let bucket = call.args.iter().find(|(k, _)| k == "Bucket");
        assert_eq!(bucket.map(|(_, v)| v), Some(&Arg::Unknown), "{path}");
    }
}

/// A SAM function whose role is written by hand: one policy as JSON text (CloudFormation
/// accepts `PolicyDocument` as a JSON string), one with a statement IAM would reject, one whose
/// document is a value only known at deploy time.
const ROLE_TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Doc:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: AsText
          PolicyDocument: !Sub '{
              "Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                             "Resource": "${Bucket.Arn}/*"}]
            }'
        - PolicyName: Broken
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Action: s3:GetObject
                Resource: "*"
              - Effect: Allow
                Action: s3:ListBucket
                Resource: "*"
                Condition:
                  StringEqualsTypo: { "aws:SourceAccount": "1" }
        - PolicyName: Unknown
          PolicyDocument: !Ref Doc
  Good:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: good/
      Handler: app.handler
      Runtime: python3.12
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          BUCKET: !Ref Bucket
"#;

#[test]
fn problems_in_user_policies_are_findings_and_json_text_policies_are_read() {
    let t = Tree::new();
    t.write("template.yaml", ROLE_TEMPLATE);
    let report = t.audit();
    // The JSON-text policy grants the write the code makes: no missing-permission for it.
    let missing = findings(&report, "missing-permission", "good/app.py");
    assert!(
        !missing
            .iter()
            .any(|f| f.actions.iter().any(|a| a == "s3:PutObject")),
        "the policy written as JSON text grants s3:PutObject: {missing:#?}"
    );
    let errors = findings(&report, "parse-error", "template.yaml");
    let messages: Vec<&str> = errors.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("policy `Broken`") && m.contains("the statement has no Effect")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("policy `Broken`")
            && m.contains("unknown condition operator `StringEqualsTypo`")),
        "{messages:#?}"
    );
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("AsText") || m.contains("Unknown")),
        "JSON text and deploy-time values are not malformed: {messages:#?}"
    );
    let broken = errors
        .iter()
        .find(|f| f.message.contains("no Effect"))
        .expect("located");
    assert_eq!(location(broken).0, 29, "points at the statement");
}

#[test]
fn a_build_file_that_does_not_parse_is_a_parse_error() {
    let t = Tree::new();
    t.write(
        "java/template.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: target/orders-1.0.jar\n      Handler: com.example.Orders::handleRequest\n      Runtime: java21\n",
    );
    t.write(
        "java/pom.xml",
        "<project><artifactId>orders</artifactId><modules><module>core</module></project>\n",
    );
    t.write(
        "java/src/main/java/com/example/Orders.java",
        "package com.example;\npublic class Orders { public String handleRequest(Object i, Object c) { return \"\"; } }\n",
    );
    let report = t.audit();
    let e = parse_error(&report, "java/pom.xml");
    assert!(
        e.message.contains("`<modules>` is not closed"),
        "{}",
        e.message
    );
    // The project is still read.
    let f = report
        .functions
        .iter()
        .find(|f| f.id.ends_with("#Orders"))
        .expect("function");
    assert_eq!(f.code, ["java/src/main/java/com/example/Orders.java"]);
    assert_good_app_analysed(&report);
}
