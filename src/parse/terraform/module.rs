//! One Terraform module: the `.tf` files of one directory, parsed with `hcl-edit` (which
//! keeps byte spans), indexed by address (`aws_sqs_queue.orders`, `data.x.y`, `var.x`,
//! `local.x`, `module.x`).

use std::cell::RefCell;
use std::collections::BTreeMap;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::source::{SourceFile, Span};
use crate::syntax::ParseError;

/// A labelled block (`resource`, `data`, `module`) with the file it is written in.
pub struct Decl<'a> {
    pub file: &'a SourceFile,
    /// Resource or data source type; empty for `module`.
    pub kind: String,
    pub name: String,
    pub block: &'a Block,
    /// The span of the name label, where findings about the whole block point.
    pub span: Span,
}

impl Decl<'_> {
    /// The address Terraform prints: `aws_sqs_queue.orders`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// An expression with the file it is written in.
pub struct Expr<'a> {
    pub file: &'a SourceFile,
    pub expr: &'a Expression,
}

/// A module's declarations.
pub struct Module<'a> {
    /// The module's folder relative to the audited root (`""` for the root itself).
    pub dir: String,
    pub resources: BTreeMap<String, Decl<'a>>,
    pub data: BTreeMap<String, Decl<'a>>,
    pub modules: BTreeMap<String, Decl<'a>>,
    /// Variable defaults.
    pub variables: BTreeMap<String, Expr<'a>>,
    pub locals: BTreeMap<String, Expr<'a>>,
    /// `output` values.
    pub outputs: BTreeMap<String, Expr<'a>>,
    /// `provider` blocks: `aws` for the default configuration, `aws.<alias>` for the others.
    pub providers: BTreeMap<String, (&'a SourceFile, &'a Block)>,
    pub read: &'a dyn Fn(&str) -> Option<String>,
    pub issues: RefCell<Vec<ParseError>>,
    /// What could not be known (files read by `file()`/`templatefile()` that are absent).
    pub unknowns: RefCell<Vec<crate::syntax::Unknown>>,
}

/// A span of an `hcl-edit` item in `file`.
pub fn span_of(file: &SourceFile, item: &dyn hcl_edit::Span) -> Span {
    match item.span() {
        Some(r) => file.span(r.start, r.end),
        None => file.span(0, 0),
    }
}

/// Parses one file; a syntax error becomes a [`ParseError`] at the reported line and column.
pub fn parse_file(file: &SourceFile) -> Result<Body, ParseError> {
    hcl_edit::parser::parse_body(&file.text).map_err(|e| {
        let loc = e.location();
        let line = u32::try_from(loc.line()).unwrap_or(1);
        let start = file.line_start(line).unwrap_or(0) as usize;
        // Columns are 1-based characters; turn them into a byte offset on that line.
        let line_text = file.line_text(line);
        let byte = line_text
            .char_indices()
            .nth(loc.column().saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        let at = start + byte;
        ParseError::new(
            file.span(at, at),
            format!(
                "{}:{}:{}: invalid HCL: {}",
                file.path,
                loc.line(),
                loc.column(),
                e.message()
            ),
        )
    })
}

impl<'a> Module<'a> {
    pub fn new(
        dir: String,
        bodies: &'a [(&'a SourceFile, Body)],
        read: &'a dyn Fn(&str) -> Option<String>,
    ) -> Module<'a> {
        let mut m = Module {
            dir,
            resources: BTreeMap::new(),
            data: BTreeMap::new(),
            modules: BTreeMap::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            outputs: BTreeMap::new(),
            providers: BTreeMap::new(),
            read,
            issues: RefCell::new(Vec::new()),
            unknowns: RefCell::new(Vec::new()),
        };
        for (file, body) in bodies {
            for block in body.blocks() {
                m.add_block(file, block);
            }
        }
        m
    }

    fn add_block(&mut self, file: &'a SourceFile, block: &'a Block) {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let last_span = block
            .labels
            .last()
            .map_or_else(|| span_of(file, &block.ident), |l| span_of(file, l));
        let decl = |kind: &str, name: &str| Decl {
            file,
            kind: kind.to_string(),
            name: name.to_string(),
            block,
            span: last_span,
        };
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                self.resources
                    .insert(format!("{kind}.{name}"), decl(kind, name));
            }
            ("data", [kind, name]) => {
                self.data.insert(format!("{kind}.{name}"), decl(kind, name));
            }
            ("module", [name]) => {
                self.modules.insert((*name).to_string(), decl("", name));
            }
            ("variable", [name]) => {
                if let Some(a) = block.body.get_attribute("default") {
                    self.variables.insert(
                        (*name).to_string(),
                        Expr {
                            file,
                            expr: &a.value,
                        },
                    );
                }
            }
            ("output", [name]) => {
                if let Some(a) = block.body.get_attribute("value") {
                    self.outputs.insert(
                        (*name).to_string(),
                        Expr {
                            file,
                            expr: &a.value,
                        },
                    );
                }
            }
            ("provider", [name]) => {
                let alias = block
                    .body
                    .get_attribute("alias")
                    .and_then(|a| match &a.value {
                        Expression::String(s) => Some(s.value().to_string()),
                        _ => None,
                    });
                let key = alias.map_or_else(|| (*name).to_string(), |a| format!("{name}.{a}"));
                self.providers.insert(key, (file, block));
            }
            ("locals", []) => {
                for a in block.body.attributes() {
                    self.locals.insert(
                        a.key.as_str().to_string(),
                        Expr {
                            file,
                            expr: &a.value,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    pub fn issue(&self, span: Span, message: impl Into<String>) {
        self.issues
            .borrow_mut()
            .push(ParseError::new(span, message));
    }

    /// Joins a path written in the module (after `path.module` is replaced) with its folder.
    pub fn join(&self, rel: &str) -> Option<String> {
        let base = if self.dir.is_empty() {
            "x".to_string()
        } else {
            format!("{}/x", self.dir)
        };
        crate::parse::common::join_path(&base, rel)
    }
}
