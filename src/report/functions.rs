//! A function's entry in the v1 report: its required and granted permissions.

use crate::model::{App, RoleBinding};
use crate::parse::codebase::{CodeLink, FunctionCode};
use crate::report::{Because, FunctionReport, Granted, Required, locate};
use crate::source::SourceMap;

use crate::analysis::{Analysis, Verdict};

/// The report entry of `app.functions[fi]`.
pub fn function_report(
    app: &App,
    fi: usize,
    code: &FunctionCode,
    analysis: &Analysis,
    sources: &SourceMap,
) -> Option<FunctionReport> {
    let func = app.functions.get(fi)?;
    let fa = analysis.functions.get(fi)?;
    let role = match &func.role {
        RoleBinding::Role(id) => Some(id.clone()),
        RoleBinding::External(arn) => Some(arn.value.clone()),
        RoleBinding::Unknown => None,
    };
    let required = fa
        .needs
        .iter()
        .zip(&fa.verdicts)
        .map(|(need, verdict)| Required {
            action: need.action.clone(),
            resource: need.resource.clone(),
            granted: matches!(verdict.verdict, Verdict::Allowed | Verdict::Conditional),
            because: need
                .because
                .iter()
                .filter_map(|r| {
                    let loc = locate(sources, r.span)?;
                    Some(Because {
                        kind: r.kind.as_str(),
                        file: loc.file,
                        line: loc.line,
                        detail: r.detail.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    let granted = fa
        .role
        .and_then(|ri| analysis.roles.get(ri))
        .map(|ra| {
            ra.grants
                .iter()
                .map(|g| Granted {
                    action: g.action.clone(),
                    resource: g.resource.clone(),
                    used: g.used_by.iter().any(|(f, _)| *f == fi),
                    location: locate(sources, g.action_span),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(FunctionReport {
        id: func.id.clone(),
        name: func.name.clone(),
        location: locate(sources, func.span),
        runtime: func.runtime.as_ref().map(|r| r.value.clone()),
        code: code.files.clone(),
        code_link: (code.code_link == CodeLink::Inferred).then_some("inferred"),
        role,
        required,
        granted,
    })
}
