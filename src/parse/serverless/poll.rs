//! Poll-based event details: the framework's `stream` statements (Kinesis, DynamoDB, enhanced
//! fan-out consumers, on-failure destinations), the ENI statement for clusters in a VPC, and
//! the access configurations (secrets, subnets) a cluster is reached with.

use serde_json::json;

use super::events::{Lowered, arn_of};
use crate::arn::Arn;
use crate::model::{EventKind, Poll, SourceAccess};
use crate::source::Spanned;
use crate::syntax::node::Node;

/// `stream`: Kinesis or DynamoDB, with an optional enhanced fan-out consumer and an on-failure
/// destination (the statements of the framework's `stream` event compiler,
/// `compile/events/stream.js:121-165,239-245,286-291,312-342,367-391` in serverless 3.40.0).
pub(super) fn stream(v: &Node, r: &Node, fkey: &str) -> Lowered {
    let Some((arn, node)) = arn_of(v, r) else {
        return Lowered {
            kind: EventKind::Kinesis(Poll::default()),
            source: None,
            source_node: None,
            permission: None,
            statements: Vec::new(),
        };
    };
    let ty = r
        .get("type")
        .and_then(Node::scalar_text)
        .or_else(|| service_of(&arn.value))
        .unwrap_or_default();
    let dynamo = ty == "dynamodb";
    let consumer = r.get("consumer");
    let mut statements = Vec::new();
    let mut source = arn.clone();
    if dynamo {
        statements.push(json!({"Effect": "Allow", "Action": ["dynamodb:GetRecords",
            "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"],
            "Resource": [arn.value]}));
    } else if let Some(c) = consumer.filter(|c| c.as_bool() != Some(false)) {
        statements.push(json!({"Effect": "Allow", "Action": ["kinesis:GetRecords",
            "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
            "Resource": [arn.value]}));
        let consumer_arn = match c.as_bool() {
            Some(true) => {
                // `getStreamConsumerName`: `<function key><stream name>Consumer`.
                let stream = Arn::parse(&arn.value)
                    .ok()
                    .and_then(|a| a.resource())
                    .map_or("", |r| r.last_segment(&['/']).as_str());
                format!("{}/consumer/{fkey}{stream}Consumer:*", arn.value)
            }
            _ => c.scalar_text().unwrap_or_default(),
        };
        statements.push(
            json!({"Effect": "Allow", "Action": ["kinesis:SubscribeToShard"],
            "Resource": [consumer_arn]}),
        );
        source = Spanned::new(consumer_arn, c.span);
    } else {
        statements.push(json!({"Effect": "Allow", "Action": ["kinesis:GetRecords",
            "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"],
            "Resource": [arn.value]}));
    }
    let mut on_failure = None;
    if let Some(f) = r.get("destinations").and_then(|d| d.get("onFailure")) {
        let target = f.get("arn").unwrap_or(f);
        if let Some(dest) = target.scalar_text() {
            let ty = f
                .get("type")
                .and_then(Node::scalar_text)
                .or_else(|| service_of(&dest));
            if ty.as_deref() == Some("sns") {
                statements.push(json!({"Effect": "Allow", "Action": ["sns:Publish"],
                    "Resource": [dest]}));
            } else {
                statements.push(json!({"Effect": "Allow",
                    "Action": ["sqs:ListQueues", "sqs:SendMessage"], "Resource": [dest]}));
            }
            on_failure = Some(Spanned::new(dest, target.span));
        }
    }
    let poll = Poll {
        access: Vec::new(),
        on_failure,
    };
    Lowered {
        kind: if dynamo {
            EventKind::DynamoDb(poll)
        } else {
            EventKind::Kinesis(poll)
        },
        source: Some(source),
        source_node: Some(node.clone()),
        permission: None,
        statements,
    }
}

/// The ENI rights Lambda needs to reach a cluster in a VPC: the `ec2Statement` of
/// `compile/events/msk/index.js:69-80`, `kafka.js:115-126`, `activemq.js:64-75`, `rabbitmq.js`.
pub(super) fn network() -> serde_json::Value {
    json!({"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"], "Resource": "*"})
}

/// One access configuration, typed the way an event source mapping's
/// `SourceAccessConfigurations` are (`BASIC_AUTH`, `VPC_SUBNET`, ...).
pub(super) fn access(kind: &str, uri: String) -> SourceAccess {
    SourceAccess {
        kind: Some(kind.to_string()),
        uri: Some(uri),
    }
}

/// The service field of an ARN (`dynamodb`, `kinesis`, `sns`); `None` for other text.
fn service_of(arn: &str) -> Option<String> {
    Some(Arn::parse(arn).ok()?.service()?.as_str().to_string())
}
