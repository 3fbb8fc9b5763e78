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
            let ids = cx.role_function_ids(ra);
            let complete = ra
                .functions
                .iter()
                .all(|&fi| cx.analysis.functions.get(fi).is_some_and(|f| f.complete));
            // Per statement (per attachment for embedded policies): the needs it serves and
            // what is too broad in it. An action wildcard and `Resource: "*"` in one statement
            // are one finding with one fix.
            let mut sites: BTreeMap<(usize, Option<usize>), Site> = BTreeMap::new();
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
                // A bundle used in part is `unused-permission`'s finding, with its fix.
                if p.builtin
                    && complete
                    && cx
                        .bundle_use(ra, g.policy)
                        .is_some_and(|b| !b.unused.is_empty())
                {
                    continue;
                }
                let key = (g.policy, (!p.builtin).then_some(g.statement));
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
                            .entry(key)
                            .or_insert_with(|| Site::new(p.builtin, &p.name));
                        site.needs.extend(needs.iter().cloned());
                        site.patterns.insert(g.action.clone());
                        site.action_span.get_or_insert(g.action_span);
                    }
                }
                if g.resource == "*"
                    && !needs.is_empty()
                    && needs.iter().all(|(_, r)| is_specific(r))
                {
                    let site = sites
                        .entry(key)
                        .or_insert_with(|| Site::new(p.builtin, &p.name));
                    site.needs.extend(needs.iter().cloned());
                    site.star_actions.insert(g.action.clone());
                    site.resource_span.get_or_insert(g.resource_span);
                }
            }
            for site in sites.into_values() {
                let Some(span) = site.action_span.or(site.resource_span) else {
                    continue;
                };
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
                let what = site.describe();
                let mut f = META
                    .finding(
                        format!(
                            "role {}: {what} grants more than {names} needs: {used_list} on {}",
                            role.name,
                            resources.iter().copied().collect::<Vec<_>>().join(", ")
                        ),
                        span,
                    )
                    .actions(used.iter().map(|s| s.to_string()))
                    .resources(resources.iter().map(|s| s.to_string()))
                    .fix(cx.suggested_statement(&reqs))
                    .functions(ids.clone());
                f.function = ids.first().cloned();
                out.push(f);
            }
        }
    }
}

/// One statement (or embedded policy) with something too broad in it.
struct Site {
    builtin: bool,
    policy: String,
    /// Action wildcards that cover more than is used.
    patterns: BTreeSet<String>,
    action_span: Option<Span>,
    /// Actions granted on `Resource: "*"` where every need they serve names a resource.
    star_actions: BTreeSet<String>,
    resource_span: Option<Span>,
    needs: BTreeSet<(String, String)>,
}

impl Site {
    fn new(builtin: bool, policy: &str) -> Site {
        Site {
            builtin,
            policy: policy.to_string(),
            patterns: BTreeSet::new(),
            action_span: None,
            star_actions: BTreeSet::new(),
            resource_span: None,
            needs: BTreeSet::new(),
        }
    }

    /// What is too broad: "`s3:*` (147 actions)", "`Resource: \"*\"` for sqs:SendMessage",
    /// both joined, or the managed policy.
    fn describe(&self) -> String {
        let expands: BTreeSet<String> = self
            .patterns
            .iter()
            .flat_map(|p| data::catalog().expand(p))
            .map(|a| a.full_name())
            .collect();
        let scope = if self.patterns.contains("*") {
            " (every action of every service)".to_string()
        } else if !expands.is_empty() {
            format!(" ({} actions)", expands.len())
        } else {
            String::new()
        };
        if self.builtin {
            return format!("managed policy {}{scope}", self.policy);
        }
        let mut parts = Vec::new();
        if !self.patterns.is_empty() {
            let list: Vec<String> = self.patterns.iter().map(|p| format!("`{p}`")).collect();
            parts.push(format!("{}{scope}", list.join(", ")));
        }
        if !self.star_actions.is_empty() {
            let list: Vec<&str> = self.star_actions.iter().map(String::as_str).collect();
            let on = if self.patterns.is_empty() {
                format!(" for {}", list.join(", "))
            } else {
                String::new()
            };
            parts.push(format!("`Resource: \"*\"`{on}"));
        }
        parts.join(" on ")
    }
}
