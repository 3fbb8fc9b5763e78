//! `scripts/triage` (the precision harness) on `fixtures/demo`: one section per rule present in
//! the audit, one sampled finding each with `--per-rule 1`, each with its checkbox line.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

#[test]
fn triage_samples_one_finding_per_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_rolefit");
    let report = Command::new(bin)
        .args(["audit", "fixtures/demo", "--format", "json"])
        .current_dir(root)
        .output()
        .expect("run rolefit");
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json report");
    let rules: BTreeSet<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect();
    assert!(
        rules.len() >= 2,
        "fixtures/demo should exercise several rules: {rules:?}"
    );

    let out = Command::new("python3")
        .args([
            "scripts/triage",
            "fixtures/demo",
            "--per-rule",
            "1",
            "--seed",
            "7",
            "--bin",
            bin,
        ])
        .current_dir(root)
        .output()
        .expect("run python3 scripts/triage");
    assert!(
        out.status.success(),
        "triage failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).expect("utf-8 markdown");
    let sections: BTreeSet<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_string)
        .collect();
    assert_eq!(sections, rules, "one section per rule present");
    assert_eq!(
        md.matches("- [ ] true / false / debatable: why").count(),
        rules.len()
    );
    assert_eq!(
        md.lines().filter(|l| l.starts_with("### ")).count(),
        rules.len()
    );
    // The missing permission's code line and the related role location are excerpted.
    assert!(
        md.contains(">48 |     sqs.send_message("),
        "code excerpt missing:\n{md}"
    );
    assert!(
        md.contains("Related: execution role declared here"),
        "related location missing:\n{md}"
    );
    // Related locations are excerpted too (their SARIF paths are relative to the audited root).
    assert!(
        !md.contains("is not readable"),
        "an excerpt could not be read:\n{md}"
    );

    let again = Command::new("python3")
        .args([
            "scripts/triage",
            "fixtures/demo",
            "--per-rule",
            "1",
            "--seed",
            "7",
            "--bin",
            bin,
        ])
        .current_dir(root)
        .output()
        .expect("rerun triage");
    assert_eq!(
        again.stdout,
        md.as_bytes(),
        "the same seed samples the same findings"
    );
}
