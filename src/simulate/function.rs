//! `rolefit simulate --function NAME --action ACTION [--resource ARN] [--context KEY=VALUE …]`:
//! the request a function's code makes, built from the audited app — the execution role's
//! policies and boundary, the role's tags, the function's ARN, account and region (the
//! request context `audit` uses, [`crate::analysis::request_context`]), and the resource-based
//! policy the app declares for the target (a role's trust policy for `sts:AssumeRole`, a
//! function's Lambda permissions for `lambda:` actions).

use crate::analysis::{LoadedPolicy, request_context, resource_tags};
use crate::app::Audit;
use crate::model::PolicySource;

use super::{Caller, SimError, SimPolicy, Simulation};

/// What the command line asks.
#[derive(Clone, Debug, Default)]
pub struct FunctionQuery {
    /// A function name (logical id, Serverless key) or report id (`template.yaml#Fn`).
    pub function: String,
    pub action: String,
    /// An ARN or the logical id of a resource the app declares; `None`: the resources the
    /// function's needs name for the action.
    pub resource: Option<String>,
    /// `KEY=VALUE` pairs; a key given twice has several values.
    pub context: Vec<(String, String)>,
}

fn kind_of(p: &LoadedPolicy) -> &'static str {
    match &p.source {
        PolicySource::Inline { .. } | PolicySource::SamTemplate { .. } => "role",
        PolicySource::Customer { .. } => "user-managed",
        PolicySource::Managed { arn } | PolicySource::Implicit { arn, .. }
            if arn.starts_with("arn:aws:iam::aws:policy/") || !arn.starts_with("arn:") =>
        {
            "aws-managed"
        }
        PolicySource::Managed { .. } | PolicySource::Implicit { .. } => "user-managed",
    }
}

fn sim_policy(p: &LoadedPolicy, kind: Option<&'static str>) -> SimPolicy {
    SimPolicy {
        id: p.name.clone(),
        kind: kind.unwrap_or_else(|| kind_of(p)),
        policy: p.policy.clone(),
        anchor: Some(p.span),
    }
}

/// The resource-based policy of a function the app declares: its `AWS::Lambda::Permission`s
/// (and the ones SAM and Serverless generate), one statement each, shown at the permission.
/// A principal is a service (`s3.amazonaws.com`), an account id, an ARN or `*` ("Working with
/// resource-based IAM policies in Lambda",
/// https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
fn lambda_policy(app: &crate::model::App, target: &str) -> Option<SimPolicy> {
    let func = app.functions.iter().find(|f| f.arn == target)?;
    let mut statements = Vec::new();
    let mut anchor = None;
    for p in app
        .permissions
        .iter()
        .filter(|p| p.function.as_deref() == Some(func.id.as_str()))
    {
        let principal = p.principal.value.as_str();
        let principal = if principal == "*" {
            serde_json::json!("*")
        } else if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn")
        {
            serde_json::json!({ "Service": principal })
        } else {
            serde_json::json!({ "AWS": principal })
        };
        let resource = match &p.qualifier {
            Some(q) => format!("{}:{q}", func.arn),
            None => func.arn.clone(),
        };
        let mut st = serde_json::json!({
            "Effect": "Allow",
            "Principal": principal,
            "Action": p.action.value,
            "Resource": resource,
        });
        let mut cond = serde_json::Map::new();
        if let Some(a) = &p.source_arn {
            cond.insert(
                "ArnLike".into(),
                serde_json::json!({"aws:SourceArn": a.value}),
            );
        }
        let mut eq = serde_json::Map::new();
        if let Some(a) = &p.source_account {
            eq.insert("aws:SourceAccount".into(), serde_json::json!(a.value));
        }
        if let Some(o) = &p.principal_org_id {
            eq.insert("aws:PrincipalOrgID".into(), serde_json::json!(o.value));
        }
        if let Some(t) = &p.function_url_auth_type {
            eq.insert(
                "lambda:FunctionUrlAuthType".into(),
                serde_json::json!(t.value),
            );
        }
        if !eq.is_empty() {
            cond.insert("StringEquals".into(), serde_json::Value::Object(eq));
        }
        if !cond.is_empty() {
            st["Condition"] = serde_json::Value::Object(cond);
        }
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [st]});
        let (policy, _) = crate::iam::parse_policy_json(&doc.to_string(), p.span);
        anchor.get_or_insert(p.span);
        statements.extend(policy.statements);
    }
    let span = anchor?;
    Some(SimPolicy {
        id: format!("{} resource-based policy", func.name),
        kind: "resource",
        policy: crate::iam::Policy {
            version: None,
            statements,
            span,
        },
        anchor: Some(span),
    })
}

/// Builds the simulation of one function's request. `audit` is consumed: its sources become
/// the simulation's, so statements are shown at their template lines.
pub fn build(audit: Audit, q: &FunctionQuery) -> Result<Simulation, SimError> {
    let Audit {
        sources,
        app,
        analysis,
        ..
    } = audit;
    let matches: Vec<usize> = app
        .functions
        .iter()
        .enumerate()
        .filter(|(_, f)| f.id == q.function || f.name == q.function)
        .map(|(i, _)| i)
        .collect();
    let fi = match matches.as_slice() {
        [one] => *one,
        [] => {
            let names: Vec<&str> = app.functions.iter().map(|f| f.name.as_str()).collect();
            return Err(SimError(format!(
                "no function named `{}`; the app declares: {}",
                q.function,
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        several => {
            let ids: Vec<&str> = several
                .iter()
                .filter_map(|&i| app.functions.get(i).map(|f| f.id.as_str()))
                .collect();
            return Err(SimError(format!(
                "`{}` names several functions; give one of: {}",
                q.function,
                ids.join(", ")
            )));
        }
    };
    let func = &app.functions[fi];
    let fa = analysis.functions.get(fi);
    let role_analysis = fa
        .and_then(|f| f.role)
        .and_then(|ri| analysis.roles.get(ri));
    let Some(ra) = role_analysis else {
        return Err(SimError(format!(
            "function `{}` has no execution role the app declares: its permissions are unknown",
            func.name
        )));
    };
    let role = app.roles.get(ra.role);
    // As `audit` does: a role whose ARN is unknown is still one of the stack's own.
    let role_arn = match role.map(|r| r.arn.as_str()) {
        Some(a) if !a.is_empty() => a.to_string(),
        _ => format!(
            "arn:aws:iam::${{AWS::AccountId}}:role/{}",
            role.map_or("unknown", |r| r.name.as_str())
        ),
    };
    let ctx = request_context(role_arn.clone(), role, func, &resource_tags(&app));
    let resources: Vec<String> = match &q.resource {
        Some(r) => {
            let by_id = app
                .resources
                .iter()
                .find(|x| x.logical_id == *r)
                .and_then(|x| x.arn.clone())
                .or_else(|| {
                    app.functions
                        .iter()
                        .find(|f| f.name == *r || f.id == *r)
                        .map(|f| f.arn.clone())
                        .filter(|a| !a.is_empty())
                })
                .or_else(|| {
                    app.roles
                        .iter()
                        .find(|x| x.name == *r || x.id.ends_with(&format!("#{r}")))
                        .map(|x| x.arn.clone())
                        .filter(|a| !a.is_empty())
                });
            vec![by_id.unwrap_or_else(|| r.clone())]
        }
        None => {
            let mut rs: Vec<String> = fa
                .map(|f| f.needs.as_slice())
                .unwrap_or_default()
                .iter()
                .filter(|n| n.action.eq_ignore_ascii_case(&q.action))
                .map(|n| n.resource.clone())
                .collect();
            rs.dedup();
            if rs.is_empty() {
                rs.push("*".to_string());
            }
            rs
        }
    };
    // The resource-based policy the app declares for the target: a role's trust policy for
    // the STS actions that assume it (as `audit` evaluates them).
    let resource_policy = match q.action.to_ascii_lowercase().as_str() {
        "sts:assumerole" | "sts:tagsession" | "sts:setsourceidentity" => resources
            .first()
            .and_then(|r| {
                analysis
                    .roles
                    .iter()
                    .find(|x| app.roles.get(x.role).is_some_and(|m| m.arn == *r))
            })
            .and_then(|x| {
                let m = app.roles.get(x.role)?;
                Some(SimPolicy {
                    id: format!("{} trust policy", m.name),
                    kind: "resource",
                    policy: x.trust.clone()?,
                    anchor: m.trust.as_ref().map(|t| t.span),
                })
            }),
        a if a.starts_with("lambda:") => resources.first().and_then(|r| lambda_policy(&app, r)),
        _ => None,
    };
    let mut context: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in &q.context {
        match context.iter_mut().find(|(x, _)| x.eq_ignore_ascii_case(k)) {
            Some((_, vs)) => vs.push(v.clone()),
            None => context.push((k.clone(), vec![v.clone()])),
        }
    }
    Ok(Simulation {
        sources,
        identity: ra.policies.iter().map(|p| sim_policy(p, None)).collect(),
        boundary: ra
            .boundary
            .as_ref()
            .map(|b| sim_policy(b, Some("permissions-boundary"))),
        sessions: Vec::new(),
        scp_levels: Vec::new(),
        rcp_levels: Vec::new(),
        resource_policy,
        actions: vec![q.action.clone()],
        resources,
        resource_owner: None,
        caller: Caller::Iam {
            arn: role_arn,
            session: None,
        },
        context,
        management_account: None,
        app_context: Some(ctx),
        aws_positions: false,
    })
}
