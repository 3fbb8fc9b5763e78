//! `incomplete-input`: something the audit depends on could not be known, said once.

use std::collections::BTreeSet;

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::INCOMPLETE_INPUT`].
///
/// Reads [`crate::model::App::unknowns`], which the front ends and the code finder fill: a
/// referenced file absent from the audited folder, a handler whose code is not there, a
/// CDK project without its cloud assembly, an inferred code link, an API a collection could
/// not read. Each kind and subject (a
/// file path, a project folder) is reported once, at its first reference in input order.
pub struct IncompleteInput;

static META: &RuleDoc = &catalog::INCOMPLETE_INPUT;

impl Rule for IncompleteInput {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let mut unknowns: Vec<_> = cx.app.unknowns.iter().collect();
        unknowns.sort_by(|a, b| (a.span, a.kind, &a.message).cmp(&(b.span, b.kind, &b.message)));
        let mut said = BTreeSet::new();
        for u in unknowns {
            if said.insert((u.kind, u.subject.as_str())) {
                let mut f = META.finding(u.message.clone(), u.span);
                // A note about one function (its code) names it.
                let function = cx.app.functions.iter().find(|f| {
                    u.subject == f.id
                        || u.subject
                            .strip_prefix(f.id.as_str())
                            .is_some_and(|rest| rest.starts_with(": "))
                });
                if let Some(first) = u.functions.first() {
                    f = f.function(first).functions(u.functions.clone());
                } else if let Some(func) = function {
                    f = f.function(&func.id).functions(vec![func.id.clone()]);
                }
                out.push(f);
            }
        }
    }
}
