//! Java as teams build it: SDK for Java 1.x clients and `DynamoDBMapper` beside 2.x, request
//! entries flattened into the call, and which methods call which (what one handler reaches).

// Test inputs are fixed snippets: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rolefit::model::{Arg, CodeFacts, MAPPED_CLASS};
use rolefit::parse::code::{Lang, extract};
use rolefit::source::{FileId, SourceFile};

fn facts(path: &str, src: &str) -> CodeFacts {
    let lang = Lang::from_path(path).unwrap();
    extract(&SourceFile::new(FileId(0), path, src), lang).unwrap()
}

/// One call: (service, method, request members).
type Call = (String, String, Vec<(String, Arg)>);

fn calls(f: &CodeFacts) -> Vec<Call> {
    f.calls
        .iter()
        .map(|c| (c.service.clone(), c.method.clone(), c.args.clone()))
        .collect()
}

fn s(v: &str) -> Arg {
    Arg::Str(v.to_string())
}

fn pair(k: &str, v: Arg) -> (String, Arg) {
    (k.to_string(), v)
}

const V1: &str = r#"
package com.example;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBMapper;
import com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBMapperConfig;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.GeneratePresignedUrlRequest;
import com.amazonaws.services.sqs.AmazonSQS;
import com.amazonaws.services.sqs.AmazonSQSClientBuilder;
import com.amazonaws.services.sqs.model.SendMessageRequest;
import com.amazonaws.services.sns.AmazonSNS;
import com.amazonaws.services.sns.AmazonSNSClientBuilder;
import com.amazonaws.HttpMethod;

public class Jobs {
    private final AmazonDynamoDB db = AmazonDynamoDBClientBuilder.standard().withRegion("eu-west-1").build();
    private final DynamoDBMapper mapper = new DynamoDBMapper(db);
    private final AmazonS3 s3 = AmazonS3ClientBuilder.defaultClient();
    private final AmazonSQS sqs = AmazonSQSClientBuilder.defaultClient();
    private final AmazonSNS sns = AmazonSNSClientBuilder.standard().build();

    public void run(Job job) {
        mapper.save(job);
        mapper.save(job, DynamoDBMapperConfig.SaveBehavior.CLOBBER.config());
        mapper.load(Job.class, "id");
        mapper.query(Other.class, null);
        s3.getObjectAsString("bucket", "k");
        s3.generatePresignedUrl("bucket", "up", null, HttpMethod.PUT);
        s3.generatePresignedUrl(new GeneratePresignedUrlRequest("bucket", "in").withMethod(HttpMethod.PUT));
        s3.shutdown();
        sqs.sendMessage(new SendMessageRequest().withQueueUrl("q").withMessageBody("b"));
        sqs.sendMessage(new SendMessageRequest("q2", "b"));
        sns.publish("arn:aws:sns:eu-west-1:123456789012:t", "m");
        db.putItem("tbl", null);
    }
}

@DynamoDBTable(tableName = "Jobs")
class Job {}
"#;

#[test]
fn sdk_v1_clients_requests_and_mapper() {
    let f = facts("Jobs.java", V1);
    let mapped = |c: &str| vec![pair(MAPPED_CLASS, s(c))];
    assert_eq!(
        calls(&f),
        vec![
            ("dynamodb".into(), "updateItem".into(), mapped("Job")),
            ("dynamodb".into(), "putItem".into(), mapped("Job")),
            ("dynamodb".into(), "getItem".into(), mapped("Job")),
            ("dynamodb".into(), "query".into(), mapped("Other")),
            (
                "s3".into(),
                "getObject".into(),
                vec![pair("Bucket", s("bucket")), pair("Key", s("k"))]
            ),
            (
                "s3".into(),
                "putObject".into(),
                vec![pair("Bucket", s("bucket")), pair("Key", s("up"))]
            ),
            (
                "s3".into(),
                "putObject".into(),
                vec![pair("Bucket", s("bucket")), pair("Key", s("in"))]
            ),
            (
                "sqs".into(),
                "sendMessage".into(),
                vec![pair("QueueUrl", s("q")), pair("MessageBody", s("b"))]
            ),
            (
                "sqs".into(),
                "sendMessage".into(),
                vec![pair("QueueUrl", s("q2"))]
            ),
            (
                "sns".into(),
                "publish".into(),
                vec![pair("TopicArn", s("arn:aws:sns:eu-west-1:123456789012:t"))]
            ),
            (
                "dynamodb".into(),
                "putItem".into(),
                vec![pair("TableName", s("tbl"))]
            ),
        ]
    );
    assert_eq!(f.mapped_tables, vec![("Job".to_string(), s("Jobs"))]);
    let sdk = rolefit::data::sdk();
    for c in &f.calls {
        assert!(
            sdk.resolve(c.sdk, &c.service, &c.method)
                .is_some_and(|r| !r.actions.is_empty()),
            "{} {}",
            c.service,
            c.method
        );
    }
}

const ENTRIES: &str = r#"
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;

class Emit {
    EventBridgeClient events;
    void emit() {
        PutEventsRequestEntry e = PutEventsRequestEntry.builder().eventBusName("orders").build();
        events.putEvents(PutEventsRequest.builder().entries(e).build());
        events.putEvents(r -> r.entries(java.util.List.of(e)));
        events.putEvents(PutEventsRequest.builder().entries(List.of(PutEventsRequestEntry.builder().eventBusName("b2").build())).build());
    }
}
"#;

#[test]
fn request_entries_lend_their_members() {
    let f = facts("Emit.java", ENTRIES);
    let got: Vec<Vec<(String, Arg)>> = f.calls.iter().map(|c| c.args.clone()).collect();
    assert_eq!(
        got,
        vec![
            vec![pair("EventBusName", s("orders"))],
            // `java.util.List.of` is not the bare `List.of`: the list is an unknown value.
            vec![pair("Entries", Arg::Unknown)],
            vec![pair("EventBusName", s("b2"))],
        ]
    );
}

const TWO_HANDLERS: &str = r#"
package com.example;

public class Api {
    private final Store store = Store.open();

    public String create(String in) { save(in); return "ok"; }
    public String list(String in) { return this.render(store.all()); }
    private void save(String in) { store.put(in); }
    private String render(Object o) { Runnable r = this::save2; return ""; }
    private void save2() {}
    public Api() { init(); }
    private void init() {}
}
"#;

#[test]
fn method_calls_are_recorded_by_caller() {
    let f = facts("src/main/java/com/example/Api.java", TWO_HANDLERS);
    let edges: Vec<(&str, &str)> = f
        .local_calls
        .iter()
        .map(|c| (c.caller.as_str(), c.callee.as_str()))
        .collect();
    assert_eq!(
        edges,
        vec![
            ("", "Store::open"),
            ("com.example.Api::create", "com.example.Api::save"),
            ("com.example.Api::list", "::all"),
            ("com.example.Api::list", "com.example.Api::render"),
            ("com.example.Api::save", "::put"),
            ("com.example.Api::render", "com.example.Api::save2"),
            ("", "com.example.Api::init"),
        ]
    );
}
