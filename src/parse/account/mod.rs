//! Exported AWS account state: the JSON the AWS CLI prints for IAM and Lambda, lowered to the
//! same model as templates so rules and reports work unchanged.
//!
//! Files are recognised by content, not name ([`is_export`] sniffs, [`parse_export`] decides by
//! shape): `aws iam get-account-authorization-details` (roles and customer policies),
//! `aws lambda list-functions` / `get-function-configuration` / `get-function`,
//! `aws lambda get-policy` (one function's resource-based policy),
//! `aws lambda list-event-source-mappings`, `aws lambda list-function-url-configs` and
//! `aws lambda list-function-event-invoke-configs` (asynchronous invocation destinations),
//! and the manifest `rolefit collect` writes (`rolefit-collect.json`: its gaps are
//! `incomplete-input` notes).
//! Values are the deployed ones, so ARNs carry the real account and region.

mod embedded;
mod iam;
mod lambda;
mod manifest;
mod policy;

pub use embedded::policy_document;

use std::collections::BTreeMap;

use crate::arn::Arn;
use crate::config::Config;
use crate::model::App;
use crate::parse::common::{Context, FrontEnd, Reads, TemplateOutcome};
use crate::source::{SourceFile, Spanned};
use crate::syntax::node::{Node, Value};
use crate::syntax::{ParseError, json};

/// What one folder of export files lowered to.
#[derive(Debug, Default)]
pub struct Outcome {
    pub app: App,
    /// Malformed files and shapes; the rest is still lowered.
    pub issues: Vec<ParseError>,
}

/// Which CLI command printed a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Authorization,
    Functions,
    Mappings,
    UrlConfigs,
    InvokeConfigs,
    FunctionPolicy,
    /// `rolefit collect`'s manifest.
    Manifest,
}

/// The `account-export` front end: JSON exported from an account (`aws iam
/// get-account-authorization-details`, `aws lambda list-functions`, ...), each folder's files
/// together. Code folders named in the configuration are relative to the export's root.
pub struct AccountExport;

impl FrontEnd for AccountExport {
    fn name(&self) -> &'static str {
        "account-export"
    }

    fn reads(&self) -> Reads {
        Reads::Documents
    }

    fn group<'r>(&self, rel: &'r str) -> Option<&'r str> {
        Some(export_folder(rel))
    }

    fn claims(&self, file: &SourceFile) -> bool {
        is_export(&file.text)
    }

    fn lower(&self, files: &[&SourceFile], cx: &Context<'_>) -> TemplateOutcome {
        let mut outcome = parse_export(files, cx.config);
        for f in &mut outcome.app.functions {
            if let Some(code) = &mut f.code_path {
                code.value = format!("{}{}", cx.prefix, code.value);
            }
        }
        TemplateOutcome::Template {
            app: outcome.app,
            issues: outcome.issues,
        }
    }
}

/// Whether the text looks like an export rolefit reads (a cheap check before parsing: the
/// decision is made by [`parse_export`] on the parsed shape).
pub fn is_export(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('{') {
        return false;
    }
    t.contains("\"RoleDetailList\"")
        || t.contains("\"EventSourceMappings\"")
        || t.contains("\"FunctionUrlConfigs\"")
        || t.contains("\"FunctionEventInvokeConfigs\"")
        || (t.contains("\"FunctionArn\"") && t.contains("\"DestinationConfig\""))
        || (t.contains("\"FunctionArn\"") && t.contains("\"FunctionName\""))
        || (t.contains("\"Policy\"") && t.contains("lambda:"))
        || (t.contains("\"collected\"") && t.contains("\"gaps\"") && t.contains("\"identity\""))
}

/// The folder whose export files belong together: a file's folder, with a trailing
/// `policies/` folder (where the README puts one `get-policy` output per function) folded
/// into its parent.
pub fn export_folder(path: &str) -> &str {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    if dir == "policies" {
        return "";
    }
    dir.strip_suffix("/policies").unwrap_or(dir)
}

/// Lowers one folder's export files together: roles first, then functions bound to them,
/// then mappings, URL configurations and resource-based policies attached to the functions.
pub fn parse_export(files: &[&SourceFile], config: &Config) -> Outcome {
    let mut out = Outcome::default();
    let mut parsed: Vec<(&SourceFile, Kind, Node)> = Vec::new();
    let mut sorted: Vec<&SourceFile> = files.to_vec();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in sorted {
        match json::parse(file) {
            Ok(root) => {
                if let Some(kind) = classify(&root) {
                    parsed.push((file, kind, root));
                }
            }
            Err(e) => out.issues.push(e),
        }
    }
    parsed.sort_by_key(|(_, kind, _)| *kind);
    let mut roles = iam::Roles::default();
    let mut functions = lambda::Functions::default();
    for (file, kind, root) in &parsed {
        match kind {
            Kind::Authorization => iam::lower(file, root, &mut roles, &mut out),
            Kind::Functions => lambda::lower_functions(file, root, &mut functions, &mut out),
            Kind::Mappings
            | Kind::UrlConfigs
            | Kind::InvokeConfigs
            | Kind::FunctionPolicy
            | Kind::Manifest => {}
        }
    }
    functions.finish(&roles, config, &mut out);
    roles.finish(&mut out.app);
    let index = function_index(&out.app);
    for (file, kind, root) in &parsed {
        match kind {
            Kind::Mappings => lambda::lower_mappings(root, &index, &mut out),
            Kind::UrlConfigs => lambda::lower_url_configs(root, &index, &mut out),
            Kind::InvokeConfigs => lambda::lower_invoke_configs(root, &index, &mut out),
            Kind::FunctionPolicy => policy::lower(file, root, &index, &mut out),
            Kind::Manifest => manifest::lower(file, root, &index, &mut out),
            Kind::Authorization | Kind::Functions => {}
        }
    }
    out
}

fn classify(root: &Node) -> Option<Kind> {
    let has = |k: &str| root.get(k).is_some();
    if [
        "version",
        "account",
        "region",
        "identity",
        "collected",
        "gaps",
    ]
    .iter()
    .all(|k| has(k))
    {
        Some(Kind::Manifest)
    } else if has("RoleDetailList") || (has("Policies") && has("UserDetailList")) {
        Some(Kind::Authorization)
    } else if has("EventSourceMappings") || (has("UUID") && has("FunctionArn")) {
        Some(Kind::Mappings)
    } else if has("FunctionUrlConfigs") || (has("FunctionUrl") && has("AuthType")) {
        Some(Kind::UrlConfigs)
    } else if has("FunctionEventInvokeConfigs")
        || (has("DestinationConfig") && has("FunctionArn") && !has("FunctionName"))
    {
        Some(Kind::InvokeConfigs)
    } else if has("Functions")
        || (has("FunctionName") && has("FunctionArn"))
        || root
            .get("Configuration")
            .is_some_and(|c| c.get("FunctionArn").is_some())
    {
        Some(Kind::Functions)
    } else if has("Policy") {
        Some(Kind::FunctionPolicy)
    } else {
        None
    }
}

/// A string value with its span.
fn text(n: &Node, key: &str) -> Option<Spanned<String>> {
    let v = n.get(key)?;
    v.scalar_text().map(|s| Spanned::new(s, v.span))
}

/// Items of a list that must be a list (`Functions`, `RoleDetailList`, ...); anything else is
/// an issue and yields nothing.
fn list<'n>(root: &'n Node, key: &str, issues: &mut Vec<ParseError>) -> Vec<&'n Node> {
    match root.get(key) {
        Some(n) if n.is_seq() => n.items().collect(),
        Some(n) if matches!(n.value, Value::Null) => Vec::new(),
        Some(n) => {
            issues.push(ParseError::new(n.span, format!("`{key}` must be a list")));
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` without its qualifier,
/// and the qualifier.
fn unqualified(arn: &str) -> (String, Option<String>) {
    let qualifier = Arn::parse(arn).ok().and_then(|a| a.function()?.1);
    match qualifier {
        Some(q) => (
            arn[..arn.len() - q.as_str().len() - 1].to_string(),
            Some(q.to_string()),
        ),
        None => (arn.to_string(), None),
    }
}

/// The account of an ARN (`arn:aws:lambda:us-east-1:111122223333:...` -> `111122223333`).
fn account_of(arn: &str) -> Option<&str> {
    Arn::parse(arn)
        .ok()?
        .account()
        .map(|a| a.as_str())
        .filter(|a| !a.is_empty())
}

/// Functions by unqualified ARN and by name, to attach what other exports say about them.
type FunctionIndex = BTreeMap<String, usize>;

fn function_index(app: &App) -> FunctionIndex {
    let mut index = BTreeMap::new();
    for (i, f) in app.functions.iter().enumerate() {
        index.entry(f.arn.clone()).or_insert(i);
        index.entry(f.name.clone()).or_insert(i);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_fold_policies_into_their_parent() {
        assert_eq!(export_folder("prod/functions.json"), "prod");
        assert_eq!(export_folder("prod/policies/orders.json"), "prod");
        assert_eq!(export_folder("policies/orders.json"), "");
        assert_eq!(export_folder("functions.json"), "");
    }

    #[test]
    fn qualifiers_split() {
        let (arn, q) = unqualified("arn:aws:lambda:us-east-1:111122223333:function:f:live");
        assert_eq!(arn, "arn:aws:lambda:us-east-1:111122223333:function:f");
        assert_eq!(q.as_deref(), Some("live"));
        assert_eq!(unqualified("f").0, "f");
        assert_eq!(account_of(&arn), Some("111122223333"));
    }

    #[test]
    fn sniffing_needs_an_object_and_a_known_key() {
        assert!(is_export("{\"RoleDetailList\": []}"));
        assert!(is_export(
            "\u{feff} {\"Functions\": [{\"FunctionName\": \"a\", \"FunctionArn\": \"b\"}]}"
        ));
        assert!(!is_export("[\"RoleDetailList\"]"));
        assert!(!is_export("{\"name\": \"package\"}"));
        // rolefit collect's manifest, and not any file with a `gaps` list.
        assert!(is_export(
            "{\"version\": 1, \"identity\": \"a\", \"collected\": [], \"gaps\": []}"
        ));
        assert!(!is_export("{\"collected\": 3, \"gaps\": []}"));
    }
}
