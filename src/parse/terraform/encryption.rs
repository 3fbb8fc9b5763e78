//! Which customer managed KMS key a Terraform resource's data is encrypted with (see
//! `model::Resource::encryption`). Each entry follows the resource's page in the AWS provider
//! documentation (registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/…):
//! `aws_sqs_queue` and `aws_sns_topic` `kms_master_key_id`; `aws_dynamodb_table`
//! `server_side_encryption { enabled, kms_key_arn }`; `aws_kinesis_stream`
//! `encryption_type = "KMS"` with `kms_key_id`; `aws_secretsmanager_secret`,
//! `aws_cloudwatch_log_group` `kms_key_id`; `aws_ssm_parameter` `type = "SecureString"` with
//! `key_id`; S3 buckets through `aws_s3_bucket_server_side_encryption_configuration`
//! `rule { apply_server_side_encryption_by_default { sse_algorithm, kms_master_key_id } }` or
//! the older inline `server_side_encryption_configuration` block of `aws_s3_bucket`.

use hcl_edit::structure::Body;

use super::eval::Eval;
use super::refs;
use crate::model::App;
use crate::parse::common::customer_managed_key;
use crate::source::Spanned;
use crate::syntax::node::Node;

/// The arguments [`key_of`] and [`bucket_configurations`] read: (resource type, argument, provider
/// documentation page), for docs/needs.md; a test keeps the two together.
pub const KEY_SETTINGS: &[(&str, &str, &str)] = &[
    (
        "aws_sqs_queue",
        "kms_master_key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sqs_queue",
    ),
    (
        "aws_sns_topic",
        "kms_master_key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic",
    ),
    (
        "aws_dynamodb_table",
        "server_side_encryption { enabled = true, kms_key_arn }",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table",
    ),
    (
        "aws_kinesis_stream",
        "encryption_type = \"KMS\", kms_key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kinesis_stream",
    ),
    (
        "aws_secretsmanager_secret",
        "kms_key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret",
    ),
    (
        "aws_cloudwatch_log_group",
        "kms_key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_log_group",
    ),
    (
        "aws_ssm_parameter",
        "type = \"SecureString\", key_id",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_parameter",
    ),
    (
        "aws_s3_bucket",
        "server_side_encryption_configuration { rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\", kms_master_key_id } } }",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket",
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        "rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\", kms_master_key_id } }",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_server_side_encryption_configuration",
    ),
];

/// The key of a resource whose own arguments name it.
pub fn key_of(kind: &str, body: &Node) -> Option<Spanned<String>> {
    let key = match kind {
        "aws_sqs_queue" | "aws_sns_topic" => body.get("kms_master_key_id")?,
        "aws_dynamodb_table" => {
            let sse = body.get("server_side_encryption")?;
            if sse.get("enabled").and_then(Node::as_bool) != Some(true) {
                return None;
            }
            sse.get("kms_key_arn")?
        }
        "aws_kinesis_stream" => {
            if body.get("encryption_type").and_then(Node::as_str) != Some("KMS") {
                return None;
            }
            body.get("kms_key_id")?
        }
        "aws_secretsmanager_secret" | "aws_cloudwatch_log_group" => body.get("kms_key_id")?,
        "aws_ssm_parameter" => {
            if body.get("type").and_then(Node::as_str) != Some("SecureString") {
                return None;
            }
            body.get("key_id")?
        }
        "aws_s3_bucket" => return s3_rule_key(body.get("server_side_encryption_configuration")?),
        _ => return None,
    };
    customer_managed_key(key)
}

/// The key of the first `rule` whose default encryption is `aws:kms` or `aws:kms:dsse`.
fn s3_rule_key(config: &Node) -> Option<Spanned<String>> {
    let key = config
        .items()
        .flat_map(|c| c.get("rule").into_iter().flat_map(Node::items))
        .filter_map(|rule| rule.get("apply_server_side_encryption_by_default"))
        .find(|d| {
            d.get("sse_algorithm")
                .and_then(Node::as_str)
                .is_some_and(|a| a.starts_with("aws:kms"))
        })?
        .get("kms_master_key_id")?;
    customer_managed_key(key)
}

/// Buckets encrypted by a separate `aws_s3_bucket_server_side_encryption_configuration`
/// that names them (`bucket = aws_s3_bucket.b.id`) take its key.
pub fn bucket_configurations(ev: &Eval, app: &mut App) {
    for r in ev.resources() {
        let d = r.d;
        if d.kind != "aws_s3_bucket_server_side_encryption_configuration" {
            continue;
        }
        let _each = ev.bind(r.each.clone());
        let body: &Body = &d.block.body;
        let Some(bucket) = refs::arg(body, &["bucket"]).and_then(|e| refs::target(ev, d.file, e))
        else {
            continue;
        };
        let config = ev.body(d.file, body, d.span);
        let Some(key) = s3_rule_key(&config) else {
            continue;
        };
        let id = ev.id(ev.decl(&bucket).map_or(d.file, |b| b.file), &bucket);
        if let Some(r) = app.resources.iter_mut().find(|r| r.id == id) {
            r.encryption = Some(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::source::{FileId, SourceFile};

    fn body(json: &str) -> Node {
        crate::syntax::json::parse(&SourceFile::new(FileId(0), "t.json", json)).expect("json")
    }

    /// Every row of the docs table is an argument `key_of` (or, for the separate S3
    /// configuration resource, `bucket_configurations`) reads, and back.
    #[test]
    fn key_settings_table_lists_what_is_read() {
        let cases = [
            ("aws_sqs_queue", r#"{"kms_master_key_id":"k"}"#),
            ("aws_sns_topic", r#"{"kms_master_key_id":"k"}"#),
            (
                "aws_dynamodb_table",
                r#"{"server_side_encryption":{"enabled":true,"kms_key_arn":"k"}}"#,
            ),
            (
                "aws_kinesis_stream",
                r#"{"encryption_type":"KMS","kms_key_id":"k"}"#,
            ),
            ("aws_secretsmanager_secret", r#"{"kms_key_id":"k"}"#),
            ("aws_cloudwatch_log_group", r#"{"kms_key_id":"k"}"#),
            (
                "aws_ssm_parameter",
                r#"{"type":"SecureString","key_id":"k"}"#,
            ),
            (
                "aws_s3_bucket",
                r#"{"server_side_encryption_configuration":{"rule":{"apply_server_side_encryption_by_default":{"sse_algorithm":"aws:kms","kms_master_key_id":"k"}}}}"#,
            ),
        ];
        let listed: BTreeSet<&str> = KEY_SETTINGS
            .iter()
            .map(|(t, _, _)| *t)
            .filter(|t| *t != "aws_s3_bucket_server_side_encryption_configuration")
            .collect();
        let tested: BTreeSet<&str> = cases.iter().map(|(t, _)| *t).collect();
        assert_eq!(listed, tested);
        for (kind, json) in cases {
            let key = key_of(kind, &body(json)).map(|k| k.value);
            assert_eq!(key.as_deref(), Some("k"), "{kind}");
        }
    }
}
