//! Suppressions silence exactly what they name: the same apps without their suppressions
//! report the silenced findings, and `unused-suppression` follows the configuration.

use std::collections::BTreeSet;
use std::path::Path;

use rolefit::config::{Config, RuleConfig};

type Found = BTreeSet<(String, u32, String)>;

fn findings(root: &Path, config: &Config) -> Found {
    let audit = rolefit::app::audit(&[root.to_path_buf()], config).expect("audit");
    audit
        .report
        .findings
        .iter()
        .filter_map(|f| {
            let l = f.location.as_ref()?;
            Some((l.file.clone(), l.line, f.rule.to_string()))
        })
        .collect()
}

/// A copy of a fixture app with `from` replaced by `to` in every file.
fn copy_replacing(app: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(app);
    copy(&src, dir.path(), from, to);
    dir
}

fn copy(from: &Path, to: &Path, a: &str, b: &str) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy(&e.path(), &target, a, b);
        } else {
            let text = std::fs::read_to_string(e.path()).expect("text");
            std::fs::write(target, text.replace(a, b)).expect("write");
        }
    }
}

fn entry(file: &str, line: u32, rule: &str) -> (String, u32, String) {
    (file.to_string(), line, rule.to_string())
}

#[test]
fn inline_comments_silence_only_what_they_name() {
    let with = findings(
        copy_replacing("suppressions-inline", "", "").path(),
        &Config::default(),
    );
    let without = findings(
        copy_replacing("suppressions-inline", "rolefit: ignore", "rolefit: noted").path(),
        &Config::default(),
    );
    let silenced: Found = without.difference(&with).cloned().collect();
    assert_eq!(
        silenced,
        [
            entry("src/notify/index.mjs", 7, "missing-permission"),
            entry("src/upload/app.py", 11, "missing-permission"),
            entry("template.yaml", 30, "unused-permission"),
        ]
        .into_iter()
        .collect(),
    );
    // The reason-less suppression is not applied: its finding is reported either way.
    assert!(with.contains(&entry("src/upload/app.py", 13, "missing-permission")));
    assert!(without.iter().all(|f| f.2 != "unused-suppression"));
}

#[test]
fn metadata_block_silences_its_resource() {
    let with = findings(
        copy_replacing("suppressions-metadata", "", "").path(),
        &Config::default(),
    );
    let without = findings(
        copy_replacing("suppressions-metadata", "\"rolefit\"", "\"other-tool\"").path(),
        &Config::default(),
    );
    let silenced: Vec<_> = without.difference(&with).collect();
    assert_eq!(silenced.len(), 1, "{silenced:?}");
    assert_eq!(silenced[0].2, "missing-permission");
}

#[test]
fn unused_suppression_follows_the_configuration() {
    let dir = copy_replacing("suppressions-inline", "", "");
    let mut config = Config::default();
    config.rules.insert(
        "unused-suppression".into(),
        RuleConfig {
            enabled: Some(false),
            severity: None,
        },
    );
    let off = findings(dir.path(), &config);
    assert!(off.iter().all(|f| f.2 != "unused-suppression"));
    // With missing-permission off, its suppressions have nothing to silence but are not stale.
    let mut quiet = Config::default();
    quiet.rules.insert(
        "missing-permission".into(),
        RuleConfig {
            enabled: Some(false),
            severity: None,
        },
    );
    let unused: Vec<_> = findings(dir.path(), &quiet)
        .into_iter()
        .filter(|f| f.2 == "unused-suppression")
        .collect();
    assert_eq!(
        unused,
        [
            entry("src/notify/index.mjs", 8, "unused-suppression"),
            entry("src/upload/app.py", 12, "unused-suppression"),
            entry("template.yaml", 32, "unused-suppression"),
        ],
        "the same three as with the rule on: the applied ones are not called stale"
    );
    config.rules.insert(
        "unused-suppression".into(),
        RuleConfig {
            enabled: None,
            severity: Some(rolefit::finding::Severity::Warning),
        },
    );
    let audit = rolefit::app::audit(&[dir.path().to_path_buf()], &config).expect("audit");
    let unused: Vec<_> = audit
        .report
        .findings
        .iter()
        .filter(|f| f.rule == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 3);
    assert!(
        unused
            .iter()
            .all(|f| f.severity == rolefit::finding::Severity::Warning)
    );
}
