//! What the SAM transform adds: `Globals` merging, the resources it generates (execution
//! roles, implicit APIs) and the policies it attaches to generated roles.
//! See "Globals section of the AWS SAM template" and the `AWS::Serverless::Function` page
//! of the SAM developer guide.

use super::intrinsics::Template;
use crate::syntax::node::{Node, Value};

/// Records the resources SAM generates so `!Ref`/`!GetAtt` to them resolve.
pub fn register_implicit(t: &mut Template, root: &Node) {
    let global_role = root
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("Role"));
    let mut add = Vec::new();
    for (logical, decl) in &t.resources {
        let props = decl.props();
        let get = |k: &str| props.and_then(|p| p.get(k));
        match decl.kind.as_str() {
            "AWS::Serverless::Function" => {
                if get("Role").or(global_role).is_none() {
                    add.push((format!("{logical}Role"), "AWS::IAM::Role"));
                }
                if let Some(alias) = t
                    .sam_function_prop(logical, "AutoPublishAlias")
                    .and_then(|a| t.text(a))
                {
                    add.push((format!("{logical}Alias{alias}"), "AWS::Lambda::Alias"));
                }
                if get("FunctionUrlConfig").is_some() {
                    add.push((format!("{logical}Url"), "AWS::Lambda::Url"));
                }
            }
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                if let Some(stage) = get("StageName").and_then(|a| t.text(a)) {
                    let kind = if decl.kind == "AWS::Serverless::Api" {
                        "AWS::ApiGateway::Stage"
                    } else {
                        "AWS::ApiGatewayV2::Stage"
                    };
                    add.push((format!("{logical}{stage}Stage"), kind));
                }
            }
            _ => {}
        }
    }
    add.push(("ServerlessRestApi".into(), "AWS::ApiGateway::RestApi"));
    add.push(("ServerlessHttpApi".into(), "AWS::ApiGatewayV2::Api"));
    for (k, v) in add {
        if !t.resources.contains_key(&k) {
            t.implicit.insert(k, v);
        }
    }
}

/// Merges a `Globals` section into a resource's properties: "primitive values are
/// overridden, maps are merged (resource wins), lists are additive (globals first)".
pub fn merge_globals(global: Option<&Node>, local: Option<&Node>) -> Node {
    match (global, local) {
        (None, Some(l)) => l.clone(),
        (Some(g), None) => g.clone(),
        (None, None) => Node::new(Value::Map(Vec::new()), Default::default()),
        (Some(g), Some(l)) => merge(g, l),
    }
}

fn merge(g: &Node, l: &Node) -> Node {
    // Intrinsic functions are values, not maps to merge.
    let intrinsic = |n: &Node| {
        n.single_entry()
            .is_some_and(|(k, _)| k == "Ref" || k.starts_with("Fn::"))
    };
    match (&g.value, &l.value) {
        (Value::Map(gm), Value::Map(lm)) if !intrinsic(g) && !intrinsic(l) => {
            let mut out = gm.clone();
            for (k, v) in lm {
                match out.iter_mut().find(|(gk, _)| gk.name == k.name) {
                    Some(slot) => *slot = (k.clone(), merge(&slot.1, v)),
                    None => out.push((k.clone(), v.clone())),
                }
            }
            Node::new(Value::Map(out), l.span)
        }
        (Value::Seq(gs), Value::Seq(ls)) => {
            let mut out = gs.clone();
            out.extend(ls.iter().cloned());
            Node::new(Value::Seq(out), l.span)
        }
        _ => l.clone(),
    }
}

/// The managed policy SAM attaches for a pull event source, by event type.
pub fn event_policy(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "SQS" => "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        "Kinesis" => "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
        "DynamoDB" => "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
        "MSK" => "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole",
        _ => return None,
    })
}

pub const BASIC_EXECUTION: &str =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
pub const VPC_ACCESS: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
/// What SAM attaches for `DurableConfig` (checkpoints and state of durable executions).
pub const DURABLE_EXECUTION: &str =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicDurableExecutionRolePolicy";
pub const XRAY_WRITE: &str = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess";

/// The inline statements SAM writes for event sources without a managed policy
/// (`MQ`, `SelfManagedKafka`, `DocumentDB`), as JSON; `source` is the resolved broker/cluster
/// ARN and `secrets` the resolved `SourceAccessConfigurations` URIs.
pub fn event_statements(kind: &str, source: &str, secrets: &[String]) -> Option<serde_json::Value> {
    use serde_json::json;
    let secret_res: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let network = json!({
        "Effect": "Allow",
        "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                   "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                   "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
        "Resource": "*"
    });
    let mut stmts = match kind {
        "MQ" => vec![
            json!({
                "Effect": "Allow",
                "Action": ["mq:DescribeBroker"],
                "Resource": source
            }),
            network,
        ],
        "DocumentDB" => vec![
            json!({
                "Effect": "Allow",
                "Action": ["rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups",
                           "rds:DescribeDBClusters"],
                "Resource": source
            }),
            network,
        ],
        "SelfManagedKafka" => vec![network],
        _ => return None,
    };
    if !secret_res.is_empty() {
        stmts.push(json!({
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": secret_res
        }));
    }
    Some(json!({ "Version": "2012-10-17", "Statement": stmts }))
}

/// The statement SAM adds for an `EventInvokeConfig` destination of type `kind`.
pub fn destination_statements(kind: &str, arn: &str) -> Option<serde_json::Value> {
    use serde_json::json;
    let stmts = match kind {
        "SQS" => vec![json!({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn})],
        "SNS" => vec![json!({"Effect": "Allow", "Action": "sns:Publish", "Resource": arn})],
        "Lambda" => {
            vec![json!({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn})]
        }
        "EventBridge" => {
            vec![json!({"Effect": "Allow", "Action": "events:PutEvents", "Resource": arn})]
        }
        "S3" => vec![
            json!({"Effect": "Allow", "Action": "s3:PutObject", "Resource": format!("{arn}/*")}),
            json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": arn}),
        ],
        _ => return None,
    };
    Some(json!({ "Version": "2012-10-17", "Statement": stmts }))
}
