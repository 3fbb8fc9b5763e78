//! Request parameters of a boto3 call (keywords, `**dict` splats, named positionals) and SDK
//! objects known from type annotations or parameter names.

use super::Named;
use tree_sitter::Node;

use super::by_field;
use super::pyeval::{Env, Obj};
use crate::model::Arg;

/// Service names that a parameter may be named after (`s3_client`, `sqs`, `ddb`).
const SERVICES: &[&str] = &[
    "s3",
    "dynamodb",
    "sqs",
    "sns",
    "ssm",
    "secretsmanager",
    "kms",
    "sts",
    "events",
    "stepfunctions",
    "kinesis",
    "firehose",
    "ses",
    "sesv2",
    "cloudwatch",
    "logs",
    "ec2",
    "ecs",
    "iam",
    "lambda",
    "glue",
    "athena",
    "rekognition",
    "textract",
    "comprehend",
    "translate",
    "bedrock",
    "bedrock-runtime",
    "bedrock-agent-runtime",
    "sagemaker-runtime",
    "apigateway",
    "cognito-idp",
    "appconfig",
    "appconfigdata",
    "scheduler",
    "xray",
    "cloudformation",
    "transcribe",
    "polly",
    "iot-data",
    "eventbridge",
    "codepipeline",
    "route53",
    "ecr",
    "elbv2",
    "autoscaling",
    "organizations",
];

impl Env<'_> {
    /// The `i`-th positional argument of an argument list.
    pub(crate) fn positional(&self, args: Node<'_>, i: usize) -> Option<Arg> {
        Some(self.eval(self.positional_node(args, i)?, 0))
    }

    /// The expression of the `i`-th positional argument.
    pub(crate) fn positional_node<'t>(&self, args: Node<'t>, i: usize) -> Option<Node<'t>> {
        let mut cursor = args.walk();
        args.named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .filter(|a| {
                !matches!(
                    a.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat" | "comment"
                )
            })
            .nth(i)
    }

    pub(crate) fn keyword(&self, args: Node<'_>, name: &str) -> Option<Arg> {
        Some(self.eval(self.keyword_node(args, name)?, 0))
    }

    /// The value expression of keyword argument `name`.
    pub(crate) fn keyword_node<'t>(&self, args: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut cursor = args.walk();
        let node = args
            .named_children(&mut cursor)
            .filter(|n| !n.is_extra())
            .find(|a| {
                a.kind() == "keyword_argument"
                    && by_field(*a, "name").is_some_and(|n| self.t(n) == name)
            })?;
        by_field(node, "value")
    }

    /// Named request parameters: keywords, `**dict` splats, and positionals named by `names`.
    pub(crate) fn arguments(&self, args: Node<'_>, names: &[&str]) -> Vec<(String, Arg)> {
        let mut out = Vec::new();
        let mut position = 0;
        let mut cursor = args.walk();
        for a in args.named_children(&mut cursor).filter(|n| !n.is_extra()) {
            match a.kind() {
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (by_field(a, "name"), by_field(a, "value"))
                    else {
                        continue;
                    };
                    self.push_arg(&mut out, self.t(name), value);
                }
                "dictionary_splat" => {
                    let Some(inner) = a.arg(0) else {
                        continue;
                    };
                    match inner.kind() {
                        "dictionary" => out.extend(self.dict(inner, 0)),
                        _ => {
                            if let Some(Obj::Dict(pairs)) = self.resolve(inner, 0) {
                                out.extend(pairs);
                            }
                        }
                    }
                }
                "list_splat" | "comment" => {}
                _ => {
                    if let Some(name) = names.get(position) {
                        self.push_arg(&mut out, name, a);
                    }
                    position += 1;
                }
            }
        }
        out
    }

    /// `Params={...}` of `generate_presigned_url` is flattened into the request parameters.
    fn push_arg(&self, out: &mut Vec<(String, Arg)>, name: &str, value: Node<'_>) {
        if name == "Params" {
            let pairs = match value.kind() {
                "dictionary" => Some(self.dict(value, 0)),
                _ => match self.resolve(value, 0) {
                    Some(Obj::Dict(pairs)) => Some(pairs),
                    _ => None,
                },
            };
            if let Some(pairs) = pairs {
                out.extend(pairs);
                return;
            }
        }
        out.push((name.to_string(), self.eval(value, 0)));
        self.push_members(out, name, value);
    }

    /// Members of a nested request structure, named by their path (`Target.RoleArn`, and
    /// `Targets[].RoleArn` for the structures of a list), one level deep, for the parameters
    /// whose members parameter-dependent needs read (a passed role, a copy source).
    fn push_members(&self, out: &mut Vec<(String, Arg)>, name: &str, value: Node<'_>) {
        if !crate::data::params().reads_members(name) {
            return;
        }
        match value.kind() {
            "dictionary" => {
                for (k, v) in self.dict(value, 0) {
                    out.push((format!("{name}.{k}"), v));
                }
            }
            "list" => {
                let mut cursor = value.walk();
                for item in value.named_children(&mut cursor).filter(|n| !n.is_extra()) {
                    if item.kind() == "dictionary" {
                        for (k, v) in self.dict(item, 0) {
                            out.push((format!("{name}[].{k}"), v));
                        }
                    }
                }
            }
            _ => {
                if let Some(Obj::Dict(pairs)) = self.resolve(value, 0) {
                    for (k, v) in pairs {
                        out.push((format!("{name}.{k}"), v));
                    }
                }
            }
        }
    }

    /// String-keyed entries of a dict literal.
    pub(crate) fn dict(&self, node: Node<'_>, depth: usize) -> Vec<(String, Arg)> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        for pair in node.named_children(&mut cursor).filter(|n| !n.is_extra()) {
            if pair.kind() != "pair" {
                continue;
            }
            let (Some(k), Some(v)) = (by_field(pair, "key"), by_field(pair, "value")) else {
                continue;
            };
            if let Arg::Str(key) = self.eval(k, depth + 1) {
                out.push((key, self.eval(v, depth + 1)));
            }
        }
        out
    }

    /// The SDK object a type annotation names (`S3Client`, `"Table"`, `mypy_boto3_s3.S3Client`).
    pub(crate) fn annotation(&self, node: Node<'_>) -> Option<Obj> {
        let raw = self
            .t(node)
            .trim_matches(|c| c == '"' || c == '\'' || c == ' ');
        let raw = raw
            .strip_prefix("Optional[")
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(raw);
        let name = raw.rsplit('.').next().unwrap_or(raw);
        let service = match self.mypy.get(name) {
            Some(service) => service.clone(),
            None => {
                let stem = name.strip_suffix("Client")?;
                let guess = match stem.to_ascii_lowercase().as_str() {
                    "sfn" => "stepfunctions".to_string(),
                    "eventbridge" => "events".to_string(),
                    "cloudwatchlogs" => "logs".to_string(),
                    other => other.to_string(),
                };
                if !SERVICES.contains(&guess.as_str()) {
                    return None;
                }
                return Some(Obj::Client(guess));
            }
        };
        Some(if name.ends_with("Client") {
            Obj::Client(service)
        } else {
            let resource_type = if name.ends_with("ServiceResource") {
                String::new()
            } else {
                name.to_string()
            };
            Obj::Resource {
                service,
                resource_type,
                ids: Vec::new(),
                path: String::new(),
            }
        })
    }

    /// A parameter named like a client (`s3_client`, `sqs`, `ddb`, `table`) in a boto3 file.
    pub(crate) fn by_name(&self, name: &str) -> Option<Obj> {
        if !self.boto3 {
            return None;
        }
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "table" | "ddb_table" | "dynamodb_table") {
            let service = "dynamodb".to_string();
            return Some(Obj::Resource {
                service,
                resource_type: "Table".into(),
                ids: Vec::new(),
                path: String::new(),
            });
        }
        let stem = lower.strip_suffix("_client").unwrap_or(&lower);
        let service = match stem {
            "ddb" => "dynamodb".to_string(),
            "sfn" => "stepfunctions".to_string(),
            "secrets" => "secretsmanager".to_string(),
            s => s.replace('_', "-"),
        };
        (SERVICES.contains(&service.as_str()) && (stem != lower || service != "lambda"))
            .then_some(Obj::Client(service))
    }
}
