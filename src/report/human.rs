//! `--format human`: miette diagnostics with the offending line, labels for the evidence,
//! the suggested statement as help, and a summary line. Written for a terminal.

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::finding::{Finding, Severity, catalog};
use crate::source::SourceMap;

use super::Report;

/// The diagnostic renderer of human output (`simulate` shares it): 100 columns, no links,
/// coloured or not.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Renders findings (already sorted) and the summary. `color` picks the themed output.
pub fn render(findings: &[Finding], report: &Report, sources: &SourceMap, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    for f in findings {
        render_one(&handler, f, sources, &mut out);
    }
    let c = &report.summary.findings;
    let _ = writeln!(
        out,
        "rolefit: {} function(s) in {} file(s): {} error(s), {} warning(s), {} note(s)",
        report.summary.functions, report.summary.files, c.error, c.warning, c.note
    );
    out
}

/// Renders a report read back from JSON (`rolefit merge`), which keeps no source text: one
/// line per finding, `file:line:column: severity[rule]: message`, then the summary line.
pub fn render_report(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}: ", l.file, l.line, l.column))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{at}{}[{}]: {}",
            f.severity.as_str(),
            f.rule,
            f.message
        );
    }
    let c = &report.summary.findings;
    let _ = writeln!(
        out,
        "rolefit: {} function(s) in {} file(s): {} error(s), {} warning(s), {} note(s)",
        report.summary.functions, report.summary.files, c.error, c.warning, c.note
    );
    out
}

fn render_one(
    handler: &GraphicalReportHandler,
    f: &Finding,
    sources: &SourceMap,
    out: &mut String,
) {
    let severity = match f.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    };
    let mut diag = MietteDiagnostic::new(f.message.clone())
        .with_code(format!("rolefit::{}", f.rule))
        .with_severity(severity)
        .with_url(format!("{}#{}", catalog::DOCS_URL, f.rule));
    let mut help = Vec::new();
    let primary_file = sources.get(f.primary.file);
    if let Some(file) = primary_file {
        // Underline at most to the end of the first line: a call spanning lines reads better
        // with its head marked.
        let len = (f.primary.end.saturating_sub(f.primary.start)).max(1) as usize;
        let (line, _) = file.line_col(f.primary.start);
        let line_end = file.line_start(line).unwrap_or(0) as usize + file.line_text(line).len();
        let len = len
            .min(line_end.saturating_sub(f.primary.start as usize))
            .max(1);
        diag = diag.and_label(LabeledSpan::new_primary_with_span(
            Some(
                catalog::find(f.rule)
                    .map_or("here", |d| d.label)
                    .to_string(),
            ),
            (f.primary.start as usize, len),
        ));
    }
    for (span, label) in &f.related {
        match (sources.get(span.file), primary_file) {
            (Some(rf), Some(pf)) if rf.id == pf.id => {
                diag = diag.and_label(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    (
                        span.start as usize,
                        (span.end.saturating_sub(span.start)).max(1) as usize,
                    ),
                ));
            }
            (Some(rf), _) => {
                let (line, col) = rf.line_col(span.start);
                help.push(format!("{label}: {}:{line}:{col}", rf.path));
            }
            _ => {}
        }
    }
    if let Some(fix) = &f.fix {
        let text = serde_json::to_string_pretty(fix).unwrap_or_default();
        help.push(format!("suggested statement:\n{text}"));
    }
    if !help.is_empty() {
        diag = diag.with_help(help.join("\n"));
    }
    let rendered = match primary_file {
        Some(file) => {
            let report = miette::Report::new(diag)
                .with_source_code(NamedSource::new(file.path.clone(), file.text.to_string()));
            let mut s = String::new();
            handler.render_report(&mut s, report.as_ref()).map(|_| s)
        }
        None => {
            let mut s = String::new();
            handler.render_report(&mut s, &diag).map(|_| s)
        }
    };
    match rendered {
        Ok(s) => out.push_str(&s),
        Err(_) => {
            let _ = writeln!(out, "{}: {} [{}]", f.severity.as_str(), f.message, f.rule);
        }
    }
    out.push('\n');
}
