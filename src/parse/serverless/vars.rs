//! Serverless Framework variables (`${source:address, fallback}`), resolved offline.
//!
//! See "Variables" in the Serverless Framework guide: `self`, `opt`, `sls`, `env`, `file`,
//! `aws`, `ssm`, `cf`, `s3`, `param`. What only exists at deploy time stays symbolic:
//! `${env:X}`, `${ssm:/p}`, `${cf:stack.out}`; `${aws:accountId}`/`${aws:region}` become the
//! model's `${AWS::AccountId}`/`${AWS::Region}`. `${AWS::Region}` and other text that is not a
//! Serverless variable (CloudFormation `Fn::Sub` names, `${stageVariables.x}`) is kept as is.
//!
//! A value rolefit cannot know is unknown, not an error: a `${file(...)}` that is not in the
//! audited folder (secrets files are rightly kept out of repositories) is said once as an
//! [`Unknown`] and every value read from it stays symbolic, as do `self:` references that
//! lead into it. Errors are kept for what the framework itself rejects (a `self:` address
//! that exists nowhere, a file that does not parse, a cycle).
//!
//! The stage and region the framework uses when neither the command line nor the file names
//! one are `dev` and `us-east-1`: "This example packages your service while using the default
//! stage (`dev`) and default region (`us-east-1`)" (Serverless Framework docs, "AWS - package",
//! <https://www.serverless.com/framework/docs/providers/aws/cli-reference/package>), and
//! `${sls:stage}` is "a shortcut to `${opt:stage, self:provider.stage, \"dev\"}`"
//! (serverless/serverless#9296). The region stays the model's `${AWS::Region}` (the region
//! deployed to, `us-east-1` unless `--region` says otherwise) so that it matches the ARNs of
//! the resources the same configuration declares.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::parse::budget::Budget;
use crate::parse::common::join_path;
use crate::source::{SourceFile, Span};
use crate::syntax::node::{Key, Node, Value};
use crate::syntax::{ParseError, Unknown, UnknownKind, json, yaml};

/// How deep variables may refer to variables before we call it a cycle.
const MAX_DEPTH: u32 = 24;

/// How much work resolving one configuration may do, in nodes produced plus bytes of
/// interpolated text / 16. Real configurations need a few thousand; a file that includes
/// itself, or variables that each use the previous one twice (`a: [${self:b}, ${self:b}]`,
/// `b: [${self:c}, ${self:c}]`, ...), grow exponentially and stop here, like a YAML alias bomb.
const WORK_BUDGET: u64 = 100_000;

/// The default stage when neither `provider.stage` nor a fallback names one.
pub const DEFAULT_STAGE: &str = "dev";

/// Reads a root-relative file; `None` when it is missing or outside the audited root.
pub type Files<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Resolves variables against one configuration (`root`) read from `file`.
pub struct Vars<'a> {
    file: &'a SourceFile,
    root: &'a Node,
    files: Files<'a>,
    /// The stage: `provider.stage` resolved, else [`DEFAULT_STAGE`].
    pub stage: String,
    pub issues: RefCell<Vec<ParseError>>,
    /// What could not be known (absent files, code resolvers not run).
    pub unknowns: RefCell<Vec<Unknown>>,
    /// Set when a lookup met a value that is unknown offline: the reference is unknown
    /// too, not wrong.
    met_unknown: Cell<bool>,
    depth: Cell<u32>,
    /// Work left of [`WORK_BUDGET`]; once spent, what is left stays unresolved.
    budget: Budget,
    loaded: RefCell<BTreeMap<String, Option<Node>>>,
}

impl<'a> Vars<'a> {
    pub fn new(file: &'a SourceFile, root: &'a Node, files: Files<'a>) -> Vars<'a> {
        let mut v = Vars {
            file,
            root,
            files,
            stage: DEFAULT_STAGE.to_string(),
            issues: RefCell::new(Vec::new()),
            unknowns: RefCell::new(Vec::new()),
            met_unknown: Cell::new(false),
            depth: Cell::new(0),
            budget: Budget::new(WORK_BUDGET),
            loaded: RefCell::new(BTreeMap::new()),
        };
        let stage = root
            .get("provider")
            .and_then(|p| p.get("stage"))
            .map(|s| v.resolve(s))
            .and_then(|s| s.scalar_text())
            .filter(|s| !s.is_empty() && !s.contains("${"));
        if let Some(stage) = stage {
            v.stage = stage;
        }
        v
    }

    fn issue(&self, span: Span, msg: impl Into<String>) {
        self.issues.borrow_mut().push(ParseError::new(span, msg));
    }

    fn unknown(&self, span: Span, kind: UnknownKind, subject: &str, msg: impl Into<String>) {
        self.met_unknown.set(true);
        self.unknowns
            .borrow_mut()
            .push(Unknown::new(span, kind, subject, msg));
    }

    /// Charges `units` of work; `false` once the budget is spent (reported once, where it
    /// ran out).
    fn charge(&self, units: u64, span: Span) -> bool {
        self.budget.charge(units, || {
            self.issue(
                span,
                format!(
                    "variables expand to more than {WORK_BUDGET} nodes (a file including itself, or a \
                     variable bomb?); the rest is left unresolved"
                ),
            );
        })
    }

    /// Resolves every variable in a tree. Map keys are resolved too (`${self:custom.x}: y`).
    pub fn resolve(&self, n: &Node) -> Node {
        if !self.charge(1, n.span) {
            return n.clone();
        }
        if self.depth.get() > MAX_DEPTH {
            self.issue(
                n.span,
                "variables refer to each other too deeply (a cycle?)",
            );
            return n.clone();
        }
        self.depth.set(self.depth.get() + 1);
        let out = match &n.value {
            Value::String(s) if s.contains("${") => self.resolve_str(s, n.span),
            Value::Seq(items) => Node::new(
                Value::Seq(items.iter().map(|i| self.resolve(i)).collect()),
                n.span,
            ),
            Value::Map(entries) => Node::new(
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            let name = if k.name.contains("${") {
                                self.resolve_str(&k.name, k.span)
                                    .scalar_text()
                                    .unwrap_or_else(|| k.name.clone())
                            } else {
                                k.name.clone()
                            };
                            (Key { name, span: k.span }, self.resolve(v))
                        })
                        .collect(),
                ),
                n.span,
            ),
            _ => n.clone(),
        };
        self.depth.set(self.depth.get() - 1);
        out
    }

    /// Resolves a string: one whole-string variable may yield any node (a map from
    /// `${file(...)}`); variables inside text are interpolated.
    pub fn resolve_str(&self, s: &str, span: Span) -> Node {
        let parts = split_vars(s);
        if let [Part::Var(inner)] = parts.as_slice() {
            return match self.variable(inner, span) {
                Some(n) => n,
                None => Node::string(format!("${{{inner}}}"), span),
            };
        }
        let mut out = String::new();
        for p in parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Var(inner) => {
                    let value = if self.charge(1 + out.len() as u64 / 16, span) {
                        self.variable(inner, span).and_then(|n| n.scalar_text())
                    } else {
                        None
                    };
                    match value {
                        Some(t) => out.push_str(&t),
                        None => out.push_str(&format!("${{{inner}}}")),
                    }
                }
            }
        }
        Node::string(out, span)
    }

    /// One variable's value; `None` keeps it symbolic.
    fn variable(&self, inner: &str, span: Span) -> Option<Node> {
        let params = split_top(inner, ',');
        let head = params.first().map_or("", |h| h.trim());
        // Nested variables in the address (`${self:custom.${sls:stage}.table}`).
        let head = if head.contains("${") {
            self.resolve_str(head, span)
                .scalar_text()
                .unwrap_or_default()
        } else {
            head.to_string()
        };
        if head.contains("${") {
            // The address itself is known only at deploy time.
            self.met_unknown.set(true);
            return None;
        }
        let outer_unknown = self.met_unknown.replace(false);
        let found = self.source(&head, span, params.len() > 1);
        if found.is_some() {
            self.met_unknown.set(outer_unknown);
            return found;
        }
        // Only the last alternative is final: the framework's own defaults apply to it.
        let last = params.len().saturating_sub(1);
        for (i, fb) in params.iter().enumerate().skip(1) {
            if let Some(v) = self.fallback(fb.trim(), span, i < last) {
                self.met_unknown.set(outer_unknown);
                return Some(v);
            }
        }
        // `file(...)` reports its own problem (unreadable, outside the root); a `self:` path
        // through an unknown value is unknown, not missing.
        if head.starts_with("self:") && !self.met_unknown.get() {
            self.issue(span, format!("`${{{inner}}}` does not resolve"));
        }
        self.met_unknown
            .set(outer_unknown || self.met_unknown.get());
        None
    }

    /// One fallback of a variable; `more` when other alternatives follow it.
    fn fallback(&self, fb: &str, span: Span, more: bool) -> Option<Node> {
        let unquoted = fb
            .strip_prefix('\'')
            .and_then(|f| f.strip_suffix('\''))
            .or_else(|| fb.strip_prefix('"').and_then(|f| f.strip_suffix('"')));
        if let Some(u) = unquoted {
            return Some(Node::string(u, span));
        }
        if fb.contains("${") {
            let r = self.resolve_str(fb, span);
            return (!r.as_str().is_some_and(|s| s.contains("${"))).then_some(r);
        }
        if is_variable(fb) {
            return self.source(fb, span, more);
        }
        if fb.is_empty() || fb == "null" {
            return None;
        }
        if fb.parse::<f64>().is_ok() {
            return Some(Node::new(Value::Number(fb.to_string()), span));
        }
        match fb {
            "true" => Some(Node::new(Value::Bool(true), span)),
            "false" => Some(Node::new(Value::Bool(false), span)),
            _ => Some(Node::string(fb, span)),
        }
    }

    /// A source lookup (`self:a.b`, `env:X`, `file(./x.yml):k`, ...). `has_fallback` makes
    /// sources that are unknown offline give way to the fallback.
    fn source(&self, head: &str, span: Span, has_fallback: bool) -> Option<Node> {
        if let Some(rest) = head.strip_prefix("file(") {
            let (path, address) = match rest.split_once(')') {
                Some((p, a)) => (p.trim(), a.trim_start_matches(':').trim()),
                None => (rest, ""),
            };
            let path = path.trim_matches(|c| c == '\'' || c == '"');
            return self.file_value(path, address, span);
        }
        let (source, address) = head.split_once(':')?;
        let address = address.trim();
        let symbolic = || Some(Node::string(format!("${{{head}}}"), span));
        match source.trim() {
            // The framework fills in the region and stage when the file leaves them out.
            "self" => self
                .lookup(self.root, &path_of(address), span)
                .or_else(|| match address {
                    "provider.region" if !has_fallback => {
                        Some(Node::string("${AWS::Region}", span))
                    }
                    "provider.stage" if !has_fallback => {
                        Some(Node::string(self.stage.clone(), span))
                    }
                    _ => None,
                }),
            "sls" => match address {
                "stage" => Some(Node::string(self.stage.clone(), span)),
                _ => symbolic(),
            },
            // Stage parameters: `params.<stage>.<key>`, else `params.default.<key>` (Serverless
            // Framework, "Parameters", "Inheritance and overriding",
            // https://www.serverless.com/framework/docs/guides/parameters); a `--param` given
            // on the command line would win, which the file cannot say.
            "param" => {
                let stage = self.stage.clone();
                self.lookup(self.root, &["params", stage.as_str(), address], span)
                    .or_else(|| self.lookup(self.root, &["params", "default", address], span))
                    .or_else(|| if has_fallback { None } else { symbolic() })
            }
            "opt" => match address {
                "stage" if !has_fallback => Some(Node::string(self.stage.clone(), span)),
                _ => None,
            },
            "env" => {
                if has_fallback {
                    None
                } else {
                    symbolic()
                }
            }
            "aws" => match address {
                "accountId" => Some(Node::string("${AWS::AccountId}", span)),
                "region" => Some(Node::string("${AWS::Region}", span)),
                _ => symbolic(),
            },
            _ => symbolic(),
        }
    }

    /// Walks `path` from `n`, resolving variables met on the way.
    fn lookup(&self, n: &Node, path: &[&str], span: Span) -> Option<Node> {
        if self.depth.get() > MAX_DEPTH {
            self.issue(span, "variables refer to each other too deeply (a cycle?)");
            return None;
        }
        if let Value::String(s) = &n.value
            && s.contains("${")
        {
            self.depth.set(self.depth.get() + 1);
            let r = self.resolve_str(s, n.span);
            let out = if r.as_str().is_some_and(|x| x == s) {
                // A value known only at deploy time (`${ssm:...}`, an absent file): what lies
                // under it is unknown.
                self.met_unknown.set(true);
                None
            } else {
                self.lookup(&r, path, span)
            };
            self.depth.set(self.depth.get() - 1);
            return out;
        }
        let Some((first, rest)) = path.split_first() else {
            return Some(self.resolve(n));
        };
        let next = match &n.value {
            Value::Seq(items) => first.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => n.get(first),
        }?;
        self.lookup(next, rest, span)
    }

    /// `${file(path):address}`: the file is read through the caller, relative to this file's
    /// folder; paths leaving the audited root are refused.
    fn file_value(&self, path: &str, address: &str, span: Span) -> Option<Node> {
        let Some(rel) = join_path(&self.file.path, path) else {
            self.unknown(
                span,
                UnknownKind::MissingFile,
                path,
                format!(
                    "`{path}` is outside the audited folder: the values this configuration \
                     reads from it are unknown"
                ),
            );
            return None;
        };
        let lower = rel.to_ascii_lowercase();
        let is_json = lower.ends_with(".json");
        if !is_json && !lower.ends_with(".yml") && !lower.ends_with(".yaml") {
            // JavaScript/TypeScript variable resolvers run code: not evaluated.
            self.unknown(
                span,
                UnknownKind::Value,
                &rel,
                format!(
                    "`{rel}` computes values with code, which rolefit does not run: the values \
                     this configuration reads from it are unknown"
                ),
            );
            return Some(Node::string(format!("${{file({path}):{address}}}"), span));
        }
        let cached = self.loaded.borrow().get(&rel).cloned();
        let doc = match cached {
            Some(d) => d,
            None => {
                let doc = self.load(&rel, is_json, span);
                self.loaded.borrow_mut().insert(rel.clone(), doc.clone());
                doc
            }
        };
        let Some(doc) = doc else {
            self.met_unknown.set(true);
            return None;
        };
        self.lookup(&doc, &path_of(address), span)
    }

    fn load(&self, rel: &str, is_json: bool, span: Span) -> Option<Node> {
        let Some(text) = (self.files)(rel) else {
            // Secrets and per-stage files are often kept out of the repository on purpose.
            self.unknown(
                span,
                UnknownKind::MissingFile,
                rel,
                format!(
                    "`{rel}` is not in the audited folder: the values this configuration reads \
                     from it are unknown"
                ),
            );
            return None;
        };
        let f = SourceFile::new(self.file.id, rel, text);
        let parsed = if is_json {
            json::parse(&f)
        } else {
            yaml::parse(&f)
        };
        match parsed {
            // Spans of the other file would point into this one: report at the reference.
            Ok(n) => Some(respan(&n, span)),
            Err(e) => {
                self.issue(span, format!("`{rel}`: {}", e.message));
                None
            }
        }
    }
}

/// A copy of `n` with every span replaced by `span`.
pub fn respan(n: &Node, span: Span) -> Node {
    let value = match &n.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|i| respan(i, span)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.name.clone(),
                            span,
                        },
                        respan(v, span),
                    )
                })
                .collect(),
        ),
        v => v.clone(),
    };
    Node::new(value, span)
}

fn path_of(address: &str) -> Vec<&str> {
    address.split('.').filter(|s| !s.is_empty()).collect()
}

#[derive(Debug, PartialEq)]
enum Part<'s> {
    Text(&'s str),
    /// The text between `${` and its matching `}`.
    Var(&'s str),
}

/// Splits text into literal parts and Serverless variables. `${...}` that is not a
/// Serverless variable stays text.
fn split_vars(s: &str) -> Vec<Part<'_>> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut depth = 0usize;
            let mut end = None;
            for (j, &b) in bytes.iter().enumerate().skip(i + 1) {
                match b {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { break };
            let inner = &s[i + 2..end];
            if is_variable(inner) {
                if text_start < i {
                    out.push(Part::Text(&s[text_start..i]));
                }
                out.push(Part::Var(inner));
                text_start = end + 1;
            }
            i = end + 1;
            continue;
        }
        i += 1;
    }
    if text_start < s.len() {
        out.push(Part::Text(&s[text_start..]));
    }
    out
}

/// `source:address` or `source(args)`: a name of letters and digits then `:` (not `::`,
/// which is CloudFormation's `AWS::Region`) or `(`.
fn is_variable(inner: &str) -> bool {
    let inner = inner.trim_start();
    let name_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 || !inner.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    let rest = &inner[name_len..];
    (rest.starts_with(':') && !rest.starts_with("::")) || rest.starts_with('(')
}

/// Splits at `sep` outside `${...}`, parentheses and quotes.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_serverless_variables() {
        assert_eq!(
            split_vars("a-${self:x}-${AWS::Region}-${stageVariables.b}"),
            vec![
                Part::Text("a-"),
                Part::Var("self:x"),
                Part::Text("-${AWS::Region}-${stageVariables.b}")
            ]
        );
        assert_eq!(
            split_vars("${file(./a.yml):k}"),
            vec![Part::Var("file(./a.yml):k")]
        );
    }

    #[test]
    fn splits_fallbacks_at_top_level() {
        assert_eq!(
            split_top("self:a.${opt:b, 'x,y'}, 'd'", ','),
            vec!["self:a.${opt:b, 'x,y'}", " 'd'"]
        );
    }
}
