//! The trigger graph read directly: the loops that writes make (and their hops, each a write
//! that triggers a function), on small SAM apps written to a temporary folder and audited end
//! to end.

use std::collections::BTreeSet;
use std::fs;

use rolefit::analysis::{Origin, TriggerEdge, TriggerGraph, TriggerNode};
use rolefit::app::Audit;

/// Audits a SAM template with Python handlers (`(file name, code)` in `src/`).
fn audit(template: &str, code: &[(&str, &str)]) -> Audit {
    let mut files = vec![("template.yaml".to_string(), template.to_string())];
    files.extend(
        code.iter()
            .map(|(n, c)| (format!("src/{n}"), c.to_string())),
    );
    audit_files(&files)
}

/// Audits a folder of `(relative path, text)` files.
fn audit_files(files: &[(String, String)]) -> Audit {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        fs::write(path, text).expect("file");
    }
    rolefit::app::audit(&[dir.path().to_path_buf()], &Default::default()).expect("audit")
}

/// Function names by index.
fn name(audit: &Audit, i: usize) -> &str {
    &audit.app.functions[i].name
}

/// The hops of the loops as (writer, action, triggered function).
fn hops(audit: &Audit) -> BTreeSet<(String, String, String)> {
    let g: &TriggerGraph = &audit.analysis.triggers;
    g.loops()
        .iter()
        .flat_map(|l| &l.hops)
        .map(|h| {
            let need = &audit.analysis.functions[h.from].needs[h.need];
            (
                name(audit, h.from).to_string(),
                need.action.clone(),
                name(audit, h.to).to_string(),
            )
        })
        .collect()
}

/// The loops as their members' names.
fn loops(audit: &Audit) -> Vec<Vec<String>> {
    audit
        .analysis
        .triggers
        .loops()
        .iter()
        .map(|l| l.functions.iter().map(|&i| name(audit, i).into()).collect())
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

fn findings(audit: &Audit) -> Vec<&str> {
    audit
        .findings
        .iter()
        .filter(|f| f.rule == "recursive-invocation")
        .map(|f| f.message.as_str())
        .collect()
}

const TWO_QUEUES: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Requests:
    Type: AWS::SQS::Queue
  Replies:
    Type: AWS::SQS::Queue
  Ask:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: ask.handler
      Runtime: python3.12
      Environment:
        Variables:
          REQUESTS_URL: !Ref Requests
      Events:
        Reply:
          Type: SQS
          Properties:
            Queue: !GetAtt Replies.Arn
  Answer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: answer.handler
      Runtime: python3.12
      Environment:
        Variables:
          REPLIES_URL: !Ref Replies
      Events:
        Request:
          Type: SQS
          Properties:
            Queue: !GetAtt Requests.Arn
"#;

fn sender(env: &str) -> String {
    format!(
        "import os\nimport boto3\n\nsqs = boto3.client(\"sqs\")\n\n\ndef handler(event, _context):\n    sqs.send_message(QueueUrl=os.environ[\"{env}\"], MessageBody=\"x\")\n"
    )
}

#[test]
fn two_functions_feeding_each_other_make_one_loop() {
    let a = audit(
        TWO_QUEUES,
        &[
            ("ask.py", &sender("REQUESTS_URL")),
            ("answer.py", &sender("REPLIES_URL")),
        ],
    );
    assert_eq!(
        hops(&a),
        set(&[
            ("Answer", "sqs:SendMessage", "Ask"),
            ("Ask", "sqs:SendMessage", "Answer"),
        ])
    );
    assert_eq!(
        loops(&a),
        vec![vec!["Answer".to_string(), "Ask".to_string()]]
    );
    // Each hop reached its function through the SQS event.
    let g = &a.analysis.triggers;
    for h in &g.loops()[0].hops {
        assert_eq!(h.kind, "SQS");
        assert!(matches!(h.origin, Origin::Event { function, .. } if function == h.to));
    }
    // One finding, on the first function by id.
    let found = findings(&a);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("the loop Answer → Ask comes back to Answer"),
        "{}",
        found[0]
    );
}

const THUMBNAILS: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Photos:
    Type: AWS::S3::Bucket
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: png.handler
      Runtime: python3.12
      Environment:
        Variables:
          PHOTOS: !Ref Photos
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: suffix
                    Value: .jpg
  Recompress:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: jpg.handler
      Runtime: python3.12
      Environment:
        Variables:
          PHOTOS: !Ref Photos
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Photos
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - Name: suffix
                    Value: .jpg
"#;

fn writer(key: &str) -> String {
    format!(
        "import os\nimport boto3\n\ns3 = boto3.client(\"s3\")\n\n\ndef handler(event, _context):\n    key = event[\"Records\"][0][\"s3\"][\"object\"][\"key\"]\n    s3.put_object(Bucket=os.environ[\"PHOTOS\"], Key=f\"{key}\", Body=b\"\")\n"
    )
}

#[test]
fn a_suffix_filter_that_excludes_the_written_keys_breaks_the_self_trigger() {
    let a = audit(
        THUMBNAILS,
        &[
            ("png.py", &writer("thumbs/{key}.png")),
            ("jpg.py", &writer("small/{key}.jpg")),
        ],
    );
    // Thumbnail writes .png keys, which the `.jpg` suffix filters out: it triggers nothing.
    // Recompress writes .jpg keys, which both functions hear, Recompress itself included.
    assert_eq!(
        hops(&a),
        set(&[("Recompress", "s3:PutObject", "Recompress")])
    );
    assert_eq!(loops(&a), vec![vec!["Recompress".to_string()]]);
    // The graph keeps what the loop goes through: Recompress, the bucket, and its two edges.
    let g = a.analysis.triggers.graph();
    assert_eq!((g.node_count(), g.edge_count()), (2, 2));
    let found = findings(&a);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("which triggers Recompress again (S3)"));
    // The graph's write edge of Thumbnail is drawn, but not as part of a cycle.
    let graph = rolefit::analysis::PermissionGraph::build(&a.app, &a.code, &a.analysis, &a.sources);
    let mermaid = graph.to_mermaid();
    let edge = |label: &str| {
        mermaid
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label} not drawn:\n{mermaid}"))
            .to_string()
    };
    assert!(edge("s3:PutObject (thumbs/*.png)").contains("-->"));
    assert!(edge("s3:PutObject (small/*.jpg)").contains("==>"));
}

const FAN_OUT: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SNS::Topic
  Archive:
    Type: AWS::S3::Bucket
  Ledger:
    Type: AWS::SQS::Queue
  Checkout:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: checkout.handler
      Runtime: python3.12
      Environment:
        Variables:
          ORDERS: !Ref Orders
      Events:
        Placed:
          Type: SQS
          Properties:
            Queue: !GetAtt Ledger.Arn
  Archiver:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: archiver.handler
      Runtime: python3.12
      Environment:
        Variables:
          ARCHIVE: !Ref Archive
      Events:
        Order:
          Type: SNS
          Properties:
            Topic: !Ref Orders
  Mailer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: mailer.handler
      Runtime: python3.12
      Events:
        Order:
          Type: SNS
          Properties:
            Topic: !Ref Orders
"#;

const PUBLISH: &str = "import os\nimport boto3\n\nsns = boto3.client(\"sns\")\n\n\ndef handler(event, _context):\n    sns.publish(TopicArn=os.environ[\"ORDERS\"], Message=\"x\")\n";
const ARCHIVE: &str = "import os\nimport boto3\n\ns3 = boto3.client(\"s3\")\n\n\ndef handler(event, _context):\n    s3.put_object(Bucket=os.environ[\"ARCHIVE\"], Key=\"order.json\", Body=b\"\")\n";
const MAIL: &str = "def handler(event, _context):\n    return len(event[\"Records\"])\n";

#[test]
fn a_fan_out_is_no_loop() {
    let a = audit(
        FAN_OUT,
        &[
            ("checkout.py", PUBLISH),
            ("archiver.py", ARCHIVE),
            ("mailer.py", MAIL),
        ],
    );
    // The topic triggers both subscribers, and the archive bucket nothing: no way back.
    assert!(loops(&a).is_empty());
    assert!(findings(&a).is_empty());
    assert_eq!(a.analysis.triggers.graph().node_count(), 0);
    let graph = rolefit::analysis::PermissionGraph::build(&a.app, &a.code, &a.analysis, &a.sources);
    let json: serde_json::Value = serde_json::from_str(&graph.to_json()).expect("json");
    let edges = json["edges"].as_array().expect("edges");
    assert!(edges.iter().all(|e| e["cycle"] == false));
}

const SELF_INVOKE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Crawler:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: crawler
      CodeUri: src/
      Handler: crawl.handler
      Runtime: python3.12
"#;

const CRAWL: &str = "import json\nimport boto3\n\nlam = boto3.client(\"lambda\")\n\n\ndef handler(event, _context):\n    for link in event[\"links\"]:\n        lam.invoke(FunctionName=\"crawler\", InvocationType=\"Event\", Payload=json.dumps({\"links\": [link]}))\n";

#[test]
fn a_function_invoking_itself_is_a_loop_in_the_rule_and_the_graph() {
    let a = audit(SELF_INVOKE, &[("crawl.py", CRAWL)]);
    assert_eq!(
        hops(&a),
        set(&[("Crawler", "lambda:InvokeFunction", "Crawler")])
    );
    assert_eq!(
        a.analysis.triggers.loops()[0].hops[0].origin,
        Origin::Invoke(0)
    );
    // The graph: the function, its own ARN as a source, a write edge and a trigger edge.
    let g = a.analysis.triggers.graph();
    let arns: Vec<&str> = g
        .node_weights()
        .filter_map(|n| match n {
            TriggerNode::Source { arn, .. } => Some(arn.as_str()),
            TriggerNode::Function(_) => None,
        })
        .collect();
    assert_eq!(arns, [a.app.functions[0].arn.as_str()]);
    let kinds: Vec<bool> = g
        .edge_weights()
        .map(|e| matches!(e, TriggerEdge::Triggers { kind: "Invoke", .. }))
        .collect();
    assert_eq!(kinds.len(), 2);
    assert_eq!(kinds.iter().filter(|k| **k).count(), 1);
    assert_eq!(loops(&a), vec![vec!["Crawler".to_string()]]);
    let found = findings(&a);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("which triggers Crawler again (Invoke)"));
    // `rolefit graph` marks the invoke on the cycle too.
    let graph = rolefit::analysis::PermissionGraph::build(&a.app, &a.code, &a.analysis, &a.sources);
    let mermaid = graph.to_mermaid();
    let invoke = mermaid
        .lines()
        .find(|l| l.contains("lambda:InvokeFunction"))
        .unwrap_or_else(|| panic!("invoke not drawn:\n{mermaid}"));
    assert!(invoke.contains("==>"), "{invoke}");
}

/// A template with two queues and functions that each read one and send to the other:
/// `(name, queue read, queue sent to)`.
fn relays(functions: &[(&str, &str, &str)]) -> String {
    let mut t = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Queue2:\n    Type: AWS::SQS::Queue\n",
    );
    for (name, reads, sends) in functions {
        t.push_str(&format!(
            r#"  {name}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: send.handler
      Runtime: python3.12
      Environment:
        Variables:
          Q: !Ref {sends}
      Events:
        In:
          Type: SQS
          Properties:
            Queue: !GetAtt {reads}.Arn
"#
        ));
    }
    t
}

#[test]
fn logical_ids_of_two_templates_name_two_resources() {
    // `a` sends to its `Queue`, `b` reads its own `Queue`: the same `${Queue}` text, two queues.
    // And back through `Queue2`. No loop, and `rolefit graph` marks no cycle either.
    let send = sender("Q");
    let a = audit_files(&[
        (
            "a/template.yaml".into(),
            relays(&[("Left", "Queue2", "Queue")]),
        ),
        ("a/src/send.py".into(), send.clone()),
        (
            "b/template.yaml".into(),
            relays(&[("Right", "Queue", "Queue2")]),
        ),
        ("b/src/send.py".into(), send.clone()),
    ]);
    assert!(hops(&a).is_empty(), "{:?}", hops(&a));
    assert!(loops(&a).is_empty());
    let graph = rolefit::analysis::PermissionGraph::build(&a.app, &a.code, &a.analysis, &a.sources);
    let json: serde_json::Value = serde_json::from_str(&graph.to_json()).expect("json");
    let edges = json["edges"].as_array().expect("edges");
    assert!(edges.iter().all(|e| e["cycle"] == false));
    // The same two functions in one template do make a loop, and the graph marks it.
    let one = relays(&[("Left", "Queue2", "Queue"), ("Right", "Queue", "Queue2")]);
    let one = audit(&one, &[("send.py", &send)]);
    assert_eq!(
        loops(&one),
        vec![vec!["Left".to_string(), "Right".to_string()]]
    );
    let graph =
        rolefit::analysis::PermissionGraph::build(&one.app, &one.code, &one.analysis, &one.sources);
    let json: serde_json::Value = serde_json::from_str(&graph.to_json()).expect("json");
    let on_cycle = json["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["cycle"] == true)
        .count();
    // Per function: its send, the queue's emits and the trigger's invokes.
    assert_eq!(on_cycle, 6);
}
