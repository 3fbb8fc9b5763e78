//! `rolefit simulate`: one IAM decision, offline, explained. The request comes either from the
//! input of `aws iam simulate-custom-policy --cli-input-json` (plus SCP, RCP and session-policy
//! extensions, [`input`]) or from an audited app ([`function`]); the decision is the IAM
//! engine's ([`crate::iam::evaluate_with_outcomes`], the one `audit` uses), printed in the AWS
//! CLI's output shape ([`to_json`]) or as diagnostics at the deciding statements ([`human`]).
//!
//! The output shape is `SimulateCustomPolicy`'s `EvaluationResult` (IAM API Reference,
//! "SimulateCustomPolicy" and "EvaluationResult",
//! https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html,
//! https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).

pub mod function;
pub mod human;
pub mod input;

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::iam::condition::Family;
use crate::iam::{
    Decision, KindOutcome, Match, Outcomes, Policy, PolicyKind, PolicySet, Request, RequestContext,
    ResourceSpec, StatementRef, action_matches, cap_statements, evaluate_with_outcomes,
};
use crate::source::{SourceMap, Span};

/// An input error: a malformed policy, an unknown operator, a context value of the wrong type.
/// The message names the policy and the position; the command exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SimError(pub String);

/// One policy of the simulation, with the identifier and type `MatchedStatements` report.
#[derive(Clone, Debug)]
pub struct SimPolicy {
    /// `SourcePolicyId`: `PolicyInputList.1`, `ResourcePolicy`, `ServiceControlPolicies.root.1`,
    /// or in function mode the policy's name.
    pub id: String,
    /// `SourcePolicyType`: AWS's `none`, `role`, `aws-managed`, `user-managed`, `resource`, and
    /// rolefit's `permissions-boundary`, `session`, `scp`, `rcp`.
    pub kind: &'static str,
    pub policy: Policy,
    /// Where the policy is attached, for statements of embedded data (AWS managed policies,
    /// SAM policy templates) whose own spans point nowhere a reader can open.
    pub anchor: Option<Span>,
}

impl SimPolicy {
    /// The span to show for one of its statements: its own, or the attachment's.
    pub fn shown_span(&self, span: Span) -> Span {
        match self.anchor {
            Some(a) if span.is_builtin() => a,
            _ => span,
        }
    }
}

/// Who makes the request (`CallerArn` and rolefit's extensions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// No `CallerArn`: identity-based policies are evaluated for an unnamed principal of the
    /// resource's account.
    Unspecified,
    /// An IAM user, role or account root; `session` is the `assumed-role/…/session` ARN when
    /// the caller is a role session (then `arn` is the role's ARN).
    Iam {
        arn: String,
        session: Option<String>,
    },
    /// `service:<principal>`: an AWS service principal such as `sqs.amazonaws.com`.
    Service(String),
    /// `anonymous`: an unauthenticated request.
    Anonymous,
}

/// A whole simulation: its policies, the actions and resources, the caller and context.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// The texts positions refer to (the input file, each policy given as a string).
    pub sources: SourceMap,
    pub identity: Vec<SimPolicy>,
    pub boundary: Option<SimPolicy>,
    pub sessions: Vec<SimPolicy>,
    /// SCP levels, root first: level id and its policies.
    pub scp_levels: Vec<(String, Vec<SimPolicy>)>,
    pub rcp_levels: Vec<(String, Vec<SimPolicy>)>,
    pub resource_policy: Option<SimPolicy>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// `ResourceOwner`: the account that owns the resources, when given.
    pub resource_owner: Option<String>,
    pub caller: Caller,
    /// `ContextEntries`: key as written, values.
    pub context: Vec<(String, Vec<String>)>,
    pub management_account: Option<String>,
    /// Function mode: the request context the app declares; keys it leaves unknown are then
    /// treated as the simulator treats keys not given: absent.
    pub app_context: Option<RequestContext>,
    /// Positions as the AWS CLI reports them (JSON mode) or as template lines (function mode).
    pub aws_positions: bool,
}

/// One (action, resource) pair and its answer.
#[derive(Clone, Debug)]
pub struct EvalResult {
    pub action: String,
    pub resource: String,
    pub decision: Decision,
    pub outcomes: Outcomes,
    /// The statements `MatchedStatements` reports: the denying ones for an explicit deny, the
    /// allowing ones (grants and the caps they passed) for an allow, none for an implicit deny.
    pub matched: Vec<StatementRef>,
    /// Context keys the policies use that neither the input nor the caller provides.
    pub missing: Vec<String>,
}

/// `EvalDecision` values.
pub fn decision_name(d: &Decision) -> &'static str {
    match d {
        Decision::Allowed { .. } => "allowed",
        Decision::Denied { by } if !by.is_empty() => "explicitDeny",
        Decision::Denied { .. } => "implicitDeny",
        // Only in function mode, where deploy-time values (`${AWS::AccountId}`, a logical id)
        // stay unknown: the answer depends on them.
        Decision::Conditional { .. } => "conditional",
    }
}

/// Actions that take only `*`: actions with no resource type
/// in the Service Authorization Reference accept only `"Resource": "*"` ("Actions, resources,
/// and condition keys for AWS services": "If the column is blank, the action doesn't support
/// resource-level permissions and you must specify all resources (`*`)",
/// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
fn star_only(action: &str) -> bool {
    crate::data::catalog()
        .action(action)
        .is_some_and(|a| a.resource_types.is_empty())
}

impl Simulation {
    fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self.identity.iter().map(|p| &p.policy).collect(),
            boundary: self.boundary.as_ref().map(|p| &p.policy),
            scps: Vec::new(),
            resource: self.resource_policy.as_ref().map(|p| &p.policy),
            sessions: self.sessions.iter().map(|p| &p.policy).collect(),
            scp_levels: self
                .scp_levels
                .iter()
                .map(|(_, ps)| ps.iter().map(|p| &p.policy).collect())
                .collect(),
            rcp_levels: self
                .rcp_levels
                .iter()
                .map(|(_, ps)| ps.iter().map(|p| &p.policy).collect())
                .collect(),
            management_account: self.management_account.clone(),
        }
    }

    /// The policy a statement reference points into.
    pub fn policy_of(&self, r: &StatementRef) -> Option<&SimPolicy> {
        match r.kind {
            PolicyKind::Identity => self.identity.get(r.policy),
            PolicyKind::Boundary => self.boundary.as_ref(),
            PolicyKind::Session => self.sessions.get(r.policy),
            PolicyKind::Resource => self.resource_policy.as_ref(),
            PolicyKind::Scp => self.scp_levels.iter().flat_map(|(_, ps)| ps).nth(r.policy),
            PolicyKind::Rcp => self.rcp_levels.iter().flat_map(|(_, ps)| ps).nth(r.policy),
        }
    }

    /// Every policy, in report order.
    pub fn all_policies(&self) -> impl Iterator<Item = &SimPolicy> {
        self.identity
            .iter()
            .chain(&self.boundary)
            .chain(&self.sessions)
            .chain(self.scp_levels.iter().flat_map(|(_, ps)| ps))
            .chain(self.rcp_levels.iter().flat_map(|(_, ps)| ps))
            .chain(&self.resource_policy)
    }

    /// The account of the resources: `ResourceOwner` (an account id or an account ARN).
    fn owner_account(&self) -> Option<String> {
        let owner = self.resource_owner.as_deref()?;
        if crate::arn::is_account_id(owner) {
            return Some(owner.to_string());
        }
        crate::arn::Arn::parse(owner)
            .ok()
            .and_then(|a| a.account())
            .map(|a| a.as_str().to_string())
            .filter(|a| !a.is_empty())
    }

    /// The request for one action on one resource.
    pub fn request(&self, action: &str, resource: &str) -> Request {
        let resource = if star_only(action) { "*" } else { resource };
        // Function mode: a `*` in a resource the needs name stands for a part the app does not
        // say (`arn:aws:s3:::*/*`, the bucket comes from the event); as in `audit`, it is a
        // value known only at run time, not the character `*`.
        let unknown_parts;
        let resource = if !self.aws_positions && resource != "*" && resource.contains('*') {
            unknown_parts = resource.replace('*', "${unknown}");
            unknown_parts.as_str()
        } else {
            resource
        };
        let principal_arn = match &self.caller {
            Caller::Iam { arn, .. } => arn.as_str(),
            _ => "",
        };
        let mut req = match &self.app_context {
            Some(ctx) => {
                let mut ctx = ctx.clone();
                if !principal_arn.is_empty() {
                    ctx.principal_arn = principal_arn.to_string();
                }
                ctx.request(action, resource, crate::iam::Caller::Code)
            }
            None => Request::new(principal_arn, action, resource),
        };
        // "Testing IAM policies with the IAM policy simulator": a context key the policies use
        // and the input does not give is treated as absent, and reported in
        // `MissingContextValues`.
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
        req.absent_prefixes = vec![String::new()];
        let owner = self.owner_account();
        if let Some(o) = &owner {
            req.resource_account = Some(o.clone());
        }
        let mut set = |key: &str, values: Vec<String>| {
            req.context.insert(key.to_string(), values);
        };
        // The principal's keys ("AWS global condition context keys", "Properties of the
        // principal",
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties).
        match &self.caller {
            Caller::Iam { arn, session } => {
                let kind = if session.is_some() || arn.contains(":role/") {
                    "AssumedRole"
                } else if arn.ends_with(":root") {
                    "Account"
                } else {
                    "User"
                };
                set("aws:principaltype", vec![kind.to_string()]);
                set("aws:principalisawsservice", vec!["false".to_string()]);
                if kind == "User" {
                    let name = arn.rsplit('/').next().unwrap_or_default();
                    set("aws:username", vec![name.to_string()]);
                }
                req.principal.session_arn = session.clone();
            }
            Caller::Service(s) => {
                set("aws:principalisawsservice", vec!["true".to_string()]);
                set("aws:principalservicename", vec![s.clone()]);
                req.context.remove("aws:principalarn");
                req.context.remove("aws:principalaccount");
                req.principal.service = Some(s.clone());
                req.principal.account = String::new();
            }
            Caller::Anonymous => {
                set("aws:principaltype", vec!["Anonymous".to_string()]);
                req.context.remove("aws:principalarn");
                req.context.remove("aws:principalaccount");
                req.principal.anonymous = true;
                req.principal.account = String::new();
            }
            Caller::Unspecified => {
                req.context.remove("aws:principalarn");
                req.context.remove("aws:principalaccount");
                // An unnamed principal of the resource's account: same-account evaluation.
                req.principal.account = owner
                    .clone()
                    .or_else(|| req.resource_account.clone())
                    .unwrap_or_default();
            }
        }
        if let Some(o) = owner.or_else(|| req.resource_account.clone()) {
            req.context
                .entry("aws:resourceaccount".to_string())
                .or_insert_with(|| vec![o]);
        }
        // The input's own entries win ("Condition key names are not case-sensitive").
        for (key, values) in &self.context {
            req.context.insert(key.to_ascii_lowercase(), values.clone());
        }
        req
    }

    /// Evaluates every (action, resource) pair, as `simulate-custom-policy` does.
    pub fn run(&self) -> Vec<EvalResult> {
        let set = self.policy_set();
        let resources: Vec<String> = if self.resources.is_empty() {
            vec!["*".to_string()]
        } else {
            self.resources.clone()
        };
        let mut out = Vec::new();
        for action in &self.actions {
            for resource in &resources {
                let req = self.request(action, resource);
                let (decision, outcomes) = evaluate_with_outcomes(&set, &req);
                let matched = match &decision {
                    Decision::Allowed { by } => {
                        let mut m = by.clone();
                        m.extend(cap_statements(&set, &req));
                        m.sort();
                        m.dedup();
                        m
                    }
                    Decision::Denied { by } => by.clone(),
                    Decision::Conditional { by, .. } => by.clone(),
                };
                let missing = self.missing_keys(action, &req);
                out.push(EvalResult {
                    action: action.clone(),
                    resource: resource.clone(),
                    decision,
                    outcomes,
                    matched,
                    missing,
                });
            }
        }
        out
    }

    /// Keys used by the conditions and policy variables of statements that name the action,
    /// which neither the input nor the caller gives ("SimulateCustomPolicy",
    /// `MissingContextValues`: "A list of context keys that are required by the included input
    /// policies but that were not provided by one of the input parameters").
    fn missing_keys(&self, action: &str, req: &Request) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |key: &str| {
            let lc = key.to_ascii_lowercase();
            if !req.context.contains_key(&lc) && !out.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                out.push(key.to_string());
            }
        };
        for p in self.all_policies() {
            for st in &p.policy.statements {
                let names = st
                    .action
                    .patterns()
                    .iter()
                    .any(|a| action_matches(&a.value.raw, action));
                let applies = match &st.action {
                    crate::iam::ActionSpec::Action(_) => names,
                    crate::iam::ActionSpec::NotAction(_) => !names,
                };
                if !applies {
                    continue;
                }
                for c in &st.conditions {
                    add(&c.key.value);
                    for v in &c.values {
                        for var in variables(&v.value) {
                            add(&var);
                        }
                    }
                }
                if let ResourceSpec::Resource(ps) | ResourceSpec::NotResource(ps) = &st.resource {
                    for p in ps {
                        for (key, default) in p.value.vars.iter() {
                            if default.is_none() {
                                add(key);
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// 1-based (line, column) of a span, in the convention of the mode: the AWS CLI reports
    /// the column after the statement's opening brace and after its closing brace (the
    /// `simulate-custom-policy` example of the AWS CLI Command Reference gives `Column: 38` for
    /// a statement whose `{` is the 37th character, and `Column: 167` for its `}` at 166th),
    /// function mode the template's own line and column.
    fn positions(&self, span: Span) -> Option<((u32, u32), (u32, u32))> {
        let file = self.sources.get(span.file)?;
        let (sl, sc) = file.line_col(span.start);
        let (el, ec) = file.line_col(span.end.saturating_sub(1));
        Some(if self.aws_positions {
            ((sl, sc + 1), (el, ec + 1))
        } else {
            ((sl, sc), (el, ec))
        })
    }
}

/// In JSON mode every context key is known (given or absent), so only a `${...}` that is no
/// policy variable (`${AWS::AccountId}`, a CloudFormation placeholder) can leave an answer open:
/// that is an input error, never a silent allow or deny.
pub fn check_definite(sim: &Simulation, results: &[EvalResult]) -> Result<(), SimError> {
    for r in results {
        if let Decision::Conditional { by, .. } = &r.decision {
            let at = by
                .first()
                .and_then(|s| sim.policy_of(s).map(|p| (p, s.span)))
                .map(|(p, span)| format!(" ({}{})", p.id, position_text(sim, span)))
                .unwrap_or_default();
            return Err(SimError(format!(
                "{} on {}: the answer depends on a `${{...}}` that is not a policy variable{at}; \
                 replace deploy-time placeholders with their values",
                r.action, r.resource
            )));
        }
    }
    Ok(())
}

/// Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'x'}`) without a default.
fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let Some(j) = rest[i..].find('}') else { break };
        let inner = &rest[i + 2..i + j];
        if let crate::iam::pattern::Subst::Var(_, None) = crate::iam::pattern::classify(inner) {
            out.push(inner.trim().to_string());
        }
        rest = &rest[i + j + 1..];
    }
    out
}

fn allowed_by(o: &KindOutcome) -> bool {
    o.allow == Match::Yes && o.deny != Match::Yes
}

fn outcome_name(o: &KindOutcome) -> &'static str {
    if o.deny == Match::Yes {
        "explicitDeny"
    } else if o.deny == Match::Unknown || o.allow == Match::Unknown {
        // Function mode only: JSON mode answers every question.
        "conditional"
    } else if o.allow == Match::Yes {
        "allowed"
    } else {
        "implicitDeny"
    }
}

/// The AWS CLI's output: `{"EvaluationResults": [...]}`.
pub fn to_json(sim: &Simulation, results: &[EvalResult]) -> Json {
    let list: Vec<Json> = results.iter().map(|r| result_json(sim, r)).collect();
    json!({ "EvaluationResults": list })
}

fn result_json(sim: &Simulation, r: &EvalResult) -> Json {
    let matched: Vec<Json> = r
        .matched
        .iter()
        .filter_map(|s| {
            let p = sim.policy_of(s)?;
            let span = p.shown_span(s.span);
            let mut m = serde_json::Map::new();
            m.insert("SourcePolicyId".into(), json!(p.id));
            m.insert("SourcePolicyType".into(), json!(p.kind));
            if let Some(((sl, sc), (el, ec))) = sim.positions(span) {
                m.insert("StartPosition".into(), json!({"Line": sl, "Column": sc}));
                m.insert("EndPosition".into(), json!({"Line": el, "Column": ec}));
                if !sim.aws_positions
                    && let Some(f) = sim.sources.get(span.file)
                {
                    m.insert("SourceFile".into(), json!(f.path));
                }
            }
            Some(Json::Object(m))
        })
        .collect();
    let o = &r.outcomes;
    let mut details = serde_json::Map::new();
    for (name, k) in [
        ("identity", &o.identity),
        ("permissions-boundary", &o.boundary),
        ("session", &o.session),
        ("scp", &o.scp),
        ("rcp", &o.rcp),
        ("resource", &o.resource),
    ] {
        if k.present {
            details.insert(name.into(), json!(outcome_name(k)));
        }
    }
    let mut m = serde_json::Map::new();
    m.insert("EvalActionName".into(), json!(r.action));
    m.insert("EvalResourceName".into(), json!(r.resource));
    m.insert("EvalDecision".into(), json!(decision_name(&r.decision)));
    m.insert("MatchedStatements".into(), Json::Array(matched));
    m.insert("MissingContextValues".into(), json!(r.missing));
    if let Decision::Conditional { conditions, .. } = &r.decision {
        let keys: Vec<&str> = conditions.iter().map(|c| c.key.as_str()).collect();
        m.insert("ConditionalOn".into(), json!(keys));
    }
    if !sim.scp_levels.is_empty() {
        m.insert(
            "OrganizationsDecisionDetail".into(),
            json!({ "AllowedByOrganizations": allowed_by(&o.scp) }),
        );
    }
    if sim.boundary.is_some() {
        m.insert(
            "PermissionsBoundaryDecisionDetail".into(),
            json!({ "AllowedByPermissionsBoundary": allowed_by(&o.boundary) }),
        );
    }
    m.insert("EvalDecisionDetails".into(), Json::Object(details));
    Json::Object(m)
}

/// Checks what AWS rejects and rolefit's lenient reader would let pass: condition values of
/// the wrong type for their operator (`NumericLessThan` on `"ten"`), a `Principal` in a policy
/// that takes none, a resource-based statement without one.
pub fn validate(sim: &Simulation) -> Result<(), SimError> {
    for p in sim.all_policies() {
        let resource_based = p.kind == "resource";
        for st in &p.policy.statements {
            let at = position_text(sim, st.span);
            match (&st.principal, resource_based) {
                (Some(_), false) if p.kind != "rcp" => {
                    return Err(SimError(format!(
                        "{}{at}: a {} policy cannot have a Principal element",
                        p.id, p.kind
                    )));
                }
                (None, true) => {
                    return Err(SimError(format!(
                        "{}{at}: a resource-based policy statement needs a Principal element",
                        p.id
                    )));
                }
                _ => {}
            }
            // "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow"
            // is not supported" ("AWS JSON policy elements: NotPrincipal").
            if matches!(
                st.principal,
                Some(crate::iam::PrincipalSpec::NotPrincipal(_))
            ) && (st.effect == crate::iam::Effect::Allow || !resource_based)
            {
                return Err(SimError(format!(
                    "{}{at}: NotPrincipal is only supported with \"Effect\": \"Deny\" in a resource-based policy",
                    p.id
                )));
            }
            for c in &st.conditions {
                for v in &c.values {
                    if v.value.contains("${") {
                        continue;
                    }
                    let ok = match c.op.family {
                        Family::Numeric(_) => v.value.trim().parse::<f64>().is_ok(),
                        Family::Date(_) => crate::iam::condition::parse_date(&v.value).is_some(),
                        Family::Bool | Family::Null => {
                            v.value.eq_ignore_ascii_case("true")
                                || v.value.eq_ignore_ascii_case("false")
                        }
                        Family::Ip => valid_cidr(&v.value),
                        _ => true,
                    };
                    if !ok {
                        return Err(SimError(format!(
                            "{}{}: `{}` is not a valid value for {} on `{}`",
                            p.id,
                            position_text(sim, v.span),
                            v.value,
                            c.operator.value,
                            c.key.value
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

fn valid_cidr(s: &str) -> bool {
    let (addr, bits) = match s.trim().split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s.trim(), None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    bits.is_none_or(|b| b.parse::<u32>().is_ok_and(|b| b <= max))
}

/// ` (line L, column C)` of a span in its text, or nothing for embedded data.
fn position_text(sim: &Simulation, span: Span) -> String {
    sim.sources
        .get(span.file)
        .map(|f| {
            let (l, c) = f.line_col(span.start);
            format!(" (line {l}, column {c})")
        })
        .unwrap_or_default()
}

/// The context entries by lower-cased key, for tests and the human output.
pub fn context_map(sim: &Simulation) -> BTreeMap<String, Vec<String>> {
    sim.context
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}
