//! `docs/rules.md` is generated from the rule registry, so the page, `rolefit explain` and
//! SARIF help never disagree. Regenerate with `ROLEFIT_UPDATE_DOCS=1 cargo test --test docs`.

#[test]
fn rules_page_matches_the_registry() {
    let mut page = String::from(
        "# rolefit rules\n\nGenerated from the rule registry (`src/rules/`); `rolefit explain RULE` prints the same text.\n\n",
    );
    for rule in rolefit::rules::ALL {
        page.push_str(
            &rolefit::rules::explain(rule.meta())
                .replacen("# ", "## ", 1)
                .replace("\n## ", "\n### "),
        );
        page.push('\n');
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("ROLEFIT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).expect("write docs/rules.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, page,
        "docs/rules.md is stale: run ROLEFIT_UPDATE_DOCS=1 cargo test --test docs"
    );
}
