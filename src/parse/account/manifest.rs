//! The manifest `rolefit collect` writes beside an export (`rolefit-collect.json`): its gaps,
//! the API calls that failed for good, become `incomplete-input` notes (REPORT.md v1.1: "an
//! API a collection could not read"). Gaps of one API with one error code are said once per
//! folder, naming every function concerned. A gap in an API that feeds the functions' needs
//! (event source mappings poll with the execution role; asynchronous invocation destinations
//! are sent to with it) leaves those functions' needs incomplete, so they get no
//! `unused-permission`; the other gaps (a resource-based policy, a URL, the roles) leave
//! what they would have shown unknown, and rules see only what was read.

use std::collections::BTreeMap;

use super::{FunctionIndex, Outcome, list, text};
use crate::source::SourceFile;
use crate::syntax::node::Node;
use crate::syntax::{Unknown, UnknownKind};

/// What a failed API leaves unknown, and whether it feeds the functions' needs.
fn consequence(api: &str) -> (&'static str, bool) {
    match api {
        "iam:GetAccountAuthorizationDetails" => (
            "the roles and their policies are not known, so no role is judged",
            false,
        ),
        "lambda:ListFunctions" => ("the functions listed may not be all of them", false),
        "lambda:ListEventSourceMappings" => (
            "the event source mappings are not known, so what the functions need to poll them is \
             not known in full",
            true,
        ),
        "lambda:GetPolicy" => ("the resource-based policies are not known", false),
        "lambda:ListFunctionUrlConfigs" | "lambda:GetFunctionUrlConfig" => {
            ("the function URLs are not known", false)
        }
        "lambda:ListFunctionEventInvokeConfigs" => (
            "the asynchronous invocation destinations are not known, so what the functions need \
             to send to them is not known in full",
            true,
        ),
        _ => ("what it returns is not known", false),
    }
}

/// One API's failures with one code in a folder.
struct Group<'n> {
    first: &'n Node,
    message: String,
    /// Named functions (in the export or not), in manifest order.
    functions: Vec<String>,
    /// A gap without a function: the call was for the whole folder.
    folder_wide: bool,
    /// Gaps in the group.
    count: usize,
}

/// Lowers a manifest's gaps into [`crate::model::App::unknowns`].
pub fn lower(file: &SourceFile, root: &Node, index: &FunctionIndex, out: &mut Outcome) {
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for g in list(root, "gaps", &mut out.issues) {
        let Some(api) = text(g, "api") else {
            out.issues.push(crate::syntax::ParseError::new(
                g.span,
                "collection gap without `api`",
            ));
            continue;
        };
        let code = text(g, "code").map_or_else(|| "error".to_string(), |c| c.value);
        let message = text(g, "message").map(|m| m.value).unwrap_or_default();
        let group = groups
            .entry((api.value.clone(), code))
            .or_insert_with(|| Group {
                first: g,
                message,
                functions: Vec::new(),
                folder_wide: false,
                count: 0,
            });
        group.count += 1;
        match text(g, "function") {
            Some(f) => group.functions.push(f.value),
            None => group.folder_wide = true,
        }
    }
    let mut by_span: Vec<_> = groups.into_iter().collect();
    by_span.sort_by_key(|(_, g)| g.first.span);
    for ((api, code), g) in by_span {
        let (what, feeds_needs) = consequence(&api);
        let ids: Vec<String> = if g.folder_wide {
            out.app.functions.iter().map(|f| f.id.clone()).collect()
        } else {
            g.functions
                .iter()
                .filter_map(|name| index.get(name))
                .filter_map(|&i| out.app.functions.get(i))
                .map(|f| f.id.clone())
                .collect()
        };
        let whom = if g.folder_wide {
            String::new()
        } else {
            let shown: Vec<String> = g
                .functions
                .iter()
                .take(3)
                .map(|f| format!("`{f}`"))
                .collect();
            let more = g.functions.len().saturating_sub(shown.len());
            let mut s = format!(" for {}", shown.join(", "));
            if more > 0 {
                s.push_str(&format!(" and {more} more function{}", plural(more)));
            }
            s
        };
        let detail = match (g.message.is_empty(), g.count) {
            (true, _) => code.clone(),
            (false, 1) => format!("{code}: {}", g.message),
            (false, _) => format!("{code}; the first: {}", g.message),
        };
        let message = format!("the collection could not read `{api}`{whom} ({detail}): {what}");
        out.app.unknowns.push(
            Unknown::new(
                g.first.span,
                UnknownKind::Unreadable,
                format!("{}: {api} {code}", file.path),
                message,
            )
            .about(ids, feeds_needs),
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
