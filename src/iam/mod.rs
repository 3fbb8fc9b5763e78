//! The IAM engine: policy parsing, matching, evaluation, coverage and synthesis. Pure, no I/O.
//!
//! Policies are read from [`Node`](crate::syntax::node::Node) trees with [`parse_policy`];
//! their patterns are compiled once, so [`evaluate`] does not allocate on the common path.
//! Strings may carry deploy-time placeholders (`${AWS::AccountId}`, `${OrdersTable}`), which
//! match only themselves or `*`; anything that depends on their values is [`Match::Unknown`]
//! or [`Decision::Conditional`], never a definite answer.

pub mod catalog;
pub mod condition;
pub mod context;
pub mod coverage;
pub mod eval;
pub mod pattern;
pub mod policy;
pub mod synth;

pub use catalog::{ActionCatalog, UnknownAction, unknown_actions};
pub use condition::Condition;
pub use context::{Caller, RequestContext, ResourceTags};
pub use coverage::{
    Breadth, BroadGrant, Coverage, Escalation, Grant, Requirement, broad_grants, coverage,
    escalations, passes_role_to_lambda,
};
pub use eval::{
    ConditionRef, Decision, KindOutcome, Outcomes, PolicyKind, PolicySet, Request,
    RequestPrincipal, StatementRef, cap_statements, evaluate, evaluate_with_outcomes,
};
pub use pattern::{Match, Pattern, action_matches, resource_matches, substitute_vars};
pub use policy::{
    ActionSpec, Effect, Policy, PolicyIssue, PrincipalKind, PrincipalSet, PrincipalSpec,
    ResourceSpec, Statement, parse_policy,
};
pub use synth::synthesize;

/// Parses JSON policy text into a [`Policy`] (every span is `span`); invalid JSON becomes a
/// single issue and an empty policy. For embedded data and tests: templates give `Node`s.
pub fn parse_policy_json(text: &str, span: crate::source::Span) -> (Policy, Vec<PolicyIssue>) {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => parse_policy(&crate::syntax::node::Node::from_json(&v, span)),
        Err(e) => (
            Policy {
                version: None,
                statements: Vec::new(),
                span,
            },
            vec![PolicyIssue {
                span,
                message: format!("invalid JSON: {e}"),
            }],
        ),
    }
}
