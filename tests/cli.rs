//! The binary as scripts use it: exit codes, formats, stdout holding only the report.

use std::process::Command;

fn rolefit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
}

fn demo() -> String {
    format!("{}/fixtures/demo", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn json_on_stdout_is_one_document_and_exit_follows_fail_on() {
    let out = rolefit()
        .args(["audit", &demo(), "--format", "json"])
        .output()
        .expect("runs");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    let errors = report["summary"]["findings"]["error"]
        .as_u64()
        .expect("error count");
    assert!(errors > 0, "the demo app has errors to show");
    assert_eq!(out.status.code(), Some(1), "errors fail the run by default");

    let never = rolefit()
        .args(["audit", &demo(), "--format", "json", "--fail-on", "never"])
        .output()
        .expect("runs");
    assert_eq!(never.status.code(), Some(0));
    assert_eq!(never.stdout, out.stdout, "output is deterministic");
}

#[test]
fn run_failures_exit_2() {
    let bad_flag = rolefit()
        .args(["audit", "--format", "yaml"])
        .output()
        .expect("runs");
    assert_eq!(bad_flag.status.code(), Some(2));
    let missing = rolefit()
        .args(["audit", "/definitely/not/here"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/definitely/not/here"));
}

#[test]
fn output_file_and_human_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    let out = rolefit()
        .args(["audit", &demo(), "--format", "json", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains("\"version\": 1"));

    let human = rolefit()
        .args(["audit", &demo(), "--color", "never"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("missing-permission"), "{text}");
    assert!(text.contains("rolefit: "), "summary line: {text}");
}

#[test]
fn actions_command_proves_the_knowledge_base() {
    let run = |args: &[&str]| {
        let out = rolefit().args(args).output().expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, _) = run(&["actions", "--sdk", "python", "s3.list_objects_v2"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("s3:ListBucket"), "{out}");
    let (_, out, _) = run(&["actions", "--sdk", "js", "PutCommand"]);
    assert!(out.contains("dynamodb:PutItem"), "{out}");
    let (_, out, _) = run(&["actions", "--sdk", "js", "GetObjectCommand"]);
    assert!(out.contains("s3:GetObject"), "{out}");
    let (_, out, _) = run(&["actions", "s3:GetObject*"]);
    assert!(out.contains("s3:GetObjectTagging"), "{out}");
    let (code, _, err) = run(&["actions", "s3:GetObjekt"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("s3:GetObject"), "did-you-mean: {err}");
}

#[test]
fn explain_prints_rule_docs() {
    let out = rolefit()
        .args(["explain", "missing-permission"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("## Fix"));
    let unknown = rolefit()
        .args(["explain", "no-such-rule"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn several_absolute_roots_find_their_code() {
    let root = env!("CARGO_MANIFEST_DIR");
    let one = rolefit()
        .args(["audit", &demo(), "--format", "json"])
        .output()
        .expect("runs");
    let two = rolefit()
        .args([
            "audit",
            &demo(),
            &format!("{root}/fixtures/sam-recursive-s3"),
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let count = |out: &[u8], rule: &str| {
        let r: serde_json::Value = serde_json::from_slice(out).expect("json");
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == rule)
            .count()
    };
    // The demo's code is read under an absolute root too: same SDK-call findings, no
    // "handler not found".
    assert_eq!(
        count(&two.stdout, "missing-permission"),
        count(&one.stdout, "missing-permission")
    );
    assert_eq!(count(&two.stdout, "parse-error"), 0);
    assert_eq!(count(&two.stdout, "recursive-invocation"), 2);
}

#[test]
fn a_missing_path_names_its_os_error_once() {
    let out = rolefit()
        .args(["audit", "/nonexistent-rolefit-path"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reading /nonexistent-rolefit-path"), "{err}");
    assert_eq!(
        err.matches("(os error 2)").count(),
        1,
        "the OS error is said once: {err}"
    );
}

#[test]
fn help_names_every_input_rolefit_reads() {
    let out = rolefit().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for input in [
        "SAM",
        "CloudFormation",
        "cdk.out",
        "Serverless Framework",
        "Terraform",
        "exported account state",
        "boto3",
        "TypeScript",
        "Go",
        "Java",
    ] {
        assert!(help.contains(input), "--help names {input}: {help}");
    }
}
