//! Evaluations per second on a realistic Lambda role: 5 policies, 40 statements, mixed
//! wildcards and conditions. Run with `cargo bench --bench iam_eval`.

use std::hint::black_box;
use std::time::Instant;

use rolefit::iam::{Policy, PolicySet, Request, evaluate, parse_policy_json};
use rolefit::source::Span;

fn policy(i: usize) -> Policy {
    let services = [
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "logs",
        "kms",
        "ssm",
        "secretsmanager",
    ];
    let mut stmts = Vec::new();
    for (j, svc) in services.iter().enumerate() {
        let n = i * 8 + j;
        let stmt = match j % 4 {
            0 => serde_json::json!({
                "Sid": format!("S{n}"), "Effect": "Allow",
                "Action": [format!("{svc}:Get*"), format!("{svc}:List*"), format!("{svc}:Describe*")],
                "Resource": format!("arn:aws:{svc}:*:111122223333:res{n}/*"),
            }),
            1 => serde_json::json!({
                "Effect": "Allow",
                "Action": [format!("{svc}:PutItem"), format!("{svc}:UpdateItem")],
                "Resource": [format!("arn:aws:{svc}:${{AWS::Region}}:${{AWS::AccountId}}:table/${{T{n}}}"),
                             format!("arn:aws:{svc}:us-east-1:111122223333:table/t{n}")],
            }),
            2 => serde_json::json!({
                "Effect": "Allow", "Action": format!("{svc}:*"),
                "Resource": format!("arn:aws:{svc}:us-east-1:111122223333:thing{n}"),
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                              "Bool": {"aws:SecureTransport": "true"}},
            }),
            _ => serde_json::json!({
                "Effect": "Deny", "Action": format!("{svc}:Delete*"), "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
            }),
        };
        stmts.push(stmt);
    }
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": stmts});
    parse_policy_json(&doc.to_string(), Span::default()).0
}

fn main() {
    let policies: Vec<Policy> = (0..5).map(policy).collect();
    let set = PolicySet {
        identity: policies.iter().collect(),
        ..PolicySet::default()
    };
    let role = "arn:aws:iam::111122223333:role/app";
    let requests = [
        Request::new(role, "s3:GetObject", "arn:aws:s3:*:111122223333:res0/key"),
        Request::new(
            role,
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111122223333:q",
        ),
        Request::new(
            role,
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:111122223333:table/t9",
        ),
        Request::new(
            role,
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/k",
        )
        .with_context("aws:RequestedRegion", &["us-east-1"])
        .with_context("aws:SecureTransport", &["true"]),
    ];
    let n: u64 = 2_000_000;
    let cpu_start = cpu_ns();
    let start = Instant::now();
    let mut allowed = 0u64;
    for i in 0..n {
        let r = &requests[(i % 4) as usize];
        if evaluate(black_box(&set), black_box(r)).is_allowed() {
            allowed += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "iam_eval: {n} evaluations in {secs:.3}s wall = {:.0} evaluations/s ({allowed} allowed)",
        n as f64 / secs
    );
    // On a shared machine wall time includes waiting for a core; CPU time does not.
    if let (Some(a), Some(b)) = (cpu_start, cpu_ns()) {
        let cpu = (b - a) as f64 / 1e9;
        println!(
            "iam_eval: {cpu:.3}s on CPU = {:.0} evaluations per CPU second",
            n as f64 / cpu
        );
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`), when available.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
