//! Parsers: every input format becomes [`node::Node`] trees (YAML, JSON, HCL) and then the
//! format-free [`crate::model`]; function code becomes [`crate::model::SdkCall`]s.

pub mod account;
pub mod budget;
pub mod cfn;
pub mod code;
pub mod json;
pub mod node;
pub mod serverless;
pub mod terraform;
pub mod yaml;

use crate::source::Span;

/// A file (or part of one) that could not be understood. Becomes a `parse-error` finding;
/// the rest of the tree is still analysed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

impl ParseError {
    pub fn new(span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            span,
            message: message.into(),
        }
    }
}
