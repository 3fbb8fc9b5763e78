//! Property tests for matching, evaluation and synthesis.

use proptest::prelude::*;
use rolefit::iam::{
    Match, Policy, PolicySet, Request, Requirement, action_matches, evaluate, parse_policy,
    parse_policy_json, resource_matches, synthesize,
};
use rolefit::source::Span;
use rolefit::syntax::node::Node;

const ROLE: &str = "arn:aws:iam::111122223333:role/app";

/// Replaces some ranges of `s` by `*` and some characters by `?`.
fn generalize(s: &str, cuts: &[(usize, usize, bool)]) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut cuts: Vec<_> = cuts.to_vec();
    cuts.sort();
    for (start, len, star) in cuts {
        let start = start % (chars.len() + 1);
        if start < i {
            continue;
        }
        out.extend(&chars[i..start]);
        if star {
            out.push('*');
            i = (start + len).min(chars.len());
        } else if start < chars.len() {
            out.push('?');
            i = start + 1;
        } else {
            i = start;
        }
    }
    out.extend(&chars[i.min(chars.len())..]);
    out
}

/// The documented resource wildcard rule, read literally: `?` is one character, `*` any run
/// of characters, without `:` unless the `*` is followed by `:` or ends the pattern.
fn reference_match(p: &str, t: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => {
                let crosses = matches!(rest.first(), None | Some(':'));
                (0..=t.len())
                    .take_while(|&k| crosses || k == 0 || t[k - 1] != ':')
                    .any(|k| go(rest, &t[k..]))
            }
            Some(('?', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = p.chars().collect();
    let t: Vec<char> = t.chars().collect();
    go(&p, &t)
}

fn policy(json: &serde_json::Value) -> Policy {
    let (p, issues) = parse_policy(&Node::from_json(json, Span::default()));
    assert!(issues.is_empty(), "{issues:?}");
    p
}

fn arn() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}(/[a-zA-Z0-9._-]{0,8}){0,3}".prop_map(|r| format!("arn:aws:s3:::{r}"))
}

fn action() -> impl Strategy<Value = String> {
    ("(s3|sqs|dynamodb|iam)", "[A-Z][a-zA-Z]{0,12}").prop_map(|(s, a)| format!("{s}:{a}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn expanded_resource_pattern_matches(s in arn(), cuts in prop::collection::vec((0usize..40, 0usize..6, any::<bool>()), 0..4)) {
        let p = generalize(&s, &cuts);
        // A `*` that replaced a run with a `:` and is not the last character of its segment
        // stays within the segment, so the pattern no longer covers the ARN it came from.
        let want = if reference_match(&p, &s) { Match::Yes } else { Match::No };
        prop_assert_eq!(resource_matches(&p, &s), want, "{} vs {}", p, s);
    }

    /// Resource wildcards follow "IAM JSON policy elements: Resource", "Using wildcards in
    /// resource ARNs" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
    /// `*` and `?` work within a segment, and a `*` crosses `:` only as its segment's last
    /// character. The engine agrees with a direct recursive reading of that rule.
    #[test]
    fn resource_wildcards_follow_segments(p in "[ab:/*?]{0,9}", t in "[ab:/]{0,9}") {
        let want = if reference_match(&p, &t) { Match::Yes } else { Match::No };
        prop_assert_eq!(resource_matches(&p, &t), want, "{} vs {}", p, t);
    }

    #[test]
    fn segment_end_star_spans_colons(s in arn(), cut in 0usize..40) {
        // `*` as the last character of a segment matches the rest, colons included.
        let chars: Vec<char> = s.chars().collect();
        let cut = cut % (chars.len() + 1);
        let p: String = chars[..cut].iter().chain(['*'].iter()).collect();
        prop_assert_eq!(resource_matches(&p, &s), Match::Yes, "{} vs {}", p, s);
    }

    #[test]
    fn expanded_action_pattern_matches(a in action(), cuts in prop::collection::vec((0usize..20, 0usize..6, any::<bool>()), 0..3), upper in any::<bool>()) {
        let p = generalize(&a, &cuts);
        let a2 = if upper { a.to_uppercase() } else { a.clone() };
        prop_assert!(action_matches(&p, &a2), "{} vs {}", p, a2);
    }

    #[test]
    fn star_matches_everything(s in "\\PC{0,40}", a in action()) {
        prop_assert!(resource_matches("*", &s) == Match::Yes);
        prop_assert!(action_matches("*", &a));
    }

    #[test]
    fn adding_a_deny_never_allows(
        grants in prop::collection::vec((action(), arn(), any::<bool>()), 0..5),
        denies in prop::collection::vec((action(), arn()), 1..3),
        a in action(), r in arn(),
    ) {
        let st = |effect: &str, action: &str, res: &str| serde_json::json!({"Effect": effect, "Action": action, "Resource": res});
        let mut stmts: Vec<_> = grants.iter().map(|(ga, gr, wild)| {
            if *wild { st("Allow", &format!("{}*", &ga[..ga.find(':').unwrap_or(0) + 1]), "*") } else { st("Allow", ga, gr) }
        }).collect();
        let before = policy(&serde_json::json!({"Version": "2012-10-17", "Statement": stmts.clone()}));
        stmts.extend(denies.iter().map(|(da, dr)| st("Deny", da, dr)));
        let after = policy(&serde_json::json!({"Version": "2012-10-17", "Statement": stmts}));
        let req = Request::new(ROLE, &a, &r);
        let d0 = evaluate(&PolicySet { identity: vec![&before], ..PolicySet::default() }, &req);
        let d1 = evaluate(&PolicySet { identity: vec![&after], ..PolicySet::default() }, &req);
        if d0.is_denied() {
            prop_assert!(d1.is_denied());
        }
        if d1.is_allowed() {
            prop_assert!(d0.is_allowed());
        }
    }

    #[test]
    fn synthesized_policy_allows_each_requirement(reqs in prop::collection::vec((action(), prop_oneof![arn(), Just("*".to_string())]), 1..8)) {
        let reqs: Vec<Requirement> = reqs.iter().map(|(a, r)| Requirement::new(a, r)).collect();
        let doc = synthesize(&reqs, &[]);
        let text = doc.to_string();
        let (p, issues) = parse_policy_json(&text, Span::default());
        prop_assert!(issues.is_empty(), "{:?}", issues);
        let set = PolicySet { identity: vec![&p], ..PolicySet::default() };
        for r in &reqs {
            prop_assert!(evaluate(&set, &Request::new(ROLE, &r.action, &r.resource)).is_allowed(), "{:?} not allowed by {}", r, text);
        }
        // Deterministic: the same input gives the same document.
        prop_assert_eq!(synthesize(&reqs, &[]), doc);
    }
}
