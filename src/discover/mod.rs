//! The walk: a .gitignore-aware listing of the audited roots, file classification, and the
//! limits that keep bad input bounded (size, binary content, non-UTF-8 text, symlinks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files larger than this are not parsed (a `parse-error` says so).
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Folders that hold build output or third-party code, never the user's own definitions.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".aws-sam",
    ".serverless",
    ".terraform",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".idea",
    ".vscode",
];

/// What a file may be, judged by its name; content decides later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// YAML that may be a CloudFormation/SAM template.
    Yaml,
    /// JSON that may be a template (CloudFormation, CDK output).
    Json,
    /// Terraform configuration (`.tf`, `.tf.json`).
    Terraform,
    /// Function code: read only when a handler or import reaches it.
    Code,
    Other,
}

pub fn classify(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.ends_with(".tf.json") {
        return FileKind::Terraform;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "tf" => FileKind::Terraform,
        "yaml" | "yml" | "template" => FileKind::Yaml,
        "json" => FileKind::Json,
        "py" | "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "go" | "java" => {
            FileKind::Code
        }
        _ => FileKind::Other,
    }
}

/// One file found by the walk.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Relative to the audited root, `/`-separated; for a single-file root, its file name.
    pub rel: String,
    pub abs: PathBuf,
    pub kind: FileKind,
    pub size: u64,
}

/// A problem met while walking (unreadable folder, symlink loop, ...).
#[derive(Clone, Debug)]
pub struct WalkProblem {
    pub rel: String,
    pub message: String,
}

/// The files of one audited root.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    pub root: PathBuf,
    /// By relative path, sorted: output order never depends on the file system.
    pub files: BTreeMap<String, Entry>,
    pub problems: Vec<WalkProblem>,
}

/// Lists `root` (a folder or a single file). Symbolic links are not followed, so neither
/// loops nor links that point outside the root are read.
pub fn walk(root: &Path) -> std::io::Result<Listing> {
    let meta = std::fs::metadata(root)?;
    let mut listing = Listing {
        root: root.to_path_buf(),
        ..Listing::default()
    };
    if meta.is_file() {
        let rel = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.to_string_lossy().into_owned());
        let kind = classify(&rel);
        listing.root = root.parent().map(Path::to_path_buf).unwrap_or_default();
        listing.files.insert(
            rel.clone(),
            Entry {
                rel,
                abs: root.to_path_buf(),
                kind,
                size: meta.len(),
            },
        );
        return Ok(listing);
    }
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir()) && SKIPPED_DIRS.contains(&name.as_ref()))
        })
        .build();
    for item in walker {
        let entry = match item {
            Ok(e) => e,
            Err(err) => {
                listing.problems.push(WalkProblem {
                    rel: String::new(),
                    message: err.to_string(),
                });
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_symlink() || !ft.is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let kind = classify(&rel);
        listing.files.insert(
            rel.clone(),
            Entry {
                rel,
                abs: entry.path().to_path_buf(),
                kind,
                size,
            },
        );
    }
    Ok(listing)
}

/// Why a file's text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("file is {0} bytes, over the {MAX_FILE_BYTES}-byte limit")]
    TooLarge(u64),
    #[error("binary file (NUL byte at offset {0})")]
    Binary(usize),
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("cannot read: {0}")]
    Io(String),
}

/// Reads a file as text within the limits.
pub fn read_text(entry: &Entry) -> Result<String, ReadError> {
    if entry.size > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(entry.size));
    }
    let bytes = std::fs::read(&entry.abs).map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        return Err(ReadError::Binary(pos));
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_extension() {
        assert_eq!(classify("a/template.yaml"), FileKind::Yaml);
        assert_eq!(classify("cdk.out/App.template.json"), FileKind::Json);
        assert_eq!(classify("src/app.py"), FileKind::Code);
        assert_eq!(classify("README.md"), FileKind::Other);
        assert_eq!(classify("infra/main.tf"), FileKind::Terraform);
        assert_eq!(classify("infra/main.tf.json"), FileKind::Terraform);
    }
}
