//! `wildcard-permission`: a wildcard grants more than the functions need, where something
//! narrower is known.

use std::collections::{BTreeMap, BTreeSet};

use super::{Rule, RuleContext};
use crate::data;
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};
use crate::iam;
use crate::needs::is_specific;
use crate::source::Span;

/// What it detects, in detail; what users read about it is [`catalog::WILDCARD_PERMISSION`].
///
/// A used grant whose action is a wildcard (`s3:*`, `dynamodb:Get*`, `*`) covering more
/// actions than the functions need, or whose `Resource` is `"*"` while every need it serves
/// names a specific resource.
pub struct WildcardPermission;

static META: &RuleDoc = &catalog::WILDCARD_PERMISSION;

impl Rule for WildcardPermission {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let catalog = data::catalog();
        for ra in &cx.analysis.roles {
            let Some(role) = cx.app.roles.get(ra.role) else {
                continue;
            };
            let names = cx.function_names(ra);
            let first_fn = cx.role_function_id(ra);
            // Per written place: the needs it serves.
            let mut sites: BTreeMap<(Span, bool), Site> = BTreeMap::new();
            for g in &ra.grants {
                let Some(p) = ra.policies.get(g.policy) else {
                    continue;
                };
                if !p.user_written
                    || g.negated
                    || g.used_by.is_empty()
                    || p.is_lambda_execution_policy()
                {
                    continue;
                }
                if matches!(p.source, crate::model::PolicySource::SamTemplate { .. }) {
                    continue;
                }
                let needs: Vec<(String, String)> = g
                    .used_by
                    .iter()
                    .filter_map(|&(fi, ni)| cx.analysis.functions.get(fi)?.needs.get(ni))
                    .map(|n| (n.action.clone(), n.resource.clone()))
                    .collect();
                if g.action.contains('*') || g.action.contains('?') {
                    let used: BTreeSet<&str> = needs.iter().map(|(a, _)| a.as_str()).collect();
                    let expands = if g.action == "*" {
                        usize::MAX
                    } else {
                        catalog.expand(&g.action).len()
                    };
                    if expands > used.len() {
                        let site = sites
                            .entry((g.action_span, true))
                            .or_insert_with(|| Site::new(&g.action, p.builtin, &p.name));
                        site.needs.extend(needs.iter().cloned());
                        site.expands = expands;
                    }
                }
                if g.resource == "*"
                    && !needs.is_empty()
                    && needs.iter().all(|(_, r)| is_specific(r))
                {
                    let site = sites
                        .entry((g.resource_span, false))
                        .or_insert_with(|| Site::new(&g.action, p.builtin, &p.name));
                    site.needs.extend(needs.iter().cloned());
                    site.actions.insert(g.action.clone());
                }
            }
            for ((span, is_action), site) in sites {
                let reqs: Vec<iam::Requirement> = site
                    .needs
                    .iter()
                    .map(|(a, r)| iam::Requirement {
                        action: a.clone(),
                        resource: r.clone(),
                    })
                    .collect();
                let used: BTreeSet<&str> = site.needs.iter().map(|(a, _)| a.as_str()).collect();
                let used_list = used.iter().copied().collect::<Vec<_>>().join(", ");
                let resources: BTreeSet<&str> =
                    site.needs.iter().map(|(_, r)| r.as_str()).collect();
                let what = if site.builtin {
                    format!("managed policy {}", site.policy)
                } else if is_action {
                    format!("`{}`", site.pattern)
                } else {
                    format!(
                        "`Resource: \"*\"` for {}",
                        site.actions.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                let scope = if is_action && site.expands != usize::MAX {
                    format!(" ({} actions)", site.expands)
                } else if is_action {
                    " (every action of every service)".to_string()
                } else {
                    String::new()
                };
                let mut f = META
                    .finding(
                        format!(
                            "role {}: {what}{scope} grants more than {names} needs: {used_list} on {}",
                            role.name,
                            resources.iter().copied().collect::<Vec<_>>().join(", ")
                        ),
                        span,
                    )
                    .actions(used.iter().map(|s| s.to_string()))
                    .resources(resources.iter().map(|s| s.to_string()))
                    .fix(cx.suggested_statement(&reqs));
                f.function = first_fn.clone();
                out.push(f);
            }
        }
    }
}

struct Site {
    pattern: String,
    builtin: bool,
    policy: String,
    expands: usize,
    actions: BTreeSet<String>,
    needs: BTreeSet<(String, String)>,
}

impl Site {
    fn new(pattern: &str, builtin: bool, policy: &str) -> Site {
        Site {
            pattern: pattern.to_string(),
            builtin,
            policy: policy.to_string(),
            expands: 0,
            actions: BTreeSet::new(),
            needs: BTreeSet::new(),
        }
    }
}
