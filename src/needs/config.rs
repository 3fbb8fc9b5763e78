//! Needs from the function's definition: CloudWatch Logs, VPC, tracing, KMS, EFS, DLQ and
//! destinations (`config`/`destination`), and event source mappings, which Lambda polls with
//! the execution role (`event-source`). Action lists follow the AWS Lambda Developer Guide
//! pages cited in `policies/lambda.json`.

use super::{NeedSet, Reason, ReasonKind};
use crate::data;
use crate::model::Function;
use crate::source::Span;

pub(super) fn config_needs(func: &Function, set: &mut NeedSet) {
    let table = data::lambda();
    let name = func.arn.rsplit(':').next().unwrap_or(&func.name).to_string();
    let group = func
        .config
        .log_group
        .as_ref()
        .map(|g| g.value.clone())
        .unwrap_or_else(|| format!("/aws/lambda/{name}"));
    let group_arn = format!("arn:aws:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}");
    let logs_span = func.config.log_group.as_ref().map_or(func.span, |g| g.span);
    for entry in table.config("logs") {
        let resource = match entry.resource.as_str() {
            "log-group" => group_arn.clone(),
            "log-stream" => format!("{group_arn}:log-stream:*"),
            other => other.to_string(),
        };
        set.add(&entry.action, &resource, reason(ReasonKind::Config, logs_span, "CloudWatch Logs"));
    }
    if let Some(span) = func.config.vpc {
        add_all(set, table.config("vpc"), None, ReasonKind::Config, span, "VpcConfig");
    }
    if let Some(span) = func.config.tracing {
        add_all(set, table.config("tracing"), None, ReasonKind::Config, span, "Tracing: Active");
    }
    if let Some(key) = &func.config.kms_key_arn {
        add_all(set, table.config("kms"), Some(&key.value), ReasonKind::Config, key.span, "KmsKeyArn");
    }
    for fs in &func.config.file_systems {
        add_all(set, table.config("efs"), Some(&fs.value), ReasonKind::Config, fs.span, "FileSystemConfigs");
    }
    if let Some(dlq) = &func.config.dead_letter {
        if let Some(kind) = target_kind(&dlq.value) {
            add_all(
                set,
                table.destination(kind),
                Some(&dlq.value),
                ReasonKind::Destination,
                dlq.span,
                "DeadLetterQueue",
            );
        }
    }
    for d in &func.config.destinations {
        if let Some(kind) = target_kind(&d.arn.value) {
            let detail = format!("{} destination", d.condition);
            add_all(set, table.destination(kind), Some(&d.arn.value), ReasonKind::Destination, d.arn.span, &detail);
        }
    }
    for event in &func.events {
        let Some(source) = &event.source_arn else { continue };
        let Some(kind) = event_source_kind(&event.kind, &source.value) else { continue };
        let detail = if event.enabled {
            format!("{} event source {}", kind, event.name)
        } else {
            format!("{} event source {} (disabled)", kind, event.name)
        };
        for entry in table.event_source(kind) {
            let resource = match entry.resource.as_str() {
                "source" => source.value.clone(),
                "stream" => stream_of(&source.value),
                other => other.to_string(),
            };
            set.add(&entry.action, &resource, reason(ReasonKind::EventSource, event.span, &detail));
        }
    }
}

fn add_all(
    set: &mut NeedSet,
    entries: &[data::LambdaNeed],
    target: Option<&str>,
    kind: ReasonKind,
    span: Span,
    detail: &str,
) {
    for entry in entries {
        let resource = match (entry.resource.as_str(), target) {
            ("target" | "source", Some(t)) => resource_of_target(&entry.action, t),
            (other, _) => other.to_string(),
        };
        set.add(&entry.action, &resource, reason(kind, span, detail));
    }
}

/// An S3 destination is a bucket ARN; objects are written under it.
fn resource_of_target(action: &str, target: &str) -> String {
    if action == "s3:PutObject" && target.starts_with("arn:aws:s3:::") && !target.contains('/') {
        format!("{target}/*")
    } else {
        target.to_string()
    }
}

fn reason(kind: ReasonKind, span: Span, detail: &str) -> Reason {
    Reason { kind, span, detail: detail.to_string() }
}

/// The kind of a DLQ or destination target, from its ARN's service.
fn target_kind(arn: &str) -> Option<&'static str> {
    let service = arn.split(':').nth(2)?;
    Some(match service {
        "sqs" => "sqs",
        "sns" => "sns",
        "lambda" => "lambda",
        "events" => "eventbridge",
        "s3" => "s3",
        _ => return None,
    })
}

/// The event source type of a polled event: the SAM type, or for a plain mapping, the
/// service of its source ARN. Push events (S3, SNS, API, ...) need nothing on the role.
fn event_source_kind(kind: &str, arn: &str) -> Option<&'static str> {
    let by_arn = || -> Option<&'static str> {
        let service = arn.split(':').nth(2)?;
        Some(match service {
            "sqs" => "SQS",
            "kinesis" if arn.contains("/consumer/") => "KinesisConsumer",
            "kinesis" => "Kinesis",
            "dynamodb" => "DynamoDB",
            "kafka" => "MSK",
            "mq" => "MQ",
            "rds" => "DocumentDB",
            _ => return None,
        })
    };
    match kind {
        "SQS" => Some("SQS"),
        "Kinesis" => by_arn().or(Some("Kinesis")),
        "DynamoDB" => Some("DynamoDB"),
        "MSK" => Some("MSK"),
        "SelfManagedKafka" => Some("SelfManagedKafka"),
        "MQ" => Some("MQ"),
        "DocumentDB" => Some("DocumentDB"),
        "EventSourceMapping" => by_arn(),
        _ => None,
    }
}

/// The stream ARN of a Kinesis consumer ARN (`.../stream/s/consumer/c:123` -> `.../stream/s`).
fn stream_of(arn: &str) -> String {
    arn.split("/consumer/").next().unwrap_or(arn).to_string()
}
