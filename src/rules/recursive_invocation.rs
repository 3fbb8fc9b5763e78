//! `recursive-invocation`: a function can trigger itself, directly or through others.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// Cycles of "function writes to a resource that triggers a function": an S3-triggered
/// function writing into its own bucket (unless the notification's prefix/suffix filter
/// provably excludes the keys it writes), an SQS consumer sending to its own queue, an SNS
/// subscriber publishing to its topic, a stream consumer writing to its table or stream, a
/// function invoking itself, and longer loops through several functions.
/// ## Why it matters
/// Each invocation causes the next: the loop runs until a quota stops it, billing every
/// invocation (Lambda Developer Guide, "Recursive loop detection").
pub struct RecursiveInvocation;

static META: RuleMeta = RuleMeta {
    id: "recursive-invocation",
    severity: Severity::Warning,
    summary: "The function can trigger itself (writes to the bucket/queue/topic that invokes it, or invokes itself).",
    why: "A function that writes to its own trigger invokes itself again for every write, in an \
          endless and costly loop. Lambda stops some SQS/SNS/S3 loops after 16 rounds, not all.",
    example: "Events:\n  Upload: {Type: S3, Properties: {Bucket: !Ref Photos, Events: s3:ObjectCreated:*}}\n# handler\ns3.put_object(Bucket=os.environ['PHOTOS'], Key=f'thumb/{key}', Body=thumb)",
    fix: "Write to another bucket/queue/topic, or filter the trigger (an S3 `prefix` the \
          output never uses) so the function's own output does not invoke it.",
    label: "feeds its own trigger",
};

impl Rule for RecursiveInvocation {
    fn meta(&self) -> &'static RuleMeta {
        &META
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
                    .actions([need.action.clone()])
                    .resources([need.resource.clone()])
                    .related(func.span, "function declared here"),
            );
        }
    }
}
