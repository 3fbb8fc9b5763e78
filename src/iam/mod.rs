//! The IAM engine: policy parsing, matching, evaluation, coverage and synthesis. Pure, no I/O.

pub mod arn;
pub mod condition;
pub mod pattern;
pub mod policy;

pub use pattern::{Match, Pattern, action_matches, resource_matches};
