//! CloudFormation/SAM front end: classification, intrinsic resolution, lowering, limits.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use rolefit::model::{App, PolicySource, RoleBinding};
use rolefit::parse::cfn::{TemplateOutcome, parse_template};
use rolefit::source::{FileId, SourceFile};
use rolefit::syntax::node::Node;
use rolefit::syntax::{ParseError, json, yaml};

fn file(path: &str, text: &str) -> SourceFile {
    SourceFile::new(FileId(0), path, text)
}

fn template(f: &SourceFile) -> (App, Vec<ParseError>) {
    match parse_template(f) {
        TemplateOutcome::Template { app, issues } => (app, issues),
        other => panic!("expected a template, got {other:?}"),
    }
}

fn text_at(f: &SourceFile, span: rolefit::source::Span) -> &str {
    &f.text[span.start as usize..span.end as usize]
}

const SAM: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: prod
  Subnets:
    Type: CommaDelimitedList
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables:
        STAGE: !Ref Stage
    Layers:
      - !Ref SharedLayer
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Stage}-orders"
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: shared
      ContentUri: layer/
  OrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../src/orders/
      Handler: app.handler
      Timeout: 30
      Tracing: Active
      Environment:
        Variables:
          TABLE_NAME: !Ref OrdersTable
          TABLE_ARN: !GetAtt OrdersTable.Arn
          OBJECTS: !Sub arn:${AWS::Partition}:s3:::${Bucket}/*
          QUEUE_URL: !Ref Queue
          API_KEY: hunter2
          UNUSED: !Ref AWS::NoValue
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:extra:1
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBCrudPolicy:
            TableName: !Ref OrdersTable
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: !Sub arn:${AWS::Partition}:s3:::${Bucket}/*
            - !If
              - IsProd
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt Queue.Arn
              - !Ref AWS::NoValue
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt Queue.Arn
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            Enabled: false
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: s3:ObjectCreated:*
        GetOrder:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: get
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
  AdminFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../outside
      Handler: admin.handler
      Role: !GetAtt AdminRole.Arn
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: admin-role
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
"#;

#[test]
fn sam_app_resolves_and_lowers() {
    let f = file("app/template.yaml", SAM);
    let (app, issues) = template(&f);
    assert!(
        issues
            .iter()
            .any(|i| i.message.contains("leaves the audited folder")),
        "{issues:?}"
    );
    let func = app
        .functions
        .iter()
        .find(|x| x.name == "OrderFunction")
        .unwrap();
    assert_eq!(func.id, "app/template.yaml#OrderFunction");
    assert_eq!(
        func.arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${OrderFunction}"
    );
    assert_eq!(func.runtime.as_ref().unwrap().value, "python3.12");
    assert_eq!(func.code_path.as_ref().unwrap().value, "src/orders");
    assert_eq!(func.config.timeout.as_ref().unwrap().value, 30.0);
    assert!(func.config.tracing.is_some());
    // Global layers come first (SAM: lists are additive).
    let layers: Vec<&str> = func
        .config
        .layers
        .iter()
        .map(|l| l.value.as_str())
        .collect();
    assert_eq!(
        layers,
        [
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:layer:shared:${SharedLayer.Version}",
            "arn:aws:lambda:us-east-1:123456789012:layer:extra:1"
        ]
    );

    let env = |n: &str| func.environment.iter().find(|e| e.name.value == n).unwrap();
    assert_eq!(env("STAGE").value.as_ref().unwrap().value, "prod");
    assert_eq!(
        env("TABLE_NAME").value.as_ref().unwrap().value,
        "${OrdersTable}"
    );
    assert_eq!(
        env("TABLE_NAME").refers_to,
        Some((
            "OrdersTable".to_string(),
            "AWS::DynamoDB::Table".to_string()
        ))
    );
    assert_eq!(
        env("TABLE_ARN").value.as_ref().unwrap().value,
        "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
    );
    assert_eq!(
        env("OBJECTS").value.as_ref().unwrap().value,
        "arn:aws:s3:::${Bucket}/*"
    );
    assert_eq!(env("OBJECTS").refers_to.as_ref().unwrap().0, "Bucket");
    assert_eq!(
        env("QUEUE_URL").value.as_ref().unwrap().value,
        "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/prod-orders"
    );
    assert!(env("API_KEY").literal);
    assert!(!env("TABLE_NAME").literal);
    assert!(func.environment.iter().all(|e| e.name.value != "UNUSED"));
    let key = &env("TABLE_ARN").name;
    assert_eq!(text_at(&f, key.span), "TABLE_ARN");
    assert_eq!(f.line_col(key.span.start), (44, 11));
    assert_eq!(
        text_at(&f, env("TABLE_NAME").value.as_ref().unwrap().span),
        "OrdersTable"
    );

    // Events and the permissions SAM generates for push sources.
    let ev = |n: &str| func.events.iter().find(|e| e.name == n).unwrap();
    assert_eq!(ev("FromQueue").kind, "SQS");
    assert!(!ev("FromQueue").enabled);
    assert_eq!(
        ev("FromQueue").source_arn.as_ref().unwrap().value,
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:prod-orders"
    );
    assert_eq!(ev("FromQueue").source_ref.as_deref(), Some("Queue"));
    assert_eq!(
        ev("Upload").source_arn.as_ref().unwrap().value,
        "arn:aws:s3:::${Bucket}"
    );
    assert_eq!(
        ev("GetOrder").source_arn.as_ref().unwrap().value,
        "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/*/GET/orders/*"
    );
    assert_eq!(
        ev("Nightly").source_arn.as_ref().unwrap().value,
        "arn:aws:events:${AWS::Region}:${AWS::AccountId}:rule/${OrderFunctionNightly}"
    );
    let perm = |p: &str| {
        app.permissions
            .iter()
            .find(|x| x.principal.value == p)
            .unwrap()
    };
    let s3 = perm("s3.amazonaws.com");
    assert!(s3.generated);
    assert_eq!(
        s3.function.as_deref(),
        Some("app/template.yaml#OrderFunction")
    );
    assert_eq!(
        s3.source_account.as_ref().unwrap().value,
        "${AWS::AccountId}"
    );
    assert!(s3.source_arn.is_none());
    assert_eq!(
        perm("events.amazonaws.com")
            .source_arn
            .as_ref()
            .unwrap()
            .value,
        ev("Nightly").source_arn.as_ref().unwrap().value
    );
    assert!(perm("apigateway.amazonaws.com").generated);
    assert!(
        app.permissions
            .iter()
            .all(|p| p.principal.value != "sqs.amazonaws.com")
    );

    // The generated role.
    assert_eq!(
        func.role,
        RoleBinding::Role("app/template.yaml#OrderFunctionRole".into())
    );
    let role = app
        .roles
        .iter()
        .find(|r| r.id == "app/template.yaml#OrderFunctionRole")
        .unwrap();
    assert!(role.generated);
    let sources: Vec<&PolicySource> = role.policies.iter().map(|p| &p.source).collect();
    let implicit: Vec<&str> = sources
        .iter()
        .filter_map(|s| match s {
            PolicySource::Implicit { arn, .. } if !arn.is_empty() => {
                Some(arn.rsplit('/').next().unwrap())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        implicit,
        [
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSXrayWriteOnlyAccess"
        ]
    );
    assert!(sources.contains(&&PolicySource::Managed {
        arn: "AWSLambdaBasicExecutionRole".into()
    }));
    let tmpl = sources
        .iter()
        .find_map(|s| match s {
            PolicySource::SamTemplate { name, params } => Some((name, params)),
            _ => None,
        })
        .unwrap();
    assert_eq!(tmpl.0, "DynamoDBCrudPolicy");
    assert_eq!(tmpl.1["TableName"], "${OrdersTable}");
    let inline = role
        .policies
        .iter()
        .find(|p| {
            p.source
                == PolicySource::Inline {
                    name: "OrderFunctionRolePolicy2".into(),
                }
        })
        .unwrap();
    let doc = inline.doc.as_ref().unwrap().node.to_json();
    assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:s3:::${Bucket}/*");
    // `Fn::If` in a policy keeps the branch that grants.
    assert_eq!(doc["Statement"][1]["Action"], "sqs:SendMessage");
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
    assert!(
        text_at(&f, inline.span).starts_with("Statement:"),
        "{:?}",
        text_at(&f, inline.span)
    );

    let dest = role
        .policies
        .iter()
        .find(|p| {
            p.source
                == PolicySource::Implicit {
                    arn: String::new(),
                    reason: "OrderFunctionRoleEventInvokeConfigOnFailurePolicy".into(),
                }
        })
        .unwrap();
    assert_eq!(
        dest.doc.as_ref().unwrap().node.to_json()["Statement"][0]["Resource"],
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:prod-orders"
    );
    assert_eq!(func.config.destinations[0].condition, "OnFailure");

    // A declared role bound by GetAtt; the escaping code path is dropped.
    let admin = app
        .functions
        .iter()
        .find(|x| x.name == "AdminFunction")
        .unwrap();
    assert_eq!(
        admin.role,
        RoleBinding::Role("app/template.yaml#AdminRole".into())
    );
    assert!(admin.code_path.is_none());
    let admin_role = app.roles.iter().find(|r| r.name == "AdminRole").unwrap();
    assert_eq!(
        admin_role.arn,
        "arn:aws:iam::${AWS::AccountId}:role/admin-role"
    );
    assert!(!admin_role.generated);

    let bucket = app
        .resources
        .iter()
        .find(|r| r.logical_id == "Bucket")
        .unwrap();
    assert_eq!(bucket.arn.as_deref(), Some("arn:aws:s3:::${Bucket}"));
}

const CFN_JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Mappings": { "Env": { "us-east-1": { "Bucket": "data-east" } } },
  "Resources": {
    "Stream": { "Type": "AWS::Kinesis::Stream", "Properties": { "ShardCount": 1 } },
    "Topic": { "Type": "AWS::SNS::Topic", "Properties": { "TopicName": "alerts" } },
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "FunctionName": "worker",
        "Runtime": "nodejs20.x",
        "Handler": "index.handler",
        "Code": { "ZipFile": "exports.handler = async () => 1;" },
        "Role": { "Fn::GetAtt": ["WorkerRole", "Arn"] },
        "DeadLetterConfig": { "TargetArn": { "Ref": "Topic" } },
        "Environment": { "Variables": {
          "BUCKET": { "Fn::FindInMap": ["Env", { "Ref": "AWS::Region" }, "Bucket"] },
          "PARTS": { "Fn::Join": ["-", ["a", { "Fn::Select": [1, { "Fn::Split": [",", "x,y"] }] }]] }
        } }
      }
    },
    "WorkerRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": { "Statement": [{ "Effect": "Allow",
          "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] },
        "ManagedPolicyArns": [
          "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
          { "Ref": "Shared" }
        ]
      }
    },
    "Shared": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": { "PolicyDocument": { "Statement": [
        { "Effect": "Allow", "Action": "sns:Publish", "Resource": { "Ref": "Topic" } } ] } }
    },
    "ReadStream": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyName": "read-stream",
        "Roles": [{ "Ref": "WorkerRole" }],
        "PolicyDocument": { "Statement": [{ "Effect": "Allow",
          "Action": ["kinesis:GetRecords"], "Resource": { "Fn::GetAtt": ["Stream", "Arn"] } }] }
      }
    },
    "Mapping": {
      "Type": "AWS::Lambda::EventSourceMapping",
      "Properties": { "FunctionName": { "Ref": "Worker" },
        "EventSourceArn": { "Fn::GetAtt": ["Stream", "Arn"] }, "Enabled": false }
    },
    "TopicInvoke": {
      "Type": "AWS::Lambda::Permission",
      "Properties": { "FunctionName": { "Fn::GetAtt": ["Worker", "Arn"] },
        "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com",
        "SourceArn": { "Ref": "Topic" } }
    },
    "Rule": {
      "Type": "AWS::Events::Rule",
      "Properties": { "EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/orders",
        "Targets": [{ "Id": "t", "Arn": { "Ref": "Topic" } },
                    { "Id": "w", "Arn": { "Fn::GetAtt": ["Worker", "Arn"] } }] }
    },
    "Sub": {
      "Type": "AWS::SNS::Subscription",
      "Properties": { "Protocol": "lambda", "TopicArn": { "Ref": "Topic" },
        "Endpoint": { "Fn::GetAtt": ["Worker", "Arn"] } }
    }
  }
}"#;

#[test]
fn cloudformation_json_app() {
    let f = file("stack.json", CFN_JSON);
    let (app, issues) = template(&f);
    assert!(issues.is_empty(), "{issues:?}");
    let w = &app.functions[0];
    assert_eq!(
        w.arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:worker"
    );
    assert!(w.inline_code.is_some());
    assert_eq!(w.role, RoleBinding::Role("stack.json#WorkerRole".into()));
    assert_eq!(
        w.config.dead_letter.as_ref().unwrap().value,
        "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts"
    );
    let env = |n: &str| w.environment.iter().find(|e| e.name.value == n).unwrap();
    assert_eq!(env("BUCKET").value.as_ref().unwrap().value, "data-east");
    assert_eq!(env("PARTS").value.as_ref().unwrap().value, "a-y");
    let m = w
        .events
        .iter()
        .find(|e| e.kind == "EventSourceMapping")
        .unwrap();
    assert!(!m.enabled);
    assert_eq!(
        m.source_arn.as_ref().unwrap().value,
        "arn:aws:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${Stream}"
    );
    assert_eq!(m.source_ref.as_deref(), Some("Stream"));

    let role = app.roles.iter().find(|r| r.name == "WorkerRole").unwrap();
    assert!(role.trust.is_some());
    let kinds: Vec<&PolicySource> = role.policies.iter().map(|p| &p.source).collect();
    assert_eq!(
        kinds,
        [
            &PolicySource::Managed {
                arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into()
            },
            &PolicySource::Customer {
                id: "stack.json#Shared".into()
            },
            &PolicySource::Inline {
                name: "read-stream".into()
            },
        ]
    );
    let shared = role.policies[1].doc.as_ref().unwrap().node.to_json();
    assert_eq!(
        shared["Statement"][0]["Resource"],
        "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts"
    );
    assert_eq!(text_at(&f, role.policies[1].span), r#"{ "Ref": "Shared" }"#);

    let p = app
        .permissions
        .iter()
        .find(|p| p.id == "stack.json#TopicInvoke")
        .unwrap();
    assert_eq!(p.function.as_deref(), Some("stack.json#Worker"));
    assert!(!p.generated);
    let rules: Vec<_> = app
        .triggers
        .iter()
        .filter(|t| t.kind == "EventBridgeRule")
        .collect();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].function.as_deref(), Some("stack.json#Worker"));
    assert_eq!(
        rules[0].source_arn.as_ref().unwrap().value,
        "arn:aws:events:${AWS::Region}:${AWS::AccountId}:rule/orders/${Rule}"
    );
    let t = app.triggers.iter().find(|t| t.kind == "SNS").unwrap();
    assert_eq!(t.function.as_deref(), Some("stack.json#Worker"));
    assert_eq!(
        t.source_arn.as_ref().unwrap().value,
        "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts"
    );
}

#[test]
fn bad_shapes_are_issues() {
    let text = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: [1]\n  B:\n    Properties: {}\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Ref Missing\n";
    let f = file("t.yaml", text);
    let (app, issues) = template(&f);
    let msgs: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
    assert!(
        msgs.iter().any(|m| m.contains("`Properties` of `A`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`B` has no `Type`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("Ref to `Missing`")),
        "{msgs:?}"
    );
    let missing = issues
        .iter()
        .find(|i| i.message.contains("Missing"))
        .unwrap();
    assert_eq!(f.line_col(missing.span.start), (10, 18));
    assert_eq!(app.functions.len(), 1);
    match &app.functions[0].role {
        RoleBinding::External(s) => assert_eq!(s.value, "${Missing}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn classification() {
    let not = [
        ("package.json", r#"{"name": "x", "dependencies": {}}"#),
        (
            "events/event.json",
            r#"{"Records": [{"s3": {}}], "Resources": []}"#,
        ),
        (
            "serverless.yml",
            "service: x\nprovider:\n  name: aws\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n",
        ),
        ("config.yaml", "Resources:\n  a: 1\n"),
        ("broken.yaml", "key: [unclosed\n"),
    ];
    for (path, text) in not {
        assert!(
            matches!(
                parse_template(&file(path, text)),
                TemplateOutcome::NotTemplate
            ),
            "{path}"
        );
    }
    let cdk = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},
      "Fn9A8B": {"Type": "AWS::Lambda::Function",
        "Properties": {"Code": {"S3Bucket": {"Fn::Sub": "cdk-assets-${AWS::AccountId}"}, "S3Key": "abc.zip"},
          "Role": "arn:aws:iam::123456789012:role/ext", "Handler": "index.handler"},
        "Metadata": {"aws:asset:path": "asset.abc"}}}}"#;
    let (app, _) = template(&file("infra/cdk.out/Stack.template.json", cdk));
    let f = &app.functions[0];
    assert_eq!(
        f.code_path.as_ref().unwrap().value,
        "infra/cdk.out/asset.abc"
    );
    match &f.role {
        RoleBinding::External(r) => assert_eq!(r.value, "arn:aws:iam::123456789012:role/ext"),
        other => panic!("{other:?}"),
    }
    let bad = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n   Properties: x\n";
    let f = file("template.yaml", bad);
    match parse_template(&f) {
        TemplateOutcome::Invalid(e) => {
            assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
            assert_eq!(f.line_col(e.span.start).0, 5);
        }
        other => panic!("{other:?}"),
    }
}

fn must_fail_fast(
    f: &SourceFile,
    parse: fn(&SourceFile) -> Result<Node, ParseError>,
) -> ParseError {
    let t0 = Instant::now();
    let e = parse(f).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(5));
    e
}

#[test]
fn hostile_inputs_error_without_crashing() {
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: x\nResources: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
    }
    let f = file("bomb.yaml", &bomb);
    let e = must_fail_fast(&f, yaml::parse);
    assert_eq!(e.message, "alias expansion budget exceeded");
    assert!(matches!(parse_template(&f), TemplateOutcome::Invalid(_)));

    for deep in [
        "[".repeat(10_000),
        "{a: ".repeat(10_000),
        "- ".repeat(10_000),
    ] {
        must_fail_fast(&file("deep.yaml", &deep), yaml::parse);
    }
    let deep_json = format!("{}{}", "{\"a\": ".repeat(10_000), "}".repeat(10_000));
    let e = must_fail_fast(&file("deep.json", &deep_json), json::parse);
    assert!(e.message.contains("too deep"));
}

#[test]
fn fn_if_scalar_and_sub_literal() {
    let text = r#"Transform: [AWS::Serverless-2016-10-31]
Conditions:
  Prod: !Equals [a, b]
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "x"
      Handler: i.h
      Runtime: !If [Prod, python3.12, python3.11]
      Environment:
        Variables:
          LIT: !Sub "${!NotAVar}-${AWS::URLSuffix}"
          SECRET: "{{resolve:secretsmanager:s}}"
          ALIAS: !Ref F.Alias
      AutoPublishAlias: live
      Policies:
        - !If [Prod, AmazonS3ReadOnlyAccess, !Ref AWS::NoValue]
        - Statement: !If
            - Prod
            - [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
            - [{Effect: Allow, Action: [s3:PutObject], Resource: !If [Prod, a, b]}]
"#;
    let f = file("t.yaml", text);
    let (app, issues) = template(&f);
    assert!(issues.is_empty(), "{issues:?}");
    let func = &app.functions[0];
    assert_eq!(func.runtime.as_ref().unwrap().value, "python3.12");
    let lit = func
        .environment
        .iter()
        .find(|e| e.name.value == "LIT")
        .unwrap();
    assert_eq!(
        lit.value.as_ref().unwrap().value,
        "${NotAVar}-amazonaws.com"
    );
    let secret = func
        .environment
        .iter()
        .find(|e| e.name.value == "SECRET")
        .unwrap();
    assert!(!secret.literal);
    let role = &app.roles[0];
    let doc = role
        .policies
        .iter()
        .find_map(|p| p.doc.as_ref().filter(|d| d.node.get("Statement").is_some()))
        .unwrap()
        .node
        .to_json();
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["Statement"][1]["Resource"],
        serde_json::json!(["a", "b"])
    );
    assert!(role.policies.iter().any(|p| p.source
        == PolicySource::Managed {
            arn: "AmazonS3ReadOnlyAccess".into()
        }));
}

#[test]
fn truncated_and_mangled_templates_never_panic() {
    // Every prefix of real templates, and each with one byte replaced by a YAML indicator,
    // must come back as a value (any outcome), never a panic.
    for (path, text) in [("t.yaml", SAM), ("t.json", CFN_JSON)] {
        let cut_points = text.char_indices().map(|(i, _)| i).step_by(5);
        for i in cut_points {
            let _ = parse_template(&file(path, &text[..i]));
            let mut mangled = String::from(&text[..i]);
            mangled.push_str(["!Ref ", "{", "]", "&a ", "*a", ": ", "\"", "- "][i % 8]);
            mangled.push_str(&text[i..]);
            let _ = parse_template(&file(path, &mangled));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    #[test]
    fn arbitrary_text_never_panics(s in "(Resources|AWS::|Type|: |\n|  |- |\\[|\\]|\\{|\\}|!Ref |!GetAtt |&a |\\*a|\"|'|Fn::If|x|1|,){0,60}") {
        let _ = parse_template(&file("p.yaml", &s));
        let _ = parse_template(&file("p.json", &s));
    }
}
