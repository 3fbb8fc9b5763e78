//! The input of `aws iam simulate-custom-policy --cli-input-json` ("SimulateCustomPolicy",
//! Request Parameters, https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html):
//! `PolicyInputList`, `PermissionsBoundaryPolicyInputList`, `ActionNames`, `ResourceArns`,
//! `ResourcePolicy`, `ResourceOwner`, `CallerArn`, `ContextEntries`; and rolefit's extensions
//! `SessionPolicyInputList`, `ServiceControlPolicies` and `ResourceControlPolicies` (levels,
//! root first, `{"Id": …, "Policies": […]}`) and `ManagementAccountId`. A policy is a JSON
//! string, as the AWS CLI takes it, or a JSON object; positions are within the text as given.

use crate::iam::parse_policy;
use crate::source::{SourceMap, Span};
use crate::syntax::node::{Node, Value};

use super::{Caller, SimError, SimPolicy, Simulation};

const KEYS: &[&str] = &[
    "PolicyInputList",
    "PermissionsBoundaryPolicyInputList",
    "ActionNames",
    "ResourceArns",
    "ResourcePolicy",
    "ResourceOwner",
    "CallerArn",
    "ContextEntries",
    "ResourceHandlingOption",
    "MaxItems",
    "Marker",
    "SessionPolicyInputList",
    "ServiceControlPolicies",
    "ResourceControlPolicies",
    "ManagementAccountId",
];

/// Reads the input JSON text (`path` names it in messages and the human output).
pub fn parse(path: &str, text: &str) -> Result<Simulation, SimError> {
    let mut sources = SourceMap::default();
    let id = sources.add(path, text);
    let file = sources
        .get(id)
        .ok_or_else(|| SimError(format!("{path}: cannot be read")))?
        .clone();
    let root = crate::syntax::json::parse(&file).map_err(|e| {
        let (l, c) = file.line_col(e.span.start);
        SimError(format!("{path} (line {l}, column {c}): {}", e.message))
    })?;
    if !root.is_map() {
        return Err(SimError(format!("{path}: the input must be a JSON object")));
    }
    let at = |sources: &SourceMap, span: Span| {
        sources
            .get(span.file)
            .map(|f| {
                let (l, c) = f.line_col(span.start);
                format!("{} (line {l}, column {c})", f.path)
            })
            .unwrap_or_default()
    };
    for (k, _) in root.entries() {
        if !KEYS.contains(&k.name.as_str()) {
            return Err(SimError(format!(
                "{}: unknown parameter `{}`",
                at(&sources, k.span),
                k.name
            )));
        }
    }
    let mut sim = Simulation {
        sources,
        identity: Vec::new(),
        boundary: None,
        sessions: Vec::new(),
        scp_levels: Vec::new(),
        rcp_levels: Vec::new(),
        resource_policy: None,
        actions: Vec::new(),
        resources: Vec::new(),
        resource_owner: None,
        caller: Caller::Unspecified,
        context: Vec::new(),
        management_account: None,
        app_context: None,
        aws_positions: true,
    };
    let list = |sim: &mut Simulation, key: &str, kind: &'static str| {
        let mut out = Vec::new();
        if let Some(n) = root.get(key) {
            if !n.is_seq() {
                return Err(SimError(format!(
                    "{}: {key} must be a list of policies",
                    at(&sim.sources, n.span)
                )));
            }
            for (i, p) in n.items().enumerate() {
                out.push(policy(sim, &format!("{key}.{}", i + 1), kind, p)?);
            }
        }
        Ok(out)
    };
    sim.identity = list(&mut sim, "PolicyInputList", "none")?;
    let mut boundaries = list(
        &mut sim,
        "PermissionsBoundaryPolicyInputList",
        "permissions-boundary",
    )?;
    if boundaries.len() > 1 {
        return Err(SimError(
            "PermissionsBoundaryPolicyInputList: a principal has at most one permissions boundary"
                .into(),
        ));
    }
    sim.boundary = boundaries.pop();
    sim.sessions = list(&mut sim, "SessionPolicyInputList", "session")?;
    if let Some(n) = root.get("ResourcePolicy") {
        sim.resource_policy = Some(policy(&mut sim, "ResourcePolicy", "resource", n)?);
    }
    for (key, kind) in [
        ("ServiceControlPolicies", "scp"),
        ("ResourceControlPolicies", "rcp"),
    ] {
        let Some(n) = root.get(key) else { continue };
        if !n.is_seq() {
            return Err(SimError(format!(
                "{}: {key} must be a list of levels, root first, each {{\"Id\": …, \"Policies\": […]}}",
                at(&sim.sources, n.span)
            )));
        }
        let mut levels = Vec::new();
        for (i, level) in n.items().enumerate() {
            let id = level
                .get("Id")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| (i + 1).to_string());
            let Some(ps) = level.get("Policies").filter(|p| p.is_seq()) else {
                return Err(SimError(format!(
                    "{}: each level of {key} needs a list `Policies`",
                    at(&sim.sources, level.span)
                )));
            };
            let mut policies = Vec::new();
            for (j, p) in ps.items().enumerate() {
                policies.push(policy(&mut sim, &format!("{key}.{id}.{}", j + 1), kind, p)?);
            }
            levels.push((id, policies));
        }
        if kind == "scp" {
            sim.scp_levels = levels;
        } else {
            sim.rcp_levels = levels;
        }
    }
    sim.actions = strings(&sim, &root, "ActionNames")?;
    if sim.actions.is_empty() {
        return Err(SimError(
            "ActionNames: at least one action is required".into(),
        ));
    }
    for a in &sim.actions {
        if a != "*" && !a.contains(':') {
            return Err(SimError(format!(
                "ActionNames: `{a}` is not an action (`service:Action`)"
            )));
        }
    }
    sim.resources = strings(&sim, &root, "ResourceArns")?;
    sim.resource_owner = scalar(&sim, &root, "ResourceOwner")?;
    sim.management_account = scalar(&sim, &root, "ManagementAccountId")?;
    if let Some(caller) = scalar(&sim, &root, "CallerArn")? {
        sim.caller = parse_caller(&caller)?;
    }
    if let Some(entries) = root.get("ContextEntries") {
        for e in entries.items() {
            sim.context.push(context_entry(&sim, e)?);
        }
    }
    super::validate(&sim)?;
    Ok(sim)
}

/// `CallerArn`: an IAM user, role, role session or account ARN, `service:<principal>`, or
/// `anonymous`.
pub fn parse_caller(text: &str) -> Result<Caller, SimError> {
    if text.eq_ignore_ascii_case("anonymous") {
        return Ok(Caller::Anonymous);
    }
    if let Some(s) = text.strip_prefix("service:") {
        if s.is_empty() {
            return Err(SimError(
                "CallerArn: `service:` needs a service principal".into(),
            ));
        }
        return Ok(Caller::Service(s.to_string()));
    }
    let arn = crate::arn::Arn::parse(text)
        .map_err(|_| SimError(format!("CallerArn: `{text}` is not an ARN")))?;
    let Some([partition, service, _, account, resource]) = arn.fields() else {
        return Err(SimError(format!("CallerArn: `{text}` is not an ARN")));
    };
    // A role session, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`: its role is
    // `arn:aws:iam::ACCOUNT:role/ROLE` ("IAM identifiers", "IAM ARNs",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
    if service.as_str() == "sts" {
        let mut parts = resource.as_str().splitn(3, '/');
        return match (parts.next(), parts.next(), parts.next()) {
            (Some("assumed-role"), Some(role), Some(_)) => Ok(Caller::Iam {
                arn: format!("arn:{partition}:iam::{account}:role/{role}"),
                session: Some(text.to_string()),
            }),
            _ => Err(SimError(format!(
                "CallerArn: `{text}` is not a role session ARN (`assumed-role/ROLE/SESSION`)"
            ))),
        };
    }
    if service.as_str() != "iam" {
        return Err(SimError(format!(
            "CallerArn: `{text}` is not an IAM user, role or account ARN"
        )));
    }
    Ok(Caller::Iam {
        arn: text.to_string(),
        session: None,
    })
}

fn scalar(sim: &Simulation, root: &Node, key: &str) -> Result<Option<String>, SimError> {
    match root.get(key) {
        None => Ok(None),
        Some(n) => match &n.value {
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(SimError(format!(
                "{key}{}: must be a string",
                super::position_text(sim, n.span)
            ))),
        },
    }
}

fn strings(sim: &Simulation, root: &Node, key: &str) -> Result<Vec<String>, SimError> {
    let Some(n) = root.get(key) else {
        return Ok(Vec::new());
    };
    if !n.is_seq() {
        return Err(SimError(format!(
            "{key}{}: must be a list of strings",
            super::position_text(sim, n.span)
        )));
    }
    n.items()
        .map(|i| match &i.value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(SimError(format!(
                "{key}{}: must be a list of strings",
                super::position_text(sim, i.span)
            ))),
        })
        .collect()
}

/// A policy given as JSON text (read as a text of its own, so positions are within it) or as
/// an object (positions are in the input file).
fn policy(
    sim: &mut Simulation,
    id: &str,
    kind: &'static str,
    n: &Node,
) -> Result<SimPolicy, SimError> {
    let node = match &n.value {
        Value::String(text) => {
            let fid = sim.sources.add(id, text.as_str());
            let file = sim
                .sources
                .get(fid)
                .ok_or_else(|| SimError(format!("{id}: cannot be read")))?
                .clone();
            crate::syntax::json::parse(&file).map_err(|e| {
                let (l, c) = file.line_col(e.span.start);
                SimError(format!(
                    "{id} (line {l}, column {c}): malformed policy document: {}",
                    e.message
                ))
            })?
        }
        Value::Map(_) => n.clone(),
        _ => {
            return Err(SimError(format!(
                "{id}{}: a policy must be a JSON string or object",
                super::position_text(sim, n.span)
            )));
        }
    };
    if !node.is_map() {
        return Err(SimError(format!(
            "{id}: malformed policy document: it must be a JSON object"
        )));
    }
    let (mut policy, issues) = parse_policy(&node);
    // "IAM policy elements: Variables and tags": "If you don't include the Version element
    // [2012-10-17] ..., variables such as ${aws:username} aren't recognized as variables and
    // are instead treated as literal strings in the policy."
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    if policy.version.as_ref().map(|v| v.value.as_str()) != Some("2012-10-17") {
        literal_variables(&mut policy);
    }
    if let Some(issue) = issues.first() {
        return Err(SimError(format!(
            "{id}{}: malformed policy document: {}",
            super::position_text(sim, issue.span),
            issue.message
        )));
    }
    Ok(SimPolicy {
        id: id.to_string(),
        kind,
        policy,
        anchor: None,
    })
}

fn literal_variables(policy: &mut crate::iam::Policy) {
    use crate::iam::ResourceSpec;
    use crate::iam::pattern::{Pattern, Syntax};
    let literal = Syntax {
        substitutions: false,
        ..Syntax::RESOURCE
    };
    for st in &mut policy.statements {
        if let ResourceSpec::Resource(ps) | ResourceSpec::NotResource(ps) = &mut st.resource {
            for p in ps.iter_mut() {
                p.value = Pattern::compile(&p.value.raw, literal);
            }
        }
    }
}

/// The value types `ContextKeyType` names ("ContextEntry",
/// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html).
const TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

fn context_entry(sim: &Simulation, e: &Node) -> Result<(String, Vec<String>), SimError> {
    let at = super::position_text(sim, e.span);
    let Some(name) = e.get("ContextKeyName").and_then(Node::as_str) else {
        return Err(SimError(format!(
            "ContextEntries{at}: each entry needs a ContextKeyName"
        )));
    };
    let mut values = Vec::new();
    if let Some(v) = e.get("ContextKeyValues") {
        for item in v.items() {
            match item.scalar_text() {
                Some(s) => values.push(s),
                None => {
                    return Err(SimError(format!(
                        "ContextEntries `{name}`{}: values must be strings",
                        super::position_text(sim, item.span)
                    )));
                }
            }
        }
    }
    if let Some(t) = e.get("ContextKeyType") {
        let Some(t) = t.as_str() else {
            return Err(SimError(format!(
                "ContextEntries `{name}`: ContextKeyType must be a string"
            )));
        };
        let Some(ty) = TYPES.iter().find(|x| x.eq_ignore_ascii_case(t)) else {
            return Err(SimError(format!(
                "ContextEntries `{name}`: unknown ContextKeyType `{t}` (one of {})",
                TYPES.join(", ")
            )));
        };
        if !ty.ends_with("List") && values.len() > 1 {
            return Err(SimError(format!(
                "ContextEntries `{name}`: type {ty} takes one value, {} given",
                values.len()
            )));
        }
        let base = ty.trim_end_matches("List");
        for v in &values {
            let ok = match base {
                "numeric" => v.trim().parse::<f64>().is_ok(),
                "boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
                "ip" => super::valid_cidr(v),
                "date" => crate::iam::condition::parse_date(v).is_some(),
                _ => true,
            };
            if !ok {
                return Err(SimError(format!(
                    "ContextEntries `{name}`: `{v}` is not a {base} value"
                )));
            }
        }
    }
    Ok((name.to_string(), values))
}
