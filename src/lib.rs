//! rolefit: fit every AWS Lambda execution role to what the function really needs.
//!
//! The pipeline runs `discover → parse → model → needs → graph → rules → report`;
//! `app` is the one place that knows the order of the stages.

pub mod data;
pub mod iam;
pub mod model;
pub mod parse;
pub mod source;
