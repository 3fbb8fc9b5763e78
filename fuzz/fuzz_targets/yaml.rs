//! Arbitrary text through the YAML reader (tags, anchors, aliases, the lenient re-indent):
//! it must return a tree or a `ParseError`, within the depth and alias limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::syntax::yaml;
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new(FileId(0), "template.yaml", text.as_ref());
    if let Ok(node) = yaml::parse(&file) {
        // Spans must stay inside the file so reports can render them.
        assert!(node.span.end as usize <= file.text.len());
        let _ = file.line_col(node.span.start);
        let _ = node.to_json();
    }
});
