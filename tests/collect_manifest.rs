//! The manifest `rolefit collect` writes (`rolefit-collect.json`) read by `rolefit audit` in
//! every build (no AWS SDK needed): each gap is an `incomplete-input` note; a gap in an API
//! that feeds the functions' needs leaves them incomplete (no `unused-permission`), others do
//! not.

use std::collections::BTreeSet;
use std::path::Path;

use rolefit::config::Config;

/// `fixtures/account-code-folders` (one function whose code is mapped through
/// `Config::code_folders`) copied with a manifest whose gaps are `gaps`.
fn audit_with_gaps(gaps: &str) -> rolefit::app::Audit {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/account-code-folders");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for rel in [
        "export/authorization-details.json",
        "export/functions.json",
        "src/orders/app.py",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap_or(dir.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(src.join(rel), &to).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
    let manifest = format!(
        r#"{{
  "version": 1,
  "account": "111122223333",
  "region": "us-east-1",
  "identity": "arn:aws:sts::111122223333:assumed-role/audit/rolefit-collect",
  "started": "2026-01-01T00:00:00Z",
  "finished": "2026-01-01T00:00:03Z",
  "tool": "rolefit 0.1.0",
  "collected": [{{"api": "lambda:ListFunctions", "count": 1}}],
  "gaps": {gaps}
}}
"#
    );
    std::fs::write(dir.path().join("export/rolefit-collect.json"), manifest)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut config = Config::default();
    config
        .code_folders
        .insert("orders-handler".into(), "src/orders".into());
    let root = dir.path().to_path_buf();
    let audit =
        rolefit::app::audit(std::slice::from_ref(&root), &config).unwrap_or_else(|e| panic!("{e}"));
    drop(dir);
    audit
}

fn rules(audit: &rolefit::app::Audit) -> BTreeSet<(String, u32)> {
    audit
        .report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                f.location.as_ref().map_or(0, |l| l.line),
            )
        })
        .collect()
}

#[test]
fn without_gaps_the_mapped_code_proves_a_grant_unused() {
    let audit = audit_with_gaps("[]");
    let r = rules(&audit);
    assert!(
        r.iter().any(|(rule, _)| rule == "unused-permission"),
        "{r:?}"
    );
    assert!(
        !r.iter().any(|(rule, _)| rule == "incomplete-input"),
        "{r:?}"
    );
}

#[test]
fn a_gap_that_feeds_needs_leaves_them_incomplete() {
    let audit = audit_with_gaps(
        r#"[{"api": "lambda:ListFunctionEventInvokeConfigs", "function": "orders-handler",
            "code": "AccessDeniedException", "message": "not authorized"}]"#,
    );
    let notes: Vec<_> = audit
        .report
        .findings
        .iter()
        .filter(|f| f.rule == "incomplete-input")
        .collect();
    assert_eq!(notes.len(), 1);
    let note = notes[0];
    let at = note.location.as_ref().map(|l| (l.file.as_str(), l.line));
    assert_eq!(at, Some(("export/rolefit-collect.json", 10)));
    assert!(
        note.message
            .contains("lambda:ListFunctionEventInvokeConfigs")
    );
    assert!(
        note.message
            .contains("AccessDeniedException: not authorized")
    );
    assert_eq!(
        note.functions,
        vec!["export/functions.json#orders-handler".to_string()]
    );
    let r = rules(&audit);
    // What the code needs and the role lacks is still missing; nothing is called unused.
    assert!(
        r.iter().any(|(rule, _)| rule == "missing-permission"),
        "{r:?}"
    );
    assert!(
        !r.iter().any(|(rule, _)| rule == "unused-permission"),
        "{r:?}"
    );
}

#[test]
fn a_folder_wide_gap_concerns_every_function_of_the_folder() {
    let audit = audit_with_gaps(
        r#"[{"api": "lambda:ListEventSourceMappings", "function": null,
            "code": "ThrottlingException", "message": "Rate exceeded"}]"#,
    );
    let r = rules(&audit);
    assert!(r.contains(&("incomplete-input".to_string(), 10)), "{r:?}");
    assert!(
        !r.iter().any(|(rule, _)| rule == "unused-permission"),
        "{r:?}"
    );
}

#[test]
fn a_gap_that_does_not_feed_needs_keeps_them_complete() {
    // Two functions' GetPolicy failures with one code: one note naming both (the second
    // function is not in the export and is named in the text only).
    let audit = audit_with_gaps(
        r#"[{"api": "lambda:GetPolicy", "function": "orders-handler",
             "code": "AccessDeniedException", "message": "denied"},
            {"api": "lambda:GetPolicy", "function": "gone",
             "code": "AccessDeniedException", "message": "denied"}]"#,
    );
    let notes: Vec<_> = audit
        .report
        .findings
        .iter()
        .filter(|f| f.rule == "incomplete-input")
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0]
            .message
            .contains("for `orders-handler`, `gone` (AccessDeniedException; the first: denied)"),
        "{}",
        notes[0].message
    );
    let r = rules(&audit);
    assert!(
        r.iter().any(|(rule, _)| rule == "unused-permission"),
        "{r:?}"
    );
}

#[test]
fn a_malformed_manifest_is_a_parse_error_not_an_abort() {
    let audit = audit_with_gaps(r#"{"api": "lambda:GetPolicy"}"#);
    let r = rules(&audit);
    assert!(r.iter().any(|(rule, _)| rule == "parse-error"), "{r:?}");
}

/// A build without the `collect` feature says how to get one (exit 2); the policy still prints.
#[cfg(not(feature = "collect"))]
#[test]
fn collect_without_the_feature_says_how_to_build_it() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["collect", "--region", "us-east-1", "--out", "unused"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features collect"), "{err}");
    assert!(!Path::new("unused").exists());
    let policy = std::process::Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["collect", "--print-policy"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(policy.status.success());
    assert!(String::from_utf8_lossy(&policy.stdout).contains("lambda:ListFunctions"));
}
