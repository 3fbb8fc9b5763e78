//! The Serverless Framework front end: variable resolution and lowering to the model, with
//! exact strings and spans.

use rolefit::model::{App, EventKind, PolicySource, RoleBinding};
use rolefit::parse::cfn::TemplateOutcome;
use rolefit::parse::serverless;
use rolefit::source::{FileId, SourceFile};
use rolefit::syntax::ParseError;

fn parse_with(
    text: &str,
    files: &dyn Fn(&str) -> Option<String>,
) -> (SourceFile, App, Vec<ParseError>) {
    let file = SourceFile::new(FileId(0), "svc/serverless.yml", text);
    match serverless::parse(&file, files) {
        TemplateOutcome::Template { app, issues } => (file, app, issues),
        other => panic!("not lowered: {other:?}"),
    }
}

fn parse(text: &str) -> (SourceFile, App, Vec<ParseError>) {
    parse_with(text, &|_| None)
}

/// The source text a span covers.
fn at(file: &SourceFile, span: rolefit::source::Span) -> &str {
    &file.text[span.start as usize..span.end as usize]
}

fn env<'a>(app: &'a App, f: usize, name: &str) -> Option<&'a str> {
    app.functions[f]
        .environment
        .iter()
        .find(|e| e.name.value == name)
        .and_then(|e| e.value.as_ref())
        .map(|v| v.value.as_str())
}

const VARS: &str = "service: shop
custom:
  table: ${self:service}-${sls:stage}-orders
  tables:
    prod: prod-rows
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'prod'}
  environment:
    TABLE: ${self:custom.table}
    ROWS: ${self:custom.tables.${sls:stage}}
    MISSING: ${self:custom.nope, 'dflt'}
    SECRET: ${env:SECRET}
    LEVEL: ${env:LEVEL, 'info'}
    ACCOUNT: ${aws:accountId}-${aws:region}
    PARAM: ${ssm:/shop/param}
    SUB: plain-${AWS::Region}
    FROM_FILE: ${file(./conf/x.yml):deep.value}
functions:
  get:
    handler: src/get.handler
";

#[test]
fn resolves_variables() {
    let files =
        |p: &str| (p == "svc/conf/x.yml").then(|| "deep:\n  value: from-file\n".to_string());
    let (_, app, issues) = parse_with(VARS, &files);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(env(&app, 0, "TABLE"), Some("shop-prod-orders"));
    assert_eq!(env(&app, 0, "ROWS"), Some("prod-rows"));
    assert_eq!(env(&app, 0, "MISSING"), Some("dflt"));
    assert_eq!(env(&app, 0, "SECRET"), Some("${env:SECRET}"));
    assert_eq!(env(&app, 0, "LEVEL"), Some("info"));
    assert_eq!(
        env(&app, 0, "ACCOUNT"),
        Some("${AWS::AccountId}-${AWS::Region}")
    );
    assert_eq!(env(&app, 0, "PARAM"), Some("${ssm:/shop/param}"));
    assert_eq!(env(&app, 0, "SUB"), Some("plain-${AWS::Region}"));
    assert_eq!(env(&app, 0, "FROM_FILE"), Some("from-file"));
    let secret = app.functions[0]
        .environment
        .iter()
        .find(|e| e.name.value == "SECRET");
    assert_eq!(secret.map(|s| s.literal), Some(false));
}

#[test]
fn refuses_files_outside_the_root() {
    let text =
        "service: a\nprovider:\n  name: aws\n  stage: ${file(../../x.yml):s}\nfunctions: {}\n";
    let (file, app, issues) = parse(text);
    // Not an error: what the file holds is unknown, said once.
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(app.unknowns.len(), 1, "{:?}", app.unknowns);
    let u = &app.unknowns[0];
    assert_eq!(u.kind, rolefit::syntax::UnknownKind::MissingFile);
    assert!(
        u.message
            .starts_with("`../../x.yml` is outside the audited folder"),
        "{}",
        u.message
    );
    assert_eq!(at(&file, u.span), "${file(../../x.yml):s}");
}

#[test]
fn values_from_an_absent_file_are_unknown_not_errors() {
    let text = "service: a
custom:
  secrets: ${file(./secrets.yml)}
provider:
  name: aws
  environment:
    KEY: ${self:custom.secrets.apiKey}
    PASS: ${file(./secrets.yml):password}
    STAGE: ${opt:stage, self:provider.stage}
    REGION: ${opt:region, self:provider.region}
functions:
  f:
    handler: h.handler
";
    let (file, app, issues) = parse(text);
    assert!(issues.is_empty(), "{issues:?}");
    // The first reference only, although both `${file(...)}` and the `self:` path meet it.
    let missing: Vec<_> = app
        .unknowns
        .iter()
        .filter(|u| u.kind == rolefit::syntax::UnknownKind::MissingFile)
        .collect();
    assert!(!missing.is_empty());
    assert!(
        missing.iter().all(|u| u.subject.ends_with("secrets.yml")),
        "{missing:?}"
    );
    assert_eq!(at(&file, missing[0].span), "${file(./secrets.yml)}");
    assert_eq!(env(&app, 0, "KEY"), Some("${self:custom.secrets.apiKey}"));
    assert_eq!(
        env(&app, 0, "PASS"),
        Some("${file(./secrets.yml):password}")
    );
    // The framework's defaults: stage `dev`, region the one deployed to.
    assert_eq!(env(&app, 0, "STAGE"), Some("dev"));
    assert_eq!(env(&app, 0, "REGION"), Some("${AWS::Region}"));
}

#[test]
fn a_self_address_that_exists_nowhere_is_still_an_error() {
    let text = "service: a\nprovider:\n  name: aws\n  environment:\n    X: ${self:custom.nope}\nfunctions:\n  f:\n    handler: h.handler\n";
    let (_, app, issues) = parse(text);
    assert!(app.unknowns.is_empty(), "{:?}", app.unknowns);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].message.contains("does not resolve"));
}

#[test]
fn reports_cycles_without_panicking() {
    let text = "service: a\ncustom:\n  x: ${self:custom.y}\n  y: ${self:custom.x}\nprovider:\n  name: aws\n  environment:\n    X: ${self:custom.x}\nfunctions:\n  f:\n    handler: h.handler\n";
    let (_, app, issues) = parse(text);
    assert_eq!(app.functions.len(), 1);
    assert!(!issues.is_empty());
}

#[test]
fn lowers_functions_roles_and_events() {
    let text = "service: shop
provider:
  name: aws
  runtime: nodejs20.x
  iamRoleStatements:
    - Effect: Allow
      Action: sns:Publish
      Resource: '*'
  iamManagedPolicies:
    - arn:aws:iam::aws:policy/ReadOnlyAccess
functions:
  hello:
    handler: src/hello.handler
    timeout: 30
    events:
      - sns: alerts
      - sqs: arn:aws:sqs:us-east-1:111122223333:jobs
  own:
    handler: own.handler
    image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/own:latest
    role: arn:aws:iam::111122223333:role/own
";
    let (file, app, issues) = parse(text);
    assert!(issues.is_empty(), "{issues:?}");
    let f = &app.functions[0];
    assert_eq!(f.id, "svc/serverless.yml#hello");
    assert_eq!(at(&file, f.span), "hello");
    assert_eq!(
        f.arn,
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:shop-dev-hello"
    );
    assert_eq!(
        f.runtime.as_ref().map(|r| r.value.as_str()),
        Some("nodejs20.x")
    );
    assert_eq!(f.code_path.as_ref().map(|c| c.value.as_str()), Some("svc"));
    assert_eq!(
        f.handler.as_ref().map(|h| h.value.as_str()),
        Some("src/hello.handler")
    );
    assert_eq!(f.config.timeout.as_ref().map(|t| t.value), Some(30.0));
    assert_eq!(
        f.role,
        RoleBinding::Role("svc/serverless.yml#IamRoleLambdaExecution".into())
    );
    let kinds: Vec<&str> = f.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["SNS", "SQS"]);
    assert_eq!(
        f.events[0].source_arn.as_ref().map(|s| s.value.as_str()),
        Some("arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts")
    );
    let perm = &app.permissions[0];
    assert_eq!(perm.principal.value, "sns.amazonaws.com");
    assert_eq!(at(&file, perm.span), "sns");
    let role = &app.roles[0];
    assert_eq!(
        role.arn,
        "arn:aws:iam::${AWS::AccountId}:role/shop-dev-${AWS::Region}-lambdaRole"
    );
    let sources: Vec<String> = role
        .policies
        .iter()
        .map(|p| match &p.source {
            PolicySource::Implicit { reason, .. } => format!("implicit {reason}"),
            PolicySource::Inline { name } => format!("inline {name}"),
            PolicySource::Managed { arn } => format!("managed {arn}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        sources,
        [
            "implicit Serverless logs statements",
            "implicit Serverless statements for the sqs event `sqs2`",
            "inline shop-dev-lambda",
            "managed arn:aws:iam::aws:policy/ReadOnlyAccess",
        ]
    );
    let own = &app.functions[1];
    assert!(own.code_path.is_none());
    match &own.role {
        RoleBinding::External(arn) => {
            assert_eq!(arn.value, "arn:aws:iam::111122223333:role/own");
            assert_eq!(at(&file, arn.span), "arn:aws:iam::111122223333:role/own");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_shapes_are_issues() {
    let (file, app, issues) = parse(
        "service: a\nprovider:\n  name: aws\nfunctions:\n  f: 5\n  g:\n    handler: g.h\n    events: nope\n",
    );
    assert_eq!(app.functions.len(), 1);
    let msgs: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.message.as_str(), at(&file, i.span)))
        .collect();
    assert_eq!(
        msgs,
        [
            ("function `f` must be a mapping", "f"),
            ("`events` must be a list", "nope")
        ]
    );
}

#[test]
fn other_files_are_not_configurations() {
    let file = SourceFile::new(FileId(0), "serverless.yml", "name: x\n");
    assert!(matches!(
        serverless::parse(&file, &|_| None),
        TemplateOutcome::NotTemplate
    ));
}

#[test]
fn push_events_generate_permissions() {
    let text = "service: hooks
provider:
  name: aws
  stage: prod
  vpc:
    subnetIds: [subnet-1]
functions:
  api:
    handler: api.handler
    iamRoleStatements:
      - Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::b/*
    events:
      - http: GET /items
      - httpApi: '*'
      - s3:
          bucket: uploads
          existing: true
      - cloudwatchLog: /aws/lambda/other
  b:
    handler: b.handler
  c:
    handler: c.handler
";
    let (file, app, issues) = parse(text);
    assert!(issues.is_empty(), "{issues:?}");
    let perms: Vec<(&str, Option<&str>, Option<&str>)> = app
        .permissions
        .iter()
        .map(|p| {
            (
                p.principal.value.as_str(),
                p.source_arn.as_ref().map(|s| s.value.as_str()),
                p.source_account.as_ref().map(|s| s.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        perms,
        [
            (
                "apigateway.amazonaws.com",
                Some(
                    "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}/*/*"
                ),
                None
            ),
            (
                "apigateway.amazonaws.com",
                Some("arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"),
                None
            ),
            (
                "s3.amazonaws.com",
                Some("arn:aws:s3:::uploads"),
                Some("${AWS::AccountId}")
            ),
            (
                "logs.${AWS::Region}.amazonaws.com",
                Some("arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/other:*"),
                None
            ),
        ]
    );
    assert_eq!(at(&file, app.permissions[0].span), "http");
    let api = &app.functions[0];
    assert_eq!(
        api.role,
        RoleBinding::Role("svc/serverless.yml#ApiIamRoleLambdaExecution".into())
    );
    assert_eq!(at(&file, api.config.vpc.unwrap_or_default()), "vpc");
    let shared = app
        .roles
        .iter()
        .find(|r| r.name == "IamRoleLambdaExecution")
        .map(|r| r.policies.len());
    // Logs, and the VPC access policy once for the two functions that share the role.
    assert_eq!(shared, Some(2));
}

#[test]
fn s3_event_rules_become_the_key_filter() {
    let (_, app, errors) = parse(
        r#"service: photos
provider:
  name: aws
  runtime: python3.12
functions:
  thumbnail:
    handler: handler.main
    events:
      - s3:
          bucket: photos
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
            - suffix: .jpg
"#,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let event = &app.functions[0].events[0];
    let EventKind::S3(n) = &event.kind else {
        panic!("an S3 event: {:?}", event.kind);
    };
    let rules: Vec<(&str, &str)> = n
        .key_filter
        .iter()
        .map(|r| (r.name.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(rules, [("prefix", "uploads/"), ("suffix", ".jpg")]);
}
