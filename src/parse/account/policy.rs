//! `aws lambda get-policy`: a function's resource-based policy, one [`InvokePermission`] per
//! statement, principal and action. The well-known condition keys that narrow a grant
//! (`AWS:SourceArn`, `AWS:SourceAccount`, `aws:PrincipalOrgID`, `lambda:FunctionUrlAuthType`,
//! "Resource-based policies" in the Lambda Developer Guide) fill the model's fields; the
//! whole `Condition` is kept too.

use super::{FunctionIndex, Outcome, account_of, policy_document, text, unqualified};
use crate::arn::Arn;
use crate::model::InvokePermission;
use crate::source::{SourceFile, Spanned};
use crate::syntax::ParseError;
use crate::syntax::node::{Node, Value};

/// Condition operators that only let matching requests through. Negated and `IfExists`
/// operators do not narrow who may call.
const NARROWING: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
];

/// Reads one `get-policy` output.
pub fn lower(file: &SourceFile, root: &Node, index: &FunctionIndex, out: &mut Outcome) {
    let Some(policy) = root.get("Policy") else {
        return;
    };
    let doc = match policy_document(file, policy) {
        Ok(doc) => doc,
        Err(e) => {
            out.issues.push(e);
            return;
        }
    };
    let Some(statements) = doc.get("Statement") else {
        out.issues
            .push(ParseError::new(doc.span, "policy without `Statement`"));
        return;
    };
    // The file's name is the function's when statements name it by a form we cannot match.
    let stem = file
        .path
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or_default();
    for (si, st) in statements.items().enumerate() {
        if !st.is_map() {
            out.issues
                .push(ParseError::new(st.span, "statement must be an object"));
            continue;
        }
        if st.get("Effect").and_then(Node::as_str) != Some("Allow") {
            continue;
        }
        let resource = text(st, "Resource");
        let (arn, qualifier) = resource
            .as_ref()
            .map(|r| unqualified(&r.value))
            .unwrap_or_default();
        // Only Lambda function policies: S3, SQS, SNS or KMS policies share the `Policy` shape.
        if resource.is_some() && !arn.contains(":lambda:") {
            continue;
        }
        let fi = index.get(&arn).or_else(|| index.get(stem)).copied();
        let function = fi.and_then(|i| out.app.functions.get(i));
        let own_account = function
            .and_then(|f| account_of(&f.arn))
            .map(str::to_string);
        let sid = text(st, "Sid").map_or_else(|| si.to_string(), |s| s.value);
        let conditions = st.get("Condition");
        let get = |key: &str| condition(conditions, key);
        let actions: Vec<Spanned<String>> = st
            .get("Action")
            .map(|a| {
                a.items()
                    .filter_map(|i| i.as_str().map(|s| Spanned::new(s.to_string(), i.span)))
                    .collect()
            })
            .unwrap_or_default();
        let principals = principals(st);
        if actions.is_empty() || principals.is_empty() {
            out.issues.push(ParseError::new(
                st.span,
                format!("statement `{sid}` has no `Action` or `Principal`"),
            ));
            continue;
        }
        let many = actions.len() * principals.len() > 1;
        for (ai, action) in actions.iter().enumerate() {
            for (pi, principal) in principals.iter().enumerate() {
                let suffix = if many {
                    format!("/{}", ai * principals.len() + pi)
                } else {
                    String::new()
                };
                out.app.permissions.push(InvokePermission {
                    id: format!("{}#{sid}{suffix}", file.path),
                    span: st.span,
                    function: function.map(|f| f.id.clone()),
                    function_ref: resource
                        .as_ref()
                        .map_or_else(|| stem.to_string(), |r| r.value.clone()),
                    qualifier: qualifier.clone(),
                    action: action.clone(),
                    principal: own(principal, own_account.as_deref()),
                    source_arn: get("aws:sourcearn"),
                    source_account: get("aws:sourceaccount"),
                    principal_org_id: get("aws:principalorgid"),
                    function_url_auth_type: get("lambda:functionurlauthtype"),
                    event_source_token: has_key(conditions, "lambda:EventSourceToken"),
                    generated: false,
                });
            }
        }
    }
}

/// `"*"`, `{"AWS": ...}`, `{"Service": ...}` (and other kinds) as principal strings.
fn principals(st: &Node) -> Vec<Spanned<String>> {
    let Some(p) = st.get("Principal") else {
        return Vec::new();
    };
    if let Value::String(s) = &p.value {
        return vec![Spanned::new(s.clone(), p.span)];
    }
    p.entries()
        .flat_map(|(_, v)| v.items())
        .filter_map(|i| i.as_str().map(|s| Spanned::new(s.to_string(), i.span)))
        .collect()
}

/// The function's own account written as `${AWS::AccountId}`, as templates write it: a grant
/// to the account that owns the function is not cross-account.
fn own(principal: &Spanned<String>, account: Option<&str>) -> Spanned<String> {
    let p = &principal.value;
    let Some(account) = account else {
        return principal.clone();
    };
    let rewritten = if p == account {
        Some("${AWS::AccountId}".to_string())
    } else {
        Arn::parse(p)
            .ok()
            .and_then(|a| a.fields())
            .filter(|[partition, service, region, own, _]| {
                partition.as_str() == "aws"
                    && matches!(service.as_str(), "iam" | "sts")
                    && region.is_empty()
                    && own.as_str() == account
            })
            .map(|[_, service, _, _, resource]| {
                format!("arn:aws:{service}::${{AWS::AccountId}}:{resource}")
            })
    };
    rewritten.map_or_else(|| principal.clone(), |v| Spanned::new(v, principal.span))
}

/// Any operator tests the condition key (case-insensitive, as IAM compares keys).
fn has_key(conditions: Option<&Node>, key: &str) -> bool {
    conditions.is_some_and(|c| {
        c.entries().any(|(_, body)| {
            body.entries()
                .any(|(k, _)| k.name.eq_ignore_ascii_case(key))
        })
    })
}

/// The value of a condition key (case-insensitive, as IAM compares keys) under a narrowing
/// operator; the first value of a list.
fn condition(conditions: Option<&Node>, key: &str) -> Option<Spanned<String>> {
    for (op, body) in conditions?.entries() {
        if !NARROWING.iter().any(|n| n.eq_ignore_ascii_case(&op.name)) {
            continue;
        }
        for (k, v) in body.entries() {
            if k.name.eq_ignore_ascii_case(key)
                && let Some(first) = v.items().next()
                && let Some(s) = first.scalar_text()
            {
                return Some(Spanned::new(s, first.span));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn own_account_principals_become_placeholders() {
        let s = |v: &str| Spanned::new(v.to_string(), Span::default());
        let acct = Some("111122223333");
        assert_eq!(own(&s("111122223333"), acct).value, "${AWS::AccountId}");
        assert_eq!(
            own(&s("arn:aws:iam::111122223333:root"), acct).value,
            "arn:aws:iam::${AWS::AccountId}:root"
        );
        assert_eq!(
            own(&s("arn:aws:iam::444455556666:root"), acct).value,
            "arn:aws:iam::444455556666:root"
        );
        assert_eq!(own(&s("*"), acct).value, "*");
    }

    #[test]
    fn event_source_token_under_any_operator() {
        let cond = |json: serde_json::Value| Node::from_json(&json, Span::default());
        let token = cond(
            serde_json::json!({"StringEquals": {"Lambda:EventSourceToken": "amzn1.ask.skill.x"}}),
        );
        assert!(has_key(Some(&token), "lambda:EventSourceToken"));
        let other = cond(serde_json::json!({"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::in"}}));
        assert!(!has_key(Some(&other), "lambda:EventSourceToken"));
        assert!(!has_key(None, "lambda:EventSourceToken"));
    }
}
