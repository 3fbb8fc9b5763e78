//! Bundles: AWS managed policies and SAM policy templates, attached whole, of which the
//! functions may use a part. What `unused-permission` and `wildcard-permission` both need to
//! know about them: which of their actions the functions use, which they do not, and the
//! narrowest replacement that still grants what is used.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use super::RuleContext;
use crate::analysis::{LoadedPolicy, RoleAnalysis};
use crate::data;
use crate::iam::{self, Effect, Match, Policy, PolicySet, Request};
use crate::model::PolicySource;
use crate::needs::Need;
use crate::source::Span;
use crate::syntax::node::Node;

/// Rights a call may use on the caller's behalf, which its code does not show (forward access
/// sessions): (services the function calls, actions such grants may serve).
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

/// A SAM replacement is offered only when it leaves at most this share of the attachment's
/// unused actions (1/2): otherwise the inline statement is the narrower fix by far.
const SAM_SURPLUS_SHARE: usize = 2;

/// How a role's functions use one bundle.
#[derive(Debug)]
pub struct BundleUse {
    /// Actions of the bundle that something uses.
    pub used: BTreeSet<String>,
    /// Actions of the bundle nothing uses, as written for reading: `svc:*` for a whole
    /// service none of whose actions is used, single actions otherwise.
    pub unused: Vec<String>,
    /// The number of single actions the bundle grants.
    pub granted: usize,
    /// What the functions use through the bundle: (action, resource).
    pub served: Vec<iam::Requirement>,
}

/// The narrowest replacement for a bundle used in part.
#[derive(Debug)]
pub enum Replacement {
    /// One or more SAM policy templates with the attachment's parameters, and the policy
    /// document they expand to.
    Sam {
        templates: Vec<String>,
        params: BTreeMap<String, String>,
        document: serde_json::Value,
    },
    /// An inline statement (or policy) granting exactly what is used.
    Inline(serde_json::Value),
}

impl RuleContext<'_> {
    /// Actions that count as used on a role although no need names them: rights services
    /// use on the functions' behalf, and `logs:CreateLogGroup` beside log writing (Lambda
    /// creates the group when it is missing).
    pub fn incidental_actions(&self, ra: &RoleAnalysis) -> Vec<&'static str> {
        let needs = || {
            ra.functions
                .iter()
                .filter_map(|&fi| self.analysis.functions.get(fi))
                .flat_map(|fa| fa.needs.iter())
        };
        let services: BTreeSet<&str> = needs().filter_map(|n| n.action.split(':').next()).collect();
        let mut out: Vec<&'static str> = ON_BEHALF
            .iter()
            .filter(|(callers, _)| callers.iter().any(|s| services.contains(s)))
            .flat_map(|(_, actions)| actions.iter().copied())
            .collect();
        if needs().any(|n| n.action == "logs:CreateLogStream") {
            out.push("logs:CreateLogGroup");
        }
        // A mounted file system is written to when the code writes files, which rolefit does
        // not follow ("Configuring file system access for Lambda functions": `ClientWrite`
        // unless the access is read-only).
        if needs().any(|n| n.action == "elasticfilesystem:ClientMount") {
            out.push("elasticfilesystem:ClientWrite");
        }
        out
    }

    /// Every need of every function on the role.
    pub fn role_needs<'r>(&'r self, ra: &'r RoleAnalysis) -> impl Iterator<Item = &'r Need> + 'r {
        ra.functions
            .iter()
            .filter_map(|&fi| self.analysis.functions.get(fi))
            .flat_map(|fa| fa.needs.iter())
    }

    /// How the role's functions use the bundle `pi` (an AWS managed policy or SAM policy
    /// template the user attached); `None` for other policies and for bundles whose extent
    /// is not a list of actions (`NotAction`, `NotResource`).
    pub fn bundle_use(&self, ra: &RoleAnalysis, pi: usize) -> Option<BundleUse> {
        let p = ra.policies.get(pi)?;
        if !p.builtin || !p.user_written {
            return None;
        }
        let catalog = data::catalog();
        let incidental = self.incidental_actions(ra);
        let mut granted: BTreeSet<String> = BTreeSet::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut served: BTreeSet<(String, String)> = BTreeSet::new();
        for g in ra.grants.iter().filter(|g| g.policy == pi) {
            if g.negated {
                return None;
            }
            granted.extend(catalog.expand(&g.action).iter().map(|a| a.full_name()));
            for &(fi, ni) in &g.used_by {
                if let Some(n) = self
                    .analysis
                    .functions
                    .get(fi)
                    .and_then(|f| f.needs.get(ni))
                {
                    used.insert(n.action.clone());
                    // The narrower of the two: a need with unknown parts (`arn:aws:s3:::*/*`,
                    // the bucket comes from the event) that the grant does not contain takes
                    // the bundle's own resource, so the fix never widens the grant.
                    let within = iam::resource_matches(&g.resource, &n.resource) == Match::Yes;
                    let resource = if within || g.resource == "*" {
                        n.resource.clone()
                    } else {
                        g.resource.clone()
                    };
                    served.insert((n.action.clone(), resource));
                }
            }
            // An action that takes only `Resource: "*"`, needed and granted here on an ARN: IAM
            // ignores the grant; `missing-permission` or `unused-permission` on the need says
            // so, and the bundle does not call it unused.
            for n in self.role_needs(ra) {
                if n.resource == "*"
                    && super::takes_only_star(&n.action)
                    && iam::action_matches(&g.action, &n.action)
                {
                    used.insert(n.action.clone());
                }
            }
            for a in incidental
                .iter()
                .filter(|a| iam::action_matches(&g.action, a))
            {
                used.insert((*a).to_string());
                served.insert(((*a).to_string(), g.resource.clone()));
            }
        }
        let ignored = |a: &str| {
            self.config
                .ignore_actions
                .iter()
                .any(|i| iam::action_matches(i, a))
        };
        let unused: BTreeSet<&String> = granted
            .iter()
            .filter(|a| !used.contains(*a) && !ignored(a))
            .collect();
        Some(BundleUse {
            unused: compress(&unused, &granted, &used),
            granted: granted.len(),
            used,
            served: served
                .into_iter()
                .map(|(action, resource)| iam::Requirement { action, resource })
                .collect(),
        })
    }

    /// The narrowest replacement of a bundle used in part: for a SAM policy template, the
    /// smallest template with the same parameters that grants everything used, else a pair
    /// of them, when it removes at least half of what is unused; otherwise an inline
    /// statement with exactly what is used.
    pub fn replacement(&self, p: &LoadedPolicy, bundle: &BundleUse) -> Replacement {
        if let PolicySource::SamTemplate { name, params } = &p.source
            && let Some(r) = sam_replacement(name, params, bundle, p)
        {
            return r;
        }
        Replacement::Inline(self.suggested_statement(&bundle.served))
    }
}

/// Unused actions for reading: a service of which the bundle grants every action and the
/// functions use none becomes `svc:*`.
fn compress(
    unused: &BTreeSet<&String>,
    granted: &BTreeSet<String>,
    used: &BTreeSet<String>,
) -> Vec<String> {
    let catalog = data::catalog();
    let mut by_service: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for a in unused {
        let prefix = a.split(':').next().unwrap_or_default();
        by_service.entry(prefix).or_default().push(a);
    }
    let mut out = Vec::new();
    for (prefix, actions) in by_service {
        let all = catalog.actions_of(prefix);
        let whole = !all.is_empty()
            && all.iter().all(|a| granted.contains(&a.full_name()))
            && !used.iter().any(|u| u.split(':').next() == Some(prefix));
        if whole {
            out.push(format!("{prefix}:*"));
        } else {
            out.extend(actions.into_iter().cloned());
        }
    }
    out
}

/// A SAM template candidate: its name, document, parsed policy and the actions it grants.
struct Candidate {
    name: String,
    document: serde_json::Value,
    policy: Policy,
    actions: BTreeSet<String>,
}

/// SAM policy templates expanded, by the parameters they were expanded with.
type Expanded = HashMap<BTreeMap<String, String>, Rc<Vec<Candidate>>>;

thread_local! {
    /// Every SAM policy template expanded with one set of parameters: the same parameters
    /// (a table name, a bucket) recur across the attachments of an app, and expanding all
    /// templates for each was most of this rule's time on large apps.
    static EXPANDED: RefCell<Expanded> = RefCell::new(HashMap::new());
}

/// The SAM policy templates whose parameters `params` fill, expanded and parsed (spans are
/// `span`: a replacement's document is printed, never located).
fn expanded_templates(params: &BTreeMap<String, String>, span: Span) -> Rc<Vec<Candidate>> {
    if let Some(hit) = EXPANDED.with(|c| c.borrow().get(params).cloned()) {
        return hit;
    }
    let all: Vec<Candidate> = data::sam_template_names()
        .filter_map(|n| {
            let t = data::sam_template(n)?;
            if t.parameters.is_empty() || !t.parameters.iter().all(|x| params.contains_key(x)) {
                return None;
            }
            let document = data::sam_expand(n, params).ok()?;
            let (policy, _) = iam::parse_policy(&Node::from_json(&document, span));
            let actions = policy_actions(&policy);
            (!actions.is_empty()).then(|| Candidate {
                name: n.to_string(),
                document,
                policy,
                actions,
            })
        })
        .collect();
    let all = Rc::new(all);
    EXPANDED.with(|c| c.borrow_mut().insert(params.clone(), all.clone()));
    all
}

fn sam_replacement(
    current: &str,
    params: &BTreeMap<String, String>,
    bundle: &BundleUse,
    p: &LoadedPolicy,
) -> Option<Replacement> {
    let surplus_now = bundle.granted.saturating_sub(bundle.used.len());
    let all = expanded_templates(params, p.span);
    let candidates: Vec<&Candidate> = all
        .iter()
        .filter(|c| c.name != current && c.actions.len() < bundle.granted)
        .collect();
    let covered: Vec<Vec<bool>> = candidates
        .iter()
        .map(|c| bundle.served.iter().map(|r| covers(&c.policy, r)).collect())
        .collect();
    let fits = |surplus: usize| surplus * SAM_SURPLUS_SHARE <= surplus_now;
    // One template: the one granting the fewest actions.
    let single = candidates
        .iter()
        .zip(&covered)
        .filter(|(_, cov)| cov.iter().all(|&b| b))
        .min_by_key(|(c, _)| (c.actions.len(), c.name.clone()));
    if let Some((c, _)) = single {
        let surplus = c.actions.len().saturating_sub(bundle.used.len());
        return fits(surplus).then(|| Replacement::Sam {
            templates: vec![c.name.clone()],
            params: params.clone(),
            document: c.document.clone(),
        });
    }
    // Two templates together: the pair granting the fewest actions.
    let mut best: Option<(usize, usize, usize)> = None;
    for i in 0..candidates.len() {
        for j in i + 1..candidates.len() {
            if !covered[i].iter().zip(&covered[j]).all(|(a, b)| *a || *b) {
                continue;
            }
            let n = candidates[i].actions.union(&candidates[j].actions).count();
            if best.is_none_or(|(m, ..)| n < m) {
                best = Some((n, i, j));
            }
        }
    }
    let (n, i, j) = best?;
    if !fits(n.saturating_sub(bundle.used.len())) {
        return None;
    }
    let statements: Vec<serde_json::Value> = [&candidates[i], &candidates[j]]
        .iter()
        .flat_map(|c| statements_of(&c.document))
        .collect();
    Some(Replacement::Sam {
        templates: vec![candidates[i].name.clone(), candidates[j].name.clone()],
        params: params.clone(),
        document: serde_json::json!({ "Version": "2012-10-17", "Statement": statements }),
    })
}

fn statements_of(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    match doc.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    }
}

/// The single actions a policy's Allow statements grant.
fn policy_actions(policy: &Policy) -> BTreeSet<String> {
    let catalog = data::catalog();
    policy
        .statements
        .iter()
        .filter(|st| st.effect == Effect::Allow)
        .filter_map(|st| match &st.action {
            iam::ActionSpec::Action(patterns) => Some(patterns),
            iam::ActionSpec::NotAction(_) => None,
        })
        .flatten()
        .flat_map(|p| catalog.expand(&p.value.raw))
        .map(|a| a.full_name())
        .collect()
}

/// Whether a policy grants a requirement. A resource with unknown parts (`arn:aws:s3:::*/*`)
/// is granted by any Allow of the action on a resource that can name the same thing.
fn covers(policy: &Policy, req: &iam::Requirement) -> bool {
    let set = PolicySet {
        identity: vec![policy],
        ..PolicySet::default()
    };
    let request = Request::new(
        "arn:aws:iam::${AWS::AccountId}:role/rolefit",
        &req.action,
        &req.resource,
    );
    if !matches!(iam::evaluate(&set, &request), iam::Decision::Denied { .. }) {
        return true;
    }
    if req.resource == "*" || !req.resource.contains('*') {
        return false;
    }
    policy.statements.iter().any(|st| {
        st.effect == Effect::Allow
            && matches!(&st.action, iam::ActionSpec::Action(a)
                if a.iter().any(|p| iam::action_matches(&p.value.raw, &req.action)))
            && matches!(&st.resource, iam::ResourceSpec::Resource(r)
                if r.iter().any(|p| iam::resource_matches(&p.value.raw, &req.resource) != Match::No
                    || iam::resource_matches(&req.resource, &p.value.raw) != Match::No))
    })
}
