//! Evaluates HCL expressions symbolically into [`Node`] trees: literals stay literals,
//! `var.x` takes its default, `local.x` its value, references to resources become the
//! placeholders of the model (`${aws_sqs_queue.orders}` for a physical name that the input
//! does not set), `jsonencode`, `file`, `templatefile` and a few collection functions are
//! applied. Anything else becomes `${<expression text>}`, so it is visibly unknown.

use std::cell::Cell;

use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::{Element, Template};

use super::kinds;
use super::module::{Module, span_of};
use super::policy;
use crate::parse::budget::Budget;
use crate::source::{SourceFile, Span};
use crate::syntax::node::{Key, Node, Value};
use crate::syntax::{Unknown, UnknownKind};

/// How deep locals and references may nest before we stop (cycles, huge configurations).
const MAX_DEPTH: u32 = 24;

/// How much work evaluating one module may do, in expressions evaluated plus bytes of
/// template text / 16. Locals are evaluated where they are used, so locals that each use the
/// previous one many times (`l1 = [local.l0, local.l0, ...]`, ...) grow exponentially, like a
/// YAML alias bomb; past the budget, expressions stay unknown and the module gets one finding.
/// Real modules, large ones included, stay far below it.
const WORK_BUDGET: u64 = 1_000_000;

pub struct Eval<'m, 'a> {
    pub m: &'m Module<'a>,
    depth: Cell<u32>,
    /// Work left of [`WORK_BUDGET`].
    budget: Budget,
}

impl<'m, 'a> Eval<'m, 'a> {
    pub fn new(m: &'m Module<'a>) -> Self {
        Eval {
            m,
            depth: Cell::new(0),
            budget: Budget::new(WORK_BUDGET),
        }
    }

    /// Charges `units` of work; `false` once the budget is spent (reported once, where it ran
    /// out).
    fn charge(&self, units: u64, span: Span) -> bool {
        self.budget.charge(units, || {
            self.m.issue(
                span,
                format!(
                    "expressions expand to more than {WORK_BUDGET} values (locals that each use \
                     the previous one many times?); the rest is left unknown"
                ),
            );
        })
    }

    fn nested<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            return None;
        }
        self.depth.set(d + 1);
        let out = f();
        self.depth.set(d);
        Some(out)
    }

    /// `${<source text>}` for an expression we cannot evaluate.
    pub fn unknown(&self, file: &SourceFile, e: &dyn hcl_edit::Span) -> Node {
        let span = span_of(file, e);
        let text = file
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("?")
            .trim();
        Node::string(format!("${{{text}}}"), span)
    }

    /// A block body as a mapping: attributes by key, nested blocks by type (one block: a
    /// mapping; several: a sequence). `dynamic` blocks contribute their `content`.
    pub fn body(&self, file: &SourceFile, body: &Body, span: Span) -> Node {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        for a in body.attributes() {
            let key = Key {
                name: a.key.as_str().to_string(),
                span: span_of(file, &a.key),
            };
            entries.push((key, self.expr(file, &a.value)));
        }
        for b in body.blocks() {
            let (name, inner, key_span) = if b.ident.as_str() == "dynamic" {
                let Some(label) = b.labels.first() else {
                    continue;
                };
                let Some(content) = b.body.get_blocks("content").next() else {
                    continue;
                };
                (
                    label.as_str().to_string(),
                    &content.body,
                    span_of(file, label),
                )
            } else {
                (
                    b.ident.as_str().to_string(),
                    &b.body,
                    span_of(file, &b.ident),
                )
            };
            let node = self.body(file, inner, span_of(file, b));
            match entries.iter_mut().find(|(k, _)| k.name == name) {
                Some((_, existing)) => {
                    if let Value::Seq(items) = &mut existing.value {
                        items.push(node);
                    } else {
                        let first = existing.clone();
                        *existing = Node::new(Value::Seq(vec![first, node]), existing.span);
                    }
                }
                None => entries.push((
                    Key {
                        name,
                        span: key_span,
                    },
                    node,
                )),
            }
        }
        Node::new(Value::Map(entries), span)
    }

    pub fn expr(&self, file: &SourceFile, e: &Expression) -> Node {
        let span = span_of(file, e);
        if !self.charge(1, span) {
            return self.unknown(file, e);
        }
        match e {
            Expression::Null(_) => Node::new(Value::Null, span),
            Expression::Bool(b) => Node::new(Value::Bool(*b.value()), span),
            Expression::Number(n) => Node::new(Value::Number(n.value().to_string()), span),
            Expression::String(s) => Node::string(s.value().clone(), span),
            Expression::Array(a) => Node::new(
                Value::Seq(a.iter().map(|x| self.expr(file, x)).collect()),
                span,
            ),
            Expression::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o.iter() {
                    let kspan = span_of(file, k);
                    let name = match k {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(x) => self.text(file, x),
                    };
                    entries.push((Key { name, span: kspan }, self.expr(file, v.expr())));
                }
                Node::new(Value::Map(entries), span)
            }
            // "Template Interpolation Unwrapping" (HCL native syntax specification,
            // https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md): a template that is one
            // interpolation and nothing else is that expression's value, not its text, so
            // `"${data.aws_iam_policy_document.p.json}"` is the document.
            Expression::StringTemplate(t) => match t.iter().collect::<Vec<_>>().as_slice() {
                [Element::Interpolation(i)] => self.expr(file, &i.expr),
                _ => Node::string(self.template(file, t), span),
            },
            Expression::HeredocTemplate(h) => {
                let mut text = self.template(file, &h.template);
                if h.indent().is_some() {
                    text = dedent(&text);
                }
                Node::string(text, span)
            }
            Expression::Parenthesis(p) => self.expr(file, p.inner()),
            Expression::Variable(v) => Node::string(format!("${{{}}}", v.as_str()), span),
            Expression::Conditional(c) => {
                let pick = match self.expr(file, &c.cond_expr).value {
                    Value::Bool(false) => &c.false_expr,
                    _ => &c.true_expr,
                };
                self.expr(file, pick)
            }
            Expression::FuncCall(f) => self.call(file, f, span),
            Expression::Traversal(t) => self.traversal(file, t, span),
            Expression::BinaryOp(op) => {
                let eq = match op.operator.value() {
                    BinaryOperator::Eq => true,
                    BinaryOperator::NotEq => false,
                    _ => return self.unknown(file, e),
                };
                let l = self.expr(file, &op.lhs_expr);
                let r = self.expr(file, &op.rhs_expr);
                if is_known(&l) && is_known(&r) {
                    Node::new(Value::Bool((l.value == r.value) == eq), span)
                } else {
                    self.unknown(file, e)
                }
            }
            _ => self.unknown(file, e),
        }
    }

    /// An expression as text: scalars as written, anything else as a placeholder.
    pub fn text(&self, file: &SourceFile, e: &Expression) -> String {
        let n = self.expr(file, e);
        n.scalar_text()
            .unwrap_or_else(|| self.unknown(file, e).as_str().unwrap_or("").to_string())
    }

    fn template(&self, file: &SourceFile, t: &Template) -> String {
        let mut out = String::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    if self.charge(out.len() as u64 / 16, span_of(file, &i.expr)) {
                        out.push_str(&self.text(file, &i.expr));
                    } else {
                        out.push_str(self.unknown(file, &i.expr).as_str().unwrap_or(""));
                    }
                }
                Element::Directive(d) => {
                    out.push_str(self.unknown(file, d.as_ref()).as_str().unwrap_or(""));
                }
            }
        }
        out
    }

    fn call(&self, file: &SourceFile, f: &hcl_edit::expr::FuncCall, span: Span) -> Node {
        let args: Vec<&Expression> = f.args.iter().collect();
        let arg = |i: usize| args.get(i).map(|a| self.expr(file, a));
        let unknown = || self.unknown(file, f);
        match f.name.name.as_str() {
            "jsonencode" | "tolist" | "toset" | "tomap" | "tostring" | "sensitive"
            | "nonsensitive" | "try" | "distinct" => arg(0).unwrap_or_else(unknown),
            "jsondecode" => {
                let Some(n) = arg(0) else { return unknown() };
                match n.as_str().map(serde_json::from_str::<serde_json::Value>) {
                    Some(Ok(v)) => Node::from_json(&v, n.span),
                    _ => n,
                }
            }
            "file" | "templatefile" => {
                let Some(path) = arg(0).and_then(|p| p.as_str().map(str::to_string)) else {
                    return unknown();
                };
                let rel = self.m.join(&path);
                let Some(text) = rel.as_deref().and_then(|p| (self.m.read)(p)) else {
                    // Absent (generated, ignored, or outside the root): what it holds is unknown.
                    let shown = rel.unwrap_or(path);
                    self.m.unknowns.borrow_mut().push(Unknown::new(
                        span,
                        UnknownKind::MissingFile,
                        shown.clone(),
                        format!(
                            "`{shown}` is not in the audited folder: what `{}()` reads from \
                             it is unknown",
                            f.name.name.as_str()
                        ),
                    ));
                    return unknown();
                };
                let text = match arg(1) {
                    Some(vars) => fill_template(&text, &vars),
                    None => text,
                };
                Node::string(text, span)
            }
            "concat" | "flatten" => {
                let mut items = Vec::new();
                for n in args.iter().map(|a| self.expr(file, a)) {
                    match n.value {
                        Value::Seq(s) => items.extend(s),
                        _ => items.push(n),
                    }
                }
                Node::new(Value::Seq(items), span)
            }
            "compact" => arg(0).unwrap_or_else(unknown),
            "merge" => {
                let mut entries: Vec<(Key, Node)> = Vec::new();
                for n in args.iter().map(|a| self.expr(file, a)) {
                    if let Value::Map(m) = n.value {
                        for (k, v) in m {
                            entries.retain(|(x, _)| x.name != k.name);
                            entries.push((k, v));
                        }
                    }
                }
                Node::new(Value::Map(entries), span)
            }
            "coalesce" => args
                .iter()
                .map(|a| self.expr(file, a))
                .find(|n| !matches!(&n.value, Value::Null) && n.as_str() != Some(""))
                .unwrap_or_else(unknown),
            "lookup" => {
                let (Some(map), Some(key)) = (arg(0), arg(1).and_then(|k| k.scalar_text())) else {
                    return unknown();
                };
                map.get(&key)
                    .cloned()
                    .or_else(|| arg(2))
                    .unwrap_or_else(unknown)
            }
            "join" => {
                let (Some(sep), Some(list)) = (arg(0).and_then(|s| s.scalar_text()), arg(1)) else {
                    return unknown();
                };
                let parts: Option<Vec<String>> = list.items().map(Node::scalar_text).collect();
                parts.map_or_else(unknown, |p| Node::string(p.join(&sep), span))
            }
            "format" => {
                let Some(fmt) = arg(0).and_then(|s| s.scalar_text()) else {
                    return unknown();
                };
                let mut out = String::new();
                let mut rest = args.iter().skip(1).map(|a| self.text(file, a));
                let mut parts = fmt.split("%s");
                if let Some(p) = parts.next() {
                    out.push_str(p);
                }
                for p in parts {
                    out.push_str(&rest.next().unwrap_or_default());
                    out.push_str(p);
                }
                if out.contains('%') {
                    return unknown();
                }
                Node::string(out, span)
            }
            _ => unknown(),
        }
    }

    fn traversal(&self, file: &SourceFile, t: &hcl_edit::expr::Traversal, span: Span) -> Node {
        let Expression::Variable(root) = &t.expr else {
            return self.unknown(file, t);
        };
        let path: Vec<&str> = t
            .operators
            .iter()
            .filter_map(|op| match op.value() {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        let unknown = || self.unknown(file, t);
        let at = |n: Node, rest: &[&str]| -> Node {
            let mut cur = n;
            for k in rest {
                match cur.get(k) {
                    Some(x) => cur = x.clone(),
                    None => return unknown(),
                }
            }
            cur
        };
        let found = match (root.as_str(), path.as_slice()) {
            ("var", [name, rest @ ..]) => match self.m.variables.get(*name) {
                Some(v) => self
                    .nested(|| self.expr(v.file, v.expr))
                    .map(|n| at(n, rest)),
                None => None,
            },
            ("local", [name, rest @ ..]) => match self.m.locals.get(*name) {
                Some(v) => self
                    .nested(|| self.expr(v.file, v.expr))
                    .map(|n| at(n, rest)),
                None => None,
            },
            ("path", ["module" | "root" | "cwd"]) => Some(Node::string(".", span)),
            ("data", [kind, name, attr, ..]) => self.data(kind, name, attr, span),
            (kind, [name, attr, ..])
                if self.m.resources.contains_key(&format!("{kind}.{name}")) =>
            {
                let addr = format!("{kind}.{name}");
                let value = self.nested(|| {
                    kinds::attribute(
                        kind,
                        &addr,
                        &self.name(&addr),
                        self.arn(&addr).as_deref(),
                        attr,
                    )
                });
                value.map(|v| Node::string(v, span))
            }
            _ => None,
        };
        match found {
            Some(mut n) => {
                n.span = span;
                n
            }
            None => unknown(),
        }
    }

    fn data(&self, kind: &str, name: &str, attr: &str, span: Span) -> Option<Node> {
        let s = |v: &str| Some(Node::string(v, span));
        match (kind, attr) {
            ("aws_caller_identity", "account_id") => s("${AWS::AccountId}"),
            ("aws_region", "name" | "id" | "region") => s("${AWS::Region}"),
            ("aws_partition", "partition") => s("aws"),
            ("aws_partition", "dns_suffix") => s("amazonaws.com"),
            ("aws_iam_policy_document", "json" | "minified_json") => {
                let d = self.m.data.get(&format!("{kind}.{name}"))?;
                self.nested(|| policy::document(self, d)).flatten()
            }
            ("archive_file", "output_path") => {
                let d = self.m.data.get(&format!("{kind}.{name}"))?;
                let a = d.block.body.get_attribute("output_path")?;
                self.nested(|| self.expr(d.file, &a.value))
            }
            _ => None,
        }
    }

    /// The physical name of a declared resource: its literal name argument, else
    /// `${<address>}`.
    pub fn name(&self, addr: &str) -> String {
        let placeholder = format!("${{{addr}}}");
        let Some(d) = self.m.resources.get(addr) else {
            return placeholder;
        };
        let Some((_, Some(arg))) = kinds::cfn_kind(&d.kind) else {
            return placeholder;
        };
        d.block
            .body
            .get_attribute(arg)
            .and_then(|a| self.nested(|| self.expr(d.file, &a.value)))
            .and_then(|n| n.as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
            .unwrap_or(placeholder)
    }

    /// The ARN of a declared resource, when its type is known.
    pub fn arn(&self, addr: &str) -> Option<String> {
        let d = self.m.resources.get(addr)?;
        let (kind, _) = kinds::cfn_kind(&d.kind)?;
        let name = self.name(addr);
        let prop = |p: &str| -> Option<String> {
            let arg = match p {
                "Path" => "path",
                "EventBusName" => "event_bus_name",
                "FunctionName" => "function_name",
                "GroupName" => "group_name",
                _ => return None,
            };
            let a = d.block.body.get_attribute(arg)?;
            self.nested(|| self.expr(d.file, &a.value))?
                .as_str()
                .map(str::to_string)
        };
        crate::parse::common::resources::arn(kind, addr, &name, &prop)
    }
}

/// A value with no placeholder in it: safe to compare.
fn is_known(n: &Node) -> bool {
    match &n.value {
        Value::String(s) => !s.contains("${"),
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
        _ => false,
    }
}

/// `templatefile` variables replaced where they appear as `${name}`.
fn fill_template(text: &str, vars: &Node) -> String {
    let mut out = text.to_string();
    for (k, v) in vars.entries() {
        if let Some(s) = v.scalar_text() {
            out = out.replace(&format!("${{{}}}", k.name), &s);
        }
    }
    out
}

/// `<<-EOT` heredocs strip the smallest common indentation of their lines.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}
