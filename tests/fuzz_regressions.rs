//! Inputs the fuzz targets found problems with (`fuzz/regressions/<target>/`), replayed through
//! the same calls as the target: each must finish, without a panic, within its work budget.

use std::fs;
use std::path::Path;

use rolefit::parse::cfn::TemplateOutcome;
use rolefit::parse::serverless;
use rolefit::source::{FileId, SourceFile};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .expect("regression folder")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, fs::read(&path).expect("readable"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

/// `fuzz_targets/serverless.rs`: the first byte picks the reader; every `${file()}` read
/// returns the input again, so a configuration that includes itself expands until the
/// variable budget stops it.
#[test]
fn serverless_regressions() {
    for (name, data) in inputs("serverless") {
        let (path, body) = match data.split_first() {
            Some((b'j', rest)) => ("serverless.json", rest),
            Some((_, rest)) => ("serverless.yml", rest),
            None => ("serverless.yml", &data[..]),
        };
        let text = String::from_utf8_lossy(body);
        let file = SourceFile::new(FileId(0), path, text.as_ref());
        let whole = text.to_string();
        let read = move |_: &str| Some(whole.clone());
        let TemplateOutcome::Template { issues, .. } = serverless::parse(&file, &read) else {
            panic!("{name}: a Serverless configuration");
        };
        assert!(
            issues
                .iter()
                .any(|i| i.message.contains("variables expand to more than")),
            "{name}: the budget stops the expansion: {issues:#?}"
        );
    }
}
