//! What `Ref` and `Fn::GetAtt` return for each resource type, and resource ARNs, written
//! with `${...}` placeholders. Sources: the "Return values" section of each type's page in the
//! CloudFormation resource reference, and the SAM resource specification.

/// Placeholder prefix for account-scoped ARNs in the current region.
const RA: &str = "${AWS::Region}:${AWS::AccountId}";

/// A resource type that CloudFormation names by a generated identifier rather than by a name
/// property: the `Fn::GetAtt` attribute that returns the identifier, the attributes that return
/// its ARN, whether `Ref` returns the identifier (else the ARN), and the ARN built from the
/// identifier (`{id}`). The identifier is written `${Logical}` when `Ref` returns it and
/// `${Logical.IdAttr}` otherwise, so `!Ref X`, `!GetAtt X.Id` and an ARN written with either
/// in `!Sub` name the same resource.
struct Identified {
    kind: &'static str,
    id_attr: &'static str,
    arn_attrs: &'static [&'static str],
    ref_is_id: bool,
    arn: &'static str,
}

/// Sources: the "Return values" section (`Ref`, `Fn::GetAtt`) of each type's page in the
/// CloudFormation Template Reference,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kendra-index.html>
/// and its siblings (`aws-resource-<service>-<type>.html`), and the resource ARN formats in the
/// Service Authorization Reference ("Resource types defined by <service>").
const IDENTIFIED: &[Identified] = &[
    Identified {
        kind: "AWS::Kendra::Index",
        id_attr: "Id",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:kendra:${AWS::Region}:${AWS::AccountId}:index/{id}",
    },
    Identified {
        kind: "AWS::Bedrock::KnowledgeBase",
        id_attr: "KnowledgeBaseId",
        arn_attrs: &["KnowledgeBaseArn"],
        ref_is_id: true,
        arn: "arn:aws:bedrock:${AWS::Region}:${AWS::AccountId}:knowledge-base/{id}",
    },
    Identified {
        kind: "AWS::Bedrock::Agent",
        id_attr: "AgentId",
        arn_attrs: &["AgentArn"],
        ref_is_id: true,
        arn: "arn:aws:bedrock:${AWS::Region}:${AWS::AccountId}:agent/{id}",
    },
    Identified {
        kind: "AWS::Bedrock::Guardrail",
        id_attr: "GuardrailId",
        arn_attrs: &["GuardrailArn"],
        ref_is_id: false,
        arn: "arn:aws:bedrock:${AWS::Region}:${AWS::AccountId}:guardrail/{id}",
    },
    Identified {
        kind: "AWS::AppSync::GraphQLApi",
        id_attr: "ApiId",
        arn_attrs: &["Arn"],
        ref_is_id: false,
        arn: "arn:aws:appsync:${AWS::Region}:${AWS::AccountId}:apis/{id}",
    },
    Identified {
        kind: "AWS::OpenSearchServerless::Collection",
        id_attr: "Id",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:aoss:${AWS::Region}:${AWS::AccountId}:collection/{id}",
    },
    Identified {
        kind: "AWS::QBusiness::Application",
        id_attr: "ApplicationId",
        arn_attrs: &["ApplicationArn"],
        ref_is_id: true,
        arn: "arn:aws:qbusiness:${AWS::Region}:${AWS::AccountId}:application/{id}",
    },
    // `Ref` returns the group ID for a security group in a VPC (the only kind Lambda uses).
    Identified {
        kind: "AWS::EC2::SecurityGroup",
        id_attr: "GroupId",
        arn_attrs: &[],
        ref_is_id: true,
        arn: "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:security-group/{id}",
    },
    Identified {
        kind: "AWS::EC2::Subnet",
        id_attr: "SubnetId",
        arn_attrs: &[],
        ref_is_id: true,
        arn: "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:subnet/{id}",
    },
    Identified {
        kind: "AWS::EC2::VPC",
        id_attr: "VpcId",
        arn_attrs: &[],
        ref_is_id: true,
        arn: "arn:aws:ec2:${AWS::Region}:${AWS::AccountId}:vpc/{id}",
    },
    Identified {
        kind: "AWS::CloudFront::Distribution",
        id_attr: "Id",
        arn_attrs: &[],
        ref_is_id: true,
        arn: "arn:aws:cloudfront::${AWS::AccountId}:distribution/{id}",
    },
    Identified {
        kind: "AWS::EFS::FileSystem",
        id_attr: "FileSystemId",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/{id}",
    },
    Identified {
        kind: "AWS::EFS::AccessPoint",
        id_attr: "AccessPointId",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:access-point/{id}",
    },
    Identified {
        kind: "AWS::Cognito::UserPool",
        id_attr: "UserPoolId",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/{id}",
    },
    Identified {
        kind: "AWS::KMS::Key",
        id_attr: "KeyId",
        arn_attrs: &["Arn"],
        ref_is_id: true,
        arn: "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/{id}",
    },
];

fn identified(kind: &str) -> Option<&'static Identified> {
    IDENTIFIED.iter().find(|i| i.kind == kind)
}

/// The identifier of an [`Identified`] resource as `Ref`/`Fn::GetAtt` give it.
fn identifier(i: &Identified, logical: &str) -> String {
    if i.ref_is_id {
        format!("${{{logical}}}")
    } else {
        format!("${{{logical}.{}}}", i.id_attr)
    }
}

/// The property that names a resource of this type when the template sets it.
pub fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => "FunctionName",
        "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            "TableName"
        }
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::Kinesis::Stream"
        | "AWS::Events::EventBus"
        | "AWS::Events::Rule"
        | "AWS::SecretsManager::Secret"
        | "AWS::SSM::Parameter"
        | "AWS::Serverless::StateMachine"
        | "AWS::Scheduler::Schedule"
        | "AWS::Lambda::Alias" => "Name",
        "AWS::StepFunctions::StateMachine" => "StateMachineName",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IAM::Policy" => "PolicyName",
        "AWS::IAM::User" => "UserName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::KMS::Alias" => "AliasName",
        "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => "LayerName",
        "AWS::Kinesis::StreamConsumer" => "ConsumerName",
        "AWS::CodeCommit::Repository" => "RepositoryName",
        "AWS::MSK::Cluster" => "ClusterName",
        "AWS::ElasticLoadBalancingV2::TargetGroup" => "Name",
        "AWS::Cognito::UserPool" => "UserPoolName",
        "AWS::IoT::TopicRule" => "RuleName",
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::ECR::Repository" => "RepositoryName",
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => "DomainName",
        _ => return None,
    })
}

/// The resource's ARN, or `None` when its type has no ARN we model.
/// `name` is the physical name; `logical` the logical id; `prop` reads a resolved property.
pub fn arn(
    kind: &str,
    logical: &str,
    name: &str,
    prop: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let id = format!("${{{logical}}}");
    if let Some(i) = identified(kind) {
        return Some(i.arn.replace("{id}", &identifier(i, logical)));
    }
    Some(match kind {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
            format!("arn:aws:lambda:{RA}:function:{name}")
        }
        "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            format!("arn:aws:dynamodb:{RA}:table/{name}")
        }
        "AWS::SQS::Queue" => format!("arn:aws:sqs:{RA}:{name}"),
        "AWS::SNS::Topic" => format!("arn:aws:sns:{RA}:{name}"),
        "AWS::S3::Bucket" => format!("arn:aws:s3:::{name}"),
        "AWS::Kinesis::Stream" => format!("arn:aws:kinesis:{RA}:stream/{name}"),
        "AWS::Kinesis::StreamConsumer" => {
            let stream = prop("StreamARN").unwrap_or_else(|| format!("${{{logical}.StreamARN}}"));
            format!("{stream}/consumer/{name}:*")
        }
        "AWS::KinesisFirehose::DeliveryStream" => {
            format!("arn:aws:firehose:{RA}:deliverystream/{name}")
        }
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            format!("arn:aws:states:{RA}:stateMachine:{name}")
        }
        // A secret ARN ends in `-` and six random characters, which `?` stands for.
        "AWS::SecretsManager::Secret" => {
            format!("arn:aws:secretsmanager:{RA}:secret:{name}-??????")
        }
        "AWS::SSM::Parameter" => {
            format!(
                "arn:aws:ssm:{RA}:parameter/{}",
                name.trim_start_matches('/')
            )
        }
        // CloudFormation resource reference, AWS::OpenSearchService::Domain, "Return values"
        // (`Arn`, `DomainArn`): arn:aws:es:<region>:<account>:domain/<name>.
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => {
            format!("arn:aws:es:{RA}:domain/{name}")
        }
        "AWS::KMS::Alias" => format!("arn:aws:kms:{RA}:{name}"),
        "AWS::IAM::Role" => {
            let path = prop("Path").unwrap_or_else(|| "/".into());
            format!("arn:aws:iam::${{AWS::AccountId}}:role{path}{name}")
        }
        "AWS::IAM::ManagedPolicy" => {
            let path = prop("Path").unwrap_or_else(|| "/".into());
            format!("arn:aws:iam::${{AWS::AccountId}}:policy{path}{name}")
        }
        "AWS::IAM::User" => format!("arn:aws:iam::${{AWS::AccountId}}:user/{name}"),
        "AWS::Events::EventBus" => format!("arn:aws:events:{RA}:event-bus/{name}"),
        "AWS::Events::Rule" => match prop("EventBusName")
            .map(|b| bus_name(&b))
            .filter(|b| b != "default")
        {
            Some(bus) => format!("arn:aws:events:{RA}:rule/{bus}/{name}"),
            None => format!("arn:aws:events:{RA}:rule/{name}"),
        },
        "AWS::Scheduler::Schedule" => {
            let group = prop("GroupName").unwrap_or_else(|| "default".into());
            format!("arn:aws:scheduler:{RA}:schedule/{group}/{name}")
        }
        "AWS::Logs::LogGroup" => format!("arn:aws:logs:{RA}:log-group:{name}:*"),
        "AWS::ApiGateway::RestApi"
        | "AWS::Serverless::Api"
        | "AWS::Serverless::HttpApi"
        | "AWS::ApiGatewayV2::Api" => format!("arn:aws:execute-api:{RA}:{id}"),
        "AWS::Lambda::LayerVersion" | "AWS::Serverless::LayerVersion" => {
            format!("arn:aws:lambda:{RA}:layer:{name}:${{{logical}.Version}}")
        }
        "AWS::MSK::Cluster" => format!("arn:aws:kafka:{RA}:cluster/{name}/*"),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            format!("arn:aws:elasticloadbalancing:{RA}:targetgroup/{name}/*")
        }
        "AWS::IoT::TopicRule" => format!("arn:aws:iot:{RA}:rule/{name}"),
        "AWS::CodeCommit::Repository" => format!("arn:aws:codecommit:{RA}:{name}"),
        "AWS::ECR::Repository" => format!("arn:aws:ecr:{RA}:repository/{name}"),
        "AWS::Lambda::Alias" => {
            let f = prop("FunctionName").unwrap_or_else(|| "${FunctionName}".into());
            format!("{}:{name}", function_arn_of(&f))
        }
        "AWS::Lambda::Version" => {
            let f = prop("FunctionName").unwrap_or_else(|| "${FunctionName}".into());
            format!("{}:${{{logical}.Version}}", function_arn_of(&f))
        }
        _ => return None,
    })
}

/// A function name or ARN as an ARN.
pub fn function_arn_of(name_or_arn: &str) -> String {
    let is_arn = crate::arn::Arn::parse(name_or_arn).is_ok_and(|a| a.fields().is_some());
    if is_arn {
        name_or_arn.to_string()
    } else {
        format!("arn:aws:lambda:{RA}:function:{name_or_arn}")
    }
}

/// What `Ref` returns for a resource.
pub fn ref_value(kind: &str, logical: &str, name: &str, arn: Option<&str>) -> String {
    let by_arn = matches!(
        kind,
        "AWS::SNS::Topic"
            | "AWS::StepFunctions::StateMachine"
            | "AWS::Serverless::StateMachine"
            | "AWS::SecretsManager::Secret"
            | "AWS::IAM::ManagedPolicy"
            | "AWS::Lambda::LayerVersion"
            | "AWS::Serverless::LayerVersion"
            | "AWS::Kinesis::StreamConsumer"
            | "AWS::MSK::Cluster"
            | "AWS::ElasticLoadBalancingV2::TargetGroup"
            | "AWS::Lambda::Alias"
            | "AWS::Lambda::Version"
            | "AWS::Scheduler::Schedule"
    );
    if by_arn && let Some(a) = arn {
        return a.to_string();
    }
    if let Some(i) = identified(kind) {
        return match (i.ref_is_id, arn) {
            (false, Some(a)) => a.to_string(),
            _ => identifier(i, logical),
        };
    }
    match kind {
        "AWS::SQS::Queue" => {
            format!("https://sqs.${{AWS::Region}}.amazonaws.com/${{AWS::AccountId}}/{name}")
        }
        _ if name_property(kind).is_some() => name.to_string(),
        _ => format!("${{{logical}}}"),
    }
}

/// What `Fn::GetAtt` returns for an attribute.
pub fn get_att(kind: &str, logical: &str, name: &str, arn: Option<&str>, attr: &str) -> String {
    let fallback = || format!("${{{logical}.{attr}}}");
    if let Some(i) = identified(kind) {
        if attr == i.id_attr {
            return identifier(i, logical);
        }
        if i.arn_attrs.contains(&attr) {
            return arn.map_or_else(fallback, str::to_string);
        }
    }
    match (kind, attr) {
        (
            "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" | "AWS::DynamoDB::GlobalTable",
            "StreamArn",
        ) => arn.map_or_else(fallback, |a| format!("{a}/stream/*")),
        ("AWS::SQS::Queue", "QueueName")
        | ("AWS::SNS::Topic", "TopicName")
        | ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Name")
        | ("AWS::IAM::Role", "RoleName") => name.to_string(),
        ("AWS::SQS::Queue", "QueueUrl") => ref_value(kind, logical, name, arn),
        ("AWS::S3::Bucket", "DomainName") => format!("{name}.s3.amazonaws.com"),
        ("AWS::S3::Bucket", "RegionalDomainName") => {
            format!("{name}.s3.${{AWS::Region}}.amazonaws.com")
        }
        ("AWS::SNS::Topic", "TopicArn") => arn.map_or_else(fallback, str::to_string),
        ("AWS::Lambda::LayerVersion", "LayerVersionArn") => {
            arn.map_or_else(fallback, str::to_string)
        }
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn") => {
            arn.map_or_else(fallback, str::to_string)
        }
        ("AWS::SecretsManager::Secret", "Id") => arn.map_or_else(fallback, str::to_string),
        ("AWS::Kinesis::StreamConsumer", "ConsumerARN") => {
            arn.map_or_else(fallback, str::to_string)
        }
        (
            "AWS::Events::Rule"
            | "AWS::Events::EventBus"
            | "AWS::Logs::LogGroup"
            | "AWS::SSM::Parameter",
            "Name",
        ) => name.to_string(),
        ("AWS::ApiGateway::RestApi", "RestApiId") | ("AWS::ApiGatewayV2::Api", "ApiId") => {
            format!("${{{logical}}}")
        }
        ("AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain", "DomainArn") => {
            arn.map_or_else(fallback, str::to_string)
        }
        (_, "Arn" | "ARN") if kind != "AWS::Logs::LogGroup" => {
            arn.map_or_else(fallback, str::to_string)
        }
        // The Logs GetAtt Arn ends in `:*` like the ARN we store.
        ("AWS::Logs::LogGroup", "Arn") => arn.map_or_else(fallback, str::to_string),
        _ => fallback(),
    }
}

/// An event bus name from `EventBusName`, which may also be written as the bus ARN.
pub fn bus_name(name_or_arn: &str) -> String {
    name_or_arn
        .rsplit("event-bus/")
        .next()
        .unwrap_or(name_or_arn)
        .to_string()
}
