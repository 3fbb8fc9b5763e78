//! The syntax every structured input is read into: [`node::Node`] trees with spans, from
//! YAML ([`yaml`]) and JSON ([`json`]). A foundation below every stage: front ends, the IAM
//! engine, suppressions and reports all read these trees.

pub mod json;
pub mod node;
pub mod yaml;

use std::collections::HashMap;

use crate::source::Span;
use node::{Key, Node};

/// Deepest nesting of sequences and mappings accepted (CloudFormation templates rarely pass 20).
pub const MAX_DEPTH: usize = 512;

/// Mapping entries in file order where a repeated key replaces the earlier value in place
/// (the index keeps this linear for mappings with many keys).
#[derive(Default)]
pub(crate) struct Entries {
    pub entries: Vec<(Key, Node)>,
    index: HashMap<String, usize>,
}

impl Entries {
    pub fn insert(&mut self, k: Key, v: Node) {
        match self.index.get(&k.name) {
            Some(&i) => self.entries[i] = (k, v),
            None => {
                self.index.insert(k.name.clone(), self.entries.len());
                self.entries.push((k, v));
            }
        }
    }
}

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
