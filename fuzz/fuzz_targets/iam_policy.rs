//! Feeds arbitrary bytes to the IAM parsers and matchers: as JSON policy text (then evaluates
//! a request against it), and split into ARN / pattern / text strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::iam::{
    PolicySet, Request, Requirement, action_matches, arn::Arn, coverage, escalations, evaluate,
    parse_policy_json, resource_matches, synthesize,
};
use rolefit::source::Span;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (policy, _issues) = parse_policy_json(&text, Span::default());
    let req = Request::new(
        "arn:aws:iam::111122223333:role/app",
        "s3:GetObject",
        "arn:aws:s3:::b/${Key}",
    )
    .with_context("aws:username", &["ana"]);
    let set = PolicySet {
        identity: vec![&policy],
        resource: Some(&policy),
        boundary: Some(&policy),
        ..PolicySet::default()
    };
    let _ = evaluate(&set, &req);
    let _ = escalations(&policy);

    let mut parts = text.splitn(3, '\n');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or("");
    let c = parts.next().unwrap_or("");
    let _ = Arn::parse(a);
    let _ = resource_matches(a, b);
    let _ = action_matches(b, c);
    let reqs = [Requirement::new(b, c), Requirement::new(a, b)];
    let _ = coverage(&[&policy], &reqs);
    let _ = synthesize(&reqs, &[Requirement::new(c, a)]);
});
