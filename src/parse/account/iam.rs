//! `aws iam get-account-authorization-details`: roles (`RoleDetailList`) with their trust
//! policy, inline policies (`RolePolicyList`), attached managed policies and permissions
//! boundary; customer managed policies (`Policies`) give the default version's document.

use std::collections::{BTreeMap, BTreeSet};

use super::{Outcome, list, policy_document, text};
use crate::arn::{Arn, Part};
use crate::model::{self, App, AttachedPolicy, Origin, PolicyDoc, PolicySource, RoleBinding};
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ParseError;
use crate::syntax::node::Node;

/// A customer managed policy from `Policies`: its id and default version's document.
struct Customer {
    id: String,
    doc: Option<PolicyDoc>,
}

/// A managed policy attachment waiting for every `Policies` list to be read.
struct Pending {
    role: usize,
    arn: Spanned<String>,
    boundary: bool,
}

/// Roles and customer policies of every authorization file of a folder.
#[derive(Default)]
pub struct Roles {
    roles: Vec<model::Role>,
    customer: BTreeMap<String, Customer>,
    pending: Vec<Pending>,
}

impl Roles {
    /// The role id for a role ARN: exact, or by role name in the same account (a function's
    /// `Role` may omit the path the role was created with).
    pub fn by_arn(&self, arn: &str) -> Option<&str> {
        if let Some(r) = self.roles.iter().find(|r| r.arn == arn) {
            return Some(&r.id);
        }
        let (account, name) = role_parts(arn)?;
        self.roles
            .iter()
            .find(|r| role_parts(&r.arn) == Some((account, name)))
            .map(|r| r.id.as_str())
    }

    /// Resolves managed policy attachments and moves the execution roles of `app`'s functions
    /// into it. An account holds many other roles (administrators, CI, EC2 instance roles):
    /// rolefit audits execution roles, so the others are left out.
    pub fn finish(&mut self, app: &mut App) {
        for p in self.pending.drain(..) {
            let attached = match self.customer.get(&p.arn.value) {
                Some(c) => AttachedPolicy {
                    source: PolicySource::Customer { id: c.id.clone() },
                    span: p.arn.span,
                    doc: c.doc.clone(),
                },
                // AWS managed policies come from the embedded data; a customer policy left out
                // of the export stays unknown, which makes the role incomplete.
                None => AttachedPolicy {
                    source: PolicySource::Managed {
                        arn: p.arn.value.clone(),
                    },
                    span: p.arn.span,
                    doc: None,
                },
            };
            if let Some(role) = self.roles.get_mut(p.role) {
                if p.boundary {
                    role.boundary = Some(attached);
                } else {
                    role.policies.push(attached);
                }
            }
        }
        let used: BTreeSet<&str> = app
            .functions
            .iter()
            .filter_map(|f| match &f.role {
                RoleBinding::Role(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        app.roles.extend(
            self.roles
                .drain(..)
                .filter(|r| used.contains(r.id.as_str())),
        );
    }
}

/// `arn:aws:iam::<account>:role/<path/>name` -> (account, name).
fn role_parts(arn: &str) -> Option<(&str, &str)> {
    let [partition, service, region, account, resource] = Arn::parse(arn).ok()?.fields()?;
    if partition.as_str() != "aws" || service.as_str() != "iam" || !region.is_empty() {
        return None;
    }
    let path = resource.as_str().strip_prefix("role/")?;
    Some((
        account.as_str(),
        Part::new(path).last_segment(&['/']).as_str(),
    ))
}

/// Reads one authorization details file.
pub fn lower(file: &SourceFile, root: &Node, roles: &mut Roles, out: &mut Outcome) {
    for p in list(root, "Policies", &mut out.issues) {
        let (Some(arn), Some(name)) = (text(p, "Arn"), text(p, "PolicyName")) else {
            out.issues.push(ParseError::new(
                p.span,
                "policy without `Arn` or `PolicyName`",
            ));
            continue;
        };
        let default = text(p, "DefaultVersionId");
        let versions = list(p, "PolicyVersionList", &mut out.issues);
        let version = versions.iter().find(|v| {
            v.get("IsDefaultVersion").and_then(Node::as_bool) == Some(true)
                || default
                    .as_ref()
                    .is_some_and(|d| text(v, "VersionId").is_some_and(|id| id.value == d.value))
        });
        let doc = version
            .and_then(|v| v.get("Document"))
            .and_then(|d| document(file, d, out));
        roles.customer.insert(
            arn.value,
            Customer {
                id: format!("{}#{}", file.path, name.value),
                doc,
            },
        );
    }
    for r in list(root, "RoleDetailList", &mut out.issues) {
        let (Some(name), Some(arn)) = (text(r, "RoleName"), text(r, "Arn")) else {
            out.issues
                .push(ParseError::new(r.span, "role without `RoleName` or `Arn`"));
            continue;
        };
        let index = roles.roles.len();
        // The trust policy is reported at its key, as for templates.
        let trust = r.get_entry("AssumeRolePolicyDocument").and_then(|(k, d)| {
            document(file, d, out).map(|doc| PolicyDoc {
                node: doc.node,
                span: k.span,
            })
        });
        let mut policies = Vec::new();
        for p in list(r, "RolePolicyList", &mut out.issues) {
            let policy_name = text(p, "PolicyName").map(|n| n.value).unwrap_or_default();
            let doc = p.get("PolicyDocument").and_then(|d| document(file, d, out));
            if p.get("PolicyDocument").is_none() {
                out.issues.push(ParseError::new(
                    p.span,
                    "inline policy without `PolicyDocument`",
                ));
            }
            policies.push(AttachedPolicy {
                source: PolicySource::Inline { name: policy_name },
                span: p.span,
                doc,
            });
        }
        for p in list(r, "AttachedManagedPolicies", &mut out.issues) {
            if let Some(arn) = text(p, "PolicyArn") {
                roles.pending.push(Pending {
                    role: index,
                    arn,
                    boundary: false,
                });
            }
        }
        if let Some(arn) = r
            .get("PermissionsBoundary")
            .and_then(|b| text(b, "PermissionsBoundaryArn"))
        {
            roles.pending.push(Pending {
                role: index,
                arn,
                boundary: true,
            });
        }
        // The export lists every tag of the role (`RoleDetail.Tags`, IAM API Reference,
        // https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html).
        let mut tags = model::RoleTags {
            complete: true,
            ..model::RoleTags::default()
        };
        for t in r.get("Tags").into_iter().flat_map(Node::items) {
            tags.insert(
                t.get("Key").and_then(Node::scalar_text),
                t.get("Value").and_then(Node::scalar_text),
            );
        }
        roles.roles.push(model::Role {
            id: format!("{}#{}", file.path, name.value),
            name: name.value,
            origin: Origin::Account,
            span: name.span,
            arn: arn.value,
            generated: false,
            trust,
            policies,
            boundary: None,
            tags,
        });
    }
}

/// A policy document (object, JSON string or URL-encoded string); a broken one is an issue.
fn document(file: &SourceFile, node: &Node, out: &mut Outcome) -> Option<PolicyDoc> {
    match policy_document(file, node) {
        Ok(doc) => {
            let span: Span = doc.span;
            Some(PolicyDoc { node: doc, span })
        }
        Err(e) => {
            out.issues.push(e);
            None
        }
    }
}
