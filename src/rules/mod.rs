//! Rules: one file per rule id, one explicit registry. Rules read the model and the analysis;
//! they never read files, print, or choose an output format.

mod confused_deputy;
mod cross_account_access;
mod lambda_limits;
mod missing_invoke_permission;
mod missing_permission;
mod parse_error;
mod plaintext_secret;
mod privilege_escalation;
mod public_invoke;
mod recursive_invocation;
mod shared_execution_role;
mod unknown_action;
mod untrusted_role;
mod unused_permission;
mod unused_suppression;
mod wildcard_permission;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::model::App;
use crate::source::Span;

pub use parse_error::ParseError as ParseErrorRule;
pub use unused_suppression::META as UNUSED_SUPPRESSION;

/// Where `--format human` and SARIF point for a rule's documentation (`#<rule-id>` anchors).
pub const DOCS_URL: &str = "https://github.com/rolefit/rolefit/blob/main/docs/rules.md";

/// A rule's id, default severity and documentation (ruff's headings).
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
    /// The label put on the primary span in human output.
    pub label: &'static str,
}

impl RuleMeta {
    /// A finding of this rule with its default severity.
    pub fn finding(&'static self, message: impl Into<String>, primary: Span) -> Finding {
        Finding {
            rule: self.id,
            severity: self.severity,
            function: None,
            message: message.into(),
            primary,
            related: Vec::new(),
            actions: Vec::new(),
            resources: Vec::new(),
            fix: None,
        }
    }
}

/// What a rule may read.
pub struct RuleContext<'a> {
    pub app: &'a App,
    pub analysis: &'a Analysis,
    pub config: &'a Config,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>);
}

/// Every rule, in documentation order.
pub static ALL: &[&dyn Rule] = &[
    &missing_permission::MissingPermission,
    &unused_permission::UnusedPermission,
    &wildcard_permission::WildcardPermission,
    &privilege_escalation::PrivilegeEscalation,
    &missing_invoke_permission::MissingInvokePermission,
    &public_invoke::PublicInvoke,
    &confused_deputy::ConfusedDeputy,
    &cross_account_access::CrossAccountAccess,
    &recursive_invocation::RecursiveInvocation,
    &shared_execution_role::SharedExecutionRole,
    &untrusted_role::UntrustedRole,
    &plaintext_secret::PlaintextSecret,
    &unknown_action::UnknownAction,
    &lambda_limits::LambdaLimits,
    &parse_error::ParseError,
    &unused_suppression::UnusedSuppression,
];

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().id == id)
}

pub fn label_for(id: &str) -> &'static str {
    find(id).map(|r| r.meta().label).unwrap_or("here")
}

/// Runs every rule and returns the findings (unsorted).
pub fn check_all(cx: &RuleContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in ALL {
        let id = rule.meta().id;
        if !cx.config.rule_enabled(id) {
            continue;
        }
        let start = out.len();
        rule.check(cx, &mut out);
        for f in &mut out[start..] {
            f.severity = cx.config.severity(id, f.severity);
        }
    }
    out
}

/// The documentation page of one rule, as `rolefit explain` prints it.
pub fn explain(meta: &RuleMeta) -> String {
    format!(
        "# {} ({})\n\n{}\n\n## Why it matters\n{}\n\n## Example\n{}\n\n## Fix\n{}\n",
        meta.id,
        meta.severity.as_str(),
        meta.summary,
        meta.why,
        meta.example,
        meta.fix
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_ids_of_the_foundation_match_the_registry() {
        let ids: Vec<&str> = super::ALL.iter().map(|r| r.meta().id).collect();
        assert_eq!(ids, crate::finding::RULE_IDS);
    }

    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let report_md = include_str!("../../docs/rule-table.md");
        let mut seen = std::collections::BTreeSet::new();
        for rule in ALL {
            let m = rule.meta();
            assert!(seen.insert(m.id), "duplicate rule id {}", m.id);
            assert!(
                m.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                m.id
            );
            let row = format!("| `{}` | {} |", m.id, m.severity.as_str());
            assert!(
                report_md.contains(&row),
                "{} is not in the REPORT.md rule table",
                m.id
            );
            for text in [m.summary, m.why, m.example, m.fix, m.label] {
                assert!(!text.trim().is_empty(), "{} lacks documentation", m.id);
            }
        }
    }
}
