//! Terraform configurations: every directory of `.tf` files is one module, parsed with
//! `hcl-edit` (spans kept) and lowered to the same [`crate::model`] the CloudFormation front
//! end produces, so rules and reports work unchanged.
//!
//! Expressions are evaluated symbolically ([`eval`]). Local modules (`source = "./x"`) are
//! instantiated where they are called: the call's arguments bind the child's variables, its
//! outputs resolve in the caller (siblings passing outputs to each other included), nested
//! calls nest, and a module call's `count`/`for_each` over known values makes one instance
//! per key (`module.x["k"].`); each item of an instance has the id
//! `<file>#module.x["k"].<address>`. A folder only ever called as a module is not also
//! audited as a root; a folder no other folder calls is a root, with its variables' defaults
//! and its `terraform.tfvars`/`*.auto.tfvars`. A resource's `count`/`for_each` over known
//! values makes one model item per instance (`aws_lambda_function.fn["a"]`, `aws_sqs_queue.q[0]`),
//! with `each.key`/`each.value`/`count.index` bound, and references pick the instance their key
//! names (a splat, every instance); over unknown values it is one item with those unknown, and
//! an incomplete-input note for the resources the audit reads. Provider configurations pinned to an
//! account (`allowed_account_ids`, an `assume_role` ARN) put it in the ARNs of what they
//! create. Physical names that the configuration does not set are written `${<address>}`,
//! the way the CloudFormation front end writes `${LogicalId}`. Registry modules other than
//! `terraform-aws-modules/lambda/aws` are not followed.

mod encryption;
pub use encryption::KEY_SETTINGS;
pub mod eval;
pub mod functions;
pub mod kinds;
pub mod lambda_module;
pub mod module;
pub mod plan;
pub mod policy;
pub mod refs;
pub mod roles;
pub mod triggers;

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::structure::Body;

use crate::model::{self, App};
use crate::parse::common::{Context, FrontEnd, Reads, TemplateOutcome};
use crate::source::SourceFile;
use crate::syntax::{ParseError, Unknown, UnknownKind};

/// The `terraform-hcl` front end: `.tf` files, each folder one module.
pub struct TerraformHcl;

impl FrontEnd for TerraformHcl {
    fn name(&self) -> &'static str {
        "terraform-hcl"
    }

    fn reads(&self) -> Reads {
        Reads::Terraform
    }

    /// One group per audited root: local modules are instantiated where they are called.
    fn group<'r>(&self, _rel: &'r str) -> Option<&'r str> {
        Some("")
    }

    fn lower(&self, files: &[&SourceFile], cx: &Context<'_>) -> TemplateOutcome {
        let o = parse_module(files, cx.read);
        TemplateOutcome::Template {
            app: o.app,
            issues: o.issues,
        }
    }
}

/// The `terraform-plan` front end: `terraform show -json` output.
pub struct TerraformPlan;

impl FrontEnd for TerraformPlan {
    fn name(&self) -> &'static str {
        "terraform-plan"
    }

    fn reads(&self) -> Reads {
        Reads::Documents
    }

    fn offered(&self, rel: &str) -> bool {
        rel.ends_with(".json")
    }

    fn lower(&self, files: &[&SourceFile], _cx: &Context<'_>) -> TemplateOutcome {
        let Some(file) = files.first() else {
            return TemplateOutcome::NotTemplate;
        };
        if !file.text.contains("\"format_version\"") {
            return TemplateOutcome::NotTemplate;
        }
        match crate::syntax::json::parse(file) {
            Ok(root) if plan::is_plan(&root) => {
                let o = plan::parse_plan(file, &root);
                TemplateOutcome::Template {
                    app: o.app,
                    issues: o.issues,
                }
            }
            _ => TemplateOutcome::NotTemplate,
        }
    }
}

/// A policy written as JSON text in a plan, parsed; bad JSON is an issue.
fn policy_json(
    n: &crate::syntax::node::Node,
    issues: &mut Vec<ParseError>,
) -> Option<model::PolicyDoc> {
    let text = n.as_str()?;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Some(model::PolicyDoc {
            node: crate::syntax::node::Node::from_json(&v, n.span),
            span: n.span,
        }),
        Err(e) => {
            issues.push(ParseError::new(
                n.span,
                format!("policy is not valid JSON: {e}"),
            ));
            None
        }
    }
}

/// What one tree of modules lowered to, and what could not be read.
#[derive(Debug, Default)]
pub struct Outcome {
    pub app: App,
    pub issues: Vec<ParseError>,
    /// What is left unknown rather than guessed (a module cycle, a `for_each` over unknown
    /// values, the instance budget spent): incomplete-input notes, not parse errors.
    pub incomplete: Vec<ParseError>,
}

/// Lowers the `.tf` files of one audited tree: each folder is a module; a folder that another
/// folder calls as a local module (`source = "./modules/x"`) is instantiated there, with the
/// call's arguments bound to its variables, once per `count`/`for_each` instance; every folder
/// no other folder calls is a root, evaluated with its variables' defaults and its
/// `terraform.tfvars` / `*.auto.tfvars`. `read` reads a file relative to the audited root (for
/// `file()`/`templatefile()`), `None` outside it. `.tf.json` files are not read (JSON
/// configuration syntax is rare in practice).
pub fn parse_module(files: &[&SourceFile], read: &dyn Fn(&str) -> Option<String>) -> Outcome {
    let mut out = Outcome::default();
    let mut by_dir: BTreeMap<String, Vec<(&SourceFile, Body)>> = BTreeMap::new();
    let mut tfvars: BTreeMap<String, Vec<(&SourceFile, Body)>> = BTreeMap::new();
    for f in files {
        if f.path.ends_with(".json") {
            continue;
        }
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        let vars = f.path.ends_with(".tfvars");
        if vars && name != "terraform.tfvars" && !name.ends_with(".auto.tfvars") {
            continue;
        }
        match module::parse_file(f) {
            Ok(b) if vars => tfvars.entry(dir.to_string()).or_default().push((*f, b)),
            Ok(b) => by_dir.entry(dir.to_string()).or_default().push((*f, b)),
            Err(e) => out.issues.push(e),
        }
    }
    let mut folders: eval::Folders = BTreeMap::new();
    for (dir, bodies) in &by_dir {
        folders.insert(dir.clone(), module::Module::new(dir.clone(), bodies, read));
    }
    // Local module calls: folder -> the folders it calls.
    let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let probe = eval::Shared::new(1);
    for m in folders.values() {
        let ev = eval::Eval::instance(m, probe.clone(), eval::Scope::default(), Some(&folders));
        for d in m.modules.values() {
            if let Some(child) = ev.local_source(d)
                && child.dir != m.dir
            {
                calls
                    .entry(m.dir.clone())
                    .or_default()
                    .insert(child.dir.clone());
            }
        }
    }
    // Folders some other folder calls are modules, not roots.
    let called: BTreeSet<String> = calls.values().flatten().cloned().collect();
    let mut lowered = BTreeSet::new();
    // Each root has the work budget of the folders it reaches, as when each folder was
    // evaluated alone, and its own instance budget.
    let mut lower_root = |m: &module::Module, vars, lowered: &mut BTreeSet<String>| {
        let shared = eval::Shared::new(reach(&calls, &m.dir));
        let scope = eval::Scope {
            vars,
            ..eval::Scope::default()
        };
        let ev = eval::Eval::instance(m, shared.clone(), scope, Some(&folders));
        lower_instance(&ev, &mut out.app, lowered);
        drop(ev);
        out.incomplete.extend(shared.incomplete.take());
    };
    for m in folders.values().filter(|m| !called.contains(&m.dir)) {
        lower_root(m, root_vars(m, tfvars.get(&m.dir)), &mut lowered);
    }
    // Folders only reachable through a cycle have no root: each is audited as one.
    while let Some(m) = folders
        .values()
        .find(|m| called.contains(&m.dir) && !lowered.contains(&m.dir))
    {
        lower_root(m, BTreeMap::new(), &mut lowered);
        lowered.insert(m.dir.clone());
    }
    for m in folders.values() {
        for e in m.issues.take() {
            if !out
                .issues
                .iter()
                .any(|x| x.span == e.span && x.message == e.message)
            {
                out.issues.push(e);
            }
        }
        for u in m.unknowns.take() {
            if !out.app.unknowns.contains(&u) {
                out.app.unknowns.push(u);
            }
        }
    }
    // What was left unknown rather than guessed is said once as an incomplete-input note.
    for e in &out.incomplete {
        out.app.unknowns.push(Unknown::new(
            e.span,
            UnknownKind::Value,
            e.message.clone(),
            e.message.clone(),
        ));
    }
    out
}

/// How many folders a root reaches through local module calls, itself included.
fn reach(calls: &BTreeMap<String, BTreeSet<String>>, root: &str) -> usize {
    let mut seen = BTreeSet::from([root.to_string()]);
    let mut todo = vec![root.to_string()];
    while let Some(d) = todo.pop() {
        for c in calls.get(&d).into_iter().flatten() {
            if seen.insert(c.clone()) {
                todo.push(c.clone());
            }
        }
    }
    seen.len()
}

/// A root's variables from its `terraform.tfvars` then its `*.auto.tfvars` in name order,
/// later files overriding earlier ones, as Terraform loads them.
fn root_vars(
    m: &module::Module,
    files: Option<&Vec<(&SourceFile, Body)>>,
) -> BTreeMap<String, crate::syntax::node::Node> {
    let mut vars = BTreeMap::new();
    let Some(files) = files else {
        return vars;
    };
    let mut ordered: Vec<&(&SourceFile, Body)> = files.iter().collect();
    ordered.sort_by_key(|(f, _)| {
        (
            !f.path.ends_with("/terraform.tfvars") && f.path != "terraform.tfvars",
            f.path.clone(),
        )
    });
    let ev = eval::Eval::new(m);
    for (f, body) in ordered {
        for a in body.attributes() {
            vars.insert(a.key.as_str().to_string(), ev.expr(f, &a.value));
        }
    }
    vars
}

/// A resource's `tags` argument. Incomplete: the provider's `default_tags` add more (Terraform
/// AWS provider, "default_tags Configuration Block").
fn resource_tags(body: &crate::syntax::node::Node) -> model::RoleTags {
    let mut tags = model::RoleTags::default();
    if let Some(map) = body.get("tags").filter(|m| m.is_map()) {
        for (k, v) in map.entries() {
            tags.insert(Some(k.name.clone()), v.scalar_text());
        }
    }
    tags.complete = false;
    tags
}

/// Lowers one module instance and, first, the instances of the local modules it calls (so
/// its triggers find the functions its children create).
fn lower_instance(ev: &eval::Eval, app: &mut App, lowered: &mut BTreeSet<String>) {
    lowered.insert(ev.m.dir.clone());
    for name in ev.m.modules.keys() {
        for (_, child) in ev.children(name) {
            lower_instance(&child, app, lowered);
        }
    }
    roles::lower(ev, app);
    functions::lower(ev, app);
    lambda_module::lower(ev, app);
    triggers::lower(ev, app);
    for r in ev.resources() {
        let (addr, d) = (r.addr.as_str(), r.d);
        if roles::handled(d) {
            continue;
        }
        let _each = ev.bind(r.each.clone());
        let type_name =
            kinds::cfn_kind(&d.kind).map_or_else(|| d.kind.clone(), |(k, _)| k.to_string());
        // Evaluated for the problems it shows (unreadable `file()`s) and the typed details.
        let body = ev.body(d.file, &d.block.body, d.span);
        let kind = match d.kind.as_str() {
            "aws_cloudwatch_log_group" => model::ResourceKind::LogGroup {
                name: body
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
            },
            // The file system of an access point is not read from Terraform.
            "aws_efs_access_point" => model::ResourceKind::EfsAccessPoint { file_system: None },
            // A layer's content as a function's code: a local `filename` or the
            // `archive_file` that builds it.
            "aws_lambda_layer_version" => model::ResourceKind::Layer {
                code_path: functions::code(ev, d).0.map(|p| p.value),
            },
            _ => model::ResourceKind::Other,
        };
        let encryption = encryption::key_of(&d.kind, &body);
        app.resources.push(model::Resource {
            id: ev.id(d.file, addr),
            logical_id: ev.display(addr),
            type_name,
            kind,
            span: d.span,
            arn: ev.arn(addr),
            encryption,
            tags: resource_tags(&body),
        });
    }
    encryption::bucket_configurations(ev, app);
}
