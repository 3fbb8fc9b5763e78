//! Symbolic evaluation of CloudFormation intrinsic functions: a resolved tree holds plain
//! strings with `${...}` placeholders for what is only known at deploy time. See "Intrinsic
//! function reference" and "Pseudo parameters reference" in the CloudFormation user guide.
//! Spans are kept from the original nodes.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::parse::common::resources;
use crate::source::{SourceFile, Span};
use crate::syntax::ParseError;
use crate::syntax::node::{Key, Node, Value};

/// A resource declared in the template.
pub struct Decl<'a> {
    pub kind: String,
    pub key: &'a Key,
    pub node: &'a Node,
}

impl<'a> Decl<'a> {
    pub fn props(&self) -> Option<&'a Node> {
        self.node.get("Properties")
    }
}

/// The parts of a template the resolver needs, plus the issues it finds.
pub struct Template<'a> {
    pub file: &'a SourceFile,
    pub resources: BTreeMap<String, Decl<'a>>,
    pub params: BTreeMap<String, &'a Node>,
    pub mappings: Option<&'a Node>,
    /// Resources SAM generates that templates may refer to (`<Function>Role`,
    /// `ServerlessRestApi`, `ServerlessHttpApi`), with their types.
    pub implicit: BTreeMap<String, &'static str>,
    /// SAM's `Globals.Function`, which every `AWS::Serverless::Function` inherits.
    pub function_globals: Option<&'a Node>,
    pub issues: RefCell<Vec<ParseError>>,
    /// Guards name resolution against self-referencing names.
    depth: Cell<u32>,
}

/// How `Fn::If` is evaluated.
#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    /// The first branch that is not `AWS::NoValue`.
    First,
    /// Both branches (policy documents: a statement may be granted in either case).
    Both,
}

pub(super) fn ph(s: &str, span: Span) -> Node {
    Node::string(format!("${{{s}}}"), span)
}

impl<'a> Template<'a> {
    pub fn new(file: &'a SourceFile, root: &'a Node) -> Template<'a> {
        let mut resources = BTreeMap::new();
        if let Some(res) = root.get("Resources") {
            for (k, v) in res.entries() {
                let kind = v
                    .get("Type")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                resources.insert(
                    k.name.clone(),
                    Decl {
                        kind,
                        key: k,
                        node: v,
                    },
                );
            }
        }
        let params = root
            .get("Parameters")
            .map(|p| p.entries().map(|(k, v)| (k.name.clone(), v)).collect())
            .unwrap_or_default();
        Template {
            file,
            resources,
            params,
            mappings: root.get("Mappings"),
            implicit: BTreeMap::new(),
            function_globals: root.get("Globals").and_then(|g| g.get("Function")),
            issues: RefCell::new(Vec::new()),
            depth: Cell::new(0),
        }
    }

    /// The type of a declared or SAM-generated resource.
    pub fn kind_of(&self, logical: &str) -> Option<&str> {
        match self.resources.get(logical) {
            Some(d) => Some(d.kind.as_str()),
            None => self.implicit.get(logical).copied(),
        }
    }

    /// A scalar property of a SAM function as the transform sees it: its own value, else the
    /// one `Globals.Function` gives (`AutoPublishAlias: live` in `Globals` publishes an alias
    /// of every function; "Globals section of the AWS SAM template").
    pub fn sam_function_prop(&self, logical: &str, key: &str) -> Option<&'a Node> {
        let decl = self.resources.get(logical)?;
        if decl.kind != "AWS::Serverless::Function" {
            return None;
        }
        decl.props()
            .and_then(|p| p.get(key))
            .or_else(|| self.function_globals.and_then(|g| g.get(key)))
    }

    pub fn issue(&self, span: Span, msg: impl Into<String>) {
        self.issues.borrow_mut().push(ParseError::new(span, msg));
    }

    /// Resolves a tree; `AWS::NoValue` at the top becomes `Null`.
    pub fn resolve(&self, n: &Node) -> Node {
        self.eval(n, Mode::First)
            .unwrap_or_else(|| Node::new(Value::Null, n.span))
    }

    /// Resolves a policy document: `Fn::If` keeps both branches.
    pub fn resolve_policy(&self, n: &Node) -> Node {
        self.eval(n, Mode::Both)
            .unwrap_or_else(|| Node::new(Value::Null, n.span))
    }

    /// Resolves to text (scalars only).
    pub fn text(&self, n: &Node) -> Option<String> {
        self.resolve(n).scalar_text()
    }

    /// Resolves to text, keeping the original span.
    pub fn spanned(&self, n: &Node) -> Option<crate::source::Spanned<String>> {
        self.text(n).map(|s| crate::source::Spanned::new(s, n.span))
    }

    /// `None` means `AWS::NoValue`: the key or item is removed.
    pub fn eval(&self, n: &Node, mode: Mode) -> Option<Node> {
        let span = n.span;
        match &n.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    if mode == Mode::Both
                        && let Some(("Fn::If", args)) = it.single_entry()
                    {
                        let a: Vec<&Node> = args.items().collect();
                        for b in a.iter().skip(1) {
                            out.extend(self.eval(b, mode));
                        }
                        continue;
                    }
                    out.extend(self.eval(it, mode));
                }
                Some(Node::new(Value::Seq(out), span))
            }
            Value::Map(entries) => {
                if entries.len() == 1 {
                    let (k, v) = (&entries[0].0, &entries[0].1);
                    if k.name == "Ref" || k.name.starts_with("Fn::") {
                        return self.intrinsic(&k.name, v, span, mode);
                    }
                }
                let out = entries
                    .iter()
                    .filter_map(|(k, v)| self.eval(v, mode).map(|v| (k.clone(), v)))
                    .collect();
                Some(Node::new(Value::Map(out), span))
            }
            _ => Some(n.clone()),
        }
    }

    fn intrinsic(&self, name: &str, arg: &Node, span: Span, mode: Mode) -> Option<Node> {
        let args: Vec<&Node> = match &arg.value {
            Value::Seq(s) => s.iter().collect(),
            _ => vec![arg],
        };
        let text_of = |n: &Node| self.eval(n, Mode::First).and_then(|r| r.scalar_text());
        match name {
            "Ref" => {
                let target = arg.as_str().unwrap_or("");
                self.reference(target, span)
            }
            "Fn::GetAtt" => {
                let (res, attr) = match (args.first(), args.get(1)) {
                    (Some(r), Some(a)) => {
                        (r.as_str().unwrap_or(""), text_of(a).unwrap_or_default())
                    }
                    (Some(r), None) => match r.as_str().and_then(|s| s.split_once('.')) {
                        Some((r, a)) => (r, a.to_string()),
                        None => ("", String::new()),
                    },
                    _ => ("", String::new()),
                };
                Some(self.get_att(res, &attr, span))
            }
            "Fn::Sub" => {
                let (tmpl, vars) = match &arg.value {
                    Value::Seq(s) => (s.first(), s.get(1)),
                    _ => (Some(arg), None),
                };
                let tmpl = tmpl.and_then(Node::as_str).unwrap_or("");
                let mut vmap = BTreeMap::new();
                if let Some(vars) = vars {
                    for (k, v) in vars.entries() {
                        let t = text_of(v).unwrap_or_else(|| format!("${{{}}}", k.name));
                        vmap.insert(k.name.clone(), t);
                    }
                }
                Some(Node::string(self.sub(tmpl, &vmap, span), span))
            }
            "Fn::Join" => {
                let delim = args.first().and_then(|d| text_of(d)).unwrap_or_default();
                let list = args.get(1).and_then(|l| self.eval(l, Mode::First));
                let parts: Vec<String> = list
                    .map(|l| {
                        l.items()
                            .map(|i| i.scalar_text().unwrap_or_else(|| "${Join}".into()))
                            .collect()
                    })
                    .unwrap_or_default();
                Some(Node::string(parts.join(&delim), span))
            }
            "Fn::Select" => {
                let idx = args
                    .first()
                    .and_then(|i| text_of(i))
                    .and_then(|i| i.parse::<usize>().ok());
                let list = args.get(1).and_then(|l| self.eval(l, Mode::First));
                let item = match (idx, list) {
                    (Some(i), Some(l)) if l.is_seq() => l.items().nth(i).cloned(),
                    _ => None,
                };
                Some(item.unwrap_or_else(|| ph("Select", span)))
            }
            "Fn::Split" => {
                let delim = args.first().and_then(|d| text_of(d)).unwrap_or_default();
                let s = args.get(1).and_then(|d| text_of(d));
                let items = match s {
                    Some(s) if !delim.is_empty() => s
                        .split(delim.as_str())
                        .map(|p| Node::string(p, span))
                        .collect(),
                    _ => vec![ph("Split", span)],
                };
                Some(Node::new(Value::Seq(items), span))
            }
            "Fn::FindInMap" => Some(self.find_in_map(&args, span)),
            "Fn::If" => {
                let branches: Vec<&Node> = args.iter().skip(1).copied().collect();
                if mode == Mode::Both {
                    let vals: Vec<Node> =
                        branches.iter().filter_map(|b| self.eval(b, mode)).collect();
                    return match vals.len() {
                        0 => None,
                        1 => vals.into_iter().next(),
                        _ if vals[0] == vals[1] => vals.into_iter().next(),
                        // Both alternatives as one list (lists are concatenated), so a
                        // `Statement`, `Action` or `Resource` sees everything either may grant.
                        _ => {
                            let mut items = Vec::new();
                            for v in vals {
                                match v.value {
                                    Value::Seq(s) => items.extend(s),
                                    _ => items.push(v),
                                }
                            }
                            Some(Node::new(Value::Seq(items), span))
                        }
                    };
                }
                branches.iter().find_map(|b| self.eval(b, mode))
            }
            "Fn::ImportValue" => {
                let n = text_of(arg).unwrap_or_default();
                Some(Node::string(format!("${{ImportValue:{n}}}"), span))
            }
            "Fn::Base64" => self.eval(arg, mode),
            "Fn::GetAZs" => Some(Node::new(
                Value::Seq(vec![
                    ph("AWS::Region.AZ1", span),
                    ph("AWS::Region.AZ2", span),
                ]),
                span,
            )),
            "Fn::Cidr" => Some(Node::new(Value::Seq(vec![ph("Cidr", span)]), span)),
            "Fn::ToJsonString" => {
                let v = self
                    .eval(arg, mode)
                    .map(|v| v.to_json())
                    .unwrap_or_default();
                Some(Node::string(v.to_string(), span))
            }
            "Fn::Length" => {
                let v = self.eval(arg, mode);
                let n = v.map(|v| v.items().count()).unwrap_or(0);
                Some(Node::new(Value::Number(n.to_string()), span))
            }
            "Fn::Transform" => Some(ph("Transform", span)),
            // Condition functions and unknown `Fn::` keys keep their (resolved) shape.
            _ => {
                let inner = self
                    .eval(arg, mode)
                    .unwrap_or_else(|| Node::new(Value::Null, span));
                Some(Node::new(
                    Value::Map(vec![(
                        Key {
                            name: name.to_string(),
                            span,
                        },
                        inner,
                    )]),
                    span,
                ))
            }
        }
    }

    /// `Ref` to a parameter, pseudo parameter or resource. `None` for `AWS::NoValue`.
    pub fn reference(&self, target: &str, span: Span) -> Option<Node> {
        if let Some(p) = pseudo(target) {
            return p.map(|s| Node::string(s, span));
        }
        if let Some(param) = self.params.get(target) {
            let ty = param.get("Type").and_then(Node::as_str).unwrap_or("String");
            return Some(match param.get("Default").and_then(Node::scalar_text) {
                Some(d) if ty.contains("List") => Node::new(
                    Value::Seq(d.split(',').map(|s| Node::string(s.trim(), span)).collect()),
                    span,
                ),
                Some(d) => Node::string(d, span),
                None => ph(target, span),
            });
        }
        if let Some(kind) = self.kind_of(target) {
            let name = self.physical_name(target);
            let arn = self.arn(target);
            return Some(Node::string(
                resources::ref_value(kind, target, &name, arn.as_deref()),
                span,
            ));
        }
        // SAM's `Function.Alias` and `Api.Stage` references.
        if let Some((res, attr)) = target.split_once('.')
            && let Some(decl) = self.resources.get(res)
        {
            let prop = |k: &str| {
                decl.props()
                    .and_then(|p| p.get(k))
                    .and_then(|n| self.text(n))
            };
            let v = match attr {
                "Alias" => self
                    .sam_function_prop(res, "AutoPublishAlias")
                    .and_then(|n| self.text(n))
                    .map(|a| format!("{}:{a}", self.arn(res).unwrap_or_default())),
                "Stage" => prop("StageName"),
                _ => None,
            };
            return Some(Node::string(
                v.unwrap_or_else(|| format!("${{{target}}}")),
                span,
            ));
        }
        self.issue(
            span,
            format!("Ref to `{target}`, which the template does not declare"),
        );
        Some(ph(target, span))
    }

    pub fn get_att(&self, res: &str, attr: &str, span: Span) -> Node {
        // `${Function.Alias}` / `${Api.Stage}` in `Fn::Sub` are SAM references, not attributes.
        if matches!(attr, "Alias" | "Stage")
            && self
                .kind_of(res)
                .is_some_and(|k| k.starts_with("AWS::Serverless::"))
            && let Some(n) = self.reference(&format!("{res}.{attr}"), span)
        {
            return n;
        }
        let Some(kind) = self.kind_of(res) else {
            self.issue(
                span,
                format!("Fn::GetAtt on `{res}`, which the template does not declare"),
            );
            return ph(&format!("{res}.{attr}"), span);
        };
        let name = self.physical_name(res);
        let arn = self.arn(res);
        Node::string(
            resources::get_att(kind, res, &name, arn.as_deref(), attr),
            span,
        )
    }

    /// The physical name: the literal name property, else `${LogicalId}`.
    pub fn physical_name(&self, logical: &str) -> String {
        let fallback = format!("${{{logical}}}");
        let Some(decl) = self.resources.get(logical) else {
            return fallback;
        };
        let Some(prop) = resources::name_property(&decl.kind) else {
            return fallback;
        };
        let Some(node) = decl.props().and_then(|p| p.get(prop)) else {
            return fallback;
        };
        if self.depth.get() > 8 {
            return fallback;
        }
        self.depth.set(self.depth.get() + 1);
        let name = self.text(node);
        self.depth.set(self.depth.get() - 1);
        name.filter(|n| !n.is_empty()).unwrap_or(fallback)
    }

    /// The ARN of a declared resource, when its type has one.
    pub fn arn(&self, logical: &str) -> Option<String> {
        let name = self.physical_name(logical);
        let Some(decl) = self.resources.get(logical) else {
            let kind = self.implicit.get(logical)?;
            return resources::arn(kind, logical, &name, &|_| None);
        };
        if self.depth.get() > 8 {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let props = decl.props();
        let prop = |p: &str| props.and_then(|n| n.get(p)).and_then(|n| self.text(n));
        let arn = resources::arn(&decl.kind, logical, &name, &prop);
        self.depth.set(self.depth.get() - 1);
        arn
    }
}

/// Pseudo parameters: `Some(None)` is `AWS::NoValue`.
pub(super) fn pseudo(name: &str) -> Option<Option<String>> {
    Some(match name {
        "AWS::Partition" => Some("aws".into()),
        "AWS::URLSuffix" => Some("amazonaws.com".into()),
        "AWS::NoValue" => None,
        "AWS::Region"
        | "AWS::AccountId"
        | "AWS::StackName"
        | "AWS::StackId"
        | "AWS::NotificationARNs" => Some(format!("${{{name}}}")),
        _ => return None,
    })
}
