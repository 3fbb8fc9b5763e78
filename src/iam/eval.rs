//! Request evaluation, following AWS's "Policy evaluation logic": an explicit Deny in any
//! policy wins; within one account an Allow from an identity-based or a resource-based policy
//! suffices; across accounts both sides must allow; a permissions boundary caps identity-based
//! grants (and resource-based grants to the role ARN itself), and so do session policies; SCP
//! and RCP levels cap everything, with AWS's exceptions (service-linked roles, the management
//! account, service principals and anonymous callers for SCPs). `rolefit simulate` and `audit`
//! use this one evaluator. Answers are three-valued: `Conditional` when the outcome depends on
//! unknown context.

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
    /// An unauthenticated caller: no identity-based policy applies, only a resource-based
    /// policy whose `Principal` is `"*"` (or `{"AWS": "*"}`) can grant ("IAM JSON policy
    /// elements: Principal", "All principals":
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous).
    pub anonymous: bool,
}

impl RequestPrincipal {
    /// An IAM user or role (session), as opposed to a service principal or an anonymous caller:
    /// only those have identity-based policies, boundaries, session policies and SCPs.
    pub fn is_iam(&self) -> bool {
        !self.anonymous && self.service.is_none()
    }

    /// A service-linked role (its path is `/aws-service-role/`): "SCPs don't affect
    /// service-linked roles" (AWS Organizations User Guide, "Service control policies (SCPs)",
    /// "Tasks and entities not restricted by SCPs":
    /// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
    /// and neither do RCPs ("Resource control policies (RCPs)", "Resources and entities not
    /// restricted by RCPs":
    /// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
    pub fn is_service_linked(&self) -> bool {
        self.arn.contains(":role/aws-service-role/")
    }

    /// An IAM user (not a role): resource-based grants to a user ARN are not capped by its
    /// boundary.
    fn is_user(&self) -> bool {
        self.arn.contains(":user/")
    }
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
                anonymous: false,
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
/// list of the given kind (for SCPs and RCPs: in the levels flattened, `scps` first).
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    pub identity: Vec<&'a Policy>,
    pub boundary: Option<&'a Policy>,
    /// SCPs, each a level of its own: every one must allow.
    pub scps: Vec<&'a Policy>,
    pub resource: Option<&'a Policy>,
    /// Session policies passed when the role session was created: the session's permissions
    /// are the intersection of its identity-based policies and these ("Policy evaluation logic",
    /// "Session policies":
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
    pub sessions: Vec<&'a Policy>,
    /// SCP levels, root first, after `scps`: at every level some policy must allow ("SCP
    /// evaluation": "For a permission to be allowed for a specific account, there must be an
    /// explicit Allow statement at every level from the root through each OU in the direct path
    /// to the account",
    /// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
    pub scp_levels: Vec<Vec<&'a Policy>>,
    /// RCP levels, root first, with the same every-level rule ("RCP evaluation",
    /// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
    pub rcp_levels: Vec<Vec<&'a Policy>>,
    /// The organization's management account: "SCPs don't affect users or roles in the
    /// management account" and "RCPs don't affect resources in the management account".
    pub management_account: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    Identity,
    Boundary,
    Scp,
    Resource,
    Session,
    Rcp,
}

/// How each kind of policy answered one request: `allow` is whether the kind allows it (for
/// the kinds that only cap — boundary, session, SCPs, RCPs — `Yes` when none applies) and
/// `deny` whether one of its statements denies it explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindOutcome {
    /// Whether any policy of this kind takes part in the request.
    pub present: bool,
    pub allow: Match,
    pub deny: Match,
}

/// The per-kind outcomes behind a [`Decision`] (`simulate`'s `EvalDecisionDetails`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcomes {
    pub identity: KindOutcome,
    pub boundary: KindOutcome,
    pub session: KindOutcome,
    pub scp: KindOutcome,
    pub rcp: KindOutcome,
    pub resource: KindOutcome,
    /// The request crosses accounts: both sides must allow.
    pub cross_account: bool,
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

fn principal_match(
    spec: Option<&PrincipalSpec>,
    p: &RequestPrincipal,
    has_boundary: bool,
) -> (Match, Via) {
    match spec {
        None => (Match::No, Via::Capped),
        Some(PrincipalSpec::Principal(set)) => set_match(set, p),
        Some(PrincipalSpec::NotPrincipal(set)) => {
            (!not_principal_excludes(set, p, has_boundary), Via::Capped)
        }
    }
}

/// Whether a `NotPrincipal` list leaves the caller out. "AWS JSON policy elements:
/// NotPrincipal" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html):
/// "you must also specify the account ARN of the principal that should not be denied",
/// since AWS checks the account, then the role, then the role session — so the caller is left
/// out only when its account and its identity (user, role or session ARN) are both listed;
/// and a `NotPrincipal` Deny "will always deny any IAM principal that has a permissions
/// boundary policy attached, regardless of the values specified in the NotPrincipal element".
fn not_principal_excludes(set: &PrincipalSet, p: &RequestPrincipal, has_boundary: bool) -> Match {
    if set.any {
        return Match::Yes;
    }
    if p.is_iam() && has_boundary {
        return Match::No;
    }
    if !p.is_iam() {
        return set_match(set, p).0;
    }
    let eq = |pat: &Pattern, s: &str| glob(pat, &Pattern::text(s), &());
    let (mut account, mut identity) = (Match::No, Match::No);
    let root = p.arn.ends_with(":root");
    for (kind, entry) in &set.entries {
        if *kind != PrincipalKind::Aws {
            continue;
        }
        let pat = &entry.value;
        match Arn::parse(&pat.raw).ok().and_then(|a| a.fields()) {
            Some([.., acct, resource]) if resource.as_str() == "root" => {
                account = account.or(eq(&Pattern::text(acct.as_str()), &p.account));
            }
            Some(_) => {
                identity = identity.or(eq(pat, &p.arn));
                if let Some(s) = p.session_arn.as_deref() {
                    identity = identity.or(eq(pat, s));
                }
            }
            None => account = account.or(eq(pat, &p.account)),
        }
    }
    if root { account } else { account.and(identity) }
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
                    // "Policy evaluation for requests within a single account": a grant to an
                    // IAM user ARN is not limited by the user's boundary; one to a role ARN is.
                    let via = if p.is_user() {
                        Via::Uncapped
                    } else {
                        Via::Capped
                    };
                    let role = (eq(pat, &p.arn), via);
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

/// The services whose actions RCPs apply to ("Resource control policies (RCPs)", "List of AWS
/// services that support RCPs",
/// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services).
const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-identity",
    "ecr",
    "aoss",
    "dynamodb",
    // CloudWatch Logs joined the list in 2025 (AWS What's New, "Resource control policies now
    // support Amazon CloudWatch Logs"), after the five services of the 2024 launch.
    "logs",
];

/// Allow and Deny outcomes of one list of levels (SCPs or RCPs): every level must allow, any
/// Deny denies. Statement indexes run over the levels flattened.
fn scan_levels(
    levels: &[Vec<&Policy>],
    kind: PolicyKind,
    req: &Request,
    capped: &mut Tally,
    deny: &mut Tally,
) -> (Match, Match) {
    let (mut allow, mut denied) = (Match::Yes, Match::No);
    let mut index = 0;
    for level in levels {
        let mut level_allow = Match::No;
        for p in level {
            let (a, d) = scan(p, kind, index, req, capped, deny, false);
            level_allow = level_allow.or(a);
            denied = denied.or(d);
            index += 1;
        }
        allow = allow.and(level_allow);
    }
    (allow, denied)
}

/// Evaluates one request against a set of policies.
pub fn evaluate(set: &PolicySet<'_>, req: &Request) -> Decision {
    evaluate_with_outcomes(set, req).0
}

/// Evaluates one request, following AWS's flow ("Policy evaluation logic", "Determining
/// whether a request is allowed or denied within an account",
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
/// an explicit Deny in any applicable policy wins; SCPs and RCPs must allow at every level;
/// then a resource-based or an identity-based grant, capped by the boundary and session
/// policies as documented; otherwise the request is implicitly denied. Returns the per-kind
/// outcomes as well.
pub fn evaluate_with_outcomes(set: &PolicySet<'_>, req: &Request) -> (Decision, Outcomes) {
    let mut allow = Tally::default();
    let mut deny = Tally::default();
    let mut capped = Tally::default();
    let iam = req.principal.is_iam();
    let absent = KindOutcome {
        present: false,
        allow: Match::Yes,
        deny: Match::No,
    };
    // Identity-based policies, the boundary and session policies belong to an IAM principal; a
    // service principal or an anonymous caller has none ("Policy evaluation logic": "Identity-
    // based policies are attached to an IAM identity").
    let mut identity = KindOutcome {
        present: iam && !set.identity.is_empty(),
        allow: Match::No,
        deny: Match::No,
    };
    if iam {
        for (i, p) in set.identity.iter().enumerate() {
            let (a, d) = scan(
                p,
                PolicyKind::Identity,
                i,
                req,
                &mut allow,
                &mut deny,
                identity.allow.is_yes(),
            );
            identity.allow = identity.allow.or(a);
            identity.deny = identity.deny.or(d);
        }
    }
    // "Permissions boundaries for IAM entities", "Evaluating effective permissions with
    // boundaries": the effective permissions are the intersection of the identity-based
    // policies and the boundary; a Deny in the boundary denies.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    let boundary = match set.boundary {
        Some(p) if iam => {
            let (a, d) = scan(
                p,
                PolicyKind::Boundary,
                0,
                req,
                &mut capped,
                &mut deny,
                false,
            );
            KindOutcome {
                present: true,
                allow: a,
                deny: d,
            }
        }
        _ => absent,
    };
    // Session policies: "The resulting session's permissions are the intersection of the
    // identity-based policies and the session policies" ("Policy evaluation logic", "Session
    // policies"); several passed together act as one.
    let session = if iam && !set.sessions.is_empty() {
        let mut out = KindOutcome {
            present: true,
            allow: Match::No,
            deny: Match::No,
        };
        for (i, p) in set.sessions.iter().enumerate() {
            let (a, d) = scan(
                p,
                PolicyKind::Session,
                i,
                req,
                &mut capped,
                &mut deny,
                false,
            );
            out.allow = out.allow.or(a);
            out.deny = out.deny.or(d);
        }
        out
    } else {
        absent
    };
    // SCPs limit IAM users and roles of member accounts only: not service-linked roles, not
    // the management account, not service principals or anonymous callers ("Service control
    // policies (SCPs)", "Tasks and entities not restricted by SCPs").
    let in_management = |account: &str| {
        set.management_account
            .as_deref()
            .is_some_and(|m| !account.is_empty() && m == account)
    };
    let has_scps = !set.scps.is_empty() || !set.scp_levels.is_empty();
    let scp_applies = iam
        && has_scps
        && !req.principal.is_service_linked()
        && !in_management(&req.principal.account);
    let scp = if scp_applies {
        let mut levels: Vec<Vec<&Policy>> = set.scps.iter().map(|p| vec![*p]).collect();
        levels.extend(set.scp_levels.iter().cloned());
        let (a, d) = scan_levels(&levels, PolicyKind::Scp, req, &mut capped, &mut deny);
        KindOutcome {
            present: true,
            allow: a,
            deny: d,
        }
    } else {
        absent
    };
    // RCPs limit access to resources of member accounts (the owner is the request's resource
    // account, else the principal's own), for the services that support them, whoever the
    // principal is, except service-linked roles ("Resource control policies (RCPs)",
    // "Resources and entities not restricted by RCPs"). Checked only when there are RCPs: this
    // is the hot path of `audit`.
    let rcp_applies =
        !set.rcp_levels.is_empty()
            && !req.principal.is_service_linked()
            && !in_management(
                req.resource_account
                    .as_deref()
                    .unwrap_or(&req.principal.account),
            )
            && req.action.split(':').next().is_some_and(|service| {
                RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
            });
    let rcp = if rcp_applies {
        let (a, d) = scan_levels(
            &set.rcp_levels,
            PolicyKind::Rcp,
            req,
            &mut capped,
            &mut deny,
        );
        KindOutcome {
            present: true,
            allow: a,
            deny: d,
        }
    } else {
        absent
    };
    let (mut rp_capped, mut rp_uncapped, mut rp_account) = (Match::No, Match::No, Match::No);
    let mut resource = KindOutcome {
        present: set.resource.is_some(),
        allow: Match::No,
        deny: Match::No,
    };
    if let Some(p) = set.resource {
        for (i, st) in p.statements.iter().enumerate() {
            let m = statement_match(st, req);
            if m == Match::No {
                continue;
            }
            let (pm, via) = principal_match(
                st.principal.as_ref(),
                &req.principal,
                set.boundary.is_some(),
            );
            let m = m.and(pm);
            let r = sref(PolicyKind::Resource, 0, i, st.span);
            match st.effect {
                Effect::Deny => {
                    resource.deny = resource.deny.or(m);
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
        resource.allow = rp_capped.or(rp_uncapped).or(rp_account);
    }
    let denied = identity
        .deny
        .or(boundary.deny)
        .or(session.deny)
        .or(scp.deny)
        .or(rcp.deny)
        .or(resource.deny);
    let cross = iam
        && match &req.resource_account {
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
    let outcomes = Outcomes {
        identity,
        boundary,
        session,
        scp,
        rcp,
        resource,
        cross_account: cross,
    };
    // "Policy evaluation logic": an explicit deny in any policy overrides any allow.
    if denied == Match::Yes {
        return (Decision::Denied { by: deny.yes }, outcomes);
    }
    let caps = scp.allow.and(rcp.allow);
    let allowed = if !iam {
        // A service principal or an anonymous caller: only a resource-based policy that names
        // it (or `*`) grants.
        caps.and(rp_capped.or(rp_uncapped))
    } else if cross {
        // "Cross-account policy evaluation logic": the identity side (capped by its boundary
        // and session policies) and the resource-based policy (naming the principal or its
        // account) must both allow.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
        caps.and(identity.allow.and(boundary.allow).and(session.allow))
            .and(rp_capped.or(rp_uncapped).or(rp_account))
    } else if set.resource.is_some() && resource_policy_required(&req.action) {
        // A KMS key policy and a role's trust policy must allow the request themselves: "To use
        // an IAM policy to allow access to a KMS key, the key policy must explicitly allow it"
        // (AWS KMS Developer Guide, "KMS key access and permissions",
        // https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html), and a
        // role can be assumed only by the principals its trust policy names ("IAM roles",
        // "Role trust policy", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html);
        // a grant to the account delegates to the IAM policies.
        caps.and(
            identity
                .allow
                .and(rp_account)
                .or(rp_capped)
                .and(boundary.allow)
                .and(session.allow)
                .or(rp_uncapped),
        )
    } else {
        // "Policy evaluation for requests within a single account": a resource-based grant to
        // the role ARN counts like an identity-based one and is capped by the boundary and
        // session policies; a grant to the role session ARN (or to a user ARN, or a service) is
        // not; a grant to the account delegates to IAM policies and adds nothing on its own.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
        caps.and(
            identity
                .allow
                .or(rp_capped)
                .and(boundary.allow)
                .and(session.allow)
                .or(rp_uncapped),
        )
    };
    let decision = match allowed.and(!denied) {
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
    };
    (decision, outcomes)
}

/// Actions whose resource-based policy must allow them even within one account: any KMS action
/// (the key policy) and assuming a role (its trust policy).
fn resource_policy_required(action: &str) -> bool {
    let starts = |prefix: &str| {
        action
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    starts("kms:") || starts("sts:assumerole")
}

/// The statements of the policies that only cap (boundary, session, SCPs, RCPs) whose Allow
/// matches the request: the caps a decision passed.
pub fn cap_statements(set: &PolicySet<'_>, req: &Request) -> Vec<StatementRef> {
    let mut capped = Tally::default();
    let mut deny = Tally::default();
    if let Some(p) = set.boundary {
        scan(
            p,
            PolicyKind::Boundary,
            0,
            req,
            &mut capped,
            &mut deny,
            false,
        );
    }
    for (i, p) in set.sessions.iter().enumerate() {
        scan(
            p,
            PolicyKind::Session,
            i,
            req,
            &mut capped,
            &mut deny,
            false,
        );
    }
    let mut levels: Vec<Vec<&Policy>> = set.scps.iter().map(|p| vec![*p]).collect();
    levels.extend(set.scp_levels.iter().cloned());
    scan_levels(&levels, PolicyKind::Scp, req, &mut capped, &mut deny);
    scan_levels(
        &set.rcp_levels,
        PolicyKind::Rcp,
        req,
        &mut capped,
        &mut deny,
    );
    capped.yes
}

fn statement_of<'a>(set: &PolicySet<'a>, r: &StatementRef) -> Option<&'a Statement> {
    let policy = match r.kind {
        PolicyKind::Identity => set.identity.get(r.policy).copied(),
        PolicyKind::Boundary => set.boundary,
        PolicyKind::Scp => set
            .scps
            .iter()
            .copied()
            .chain(set.scp_levels.iter().flatten().copied())
            .nth(r.policy),
        PolicyKind::Rcp => set.rcp_levels.iter().flatten().copied().nth(r.policy),
        PolicyKind::Session => set.sessions.get(r.policy).copied(),
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
