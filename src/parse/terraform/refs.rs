//! Reading references and arguments straight from the HCL of a block: which declared
//! resource an argument points at (`aws_iam_role.exec.arn` → `aws_iam_role.exec`), and
//! evaluated arguments with their spans.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::Element;

use super::eval::Eval;
use super::module::{Decl, span_of};
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

/// The declared resource instance a reference points at: `aws_x.y.attr`, `aws_x.y[0].attr`,
/// `aws_x.y["k"].attr`, or a string that is only `"${aws_x.y.attr}"`. The address keeps the
/// instance key when the resource has instances (`aws_x.y["k"]`); a key that is not known, or
/// none for such a resource, points at no one instance.
pub fn target(ev: &Eval, file: &SourceFile, e: &Expression) -> Option<String> {
    match e {
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut ops = t.operators.iter().map(|o| o.value());
            let TraversalOperator::GetAttr(name) = ops.next()? else {
                return None;
            };
            let addr = format!("{}.{}", root.as_str(), name.as_str());
            let d = ev.m.resources.get(&addr)?;
            let keys = ev.resource_keys(d);
            if matches!(keys.as_slice(), [(k, _)] if k.is_empty()) {
                return Some(addr);
            }
            let key = match ops.next()? {
                TraversalOperator::Index(i) => super::eval::instance_key(&ev.expr(file, i))?,
                TraversalOperator::LegacyIndex(i) => format!("[{}]", i.value()),
                _ => return None,
            };
            keys.iter()
                .any(|(k, _)| *k == key)
                .then(|| format!("{addr}{key}"))
        }
        Expression::StringTemplate(t) => match t.as_single_element() {
            Some(Element::Interpolation(i)) => target(ev, file, &i.expr),
            _ => None,
        },
        Expression::Parenthesis(p) => target(ev, file, p.inner()),
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
