//! Roles and functions analysed: policies loaded, needs evaluated, grants marked used.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::data;
use crate::iam::{self, Caller, Effect, Match, Policy, PolicySet, RequestContext};
use crate::model::{App, AttachedPolicy, PolicySource, RoleBinding};
use crate::needs::{self, Need, NeedSet};
use crate::parse::codebase::FunctionCode;
use crate::source::Span;
use crate::syntax::ParseError;
use crate::syntax::node::Node;

use super::TriggerGraph;

/// Everything rules read besides the model.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Parallel to `App::functions`.
    pub functions: Vec<FunctionAnalysis>,
    pub roles: Vec<RoleAnalysis>,
    pub parse_errors: Vec<ParseError>,
    /// Which functions trigger which through what they write, and the loops that makes.
    pub triggers: TriggerGraph,
}

/// One role with its policies parsed.
#[derive(Debug)]
pub struct RoleAnalysis {
    /// Index in `App::roles`.
    pub role: usize,
    /// Indices in `App::functions` of the functions that assume it.
    pub functions: Vec<usize>,
    pub policies: Vec<LoadedPolicy>,
    pub boundary: Option<LoadedPolicy>,
    pub trust: Option<Policy>,
    /// Some attached policy's content is unknown (a customer policy outside the input, an
    /// AWS managed policy the knowledge base lacks): absence of a grant proves nothing.
    pub incomplete: bool,
    /// Grants of all policies, with the needs of all its functions marked.
    pub grants: Vec<Grant>,
}

/// A policy attached to a role, parsed.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub name: String,
    pub source: PolicySource,
    /// The attachment in the template.
    pub span: Span,
    /// Written by the user (inline, customer managed, an AWS managed policy they attached, a SAM
    /// policy template); `false` for what SAM adds by itself.
    pub user_written: bool,
    /// The document came from embedded data: statement spans point at the attachment.
    pub builtin: bool,
    pub policy: Policy,
}

impl LoadedPolicy {
    /// An AWS managed policy made for Lambda execution roles (logs, pollers, VPC, X-Ray):
    /// the documented way to grant what Lambda itself needs, so never "too broad".
    pub fn is_lambda_execution_policy(&self) -> bool {
        const NAMES: &[&str] = &[
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaBasicDurableExecutionRolePolicy",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaKinesisExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSLambdaMSKExecutionRole",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaENIManagementAccess",
            "AWSXRayDaemonWriteAccess",
            "AWSXrayWriteOnlyAccess",
            "CloudWatchLambdaInsightsExecutionRolePolicy",
            "CloudWatchLambdaApplicationSignalsExecutionRolePolicy",
            "AmazonS3ObjectLambdaExecutionRolePolicy",
        ];
        self.builtin && NAMES.contains(&self.name.as_str())
    }
}

/// One allow of an action pattern on a resource pattern.
#[derive(Clone, Debug)]
pub struct Grant {
    /// Index in `RoleAnalysis::policies`.
    pub policy: usize,
    pub statement: usize,
    pub action: String,
    pub action_span: Span,
    pub resource: String,
    pub resource_span: Span,
    /// `NotAction` / `NotResource` statements are shown with a `!` prefix and never
    /// reported as unused.
    pub negated: bool,
    /// Indices into the role's functions' needs: (function index, need index).
    pub used_by: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Denied,
    /// Depends on values known only at deploy or request time.
    Conditional,
    /// The role, or part of it, is not in the input.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct NeedVerdict {
    pub verdict: Verdict,
    /// The statements that decided it, as spans (grants for Allowed, denies for Denied).
    pub by: Vec<Span>,
    /// For a `Conditional` verdict, the context keys whose unknown values decide it.
    pub conditional_on: Vec<String>,
    /// For a `Denied` verdict, the conditions that keep a grant of the action on the resource
    /// from applying to this function's request: (condition as written, the request's value).
    pub false_conditions: Vec<FalseCondition>,
    /// For a `Denied` verdict with no explicit Deny: the identity-based policies allow it (or
    /// may), and the role's permissions boundary is what leaves it out.
    pub boundary_blocks: bool,
}

/// A condition of a grant that is false for the function's request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FalseCondition {
    /// `aws:PrincipalTag/team StringEquals payments`, as written (several values joined by ` or `).
    pub condition: String,
    /// The request's values for the key; empty when the request has no such key.
    pub actual: Vec<String>,
    /// The statement holding the grant.
    pub statement: Span,
}

/// One function's needs and their verdicts.
#[derive(Debug, Default)]
pub struct FunctionAnalysis {
    /// Index in `Analysis::roles`.
    pub role: Option<usize>,
    pub needs: Vec<Need>,
    pub verdicts: Vec<NeedVerdict>,
    pub sdk_calls: usize,
    pub resolved_calls: usize,
    pub unresolved_calls: Vec<String>,
    /// Required pairs with a resource narrower than `*`, and all pairs (for statistics).
    pub specific_pairs: usize,
    pub total_pairs: usize,
    /// Everything the function needs is known: its code was read and every call resolved.
    pub complete: bool,
}

/// Runs the analysis.
pub fn analyze(
    app: &App,
    code: &[FunctionCode],
    parse_errors: Vec<ParseError>,
    config: &Config,
) -> Analysis {
    let mut analysis = Analysis {
        parse_errors,
        ..Analysis::default()
    };
    let role_index: BTreeMap<&str, usize> = app
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    // Roles are loaded in parallel; their problems are kept in the order of the roles.
    let loaded: Vec<(RoleAnalysis, Vec<ParseError>)> = app
        .roles
        .par_iter()
        .enumerate()
        .map(|(i, role)| {
            let mut problems = Vec::new();
            let ra = load_role(i, role, &mut problems);
            (ra, problems)
        })
        .collect();
    for (ra, problems) in loaded {
        analysis.roles.push(ra);
        analysis.parse_errors.extend(problems);
    }
    let resource_tags = resource_tags(app);
    // Each function's role, and the functions of each role in the order they are declared.
    let role_of: Vec<Option<usize>> = app
        .functions
        .iter()
        .map(|func| match &func.role {
            RoleBinding::Role(id) => role_index.get(id.as_str()).copied(),
            _ => None,
        })
        .collect();
    for (fi, ri) in role_of.iter().enumerate() {
        if let Some(ri) = ri {
            analysis.roles[*ri].functions.push(fi);
        }
    }
    // Functions are analysed apart from each other (in parallel, collected in order).
    let roles = &analysis.roles;
    analysis.functions = app
        .functions
        .par_iter()
        .enumerate()
        .map(|(fi, func)| {
            let inputs = Inputs {
                app,
                code,
                config,
                roles,
                resource_tags: &resource_tags,
            };
            analyze_function(&inputs, role_of[fi], fi, func)
        })
        .collect();
    // Each role's grants are marked apart from the others' (in parallel).
    let functions = &analysis.functions;
    analysis
        .roles
        .par_iter_mut()
        .for_each(|ra| mark_used(ra, functions));
    analysis.triggers = TriggerGraph::build(app, &analysis.functions);
    analysis
}

/// What every function's analysis reads.
struct Inputs<'a> {
    app: &'a App,
    code: &'a [FunctionCode],
    config: &'a Config,
    roles: &'a [RoleAnalysis],
    resource_tags: &'a std::sync::Arc<iam::ResourceTags>,
}

/// One function's needs and their verdicts under its role (`role`, an index in `roles`).
fn analyze_function(
    inputs: &Inputs<'_>,
    role: Option<usize>,
    fi: usize,
    func: &crate::model::Function,
) -> FunctionAnalysis {
    let Inputs {
        app,
        code,
        config,
        roles,
        resource_tags,
    } = *inputs;
    let mut fa = FunctionAnalysis {
        role,
        ..FunctionAnalysis::default()
    };
    let mut set = NeedSet::default();
    needs::definition_needs(func, app, &mut set);
    let fc = code.get(fi);
    let calls = fc.map(|c| c.calls.as_slice()).unwrap_or(&[]);
    let stats = needs::sdk_needs(func, app, calls, &config.env_hints, &mut set);
    fa.sdk_calls = calls.len();
    fa.resolved_calls = stats.resolved;
    fa.unresolved_calls = stats.unresolved;
    fa.specific_pairs = stats.specific;
    fa.total_pairs = stats.total_pairs;
    fa.complete = fc.is_some_and(|c| c.analysed && c.incomplete.is_empty() && !c.searched)
        && fa.unresolved_calls.is_empty()
        // An unread API that feeds the function's needs (a collection gap) leaves them open.
        && !app
            .unknowns
            .iter()
            .any(|u| u.incomplete_needs && u.functions.contains(&func.id));
    fa.needs = set
        .into_needs()
        .into_iter()
        .filter(|n| {
            !config
                .ignore_actions
                .iter()
                .any(|p| iam::action_matches(p, &n.action))
        })
        .collect();
    fa.verdicts = match fa.role {
        Some(ri) => {
            let role = app.roles.get(roles[ri].role);
            // A role whose ARN is unknown is still one of the stack's own.
            let arn = match role.map(|r| r.arn.as_str()) {
                Some(a) if !a.is_empty() => a.to_string(),
                _ => format!(
                    "arn:aws:iam::${{AWS::AccountId}}:role/{}",
                    role.map_or("unknown", |r| r.name.as_str())
                ),
            };
            let ctx = request_context(arn, role, func, resource_tags);
            let trust_of = |target: &str| {
                app.roles
                    .iter()
                    .position(|r| !r.arn.is_empty() && r.arn == target)
                    .and_then(|ti| roles.iter().find(|ra| ra.role == ti))
                    .and_then(|ra| ra.trust.as_ref())
            };
            evaluate_needs(&roles[ri], &ctx, &fa.needs, &trust_of)
        }
        None => fa
            .needs
            .iter()
            .map(|_| NeedVerdict {
                verdict: Verdict::Unknown,
                by: Vec::new(),
                conditional_on: Vec::new(),
                false_conditions: Vec::new(),
                boundary_blocks: false,
            })
            .collect(),
    };
    // Alternatives AWS accepts in place of each other: the ones the role does not use go.
    let keep = needs::settle_choices(&fa.needs, |i| {
        fa.verdicts
            .get(i)
            .is_some_and(|v| matches!(v.verdict, Verdict::Allowed | Verdict::Conditional))
    });
    if keep.iter().any(|k| !k) {
        let mut k = keep.iter();
        fa.needs.retain(|_| k.next().copied().unwrap_or(true));
        let mut k = keep.iter();
        fa.verdicts.retain(|_| k.next().copied().unwrap_or(true));
    }
    fa
}

/// Loads a role's policies. What IAM would reject in a policy the user wrote (an unknown
/// element, a statement without `Effect`, an unknown condition operator, ...) is reported as a
/// `parse-error` at its place instead of being dropped silently: the statement it concerns is
/// not counted as a grant.
fn load_role(
    index: usize,
    role: &crate::model::Role,
    problems: &mut Vec<ParseError>,
) -> RoleAnalysis {
    let trust = role.trust.as_ref().map(|t| {
        let (policy, issues) = iam::parse_policy(&t.node);
        report_issues("the trust policy", &issues, problems);
        policy
    });
    let mut ra = RoleAnalysis {
        role: index,
        functions: Vec::new(),
        policies: Vec::new(),
        boundary: None,
        trust,
        incomplete: false,
        grants: Vec::new(),
    };
    for attached in &role.policies {
        match load_policy(attached, problems) {
            Some(p) => ra.policies.push(p),
            None => ra.incomplete = true,
        }
    }
    if let Some(b) = &role.boundary {
        match load_policy(b, problems) {
            Some(p) => ra.boundary = Some(p),
            None => ra.incomplete = true,
        }
    }
    for (pi, p) in ra.policies.iter().enumerate() {
        for (si, st) in p.policy.statements.iter().enumerate() {
            if st.effect != Effect::Allow {
                continue;
            }
            let (negated_action, actions) = match &st.action {
                iam::ActionSpec::Action(a) => (false, a),
                iam::ActionSpec::NotAction(a) => (true, a),
            };
            let (negated_resource, resources): (bool, Vec<(String, Span)>) = match &st.resource {
                iam::ResourceSpec::Resource(r) => (
                    false,
                    r.iter().map(|r| (r.value.raw.clone(), r.span)).collect(),
                ),
                iam::ResourceSpec::NotResource(r) => (
                    true,
                    r.iter().map(|r| (r.value.raw.clone(), r.span)).collect(),
                ),
                iam::ResourceSpec::None => (false, vec![("*".to_string(), st.span)]),
            };
            for a in actions {
                for (r, rspan) in &resources {
                    ra.grants.push(Grant {
                        policy: pi,
                        statement: si,
                        action: if negated_action {
                            format!("!{}", a.value.raw)
                        } else {
                            a.value.raw.clone()
                        },
                        action_span: if p.builtin { p.span } else { a.span },
                        resource: if negated_resource {
                            format!("!{r}")
                        } else {
                            r.clone()
                        },
                        resource_span: if p.builtin { p.span } else { *rspan },
                        negated: negated_action || negated_resource,
                        used_by: Vec::new(),
                    });
                }
            }
        }
    }
    ra
}

/// Parses an attachment's document, taking AWS managed policies and SAM policy templates
/// from the embedded data. `None` when the content is unknown.
fn load_policy(attached: &AttachedPolicy, problems: &mut Vec<ParseError>) -> Option<LoadedPolicy> {
    let (name, user_written, builtin, node): (String, bool, bool, Node) = match &attached.source {
        PolicySource::Inline { name } => (
            name.clone(),
            true,
            false,
            attached.doc.as_ref()?.node.clone(),
        ),
        PolicySource::Customer { id } => {
            (id.clone(), true, false, attached.doc.as_ref()?.node.clone())
        }
        PolicySource::Managed { arn } => {
            let mp = data::managed_policy(arn)?;
            (
                short_policy_name(arn),
                true,
                true,
                Node::from_json(mp.document(), attached.span),
            )
        }
        PolicySource::Implicit { arn, reason } => match &attached.doc {
            Some(doc) => (reason.clone(), false, false, doc.node.clone()),
            None => {
                let mp = data::managed_policy(arn)?;
                (
                    short_policy_name(arn),
                    false,
                    true,
                    Node::from_json(mp.document(), attached.span),
                )
            }
        },
        PolicySource::SamTemplate { name, params } => {
            let doc = data::sam_expand(name, params).ok()?;
            (
                name.clone(),
                true,
                true,
                Node::from_json(&doc, attached.span),
            )
        }
    };
    if unknown_document(&node) {
        return None;
    }
    let (policy, issues) = iam::parse_policy(&node);
    // Embedded documents (AWS managed policies, SAM templates) are AWS's own; their spans point
    // at the attachment, not at a statement, so only what the user wrote is reported.
    if !builtin {
        report_issues(&format!("policy `{name}`"), &issues, problems);
    }
    Some(LoadedPolicy {
        name,
        source: attached.source.clone(),
        span: attached.span,
        user_written,
        builtin,
        policy,
    })
}

/// A document that is, as a whole, a value known only at deploy time (`${templatefile(...)}`
/// of an absent file, `${var.policy}`, a Serverless `${file(...)}` not in the repository): its
/// grants are unknown, so the role's are incomplete.
fn unknown_document(node: &Node) -> bool {
    node.as_str().is_some_and(|text| {
        text.contains("${")
            && !serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object())
    })
}

fn report_issues(what: &str, issues: &[iam::PolicyIssue], problems: &mut Vec<ParseError>) {
    for issue in issues {
        problems.push(ParseError::new(
            issue.span,
            format!("{what}: {}", issue.message),
        ));
    }
}

fn short_policy_name(arn: &str) -> String {
    crate::arn::Part::new(arn).last_segment(&['/']).to_string()
}

/// `aws:ResourceTag/<key>` of requests on the resources the input declares with tags, by ARN
/// (keys lower-cased: condition keys are case-insensitive).
pub fn resource_tags(app: &App) -> std::sync::Arc<iam::ResourceTags> {
    app.resources
        .iter()
        .filter_map(|r| {
            let arn = r.arn.as_ref()?;
            let tags: BTreeMap<String, String> = r
                .tags
                .values
                .iter()
                .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.clone()?)))
                .filter(|(_, v)| !v.contains("${"))
                .collect();
            (!tags.is_empty()).then(|| (arn.clone(), tags))
        })
        .collect::<iam::ResourceTags>()
        .into()
}

/// The request context of a function's calls: its role (ARN, tags) and the function (ARN,
/// region, VPC attachment), as the app declares them (`simulate --function` uses it too).
pub fn request_context(
    role_arn: String,
    role: Option<&crate::model::Role>,
    func: &crate::model::Function,
    resource_tags: &std::sync::Arc<iam::ResourceTags>,
) -> RequestContext {
    let mut ctx = RequestContext {
        principal_arn: role_arn,
        function_arn: (!func.arn.is_empty()).then(|| func.arn.clone()),
        tags_complete: role.is_some_and(|r| r.tags.complete),
        in_vpc: Some(func.config.vpc.is_some()),
        resource_tags: resource_tags.clone(),
        ..RequestContext::default()
    };
    for (k, v) in role.map(|r| &r.tags.values).into_iter().flatten() {
        ctx = ctx.with_tag(k, v.as_deref());
    }
    ctx
}

/// Who makes a need's call: the code (an SDK call), Lambda (event sources, destinations,
/// configuration), or both.
fn caller(need: &Need) -> Caller {
    let code = need
        .because
        .iter()
        .any(|r| r.kind == needs::ReasonKind::SdkCall);
    let lambda = need
        .because
        .iter()
        .any(|r| r.kind != needs::ReasonKind::SdkCall);
    match (code, lambda) {
        (true, false) => Caller::Code,
        (false, true) => Caller::Lambda,
        _ => Caller::Either,
    }
}

/// `trust_of` gives the trust policy of a role the app declares, by ARN: assuming a role is
/// decided by the role's identity policies and the target's trust policy together. Within one
/// account a resource-based policy that names the principal grants on its own (IAM User Guide,
/// "Policy evaluation for requests within a single account": "If either the identity-based
/// policy or the resource-based policy within the same account allows the request and the
/// other doesn't, the request is still allowed"; a trust policy is the role's resource-based
/// policy), so a trust policy naming the function's role ARN lets it call `sts:AssumeRole`
/// without a grant in its own policies. One naming only the account (`:root`) delegates to the
/// identity policies.
fn evaluate_needs<'a>(
    role: &'a RoleAnalysis,
    ctx: &RequestContext,
    needs: &[Need],
    trust_of: &dyn Fn(&str) -> Option<&'a Policy>,
) -> Vec<NeedVerdict> {
    let identity: Vec<&Policy> = role.policies.iter().map(|p| &p.policy).collect();
    let boundary: Option<&Policy> = role.boundary.as_ref().map(|b| &b.policy);
    needs
        .iter()
        .map(|n| {
            let resource = match n.action.as_str() {
                "sts:AssumeRole" | "sts:TagSession" | "sts:SetSourceIdentity" => {
                    trust_of(&n.resource)
                }
                _ => None,
            };
            let set = PolicySet {
                identity: identity.clone(),
                boundary,
                resource,
                ..PolicySet::default()
            };
            let mut req = ctx.request(&n.action, &n.resource, caller(n));
            for (key, values) in &n.context {
                req.context
                    .insert(key.clone(), values.iter().cloned().collect());
            }
            let decision = iam::evaluate(&set, &req);
            let by: Vec<Span> = match &decision {
                iam::Decision::Allowed { by }
                | iam::Decision::Denied { by }
                | iam::Decision::Conditional { by, .. } => by.iter().map(|s| s.span).collect(),
            };
            let explicit = matches!(&decision, iam::Decision::Denied { by, .. } if !by.is_empty());
            let mut conditional_on = decision.unknown_keys();
            // A conditional answer also depends on the unknown policy variables in the
            // resources of the deciding grants (`secret:${aws:PrincipalTag/team}/*` where the
            // role's tag is a parameter).
            if decision.is_conditional() {
                for g in role.grants.iter().filter(|g| {
                    !g.negated
                        && iam::action_matches(&g.action, &n.action)
                        && role
                            .policies
                            .get(g.policy)
                            .and_then(|p| p.policy.statements.get(g.statement))
                            .is_some_and(|st| by.contains(&st.span))
                }) {
                    for k in unknown_variables(&g.resource, &req) {
                        if !conditional_on.iter().any(|x| x.eq_ignore_ascii_case(&k)) {
                            conditional_on.push(k);
                        }
                    }
                }
            }
            let verdict = match decision {
                iam::Decision::Allowed { .. } => Verdict::Allowed,
                iam::Decision::Conditional { .. } => Verdict::Conditional,
                iam::Decision::Denied { .. } if explicit => Verdict::Denied,
                iam::Decision::Denied { .. } if role.incomplete => Verdict::Unknown,
                // A resource with unknown parts (`arn:aws:s3:::*/*`, the bucket comes from the
                // event): any grant of the action may be the right one.
                iam::Decision::Denied { .. } if n.resource != "*" && n.resource.contains('*') => {
                    match grants_action(role, &n.action, &n.resource, &req) {
                        Some(keys) => {
                            conditional_on = keys;
                            Verdict::Conditional
                        }
                        None => Verdict::Denied,
                    }
                }
                iam::Decision::Denied { .. } => Verdict::Denied,
            };
            let false_conditions = if verdict == Verdict::Denied && !explicit {
                false_conditions(role, &n.action, &n.resource, &req)
            } else {
                Vec::new()
            };
            // Without the boundary the identity-based policies would allow it (or may): the
            // boundary is what denies ("Permissions boundaries for IAM entities").
            let boundary_blocks = verdict == Verdict::Denied
                && !explicit
                && boundary.is_some()
                && (!iam::evaluate(
                    &PolicySet {
                        boundary: None,
                        ..set.clone()
                    },
                    &req,
                )
                .is_denied()
                    || (n.resource != "*"
                        && n.resource.contains('*')
                        && grants_action_identity(role, &n.action, &n.resource, &req)));
            NeedVerdict {
                verdict,
                by,
                conditional_on,
                false_conditions,
                boundary_blocks,
            }
        })
        .collect()
}

/// The conditions that keep the grants of `action` on `resource` from applying to `req`: each
/// grant whose action and resource match but one of whose statement's conditions is false.
fn false_conditions(
    role: &RoleAnalysis,
    action: &str,
    resource: &str,
    req: &iam::Request,
) -> Vec<FalseCondition> {
    let mut out: Vec<FalseCondition> = Vec::new();
    for g in &role.grants {
        if g.negated
            || !iam::action_matches(&g.action, action)
            || iam::resource_matches(&g.resource, resource) == Match::No
        {
            continue;
        }
        let Some(st) = role
            .policies
            .get(g.policy)
            .and_then(|p| p.policy.statements.get(g.statement))
        else {
            continue;
        };
        for c in &st.conditions {
            if c.eval(req) != Match::No {
                continue;
            }
            let values: Vec<&str> = c.values.iter().map(|v| v.value.as_str()).collect();
            let fc = FalseCondition {
                condition: format!(
                    "{} {} {}",
                    c.key.value,
                    c.operator.value,
                    values.join(" or ")
                ),
                actual: req.context.get(&c.key_lc).cloned().unwrap_or_default(),
                statement: st.span,
            };
            if !out.contains(&fc) {
                out.push(fc);
            }
        }
    }
    out
}

/// Some grant of the action may cover the resource (its policy variables resolved from the
/// request), its statement's conditions are not false for this request, and the permissions
/// boundary, if any, may allow it too (IAM User Guide, "Permissions boundaries for IAM
/// entities": the effective permissions are what both the identity-based policies and the
/// boundary allow). `Some` with the condition keys whose unknown values decide those grants.
fn grants_action(
    role: &RoleAnalysis,
    action: &str,
    resource: &str,
    req: &iam::Request,
) -> Option<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    let mut any = false;
    for g in &role.grants {
        if g.negated || !iam::action_matches(&g.action, action) {
            continue;
        }
        let Some(grant) = iam::substitute_vars(&g.resource, req) else {
            continue;
        };
        if !overlaps(&grant, resource) {
            continue;
        }
        // Policy variables whose values the app does not say decide the grant too.
        for k in unknown_variables(&g.resource, req) {
            if !keys.iter().any(|x| x.eq_ignore_ascii_case(&k)) {
                keys.push(k);
            }
        }
        let st = role
            .policies
            .get(g.policy)
            .and_then(|p| p.policy.statements.get(g.statement));
        if let Some(unknown) = st.map_or(Some(Vec::new()), |st| open_conditions(st, req)) {
            any = true;
            for k in unknown {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    if !any {
        return None;
    }
    if let Some(boundary) = &role.boundary {
        boundary_may_allow(boundary, action, resource, req, &mut keys)?;
    }
    Some(keys)
}

/// What [`grants_action`] finds in the identity-based policies alone, boundary aside.
fn grants_action_identity(
    role: &RoleAnalysis,
    action: &str,
    resource: &str,
    req: &iam::Request,
) -> bool {
    role.grants.iter().any(|g| {
        !g.negated
            && iam::action_matches(&g.action, action)
            && iam::substitute_vars(&g.resource, req).is_some_and(|r| overlaps(&r, resource))
            && role
                .policies
                .get(g.policy)
                .and_then(|p| p.policy.statements.get(g.statement))
                .is_none_or(|st| open_conditions(st, req).is_some())
    })
}

/// Some Allow statement of the boundary may cover the request; adds its unknown keys.
fn boundary_may_allow(
    boundary: &LoadedPolicy,
    action: &str,
    resource: &str,
    req: &iam::Request,
    keys: &mut Vec<String>,
) -> Option<()> {
    let mut allows = false;
    for st in &boundary.policy.statements {
        if st.effect != Effect::Allow || !statement_may_cover(st, action, resource, req) {
            continue;
        }
        if let Some(unknown) = open_conditions(st, req) {
            allows = true;
            for k in unknown {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    allows.then_some(())
}

/// The policy variables of a resource pattern (`${aws:PrincipalTag/team}`) whose values the
/// request does not know, as written ("IAM policy elements: Variables and tags").
fn unknown_variables(pattern: &str, req: &iam::Request) -> Vec<String> {
    use crate::iam::pattern::VarLookup;
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        let key = inner.split(',').next().unwrap_or(inner).trim();
        // Only the global keys: a `${param:bucket}` left by a framework is a deploy-time
        // value, not a request key.
        if let iam::pattern::Subst::Var(lc, _) = iam::pattern::classify(inner)
            && lc.starts_with("aws:")
            // Unknown, or known only as a deploy-time value (`team: !Ref TeamName`).
            && req
                .lookup(&lc)
                .is_none_or(|vs| vs.iter().any(|v| v.contains("${")))
        {
            out.push(key.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// `None` when one of the statement's conditions is false for `req`, else the keys of the
/// conditions whose answer is unknown.
fn open_conditions(st: &iam::Statement, req: &iam::Request) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for c in &st.conditions {
        match c.eval(req) {
            Match::No => return None,
            Match::Unknown => keys.push(c.key.value.clone()),
            Match::Yes => {}
        }
    }
    Some(keys)
}

/// Whether a statement's action and resource elements may cover `action` on a resource with
/// unknown parts (`NotResource` is read as covering: the unknown parts may fall outside it).
fn statement_may_cover(
    st: &iam::Statement,
    action: &str,
    resource: &str,
    req: &iam::Request,
) -> bool {
    let action_ok = match &st.action {
        iam::ActionSpec::Action(p) => p.iter().any(|a| iam::action_matches(&a.value.raw, action)),
        iam::ActionSpec::NotAction(p) => {
            !p.iter().any(|a| iam::action_matches(&a.value.raw, action))
        }
    };
    action_ok
        && match &st.resource {
            iam::ResourceSpec::Resource(p) => p.iter().any(|r| {
                iam::substitute_vars(&r.value.raw, req).is_some_and(|r| overlaps(&r, resource))
            }),
            iam::ResourceSpec::NotResource(_) | iam::ResourceSpec::None => true,
        }
}

/// Whether a grant's resource pattern and a need's resource with unknown parts (`*` where
/// the code does not say, as in `arn:aws:s3:::*/*`) can name the same resource: either
/// matches the other when the other's `*` is read as a wildcard.
fn overlaps(grant: &str, need: &str) -> bool {
    iam::resource_matches(grant, need) != Match::No
        || iam::resource_matches(need, grant) != Match::No
}

/// Marks which grants of a role the needs of its functions use.
fn mark_used(role: &mut RoleAnalysis, analyses: &[FunctionAnalysis]) {
    // Each need's resource as a request names it, compiled the first time a grant's action
    // matches the need (by position in `role.functions`, then need index).
    let mut texts: Vec<Vec<Option<iam::Pattern>>> = role
        .functions
        .iter()
        .map(|&fi| vec![None; analyses.get(fi).map_or(0, |f| f.needs.len())])
        .collect();
    for g in role.grants.iter_mut() {
        if g.negated {
            continue;
        }
        // Compiled once per grant, and the action tested first: compiling both patterns for
        // every grant × need pair was the largest cost of a 10,000-function run.
        let grant_pattern = iam::Pattern::resource(&g.resource);
        for (k, &fi) in role.functions.iter().enumerate() {
            let Some(fa) = analyses.get(fi) else { continue };
            for (ni, need) in fa.needs.iter().enumerate() {
                if !iam::action_matches(&g.action, &need.action) {
                    continue;
                }
                // A grant a need matches is used even when a Deny or the boundary blocks it:
                // the grant is right, the block is what `missing-permission` reports.
                // A need whose resource has unknown parts may be served by any grant of its
                // action, as its Conditional verdict says.
                let unknown_part = need.resource != "*" && need.resource.contains('*');
                let resource_ok = if unknown_part {
                    overlaps(&g.resource, &need.resource)
                } else {
                    let text =
                        texts[k][ni].get_or_insert_with(|| iam::Pattern::text(&need.resource));
                    iam::pattern::glob(&grant_pattern, text, &()) != Match::No
                };
                if resource_ok {
                    g.used_by.push((fi, ni));
                }
            }
        }
    }
}
