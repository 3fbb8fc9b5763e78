//! What differs between the code languages, one [`Profile`] per language, and what the
//! function's handler string names among its files ([`HandlerEntry`]).
//!
//! A profile holds: the file extensions and tree-sitter grammar, the language's walker (how it
//! names and constructs SDK clients, binds the arguments callers pass to helpers, records
//! imports and exports; run by the shared [`driver`](super::driver)), where a handler string
//! and a local import point in a code folder (module resolution), and which export a handler
//! string names.

use tree_sitter::Tree;

use super::Lang;
use crate::model::{CodeFacts, Export, ExportKind, Factory};
use crate::source::{SourceFile, Span};

/// One code language.
pub struct Profile {
    /// The language's name in messages.
    pub name: &'static str,
    /// File extensions (lower case, without the dot) and the dialect each is read as.
    pub extensions: &'static [(&'static str, Lang)],
    /// Lambda runtime identifiers (their prefixes: `python`, `nodejs`, `java`, `go`) of code
    /// in the language.
    pub runtimes: &'static [&'static str],
    /// The tree-sitter grammar of one of the language's dialects.
    pub(super) grammar: fn(Lang) -> tree_sitter::Language,
    /// Reads one parsed file: the language's walker run by the shared driver.
    /// Reads one parsed file (with the client factories of the local modules it imports).
    pub(super) extract: fn(&SourceFile, &Tree, &[Factory]) -> CodeFacts,
    /// Candidate files (relative, `/`-separated, best first) holding `handler` inside the
    /// code folder; a language whose handler names a binary has none (see `packages`).
    pub(super) handler_files: fn(code_path: &str, handler: &str) -> Vec<String>,
    /// Candidate files for a local import of `module` by a file in folder `dir` (`code_root`
    /// is the function's code folder); none for a package import.
    pub(super) import_files: fn(dir: &str, module: &str, code_root: &str) -> Vec<String>,
    /// For languages whose code is a package folder (Go): how packages are found.
    pub packages: Option<Packages>,
    /// The entry a handler string names in the function's files (the handler's file, or
    /// its package's files, first).
    pub(super) entry: fn(handler: &str, files: &[FileFacts<'_>]) -> Option<HandlerEntry>,
}

/// A file of the function (relative path, as listed) and what was read from it.
pub type FileFacts<'a> = (&'a str, &'a CodeFacts);

/// How a language that builds package folders into a binary (Go) finds its code: a handler
/// names the binary built from the code folder's package, an import names a package folder
/// inside the module its manifest declares.
pub struct Packages {
    /// The module manifest, found in the importer's folder or above (`go.mod`).
    pub manifest: &'static str,
    /// The module path a manifest declares.
    pub module_path: fn(manifest: &str) -> Option<&str>,
    /// The source files of the package in `folder`, from a listing of relative paths.
    pub files: fn(folder: &str, files: &mut dyn Iterator<Item = &str>) -> Vec<String>,
}

/// Where a function's handler string leads: the file and the function (or method) of it that
/// Lambda calls for each event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerEntry {
    /// The file (relative path, as listed) defining the entry.
    pub file: String,
    /// The entry as the language names it: Python `handler`, JavaScript `handler`, Java
    /// `com.example.App::handleRequest`, Go the function `lambda.Start` is given.
    pub function: String,
    /// The entry's definition (or the value the name is given).
    pub span: Span,
}

/// Every language, in the order a handler without a runtime is tried.
pub(super) const PROFILES: &[&Profile] = &[
    &super::python::PROFILE,
    &super::javascript::PROFILE,
    &super::go::PROFILE,
    &super::java::PROFILE,
];

/// The languages of a Lambda runtime identifier (`python3.12`, `nodejs20.x`, `java21`,
/// `provided.al2023`).
pub fn for_runtime(runtime: &str) -> impl Iterator<Item = &'static Profile> {
    let runtime = runtime.to_ascii_lowercase();
    PROFILES
        .iter()
        .copied()
        .filter(move |p| p.runtimes.iter().any(|r| runtime.starts_with(r)))
}

/// The entry the handler string names, with `files` the function's files, its handler's file
/// (or package) first. None where the handler names nothing the files define.
pub fn handler_entry(handler: &str, files: &[FileFacts<'_>]) -> Option<HandlerEntry> {
    let (first, _) = files.first()?;
    let profile = Lang::from_path(first)?.profile();
    (profile.entry)(handler.trim(), files)
}

/// The entry named by the last dot-separated part of the handler string (`app.handler`,
/// `src/index.handler`) among the handler file's exported functions (Python, JavaScript).
pub(super) fn module_function_entry(
    handler: &str,
    files: &[FileFacts<'_>],
) -> Option<HandlerEntry> {
    let (_, function) = handler.rsplit_once('.')?;
    let (file, facts) = files.first()?;
    find(facts, ExportKind::Function, function).map(|e| entry(file, e))
}

/// The last export of a kind and name (a name assigned twice is what it was last given).
pub(super) fn find<'a>(facts: &'a CodeFacts, kind: ExportKind, name: &str) -> Option<&'a Export> {
    facts
        .exports
        .iter()
        .rev()
        .find(|e| e.kind == kind && e.name.value == name)
}

/// The entry an export is, in `file`.
pub(super) fn entry(file: &str, export: &Export) -> HandlerEntry {
    HandlerEntry {
        file: file.to_string(),
        function: export.name.value.clone(),
        span: export.name.span,
    }
}
