//! `shared-execution-role`: several functions run with one execution role.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::SHARED_EXECUTION_ROLE`].
///
/// One execution role assumed by more than one function.
pub struct SharedExecutionRole;

static META: &RuleDoc = &catalog::SHARED_EXECUTION_ROLE;

impl Rule for SharedExecutionRole {
    fn meta(&self) -> &'static RuleDoc {
        META
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
            f = f.functions(cx.role_function_ids(role));
            for &i in &role.functions {
                if let Some(func) = cx.app.functions.get(i) {
                    f = f.related(func.span, format!("{} uses this role", func.name));
                }
            }
            out.push(f);
        }
    }
}
