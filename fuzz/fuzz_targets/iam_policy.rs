//! Feeds arbitrary bytes to the IAM parsers and matchers: as JSON policy text (then evaluates
//! a request against it), and split into ARN / pattern / text strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolefit::arn::Arn;
use rolefit::iam::{
    PolicySet, Request, Requirement, action_matches, coverage, escalations, evaluate,
    parse_policy_json, resource_matches, synthesize,
};
use rolefit::source::Span;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (policy, _issues) = parse_policy_json(&text, Span::default());
    let last_line = text.rsplit('\n').next().unwrap_or("");
    let req = Request::new(
        "arn:aws:iam::111122223333:role/app",
        "s3:GetObject",
        "arn:aws:s3:::b/${Key}",
    )
    .with_context("aws:username", &["ana"]);
    // Give every condition key of the policy a value from the input, so the operators'
    // value parsers (dates, numbers, CIDRs, ARNs) see arbitrary text too.
    let mut known = req.clone();
    for st in &policy.statements {
        for c in &st.conditions {
            known = known.with_context(&c.key.value, &[last_line]);
        }
    }
    let set = PolicySet {
        identity: vec![&policy],
        resource: Some(&policy),
        boundary: Some(&policy),
        ..PolicySet::default()
    };
    let _ = evaluate(&set, &req);
    let _ = evaluate(&set, &known);
    let _ = escalations(&policy, true);
    let _ = escalations(&policy, false);

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
