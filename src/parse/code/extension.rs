//! Requests to the AWS Parameters and Secrets Lambda Extension, which serves secrets and
//! parameters on `localhost` and fetches them with the function's execution role: a GET of
//! `/secretsmanager/get?secretId=<id>` is Secrets Manager `GetSecretValue` and one of
//! `/systemsmanager/parameters/get?name=<name>` is Parameter Store `GetParameter` (Secrets
//! Manager User Guide, "Use AWS Secrets Manager secrets in AWS Lambda functions"; Systems
//! Manager User Guide, "Using Parameter Store parameters in AWS Lambda functions").

use crate::model::Arg;

/// (path of the extension's endpoint, its query parameter naming the item, botocore service,
/// operation, request member the item fills).
const ENDPOINTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "/secretsmanager/get",
        "secretId=",
        "secretsmanager",
        "GetSecretValue",
        "SecretId",
    ),
    (
        "/systemsmanager/parameters/get",
        "name=",
        "ssm",
        "GetParameter",
        "Name",
    ),
];

/// A request the extension sends: botocore service, operation, (request member, value).
pub(super) type ExtensionRequest = (&'static str, &'static str, Vec<(String, Arg)>);

/// The request a URL sends through the extension; `None` for any other URL.
pub(super) fn request(url: &Arg) -> Option<ExtensionRequest> {
    let parts: Vec<&Arg> = match url {
        Arg::Concat(parts) => parts.iter().collect(),
        other => vec![other],
    };
    for (path, query, service, operation, member) in ENDPOINTS {
        let Some(at) = parts
            .iter()
            .position(|p| matches!(p, Arg::Str(s) if s.contains(path)))
        else {
            continue;
        };
        // The item: the text after `query` in the literal holding it, then the parts that
        // follow up to the next literal `&`.
        let mut value: Vec<Arg> = Vec::new();
        let mut found = false;
        for p in &parts[at..] {
            match p {
                Arg::Str(s) if !found => {
                    if let Some((_, rest)) = s.split_once(query) {
                        found = true;
                        let rest = rest.split('&').next().unwrap_or_default();
                        if !rest.is_empty() {
                            value.push(Arg::Str(rest.to_string()));
                        }
                        if s.split_once(query).is_some_and(|(_, r)| r.contains('&')) {
                            break;
                        }
                    }
                }
                Arg::Str(s) if found => {
                    let (head, more) = s
                        .split_once('&')
                        .map_or((s.as_str(), false), |(h, _)| (h, true));
                    if !head.is_empty() {
                        value.push(Arg::Str(head.to_string()));
                    }
                    if more {
                        break;
                    }
                }
                other if found => value.push((*other).clone()),
                _ => {}
            }
        }
        let args = match value.len() {
            0 => Vec::new(),
            1 => vec![((*member).to_string(), value.remove(0))],
            _ => vec![((*member).to_string(), Arg::Concat(value))],
        };
        return Some((service, operation, args));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_parameters_through_the_extension() {
        let url = Arg::Concat(vec![
            Arg::Str("http://localhost:".into()),
            Arg::Env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT".into()),
            Arg::Str("/secretsmanager/get?secretId=".into()),
            Arg::Env("SECRET_NAME".into()),
        ]);
        assert_eq!(
            request(&url),
            Some((
                "secretsmanager",
                "GetSecretValue",
                vec![("SecretId".to_string(), Arg::Env("SECRET_NAME".into()))]
            ))
        );
        let url = Arg::Str(
            "http://localhost:2773/systemsmanager/parameters/get?name=/app/key&withDecryption=true"
                .into(),
        );
        assert_eq!(
            request(&url),
            Some((
                "ssm",
                "GetParameter",
                vec![("Name".to_string(), Arg::Str("/app/key".into()))]
            ))
        );
        assert_eq!(
            request(&Arg::Str("https://example.com/get?name=x".into())),
            None
        );
    }
}
