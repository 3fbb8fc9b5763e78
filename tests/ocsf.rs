//! `--format ocsf`: OCSF 1.3.0 Detection Findings, one JSON event per line, validated with the
//! pinned PyPI package `pydantic-ocsf` (`.ci/run` installs it) by `tests/ocsf/validate.py`.
//! Without Python or the package the validation skips, saying why; the shape checks here run
//! everywhere.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use rolefit::app;
use rolefit::report::ocsf;
use rolefit::root::RootOptions;

const NOW: u64 = 1_796_530_407_000;

fn ocsf_of(name: &str, options: &RootOptions) -> String {
    let mut audit =
        app::audit(&[common::fixtures().join(name)], &Default::default()).expect("audit");
    app::set_root(&mut audit, options).expect("root");
    ocsf::render(&audit.report, NOW)
}

fn all_fixtures() -> String {
    let mut names: Vec<_> = std::fs::read_dir(common::fixtures())
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| ocsf_of(n, &RootOptions::default()))
        .collect()
}

#[test]
fn one_detection_finding_per_line() {
    let text = ocsf_of("account-resource-policies", &RootOptions::default());
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON event"))
        .collect();
    assert!(!events.is_empty());
    for e in &events {
        assert_eq!(e["class_uid"], 2004);
        assert_eq!(e["category_uid"], 2);
        assert_eq!(e["type_uid"], 200401);
        assert_eq!(e["metadata"]["version"], "1.3.0");
        assert_eq!(e["time"], NOW);
        assert_eq!(e["cloud"]["account"]["uid"], "111122223333");
        assert!(
            e["finding_info"]["uid"]
                .as_str()
                .is_some_and(|u| u.starts_with("rolefit/111122223333/us-east-1/"))
        );
    }
    // Without an account, no cloud profile.
    let repo = ocsf_of("demo", &RootOptions::default());
    let first: serde_json::Value =
        serde_json::from_str(repo.lines().next().expect("a finding")).expect("json");
    assert!(first.get("cloud").is_none());
}

#[test]
fn every_fixture_validates_with_the_ocsf_models() {
    let text = all_fixtures();
    assert!(text.lines().count() > 50);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocsf/validate.py");
    let child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        println!(
            "skipped: python3 is not available to run {}",
            script.display()
        );
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes()).expect("write events");
    }
    let out = child.wait_with_output().expect("validator runs");
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        println!("skipped: {err} (`.ci/run` installs pydantic-ocsf)");
        return;
    }
    assert!(out.status.success(), "OCSF validation failed:\n{err}");
    // The validator is not a no-op: a broken event is rejected.
    let broken = text
        .lines()
        .next()
        .expect("an event")
        .replace("\"class_uid\":2004", "\"class_uid\":2003");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(broken.as_bytes()).expect("write");
    }
    assert_eq!(
        child.wait_with_output().expect("runs").status.code(),
        Some(1)
    );
}
