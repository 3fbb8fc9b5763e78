//! Needs from the function's definition: CloudWatch Logs, VPC, tracing, KMS, EFS, DLQ and
//! destinations (`config`/`destination`), and event source mappings, which Lambda polls with
//! the execution role (`event-source`). What each needs comes from `policies/lambda.json`,
//! written from the AWS Lambda Developer Guide (each entry cites its page).

use std::collections::BTreeMap;

use super::{Choice, NeedOpts, NeedSet, Reason, ReasonKind};
use crate::arn::Arn;
use crate::data::{self, Statement as LambdaStatement};
use crate::model::{App, EventKind, Function, ResourceKind};
use crate::source::Span;

/// What a table entry's `resource` stands for in this function.
#[derive(Default)]
struct Targets<'a> {
    source: Option<&'a str>,
    /// The table of a DynamoDB stream source.
    table: Option<String>,
    consumer: Option<&'a str>,
    secret: Option<String>,
    key: Option<&'a str>,
    target: Option<&'a str>,
    file_system: Option<&'a str>,
    log_group: Option<String>,
    /// The event source is reached through the customer's VPC (`VPC_SUBNET` access config).
    vpc: bool,
}

pub(super) fn config_needs(func: &Function, app: &App, set: &mut NeedSet) {
    let table = data::lambda();
    // The physical name after `:function:` (it may hold `${AWS::...}` placeholders, colons
    // included).
    // The whole resource id, as the model's function ARNs carry no qualifier.
    let name = Arn::parse(&func.arn)
        .ok()
        .filter(|a| a.function().is_some())
        .and_then(|a| a.resource_id())
        .map_or(func.name.as_str(), |n| n.as_str())
        .to_string();
    let group = func
        .config
        .log_group
        .as_ref()
        .map(|g| g.value.clone())
        .unwrap_or_else(|| format!("/aws/lambda/{name}"));
    // A log group declared beside the function (CloudFormation `LogGroupName`, Terraform
    // `name`) exists before the function runs.
    let group_declared = app
        .resources
        .iter()
        .any(|r| matches!(&r.kind, ResourceKind::LogGroup { name: Some(n) } if *n == group));
    let logs_span = func.config.log_group.as_ref().map_or(func.span, |g| g.span);
    let (region, account) = super::home(func);
    // The function's region and account as resource-ARN parameters.
    let home_params: BTreeMap<String, String> = [
        (super::REGION.to_string(), region.clone()),
        (super::ACCOUNT.to_string(), account.clone()),
    ]
    .into();
    if let Some(entry) = table.config("Logging") {
        let t = Targets {
            log_group: Some(format!("arn:aws:logs:{region}:{account}:log-group:{group}")),
            ..Targets::default()
        };
        for st in &entry.statements {
            for action in &st.actions {
                // Lambda creates the log group only when it does not exist yet.
                if action == "logs:CreateLogGroup"
                    && (group_declared || func.config.log_group.is_some())
                {
                    continue;
                }
                if let Some(resource) = resolve(&st.resource, action, &t) {
                    set.add(
                        action,
                        &resource,
                        reason(ReasonKind::Config, logs_span, "CloudWatch Logs"),
                    );
                }
            }
        }
    }
    if let Some(span) = func.config.durable {
        // A durable function checkpoints and reads its executions' state (Lambda Developer
        // Guide, "Durable functions": AWSLambdaBasicDurableExecutionRolePolicy).
        let executions = format!("{}:*/durable-execution/*", func.arn);
        for action in [
            "lambda:CheckpointDurableExecution",
            "lambda:GetDurableExecutionState",
        ] {
            set.add(
                action,
                &executions,
                reason(ReasonKind::Config, span, "DurableConfig"),
            );
        }
    }
    let mut add = |key: &str, t: &Targets<'_>, kind: ReasonKind, span: Span, detail: &str| {
        let Some(entry) = table.config(key) else {
            return;
        };
        add_statements(set, &home_params, &entry.statements, t, kind, span, detail);
    };
    if let Some(span) = func.config.vpc {
        add(
            "Vpc",
            &Targets::default(),
            ReasonKind::Config,
            span,
            "VpcConfig",
        );
    }
    if let Some(span) = func.config.tracing {
        add(
            "Tracing",
            &Targets::default(),
            ReasonKind::Config,
            span,
            "Tracing: Active",
        );
    }
    if let Some(key) = &func.config.kms_key_arn {
        let t = Targets {
            key: Some(&key.value),
            ..Targets::default()
        };
        add(
            "EnvironmentKms",
            &t,
            ReasonKind::Config,
            key.span,
            "KmsKeyArn",
        );
    }
    for fs in &func.config.file_systems {
        let fs_arn = file_system_of(app, &fs.value);
        let t = Targets {
            file_system: Some(&fs_arn),
            ..Targets::default()
        };
        add(
            "FileSystem",
            &t,
            ReasonKind::Config,
            fs.span,
            "FileSystemConfigs",
        );
    }
    if let Some(dlq) = &func.config.dead_letter {
        let key = match arn_service(&dlq.value) {
            Some("sns") => Some("DeadLetterQueueSns"),
            Some("sqs") => Some("DeadLetterQueueSqs"),
            _ => None,
        };
        if let Some(key) = key {
            let t = Targets {
                target: Some(&dlq.value),
                ..Targets::default()
            };
            add(
                key,
                &t,
                ReasonKind::Destination,
                dlq.span,
                "DeadLetterQueue",
            );
        }
    }
    for d in &func.config.destinations {
        let key = match arn_service(&d.arn.value) {
            Some("sqs") => Some("DestinationSqs"),
            Some("sns") => Some("DestinationSns"),
            Some("lambda") => Some("DestinationLambda"),
            Some("events") => Some("DestinationEventBridge"),
            Some("s3") => Some("DestinationS3"),
            _ => None,
        };
        if let Some(key) = key {
            let t = Targets {
                target: Some(&d.arn.value),
                ..Targets::default()
            };
            add(
                key,
                &t,
                ReasonKind::Destination,
                d.arn.span,
                &format!("{} destination", d.condition),
            );
        }
    }
    for event in &func.events {
        let Some(poll) = event.kind.poll() else {
            continue;
        };
        // Self-managed Kafka has no ARN: its bootstrap servers are not an AWS resource.
        let source = event.source_arn.as_ref().map(|s| s.value.as_str());
        let kind = match source {
            Some(arn) => event_source_kind(&event.kind, arn),
            None => self_managed_kafka(&event.kind),
        };
        let Some(kind) = kind else {
            continue;
        };
        let Some(entry) = table.event_source(kind) else {
            continue;
        };
        let detail = if event.enabled {
            format!("{kind} event source {}", event.name)
        } else {
            format!("{kind} event source {} (disabled)", event.name)
        };
        let stream = source.map(stream_of);
        // The customer managed key of a declared queue, stream or table the mapping polls.
        let (region, account) = super::home(func);
        let key = source
            .filter(|_| matches!(kind, "SQS" | "Kinesis" | "KinesisConsumer" | "DynamoDB"))
            .map(|s| {
                if kind == "KinesisConsumer" {
                    stream_of(s)
                } else {
                    s.to_string()
                }
            })
            .and_then(|s| super::kms::encrypted_source(app, &s))
            .and_then(|r| r.encryption.as_ref())
            .map(|k| super::kms::key_arn(app, &k.value, &region, &account));
        let t = Targets {
            key: key.as_deref(),
            table: source
                .filter(|_| kind == "DynamoDB")
                .and_then(|s| s.split_once("/stream/"))
                .map(|(table, _)| table.to_string()),
            source: if kind == "KinesisConsumer" {
                stream.as_deref()
            } else {
                source
            },
            consumer: source.filter(|_| kind == "KinesisConsumer"),
            secret: poll.secret().map(str::to_string),
            vpc: poll.reaches_vpc(),
            ..Targets::default()
        };
        add_statements(
            set,
            &home_params,
            &entry.statements,
            &t,
            ReasonKind::EventSource,
            event.span,
            &detail,
        );
        // Stream and Kafka mappings send records that failed to their on-failure
        // destination with the execution role.
        if let Some(dest) = &poll.on_failure {
            let key = match arn_service(&dest.value) {
                Some("sqs") => "DestinationSqs",
                Some("sns") => "DestinationSns",
                Some("s3") => "DestinationS3",
                _ => continue,
            };
            if let Some(entry) = table.config(key) {
                let t = Targets {
                    target: Some(&dest.value),
                    ..Targets::default()
                };
                let detail = format!("OnFailure destination of event source {}", event.name);
                add_statements(
                    set,
                    &home_params,
                    &entry.statements,
                    &t,
                    ReasonKind::Destination,
                    dest.span,
                    &detail,
                );
            }
        }
    }
}

fn add_statements(
    set: &mut NeedSet,
    home: &BTreeMap<String, String>,
    statements: &[LambdaStatement],
    t: &Targets<'_>,
    kind: ReasonKind,
    span: Span,
    detail: &str,
) {
    for st in statements {
        if st.when.is_some() && !case_applies(st, t) {
            continue;
        }
        let group = (!st.or.is_empty()).then(|| set.new_group());
        let options = std::iter::once((st.actions.as_slice(), st.resource.as_str())).chain(
            st.or
                .iter()
                .map(|a| (a.actions.as_slice(), a.resource.as_str())),
        );
        for (option, (actions, resource)) in (0u32..).zip(options) {
            for action in actions {
                // `*` in the table is "whatever the action acts on": `*` for an action AWS
                // defines with no resource type, else every resource type it requires, with
                // unknown names (`ec2:CreateNetworkInterface` on `network-interface/*` and
                // `subnet/*` of the function's account), so a grant on those ARNs counts.
                let resources: Vec<String> = if resource == "*" {
                    let primary = super::resource_for_action(action, home);
                    let others = super::every_resource_for_action(action, home, &primary);
                    std::iter::once(primary).chain(others).collect()
                } else {
                    match resolve(resource, action, t) {
                        Some(r) => vec![r],
                        None => continue,
                    }
                };
                for resource in resources {
                    let opts = NeedOpts {
                        strength: st.strength,
                        choice: group.map(|group| Choice { group, option }),
                        ..NeedOpts::default()
                    };
                    // A recommended case names its condition (`if the cluster uses IAM access
                    // control ...`), since the input cannot show it.
                    let detail = match (&st.when, st.strength) {
                        (Some(when), data::Strength::Recommended) => format!("{detail}, if {when}"),
                        _ => detail.to_string(),
                    };
                    set.add_with(action, &resource, reason(kind, span, &detail), opts);
                }
            }
        }
    }
}

/// Statements limited to a case (`when`) apply only when the input shows that case: a known
/// secret for SASL/mTLS authentication, a customer managed key on the polled queue, stream or
/// table. Keys of secrets are not in the input and are left out rather than guessed.
fn case_applies(st: &LambdaStatement, t: &Targets<'_>) -> bool {
    match st.resource.as_str() {
        // MSK's IAM access control: Lambda uses it when no secret is configured.
        "source" | "kafka-topic" | "kafka-group" => t.secret.is_none(),
        "secret" => t.secret.is_some(),
        "*" => t.vpc,
        "key" => t.key.is_some(),
        _ => false,
    }
}

/// The resource of one action of a table statement, or `None` when it is not known here.
fn resolve(resource: &str, action: &str, t: &Targets<'_>) -> Option<String> {
    Some(match resource {
        "*" => "*".to_string(),
        "source" => t.source?.to_string(),
        "table" => t.table.clone()?,
        "consumer" => t.consumer?.to_string(),
        "kafka-topic" | "kafka-group" => {
            // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic|group/<name>/<uuid>/*
            let source = t.source?;
            let (head, rest) = source.split_once(":cluster/")?;
            let kind = resource.trim_start_matches("kafka-");
            format!("{head}:{kind}/{}/*", rest.trim_end_matches("/*"))
        }
        "secret" => t.secret.clone()?,
        "key" => t.key?.to_string(),
        "file-system" => t.file_system?.to_string(),
        "target" => {
            let target = t.target?;
            if action == "s3:PutObject" && !target.contains('/') {
                format!("{target}/*")
            } else {
                target.to_string()
            }
        }
        "log-group" => {
            let group = t.log_group.as_deref()?;
            if action == "logs:CreateLogGroup" {
                // CloudWatch Logs authorizes CreateLogGroup on `log-group:<name>:log-stream:`
                // (the resource its AccessDenied errors name: "not authorized to perform:
                // logs:CreateLogGroup on resource: arn:aws:logs:...:log-group:<name>:log-stream:"),
                // so the `log-group:<name>:*` grant the Lambda console writes covers it and a
                // bare `log-group:<name>` does not. The need asks for `<name>:*`, the grant a
                // fix writes.
                format!("{group}:*")
            } else {
                format!("{group}:log-stream:*")
            }
        }
        _ => return None,
    })
}

/// EFS authorizes `ClientMount`/`ClientWrite` on the file system, with the access point as the
/// `elasticfilesystem:AccessPointArn` condition: the file system behind a declared access
/// point, or any file system when the access point is not in the input.
fn file_system_of(app: &App, access_point: &str) -> String {
    if access_point.contains(":file-system/") {
        return access_point.to_string();
    }
    let declared = app.resources.iter().find_map(|r| match &r.kind {
        ResourceKind::EfsAccessPoint { file_system } if r.arn.as_deref() == Some(access_point) => {
            Some(file_system)
        }
        _ => None,
    });
    match declared.and_then(Option::as_deref) {
        Some(id) => format!(
            "arn:aws:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{id}"
        ),
        None => {
            "arn:aws:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/*".to_string()
        }
    }
}

fn reason(kind: ReasonKind, span: Span, detail: &str) -> Reason {
    Reason {
        kind,
        span,
        detail: detail.to_string(),
    }
}

fn arn_service(arn: &str) -> Option<&str> {
    Some(Arn::parse(arn).ok()?.service()?.as_str())
}

/// A SAM `SelfManagedKafka` event, or a mapping with a `SelfManagedEventSource`.
fn self_managed_kafka(kind: &EventKind) -> Option<&'static str> {
    matches!(
        kind,
        EventKind::SelfManagedKafka(_)
            | EventKind::Mapping {
                self_managed: true,
                ..
            }
    )
    .then_some("SelfManagedKafka")
}

/// The event source type of a polled event: the SAM type, or for a plain mapping, the
/// service of its source ARN. Push events (S3, SNS, API, ...) need nothing on the role.
fn event_source_kind(kind: &EventKind, arn: &str) -> Option<&'static str> {
    let by_arn = || -> Option<&'static str> {
        Some(match arn_service(arn)? {
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
        EventKind::Sqs(_) => Some("SQS"),
        EventKind::Kinesis(_) => by_arn().or(Some("Kinesis")),
        EventKind::DynamoDb(_) => Some("DynamoDB"),
        EventKind::Msk(_) => Some("MSK"),
        EventKind::SelfManagedKafka(_) => Some("SelfManagedKafka"),
        EventKind::Mq(_) => Some("MQ"),
        EventKind::DocumentDb(_) => Some("DocumentDB"),
        EventKind::Mapping { .. } => by_arn(),
        _ => None,
    }
}

/// The stream ARN of a Kinesis consumer ARN (`.../stream/s/consumer/c:123` -> `.../stream/s`).
fn stream_of(arn: &str) -> String {
    arn.split("/consumer/").next().unwrap_or(arn).to_string()
}
