//! `cross-account-access`: the function is opened to another account.

use super::{Rule, RuleContext};
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

/// The literal account id of an ARN (`arn:aws:sqs:us-east-1:444455556666:q`), if any.
fn arn_account(arn: &str) -> Option<String> {
    let account = arn.strip_prefix("arn:")?.split(':').nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string())
}

/// The account a principal names when it is a literal account other than the stack's own:
/// `444455556666`, `arn:aws:iam::444455556666:root`, `arn:aws:iam::444455556666:role/x`.
/// `${AWS::AccountId}` and other deploy-time values are not known to be foreign.
fn principal_account(principal: &str) -> Option<String> {
    let p = principal.trim();
    let account = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        p
    } else if let Some(rest) = p
        .strip_prefix("arn:aws:iam::")
        .or_else(|| p.strip_prefix("arn:aws:sts::"))
    {
        rest.split(':').next()?
    } else {
        return None;
    };
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string())
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
        assert_eq!(
            arn_account("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"),
            None
        );
    }
}
