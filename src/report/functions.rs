//! A function's entry in the v1 report: its required and granted permissions.

use crate::model::{App, RoleBinding};
use crate::needs::Strength;
use crate::parse::codebase::FunctionCode;
use crate::report::{Because, CodeLink, FunctionReport, Granted, Required, locate};
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
            strength: (need.strength == Strength::Recommended).then(|| need.strength.as_str()),
            conditional_on: if verdict.verdict == Verdict::Conditional {
                verdict.conditional_on.clone()
            } else {
                Vec::new()
            },
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
    let role_arn = match &func.role {
        // `app.roles` is sorted by id (`app::resolve_references`).
        RoleBinding::Role(id) => app
            .roles
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .and_then(|i| app.roles.get(i))
            .map(|r| r.arn.clone()),
        RoleBinding::External(arn) => Some(arn.value.clone()),
        RoleBinding::Unknown => None,
    };
    Some(FunctionReport {
        id: func.id.clone(),
        name: func.name.clone(),
        location: locate(sources, func.span),
        runtime: func.runtime.as_ref().map(|r| r.value.clone()),
        code: code.files.clone(),
        role,
        arn: Some(func.arn.clone()).filter(|a| literal_arn(a)),
        role_arn: role_arn.filter(|a| literal_arn(a)),
        code_link: code_link(code),
        required,
        granted,
    })
}

/// An ARN with every part known (an exported, deployed resource), not a template's
/// `${AWS::AccountId}` pattern.
fn literal_arn(arn: &str) -> bool {
    !arn.contains("${") && !arn.contains('*') && crate::arn::Arn::parse(arn).is_ok()
}

/// Declared when code was read (files or inline code) and the template named it, inferred when
/// rolefit's own search found it, none otherwise.
fn code_link(code: &FunctionCode) -> CodeLink {
    if !code.analysed && code.files.is_empty() {
        CodeLink::None
    } else if code.inferred {
        CodeLink::Inferred
    } else {
        CodeLink::Declared
    }
}
