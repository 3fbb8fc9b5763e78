//! `cross-account-access`: the function is opened to another account.

use super::{Rule, RuleContext};
use crate::arn::{Arn, is_account_id};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::CROSS_ACCOUNT_ACCESS`].
///
/// A resource-based grant whose principal is an account id, or an IAM ARN, of another account.
pub struct CrossAccountAccess;

static META: &RuleDoc = &catalog::CROSS_ACCOUNT_ACCESS;

impl Rule for CrossAccountAccess {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for p in &cx.app.permissions {
            let Some(account) = principal_account(&p.principal.value) else {
                continue;
            };
            // Grants narrowed to the caller's organization stay within it; trusted accounts
            // come from the configuration.
            if p.principal_org_id.is_some() || cx.config.trusts_account(&account) {
                continue;
            }
            let func = p
                .function
                .as_deref()
                .and_then(|id| cx.app.functions.iter().find(|f| f.id == id));
            let name = func.map_or(p.function_ref.as_str(), |f| f.name.as_str());
            let mut f = META
                .finding(
                    format!(
                        "{name} lets account {account} call {} ({})",
                        p.action.value, p.principal.value
                    ),
                    p.principal.span,
                )
                .actions([p.action.value.clone()]);
            if let Some(func) = func {
                f = f
                    .function(&func.id)
                    .related(func.span, "function declared here");
            }
            out.push(f);
        }
        // The function reaches into another account: known only when its own account is
        // (exported account state names it), since templates leave it to deploy time.
        for (fi, fa) in cx.analysis.functions.iter().enumerate() {
            let Some(func) = cx.app.functions.get(fi) else {
                continue;
            };
            let Some(own) = arn_account(&func.arn) else {
                continue;
            };
            for need in &fa.needs {
                let Some(other) = arn_account(&need.resource) else {
                    continue;
                };
                if other == own || cx.config.trusts_account(&other) {
                    continue;
                }
                let Some(reason) = need.because.first() else {
                    continue;
                };
                out.push(
                    META.finding(
                        format!(
                            "{} in account {own} needs {} on {} in account {other}: that resource's policy must also grant the role, and the account should be trusted",
                            func.name, need.action, need.resource
                        ),
                        reason.span,
                    )
                    .function(&func.id)
                    .actions([need.action.clone()])
                    .resources([need.resource.clone()])
                    .related(func.span, "function declared here"),
                );
            }
        }
    }
}

/// The literal account id of an ARN (`arn:aws:sqs:us-east-1:444455556666:q`, also with
/// `${AWS::Region}` for the region), if any.
fn arn_account(arn: &str) -> Option<String> {
    let account = Arn::parse(arn).ok()?.account()?.literal()?;
    is_account_id(account).then(|| account.to_string())
}

/// The account a principal names when it is a literal account other than the stack's own:
/// `444455556666`, `arn:aws:iam::444455556666:root`, `arn:aws:iam::444455556666:role/x`.
/// `${AWS::AccountId}` and other deploy-time values are not known to be foreign.
fn principal_account(principal: &str) -> Option<String> {
    let p = principal.trim();
    if is_account_id(p) {
        return Some(p.to_string());
    }
    let arn = Arn::parse(p).ok()?;
    let iam =
        arn.partition()?.as_str() == "aws" && matches!(arn.service()?.as_str(), "iam" | "sts");
    let account = arn.account()?.literal()?;
    (iam && is_account_id(account)).then(|| account.to_string())
}

#[cfg(test)]
mod tests {
    use super::principal_account;

    #[test]
    fn accounts() {
        assert_eq!(
            principal_account("444455556666").as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            principal_account("arn:aws:iam::444455556666:role/x").as_deref(),
            Some("444455556666")
        );
        assert_eq!(principal_account("${AWS::AccountId}"), None);
        assert_eq!(
            principal_account("arn:aws:iam::${AWS::AccountId}:root"),
            None
        );
        assert_eq!(principal_account("s3.amazonaws.com"), None);
        assert_eq!(
            principal_account("arn:aws:sqs:us-east-1:444455556666:q"),
            None
        );
        assert_eq!(principal_account("*"), None);
    }

    #[test]
    fn arn_accounts() {
        use super::arn_account;
        assert_eq!(
            arn_account("arn:aws:sqs:us-east-1:444455556666:q").as_deref(),
            Some("444455556666")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket/key"), None);
        // A deploy-time region does not hide a literal foreign account (issue 12: splitting
        // on `:` read `${AWS` as the account and found none).
        assert_eq!(
            arn_account("arn:aws:sqs:${AWS::Region}:444455556666:q").as_deref(),
            Some("444455556666")
        );
        assert_eq!(arn_account("${aws_sqs_queue.q.arn}"), None);
        assert_eq!(
            arn_account("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"),
            None
        );
    }
}
