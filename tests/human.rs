//! What people see: the rendered diagnostics for the demo app, snapshotted.

#[test]
fn demo_app_diagnostics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let audit = rolefit::app::audit(&[dir], &Default::default()).expect("audit");
    let text =
        rolefit::report::human::render(&audit.findings, &audit.report, &audit.sources, false);
    assert!(text.contains("suggested statement"), "{text}");
    insta::assert_snapshot!("demo_human", text);
}
