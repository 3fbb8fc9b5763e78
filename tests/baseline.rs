//! The baseline flow: record today's findings, move lines around, add one new problem:
//! exactly that one finding is reported and fails the run.

use std::path::Path;
use std::process::{Command, Output};

fn rolefit(args: &[&str], app: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(args)
        .arg(app)
        .output()
        .expect("runs")
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is the JSON report")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, f(text)).expect("write");
}

#[test]
fn only_new_findings_fail_after_lines_move() {
    let work = tempfile::tempdir().expect("temp dir");
    let app = work.path().join("app");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"),
        &app,
    );
    let baseline = work.path().join("rolefit-baseline.json");
    let baseline_arg = baseline.to_string_lossy().to_string();

    let first = rolefit(
        &[
            "audit",
            "--format",
            "json",
            "--write-baseline",
            &baseline_arg,
        ],
        &app,
    );
    assert_eq!(first.status.code(), Some(1), "the demo has an error");
    let recorded = report(&first)["findings"].as_array().map_or(0, Vec::len);
    assert!(recorded >= 5);

    // Move every finding: blank lines and comments above them, re-indentation aside.
    edit(&app.join("template.yaml"), |t| {
        t.replacen("Resources:\n", "# moved by a refactor\n\n\nResources:\n", 1)
    });
    edit(&app.join("src/create_order/app.py"), |t| {
        format!("# Licensed under MIT.\n\n\n{t}")
    });
    let moved = rolefit(
        &["audit", "--format", "json", "--baseline", &baseline_arg],
        &app,
    );
    assert_eq!(
        report(&moved)["findings"].as_array().map(Vec::len),
        Some(0),
        "every moved finding is in the baseline"
    );
    assert_eq!(moved.status.code(), Some(0));

    // One new problem: GetOrderFunction now publishes to SNS without the right to.
    edit(&app.join("src/get_order/app.py"), |t| {
        t.replace(
            "    item = result.get(\"Item\")\n",
            "    boto3.client(\"sns\").publish(TopicArn=\"arn:aws:sns:us-east-1:123456789012:audit\", Message=order_id)\n    item = result.get(\"Item\")\n",
        )
    });
    let new = rolefit(
        &["audit", "--format", "json", "--baseline", &baseline_arg],
        &app,
    );
    let r = report(&new);
    let findings = r["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "missing-permission");
    assert_eq!(findings[0]["location"]["file"], "src/get_order/app.py");
    assert_eq!(r["summary"]["findings"]["error"], 1);
    assert_eq!(new.status.code(), Some(1), "the new finding fails the run");
}

#[test]
fn a_broken_baseline_fails_the_run() {
    let work = tempfile::tempdir().expect("temp dir");
    let baseline = work.path().join("b.json");
    std::fs::write(&baseline, "{\"version\": 7}").expect("write");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let out = rolefit(&["audit", "--baseline", &baseline.to_string_lossy()], &demo);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a version 1 rolefit baseline"));
}
