//! `docs/rules.md`, `docs/rule-table.md` and the README's rule table are generated from the rule catalog
//! (`src/finding/catalog.rs`), so the pages, `rolefit explain` and SARIF help never disagree.
//! Regenerate them with `ROLEFIT_UPDATE_DOCS=1 cargo test --test docs`; without the variable
//! the test only compares, so CI fails on a stale page instead of rewriting it.

use std::path::Path;
use std::process::Command;

use rolefit::finding::catalog;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check_generated(rel: &str, generated: &str) {
    let path = root().join(rel);
    if std::env::var_os("ROLEFIT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(c, g)| c != g)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{rel} is stale from line {}: it has {:?} where the catalog gives {:?}; \
             run ROLEFIT_UPDATE_DOCS=1 cargo test --test docs",
            line + 1,
            committed.lines().nth(line).unwrap_or(""),
            generated.lines().nth(line).unwrap_or(""),
        );
    }
}

#[test]
fn rules_page_matches_the_catalog() {
    check_generated("docs/rules.md", &catalog::rules_page());
}

#[test]
fn rule_table_matches_the_catalog() {
    check_generated(
        "docs/rule-table.md",
        &format!("## Rule ids\n\n{}", catalog::rule_table()),
    );
}

const TABLE_START: &str = "<!-- rule table: generated from src/finding/catalog.rs -->\n";
const TABLE_END: &str = "<!-- end of rule table -->\n";

#[test]
fn readme_rule_table_matches_the_catalog() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find(TABLE_START)
        .expect("README marks its rule table")
        + TABLE_START.len();
    let end = readme[start..]
        .find(TABLE_END)
        .map(|i| start + i)
        .expect("README ends its rule table");
    let generated = format!(
        "{}{}{}",
        &readme[..start],
        catalog::rule_table(),
        &readme[end..]
    );
    check_generated("README.md", &generated);
}

/// The section of `docs/rules.md` about one rule: from its heading to the next rule's.
fn page_section<'a>(page: &'a str, id: &str) -> &'a str {
    let heading = format!("\n## {id}\n");
    let start = page
        .find(&heading)
        .unwrap_or_else(|| panic!("docs/rules.md has no section for {id}"));
    let rest = &page[start + 1..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn explain_docs_and_sarif_say_the_same_of_every_rule() {
    let bin = env!("CARGO_BIN_EXE_rolefit");
    // The generated page, which `rules_page_matches_the_catalog` holds equal to the committed
    // one (reading the file here would race with that test when it rewrites the page).
    let page = catalog::rules_page();
    let out = Command::new(bin)
        .args(["audit", "--format", "sarif"])
        .arg(root().join("fixtures/demo"))
        .output()
        .expect("rolefit runs");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let descriptors = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("SARIF rules");
    assert_eq!(descriptors.len(), catalog::ALL.len());
    for doc in catalog::ALL {
        let explain = Command::new(bin)
            .args(["explain", doc.id])
            .output()
            .expect("rolefit explain runs");
        assert_eq!(explain.status.code(), Some(0), "explain {}", doc.id);
        let explain = String::from_utf8_lossy(&explain.stdout).into_owned();
        let section = page_section(&page, doc.id);
        let sarif = descriptors
            .iter()
            .find(|d| d["id"] == doc.id)
            .unwrap_or_else(|| panic!("SARIF has no rule {}", doc.id));
        let help_text = sarif["help"]["text"].as_str().unwrap_or_default();
        let help_markdown = sarif["help"]["markdown"].as_str().unwrap_or_default();
        assert_eq!(sarif["shortDescription"]["text"], doc.summary);
        assert_eq!(sarif["fullDescription"]["text"], doc.why);
        assert!(
            sarif["helpUri"]
                .as_str()
                .is_some_and(|u| u.ends_with(&format!("docs/rules.md#{}", doc.id))),
            "{}: helpUri",
            doc.id
        );
        for (what, text) in [
            ("summary", doc.summary),
            ("why", doc.why),
            ("example", doc.example),
            ("fix", doc.fix),
        ] {
            for (surface, shown) in [
                ("rolefit explain", explain.as_str()),
                ("docs/rules.md", section),
                ("SARIF help.text", help_text),
                ("SARIF help.markdown", help_markdown),
            ] {
                assert!(
                    shown.contains(text),
                    "{surface} lacks the {what} of {}:\n{shown}",
                    doc.id
                );
            }
        }
    }
}

#[test]
fn needs_page_matches_the_tables() {
    check_generated("docs/needs.md", &rolefit::needs::doc::needs_page());
}

const COLLECT_POLICY_START: &str =
    "<!-- collect policy: generated by `rolefit collect --print-policy` -->\n```jsonc\n";
const COLLECT_POLICY_END: &str = "```\n<!-- end of collect policy -->\n";

/// The README's policy for the collecting role is `rolefit collect --print-policy`: the
/// collector's operation table through rolefit's SDK-to-IAM data.
#[test]
fn readme_collect_policy_matches_the_operation_table() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find(COLLECT_POLICY_START)
        .expect("README marks its collect policy")
        + COLLECT_POLICY_START.len();
    let end = readme[start..]
        .find(COLLECT_POLICY_END)
        .map(|i| start + i)
        .expect("README ends its collect policy");
    let policies = rolefit::collect::policy(&[]).unwrap_or_else(|e| panic!("{e}"));
    let generated = format!(
        "{}{}{}",
        &readme[..start],
        policies.render(),
        &readme[end..]
    );
    check_generated("README.md", &generated);
    // The binary prints the same text.
    let out = Command::new(env!("CARGO_BIN_EXE_rolefit"))
        .args(["collect", "--print-policy"])
        .output()
        .expect("rolefit collect --print-policy");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), policies.render());
}
