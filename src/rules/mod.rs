//! Rules: one file per rule id, one explicit registry. Rules read the model and the analysis;
//! they never read files, print, or choose an output format. What users read about a rule
//! (summary, why, example, fix, label) is its entry in `finding::catalog`; what several rules
//! need to compute is a method of [`RuleContext`], so that no rule imports from another.

mod confused_deputy;
mod cross_account_access;
mod incomplete_input;
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

use crate::analysis::{Analysis, RoleAnalysis};
use crate::config::Config;
use crate::finding::Finding;
use crate::finding::catalog::RuleDoc;
use crate::iam;
use crate::model::App;

/// What a rule may read.
pub struct RuleContext<'a> {
    pub app: &'a App,
    pub analysis: &'a Analysis,
    pub config: &'a Config,
}

impl RuleContext<'_> {
    /// The names of the functions that assume a role, for messages: "F", "F or G",
    /// "F, G or H" ("the function" when none is known).
    pub fn function_names(&self, role: &RoleAnalysis) -> String {
        let names: Vec<&str> = role
            .functions
            .iter()
            .filter_map(|&fi| self.app.functions.get(fi))
            .map(|f| f.name.as_str())
            .collect();
        match names.as_slice() {
            [] => "the function".to_string(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }

    /// The id of the first function that assumes a role: the function a finding about the
    /// role itself is filed under.
    pub fn role_function_id(&self, role: &RoleAnalysis) -> Option<String> {
        role.functions
            .first()
            .and_then(|&fi| self.app.functions.get(fi))
            .map(|f| f.id.clone())
    }

    /// The fix a finding suggests for requirements: the single statement of the synthesized
    /// least-privilege policy, or the whole policy when it needs several statements.
    pub fn suggested_statement(&self, reqs: &[iam::Requirement]) -> serde_json::Value {
        let policy = iam::synthesize(reqs, &[]);
        match policy.get("Statement").and_then(|s| s.as_array()) {
            Some(list) if list.len() == 1 => list[0].clone(),
            _ => policy,
        }
    }
}

pub trait Rule: Sync {
    /// The rule's entry in the catalog: its id, default severity and text.
    fn meta(&self) -> &'static RuleDoc;
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
    &incomplete_input::IncompleteInput,
    &unused_suppression::UnusedSuppression,
];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::catalog;

    #[test]
    fn every_rule_has_its_catalog_entry_and_every_entry_a_rule() {
        assert_eq!(ALL.len(), catalog::ALL.len());
        for (rule, doc) in ALL.iter().zip(catalog::ALL) {
            assert!(
                std::ptr::eq(rule.meta(), *doc),
                "rules::ALL has {} where the catalog has {}",
                rule.meta().id,
                doc.id
            );
        }
    }
}
