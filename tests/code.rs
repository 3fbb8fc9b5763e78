//! SDK call extraction from function code: boto3, JS SDK v3 and v2, handler and import paths.

// Test inputs are fixed snippets: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rolefit::model::{Arg, CallStyle, CodeFacts, Factory, Made, SdkCall, SdkKind};
use rolefit::parse::code::{
    Lang, extract, extract_with, handler_candidates, is_vendored, local_import_candidates,
};
use rolefit::source::{FileId, SourceFile};

fn facts(path: &str, src: &str) -> CodeFacts {
    let lang = Lang::from_path(path).unwrap();
    extract(&SourceFile::new(FileId(0), path, src), lang).unwrap()
}

fn s(v: &str) -> Arg {
    Arg::Str(v.to_string())
}

fn env(v: &str) -> Arg {
    Arg::Env(v.to_string())
}

/// One expected call: (service, method, style, resource type, args, resource ids).
type Expect<'a> = (
    &'a str,
    &'a str,
    CallStyle,
    Option<&'a str>,
    Vec<(&'a str, Arg)>,
    Vec<Arg>,
);

fn direct<'a>(service: &'a str, method: &'a str, args: Vec<(&'a str, Arg)>) -> Expect<'a> {
    (service, method, CallStyle::Direct, None, args, Vec::new())
}

fn check(calls: &[SdkCall], expected: &[Expect<'_>]) {
    let got: Vec<Expect<'_>> = calls
        .iter()
        .map(|c| {
            (
                c.service.as_str(),
                c.method.as_str(),
                c.style,
                c.resource_type.as_deref(),
                c.args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
                c.resource_ids.clone(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

fn env_names(f: &CodeFacts) -> Vec<&str> {
    f.env_reads.iter().map(|e| e.name.as_str()).collect()
}

fn imports(f: &CodeFacts) -> Vec<&str> {
    f.imports.iter().map(|i| i.module.value.as_str()).collect()
}

#[test]
fn lang_from_path() {
    assert_eq!(Lang::from_path("a/b/app.py"), Some(Lang::Python));
    for p in ["i.js", "i.mjs", "i.cjs", "i.jsx"] {
        assert_eq!(Lang::from_path(p), Some(Lang::JavaScript), "{p}");
    }
    for p in ["i.ts", "i.mts", "i.cts"] {
        assert_eq!(Lang::from_path(p), Some(Lang::TypeScript), "{p}");
    }
    assert_eq!(Lang::from_path("x/App.tsx"), Some(Lang::Tsx));
    assert_eq!(Lang::from_path("Makefile"), None);
    assert_eq!(Lang::from_path("a.rb"), None);
}

#[test]
fn python_clients_and_resources() {
    let f = facts(
        "fn/app.py",
        r#"
import os
import boto3

TABLE = os.environ["TABLE"]
s3 = boto3.client('s3')
dynamodb = boto3.resource('dynamodb')
table = dynamodb.Table(os.environ['TABLE'])

def lambda_handler(event, context):
    bucket = os.environ.get("BUCKET", "fallback")
    s3.put_object(Bucket=bucket, Key="k", Body=event["body"])
    table.put_item(Item={"id": "1"})
    dynamodb.meta.client.describe_table(TableName="{}-archive".format(TABLE))
    boto3.resource('s3').Object(bucket, "key.txt").get()
    for o in boto3.resource("s3").Bucket(bucket).objects.filter(Prefix="p/"):
        print(o.key)
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "s3",
                "put_object",
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", s("k")),
                    ("Body", Arg::Unknown),
                ],
            ),
            (
                "dynamodb",
                "put_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Item", Arg::Unknown)],
                vec![env("TABLE")],
            ),
            direct(
                "dynamodb",
                "describe_table",
                vec![("TableName", Arg::Concat(vec![env("TABLE"), s("-archive")]))],
            ),
            (
                "s3",
                "get",
                CallStyle::Resource,
                Some("Object"),
                vec![],
                vec![env("BUCKET"), s("key.txt")],
            ),
            (
                "s3",
                "objects.filter",
                CallStyle::Resource,
                Some("Bucket"),
                vec![("Prefix", s("p/"))],
                vec![env("BUCKET")],
            ),
        ],
    );
    assert_eq!(f.calls[0].sdk, SdkKind::Python);
    assert_eq!(f.calls[0].text, "s3.put_object");
    assert_eq!(f.calls[1].text, "table.put_item");
    assert_eq!(env_names(&f), ["TABLE", "TABLE", "BUCKET"]);
    // The span is the call expression.
    let src = &*SourceFile::new(FileId(0), "x", "").text;
    assert!(src.is_empty());
    let call = &f.calls[0];
    assert!(call.span.end > call.span.start);
}

#[test]
fn python_call_span_covers_the_call() {
    let src = "import boto3\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='m')\n";
    let f = facts("a.py", src);
    let c = &f.calls[0];
    assert_eq!(
        &src[c.span.start as usize..c.span.end as usize],
        "sqs.send_message(QueueUrl='u', MessageBody='m')"
    );
}

#[test]
fn python_sessions_aliases_and_imports() {
    let f = facts(
        "src/handler.py",
        r#"
import boto3 as b
from boto3 import client, resource
from boto3.session import Session
from os import environ, getenv
from .util import helper
from . import models
import lib.db
import json, requests

sess = b.Session(region_name="eu-west-1")
sqs = sess.client("sqs")
sns = client(service_name="sns")
ddb = resource("dynamodb")
sfn = Session().client("stepfunctions")

def handler(event, context):
    sqs.send_message(QueueUrl=environ["QUEUE_URL"], MessageBody="x")
    sns.publish(TopicArn=getenv("TOPIC"), Message=f"hello {event['name']}")
    ddb.Table("Orders").get_item(Key={"id": "1"})
    sfn.start_execution(stateMachineArn=environ.get("SM"))
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "sqs",
                "send_message",
                vec![("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))],
            ),
            direct(
                "sns",
                "publish",
                vec![
                    ("TopicArn", env("TOPIC")),
                    ("Message", Arg::Concat(vec![s("hello "), Arg::Unknown])),
                ],
            ),
            (
                "dynamodb",
                "get_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Key", Arg::Unknown)],
                vec![s("Orders")],
            ),
            direct(
                "stepfunctions",
                "start_execution",
                vec![("stateMachineArn", env("SM"))],
            ),
        ],
    );
    assert_eq!(env_names(&f), ["QUEUE_URL", "TOPIC", "SM"]);
    assert_eq!(imports(&f), [".util", ".util.helper", ".models", "lib.db"]);
}

#[test]
fn python_paginators_waiters_and_helpers() {
    let f = facts(
        "app.py",
        r#"
import os, boto3
s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET"]

def handler(event, context):
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=BUCKET, Prefix="in/"):
        pass
    s3.get_waiter("object_exists").wait(Bucket=BUCKET, Key="k")
    s3.upload_file("/tmp/out.csv", BUCKET, "out/" + event["id"] + ".csv")
    boto3.resource("s3").meta.client.download_file(BUCKET, "k", "/tmp/k")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"}, ExpiresIn=60)
    table = boto3.resource("dynamodb").Table(os.environ["T"])
    with table.batch_writer() as batch:
        batch.put_item(Item={})
"#,
    );
    check(
        &f.calls,
        &[
            (
                "s3",
                "list_objects_v2",
                CallStyle::Paginator,
                None,
                vec![("Bucket", env("BUCKET")), ("Prefix", s("in/"))],
                vec![],
            ),
            (
                "s3",
                "object_exists",
                CallStyle::Waiter,
                None,
                vec![("Bucket", env("BUCKET")), ("Key", s("k"))],
                vec![],
            ),
            direct(
                "s3",
                "upload_file",
                vec![
                    ("Filename", s("/tmp/out.csv")),
                    ("Bucket", env("BUCKET")),
                    ("Key", Arg::Concat(vec![s("out/"), Arg::Unknown, s(".csv")])),
                ],
            ),
            direct(
                "s3",
                "download_file",
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", s("k")),
                    ("Filename", s("/tmp/k")),
                ],
            ),
            direct(
                "s3",
                "generate_presigned_url",
                vec![
                    ("ClientMethod", s("get_object")),
                    ("Bucket", env("BUCKET")),
                    ("Key", s("k")),
                    ("ExpiresIn", Arg::Unknown),
                ],
            ),
            (
                "dynamodb",
                "batch_writer",
                CallStyle::Resource,
                Some("Table"),
                vec![],
                vec![env("T")],
            ),
        ],
    );
}

#[test]
fn python_clients_in_classes_and_parameters() {
    let f = facts(
        "app.py",
        r#"
import boto3
from mypy_boto3_dynamodb.service_resource import Table
from mypy_boto3_s3 import S3Client
import os

KW = {"QueueUrl": os.environ["Q"], "MessageBody": "m"}

class Repo:
    events = boto3.client("events")

    def __init__(self):
        self.ddb = boto3.client("dynamodb")

    def save(self, item):
        self.ddb.put_item(TableName=os.environ["TABLE"], Item=item)
        self.events.put_events(Entries=[])

def store(s3c: S3Client, orders: Table, body):
    s3c.put_object(Bucket="b", Key="k", Body=body)
    orders.delete_item(Key={})

def notify(sqs_client):
    sqs_client.send_message(**KW)

def get_table():
    return boto3.resource("dynamodb").Table("Cache")

def read():
    get_table().scan()
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "dynamodb",
                "put_item",
                vec![("TableName", env("TABLE")), ("Item", Arg::Unknown)],
            ),
            direct("events", "put_events", vec![("Entries", Arg::Unknown)]),
            direct(
                "s3",
                "put_object",
                vec![("Bucket", s("b")), ("Key", s("k")), ("Body", Arg::Unknown)],
            ),
            (
                "dynamodb",
                "delete_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Key", Arg::Unknown)],
                vec![],
            ),
            direct(
                "sqs",
                "send_message",
                vec![("QueueUrl", env("Q")), ("MessageBody", s("m"))],
            ),
            (
                "dynamodb",
                "scan",
                CallStyle::Resource,
                Some("Table"),
                vec![],
                vec![s("Cache")],
            ),
        ],
    );
    assert_eq!(f.calls[0].text, "self.ddb.put_item");
}

#[test]
fn python_powertools() {
    let f = facts(
        "app.py",
        r#"
import os
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import get_secret
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent

layer = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])

def handler(event, context):
    key = parameters.get_parameter("/app/key")
    many = parameters.get_parameters("/app/")
    secret = get_secret(os.environ["SECRET_NAME"])
    cfg = parameters.get_app_config(name="features", environment="prod", application="shop")
"#,
    );
    let params = "aws_lambda_powertools.utilities.parameters";
    let idem = "aws_lambda_powertools.utilities.idempotency";
    check(
        &f.calls,
        &[
            direct(
                idem,
                "DynamoDBPersistenceLayer",
                vec![("TableName", env("IDEMPOTENCY_TABLE"))],
            ),
            direct(params, "get_parameter", vec![("Name", s("/app/key"))]),
            direct(params, "get_parameters", vec![("Path", s("/app/"))]),
            direct(params, "get_secret", vec![("SecretId", env("SECRET_NAME"))]),
            direct(
                params,
                "get_app_config",
                vec![
                    ("Name", s("features")),
                    ("Environment", s("prod")),
                    ("Application", s("shop")),
                ],
            ),
        ],
    );
}

/// Libraries that call AWS on the function's behalf, from the helpers table's `library`
/// entries: Strands agents (Bedrock unless another model object is given), langchain-aws
/// chat models, the Secrets Manager caching client's methods.
#[test]
fn python_library_entry_points() {
    let f = facts(
        "app.py",
        r#"
import os
from strands import Agent
from strands.models import BedrockModel
from strands.models.openai import OpenAIModel
from langchain_aws.chat_models import ChatBedrock
from aws_secretsmanager_caching import SecretCache

cache = SecretCache()
default_agent = Agent(system_prompt="hi")
bedrock_agent = Agent(model=BedrockModel(model_id="anthropic.claude-3-haiku-20240307-v1:0"))
openai_agent = Agent(model=OpenAIModel(model_id="gpt-4o"))
chat = ChatBedrock(model_id=os.environ["MODEL_ID"])

def handler(event, context):
    return cache.get_secret_string(os.environ["SECRET_ARN"])
"#,
    );
    check(
        &f.calls,
        &[
            direct("strands", "Agent", vec![]),
            direct(
                "strands.models",
                "BedrockModel",
                vec![("modelId", s("anthropic.claude-3-haiku-20240307-v1:0"))],
            ),
            direct(
                "langchain_aws",
                "ChatBedrock",
                vec![("modelId", env("MODEL_ID"))],
            ),
            direct(
                "aws_secretsmanager_caching",
                "SecretCache.get_secret_string",
                vec![("SecretId", env("SECRET_ARN"))],
            ),
        ],
    );
}

#[test]
fn python_without_boto3_has_no_calls() {
    let f = facts(
        "app.py",
        "import requests\n\ndef h(s3_client):\n    s3_client.put_object(Bucket='b')\n",
    );
    assert!(f.calls.is_empty());
}

#[test]
fn python_syntax_error_keeps_other_calls() {
    let f = facts(
        "app.py",
        r#"
import boto3
s3 = boto3.client("s3")
s3.put_object(Bucket="before", Key="k")

def broken(:
    x = = 1

s3.delete_object(Bucket="after", Key="k")
"#,
    );
    let methods: Vec<&str> = f.calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["put_object", "delete_object"]);
    assert_eq!(f.calls[1].args[0], ("Bucket".to_string(), s("after")));
}

#[test]
fn js_v3_commands() {
    let f = facts(
        "index.mjs",
        r#"
import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import * as sqs from "@aws-sdk/client-sqs";
import { helper } from "./lib/helper.mjs";
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const s3 = new S3Client({});
const queue = new sqs.SQSClient({ region: "eu-west-1" });
const sns = new SNSClient();
const { BUCKET, PREFIX = "in/" } = process.env;
const TOPIC = process.env.TOPIC_ARN;

export const handler = async (event) => {
  const key = `${PREFIX}${event.id}.json`;
  await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const put = new PutObjectCommand({ Bucket: process.env["OUT_BUCKET"], Key: "k", Body: "" });
  await s3.send(put);
  await queue.send(new sqs.SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "m" }));
  await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: "hi" }));
};
"#,
    );
    let s3 = "@aws-sdk/client-s3";
    check(
        &f.calls,
        &[
            direct(
                s3,
                "GetObjectCommand",
                vec![
                    ("Bucket", env("BUCKET")),
                    (
                        "Key",
                        Arg::Concat(vec![env("PREFIX"), Arg::Unknown, s(".json")]),
                    ),
                ],
            ),
            direct(
                s3,
                "PutObjectCommand",
                vec![
                    ("Bucket", env("OUT_BUCKET")),
                    ("Key", s("k")),
                    ("Body", s("")),
                ],
            ),
            direct(
                "@aws-sdk/client-sqs",
                "SendMessageCommand",
                vec![("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("m"))],
            ),
            direct(
                "@aws-sdk/client-sns",
                "PublishCommand",
                vec![("TopicArn", env("TOPIC_ARN")), ("Message", s("hi"))],
            ),
        ],
    );
    assert!(f.calls.iter().all(|c| c.sdk == SdkKind::JsV3));
    assert_eq!(f.calls[0].text, "s3.send(GetObjectCommand)");
    assert_eq!(
        env_names(&f),
        ["BUCKET", "PREFIX", "TOPIC_ARN", "OUT_BUCKET", "QUEUE_URL"]
    );
    assert_eq!(imports(&f), ["./lib/helper.mjs"]);
}

#[test]
fn js_v3_lib_dynamodb_storage_paginators_waiters() {
    let f = facts(
        "app.js",
        r#"
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");
const { S3, S3Client, paginateListObjectsV2, waitUntilBucketExists } = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const AWSXRay = require("aws-xray-sdk-core");
const db = require("./db");
const sqs = require("@aws-sdk/client-sqs");
const q = new sqs.SQSClient({});

const ddb = DynamoDBDocumentClient.from(AWSXRay.captureAWSv3Client(new DynamoDBClient({})));
const doc = DynamoDBDocument.from(new DynamoDBClient({}));
const s3 = new S3({});
const client = new S3Client({});
const config = { table: process.env.TABLE_NAME };

exports.handler = async () => {
  await ddb.send(new PutCommand({ TableName: config.table, Item: {} }));
  await doc.get({ TableName: "Users", Key: { id: "1" } });
  await s3.getObject({ Bucket: "b", Key: "k" });
  for await (const page of paginateListObjectsV2({ client }, { Bucket: "b", Prefix: "x" })) {}
  for await (const page of sqs.paginateListQueues({ client: q }, { QueueNamePrefix: "app" })) {}
  await waitUntilBucketExists({ client, maxWaitTime: 30 }, { Bucket: "b" });
  await new Upload({ client, params: { Bucket: process.env.BUCKET, Key: "big", Body: "" } }).done();
};
"#,
    );
    let lib = "@aws-sdk/lib-dynamodb";
    let s3 = "@aws-sdk/client-s3";
    check(
        &f.calls,
        &[
            direct(
                lib,
                "PutCommand",
                vec![("TableName", env("TABLE_NAME")), ("Item", Arg::Unknown)],
            ),
            direct(
                lib,
                "get",
                vec![("TableName", s("Users")), ("Key", Arg::Unknown)],
            ),
            direct(s3, "getObject", vec![("Bucket", s("b")), ("Key", s("k"))]),
            (
                s3,
                "ListObjectsV2",
                CallStyle::Paginator,
                None,
                vec![("Bucket", s("b")), ("Prefix", s("x"))],
                vec![],
            ),
            (
                "@aws-sdk/client-sqs",
                "ListQueues",
                CallStyle::Paginator,
                None,
                vec![("QueueNamePrefix", s("app"))],
                vec![],
            ),
            (
                s3,
                "BucketExists",
                CallStyle::Waiter,
                None,
                vec![("Bucket", s("b"))],
                vec![],
            ),
            direct(
                "@aws-sdk/lib-storage",
                "Upload",
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", s("big")),
                    ("Body", s("")),
                ],
            ),
        ],
    );
    // Packages other than the SDK's are recorded too: a layer may provide them.
    assert_eq!(imports(&f), ["aws-xray-sdk-core", "./db"]);
}

#[test]
fn js_v2_clients() {
    let f = facts(
        "handler.js",
        r#"
const AWS = require('aws-sdk');
const S3 = require('aws-sdk/clients/s3');
const s3 = new AWS.S3({ apiVersion: '2006-03-01' });
const other = new S3();
const docClient = new AWS.DynamoDB.DocumentClient();
const TABLE = process.env.TABLE;

module.exports.handler = async (event) => {
  const params = { Bucket: process.env.BUCKET, Key: 'a/' + event.key };
  const obj = await s3.getObject(params).promise();
  await other.upload({ Bucket: 'uploads', Key: 'k', Body: obj.Body }).promise();
  await docClient.put({ TableName: TABLE, Item: {} }).promise();
  const url = s3.getSignedUrl('putObject', { Bucket: 'b', Key: 'k' });
  await s3.waitFor('objectExists', { Bucket: 'b', Key: 'k' }).promise();
};
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "S3",
                "getObject",
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", Arg::Concat(vec![s("a/"), Arg::Unknown])),
                ],
            ),
            direct(
                "S3",
                "upload",
                vec![
                    ("Bucket", s("uploads")),
                    ("Key", s("k")),
                    ("Body", Arg::Unknown),
                ],
            ),
            direct(
                "DynamoDB.DocumentClient",
                "put",
                vec![("TableName", env("TABLE")), ("Item", Arg::Unknown)],
            ),
            direct(
                "S3",
                "getSignedUrl",
                vec![
                    ("Operation", s("putObject")),
                    ("Bucket", s("b")),
                    ("Key", s("k")),
                ],
            ),
            (
                "S3",
                "objectExists",
                CallStyle::Waiter,
                None,
                vec![("Bucket", s("b")), ("Key", s("k"))],
                vec![],
            ),
        ],
    );
    assert!(f.calls.iter().all(|c| c.sdk == SdkKind::JsV2));
    assert_eq!(f.calls[2].text, "docClient.put");
}

#[test]
fn js_v2_esm_imports() {
    let f = facts(
        "index.mjs",
        r#"
import AWS from 'aws-sdk';
import SQS from 'aws-sdk/clients/sqs';
const sqs = new SQS();
const lambda = new AWS.Lambda();
export async function handler() {
  await sqs.sendMessage({ QueueUrl: process.env.Q, MessageBody: 'm' }).promise();
  await lambda.invoke({ FunctionName: 'worker', Payload: '{}' }).promise();
}
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "SQS",
                "sendMessage",
                vec![("QueueUrl", env("Q")), ("MessageBody", s("m"))],
            ),
            direct(
                "Lambda",
                "invoke",
                vec![("FunctionName", s("worker")), ("Payload", s("{}"))],
            ),
        ],
    );
}

#[test]
fn typescript_classes_types_and_decorators() {
    let f = facts(
        "src/service.ts",
        r#"
import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { Repo } from "../repo";

const sfn: SFNClient = new SFNClient({});

export class Service {
  private readonly s3 = new S3Client({});
  constructor(private readonly ddb: DynamoDBDocumentClient, private table: string) {}

  @logged()
  async run(key: string): Promise<void> {
    await this.s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET!, Key: key }));
    await this.ddb.send(new QueryCommand({ TableName: process.env.TABLE as string, KeyConditionExpression: "pk = :p" }));
    await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: "{}" }));
  }
}

export const handler = async (event: unknown, context: Context): Promise<void> => {
  await new Service(DynamoDBDocumentClient.from(new S3Client({}) as any), "t").run("k");
};
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "@aws-sdk/client-s3",
                "GetObjectCommand",
                vec![("Bucket", env("BUCKET")), ("Key", Arg::Unknown)],
            ),
            direct(
                "@aws-sdk/lib-dynamodb",
                "QueryCommand",
                vec![
                    ("TableName", env("TABLE")),
                    ("KeyConditionExpression", s("pk = :p")),
                ],
            ),
            direct(
                "@aws-sdk/client-sfn",
                "StartExecutionCommand",
                vec![("stateMachineArn", env("SM_ARN")), ("input", s("{}"))],
            ),
        ],
    );
    assert_eq!(f.calls[0].text, "this.s3.send(GetObjectCommand)");
    // Packages other than the SDK's are recorded too: a layer may provide them.
    assert_eq!(imports(&f), ["aws-lambda", "../repo"]);
}

#[test]
fn tsx_and_dynamic_import() {
    let f = facts(
        "app.tsx",
        r#"
export async function handler() {
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
  const c = new SQSClient({});
  await c.send(new SendMessageCommand({ QueueUrl: "https://q", MessageBody: "m" }));
  const el = <div>{process.env.NAME}</div>;
}
"#,
    );
    check(
        &f.calls,
        &[direct(
            "@aws-sdk/client-sqs",
            "SendMessageCommand",
            vec![("QueueUrl", s("https://q")), ("MessageBody", s("m"))],
        )],
    );
    assert_eq!(env_names(&f), ["NAME"]);
}

#[test]
fn js_syntax_error_keeps_other_calls() {
    let f = facts(
        "index.js",
        r#"
const { S3Client, PutObjectCommand, DeleteObjectCommand } = require("@aws-sdk/client-s3");
const s3 = new S3Client({});
s3.send(new PutObjectCommand({ Bucket: "before" }));
function broken( {
  let = = ;
}
s3.send(new DeleteObjectCommand({ Bucket: "after" }));
"#,
    );
    let buckets: Vec<&Arg> = f.calls.iter().map(|c| &c.args[0].1).collect();
    assert_eq!(buckets, [&s("before"), &s("after")]);
}

#[test]
fn deeply_nested_code_does_not_overflow() {
    let mut src = String::from("import boto3\ns3 = boto3.client('s3')\nx = ");
    src.push_str(&"(".repeat(3000));
    src.push('1');
    src.push_str(&")".repeat(3000));
    src.push_str("\ns3.list_buckets()\n");
    let f = facts("deep.py", &src);
    assert_eq!(f.calls.len(), 1);
    let mut js = String::from(
        "const { S3 } = require('@aws-sdk/client-s3'); const s3 = new S3({}); s3.listBuckets({ a: ",
    );
    js.push_str(&"[".repeat(3000));
    js.push_str(&"]".repeat(3000));
    js.push_str(" });");
    assert_eq!(facts("deep.js", &js).calls.len(), 1);
}

#[test]
fn handler_paths() {
    assert_eq!(
        handler_candidates("fn/", "src/app.lambda_handler", Some("python3.12"))[0],
        "fn/src/app.py"
    );
    assert_eq!(
        handler_candidates("fn", "pkg.mod.handler", Some("python3.11"))[0],
        "fn/pkg/mod.py"
    );
    let node = handler_candidates("svc", "index.handler", Some("nodejs20.x"));
    for want in [
        "svc/index.js",
        "svc/index.mjs",
        "svc/index.cjs",
        "svc/index.ts",
        "svc/src/index.ts",
    ] {
        assert!(node.contains(&want.to_string()), "{want} in {node:?}");
    }
    let dist = handler_candidates("", "dist/handlers/orders.main", Some("nodejs18.x"));
    assert!(dist.contains(&"dist/handlers/orders.js".to_string()));
    assert!(
        dist.contains(&"src/handlers/orders.ts".to_string()),
        "{dist:?}"
    );
    assert_eq!(
        handler_candidates("fn/app.py", "app.handler", Some("python3.12")),
        ["fn/app.py"]
    );
    let unknown = handler_candidates("./code/", "app.handler", None);
    assert_eq!(unknown[0], "code/app.py");
    assert!(unknown.contains(&"code/app.js".to_string()));
    assert!(handler_candidates("fn", "nohandler", None).is_empty());
    assert_eq!(
        handler_candidates("fn", "com.example.Handler::handleRequest", Some("java21"))[0],
        "fn/src/main/java/com/example/Handler.java"
    );
    assert!(handler_candidates("fn", "bootstrap", Some("provided.al2023")).is_empty());
}

#[test]
fn local_import_paths() {
    let py = |m| local_import_candidates(Lang::Python, "fn/src/app.py", m, "fn");
    assert_eq!(py(".util"), ["fn/src/util.py", "fn/src/util/__init__.py"]);
    assert_eq!(
        py("..shared.db"),
        ["fn/shared/db.py", "fn/shared/db/__init__.py"]
    );
    assert_eq!(py("."), ["fn/src/__init__.py"]);
    assert_eq!(
        py("util"),
        [
            "fn/src/util.py",
            "fn/src/util/__init__.py",
            "fn/util.py",
            "fn/util/__init__.py"
        ]
    );
    assert_eq!(py("lib.db")[2], "fn/lib/db.py");
    assert!(py("boto3").is_empty());
    assert!(py("os.path").is_empty());
    let js = |m| local_import_candidates(Lang::JavaScript, "svc/handlers/index.js", m, "svc");
    let db = js("./db");
    for want in [
        "svc/handlers/db.js",
        "svc/handlers/db.mjs",
        "svc/handlers/db.ts",
        "svc/handlers/db/index.js",
    ] {
        assert!(db.contains(&want.to_string()), "{want} in {db:?}");
    }
    assert_eq!(
        js("../lib/x.js")[..2],
        ["svc/lib/x.js".to_string(), "svc/lib/x.ts".to_string()]
    );
    assert!(js("@aws-sdk/client-s3").is_empty());
    assert!(js("lodash").is_empty());
}

#[test]
fn vendored_paths() {
    for p in [
        "fn/node_modules/aws-sdk/lib/s3.js",
        "fn/boto3/session.py",
        "fn/botocore/client.py",
        "layer/python/lib/python3.12/site-packages/x/y.py",
        "x/.aws-sam/build/Fn/app.py",
        "web/vendor/lib.js",
        "static/app.min.js",
        "cdk.out/asset.1234/node_modules/x/index.js",
        "fn/requests/api.py",
        "fn/six.py",
    ] {
        assert!(is_vendored(p), "{p}");
    }
    for p in [
        "fn/app.py",
        "src/handlers/index.ts",
        "boto3_helpers/app.py",
        "requests.py",
        "cdk.out/asset.1234/index.js",
        "lib/db.py",
    ] {
        assert!(!is_vendored(p), "{p}");
    }
}

#[test]
fn python_objects_passed_to_helpers_defined_earlier() {
    let f = facts(
        "app.py",
        r#"
import boto3, os

def post(apigw, table, connection_id):
    print(table.name, table.upper())
    apigw.post_to_connection(ConnectionId=connection_id, Data=b"x")
    table.delete_item(Key={"id": connection_id})

class Handler:
    def store(self, bucket_client, key):
        bucket_client.put_object(Bucket=os.environ["B"], Key=key)

    def run(self):
        self.store(boto3.client("s3"), "k")

def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["CONNECTIONS"])
    api = boto3.client("apigatewaymanagementapi", endpoint_url="https://x")
    post(api, table=table, connection_id="c")
    cached().get_item(Key={})

def cached():
    return boto3.resource("dynamodb").Table("Cache")
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "apigatewaymanagementapi",
                "post_to_connection",
                vec![("ConnectionId", s("c")), ("Data", s("x"))],
            ),
            (
                "dynamodb",
                "delete_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Key", Arg::Unknown)],
                vec![env("CONNECTIONS")],
            ),
            direct(
                "s3",
                "put_object",
                vec![("Bucket", env("B")), ("Key", s("k"))],
            ),
            (
                "dynamodb",
                "get_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Key", Arg::Unknown)],
                vec![s("Cache")],
            ),
        ],
    );
}

#[test]
fn js_upload_with_shorthand_params() {
    let f = facts(
        "app.js",
        r#"
const { Upload } = require("@aws-sdk/lib-storage");
const { S3 } = require("@aws-sdk/client-s3");
const s3 = new S3();
exports.handler = async () => {
  const params = { Bucket: process.env.BUCKET, Key: "k", Body: "" };
  await new Upload({ client: s3, params }).done();
};
"#,
    );
    check(
        &f.calls,
        &[direct(
            "@aws-sdk/lib-storage",
            "Upload",
            vec![("Bucket", env("BUCKET")), ("Key", s("k")), ("Body", s(""))],
        )],
    );
}

#[test]
fn python_values_passed_to_helpers() {
    let f = facts(
        "app.py",
        r#"
import os
import boto3

SECRET_VAR = "API_KEY_SECRET"
sm = boto3.client("secretsmanager")
ssm = boto3.client("ssm")

def get_secret(secret_id):
    return sm.get_secret_value(SecretId=secret_id)["SecretString"]

def get_param(name):
    return ssm.get_parameter(Name=name)["Parameter"]["Value"]

A = get_param("/app/a")
B = get_param("/app/b")

def handler(event, context):
    return get_secret(os.getenv(SECRET_VAR))
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "secretsmanager",
                "get_secret_value",
                vec![("SecretId", env("API_KEY_SECRET"))],
            ),
            direct("ssm", "get_parameter", vec![("Name", Arg::Unknown)]),
        ],
    );
}

#[test]
fn js_clients_returned_by_local_functions() {
    let f = facts(
        "app.mjs",
        r#"
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
const sqsClient = () => new SQSClient({});
const snsClient = async () => {
  return new SNSClient({});
};
function helper() {
  return [1].map((x) => x + 1);
}
export const handler = async () => {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: process.env.Q, MessageBody: "m" }));
  const sns = await snsClient();
  await sns.send(new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:1:t", Message: "m" }));
};
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "@aws-sdk/client-sqs",
                "SendMessageCommand",
                vec![("QueueUrl", env("Q")), ("MessageBody", s("m"))],
            ),
            direct(
                "@aws-sdk/client-sns",
                "PublishCommand",
                vec![
                    ("TopicArn", s("arn:aws:sns:us-east-1:1:t")),
                    ("Message", s("m")),
                ],
            ),
        ],
    );
}

#[test]
fn js_presigner_and_non_service_classes() {
    let f = facts(
        "app.mjs",
        r#"
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@aws-sdk/signature-v4";
import AWS from "aws-sdk";
const s3 = new S3Client({});
const signer = new SignatureV4({ service: "es" });
const v4 = new AWS.Signers.V4(req, "es");
export const handler = async () => {
  await signer.sign(req);
  v4.addAuthorization(creds, new Date());
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: process.env.BUCKET, Key: "k" }), { expiresIn: 60 });
};
"#,
    );
    check(
        &f.calls,
        &[direct(
            "@aws-sdk/client-s3",
            "PutObjectCommand",
            vec![("Bucket", env("BUCKET")), ("Key", s("k"))],
        )],
    );
    assert_eq!(f.calls[0].text, "getSignedUrl(PutObjectCommand)");
}

#[test]
fn python_lazy_module_clients() {
    let f = facts(
        "app.py",
        r#"
import boto3

sqs = None
_table = None

def send(body):
    sqs.send_message(QueueUrl="https://q", MessageBody=body)

def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table("Orders")
    return _table

def init():
    global sqs
    sqs = boto3.client("sqs")

def handler(event, context):
    init()
    table().put_item(Item={})
    send("x")
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "sqs",
                "send_message",
                vec![("QueueUrl", s("https://q")), ("MessageBody", s("x"))],
            ),
            (
                "dynamodb",
                "put_item",
                CallStyle::Resource,
                Some("Table"),
                vec![("Item", Arg::Unknown)],
                vec![s("Orders")],
            ),
        ],
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any text, in any language, yields facts without panicking, or, where the grammar's
    /// error recovery runs away (tree-sitter's TSX grammar on `()client.(send[new (client}`
    /// takes longer than the parse limit), the bounded time-limit error.
    #[test]
    fn arbitrary_text_never_panics(text in "(boto3|import|client|\\(|\\)|\\{|\\}|\\[|\\]|=|\\.|'|\"|`|\\$|new |send|process\\.env|os\\.environ|\\n| |[a-z]{1,6}|[^\\x00]){0,80}") {
        for path in ["a.py", "a.js", "a.ts", "a.tsx"] {
            let lang = Lang::from_path(path).unwrap();
            let f = SourceFile::new(FileId(0), path, text.clone());
            match extract(&f, lang) {
                Ok(_) => {}
                Err(e) => proptest::prop_assert!(
                    e.message.contains("could not be parsed within"),
                    "{path}: {}",
                    e.message
                ),
            }
        }
    }
}

#[test]
fn clients_made_by_factories_from_a_service_name() {
    let py = r#"
import boto3
from functools import lru_cache

def client(name, region=None):
    return boto3.client(name, region_name=region)

def resource(service_name):
    return boto3.session.Session().resource(service_name)

@lru_cache
def get_s3():
    return boto3.client("s3")

class Clients:
    def make(self, service, region):
        return boto3.client(service, region_name=region)

def handler(event, context):
    client("ec2").describe_instances()
    client(name="sns").publish(TopicArn="t")
    get_s3().get_object(Bucket="b", Key="k")
    Clients().make("sqs", "eu-west-1").send_message(QueueUrl="q")
    resource("dynamodb").Table("t").get_item(Key={})
    client(event["service"]).list_things()
"#;
    let f = facts("app.py", py);
    let calls: Vec<(&str, &str)> = f
        .calls
        .iter()
        .map(|c| (c.service.as_str(), c.method.as_str()))
        .collect();
    assert_eq!(
        calls,
        vec![
            ("ec2", "describe_instances"),
            ("sns", "publish"),
            ("s3", "get_object"),
            ("sqs", "send_message"),
            ("dynamodb", "get_item"),
        ]
    );
    let factories: Vec<(&str, &Made, bool)> = f
        .factories
        .iter()
        .map(|x| (x.name.as_str(), &x.made, x.resource))
        .collect();
    let named = |position, keyword: &str| Made::Named {
        position,
        keyword: keyword.into(),
        classes: Vec::new(),
    };
    assert_eq!(
        factories,
        vec![
            ("client", &named(0, "name"), false),
            ("get_s3", &Made::Service("s3".into()), false),
            ("make", &named(0, "service"), false),
            ("resource", &named(0, "service_name"), true),
        ]
    );
    // Another module calling the factories it imports.
    let user = "from clients import client\nimport clients\n\ndef handler(e, c):\n    client('sqs').send_message(QueueUrl='q')\n    clients.client('ec2').describe_regions()\n";
    let file = SourceFile::new(FileId(0), "app.py", user);
    let imported: Vec<Factory> = f.factories.clone();
    let g = extract_with(&file, Lang::Python, &imported).unwrap();
    let calls: Vec<(&str, &str)> = g
        .calls
        .iter()
        .map(|c| (c.service.as_str(), c.method.as_str()))
        .collect();
    assert_eq!(
        calls,
        vec![("sqs", "send_message"), ("ec2", "describe_regions")]
    );
    assert!(facts("app.py", user).calls.is_empty());

    let js = r#"
const AWS = require('aws-sdk');
function client(name) { return new AWS[name](); }
function other(x, name) { return new AWS[name](); }
const classes = { queue: AWS.SQS, 'bucket': AWS.S3 };
const make = (key) => new classes[key]();
exports.handler = async (event) => {
  await make('queue').sendMessage({ QueueUrl: 'q' }).promise();
  await new classes['bucket']().listBuckets().promise();
  await client('SNS').publish({ TopicArn: 't' }).promise();
  const db = other(1, 'DynamoDB');
  await db.getItem({ TableName: 't' }).promise();
  await client(event.kind).doSomething().promise();
};
"#;
    let f = facts("app.js", js);
    check(
        &f.calls,
        &[
            direct("SQS", "sendMessage", vec![("QueueUrl", s("q"))]),
            direct("S3", "listBuckets", vec![]),
            direct("SNS", "publish", vec![("TopicArn", s("t"))]),
            direct("DynamoDB", "getItem", vec![("TableName", s("t"))]),
        ],
    );
    let user = "const clients = require('./clients');\nexports.handler = async () => {\n  await clients.make('SQS').sendMessage({ QueueUrl: 'q' }).promise();\n};\n";
    let imported = [Factory {
        name: "make".into(),
        made: Made::Named {
            position: 0,
            keyword: String::new(),
            classes: Vec::new(),
        },
        resource: false,
    }];
    let file = SourceFile::new(FileId(0), "app.js", user);
    let g = extract_with(&file, Lang::JavaScript, &imported).unwrap();
    check(
        &g.calls,
        &[direct("SQS", "sendMessage", vec![("QueueUrl", s("q"))])],
    );
}

fn action<'a>(service: &'a str, method: &'a str, args: Vec<(&'a str, Arg)>) -> Expect<'a> {
    (service, method, CallStyle::Action, None, args, Vec::new())
}

#[test]
fn python_calls_that_are_not_sdk_clients() {
    let f = facts(
        "app.py",
        r#"
import os
import boto3
import requests
from requests_aws4auth import AWS4Auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from opensearchpy import OpenSearch, AWSV4SignerAuth

rds = boto3.client("rds")
creds = boto3.Session().get_credentials()
awsauth = AWS4Auth(creds.access_key, creds.secret_key, "eu-west-1", "es")
serverless = AWSV4SignerAuth(creds, "eu-west-1", "aoss")
search = OpenSearch(hosts=[{"host": os.environ["HOST"], "port": 443}], http_auth=serverless)
plain = AWS4Auth(creds.access_key, creds.secret_key, "eu-west-1", "execute-api")

def handler(event, context):
    rds.generate_db_auth_token(os.environ["DB_HOST"], 5432, "app")
    requests.put("https://search-logs-abc.eu-west-1.es.amazonaws.com/logs/_doc/1", auth=awsauth, json={})
    requests.request("DELETE", os.environ["URL"], auth=awsauth)
    search.search(index="x", body={})
    request = AWSRequest(method="POST", url=os.environ["URL"], data="{}")
    SigV4Auth(creds, "es", "eu-west-1").add_auth(request)
    requests.get("https://example.com", auth=plain)
    context.invoke("other", {})
"#,
    );
    check(
        &f.calls,
        &[
            action(
                "rds-db",
                "connect",
                vec![
                    ("DBHostname", Arg::Env("DB_HOST".into())),
                    ("Port", Arg::Unknown),
                    ("DBUsername", s("app")),
                ],
            ),
            action(
                "es",
                "ESHttpPut",
                vec![(
                    "Endpoint",
                    s("https://search-logs-abc.eu-west-1.es.amazonaws.com/logs/_doc/1"),
                )],
            ),
            action(
                "es",
                "ESHttpDelete",
                vec![("Endpoint", Arg::Env("URL".into()))],
            ),
            action(
                "aoss",
                "APIAccessAll",
                vec![("Endpoint", Arg::Env("HOST".into()))],
            ),
            action(
                "es",
                "ESHttpPost",
                vec![("Endpoint", Arg::Env("URL".into()))],
            ),
        ],
    );
    // `context.invoke` is a durable function's invoke only where the file imports the SDK.
    let durable = facts(
        "app.py",
        r#"
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(function_name="arn:aws:lambda:eu-west-1:111122223333:function:x", payload={})
"#,
    );
    check(
        &durable.calls,
        &[action(
            "lambda",
            "InvokeFunction",
            vec![(
                "FunctionName",
                s("arn:aws:lambda:eu-west-1:111122223333:function:x"),
            )],
        )],
    );
}

#[test]
fn v3_commands_sent_by_clients_made_out_of_sight_still_resolve() {
    let src = r#"
import { PublishCommand } from "@aws-sdk/client-sns";
import { make } from "./clients.mjs";

export const handler = async () => {
  await make("sns").send(new PublishCommand({ TopicArn: "arn:aws:sns:eu-west-1:1:t", Message: "x" }));
  await other.send(new NotACommand({}));
  await mystery.send({ TopicArn: "t" });
};
"#;
    let f = facts("app.mjs", src);
    check(
        &f.calls,
        &[direct(
            "@aws-sdk/client-sns",
            "PublishCommand",
            vec![
                ("TopicArn", s("arn:aws:sns:eu-west-1:1:t")),
                ("Message", s("x")),
            ],
        )],
    );
}

#[test]
fn js_signed_requests_durable_invoke_and_invocation_values() {
    let f = facts(
        "index.ts",
        r#"
import { Signer } from "@aws-sdk/rds-signer";
import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";
import { DurableContext, withDurableExecution } from "@aws/durable-execution-sdk-js";
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import aws4 from "aws4";

const search = new Client({ ...AwsSigv4Signer({ region: "us-east-1" }), node: process.env.SEARCH });
const s3 = new S3Client({});

export const handler = withDurableExecution(async (event: any, context: DurableContext) => {
  await new Signer({ hostname: process.env.DB_HOST, port: 5432, username: "app" }).getAuthToken();
  await search.search({ index: "orders" });
  await search.indices.delete({ index: "old" });
  await search.transport.request({ method: "PUT", path: "/orders/_settings", body: {} });
  aws4.sign({ host: "search-logs-abc.us-east-1.es.amazonaws.com", path: "/_bulk", body: "{}" });
  aws4.sign({ host: process.env.OTHER, service: "s3", method: "GET" });
  aws4.sign({ host: process.env.SEARCH, service: "es", method: "PUT" }, { accessKeyId: "AKIA", secretAccessKey: "x" });
  await context.invoke("charge", process.env.PAY_FN, { amount: 1 });
  await context.invoke(process.env.SHIP_FN, { id: 1 });
  const record = event.Records[0];
  await s3.send(new PutObjectCommand({ Bucket: record.s3.bucket.name, Key: "out" }));
  return context.functionName;
});
"#,
    );
    check(
        &f.calls,
        &[
            action(
                "rds-db",
                "connect",
                vec![
                    ("DBHostname", env("DB_HOST")),
                    ("Port", Arg::Unknown),
                    ("DBUsername", s("app")),
                ],
            ),
            action("es", "ESHttpGet", vec![("Endpoint", env("SEARCH"))]),
            action("es", "ESHttpPost", vec![("Endpoint", env("SEARCH"))]),
            action("es", "ESHttpDelete", vec![("Endpoint", env("SEARCH"))]),
            action("es", "ESHttpPut", vec![("Endpoint", env("SEARCH"))]),
            action(
                "es",
                "ESHttpPost",
                vec![("Endpoint", s("search-logs-abc.us-east-1.es.amazonaws.com"))],
            ),
            action(
                "lambda",
                "InvokeFunction",
                vec![("FunctionName", env("PAY_FN"))],
            ),
            action(
                "lambda",
                "InvokeFunction",
                vec![("FunctionName", env("SHIP_FN"))],
            ),
            direct(
                "@aws-sdk/client-s3",
                "PutObjectCommand",
                vec![("Bucket", Arg::Event("s3.bucket.name")), ("Key", s("out"))],
            ),
        ],
    );
}

#[test]
fn python_invocation_values() {
    let f = facts(
        "app.py",
        r#"
import os
import boto3

s3 = boto3.client("s3")
lam = boto3.client("lambda")
config = {"function_name": "other"}

def handler(event, context):
    for record in event["Records"]:
        s3.put_object(Bucket=record["s3"]["bucket"]["name"], Key="x")
    lam.invoke(FunctionName=context.function_name, InvocationType="Event")
    lam.invoke(FunctionName=config.function_name)
"#,
    );
    check(
        &f.calls,
        &[
            direct(
                "s3",
                "put_object",
                vec![("Bucket", Arg::Event("s3.bucket.name")), ("Key", s("x"))],
            ),
            direct(
                "lambda",
                "invoke",
                vec![
                    ("FunctionName", env("AWS_LAMBDA_FUNCTION_NAME")),
                    ("InvocationType", s("Event")),
                ],
            ),
            // Another object's `function_name` is its own value, not the function's name.
            direct("lambda", "invoke", vec![("FunctionName", s("other"))]),
        ],
    );
}

/// Imports of libraries that call AWS by themselves (the `libraries` table) are recorded in
/// every language, submodules included; other packages and the AWS SDK are not.
#[test]
fn library_imports_in_every_language() {
    let libs = |path: &str, src: &str| -> Vec<(&'static str, String)> {
        facts(path, src)
            .libraries
            .into_iter()
            .map(|(lang, m)| (lang, m.value))
            .collect()
    };
    assert_eq!(
        libs(
            "a.py",
            "import json\nimport pyqldb\nfrom pyqldb.driver.qldb_driver import QldbDriver\nimport pynamodb.models as m\nimport boto3\n"
        ),
        [
            ("python", "pyqldb".to_string()),
            ("python", "pyqldb.driver.qldb_driver".to_string()),
            ("python", "pynamodb.models".to_string()),
        ]
    );
    assert_eq!(
        libs(
            "a.js",
            "const { QldbDriver } = require('amazon-qldb-driver-nodejs');\nconst x = require('lodash');\n"
        ),
        [("javascript", "amazon-qldb-driver-nodejs".to_string())]
    );
    assert_eq!(
        libs(
            "a.ts",
            "import { Entity } from 'dynamodb-toolbox/entity';\nimport { S3Client } from '@aws-sdk/client-s3';\n"
        ),
        [("javascript", "dynamodb-toolbox/entity".to_string())]
    );
    assert_eq!(
        libs(
            "main.go",
            "package main\nimport (\n  \"github.com/awslabs/amazon-qldb-driver-go/v3/qldbdriver\"\n  \"github.com/aws/aws-sdk-go-v2/config\"\n)\nfunc main() {}\n"
        ),
        [(
            "go",
            "github.com/awslabs/amazon-qldb-driver-go/v3/qldbdriver".to_string()
        )]
    );
    assert_eq!(
        libs(
            "App.java",
            "package a;\nimport software.amazon.qldb.QldbDriver;\nimport software.amazon.awssdk.services.s3.S3Client;\npublic class App {}\n"
        ),
        [("java", "software.amazon.qldb.QldbDriver".to_string())]
    );
}

/// Comments are tree-sitter "extras" and may sit anywhere, also before a call's first argument
/// or between a literal's members: the call and its arguments are read as without them.
#[test]
fn comments_inside_argument_lists_are_skipped() {
    let js = facts(
        "index.mjs",
        r#"import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async () => {
  await sqs.send( // forward the order
    new SendMessageCommand({
      /* the queue */ QueueUrl: process.env.QUEUE_URL,
      MessageBody: "x",
    })
  );
};
"#,
    );
    check(
        &js.calls,
        &[direct(
            "@aws-sdk/client-sqs",
            "SendMessageCommand",
            vec![("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))],
        )],
    );
    let py = facts(
        "app.py",
        r#"import os, boto3
s3 = boto3.client(  # shared client
    "s3")
def handler(event, context):
    s3.get_object(  # the config
        Bucket=os.environ["BUCKET"],  # from the template
        Key="k",
    )
"#,
    );
    check(
        &py.calls,
        &[direct(
            "s3",
            "get_object",
            vec![("Bucket", env("BUCKET")), ("Key", s("k"))],
        )],
    );
    let go = facts(
        "main.go",
        r#"package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func handler(ctx context.Context) error {
	cfg, _ := config.LoadDefaultConfig(ctx)
	client := s3.NewFromConfig( /* one client */ cfg)
	_, err := client.GetObject(ctx /* the request */, &s3.GetObjectInput{
		// the bucket of the template
		Bucket: aws.String(os.Getenv("BUCKET")),
		Key:    aws.String("k"),
	})
	return err
}
"#,
    );
    let calls: Vec<(&str, &str)> = go
        .calls
        .iter()
        .map(|c| (c.service.as_str(), c.method.as_str()))
        .collect();
    assert_eq!(calls, [("s3", "GetObject")]);
    assert!(
        go.calls[0]
            .args
            .iter()
            .any(|(k, v)| k == "Bucket" && *v == env("BUCKET")),
        "{:?}",
        go.calls[0].args
    );
    let java = facts(
        "src/main/java/app/Handler.java",
        r#"package app;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

public class Handler {
    private final S3Client s3 = S3Client.create();

    public String handleRequest(Object event) {
        s3.getObject( // the config
            GetObjectRequest.builder()
                .bucket(/* from the template */ System.getenv("BUCKET"))
                .key("k")
                .build());
        return "ok";
    }
}
"#,
    );
    let calls: Vec<(&str, &str)> = java
        .calls
        .iter()
        .map(|c| (c.service.as_str(), c.method.as_str()))
        .collect();
    assert_eq!(calls, [("s3", "getObject")]);
    assert!(
        java.calls[0]
            .args
            .iter()
            .any(|(k, v)| k == "Bucket" && *v == env("BUCKET")),
        "{:?}",
        java.calls[0].args
    );
}
