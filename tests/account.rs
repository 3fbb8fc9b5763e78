//! Exported account state: decoding the CLI's JSON shapes, lowering to the model, code mapped
//! through `Config::code_folders`, and malformed exports becoming parse errors.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rolefit::config::Config;
use rolefit::model::{PolicySource, RoleBinding};
use rolefit::parse::account::{Outcome, is_export, parse_export};
use rolefit::source::{FileId, SourceFile, Span};

fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
    list.iter()
        .enumerate()
        .map(|(i, (path, text))| SourceFile::new(FileId(i as u32), *path, *text))
        .collect()
}

fn lower(list: &[(&str, &str)], config: &Config) -> (Vec<SourceFile>, Outcome) {
    let fs = files(list);
    let refs: Vec<&SourceFile> = fs.iter().collect();
    let out = parse_export(&refs, config);
    (fs, out)
}

fn at(fs: &[SourceFile], span: Span) -> &str {
    let f = &fs[span.file.0 as usize];
    &f.text[span.start as usize..span.end as usize]
}

const AUTH: &str = r#"{
  "RoleDetailList": [
    {
      "Path": "/service-role/",
      "RoleName": "worker",
      "Arn": "arn:aws:iam::111122223333:role/service-role/worker",
      "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
      "RolePolicyList": [
        {"PolicyName": "queue", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:out"}]}}
      ],
      "AttachedManagedPolicies": [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
        {"PolicyName": "tables", "PolicyArn": "arn:aws:iam::111122223333:policy/tables"},
        {"PolicyName": "gone", "PolicyArn": "arn:aws:iam::111122223333:policy/not-exported"}
      ],
      "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/tables"}
    }
  ],
  "Policies": [
    {
      "PolicyName": "tables",
      "Arn": "arn:aws:iam::111122223333:policy/tables",
      "DefaultVersionId": "v2",
      "PolicyVersionList": [
        {"Document": {"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": false},
        {"Document": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}, "VersionId": "v2", "IsDefaultVersion": true}
      ]
    }
  ]
}"#;

const FUNCTIONS: &str = r#"{
  "Functions": [
    {
      "FunctionName": "worker",
      "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
      "Runtime": "python3.12",
      "Role": "arn:aws:iam::111122223333:role/worker",
      "Handler": "app.handler",
      "Timeout": 901,
      "MemorySize": 1024,
      "Environment": {"Variables": {"DB_PASSWORD": "hunter2", "STAGE": "prod"}},
      "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1"},
      "TracingConfig": {"Mode": "Active"},
      "KMSKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/abc",
      "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:eu-west-1:111122223333:dlq"},
      "Layers": [{"Arn": "arn:aws:lambda:eu-west-1:111122223333:layer:shared:3", "CodeSize": 10}],
      "EphemeralStorage": {"Size": 1024},
      "FileSystemConfigs": [{"Arn": "arn:aws:elasticfilesystem:eu-west-1:111122223333:access-point/fsap-1", "LocalMountPath": "/mnt/data"}],
      "LoggingConfig": {"LogFormat": "JSON", "LogGroup": "/custom/worker"},
      "PackageType": "Zip"
    }
  ]
}"#;

#[test]
fn roles_decode_url_encoded_trust_and_resolve_policies_by_arn() {
    let (fs, out) = lower(
        &[
            ("acct/authorization-details.json", AUTH),
            ("acct/functions.json", FUNCTIONS),
        ],
        &Config::default(),
    );
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let role = &out.app.roles[0];
    assert_eq!(role.id, "acct/authorization-details.json#worker");
    assert_eq!(at(&fs, role.span), "\"worker\"");
    let trust = role.trust.as_ref().unwrap();
    let principal = trust.node.get("Statement").unwrap().items().next().unwrap();
    let service = principal.get("Principal").unwrap().get("Service").unwrap();
    assert_eq!(service.as_str(), Some("lambda.amazonaws.com"));
    // The decoded value's span covers its URL-encoded text in the file.
    assert_eq!(at(&fs, service.span), "%22lambda.amazonaws.com%22");
    let sources: Vec<&PolicySource> = role.policies.iter().map(|p| &p.source).collect();
    assert_eq!(
        sources,
        [
            &PolicySource::Inline {
                name: "queue".into()
            },
            &PolicySource::Managed {
                arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into()
            },
            &PolicySource::Customer {
                id: "acct/authorization-details.json#tables".into()
            },
            &PolicySource::Managed {
                arn: "arn:aws:iam::111122223333:policy/not-exported".into()
            },
        ]
    );
    // The default version's document, not v1.
    let tables = role.policies[2].doc.as_ref().unwrap();
    let action = tables
        .node
        .get("Statement")
        .unwrap()
        .items()
        .next()
        .unwrap();
    assert_eq!(
        action.get("Action").unwrap().as_str(),
        Some("dynamodb:GetItem")
    );
    assert!(role.policies[3].doc.is_none());
    assert!(role.boundary.as_ref().unwrap().doc.is_some());
}

#[test]
fn only_execution_roles_are_kept() {
    let (_, out) = lower(&[("authorization-details.json", AUTH)], &Config::default());
    assert!(out.app.roles.is_empty());
    assert!(out.issues.is_empty());
}

#[test]
fn functions_lower_every_setting() {
    let (fs, out) = lower(
        &[
            ("acct/authorization-details.json", AUTH),
            ("acct/functions.json", FUNCTIONS),
        ],
        &Config::default(),
    );
    let f = &out.app.functions[0];
    assert_eq!(f.id, "acct/functions.json#worker");
    assert_eq!(
        f.arn,
        "arn:aws:lambda:eu-west-1:111122223333:function:worker"
    );
    // `Role` omits the `/service-role/` path: bound by account and name.
    assert_eq!(
        f.role,
        RoleBinding::Role("acct/authorization-details.json#worker".into())
    );
    assert_eq!(f.runtime.as_ref().unwrap().value, "python3.12");
    assert!(f.code_path.is_none());
    let c = &f.config;
    assert_eq!(c.timeout.as_ref().unwrap().value, 901.0);
    assert_eq!(c.ephemeral_storage.as_ref().unwrap().value, 1024.0);
    assert_eq!(at(&fs, c.vpc.unwrap()), "\"VpcConfig\"");
    assert_eq!(at(&fs, c.tracing.unwrap()), "\"Active\"");
    assert!(c.kms_key_arn.as_ref().unwrap().value.ends_with("key/abc"));
    assert!(c.dead_letter.as_ref().unwrap().value.ends_with(":dlq"));
    assert_eq!(c.layers.len(), 1);
    assert_eq!(c.file_systems.len(), 1);
    assert_eq!(c.log_group.as_ref().unwrap().value, "/custom/worker");
    assert_eq!(
        c.environment_bytes,
        "DB_PASSWORD".len() + 7 + "STAGE".len() + 4
    );
    let secret = &f.environment[0];
    assert!(secret.literal);
    assert_eq!(at(&fs, secret.value.as_ref().unwrap().span), "\"hunter2\"");
}

#[test]
fn default_log_group_and_empty_vpc_are_not_settings() {
    let text = r#"{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST",
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}, "TracingConfig": {"Mode": "PassThrough"},
        "LoggingConfig": {"LogGroup": "/aws/lambda/f"}}"#;
    let (_, out) = lower(&[("f.json", text)], &Config::default());
    let f = &out.app.functions[0];
    assert_eq!(f.arn, "arn:aws:lambda:us-east-1:111122223333:function:f");
    assert!(f.config.vpc.is_none() && f.config.tracing.is_none() && f.config.log_group.is_none());
    assert_eq!(f.role, RoleBinding::Unknown);
}

#[test]
fn get_function_output_gives_the_image() {
    let text = r#"{"Configuration": {"FunctionName": "img", "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:img",
        "PackageType": "Image", "Role": "arn:aws:iam::111122223333:role/elsewhere"},
        "Code": {"RepositoryType": "ECR", "ImageUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/img:1"}}"#;
    let (_, out) = lower(&[("img.json", text)], &Config::default());
    let f = &out.app.functions[0];
    assert!(
        f.config
            .image_uri
            .as_ref()
            .unwrap()
            .value
            .ends_with("img:1")
    );
    assert!(matches!(&f.role, RoleBinding::External(r) if r.value.ends_with("role/elsewhere")));
}

#[test]
fn function_policies_become_invoke_permissions() {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
         "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:worker:live",
         "Condition": {"StringEquals": {"AWS:SourceAccount": "111122223333"}, "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::in"}}},
        {"Sid": "own", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:worker"},
        {"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
         "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}},
        {"Sid": "negated", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
         "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
         "Condition": {"StringNotEquals": {"AWS:SourceAccount": "111122223333"}}},
        {"Sid": "url", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
         "Resource": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
         "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}},
        {"Sid": "bucket", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    ]});
    let text = serde_json::to_string_pretty(
        &serde_json::json!({"Policy": policy.to_string(), "RevisionId": "r"}),
    )
    .unwrap();
    let (fs, out) = lower(
        &[
            ("acct/functions.json", FUNCTIONS),
            ("acct/policies/worker.json", &text),
        ],
        &Config::default(),
    );
    assert!(out.issues.is_empty(), "{:?}", out.issues);
    let p: BTreeMap<&str, _> = out
        .app
        .permissions
        .iter()
        .map(|p| (p.id.rsplit('#').next().unwrap(), p))
        .collect();
    assert_eq!(
        p.keys().copied().collect::<Vec<_>>(),
        ["negated", "org", "own", "s3", "url"]
    );
    let s3 = p["s3"];
    assert_eq!(s3.function.as_deref(), Some("acct/functions.json#worker"));
    assert_eq!(s3.qualifier.as_deref(), Some("live"));
    assert_eq!(s3.principal.value, "s3.amazonaws.com");
    assert_eq!(at(&fs, s3.principal.span), r#"\"s3.amazonaws.com\""#);
    assert_eq!(s3.source_account.as_ref().unwrap().value, "111122223333");
    assert_eq!(s3.source_arn.as_ref().unwrap().value, "arn:aws:s3:::in");
    assert!(!s3.event_source_token);
    assert_eq!(
        p["own"].principal.value,
        "arn:aws:iam::${AWS::AccountId}:root"
    );
    assert_eq!(p["org"].principal_org_id.as_ref().unwrap().value, "o-abc");
    assert!(p["negated"].source_account.is_none());
    assert_eq!(
        p["url"].function_url_auth_type.as_ref().unwrap().value,
        "NONE"
    );
}

#[test]
fn mappings_attach_to_their_function_with_state_and_destination() {
    let esm = r#"{"EventSourceMappings": [
        {"UUID": "u1", "State": "Disabled", "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:worker",
         "EventSourceArn": "arn:aws:kinesis:eu-west-1:111122223333:stream/s",
         "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:eu-west-1:111122223333:failed"}}},
        {"UUID": "u2", "State": "Enabled", "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:worker:live",
         "EventSourceArn": "arn:aws:sqs:eu-west-1:111122223333:in"},
        {"UUID": "u3", "State": "Enabled", "FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:other",
         "EventSourceArn": "arn:aws:sqs:eu-west-1:111122223333:in"}
    ]}"#;
    let (_, out) = lower(
        &[
            ("functions.json", FUNCTIONS),
            ("event-source-mappings.json", esm),
        ],
        &Config::default(),
    );
    let events = &out.app.functions[0].events;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].name, "u1");
    assert!(!events[0].enabled);
    assert!(events[1].enabled);
    let dest = events[0].kind.poll().and_then(|p| p.on_failure.as_ref());
    assert_eq!(
        dest.map(|d| d.value.as_str()),
        Some("arn:aws:sqs:eu-west-1:111122223333:failed")
    );
}

#[test]
fn invoke_configs_add_destinations() {
    let single = r#"{"FunctionArn": "arn:aws:lambda:eu-west-1:111122223333:function:worker:$LATEST",
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:events:eu-west-1:111122223333:event-bus/default"}, "OnFailure": {}}}"#;
    assert!(is_export(single));
    let (_, out) = lower(
        &[
            ("functions.json", FUNCTIONS),
            ("invoke-config.json", single),
        ],
        &Config::default(),
    );
    let d = &out.app.functions[0].config.destinations;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].condition, "OnSuccess");
    assert!(d[0].arn.value.ends_with("event-bus/default"));
}

#[test]
fn code_folders_set_the_code_path_and_refuse_escapes() {
    let mut config = Config::default();
    config
        .code_folders
        .insert("worker".into(), "services/./worker/".into());
    let (_, out) = lower(&[("functions.json", FUNCTIONS)], &config);
    let code = out.app.functions[0].code_path.as_ref().unwrap();
    assert_eq!(code.value, "services/worker");
    config
        .code_folders
        .insert("worker".into(), "../outside".into());
    let (_, out) = lower(&[("functions.json", FUNCTIONS)], &config);
    assert!(out.app.functions[0].code_path.is_none());
    assert!(out.issues[0].message.contains("leaves the audited folder"));
}

#[test]
fn malformed_exports_are_parse_errors_with_spans() {
    let cases: &[(&str, &str)] = &[
        ("a/functions.json", r#"{"Functions": [{"FunctionName": "f""#),
        (
            "b/functions.json",
            r#"{"Functions": {"FunctionName": "f"}}"#,
        ),
        (
            "c/functions.json",
            r#"{"Functions": [{"FunctionName": "f"}, 3]}"#,
        ),
        (
            "d/authorization-details.json",
            r#"{"RoleDetailList": [{"RoleName": "r"}]}"#,
        ),
        (
            "e/authorization-details.json",
            r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "AssumeRolePolicyDocument": "%7B%22Statement"}]}"#,
        ),
        (
            "f/policies/x.json",
            r#"{"Policy": "{\"Statement\": [{\"Effect\": "}"#,
        ),
        ("g/policies/x.json", r#"{"Policy": "{\"Statement\": [1]}"}"#),
        (
            "h/policies/x.json",
            r#"{"Policy": "{\"Statement\": [{\"Effect\": \"Allow\"}]}"}"#,
        ),
        (
            "i/event-source-mappings.json",
            r#"{"EventSourceMappings": [{"UUID": "u"}]}"#,
        ),
        ("j/policies/x.json", r#"{"Policy": "\u00zz"}"#),
    ];
    for (path, text) in cases {
        let (fs, out) = lower(&[(path, text)], &Config::default());
        assert!(!out.issues.is_empty(), "{path}: no issue");
        for e in &out.issues {
            assert!(
                e.span.end as usize <= fs[0].text.len(),
                "{path}: span past the end"
            );
            assert_eq!(e.span.file, FileId(0));
        }
    }
}

#[test]
fn sniffing_finds_each_export_shape_and_skips_other_json() {
    for text in [
        AUTH,
        FUNCTIONS,
        r#"{"EventSourceMappings": []}"#,
        r#"{"Policy": "{\"Action\":\"lambda:InvokeFunction\"}"}"#,
    ] {
        assert!(is_export(text), "{text}");
    }
    for text in [
        r#"{"name": "app", "dependencies": {}}"#,
        r#"{"Resources": {}}"#,
        "FunctionName: x\nFunctionArn: y",
    ] {
        assert!(!is_export(text), "{text}");
    }
}

type Expectation = (String, u32, String);

/// `file:LINE rule` lines, as `expect.txt`.
fn read_expectations(path: &Path) -> BTreeSet<Expectation> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (loc, rule) = l.split_once(' ').unwrap();
            let (file, line) = loc.rsplit_once(':').unwrap();
            (
                file.to_string(),
                line.parse().unwrap(),
                rule.trim().to_string(),
            )
        })
        .collect()
}

/// The fixture harness audits with the default configuration; this audits the same app with
/// its code mapped through `Config::code_folders`, as `rolefit.toml` would.
#[test]
fn code_mapped_through_config_is_analysed() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/account-code-folders");
    let mut config = Config::default();
    config
        .code_folders
        .insert("orders-handler".into(), "src/orders".into());
    let audit = rolefit::app::audit(std::slice::from_ref(&app), &config).unwrap();
    let actual: BTreeSet<Expectation> = audit
        .report
        .findings
        .iter()
        .filter_map(|f| {
            let loc = f.location.as_ref()?;
            Some((loc.file.clone(), loc.line, f.rule.to_string()))
        })
        .collect();
    assert_eq!(
        actual,
        read_expectations(&app.join("expect-code-folders.txt"))
    );
    assert_eq!(audit.report.functions[0].code, ["src/orders/app.py"]);
    insta::assert_json_snapshot!("code_folders_report", audit.report, { ".tool.version" => "[version]" });
}

/// Every fixture export, cut short at many points and with quotes and escapes damaged, lowers
/// without panicking, and every problem is reported inside the file.
#[test]
fn damaged_fixture_exports_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for app in std::fs::read_dir(&root).unwrap().filter_map(Result::ok) {
        let name = app.file_name().to_string_lossy().to_string();
        if !name.starts_with("account-") {
            continue;
        }
        let mut stack = vec![app.path()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                if p.extension().is_none_or(|x| x != "json") || !is_export(&text) {
                    continue;
                }
                let step = (text.len() / 60).max(1);
                for cut in (0..text.len()).step_by(step) {
                    if !text.is_char_boundary(cut) {
                        continue;
                    }
                    let mut variants = vec![text[..cut].to_string()];
                    for (from, to) in [("\\\"", "\""), ("\"", "x"), ("%22", "%2"), ("\\", "\\u12")]
                    {
                        if let Some(at) = text[cut..].find(from) {
                            let at = cut + at;
                            variants.push(format!(
                                "{}{to}{}",
                                &text[..at],
                                &text[at + from.len()..]
                            ));
                        }
                    }
                    for v in variants {
                        let (fs, out) = lower(&[("x/functions.json", &v)], &Config::default());
                        for e in &out.issues {
                            assert!(e.span.end as usize <= fs[0].text.len());
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} variants checked");
}
