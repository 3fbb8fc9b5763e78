//! Least-privilege synthesis: the smallest deterministic policy document that allows every
//! requirement and nothing on a deny list.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::iam::coverage::Requirement;
use crate::iam::pattern::{ACTION_TEXT, Match, Pattern, glob};

/// Builds `{"Version": "2012-10-17", "Statement": [...]}`: one Allow statement per distinct
/// resource set, actions sorted and de-duplicated case-insensitively, no wildcard that the
/// requirements do not contain themselves. Requirements matched (even possibly) by a `deny`
/// entry (patterns allowed there) are left out.
pub fn synthesize(reqs: &[Requirement], deny: &[Requirement]) -> Value {
    let denied: Vec<(Pattern, Pattern)> = deny
        .iter()
        .map(|d| (Pattern::action(&d.action), Pattern::resource(&d.resource)))
        .collect();
    // action (lower-cased key) -> (first spelling, resources)
    let mut by_action: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for r in reqs {
        let action_text = Pattern::compile(&r.action, ACTION_TEXT);
        let res_text = Pattern::text(&r.resource);
        let blocked = denied.iter().any(|(a, res)| {
            glob(a, &action_text, &()).is_yes() && glob(res, &res_text, &()) != Match::No
        });
        if blocked || r.action.is_empty() || r.resource.is_empty() {
            continue;
        }
        let e = by_action
            .entry(r.action.to_ascii_lowercase())
            .or_insert_with(|| (r.action.clone(), BTreeSet::new()));
        e.1.insert(r.resource.clone());
    }
    let mut groups: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for (_, (action, resources)) in by_action {
        groups.entry(minimal(resources)).or_default().insert(action);
    }
    let mut statements: Vec<(Vec<String>, Vec<String>)> = groups
        .into_iter()
        .map(|(r, a)| (a.into_iter().collect(), r))
        .collect();
    statements.sort();
    let one_or_many = |v: Vec<String>| match v.as_slice() {
        [one] => json!(one),
        _ => json!(v),
    };
    let statements: Vec<Value> = statements
        .into_iter()
        .map(|(actions, resources)| {
            json!({
                "Effect": "Allow",
                "Action": one_or_many(actions),
                "Resource": one_or_many(resources),
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Drops resources another resource of the set already covers (`*` covers everything).
fn minimal(resources: BTreeSet<String>) -> Vec<String> {
    let compiled: Vec<(Pattern, Pattern)> = resources
        .iter()
        .map(|r| (Pattern::resource(r), Pattern::text(r)))
        .collect();
    resources
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !compiled.iter().enumerate().any(|(j, (p, _))| {
                j != *i
                    && glob(p, &compiled[*i].1, &()).is_yes()
                    // Of two resources covering each other keep the first.
                    && !(glob(&compiled[*i].0, &compiled[j].1, &()).is_yes() && *i < j)
            })
        })
        .map(|(_, r)| r.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_sorts_and_honours_deny() {
        let reqs = [
            Requirement::new("s3:PutObject", "arn:aws:s3:::b/*"),
            Requirement::new("s3:GetObject", "arn:aws:s3:::b/*"),
            Requirement::new("s3:GetObject", "arn:aws:s3:::b/k"),
            Requirement::new("s3:getobject", "arn:aws:s3:::b/*"),
            Requirement::new("iam:PassRole", "arn:aws:iam::1:role/r"),
            Requirement::new("xray:PutTraceSegments", "*"),
        ];
        let doc = synthesize(&reqs, &[Requirement::new("iam:*", "*")]);
        let want = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"},
        ]});
        assert_eq!(doc, want);
    }
}
