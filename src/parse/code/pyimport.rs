//! Python imports: what `boto3`, `os`, library entry points (the helpers table's `library`
//! entries: Powertools, Strands, langchain-aws...) and `mypy_boto3_*` names are bound to, and
//! the modules that may be the function's own files.

use tree_sitter::Node;

use super::driver::Scope;
use super::pyeval::{Env, Obj};
use super::text;
use crate::data::SdkKind;

/// What an imported name is when a library entry point: a module of entry points, or an
/// entry point.
fn library(module: &str, name: Option<&str>) -> Option<Obj> {
    let sdk = crate::data::sdk();
    let Some(name) = name else {
        return sdk
            .is_library_module(SdkKind::Python, module)
            .then(|| Obj::LibModule(module.to_string()));
    };
    let whole = format!("{module}.{name}");
    if sdk.is_library_module(SdkKind::Python, &whole) {
        return Some(Obj::LibModule(whole));
    }
    let e = sdk.library_entry(SdkKind::Python, module, name)?;
    Some(Obj::LibCall {
        module: e.module.to_string(),
        name: e.name.to_string(),
    })
}

/// The AWS Durable Execution SDK for Python's package (`aws_durable_execution_sdk_python`).
const DURABLE_SDK: &str = "aws_durable_execution_sdk";

/// `import ...` / `from ... import ...`: binds SDK names and records possible local modules.
pub(super) fn import(cx: &mut Env<'_>, scope: &mut Scope<'_, Obj>, node: Node<'_>) {
    let file = cx.file;
    // Libraries that call AWS in ways not read call by call (`import pyqldb.driver`,
    // `from pynamodb.models import Model`).
    let modules: Vec<Node<'_>> = if node.kind() == "import_statement" {
        let mut cursor = node.walk();
        node.children_by_field_name("name", &mut cursor)
            .map(|n| match n.kind() {
                "aliased_import" => n.child_by_field_name("name").unwrap_or(n),
                _ => n,
            })
            .collect()
    } else {
        node.child_by_field_name("module_name")
            .into_iter()
            .collect()
    };
    for m in modules {
        scope.library("python", text(file, m), m);
    }
    let mut record = |module: String, at: Node<'_>, binds: &[(&str, &str)]| {
        let index = scope.import(module, at);
        for (local, imported) in binds {
            scope.bind_import(index, local, imported);
        }
    };
    let names: Vec<Node<'_>> = {
        let mut cursor = node.walk();
        node.children_by_field_name("name", &mut cursor).collect()
    };
    let split = |n: Node<'_>| -> (String, Option<String>) {
        if n.kind() == "aliased_import" {
            let name = n.child_by_field_name("name").map_or("", |x| text(file, x));
            let alias = n
                .child_by_field_name("alias")
                .map(|x| text(file, x).to_string());
            (name.to_string(), alias)
        } else {
            (text(file, n).to_string(), None)
        }
    };
    if node.kind() == "import_statement" {
        for n in names {
            let (module, alias) = split(n);
            let bound = alias
                .clone()
                .unwrap_or_else(|| module.split('.').next().unwrap_or("").to_string());
            let obj = match (module.as_str(), alias.is_some()) {
                ("boto3", _) => Some(Obj::Boto3),
                ("boto3.session", true) => Some(Obj::SessionModule),
                ("os", _) => Some(Obj::Os),
                // `import a.b.c` binds `a`; only `import a.b.c as m` binds the module itself.
                (m, aliased) if aliased || !m.contains('.') => library(m, None),
                _ => None,
            };
            if module.starts_with("boto3") {
                cx.boto3 = true;
            }
            if module.starts_with(DURABLE_SDK) {
                cx.durable = true;
            }
            if let Some(obj) = obj {
                cx.names.insert(bound.clone(), obj);
            }
            if !super::pystd::is_known_package(&module) {
                record(module, n, &[(&bound, "*")]);
            }
        }
        return;
    }
    let Some(from) = node.child_by_field_name("module_name") else {
        return;
    };
    let module = text(file, from).to_string();
    if module.starts_with("boto3") {
        cx.boto3 = true;
    }
    if module.starts_with(DURABLE_SDK) {
        cx.durable = true;
    }
    let mypy_service = module
        .split('.')
        .next()
        .and_then(|m| m.strip_prefix("mypy_boto3_"))
        .map(|s| s.replace('_', "-"));
    let relative_only = module.chars().all(|c| c == '.');
    // What `from module import a, b as c` binds: a star import binds nothing known.
    let bound_names: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            let (name, alias) = split(*n);
            (alias.unwrap_or_else(|| name.clone()), name)
        })
        .collect();
    if !relative_only && !super::pystd::is_known_package(&module) {
        let binds: Vec<(&str, &str)> = bound_names
            .iter()
            .map(|(l, i)| (l.as_str(), i.as_str()))
            .collect();
        record(module.clone(), from, &binds);
    }
    for n in names {
        let (name, alias) = split(n);
        let bound = alias.unwrap_or_else(|| name.clone());
        if let Some(service) = &mypy_service {
            cx.mypy.insert(bound.clone(), service.clone());
        }
        let obj = match (module.as_str(), name.as_str()) {
            ("boto3", "client") => Some(Obj::ClientFn),
            ("boto3", "resource") => Some(Obj::ResourceFn),
            ("boto3", "Session") | ("boto3.session", "Session") => Some(Obj::SessionClass),
            ("boto3", "session") => Some(Obj::SessionModule),
            ("os", "environ") => Some(Obj::Environ),
            ("os", "getenv") => Some(Obj::Getenv),
            (m, f) => library(m, Some(f)),
        };
        if let Some(obj) = obj {
            cx.names.insert(bound.clone(), obj);
        }
        // `from pkg import mod` may import a submodule: both readings are candidates.
        let whole = [(bound.as_str(), "*")];
        if relative_only {
            record(format!("{module}{name}"), n, &whole);
        } else if name != "*" && !super::pystd::is_known_package(&module) {
            record(format!("{module}.{name}"), n, &whole);
        }
    }
}
