//! What several front ends share, so that none imports another: the front-end contract
//! ([`FrontEnd`], what it is given and what it returns), the CloudFormation resource language
//! ([`cloudformation`]), the AWS resource type table ([`resources`]), paths relative to the
//! audited root, and settings written in the Lambda API's own shape (CloudFormation properties
//! and exported account state both use it).

pub mod cloudformation;
pub mod resources;

use crate::config::Config;
use crate::model::{self, Destination, Poll, SourceAccess};
use crate::source::{SourceFile, Spanned};
use crate::syntax::ParseError;
use crate::syntax::node::Node;

/// One input format. [`crate::parse::ALL`] lists them in the order they are offered files:
/// each file goes to the first front end that takes it. Every front end produces the same
/// [`model::App`]: functions (with their event sources, destinations, layers and file
/// systems), roles, policies with spans, permissions, push triggers and other resources.
pub trait FrontEnd: Sync {
    /// Its name in messages and documentation (`cloudformation`, `terraform-hcl`, ...).
    fn name(&self) -> &'static str;
    /// Which files it reads.
    fn reads(&self) -> Reads;
    /// Whether it looks at a file, by its path relative to its root (every file it reads
    /// unless it says otherwise).
    fn offered(&self, _rel: &str) -> bool {
        true
    }
    /// Files lowered together share a key (a Terraform module's folder, a folder of account
    /// exports); `None` lowers every file alone, and a file it answers
    /// [`TemplateOutcome::NotTemplate`] for goes on to the next front end.
    fn group<'r>(&self, _rel: &'r str) -> Option<&'r str> {
        None
    }
    /// For a front end that groups files: whether a file is its own (a cheap look at the
    /// text), before the groups are formed.
    fn claims(&self, _file: &SourceFile) -> bool {
        true
    }
    /// Lowers one file, or one group of files, to the model.
    fn lower(&self, files: &[&SourceFile], cx: &Context<'_>) -> TemplateOutcome;
}

/// The files a front end reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// YAML and JSON documents.
    Documents,
    /// Terraform `.tf` files.
    Terraform,
}

/// What every front end is given besides its files.
pub struct Context<'a> {
    /// `<root>/` when several roots are audited (every path starts with it), else empty.
    pub prefix: &'a str,
    pub config: &'a Config,
    /// Reads another file of the audited root by path (`${file(...)}`, `file()`), `None`
    /// outside it or for ignored files. A file read this way is part of the file that read
    /// it, not a file of its own.
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// What a file turned out to be.
#[derive(Debug)]
pub enum TemplateOutcome {
    /// Not a file of this format (package.json, test events, another front end's file, ...).
    NotTemplate,
    /// A file of this format, lowered, with the problems found in it.
    Template {
        app: model::App,
        issues: Vec<ParseError>,
    },
    /// Looks like a file of this format but cannot be parsed.
    Invalid(ParseError),
}

/// The details of an event source mapping written in the Lambda API's shape
/// (`SourceAccessConfigurations`, `DestinationConfig.OnFailure.Destination`): a SAM event's or
/// an `AWS::Lambda::EventSourceMapping`'s resolved properties, an exported mapping.
pub fn poll_of(props: Option<&Node>) -> Poll {
    let Some(props) = props else {
        return Poll::default();
    };
    let access = props
        .get("SourceAccessConfigurations")
        .map(|configs| {
            configs
                .items()
                .map(|c| SourceAccess {
                    kind: c.get("Type").and_then(Node::as_str).map(str::to_string),
                    uri: c.get("URI").and_then(Node::scalar_text),
                })
                .collect()
        })
        .unwrap_or_default();
    let on_failure = props
        .get("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .and_then(|o| o.get("Destination"))
        .and_then(|d| Some(Spanned::new(d.as_str()?.to_string(), d.span)));
    Poll { access, on_failure }
}

/// A resolved scalar property as text, with its span.
pub fn sp(r: &Node, key: &str) -> Option<Spanned<String>> {
    let n = r.get(key)?;
    n.scalar_text().map(|s| Spanned::new(s, n.span))
}

/// Joins a path written in a template with the template's folder; `None` when the result
/// is absolute or escapes the audited root.
pub fn join_path(template_path: &str, rel: &str) -> Option<String> {
    let rel = rel.replace('\\', "/");
    if rel.starts_with('/') || rel.get(1..3) == Some(":/") {
        return None;
    }
    let mut parts: Vec<&str> = template_path.split('/').collect();
    parts.pop();
    parts.retain(|p| !p.is_empty() && *p != ".");
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    // With several roots, paths carry the root as written, possibly absolute: keep its `/`.
    let lead = if template_path.starts_with('/') {
        "/"
    } else {
        ""
    };
    Some(if parts.is_empty() {
        ".".into()
    } else {
        format!("{lead}{}", parts.join("/"))
    })
}

/// `DestinationConfig` (`OnSuccess`/`OnFailure` with `Destination`) as destinations.
pub fn destinations_of(dc: &Node) -> Vec<Destination> {
    ["OnSuccess", "OnFailure"]
        .iter()
        .filter_map(|c| {
            let d = dc.get(c)?;
            let arn = sp(d, "Destination")?;
            Some(Destination {
                condition: (*c).to_string(),
                arn,
            })
        })
        .collect()
}

/// The customer managed KMS key of a CloudFormation resource's properties (see
/// [`model::Resource::encryption`]). Each entry follows the resource type's reference page in
/// the CloudFormation User Guide (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/>):
/// `AWS::S3::Bucket` `BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault`
/// (`SSEAlgorithm` `aws:kms` or `aws:kms:dsse` with `KMSMasterKeyID`), `AWS::SQS::Queue` and
/// `AWS::SNS::Topic` `KmsMasterKeyId`, `AWS::DynamoDB::Table` `SSESpecification`
/// (`SSEType: KMS` with `KMSMasterKeyId`), `AWS::Kinesis::Stream` `StreamEncryption`
/// (`EncryptionType: KMS` with `KeyId`), `AWS::SecretsManager::Secret` and
/// `AWS::Logs::LogGroup` `KmsKeyId`.
///
/// [`CFN_KEY_SETTINGS`] lists them for docs/needs.md; a test keeps the two together.
pub fn cfn_encryption_key(kind: &str, props: &Node) -> Option<Spanned<String>> {
    let key = match kind {
        "AWS::S3::Bucket" => props
            .get("BucketEncryption")?
            .get("ServerSideEncryptionConfiguration")?
            .items()
            .filter_map(|rule| rule.get("ServerSideEncryptionByDefault"))
            .find(|d| {
                d.get("SSEAlgorithm")
                    .and_then(Node::as_str)
                    .is_some_and(|a| a.starts_with("aws:kms"))
            })?
            .get("KMSMasterKeyID")?,
        "AWS::SQS::Queue" | "AWS::SNS::Topic" => props.get("KmsMasterKeyId")?,
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            let sse = props.get("SSESpecification")?;
            if sse.get("SSEEnabled").and_then(Node::as_bool) == Some(false) {
                return None;
            }
            sse.get("KMSMasterKeyId")?
        }
        "AWS::Kinesis::Stream" => {
            let enc = props.get("StreamEncryption")?;
            if enc.get("EncryptionType").and_then(Node::as_str) != Some("KMS") {
                return None;
            }
            enc.get("KeyId")?
        }
        "AWS::SecretsManager::Secret" | "AWS::Logs::LogGroup" => props.get("KmsKeyId")?,
        _ => return None,
    };
    customer_managed_key(key)
}

/// The settings [`cfn_encryption_key`] reads: (resource type, setting, reference page).
pub const CFN_KEY_SETTINGS: &[(&str, &str, &str)] = &[
    (
        "AWS::S3::Bucket",
        "BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault: SSEAlgorithm aws:kms or aws:kms:dsse, KMSMasterKeyID",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-s3-bucket-serversideencryptionbydefault.html",
    ),
    (
        "AWS::SQS::Queue",
        "KmsMasterKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html",
    ),
    (
        "AWS::SNS::Topic",
        "KmsMasterKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html",
    ),
    (
        "AWS::DynamoDB::Table",
        "SSESpecification: SSEEnabled, KMSMasterKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-table-ssespecification.html",
    ),
    (
        "AWS::DynamoDB::GlobalTable",
        "SSESpecification: SSEEnabled, KMSMasterKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html",
    ),
    (
        "AWS::Kinesis::Stream",
        "StreamEncryption: EncryptionType KMS, KeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-kinesis-stream-streamencryption.html",
    ),
    (
        "AWS::SecretsManager::Secret",
        "KmsKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html",
    ),
    (
        "AWS::Logs::LogGroup",
        "KmsKeyId",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html",
    ),
];

/// A key as written, unless it names an AWS managed key (`alias/aws/s3`,
/// `arn:aws:kms:…:alias/aws/sqs`), which the service uses on the caller's behalf without a
/// grant in the caller's policy.
/// <https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key>,
/// "AWS managed keys".
pub fn customer_managed_key(key: &Node) -> Option<Spanned<String>> {
    let text = key.scalar_text()?;
    let alias = text.rsplit_once(':').map_or(text.as_str(), |(_, a)| a);
    if text.is_empty() || alias.starts_with("alias/aws/") {
        return None;
    }
    Some(Spanned::new(text, key.span))
}

#[cfg(test)]
mod key_settings_tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::source::{FileId, SourceFile};

    fn props(json: &str) -> Node {
        crate::syntax::json::parse(&SourceFile::new(FileId(0), "t.json", json)).expect("json")
    }

    /// Every row of the docs table is a setting `cfn_encryption_key` reads, and back.
    #[test]
    fn key_settings_table_lists_what_is_read() {
        let cases = [
            (
                "AWS::S3::Bucket",
                r#"{"BucketEncryption":{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"k"}}]}}"#,
            ),
            ("AWS::SQS::Queue", r#"{"KmsMasterKeyId":"k"}"#),
            ("AWS::SNS::Topic", r#"{"KmsMasterKeyId":"k"}"#),
            (
                "AWS::DynamoDB::Table",
                r#"{"SSESpecification":{"SSEEnabled":true,"SSEType":"KMS","KMSMasterKeyId":"k"}}"#,
            ),
            (
                "AWS::DynamoDB::GlobalTable",
                r#"{"SSESpecification":{"SSEEnabled":true,"SSEType":"KMS","KMSMasterKeyId":"k"}}"#,
            ),
            (
                "AWS::Kinesis::Stream",
                r#"{"StreamEncryption":{"EncryptionType":"KMS","KeyId":"k"}}"#,
            ),
            ("AWS::SecretsManager::Secret", r#"{"KmsKeyId":"k"}"#),
            ("AWS::Logs::LogGroup", r#"{"KmsKeyId":"k"}"#),
        ];
        let listed: BTreeSet<&str> = CFN_KEY_SETTINGS.iter().map(|(t, _, _)| *t).collect();
        let tested: BTreeSet<&str> = cases.iter().map(|(t, _)| *t).collect();
        assert_eq!(listed, tested);
        for (kind, json) in cases {
            let key = cfn_encryption_key(kind, &props(json)).map(|k| k.value);
            assert_eq!(key.as_deref(), Some("k"), "{kind}");
        }
        assert!(
            cfn_encryption_key(
                "AWS::SQS::Queue",
                &props(r#"{"KmsMasterKeyId":"alias/aws/sqs"}"#)
            )
            .is_none()
        );
    }
}
