//! Terraform HCL for `rolefit fix`: the statements of a role's policies removed and added in
//! the form they are written in, with every other byte of the `.tf` files kept. The forms are
//! those the Terraform front end reads: `statement` blocks of `data "aws_iam_policy_document"`,
//! `Statement` lists of `jsonencode({...})`, JSON heredocs (`<<EOF`, `<<-EOF`), the
//! `policy_statements` map of the terraform-aws-modules/lambda module, and managed policy
//! attachments (`managed_policy_arns` items, `aws_iam_role_policy_attachment` resources,
//! the module's `policies` list).
//!
//! A policy is edited only when it belongs to the role alone: the holder (a data source, an
//! `aws_iam_policy`, an `aws_iam_role_policy`, the role, the module block) is referred to once
//! in the module's files, from a holder of the role. A customer policy other roles share is
//! never edited: when every reference to it is an attachment to a role of these files, the
//! role is detached from it (`detach`) and what its functions use is added to its own
//! policy. The files are parsed with `hcl-edit`,
//! whose spans give the ranges the edits replace.

use std::collections::BTreeSet;
use std::ops::Range;

use hcl_edit::expr::{Array, Expression, Object, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};
use serde_json::Value;

use super::Removal;
use crate::model::{App, Function};
use crate::render::{self, Renderer};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::node::{Node, Value as V};

/// A Terraform execution role `fix` edits: an `aws_iam_role` resource of a root module, or the
/// role the lambda module creates.
#[derive(Clone, Debug)]
pub(super) struct Role {
    /// The role's id in the model.
    pub id: String,
    /// The module folder (`""` at the root): every `.tf` file in it.
    pub dir: String,
    /// The file that declares the role (or the module block).
    pub file: String,
    pub decl: Decl,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Decl {
    /// `aws_iam_role.<name>`.
    Resource(String),
    /// The `module "<name>"` block of terraform-aws-modules/lambda.
    LambdaModule(String),
    /// A `module "<name>"` block of a local module that declares the role: its policies are
    /// edited where the caller writes them (arguments of the block).
    LocalModule(String),
}

impl Role {
    /// The role from its model id (`main.tf#aws_iam_role.exec`, `main.tf#module.api.role`).
    pub fn of(role_id: &str, generated: bool, sources: &SourceMap) -> Result<Role, String> {
        let (file, addr) = role_id
            .rsplit_once('#')
            .ok_or("the role is not declared in a file")?;
        if addr.contains('[') {
            return Err("the role is one instance of a `for_each` or `count`: its policies are written once for every instance, so change them by hand".into());
        }
        let decl = if generated {
            let name = addr
                .strip_prefix("module.")
                .and_then(|a| a.strip_suffix(".role"))
                .filter(|n| !n.contains('.'))
                .ok_or("the role is created by a module rolefit cannot edit")?;
            Decl::LambdaModule(name.to_string())
        } else if addr.starts_with("module.") {
            let module = addr.rsplit_once(".aws_iam_role").map_or(addr, |(m, _)| m);
            let why = format!(
                "the role is declared inside `{module}`: the module's code is shared by its callers, so change the module or its inputs by hand"
            );
            let name = module.strip_prefix("module.").filter(|n| !n.contains('.'));
            let caller = name.and_then(|n| caller(sources, n, dir_of(file)));
            let (Some(name), Some(caller)) = (name, caller) else {
                return Err(why);
            };
            return Ok(Role {
                id: role_id.to_string(),
                dir: dir_of(&caller).to_string(),
                file: caller,
                decl: Decl::LocalModule(name.to_string()),
            });
        } else if addr.starts_with("aws_iam_role.") {
            Decl::Resource(addr.to_string())
        } else {
            return Err("the role is not an `aws_iam_role` resource".into());
        };
        Ok(Role {
            id: role_id.to_string(),
            dir: dir_of(file).to_string(),
            file: file.to_string(),
            decl,
        })
    }

    /// Whether a `.tf` file is one of the role's module.
    pub fn covers(&self, file: &str) -> bool {
        file.ends_with(".tf") && dir_of(file) == self.dir
    }
}

/// The file that declares `module "<name>"` with a local `source` that is `dir`.
fn caller(sources: &SourceMap, name: &str, dir: &str) -> Option<String> {
    sources
        .files()
        .iter()
        .filter(|s| s.path.ends_with(".tf"))
        .find(|s| {
            let Ok(body) = hcl_edit::parser::parse_body(&s.text) else {
                return false;
            };
            body.blocks().any(|b| {
                b.ident.as_str() == "module"
                    && b.labels.first().map(|l| l.as_str()) == Some(name)
                    && attr(&b.body, "source")
                        .and_then(Expression::as_str)
                        .is_some_and(|src| join(dir_of(&s.path), src).as_deref() == Some(dir))
            })
        })
        .map(|s| s.path.clone())
}

/// A relative module `source` (`./modules/fn`, `../shared`) from a folder, normalized.
fn join(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in source.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(d, _)| d)
}

/// One parsed file of the module.
struct Parsed<'s> {
    source: &'s SourceFile,
    body: Body,
}

fn parse_module<'s>(sources: &'s SourceMap, role: &Role) -> Result<Vec<Parsed<'s>>, String> {
    let mut out = Vec::new();
    for s in sources.files().iter().filter(|s| role.covers(&s.path)) {
        let body = hcl_edit::parser::parse_body(&s.text)
            .map_err(|e| format!("{} does not parse: {e}", s.path))?;
        out.push(Parsed { source: s, body });
    }
    Ok(out)
}

fn range<T: hcl_edit::Span + ?Sized>(item: &T) -> Option<Range<usize>> {
    item.span()
}

/// A top-level block's address (`aws_iam_policy.p`, `data.aws_iam_policy_document.d`,
/// `module.m`); `None` for other blocks.
fn address(b: &Block) -> Option<String> {
    let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
    match (b.ident.as_str(), labels.as_slice()) {
        ("resource", [kind, name]) => Some(format!("{kind}.{name}")),
        ("data", [kind, name]) => Some(format!("data.{kind}.{name}")),
        ("module", [name]) => Some(format!("module.{name}")),
        _ => None,
    }
}

fn kind(b: &Block) -> &str {
    b.labels.first().map_or("", |l| l.as_str())
}

/// Offsets in `text` where `addr` is referred to (`addr.` or `addr[`, not a longer name).
fn references(text: &str, addr: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(addr) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + addr.len()..].chars().next();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-';
        if !before.is_some_and(word) && matches!(after, Some('.') | Some('[')) {
            out.push(at);
        }
        from = at + addr.len();
    }
    out
}

/// The top-level block of `body` holding `offset`, with the attribute of that block (or of a
/// nested block) holding it.
fn holder_at(body: &Body, offset: usize) -> Option<(&Block, Option<String>)> {
    let block = body
        .blocks()
        .find(|b| range(*b).is_some_and(|r| r.contains(&offset)))?;
    fn attr_in(body: &Body, offset: usize) -> Option<String> {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) if range(a).is_some_and(|r| r.contains(&offset)) => {
                    return Some(a.key.as_str().to_string());
                }
                Structure::Block(b) if range(b).is_some_and(|r| r.contains(&offset)) => {
                    return attr_in(&b.body, offset);
                }
                _ => {}
            }
        }
        None
    }
    Some((block, attr_in(&block.body, offset)))
}

/// Arguments whose value is a permissions policy (not a trust policy).
const POLICY_ARGS: [&str; 4] = [
    "policy",
    "policy_json",
    "source_policy_documents",
    "source_json",
];

/// Whether the top-level block `b` belongs to the role alone: it is the role (or its module
/// block), a policy of the role's only, or a document only such a policy reads.
fn exclusive(module: &[Parsed], role: &Role, b: &Block, depth: usize) -> bool {
    let Some(addr) = address(b) else { return false };
    match &role.decl {
        Decl::Resource(r) if &addr == r => return true,
        Decl::LambdaModule(m) | Decl::LocalModule(m) if addr == format!("module.{m}") => {
            return true;
        }
        _ => {}
    }
    let role_ref = |e: Option<&Expression>, file: &SourceFile| -> bool {
        let Decl::Resource(r) = &role.decl else {
            return false;
        };
        e.and_then(range)
            .and_then(|x| file.text.get(x))
            .is_some_and(|t| references(t, r).len() == 1)
    };
    let file_of = |b: &Block| {
        module
            .iter()
            .find(|p| p.body.blocks().any(|x| std::ptr::eq(x, b)))
            .map(|p| p.source)
    };
    match kind(b) {
        "aws_iam_role_policy" if b.ident.as_str() == "resource" => {
            let Some(file) = file_of(b) else { return false };
            role_ref(attr(&b.body, "role"), file)
        }
        "aws_iam_policy" | "aws_iam_policy_document" if depth < 4 => {
            // Referred to once, from a holder of the role alone.
            let mut refs = Vec::new();
            for p in module {
                for at in references(&p.source.text, &addr) {
                    refs.push((p, at));
                }
            }
            let [(p, at)] = refs.as_slice() else {
                return false;
            };
            let Some((holder, arg)) = holder_at(&p.body, *at) else {
                return false;
            };
            let arg = arg.unwrap_or_default();
            match kind(holder) {
                // An attachment of the policy to the role.
                "aws_iam_role_policy_attachment" => {
                    role_ref(attr(&holder.body, "role"), p.source) && arg == "policy_arn"
                }
                _ if holder.ident.as_str() == "module" => match &role.decl {
                    Decl::LambdaModule(m) => {
                        address(holder) == Some(format!("module.{m}"))
                            && ["policy_json", "policies"].contains(&arg.as_str())
                    }
                    // Which argument holds the role's policies is the module's own: the units
                    // are checked against the role's documents.
                    Decl::LocalModule(m) => address(holder) == Some(format!("module.{m}")),
                    Decl::Resource(_) => false,
                },
                _ => {
                    (POLICY_ARGS.contains(&arg.as_str()) || arg == "managed_policy_arns")
                        && exclusive(module, role, holder, depth + 1)
                }
            }
        }
        _ => false,
    }
}

fn attr<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.get_attribute(key).map(|a| &a.value)
}

/// One grant to remove: the file, the offset the finding points at, and its actions.
pub(super) struct Hit {
    pub file: String,
    pub offset: usize,
    pub actions: Vec<String>,
}

/// The ranges that remove the statements (or attachments) holding the hits.
pub(super) fn removals(
    sources: &SourceMap,
    role: &Role,
    hits: &[Hit],
) -> Result<Vec<(String, Removal)>, String> {
    let module = parse_module(sources, role)?;
    let mut out: Vec<(String, Removal)> = Vec::new();
    for hit in hits {
        let p = module
            .iter()
            .find(|p| p.source.path == hit.file)
            .ok_or("the grant is written outside the role's module")?;
        let text = &p.source.text;
        let (block, _) =
            holder_at(&p.body, hit.offset).ok_or("the grant is not in a block rolefit can edit")?;
        if !exclusive(&module, role, block, 0) {
            if let Some(detached) = detach(&module, role, block) {
                out.extend(detached?);
                continue;
            }
            if kind(block) == "aws_iam_policy_attachment" {
                return Err("the grant is a policy attached to several roles by `aws_iam_policy_attachment`: change it by hand".into());
            }
            if matches!(kind(block), "aws_iam_role_policy_attachment") {
                let arn = attr(&block.body, "policy_arn")
                    .and_then(range)
                    .and_then(|r| text.get(r))
                    .unwrap_or("");
                if arn.contains(":aws:policy/") && attached_to_role(p.source, block, role) {
                    out.push((p.source.path.clone(), whole_lines(text, range(block))?));
                    continue;
                }
            }
            return Err("the grant is in a policy other roles may share (or one rolefit cannot tell is the role's alone): change it by hand".into());
        }
        for removal in match_hit(p, block, hit)? {
            out.push((p.source.path.clone(), removal));
        }
    }
    Ok(out)
}

/// Why the grant at `hit` is not the role's alone to change (a policy other roles share or
/// may share), or `None` when [`removals`] can take it out.
pub(super) fn shared(sources: &SourceMap, role: &Role, hit: &Hit) -> Option<String> {
    let module = parse_module(sources, role).ok()?;
    let p = module.iter().find(|p| p.source.path == hit.file)?;
    let (block, _) = holder_at(&p.body, hit.offset)?;
    if exclusive(&module, role, block, 0) {
        return None;
    }
    if let Some(detached) = detach(&module, role, block) {
        return detached.err();
    }
    match kind(block) {
        "aws_iam_policy_attachment" => Some("the grant is a policy attached to several roles by `aws_iam_policy_attachment`: change it by hand".into()),
        "aws_iam_role_policy_attachment" => {
            let arn = attr(&block.body, "policy_arn")
                .and_then(range)
                .and_then(|r| p.source.text.get(r))
                .unwrap_or("");
            if arn.contains(":aws:policy/") && attached_to_role(p.source, block, role) {
                None
            } else {
                Some("the grant is in a policy attached to other roles too: change it by hand".into())
            }
        }
        _ => Some("the grant is in a policy other roles share (or one rolefit cannot tell is the role's alone): change it by hand".into()),
    }
}

fn attached_to_role(file: &SourceFile, block: &Block, role: &Role) -> bool {
    let Decl::Resource(r) = &role.decl else {
        return false;
    };
    attr(&block.body, "role")
        .and_then(range)
        .and_then(|x| file.text.get(x))
        .is_some_and(|t| references(t, r).len() == 1)
}

/// The removal for one hit inside a block of the role.
fn match_hit(p: &Parsed, block: &Block, hit: &Hit) -> Result<Vec<Removal>, String> {
    let text = &p.source.text;
    let offset = hit.offset;
    // A `statement` block of a policy document.
    if kind(block) == "aws_iam_policy_document" {
        let st = block
            .body
            .get_blocks("statement")
            .find(|s| range(*s).is_some_and(|r| r.contains(&offset)))
            .ok_or("the grant is not in a `statement` block")?;
        return whole_lines(text, range(st)).map(|r| vec![r]);
    }
    // The lambda module attaches `policies` by `number_of_policies` (its `iam.tf`:
    // `aws_iam_role_policy_attachment.additional_many` has `count = var.number_of_policies` and
    // `policy_arn = var.policies[count.index]`): an item removed from the list alone leaves an
    // index past its end, and the plan fails.
    if block.body.has_attribute("number_of_policies")
        && attr(&block.body, "policies")
            .and_then(range)
            .is_some_and(|r| r.contains(&offset))
    {
        return Err("the policy is attached by the module's `policies` with `number_of_policies`: remove the item and lower the count together by hand".into());
    }
    // The innermost list or object element holding the offset.
    let mut found: Option<Vec<Removal>> = None;
    let mut err: Option<String> = None;
    visit_attrs(&block.body, &mut |key, e| {
        if found.is_some() || err.is_some() {
            return;
        }
        match in_expr(text, key, e, hit) {
            Ok(Some(r)) => found = Some(r),
            Ok(None) => {}
            Err(e) => err = Some(e),
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    found.ok_or_else(|| "the grant is not in a statement list rolefit can edit".into())
}

/// Every attribute of a body and its nested blocks.
fn visit_attrs<'b>(body: &'b Body, f: &mut dyn FnMut(&str, &'b Expression)) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => f(a.key.as_str(), &a.value),
            Structure::Block(b) => visit_attrs(&b.body, f),
        }
    }
}

fn within(e: &dyn hcl_edit::Span, offset: usize) -> bool {
    range(e).is_some_and(|r| r.start <= offset && offset < r.end.max(r.start + 1))
}

/// The removal of the grant at `hit` inside the value `e` of argument `key`.
fn in_expr(
    text: &str,
    key: &str,
    e: &Expression,
    hit: &Hit,
) -> Result<Option<Vec<Removal>>, String> {
    if !within(e, hit.offset) {
        return Ok(None);
    }
    match key {
        "managed_policy_arns" | "policies" | "policy_arns" => {
            let Expression::Array(a) = e else {
                return Err("the managed policies are not a list rolefit can edit".into());
            };
            let i = a
                .iter()
                .position(|x| within(x, hit.offset))
                .ok_or("the grant is not a list item")?;
            return list_removal(text, a, i).map(|r| Some(vec![r]));
        }
        "policy_statements" => {
            let Expression::Object(o) = e else {
                return Err("`policy_statements` is not a map rolefit can edit".into());
            };
            let r = entry_ranges(o)
                .into_iter()
                .find(|r| r.contains(&hit.offset))
                .ok_or("the grant is not a `policy_statements` entry")?;
            return whole_lines(text, Some(r)).map(|r| Some(vec![r]));
        }
        _ => {}
    }
    if let Some(h) = heredoc(text, e) {
        return heredoc_removal(text, &h, hit).map(Some);
    }
    match statement_array(e) {
        Some(a) => {
            let i = a
                .iter()
                .position(|x| within(x, hit.offset))
                .ok_or("the grant is not a statement of the list")?;
            list_removal(text, a, i).map(|r| Some(vec![r]))
        }
        None => Ok(None),
    }
}

/// `jsonencode({... Statement = [...] ...})`: the statement array.
fn statement_array(e: &Expression) -> Option<&Array> {
    let Expression::FuncCall(c) = e else {
        return None;
    };
    if c.name.name.as_str() != "jsonencode" {
        return None;
    }
    let Some(Expression::Object(o)) = c.args.iter().next() else {
        return None;
    };
    object_get(o, "Statement").and_then(Expression::as_array)
}

fn object_get<'o>(o: &'o Object, name: &str) -> Option<&'o Expression> {
    o.iter().find_map(|(k, v)| {
        let n = match k {
            ObjectKey::Ident(i) => i.as_str().to_string(),
            ObjectKey::Expression(e) => e.as_str().map(str::to_string)?,
        };
        (n == name).then(|| v.expr())
    })
}

/// Each entry of an object: from its key to the end of its value.
fn entry_ranges(o: &Object) -> Vec<Range<usize>> {
    o.iter()
        .filter_map(|(k, v)| {
            let a = range(k)?;
            let b = range(v.expr())?;
            Some(a.start..b.end)
        })
        .collect()
}

/// Whole lines from the line of `r.start` to the line of `r.end`, when nothing else is on
/// them (a trailing comma and comment may follow).
fn whole_lines(text: &str, r: Option<Range<usize>>) -> Result<Removal, String> {
    let r = r.ok_or("the grant has no position")?;
    let start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..r.start].trim().is_empty() {
        return Err("the grant shares its line with other text".into());
    }
    let end = text[r.end..]
        .find('\n')
        .map_or(text.len(), |i| r.end + i + 1);
    let tail = text[r.end..end].trim();
    let tail = tail.strip_prefix(',').unwrap_or(tail).trim();
    if !(tail.is_empty() || tail.starts_with('#') || tail.starts_with("//")) {
        return Err("the grant shares its line with other text".into());
    }
    // Comment lines right above it describe it: they go with it.
    let mut start = start;
    while start > 0 {
        let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev..start].trim();
        if line.starts_with('#') || line.starts_with("//") {
            start = prev;
        } else {
            break;
        }
    }
    // A blank line left between the lines before and a closing brace or another blank line
    // goes with them.
    let next = text[end..].lines().next().unwrap_or("").trim();
    if (next.is_empty() || next.starts_with('}') || next.starts_with(']')) && start > 0 {
        let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        if text[prev..start].trim().is_empty() && prev > 0 {
            start = prev;
        }
    }
    Ok(Removal { start, end })
}

/// A fake JSON node over ranges, for the list edits of [`super::json`].
fn nodes(whole: Range<usize>, items: &[Range<usize>]) -> Node {
    let span = |r: &Range<usize>| Span::new(FileId(0), r.start, r.end);
    Node::new(
        V::Seq(items.iter().map(|r| Node::new(V::Null, span(r))).collect()),
        span(&whole),
    )
}

/// The removal of element `i` of an HCL list: its whole lines when it has them, else with the
/// comma that separates it.
fn list_removal(text: &str, a: &Array, i: usize) -> Result<Removal, String> {
    let items: Vec<Range<usize>> = a.iter().filter_map(range).collect();
    let whole = range(a).ok_or("the list has no position")?;
    if items.len() != a.len() || i >= items.len() {
        return Err("the list has items without a position".into());
    }
    if let Ok(r) = whole_lines(text, Some(items[i].clone())) {
        return Ok(r);
    }
    let list = super::json::removals(&nodes(whole, &items), &[i])?;
    list.into_iter()
        .next()
        .ok_or_else(|| "the list item is not found".into())
}

/// A heredoc or quoted JSON policy: the range of its JSON text in the file.
struct Heredoc {
    content: Range<usize>,
}

fn heredoc(text: &str, e: &Expression) -> Option<Heredoc> {
    match e {
        Expression::HeredocTemplate(_) => {
            let r = range(e)?;
            let raw = text.get(r.clone())?;
            let first = raw.find('\n')? + 1;
            let last = raw.trim_end().rfind('\n')?;
            (first <= last).then_some(Heredoc {
                content: r.start + first..r.start + last,
            })
        }
        _ => None,
    }
}

/// The JSON of a heredoc, parsed where it is (offsets of the file).
fn heredoc_json(text: &str, h: &Heredoc) -> Result<(SourceFile, Node), String> {
    // The text before the heredoc is blanked so the offsets of the JSON are the file's.
    let mut padded: String = text[..h.content.start]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    padded.push_str(&text[h.content.clone()]);
    let file = SourceFile::new(FileId(0), "heredoc.json", padded);
    let node = crate::syntax::json::parse(&file)
        .map_err(|e| format!("the heredoc policy is not JSON rolefit can edit: {e}"))?;
    Ok((file, node))
}

fn heredoc_removal(text: &str, h: &Heredoc, hit: &Hit) -> Result<Vec<Removal>, String> {
    let (_, doc) = heredoc_json(text, h)?;
    let list = doc
        .get("Statement")
        .ok_or("the heredoc policy has no `Statement` list")?;
    let V::Seq(items) = &list.value else {
        return Err("the heredoc policy's `Statement` is not a list".into());
    };
    // Inside a heredoc the finding points at the heredoc: the statement is the one that
    // grants the finding's actions.
    let granting = |st: &Node| {
        let actions: Vec<String> = match st.get("Action") {
            Some(a) => a
                .items()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            None => Vec::new(),
        };
        hit.actions.iter().any(|want| {
            actions
                .iter()
                .any(|have| glob(&have.to_ascii_lowercase(), &want.to_ascii_lowercase()))
        })
    };
    // The statement the finding points at, else every statement that grants its actions (a
    // finding names one grant however many statements repeat it).
    let exact: Vec<usize> = items
        .iter()
        .position(|st| contains(st, hit.offset) && st.span.start as usize != h.content.start)
        .into_iter()
        .collect();
    let gone: Vec<usize> = if exact.is_empty() {
        (0..items.len()).filter(|i| granting(&items[*i])).collect()
    } else {
        exact
    };
    if gone.is_empty() {
        return Err("the heredoc statement that grants it is not found".into());
    }
    super::json::removals(list, &gone)
}

/// An action pattern (`*`, `?`) matches an action.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

fn contains(n: &Node, offset: usize) -> bool {
    n.span.start as usize <= offset && offset < n.span.end as usize
}

/// Where the statements of the role are written and how many each list holds.
enum Unit {
    /// A `data "aws_iam_policy_document"` block.
    Document {
        file: String,
        /// `data.aws_iam_policy_document.<name>`.
        addr: String,
        block: Range<usize>,
        statements: usize,
        sources: bool,
    },
    /// The `Statement` list of a `jsonencode` call.
    Encoded {
        file: String,
        array: Range<usize>,
        items: Vec<Range<usize>>,
    },
    /// The `Statement` list of a JSON heredoc.
    Heredoc {
        file: String,
        content: Range<usize>,
        statements: usize,
    },
    /// The lambda module's `policy_statements` map.
    Statements {
        file: String,
        object: Range<usize>,
        entries: usize,
    },
}

impl Unit {
    /// The file and range of the list.
    fn place(&self) -> (&str, Range<usize>) {
        match self {
            Unit::Document { file, block, .. } => (file, block.clone()),
            Unit::Encoded { file, array, .. } => (file, array.clone()),
            Unit::Heredoc { file, content, .. } => (file, content.clone()),
            Unit::Statements { file, object, .. } => (file, object.clone()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Unit::Document {
                statements,
                sources,
                ..
            } => *statements + usize::from(*sources),
            Unit::Encoded { items, .. } => items.len(),
            Unit::Heredoc { statements, .. } => *statements,
            Unit::Statements { entries, .. } => *entries,
        }
    }
}

/// The statement lists of the role's own policies, in file order.
fn units(module: &[Parsed], role: &Role, app: &App, sources: &SourceMap) -> Vec<Unit> {
    let mut out = Vec::new();
    let local = matches!(role.decl, Decl::LocalModule(_));
    for p in module {
        let text = &p.source.text;
        for b in p.body.blocks() {
            if !exclusive(module, role, b, 0) {
                continue;
            }
            if kind(b) == "aws_iam_policy_document" && b.ident.as_str() == "data" {
                if let Some(r) = range(b) {
                    out.push(Unit::Document {
                        file: p.source.path.clone(),
                        addr: address(b).unwrap_or_default(),
                        block: r,
                        statements: b.body.get_blocks("statement").count(),
                        sources: [
                            "source_policy_documents",
                            "source_json",
                            "override_policy_documents",
                            "override_json",
                        ]
                        .iter()
                        .any(|k| b.body.has_attribute(k)),
                    });
                }
                continue;
            }
            let module_block = b.ident.as_str() == "module";
            let mut push = |key: &str, e: &Expression| {
                if module_block && key == "policy_statements" {
                    if let (Expression::Object(o), Some(r)) = (e, range(e)) {
                        out.push(Unit::Statements {
                            file: p.source.path.clone(),
                            object: r,
                            entries: o.len(),
                        });
                    }
                    return;
                }
                if !local && !["policy", "policy_json"].contains(&key) {
                    return;
                }
                if let Some(a) = statement_array(e)
                    && let Some(r) = range(a)
                {
                    out.push(Unit::Encoded {
                        file: p.source.path.clone(),
                        array: r,
                        items: a.iter().filter_map(range).collect(),
                    });
                } else if let Some(h) = heredoc(text, e)
                    && let Ok((_, doc)) = heredoc_json(text, &h)
                    && let Some(V::Seq(list)) = doc.get("Statement").map(|s| &s.value)
                {
                    out.push(Unit::Heredoc {
                        file: p.source.path.clone(),
                        content: h.content,
                        statements: list.len(),
                    });
                }
            };
            if module_block && local {
                for a in b.body.attributes() {
                    push(a.key.as_str(), &a.value);
                }
            } else if module_block {
                // The module reads `policy_statements`/`policy_json` only with their switches.
                for (key, switch) in [
                    ("policy_statements", "attach_policy_statements"),
                    ("policy_json", "attach_policy_json"),
                ] {
                    let on = attr(&b.body, switch).and_then(Expression::as_bool) == Some(true);
                    if on && let Some(e) = attr(&b.body, key) {
                        push(key, e);
                    }
                }
            } else {
                for ip in b.body.get_blocks("inline_policy") {
                    if let Some(e) = attr(&ip.body, "policy") {
                        push("policy", e);
                    }
                }
                if b.ident.as_str() == "resource"
                    && ["aws_iam_role_policy", "aws_iam_policy"].contains(&kind(b))
                    && let Some(e) = attr(&b.body, "policy")
                {
                    push("policy", e);
                }
            }
        }
    }
    // Only the role's permissions policies (not a trust policy, not another argument).
    let docs = docs_of(app, sources, role);
    let text_at = |f: &str, d: &Range<usize>| -> Option<&str> {
        sources.by_path(f).and_then(|s| s.text.get(d.clone()))
    };
    // The argument of the caller's `module` block a unit is written in.
    let argument = |file: &str, at: usize| -> Option<String> {
        let p = module.iter().find(|p| p.source.path == file)?;
        let (b, arg) = holder_at(&p.body, at)?;
        (b.ident.as_str() == "module").then_some(arg).flatten()
    };
    out.retain(|u| {
        let (file, r) = u.place();
        let arg = argument(file, r.start);
        docs.iter().any(|(f, d)| {
            let text = text_at(f, d).unwrap_or("");
            // Where it is written; a document where the role's policy reads it; a module
            // argument where the module's role policy reads its variable.
            (f == file && d.start < r.end && r.start < d.end)
                || matches!(u, Unit::Document { addr, .. } if !references(text, addr).is_empty())
                || arg
                    .as_ref()
                    .is_some_and(|a| text.trim() == format!("var.{a}"))
        })
    });
    out
}

/// Where the role's policy documents are written (file, range), from the model.
fn docs_of(app: &App, sources: &SourceMap, role: &Role) -> Vec<(String, Range<usize>)> {
    let Some(r) = app.roles.iter().find(|r| r.id == role.id) else {
        return Vec::new();
    };
    // The document, and each statement with its keys: a document passed through a module's
    // variable is spanned where the variable is read, its statements where they are written.
    let mut spans: Vec<Span> = Vec::new();
    for d in r.policies.iter().filter_map(|p| p.doc.as_ref()) {
        spans.push(d.span);
        for st in d.node.get("Statement").into_iter().flat_map(Node::items) {
            spans.push(st.span);
            spans.extend(st.entries().map(|(k, _)| k.span));
        }
    }
    spans
        .into_iter()
        .filter_map(|s| {
            let file = sources.get(s.file)?.path.clone();
            Some((file, s.start as usize..s.end as usize))
        })
        .collect()
}

/// Edits (file, start, end, text) that add `statements` to the role: into a list it emptied,
/// else its first own list, else a new policy.
pub(super) fn addition(
    app: &App,
    sources: &SourceMap,
    role: &Role,
    renderer: &Renderer,
    f: &Function,
    statements: &[Value],
) -> Result<Vec<(String, usize, usize, String)>, String> {
    let module = parse_module(sources, role)?;
    let all = units(&module, role, app, sources);
    let unit = all
        .iter()
        .find(|u| u.len() == 0)
        .or_else(|| {
            all.iter()
                .find(|u| !matches!(u, Unit::Document { statements: 0, .. }))
        })
        .or_else(|| all.first());
    // A statement inside the role's own block (`inline_policy`) refers to no resource that
    // refers to the role (a function on it, a queue whose policy names it): that would close a
    // dependency cycle, so those are written by ARN.
    let mut avoid = BTreeSet::new();
    if let Decl::Resource(addr) = &role.decl
        && let Some(u) = unit
        && inside(&module, addr, u)
    {
        for p in &module {
            for b in p.body.blocks() {
                let Some(a) = address(b).filter(|a| a != addr) else {
                    continue;
                };
                if range(b).is_some_and(|r| !references(&p.source.text[r], addr).is_empty()) {
                    avoid.insert(a);
                }
            }
        }
    }
    let (resources, data) = renderer.terraform_resources(f, &role.file, statements, &avoid);
    let new: Vec<Statement> = statements
        .iter()
        .zip(resources)
        .map(|(st, resources)| Statement {
            effect: st
                .get("Effect")
                .and_then(Value::as_str)
                .unwrap_or("Allow")
                .to_string(),
            actions: render::list(st.get("Action")),
            resources,
        })
        .collect();
    let text_of = |file: &str| -> Result<&str, String> {
        module
            .iter()
            .find(|p| p.source.path == file)
            .map(|p| &*p.source.text)
            .ok_or_else(|| "the policy's file is not found".into())
    };
    let mut edits = Vec::new();
    match unit {
        Some(Unit::Document { file, block, .. }) => {
            let text = text_of(file)?;
            let (at, out) = append_blocks(text, block.clone(), &new)?;
            edits.push((file.clone(), at, at, out));
        }
        Some(Unit::Encoded { file, array, items }) => {
            let text = text_of(file)?;
            let (start, end, out) = append_objects(text, array.clone(), items, &new)?;
            edits.push((file.clone(), start, end, out));
        }
        Some(Unit::Heredoc { file, content, .. }) => {
            let text = text_of(file)?;
            let h = Heredoc {
                content: content.clone(),
            };
            let (_, doc) = heredoc_json(text, &h)?;
            let list = doc
                .get("Statement")
                .ok_or("the heredoc policy has no `Statement` list")?;
            let values: Vec<Value> = new.iter().map(Statement::json).collect();
            let (open, close) = (list.span.start as usize, list.span.end as usize);
            let emptied = matches!(&list.value, V::Seq(items) if items.is_empty());
            if emptied && close > open + 2 && text[open + 1..close - 1].trim().is_empty() {
                // The whitespace the removed statements left inside `[ ]` is replaced.
                let joined = format!("{}{}", &text[..open + 1], &text[close - 1..]);
                let bare = Node::new(V::Seq(Vec::new()), Span::new(FileId(0), open, open + 2));
                let (_, out) = super::json::append(&joined, &bare, &values)?;
                edits.push((file.clone(), open + 1, close - 1, out));
            } else {
                let (at, out) = super::json::append(text, list, &values)?;
                edits.push((file.clone(), at, at, out));
            }
        }
        Some(Unit::Statements { file, object, .. }) => {
            let text = text_of(file)?;
            let (at, out) = append_entries(text, object.clone(), &new)?;
            edits.push((file.clone(), at, at, out));
        }
        None => edits.push(new_policy(&module, role, &new)?),
    }
    for (file, r) in emptied_attachments(&module)? {
        edits.push((file, r.start, r.end, String::new()));
    }
    // Data sources the values read and the module lacks, at the end of the role's file.
    if !data.is_empty() {
        let text = text_of(&role.file)?;
        let eol = eol(text);
        let mut out = String::new();
        if !text.ends_with('\n') && !text.is_empty() {
            out.push_str(eol);
        }
        for kind in data {
            out.push_str(&format!("{eol}data \"{kind}\" \"current\" {{}}{eol}"));
        }
        edits.push((role.file.clone(), text.len(), text.len(), out));
    }
    Ok(edits)
}

/// The role's block has `inline_policy` blocks (Terraform AWS provider, `aws_iam_role`,
/// argument `inline_policy`: "If you use this argument, do not use the `aws_iam_role_policy`
/// resource for the same role"; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role#inline_policy).
fn inline_blocks(module: &[Parsed], addr: &str) -> bool {
    module.iter().any(|p| {
        p.body
            .blocks()
            .filter(|b| address(b).as_deref() == Some(addr))
            .any(|b| b.body.get_blocks("inline_policy").next().is_some())
    })
}

/// The unit is written inside the block `addr` (an `inline_policy` of the role).
fn inside(module: &[Parsed], addr: &str, u: &Unit) -> bool {
    let (file, r) = u.place();
    module.iter().filter(|p| p.source.path == file).any(|p| {
        p.body
            .blocks()
            .filter(|b| address(b).as_deref() == Some(addr))
            .filter_map(range)
            .any(|own| own.start <= r.start && r.end <= own.end)
    })
}

/// A statement to write: its HCL resource expressions.
struct Statement {
    effect: String,
    actions: Vec<String>,
    resources: Vec<String>,
}

impl Statement {
    /// As JSON inside a heredoc: a reference becomes an interpolation.
    fn json(&self) -> Value {
        let resources: Vec<Value> = self
            .resources
            .iter()
            .map(|r| match serde_json::from_str::<Value>(r) {
                Ok(Value::String(s)) => Value::String(s),
                _ => Value::String(format!("${{{r}}}")),
            })
            .collect();
        serde_json::json!({
            "Effect": self.effect,
            "Action": if self.actions.len() == 1 { Value::from(self.actions[0].clone()) } else { Value::from(self.actions.clone()) },
            "Resource": if resources.len() == 1 { resources[0].clone() } else { Value::Array(resources) },
        })
    }

    fn actions(&self) -> String {
        self.actions
            .iter()
            .map(|a| Value::from(a.as_str()).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A `statement` block, its lines indented by `pad`.
    fn block(&self, pad: &str, unit: &str, eol: &str) -> String {
        let mut lines = vec![format!("statement {{")];
        if self.effect != "Allow" {
            lines.push(format!("{unit}effect    = \"{}\"", self.effect));
        }
        lines.push(format!("{unit}actions   = [{}]", self.actions()));
        lines.push(format!("{unit}resources = [{}]", self.resources.join(", ")));
        lines.push("}".into());
        lines.iter().map(|l| format!("{pad}{l}{eol}")).collect()
    }

    /// An HCL object (`jsonencode`), its lines after the first indented by `pad`.
    fn object(&self, pad: &str, unit: &str, eol: &str) -> String {
        format!(
            "{{{eol}{pad}{unit}Effect   = \"{}\"{eol}{pad}{unit}Action   = [{}]{eol}{pad}{unit}Resource = [{}]{eol}{pad}}}",
            self.effect,
            self.actions(),
            self.resources.join(", ")
        )
    }

    /// A `policy_statements` entry value (the module's keys).
    fn entry(&self, pad: &str, unit: &str, eol: &str) -> String {
        format!(
            "{{{eol}{pad}{unit}effect    = \"{}\"{eol}{pad}{unit}actions   = [{}]{eol}{pad}{unit}resources = [{}]{eol}{pad}}}",
            self.effect,
            self.actions(),
            self.resources.join(", ")
        )
    }

    /// A map key for the entry: the first action's service and name (`sqs_send_message`).
    fn key(&self) -> String {
        let a = self.actions.first().map_or("statement", String::as_str);
        let mut out = String::new();
        for (i, c) in a.replace(':', "_").replace('*', "all").chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 && !out.ends_with('_') {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else if c.is_ascii_alphanumeric() || c == '_' {
                out.push(c);
            }
        }
        out
    }
}

fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

fn line_indent(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The file's indentation unit (two spaces when no line is indented).
fn unit_of(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .filter(|p| !p.is_empty() && p.len() <= 4)
        .min_by_key(String::len)
        .unwrap_or_else(|| "  ".into())
}

/// The offset of the start of the line holding a block's closing brace.
fn closing_line(text: &str, r: &Range<usize>) -> Result<usize, String> {
    let close = r.end.checked_sub(1).ok_or("empty block")?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return Err("the block does not end with `}`".into());
    }
    let start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..close].trim().is_empty() {
        return Err("the block's closing brace shares its line".into());
    }
    Ok(start)
}

/// `statement` blocks before the document's closing brace.
fn append_blocks(
    text: &str,
    block: Range<usize>,
    new: &[Statement],
) -> Result<(usize, String), String> {
    let eol = eol(text);
    let unit = unit_of(text);
    let at = closing_line(text, &block)?;
    let pad = format!("{}{unit}", line_indent(text, block.start));
    // A blank line between blocks, and before the first when the document holds something.
    let inner = &text[block.start..at];
    let separate = inner.trim_end().contains('\n');
    let mut out = String::new();
    for (i, st) in new.iter().enumerate() {
        if separate || i > 0 {
            out.push_str(eol);
        }
        out.push_str(&st.block(&pad, &unit, eol));
    }
    Ok((at, out))
}

/// Objects after the last element of a `jsonencode` statement list.
fn append_objects(
    text: &str,
    array: Range<usize>,
    items: &[Range<usize>],
    new: &[Statement],
) -> Result<(usize, usize, String), String> {
    let eol = eol(text);
    let unit = unit_of(text);
    match items.last() {
        Some(last) => {
            let first = &items[0];
            let pad = line_indent(text, first.start);
            let mut out = String::new();
            for st in new {
                out.push(',');
                let own_line = text[..first.start]
                    .rfind('\n')
                    .is_some_and(|i| text[i + 1..first.start].trim().is_empty());
                if own_line {
                    out.push_str(eol);
                    out.push_str(&pad);
                } else {
                    out.push(' ');
                }
                out.push_str(&st.object(&pad, &unit, eol));
            }
            Ok((last.end, last.end, out))
        }
        None => {
            let base = line_indent(text, array.start);
            let pad = format!("{base}{unit}");
            let inner = array.start + 1..array.end - 1;
            if !text[inner.clone()].trim().is_empty() {
                return Err("the empty statement list holds text rolefit would rewrite".into());
            }
            let body = new
                .iter()
                .map(|st| format!("{pad}{}", st.object(&pad, &unit, eol)))
                .collect::<Vec<_>>()
                .join(&format!(",{eol}"));
            // The whitespace inside `[ ]` is replaced by the list.
            Ok((inner.start, inner.end, format!("{eol}{body},{eol}{base}")))
        }
    }
}

/// Entries before the closing brace of `policy_statements`.
fn append_entries(
    text: &str,
    object: Range<usize>,
    new: &[Statement],
) -> Result<(usize, String), String> {
    let eol = eol(text);
    let unit = unit_of(text);
    let at = closing_line(text, &object)?;
    let pad = format!("{}{unit}", line_indent(text, object.start));
    let existing = &text[object.clone()];
    let mut out = String::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for st in new {
        let base = st.key();
        let mut key = base.clone();
        let mut n = 2;
        while taken.contains(&key)
            || references(existing, &key).len() + existing.matches(&format!("{key} =")).count() > 0
        {
            key = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(key.clone());
        out.push_str(&format!("{pad}{key} = {}{eol}", st.entry(&pad, &unit, eol)));
    }
    Ok((at, out))
}

/// A new policy of the role, after its declaration: an `aws_iam_role_policy` (with a policy
/// document when the module writes documents, else `jsonencode`), or the lambda module's
/// `policy_statements`.
fn new_policy(
    module: &[Parsed],
    role: &Role,
    new: &[Statement],
) -> Result<(String, usize, usize, String), String> {
    let p = module
        .iter()
        .find(|p| p.source.path == role.file)
        .ok_or("the role's file is not found")?;
    let text = &*p.source.text;
    let eol = eol(text);
    let unit = unit_of(text);
    match &role.decl {
        Decl::LocalModule(m) => Err(format!(
            "the role is declared inside `module.{m}` and the caller passes it no policy rolefit can edit: add the grants to the module's inputs by hand"
        )),
        Decl::LambdaModule(m) => {
            let b = p
                .body
                .blocks()
                .find(|b| address(b).as_deref() == Some(&format!("module.{m}")))
                .ok_or("the module block is not found")?;
            if b.body.has_attribute("attach_policy_statements")
                || b.body.has_attribute("policy_statements")
            {
                return Err(
                    "the module's `policy_statements` are switched off: change them by hand".into(),
                );
            }
            let r = range(b).ok_or("the module block has no position")?;
            let at = closing_line(text, &r)?;
            let pad = format!("{}{unit}", line_indent(text, r.start));
            let inner = format!("{pad}{unit}");
            let mut out = format!(
                "{eol}{pad}attach_policy_statements = true{eol}{pad}policy_statements = {{{eol}"
            );
            let mut taken = BTreeSet::new();
            for st in new {
                let base = st.key();
                let mut key = base.clone();
                let mut n = 2;
                while !taken.insert(key.clone()) {
                    key = format!("{base}_{n}");
                    n += 1;
                }
                out.push_str(&format!(
                    "{inner}{key} = {}{eol}",
                    st.entry(&inner, &unit, eol)
                ));
            }
            out.push_str(&format!("{pad}}}{eol}"));
            Ok((p.source.path.clone(), at, at, out))
        }
        Decl::Resource(addr) => {
            if inline_blocks(module, addr) {
                return Err("the role's `inline_policy` blocks hold no statement list rolefit can edit, and such a role takes no `aws_iam_role_policy`: write the grant by hand".into());
            }
            let b = p
                .body
                .blocks()
                .find(|b| address(b).as_deref() == Some(addr.as_str()))
                .ok_or("the role's block is not found")?;
            let r = range(b).ok_or("the role's block has no position")?;
            let at = text[r.end..]
                .find('\n')
                .map_or(text.len(), |i| r.end + i + 1);
            let name = addr.trim_start_matches("aws_iam_role.");
            let documents = module.iter().any(|p| {
                p.body
                    .blocks()
                    .any(|b| b.ident.as_str() == "data" && kind(b) == "aws_iam_policy_document")
            });
            let mut out = String::new();
            if at == text.len() && !text.ends_with('\n') {
                out.push_str(eol);
            }
            out.push_str(eol);
            if documents {
                out.push_str(&format!(
                    "data \"aws_iam_policy_document\" \"{name}_least_privilege\" {{{eol}"
                ));
                for (i, st) in new.iter().enumerate() {
                    if i > 0 {
                        out.push_str(eol);
                    }
                    out.push_str(&st.block(&unit, &unit, eol));
                }
                out.push_str(&format!("}}{eol}{eol}"));
            }
            // `terraform fmt` aligns the `=` of one-line arguments next to each other; a
            // multi-line value (`jsonencode`) ends the group.
            let pad = if documents { "  " } else { "" };
            out.push_str(&format!(
                "resource \"aws_iam_role_policy\" \"{name}_least_privilege\" {{{eol}{unit}name {pad}= \"least-privilege\"{eol}{unit}role {pad}= {addr}.id{eol}"
            ));
            if documents {
                out.push_str(&format!(
                    "{unit}policy = data.aws_iam_policy_document.{name}_least_privilege.json{eol}}}{eol}"
                ));
            } else {
                let pad = format!("{unit}{unit}{unit}");
                let objects = new
                    .iter()
                    .map(|st| format!("{pad}{}", st.object(&pad, &unit, eol)))
                    .collect::<Vec<_>>()
                    .join(&format!(",{eol}"));
                out.push_str(&format!(
                    "{unit}policy = jsonencode({{{eol}{unit}{unit}Version = \"2012-10-17\"{eol}{unit}{unit}Statement = [{eol}{objects},{eol}{unit}{unit}]{eol}{unit}}}){eol}}}{eol}"
                ));
            }
            Ok((p.source.path.clone(), at, at, out))
        }
    }
}

/// The ranges that delete the role's policies left with no statement: the holder (an
/// `aws_iam_role_policy`, an `aws_iam_policy` with its attachment, a document with the policy
/// that reads it), or the module's `policy_statements`/`policy_json` with their switch.
pub(super) fn cleanup(
    app: &App,
    sources: &SourceMap,
    role: &Role,
) -> Result<Vec<(String, Removal)>, String> {
    let module = parse_module(sources, role)?;
    let mut out = Vec::new();
    for u in units(&module, role, app, sources)
        .iter()
        .filter(|u| u.len() == 0)
    {
        let (file, at) = match u {
            Unit::Document { file, block, .. } => (file, block.start),
            Unit::Encoded { file, array, .. } => (file, array.start),
            Unit::Heredoc { file, content, .. } => (file, content.start),
            Unit::Statements { file, object, .. } => (file, object.start),
        };
        let p = module
            .iter()
            .find(|p| &p.source.path == file)
            .ok_or("the policy's file is not found")?;
        let (block, arg) = holder_at(&p.body, at).ok_or("the emptied policy is not found")?;
        out.extend(delete_holder(&module, p, block, arg.as_deref())?);
    }
    out.extend(emptied_attachments(&module)?);
    Ok(out)
}

fn delete_holder(
    module: &[Parsed],
    p: &Parsed,
    block: &Block,
    arg: Option<&str>,
) -> Result<Vec<(String, Removal)>, String> {
    let text = &*p.source.text;
    let here = |b: &Block| -> Result<(String, Removal), String> {
        Ok((p.source.path.clone(), whole_lines(text, range(b))?))
    };
    if block.ident.as_str() == "module" {
        let arg = arg.ok_or("the emptied policy is not found")?;
        let switch = if arg == "policy_json" {
            "attach_policy_json"
        } else {
            "attach_policy_statements"
        };
        let mut out = Vec::new();
        for key in [arg, switch] {
            if let Some(a) = block.body.get_attribute(key) {
                out.push((p.source.path.clone(), whole_lines(text, range(a))?));
            }
        }
        return Ok(out);
    }
    match kind(block) {
        "aws_iam_role_policy" => Ok(vec![here(block)?]),
        "aws_iam_policy" | "aws_iam_policy_document" => {
            let addr = address(block).ok_or("the policy has no address")?;
            let mut out = vec![here(block)?];
            for q in module {
                for at in references(&q.source.text, &addr) {
                    let (holder, harg) =
                        holder_at(&q.body, at).ok_or("the policy's reader is not found")?;
                    match kind(holder) {
                        "aws_iam_policy_document" => {
                            return Err("the emptied document is read by another document: delete it by hand".into());
                        }
                        "aws_iam_role_policy_attachment" => out.push((
                            q.source.path.clone(),
                            whole_lines(&q.source.text, range(holder))?,
                        )),
                        // An item of the role's `managed_policy_arns`.
                        "aws_iam_role" if harg.as_deref() == Some("managed_policy_arns") => {
                            let Some(Expression::Array(a)) = attr(&holder.body, "managed_policy_arns")
                            else {
                                return Err("the role's `managed_policy_arns` is not a list".into());
                            };
                            let i = a
                                .iter()
                                .position(|x| within(x, at))
                                .ok_or("the policy's item is not found")?;
                            out.push((q.source.path.clone(), list_removal(&q.source.text, a, i)?));
                        }
                        _ => out.extend(delete_holder(module, q, holder, harg.as_deref())?),
                    }
                }
            }
            Ok(out)
        }
        _ => Err(
            "every statement of a policy of the role goes and rolefit cannot delete where it is attached (an `inline_policy` block, the module's `policies`): delete it by hand".into(),
        ),
    }
}

/// The customer policy (`aws_iam_policy.<name>`) a grant in `block` is written in: the policy
/// itself, or a `data "aws_iam_policy_document"` that policy alone reads.
fn customer_policy(module: &[Parsed], block: &Block) -> Option<String> {
    let addr = address(block)?;
    match (block.ident.as_str(), kind(block)) {
        ("resource", "aws_iam_policy") => Some(addr),
        ("data", "aws_iam_policy_document") => {
            let mut readers = Vec::new();
            for p in module {
                for at in references(&p.source.text, &addr) {
                    readers.push(holder_at(&p.body, at));
                }
            }
            match readers.as_slice() {
                [Some((holder, Some(arg)))]
                    if holder.ident.as_str() == "resource"
                        && kind(holder) == "aws_iam_policy"
                        && arg == "policy" =>
                {
                    address(holder)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The one `aws_iam_role.<name>` a text refers to.
fn role_named(text: &str) -> Option<String> {
    let at = text.find("aws_iam_role.")?;
    let rest = &text[at + "aws_iam_role.".len()..];
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let addr = format!("aws_iam_role.{name}");
    (!name.is_empty()
        && references(text, &addr).len() == 1
        && text.matches("aws_iam_role.").count() == 1)
        .then_some(addr)
}

/// The lambda module (terraform-aws-modules/lambda) a `module` block calls.
fn lambda_module(b: &Block) -> bool {
    attr(&b.body, "source")
        .and_then(Expression::as_str)
        .is_some_and(|s| s.contains("terraform-aws-modules/lambda"))
}

/// The removals that detach a customer policy other roles share from this role alone, when
/// the grant at `block` is written in one (`None` otherwise). Every place the policy is
/// referred to must be an attachment to a role of the audited files (an
/// `aws_iam_role_policy_attachment`, an item of an `aws_iam_policy_attachment`'s `roles`, an
/// item of a role's `managed_policy_arns`, the lambda module's `policy`/`policies`): a
/// reference rolefit cannot read may attach it anywhere, and the policy is then left to a
/// human. The policy's document is never edited: the other roles keep it.
fn detach(
    module: &[Parsed],
    role: &Role,
    block: &Block,
) -> Option<Result<Vec<(String, Removal)>, String>> {
    let policy = customer_policy(module, block)?;
    Some(detach_from(module, role, &policy))
}

fn detach_from(
    module: &[Parsed],
    role: &Role,
    policy: &str,
) -> Result<Vec<(String, Removal)>, String> {
    let unknown = |what: &str| {
        format!(
            "the grant is in `{policy}`, which other roles share and which is also {what}: rolefit cannot tell every role it is attached to, so change it by hand"
        )
    };
    let this = |addr: &str| matches!(&role.decl, Decl::Resource(r) if r == addr);
    let mut out = Vec::new();
    for p in module {
        let text = &*p.source.text;
        for at in references(text, policy) {
            let Some((holder, arg)) = holder_at(&p.body, at) else {
                return Err(unknown("referred to outside a block"));
            };
            let arg = arg.unwrap_or_default();
            let holder_addr = address(holder).unwrap_or_default();
            let counted = ["count", "for_each"]
                .iter()
                .any(|k| holder.body.has_attribute(k));
            let value_text = |key: &str| {
                attr(&holder.body, key)
                    .and_then(range)
                    .and_then(|r| text.get(r))
                    .unwrap_or("")
            };
            match (holder.ident.as_str(), kind(holder), arg.as_str()) {
                ("resource", "aws_iam_role_policy_attachment", "policy_arn") if !counted => {
                    let Some(target) = role_named(value_text("role")) else {
                        return Err(unknown(&format!(
                            "attached by `{holder_addr}` to a role it does not name"
                        )));
                    };
                    if this(&target) {
                        out.push((p.source.path.clone(), whole_lines(text, range(holder))?));
                    }
                }
                ("resource", "aws_iam_policy_attachment", "policy_arn") if !counted => {
                    let Some(Expression::Array(a)) = attr(&holder.body, "roles") else {
                        return Err(unknown(&format!(
                            "attached by `{holder_addr}` without a `roles` list"
                        )));
                    };
                    for (i, item) in a.iter().enumerate() {
                        let item_text = range(item).and_then(|r| text.get(r)).unwrap_or("");
                        let Some(target) = role_named(item_text) else {
                            return Err(unknown(&format!(
                                "attached by `{holder_addr}` to a role it does not name"
                            )));
                        };
                        if this(&target) {
                            out.push((p.source.path.clone(), list_removal(text, a, i)?));
                        }
                    }
                }
                ("resource", "aws_iam_role", "managed_policy_arns") if !counted => {
                    if this(&holder_addr) {
                        let Some(Expression::Array(a)) = attr(&holder.body, "managed_policy_arns")
                        else {
                            return Err("the role's `managed_policy_arns` is not a list".into());
                        };
                        let i = a
                            .iter()
                            .position(|x| within(x, at))
                            .ok_or("the policy's item is not found")?;
                        out.push((p.source.path.clone(), list_removal(text, a, i)?));
                    }
                }
                ("module", _, "policy" | "policies") if lambda_module(holder) && !counted => {
                    let ours = matches!(&role.decl, Decl::LambdaModule(m) if holder_addr == format!("module.{m}"));
                    if ours {
                        out.extend(module_detach(p, holder, &arg, at)?);
                    }
                }
                _ => {
                    let mut name = vec![holder.ident.as_str().to_string()];
                    name.extend(holder.labels.iter().map(|l| format!("\"{}\"", l.as_str())));
                    return Err(unknown(&format!("referred to from `{}`", name.join(" "))));
                }
            }
        }
    }
    if out.is_empty() {
        return Err(format!(
            "the grant is in `{policy}`, which other roles share and which rolefit cannot detach from this role: change it by hand"
        ));
    }
    Ok(out)
}

/// The lambda module's attachment of a customer policy: `policy` with `attach_policy`, or an
/// item of `policies` (with `attach_policies` when it is the only one). The module attaches
/// `policies` by `number_of_policies` (its `iam.tf`, "List of ARNs of additional policies":
/// `aws_iam_role_policy_attachment.additional_many` has `count = ... var.number_of_policies`;
/// https://github.com/terraform-aws-modules/terraform-aws-lambda/blob/master/iam.tf): a list it
/// counts is left to a human, since a removal cannot also lower the count.
fn module_detach(
    p: &Parsed,
    holder: &Block,
    arg: &str,
    at: usize,
) -> Result<Vec<(String, Removal)>, String> {
    let text = &*p.source.text;
    // The arguments' lines; arguments on lines next to each other go as one range, so the
    // blank line above them goes too when they end the block.
    let lines = |keys: &[&str]| -> Result<Vec<(String, Removal)>, String> {
        let mut spans: Vec<Range<usize>> = keys
            .iter()
            .filter_map(|k| holder.body.get_attribute(k).and_then(range))
            .collect();
        spans.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in spans {
            let next_line = |last: &Range<usize>| {
                text.get(last.end..r.start)
                    .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() == 1)
            };
            match merged.last_mut() {
                Some(last) if next_line(last) => last.end = r.end,
                _ => merged.push(r),
            }
        }
        merged
            .into_iter()
            .map(|r| Ok((p.source.path.clone(), whole_lines(text, Some(r))?)))
            .collect()
    };
    if arg == "policy" {
        return lines(&["policy", "attach_policy"]);
    }
    if holder.body.has_attribute("number_of_policies") {
        return Err("the grant is in a customer policy other roles share, attached by the module's `policies` with `number_of_policies`: change both by hand".into());
    }
    let Some(Expression::Array(a)) = attr(&holder.body, "policies") else {
        return Err("the module's `policies` is not a list rolefit can edit".into());
    };
    if a.len() == 1 {
        return lines(&["policies", "attach_policies"]);
    }
    let i = a
        .iter()
        .position(|x| within(x, at))
        .ok_or("the policy's item is not found")?;
    Ok(vec![(p.source.path.clone(), list_removal(text, a, i)?)])
}

/// `aws_iam_policy_attachment` blocks left attaching to nobody (`roles = []` once every role
/// was detached, no `users` or `groups`): the AWS provider refuses them ("No Users, Roles, or
/// Groups specified for IAM Policy Attachment", `resourcePolicyAttachmentCreate` in
/// https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/iam/policy_attachment.go),
/// so they go.
fn emptied_attachments(module: &[Parsed]) -> Result<Vec<(String, Removal)>, String> {
    let mut out = Vec::new();
    for p in module {
        for b in p.body.blocks() {
            if b.ident.as_str() != "resource" || kind(b) != "aws_iam_policy_attachment" {
                continue;
            }
            let empty = |key: &str| match attr(&b.body, key) {
                None => true,
                Some(Expression::Array(a)) => a.is_empty(),
                Some(_) => false,
            };
            if b.body.has_attribute("roles") && empty("roles") && empty("users") && empty("groups")
            {
                out.push((
                    p.source.path.clone(),
                    whole_lines(&p.source.text, range(b))?,
                ));
            }
        }
    }
    Ok(out)
}
