//! Terraform AWS provider resource types mapped to the CloudFormation types the rest of
//! rolefit knows, with the argument that sets the physical name, and what a reference to one
//! of their attributes returns (the "Attribute Reference" section of each resource page of
//! the AWS provider documentation).

use crate::parse::common::resources;

/// `(CloudFormation type, name argument)` of a Terraform resource type.
pub fn cfn_kind(tf: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match tf {
        "aws_lambda_function" => ("AWS::Lambda::Function", Some("function_name")),
        "aws_sqs_queue" => ("AWS::SQS::Queue", Some("name")),
        "aws_sns_topic" => ("AWS::SNS::Topic", Some("name")),
        "aws_s3_bucket" => ("AWS::S3::Bucket", Some("bucket")),
        "aws_dynamodb_table" => ("AWS::DynamoDB::Table", Some("name")),
        "aws_kinesis_stream" => ("AWS::Kinesis::Stream", Some("name")),
        "aws_kinesis_firehose_delivery_stream" => {
            ("AWS::KinesisFirehose::DeliveryStream", Some("name"))
        }
        "aws_iam_role" => ("AWS::IAM::Role", Some("name")),
        "aws_iam_policy" => ("AWS::IAM::ManagedPolicy", Some("name")),
        "aws_secretsmanager_secret" => ("AWS::SecretsManager::Secret", Some("name")),
        "aws_ssm_parameter" => ("AWS::SSM::Parameter", Some("name")),
        "aws_kms_key" => ("AWS::KMS::Key", None),
        "aws_kms_alias" => ("AWS::KMS::Alias", Some("name")),
        "aws_cloudwatch_event_rule" => ("AWS::Events::Rule", Some("name")),
        "aws_cloudwatch_event_bus" => ("AWS::Events::EventBus", Some("name")),
        "aws_cloudwatch_log_group" => ("AWS::Logs::LogGroup", Some("name")),
        "aws_sfn_state_machine" => ("AWS::StepFunctions::StateMachine", Some("name")),
        "aws_efs_access_point" => ("AWS::EFS::AccessPoint", None),
        "aws_efs_file_system" => ("AWS::EFS::FileSystem", None),
        "aws_lambda_layer_version" => ("AWS::Lambda::LayerVersion", Some("layer_name")),
        "aws_api_gateway_rest_api" => ("AWS::ApiGateway::RestApi", None),
        "aws_apigatewayv2_api" => ("AWS::ApiGatewayV2::Api", None),
        "aws_cognito_user_pool" => ("AWS::Cognito::UserPool", Some("name")),
        "aws_ecr_repository" => ("AWS::ECR::Repository", Some("name")),
        "aws_iot_topic_rule" => ("AWS::IoT::TopicRule", Some("name")),
        "aws_scheduler_schedule" => ("AWS::Scheduler::Schedule", Some("name")),
        "aws_lambda_alias" => ("AWS::Lambda::Alias", Some("name")),
        _ => return None,
    })
}

/// What `<address>.<attr>` returns, given the physical name and ARN.
pub fn attribute(tf: &str, address: &str, name: &str, arn: Option<&str>, attr: &str) -> String {
    let fallback = || format!("${{{address}.{attr}}}");
    let Some((kind, name_arg)) = cfn_kind(tf) else {
        return match attr {
            "id" => format!("${{{address}}}"),
            _ => fallback(),
        };
    };
    match (tf, attr) {
        // The provider strips the `:*` that CloudWatch Logs' API puts on a log group's ARN
        // ("Any :* suffix added by the API, denoting all CloudWatch Log Streams under the
        // CloudWatch Log Group, is removed", aws_cloudwatch_log_group, Attribute Reference), so
        // a grant on it alone does not cover the group's log streams.
        ("aws_cloudwatch_log_group", "arn") => arn.map_or_else(fallback, |a| {
            a.strip_suffix(":*").unwrap_or(a).to_string()
        }),
        (_, "arn") => arn.map_or_else(fallback, str::to_string),
        ("aws_dynamodb_table", "stream_arn") => arn.map_or_else(fallback, |a| format!("{a}/stream/*")),
        ("aws_sqs_queue", "id" | "url") => resources::ref_value(kind, address, name, arn),
        ("aws_sns_topic" | "aws_sfn_state_machine" | "aws_secretsmanager_secret", "id") => {
            arn.map_or_else(fallback, str::to_string)
        }
        ("aws_lambda_function", "invoke_arn") => arn.map_or_else(fallback, |a| {
            format!("arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{a}/invocations")
        }),
        ("aws_lambda_function", "qualified_arn") => {
            arn.map_or_else(fallback, |a| format!("{a}:${{{address}.version}}"))
        }
        // "execution_arn": the ARN prefix for `lambda:InvokeFunction` source ARNs, built from
        // the API id (aws_api_gateway_rest_api and aws_apigatewayv2_api, Attribute Reference).
        ("aws_api_gateway_rest_api" | "aws_apigatewayv2_api", "execution_arn") => {
            format!("arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{address}}}")
        }
        ("aws_s3_bucket", "bucket_domain_name") => format!("{name}.s3.amazonaws.com"),
        ("aws_s3_bucket", "bucket_regional_domain_name") => {
            format!("{name}.s3.${{AWS::Region}}.amazonaws.com")
        }
        (_, "id" | "name") if name_arg.is_some() => name.to_string(),
        (_, a) if Some(a) == name_arg => name.to_string(),
        (_, "id") => format!("${{{address}}}"),
        _ => fallback(),
    }
}
