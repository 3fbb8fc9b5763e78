//! Reading references and arguments straight from the HCL of a block: which declared
//! resource an argument points at (`aws_iam_role.exec.arn` → `aws_iam_role.exec`), and
//! evaluated arguments with their spans.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::Element;

use super::eval::Eval;
use super::module::{Decl, Module, span_of};
use crate::source::{SourceFile, Spanned};
use crate::syntax::node::Node;

/// The expression of an argument, following nested blocks: `["environment", "variables"]`.
pub fn arg<'b>(body: &'b Body, path: &[&str]) -> Option<&'b Expression> {
    let (last, blocks) = path.split_last()?;
    let mut body = body;
    for b in blocks {
        body = &body.blocks().find(|x| x.ident.as_str() == *b)?.body;
    }
    body.attributes()
        .find(|a| a.key.as_str() == *last)
        .map(|a| &a.value)
}

/// The declared resource a reference points at: `aws_x.y.attr`, `aws_x.y[0].attr`, or a
/// string that is only `"${aws_x.y.attr}"`.
pub fn target(m: &Module, e: &Expression) -> Option<String> {
    match e {
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let name = t.operators.iter().find_map(|op| match op.value() {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            })?;
            let addr = format!("{}.{name}", root.as_str());
            m.resources.contains_key(&addr).then_some(addr)
        }
        Expression::StringTemplate(t) => match t.as_single_element() {
            Some(Element::Interpolation(i)) => target(m, &i.expr),
            _ => None,
        },
        Expression::Parenthesis(p) => target(m, p.inner()),
        _ => None,
    }
}

/// An evaluated scalar argument with its span.
pub fn text(ev: &Eval, file: &SourceFile, body: &Body, path: &[&str]) -> Option<Spanned<String>> {
    let e = arg(body, path)?;
    let n = ev.expr(file, e);
    n.scalar_text().map(|s| Spanned::new(s, n.span))
}

/// An evaluated argument.
pub fn node(ev: &Eval, file: &SourceFile, body: &Body, path: &[&str]) -> Option<Node> {
    arg(body, path).map(|e| ev.expr(file, e))
}

/// The span of a block or argument key inside a declaration, for settings findings.
pub fn key_span(d: &Decl, name: &str) -> Option<crate::source::Span> {
    if let Some(a) = d.block.body.get_attribute(name) {
        return Some(span_of(d.file, &a.key));
    }
    d.block
        .body
        .get_blocks(name)
        .next()
        .map(|b| span_of(d.file, &b.ident))
}

/// `<file>#<name>` (REPORT.md).
pub fn id(file: &SourceFile, name: &str) -> String {
    format!("{}#{name}", file.path)
}
