//! Request evaluation, following AWS's "Policy evaluation logic": an explicit Deny in any
//! policy wins; within one account an Allow from an identity-based or a resource-based policy
//! suffices; across accounts both sides must allow; a permissions boundary caps identity-based
//! grants (and resource-based grants to the role ARN itself); SCPs cap everything.
//! Answers are three-valued: `Conditional` when the outcome depends on unknown context.

use std::collections::BTreeMap;

use crate::arn::Arn;
use crate::iam::pattern::{ACTION_TEXT, Match, Pattern, VarLookup, glob, glob_definite};
use crate::iam::policy::{
    ActionSpec, Effect, Policy, PrincipalKind, PrincipalSet, PrincipalSpec, ResourceSpec, Statement,
};
use crate::source::Span;

/// Who makes a request: a role (or user) ARN, its account, and optionally the session ARN
/// (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`) and a service principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPrincipal {
    pub arn: String,
    pub account: String,
    pub session_arn: Option<String>,
    pub service: Option<String>,
}

/// One API request: principal, action, resource ARN and the context keys known statically.
/// Context keys missing from `context` are unknown; a key mapped to an empty list is known to
/// be absent from the request.
#[derive(Clone, Debug)]
pub struct Request {
    pub principal: RequestPrincipal,
    pub action: String,
    pub resource: String,
    /// The account that owns the resource, read from the resource ARN by [`Request::new`];
    /// `None` means the principal's own account.
    pub resource_account: Option<String>,
    pub context: BTreeMap<String, Vec<String>>,
    /// Lower-cased key prefixes (`aws:principaltag/`) whose keys, when not in `context`, are
    /// known to be absent from the request (the role's tags are all known).
    pub absent_prefixes: Vec<String>,
    action_text: Pattern,
    resource_text: Pattern,
}

impl Request {
    /// `principal_arn` is the role (or user) ARN; its account is read from the ARN, and the
    /// resource's account from the resource ARN (override with `with_resource_account`).
    pub fn new(principal_arn: &str, action: &str, resource: &str) -> Request {
        let account = Arn::parse(principal_arn)
            .ok()
            .and_then(|a| a.account())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let mut context = BTreeMap::new();
        context.insert(
            "aws:principalarn".to_string(),
            vec![principal_arn.to_string()],
        );
        context.insert("aws:principalaccount".to_string(), vec![account.clone()]);
        Request {
            principal: RequestPrincipal {
                arn: principal_arn.to_string(),
                account,
                session_arn: None,
                service: None,
            },
            action: action.to_string(),
            resource: resource.to_string(),
            // The owner is the ARN's account field when it has one (S3 ARNs do not).
            resource_account: Arn::parse(resource)
                .ok()
                .and_then(|a| a.account())
                .filter(|a| !a.is_empty())
                .map(|a| a.to_string()),
            context,
            absent_prefixes: Vec::new(),
            action_text: Pattern::compile(action, ACTION_TEXT),
            resource_text: Pattern::text(resource),
        }
    }

    /// Sets a context key (case-insensitive) to known values; `&[]` means known absent.
    pub fn with_context(mut self, key: &str, values: &[&str]) -> Request {
        let values = values.iter().map(|v| v.to_string()).collect();
        self.context.insert(key.to_ascii_lowercase(), values);
        self
    }

    pub fn with_resource_account(mut self, account: &str) -> Request {
        self.resource_account = Some(account.to_string());
        self
    }

    pub fn with_session(mut self, session_arn: &str) -> Request {
        self.principal.session_arn = Some(session_arn.to_string());
        self
    }
}

impl VarLookup for Request {
    fn lookup(&self, key: &str) -> Option<&[String]> {
        match self.context.get(key) {
            Some(v) => Some(v.as_slice()),
            None if self
                .absent_prefixes
                .iter()
                .any(|p| key.starts_with(p.as_str())) =>
            {
                Some(&[])
            }
            None => None,
        }
    }
}

/// The policies that apply to a request. Indexes in [`StatementRef`] are positions in the
/// list of the given kind.
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    pub identity: Vec<&'a Policy>,
    pub boundary: Option<&'a Policy>,
    pub scps: Vec<&'a Policy>,
    pub resource: Option<&'a Policy>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    Identity,
    Boundary,
    Scp,
    Resource,
}

/// A statement that decided (or could decide) an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatementRef {
    pub kind: PolicyKind,
    pub policy: usize,
    pub statement: usize,
    pub span: Span,
}

/// A condition whose outcome is not known statically: a `Condition` entry whose key has no
/// known value, or a policy variable in `Resource` (then `operator` is `Resource`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConditionRef {
    pub statement: StatementRef,
    pub operator: String,
    pub key: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        by: Vec<StatementRef>,
    },
    /// Explicit deny statements, or empty for an implicit deny.
    Denied {
        by: Vec<StatementRef>,
    },
    Conditional {
        conditions: Vec<ConditionRef>,
        by: Vec<StatementRef>,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
    pub fn is_denied(&self) -> bool {
        matches!(self, Decision::Denied { .. })
    }
    pub fn is_conditional(&self) -> bool {
        matches!(self, Decision::Conditional { .. })
    }
}

/// How a resource-based statement names the principal, which decides whether a permissions
/// boundary caps it: AWS documents that grants to a role ARN are limited by the boundary, grants
/// to a role session or user ARN are not, and grants to the account delegate to IAM policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Capped,
    Uncapped,
    Account,
}

#[derive(Default)]
struct Tally {
    yes: Vec<StatementRef>,
    unknown: Vec<StatementRef>,
}

fn statement_match(st: &Statement, req: &Request) -> Match {
    let hit = |ps: &[crate::source::Spanned<Pattern>]| {
        ps.iter().any(|p| {
            p.value.may_match(&req.action_text) && glob_definite(&p.value, &req.action_text, &())
        })
    };
    let action = match &st.action {
        ActionSpec::Action(ps) => hit(ps),
        ActionSpec::NotAction(ps) => !hit(ps),
    };
    if !action {
        return Match::No;
    }
    let any_res = |ps: &[crate::source::Spanned<Pattern>]| {
        let mut m = Match::No;
        for p in ps {
            if !p.value.may_match(&req.resource_text) {
                continue;
            }
            m = m.or(glob(&p.value, &req.resource_text, req));
            if m.is_yes() {
                break;
            }
        }
        m
    };
    let mut m = match &st.resource {
        ResourceSpec::Resource(ps) => any_res(ps),
        ResourceSpec::NotResource(ps) => !any_res(ps),
        ResourceSpec::None => Match::Yes,
    };
    for c in &st.conditions {
        if m == Match::No {
            break;
        }
        m = m.and(c.eval(req));
    }
    m
}

fn principal_match(spec: Option<&PrincipalSpec>, p: &RequestPrincipal) -> (Match, Via) {
    match spec {
        None => (Match::No, Via::Capped),
        Some(PrincipalSpec::Principal(set)) => set_match(set, p),
        Some(PrincipalSpec::NotPrincipal(set)) => (!set_match(set, p).0, Via::Capped),
    }
}

fn set_match(set: &PrincipalSet, p: &RequestPrincipal) -> (Match, Via) {
    if set.any {
        return (Match::Yes, Via::Capped);
    }
    let mut best = (Match::No, Via::Capped);
    let eq = |pat: &Pattern, s: &str| glob(pat, &Pattern::text(s), &());
    for (kind, entry) in &set.entries {
        let pat = &entry.value;
        let found = match kind {
            // A principal is an ARN with fields or an account id; a lone token is matched as
            // an account, as it always was.
            PrincipalKind::Aws => match Arn::parse(&pat.raw).ok().and_then(|a| a.fields()) {
                Some([.., account, resource]) if resource.as_str() == "root" => (
                    eq(&Pattern::text(account.as_str()), &p.account),
                    Via::Account,
                ),
                Some(_) => {
                    let role = (eq(pat, &p.arn), Via::Capped);
                    let session = p.session_arn.as_deref().map_or(Match::No, |s| eq(pat, s));
                    if session > role.0 {
                        (session, Via::Uncapped)
                    } else {
                        role
                    }
                }
                None => (eq(pat, &p.account), Via::Account),
            },
            PrincipalKind::Service => (
                p.service.as_deref().map_or(Match::No, |s| eq(pat, s)),
                Via::Uncapped,
            ),
            PrincipalKind::Federated | PrincipalKind::CanonicalUser => (Match::No, Via::Capped),
        };
        if found.0 > best.0 {
            best = found;
        }
    }
    best
}

fn record(tally: &mut Tally, m: Match, r: StatementRef) {
    match m {
        Match::Yes => tally.yes.push(r),
        Match::Unknown => tally.unknown.push(r),
        Match::No => {}
    }
}

fn sref(kind: PolicyKind, policy: usize, statement: usize, span: Span) -> StatementRef {
    StatementRef {
        kind,
        policy,
        statement,
        span,
    }
}

/// Allow and Deny outcomes of one identity-style policy (no principal check).
fn scan(
    policy: &Policy,
    kind: PolicyKind,
    index: usize,
    req: &Request,
    allow: &mut Tally,
    deny: &mut Tally,
    allowed_already: bool,
) -> (Match, Match) {
    let (mut a, mut d) = (Match::No, Match::No);
    for (i, st) in policy.statements.iter().enumerate() {
        // One certain Allow decides the allow side: later Allow statements cannot change the
        // answer, so they are skipped (Deny statements are always checked).
        if st.effect == Effect::Allow && (allowed_already || a.is_yes()) {
            continue;
        }
        let m = statement_match(st, req);
        if m == Match::No {
            continue;
        }
        let r = sref(kind, index, i, st.span);
        match st.effect {
            Effect::Allow => {
                a = a.or(m);
                record(allow, m, r);
            }
            Effect::Deny => {
                d = d.or(m);
                record(deny, m, r);
            }
        }
    }
    (a, d)
}

/// Evaluates one request against a set of policies.
pub fn evaluate(set: &PolicySet<'_>, req: &Request) -> Decision {
    let mut allow = Tally::default();
    let mut deny = Tally::default();
    let mut capped = Tally::default();
    let mut denied = Match::No;
    let mut identity = Match::No;
    for (i, p) in set.identity.iter().enumerate() {
        let (a, d) = scan(
            p,
            PolicyKind::Identity,
            i,
            req,
            &mut allow,
            &mut deny,
            identity.is_yes(),
        );
        identity = identity.or(a);
        denied = denied.or(d);
    }
    // Boundary and SCP allows only cap: their statements are not reported as grants.
    let boundary = match set.boundary {
        Some(p) => {
            let (a, d) = scan(
                p,
                PolicyKind::Boundary,
                0,
                req,
                &mut capped,
                &mut deny,
                false,
            );
            denied = denied.or(d);
            a
        }
        None => Match::Yes,
    };
    let mut scp = Match::Yes;
    for (i, p) in set.scps.iter().enumerate() {
        let (a, d) = scan(p, PolicyKind::Scp, i, req, &mut capped, &mut deny, false);
        scp = scp.and(a);
        denied = denied.or(d);
    }
    let (mut rp_capped, mut rp_uncapped, mut rp_account) = (Match::No, Match::No, Match::No);
    if let Some(p) = set.resource {
        for (i, st) in p.statements.iter().enumerate() {
            let m = statement_match(st, req);
            if m == Match::No {
                continue;
            }
            let (pm, via) = principal_match(st.principal.as_ref(), &req.principal);
            let m = m.and(pm);
            let r = sref(PolicyKind::Resource, 0, i, st.span);
            match st.effect {
                Effect::Deny => {
                    denied = denied.or(m);
                    record(&mut deny, m, r);
                }
                Effect::Allow => {
                    record(&mut allow, m, r);
                    let slot = match via {
                        Via::Capped => &mut rp_capped,
                        Via::Uncapped => &mut rp_uncapped,
                        Via::Account => &mut rp_account,
                    };
                    *slot = slot.or(m);
                }
            }
        }
    }
    if denied == Match::Yes {
        return Decision::Denied { by: deny.yes };
    }
    let cross = match &req.resource_account {
        Some(owner) if *owner == req.principal.account => false,
        Some(owner) => {
            glob(
                &Pattern::text(owner),
                &Pattern::text(&req.principal.account),
                &(),
            ) == Match::No
        }
        None => false,
    };
    let allowed = if cross {
        // Cross-account: the identity side (capped by its boundary) and the resource policy
        // (naming the principal or its account) must both allow.
        scp.and(identity.and(boundary))
            .and(rp_capped.or(rp_uncapped).or(rp_account))
    } else {
        // Same account: a resource-policy grant to the account delegates to IAM policies and
        // adds nothing on its own.
        scp.and(identity.or(rp_capped).and(boundary).or(rp_uncapped))
    };
    match allowed.and(!denied) {
        Match::Yes => Decision::Allowed { by: allow.yes },
        Match::No => Decision::Denied { by: Vec::new() },
        Match::Unknown => {
            let mut by = allow.yes;
            by.extend(allow.unknown.iter().copied());
            by.extend(deny.unknown.iter().copied());
            by.extend(capped.unknown.iter().copied());
            by.sort();
            by.dedup();
            let conditions = unknown_conditions(set, req, &by);
            Decision::Conditional { conditions, by }
        }
    }
}

fn statement_of<'a>(set: &PolicySet<'a>, r: &StatementRef) -> Option<&'a Statement> {
    let policy = match r.kind {
        PolicyKind::Identity => set.identity.get(r.policy).copied(),
        PolicyKind::Boundary => set.boundary,
        PolicyKind::Scp => set.scps.get(r.policy).copied(),
        PolicyKind::Resource => set.resource,
    };
    policy.and_then(|p| p.statements.get(r.statement))
}

fn unknown_conditions(
    set: &PolicySet<'_>,
    req: &Request,
    by: &[StatementRef],
) -> Vec<ConditionRef> {
    let mut out = Vec::new();
    for r in by {
        let Some(st) = statement_of(set, r) else {
            continue;
        };
        for c in &st.conditions {
            if c.eval(req) == Match::Unknown {
                out.push(ConditionRef {
                    statement: *r,
                    operator: c.operator.value.clone(),
                    key: c.key.value.clone(),
                    span: c.span,
                });
            }
        }
        // Policy variables in `Resource` ("IAM policy elements: Variables and tags") whose
        // value is not known.
        let resources = match &st.resource {
            ResourceSpec::Resource(ps) | ResourceSpec::NotResource(ps) => ps.as_slice(),
            ResourceSpec::None => &[],
        };
        for p in resources {
            if glob(&p.value, &req.resource_text, req) != Match::Unknown {
                continue;
            }
            for (key, _) in p.value.vars.iter() {
                if req.lookup(key).is_none() {
                    out.push(ConditionRef {
                        statement: *r,
                        operator: "Resource".to_string(),
                        key: key.clone(),
                        span: p.span,
                    });
                }
            }
        }
    }
    out
}

impl Decision {
    /// The context keys whose unknown values decide a conditional answer, each once, in the
    /// spelling of their first use.
    pub fn unknown_keys(&self) -> Vec<String> {
        let Decision::Conditional { conditions, .. } = self else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for c in conditions {
            if !out.iter().any(|k| k.eq_ignore_ascii_case(&c.key)) {
                out.push(c.key.clone());
            }
        }
        out
    }
}
