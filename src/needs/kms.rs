//! Declared resources behind a need, and the customer managed KMS key their data is encrypted
//! with (`model::Resource::encryption`): what calls on them and pollers of them need on the key.

use crate::arn::Arn;
use crate::model::{App, Arg, Function, Resource, ResourceKind};

/// The declared resources encrypted with a customer managed key, for [`encrypted`].
pub(super) fn encrypted_resources(app: &App) -> Vec<&Resource> {
    app.resources
        .iter()
        .filter(|r| r.encryption.is_some())
        .collect()
}

/// The declared resource among `encrypted` (see [`encrypted_resources`]) a need's ARN (or one
/// of the call's environment-variable arguments, through `EnvVar::refers_to`) names.
pub(super) fn encrypted<'a>(
    encrypted: &[&'a Resource],
    func: &Function,
    arn: &str,
    args: &[&Arg],
) -> Option<&'a Resource> {
    if let Some(r) = encrypted
        .iter()
        .find(|r| r.arn.as_deref().is_some_and(|a| names(a, arn)))
    {
        return Some(r);
    }
    // `TABLE: !Ref Orders` read with `os.environ["TABLE"]`: the variable says which resource.
    let logical: Vec<&str> = args
        .iter()
        .filter_map(|a| match a {
            Arg::Env(name) => func
                .environment
                .iter()
                .find(|v| v.name.value == *name)
                .and_then(|v| v.refers_to.as_ref())
                .map(|(id, _)| id.as_str()),
            _ => None,
        })
        .collect();
    encrypted
        .iter()
        .find(|r| logical.contains(&r.logical_id.as_str()))
        .copied()
}

/// The declared resource whose ARN is, or contains, `arn` (a bucket's objects, a table's
/// stream or index), if encrypted with a customer managed key.
pub(super) fn encrypted_source<'a>(app: &'a App, arn: &str) -> Option<&'a Resource> {
    app.resources
        .iter()
        .filter(|r| r.encryption.is_some())
        .find(|r| r.arn.as_deref().is_some_and(|a| names(a, arn)))
}

/// Whether `need` is `declared` or something inside it (`…:::b/*` in bucket `…:::b`,
/// `…:table/t/stream/*` in table `…:table/t`).
fn names(declared: &str, need: &str) -> bool {
    if declared.is_empty() || declared == "*" {
        return false;
    }
    need == declared
        || need
            .strip_prefix(declared)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(':'))
}

/// The key's ARN as an IAM policy names it. A key written as an ARN stays; a `Ref` to a
/// declared `AWS::KMS::Key` (its key id) becomes that key's ARN; a bare key id becomes a key
/// ARN in the function's region and account; an alias becomes the key a declared alias of that
/// name targets (KMS authorizes the key behind an alias: KMS Developer Guide, "Using aliases
/// to control access to KMS keys"), else, when the input does not say, any key in the account.
pub(super) fn key_arn(app: &App, key: &str, region: &str, account: &str) -> String {
    if let Some(target) = alias_target(app, key)
        && alias_target(app, target).is_none()
    {
        return key_arn(app, target, region, account);
    }
    if let Ok(arn) = Arn::parse(key) {
        let alias = arn.resource_type().is_some_and(|t| t.as_str() == "alias");
        if !alias {
            return key.to_string();
        }
        return format!("arn:aws:kms:{region}:{account}:key/*");
    }
    if key.starts_with("alias/") {
        return format!("arn:aws:kms:{region}:{account}:key/*");
    }
    // `${Key}` (CloudFormation `!Ref Key`) naming a declared key.
    if let Some(id) = key.strip_prefix("${").and_then(|k| k.strip_suffix('}'))
        && let Some(r) = app
            .resources
            .iter()
            .find(|r| r.logical_id == id && r.type_name == "AWS::KMS::Key")
        && let Some(arn) = &r.arn
    {
        return arn.clone();
    }
    // An unresolved reference to a whole ARN (`${aws_kms_key.k.arn}`) meets the same token
    // in a grant.
    if key.starts_with("${") && key.ends_with(".arn}") {
        return key.to_string();
    }
    format!("arn:aws:kms:{region}:{account}:key/{key}")
}

/// The key a declared alias targets, when `key` names the alias: `alias/<name>`, its ARN, or
/// a reference to it.
fn alias_target<'a>(app: &'a App, key: &str) -> Option<&'a str> {
    let name = key
        .rsplit_once(":alias/")
        .map_or(key, |(_, n)| n)
        .trim_start_matches("alias/");
    if name.is_empty() || name == key && !key.starts_with("${") {
        return None;
    }
    app.resources.iter().find_map(|r| match &r.kind {
        ResourceKind::KmsAlias {
            target_key: Some(t),
        } => {
            let arn = r.arn.as_deref()?;
            let own = arn.rsplit_once(":alias/").map_or(arn, |(_, n)| n);
            (own == name || arn == key).then_some(t.as_str())
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_contain_their_parts() {
        assert!(names("arn:aws:s3:::b", "arn:aws:s3:::b/*"));
        assert!(names("arn:aws:s3:::b", "arn:aws:s3:::b"));
        assert!(!names("arn:aws:s3:::b", "arn:aws:s3:::bb/*"));
        assert!(names(
            "arn:aws:dynamodb:r:a:table/t",
            "arn:aws:dynamodb:r:a:table/t/stream/*"
        ));
        assert!(!names("*", "arn:aws:s3:::b/*"));
    }

    #[test]
    fn keys_as_policies_name_them() {
        let app = App::default();
        let k = |s: &str| key_arn(&app, s, "${AWS::Region}", "${AWS::AccountId}");
        assert_eq!(
            k("arn:aws:kms:us-east-1:111122223333:key/abc"),
            "arn:aws:kms:us-east-1:111122223333:key/abc"
        );
        assert_eq!(
            k("1234abcd-12ab-34cd-56ef-1234567890ab"),
            "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert_eq!(
            k("alias/app"),
            "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"
        );
        assert_eq!(
            k("arn:aws:kms:us-east-1:111122223333:alias/app"),
            "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"
        );
        assert_eq!(k("${aws_kms_key.k.arn}"), "${aws_kms_key.k.arn}");
    }
}
