//! Where a function's handler and its local imports live, as candidate paths the caller
//! checks against the files it has (this module never touches the file system). Each
//! language's [`Profile`](super::profile::Profile) knows its own handler format and module
//! resolution; this module picks the language from the runtime (or, without one, from the
//! handler's shape).
//!
//! Handler formats: Python `path/module.function` (dots in the module name are folders), Node
//! `path/file.export` (see <https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html>
//! and <https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html>), Java
//! `package.Class::method` or `package.Class` (the class's source under the Maven/Gradle
//! `src/main/java`, see <https://docs.aws.amazon.com/lambda/latest/dg/java-handler.html>). A Go
//! handler names a compiled binary: its code is the package folder (see
//! [`go_package_files`](super::go_package_files)).

use super::profile::{Profile, for_runtime};
use super::{Lang, java, javascript, python};

/// Candidate files (relative, `/`-separated) holding `handler` inside `code_path`, best first.
pub fn handler_candidates(code_path: &str, handler: &str, runtime: Option<&str>) -> Vec<String> {
    let code_path = code_path.trim_end_matches('/');
    if Lang::from_path(code_path).is_some() {
        return vec![normalize(code_path)];
    }
    let runtime = runtime.unwrap_or("");
    let profiles: Vec<&Profile> = if runtime.is_empty() {
        guess(handler)
    } else {
        for_runtime(runtime).collect()
    };
    let mut out = Vec::new();
    for profile in profiles {
        out.extend((profile.handler_files)(code_path, handler));
    }
    dedup(out)
}

/// The languages a handler without a runtime may be in, best first: `Class::method` is Java,
/// a dotted module without folders (`pkg.mod.handler`) Python, anything else Python or
/// JavaScript.
fn guess(handler: &str) -> Vec<&'static Profile> {
    if handler.contains("::") {
        return vec![&java::PROFILE];
    }
    let python_only = handler
        .rsplit_once('.')
        .is_some_and(|(module, _)| !module.contains('/') && module.contains('.'));
    if python_only {
        vec![&python::PROFILE]
    } else {
        vec![&python::PROFILE, &javascript::PROFILE]
    }
}

/// Candidate files for a local import of `module` by the file `importer`; package imports
/// (bare JS specifiers) give nothing. Java imports (`com.example.Db`) are looked for under every
/// folder above the importer (a source root), same-package classes (`.Db`) next to it. Go
/// imports name package folders, which the caller finds through `go.mod`.
pub fn local_import_candidates(
    lang: Lang,
    importer: &str,
    module: &str,
    code_root: &str,
) -> Vec<String> {
    let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    dedup((lang.profile().import_files)(dir, module, code_root))
}

/// Joins two relative paths and resolves `.` and `..` (never above the root).
pub(super) fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn normalize(path: &str) -> String {
    join("", path)
}

pub(super) fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
