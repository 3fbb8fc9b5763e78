//! `shared-execution-role`: several functions run with one execution role.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// One execution role assumed by more than one function.
/// ## Why it matters
/// Each function then holds the union of what all of them need: a bug or injection in the
/// smallest function reaches the data of the largest. AWS recommends one role per function.
pub struct SharedExecutionRole;

static META: RuleMeta = RuleMeta {
    id: "shared-execution-role",
    severity: Severity::Note,
    summary: "Several functions share one execution role, so each receives the union of their permissions.",
    why: "A role grants the same rights to every function that assumes it. A flaw in the \
          least trusted function can use every permission that any of the others needs.",
    example: "Resources:\n  SharedRole: {Type: AWS::IAM::Role, ...}\n  Reader: {Type: AWS::Serverless::Function, Properties: {Role: !GetAtt SharedRole.Arn}}\n  Writer: {Type: AWS::Serverless::Function, Properties: {Role: !GetAtt SharedRole.Arn}}",
    fix: "Give each function its own role with only what it needs (`rolefit policy` prints it).",
    label: "role shared by several functions",
};

impl Rule for SharedExecutionRole {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for role in &cx.analysis.roles {
            if role.functions.len() < 2 {
                continue;
            }
            let Some(model) = cx.app.roles.get(role.role) else {
                continue;
            };
            let names: Vec<&str> = role
                .functions
                .iter()
                .filter_map(|&i| cx.app.functions.get(i))
                .map(|f| f.name.as_str())
                .collect();
            let mut f = META.finding(
                format!(
                    "role {} is the execution role of {} functions ({}); each gets the permissions all of them need",
                    model.name,
                    names.len(),
                    names.join(", ")
                ),
                model.span,
            );
            for &i in &role.functions {
                if let Some(func) = cx.app.functions.get(i) {
                    f = f.related(func.span, format!("{} uses this role", func.name));
                }
            }
            out.push(f);
        }
    }
}
