//! Policy documents read from a [`Node`] tree, leniently: a malformed statement becomes a
//! [`PolicyIssue`] and the rest of the policy is still used. Patterns are compiled here, once.

use crate::iam::condition::{Condition, Operator};
use crate::iam::pattern::Pattern;
use crate::source::{Span, Spanned};
use crate::syntax::node::{Node, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub version: Option<Spanned<String>>,
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionSpec {
    Action(Vec<Spanned<Pattern>>),
    NotAction(Vec<Spanned<Pattern>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResourceSpec {
    Resource(Vec<Spanned<Pattern>>),
    NotResource(Vec<Spanned<Pattern>>),
    /// No resource element (trust policies): applies to any resource.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalSet {
    /// `"Principal": "*"` (or `{"AWS": "*"}`): everyone.
    pub any: bool,
    pub entries: Vec<(PrincipalKind, Spanned<Pattern>)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PrincipalSpec {
    Principal(PrincipalSet),
    NotPrincipal(PrincipalSet),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<Spanned<String>>,
    pub effect: Effect,
    pub action: ActionSpec,
    pub resource: ResourceSpec,
    pub principal: Option<PrincipalSpec>,
    pub conditions: Vec<Condition>,
    pub span: Span,
}

impl ActionSpec {
    pub fn patterns(&self) -> &[Spanned<Pattern>] {
        match self {
            ActionSpec::Action(p) | ActionSpec::NotAction(p) => p,
        }
    }
}

/// A problem found while reading a policy; the statement it concerns may have been dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyIssue {
    pub span: Span,
    pub message: String,
}

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

/// Reads a policy document (`{"Version": .., "Statement": ..}`). A document written as JSON
/// text (CloudFormation's `PolicyDocument: !Sub '{"Version": ...}'`, accepted because the
/// property's type is `Json`) is read from that text; its parts take the string's span.
pub fn parse_policy(node: &Node) -> (Policy, Vec<PolicyIssue>) {
    if let Some(text) = node.as_str() {
        let empty = Policy {
            version: None,
            statements: Vec::new(),
            span: node.span,
        };
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => parse_policy(&Node::from_json(&v, node.span)),
            // A value only known at deploy time (`templatefile(...)`, an unresolved
            // `${data.x.json}`): its content is unknown, which is not a malformed policy.
            _ if text.contains("${") => (empty, Vec::new()),
            _ => (
                empty,
                vec![PolicyIssue {
                    span: node.span,
                    message: "a policy document must be a mapping or its JSON text".into(),
                }],
            ),
        };
    }
    let mut issues = Vec::new();
    let mut issue = |span: Span, message: String| issues.push(PolicyIssue { span, message });
    let mut policy = Policy {
        version: None,
        statements: Vec::new(),
        span: node.span,
    };
    if !node.is_map() {
        issue(node.span, "a policy document must be a mapping".into());
        return (policy, issues);
    }
    for (key, value) in node.entries() {
        match key.name.as_str() {
            "Version" => match value.as_str() {
                Some(v @ ("2012-10-17" | "2008-10-17")) => {
                    policy.version = Some(Spanned::new(v.to_string(), value.span));
                }
                _ => issue(value.span, "Version must be \"2012-10-17\"".into()),
            },
            "Statement" => {
                for (i, s) in value.items().enumerate() {
                    if let Some(st) = parse_statement(s, &mut issue) {
                        policy.statements.push(st);
                    } else {
                        issue(s.span, format!("statement {i} is ignored"));
                    }
                }
            }
            "Id" => {}
            other => issue(key.span, format!("unknown policy element `{other}`")),
        }
    }
    if node.get("Statement").is_none() {
        issue(node.span, "the policy has no Statement".into());
    }
    (policy, issues)
}

fn strings(node: &Node, what: &str, issue: &mut impl FnMut(Span, String)) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    for item in node.items() {
        match item.scalar_text() {
            Some(s) => out.push(Spanned::new(s, item.span)),
            None => issue(
                item.span,
                format!("{what} must be a string or a list of strings"),
            ),
        }
    }
    out
}

fn parse_statement(node: &Node, issue: &mut impl FnMut(Span, String)) -> Option<Statement> {
    if !node.is_map() {
        issue(node.span, "a statement must be a mapping".into());
        return None;
    }
    for (k, _) in node.entries() {
        if !STATEMENT_KEYS.contains(&k.name.as_str()) {
            issue(k.span, format!("unknown statement element `{}`", k.name));
        }
    }
    let sid = node
        .get("Sid")
        .and_then(|n| n.scalar_text().map(|s| Spanned::new(s, n.span)));
    let effect = match node.get("Effect") {
        Some(n) if n.as_str() == Some("Allow") => Effect::Allow,
        Some(n) if n.as_str() == Some("Deny") => Effect::Deny,
        Some(n) => {
            issue(n.span, "Effect must be \"Allow\" or \"Deny\"".into());
            return None;
        }
        None => {
            issue(node.span, "the statement has no Effect".into());
            return None;
        }
    };
    let actions = |n: &Node, issue: &mut dyn FnMut(Span, String)| -> Vec<Spanned<Pattern>> {
        let mut issue = |s, m| issue(s, m);
        strings(n, "Action", &mut issue)
            .into_iter()
            .map(|s| {
                // A deploy-time value (`${var.actions}` of a module audited on its own) may be
                // any action: unknown, not malformed.
                if s.value != "*" && !s.value.contains(':') && !s.value.contains("${") {
                    issue(
                        s.span,
                        format!("action `{}` has no service prefix", s.value),
                    );
                }
                Spanned::new(Pattern::action(&s.value), s.span)
            })
            .collect()
    };
    let action = match (node.get("Action"), node.get("NotAction")) {
        (Some(a), None) => ActionSpec::Action(actions(a, issue)),
        (None, Some(a)) => ActionSpec::NotAction(actions(a, issue)),
        (Some(_), Some(_)) => {
            issue(
                node.span,
                "a statement cannot have both Action and NotAction".into(),
            );
            return None;
        }
        (None, None) => {
            issue(node.span, "the statement has no Action".into());
            return None;
        }
    };
    let resources = |n: &Node, issue: &mut dyn FnMut(Span, String)| -> Vec<Spanned<Pattern>> {
        let mut issue = |s, m| issue(s, m);
        strings(n, "Resource", &mut issue)
            .into_iter()
            .map(|s| Spanned::new(Pattern::resource(&s.value), s.span))
            .collect()
    };
    let resource = match (node.get("Resource"), node.get("NotResource")) {
        (Some(r), None) => ResourceSpec::Resource(resources(r, issue)),
        (None, Some(r)) => ResourceSpec::NotResource(resources(r, issue)),
        (Some(_), Some(_)) => {
            issue(
                node.span,
                "a statement cannot have both Resource and NotResource".into(),
            );
            return None;
        }
        (None, None) => ResourceSpec::None,
    };
    let principal = match (node.get("Principal"), node.get("NotPrincipal")) {
        (Some(p), None) => Some(PrincipalSpec::Principal(parse_principal(p, issue))),
        (None, Some(p)) => Some(PrincipalSpec::NotPrincipal(parse_principal(p, issue))),
        (Some(_), Some(_)) => {
            issue(
                node.span,
                "a statement cannot have both Principal and NotPrincipal".into(),
            );
            return None;
        }
        (None, None) => None,
    };
    if resource == ResourceSpec::None && principal.is_none() {
        issue(node.span, "the statement has no Resource".into());
    }
    let mut conditions = Vec::new();
    if let Some(c) = node.get("Condition")
        && !parse_conditions(c, &mut conditions, issue)
    {
        return None;
    }
    Some(Statement {
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
        span: node.span,
    })
}

fn parse_principal(node: &Node, issue: &mut impl FnMut(Span, String)) -> PrincipalSet {
    let mut set = PrincipalSet {
        any: false,
        entries: Vec::new(),
        span: node.span,
    };
    if node.as_str() == Some("*") {
        set.any = true;
        return set;
    }
    if !node.is_map() {
        issue(node.span, "Principal must be \"*\" or a mapping".into());
        return set;
    }
    for (k, v) in node.entries() {
        let kind = match k.name.as_str() {
            "AWS" => PrincipalKind::Aws,
            "Service" => PrincipalKind::Service,
            "Federated" => PrincipalKind::Federated,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            other => {
                issue(k.span, format!("unknown principal type `{other}`"));
                continue;
            }
        };
        for s in strings(v, "Principal", issue) {
            if kind == PrincipalKind::Aws && s.value == "*" {
                set.any = true;
            }
            set.entries
                .push((kind, Spanned::new(Pattern::text(&s.value), s.span)));
        }
    }
    set
}

fn parse_conditions(
    node: &Node,
    out: &mut Vec<Condition>,
    issue: &mut impl FnMut(Span, String),
) -> bool {
    if !node.is_map() {
        issue(node.span, "Condition must be a mapping".into());
        return false;
    }
    for (op_key, keys) in node.entries() {
        let Some(op) = Operator::parse(&op_key.name) else {
            // AWS rejects a policy with an unknown operator: drop the statement.
            issue(
                op_key.span,
                format!("unknown condition operator `{}`", op_key.name),
            );
            return false;
        };
        if !keys.is_map() {
            issue(
                keys.span,
                "a condition operator needs a mapping of keys to values".into(),
            );
            continue;
        }
        for (key, values) in keys.entries() {
            let vals = match &values.value {
                Value::Seq(_) | Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    strings(values, "condition value", issue)
                }
                _ => {
                    issue(values.span, "condition values must be strings".into());
                    Vec::new()
                }
            };
            out.push(Condition::new(
                Spanned::new(op_key.name.clone(), op_key.span),
                op,
                Spanned::new(key.name.clone(), key.span),
                vals,
                op_key.span,
            ));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::iam::{parse_policy, parse_policy_json};
    use crate::source::Span;
    use crate::syntax::node::{Node, Value};

    fn text(s: &str) -> Node {
        Node::new(Value::String(s.into()), Span::default())
    }

    #[test]
    fn a_document_written_as_json_text_is_read() {
        let (p, issues) = parse_policy(&text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"${Q.Arn}"}]}"#,
        ));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(p.statements.len(), 1);
        // A deploy-time value is unknown, not malformed; other text is malformed.
        let (p, issues) = parse_policy(&text("${data.aws_iam_policy_document.x.json}"));
        assert!(p.statements.is_empty() && issues.is_empty());
        let (_, issues) = parse_policy(&text("not a policy"));
        assert_eq!(issues.len(), 1);
    }

    #[test]
    fn malformed_statements_become_issues() {
        let (p, issues) = parse_policy_json(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Permit","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Resource":"*"},
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}},
            {"Effect":"Allow","Action":"GetObject","Resource":"*","Actions":"x"},
            {"Effect":"Allow","Action":"${var.actions}","Resource":"*"},
            "nonsense"]}"#,
            Span::default(),
        );
        assert_eq!(p.statements.len(), 3);
        let msgs: Vec<_> = issues.iter().map(|i| i.message.as_str()).collect();
        // A deploy-time value is unknown, not malformed.
        assert!(!msgs.iter().any(|m| m.contains("var.actions")), "{msgs:?}");
        assert!(
            msgs.contains(&"Effect must be \"Allow\" or \"Deny\""),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"the statement has no Action"));
        assert!(msgs.contains(&"unknown condition operator `StringEqualz`"));
        assert!(msgs.contains(&"action `GetObject` has no service prefix"));
        assert!(msgs.contains(&"unknown statement element `Actions`"));
        assert!(msgs.contains(&"a statement must be a mapping"));
    }
}
