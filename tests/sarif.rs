//! `--format sarif` validates against the official SARIF 2.1.0 schema (vendored in
//! `schema/`, see `schema/SARIF-SCHEMA.md`), and carries rules, evidence and fingerprints;
//! `--format github` and `--format markdown` render the same findings for Actions.

use std::path::{Path, PathBuf};

use rolefit::app::{Audit, audit};
use rolefit::report::{github, markdown, sarif};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn audit_app(name: &str) -> Audit {
    audit(&[root().join("fixtures").join(name)], &Default::default()).expect("audit runs")
}

fn sarif_of(a: &Audit) -> serde_json::Value {
    serde_json::from_str(&sarif::render(&a.findings, &a.report, &a.sources, "app/"))
        .expect("SARIF is JSON")
}

#[test]
fn every_fixture_validates_against_the_sarif_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/sarif-2.1.0-rtm.5.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    apps.sort();
    let mut results = 0;
    for app in &apps {
        let a = audit(std::slice::from_ref(app), &Default::default()).expect("audit");
        let log = sarif_of(&a);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            app.display(),
            errors.join("\n")
        );
        results += log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    }
    assert!(results > 20, "only {results} results across the fixtures");
    // The schema is not a no-op: a result without a message is rejected.
    let mut broken = sarif_of(&audit_app("demo"));
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .expect("result")
        .remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn rules_come_from_the_catalog_with_help() {
    let log = sarif_of(&audit_app("demo"));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), rolefit::rules::ALL.len());
    let missing = rules
        .iter()
        .find(|r| r["id"] == "missing-permission")
        .expect("missing-permission rule");
    assert_eq!(missing["defaultConfiguration"]["level"], "error");
    assert!(
        missing["helpUri"]
            .as_str()
            .is_some_and(|u| u.ends_with("docs/rules.md#missing-permission"))
    );
    let doc = rolefit::finding::catalog::find("missing-permission").expect("rule");
    assert_eq!(missing["help"]["text"], doc.explain());
    assert_eq!(missing["help"]["markdown"], doc.help_markdown());
    assert_eq!(missing["shortDescription"]["text"], doc.summary);
    assert_eq!(missing["fullDescription"]["text"], doc.why);
}

#[test]
fn results_have_locations_evidence_and_fingerprints() {
    let log = sarif_of(&audit_app("demo"));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "missing-permission")
        .expect("demo has a missing permission");
    assert_eq!(missing["level"], "error");
    let loc = &missing["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "app/src/create_order/app.py"
    );
    assert_eq!(loc["region"]["startLine"], 48);
    let related = missing["relatedLocations"].as_array().expect("evidence");
    assert!(
        related
            .iter()
            .any(|r| r["physicalLocation"]["artifactLocation"]["uri"] == "app/template.yaml"),
        "the role declaration is evidence: {related:?}"
    );
    assert!(missing["properties"]["fix"].is_object());
    let mut prints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["rolefit/v1"]
                .as_str()
                .expect("print")
        })
        .collect();
    let n = prints.len();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), n, "fingerprints are unique within a run");
}

#[test]
fn github_annotations_and_markdown_summary() {
    let a = audit_app("demo");
    let text = github::render(&a.report, "app/");
    let first = text.lines().next().expect("one annotation per finding");
    assert!(
        first.starts_with(
            "::error file=app/src/create_order/app.py,line=48,col=5,title=rolefit missing-permission::"
        ),
        "{first}"
    );
    assert_eq!(text.lines().count(), a.report.findings.len());
    let md = markdown::render(&a.report);
    assert!(md.contains("**1 error(s)**, 6 warning(s)"), "{md}");
    assert!(md.contains("### CreateOrderFunction (`template.yaml#CreateOrderFunction`)"));
    assert!(md.contains("| error | `missing-permission` | `src/create_order/app.py:48` |"));
    assert_eq!(
        md.matches("```mermaid").count(),
        3,
        "one picture per function with findings"
    );
    assert!(md.contains("-->|\"missing: sqs:SendMessage\"|"));
}
