//! `serverless.yml` statement lists: the framework's shared role (`provider.iam.role.statements`,
//! or the older `provider.iamRoleStatements`) and, when the project uses the
//! serverless-iam-roles-per-function plugin, a function's own `iamRoleStatements`
//! (Serverless Framework guide, "AWS Provider: IAM Permissions",
//! https://www.serverless.com/framework/docs/providers/aws/guide/iam; the plugin's README,
//! https://github.com/functionalone/serverless-iam-roles-per-function). Statements go and come
//! as whole lines of the block list; every other byte is kept.

use serde_json::Value;

use super::{
    Removal, Target, contains, dash_column, extent, is_json, json, line_end, line_start,
    lines_of_item, parse, seq,
};
use crate::model::Role;
use crate::parse::serverless::{SHARED_ROLE, normalized};
use crate::source::{FileId, SourceFile};
use crate::syntax::node::{Node, Value as V};

const PLUGIN: &str = "serverless-iam-roles-per-function";

/// The key path of the statement list that holds `role`'s own grants in `tree`, else why
/// `fix` cannot edit it.
pub(super) fn statements_path(tree: &Node, role: &Role) -> Result<Vec<String>, String> {
    let path = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    if role.name == SHARED_ROLE {
        let provider = tree.get("provider").ok_or("no `provider` in the file")?;
        if provider
            .get("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("statements"))
            .is_some()
        {
            return Ok(path(&["provider", "iam", "role", "statements"]));
        }
        if provider.get("iamRoleStatements").is_some() {
            return Ok(path(&["provider", "iamRoleStatements"]));
        }
        return Ok(path(&["provider", "iam", "role", "statements"]));
    }
    let plugins = tree.get("plugins");
    let listed = plugins
        .and_then(|p| p.get("modules"))
        .or(plugins)
        .is_some_and(|l| l.items().any(|p| p.as_str() == Some(PLUGIN)));
    if !listed {
        return Err(format!(
            "per-function `iamRoleStatements` are read only by the {PLUGIN} plugin, which the project does not list"
        ));
    }
    let functions = tree
        .get("functions")
        .filter(|f| f.is_map())
        .ok_or("the functions are not written in this file")?;
    let key = functions
        .entries()
        .map(|(k, _)| k.name.clone())
        .find(|k| format!("{}IamRoleLambdaExecution", normalized(k)) == role.name)
        .ok_or("the function is not written in this file")?;
    Ok(vec![
        "functions".to_string(),
        key,
        "iamRoleStatements".to_string(),
    ])
}

/// The node at `path`.
fn at<'n>(tree: &'n Node, path: &[String]) -> Option<&'n Node> {
    path.iter().try_fold(tree, |n, k| n.get(k))
}

/// Why the grant at `offset` is not in the target's own list (a statement the framework
/// writes for an event or setting, or provider statements a per-function role inherits), or
/// `None` when it is.
pub(super) fn outside(source: &SourceFile, t: &Target, offset: usize) -> Option<String> {
    let tree = parse(source).ok()?;
    let list = at(&tree, &t.path)?;
    if list.items().any(|st| contains(st, offset)) {
        return None;
    }
    let provider = [
        &["provider", "iam", "role", "statements"][..],
        &["provider", "iamRoleStatements"][..],
    ];
    let inherited = provider.iter().any(|p| {
        let p: Vec<String> = p.iter().map(|k| k.to_string()).collect();
        p != t.path && at(&tree, &p).is_some_and(|l| l.items().any(|st| contains(st, offset)))
    });
    Some(if inherited {
        "the grant is in the provider's statements, which this function's role inherits (`iamRoleStatementsInherit`) and other roles may share: change them by hand".into()
    } else {
        "the Serverless Framework writes this grant for an event or setting of the function: change that event or setting".into()
    })
}

/// The lines of the statements that hold the grants at `offsets`.
pub(super) fn removals(
    source: &SourceFile,
    t: &Target,
    offsets: &[usize],
) -> Result<Vec<Removal>, String> {
    let tree = parse(source)?;
    let list = at(&tree, &t.path).ok_or("the statement list is not found")?;
    if is_json(source) {
        // `serverless.json`: the elements go with their comma.
        let mut gone: Vec<usize> = offsets
            .iter()
            .map(|&o| {
                list.items()
                    .position(|n| contains(n, o))
                    .ok_or("the grant's statement is not found")
            })
            .collect::<Result<_, _>>()?;
        gone.sort_unstable();
        gone.dedup();
        return json::removals(list, &gone);
    }
    let items = seq(list)?;
    let mut out = Vec::new();
    for &offset in offsets {
        let item = items
            .iter()
            .find(|n| contains(n, offset))
            .ok_or("the grant's statement is not found")?;
        out.push(lines_of_item(source, item)?);
    }
    Ok(out)
}

/// The lines to delete when the statement list is left empty: its key, and each enclosing key
/// that holds nothing else (`iam:`, `role:`), never `provider:`. A function's own list is
/// never emptied: without it the plugin puts the function on the shared role.
pub(super) fn empty_list(source: &SourceFile, t: &Target) -> Result<Option<Removal>, String> {
    let tree = parse(source)?;
    let Some((key, list)) = t
        .path
        .split_last()
        .and_then(|(last, parent)| at(&tree, parent)?.get_entry(last))
    else {
        return Ok(None);
    };
    if !matches!(list.value, V::Null) {
        return Ok(None);
    }
    if t.path.first().map(String::as_str) == Some("functions") {
        return Err("every statement of the function's own role would go, which puts the function on the shared role: remove `iamRoleStatements` by hand".into());
    }
    let mut start = line_start(&source.text, key.span.start as usize);
    for depth in (1..t.path.len() - 1).rev() {
        let Some(parent) = at(&tree, &t.path[..=depth]) else {
            break;
        };
        if parent.entries().count() != 1 {
            break;
        }
        let Some((k, _)) = at(&tree, &t.path[..depth]).and_then(|n| n.get_entry(&t.path[depth]))
        else {
            break;
        };
        start = line_start(&source.text, k.span.start as usize);
    }
    Ok(Some(Removal {
        start,
        end: line_end(&source.text, key.span.end as usize),
    }))
}

/// Where and what to insert for `items` (list items at indent 0, `\n` line ends): after the
/// list's last statement, under its empty key, or as the keys the file lacks.
pub(super) fn addition(
    source: &SourceFile,
    t: &Target,
    items: &str,
) -> Result<(usize, String), String> {
    if is_json(source) {
        return json_addition(source, t, items);
    }
    let text = &source.text;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let block = |indent: usize, body: &str| -> String {
        let pad = " ".repeat(indent);
        body.lines()
            .map(|l| format!("{pad}{l}{eol}"))
            .collect::<String>()
    };
    let tree = parse(source)?;
    // The deepest node of the path the file has.
    let mut node = &tree;
    let mut depth = 0;
    let mut last_key = None;
    for k in &t.path {
        match node.get_entry(k) {
            Some((key, v)) => {
                node = v;
                last_key = Some(key);
                depth += 1;
            }
            None => break,
        }
    }
    if depth == t.path.len() {
        let key = last_key.ok_or("the statement list is not found")?;
        if matches!(node.value, V::Null) {
            let key_start = key.span.start as usize;
            let indent = key_start - line_start(text, key_start);
            return Ok((
                line_end(text, key.span.end as usize),
                block(indent + 2, items),
            ));
        }
        let list = seq(node)?;
        let last = list.last().ok_or("empty statement list")?;
        let indent = dash_column(text, list[0])?;
        lines_of_item(source, list[0])?;
        let at = line_end(text, extent(last).1.saturating_sub(1));
        return Ok((at, block(indent, items)));
    }
    if !node.is_map() || depth == 0 {
        return Err(format!(
            "`{}` is not a block map rolefit can extend",
            t.path[..depth].join(".")
        ));
    }
    let (first, _) = node.entries().next().ok_or("empty map")?;
    let first_start = first.span.start as usize;
    let indent = first_start - line_start(text, first_start);
    if text[line_start(text, first_start)..first_start].trim() != "" {
        return Err("the map is not in block style".into());
    }
    let at = line_end(text, extent(node).1.saturating_sub(1));
    let mut out = String::new();
    for (i, k) in t.path[depth..].iter().enumerate() {
        out.push_str(&format!("{}{k}:{eol}", " ".repeat(indent + 2 * i)));
    }
    out.push_str(&block(indent + 2 * (t.path.len() - depth), items));
    Ok((at, out))
}

/// [`addition`] in a `serverless.json`: `items` (the statements as Serverless YAML, whose
/// values are JSON) appended to the list, or written under the keys the file lacks.
fn json_addition(source: &SourceFile, t: &Target, items: &str) -> Result<(usize, String), String> {
    let rendered = SourceFile::new(FileId::BUILTIN, "statements.yml", items.to_string());
    let new: Vec<Value> = match crate::syntax::yaml::parse(&rendered)
        .map_err(|e| format!("the statements do not render: {e}"))?
        .to_json()
    {
        Value::Array(list) => list,
        _ => return Err("the statements do not render as a list".into()),
    };
    let tree = parse(source)?;
    let mut node = &tree;
    let mut depth = 0;
    for k in &t.path {
        match node.get(k) {
            Some(v) => {
                node = v;
                depth += 1;
            }
            None => break,
        }
    }
    if depth == t.path.len() {
        return json::append(&source.text, node, &new);
    }
    if !node.is_map() {
        return Err(format!("`{}` is not an object", t.path[..depth].join(".")));
    }
    let value = t.path[depth + 1..].iter().rev().fold(
        Value::Array(new),
        |v, k| serde_json::json!({ k.as_str(): v }),
    );
    json::add_key(&source.text, node, &t.path[depth], &value)
}
