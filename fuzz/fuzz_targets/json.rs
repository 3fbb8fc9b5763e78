//! Arbitrary text through the spanned JSON reader: a tree or a `ParseError`, never a panic
//! or a stack overflow (depth is bounded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::syntax::json;
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new(FileId(0), "template.json", text.as_ref());
    if let Ok(node) = json::parse(&file) {
        assert!(node.span.end as usize <= file.text.len());
        let _ = node.to_json();
    }
});
