//! Finds each function's code — the handler file and the local modules it imports,
//! transitively within the code folder — reads it within the limits and extracts its SDK calls.
//! Vendored third-party packages are never read as the function's own code.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::discover::{self, Listing};
use crate::model::{
    Alternative, Arg, CodeFacts, ExportKind, Factory, Function, INJECTED_TYPE, MAPPED_CLASS,
    SdkCall,
};
use crate::parse;
use crate::parse::code::{self, HandlerEntry, Lang, Packages};
use crate::parse::gobuild::{self, GoCode, GoFunction};
use crate::parse::layers::{self, Extension, Layer};
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
    /// The code was found by rolefit's own search (a build artefact's project, a framework
    /// adapter's application classes), not where the template points.
    pub inferred: bool,
    /// Why what the function needs cannot be known in full from the code read (code in a
    /// language rolefit does not read, several candidates for one injected type).
    pub incomplete: Vec<String>,
    /// Where the code found is not what the template declares: inferred, or not chosen among
    /// several candidates. Hook for the report's `code_link: "inferred"` and its
    /// `incomplete-input` note (REPORT.md v1.1).
    pub location_note: Option<LocationNote>,
    /// The code was taken by a search for the handler outside any location the definition
    /// names (code in S3, a script-built zip): what is deployed may differ, so the function's
    /// needs are not taken as complete.
    pub searched: bool,
    /// Files taken whole although the function's handler is one of several in them: which
    /// definitions run could not be decided (the code looks its own names up at run time).
    pub undecided: Vec<String>,
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
    declared_layers: &[Layer],
    listing: &Listing,
    sources: &mut SourceMap,
) -> (Vec<FunctionCode>, Vec<ParseError>) {
    // A CDK asset that is a copy of a folder of the repository is read there.
    let functions: Vec<Function> = functions
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(code) = &mut f.code_path
                && let Some(source) = asset_source(&code.value, listing)
            {
                code.value = source;
            }
            f
        })
        .collect();
    let functions = functions.as_slice();
    let mut cache: BTreeMap<String, Option<Extracted>> = BTreeMap::new();
    let mut errors = Vec::new();
    // The layers each function uses, and what their extensions run.
    let used: Vec<Vec<&Layer>> = functions
        .iter()
        .map(|f| layers::used_by(f, declared_layers))
        .collect();
    let mut extensions: BTreeMap<&str, Vec<Extension>> = BTreeMap::new();
    for layer in used.iter().flatten() {
        extensions
            .entry(layer.root.as_str())
            .or_insert_with(|| layers::extensions(layer, listing));
    }
    let extension_files: BTreeSet<String> = extensions
        .values()
        .flatten()
        .filter_map(|e| match e {
            Extension::Code(files) => Some(files.iter().cloned()),
            Extension::Binary(_) => None,
        })
        .flatten()
        .collect();
    read_batch(&extension_files, listing, sources, &mut cache, &mut errors);
    // Handler files first, then rounds of imports until nothing new is reached.
    let mut roots: Vec<(usize, Vec<String>)> = Vec::new();
    let mut java: Vec<JavaSources> = Vec::new();
    let mut notes: Vec<Option<LocationNote>> = Vec::new();
    // The functions whose code is a Go package.
    let mut go: BTreeSet<usize> = BTreeSet::new();
    for (i, f) in functions.iter().enumerate() {
        let (mut files, note) = match go_files(f, listing, sources) {
            Some(located) => {
                go.insert(i);
                located
            }
            None => (handler_files(f, listing), None),
        };
        let mut found = JavaSources::default();
        if is_java(f) {
            found = java_sources(f, listing, sources, !files.is_empty());
            // A build file that does not parse is said once, where it is.
            for (path, reason) in &found.problems {
                let message = format!("{path}: {reason}");
                if errors.iter().any(|e| e.message == message) {
                    continue;
                }
                let text = listing
                    .files
                    .get(path)
                    .and_then(|e| discover::read_text(e).ok())
                    .unwrap_or_default();
                let id = sources.add(path.clone(), text);
                errors.push(ParseError::new(Span::new(id, 0, 0), message));
            }
            if files.is_empty() {
                files = found.files.clone();
            }
        }
        roots.push((i, files));
        java.push(found);
        notes.push(note);
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
    // Which local files each file imports (its own package's files for Go).
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let memo = TargetMemo::default();
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
                    let targets =
                        memo.targets(listing, &used[i], file, &import.module.value, &code_root);
                    edges
                        .entry(file.clone())
                        .or_default()
                        .extend(targets.iter().cloned());
                    added.extend(targets);
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
        if let Some(found) = java.get(i) {
            fc.inferred = found.inferred;
            fc.incomplete = found.incomplete.clone();
        }
        // A Go binary's package found by search is an inferred link; several candidates
        // and none taken leave the function's code incomplete.
        match &fc.location_note {
            Some(LocationNote::Inferred(_)) => fc.inferred = true,
            Some(LocationNote::Ambiguous(why)) => fc.incomplete.push(why.clone()),
            None => {}
        }
        if let Some(found) = searched.get(&i) {
            note_search(f, found, &mut fc);
        }
        let handler = roots[i].1.first().cloned();
        fc.handler_missing = f.code_path.is_some()
            && f.handler.is_some()
            && handler.is_none()
            && fc.incomplete.is_empty()
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
        if let Some(share) = own_share(f, fc.entry.as_ref(), listing, &used[i], &cache, &memo) {
            fc.analysed = !share.files.is_empty();
            fc.calls = share.calls;
            fc.undecided = share.undecided;
            note_libraries(
                &mut fc,
                share.files.iter().filter_map(|file| match cache.get(file) {
                    Some(Some(ex)) => Some(&ex.facts),
                    _ => None,
                }),
            );
            fc.files = share.files;
            add_extensions(&mut fc, &used[i], &extensions, &cache);
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
        let read: Vec<(&str, &CodeFacts)> = ordered
            .iter()
            .filter_map(|file| match cache.get(file) {
                Some(Some(ex)) => Some((file.as_str(), &ex.facts)),
                _ => None,
            })
            .collect();
        let reached = fc
            .entry
            .as_ref()
            .filter(|_| is_java(f) || go.contains(&i))
            .and_then(|entry| method_reach(entry, &read));
        for (file, facts) in &read {
            match &reached {
                Some(reach) => fc.calls.extend(
                    facts
                        .calls
                        .iter()
                        .filter(|c| reach.reaches(facts, c.span))
                        .cloned(),
                ),
                None => fc.calls.extend(facts.calls.iter().cloned()),
            }
            fc.files.push((*file).to_string());
            fc.analysed = true;
        }
        note_libraries(&mut fc, read.iter().map(|(_, facts)| *facts));
        resolve_mapped_tables(&mut fc.calls, &read);
        resolve_injected_tables(&mut fc, &read);
        if let Some(inline) = &f.inline_code
            && let Some(calls) = inline_calls(f, inline.span, &inline.value, sources)
        {
            fc.calls.extend(calls);
            fc.analysed = true;
        }
        add_extensions(&mut fc, &used[i], &extensions, &cache);
        out.push(fc);
    }
    // Freeing every file's facts takes a while on a large run; the analysis need not wait.
    rayon::spawn(move || drop(cache));
    (out, errors)
}

/// How many files of a CDK asset are compared with a candidate source folder.
const MAX_ASSET_FILES: usize = 200;

/// The folder of the repository a CDK asset (`cdk.out/asset.<hash>`, what `Code.fromAsset`
/// copies at synth time) is a copy of: the one folder outside any cloud assembly holding every
/// file of the asset at the same relative path with the same content. A bundled asset
/// (esbuild output) matches no folder and stays where it is; so do several identical copies.
fn asset_source(code_path: &str, listing: &Listing) -> Option<String> {
    let path = code_path.trim_end_matches('/');
    let is_asset = |p: &str| p.split('/').any(|seg| seg.starts_with("asset."));
    if !is_asset(path) {
        return None;
    }
    let prefix = format!("{path}/");
    let files: Vec<(&str, &discover::Entry)> = listing
        .files
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .map(|(p, e)| (&p[prefix.len()..], e))
        .collect();
    if files.is_empty() || files.len() > MAX_ASSET_FILES {
        return None;
    }
    let text = |e: &discover::Entry| discover::read_text(e).ok();
    let (first, _) = files[0];
    let suffix = format!("/{first}");
    let mut found: Option<String> = None;
    for p in listing.files.keys() {
        let folder = if p == first {
            ""
        } else if let Some(folder) = p.strip_suffix(&suffix) {
            folder
        } else {
            continue;
        };
        if is_asset(folder)
            || folder
                .split('/')
                .any(|s| s == "node_modules" || s == "cdk.out")
        {
            continue;
        }
        let same = files.iter().all(|(rel, e)| {
            let there = if folder.is_empty() {
                (*rel).to_string()
            } else {
                format!("{folder}/{rel}")
            };
            listing
                .files
                .get(&there)
                .is_some_and(|o| o.size == e.size && text(o).is_some() && text(o) == text(e))
        });
        if same {
            if found.is_some() {
                return None;
            }
            found = Some(if folder.is_empty() {
                ".".to_string()
            } else {
                folder.to_string()
            });
        }
    }
    found
}

/// The calls of the extensions of the layers a function uses, which run with its role; a
/// binary extension without sources leaves its needs incomplete.
fn add_extensions(
    fc: &mut FunctionCode,
    used: &[&Layer],
    extensions: &BTreeMap<&str, Vec<Extension>>,
    cache: &BTreeMap<String, Option<Extracted>>,
) {
    for layer in used {
        for ext in extensions.get(layer.root.as_str()).into_iter().flatten() {
            match ext {
                Extension::Code(files) => {
                    for file in files {
                        if fc.files.contains(file) {
                            continue;
                        }
                        if let Some(Some(ex)) = cache.get(file) {
                            fc.calls.extend(ex.facts.calls.iter().cloned());
                            fc.files.push(file.clone());
                        }
                    }
                }
                Extension::Binary(path) => fc.incomplete.push(format!(
                    "layer `{}` adds the extension `{path}`, a binary without sources \
                     rolefit reads: the calls it makes with the function's role are not known",
                    layer.logical_id
                )),
            }
        }
    }
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

/// The `incomplete-input` note of each library the function's code imports that calls AWS in
/// ways rolefit does not read call by call (a QLDB driver, a DynamoDB data mapper): what the
/// function needs of its services is not known, so nothing on its role is taken as unused.
fn note_libraries<'a>(fc: &mut FunctionCode, files: impl Iterator<Item = &'a CodeFacts>) {
    let sdk = crate::data::sdk();
    for facts in files {
        for (language, module) in &facts.libraries {
            let Some(lib) = sdk.library_import(language, &module.value) else {
                continue;
            };
            let why = format!(
                "its code imports {} (`{}`), which makes AWS calls rolefit does not read ({})",
                lib.name, lib.module, lib.calls
            );
            if !fc.incomplete.contains(&why) {
                fc.incomplete.push(why);
            }
        }
    }
}

/// The `incomplete-input` note of a search, at the function's handler.
fn note_search(f: &Function, found: &Search, fc: &mut FunctionCode) {
    let Some(handler) = &f.handler else { return };
    match found {
        // The link is said once as an inferred code link (`code_link: "inferred"`).
        Search::One(_) => {
            fc.inferred = true;
            fc.searched = true;
        }
        Search::Several(n) => fc.incomplete.push(format!(
            "the definition names no local code and {n} files define handler `{}`: none was \
             taken as its code",
            handler.value
        )),
    }
}

/// The share of its files the function's own handler reaches (see [`share`]), for code with
/// an outline (Python, JavaScript); `None` keeps every file the handler's imports reach.
fn own_share(
    f: &Function,
    entry: Option<&HandlerEntry>,
    listing: &Listing,
    used: &[&Layer],
    cache: &BTreeMap<String, Option<Extracted>>,
    memo: &TargetMemo,
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
        |file, module| memo.targets(listing, used, file, module, &code_root),
    )
}

/// The local files an import of one file resolves to, by file, module, code folder and the
/// layers the function uses: the rounds of the import closure and each handler's share ask
/// [`import_targets`] the same questions many times over.
#[derive(Default)]
struct TargetMemo(RefCell<HashMap<TargetKey, Vec<String>>>);

/// File, module, code folder and the layers used (by address: they live as long as `gather`).
type TargetKey = (String, String, String, Vec<*const Layer>);

impl TargetMemo {
    fn targets(
        &self,
        listing: &Listing,
        used: &[&Layer],
        file: &str,
        module: &str,
        code_root: &str,
    ) -> Vec<String> {
        let key = (
            file.to_string(),
            module.to_string(),
            code_root.to_string(),
            used.iter().map(|l| std::ptr::from_ref(*l)).collect(),
        );
        if let Some(hit) = self.0.borrow().get(&key) {
            return hit.clone();
        }
        let found = import_targets(listing, used, file, module, code_root);
        self.0.borrow_mut().insert(key, found.clone());
        found
    }
}

/// The files an import written in `file` names, as the listing holds them: the first local
/// module candidate, or a Go package's files; else a library module of a layer the function
/// uses (see [`layers`]). Never vendored code, except within a layer's own library.
fn import_targets(
    listing: &Listing,
    used: &[&Layer],
    file: &str,
    module: &str,
    code_root: &str,
) -> Vec<String> {
    let Some(lang) = Lang::from_path(file) else {
        return Vec::new();
    };
    if let Some(packages) = &lang.profile().packages {
        return package_import_files(packages, listing, file, module);
    }
    let in_layer = layers::containing(used, file).is_some();
    let local: Vec<String> = with_root(file, |file| {
        code::local_import_candidates(lang, file, module, code_root.trim_start_matches('/'))
    })
    .into_iter()
    .find(|cand| listing.files.contains_key(cand) && (in_layer || !code::is_vendored(cand)))
    .into_iter()
    .collect();
    if !local.is_empty() || used.is_empty() {
        return local;
    }
    layers::import_targets(used, file, module, listing)
}

/// The handler file of a function when the listing holds it: the bundler entry point it is
/// built from, the TypeScript source of a handler in `tsc` output, else the handler's own
/// module (see [`parse::bundle`]).
fn handler_files(f: &Function, listing: &Listing) -> Vec<String> {
    let Some(code_path) = &f.code_path else {
        return Vec::new();
    };
    let runtime = f.runtime.as_ref().map(|r| r.value.as_str());
    let Some(handler) = &f.handler else {
        return Vec::new();
    };
    if let Some(entry) = parse::bundle::entry_point(&f.config.entry_points, &handler.value, listing)
    {
        return vec![entry];
    }
    let node = runtime.map_or(!handler.value.contains("::"), |r| r.starts_with("nodejs"));
    if node
        && let Some(source) =
            parse::bundle::compiled_source(&code_path.value, &handler.value, listing)
                .into_iter()
                .find(|c| listing.files.contains_key(c))
    {
        return vec![source];
    }
    with_root(&code_path.value, |path| {
        code::handler_candidates(path, &handler.value, runtime)
    })
    .into_iter()
    .find(|c| listing.files.contains_key(c))
    .into_iter()
    .collect()
}

/// A function whose code is Java: a `java` runtime, or without one a `Class::method` handler.
fn is_java(f: &Function) -> bool {
    match &f.runtime {
        Some(r) => r.value.to_ascii_lowercase().starts_with("java"),
        None => f.handler.as_ref().is_some_and(|h| h.value.contains("::")),
    }
}

/// Handler classes of frameworks that run the application's own classes (Spring Cloud
/// Function's `FunctionInvoker`, the AWS Serverless Java Container, Micronaut's and Quarkus'
/// Lambda handlers): by package.
const ADAPTER_PACKAGES: &[&str] = &[
    "org.springframework.cloud.function.adapter.aws.",
    "com.amazonaws.serverless.proxy.",
    "io.micronaut.function.aws.",
    "io.quarkus.amazon.lambda.",
    "io.quarkus.funqy.lambda.",
];

/// Annotations of a framework application's main class, whose package is component-scanned.
const APPLICATION_MARKERS: &[&str] = &["@SpringBootApplication", "@QuarkusMain", "Micronaut.run"];

/// Environment variables naming the application's main class to a framework adapter
/// (Spring Cloud Function's `MAIN_CLASS`, Spring Boot's `SPRING_MAIN_CLASS`).
const MAIN_CLASS_VARS: &[&str] = &["MAIN_CLASS", "SPRING_MAIN_CLASS"];

/// Where a Java function's sources were found beyond its code folder.
#[derive(Debug, Default, Clone)]
struct JavaSources {
    /// The handler's file (or, for a framework adapter, the application's classes).
    files: Vec<String>,
    inferred: bool,
    incomplete: Vec<String>,
    /// Build files that could not be read as one (path, reason): parse errors.
    problems: Vec<(String, String)>,
}

/// The sources of a Java function whose handler is not in its code folder: the project a
/// build artefact (`target/app.jar`) or the template's own build file belongs to, and for a
/// framework adapter handler the application's classes. `found` says the handler's file was
/// already found where the template points.
fn java_sources(f: &Function, listing: &Listing, sources: &SourceMap, found: bool) -> JavaSources {
    let mut out = JavaSources::default();
    let Some(handler) = &f.handler else {
        return out;
    };
    let class = handler.value.split("::").next().unwrap_or("").trim();
    let adapter = ADAPTER_PACKAGES.iter().any(|p| class.starts_with(p));
    if found && !adapter {
        return out;
    }
    let template_dir = sources
        .get(f.span.file)
        .map(|t| t.path.rsplit_once('/').map_or("", |(d, _)| d).to_string())
        .unwrap_or_default();
    let code_path = f.code_path.as_ref().map(|c| c.value.as_str());
    let mut problems = Vec::new();
    let projects = with_root(code_path.unwrap_or(&template_dir), |path| {
        let code = code_path.map(|_| path);
        let dir = template_dir.trim_start_matches('/');
        let found = parse::javaproject::projects(code, dir, listing);
        problems = found.problems;
        found.folders
    });
    out.problems = problems;
    let declared = code_path.is_some_and(|c| !parse::javaproject::is_archive(c));
    let runtime = f.runtime.as_ref().map(|r| r.value.as_str());
    if adapter {
        let main = f
            .environment
            .iter()
            .find(|e| MAIN_CLASS_VARS.contains(&e.name.value.as_str()))
            .and_then(|e| e.value.as_ref())
            .map(|v| v.value.clone());
        for project in &projects {
            let files = application_files(project, main.as_deref(), runtime, listing);
            if !files.is_empty() {
                out.files = files;
                let folder = |c: &str| {
                    let c = c.trim_end_matches('/');
                    if c == "." {
                        String::new()
                    } else {
                        c.trim_start_matches("./").to_string()
                    }
                };
                out.inferred = !declared || code_path.is_some_and(|c| folder(c) != *project);
                break;
            }
        }
        return out;
    }
    for project in &projects {
        let candidates = with_root(project, |path| {
            code::handler_candidates(path, &handler.value, runtime)
        });
        if let Some(file) = candidates.iter().find(|c| listing.files.contains_key(*c)) {
            out.files = vec![file.clone()];
            out.inferred = true;
            return out;
        }
        // Kotlin classes sit under `src/main/kotlin` as `.kt` files rolefit does not read.
        if let Some(kotlin) = candidates
            .iter()
            .filter(|c| c.contains("src/main/kotlin/"))
            .filter_map(|c| c.strip_suffix(".java"))
            .map(|c| format!("{c}.kt"))
            .find(|c| listing.files.contains_key(c))
        {
            out.inferred = !declared;
            out.incomplete.push(format!(
                "the handler `{}` is Kotlin (`{kotlin}`), whose calls rolefit does not read",
                handler.value
            ));
            return out;
        }
    }
    // The compiler reads the class from its `package` declaration, not its folder: a handler
    // class in a file whose folders do not spell its package is found by what it declares.
    let mut roots: Vec<String> = code_path
        .filter(|c| !parse::javaproject::is_archive(c))
        .map(|c| c.trim_end_matches('/').to_string())
        .into_iter()
        .collect();
    roots.extend(projects.iter().cloned());
    for root in &roots {
        if let Some(file) = declared_class_file(root, class, listing) {
            let inside = |p: &str| {
                let p = if p == "." {
                    ""
                } else {
                    p.trim_start_matches("./")
                };
                p.is_empty() || file.starts_with(&format!("{p}/"))
            };
            out.inferred = !(declared && code_path.is_some_and(inside));
            out.files = vec![file];
            return out;
        }
    }
    out
}

/// The one `.java` file under `root` that declares the class `class` (`pkg.Name`, `Name` in the
/// default package, `pkg.Outer$Inner` in `Outer.java`): named after it and declaring its
/// package. Several or none: `None`.
fn declared_class_file(root: &str, class: &str, listing: &Listing) -> Option<String> {
    let class = class.split('$').next().unwrap_or(class);
    let (package, simple) = class.rsplit_once('.').unwrap_or(("", class));
    if simple.is_empty() {
        return None;
    }
    let root = if root == "." {
        ""
    } else {
        root.trim_start_matches("./")
    };
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let name = format!("{simple}.java");
    let mut found = None;
    for (path, entry) in listing
        .files
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
    {
        if !(path.ends_with(&format!("/{name}")) || *path == name) || code::is_vendored(path) {
            continue;
        }
        if path.contains("/src/test/") {
            continue;
        }
        let Ok(text) = discover::read_text(entry) else {
            continue;
        };
        let declared = text
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("package "))
            .map(|p| p.trim_end_matches(';').trim().to_string())
            .unwrap_or_default();
        if declared == package {
            if found.is_some() {
                return None;
            }
            found = Some(path.clone());
        }
    }
    found
}

/// The application classes a framework adapter runs: the package of the main class (named by
/// `main`, else the class marked `@SpringBootApplication` and the like) and below, as
/// component scanning finds them; without a main class, every class of the project.
fn application_files(
    project: &str,
    main: Option<&str>,
    runtime: Option<&str>,
    listing: &Listing,
) -> Vec<String> {
    let root = if project.is_empty() {
        "src/main/java/".to_string()
    } else {
        format!("{project}/src/main/java/")
    };
    let java: Vec<&String> = listing
        .files
        .range(root.clone()..)
        .take_while(|(p, _)| p.starts_with(&root))
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".java") && !code::is_vendored(p))
        .take(MAX_FILES_PER_FUNCTION)
        .collect();
    let main_file = main
        .and_then(|m| {
            with_root(project, |path| code::handler_candidates(path, m, runtime))
                .into_iter()
                .find(|c| listing.files.contains_key(c))
        })
        .or_else(|| {
            java.iter()
                .find(|p| {
                    listing
                        .files
                        .get(p.as_str())
                        .and_then(|e| discover::read_text(e).ok())
                        .is_some_and(|t| APPLICATION_MARKERS.iter().any(|m| t.contains(m)))
                })
                .map(|p| (*p).clone())
        });
    let scanned = main_file
        .as_deref()
        .and_then(|m| m.rsplit_once('/'))
        .map_or(root.clone(), |(dir, _)| format!("{dir}/"));
    let mut files: Vec<String> = Vec::new();
    files.extend(main_file.iter().cloned());
    files.extend(
        java.into_iter()
            .filter(|p| p.starts_with(&scanned) && Some(p.as_str()) != main_file.as_deref())
            .cloned(),
    );
    files
}

/// Gives each Java `DynamoDBMapper` call the table of the class it maps, from the class's
/// `@DynamoDBTable` in any of the function's files (unknown when none names it).
fn resolve_mapped_tables(calls: &mut [SdkCall], files: &[(&str, &CodeFacts)]) {
    for call in calls {
        let Some(at) = call.args.iter().position(|(k, _)| k == MAPPED_CLASS) else {
            continue;
        };
        let table = match &call.args[at].1 {
            Arg::Str(class) => files
                .iter()
                .flat_map(|(_, facts)| &facts.mapped_tables)
                .find(|(c, _)| c == class)
                .map_or(Arg::Unknown, |(_, t)| t.clone()),
            _ => Arg::Unknown,
        };
        call.args[at] = ("TableName".to_string(), table);
    }
}

/// Gives each Java call on an injected table the table of the factory method that provides
/// its declared type in any of the function's files (`@Bean`, `@Produces`, `@Singleton`):
/// with one provider, that table; with several, one call per table, each an
/// [`Alternative`] of the call site (only the injected one is used: a missing grant is certain
/// only when the role allows none of them), and the function's code incomplete, since which
/// one is injected depends on qualifiers rolefit does not read; with none, unknown.
fn resolve_injected_tables(fc: &mut FunctionCode, files: &[(&str, &CodeFacts)]) {
    let mut out = Vec::with_capacity(fc.calls.len());
    let mut group = fc
        .calls
        .iter()
        .filter_map(|c| c.alternative.map(|a| a.group))
        .max()
        .unwrap_or(0);
    for mut call in std::mem::take(&mut fc.calls) {
        let Some(at) = call.args.iter().position(|(k, _)| k == INJECTED_TYPE) else {
            out.push(call);
            continue;
        };
        let mut tables: Vec<&Arg> = Vec::new();
        if let Arg::Str(ty) = &call.args[at].1 {
            for (_, facts) in files {
                for (t, table) in &facts.beans {
                    if t == ty && !tables.contains(&table) {
                        tables.push(table);
                    }
                }
            }
            if tables.len() > 1 {
                let why = format!(
                    "{} factory methods provide `{ty}`; which one is injected at `{}` is not known \
                     (qualifiers decide), so a grant on any of their tables is taken as enough",
                    tables.len(),
                    call.text
                );
                if !fc.incomplete.contains(&why) {
                    fc.incomplete.push(why);
                }
            }
        }
        if tables.is_empty() {
            call.args[at] = ("TableName".to_string(), Arg::Unknown);
            out.push(call);
            continue;
        }
        let several = tables.len() > 1;
        if several {
            group += 1;
        }
        for (option, table) in (0u32..).zip(tables) {
            let mut one = call.clone();
            one.args[at] = ("TableName".to_string(), table.clone());
            if several {
                one.alternative = Some(Alternative { group, option });
            }
            out.push(one);
        }
    }
    fc.calls = out;
}

/// The methods one handler method reaches through the calls of the code's own methods
/// ([`LocalCall`](crate::model::LocalCall)s), across the function's files. Code outside any
/// method (constructors, field initialisers) runs whenever its class is used and always counts.
struct Reach {
    /// Export names of the methods reached.
    methods: BTreeSet<String>,
}

impl Reach {
    /// True when code at `span` of the file with `facts` runs for the handler: it lies in a
    /// reached method, or in no method at all.
    fn reaches(&self, facts: &CodeFacts, span: Span) -> bool {
        innermost_method(facts, span).is_none_or(|m| self.methods.contains(m))
    }
}

/// The innermost method export of a file whose definition holds `span`.
fn innermost_method(facts: &CodeFacts, span: Span) -> Option<&str> {
    facts
        .exports
        .iter()
        .filter(|e| e.kind == ExportKind::Function)
        .filter(|e| e.name.span.start <= span.start && span.end <= e.name.span.end)
        .min_by_key(|e| e.name.span.end - e.name.span.start)
        .map(|e| e.name.value.as_str())
}

/// What a Java handler method reaches; none when the entry is no method the files define
/// (an inherited `handleRequest`), so the whole files count.
fn method_reach(entry: &HandlerEntry, files: &[(&str, &CodeFacts)]) -> Option<Reach> {
    let defined: BTreeSet<&str> = files
        .iter()
        .flat_map(|(_, facts)| &facts.exports)
        .filter(|e| e.kind == ExportKind::Function)
        .map(|e| e.name.value.as_str())
        .collect();
    if !defined.contains(entry.function.as_str()) {
        return None;
    }
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, facts) in files {
        for call in &facts.local_calls {
            edges
                .entry(call.caller.as_str())
                .or_default()
                .push(call.callee.as_str());
        }
    }
    // A callee known only by name (`service.process()`) may be any class's method of it;
    // one whose class is known but not defined there is inherited: any of that name too.
    // A static call (`Orders::save`) names the class by its simple name: any package's.
    let by_name = |callee: &str| -> Vec<String> {
        if defined.contains(callee) {
            return vec![callee.to_string()];
        }
        let (class, name) = callee.rsplit_once("::").unwrap_or(("", callee));
        let simple = |d: &str| {
            let c = d.rsplit_once("::").map_or("", |(c, _)| c);
            c.rsplit(['.', '$']).next().unwrap_or(c).to_string()
        };
        defined
            .iter()
            .filter(|d| d.rsplit_once("::").is_some_and(|(_, n)| n == name))
            .filter(|d| class.is_empty() || class.contains('.') || simple(d) == class)
            .map(|d| (*d).to_string())
            .collect()
    };
    let mut methods: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = vec![entry.function.clone(), String::new()];
    while let Some(caller) = queue.pop() {
        for callee in edges.get(caller.as_str()).into_iter().flatten() {
            for m in by_name(callee) {
                if methods.insert(m.clone()) {
                    queue.push(m);
                }
            }
        }
    }
    methods.insert(entry.function.clone());
    Some(Reach { methods })
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
            let lang = Lang::from_path(path).or_else(|| layers::script_lang(&file.text))?;
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
