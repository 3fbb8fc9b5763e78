//! The CloudFormation/SAM front end end to end: parse, resolve intrinsics, lower to the
//! model. The first byte picks the reader (`j` JSON, anything else YAML) so one corpus exercises both readers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::parse::cfn::{TemplateOutcome, parse_template};
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.split_first() {
        Some((b'j', rest)) => ("template.json", rest),
        Some((_, rest)) => ("template.yaml", rest),
        None => ("template.yaml", data),
    };
    let text = String::from_utf8_lossy(body);
    let file = SourceFile::new(FileId(0), name, text.as_ref());
    if let TemplateOutcome::Template { app, issues } = parse_template(&file) {
        for issue in &issues {
            let _ = file.line_col(issue.span.start);
        }
        let _ = app.functions.len();
    }
});
