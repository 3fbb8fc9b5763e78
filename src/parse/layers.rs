//! The code of Lambda layers declared in the same app, as the functions using them run it.
//!
//! A layer's content is extracted to `/opt` in the execution environment
//! (<https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html>, section "Layer
//! paths for each Lambda runtime"): Python finds modules under `python/` and
//! `python/lib/python3.x/site-packages/`, Node.js under `nodejs/node_modules/` (and
//! `nodejs/node<N>/node_modules/`). Executables under `extensions/` are external extensions,
//! which Lambda starts in the function's execution environment with the function's
//! credentials (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-extensions.html>, section
//! "Execution environment"; <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html>,
//! "Extensions API": "Lambda looks for extensions in the /opt/extensions directory").
//!
//! So a library module counts for a function where the function imports it (an import the
//! function's own folder does not satisfy resolves into the layer), and an extension's calls
//! count for every function using the layer. An extension that is a binary without sources
//! rolefit can read leaves the function's needs incomplete.

use std::collections::BTreeSet;

use crate::discover::{self, Listing};
use crate::model::{Function, Resource, ResourceKind};
use crate::parse::code::{self, Lang};

/// A layer declared in the app whose content folder is in the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub logical_id: String,
    pub arn: Option<String>,
    /// The content folder, relative to the audited root.
    pub root: String,
}

/// The layers of `resources` whose content is a local folder.
pub fn declared(resources: &[Resource]) -> Vec<Layer> {
    resources
        .iter()
        .filter_map(|r| match &r.kind {
            ResourceKind::Layer {
                code_path: Some(path),
            } => Some(Layer {
                logical_id: r.logical_id.clone(),
                arn: r.arn.clone(),
                root: if path == "." {
                    String::new()
                } else {
                    path.trim_end_matches('/').to_string()
                },
            }),
            _ => None,
        })
        .collect()
}

/// The declared layers a function's `Layers` name: by the layer version's ARN (what `!Ref`
/// and `.arn` resolve to), with or without its version, or by a reference to its logical id.
pub fn used_by<'l>(f: &Function, layers: &'l [Layer]) -> Vec<&'l Layer> {
    layers
        .iter()
        .filter(|l| {
            f.config.layers.iter().any(|v| {
                let v = v.value.as_str();
                let by_arn = l.arn.as_deref().is_some_and(|arn| {
                    arn == v || arn.rsplit_once(':').is_some_and(|(base, _)| base == v)
                });
                by_arn
                    || v == l.logical_id
                    || v.contains(&format!("${{{}}}", l.logical_id))
                    || v.contains(&format!("${{{}.", l.logical_id))
            })
        })
        .collect()
}

/// Folders of a layer a runtime's imports search, best first: the documented library paths,
/// and the content folder itself when it holds none of them (SAM's `BuildMethod: python3.x`
/// and `nodejsNN.x` place a layer folder's content under `python/` or `nodejs/` at build time).
pub fn library_roots(layer: &Layer, lang: Lang, listing: &Listing) -> Vec<String> {
    let under = |p: &str| {
        if layer.root.is_empty() {
            p.to_string()
        } else {
            format!("{}/{p}", layer.root)
        }
    };
    let top = if layer.root.is_empty() {
        String::new()
    } else {
        format!("{}/", layer.root)
    };
    let mut out: BTreeSet<String> = BTreeSet::new();
    let mut laid_out = false;
    for path in listing
        .files
        .range(top.clone()..)
        .take_while(|(p, _)| p.starts_with(&top))
        .map(|(p, _)| &p[top.len()..])
    {
        let parts: Vec<&str> = path.split('/').collect();
        match (lang, parts.as_slice()) {
            (Lang::Python, ["python", "lib", py, "site-packages", _, ..])
                if py.starts_with("python3") =>
            {
                out.insert(under(&format!("python/lib/{py}/site-packages")));
                laid_out = true;
            }
            (Lang::Python, ["python", _, ..]) => {
                out.insert(under("python"));
                laid_out = true;
            }
            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, ["nodejs", "node_modules", ..]) => {
                out.insert(under("nodejs/node_modules"));
                laid_out = true;
            }
            (
                Lang::JavaScript | Lang::TypeScript | Lang::Tsx,
                ["nodejs", node, "node_modules", ..],
            ) if node.starts_with("node") => {
                out.insert(under(&format!("nodejs/{node}/node_modules")));
                laid_out = true;
            }
            (_, ["python" | "nodejs", ..]) => laid_out = true,
            _ => {}
        }
    }
    let mut roots: Vec<String> = out.into_iter().collect();
    if !laid_out {
        roots.push(layer.root.clone());
    }
    roots
}

/// The packages a layer installs rather than holds as its own code: the names its
/// `requirements.txt` or `package.json` dependencies list (under the content folder or its
/// `python/`, `nodejs/` folder). An import of one of them is third-party code, not read.
pub fn installed(layer: &Layer, listing: &Listing) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let join = |p: &str| {
        if layer.root.is_empty() {
            p.to_string()
        } else {
            format!("{}/{p}", layer.root)
        }
    };
    for req in ["requirements.txt", "python/requirements.txt"] {
        let Some(text) = listing
            .files
            .get(&join(req))
            .and_then(|e| discover::read_text(e).ok())
        else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !name.is_empty() && !line.starts_with('-') {
                out.insert(name.to_ascii_lowercase().replace('-', "_"));
            }
        }
    }
    for manifest in ["package.json", "nodejs/package.json"] {
        let Some(text) = listing
            .files
            .get(&join(manifest))
            .and_then(|e| discover::read_text(e).ok())
        else {
            continue;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        for key in ["dependencies", "optionalDependencies", "peerDependencies"] {
            if let Some(deps) = json.get(key).and_then(|d| d.as_object()) {
                out.extend(deps.keys().cloned());
            }
        }
    }
    out
}

/// Files an import names inside the libraries of the layers: Python `import x.y` under each
/// Python root, a bare Node specifier (`mylib`, `@team/lib/sub`) under `node_modules`, and a
/// `/opt/...` path (the layer's content as mounted). Packages the layer installs are not read.
pub fn import_targets(
    layers: &[&Layer],
    importer: &str,
    module: &str,
    listing: &Listing,
) -> Vec<String> {
    let Some(lang) = Lang::from_path(importer) else {
        return Vec::new();
    };
    if module.starts_with('.') {
        return Vec::new();
    }
    for layer in layers {
        let installed = installed(layer, listing);
        let candidates: Vec<String> = if let Some(opt) = module.strip_prefix("/opt/") {
            let base = if layer.root.is_empty() {
                "_".to_string()
            } else {
                format!("{}/_", layer.root)
            };
            code::local_import_candidates(lang, &base, &format!("./{opt}"), "")
        } else {
            let package = match lang {
                Lang::Python => module.split('.').next().unwrap_or(module).to_string(),
                _ => {
                    let mut parts = module.split('/');
                    match (parts.next(), parts.next()) {
                        (Some(scope), Some(name)) if scope.starts_with('@') => {
                            format!("{scope}/{name}")
                        }
                        (Some(name), _) => name.to_string(),
                        _ => continue,
                    }
                }
            };
            let normal = package.to_ascii_lowercase().replace('-', "_");
            if installed.contains(&package) || installed.contains(&normal) {
                continue;
            }
            library_roots(layer, lang, listing)
                .iter()
                .flat_map(|root| {
                    let importer = if root.is_empty() {
                        "_".to_string()
                    } else {
                        format!("{root}/_")
                    };
                    match lang {
                        Lang::Python => {
                            code::local_import_candidates(lang, &importer, module, root)
                        }
                        _ => code::local_import_candidates(
                            lang,
                            &importer,
                            &format!("./{module}"),
                            "",
                        ),
                    }
                })
                .collect()
        };
        if let Some(found) = candidates
            .into_iter()
            .find(|c| listing.files.contains_key(c))
        {
            return vec![found];
        }
    }
    Vec::new()
}

/// The layer (of `layers`) a file lies in, for imports written inside layer code.
pub fn containing<'l>(layers: &[&'l Layer], file: &str) -> Option<&'l Layer> {
    layers
        .iter()
        .find(|l| l.root.is_empty() || file.starts_with(&format!("{}/", l.root)))
        .copied()
}

/// What an extension of a layer runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension {
    /// Source files rolefit reads (a script, the script a wrapper starts, a Go package).
    Code(Vec<String>),
    /// An executable with no source rolefit can read: its relative path.
    Binary(String),
}

/// The extensions of a layer: each file directly under `extensions/`.
pub fn extensions(layer: &Layer, listing: &Listing) -> Vec<Extension> {
    let dir = if layer.root.is_empty() {
        "extensions/".to_string()
    } else {
        format!("{}/extensions/", layer.root)
    };
    let files: Vec<String> = listing
        .files
        .range(dir.clone()..)
        .take_while(|(p, _)| p.starts_with(&dir))
        .map(|(p, _)| p.clone())
        .filter(|p| !p[dir.len()..].contains('/'))
        .collect();
    files
        .into_iter()
        .map(|file| extension(layer, &file, listing))
        .collect()
}

fn extension(layer: &Layer, file: &str, listing: &Listing) -> Extension {
    if Lang::from_path(file).is_some() {
        return Extension::Code(vec![file.to_string()]);
    }
    let text = listing
        .files
        .get(file)
        .and_then(|e| discover::read_text(e).ok());
    if let Some(text) = &text {
        if script_lang(text).is_some() {
            return Extension::Code(vec![file.to_string()]);
        }
        // A shell wrapper starting a script of the layer (`exec /opt/my-ext/extension.py`).
        if text.starts_with("#!") {
            let started: Vec<String> = text
                .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';'))
                .filter_map(|w| w.strip_prefix("/opt/"))
                .map(|rel| {
                    let rel = rel.replace("${LAMBDA_EXTENSION_NAME}", extension_name(file));
                    if layer.root.is_empty() {
                        rel
                    } else {
                        format!("{}/{rel}", layer.root)
                    }
                })
                .filter(|p| Lang::from_path(p).is_some() && listing.files.contains_key(p))
                .collect();
            if !started.is_empty() {
                return Extension::Code(started);
            }
            // A shell script making no SDK calls rolefit reads.
            return Extension::Code(Vec::new());
        }
    }
    match go_sources(layer, extension_name(file), listing) {
        Some(files) => Extension::Code(files),
        None => Extension::Binary(file.to_string()),
    }
}

fn extension_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// The Go sources a compiled extension is built from: a `package main` folder named as the
/// extension, inside the layer's folder or beside it.
fn go_sources(layer: &Layer, name: &str, listing: &Listing) -> Option<Vec<String>> {
    let parent = layer.root.rsplit_once('/').map_or("", |(d, _)| d);
    let at = |base: &str, rel: &str| {
        [base, rel]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    };
    let folders = [
        at(&layer.root, name),
        at(parent, name),
        at(parent, &format!("{name}/cmd")),
        at(&layer.root, "src"),
        parent.to_string(),
    ];
    folders.iter().find_map(|folder| {
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let files: Vec<String> = listing
            .files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .filter(|p| {
                !p[prefix.len()..].contains('/') && p.ends_with(".go") && !p.ends_with("_test.go")
            })
            .collect();
        let main = files.iter().any(|f| {
            listing
                .files
                .get(f)
                .and_then(|e| discover::read_text(e).ok())
                .is_some_and(|t| t.lines().any(|l| l.trim() == "package main"))
        });
        main.then_some(files)
    })
}

/// The language a script without a known extension is written in, from its `#!` line.
pub fn script_lang(text: &str) -> Option<Lang> {
    let first = text.lines().next()?.strip_prefix("#!")?;
    if first.contains("python") {
        Some(Lang::Python)
    } else if first.contains("node") {
        Some(Lang::JavaScript)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_languages_come_from_the_shebang() {
        assert_eq!(script_lang("#!/usr/bin/env python3\n"), Some(Lang::Python));
        assert_eq!(script_lang("#!/usr/bin/env node\n"), Some(Lang::JavaScript));
        assert_eq!(script_lang("#!/bin/bash\n"), None);
        assert_eq!(script_lang("\x7fELF"), None);
    }
}
