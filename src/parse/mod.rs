//! Front ends and code extractors: every input format becomes [`crate::syntax::node::Node`] trees (YAML, JSON, HCL) and then the
//! format-free [`crate::model`]; function code becomes [`crate::model::SdkCall`]s.

pub mod account;
pub mod budget;
pub mod cfn;
pub mod code;
pub mod codebase;
pub mod common;
pub mod serverless;
pub mod terraform;
