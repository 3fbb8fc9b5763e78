//! `rolefit merge` (issue 18): merging shard reports equals auditing their union, each shard in
//! a folder named by its label; two copies of one account export under different labels never
//! collide; bad input ends with status 2 and a message, never a panic.

mod common;

use std::path::Path;
use std::process::Command;

use rolefit::app::{self, Audit};
use rolefit::report::{self, FindingReport, Report};
use rolefit::root::RootOptions;

/// An audit of `dir` labelled `label`, written as JSON and read back as `merge` reads it.
fn shard(dir: &Path, label: &str) -> Report {
    let mut audit = app::audit(&[dir.to_path_buf()], &Default::default()).expect("audit");
    let options = RootOptions {
        label: Some(label.to_string()),
        ..RootOptions::default()
    };
    app::set_root(&mut audit, &options).expect("label");
    report::read::parse(&report::json::render(&audit.report)).expect("reads back")
}

/// The audit of the shards' union, with the fingerprints of its own paths (`rolefit/v1`, no
/// label: the union's account exports may name one account, whose label it would take).
fn union_audit(dir: &Path) -> Audit {
    let mut audit = app::audit(&[dir.to_path_buf()], &Default::default()).expect("audit");
    let prints = report::fingerprint::fingerprints(&audit.findings, &audit.sources);
    for (f, print) in audit.report.findings.iter_mut().zip(prints) {
        f.fingerprint = print;
    }
    audit
}

/// What a finding says, without its message: a parse error's message names the path the
/// parser was given, which is the only text `merge` cannot prefix.
fn key(f: &FindingReport) -> String {
    let mut f = f.clone();
    if f.rule == "parse-error" {
        f.message.clear();
    }
    serde_json::to_string(&f).expect("json")
}

/// Merges the shards (fixture folder, label) and audits their union; both must agree.
fn check(shards: &[(&str, &str)]) -> Report {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut reports = Vec::new();
    for (fixture, label) in shards {
        let from = common::fixtures().join(fixture);
        common::copy(&from, &tmp.path().join(label));
        reports.push((label.to_string(), shard(&from, label)));
    }
    let merged = rolefit::merge::merge(reports).expect("merges");
    let union = union_audit(tmp.path());
    assert_eq!(
        merged.functions, union.report.functions,
        "{shards:?}: functions"
    );
    let m: Vec<String> = merged.findings.iter().map(key).collect();
    let u: Vec<String> = union.report.findings.iter().map(key).collect();
    assert_eq!(m, u, "{shards:?}: findings");
    assert_eq!(merged.summary, union.report.summary, "{shards:?}: summary");
    assert_eq!(merged.roots.len(), shards.len());
    merged
}

#[test]
fn merging_shards_equals_auditing_their_union() {
    check(&[("demo", "repos/demo"), ("sam-shared-role", "repos/shared")]);
    check(&[
        ("cfn-cross-account", "a"),
        ("parse-error-yaml", "b"),
        ("sam-python-missing-sqs", "c"),
    ]);
    check(&[
        ("account-trust-and-sharing", "111122223333/us-east-1"),
        ("account-managed-policies", "444455556666/eu-west-1"),
    ]);
}

#[test]
fn the_merged_report_validates_and_its_sarif_fingerprints_are_the_unions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let shards = [("demo", "one"), ("account-resource-policies", "two")];
    let mut reports = Vec::new();
    for (fixture, label) in shards {
        let from = common::fixtures().join(fixture);
        common::copy(&from, &tmp.path().join(label));
        reports.push((label.to_string(), shard(&from, label)));
    }
    let merged = rolefit::merge::merge(reports).expect("merges");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = |rel: &str| -> jsonschema::Validator {
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(rel)).expect("schema"))
                .expect("JSON");
        jsonschema::validator_for(&s).expect("compiles")
    };
    let json: serde_json::Value =
        serde_json::from_str(&report::json::render(&merged)).expect("JSON");
    let report_schema = schema("schema/report-v1.json");
    let errors: Vec<String> = report_schema
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let sarif: serde_json::Value =
        serde_json::from_str(&report::sarif::render_report(&merged, "")).expect("SARIF");
    assert!(schema("schema/sarif-2.1.0-rtm.5.json").is_valid(&sarif));
    let union = app::audit(&[tmp.path().to_path_buf()], &Default::default()).expect("audit");
    let union_sarif: serde_json::Value = serde_json::from_str(&report::sarif::render(
        &union.findings,
        &union.report,
        &union.sources,
        "",
    ))
    .expect("SARIF");
    let prints = |log: &serde_json::Value| -> Vec<(String, String)> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].to_string(),
                    r["partialFingerprints"]["rolefit/v1"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(prints(&sarif), prints(&union_sarif));
}

#[test]
fn two_copies_of_one_export_under_different_labels_do_not_collide() {
    let merged = check(&[
        ("account-resource-policies", "prod"),
        ("account-resource-policies", "staging"),
    ]);
    let single = shard(
        &common::fixtures().join("account-resource-policies"),
        "prod",
    );
    assert!(!single.findings.is_empty());
    assert_eq!(merged.findings.len(), 2 * single.findings.len());
    assert!(
        merged
            .functions
            .iter()
            .any(|f| f.id == "staging/functions.json#orders-api")
    );
    let prints: std::collections::BTreeSet<&str> = merged
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(prints.len(), merged.findings.len(), "fingerprints unique");
}

#[test]
fn the_same_shard_twice_is_counted_once_and_merged_reports_merge_again() {
    let a = shard(&common::fixtures().join("demo"), "demo");
    let b = shard(&common::fixtures().join("sam-shared-role"), "shared");
    let c = shard(&common::fixtures().join("cfn-cross-account"), "cross");
    let once = rolefit::merge::merge(vec![("a".into(), a.clone())]).expect("merge");
    let twice = rolefit::merge::merge(vec![("a".into(), a.clone()), ("a2".into(), a.clone())])
        .expect("merge");
    assert_eq!(once, twice);
    let all = rolefit::merge::merge(vec![
        ("a".into(), a.clone()),
        ("b".into(), b.clone()),
        ("c".into(), c.clone()),
    ])
    .expect("merge");
    let ab = rolefit::merge::merge(vec![("a".into(), a.clone()), ("b".into(), b)]).expect("merge");
    let ab = report::read::parse(&report::json::render(&ab)).expect("reads back");
    let nested = rolefit::merge::merge(vec![("ab".into(), ab), ("c".into(), c)]).expect("merge");
    assert_eq!(all, nested);
    // A merged report and one of its shards: the shard counts once.
    let again =
        rolefit::merge::merge(vec![("all".into(), all.clone()), ("a".into(), a)]).expect("merge");
    assert_eq!(all, again);
}

#[test]
fn conflicting_or_overlapping_labels_are_refused() {
    let demo = shard(&common::fixtures().join("demo"), "x");
    let nested = shard(&common::fixtures().join("sam-shared-role"), "x/y");
    let err = rolefit::merge::merge(vec![("1".into(), demo.clone()), ("2".into(), nested)])
        .expect_err("overlap");
    assert!(err.to_string().contains("overlap"), "{err}");
    let other_app = shard(&common::fixtures().join("sam-shared-role"), "x");
    let err = rolefit::merge::merge(vec![("1".into(), demo.clone()), ("2".into(), other_app)])
        .expect_err("two different reports under one label");
    assert!(err.to_string().contains("labelled `x`"), "{err}");
    let mut other_account = demo.clone();
    other_account.roots[0].account = Some("111122223333".into());
    let err = rolefit::merge::merge(vec![("1".into(), demo), ("2".into(), other_account)])
        .expect_err("conflict");
    assert!(err.to_string().contains("labelled `x`"), "{err}");
}

fn rolefit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_merges_into_every_format_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = |name: &str| tmp.path().join(name).display().to_string();
    let fixture = |name: &str| common::fixtures().join(name).display().to_string();
    let (code, _, err) = rolefit(&[
        "audit",
        &fixture("account-resource-policies"),
        "--format",
        "json",
        "--output",
        &p("a.json"),
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = rolefit(&[
        "audit",
        &fixture("demo"),
        "--format",
        "json",
        "--output",
        &p("b.json"),
        "--fail-on",
        "never",
        "--label",
        "orders",
        "--account-id",
        "123456789012",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = rolefit(&[
        "audit",
        &fixture("demo"),
        &fixture("sam-shared-role"),
        "--format",
        "json",
        "--output",
        &p("unlabelled.json"),
    ]);
    assert!(code == 0 || code == 1, "{err}");
    for format in [
        "json", "sarif", "markdown", "github", "human", "asff", "ocsf",
    ] {
        let (code, out, err) = rolefit(&["merge", &p("a.json"), &p("b.json"), "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(!out.is_empty(), "{format}");
        if format == "sarif" {
            assert!(out.contains("orders/src/create_order/app.py"), "{format}");
        }
        if format == "asff" {
            let docs: serde_json::Value = serde_json::from_str(&out).expect("json");
            let ids: Vec<&str> = docs
                .as_array()
                .expect("array")
                .iter()
                .filter_map(|d| d["Id"].as_str())
                .collect();
            assert!(ids.iter().any(|i| i.starts_with("rolefit/orders/")));
            assert!(
                ids.iter()
                    .any(|i| i.starts_with("rolefit/111122223333/us-east-1/"))
            );
        }
    }
    let (code, _, _) = rolefit(&["merge", &p("a.json"), &p("b.json"), "--fail-on", "error"]);
    assert_eq!(
        code, 1,
        "errors in the merged report fail with --fail-on error"
    );
    std::fs::write(p("broken.json"), "{\"version\": 1,").expect("write");
    let (code, _, _) = rolefit(&[
        "audit",
        &fixture("demo"),
        "--format",
        "sarif",
        "--output",
        &p("foreign.json"),
    ]);
    assert!(code == 0 || code == 1);
    for (input, says) in [
        (p("broken.json"), "not JSON"),
        (p("foreign.json"), "not a rolefit report"),
        (p("missing.json"), "missing.json"),
        (p("unlabelled.json"), "no root label"),
    ] {
        let (code, out, err) = rolefit(&["merge", &p("a.json"), &input]);
        assert_eq!(code, 2, "{input}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(says), "{input}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn the_collect_manifest_names_the_account_and_region() {
    let tmp = tempfile::tempdir().expect("tmp");
    common::copy(&common::fixtures().join("demo"), tmp.path());
    std::fs::write(
        tmp.path().join(rolefit::root::MANIFEST),
        r#"{"version": 1, "account": "210987654321", "region": "ap-southeast-2",
            "identity": "arn:aws:sts::210987654321:assumed-role/audit/x", "gaps": []}"#,
    )
    .expect("manifest");
    let audit = union_audit(tmp.path());
    let root = &audit.report.roots[0];
    assert_eq!(root.account.as_deref(), Some("210987654321"));
    assert_eq!(root.region.as_deref(), Some("ap-southeast-2"));
    assert_eq!(root.label.as_deref(), Some("210987654321/ap-southeast-2"));
    // Without the manifest, a template states no account: the root is named by its folder,
    // and --account-id/--region do not rename it.
    let mut plain =
        app::audit(&[common::fixtures().join("demo")], &Default::default()).expect("audit");
    assert_eq!(plain.report.roots[0].label.as_deref(), Some("demo"));
    let options = RootOptions {
        account: Some("123456789012".into()),
        region: Some("eu-west-1".into()),
        ..RootOptions::default()
    };
    app::set_root(&mut plain, &options).expect("flags");
    assert_eq!(plain.report.roots[0].label.as_deref(), Some("demo"));
    assert_eq!(
        plain.report.roots[0].account.as_deref(),
        Some("123456789012")
    );
    let prints = report::fingerprint::fingerprints_under(&plain.findings, &plain.sources, "demo/");
    let json: Vec<&String> = plain
        .report
        .findings
        .iter()
        .map(|f| &f.fingerprint)
        .collect();
    assert_eq!(json, prints.iter().collect::<Vec<_>>());
    // Several PATHs: no label, and the JSON fingerprints are the baseline's.
    let two = app::audit(
        &[
            common::fixtures().join("demo"),
            common::fixtures().join("sam-shared-role"),
        ],
        &Default::default(),
    )
    .expect("audit");
    assert_eq!(two.report.roots[0].label, None);
    let prints = report::fingerprint::fingerprints(&two.findings, &two.sources);
    let json: Vec<&String> = two.report.findings.iter().map(|f| &f.fingerprint).collect();
    assert_eq!(json, prints.iter().collect::<Vec<_>>());
}
