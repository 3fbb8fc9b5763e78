//! rolefit: fit every AWS Lambda execution role to what the function really needs.
//!
//! The pipeline runs `discover → parse → model → needs → analysis → rules → report` over
//! shared foundations (`docs/architecture.md`; `scripts/check-layers` keeps the order);
//! [`app`] is the one place that knows the order of the stages.

pub mod analysis;
pub mod app;
pub mod arn;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod config;
pub mod data;
pub mod discover;
pub mod finding;
pub mod fix;
pub mod iam;
pub mod merge;
pub mod model;
pub mod needs;
pub mod parse;
pub mod policy;
pub mod progress;
pub mod render;
pub mod report;
pub mod root;
pub mod rules;
pub mod simulate;
pub mod source;
pub mod suppress;
pub mod syntax;
