//! Front ends and code extractors: every input format becomes [`crate::syntax::node::Node`]
//! trees (YAML, JSON, HCL) and then the format-free [`crate::model`]; function code becomes
//! [`crate::model::SdkCall`]s.
//!
//! [`ALL`] lists the front ends; each implements [`common::FrontEnd`]. No front end imports
//! another: what they share lives in [`common`].

pub mod account;
pub mod budget;
pub mod bundle;
pub mod cfn;
pub mod code;
pub mod codebase;
pub mod common;
pub mod gobuild;
pub mod javaproject;
pub mod layers;
pub mod serverless;
pub mod share;
pub mod terraform;

pub use common::{Context, FrontEnd, Reads, TemplateOutcome};

/// Every front end, in the order files are offered to them: a file goes to the first that
/// takes it. Serverless configurations come before templates (a `serverless.yml` that is
/// not one may still be a template), and both before plans and account exports, which are
/// recognised among the JSON files left.
pub static ALL: &[&dyn FrontEnd] = &[
    &serverless::Serverless,
    &cfn::CloudFormation,
    &terraform::TerraformPlan,
    &account::AccountExport,
    &terraform::TerraformHcl,
];
