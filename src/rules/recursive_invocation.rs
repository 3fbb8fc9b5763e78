//! `recursive-invocation`: a function can trigger itself, directly or through others.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::RECURSIVE_INVOCATION`].
///
/// The loops of the trigger graph ([`crate::analysis::TriggerGraph`]): an S3-triggered
/// function writing into its own bucket (unless the notification's prefix/suffix filter
/// provably excludes the keys it writes), an SQS consumer sending to its own queue, an SNS
/// subscriber publishing to its topic, a stream consumer writing to its table or stream, a
/// function invoking itself, and longer loops through several functions.
pub struct RecursiveInvocation;

static META: &RuleDoc = &catalog::RECURSIVE_INVOCATION;

impl Rule for RecursiveInvocation {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let app = cx.app;
        for lp in cx.analysis.triggers.loops() {
            let Some(hop) = lp.entry(app) else {
                continue;
            };
            let first = hop.from;
            let Some(need) = cx
                .analysis
                .functions
                .get(first)
                .and_then(|fa| fa.needs.get(hop.need))
            else {
                continue;
            };
            let func = &app.functions[first];
            let cycle = if hop.to == first {
                format!(
                    "{} {} {}, which triggers {} again ({})",
                    func.name, need.action, need.resource, func.name, hop.kind
                )
            } else {
                let names: Vec<&str> = lp
                    .functions
                    .iter()
                    .map(|i| app.functions[*i].name.as_str())
                    .collect();
                format!(
                    "{} {} {}, which triggers {} ({}); the loop {} comes back to {}",
                    func.name,
                    need.action,
                    need.resource,
                    app.functions[hop.to].name,
                    hop.kind,
                    names.join(" → "),
                    func.name
                )
            };
            out.push(
                META.finding(format!("recursive invocation: {cycle}"), hop.span)
                    .function(&func.id)
                    .functions(
                        lp.functions
                            .iter()
                            .map(|&i| app.functions[i].id.clone())
                            .collect(),
                    )
                    .actions([need.action.clone()])
                    .resources([need.resource.clone()])
                    .related(func.span, "function declared here"),
            );
        }
    }
}
