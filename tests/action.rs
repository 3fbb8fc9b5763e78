//! The GitHub Action's entry script (`scripts/action.sh`) run end to end on a fixture
//! repository, with fake `GITHUB_*` variables and a temp dir: output files and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository holding the demo app under `services/orders`.
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        common::copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"),
            &dir.path().join("repo/services/orders"),
        );
        Repo { dir }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap_or_default()
    }

    /// Runs the script as the action does, with `inputs` as `INPUT_*` variables.
    fn run(&self, inputs: &[(&str, &str)]) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(script)
            .current_dir(self.repo())
            .env("ROLEFIT_BIN", env!("CARGO_BIN_EXE_rolefit"))
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", self.repo())
            .env("GITHUB_STEP_SUMMARY", self.file("summary.md"))
            .env("GITHUB_OUTPUT", self.file("output.txt"));
        for var in [
            "INPUT_PATH",
            "INPUT_CONFIG",
            "INPUT_FAIL_ON",
            "INPUT_BASELINE",
            "INPUT_SARIF_FILE",
            "INPUT_FORMAT",
            "INPUT_CDK_SYNTH",
            "INPUT_CDK_SYNTH_COMMAND",
            "INPUT_FIX",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in inputs {
            cmd.env(format!("INPUT_{k}"), v);
        }
        cmd.output().expect("bash runs")
    }
}

#[test]
fn annotations_summary_sarif_and_outputs() {
    let repo = Repo::new();
    let sarif = repo.file("out/rolefit.sarif");
    let out = repo.run(&[
        ("PATH", "services/orders"),
        ("SARIF_FILE", &sarif.to_string_lossy()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "::error file=services/orders/src/create_order/app.py,line=48,col=5,title=rolefit missing-permission::"
        ),
        "annotations use repository paths: {stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("::warning "))
            .count(),
        6
    );

    let summary = repo.read("summary.md");
    assert!(summary.starts_with("## rolefit\n"), "{summary}");
    assert!(summary.contains("```mermaid"));

    let log: serde_json::Value =
        serde_json::from_str(&repo.read("out/rolefit.sarif")).expect("SARIF file");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "services/orders/src/create_order/app.py"
    );

    let outputs = repo.read("output.txt");
    assert!(outputs.contains("findings=7\n"), "{outputs}");
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
}

#[test]
fn fail_on_and_baseline_decide_the_exit_code() {
    let repo = Repo::new();
    let never = repo.run(&[("PATH", "services/orders"), ("FAIL_ON", "never")]);
    assert_eq!(never.status.code(), Some(0));
    assert!(!never.stdout.is_empty(), "annotations are still written");

    let baseline = repo.file("baseline.json");
    let write = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args([
            "audit",
            "services/orders",
            "--fail-on",
            "never",
            "--write-baseline",
        ])
        .arg(&baseline)
        .current_dir(repo.repo())
        .output()
        .expect("runs");
    assert_eq!(write.status.code(), Some(0));
    let based = repo.run(&[
        ("PATH", "services/orders"),
        ("FAIL_ON", "note"),
        ("BASELINE", &baseline.to_string_lossy()),
    ]);
    assert_eq!(
        based.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&based.stderr)
    );
    assert!(based.stdout.is_empty(), "nothing new to annotate");
    assert!(repo.read("output.txt").contains("findings=0\n"));
}

#[test]
fn a_bad_config_fails_the_step_with_2() {
    let repo = Repo::new();
    std::fs::write(repo.file("rolefit.toml"), "fail-on = \"error\"\n").expect("write");
    let out = repo.run(&[
        ("PATH", "services/orders"),
        ("CONFIG", &repo.file("rolefit.toml").to_string_lossy()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rolefit.toml:1:1: unknown key `fail-on`"),
        "{stderr}"
    );
}

#[test]
fn cdk_synth_runs_in_every_cdk_app_before_the_audit() {
    let repo = Repo::new();
    // A CDK app whose cloud assembly is not committed: the synth command writes it (here a
    // copy of a synthesized fixture stands in for `npx aws-cdk synth`).
    let app = repo.repo().join("infra");
    std::fs::create_dir_all(&app).expect("mkdir");
    std::fs::write(app.join("cdk.json"), r#"{"app": "node bin/app.js"}"#).expect("cdk.json");
    std::fs::write(app.join(".gitignore"), "cdk.out\n").expect(".gitignore");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cdk-out/cdk.out");
    let synth = format!("cp -R '{}' cdk.out", fixture.display());

    let without = repo.run(&[("FORMAT", "json"), ("FAIL_ON", "never")]);
    let report: serde_json::Value = serde_json::from_slice(&without.stdout).expect("json");
    let cdk_functions = |r: &serde_json::Value| {
        r["functions"]
            .as_array()
            .expect("functions")
            .iter()
            .filter(|f| {
                f["id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("infra/cdk.out/"))
            })
            .count()
    };
    assert_eq!(cdk_functions(&report), 0, "nothing synthesized yet");

    let out = repo.run(&[
        ("FORMAT", "json"),
        ("FAIL_ON", "never"),
        ("CDK_SYNTH", "true"),
        ("CDK_SYNTH_COMMAND", &synth),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        cdk_functions(&report) > 0,
        "the assembly is audited although ignored"
    );

    let failing = repo.run(&[("CDK_SYNTH", "true"), ("CDK_SYNTH_COMMAND", "exit 3")]);
    assert_eq!(
        failing.status.code(),
        Some(2),
        "a failed synth fails the step"
    );
}

#[test]
fn fix_writes_the_patch_to_the_summary_and_edits_nothing() {
    let repo = Repo::new();
    let template = repo.repo().join("services/orders/template.yaml");
    let before = std::fs::read_to_string(&template).expect("read");
    let out = repo.run(&[("PATH", "services/orders"), ("FIX", "true")]);
    // The audit decides the exit status, as without `fix`.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&template).expect("read"), before);
    let summary = repo.read("summary.md");
    assert!(summary.starts_with("## rolefit\n"), "{summary}");
    let (_, fix) = summary
        .split_once("\n### rolefit fix\n")
        .expect("fix section");
    let patch = fix
        .split_once("```diff\n")
        .and_then(|(_, rest)| rest.split_once("\n```\n"))
        .map(|(patch, _)| format!("{patch}\n"))
        .expect("a diff block");
    // Named from the repository root, so `git apply` there takes it.
    assert!(
        patch.starts_with(
            "--- a/services/orders/template.yaml\n+++ b/services/orders/template.yaml\n@@ "
        ),
        "{patch}"
    );
    assert!(patch.contains("-        - DynamoDBWritePolicy: # expect: unused-permission\n"));
    assert!(!fix.contains("Left for a human"), "{fix}");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(repo.repo())
            .output()
    };
    if git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
        std::fs::write(repo.file("fix.patch"), &patch).expect("write");
        let applied = git(&["apply", &repo.file("fix.patch").to_string_lossy()]).expect("git");
        assert!(
            applied.status.success(),
            "{}",
            String::from_utf8_lossy(&applied.stderr)
        );
        let fixed = Command::new(env!("CARGO_BIN_EXE_rolefit"))
            .args(["fix", "--diff", "services/orders"])
            .current_dir(repo.repo())
            .output()
            .expect("runs");
        assert_eq!(fixed.status.code(), Some(0));
        assert!(fixed.stdout.is_empty(), "the patch is the whole fix");
    } else {
        eprintln!("git is not installed: the patch is not applied");
    }
    let outputs = repo.read("output.txt");
    assert!(outputs.contains("findings=7\n"), "{outputs}");
}

#[test]
fn fix_lists_what_it_leaves_and_says_when_nothing_changes() {
    let repo = Repo::new();
    let first = repo.run(&[("PATH", "services/orders"), ("FIX", "true")]);
    assert_eq!(first.status.code(), Some(1));
    let fixed = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["fix", "services/orders"])
        .current_dir(repo.repo())
        .output()
        .expect("runs");
    assert_eq!(fixed.status.code(), Some(0));
    std::fs::remove_file(repo.file("summary.md")).expect("rm");
    let again = repo.run(&[("PATH", "services/orders/template.yaml"), ("FIX", "true")]);
    let summary = repo.read("summary.md");
    assert!(
        summary.contains("### rolefit fix\n\nNo change"),
        "{summary}\n{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // Generated templates are left, each with the construct to change.
    let cdk = tempfile::tempdir().expect("temp");
    common::copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cdk-out"),
        &cdk.path().join("repo/infra"),
    );
    let repo = Repo { dir: cdk };
    let out = repo.run(&[("PATH", "infra"), ("FIX", "true"), ("FAIL_ON", "never")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = repo.read("summary.md");
    let (_, fix) = summary
        .split_once("### rolefit fix\n")
        .expect("fix section");
    assert!(fix.contains("No change"), "{fix}");
    assert!(fix.contains("Left for a human:\n\n```text\n"), "{fix}");
    assert!(fix.contains("(left: generated template"), "{fix}");
    assert!(!fix.contains(" file(s) fixed"), "{fix}");
}
