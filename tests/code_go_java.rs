//! SDK call extraction from Go (aws-sdk-go-v2, and v1 where it matches) and Java (SDK 2.x),
//! handler and import paths for both.

// Test inputs are fixed snippets: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rolefit::model::{Arg, CallStyle, CodeFacts, Factory, Made, SdkKind};
use rolefit::parse::code::{
    Lang, extract, extract_with, go_module_path, go_package_files, handler_candidates,
    local_import_candidates,
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

/// One expected call: (service, method, style, args).
type Expect<'a> = (&'a str, &'a str, CallStyle, Vec<(&'a str, Arg)>);

fn check(f: &CodeFacts, sdk: SdkKind, expected: &[Expect<'_>]) {
    let got: Vec<Expect<'_>> = f
        .calls
        .iter()
        .map(|c| {
            assert_eq!(c.sdk, sdk, "{}", c.text);
            (
                c.service.as_str(),
                c.method.as_str(),
                c.style,
                c.args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

/// The 1-based line each call is reported at.
fn lines(src: &str, f: &CodeFacts) -> Vec<usize> {
    f.calls
        .iter()
        .map(|c| src[..c.span.start as usize].matches('\n').count() + 1)
        .collect()
}

fn env_names(f: &CodeFacts) -> Vec<&str> {
    f.env_reads.iter().map(|e| e.name.as_str()).collect()
}

fn imports(f: &CodeFacts) -> Vec<&str> {
    f.imports.iter().map(|i| i.module.value.as_str()).collect()
}

const GO_V2: &str = r#"package main

import (
	"context"
	"os"

	"example.com/orders/internal/store"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	s3svc "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const bucketVar = "BUCKET"

var (
	tableName = os.Getenv("TABLE_NAME")
	queueURL  string
	ddb       *dynamodb.Client
)

func init() {
	queueURL, _ = os.LookupEnv("QUEUE_URL")
	cfg, _ := config.LoadDefaultConfig(context.TODO())
	ddb = dynamodb.NewFromConfig(cfg)
}

func handle(ctx context.Context, s3c *s3svc.Client, key string) error {
	bucket := os.Getenv(bucketVar)
	_, err := s3c.GetObject(ctx, &s3svc.GetObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String("in/" + key),
	})
	ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: &tableName})
	input := &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("x")}
	sqs.NewFromConfig(aws.Config{}).SendMessage(ctx, input)
	store.Save(ctx)
	return err
}
"#;

#[test]
fn go_v2_clients_requests_and_env() {
    let f = facts("main.go", GO_V2);
    check(
        &f,
        SdkKind::Go,
        &[
            (
                "s3",
                "GetObject",
                CallStyle::Direct,
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", Arg::Concat(vec![s("in/"), Arg::Unknown])),
                ],
            ),
            (
                "dynamodb",
                "PutItem",
                CallStyle::Direct,
                vec![("TableName", env("TABLE_NAME"))],
            ),
            (
                "sqs",
                "SendMessage",
                CallStyle::Direct,
                vec![("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))],
            ),
        ],
    );
    assert_eq!(lines(GO_V2, &f), vec![31, 35, 37]);
    assert_eq!(env_names(&f), vec!["TABLE_NAME", "QUEUE_URL", "BUCKET"]);
    assert_eq!(imports(&f), vec!["example.com/orders/internal/store"]);
}

const GO_HELPERS: &str = r#"package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

type App struct {
	s3       *s3.Client
	uploader *manager.Uploader
}

func (a *App) Run(ctx context.Context, body io.Reader) error {
	bucket := os.Getenv("BUCKET")
	p := s3.NewListObjectsV2Paginator(a.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket),
		Prefix: aws.String("raw/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
	}
	w := s3.NewObjectExistsWaiter(a.s3)
	err := w.Wait(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("done")}, time.Minute)
	up := manager.NewUploader(a.s3)
	up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("out/%s.json", id)), Body: body})
	a.uploader.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket)})
	d := manager.NewDownloader(a.s3)
	d.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	item, _ := attributevalue.MarshalMap(x)
	ps := s3.NewPresignClient(a.s3)
	ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	return nil
}
"#;

#[test]
fn go_paginators_waiters_and_transfer_manager() {
    let f = facts("app.go", GO_HELPERS);
    let bucket = || ("Bucket", env("BUCKET"));
    check(
        &f,
        SdkKind::Go,
        &[
            (
                "s3",
                "ListObjectsV2",
                CallStyle::Paginator,
                vec![bucket(), ("Prefix", s("raw/"))],
            ),
            (
                "s3",
                "ObjectExists",
                CallStyle::Waiter,
                vec![bucket(), ("Key", s("done"))],
            ),
            (
                "manager",
                "Upload",
                CallStyle::Direct,
                vec![
                    bucket(),
                    (
                        "Key",
                        Arg::Concat(vec![s("out/"), Arg::Unknown, s(".json")]),
                    ),
                    ("Body", Arg::Unknown),
                ],
            ),
            ("manager", "Upload", CallStyle::Direct, vec![bucket()]),
            (
                "manager",
                "Download",
                CallStyle::Direct,
                vec![bucket(), ("Key", s("k"))],
            ),
            (
                "s3",
                "GetObject",
                CallStyle::Direct,
                vec![bucket(), ("Key", s("k"))],
            ),
        ],
    );
    // Paginators and waiters are located where the request goes out.
    assert_eq!(lines(GO_HELPERS, &f), vec![26, 29, 31, 32, 34, 37]);
}

const GO_V1: &str = r#"package main

import (
	"os"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/dynamodb"
	"github.com/aws/aws-sdk-go/service/dynamodb/dynamodbiface"
	"github.com/aws/aws-sdk-go/service/s3/s3manager"
)

const tableVar = "TABLE"

type handler struct {
	db dynamodbiface.DynamoDBAPI
}

type Store interface {
	Query(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error)
}

func (h *handler) get(ctx context.Context, st Store) {
	h.db.GetItemWithContext(ctx, &dynamodb.GetItemInput{TableName: aws.String(os.Getenv(tableVar))})
	svc := dynamodb.New(session.Must(session.NewSession()))
	svc.ScanPages(&dynamodb.ScanInput{TableName: aws.String("t")}, fn)
	st.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("q")})
	st.Other(ctx, &dynamodb.QueryInput{})
	up := s3manager.NewUploader(sess)
	up.Upload(&s3manager.UploadInput{Bucket: aws.String("b")})
}
"#;

#[test]
fn go_v1_interfaces_pages_and_request_literals() {
    let f = facts("main.go", GO_V1);
    check(
        &f,
        SdkKind::Go,
        &[
            (
                "dynamodb",
                "GetItem",
                CallStyle::Direct,
                vec![("TableName", env("TABLE"))],
            ),
            (
                "dynamodb",
                "Scan",
                CallStyle::Paginator,
                vec![("TableName", s("t"))],
            ),
            (
                "dynamodb",
                "Query",
                CallStyle::Direct,
                vec![("TableName", s("q"))],
            ),
            (
                "manager",
                "Upload",
                CallStyle::Direct,
                vec![("Bucket", s("b"))],
            ),
        ],
    );
    assert_eq!(env_names(&f), vec!["TABLE"]);
}

const JAVA_CLIENT: &str = r#"package com.example;

import com.example.util.Json;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.*;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.s3.waiters.S3Waiter;

public class App implements RequestHandler<Map<String, String>, String> {
    private static final String TABLE = System.getenv("TABLE_NAME");
    private static final String PREFIX = "in/";
    private final DynamoDbClient ddb = DynamoDbClient.builder().region(Region.US_EAST_1).build();
    private final S3Client s3;

    public App() {
        this.s3 = S3Client.create();
    }

    public String handleRequest(Map<String, String> event, Context context) {
        String bucket = System.getenv().get("BUCKET");
        PutItemRequest put = PutItemRequest.builder().tableName(TABLE).item(item).build();
        ddb.putItem(put);
        s3.getObject(GetObjectRequest.builder().bucket(bucket).key(PREFIX + event.get("k")).build());
        s3.deleteObject(b -> b.bucket(bucket).key("tmp"));
        for (var page : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(PREFIX))) {
            Helper.use(page);
        }
        s3.waiter().waitUntilObjectExists(HeadObjectRequest.builder().bucket(bucket).key("done").build());
        S3Waiter w = s3.waiter();
        w.waitUntilBucketExists(b -> b.bucket(bucket));
        SqsClient sqs = SqsClient.builder().build();
        sqs.sendMessage(m -> m.queueUrl(System.getenv().getOrDefault("QUEUE_URL", "")).messageBody("x"));
        s3.close();
        return Json.write(event);
    }
}
"#;

#[test]
fn java_clients_builders_consumers_paginators_waiters() {
    let f = facts("src/main/java/com/example/App.java", JAVA_CLIENT);
    let bucket = || ("Bucket", env("BUCKET"));
    check(
        &f,
        SdkKind::Java,
        &[
            (
                "dynamodb",
                "putItem",
                CallStyle::Direct,
                vec![("TableName", env("TABLE_NAME")), ("Item", Arg::Unknown)],
            ),
            (
                "s3",
                "getObject",
                CallStyle::Direct,
                vec![bucket(), ("Key", Arg::Concat(vec![s("in/"), Arg::Unknown]))],
            ),
            (
                "s3",
                "deleteObject",
                CallStyle::Direct,
                vec![bucket(), ("Key", s("tmp"))],
            ),
            (
                "s3",
                "listObjectsV2",
                CallStyle::Paginator,
                vec![bucket(), ("Prefix", s("in/"))],
            ),
            (
                "s3",
                "ObjectExists",
                CallStyle::Waiter,
                vec![bucket(), ("Key", s("done"))],
            ),
            ("s3", "BucketExists", CallStyle::Waiter, vec![bucket()]),
            (
                "sqs",
                "sendMessage",
                CallStyle::Direct,
                vec![("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))],
            ),
        ],
    );
    assert_eq!(lines(JAVA_CLIENT, &f), vec![24, 25, 26, 27, 30, 32, 34]);
    assert_eq!(env_names(&f), vec!["TABLE_NAME", "BUCKET", "QUEUE_URL"]);
    let imports = imports(&f);
    assert!(imports.contains(&"com.example.util.Json"), "{imports:?}");
    assert!(imports.contains(&".Helper"), "{imports:?}");
    assert!(
        !imports.iter().any(|i| i.starts_with("software.")),
        "{imports:?}"
    );
}

const JAVA_ENHANCED: &str = r#"package com.example;

import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.UploadFileRequest;

public class Orders {
    private final DynamoDbEnhancedClient enhanced = DynamoDbEnhancedClient.create();
    private final DynamoDbTable<Order> table =
        enhanced.table(System.getenv("ORDERS_TABLE"), TableSchema.fromBean(Order.class));
    private final S3TransferManager tm = S3TransferManager.create();

    void save(Order o, DynamoDbTable<Order> other) {
        table.putItem(o);
        table.index("byCustomer").query(q);
        Order got = table.getItem(Key.builder().partitionValue("1").build());
        other.deleteItem(o);
        enhanced.batchWriteItem(r -> r.addWriteBatch(WriteBatch.builder(Order.class).mappedTableResource(table).addPutItem(o).build()));
        tm.uploadFile(UploadFileRequest.builder()
            .putObjectRequest(b -> b.bucket(System.getenv("BUCKET")).key("orders/" + o.id()))
            .source(path)
            .build());
        tm.copy(c -> c.copyObjectRequest(r -> r.sourceBucket("a").destinationBucket("b")));
    }
}
"#;

#[test]
fn java_enhanced_dynamodb_and_transfer_manager() {
    let f = facts("Orders.java", JAVA_ENHANCED);
    let table = || ("TableName", env("ORDERS_TABLE"));
    check(
        &f,
        SdkKind::Java,
        &[
            (
                "dynamodb-enhanced",
                "putItem",
                CallStyle::Direct,
                vec![table()],
            ),
            (
                "dynamodb-enhanced",
                "query",
                CallStyle::Direct,
                vec![table()],
            ),
            (
                "dynamodb-enhanced",
                "getItem",
                CallStyle::Direct,
                vec![table()],
            ),
            (
                "dynamodb-enhanced",
                "deleteItem",
                CallStyle::Direct,
                vec![("TableName", Arg::Unknown)],
            ),
            (
                "dynamodb-enhanced",
                "batchWriteItem",
                CallStyle::Direct,
                vec![table()],
            ),
            (
                "s3-transfer-manager",
                "uploadFile",
                CallStyle::Direct,
                vec![
                    ("Bucket", env("BUCKET")),
                    ("Key", Arg::Concat(vec![s("orders/"), Arg::Unknown])),
                    ("Source", Arg::Unknown),
                ],
            ),
            (
                "s3-transfer-manager",
                "copy",
                CallStyle::Direct,
                vec![("SourceBucket", s("a")), ("DestinationBucket", s("b"))],
            ),
        ],
    );
}

#[test]
fn emitted_calls_resolve_in_the_knowledge_base() {
    let sdk = rolefit::data::sdk();
    for src in [
        ("a.go", GO_V2),
        ("b.go", GO_HELPERS),
        ("c.go", GO_V1),
        ("A.java", JAVA_CLIENT),
        ("B.java", JAVA_ENHANCED),
    ] {
        for c in facts(src.0, src.1).calls {
            let found = match c.style {
                CallStyle::Paginator => sdk.resolve_paginator(c.sdk, &c.service, &c.method),
                CallStyle::Waiter => sdk.resolve_waiter(c.sdk, &c.service, &c.method),
                _ => sdk.resolve(c.sdk, &c.service, &c.method),
            };
            assert!(
                found.is_some_and(|r| !r.actions.is_empty()),
                "{} {} {}",
                src.0,
                c.service,
                c.method
            );
        }
    }
}

#[test]
fn handlers_and_imports() {
    assert_eq!(
        handler_candidates(
            "OrderFunction",
            "com.example.App::handleRequest",
            Some("java21")
        )[0],
        "OrderFunction/src/main/java/com/example/App.java"
    );
    assert!(
        handler_candidates("fn/", "com.example.App", Some("java17"))
            .contains(&"fn/com/example/App.java".to_string())
    );
    assert!(
        handler_candidates("fn", "com.example.App$Inner::handle", None)
            .contains(&"fn/src/main/java/com/example/App.java".to_string())
    );
    assert!(handler_candidates("fn", "bootstrap", Some("provided.al2023")).is_empty());
    let files = [
        "fn/main.go",
        "fn/db.go",
        "fn/main_test.go",
        "fn/sub/x.go",
        "fn/README.md",
        "other/main.go",
    ];
    assert_eq!(
        go_package_files("fn/", files.iter().copied()),
        vec!["fn/main.go", "fn/db.go"]
    );
    assert_eq!(
        go_module_path("// x\nmodule example.com/orders\n\ngo 1.22\n"),
        Some("example.com/orders")
    );
    assert_eq!(go_module_path("go 1.22\n"), None);
    let java = local_import_candidates(
        Lang::Java,
        "fn/src/main/java/com/example/App.java",
        "com.example.util.Json",
        "fn",
    );
    assert!(java.contains(&"fn/src/main/java/com/example/util/Json.java".to_string()));
    assert_eq!(
        local_import_candidates(Lang::Java, "fn/a/App.java", ".Helper", "fn"),
        vec!["fn/a/Helper.java"]
    );
    assert!(local_import_candidates(Lang::Go, "fn/main.go", "example.com/x/y", "fn").is_empty());
    assert_eq!(Lang::from_path("a/main.go"), Some(Lang::Go));
    assert_eq!(Lang::from_path("A.java"), Some(Lang::Java));
}

#[test]
fn broken_code_does_not_panic() {
    for (path, src) in [
        (
            "x.go",
            "package main\nfunc f( { s3.NewFromConfig(\n&s3.GetObjectInput{Bucket: ",
        ),
        (
            "X.java",
            "class X { void f() { s3.getObject(b -> b.bucket( } ",
        ),
        ("y.go", ""),
        ("Y.java", "import ;"),
    ] {
        let _ = facts(path, src);
    }
}

#[test]
fn values_callers_pass_reach_parameters() {
    let java = r#"package com.example;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
class P {
    private final SqsClient sqs = SqsClient.create();
    String handle(String body) {
        send(body, System.getenv("QUEUE_URL"));
        return this.other("a");
    }
    private void send(String body, String queueUrl) {
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(body).build());
    }
    String other(String queueUrl) {
        other("b");
        sqs.sendMessage(b -> b.queueUrl(queueUrl));
        return "";
    }
}
"#;
    check(
        &facts("P.java", java),
        SdkKind::Java,
        &[
            (
                "sqs",
                "sendMessage",
                CallStyle::Direct,
                vec![
                    ("QueueUrl", env("QUEUE_URL")),
                    ("MessageBody", Arg::Unknown),
                ],
            ),
            // Callers disagree ("a", "b"): unknown, and not the earlier method's value.
            (
                "sqs",
                "sendMessage",
                CallStyle::Direct,
                vec![("QueueUrl", Arg::Unknown)],
            ),
        ],
    );
    let go = r#"package main
import (
	"context"
	"os"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)
var client *sns.Client
func handle(ctx context.Context) error {
	return publish(ctx, os.Getenv("TOPIC_ARN"), "hello")
}
func publish(ctx context.Context, topic, msg string) error {
	_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: &msg})
	return err
}
"#;
    check(
        &facts("p.go", go),
        SdkKind::Go,
        &[(
            "sns",
            "Publish",
            CallStyle::Direct,
            vec![("TopicArn", env("TOPIC_ARN")), ("Message", s("hello"))],
        )],
    );
}

#[test]
fn clients_returned_by_local_factories() {
    let java = r#"package com.example;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
public class App {
    private static S3Client s3() { return S3Client.builder().build(); }
    Object ddb() { return DynamoDbClient.create(); }
    public void handleRequest() {
        s3().listBuckets();
        var d = this.ddb();
        d.getItem(r -> r.tableName("t"));
    }
}
"#;
    let f = facts("App.java", java);
    check(
        &f,
        SdkKind::Java,
        &[
            ("s3", "listBuckets", CallStyle::Direct, vec![]),
            (
                "dynamodb",
                "getItem",
                CallStyle::Direct,
                vec![("TableName", s("t"))],
            ),
        ],
    );
    let names: Vec<&str> = f.factories.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, vec!["ddb", "s3"]);
    // Another class's static factory, known from the file defining it.
    let user = r#"package com.example;
class Job {
    void run() { Clients.s3().deleteBucket(b -> b.bucket("x")); }
}
"#;
    let imported = [Factory {
        name: "s3".into(),
        made: Made::Service("s3".into()),
        resource: false,
    }];
    let file = SourceFile::new(FileId(0), "Job.java", user);
    let f = extract_with(&file, Lang::Java, &imported).unwrap();
    check(
        &f,
        SdkKind::Java,
        &[(
            "s3",
            "deleteBucket",
            CallStyle::Direct,
            vec![("Bucket", s("x"))],
        )],
    );
    assert!(facts("Job.java", user).calls.is_empty());

    let go = r#"package main
import (
	"context"
	"example.com/app/awsx"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)
func newS3(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	return s3.NewFromConfig(cfg), err
}
func handle(ctx context.Context) {
	c, _ := newS3(ctx)
	c.ListBuckets(ctx, nil)
	q := awsx.Queue(ctx)
	in := &sqs.PurgeQueueInput{}
	q.PurgeQueue(ctx, in)
}
"#;
    let f = facts("main.go", go);
    check(
        &f,
        SdkKind::Go,
        &[("s3", "ListBuckets", CallStyle::Direct, vec![])],
    );
    assert_eq!(
        f.factories,
        vec![Factory {
            name: "newS3".into(),
            made: Made::Service("s3".into()),
            resource: false,
        }]
    );
    // `awsx.Queue` of a local package, known from the package's files.
    let imported = [Factory {
        name: "Queue".into(),
        made: Made::Service("sqs".into()),
        resource: false,
    }];
    let file = SourceFile::new(FileId(0), "main.go", go);
    let f = extract_with(&file, Lang::Go, &imported).unwrap();
    check(
        &f,
        SdkKind::Go,
        &[
            ("s3", "ListBuckets", CallStyle::Direct, vec![]),
            ("sqs", "PurgeQueue", CallStyle::Direct, vec![]),
        ],
    );
}

#[test]
fn java_rds_utilities_token_is_rds_db_connect() {
    let f = facts(
        "src/main/java/App.java",
        r#"
import software.amazon.awssdk.services.rds.RdsUtilities;
import software.amazon.awssdk.services.rds.model.GenerateAuthenticationTokenRequest;

public class App {
    public String token() {
        RdsUtilities utilities = RdsUtilities.builder().build();
        return utilities.generateAuthenticationToken(GenerateAuthenticationTokenRequest.builder()
            .hostname(System.getenv("DB_HOST")).port(5432).username("app").build());
    }
}
"#,
    );
    check(
        &f,
        SdkKind::Java,
        &[(
            "rds-db",
            "connect",
            CallStyle::Action,
            vec![
                ("DBHostname", env("DB_HOST")),
                ("Port", Arg::Unknown),
                ("DBUsername", s("app")),
            ],
        )],
    );
}

#[test]
fn java_token_generators_durable_invoke_and_nested_structures() {
    let f = facts(
        "src/main/java/App.java",
        r#"
import com.amazonaws.services.rds.auth.GetIamAuthTokenRequest;
import com.amazonaws.services.rds.auth.RdsIamAuthTokenGenerator;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.*;
import software.amazon.lambda.durable.DurableContext;

public class App {
    private final RdsClient rds = RdsClient.create();
    private final EventBridgeClient events = EventBridgeClient.create();

    public String handleRequest(String in, DurableContext context) {
        RdsIamAuthTokenGenerator gen = RdsIamAuthTokenGenerator.builder().region("us-east-1").build();
        gen.getAuthToken(GetIamAuthTokenRequest.builder().hostname("db.example.com").port(5432).userName("v1user").build());
        rds.utilities().generateAuthenticationToken(b -> b.hostname(System.getenv("DB_HOST")).username("v2user"));
        context.invoke("pay", System.getenv("PAY_FN"), in, String.class);
        Target target = Target.builder().id("t").roleArn(System.getenv("ROLE")).build();
        events.putTargets(PutTargetsRequest.builder().rule("r").targets(target).build());
        String name = System.getenv("NAME");
        return name + context.getFunctionName();
    }
}
"#,
    );
    check(
        &f,
        SdkKind::Java,
        &[
            (
                "rds-db",
                "connect",
                CallStyle::Action,
                vec![
                    ("DBHostname", s("db.example.com")),
                    ("Port", Arg::Unknown),
                    ("DBUsername", s("v1user")),
                ],
            ),
            (
                "rds-db",
                "connect",
                CallStyle::Action,
                vec![("DBHostname", env("DB_HOST")), ("DBUsername", s("v2user"))],
            ),
            (
                "lambda",
                "InvokeFunction",
                CallStyle::Action,
                vec![("FunctionName", env("PAY_FN"))],
            ),
            (
                "eventbridge",
                "putTargets",
                CallStyle::Direct,
                vec![
                    ("Rule", s("r")),
                    ("Targets[].Id", s("t")),
                    ("Targets[].RoleArn", env("ROLE")),
                    ("Targets", Arg::Unknown),
                ],
            ),
        ],
    );
}

#[test]
fn go_token_builders_signed_search_nested_structures_and_own_name() {
    let f = facts(
        "main.go",
        r#"package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/opensearch-project/opensearch-go/v2"
	"github.com/opensearch-project/opensearch-go/v2/opensearchapi"
	"github.com/opensearch-project/opensearch-go/v2/signer/awsv2"
)

func handler(ctx context.Context, cfg aws.Config) {
	auth.BuildAuthToken(ctx, os.Getenv("DB"), "us-east-1", "app", cfg.Credentials)
	signer, _ := awsv2.NewSignerWithService(cfg, "aoss")
	search, _ := opensearch.NewClient(opensearch.Config{Addresses: []string{"https://abc.us-east-1.aoss.amazonaws.com"}, Signer: signer})
	search.Indices.Create("orders")
	req := opensearchapi.IndexRequest{Index: "orders"}
	req.Do(ctx, search)
	opensearchapi.IndicesDeleteRequest{Index: []string{"old"}}.Do(ctx, search)
	sched := scheduler.NewFromConfig(cfg)
	sched.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("n"), Target: &types.Target{RoleArn: aws.String(os.Getenv("ROLE"))}})
	fn := lambda.NewFromConfig(cfg)
	fn.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(lambdacontext.FunctionName)})
}
"#,
    );
    check(
        &f,
        SdkKind::Go,
        &[
            (
                "rds-db",
                "connect",
                CallStyle::Action,
                vec![
                    ("DBHostname", env("DB")),
                    ("Region", s("us-east-1")),
                    ("DBUsername", s("app")),
                ],
            ),
            (
                "aoss",
                "APIAccessAll",
                CallStyle::Action,
                vec![("Endpoint", s("https://abc.us-east-1.aoss.amazonaws.com"))],
            ),
            (
                "aoss",
                "APIAccessAll",
                CallStyle::Action,
                vec![("Endpoint", s("https://abc.us-east-1.aoss.amazonaws.com"))],
            ),
            (
                "aoss",
                "APIAccessAll",
                CallStyle::Action,
                vec![("Endpoint", s("https://abc.us-east-1.aoss.amazonaws.com"))],
            ),
            (
                "scheduler",
                "CreateSchedule",
                CallStyle::Direct,
                vec![
                    ("Name", s("n")),
                    ("Target.RoleArn", env("ROLE")),
                    ("Target", Arg::Unknown),
                ],
            ),
            (
                "lambda",
                "Invoke",
                CallStyle::Direct,
                vec![("FunctionName", env("AWS_LAMBDA_FUNCTION_NAME"))],
            ),
        ],
    );
}

#[test]
fn go_opensearch_requests_sent_with_do() {
    let f = facts(
        "main.go",
        r#"package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/opensearch-project/opensearch-go/v2"
	"github.com/opensearch-project/opensearch-go/v2/opensearchapi"
	requestsigner "github.com/opensearch-project/opensearch-go/v2/signer/awsv2"
)

func handler(ctx context.Context, cfg aws.Config) {
	signer, _ := requestsigner.NewSigner(cfg)
	client, _ := opensearch.NewClient(opensearch.Config{Addresses: []string{"https://search-logs-x1.eu-west-1.es.amazonaws.com"}, Signer: signer})
	req := opensearchapi.SearchRequest{Index: []string{"logs"}}
	req.Do(ctx, client)
	opensearchapi.IndicesDeleteRequest{Index: []string{"old"}}.Do(ctx, client)
	plain, _ := opensearch.NewDefaultClient()
	opensearchapi.IndicesDeleteRequest{Index: []string{"old"}}.Do(ctx, plain)
}
"#,
    );
    let endpoint = || {
        vec![(
            "Endpoint",
            s("https://search-logs-x1.eu-west-1.es.amazonaws.com"),
        )]
    };
    check(
        &f,
        SdkKind::Go,
        &[
            ("es", "ESHttpGet", CallStyle::Action, endpoint()),
            ("es", "ESHttpPost", CallStyle::Action, endpoint()),
            ("es", "ESHttpDelete", CallStyle::Action, endpoint()),
        ],
    );
}
