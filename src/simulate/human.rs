//! `simulate --format human`: each decision, why, and miette diagnostics at the statements
//! that decide it (for an implicit deny: the statements of the policies that do not allow).

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::iam::{Decision, KindOutcome, Match, PolicyKind};
use crate::source::Span;

use super::{EvalResult, SimPolicy, Simulation, decision_name};

/// At most this many statements of one policy kind are shown for an implicit deny.
const MAX_SHOWN: usize = 12;

pub fn render(sim: &Simulation, results: &[EvalResult], color: bool) -> String {
    let handler = crate::report::human::handler(color);
    let mut out = String::new();
    for r in results {
        render_one(&handler, sim, r, &mut out);
    }
    out
}

fn kind_label(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity-based policies",
        PolicyKind::Boundary => "permissions boundary",
        PolicyKind::Session => "session policies",
        PolicyKind::Scp => "service control policies",
        PolicyKind::Rcp => "resource control policies",
        PolicyKind::Resource => "resource-based policy",
    }
}

fn render_one(
    handler: &GraphicalReportHandler,
    sim: &Simulation,
    r: &EvalResult,
    out: &mut String,
) {
    let decision = decision_name(&r.decision);
    let _ = writeln!(out, "{} on {}: {decision}", r.action, r.resource);
    let mut labels: Vec<(Span, String)> = Vec::new();
    let o = &r.outcomes;
    match &r.decision {
        Decision::Denied { by } if !by.is_empty() => {
            let _ = writeln!(
                out,
                "  An explicit Deny decides: it overrides every Allow (\"Policy evaluation logic\")."
            );
            for s in by {
                labels.push((
                    s.span,
                    format!("{}: denies {}", policy_name(sim, s), r.action),
                ));
            }
        }
        Decision::Denied { .. } => {
            let _ = writeln!(
                out,
                "  No Deny matches, but nothing allows it where it must (implicit deny):"
            );
            for line in implicit_reasons(sim, r) {
                let _ = writeln!(out, "  - {line}");
            }
            // The statements of each kind that had to allow and did not.
            let missing: Vec<(PolicyKind, &KindOutcome)> = [
                (PolicyKind::Identity, &o.identity),
                (PolicyKind::Boundary, &o.boundary),
                (PolicyKind::Session, &o.session),
                (PolicyKind::Scp, &o.scp),
                (PolicyKind::Rcp, &o.rcp),
                (PolicyKind::Resource, &o.resource),
            ]
            .into_iter()
            .filter(|(_, k)| k.present && k.allow != Match::Yes)
            .collect();
            for (kind, _) in missing {
                let mut shown = 0;
                for p in policies_of(sim, kind) {
                    for st in &p.policy.statements {
                        if shown >= MAX_SHOWN {
                            break;
                        }
                        let span = p.shown_span(st.span);
                        if labels.iter().any(|(s, _)| *s == span) {
                            continue;
                        }
                        labels.push((span, format!("{}: does not allow {}", p.id, r.action)));
                        shown += 1;
                    }
                }
            }
        }
        Decision::Allowed { .. } => {
            let _ = writeln!(
                out,
                "  Allowed: no Deny matches and every required policy allows."
            );
            for s in &r.matched {
                let what = match s.kind {
                    PolicyKind::Identity | PolicyKind::Resource => "allows",
                    _ => "permits",
                };
                labels.push((
                    s.span,
                    format!(
                        "{} ({}): {what} {}",
                        policy_name(sim, s),
                        kind_label(s.kind),
                        r.action
                    ),
                ));
            }
        }
        Decision::Conditional { conditions, by } => {
            let keys: Vec<&str> = conditions.iter().map(|c| c.key.as_str()).collect();
            let _ = writeln!(
                out,
                "  The answer depends on values known only at deploy or run time: {}",
                if keys.is_empty() {
                    "placeholders in the policies or the resource".to_string()
                } else {
                    keys.join(", ")
                }
            );
            for s in by {
                labels.push((
                    s.span,
                    format!(
                        "{} ({}): may decide",
                        policy_name(sim, s),
                        kind_label(s.kind)
                    ),
                ));
            }
        }
    }
    if !sim.aws_positions && r.resource != "*" && r.resource.contains('*') {
        let _ = writeln!(
            out,
            "  The resource has parts the app does not say (`*`): pass the concrete ARN with \
             --resource to decide the request AWS sees."
        );
    }
    if !r.missing.is_empty() {
        let _ = writeln!(
            out,
            "  Context keys the policies use that were not given (treated as absent): {}",
            r.missing.join(", ")
        );
    }
    // Map statement spans of embedded data to their attachments.
    let labels: Vec<(Span, String)> = labels
        .into_iter()
        .map(|(span, l)| (anchor(sim, span), l))
        .collect();
    let mut files: Vec<u32> = labels.iter().map(|(s, _)| s.file.0).collect();
    files.sort_unstable();
    files.dedup();
    for f in files {
        let Some(file) = sim.sources.get(crate::source::FileId(f)) else {
            continue;
        };
        let mut diag = MietteDiagnostic::new(format!("{}: {decision}", r.action))
            .with_severity(match decision {
                "allowed" => miette::Severity::Advice,
                _ => miette::Severity::Error,
            })
            .with_code(format!("rolefit::simulate::{decision}"));
        for (span, label) in labels.iter().filter(|(s, _)| s.file.0 == f) {
            let (line, _) = file.line_col(span.start);
            let line_end = file.line_start(line).unwrap_or(0) as usize + file.line_text(line).len();
            let len = (span.end.saturating_sub(span.start) as usize)
                .min(line_end.saturating_sub(span.start as usize))
                .max(1);
            diag = diag.and_label(LabeledSpan::new_with_span(
                Some(label.clone()),
                (span.start as usize, len),
            ));
        }
        let report = miette::Report::new(diag)
            .with_source_code(NamedSource::new(file.path.clone(), file.text.to_string()));
        let mut s = String::new();
        if handler.render_report(&mut s, report.as_ref()).is_ok() {
            out.push_str(&s);
        }
    }
    out.push('\n');
}

fn policy_name(sim: &Simulation, s: &crate::iam::StatementRef) -> String {
    sim.policy_of(s).map_or_else(String::new, |p| p.id.clone())
}

/// The span shown for a statement: embedded data points at its attachment.
fn anchor(sim: &Simulation, span: Span) -> Span {
    if !span.is_builtin() {
        return span;
    }
    sim.all_policies()
        .find(|p| p.policy.statements.iter().any(|s| s.span == span))
        .map_or(span, |p| p.shown_span(span))
}

fn policies_of(sim: &Simulation, kind: PolicyKind) -> Vec<&SimPolicy> {
    match kind {
        PolicyKind::Identity => sim.identity.iter().collect(),
        PolicyKind::Boundary => sim.boundary.iter().collect(),
        PolicyKind::Session => sim.sessions.iter().collect(),
        PolicyKind::Scp => sim.scp_levels.iter().flat_map(|(_, p)| p).collect(),
        PolicyKind::Rcp => sim.rcp_levels.iter().flat_map(|(_, p)| p).collect(),
        PolicyKind::Resource => sim.resource_policy.iter().collect(),
    }
}

/// Why an implicit deny: which required kind of policy did not allow.
fn implicit_reasons(sim: &Simulation, r: &EvalResult) -> Vec<String> {
    let o = &r.outcomes;
    let mut out = Vec::new();
    if o.scp.present && o.scp.allow != Match::Yes {
        let level = sim
            .scp_levels
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "the service control policies must allow it at every level ({level}), and one level does not"
        ));
    }
    if o.rcp.present && o.rcp.allow != Match::Yes {
        out.push(
            "the resource control policies must allow it at every level, and one level does not"
                .into(),
        );
    }
    let non_iam = matches!(
        sim.caller,
        super::Caller::Service(_) | super::Caller::Anonymous
    );
    if non_iam && o.resource.allow != Match::Yes {
        out.push(
            "a service principal or an anonymous caller has no identity-based policies: only a \
             resource-based policy that names it (or `*`) grants"
                .into(),
        );
    } else if o.identity.allow != Match::Yes
        && !(o.resource.present && o.resource.allow == Match::Yes)
    {
        if sim.identity.is_empty() {
            out.push(
                "there is no identity-based policy, and no resource-based policy grants it".into(),
            );
        } else {
            out.push("no statement of the identity-based policies allows it".into());
        }
    }
    if o.cross_account && o.resource.allow != Match::Yes {
        out.push("the resource is in another account: its resource-based policy must allow the caller too".into());
    }
    if o.boundary.present && o.boundary.allow != Match::Yes {
        out.push("the permissions boundary does not allow it".into());
    }
    if o.session.present && o.session.allow != Match::Yes {
        out.push("the session policies do not allow it".into());
    }
    if out.is_empty() {
        out.push("no policy grants it to this caller".into());
    }
    out
}
