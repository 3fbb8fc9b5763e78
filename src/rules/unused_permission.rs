//! `unused-permission`: the role allows an action nothing in its functions needs.

use std::collections::{BTreeMap, BTreeSet};

use super::{Rule, RuleContext};
use crate::data;
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::UNUSED_PERMISSION`].
///
/// An action string in a policy the user wrote (or a whole policy they attached) that no SDK
/// call, event source, destination or setting of any function using the role needs.
/// Reported only when everything the functions need is known: their code was read and
/// every SDK call resolved.
pub struct UnusedPermission;

static META: &RuleDoc = &catalog::UNUSED_PERMISSION;

/// Rights a call may use on the caller's behalf, which its code does not show (forward access
/// sessions): (services the function calls, action patterns such grants may serve).
/// SSE-KMS objects, encrypted queues, topics, secrets, parameters, streams and tables need
/// KMS; Rekognition, Textract and Comprehend read their input from S3 with the caller's
/// rights; Athena reads and writes S3 and reads the Glue catalog as the caller.
const ON_BEHALF: &[(&[&str], &[&str])] = &[
    (
        &[
            "s3",
            "sqs",
            "sns",
            "secretsmanager",
            "ssm",
            "kinesis",
            "dynamodb",
            "logs",
        ],
        &[
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "kms:Encrypt",
            "kms:DescribeKey",
        ],
    ),
    (
        &["rekognition", "textract", "comprehend"],
        &["s3:GetObject", "s3:GetObjectVersion"],
    ),
    (
        &["athena"],
        &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "glue:GetTable",
            "glue:GetDatabase",
            "glue:GetPartitions",
        ],
    ),
];

impl Rule for UnusedPermission {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for ra in &cx.analysis.roles {
            if ra.functions.is_empty()
                || !ra
                    .functions
                    .iter()
                    .all(|&fi| cx.analysis.functions[fi].complete)
            {
                continue;
            }
            let Some(role) = cx.app.roles.get(ra.role) else {
                continue;
            };
            let names = cx.function_names(ra);
            let first_fn = cx.role_function_id(ra);
            let needed_services: Vec<&str> = ra
                .functions
                .iter()
                .flat_map(|&fi| cx.analysis.functions[fi].needs.iter())
                .filter_map(|n| n.action.split(':').next())
                .collect();
            let on_behalf: Vec<&str> = ON_BEHALF
                .iter()
                .filter(|(callers, _)| needed_services.iter().any(|s| callers.contains(s)))
                .flat_map(|(_, actions)| actions.iter().copied())
                .collect();
            // Lambda creates the log group when it is missing: harmless beside a declared one.
            let writes_logs = ra.functions.iter().any(|&fi| {
                cx.analysis.functions[fi]
                    .needs
                    .iter()
                    .any(|n| n.action == "logs:CreateLogStream")
            });
            // Per written action string: used when any of its (action, resource) grants is.
            let mut by_span: BTreeMap<Span, (bool, String, Vec<String>)> = BTreeMap::new();
            let mut policy_used: BTreeMap<usize, bool> = BTreeMap::new();
            for g in &ra.grants {
                let Some(p) = ra.policies.get(g.policy) else {
                    continue;
                };
                if !p.user_written
                    || g.negated
                    || cx
                        .config
                        .ignore_actions
                        .iter()
                        .any(|i| iam::action_matches(i, &g.action))
                {
                    continue;
                }
                let used = !g.used_by.is_empty()
                    || on_behalf.iter().any(|a| iam::action_matches(&g.action, a))
                    || (writes_logs && iam::action_matches(&g.action, "logs:CreateLogGroup"));
                // A misspelt action is `unknown-action`'s finding, not this one's.
                if !used && !g.action.contains('*') && data::catalog().action(&g.action).is_none() {
                    continue;
                }
                *policy_used.entry(g.policy).or_default() |= used;
                if p.builtin {
                    continue;
                }
                let e = by_span
                    .entry(g.action_span)
                    .or_insert_with(|| (false, g.action.clone(), Vec::new()));
                e.0 |= used;
                e.2.push(g.resource.clone());
            }
            for (span, (used, action, resources)) in by_span {
                if used {
                    continue;
                }
                // The action is needed, but on resources this statement does not name (often
                // an action that only works on `*`): the grant is dead, yet "nothing needs it"
                // would contradict what the developer knows.
                let elsewhere: BTreeSet<String> = ra
                    .functions
                    .iter()
                    .flat_map(|&fi| cx.analysis.functions[fi].needs.iter())
                    .filter(|n| iam::action_matches(&action, &n.action))
                    .map(|n| format!("{} on {}", n.action, n.resource))
                    .collect();
                let why = if elsewhere.is_empty() {
                    format!("nothing {names} does needs it")
                } else {
                    let needs: Vec<String> = elsewhere.into_iter().collect();
                    format!(
                        "{names} needs only {}, which these resources do not cover",
                        needs.join(", ")
                    )
                };
                let mut f = META
                    .finding(
                        format!(
                            "role {} allows {action} on {}, but {why}",
                            role.name,
                            resources.join(", ")
                        ),
                        span,
                    )
                    .actions([action])
                    .resources(resources);
                f.function = first_fn.clone();
                out.push(f);
            }
            for (pi, used) in policy_used {
                let Some(p) = ra.policies.get(pi) else {
                    continue;
                };
                if used || !p.builtin {
                    continue;
                }
                let mut f = META.finding(
                    format!(
                        "role {} attaches {}, but nothing {names} does needs any of it",
                        role.name, p.name
                    ),
                    p.span,
                );
                f.function = first_fn.clone();
                out.push(f);
            }
        }
    }
}
