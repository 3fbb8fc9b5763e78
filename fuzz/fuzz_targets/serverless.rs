//! The Serverless Framework front end end to end: variable resolution (`${self:}`, `${opt:}`,
//! `${file()}`, fallbacks, nesting, cycles), functions, events, roles and `resources`. The first
//! byte picks the reader (`j` JSON, anything else YAML); `${file(...)}` reads return the input
//! again, so included files are fuzzed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::parse::cfn::TemplateOutcome;
use rolefit::parse::serverless::parse;
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.split_first() {
        Some((b'j', rest)) => ("serverless.json", rest),
        Some((_, rest)) => ("serverless.yml", rest),
        None => ("serverless.yml", data),
    };
    let text = String::from_utf8_lossy(body);
    let file = SourceFile::new(FileId(0), name, text.as_ref());
    let whole = text.to_string();
    let read = move |_: &str| Some(whole.clone());
    match parse(&file, &read) {
        TemplateOutcome::Template { app, issues } => {
            for issue in &issues {
                let _ = file.line_col(issue.span.start);
            }
            let _ = app.functions.len();
        }
        TemplateOutcome::Invalid(e) => {
            let _ = file.line_col(e.span.start);
        }
        TemplateOutcome::NotTemplate => {}
    }
});
