//! Rules: one file per rule id, one explicit registry. Rules read the model and the analysis;
//! they never read files, print, or choose an output format. What users read about a rule
//! (summary, why, example, fix, label) is its entry in `finding::catalog`; what several rules
//! need to compute is a method of [`RuleContext`], so that no rule imports from another.

mod bundle;
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

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::analysis::{Analysis, RoleAnalysis};
use crate::config::Config;
use crate::finding::catalog::RuleDoc;
use crate::finding::{Finding, Severity};
use crate::iam;
use crate::model::App;
use crate::source::FileId;

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

    /// The ids of every function that assumes a role: the functions a finding about the role
    /// concerns (REPORT.md `findings[].functions`).
    pub fn role_function_ids(&self, role: &RoleAnalysis) -> Vec<String> {
        role.functions
            .iter()
            .filter_map(|&fi| self.app.functions.get(fi))
            .map(|f| f.id.clone())
            .collect()
    }

    /// For an action the Service Authorization Reference lists with no resource type (IAM
    /// evaluates it against `Resource: "*"` only), the resources narrower than `*` on which
    /// the role grants it anyway: grants IAM never applies. Empty for other actions.
    pub fn star_only_grants(&self, role: &RoleAnalysis, action: &str) -> Vec<String> {
        if !takes_only_star(action) {
            return Vec::new();
        }
        let mut out: Vec<String> = role
            .grants
            .iter()
            .filter(|g| !g.negated && g.resource != "*" && iam::action_matches(&g.action, action))
            .map(|g| g.resource.clone())
            .collect();
        out.sort();
        out.dedup();
        out
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

/// An action the Service Authorization Reference lists with no resource type: IAM evaluates
/// it against `Resource: "*"` only ("Actions, resources, and condition keys", the Resource
/// types column left empty).
pub fn takes_only_star(action: &str) -> bool {
    crate::data::catalog()
        .action(action)
        .is_some_and(|a| a.resource_types.is_empty())
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

/// Runs every rule and returns the findings (unsorted), one per defect: findings of one rule
/// at one place with one fix are merged into one that names all their functions.
pub fn check_all(cx: &RuleContext<'_>) -> Vec<Finding> {
    // Rules run in parallel, each on its own list; the lists are joined in the order of `ALL`.
    let per_rule: Vec<Vec<Finding>> = ALL
        .par_iter()
        .filter(|rule| cx.config.rule_enabled(rule.meta().id))
        .map(|rule| {
            let id = rule.meta().id;
            let mut out = Vec::new();
            rule.check(cx, &mut out);
            // A configured severity replaces the rule's own; a finding the rule gave another
            // severity (a recommended need's note) keeps it.
            let default = rule.meta().severity;
            for f in &mut out {
                // A finding the rule made a note of (a recommended need) is a recommendation,
                // whatever severity the configuration gives the rule.
                if !(f.severity == Severity::Note && default != Severity::Note) {
                    f.severity = cx.config.severity(id, f.severity);
                }
                if f.functions.is_empty()
                    && let Some(id) = &f.function
                {
                    f.functions = vec![id.clone()];
                }
            }
            out
        })
        .collect();
    let out: Vec<Finding> = per_rule.into_iter().flatten().collect();
    merge_same_defect(out)
}

/// Merges findings with the same rule, primary place and fix: the functions, actions,
/// resources and evidence of the later ones join the first; distinct messages are joined.
fn merge_same_defect(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: BTreeMap<(&'static str, FileId, u32, String), usize> = BTreeMap::new();
    for f in findings {
        let fix = f.fix.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let key = (f.rule, f.primary.file, f.primary.start, fix);
        let Some(&i) = index.get(&key) else {
            index.insert(key, out.len());
            out.push(f);
            continue;
        };
        let into = &mut out[i];
        into.severity = into.severity.min(f.severity);
        for id in f.functions {
            if !into.functions.contains(&id) {
                into.functions.push(id);
            }
        }
        for a in f.actions {
            if !into.actions.contains(&a) {
                into.actions.push(a);
            }
        }
        for r in f.resources {
            if !into.resources.contains(&r) {
                into.resources.push(r);
            }
        }
        for rel in f.related {
            if !into.related.contains(&rel) {
                into.related.push(rel);
            }
        }
        if !into.message.split("; ").any(|m| m == f.message) {
            into.message = format!("{}; {}", into.message, f.message);
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
