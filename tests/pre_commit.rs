//! `.pre-commit-hooks.yaml`: valid by pre-commit's hook manifest schema
//! (tests/data/pre-commit-hooks.schema.json), and each hook's `entry` run as pre-commit runs
//! it (the installed binary, no file names, in the repository root) on a copy of the demo.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::copy;
use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => Value::String(r.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn hooks() -> Value {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("read");
    let docs = YamlLoader::load_from_str(&text).expect("YAML");
    assert_eq!(docs.len(), 1);
    to_json(&docs[0])
}

#[test]
fn the_manifest_is_valid_by_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/pre-commit-hooks.schema.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let hooks = hooks();
    let errors: Vec<String> = validator
        .iter_errors(&hooks)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The schema catches what it should.
    let mut bad = hooks.clone();
    bad[0]["language"] = Value::from("cobol");
    bad[1]["pass_filenames"] = Value::from("no");
    assert_eq!(validator.iter_errors(&bad).count(), 2);

    let ids: Vec<&str> = hooks
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(ids, ["rolefit", "rolefit-fix"]);
    for h in hooks.as_array().expect("list") {
        // `language: rust` installs the package's binaries with cargo: the entry is one of them.
        assert_eq!(h["language"], "rust");
        assert_eq!(
            h["entry"]
                .as_str()
                .and_then(|e| e.split_whitespace().next()),
            Some("rolefit")
        );
    }
}

/// Runs a hook's `entry` (and `args`) in `dir` as pre-commit does when `pass_filenames` is
/// false, with the built binary for `rolefit`.
fn run_hook(hook: &Value, dir: &Path) -> std::process::Output {
    let entry = hook["entry"].as_str().expect("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("rolefit"));
    let args: Vec<String> = words
        .map(str::to_string)
        .chain(
            hook["args"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string)),
        )
        .collect();
    assert_eq!(hook["pass_filenames"], false);
    Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("runs")
}

#[test]
fn each_hook_entry_runs_on_a_repository() {
    let hooks = hooks();
    let by_id = |id: &str| {
        hooks
            .as_array()
            .expect("list")
            .iter()
            .find(|h| h["id"] == id)
            .cloned()
            .expect("hook")
    };
    let dir = tempfile::tempdir().expect("temp");
    copy(&root().join("fixtures/demo"), dir.path());
    let template = dir.path().join("template.yaml");
    let before = std::fs::read_to_string(&template).expect("read");

    // The audit fails the commit on the demo's errors and changes nothing.
    let audit = run_hook(&by_id("rolefit"), dir.path());
    assert_eq!(audit.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&audit.stdout).contains("missing-permission"));
    assert_eq!(std::fs::read_to_string(&template).expect("read"), before);

    // The fix edits the template (pre-commit fails a hook that modifies files, so the user
    // reviews and stages the edit), after which both hooks pass.
    let fix = run_hook(&by_id("rolefit-fix"), dir.path());
    assert_eq!(
        fix.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fix.stdout)
    );
    assert_ne!(std::fs::read_to_string(&template).expect("read"), before);
    let again = run_hook(&by_id("rolefit-fix"), dir.path());
    assert_eq!(again.status.code(), Some(0));
    let audit = run_hook(&by_id("rolefit"), dir.path());
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}
