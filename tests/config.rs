//! `rolefit.toml`: every setting read, every mistake reported with file, line and column,
//! unknown keys with a did-you-mean, and a bad file failing the run with exit status 2.

use std::path::Path;
use std::process::Command;

use rolefit::config::{Config, ConfigError};
use rolefit::finding::Severity;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("rolefit.toml"))
}

fn error(text: &str) -> String {
    parse(text).expect_err("invalid").to_string()
}

#[test]
fn reads_every_setting() {
    let c = parse(
        r#"
include = ["services/**"]
exclude = ["services/legacy/**"]
trusted-accounts = ["123456789012"]
organization-id = "o-abcdef1234"
ignore-actions = ["xray:*"]

[rules.unused-permission]
enabled = false

[rules.missing-permission]
severity = "warning"

[env]
TABLE_NAME = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"

[code]
orders-api = "functions/orders"
"#,
    )
    .expect("valid");
    assert_eq!(c.include, ["services/**"]);
    assert_eq!(c.exclude, ["services/legacy/**"]);
    assert!(c.trusts_account("123456789012"));
    assert_eq!(c.organization_id.as_deref(), Some("o-abcdef1234"));
    assert_eq!(c.ignore_actions, ["xray:*"]);
    assert!(!c.rule_enabled("unused-permission"));
    assert_eq!(
        c.severity("missing-permission", Severity::Error),
        Severity::Warning
    );
    assert_eq!(
        c.env_hints.get("TABLE_NAME").map(String::as_str),
        Some("arn:aws:dynamodb:us-east-1:123456789012:table/orders")
    );
    assert_eq!(
        c.code_folders.get("orders-api").map(String::as_str),
        Some("functions/orders")
    );
}

#[test]
fn mistakes_point_at_the_line_and_column() {
    assert_eq!(
        error("include = []\ntrusted-acounts = [\"123456789012\"]\n"),
        "rolefit.toml:2:1: unknown key `trusted-acounts`; did you mean `trusted-accounts`?"
    );
    assert_eq!(
        error("[rules.missing-permision]\nenabled = false\n"),
        "rolefit.toml:1:8: unknown rule `missing-permision`; did you mean `missing-permission`?"
    );
    assert_eq!(
        error("[rules.missing-permission]\nenable = false\n"),
        "rolefit.toml:2:1: unknown key `rules.missing-permission.enable`; did you mean `enabled`?"
    );
    assert_eq!(
        error("[rules.unused-permission]\nseverity = \"fatal\"\n"),
        "rolefit.toml:2:12: `rules.unused-permission.severity` must be \"error\", \"warning\" or \"note\""
    );
    assert_eq!(
        error("trusted-accounts = [\"12345\"]\n"),
        "rolefit.toml:1:21: `trusted-accounts`: `12345` is not a 12-digit account id"
    );
    assert_eq!(
        error("exclude = [\"a/[b\"]\n"),
        "rolefit.toml:1:12: `exclude`: bad glob `a/[b`: unclosed character class; missing ']'"
    );
    assert!(error("organization-id = \"123\"\n").starts_with("rolefit.toml:1:19: "));
    assert!(error("ignore-actions = [\"GetObject\"]\n").contains("not an action pattern"));
    assert!(
        error("[env]\nTABLE = 3\n").starts_with("rolefit.toml:2:9: `env.TABLE` must be a string")
    );
    assert_eq!(
        error("include = [\n"),
        "rolefit.toml:1:12: unclosed array, expected `]`"
    );
}

#[test]
fn include_and_exclude_apply_to_the_walk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    copy_dir(&demo, &dir.path().join("app"));
    let all = rolefit::app::audit(&[dir.path().to_path_buf()], &Config::default()).expect("audit");
    assert_eq!(all.report.summary.functions, 3);
    let config = Config {
        exclude: vec!["app/**".into()],
        ..Config::default()
    };
    let none = rolefit::app::audit(&[dir.path().to_path_buf()], &config).expect("audit");
    assert_eq!(none.report.summary.functions, 0);
}

#[test]
fn the_cli_finds_rolefit_toml_and_fails_with_2_on_a_bad_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    copy_dir(&demo, dir.path());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_rolefit"))
            .args(["audit", "--format", "json"])
            .arg(dir.path())
            .output()
            .expect("runs")
    };
    // Turning the one error into a warning lets the run pass.
    std::fs::write(
        dir.path().join("rolefit.toml"),
        "[rules.missing-permission]\nseverity = \"warning\"\n",
    )
    .expect("write");
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dir.path().join("rolefit.toml"),
        "[rule.missing-permission]\n",
    )
    .expect("write");
    let out = run();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rolefit.toml:1:2: unknown key `rule`; did you mean `rules`?"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
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
