//! Helpers shared by the tests that copy apps and compare what rolefit works out before and
//! after a change (`fix`, hooks, the Action). Each test crate uses a part of them.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rolefit::fix::RULES;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Copies a folder tree (the tests edit copies, never `fixtures/`).
pub fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// (function, action, resource) of every need.
pub type Needs = BTreeSet<(String, String, String)>;

pub fn needs_of(audit: &rolefit::app::Audit) -> Needs {
    audit
        .report
        .functions
        .iter()
        .flat_map(|f| {
            f.required
                .iter()
                .map(|r| (f.id.clone(), r.action.clone(), r.resource.clone()))
        })
        .collect()
}

pub fn needs(root: &Path) -> Needs {
    let audit = rolefit::app::audit(&[root.to_path_buf()], &Default::default()).expect("audit");
    needs_of(&audit)
}

/// The needs, and (rule, message) of the findings of the rules `fix` fixes.
pub fn audit(root: &Path) -> (Needs, Vec<(String, String)>) {
    let audit = rolefit::app::audit(&[root.to_path_buf()], &Default::default()).expect("audit");
    let findings = audit
        .report
        .findings
        .iter()
        .filter(|f| RULES.contains(&f.rule))
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect();
    (needs_of(&audit), findings)
}
