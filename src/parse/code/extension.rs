//! Requests to the AWS Parameters and Secrets Lambda Extension, which serves secrets and
//! parameters on `localhost` and fetches them with the function's execution role: a GET of
//! `/secretsmanager/get?secretId=<id>` is Secrets Manager `GetSecretValue` and one of
//! `/systemsmanager/parameters/get?name=<name>` is Parameter Store `GetParameter` (Secrets
//! Manager User Guide, "Use AWS Secrets Manager secrets in AWS Lambda functions"; Systems
//! Manager User Guide, "Using Parameter Store parameters in AWS Lambda functions").
//!
//! Requests to the AWS AppConfig Agent Lambda extension, which serves configurations on
//! `localhost:2772` (`/applications/<app>/environments/<env>/configurations/<profile>`) and
//! fetches them with the function's role through AppConfig Data `StartConfigurationSession` and
//! `GetLatestConfiguration` (AppConfig User Guide, "Using AWS AppConfig Agent with AWS Lambda",
//! "Understanding the AWS AppConfig Agent Lambda extension" and its permissions).

use crate::model::{Arg, CallStyle, SdkCall, SdkKind};
use crate::source::Span;

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

/// The AppConfig Agent's default port (`AWS_APPCONFIG_EXTENSION_HTTP_PORT` changes it) and the
/// path segments of a configuration, with the request members Powertools' `get_app_config`
/// fills the same way (`policies/overrides.json`).
const APPCONFIG_PORT: &str = "localhost:2772";
const APPCONFIG_SEGMENTS: &[(&str, &str)] = &[
    ("applications", "Application"),
    ("environments", "Environment"),
    ("configurations", "Name"),
];

/// The calls an HTTP request to `url` makes through an extension, at `span` (the request's
/// text `text`), named in botocore's terms as the table names them whatever the language of
/// the code; empty for any other URL.
pub(super) fn calls(url: &Arg, span: Span, text: &str) -> Vec<SdkCall> {
    requests(url)
        .into_iter()
        .map(|(service, operation, args)| SdkCall {
            span,
            sdk: SdkKind::Python,
            service: service.to_string(),
            resource_type: None,
            method: operation.to_string(),
            style: CallStyle::Direct,
            args,
            resource_ids: Vec::new(),
            text: text.to_string(),
            alternative: None,
        })
        .collect()
}

/// The requests a URL sends through an extension; empty for any other URL.
pub(super) fn requests(url: &Arg) -> Vec<ExtensionRequest> {
    if let Some(one) = request(url) {
        return vec![one];
    }
    appconfig(url)
}

/// A request to the AppConfig Agent: both AppConfig Data operations, with the application,
/// environment and profile where the path spells them literally.
fn appconfig(url: &Arg) -> Vec<ExtensionRequest> {
    let parts: Vec<&Arg> = match url {
        Arg::Concat(parts) => parts.iter().collect(),
        other => vec![other],
    };
    let Some(at) = parts
        .iter()
        .position(|p| matches!(p, Arg::Str(s) if s.contains(APPCONFIG_PORT)))
    else {
        return Vec::new();
    };
    // The path, when it is one literal: `/applications/a/environments/e/configurations/p`.
    let mut args: Vec<(String, Arg)> = Vec::new();
    if parts.len() == at + 1
        && let Arg::Str(s) = parts[at]
        && let Some((_, path)) = s.split_once(APPCONFIG_PORT)
    {
        let segments: Vec<&str> = path
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|x| !x.is_empty())
            .collect();
        for pair in segments.chunks(2) {
            if let [key, value] = pair
                && let Some((_, member)) = APPCONFIG_SEGMENTS.iter().find(|(k, _)| k == key)
            {
                args.push(((*member).to_string(), Arg::Str((*value).to_string())));
            }
        }
        if args.len() != APPCONFIG_SEGMENTS.len() {
            args.clear();
        }
    }
    ["StartConfigurationSession", "GetLatestConfiguration"]
        .into_iter()
        .map(|op| ("appconfigdata", op, args.clone()))
        .collect()
}

/// The request a URL sends through the Parameters and Secrets extension; `None` for any other
/// URL.
fn request(url: &Arg) -> Option<ExtensionRequest> {
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
        assert!(requests(&Arg::Str("https://example.com/get?name=x".into())).is_empty());
    }

    #[test]
    fn configurations_through_the_appconfig_agent() {
        let ops = |r: &[ExtensionRequest]| r.iter().map(|(s, o, _)| (*s, *o)).collect::<Vec<_>>();
        let known = requests(&Arg::Str(
            "http://localhost:2772/applications/shop/environments/prod/configurations/flags".into(),
        ));
        assert_eq!(
            ops(&known),
            [
                ("appconfigdata", "StartConfigurationSession"),
                ("appconfigdata", "GetLatestConfiguration")
            ]
        );
        assert_eq!(
            known[0].2,
            vec![
                ("Application".to_string(), Arg::Str("shop".into())),
                ("Environment".to_string(), Arg::Str("prod".into())),
                ("Name".to_string(), Arg::Str("flags".into())),
            ]
        );
        // A path from the environment: the operations, on an unknown configuration.
        let unknown = requests(&Arg::Concat(vec![
            Arg::Str("http://localhost:2772/".into()),
            Arg::Env("CONFIG_PATH".into()),
        ]));
        assert_eq!(unknown.len(), 2);
        assert!(unknown.iter().all(|(_, _, args)| args.is_empty()));
    }
}
