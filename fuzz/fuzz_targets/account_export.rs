//! Exported account state (`get-account-authorization-details`, `lambda get-function`/
//! `list-functions`, `get-policy`, `list-event-source-mappings`, ...) lowered together. The
//! input is split at `\n;--\n` into up to four JSON files of one export folder, so roles,
//! functions and resource policies of one input meet each other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::config::Config;
use rolefit::parse::account::parse_export;
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files: Vec<SourceFile> = text
        .splitn(4, "\n;--\n")
        .enumerate()
        .map(|(i, part)| SourceFile::new(FileId(i as u32), format!("export/f{i}.json"), part))
        .collect();
    let refs: Vec<&SourceFile> = files.iter().collect();
    let out = parse_export(&refs, &Config::default());
    for issue in &out.issues {
        if let Some(f) = files.get(issue.span.file.0 as usize) {
            let _ = f.line_col(issue.span.start);
        }
    }
    let _ = out.app.functions.len();
});
