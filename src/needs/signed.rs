//! Needs of calls that are no SDK client method ([`CallStyle::Action`]): the extractor names
//! the IAM action itself, and this module the resource it applies to.
//!
//! - `rds-db:connect` (an IAM database authentication token: boto3
//!   `generate_db_auth_token`, `@aws-sdk/rds-signer`, `AWS.RDS.Signer`, Java `RdsUtilities` /
//!   `RdsIamAuthTokenGenerator`, Go `auth.BuildAuthToken`) on
//!   `arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId or proxy id>/<user>`
//!   (RDS User Guide, "Creating and using an IAM policy for IAM database access",
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html>).
//!   The resource id is known at deploy time only: a host naming a declared DB instance or
//!   cluster keeps its `${X.DbiResourceId}` / `${X.DBClusterResourceId}` placeholder. Through
//!   an RDS Proxy the id is the proxy's resource id, `prx-` and the last part of its ARN
//!   (RDS User Guide, "Connecting to a database through RDS Proxy", section "Connecting to a
//!   database using IAM authentication",
//!   <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html>),
//!   which no template attribute gives: a host naming a declared proxy (or proxy endpoint), or
//!   a literal `<name>.proxy-<id>.<region>.rds.amazonaws.com`, is `prx-*`. Anything else (a
//!   literal instance host name, an unknown value) is `*`; without a known user the whole
//!   `dbuser:*/*`.
//! - `es:ESHttp<Method>` (SigV4-signed HTTP to an OpenSearch Service domain) on
//!   `arn:aws:es:<region>:<account>:domain/<name>/*`, and `aoss:APIAccessAll` (OpenSearch
//!   Serverless) on `arn:aws:aoss:<region>:<account>:collection/<id>` (OpenSearch Service
//!   Developer Guide, "Identity and Access Management in Amazon OpenSearch Service",
//!   <https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html>, and
//!   "Identity and Access Management for Amazon OpenSearch Serverless",
//!   <https://docs.aws.amazon.com/opensearch-service/latest/developerguide/security-iam-serverless.html>).
//!   The domain is the declared one the endpoint refers to, or the name inside a
//!   `search-<name>-<id>.<region>.es.amazonaws.com` endpoint.
//! - Any other action (the durable `lambda:InvokeFunction`) on the ARN its parameters fill,
//!   as for SDK calls.

use std::collections::BTreeMap;

use super::resource_for_action;
use crate::model::{App, Resource};

/// The resource an action named by a non-SDK call applies to, from the call's resolved
/// parameters (`*` for unknown values).
pub(super) fn resource(
    app: &App,
    action: &str,
    params: &BTreeMap<String, String>,
    region: &str,
    account: &str,
) -> String {
    let known = |k: &str| params.get(k).filter(|v| *v != "*" && !v.is_empty());
    match action.split_once(':') {
        Some(("rds-db", _)) => {
            let Some(user) = known("DBUsername") else {
                return format!("arn:aws:rds-db:{region}:{account}:dbuser:*/*");
            };
            let host = known("DBHostname");
            let literal_proxy = host.is_some_and(|h| {
                let h = self::host(h);
                h.contains(".proxy-") && h.ends_with(".rds.amazonaws.com")
            });
            let id = host
                .and_then(|h| declared(app, h))
                .and_then(|r| match r.type_name.as_str() {
                    "AWS::RDS::DBInstance" => Some(format!("${{{}.DbiResourceId}}", r.logical_id)),
                    "AWS::RDS::DBCluster" => {
                        Some(format!("${{{}.DBClusterResourceId}}", r.logical_id))
                    }
                    "AWS::RDS::DBProxy"
                    | "AWS::RDS::DBProxyEndpoint"
                    | "aws_db_proxy"
                    | "aws_db_proxy_endpoint" => Some("prx-*".to_string()),
                    _ => None,
                })
                .or_else(|| literal_proxy.then(|| "prx-*".to_string()))
                .unwrap_or_else(|| "*".to_string());
            format!("arn:aws:rds-db:{region}:{account}:dbuser:{id}/{user}")
        }
        Some(("es", _)) => {
            let endpoint = known("Endpoint");
            let domain = endpoint
                .and_then(|e| declared(app, e))
                .filter(|r| r.type_name.contains("Domain") || r.type_name.contains("domain"))
                .and_then(|r| r.arn.clone())
                .or_else(|| {
                    let name = endpoint.and_then(|e| domain_name(e))?;
                    Some(format!("arn:aws:es:{region}:{account}:domain/{name}"))
                })
                .unwrap_or_else(|| format!("arn:aws:es:{region}:{account}:domain/*"));
            format!("{domain}/*")
        }
        Some(("aoss", _)) => {
            let id = known("Endpoint")
                .and_then(|e| collection_id(e))
                .unwrap_or("*");
            format!("arn:aws:aoss:{region}:{account}:collection/{id}")
        }
        _ => resource_for_action(action, params),
    }
}

/// The declared resource a value refers to (`${MyDb.Endpoint.Address}`,
/// `https://${Domain.DomainEndpoint}`, `${aws_db_instance.main.address}`).
fn declared<'a>(app: &'a App, value: &str) -> Option<&'a Resource> {
    let start = value.find("${")?;
    let inner = &value[start + 2..];
    let inner = &inner[..inner.find('}')?];
    // The longest dotted prefix that is a declared logical id (Terraform ids hold a dot).
    let mut cut = inner.len();
    loop {
        let head = &inner[..cut];
        if let Some(r) = app.resources.iter().find(|r| r.logical_id == head) {
            return Some(r);
        }
        cut = head.rfind('.')?;
    }
}

/// The domain name inside an OpenSearch Service endpoint
/// (`https://search-<name>-<id>.<region>.es.amazonaws.com/...`, `vpc-<name>-<id>...`).
fn domain_name(endpoint: &str) -> Option<String> {
    let host = host(endpoint);
    let (label, rest) = host.split_once('.')?;
    if !rest.contains(".es.amazonaws.com") {
        return None;
    }
    let label = label
        .strip_prefix("search-")
        .or_else(|| label.strip_prefix("vpc-"))?;
    let (name, _id) = label.rsplit_once('-')?;
    (!name.is_empty() && !name.contains(['*', '$'])).then(|| name.to_string())
}

/// The collection id of an OpenSearch Serverless endpoint (`<id>.<region>.aoss.amazonaws.com`).
fn collection_id(endpoint: &str) -> Option<&str> {
    let host = host(endpoint);
    let (id, rest) = host.split_once('.')?;
    (rest.contains(".aoss.amazonaws.com") && !id.is_empty() && !id.contains(['*', '$']))
        .then_some(id)
}

fn host(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_names() {
        assert_eq!(
            domain_name("https://search-movies-abc123xyz.us-east-1.es.amazonaws.com/_doc"),
            Some("movies".to_string())
        );
        assert_eq!(
            domain_name("vpc-logs-prod-9f8e7d.eu-west-1.es.amazonaws.com"),
            Some("logs-prod".to_string())
        );
        assert_eq!(domain_name("localhost:9200"), None);
        assert_eq!(
            collection_id("https://07tjusf2h91cunochc.us-east-1.aoss.amazonaws.com"),
            Some("07tjusf2h91cunochc")
        );
        assert_eq!(collection_id("search-x-1.us-east-1.es.amazonaws.com"), None);
    }
}
