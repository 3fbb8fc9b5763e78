//! The analysis of the model: each role's policies loaded and parsed (inline, customer and
//! AWS managed, SAM policy templates, boundary), each function's needs evaluated against them
//! with the IAM engine, and which grants those needs use. [`PermissionGraph`] draws it.

mod evaluate;
pub mod loops;
mod perm;

pub use evaluate::{
    Analysis, FunctionAnalysis, Grant, LoadedPolicy, NeedVerdict, RoleAnalysis, Verdict, analyze,
};
pub use perm::PermissionGraph;
