//! The Terraform front end end to end: HCL parse (hcl-edit), variables/locals, expression
//! evaluation, `jsonencode`/heredoc policies, `file()`/`templatefile()`, lowering to the model.
//! The input is split at `\n#--\n` into up to three `.tf` files of one module; `file()` reads
//! return the input text again so fuzzed policy documents reach the JSON policy path too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::parse::terraform::parse_module;
use rolefit::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let files: Vec<SourceFile> = text
        .splitn(3, "\n#--\n")
        .enumerate()
        .map(|(i, part)| SourceFile::new(FileId(i as u32), format!("infra/f{i}.tf"), part))
        .collect();
    let refs: Vec<&SourceFile> = files.iter().collect();
    let whole = text.to_string();
    let read = move |_: &str| Some(whole.clone());
    let out = parse_module(&refs, &read);
    for issue in &out.issues {
        for f in &files {
            let _ = f.line_col(issue.span.start);
        }
    }
    let _ = out.app.functions.len();
});
