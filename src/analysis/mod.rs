//! The analysis of the model: each role's policies loaded and parsed (inline, customer and
//! AWS managed, SAM policy templates, boundary), each function's needs evaluated against them
//! with the IAM engine, and which grants those needs use; the [`TriggerGraph`] of which
//! functions trigger which through what they write. [`PermissionGraph`] draws it all.

mod evaluate;
mod perm;
mod triggers;

pub use evaluate::{
    Analysis, FunctionAnalysis, Grant, LoadedPolicy, NeedVerdict, RoleAnalysis, Verdict, analyze,
    request_context, resource_tags,
};
pub use perm::PermissionGraph;
pub use triggers::{Hop, Loop, Origin, TriggerEdge, TriggerGraph, TriggerNode};
