//! Arbitrary text through the Java SDK-call extractor (tree-sitter parse, error repair,
//! the evaluators): facts or a `ParseError`, never a panic, spans inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::parse::code::{Lang, extract};
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new(FileId(0), "Handler.java", text.as_ref());
    if let Ok(facts) = extract(&file, Lang::Java) {
        for call in &facts.calls {
            assert!(call.span.end as usize <= file.text.len());
        }
    }
});
