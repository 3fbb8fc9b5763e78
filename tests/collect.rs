//! `rolefit collect` against a real AWS API emulator: moto in server mode (`scripts/moto-server`,
//! seeded by `scripts/moto-seed`), started on a free local port by each test. The collected
//! folder must audit to the same findings as the hand-written export fixtures of the same
//! account; failed reads must become `incomplete-input` notes. Without moto (`python3 -m pip
//! install "moto[server]==5.2.1"`, which `.ci/run` does) the tests say why and skip.
#![cfg(feature = "collect")]

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const ACCOUNT: &str = "111122223333";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn moto_available() -> bool {
    Command::new("python3")
        .args(["-c", "import moto, boto3, flask, flask_cors"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A moto server on a free port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    /// Starts `scripts/moto-server` with extra arguments (`--deny ...`); `None` when moto is
    /// not installed.
    fn start(extra: &[&str]) -> Option<Moto> {
        if !moto_available() {
            eprintln!(
                "skipped: moto server mode is not installed (python3 -m pip install \
                 \"moto[server]==5.2.1\")"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let child = Command::new("python3")
            .arg(root().join("scripts/moto-server"))
            .args(extra)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACCOUNT_ID", ACCOUNT)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting moto: {e}"));
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    fn seed(&self, scenario: &[&str]) {
        let out = Command::new("python3")
            .arg(root().join("scripts/moto-seed"))
            .args(["--endpoint", &self.endpoint])
            .args(scenario)
            .output()
            .unwrap_or_else(|e| panic!("seeding: {e}"));
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `rolefit collect` against the emulator with static test credentials; no profile or
    /// instance metadata is consulted.
    fn collect(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_rolefit"))
            .arg("collect")
            .args(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent/rolefit-test-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/rolefit-test-credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap_or_else(|e| panic!("running collect: {e}"))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn audit_json(paths: &[&Path]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .arg("audit")
        .args(paths)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("running audit: {e}"));
    assert!(
        out.status.success(),
        "audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("audit JSON: {e}"))
}

/// Findings as (rule, function names, actions): what the account says, independent of the
/// file layout and line numbers.
fn signatures(report: &Value) -> BTreeSet<(String, String, String)> {
    let names: std::collections::BTreeMap<&str, &str> = report["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["id"].as_str()?, f["name"].as_str()?)))
        .collect();
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let mut fns: Vec<&str> = f["functions"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(f.get("function").filter(|v| v.is_string()))
                .filter_map(|v| v.as_str())
                .map(|id| names.get(id).copied().unwrap_or(id))
                .collect();
            fns.sort();
            fns.dedup();
            let mut actions: Vec<&str> = f["actions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            actions.sort();
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                fns.join(","),
                actions.join(","),
            )
        })
        .collect()
}

fn manifest(folder: &Path) -> Value {
    let text = std::fs::read_to_string(folder.join("rolefit-collect.json"))
        .unwrap_or_else(|e| panic!("manifest: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest JSON: {e}"))
}

#[test]
fn collect_then_audit_reproduces_the_export_fixtures() {
    let Some(moto) = Moto::start(&[]) else {
        return;
    };
    moto.seed(&["fixtures"]);
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = moto.collect(&[
        "--region",
        "us-east-1",
        "--out",
        &out.path().display().to_string(),
    ]);
    assert!(
        run.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let shard = out.path().join(ACCOUNT).join("us-east-1");
    let m = manifest(&shard);
    assert_eq!(m["version"], 1);
    assert_eq!(m["account"], ACCOUNT);
    assert_eq!(m["region"], "us-east-1");
    assert_eq!(m["gaps"], serde_json::json!([]), "{m:#}");
    let count = |api: &str| {
        m["collected"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["api"] == api)
            .and_then(|c| c["count"].as_u64())
    };
    assert_eq!(count("lambda:ListFunctions"), Some(4));
    assert_eq!(count("lambda:ListEventSourceMappings"), Some(2));
    assert_eq!(count("lambda:GetPolicy"), Some(2));
    // moto has no ListFunctionUrlConfigs: the URL came from GetFunctionUrlConfig.
    assert_eq!(count("lambda:GetFunctionUrlConfig"), Some(1));
    assert_eq!(count("lambda:ListFunctionEventInvokeConfigs"), Some(1));
    // Functions without a resource-based policy have no file (ResourceNotFoundException).
    let mut policies: Vec<String> = std::fs::read_dir(shard.join("policies"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    policies.sort();
    assert_eq!(policies, ["orders-api.json", "reports.json"]);

    let fixtures = root().join("fixtures");
    let expected = signatures(&audit_json(&[
        &fixtures.join("account-resource-policies"),
        &fixtures.join("account-event-source-mappings"),
    ]));
    assert!(expected.len() >= 8, "{expected:#?}");
    // The whole output folder and the shard alone audit the same.
    assert_eq!(signatures(&audit_json(&[out.path()])), expected);
    assert_eq!(signatures(&audit_json(&[&shard])), expected);

    // A second run replaces the folder it wrote before.
    let again = moto.collect(&[
        "--region",
        "us-east-1",
        "--concurrency",
        "1",
        "--out",
        &out.path().display().to_string(),
    ]);
    assert!(again.status.success());
    assert_eq!(signatures(&audit_json(&[out.path()])), expected);
}

#[test]
fn all_regions_through_an_assumed_role_write_one_shard_per_region() {
    // moto lacks account:ListRegions: the server answers it with these regions.
    let Some(moto) = Moto::start(&["--regions", "eu-west-1,us-east-1"]) else {
        return;
    };
    moto.seed(&["fixtures"]);
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = moto.collect(&[
        "--all-regions",
        "--role-arn",
        &format!("arn:aws:iam::{ACCOUNT}:role/rolefit-collect"),
        "--external-id",
        "audit-2026",
        "--out",
        &out.path().display().to_string(),
    ]);
    assert!(
        run.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    for region in ["eu-west-1", "us-east-1"] {
        let m = manifest(&out.path().join(ACCOUNT).join(region));
        assert_eq!(m["region"], region);
        assert_eq!(
            m["identity"],
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/rolefit-collect/rolefit-collect")
        );
        let apis: Vec<&str> = m["collected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["api"].as_str())
            .collect();
        assert!(apis.contains(&"sts:AssumeRole") && apis.contains(&"account:ListRegions"));
    }
    // Each shard is complete: the region without functions audits to nothing, and the roles
    // repeated in both shards add no finding to the whole folder.
    let empty = audit_json(&[&out.path().join(ACCOUNT).join("eu-west-1")]);
    assert_eq!(signatures(&empty), BTreeSet::new());
    let fixtures = root().join("fixtures");
    let expected = signatures(&audit_json(&[
        &fixtures.join("account-resource-policies"),
        &fixtures.join("account-event-source-mappings"),
    ]));
    assert_eq!(signatures(&audit_json(&[out.path()])), expected);
}

#[test]
fn denied_and_throttled_reads_become_incomplete_input_notes() {
    let Some(moto) = Moto::start(&[
        "--deny",
        "/functions/[^/]+/policy$=AccessDeniedException",
        "--deny",
        "/event-source-mappings/?$=TooManyRequestsException",
    ]) else {
        return;
    };
    moto.seed(&["fixtures"]);
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = moto.collect(&[
        "--region",
        "us-east-1",
        "--out",
        &out.path().display().to_string(),
    ]);
    // Gaps are recorded, never an abort.
    assert!(
        run.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let shard = out.path().join(ACCOUNT).join("us-east-1");
    let m = manifest(&shard);
    let gaps = m["gaps"].as_array().cloned().unwrap_or_default();
    let denied: BTreeSet<&str> = gaps
        .iter()
        .filter(|g| g["api"] == "lambda:GetPolicy" && g["code"] == "AccessDeniedException")
        .filter_map(|g| g["function"].as_str())
        .collect();
    assert_eq!(
        denied,
        BTreeSet::from(["orders-api", "queue-worker", "reports", "stream-processor"])
    );
    assert!(
        gaps.iter()
            .any(|g| g["api"] == "lambda:ListEventSourceMappings"
                && g["code"] == "TooManyRequestsException"
                && g["function"].is_null()),
        "{gaps:#?}"
    );

    let report = audit_json(&[out.path()]);
    let notes: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "incomplete-input")
        .collect();
    assert_eq!(notes.len(), 2, "one note per API and error: {notes:#?}");
    for n in &notes {
        assert_eq!(n["functions"].as_array().map(Vec::len), Some(4), "{n:#}");
        assert!(
            n["location"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("rolefit-collect.json"))
        );
    }
    let sigs = signatures(&report);
    // What was not read is not reported on: no resource-based policy findings, no mapping
    // needs; what was read still is (the URL, the invoke configuration's destination).
    assert!(
        !sigs.iter().any(|(r, _, _)| r == "confused-deputy"),
        "{sigs:#?}"
    );
    assert!(sigs.contains(&(
        "public-invoke".to_string(),
        "reports".to_string(),
        "lambda:InvokeFunctionUrl".to_string()
    )));
    assert!(sigs.contains(&(
        "missing-permission".to_string(),
        "queue-worker".to_string(),
        "sns:Publish".to_string()
    )));
    assert!(
        !sigs
            .iter()
            .any(|(r, f, _)| r == "missing-permission" && f == "stream-processor"),
        "{sigs:#?}"
    );
}

#[test]
fn an_unreachable_account_fails_the_run_with_status_2() {
    let out = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolefit"));
    let run = cmd
        .args(["collect", "--region", "us-east-1", "--out"])
        .arg(out.path())
        // Nothing listens on port 9 (discard): every call fails to connect.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/rolefit-test-config")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("sts:GetCallerIdentity"));
}
