//! Coverage queries for rules: which grants (statement × action pattern × resource pattern)
//! the requirements use, which grants are broader than needed, and which statements allow a
//! known privilege-escalation action on a broad resource.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use crate::iam::eval::{PolicyKind, StatementRef};
use crate::iam::pattern::{ACTION_TEXT, Match, Pattern, glob};
use crate::iam::policy::{ActionSpec, Effect, Policy, ResourceSpec, Statement};
use crate::source::Span;

/// A needed permission: an action and the resource (ARN, possibly with placeholders or `*`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    pub action: String,
    pub resource: String,
}

impl Requirement {
    pub fn new(action: &str, resource: &str) -> Requirement {
        Requirement {
            action: action.to_string(),
            resource: resource.to_string(),
        }
    }
}

/// One Allow statement × action pattern × resource pattern. `NotAction`/`NotResource`
/// statements yield one grant whose text is the element name (`"NotAction"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub statement: StatementRef,
    pub action: String,
    pub action_span: Span,
    pub resource: String,
    pub resource_span: Span,
    /// Requirements this grant definitely covers.
    pub used_by: Vec<usize>,
    /// Requirements it covers or not depending on deploy-time values.
    pub maybe_used_by: Vec<usize>,
}

impl Grant {
    pub fn is_unused(&self) -> bool {
        self.used_by.is_empty() && self.maybe_used_by.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub grants: Vec<Grant>,
    /// Requirement indices no grant covers, even possibly.
    pub uncovered: Vec<usize>,
}

impl Coverage {
    pub fn unused(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(|g| g.is_unused())
    }
}

fn action_covers(spec: &ActionSpec, idx: Option<usize>, action: &Pattern) -> bool {
    let hit = |p: &Pattern| glob(p, action, &()).is_yes();
    match (spec, idx) {
        (ActionSpec::Action(ps), Some(i)) => ps.get(i).is_some_and(|p| hit(&p.value)),
        (ActionSpec::Action(ps), None) => ps.iter().any(|p| hit(&p.value)),
        (ActionSpec::NotAction(ps), _) => !ps.iter().any(|p| hit(&p.value)),
    }
}

fn resource_covers(spec: &ResourceSpec, idx: Option<usize>, res: &Pattern) -> Match {
    let any = |ps: &[crate::source::Spanned<Pattern>]| {
        ps.iter()
            .fold(Match::No, |m, p| m.or(glob(&p.value, res, &())))
    };
    match (spec, idx) {
        (ResourceSpec::Resource(ps), Some(i)) => {
            ps.get(i).map_or(Match::No, |p| glob(&p.value, res, &()))
        }
        (ResourceSpec::Resource(ps), None) => any(ps),
        (ResourceSpec::NotResource(ps), _) => !any(ps),
        (ResourceSpec::None, _) => Match::Yes,
    }
}

/// One action or resource entry: its text, span and index in the statement (`None` for the
/// whole `NotAction`/`NotResource` element).
type Element = (String, Span, Option<usize>);

/// Splits an Allow statement into grants: `(action text, span, index)` × `(resource, span, index)`.
fn grants_of(st: &Statement) -> Vec<(Element, Element)> {
    let actions: Vec<_> = match &st.action {
        ActionSpec::Action(ps) => ps
            .iter()
            .enumerate()
            .map(|(i, p)| (p.value.raw.clone(), p.span, Some(i)))
            .collect(),
        ActionSpec::NotAction(_) => vec![("NotAction".to_string(), st.span, None)],
    };
    let resources: Vec<_> = match &st.resource {
        ResourceSpec::Resource(ps) => ps
            .iter()
            .enumerate()
            .map(|(i, p)| (p.value.raw.clone(), p.span, Some(i)))
            .collect(),
        ResourceSpec::NotResource(_) => vec![("NotResource".to_string(), st.span, None)],
        ResourceSpec::None => vec![("*".to_string(), st.span, None)],
    };
    let mut out = Vec::new();
    for a in &actions {
        for r in &resources {
            out.push((a.clone(), r.clone()));
        }
    }
    out
}

/// Which grants of the identity policies the requirements use. Conditions are ignored: a
/// grant that could apply counts as used, so `unused-permission` never fires on it wrongly.
pub fn coverage(policies: &[&Policy], reqs: &[Requirement]) -> Coverage {
    let compiled: Vec<(Pattern, Pattern)> = reqs
        .iter()
        .map(|r| {
            (
                Pattern::compile(&r.action, ACTION_TEXT),
                Pattern::text(&r.resource),
            )
        })
        .collect();
    let mut cov = Coverage::default();
    let mut covered = vec![false; reqs.len()];
    for (pi, policy) in policies.iter().enumerate() {
        for (si, st) in policy.statements.iter().enumerate() {
            if st.effect != Effect::Allow {
                continue;
            }
            let statement = StatementRef {
                kind: PolicyKind::Identity,
                policy: pi,
                statement: si,
                span: st.span,
            };
            for ((action, action_span, ai), (resource, resource_span, ri)) in grants_of(st) {
                let mut g = Grant {
                    statement,
                    action,
                    action_span,
                    resource,
                    resource_span,
                    used_by: Vec::new(),
                    maybe_used_by: Vec::new(),
                };
                for (k, (a, r)) in compiled.iter().enumerate() {
                    if !action_covers(&st.action, ai, a) {
                        continue;
                    }
                    match resource_covers(&st.resource, ri, r) {
                        Match::Yes => g.used_by.push(k),
                        Match::Unknown => g.maybe_used_by.push(k),
                        Match::No => continue,
                    }
                    covered[k] = true;
                }
                cov.grants.push(g);
            }
        }
    }
    cov.uncovered = covered
        .iter()
        .enumerate()
        .filter(|(_, c)| !**c)
        .map(|(i, _)| i)
        .collect();
    cov
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breadth {
    /// The action pattern has a wildcard but the requirements name concrete actions.
    Action,
    /// The resource is `*` but the requirements name narrower resources.
    Resource,
}

/// A used grant broader than its requirements, with what would be enough instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadGrant {
    pub grant: Grant,
    pub breadth: Breadth,
    pub span: Span,
    /// Sorted, de-duplicated actions or resources the requirements actually use.
    pub narrower: Vec<String>,
}

/// Grants in `coverage` that are wider than the requirements using them (`wildcard-permission`).
pub fn broad_grants(coverage: &Coverage, reqs: &[Requirement]) -> Vec<BroadGrant> {
    let mut out = Vec::new();
    for g in &coverage.grants {
        let used: Vec<&Requirement> = g
            .used_by
            .iter()
            .chain(&g.maybe_used_by)
            .filter_map(|&i| reqs.get(i))
            .collect();
        if used.is_empty() {
            continue;
        }
        let wild = |s: &str| s.contains(['*', '?']);
        if (wild(&g.action) || g.action == "NotAction") && used.iter().all(|r| !wild(&r.action)) {
            let narrower: BTreeSet<String> = used.iter().map(|r| r.action.clone()).collect();
            out.push(BroadGrant {
                grant: g.clone(),
                breadth: Breadth::Action,
                span: g.action_span,
                narrower: narrower.into_iter().collect(),
            });
        }
        if (g.resource == "*" || g.resource == "NotResource")
            && used.iter().all(|r| r.resource != "*")
        {
            let narrower: BTreeSet<String> = used.iter().map(|r| r.resource.clone()).collect();
            out.push(BroadGrant {
                grant: g.clone(),
                breadth: Breadth::Resource,
                span: g.resource_span,
                narrower: narrower.into_iter().collect(),
            });
        }
    }
    out
}

/// The actions of [`ESCALATION`], compiled once, in its order.
static ESCALATION_PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    ESCALATION
        .iter()
        .map(|(action, _, _)| Pattern::compile(action, ACTION_TEXT))
        .collect()
});

/// Actions that let a principal raise its own privileges, and whether they only count on a
/// broad resource (`iam:PassRole` on one named role is the normal Lambda setup).
const ESCALATION: &[(&str, bool, &str)] = &[
    (
        "iam:PassRole",
        true,
        "can pass any role to a service it controls",
    ),
    ("iam:PutRolePolicy", false, "can write inline policies"),
    ("iam:PutUserPolicy", false, "can write inline policies"),
    ("iam:PutGroupPolicy", false, "can write inline policies"),
    ("iam:AttachRolePolicy", false, "can attach managed policies"),
    ("iam:AttachUserPolicy", false, "can attach managed policies"),
    (
        "iam:AttachGroupPolicy",
        false,
        "can attach managed policies",
    ),
    (
        "iam:CreatePolicyVersion",
        false,
        "can rewrite a managed policy",
    ),
    (
        "iam:SetDefaultPolicyVersion",
        false,
        "can switch a managed policy to another version",
    ),
    (
        "iam:UpdateAssumeRolePolicy",
        false,
        "can let itself assume other roles",
    ),
    (
        "iam:CreateAccessKey",
        false,
        "can mint credentials for other users",
    ),
    (
        "iam:CreateLoginProfile",
        false,
        "can set console passwords for other users",
    ),
    (
        "iam:UpdateLoginProfile",
        false,
        "can change console passwords of other users",
    ),
    (
        "iam:AddUserToGroup",
        false,
        "can join a more privileged group",
    ),
    (
        "lambda:UpdateFunctionCode",
        true,
        "can run its code under other functions' roles",
    ),
    (
        "lambda:UpdateFunctionConfiguration",
        true,
        "can swap other functions' roles or layers",
    ),
    (
        "lambda:AddPermission",
        true,
        "can open other functions to anyone",
    ),
    (
        "lambda:CreateFunction",
        true,
        "can create functions with any passable role",
    ),
    (
        "sts:AssumeRole",
        true,
        "can assume any role that trusts the account",
    ),
];

/// A statement that allows a privilege-escalation action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// The action pattern (or the statement, for `NotAction`).
    pub span: Span,
    /// The action pattern as written (`iam:*`, `NotAction`).
    pub action: String,
    /// The escalation actions it covers, in table order.
    pub covers: Vec<&'static str>,
    pub resource: String,
    pub reason: String,
}

fn is_broad(spec: &ResourceSpec) -> Option<String> {
    match spec {
        ResourceSpec::Resource(ps) => ps
            .iter()
            .find(|p| p.value.has_wildcard())
            .map(|p| p.value.raw.clone()),
        ResourceSpec::NotResource(_) => Some("NotResource".to_string()),
        ResourceSpec::None => Some("*".to_string()),
    }
}

/// Services that use a passed role only for their own management calls and run none of the
/// caller's code with it: Application Auto Scaling (scaling a resource's capacity) and
/// DynamoDB Accelerator (a cluster reading its tables) — the two services AWS managed policies
/// such as AmazonDynamoDBFullAccess limit their `iam:PassRole` to. A role passed only to these
/// cannot be turned into the caller's own code running with more rights.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html>, "Grant a
/// user permissions to pass a role to an AWS service" (`iam:PassedToService`).
const MANAGEMENT_ONLY_SERVICES: &[&str] = &["application-autoscaling", "dax"];

/// A service principal's name without its domain (`dax` for `dax.amazonaws.com` and
/// `dax.amazonaws.com.cn`).
fn service_name(principal: &str) -> &str {
    principal
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| principal.strip_suffix(".amazonaws.com"))
        .unwrap_or(principal)
}

/// Whether some Allow statement of the policies lets the role pass a role to Lambda
/// (`iam:PassRole` not limited by `iam:PassedToService`, or limited to a set that holds
/// Lambda): without it, `lambda:CreateFunction` cannot give a new function any role
/// (CreateFunction requires passing the execution role).
pub fn passes_role_to_lambda<'p>(policies: impl IntoIterator<Item = &'p Policy>) -> bool {
    let pass = Pattern::compile("iam:PassRole", ACTION_TEXT);
    policies.into_iter().any(|policy| {
        policy.statements.iter().any(|st| {
            st.effect == Effect::Allow
                && action_covers(&st.action, None, &pass)
                && passed_to_services(st).is_none_or(|services| {
                    services.iter().any(|s| {
                        let name = service_name(s);
                        name == "lambda" || name.contains('*')
                    })
                })
        })
    })
}

/// The services a statement's condition limits `iam:PassRole` to (a positive string condition
/// on `iam:PassedToService`), lower-cased; `None` when it does not limit them.
fn passed_to_services(st: &super::Statement) -> Option<Vec<String>> {
    let c = st.conditions.iter().find(|c| {
        c.key_lc == "iam:passedtoservice"
            && !c.op.negated
            && !c.op.if_exists
            && matches!(c.op.family, super::condition::Family::String { .. })
    })?;
    Some(
        c.values
            .iter()
            .map(|v| v.value.to_ascii_lowercase())
            .collect(),
    )
}

/// Allow statements whose actions cover an escalation action on a broad resource (one that
/// has a wildcard), or on any resource for the IAM write actions. `iam:PassRole` limited by
/// `iam:PassedToService` to services that run none of the caller's code is not one; limited
/// to others, the reason names them.
/// `passes_to_lambda` says whether the role can pass a role to Lambda at all (see
/// [`passes_role_to_lambda`]); without it `lambda:CreateFunction` is no escalation.
pub fn escalations(policy: &Policy, passes_to_lambda: bool) -> Vec<Escalation> {
    let mut out = Vec::new();
    for st in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let broad = is_broad(&st.resource);
        let first = match &st.resource {
            ResourceSpec::Resource(ps) => ps.first().map(|p| p.value.raw.clone()),
            _ => None,
        };
        let units: Vec<Element> = match &st.action {
            ActionSpec::Action(ps) => ps
                .iter()
                .enumerate()
                .map(|(i, p)| (p.value.raw.clone(), p.span, Some(i)))
                .collect(),
            ActionSpec::NotAction(_) => vec![("NotAction".to_string(), st.span, None)],
        };
        for (text, span, idx) in units {
            let mut covers = Vec::new();
            let mut reasons = Vec::new();
            for ((action, needs_broad, reason), pattern) in
                ESCALATION.iter().zip(ESCALATION_PATTERNS.iter())
            {
                if *needs_broad && broad.is_none() {
                    continue;
                }
                if action_covers(&st.action, idx, pattern) {
                    let reason = match (*action, passed_to_services(st)) {
                        ("iam:PassRole", Some(services))
                            if services
                                .iter()
                                .all(|s| MANAGEMENT_ONLY_SERVICES.contains(&service_name(s))) =>
                        {
                            continue;
                        }
                        ("lambda:CreateFunction", _) if !passes_to_lambda => continue,
                        ("iam:PassRole", Some(services)) => {
                            format!("can pass any role to {}", services.join(", "))
                        }
                        _ => (*reason).to_string(),
                    };
                    covers.push(*action);
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                }
            }
            if covers.is_empty() {
                continue;
            }
            let resource = broad.clone().or_else(|| first.clone()).unwrap_or_default();
            out.push(Escalation {
                span,
                action: text,
                covers,
                resource,
                reason: reasons.join("; "),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse_policy_json;

    fn pol(s: &str) -> Policy {
        parse_policy_json(s, Span::default()).0
    }

    #[test]
    fn pass_role_limited_to_management_services_is_no_escalation() {
        let with = |services: &str| {
            pol(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
                "Condition":{{"StringLike":{{"iam:PassedToService":[{services}]}}}}}}]}}"#
            ))
        };
        let managed = with(r#""application-autoscaling.amazonaws.com","dax.amazonaws.com""#);
        assert!(escalations(&managed, true).is_empty());
        let lambda = escalations(&with(r#""lambda.amazonaws.com""#), true);
        assert_eq!(lambda.len(), 1);
        assert_eq!(
            lambda[0].reason,
            "can pass any role to lambda.amazonaws.com"
        );
        // `.amazonaws.com.cn` names the same services.
        assert!(escalations(&with(r#""dax.amazonaws.com.cn""#), true).is_empty());
        // CreateFunction is an escalation only when a role can be passed to Lambda.
        let create = pol(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:CreateFunction","Resource":"*"}]}"#,
        );
        assert!(escalations(&create, false).is_empty());
        assert_eq!(escalations(&create, true).len(), 1);
        assert!(!passes_role_to_lambda([&managed]));
        assert!(passes_role_to_lambda([&with(r#""lambda.amazonaws.com""#)]));
        let open = pol(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#,
        );
        assert!(passes_role_to_lambda([&open]));
        assert_eq!(
            escalations(&open, true)[0].reason,
            "can pass any role to a service it controls"
        );
    }

    /// Unresolved references compare as tokens: the same reference on both sides is a
    /// definite match, whole (`${aws_sqs_queue.q.arn}`) or inside an ARN; another is not.
    #[test]
    fn same_reference_on_both_sides_is_covered() {
        let p = pol(r#"{"Statement":[
            {"Effect":"Allow","Action":"sqs:SendMessage","Resource":"${aws_sqs_queue.q.arn}"},
            {"Effect":"Allow","Action":"sqs:DeleteMessage",
             "Resource":"arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q}"}]}"#);
        let reqs = [
            Requirement::new("sqs:SendMessage", "${aws_sqs_queue.q.arn}"),
            Requirement::new(
                "sqs:DeleteMessage",
                "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q}",
            ),
            Requirement::new("sqs:SendMessage", "${aws_sqs_queue.other.arn}"),
            Requirement::new(
                "sqs:DeleteMessage",
                "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${R}",
            ),
        ];
        let cov = coverage(&[&p], &reqs);
        assert_eq!(cov.grants[0].used_by, vec![0]);
        assert_eq!(cov.grants[1].used_by, vec![1]);
        assert_eq!(cov.uncovered, vec![2, 3]);
    }

    #[test]
    fn used_unused_and_broad() {
        let p = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#);
        let reqs = [
            Requirement::new("s3:GetObject", "arn:aws:s3:::b/k"),
            Requirement::new(
                "dynamodb:GetItem",
                "arn:aws:dynamodb:${AWS::Region}:1:table/${T}",
            ),
            Requirement::new("sqs:SendMessage", "arn:aws:sqs:x:1:q"),
        ];
        let cov = coverage(&[&p], &reqs);
        assert_eq!(cov.grants.len(), 3);
        assert_eq!(cov.grants[0].used_by, vec![0]);
        let unused: Vec<_> = cov.unused().map(|g| g.action.as_str()).collect();
        assert_eq!(unused, vec!["s3:PutObject"]);
        assert_eq!(cov.uncovered, vec![2]);
        let broad = broad_grants(&cov, &reqs);
        let kinds: Vec<_> = broad
            .iter()
            .map(|b| (b.grant.action.as_str(), b.breadth))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("dynamodb:*", Breadth::Action),
                ("dynamodb:*", Breadth::Resource)
            ]
        );
        assert_eq!(broad[0].narrower, vec!["dynamodb:GetItem"]);
    }

    #[test]
    fn escalation_actions() {
        let p = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/exec"},
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
            {"Effect":"Allow","Action":["iam:Put*Policy","s3:GetObject"],"Resource":"arn:aws:iam::1:role/x"},
            {"Effect":"Allow","NotAction":"s3:*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*"}]}"#);
        let found = escalations(&p, true);
        let actions: Vec<_> = found.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["iam:PassRole", "iam:Put*Policy", "NotAction"]);
        assert_eq!(
            found[1].covers,
            vec![
                "iam:PutRolePolicy",
                "iam:PutUserPolicy",
                "iam:PutGroupPolicy"
            ]
        );
        assert!(found[2].covers.contains(&"sts:AssumeRole"));
    }
}
