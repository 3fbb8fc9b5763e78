//! SDK helper methods that no service model describes (boto3 `upload_file`, lib-dynamodb
//! `PutCommand`, JS v2 `DocumentClient`, Powertools parameters, transfer managers), from the
//! `helpers` table of `policies/overrides.json`, and how each SDK spells a botocore service
//! and operation.

use super::SdkKind;
use super::raw::{Helper, Library};
use super::sdk::{OpResolution, SdkIndex, Source, norm};

/// The `sdk` field of a helper entry in `overrides.json`.
fn kind_key(kind: SdkKind) -> &'static str {
    match kind {
        SdkKind::Python => "python",
        SdkKind::JsV3 => "js_v3",
        SdkKind::JsV2 => "js_v2",
        SdkKind::Go => "go",
        SdkKind::Java => "java",
    }
}

impl SdkIndex {
    pub(super) fn find_helper(
        &self,
        kind: SdkKind,
        service: &str,
        resource_type: Option<&str>,
        method: &str,
    ) -> Option<&Helper> {
        self.helpers.iter().find(|h| {
            h.sdk == kind_key(kind)
                && (h.service == "*" || h.service.eq_ignore_ascii_case(service))
                && match (&h.resource_type, resource_type) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                }
                && h.method.eq_ignore_ascii_case(method)
        })
    }

    /// A helper's needs: the union of its operations' needs.
    pub(super) fn helper_resolution(&self, h: &Helper, called_service: &str) -> OpResolution {
        let service = if h.botocore == "*" {
            called_service.to_owned()
        } else {
            h.botocore.clone()
        };
        let mut res = OpResolution {
            service,
            operation: h.operations.first().unwrap_or(&h.method).clone(),
            operations: h.operations.clone(),
            actions: Vec::new(),
            source: Source::Helper,
            input: Vec::new(),
            follow_on: Vec::new(),
            param_actions: Vec::new(),
            note: h.note.clone(),
        };
        let Some(svc) = self.service_by_botocore(&h.botocore) else {
            return res;
        };
        for name in &h.operations {
            let Some(op) = svc.op(&norm(name)) else {
                continue;
            };
            let part = self.op_resolution(svc, op);
            res.actions.extend(part.actions);
            for i in part.input {
                if !res.input.contains(&i) {
                    res.input.push(i);
                }
            }
            for f in part.follow_on {
                if !res.follow_on.contains(&f) {
                    res.follow_on.push(f);
                }
            }
            for p in part.param_actions {
                if !res.param_actions.contains(&p) {
                    res.param_actions.push(p);
                }
            }
        }
        res.actions.sort();
        res.actions.dedup();
        res
    }
}

/// How each SDK names one botocore service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SdkNames<'a> {
    pub botocore: &'a str,
    pub service_id: &'a str,
    pub prefix: Option<&'a str>,
    pub js_v3: &'a str,
    pub js_v2: Option<&'a str>,
    pub go: &'a str,
    pub java: &'a str,
}

/// A library entry point (a `library` entry of the helpers table): see [`Helper::library`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryEntry<'a> {
    /// The module key the entry is filed under (the module or the package it belongs to).
    pub module: &'a str,
    /// The imported name (`Agent`), or `Class.method` for a method of an instance.
    pub name: &'a str,
    /// The name is a class whose instances' methods are the entry points.
    pub instance: bool,
    pub unless_object_arg: Option<&'a str>,
    /// (keyword argument, request member); the keyword's position is its index.
    pub params: &'a [(String, String)],
}

impl SdkIndex {
    /// The library entry point `name` imported from `module` (a module at or below the
    /// entry's module key: `langchain_aws.chat_models` for `langchain_aws`).
    pub fn library_entry(
        &self,
        kind: SdkKind,
        module: &str,
        name: &str,
    ) -> Option<LibraryEntry<'_>> {
        self.helpers
            .iter()
            .filter(|h| h.sdk == kind_key(kind) && h.library.is_some() && h.method == name)
            .filter(|h| {
                module == h.service
                    || module
                        .strip_prefix(h.service.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
            .max_by_key(|h| h.service.len())
            .map(|h| LibraryEntry {
                module: &h.service,
                name: &h.method,
                instance: h.library.as_deref() == Some("instance"),
                unless_object_arg: h.unless_object_arg.as_deref(),
                params: &h.params,
            })
    }

    /// Whether `module` is exactly a module with library entry points (a module object whose
    /// functions are looked up with [`SdkIndex::library_entry`]).
    pub fn is_library_module(&self, kind: SdkKind, module: &str) -> bool {
        self.helpers
            .iter()
            .any(|h| h.sdk == kind_key(kind) && h.library.is_some() && h.service == module)
    }

    /// The library (not an AWS SDK) that the module `module` imported in code of `language`
    /// (`python`, `javascript`, `go`, `java`) is or belongs to, when it calls AWS with the
    /// function's credentials in ways rolefit does not read call by call.
    pub fn library_import(&self, language: &str, module: &str) -> Option<&Library> {
        let sep = match language {
            "python" | "java" => '.',
            _ => '/',
        };
        self.libraries.iter().find(|l| {
            l.language == language
                && (module == l.module
                    || module
                        .strip_prefix(l.module.as_str())
                        .is_some_and(|rest| rest.starts_with(sep)))
        })
    }

    /// Every library of the `libraries` table, in table order.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// SDK names of a botocore service.
    pub fn names(&self, botocore_service: &str) -> Option<SdkNames<'_>> {
        let s = self.service_by_botocore(botocore_service)?;
        Some(SdkNames {
            botocore: &s.name,
            service_id: &s.service_id,
            prefix: s.prefix.as_deref(),
            js_v3: &s.js_v3,
            js_v2: s.js_v2.as_deref(),
            go: &s.go,
            java: &s.java,
        })
    }

    /// The method name an SDK gives an operation: `ListObjectsV2` -> `list_objects_v2`
    /// (boto3, botocore's `xform_name`), `ListObjectsV2Command` (JS v3), `listObjectsV2`
    /// (JS v2, Java), `ListObjectsV2` (Go).
    pub fn method_name(
        &self,
        kind: SdkKind,
        botocore_service: &str,
        operation: &str,
    ) -> Option<String> {
        let s = self.service_by_botocore(botocore_service)?;
        let op = s.op(&norm(operation))?;
        Some(match kind {
            SdkKind::Python => op.py.clone(),
            SdkKind::JsV3 => format!("{}Command", op.name),
            SdkKind::Go => op.name.clone(),
            SdkKind::JsV2 | SdkKind::Java => lower_camel(&op.name),
        })
    }
}

/// `ListObjectsV2` -> `listObjectsV2`; AWS SDKs lower only the first character.
fn lower_camel(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
