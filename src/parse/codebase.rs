//! Finds each function's code — the handler file and the local modules it imports,
//! transitively within the code folder — reads it within the limits and extracts its SDK calls.
//! Vendored third-party packages are never read as the function's own code.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::discover::{self, Listing};
use crate::model::{CodeFacts, Factory, Function, SdkCall};
use crate::parse::code::{self, HandlerEntry, Lang, Packages};
use crate::parse::gobuild::{self, GoCode, GoFunction};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::ParseError;

/// How many files one function's import closure may reach.
const MAX_FILES_PER_FUNCTION: usize = 400;

/// The code of one function.
#[derive(Debug, Default, Clone)]
pub struct FunctionCode {
    /// Relative paths of the files read, handler first.
    pub files: Vec<String>,
    pub calls: Vec<SdkCall>,
    /// The handler could not be found where `CodeUri`/`Handler` say.
    pub handler_missing: bool,
    /// The function has code rolefit could read (a file or inline code).
    pub analysed: bool,
    /// What the handler string names in the handler's file (or package), when found.
    pub entry: Option<HandlerEntry>,
    /// Where the code found is not what the template declares: inferred, or not chosen among
    /// several candidates. Hook for the report's `code_link: "inferred"` and its
    /// `incomplete-input` note (REPORT.md v1.1).
    pub location_note: Option<LocationNote>,
}

/// Why a function's code link is not simply the declared one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationNote {
    /// The code was found without the template naming it (the text says how).
    Inferred(String),
    /// Several candidates, none taken: the function's code is incomplete (the text names them).
    Ambiguous(String),
}

struct Extracted {
    id: FileId,
    facts: CodeFacts,
}

/// Reads and extracts the code of every function. Parse problems are returned as errors.
pub fn gather(
    functions: &[Function],
    listing: &Listing,
    sources: &mut SourceMap,
) -> (Vec<FunctionCode>, Vec<ParseError>) {
    let mut cache: BTreeMap<String, Option<Extracted>> = BTreeMap::new();
    let mut errors = Vec::new();
    // Handler files first, then rounds of imports until nothing new is reached.
    let mut roots: Vec<(usize, Vec<String>)> = Vec::new();
    let mut notes: Vec<Option<LocationNote>> = Vec::new();
    for (i, f) in functions.iter().enumerate() {
        let (files, note) = match go_files(f, listing, sources) {
            Some(located) => located,
            None => (handler_files(f, listing), None),
        };
        roots.push((i, files));
        notes.push(note);
    }
    let mut frontier: BTreeSet<String> =
        roots.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
    let mut closure: Vec<BTreeSet<String>> = roots
        .iter()
        .map(|(_, v)| v.iter().cloned().collect())
        .collect();
    // Which local files each file imports (its own package's files for Go).
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rounds = 0;
    while !frontier.is_empty() && rounds < 16 {
        rounds += 1;
        read_batch(&frontier, listing, sources, &mut cache, &mut errors);
        frontier.clear();
        for (i, files) in closure.iter_mut().enumerate() {
            let code_root = functions[i]
                .code_path
                .as_ref()
                .map(|c| c.value.clone())
                .unwrap_or_default();
            let mut added = Vec::new();
            for file in files.iter() {
                let Some(Some(ex)) = cache.get(file) else {
                    continue;
                };
                let Some(lang) = Lang::from_path(file) else {
                    continue;
                };
                let profile = lang.profile();
                for import in &ex.facts.imports {
                    if let Some(packages) = &profile.packages {
                        let package =
                            package_import_files(packages, listing, file, &import.module.value);
                        edges
                            .entry(file.clone())
                            .or_default()
                            .extend(package.iter().cloned());
                        added.extend(package);
                        continue;
                    }
                    for cand in with_root(file, |file| {
                        code::local_import_candidates(
                            lang,
                            file,
                            &import.module.value,
                            code_root.trim_start_matches('/'),
                        )
                    }) {
                        if listing.files.contains_key(&cand) && !code::is_vendored(&cand) {
                            edges.entry(file.clone()).or_default().insert(cand.clone());
                            added.push(cand);
                            break;
                        }
                    }
                }
            }
            for a in added {
                if files.len() >= MAX_FILES_PER_FUNCTION {
                    break;
                }
                if files.insert(a.clone()) && !cache.contains_key(&a) {
                    frontier.insert(a);
                }
            }
        }
    }
    for files in &closure {
        same_package(files, &mut edges);
    }
    read_with_factories(&edges, sources, &mut cache);
    let mut out = Vec::with_capacity(functions.len());
    for (i, f) in functions.iter().enumerate() {
        let mut fc = FunctionCode {
            location_note: notes[i].take(),
            ..FunctionCode::default()
        };
        let handler = roots[i].1.first().cloned();
        fc.handler_missing = f.code_path.is_some()
            && f.handler.is_some()
            && handler.is_none()
            && f.config.image_uri.is_none();
        let handler_facts: Vec<(&str, &CodeFacts)> = roots[i]
            .1
            .iter()
            .filter_map(|file| match cache.get(file) {
                Some(Some(ex)) => Some((file.as_str(), &ex.facts)),
                _ => None,
            })
            .collect();
        let handler_string = f.handler.as_ref().map_or("", |h| h.value.as_str());
        fc.entry = code::handler_entry(handler_string, &handler_facts);
        let mut ordered: Vec<String> = handler.iter().cloned().collect();
        ordered.extend(
            closure[i]
                .iter()
                .filter(|p| Some(*p) != handler.as_ref())
                .cloned(),
        );
        for file in ordered {
            if let Some(Some(ex)) = cache.get(&file) {
                fc.calls.extend(ex.facts.calls.iter().cloned());
                fc.files.push(file);
                fc.analysed = true;
                let _ = ex.id;
            }
        }
        if let Some(inline) = &f.inline_code
            && let Some(calls) = inline_calls(f, inline.span, &inline.value, sources)
        {
            fc.calls.extend(calls);
            fc.analysed = true;
        }
        out.push(fc);
    }
    (out, errors)
}

/// The handler file of a function when the listing holds it.
fn handler_files(f: &Function, listing: &Listing) -> Vec<String> {
    let Some(code_path) = &f.code_path else {
        return Vec::new();
    };
    let runtime = f.runtime.as_ref().map(|r| r.value.as_str());
    let Some(handler) = &f.handler else {
        return Vec::new();
    };
    with_root(&code_path.value, |path| {
        code::handler_candidates(path, &handler.value, runtime)
    })
    .into_iter()
    .find(|c| listing.files.contains_key(c))
    .into_iter()
    .collect()
}

/// The code of a function whose handler names a compiled binary (Go: `go1.x`, or `bootstrap`
/// on an OS-only runtime): the package the binary is built from (see `parse::gobuild`). None
/// for other runtimes, and for a function without code folder whose code is an image.
fn go_files(
    f: &Function,
    listing: &Listing,
    sources: &SourceMap,
) -> Option<(Vec<String>, Option<LocationNote>)> {
    let runtime = f.runtime.as_ref()?.value.as_str();
    let packages = code::for_runtime(runtime).find_map(|p| p.packages.as_ref())?;
    if f.code_path.is_none() && (f.config.image_uri.is_some() || f.inline_code.is_some()) {
        return None;
    }
    let template = sources.get(f.span.file).map_or("", |s| s.path.as_str());
    let template_dir = template.rsplit_once('/').map_or("", |(d, _)| d);
    let function = GoFunction {
        name: &f.name,
        code_path: f.code_path.as_ref().map(|c| c.value.as_str()),
        handler: f.handler.as_ref().map(|h| h.value.as_str()),
        template_dir,
    };
    Some(match gobuild::locate(&function, packages, listing) {
        GoCode::Found(files) => (files, None),
        GoCode::Inferred(files) => {
            let note = format!(
                "the template names no code folder; the only Go `package main` calling \
                 `lambda.Start` under `{}` was read as {}'s code",
                if template_dir.is_empty() {
                    "."
                } else {
                    template_dir
                },
                f.name
            );
            (files, Some(LocationNote::Inferred(note)))
        }
        GoCode::Ambiguous(why) => (Vec::new(), Some(LocationNote::Ambiguous(why))),
        GoCode::NotFound => (Vec::new(), None),
    })
}

/// Runs a path function on a path relative to the root. With several audited roots, paths
/// carry their root as written, which may be absolute: the `/` is set aside and put back.
fn with_root(path: &str, f: impl FnOnce(&str) -> Vec<String>) -> Vec<String> {
    match path.strip_prefix('/') {
        Some(rel) => f(rel).into_iter().map(|c| format!("/{c}")).collect(),
        None => f(path),
    }
}

/// The files of the package a file imports (Go), when the import path lies inside the module
/// whose manifest (`go.mod`) is nearest above the importer.
fn package_import_files(
    packages: &Packages,
    listing: &Listing,
    importer: &str,
    import: &str,
) -> Vec<String> {
    let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        let manifest = if dir.is_empty() {
            packages.manifest.to_string()
        } else {
            format!("{dir}/{}", packages.manifest)
        };
        if let Some(entry) = listing.files.get(&manifest) {
            let Ok(text) = discover::read_text(entry) else {
                return Vec::new();
            };
            let Some(module) = (packages.module_path)(&text) else {
                return Vec::new();
            };
            let Some(rest) = import
                .strip_prefix(module)
                .and_then(|r| r.strip_prefix('/'))
            else {
                return Vec::new();
            };
            let folder = if dir.is_empty() {
                rest.to_string()
            } else {
                format!("{dir}/{rest}")
            };
            return (packages.files)(&folder, &mut listing.files.keys().map(String::as_str))
                .into_iter()
                .filter(|f| !code::is_vendored(f))
                .collect();
        }
        match dir.rsplit_once('/') {
            Some((up, _)) => dir = up,
            None if !dir.is_empty() => dir = "",
            None => return Vec::new(),
        }
    }
}

fn read_batch(
    paths: &BTreeSet<String>,
    listing: &Listing,
    sources: &mut SourceMap,
    cache: &mut BTreeMap<String, Option<Extracted>>,
    errors: &mut Vec<ParseError>,
) {
    let texts: Vec<(String, Result<String, discover::ReadError>)> = paths
        .par_iter()
        .filter_map(|p| {
            listing
                .files
                .get(p)
                .map(|e| (p.clone(), discover::read_text(e)))
        })
        .collect();
    let mut files: Vec<(String, FileId)> = Vec::new();
    for (path, text) in texts {
        match text {
            Ok(t) => {
                let id = sources.add(path.clone(), t);
                files.push((path, id));
            }
            Err(e) => {
                let id = sources.add(path.clone(), "");
                errors.push(ParseError::new(Span::new(id, 0, 0), format!("{path}: {e}")));
                cache.insert(path, None);
            }
        }
    }
    let sources_ref: &SourceMap = sources;
    let results: Vec<(String, FileId, Result<CodeFacts, ParseError>)> = files
        .par_iter()
        .filter_map(|(path, id)| {
            let file = sources_ref.get(*id)?;
            let lang = Lang::from_path(path)?;
            Some((path.clone(), *id, code::extract(file, lang)))
        })
        .collect();
    for (path, id, result) in results {
        match result {
            Ok(facts) => {
                cache.insert(path, Some(Extracted { id, facts }));
            }
            Err(e) => {
                errors.push(e);
                cache.insert(path, None);
            }
        }
    }
}

/// Files of a package that builds into one binary (Go) see each other's functions: each file
/// of a function's code is given its folder's other files of the language as imports.
fn same_package(files: &BTreeSet<String>, edges: &mut BTreeMap<String, BTreeSet<String>>) {
    let packaged = |f: &str| Lang::from_path(f).is_some_and(|l| l.profile().packages.is_some());
    let folder = |f: &str| f.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    for file in files.iter().filter(|f| packaged(f)) {
        let siblings = files
            .iter()
            .filter(|o| *o != file && packaged(o) && folder(o) == folder(file))
            .cloned();
        edges.entry(file.clone()).or_default().extend(siblings);
    }
}

/// Reads again, knowing the client factories of the local files they import, the files whose
/// imports define any (`from clients import client`, a Go package's `NewS3`), so calls made
/// on what the factories return resolve. One hop: a factory built on an imported factory is
/// not followed.
fn read_with_factories(
    edges: &BTreeMap<String, BTreeSet<String>>,
    sources: &SourceMap,
    cache: &mut BTreeMap<String, Option<Extracted>>,
) {
    let mut again: Vec<(String, FileId, Lang, Vec<Factory>)> = Vec::new();
    for (file, imports) in edges {
        let (Some(Some(ex)), Some(lang)) = (cache.get(file), Lang::from_path(file)) else {
            continue;
        };
        let profile = lang.profile();
        let factories: Vec<Factory> = imports
            .iter()
            .filter(|i| *i != file)
            .filter(|i| Lang::from_path(i).is_some_and(|l| std::ptr::eq(l.profile(), profile)))
            .filter_map(|i| match cache.get(i) {
                Some(Some(dep)) => Some(dep.facts.factories.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect();
        if !factories.is_empty() {
            again.push((file.clone(), ex.id, lang, factories));
        }
    }
    let results: Vec<(String, FileId, CodeFacts)> = again
        .par_iter()
        .filter_map(|(path, id, lang, factories)| {
            let file = sources.get(*id)?;
            let facts = code::extract_with(file, *lang, factories).ok()?;
            Some((path.clone(), *id, facts))
        })
        .collect();
    for (path, id, facts) in results {
        cache.insert(path, Some(Extracted { id, facts }));
    }
}

/// SDK calls of inline code (`InlineCode`, `Code.ZipFile`), with spans moved into the template.
fn inline_calls(f: &Function, span: Span, text: &str, sources: &SourceMap) -> Option<Vec<SdkCall>> {
    let runtime = f.runtime.as_ref().map(|r| r.value.as_str()).unwrap_or("");
    let lang = if runtime.starts_with("python") {
        Lang::Python
    } else if runtime.starts_with("nodejs") {
        Lang::JavaScript
    } else {
        return None;
    };
    let template = sources.get(span.file)?;
    let virt = SourceFile::new(
        FileId(u32::MAX - 1),
        template.path.clone(),
        text.to_string(),
    );
    let facts = code::extract(&virt, lang).ok()?;
    let (tline, _) = template.line_col(span.start);
    // A block scalar (`|`) starts on the next line; a quoted or plain scalar on the same one.
    let header = template.line_text(tline).trim_end();
    let first = if header.ends_with('|')
        || header.ends_with("|-")
        || header.ends_with('>')
        || header.ends_with("|+")
    {
        tline + 1
    } else {
        tline
    };
    // A quoted scalar (JSON's `"ZipFile": "...\n..."`, YAML's `"..."`) keeps its lines in
    // escapes on one source line: point at the string itself.
    let quoted = template
        .text
        .get(span.start as usize..)
        .is_some_and(|t| t.starts_with(['"', '\'']));
    let remap = |s: Span| -> Span {
        if quoted {
            return span;
        }
        let (line, col) = virt.line_col(s.start);
        let target_line = first + line - 1;
        let Some(start) = template.line_start(target_line) else {
            return span;
        };
        let indent = template.line_text(target_line).len()
            - template.line_text(target_line).trim_start().len();
        let offset = start as usize + indent + (col as usize - 1);
        Span::new(template.id, offset, offset + (s.end - s.start) as usize)
    };
    Some(
        facts
            .calls
            .into_iter()
            .map(|mut c| {
                c.span = remap(c.span);
                c
            })
            .collect(),
    )
}
