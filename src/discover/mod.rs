//! The walk: a .gitignore-aware listing of the audited roots, file classification, and the
//! limits that keep bad input bounded (size, binary content, non-UTF-8 text, symlinks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

/// A Lambda layer's Node.js library folder (`nodejs/node_modules`, `nodejs/node20/node_modules`,
/// see <https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html>, "Layer paths for
/// each Lambda runtime"): the modules a layer provides, which functions import.
fn layer_modules(path: &Path) -> bool {
    let parent = |p: &Path| {
        p.parent()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    };
    if path.file_name().is_none_or(|n| n != "node_modules") {
        return false;
    }
    match parent(path).as_deref() {
        Some("nodejs") => true,
        Some(n) if n.starts_with("node") && n[4..].chars().all(|c| c.is_ascii_digit()) => path
            .parent()
            .and_then(parent)
            .is_some_and(|g| g == "nodejs"),
        _ => false,
    }
}

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
        "tf" | "tfvars" => FileKind::Terraform,
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
    /// Every folder with a `cdk.json`, and whether its cloud assembly is in the listing.
    pub cdk_projects: Vec<CdkProject>,
}

/// A CDK project: a folder with a `cdk.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdkProject {
    /// The project's `cdk.json`, relative to the root.
    pub cdk_json: String,
    /// The cloud assembly folder as `cdk.json` names it (`"output"`, default `cdk.out`).
    pub output: String,
    /// Some file of the assembly is listed (it was synthesized and lies inside the root).
    pub synthesized: bool,
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
    walk_into(root, root, true, &mut listing);
    cloud_assemblies(root, &mut listing);
    Ok(listing)
}

/// CDK projects list their cloud assembly (`cdk.out`, or the `"output"` of `cdk.json`) in
/// `.gitignore`, so `cdk synth && rolefit audit .` would audit nothing: the assembly of a
/// folder that has a `cdk.json` is read even when ignored. It stays inside the root.
fn cloud_assemblies(root: &Path, listing: &mut Listing) {
    let projects: Vec<(String, PathBuf)> = listing
        .files
        .keys()
        .filter(|rel| *rel == "cdk.json" || rel.ends_with("/cdk.json"))
        .map(|rel| {
            let dir = rel.strip_suffix("cdk.json").unwrap_or("").to_string();
            (dir.clone(), root.join(&dir))
        })
        .collect();
    for (dir, abs_dir) in projects {
        let output = std::fs::read_to_string(abs_dir.join("cdk.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("output")?.as_str().map(str::to_string))
            .unwrap_or_else(|| "cdk.out".to_string());
        let mut project = CdkProject {
            cdk_json: format!("{dir}cdk.json"),
            output: output.clone(),
            synthesized: false,
        };
        let output = output.trim_end_matches('/');
        if output.is_empty()
            || output.starts_with('/')
            || output.split('/').any(|part| part == ".." || part == ".")
        {
            listing.cdk_projects.push(project);
            continue;
        }
        let prefix = format!("{dir}{output}/");
        // The first path at or after the prefix is the one that would start with it.
        let listed = |l: &Listing| {
            l.files
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(rel, _)| rel.starts_with(&prefix))
        };
        if !listed(listing) {
            let assembly = abs_dir.join(output);
            // Symbolic links are not followed here either.
            if std::fs::symlink_metadata(&assembly).is_ok_and(|m| m.is_dir()) {
                walk_into(root, &assembly, false, listing);
            }
        }
        project.synthesized = listed(listing);
        listing.cdk_projects.push(project);
    }
}

/// Lists the files under `dir` into `listing`, relative to `root`; `.gitignore` rules apply
/// when `honour_ignores`. Folders are read in parallel: the files land in a sorted map and the
/// problems are sorted, so nothing depends on the order the walk meets them.
fn walk_into(root: &Path, dir: &Path, honour_ignores: bool, listing: &mut Listing) {
    let found: Mutex<(Vec<Entry>, Vec<WalkProblem>)> = Mutex::new((Vec::new(), Vec::new()));
    ignore::WalkBuilder::new(dir)
        .standard_filters(honour_ignores)
        .hidden(false)
        .follow_links(false)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && SKIPPED_DIRS.contains(&name.as_ref())
                && !layer_modules(e.path()))
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |item| {
                let seen = match item {
                    Ok(entry) => file_entry(root, &entry).map(Ok),
                    Err(err) => Some(Err(WalkProblem {
                        rel: String::new(),
                        message: err.to_string(),
                    })),
                };
                if let Some(seen) = seen
                    && let Ok(mut found) = found.lock()
                {
                    match seen {
                        Ok(entry) => found.0.push(entry),
                        Err(problem) => found.1.push(problem),
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let (entries, mut problems) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    for entry in entries {
        listing.files.insert(entry.rel.clone(), entry);
    }
    problems.sort_by(|a, b| (&a.rel, &a.message).cmp(&(&b.rel, &b.message)));
    listing.problems.extend(problems);
}

/// The listing entry of a regular file met by the walk (`None` for folders and links).
fn file_entry(root: &Path, entry: &ignore::DirEntry) -> Option<Entry> {
    let ft = entry.file_type()?;
    if ft.is_symlink() || !ft.is_file() {
        return None;
    }
    let rel = entry.path().strip_prefix(root).ok()?;
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
    let kind = classify(&rel);
    Some(Entry {
        rel,
        abs: entry.path().to_path_buf(),
        kind,
        size,
    })
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
    /// A Python file declares a source encoding (PEP 263) that Python would reject, or that
    /// its bytes do not follow.
    #[error("{0}")]
    Encoding(String),
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
    if entry.rel.ends_with(".py")
        && let Some(name) = python_coding(&bytes)
    {
        return decode_python(&bytes, &name);
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// The encoding a Python file declares (PEP 263): a comment matching
/// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on the first line, or on the second when the first
/// is blank or a comment — as Python's tokenizer reads it.
/// <https://peps.python.org/pep-0263/>, "Defining the Encoding".
fn python_coding(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = coding_in(first) {
        return Some(name);
    }
    let trimmed = first.trim_ascii_start();
    if trimmed.is_empty() || trimmed.starts_with(b"#") {
        return coding_in(lines.next()?);
    }
    None
}

fn coding_in(line: &[u8]) -> Option<String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | 0x0c))?;
    if line[start] != b'#' {
        return None;
    }
    let comment = &line[start..];
    let at = comment.windows(6).position(|w| w == b"coding")?;
    let rest = comment.get(at + 6..)?;
    let rest = rest
        .strip_prefix(b":")
        .or_else(|| rest.strip_prefix(b"="))?;
    let rest = rest.trim_ascii_start();
    let len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    (len > 0).then(|| String::from_utf8_lossy(&rest[..len]).into_owned())
}

/// Decodes a Python file with its declared encoding, named as Python names codecs
/// (`latin-1`, `iso8859_15`, `cp1252`, `utf_8`, `shift_jis`, ...).
fn decode_python(bytes: &[u8], declared: &str) -> Result<String, ReadError> {
    let name = declared.to_ascii_lowercase().replace('_', "-");
    let utf8 = || {
        String::from_utf8(bytes.to_vec()).map_err(|e| {
            ReadError::Encoding(format!(
                "not UTF-8 text as `coding: {declared}` declares (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    };
    match name.as_str() {
        "utf-8" | "utf8" | "u8" | "utf" | "utf-8-sig" | "cp65001" => return utf8(),
        // Python's `ascii` codec rejects bytes over 0x7f.
        "ascii" | "us-ascii" | "646" => {
            return match bytes.iter().position(|b| !b.is_ascii()) {
                Some(at) => Err(ReadError::Encoding(format!(
                    "not ASCII text as `coding: {declared}` declares (byte at offset {at})"
                ))),
                None => utf8(),
            };
        }
        // ISO-8859-1 maps every byte to the code point of the same value (WHATWG would read
        // the label as windows-1252, which differs in 0x80..0x9f).
        "latin-1" | "latin1" | "l1" | "iso-8859-1" | "iso8859-1" | "8859" | "cp819"
        | "iso-ir-100" => return Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => {}
    }
    // Python's `cpNNNN` names Windows code pages; WHATWG labels them `windows-NNNN`.
    let label = match name.strip_prefix("cp") {
        Some(n) if n.len() == 4 && n.starts_with("12") => format!("windows-{n}"),
        _ => name.replace("iso8859", "iso-8859"),
    };
    let Some(encoding) = encoding_rs::Encoding::for_label_no_replacement(label.as_bytes()) else {
        return Err(ReadError::Encoding(format!(
            "unknown source encoding `{declared}` (PEP 263 coding declaration)"
        )));
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::Encoding(format!(
            "text is not valid {} as `coding: {declared}` declares",
            encoding.name()
        )));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_cloud_assemblies_of_cdk_projects_are_listed() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write(".gitignore", "cdk.out\nbuild/\nscratch/\n");
        write("cdk.json", r#"{"app": "npx ts-node bin/app.ts"}"#);
        write("cdk.out/App.template.json", "{}");
        write(
            "infra/cdk.json",
            r#"{"app": "python app.py", "output": "build/assembly"}"#,
        );
        write("infra/build/assembly/Stack.template.json", "{}");
        write("scratch/notes.json", "{}");
        let listing = walk(root).expect("walks");
        let files: Vec<&str> = listing.files.keys().map(String::as_str).collect();
        assert!(files.contains(&"cdk.out/App.template.json"), "{files:?}");
        assert!(
            files.contains(&"infra/build/assembly/Stack.template.json"),
            "{files:?}"
        );
        assert!(
            !files.contains(&"scratch/notes.json"),
            "other ignores still apply"
        );
    }

    #[test]
    fn cdk_projects_without_an_assembly_are_listed_as_such() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write("cdk.json", r#"{"app": "npx ts-node bin/app.ts"}"#);
        write("cdk.out/App.template.json", "{}");
        write(
            "infra/cdk.json",
            r#"{"app": "python app.py", "output": "out"}"#,
        );
        write("infra/app.py", "");
        let listing = walk(root).expect("walks");
        let projects: Vec<(&str, &str, bool)> = listing
            .cdk_projects
            .iter()
            .map(|p| (p.cdk_json.as_str(), p.output.as_str(), p.synthesized))
            .collect();
        assert_eq!(
            projects,
            vec![
                ("cdk.json", "cdk.out", true),
                ("infra/cdk.json", "out", false)
            ]
        );
    }

    #[test]
    fn pep_263_declarations_choose_the_decoder() {
        assert_eq!(
            python_coding(b"# -*- coding: latin-1 -*-\nx = 1\n").as_deref(),
            Some("latin-1")
        );
        assert_eq!(
            python_coding(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n").as_deref(),
            Some("cp1252")
        );
        // Only the first two lines, and the second only after a comment or blank line.
        assert_eq!(python_coding(b"x = 1\n# coding: latin-1\n"), None);
        assert_eq!(python_coding(b"x = 1  # coding: latin-1\n"), None);
        assert_eq!(
            decode_python(b"s = '\xe9t\xe9'\n", "latin-1").as_deref(),
            Ok("s = 'été'\n")
        );
        assert_eq!(
            decode_python(b"s = '\x80'\n", "cp1252").as_deref(),
            Ok("s = '€'\n")
        );
        assert_eq!(
            decode_python("s = 'é'\n".as_bytes(), "utf-8").as_deref(),
            Ok("s = 'é'\n")
        );
        assert!(matches!(
            decode_python(b"s = '\xe9'\n", "utf-8"),
            Err(ReadError::Encoding(_))
        ));
        assert!(matches!(
            decode_python(b"s = 1\n", "klingon-8"),
            Err(ReadError::Encoding(m)) if m.contains("unknown source encoding")
        ));
    }

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
