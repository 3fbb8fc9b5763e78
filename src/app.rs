//! The one place that knows the order of the stages:
//! discover → parse → model → needs → graph → rules → report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::analysis::{self, Analysis};
use crate::config::Config;
use crate::discover::{self, FileKind, Listing};
use crate::finding::Finding;
use crate::model::App;
use crate::parse::codebase::{self, FunctionCode};
use crate::parse::{self, Context, Reads, TemplateOutcome};
use crate::progress::Progress;
use crate::report::{self, FindingReport, FunctionReport, Report, Root, SeverityCounts, Summary};
use crate::root::{self as roots, RootError, RootOptions};
use crate::rules::{self, RuleContext};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::suppress;
use crate::syntax::{ParseError, Unknown, UnknownKind};

/// Everything one audit produced, for every output format.
pub struct Audit {
    pub sources: SourceMap,
    pub app: App,
    pub code: Vec<FunctionCode>,
    pub analysis: Analysis,
    /// Sorted as the report orders them.
    pub findings: Vec<Finding>,
    pub report: Report,
    /// The root as the inputs state it, before command-line flags ([`set_root`]).
    pub detected_root: Root,
}

/// Errors that end a run (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    // The OS error is the `source`: reports that print the chain (`{:#}`) add it once.
    #[error("reading {path}")]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs the whole pipeline over `paths`.
pub fn audit(paths: &[PathBuf], config: &Config) -> Result<Audit, RunError> {
    audit_with(paths, config, &Progress::hidden())
}

/// [`audit`], telling `progress` which stage runs.
pub fn audit_with(
    paths: &[PathBuf],
    config: &Config,
    progress: &Progress,
) -> Result<Audit, RunError> {
    let mut sources = SourceMap::default();
    let mut app = App::default();
    let mut errors: Vec<ParseError> = Vec::new();
    let multi = paths.len() > 1;
    let mut merged = Listing::default();
    let filter = config.path_filter();
    for root in paths {
        let mut listing = discover::walk(root).map_err(|source| RunError::Root {
            path: root.clone(),
            source,
        })?;
        listing.files.retain(|rel, _| filter.selects(rel));
        let prefix = if multi {
            format!("{}/", root.display())
        } else {
            String::new()
        };
        for problem in &listing.problems {
            let id = sources.add(format!("{prefix}{}", problem.rel), "");
            errors.push(ParseError::new(
                Span::new(id, 0, 0),
                problem.message.clone(),
            ));
        }
        let (documents, terraform) =
            read_inputs(&listing, &prefix, &mut sources, &mut errors, progress);
        lower_inputs(
            &listing,
            &prefix,
            [documents, terraform],
            &sources,
            config,
            &mut app,
            &mut errors,
        );
        unsynthesized_cdk_projects(&listing, &prefix, &mut sources, &mut app);
        for (rel, mut entry) in listing.files {
            entry.rel = format!("{prefix}{rel}");
            merged.files.insert(entry.rel.clone(), entry);
        }
    }
    resolve_references(&mut app);
    progress.stage("reading code", app.functions.len(), "functions");
    let (code, code_errors) = codebase::gather(
        &app.functions,
        &parse::layers::declared(&app.resources),
        &merged,
        &mut sources,
    );
    errors.extend(code_errors);
    let missing = missing_handlers(&app, &code, &merged);
    app.unknowns.extend(missing);
    let notes = code_notes(&app, &code);
    app.unknowns.extend(notes);
    progress.stage("analysing", app.functions.len(), "functions");
    let analysis = analysis::analyze(&app, &code, errors, config);
    progress.stage("checking", rules::ALL.len(), "rules");
    let cx = RuleContext {
        app: &app,
        analysis: &analysis,
        config,
    };
    let findings = rules::check_all(&cx);
    let mut findings = suppress::apply(findings, &sources, config);
    fill_fix_texts(&mut findings, &app, &sources);
    let detected_root = roots::detect(paths, &merged, &app);
    let (findings, mut report) = build_report(&app, &code, &analysis, findings, &sources);
    report.roots = vec![Root {
        files: report.summary.files,
        ..detected_root.clone()
    }];
    fill_fingerprints(&mut report, &findings, &sources);
    progress.finish();
    Ok(Audit {
        sources,
        app,
        code,
        analysis,
        findings,
        report,
        detected_root,
    })
}

/// Applies `--label`, `--account-id` and `--region` to the audit's root, and fingerprints the
/// findings under the resulting label.
pub fn set_root(audit: &mut Audit, options: &RootOptions) -> Result<(), RootError> {
    let root = roots::apply(&audit.detected_root, options)?;
    audit.report.roots = vec![Root {
        files: audit.report.summary.files,
        ..root
    }];
    fill_fingerprints(&mut audit.report, &audit.findings, &audit.sources);
    Ok(())
}

/// Each finding's `fingerprint`: the `rolefit/v1` recipe under the root's label.
fn fill_fingerprints(report: &mut Report, findings: &[Finding], sources: &SourceMap) {
    let prefix = report
        .roots
        .first()
        .and_then(|r| r.label.as_ref())
        .map(|l| format!("{l}/"))
        .unwrap_or_default();
    let prints = report::fingerprint::fingerprints_under(findings, sources, &prefix);
    for (f, print) in report.findings.iter_mut().zip(prints) {
        f.fingerprint = print;
    }
}

/// Writes each finding's `fix` in the idiom of the file its function's role lives in
/// (REPORT.md v1.1 `fix_text`), the same text `rolefit policy --format native` prints.
fn fill_fix_texts(findings: &mut [Finding], app: &App, sources: &SourceMap) {
    let renderer = crate::render::Renderer::new(app, sources);
    let by_id: std::collections::HashMap<&str, &crate::model::Function> =
        app.functions.iter().map(|f| (f.id.as_str(), f)).collect();
    for finding in findings {
        let (Some(fix), Some(id)) = (&finding.fix, &finding.function) else {
            continue;
        };
        let Some(&f) = by_id.get(id.as_str()) else {
            continue;
        };
        let statements = match fix.get("Statement").and_then(serde_json::Value::as_array) {
            Some(list) => list.clone(),
            None => vec![fix.clone()],
        };
        let idiom = crate::render::idiom_of(app, f);
        finding.fix_text = Some(renderer.statements(f, idiom, &statements));
    }
}

/// Reads the files front ends read: every YAML/JSON document, then every `.tf` file. A
/// document that cannot be read is a problem only when its name says it is a template.
fn read_inputs(
    listing: &Listing,
    prefix: &str,
    sources: &mut SourceMap,
    errors: &mut Vec<ParseError>,
    progress: &Progress,
) -> (Vec<FileId>, Vec<FileId>) {
    let candidates: Vec<_> = listing
        .files
        .values()
        .filter(|e| matches!(e.kind, FileKind::Yaml | FileKind::Json))
        .collect();
    progress.stage("parsing", candidates.len(), "YAML/JSON files");
    let texts: Vec<_> = candidates
        .par_iter()
        .map(|e| (e, discover::read_text(e)))
        .collect();
    let mut documents = Vec::new();
    for (entry, text) in texts {
        let rel = format!("{prefix}{}", entry.rel);
        match text {
            Ok(t) => documents.push(sources.add(rel, t)),
            Err(e) => {
                if looks_like_template_name(&entry.rel) {
                    let id = sources.add(rel.clone(), "");
                    errors.push(ParseError::new(Span::new(id, 0, 0), format!("{rel}: {e}")));
                }
            }
        }
    }
    let mut terraform = Vec::new();
    for entry in listing.files.values() {
        if entry.kind != FileKind::Terraform {
            continue;
        }
        let rel = format!("{prefix}{}", entry.rel);
        match discover::read_text(entry) {
            Ok(t) => terraform.push(sources.add(rel, t)),
            Err(e) => {
                let id = sources.add(rel.clone(), "");
                errors.push(ParseError::new(Span::new(id, 0, 0), format!("{rel}: {e}")));
            }
        }
    }
    (documents, terraform)
}

/// Offers the files of one root to every front end of [`parse::ALL`] in turn and merges
/// what they lower. A file leaves the pool once a front end takes it, or once a front end
/// reads it as part of another file (`${file(...)}`).
fn lower_inputs(
    listing: &Listing,
    prefix: &str,
    [documents, terraform]: [Vec<FileId>; 2],
    sources: &SourceMap,
    config: &Config,
    app: &mut App,
    errors: &mut Vec<ParseError>,
) {
    let included = std::sync::Mutex::new(BTreeSet::new());
    // Reads only files of the walk (inside the root, not ignored).
    let read = |path: &str| -> Option<String> {
        let entry = listing
            .files
            .get(path.strip_prefix(prefix).unwrap_or(path))?;
        let text = discover::read_text(entry).ok()?;
        if let Ok(mut set) = included.lock() {
            set.insert(path.to_string());
        }
        Some(text)
    };
    let cx = Context {
        prefix,
        config,
        read: &read,
    };
    let files = |ids: Vec<FileId>| -> Vec<&SourceFile> {
        ids.into_iter().filter_map(|id| sources.get(id)).collect()
    };
    let mut documents = files(documents);
    let mut terraform = files(terraform);
    let rel =
        |f: &SourceFile| -> String { f.path.strip_prefix(prefix).unwrap_or(&f.path).to_string() };
    for front_end in parse::ALL {
        let pool = match front_end.reads() {
            Reads::Documents => &mut documents,
            Reads::Terraform => &mut terraform,
        };
        let mut taken: BTreeSet<FileId> = BTreeSet::new();
        let mut singles: Vec<&SourceFile> = Vec::new();
        let mut groups: BTreeMap<String, Vec<&SourceFile>> = BTreeMap::new();
        for f in pool.iter().copied() {
            let r = rel(f);
            if !front_end.offered(&r) {
                continue;
            }
            match front_end.group(&r) {
                None => singles.push(f),
                Some(key) => {
                    if front_end.claims(f) {
                        taken.insert(f.id);
                        groups.entry(key.to_string()).or_default().push(f);
                    }
                }
            }
        }
        let outcomes: Vec<(FileId, TemplateOutcome)> = singles
            .par_iter()
            .map(|f| (f.id, front_end.lower(&[*f], &cx)))
            .collect();
        let grouped = groups.values().map(|g| front_end.lower(g, &cx));
        for (id, outcome) in outcomes
            .into_iter()
            .map(|(id, o)| (Some(id), o))
            .chain(grouped.map(|o| (None, o)))
        {
            match outcome {
                TemplateOutcome::NotTemplate => continue,
                TemplateOutcome::Template { app: part, issues } => {
                    merge(app, part);
                    errors.extend(issues);
                }
                TemplateOutcome::Invalid(e) => {
                    let keep = sources.get(e.span.file).is_some_and(|f| {
                        looks_like_template_name(&f.path) || mentions_template_keys(&f.text)
                    });
                    if keep {
                        errors.push(e);
                    }
                }
            }
            if let Some(id) = id {
                taken.insert(id);
            }
        }
        let included = included.lock().map(|set| set.clone()).unwrap_or_default();
        pool.retain(|f| !taken.contains(&f.id) && !included.contains(&f.path));
    }
}

/// A `Handler` that names no file in the function's code folder: its code, and so what it
/// needs, is missing from the audit. Only runtimes whose code rolefit reads are checked, so a
/// Java class or a Go binary name is never taken for a missing file, and archives (`.zip`,
/// `.jar`) are not looked into.
fn missing_handlers(app: &App, code: &[FunctionCode], listing: &Listing) -> Vec<Unknown> {
    app.functions
        .iter()
        .zip(code)
        .filter(|(f, c)| {
            c.handler_missing
                && f.runtime
                    .as_ref()
                    .is_some_and(|r| r.value.starts_with("python") || r.value.starts_with("nodejs"))
        })
        .filter_map(|(f, _)| {
            let handler = f.handler.as_ref()?;
            let folder = &f.code_path.as_ref()?.value;
            let lower = folder.to_ascii_lowercase();
            if lower.ends_with(".zip") || lower.ends_with(".jar") {
                return None;
            }
            let prefix = format!("{}/", folder.trim_end_matches('/'));
            let folder_found = folder == "."
                || listing
                    .files
                    .range(prefix.clone()..)
                    .next()
                    .is_some_and(|(rel, _)| rel.starts_with(&prefix));
            let message = if folder_found {
                format!(
                    "handler `{}` of {} not found: no such file under `{folder}`",
                    handler.value, f.name
                )
            } else {
                format!(
                    "handler `{}` of {} not found: code folder `{folder}` does not exist",
                    handler.value, f.name
                )
            };
            Some(Unknown::new(
                handler.span,
                UnknownKind::MissingCode,
                &f.id,
                format!("{message}; what it needs is unknown"),
            ))
        })
        .collect()
}

/// What code extraction could not know for sure: a link found by rolefit's own search (a
/// build artefact's project, a framework adapter's application classes), and code it found
/// but does not read (a Kotlin handler).
fn code_notes(app: &App, code: &[FunctionCode]) -> Vec<Unknown> {
    let mut out = Vec::new();
    for (f, c) in app.functions.iter().zip(code) {
        let span = f
            .code_path
            .as_ref()
            .map(|p| p.span)
            .or(f.handler.as_ref().map(|h| h.span))
            .unwrap_or(f.span);
        if c.inferred
            && let Some(first) = c.files.first()
        {
            out.push(Unknown::new(
                span,
                UnknownKind::InferredLink,
                &f.id,
                format!(
                    "code found by rolefit's own search (`{first}`{}), not named by the \
                     function's definition: the link is inferred",
                    if c.files.len() > 1 { " and more" } else { "" }
                ),
            ));
        }
        for reason in &c.incomplete {
            out.push(Unknown::new(
                span,
                UnknownKind::MissingCode,
                format!("{}: {reason}", f.id),
                format!("{}: {reason}; what it needs is not known in full", f.name),
            ));
        }
    }
    out
}

/// A CDK project whose cloud assembly is not in the listing: its stacks are not in the input,
/// so nothing of it was audited. Said once per project, at its `cdk.json`.
fn unsynthesized_cdk_projects(
    listing: &Listing,
    prefix: &str,
    sources: &mut SourceMap,
    app: &mut App,
) {
    for project in listing.cdk_projects.iter().filter(|p| !p.synthesized) {
        let rel = format!("{prefix}{}", project.cdk_json);
        let id = match sources.by_path(&rel) {
            Some(f) => f.id,
            None => sources.add(rel.clone(), ""),
        };
        let dir = rel.strip_suffix("cdk.json").unwrap_or("");
        let folder = if dir.is_empty() {
            "the audited folder".to_string()
        } else {
            format!("`{}`", dir.trim_end_matches('/'))
        };
        let output = &project.output;
        app.unknowns.push(Unknown::new(
            Span::new(id, 0, 0),
            UnknownKind::NoCloudAssembly,
            rel.clone(),
            format!(
                "CDK project without its cloud assembly (`{output}`): its stacks were not \
                 audited; run `npx cdk synth` in {folder} (it writes `{output}`, or pass \
                 `cdk synth --output {output}`) and audit again"
            ),
        ));
    }
}

/// File names that are templates by convention, so a read failure is worth reporting.
fn looks_like_template_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.starts_with("template.")
        || name.ends_with(".template.json")
        || name.ends_with(".template.yaml")
        || name.ends_with(".template.yml")
        || name.starts_with("serverless.")
        || rel.contains("cdk.out/")
}

/// Text that a broken template still shows: broken YAML elsewhere (Helm charts, CI files)
/// is not ours to report.
fn mentions_template_keys(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::Serverless")
        || (text.contains("Resources") && text.contains("AWS::"))
}

fn merge(into: &mut App, part: App) {
    into.functions.extend(part.functions);
    into.roles.extend(part.roles);
    into.permissions.extend(part.permissions);
    into.triggers.extend(part.triggers);
    into.resources.extend(part.resources);
    into.unknowns.extend(part.unknowns);
}

/// Sorts the model by id so output never depends on parse order.
fn resolve_references(app: &mut App) {
    app.functions.sort_by(|a, b| a.id.cmp(&b.id));
    app.roles.sort_by(|a, b| a.id.cmp(&b.id));
}

fn build_report(
    app: &App,
    code: &[FunctionCode],
    analysis: &Analysis,
    findings: Vec<Finding>,
    sources: &SourceMap,
) -> (Vec<Finding>, Report) {
    // Findings and functions are reported in parallel, collected in their order.
    let mut paired: Vec<(FindingReport, Finding)> = findings
        .into_par_iter()
        .map(|f| (FindingReport::new(&f, sources), f))
        .collect();
    paired.sort_by(|a, b| report::finding_order(&a.0).cmp(&report::finding_order(&b.0)));
    paired.dedup_by(|a, b| a.0 == b.0);
    let (reports, findings): (Vec<_>, Vec<_>) = paired.into_iter().unzip();
    let functions: Vec<FunctionReport> = app
        .functions
        .par_iter()
        .enumerate()
        .filter_map(|(i, _)| {
            crate::report::function_report(app, i, code.get(i)?, analysis, sources)
        })
        .collect();
    let summary = Summary {
        files: sources
            .files()
            .iter()
            .filter(|f| !f.text.is_empty())
            .count(),
        functions: functions.len(),
        findings: SeverityCounts::count(&reports),
    };
    let report = Report {
        version: report::REPORT_VERSION,
        tool: report::Tool::default(),
        roots: Vec::new(),
        functions,
        findings: reports,
        summary,
    };
    (findings, report)
}

/// The exit status for a report under `--fail-on` (REPORT.md): 1 when any finding is at or
/// above the threshold, else 0. `None` never fails.
pub fn exit_status(report: &Report, fail_on: Option<crate::finding::Severity>) -> i32 {
    let Some(threshold) = fail_on else { return 0 };
    let failing = report
        .findings
        .iter()
        .any(|f| f.severity.rank() >= threshold.rank());
    i32::from(failing)
}
