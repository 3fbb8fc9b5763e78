//! Java dependency injection across files: a table injected by declared type takes the table
//! of the one `@Bean` method providing that type; with several providers, the call uses one of
//! their tables (a grant on any is enough; with none granted, the first is the one the fix
//! names) and the function's code is incomplete.

use std::fs;
use std::path::Path;
use std::process::Command;

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("dir");
    for e in fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn audit(root: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .arg("audit")
        .arg(root)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run rolefit");
    serde_json::from_slice(&out.stdout).expect("json report")
}

fn put_item_tables(report: &serde_json::Value) -> Vec<String> {
    report["functions"][0]["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter(|r| r["action"] == "dynamodb:PutItem")
        .filter_map(|r| r["resource"].as_str())
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
        .collect()
}

#[test]
fn injected_tables_resolve_by_declared_type() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sam-java-spring-injection");
    let report = audit(&fixture);
    assert_eq!(put_item_tables(&report), ["audit", "orders"]);
    assert_eq!(report["functions"][0]["code_link"], "declared");

    // A second provider of `DynamoDbTable<Order>`: the role allows `PutItem` on neither, so
    // the call fails whichever is injected; the need kept is the first candidate's.
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&fixture, dir.path());
    let config = dir
        .path()
        .join("src/main/java/com/example/config/AwsConfig.java");
    let text = fs::read_to_string(&config).expect("config");
    let second = "    @Bean\n    public DynamoDbTable<Order> archiveTable(DynamoDbEnhancedClient client) {\n        return client.table(\"orders-archive\", TableSchema.fromBean(Order.class));\n    }\n\n    @Bean\n    public DynamoDbTable<AuditEntry>";
    fs::write(
        &config,
        text.replacen("    @Bean\n    public DynamoDbTable<AuditEntry>", second, 1),
    )
    .expect("write");
    let report = audit(dir.path());
    assert_eq!(put_item_tables(&report), ["audit", "orders"]);
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "missing-permission"
                && f["severity"] == "error"
                && f["actions"][0] == "dynamodb:PutItem")
    );
    let notes: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "incomplete-input")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("2 factory methods provide `DynamoDbTable<Order>`")),
        "{notes:?}"
    );
    // Incomplete code: no unused-permission for the read policy.
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "unused-permission")
    );
}
