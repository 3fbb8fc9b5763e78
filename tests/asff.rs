//! `--format asff`: every fixture's findings validate against `tests/data/asff.schema.json`, a
//! schema written from Security Hub's documented ASFF rules (cited in it); `Id`s are stable
//! and include the shard's label; a run without an account and region exits 2.

mod common;

use std::path::PathBuf;
use std::process::Command;

use rolefit::app;
use rolefit::report::asff;
use rolefit::root::RootOptions;

const NOW: u64 = 1_796_530_407_000;

fn validator() -> jsonschema::Validator {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/data/asff.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// ASFF of a fixture: the exports' own account and region, else `--account-id`/`--region`.
fn asff_of(name: &str, label: Option<&str>) -> serde_json::Value {
    let dir = common::fixtures().join(name);
    let mut audit = app::audit(&[dir], &Default::default()).expect("audit");
    let known = audit.detected_root.account.is_some() && audit.detected_root.region.is_some();
    let options = RootOptions {
        label: label.map(str::to_string),
        account: (!known).then(|| "123456789012".to_string()),
        region: (!known).then(|| "eu-west-1".to_string()),
    };
    app::set_root(&mut audit, &options).expect("root");
    serde_json::from_str(&asff::render(&audit.report, NOW, false).expect("asff")).expect("json")
}

#[test]
fn every_fixture_validates_against_the_documented_asff_rules() {
    let validator = validator();
    let mut names: Vec<String> = std::fs::read_dir(common::fixtures())
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut findings = 0;
    for name in &names {
        let docs = asff_of(name, None);
        let errors: Vec<String> = validator
            .iter_errors(&docs)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
        findings += docs.as_array().map_or(0, Vec::len);
    }
    assert!(
        findings > 50,
        "only {findings} findings across the fixtures"
    );
}

#[test]
fn the_schema_is_not_a_no_op() {
    let validator = validator();
    let docs = asff_of("demo", None);
    assert!(validator.is_valid(&docs));
    let one = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut d = docs.clone();
        edit(&mut d[0]);
        validator.is_valid(&d)
    };
    assert!(!one(&|d| d["Title"] = "x".repeat(257).into()));
    assert!(!one(&|d| d["Description"] = "x".repeat(1025).into()));
    assert!(!one(&|d| d["Resources"] = serde_json::json!([])));
    assert!(!one(&|d| d["Types"] = serde_json::json!(["Made Up/Thing"])));
    assert!(!one(&|d| d["CreatedAt"] = "yesterday".into()));
    assert!(!one(
        &|d| d["Remediation"]["Recommendation"]["Text"] = "x".repeat(513).into()
    ));
    assert!(!one(&|d| {
        d.as_object_mut().expect("object").remove("Severity");
    }));
}

#[test]
fn deployed_resources_carry_their_arns_and_the_account_of_the_export() {
    let docs = asff_of("account-resource-policies", None);
    let first = &docs[0];
    assert_eq!(first["AwsAccountId"], "111122223333");
    assert_eq!(
        first["ProductArn"],
        "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
    );
    let resources = first["Resources"].as_array().expect("resources");
    assert!(resources.iter().any(|r| {
        r["Type"] == "AwsLambdaFunction"
            && r["Id"]
                .as_str()
                .is_some_and(|id| id.starts_with("arn:aws:lambda:us-east-1:111122223333:function:"))
    }));
    assert!(resources.iter().any(|r| r["Type"] == "AwsIamRole"));
    assert_eq!(first["CreatedAt"], "2026-12-06T04:13:27.000Z");
}

#[test]
fn ids_are_stable_and_include_the_label() {
    let ids = |docs: &serde_json::Value| -> Vec<String> {
        docs.as_array()
            .expect("array")
            .iter()
            .map(|d| d["Id"].as_str().expect("id").to_string())
            .collect()
    };
    let a = ids(&asff_of("demo", Some("prod")));
    let again = ids(&asff_of("demo", Some("prod")));
    let other = ids(&asff_of("demo", Some("staging")));
    assert_eq!(a, again, "re-imports update the same findings");
    assert!(a.iter().all(|id| id.starts_with("rolefit/prod/")));
    let unique: std::collections::BTreeSet<&String> = a.iter().collect();
    assert_eq!(unique.len(), a.len());
    for (x, y) in a.iter().zip(&other) {
        assert_ne!(
            x.rsplit('/').next(),
            y.rsplit('/').next(),
            "the fingerprint itself includes the label"
        );
    }
}

#[test]
fn without_an_account_and_region_the_run_fails_with_status_2() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "audit".to_string(),
            common::fixtures().join("demo").display().to_string(),
            "--format".into(),
            "asff".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        Command::new(env!("CARGO_BIN_EXE_rolefit"))
            .args(&args)
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--account-id and --region"), "{err}");
    let out = run(&["--account-id", "123456789012", "--region", "eu-west-1"]);
    assert_eq!(out.status.code(), Some(1), "demo has errors");
    let out = run(&["--account-id", "12345"]);
    assert_eq!(out.status.code(), Some(2));
    // A flag that contradicts the export is refused, not applied.
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args([
            "audit",
            &common::fixtures()
                .join("account-resource-policies")
                .display()
                .to_string(),
            "--format",
            "asff",
            "--account-id",
            "123456789012",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("contradicts"));
}
