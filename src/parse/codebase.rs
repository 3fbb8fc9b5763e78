//! Finds each function's code — the handler file and the local modules it imports,
//! transitively within the code folder — reads it within the limits and extracts its SDK calls.
//! Vendored third-party packages are never read as the function's own code.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::discover::{self, Listing};
use crate::model::{CodeFacts, Function, SdkCall};
use crate::parse::code::{self, HandlerEntry, Lang, Packages};
use crate::parse::share::{self, Share};
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
    /// How the code was linked to the function: `Inferred` when the template names no local
    /// code (it sits in S3 or is packaged by a script) and rolefit found the one file in the
    /// template's folder that defines the handler.
    pub code_link: CodeLink,
    /// What could not be known about the function's code, said once each (`incomplete-input`
    /// notes): an inferred link, several files matching a handler.
    pub incomplete: Vec<ParseError>,
    /// Files taken whole although the function's handler is one of several in them: which
    /// definitions run could not be decided (the code looks its own names up at run time).
    pub undecided: Vec<String>,
}

/// How a function's code was found (REPORT.md v1.1 `functions[].code_link`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum CodeLink {
    /// The template names the code (or there is none to find).
    #[default]
    Declared,
    /// Found by rolefit's own search.
    Inferred,
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
    for (i, f) in functions.iter().enumerate() {
        roots.push((i, handler_files(f, listing)));
    }
    let searched = search_unlinked(functions, listing, sources, &mut cache, &mut errors);
    for (i, found) in &searched {
        if let Search::One(file) = found {
            roots[*i].1 = vec![file.clone()];
        }
    }
    let mut frontier: BTreeSet<String> =
        roots.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
    let mut closure: Vec<BTreeSet<String>> = roots
        .iter()
        .map(|(_, v)| v.iter().cloned().collect())
        .collect();
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
                for import in &ex.facts.imports {
                    added.extend(import_targets(
                        listing,
                        file,
                        &import.module.value,
                        &code_root,
                    ));
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
    let mut out = Vec::with_capacity(functions.len());
    for (i, f) in functions.iter().enumerate() {
        let mut fc = FunctionCode::default();
        if let Some(found) = searched.get(&i) {
            note_search(f, found, &mut fc);
        }
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
        if let Some(share) = own_share(f, fc.entry.as_ref(), listing, &cache) {
            fc.analysed = !share.files.is_empty();
            fc.files = share.files;
            fc.calls = share.calls;
            fc.undecided = share.undecided;
            out.push(fc);
            continue;
        }
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

/// What the search for an unlinked function's handler found.
enum Search {
    One(String),
    Several(usize),
}

/// Functions whose template names no local code — `Code: {S3Bucket, S3Key}`, `CodeUri:
/// s3://...`, a zip built by a script — but a handler in a language rolefit reads: the files of
/// the template's folder that hold the handler's module (`handler.py`, `src/index.js`) and
/// define its function. Inline code, images and Go or Java handlers (which name binaries and
/// classes, not files) are not searched.
fn search_unlinked(
    functions: &[Function],
    listing: &Listing,
    sources: &mut SourceMap,
    cache: &mut BTreeMap<String, Option<Extracted>>,
    errors: &mut Vec<ParseError>,
) -> BTreeMap<usize, Search> {
    let mut wanted: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, f) in functions.iter().enumerate() {
        let (Some(handler), Some(runtime)) = (&f.handler, &f.runtime) else {
            continue;
        };
        let readable = runtime.value.starts_with("python") || runtime.value.starts_with("nodejs");
        if f.code_path.is_some()
            || f.inline_code.is_some()
            || f.config.image_uri.is_some()
            || !readable
        {
            continue;
        }
        let Some(template) = sources.get(f.span.file) else {
            continue;
        };
        let folder = template
            .path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"));
        // The handler's own spelling only (`src/index.handler` -> `src/index.js`), not the
        // compiled-output guesses.
        let module = handler.value.rsplit_once('.').map_or("", |(m, _)| m);
        let suffixes: Vec<String> =
            code::handler_candidates("", &handler.value, Some(runtime.value.as_str()))
                .into_iter()
                .filter(|c| c.rsplit_once('.').is_some_and(|(stem, _)| stem == module))
                .collect();
        let files: Vec<String> = listing
            .files
            .range(folder.clone()..)
            .take_while(|(p, _)| p.starts_with(&folder))
            .map(|(p, _)| p)
            .filter(|p| {
                let rel = &p[folder.len()..];
                suffixes
                    .iter()
                    .any(|s| rel == s || rel.ends_with(&format!("/{s}")))
                    && !code::is_vendored(p)
                    && !p.contains("/cdk.out/")
                    && !p.contains("/.aws-sam/")
            })
            .cloned()
            .collect();
        if !files.is_empty() {
            wanted.push((i, files));
        }
    }
    let unread: BTreeSet<String> = wanted
        .iter()
        .flat_map(|(_, v)| v.iter())
        .filter(|p| !cache.contains_key(*p))
        .cloned()
        .collect();
    read_batch(&unread, listing, sources, cache, errors);
    let mut out = BTreeMap::new();
    for (i, files) in wanted {
        let handler = functions[i]
            .handler
            .as_ref()
            .map_or("", |h| h.value.as_str());
        let defining: Vec<String> = files
            .into_iter()
            .filter(|p| match cache.get(p) {
                Some(Some(ex)) => {
                    code::handler_entry(handler, &[(p.as_str(), &ex.facts)]).is_some()
                }
                _ => false,
            })
            .collect();
        match defining.len() {
            0 => {}
            1 => {
                out.insert(i, Search::One(defining[0].clone()));
            }
            n => {
                out.insert(i, Search::Several(n));
            }
        }
    }
    out
}

/// The `incomplete-input` note of a search, at the function's handler.
fn note_search(f: &Function, found: &Search, fc: &mut FunctionCode) {
    let Some(handler) = &f.handler else { return };
    let message = match found {
        Search::One(file) => {
            fc.code_link = CodeLink::Inferred;
            format!(
                "the code of {} is not in the template (it names no local code); `{file}` is \
                 the one file that defines handler `{}`, so it was analysed as the function's \
                 code (inferred link)",
                f.name, handler.value
            )
        }
        Search::Several(n) => format!(
            "the code of {} is not in the template (it names no local code) and {n} files \
             define handler `{}`: none was taken as its code, so what it needs is unknown",
            f.name, handler.value
        ),
    };
    fc.incomplete.push(ParseError::new(handler.span, message));
}

/// The share of its files the function's own handler reaches (see [`share`]), for code with
/// an outline (Python, JavaScript); `None` keeps every file the handler's imports reach.
fn own_share(
    f: &Function,
    entry: Option<&HandlerEntry>,
    listing: &Listing,
    cache: &BTreeMap<String, Option<Extracted>>,
) -> Option<Share> {
    let entry = entry?;
    // Inline code beside a file is read whole below.
    if f.inline_code.is_some() {
        return None;
    }
    let code_root = f
        .code_path
        .as_ref()
        .map(|c| c.value.clone())
        .unwrap_or_default();
    share::handler_share(
        entry,
        |file| match cache.get(file) {
            Some(Some(ex)) => Some(&ex.facts),
            _ => None,
        },
        |file, module| import_targets(listing, file, module, &code_root),
    )
}

/// The files an import written in `file` names, as the listing holds them: the first local
/// module candidate, or a Go package's files; never vendored code.
fn import_targets(listing: &Listing, file: &str, module: &str, code_root: &str) -> Vec<String> {
    let Some(lang) = Lang::from_path(file) else {
        return Vec::new();
    };
    if let Some(packages) = &lang.profile().packages {
        return package_import_files(packages, listing, file, module);
    }
    with_root(file, |file| {
        code::local_import_candidates(lang, file, module, code_root.trim_start_matches('/'))
    })
    .into_iter()
    .find(|cand| listing.files.contains_key(cand) && !code::is_vendored(cand))
    .into_iter()
    .collect()
}

/// The handler file of a function when the listing holds it.
fn handler_files(f: &Function, listing: &Listing) -> Vec<String> {
    let Some(code_path) = &f.code_path else {
        return Vec::new();
    };
    let runtime = f.runtime.as_ref().map(|r| r.value.as_str());
    // A Go handler names the compiled binary (`go1.x`, or `bootstrap` on an OS-only
    // runtime); its code is every file of the package in the code folder.
    if let Some(packages) =
        runtime.and_then(|r| code::for_runtime(r).find_map(|p| p.packages.as_ref()))
    {
        let files = (packages.files)(
            &code_path.value,
            &mut listing.files.keys().map(String::as_str),
        );
        if !files.is_empty() {
            return files;
        }
    }
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
