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

/// Something the inputs leave unknown: nothing is broken, but rolefit could not know it, and
/// says so once as an `incomplete-input` note (REPORT.md v1.1). Front ends put these in
/// [`crate::model::App::unknowns`]; the rule keeps the first of each [`Unknown::subject`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The first reference to what is unknown.
    pub span: Span,
    pub kind: UnknownKind,
    /// What is unknown, the same text for every reference to it (a root-relative file path, a
    /// variable, a project folder): said once per kind and subject.
    pub subject: String,
    pub message: String,
    /// The functions the note is about (named in the finding's `functions`), when it is
    /// about some; empty otherwise (the rule then names a function whose id starts the
    /// subject).
    pub functions: Vec<String>,
    /// Whether what is unknown feeds [`Unknown::functions`]' needs, which are then not known
    /// in full (no `unused-permission` for them).
    pub incomplete_needs: bool,
}

/// Why something is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnknownKind {
    /// A file the input refers to is not in the audited folder (a secrets file kept out of
    /// the repository, a build output): the values read from it are unknown.
    MissingFile,
    /// A value known only at deploy or run time (an environment variable, a parameter).
    Value,
    /// A function's code is not where its definition says.
    MissingCode,
    /// A function's code was found by rolefit's own search, not named by the template.
    InferredLink,
    /// A CDK project without its cloud assembly (`cdk.out`): its stacks are not in the input.
    NoCloudAssembly,
    /// An API a collection could not read (a gap in a `rolefit collect` manifest).
    Unreadable,
}

impl Unknown {
    pub fn new(
        span: Span,
        kind: UnknownKind,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Unknown {
        Unknown {
            span,
            kind,
            subject: subject.into(),
            message: message.into(),
            functions: Vec::new(),
            incomplete_needs: false,
        }
    }

    /// Names the functions the note is about; `incomplete_needs` when their needs are not
    /// known in full because of it.
    pub fn about(mut self, functions: Vec<String>, incomplete_needs: bool) -> Unknown {
        self.functions = functions;
        self.incomplete_needs = incomplete_needs;
        self
    }
}
