//! Evaluates HCL expressions symbolically into [`Node`] trees: literals stay literals,
//! `var.x` takes its default, `local.x` its value, references to resources become the
//! placeholders of the model (`${aws_sqs_queue.orders}` for a physical name that the input
//! does not set), `jsonencode`, `file`, `templatefile` and a few collection functions are
//! applied. Anything else becomes `${<expression text>}`, so it is visibly unknown.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use hcl_edit::expr::{BinaryOperator, Expression, TraversalOperator, UnaryOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::{Element, Template};

use super::kinds;
use super::module::{Module, span_of};
use super::policy;
use crate::parse::budget::Budget;
use crate::source::{SourceFile, Span};
use crate::syntax::ParseError;
use crate::syntax::node::{Key, Node, Value};
use crate::syntax::{Unknown, UnknownKind};

/// How deep locals and references may nest before we stop (cycles, huge configurations).
const MAX_DEPTH: u32 = 24;

/// How much work evaluating one module may do, in expressions evaluated plus bytes of
/// template text / 16. Locals are evaluated where they are used, so locals that each use the
/// previous one many times (`l1 = [local.l0, local.l0, ...]`, ...) grow exponentially, like a
/// YAML alias bomb; past the budget, expressions stay unknown and the module gets one finding.
/// Real modules, large ones included, stay far below it.
pub const WORK_BUDGET: u64 = 1_000_000;

/// How many module instances one configuration tree may create (`for_each` over modules
/// that themselves fan out multiplies); past it, the remaining calls are not instantiated
/// and the tree gets one incomplete-input note.
pub const MAX_INSTANCES: u64 = 2_000;

/// The folders of one audited tree, each parsed once, by folder.
pub type Folders<'a> = BTreeMap<String, Module<'a>>;

/// What every module instance of one tree shares: the work budget, the instance budget,
/// and what could not be known.
pub struct Shared {
    budget: Budget,
    instances: Budget,
    /// Values that cannot be known without guessing (a module cycle, a `for_each` over
    /// unknown values, the instance budget spent): the audit is incomplete there.
    pub incomplete: RefCell<Vec<ParseError>>,
}

impl Shared {
    /// A budget of `folders` times [`WORK_BUDGET`], so every folder keeps the budget it had
    /// when each was evaluated alone.
    pub fn new(folders: usize) -> Rc<Shared> {
        Rc::new(Shared {
            budget: Budget::new(WORK_BUDGET.saturating_mul(folders.max(1) as u64)),
            instances: Budget::new(MAX_INSTANCES),
            incomplete: RefCell::new(Vec::new()),
        })
    }

    pub fn note(&self, span: Span, message: impl Into<String>) {
        let e = ParseError::new(span, message);
        let mut list = self.incomplete.borrow_mut();
        if !list
            .iter()
            .any(|x| x.span == e.span && x.message == e.message)
        {
            list.push(e);
        }
    }
}

/// Where a module's code is instantiated.
#[derive(Clone, Default)]
pub struct Scope {
    /// The instance's address prefix: `""` for a root, `module.x.` or `module.x["k"].` for a
    /// child (nested calls append).
    pub prefix: String,
    /// Input variables bound by the caller, or read from the root's `.tfvars`.
    pub vars: BTreeMap<String, Node>,
    /// Accounts of the AWS provider configurations the instance sees (`aws`, `aws.<alias>`),
    /// from `allowed_account_ids` or an `assume_role` ARN.
    pub accounts: BTreeMap<String, String>,
    /// Folders of the module instances above this one, to see cycles.
    pub chain: Vec<String>,
    /// Every AWS provider configuration the instance can use is in the input and none has
    /// `default_tags`, so a resource's `tags` are all its tags (Terraform AWS provider,
    /// "default_tags Configuration Block": the provider adds these to every resource's tags;
    /// https://registry.terraform.io/providers/hashicorp/aws/latest/docs#default_tags-configuration-block).
    /// Set for a root that declares its `provider "aws"` blocks; a folder without one may be
    /// a module called from outside the input.
    pub provider_tags_known: bool,
    /// The root module's folder, which relative paths start from (Terraform runs there);
    /// `None` in a root itself.
    pub root: Option<String>,
}

/// The instances one `module` call made: `(key, instance)`; the key is `""`, `[0]` or
/// `["name"]`.
type Instances<'m, 'a> = Vec<(String, Rc<Eval<'m, 'a>>)>;

enum Child<'m, 'a> {
    /// Being instantiated: a reference back to it is a cycle.
    Busy,
    Done(Instances<'m, 'a>),
}

pub struct Eval<'m, 'a> {
    pub m: &'m Module<'a>,
    depth: Cell<u32>,
    pub shared: Rc<Shared>,
    pub scope: Scope,
    /// `each.key`/`each.value` or `count.index` while a module call's arguments are bound.
    each: RefCell<Option<(Node, Node)>>,
    folders: Option<&'m Folders<'a>>,
    children: RefCell<BTreeMap<String, Child<'m, 'a>>>,
    /// The instance keys of each resource with `count`/`for_each`, computed once.
    keys: RefCell<BTreeMap<String, Rc<Keys>>>,
}

/// The instances of one resource: `(key, each)`, the key `""` (no `count`/`for_each`, or one
/// over unknown values), `[0]` or `["name"]`; `each` the `each.key`/`each.value` or
/// `count.index` the instance binds.
pub type Keys = Vec<(String, Option<(Node, Node)>)>;

/// One instance of a declared resource: its address with the instance key
/// (`aws_lambda_function.fn["a"]`), its declaration, and what `each`/`count` are in it.
pub struct Res<'m, 'a> {
    pub addr: String,
    pub d: &'m super::module::Decl<'a>,
    pub each: Option<(Node, Node)>,
}

/// `each`/`count.index` bound while it lives; the previous binding comes back on drop.
pub struct Bound<'e> {
    cell: &'e RefCell<Option<(Node, Node)>>,
    old: Option<Option<(Node, Node)>>,
}

impl Drop for Bound<'_> {
    fn drop(&mut self) {
        if let Some(old) = self.old.take() {
            *self.cell.borrow_mut() = old;
        }
    }
}

impl<'m, 'a> Eval<'m, 'a> {
    /// A module evaluated alone, with its variables' defaults.
    pub fn new(m: &'m Module<'a>) -> Self {
        Eval::instance(m, Shared::new(1), Scope::default(), None)
    }

    /// One instance of `m` in a tree of `folders`.
    pub fn instance(
        m: &'m Module<'a>,
        shared: Rc<Shared>,
        scope: Scope,
        folders: Option<&'m Folders<'a>>,
    ) -> Self {
        let mut ev = Eval {
            m,
            depth: Cell::new(0),
            shared,
            scope,
            each: RefCell::new(None),
            folders,
            children: RefCell::new(BTreeMap::new()),
            keys: RefCell::new(BTreeMap::new()),
        };
        // The module's own provider blocks (a root's, or a legacy module's) name accounts.
        let own: Vec<(String, String)> = m
            .providers
            .iter()
            .filter(|(k, _)| *k == "aws" || k.starts_with("aws."))
            .filter_map(|(k, (file, block))| Some((k.clone(), ev.provider_account(file, block)?)))
            .collect();
        ev.scope.accounts.extend(own);
        let aws: Vec<&hcl_edit::structure::Block> = m
            .providers
            .iter()
            .filter(|(k, _)| *k == "aws" || k.starts_with("aws."))
            .map(|(_, (_, block))| *block)
            .collect();
        let no_default_tags = aws
            .iter()
            .all(|b| b.body.get_blocks("default_tags").next().is_none());
        ev.scope.provider_tags_known = if ev.scope.root.is_none() {
            !aws.is_empty() && no_default_tags
        } else {
            ev.scope.provider_tags_known && no_default_tags
        };
        ev
    }

    /// `<file>#<prefix><name>`: the id of an item of this instance.
    pub fn id(&self, file: &SourceFile, name: &str) -> String {
        super::refs::id(file, &format!("{}{name}", self.scope.prefix))
    }

    /// A function's id: `<file>#<name>` in a root (as before modules were instantiated),
    /// `<file>#<prefix><address>` in a module instance; `addr` is the instance's address,
    /// whose key (`["a"]`, `[0]`) the id keeps.
    pub fn function_id(&self, d: &super::module::Decl, addr: &str) -> String {
        if self.scope.prefix.is_empty() {
            let key = addr.strip_prefix(&d.address()).unwrap_or("");
            super::refs::id(d.file, &format!("{}{key}", d.name))
        } else {
            self.id(d.file, addr)
        }
    }

    /// The folder relative paths start from: the root module's.
    pub fn root_dir(&self) -> &str {
        self.scope.root.as_deref().unwrap_or(&self.m.dir)
    }

    /// `path.module`: the module's folder relative to the root's (`.` in the root).
    pub fn path_module(&self) -> String {
        let root: Vec<&str> = self
            .root_dir()
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        let dir: Vec<&str> = self.m.dir.split('/').filter(|p| !p.is_empty()).collect();
        let common = root.iter().zip(&dir).take_while(|(a, b)| a == b).count();
        let mut parts: Vec<&str> = vec![".."; root.len() - common];
        parts.extend(&dir[common..]);
        if parts.is_empty() {
            ".".to_string()
        } else {
            parts.join("/")
        }
    }

    /// A relative path written in the module (after `path.module` is replaced), joined with
    /// the root's folder, as Terraform resolves it.
    pub fn join(&self, rel: &str) -> Option<String> {
        let root = self.root_dir();
        let base = if root.is_empty() {
            "x".to_string()
        } else {
            format!("{root}/x")
        };
        crate::parse::common::join_path(&base, rel)
    }

    /// An address of this instance as the report shows it (`module.x.aws_sqs_queue.q`).
    pub fn display(&self, addr: &str) -> String {
        format!("{}{addr}", self.scope.prefix)
    }

    /// A function's logical name: its resource name (with its instance key), prefixed in a
    /// module instance.
    pub fn function_name(&self, name: &str) -> String {
        format!("{}{name}", self.scope.prefix)
    }

    /// The account a provider configuration is pinned to: one `allowed_account_ids`, or the
    /// account of its `assume_role` `role_arn`.
    fn provider_account(
        &self,
        file: &SourceFile,
        block: &hcl_edit::structure::Block,
    ) -> Option<String> {
        let b = &block.body;
        if let Some(a) = b.get_attribute("allowed_account_ids") {
            let n = self.expr(file, &a.value);
            let ids: Vec<String> = n.items().filter_map(Node::scalar_text).collect();
            if let [one] = ids.as_slice()
                && crate::arn::is_account_id(one)
            {
                return Some(one.clone());
            }
        }
        let ar = b.get_blocks("assume_role").next()?;
        let arn = self
            .expr(file, &ar.body.get_attribute("role_arn")?.value)
            .scalar_text()?;
        let parsed = crate::arn::Arn::parse(&arn).ok()?;
        let account = parsed.account()?.literal()?;
        crate::arn::is_account_id(account).then(|| account.to_string())
    }

    /// The account of the provider configuration a resource or data source uses.
    pub fn account_of(
        &self,
        block: &hcl_edit::structure::Block,
        file: &SourceFile,
    ) -> Option<&str> {
        let key = match block.body.get_attribute("provider") {
            Some(a) => {
                let span = span_of(file, &a.value);
                file.text
                    .get(span.start as usize..span.end as usize)?
                    .trim()
                    .to_string()
            }
            None => "aws".to_string(),
        };
        self.scope.accounts.get(&key).map(String::as_str)
    }

    /// Charges `units` of work; `false` once the budget is spent (reported once, where it ran
    /// out).
    fn charge(&self, units: u64, span: Span) -> bool {
        self.shared.budget.charge(units, || {
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
            Expression::Conditional(c) => match self.expr(file, &c.cond_expr).value {
                Value::Bool(true) => self.expr(file, &c.true_expr),
                Value::Bool(false) => self.expr(file, &c.false_expr),
                // Unknown condition: a value only when both branches agree, never one
                // branch taken as fact.
                _ => {
                    let t = self.expr(file, &c.true_expr);
                    let f = self.expr(file, &c.false_expr);
                    if same(&t, &f) {
                        Node { span, ..t }
                    } else {
                        self.unknown(file, e)
                    }
                }
            },
            Expression::FuncCall(f) => self.call(file, f, span),
            Expression::Traversal(t) => self.traversal(file, t, span),
            Expression::UnaryOp(op) if matches!(op.operator.value(), UnaryOperator::Not) => {
                match self.expr(file, &op.expr).value {
                    Value::Bool(b) => Node::new(Value::Bool(!b), span),
                    _ => self.unknown(file, e),
                }
            }
            Expression::BinaryOp(op)
                if matches!(
                    op.operator.value(),
                    BinaryOperator::And | BinaryOperator::Or
                ) =>
            {
                // `false && x` is false and `true || x` true whatever `x` is.
                let or = matches!(op.operator.value(), BinaryOperator::Or);
                let l = self.expr(file, &op.lhs_expr).as_bool();
                if l == Some(or) {
                    return Node::new(Value::Bool(or), span);
                }
                let r = self.expr(file, &op.rhs_expr).as_bool();
                match (l, r) {
                    (_, Some(b)) if b == or => Node::new(Value::Bool(or), span),
                    (Some(_), Some(b)) => Node::new(Value::Bool(b), span),
                    _ => self.unknown(file, e),
                }
            }
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
                let rel = self.join(&path);
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
            // The number of items of a list or map is known even when the items are not.
            "length" => match arg(0).map(|n| n.value) {
                Some(Value::Seq(s)) => Node::new(Value::Number(s.len().to_string()), span),
                Some(Value::Map(m)) => Node::new(Value::Number(m.len().to_string()), span),
                _ => unknown(),
            },
            "one" => match arg(0).map(|n| n.value) {
                Some(Value::Seq(s)) if s.is_empty() => Node::new(Value::Null, span),
                Some(Value::Seq(mut s)) if s.len() == 1 => s.remove(0),
                _ => unknown(),
            },
            // Both in lexicographic order of the keys ("keys Function", Terraform language docs).
            "values" | "keys" => match arg(0).map(|n| n.value) {
                Some(Value::Map(mut m)) => Node::new(
                    Value::Seq(
                        {
                            m.sort_by(|a, b| a.0.name.cmp(&b.0.name));
                            m
                        }
                        .into_iter()
                        .map(|(k, v)| match f.name.name.as_str() {
                            "keys" => Node::string(k.name, k.span),
                            _ => v,
                        })
                        .collect(),
                    ),
                    span,
                ),
                _ => unknown(),
            },
            "element" => {
                let (Some(list), Some(i)) = (arg(0), arg(1).and_then(|i| i.as_f64())) else {
                    return unknown();
                };
                let items: Vec<&Node> = list.items().collect();
                match list.value {
                    Value::Seq(_) if !items.is_empty() && i >= 0.0 && i.fract() == 0.0 => {
                        items[(i as usize) % items.len()].clone()
                    }
                    _ => unknown(),
                }
            }
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
                // A splat over a single value (`data.x[*].json` without `count`) is that value;
                // joining one policy document is the document.
                if !matches!(list.value, Value::Seq(_)) {
                    return match list.scalar_text() {
                        Some(t) => Node::string(t, span),
                        None if list.is_map() => list,
                        None => unknown(),
                    };
                }
                if let [one] = list.items().collect::<Vec<_>>().as_slice()
                    && one.is_map()
                {
                    return (*one).clone();
                }
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
        if root.as_str() == "module" {
            return self
                .module_output(file, t)
                .map_or_else(|| self.unknown(file, t), |n| Node { span, ..n });
        }
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
            // A value the caller binds (its `null` included: variables are nullable unless
            // declared otherwise), else the default.
            ("var", [name, rest @ ..]) => match self.scope.vars.get(*name) {
                Some(n) => Some(at(n.clone(), rest)),
                None => match self.m.variables.get(*name) {
                    Some(v) => self
                        .nested(|| self.expr(v.file, v.expr))
                        .map(|n| at(n, rest)),
                    None => None,
                },
            },
            ("each", ["key"]) => self.each.borrow().as_ref().map(|(k, _)| k.clone()),
            ("each", ["value", rest @ ..]) => {
                let v = self.each.borrow().as_ref().map(|(_, v)| v.clone());
                v.map(|n| at(n, rest))
            }
            ("count", ["index"]) => self.each.borrow().as_ref().map(|(k, _)| k.clone()),
            ("local", [name, rest @ ..]) => match self.m.locals.get(*name) {
                Some(v) => self
                    .nested(|| self.expr(v.file, v.expr))
                    .map(|n| at(n, rest)),
                None => None,
            },
            ("path", ["module"]) => Some(Node::string(self.path_module(), span)),
            ("path", ["root" | "cwd"]) => Some(Node::string(".", span)),
            ("data", [kind, name, attr, ..]) => self.data(kind, name, attr, span),
            ("archive_file", [name, "output_path"]) => self
                .m
                .resources
                .get(&format!("archive_file.{name}"))
                .and_then(|d| {
                    let a = d.block.body.get_attribute("output_path")?;
                    self.nested(|| self.expr(d.file, &a.value))
                }),
            (kind, [name, ..]) if self.m.resources.contains_key(&format!("{kind}.{name}")) => {
                self.resource_ref(file, kind, t, span)
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
            ("aws_caller_identity", "account_id") => {
                let d = self.m.data.get(&format!("{kind}.{name}"));
                let account = d.and_then(|d| self.account_of(d.block, d.file));
                s(account.unwrap_or("${AWS::AccountId}"))
            }
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
        let placeholder = format!("${{{}{addr}}}", self.scope.prefix);
        let Some(d) = self.decl(addr) else {
            return placeholder;
        };
        let _each = self.bind(self.each_of(addr));
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
        let d = self.decl(addr)?;
        let _each = self.bind(self.each_of(addr));
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
        let full = format!("{}{addr}", self.scope.prefix);
        let arn = crate::parse::common::resources::arn(kind, &full, &name, &prop)?;
        Some(match self.account_of(d.block, d.file) {
            Some(account) => arn.replace("${AWS::AccountId}", account),
            None => arn,
        })
    }
}

impl<'m, 'a> Eval<'m, 'a> {
    /// Binds `each`/`count.index` until the guard drops.
    pub fn bind(&self, each: Option<(Node, Node)>) -> Bound<'_> {
        let old = self.each.replace(each);
        Bound {
            cell: &self.each,
            old: Some(old),
        }
    }

    /// Every instance of every declared resource, in address order: one per key of a known
    /// `count`/`for_each`, none for a known `0` or empty collection, one (unkeyed) otherwise.
    pub fn resources(&self) -> Vec<Res<'m, 'a>> {
        let mut out = Vec::new();
        for (addr, d) in &self.m.resources {
            for (key, each) in self.resource_keys(d).iter() {
                out.push(Res {
                    addr: format!("{addr}{key}"),
                    d,
                    each: each.clone(),
                });
            }
        }
        out
    }

    /// The declaration of a resource address, its instance key (`["a"]`, `[0]`) ignored.
    pub fn decl(&self, addr: &str) -> Option<&'m super::module::Decl<'a>> {
        self.m.resources.get(split_key(addr).0)
    }

    /// What `each`/`count.index` are in the instance `addr` names (`None` for an unkeyed
    /// address).
    pub fn each_of(&self, addr: &str) -> Option<(Node, Node)> {
        let (base, key) = split_key(addr);
        if key.is_empty() {
            return None;
        }
        let d = self.m.resources.get(base)?;
        self.resource_keys(d)
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, e)| e.clone())
    }

    /// The instance keys of a resource, from its `count`/`for_each` (computed once). A
    /// `count`/`for_each` whose value is unknown makes one unkeyed instance, with an
    /// incomplete-input note for the resources the audit reads.
    pub fn resource_keys(&self, d: &super::module::Decl) -> Rc<Keys> {
        let addr = d.address();
        if let Some(k) = self.keys.borrow().get(&addr) {
            return k.clone();
        }
        let keys = {
            let _unbound = self.bind(None);
            self.nested(|| self.compute_keys(d))
                .unwrap_or_else(|| vec![(String::new(), None)])
        };
        let keys = Rc::new(keys);
        self.keys.borrow_mut().insert(addr, keys.clone());
        keys
    }

    fn compute_keys(&self, d: &super::module::Decl) -> Keys {
        let b = &d.block.body;
        let shown = format!("{}{}", self.scope.prefix, d.address());
        let read = super::roles::handled(d) || kinds::cfn_kind(&d.kind).is_some();
        let unknown = |what: &str, span: Span, bound: &str| {
            if read {
                self.shared.note(
                    span,
                    format!(
                        "`{what}` of `{shown}` is not known from the configuration; it is audited \
                         once with {bound} unknown"
                    ),
                );
            }
            vec![(String::new(), None)]
        };
        if let Some(a) = b.get_attribute("for_each") {
            let n = self.expr(d.file, &a.value);
            let span = span_of(d.file, &a.value);
            let mut keys = Vec::new();
            match &n.value {
                Value::Map(m) if m.iter().all(|(k, _)| !k.name.contains("${")) => {
                    for (k, v) in m {
                        let key = Node::string(k.name.clone(), k.span);
                        keys.push((format!("[{:?}]", k.name), Some((key, v.clone()))));
                    }
                }
                Value::Seq(items) if items.iter().all(is_known) => {
                    for v in items {
                        let Some(k) = v.scalar_text() else {
                            return unknown("for_each", span, "`each.key` and `each.value`");
                        };
                        let key = format!("[{k:?}]");
                        if !keys.iter().any(|(x, _)| *x == key) {
                            let kn = Node::string(k, v.span);
                            keys.push((key, Some((kn.clone(), kn))));
                        }
                    }
                }
                _ => return unknown("for_each", span, "`each.key` and `each.value`"),
            }
            return keys;
        }
        if let Some(a) = b.get_attribute("count") {
            let n = self.expr(d.file, &a.value);
            return match n.as_f64() {
                Some(c) if c >= 0.0 && c.fract() == 0.0 && c <= MAX_INSTANCES as f64 => (0..c
                    as u64)
                    .map(|i| {
                        let idx = Node::new(Value::Number(i.to_string()), n.span);
                        (format!("[{i}]"), Some((idx.clone(), idx)))
                    })
                    .collect(),
                _ => unknown("count", span_of(d.file, &a.value), "`count.index`"),
            };
        }
        vec![(String::new(), None)]
    }

    /// A reference to a resource (`aws_x.y.attr`, `aws_x.y[<key>].attr`, `aws_x.y[*].attr`):
    /// the attribute of the instance the key names, each instance's for a splat (a list), the
    /// one instance's for a resource without `count`/`for_each` (a splat over it too).
    fn resource_ref(
        &self,
        file: &SourceFile,
        kind: &str,
        t: &hcl_edit::expr::Traversal,
        span: Span,
    ) -> Option<Node> {
        let mut ops = t.operators.iter().map(|o| o.value()).peekable();
        let TraversalOperator::GetAttr(name) = ops.next()? else {
            return None;
        };
        let base = format!("{kind}.{}", name.as_str());
        let d = self.m.resources.get(&base)?;
        let keys = self.resource_keys(d);
        let unkeyed = matches!(keys.as_slice(), [(k, _)] if k.is_empty());
        enum Pick {
            One(String),
            All,
        }
        let pick = match ops.peek() {
            Some(TraversalOperator::Index(i)) => {
                let k = self.expr(file, i);
                ops.next();
                match instance_key(&k) {
                    _ if unkeyed => Pick::One(base.clone()),
                    Some(key) => Pick::One(format!("{base}{key}")),
                    None => return None,
                }
            }
            Some(TraversalOperator::LegacyIndex(i)) => {
                let key = format!("[{}]", i.value());
                ops.next();
                Pick::One(if unkeyed {
                    base.clone()
                } else {
                    base.clone() + &key
                })
            }
            Some(TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)) => {
                ops.next();
                if unkeyed {
                    Pick::One(base.clone())
                } else {
                    Pick::All
                }
            }
            _ if unkeyed => Pick::One(base.clone()),
            // A resource with instances named without a key is a map or a list of objects.
            _ => return None,
        };
        let Some(TraversalOperator::GetAttr(attr)) = ops.next() else {
            return None;
        };
        let value = |addr: &str| -> Option<Node> {
            if !keys.iter().any(|(k, _)| format!("{base}{k}") == addr) {
                return None;
            }
            let full = format!("{}{addr}", self.scope.prefix);
            let account = self.account_of(d.block, d.file);
            let v = self.nested(|| {
                kinds::attribute(
                    kind,
                    &full,
                    &self.name(addr),
                    self.arn(addr).as_deref(),
                    attr.as_str(),
                )
            })?;
            let v = match account {
                Some(a) => v.replace("${AWS::AccountId}", a),
                None => v,
            };
            Some(Node::string(v, span))
        };
        match pick {
            Pick::One(addr) => value(&addr),
            Pick::All => {
                let items: Option<Vec<Node>> = keys
                    .iter()
                    .map(|(k, _)| value(&format!("{base}{k}")))
                    .collect();
                Some(Node::new(Value::Seq(items?), span))
            }
        }
    }

    /// `module.<name>.<output>`, `module.<name>[<key>].<output>`: the output evaluated in
    /// the child instance.
    fn module_output(&self, file: &SourceFile, t: &hcl_edit::expr::Traversal) -> Option<Node> {
        let mut ops = t.operators.iter().map(|o| o.value());
        let TraversalOperator::GetAttr(name) = ops.next()? else {
            return None;
        };
        let mut next = ops.next()?;
        let key = match next {
            TraversalOperator::Index(i) => {
                let k = self.expr(file, i);
                next = ops.next()?;
                Some(instance_key(&k)?)
            }
            TraversalOperator::LegacyIndex(i) => {
                next = ops.next()?;
                Some(format!("[{}]", i.value()))
            }
            _ => None,
        };
        let TraversalOperator::GetAttr(output) = next else {
            return None;
        };
        let rest: Vec<&str> = ops
            .map(|o| match o {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let instances = self.children(name.as_str());
        let child = match key {
            Some(k) => instances.iter().find(|(x, _)| *x == k)?,
            None => match instances.as_slice() {
                [one] if one.0.is_empty() => one,
                _ => return None,
            },
        };
        let child = &child.1;
        let out = child.m.outputs.get(output.as_str())?;
        let mut n = child.nested(|| child.expr(out.file, out.expr))?;
        for k in rest {
            n = n.get(k)?.clone();
        }
        Some(n)
    }

    /// The instances of a local `module` call, made once: its arguments bound to the child's
    /// variables (with `each`/`count.index` bound per instance).
    pub fn children(&self, name: &str) -> Instances<'m, 'a> {
        match self.children.borrow().get(name) {
            Some(Child::Done(list)) => return list.clone(),
            Some(Child::Busy) => {
                if let Some(d) = self.m.modules.get(name) {
                    self.shared.note(
                        d.span,
                        format!(
                            "module `{}{name}` uses its own outputs through other modules (a \
                             cycle); those values are left unknown",
                            self.scope.prefix
                        ),
                    );
                }
                return Vec::new();
            }
            None => {}
        }
        self.children
            .borrow_mut()
            .insert(name.to_string(), Child::Busy);
        let list = self.instantiate(name);
        self.children
            .borrow_mut()
            .insert(name.to_string(), Child::Done(list.clone()));
        list
    }

    /// The folder a `module` call's local `source` names, if it is one of the tree's.
    pub fn local_source(&self, d: &super::module::Decl) -> Option<&'m Module<'a>> {
        let src = d.block.body.get_attribute("source")?;
        let Expression::String(s) = &src.value else {
            return None;
        };
        let s = s.value();
        if !(s.starts_with("./") || s.starts_with("../")) {
            return None;
        }
        let dir = self.m.join(s)?;
        let dir = if dir == "." { String::new() } else { dir };
        self.folders?.get(&dir)
    }

    fn instantiate(&self, name: &str) -> Instances<'m, 'a> {
        let Some(d) = self.m.modules.get(name) else {
            return Vec::new();
        };
        let Some(child) = self.local_source(d) else {
            return Vec::new();
        };
        let call = format!("{}module.{name}", self.scope.prefix);
        if child.dir == self.m.dir || self.scope.chain.contains(&child.dir) {
            self.shared.note(
                d.span,
                format!(
                    "module `{call}` calls `{}`, which is already being instantiated above it (a \
                     module cycle); it is not instantiated again",
                    display_dir(&child.dir)
                ),
            );
            return Vec::new();
        }
        let b = &d.block.body;
        // (key, each.key or count.index, each.value)
        let mut keys: Vec<(String, Option<(Node, Node)>)> = Vec::new();
        if let Some(a) = b.get_attribute("for_each") {
            let n = self.expr(d.file, &a.value);
            match &n.value {
                Value::Map(m) => {
                    for (k, v) in m {
                        let key = Node::string(k.name.clone(), k.span);
                        keys.push((format!("[{:?}]", k.name), Some((key, v.clone()))));
                    }
                }
                Value::Seq(items) if items.iter().all(is_known) => {
                    for v in items {
                        let Some(k) = v.scalar_text() else { continue };
                        keys.push((format!("[{k:?}]"), Some((v.clone(), v.clone()))));
                    }
                }
                _ => {
                    self.shared.note(
                        span_of(d.file, &a.value),
                        format!(
                            "`for_each` of module `{call}` is not known from the configuration; \
                             it is audited once with `each.key` and `each.value` unknown"
                        ),
                    );
                    let k = Node::string("${each.key}", n.span);
                    let v = Node::string("${each.value}", n.span);
                    keys.push(("[*]".to_string(), Some((k, v))));
                }
            }
        } else if let Some(a) = b.get_attribute("count") {
            let n = self.expr(d.file, &a.value);
            match n.as_f64() {
                Some(c) if c >= 0.0 && c.fract() == 0.0 => {
                    for i in 0..(c as u64) {
                        let idx = Node::new(Value::Number(i.to_string()), n.span);
                        keys.push((format!("[{i}]"), Some((idx.clone(), idx))));
                    }
                }
                _ => {
                    self.shared.note(
                        span_of(d.file, &a.value),
                        format!(
                            "`count` of module `{call}` is not known from the configuration; it \
                             is audited once with `count.index` unknown"
                        ),
                    );
                    let idx = Node::string("${count.index}", n.span);
                    keys.push(("[*]".to_string(), Some((idx.clone(), idx))));
                }
            }
        } else {
            keys.push((String::new(), None));
        }
        let mut out = Vec::new();
        for (key, each) in keys {
            let spent = !self.shared.instances.charge(1, || {
                self.shared.note(
                    d.span,
                    format!(
                        "the configuration creates more than {MAX_INSTANCES} module instances; \
                         the rest are not instantiated"
                    ),
                );
            });
            if spent {
                break;
            }
            let bound = self.bind(each);
            let mut vars = BTreeMap::new();
            for a in b.attributes() {
                let k = a.key.as_str();
                if matches!(
                    k,
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                vars.insert(k.to_string(), self.expr(d.file, &a.value));
            }
            drop(bound);
            let mut accounts = BTreeMap::new();
            match b.get_attribute("providers") {
                Some(p) => {
                    if let Expression::Object(o) = &p.value {
                        for (k, v) in o.iter() {
                            let to = match k {
                                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                                hcl_edit::expr::ObjectKey::Expression(x) => self.text(d.file, x),
                            };
                            let vs = span_of(d.file, v.expr());
                            let from = d
                                .file
                                .text
                                .get(vs.start as usize..vs.end as usize)
                                .unwrap_or("")
                                .trim();
                            if let Some(acct) = self.scope.accounts.get(from) {
                                accounts.insert(to, acct.clone());
                            }
                        }
                    }
                }
                None => {
                    if let Some(acct) = self.scope.accounts.get("aws") {
                        accounts.insert("aws".to_string(), acct.clone());
                    }
                }
            }
            let mut chain = self.scope.chain.clone();
            chain.push(self.m.dir.clone());
            let scope = Scope {
                prefix: format!("{call}{key}."),
                vars,
                accounts,
                chain,
                root: Some(self.root_dir().to_string()),
                provider_tags_known: self.scope.provider_tags_known,
            };
            let ev = Eval::instance(child, self.shared.clone(), scope, self.folders);
            out.push((key, Rc::new(ev)));
        }
        out
    }
}

/// `aws_x.y["k"]` -> (`aws_x.y`, `["k"]`); an address without a key has the key `""`.
pub fn split_key(addr: &str) -> (&str, &str) {
    match addr.find('[') {
        Some(i) => (&addr[..i], &addr[i..]),
        None => (addr, ""),
    }
}

/// The instance key `module.x[<key>]` selects.
pub(super) fn instance_key(k: &Node) -> Option<String> {
    match &k.value {
        Value::Number(n) => Some(format!("[{n}]")),
        Value::String(s) if !s.contains("${") => Some(format!("[{s:?}]")),
        _ => None,
    }
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Two values equal apart from where they are written.
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, p), (l, q))| k.name == l.name && same(p, q))
        }
        (x, y) => x == y,
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
