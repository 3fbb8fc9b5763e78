//! Real JSON output validates against `schema/report-v1.json`, the published contract.

use std::path::Path;

#[test]
fn every_fixture_report_validates_against_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schema/report-v1.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("fixtures")).expect("fixtures") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let audit =
            rolefit::app::audit(std::slice::from_ref(&path), &Default::default()).expect("audit");
        let json: serde_json::Value =
            serde_json::from_str(&rolefit::report::json::render(&audit.report))
                .expect("report is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            path.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn the_schema_rejects_a_broken_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schema/report-v1.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let broken = serde_json::json!({
        "version": 1, "tool": {"name": "rolefit", "version": "0.1.0"}, "functions": [],
        "findings": [{"rule": "made-up", "severity": "fatal", "function": null, "message": "x",
                      "location": null, "actions": [], "resources": [], "fix": null}],
        "summary": {"files": 0, "functions": 0, "findings": {"error": 0, "warning": 0, "note": 0}}
    });
    assert!(!validator.is_valid(&broken));
}
