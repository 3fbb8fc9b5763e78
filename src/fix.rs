//! `rolefit fix`: edits CloudFormation/SAM templates (YAML and JSON) and `serverless.yml` (its
//! statement lists: the `serverless` submodule) so that the missing-permission,
//! unused-permission and wildcard-permission findings of their execution roles go away, with
//! the smallest textual change (whole lines of the statements it removes, new lines in the
//! indentation of their neighbours; every other byte is kept).
//!
//! It works on a copy of the audited folder, in three audits: the first finds what to change;
//! the statements behind unused and wildcard grants are removed; the second audit's
//! missing-permission findings (what was missing, and what the removed statements granted
//! that a function needs) are added as the narrowest statements ([`crate::render`], the
//! findings' `fix_text`); the third audit checks that every function needs the same as before
//! and that no finding of the fixed rules is left on a fixed role. A role whose fix does not
//! check is left as it was. An AWS managed policy attached to the role is detached (what the
//! functions use of it is written inline), and grants in policy resources of the template
//! attached to the role alone are narrowed in place. Roles are left for a human, with the
//! reason, when a function on them has incomplete needs, when the grant lives in another file
//! or a policy shared with other roles (a Terraform customer policy shared only by roles of the
//! audited files is detached from the role instead), or when the template is generated (`cdk.out`,
//! `.aws-sam/build`, `.serverless`; for `cdk.out` the reason names the construct and the grant
//! call to change: the `cdk` submodule).

mod cdk;
mod json;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::app::{self, Audit};
use crate::config::Config;
use crate::iam;
use crate::model::{Function, Origin, RoleBinding};
use crate::render::{self, Renderer};
use crate::report::FindingReport;
use crate::source::SourceFile;
use crate::syntax::node::{Node, Value as V};

mod serverless;
mod terraform;

/// The rules `fix` works on by default.
pub const RULES: [&str; 3] = [
    "missing-permission",
    "unused-permission",
    "wildcard-permission",
];

/// What to fix.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Rule ids (default [`RULES`]).
    pub rules: Vec<String>,
    /// Function names or ids (default all).
    pub functions: Vec<String>,
}

/// One file `fix` changes: its path on disk, its text before and after.
#[derive(Clone, Debug)]
pub struct Change {
    pub path: PathBuf,
    /// Relative to the audited root.
    pub file: String,
    pub before: String,
    pub after: String,
}

/// A finding `fix` leaves to a human, and why.
#[derive(Clone, Debug)]
pub struct Left {
    pub finding: FindingReport,
    pub why: String,
}

#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub left: Vec<Left>,
}

/// Errors that end a `fix` run (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Audit(#[from] app::RunError),
    #[error("copying {path}")]
    Copy {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no function named {0}")]
    UnknownFunction(String),
    #[error("`{0}` names several functions; give the id")]
    AmbiguousFunction(String),
}

/// Computes the fix of `root` (a folder or one template) without writing anything.
pub fn plan(root: &Path, config: &Config, options: &Options) -> Result<Outcome, FixError> {
    // A role whose fix does not check is left out and the rest fixed again, so that one role
    // does not hold back the others in its template.
    let mut excluded: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let (outcome, failed) = attempt(root, config, options, &excluded)?;
        if failed.is_empty() || excluded.len() > 64 {
            return Ok(outcome);
        }
        excluded.extend(failed);
    }
}

/// One try of [`plan`] with the `excluded` roles (by key, with the reason) left alone.
/// Returns the outcome and the roles whose fix did not check (empty when all did).
fn attempt(
    root: &Path,
    config: &Config,
    options: &Options,
    excluded: &BTreeMap<String, String>,
) -> Result<(Outcome, BTreeMap<String, String>), FixError> {
    let rules: Vec<String> = if options.rules.is_empty() {
        RULES.iter().map(|r| r.to_string()).collect()
    } else {
        options.rules.clone()
    };
    let work = tempfile::tempdir().map_err(|source| FixError::Copy {
        path: root.to_path_buf(),
        source,
    })?;
    let (src_dir, file_name) = if root.is_file() {
        (
            root.parent().unwrap_or(Path::new(".")).to_path_buf(),
            root.file_name().map(PathBuf::from),
        )
    } else {
        (root.to_path_buf(), None)
    };
    copy_tree(&src_dir, work.path())?;
    let copy_root = match &file_name {
        Some(name) => work.path().join(name),
        None => work.path().to_path_buf(),
    };
    let audit_copy = || app::audit(std::slice::from_ref(&copy_root), config);

    let first = audit_copy()?;
    let wanted = selected_functions(&first, &options.functions)?;
    let selected = |f: &FindingReport| {
        rules.iter().any(|r| r == f.rule) && f.functions.iter().any(|id| wanted.contains(id))
    };
    // Roles to fix, by role key; the reason a role is left otherwise.
    let mut reasons: BTreeMap<String, String> = excluded.clone();
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for finding in first.report.findings.iter().filter(|f| selected(f)) {
        for f in functions_of(&first, finding) {
            let key = role_key(f);
            if reasons.contains_key(&key) || targets.contains_key(&key) {
                continue;
            }
            match target(&first, f) {
                Ok(t) => {
                    targets.insert(key, t);
                }
                Err(why) => {
                    reasons.insert(key, why);
                }
            }
        }
    }
    // The policy list as first written: a policy written anew keeps the first inline policy's
    // name, and items written under an emptied `Policies:` its items' indentation.
    let first_lists: BTreeMap<String, Original> = targets
        .iter()
        .filter_map(|(key, t)| {
            let s = first.sources.by_path(&t.file)?;
            Some((key.clone(), original(s, t)))
        })
        .collect();
    let originals: BTreeMap<String, String> = targets
        .values()
        .flat_map(|t| {
            first
                .sources
                .files()
                .iter()
                .filter(|s| {
                    s.path == t.file || t.terraform.as_ref().is_some_and(|r| r.covers(&s.path))
                })
                .map(|s| (s.path.clone(), s.text.to_string()))
        })
        .collect();
    let single = file_name.is_some();
    // Findings that an edit of the role's own statements cannot fix (an explicit Deny blocks
    // the need, the framework writes the grant): left, with why.
    let mut blocked: BTreeMap<(&'static str, String), String> = BTreeMap::new();

    // Rounds of: remove the statements behind unused and wildcard grants; add, as the
    // narrowest statements, what the functions then lack (what was missing, and what a
    // removed statement granted that a function needs). A grant that only shows as unused
    // once a narrower one is added is removed in the next round.
    let first_needs: BTreeMap<String, Vec<NeedKey>> = first
        .app
        .functions
        .iter()
        .map(|f| (f.id.clone(), needs(&first, &f.id)))
        .collect();
    let first_granted: BTreeMap<String, BTreeSet<(String, String)>> = first
        .app
        .functions
        .iter()
        .map(|f| (f.id.clone(), granted(&first, &f.id)))
        .collect();
    // What each role granted, as first written: a need written anew is never given a wider
    // resource than a grant of the same action the template had for it.
    let first_grants: BTreeMap<String, Vec<(String, String)>> = {
        let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for f in &first.app.functions {
            let list = out.entry(role_key(f)).or_default();
            for r in first.report.functions.iter().filter(|r| r.id == f.id) {
                for g in r.granted.iter().filter(|g| g.used) {
                    list.push((g.action.clone(), g.resource.clone()));
                }
            }
        }
        out
    };
    let mut current = first;
    for _ in 0..3 {
        let on_target = |audit: &Audit, f: &FindingReport| -> Vec<String> {
            functions_of(audit, f)
                .into_iter()
                .map(role_key)
                .filter(|k| targets.contains_key(k))
                .collect()
        };
        // Removals, by role.
        let mut offsets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut hits: BTreeMap<String, Vec<terraform::Hit>> = BTreeMap::new();
        for finding in current.report.findings.iter().filter(|f| selected(f)) {
            if finding.rule == "missing-permission" {
                continue;
            }
            let Some(loc) = &finding.location else {
                continue;
            };
            for key in on_target(&current, finding) {
                let Some(t) = targets.get(&key) else { continue };
                if let Some(role) = &t.terraform
                    && role.covers(&loc.file)
                    && let Some(source) = current.sources.by_path(&loc.file)
                {
                    let hit = terraform::Hit {
                        file: loc.file.clone(),
                        offset: offset_of(source, loc.line, loc.column),
                        actions: finding.actions.clone(),
                    };
                    // A grant in a policy other roles share stays; the rest of the role is
                    // fixed.
                    match terraform::shared(&current.sources, role, &hit) {
                        Some(why) => {
                            blocked.insert((finding.rule, finding.message.clone()), why);
                        }
                        None => hits.entry(key).or_default().push(hit),
                    }
                    continue;
                }
                if loc.file != t.file {
                    reasons.insert(key.clone(), "the grant is written outside the role's declaration (a policy resource or file that other roles may share)".into());
                    continue;
                }
                let Some(source) = current.sources.by_path(&t.file) else {
                    continue;
                };
                let offset = offset_of(source, loc.line, loc.column);
                if t.serverless
                    && let Some(why) = serverless::outside(source, t, offset)
                {
                    blocked.insert((finding.rule, finding.message.clone()), why);
                    continue;
                }
                offsets.entry(key).or_default().push(offset);
            }
        }
        let mut by_file: BTreeMap<String, Vec<Removal>> = BTreeMap::new();
        for (key, list) in &offsets {
            let Some(t) = targets.get(key) else { continue };
            if reasons.contains_key(key) {
                continue;
            }
            let Some(source) = current.sources.by_path(&t.file) else {
                continue;
            };
            match removals(source, t, list) {
                Ok(r) => by_file.entry(t.file.clone()).or_default().extend(r),
                Err(why) => {
                    reasons.insert(key.clone(), why);
                }
            }
        }
        for (key, list) in &hits {
            let Some(role) = targets.get(key).and_then(|t| t.terraform.as_ref()) else {
                continue;
            };
            if reasons.contains_key(key) {
                continue;
            }
            match terraform::removals(&current.sources, role, list) {
                Ok(r) => {
                    for (file, removal) in r {
                        by_file.entry(file).or_default().push(removal);
                    }
                }
                Err(why) => {
                    reasons.insert(key.clone(), why);
                }
            }
        }
        for (file, list) in &by_file {
            let Some(source) = current.sources.by_path(file) else {
                continue;
            };
            write(
                &copy_root,
                single,
                file,
                &apply_removals(&source.text, list),
            )?;
        }
        let second = if by_file.is_empty() {
            current
        } else {
            audit_copy()?
        };

        // Additions, by role.
        let renderer = Renderer::new(&second.app, &second.sources);
        let mut edits: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
        for (key, t) in &targets {
            if reasons.contains_key(key) {
                continue;
            }
            let Some(source) = second.sources.by_path(&t.file) else {
                continue;
            };
            let mut reqs = Vec::new();
            for m in second.report.findings.iter().filter(|f| {
                f.rule == "missing-permission"
                    && functions_of(&second, f).iter().any(|g| &role_key(g) == key)
            }) {
                if denied(&second, m) {
                    blocked.insert(
                        (m.rule, m.message.clone()),
                        "an explicit Deny blocks it: an added Allow cannot grant it".into(),
                    );
                    continue;
                }
                let had = first_grants.get(key).map(Vec::as_slice).unwrap_or_default();
                for st in statements_of(m.fix.as_ref()) {
                    for a in render::list(st.get("Action")) {
                        for r in render::list(st.get("Resource")) {
                            for resource in narrower(had, &a, &r) {
                                reqs.push(iam::Requirement {
                                    action: a.clone(),
                                    resource,
                                });
                            }
                        }
                    }
                }
            }
            // A need granted before and no longer (one of several ways to meet it, such as
            // `DescribeStream` or `DescribeStreamSummary` with `ListShards`) is granted again.
            // It is written like a missing need: never wider than what the template granted.
            let had = first_grants.get(key).map(Vec::as_slice).unwrap_or_default();
            for id in &t.functions {
                let now = granted(&second, id);
                for (action, resource) in first_granted.get(id).into_iter().flatten() {
                    if !now.contains(&(action.clone(), resource.clone())) {
                        for resource in narrower(had, action, resource) {
                            let req = iam::Requirement {
                                action: action.clone(),
                                resource,
                            };
                            if !reqs.contains(&req) {
                                reqs.push(req);
                            }
                        }
                    }
                }
            }
            if let Some(role) = &t.terraform {
                let result = if reqs.is_empty() {
                    terraform::cleanup(&second.app, &second.sources, role).map(|list| {
                        list.into_iter()
                            .map(|(file, r)| (file, r.start, r.end, String::new()))
                            .collect()
                    })
                } else {
                    let policy = iam::synthesize(&reqs, &[]);
                    let statements: Vec<Value> = policy
                        .get("Statement")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    match second.app.functions.iter().find(|g| g.id == t.function) {
                        Some(f) => terraform::addition(
                            &second.app,
                            &second.sources,
                            role,
                            &renderer,
                            f,
                            &statements,
                        ),
                        None => Ok(Vec::new()),
                    }
                };
                match result {
                    Ok(list) => {
                        for (file, start, end, text) in list {
                            edits.entry(file).or_default().push((start, end, text));
                        }
                    }
                    Err(why) => {
                        reasons.insert(key.clone(), why);
                    }
                }
                continue;
            }
            if reqs.is_empty() {
                // A `Policies:` key whose policies all went, and nothing to add: it goes too.
                match empty_policies_line(source, t) {
                    Ok(Some(line)) => edits.entry(t.file.clone()).or_default().push((
                        line.start,
                        line.end,
                        String::new(),
                    )),
                    Ok(None) => {}
                    Err(why) => {
                        reasons.insert(key.clone(), why);
                    }
                }
                continue;
            }
            let Some(f) = second.app.functions.iter().find(|g| g.id == t.function) else {
                continue;
            };
            let policy = iam::synthesize(&reqs, &[]);
            let statements: Vec<Value> = policy
                .get("Statement")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let idiom = render::idiom_of(&second.app, f);
            let text = renderer.statements(f, idiom, &statements);
            let first_list = first_lists.get(key).cloned().unwrap_or_default();
            match addition(source, t, &text, &first_list) {
                Ok((at, insert)) => edits
                    .entry(t.file.clone())
                    .or_default()
                    .push((at, at, insert)),
                Err(why) => {
                    reasons.insert(key.clone(), why);
                }
            }
        }
        for (file, list) in &mut edits {
            let Some(source) = second.sources.by_path(file) else {
                continue;
            };
            let mut text = source.text.to_string();
            // Two roles may delete the same block (an attachment both were detached from); a
            // deletion where text is inserted goes first, so it keeps the insertion.
            let mut seen = BTreeSet::new();
            list.retain(|e| seen.insert(e.clone()));
            list.sort_by_key(|e| (std::cmp::Reverse(e.0), e.1 == e.0));
            for (start, end, insert) in list.iter() {
                text.replace_range(*start..*end, insert);
            }
            write(&copy_root, single, file, &text)?;
        }
        let changed = !by_file.is_empty() || !edits.is_empty();
        current = if edits.is_empty() {
            second
        } else {
            audit_copy()?
        };
        if !changed {
            break;
        }
    }

    // Check: needs must not change, and no finding of the fixed rules may be left on a fixed
    // role apart from those an Allow cannot fix; a template where either fails is put back.
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    for (key, t) in &targets {
        // The same needs, and every need granted before still granted.
        let same_needs = t.functions.iter().all(|id| {
            first_needs.get(id) == Some(&needs(&current, id))
                && granted(&current, id)
                    .is_superset(first_granted.get(id).unwrap_or(&BTreeSet::new()))
        });
        let left_over = current.report.findings.iter().any(|f| {
            rules.iter().any(|r| r == f.rule)
                && !blocked.contains_key(&(f.rule, f.message.clone()))
                && functions_of(&current, f)
                    .iter()
                    .any(|g| &role_key(g) == key)
        });
        // A role given up on while editing is put back whole.
        let gave_up = reasons.contains_key(key);
        if !same_needs || left_over || gave_up {
            let why: String = if !same_needs {
                "editing the template changed what the functions need, so the role was left as it was".into()
            } else if boundary(&current, key) {
                "the role's permissions boundary does not allow what the functions need: change the boundary".into()
            } else {
                "the edited template still had findings on this role, so the role was left as it was".into()
            };
            // A reason found while editing says more than the check's.
            let why = reasons.get(key).cloned().unwrap_or(why);
            failed.insert(key.clone(), why.clone());
            reasons.insert(key.clone(), why);
        }
    }
    if !failed.is_empty() {
        return Ok((Outcome::default(), failed));
    }
    let final_audit = current;

    let mut outcome = Outcome::default();
    for (file, before) in &originals {
        let (path, copied) = if single {
            (root.to_path_buf(), copy_root.clone())
        } else {
            (root.join(file), copy_root.join(file))
        };
        let after = std::fs::read_to_string(&copied).map_err(|source| FixError::Copy {
            path: copied.clone(),
            source,
        })?;
        if &after != before {
            outcome.changes.push(Change {
                path,
                file: file.clone(),
                before: before.clone(),
                after,
            });
        }
    }
    for finding in final_audit.report.findings.iter().filter(|f| selected(f)) {
        let why = if let Some(why) = blocked.get(&(finding.rule, finding.message.clone())) {
            why.clone()
        } else if let Some(why) = cdk_reason(&final_audit, finding) {
            why
        } else {
            functions_of(&final_audit, finding)
                .into_iter()
                .find_map(|f| reasons.get(&role_key(f)).cloned())
                .unwrap_or_else(|| "rolefit cannot write this grant".into())
        };
        outcome.left.push(Left {
            finding: finding.clone(),
            why,
        });
    }
    Ok((outcome, BTreeMap::new()))
}

/// What to change in the CDK app for a finding on a function of a synthesized CDK template.
fn cdk_reason(audit: &Audit, finding: &FindingReport) -> Option<String> {
    let f = functions_of(audit, finding).into_iter().find(|f| {
        f.id.rsplit_once('#')
            .is_some_and(|(file, _)| generated(file))
    })?;
    let (file, _) = f.id.rsplit_once('#')?;
    let source = audit.sources.by_path(file)?;
    let tree = crate::syntax::json::parse(source).ok()?;
    let RoleBinding::Role(role) = &f.role else {
        return None;
    };
    let (_, role) = role.rsplit_once('#')?;
    let offset = finding
        .location
        .as_ref()
        .filter(|l| l.file == file)
        .map(|l| offset_of(source, l.line, l.column));
    let key = role_key(f);
    let needs: Vec<(String, String)> = audit
        .app
        .functions
        .iter()
        .filter(|g| role_key(g) == key)
        .flat_map(|g| needs(audit, &g.id))
        .map(|(a, r, _)| (a, r))
        .collect();
    cdk::reason(&tree, &f.name, role, finding, offset, &needs)
}

/// The resources to write for a need of `action` on `resource`: the specific resources (no
/// wildcard) that the role's first grants of the action named within `resource`, when there
/// are any (the need's pattern is wider than what the template allowed, as when the code's
/// resource is not known exactly), else `resource` itself.
fn narrower(had: &[(String, String)], action: &str, resource: &str) -> Vec<String> {
    let mut out: Vec<String> = had
        .iter()
        .filter(|(a, r)| {
            // An action with no resource type applies to `*` alone: no ARN narrows it.
            !crate::rules::takes_only_star(action)
                && iam::action_matches(a, action)
                && r != resource
                && !r.contains('*')
                && resource.contains('*')
                && match iam::resource_matches(resource, r) {
                    iam::Match::Yes => true,
                    // A deploy-time value (`${Table}`) in the grant: within the pattern for
                    // any value it takes.
                    iam::Match::Unknown => r.contains("${"),
                    iam::Match::No => false,
                }
        })
        .map(|(_, r)| r.clone())
        .collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        out.push(resource.to_string());
    }
    out
}

/// The role has a permissions boundary.
fn boundary(audit: &Audit, key: &str) -> bool {
    audit
        .app
        .roles
        .iter()
        .any(|r| r.id == key && r.boundary.is_some())
}

/// The finding's need is refused by an explicit Deny for a function on its role.
fn denied(audit: &Audit, finding: &FindingReport) -> bool {
    functions_of(audit, finding).iter().any(|f| {
        let Some(i) = audit.app.functions.iter().position(|g| g.id == f.id) else {
            return false;
        };
        let Some(fa) = audit.analysis.functions.get(i) else {
            return false;
        };
        fa.needs.iter().zip(&fa.verdicts).any(|(n, v)| {
            finding.actions.iter().any(|a| a == &n.action)
                && finding.resources.iter().any(|r| r == &n.resource)
                && v.verdict == crate::analysis::Verdict::Denied
                && !v.by.is_empty()
        })
    })
}

/// Writes the planned changes.
pub fn apply(outcome: &Outcome) -> std::io::Result<()> {
    for c in &outcome.changes {
        std::fs::write(&c.path, &c.after)?;
    }
    Ok(())
}

/// A unified diff of the changes (`a/FILE`, `b/FILE`).
pub fn diff(outcome: &Outcome) -> String {
    let mut out = String::new();
    for c in &outcome.changes {
        let d = similar::TextDiff::from_lines(&c.before, &c.after);
        out.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", c.file), &format!("b/{}", c.file))
                .to_string(),
        );
    }
    out
}

fn write(copy_root: &Path, single: bool, file: &str, text: &str) -> Result<(), FixError> {
    let path = if single {
        copy_root.to_path_buf()
    } else {
        copy_root.join(file)
    };
    std::fs::write(&path, text).map_err(|source| FixError::Copy { path, source })
}

/// Copies a folder (not `.git`), following no symbolic links.
fn copy_tree(from: &Path, to: &Path) -> Result<(), FixError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FixError::Copy { path, source }
    };
    for entry in std::fs::read_dir(from).map_err(err(from))? {
        let entry = entry.map_err(err(from))?;
        let kind = entry.file_type().map_err(err(&entry.path()))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            if entry.file_name() == ".git" {
                continue;
            }
            std::fs::create_dir_all(&target).map_err(err(&target))?;
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(err(&entry.path()))?;
        }
    }
    Ok(())
}

/// The ids of the functions `--function` selects (every function when empty).
fn selected_functions(audit: &Audit, names: &[String]) -> Result<BTreeSet<String>, FixError> {
    if names.is_empty() {
        return Ok(audit.app.functions.iter().map(|f| f.id.clone()).collect());
    }
    let mut out = BTreeSet::new();
    for n in names {
        let by_id: Vec<&Function> = audit.app.functions.iter().filter(|f| &f.id == n).collect();
        let matched: Vec<&Function> = if by_id.is_empty() {
            audit
                .app
                .functions
                .iter()
                .filter(|f| &f.name == n)
                .collect()
        } else {
            by_id
        };
        match matched.as_slice() {
            [] => return Err(FixError::UnknownFunction(n.clone())),
            [one] => {
                out.insert(one.id.clone());
            }
            _ => return Err(FixError::AmbiguousFunction(n.clone())),
        }
    }
    Ok(out)
}

/// The functions a finding concerns (one finding can name functions on several roles).
fn functions_of<'a>(audit: &'a Audit, f: &FindingReport) -> Vec<&'a Function> {
    f.functions
        .iter()
        .filter_map(|id| audit.app.functions.iter().find(|g| &g.id == id))
        .collect()
}

/// One key per execution role (a function without a known role is its own).
fn role_key(f: &Function) -> String {
    match &f.role {
        RoleBinding::Role(id) => id.clone(),
        _ => format!("function:{}", f.id),
    }
}

/// A need as reported: (action, resource, strength).
type NeedKey = (String, String, Option<&'static str>);

/// What each function needs.
fn needs(audit: &Audit, id: &str) -> Vec<NeedKey> {
    let mut out: Vec<_> = audit
        .report
        .functions
        .iter()
        .filter(|f| f.id == id)
        .flat_map(|f| {
            f.required
                .iter()
                .map(|r| (r.action.clone(), r.resource.clone(), r.strength))
        })
        .collect();
    out.sort();
    out
}

/// The needs of a function that its role grants.
fn granted(audit: &Audit, id: &str) -> BTreeSet<(String, String)> {
    audit
        .report
        .functions
        .iter()
        .filter(|f| f.id == id)
        .flat_map(|f| f.required.iter())
        .filter(|r| r.granted)
        .map(|r| (r.action.clone(), r.resource.clone()))
        .collect()
}

/// Where a role's grants are written.
#[derive(Clone, Debug)]
struct Target {
    /// The template, relative to the root.
    file: String,
    sam: bool,
    /// The grants are a `serverless.yml` statement list (at `path`), not a template's
    /// `Policies`.
    serverless: bool,
    /// Keys from the file's root to the holder's `Properties` (a template's `Resources`, or a
    /// Serverless project's `resources.Resources`), or to the Serverless statement list.
    path: Vec<String>,
    /// A function on the role (the renderer's subject).
    function: String,
    functions: Vec<String>,
    /// A Terraform role: its policies are in the `.tf` files of its module.
    terraform: Option<terraform::Role>,
}

/// The role of `f` when `fix` can edit it, else why not.
fn target(audit: &Audit, f: &Function) -> Result<Target, String> {
    let file =
        f.id.rsplit_once('#')
            .map_or("", |(file, _)| file)
            .to_string();
    let on_role: Vec<&Function> = audit
        .app
        .functions
        .iter()
        .filter(|g| role_key(g) == role_key(f))
        .collect();
    let incomplete = on_role.iter().any(|g| {
        audit
            .app
            .functions
            .iter()
            .position(|h| h.id == g.id)
            .and_then(|i| audit.analysis.functions.get(i))
            .is_none_or(|a| !a.complete)
    });
    if f.origin == Origin::Terraform && !file.ends_with(".tf") {
        return Err("the role is read from a Terraform plan, which is generated: change the .tf configuration and plan again".into());
    }
    if incomplete {
        return Err("a function on this role has incomplete needs (see its incomplete-input notes): nothing is narrowed".into());
    }
    if generated(&file) {
        return Err(generated_reason(audit, &file, f));
    }
    if f.origin == Origin::Terraform {
        return terraform_target(audit, f, &on_role);
    }
    if !matches!(
        f.origin,
        Origin::Sam | Origin::CloudFormation | Origin::Serverless
    ) {
        return Err("the role is deployed state read from an account export: change it where it is managed (its template, Terraform or the console) with the finding's fix_text".into());
    }
    let serverless = f.origin == Origin::Serverless;
    if serverless && ![".yaml", ".yml", ".json"].iter().any(|e| file.ends_with(e)) {
        return Err(
            "rolefit fix edits serverless.yml and serverless.json; use the finding's fix_text for this configuration"
                .into(),
        );
    }
    if ![".yaml", ".yml", ".template", ".json"]
        .iter()
        .any(|ext| file.ends_with(ext))
    {
        return Err(
            "rolefit fix edits YAML and JSON templates; use the finding's fix_text for this file"
                .into(),
        );
    }
    let (holder, sam) = match &f.role {
        RoleBinding::Role(id) => {
            let Some(role) = audit.app.roles.iter().find(|r| &r.id == id) else {
                return Err("the role is not declared in the audited files".into());
            };
            if serverless && role.generated {
                // The framework's shared role, or the plugin's role of one function.
                let source = audit
                    .sources
                    .by_path(&file)
                    .ok_or("the configuration is not found")?;
                let path = serverless::statements_path(&parse(source)?, role)?;
                return Ok(Target {
                    file,
                    sam: false,
                    serverless: true,
                    path,
                    function: f.id.clone(),
                    functions: on_role.iter().map(|g| g.id.clone()).collect(),
                    terraform: None,
                });
            }
            if role.generated {
                (f.name.clone(), true)
            } else {
                if id.rsplit_once('#').map(|(file, _)| file) != Some(file.as_str()) {
                    return Err("the role is declared in another file".into());
                }
                (role.name.clone(), false)
            }
        }
        RoleBinding::External(_) => {
            return Err("the role is outside the audited files".into());
        }
        RoleBinding::Unknown => return Err("the function's role is not known".into()),
    };
    // A Serverless project declares CloudFormation resources under `resources:`.
    let mut path: Vec<String> = if serverless {
        vec!["resources".into(), "Resources".into()]
    } else {
        vec!["Resources".into()]
    };
    path.extend([holder, "Properties".into()]);
    Ok(Target {
        file,
        sam,
        serverless: false,
        path,
        function: f.id.clone(),
        functions: on_role.iter().map(|g| g.id.clone()).collect(),
        terraform: None,
    })
}

/// A Terraform role: declared in the `.tf` files of the audited root module (a module's role
/// is its callers' to change).
fn terraform_target(audit: &Audit, f: &Function, on_role: &[&Function]) -> Result<Target, String> {
    let RoleBinding::Role(id) = &f.role else {
        return Err("the role is outside the audited files".into());
    };
    let role = audit
        .app
        .roles
        .iter()
        .find(|r| &r.id == id)
        .ok_or("the role is not declared in the audited files")?;
    let tf = terraform::Role::of(id, role.generated, &audit.sources)?;
    Ok(Target {
        file: tf.file.clone(),
        sam: false,
        serverless: false,
        path: Vec::new(),
        function: f.id.clone(),
        functions: on_role.iter().map(|g| g.id.clone()).collect(),
        terraform: Some(tf),
    })
}

/// Templates a tool writes: edited at their source, never in place.
fn generated(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    parts.contains(&"cdk.out")
        || parts.contains(&".serverless")
        || parts.windows(2).any(|w| w == [".aws-sam", "build"])
}

fn generated_reason(audit: &Audit, file: &str, f: &Function) -> String {
    let path = audit.sources.by_path(file).and_then(|s| {
        let tree = crate::syntax::json::parse(s)
            .or_else(|_| crate::syntax::yaml::parse(s))
            .ok()?;
        tree.get("Resources")?
            .get(&f.name)?
            .get("Metadata")?
            .get("aws:cdk:path")?
            .as_str()
            .map(str::to_string)
    });
    match path {
        Some(p) => format!(
            "generated template: change the grant in the CDK construct `{p}` and synthesize again"
        ),
        None => "generated template: change its source and build again".into(),
    }
}

/// A byte offset from a 1-based line and character column.
fn offset_of(source: &SourceFile, line: u32, column: u32) -> usize {
    let start = source.line_start(line).unwrap_or(0) as usize;
    let text = &source.text[start..];
    let skip: usize = text
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    start + skip
}

/// A range of whole lines to delete.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Removal {
    start: usize,
    end: usize,
}

fn parse(source: &SourceFile) -> Result<Node, String> {
    if is_json(source) {
        return crate::syntax::json::parse(source)
            .map_err(|e| format!("the template does not parse: {e}"));
    }
    crate::syntax::yaml::parse(source).map_err(|e| format!("the template does not parse: {e}"))
}

fn is_json(source: &SourceFile) -> bool {
    source.path.ends_with(".json")
}

/// The statement list of a policy: SAM `Statement`, or a role policy's
/// `PolicyDocument.Statement`.
fn statement_list<'n>(t: &Target, policy: &'n Node) -> Option<&'n Node> {
    if t.sam {
        policy.get("Statement")
    } else {
        policy
            .get("PolicyDocument")
            .and_then(|d| d.get("Statement"))
    }
}

/// The policy list of the holder: SAM `Policies`, or the role's `Policies`.
fn holder_props<'n>(tree: &'n Node, t: &Target) -> Option<&'n Node> {
    t.path.iter().try_fold(tree, |n, k| n.get(k))
}

/// The lines to delete for the grants at `offsets`: the statements that hold them, or the SAM
/// policy template entries; a policy whose statements all go is deleted whole, and the
/// `Policies` key with it when no policy is left.
fn removals(source: &SourceFile, t: &Target, offsets: &[usize]) -> Result<Vec<Removal>, String> {
    const ATTACHED: &str = "the grant is in a policy resource attached to the role (AWS::IAM::Policy or AWS::IAM::ManagedPolicy) that rolefit cannot narrow, not in the role's own policies";
    if t.serverless {
        return serverless::removals(source, t, offsets);
    }
    let tree = parse(source)?;
    let props = holder_props(&tree, t).ok_or("the role's declaration is not found")?;
    // A role's `ManagedPolicyArns` items whose grants go: the attachment is removed (the
    // policy itself, shared by AWS with every account, is not changed), and what the
    // functions use of it is written inline in the next pass.
    let managed = props.get_entry("ManagedPolicyArns").filter(|_| !t.sam);
    let (offsets, managed_hits): (Vec<usize>, Vec<usize>) = match managed {
        Some((_, list)) => {
            let mut rest = Vec::new();
            let mut hits = BTreeSet::new();
            for &offset in offsets {
                match list.items().position(|n| contains(n, offset)) {
                    Some(i) => {
                        hits.insert(i);
                    }
                    None => rest.push(offset),
                }
            }
            (rest, hits.into_iter().collect())
        }
        None => (offsets.to_vec(), Vec::new()),
    };
    let mut out = Vec::new();
    if let Some((key, list)) = managed
        && !managed_hits.is_empty()
    {
        out.extend(managed_removals(source, key, list, &managed_hits)?);
    }
    // Grants in policy resources of the template attached to this role alone.
    let (offsets, resource_hits) = policy_resource_hits(&source.text, &tree, t, &offsets);
    if !resource_hits.is_empty() {
        out.extend(policy_resource_removals(
            source,
            &tree,
            props,
            &resource_hits,
        )?);
    }
    if offsets.is_empty() {
        return Ok(out);
    }
    let (policies_key, policies) = props.get_entry("Policies").ok_or(ATTACHED)?;
    // SAM also takes one policy as the value itself (`Policies: {DynamoDBCrudPolicy: ...}`).
    let single = t.sam && policies.is_map();
    let items: Vec<&Node> = if single {
        vec![policies]
    } else {
        seq(policies)?
    };
    // Per policy: the whole of it, or some of its statements (by index).
    let mut hit: BTreeMap<usize, Option<BTreeSet<usize>>> = BTreeMap::new();
    for &offset in &offsets {
        let (i, item) = items
            .iter()
            .enumerate()
            .find(|(_, n)| contains(n, offset))
            .ok_or(ATTACHED)?;
        if item.as_str().is_some() {
            // A SAM function's AWS managed policy, by name or ARN: detached, and what the
            // functions use of it written inline in the next pass.
            hit.insert(i, None);
            continue;
        }
        let statements = if t.sam {
            item.get("Statement")
        } else {
            item.get("PolicyDocument").and_then(|d| d.get("Statement"))
        };
        match statements {
            // A SAM policy template entry.
            None if t.sam => {
                hit.insert(i, None);
            }
            None => return Err("the policy has no statement list rolefit can edit".into()),
            Some(statements) => {
                let list = seq(statements)?;
                let j = list
                    .iter()
                    .position(|n| contains(n, offset))
                    .ok_or("the grant's statement is not found")?;
                let e = hit.entry(i).or_insert_with(|| Some(BTreeSet::new()));
                if let Some(set) = e {
                    set.insert(j);
                    if set.len() == list.len() {
                        *e = None;
                    }
                }
            }
        }
    }
    if is_json(source) {
        if single {
            return Err("the policies are not a JSON array".into());
        }
        let whole: Vec<usize> = hit
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(i, _)| *i)
            .collect();
        out.extend(json::removals(policies, &whole)?);
        for (i, set) in hit.iter().filter_map(|(i, h)| Some((*i, h.as_ref()?))) {
            let list = statement_list(t, items[i]).ok_or("the grant's statement is not found")?;
            out.extend(json::removals(
                list,
                &set.iter().copied().collect::<Vec<_>>(),
            )?);
        }
        return Ok(out);
    }
    // Every policy goes: the `Policies:` line stays for the statements the second pass
    // writes in their place (or goes then, when there are none).
    let whole = hit.values().filter(|h| h.is_none()).count();
    if whole == items.len() {
        if single {
            // The value's own lines, below the key's.
            let (lo, hi) = extent(policies);
            let start = line_start(&source.text, lo);
            if start <= policies_key.span.start as usize {
                return Err("the policies are written on the key's line".into());
            }
            out.push(Removal {
                start,
                end: line_end(&source.text, hi.saturating_sub(1).max(lo)),
            });
            return Ok(out);
        }
        let first = lines_of_item(source, items[0])?;
        let last = lines_of_item(source, items[items.len() - 1])?;
        out.push(Removal {
            start: first.start,
            end: last.end,
        });
        return Ok(out);
    }
    for (i, h) in hit {
        match h {
            None => out.push(lines_of_item(source, items[i])?),
            Some(set) => {
                let statements = if t.sam {
                    items[i].get("Statement")
                } else {
                    items[i]
                        .get("PolicyDocument")
                        .and_then(|d| d.get("Statement"))
                };
                let statements = statements.ok_or("the grant's statement is not found")?;
                if is_flow(source, statements) {
                    // `Statement: [{...}, {...}]`: the elements go with their comma.
                    out.extend(json::removals(
                        statements,
                        &set.iter().copied().collect::<Vec<_>>(),
                    )?);
                    continue;
                }
                let list = seq(statements)?;
                for j in set {
                    out.push(lines_of_item(source, list[j])?);
                }
            }
        }
    }
    Ok(out)
}

/// The index of the `!Ref policy` item in the `ManagedPolicyArns` of `role`.
fn managed_ref(resources: &Node, role: &str, policy: &str) -> Option<usize> {
    resources
        .get(role)?
        .get("Properties")?
        .get("ManagedPolicyArns")?
        .items()
        .position(|n| n.get("Ref").and_then(Node::as_str) == Some(policy))
}

/// Splits `offsets` into those outside any policy resource and, per `AWS::IAM::Policy` or
/// `AWS::IAM::ManagedPolicy` of the template attached to the role `t` alone (its `Roles` the
/// one `Ref` to it, no users or groups; or a managed policy named only in the role's
/// `ManagedPolicyArns`), the statements (by index) that hold the others.
fn policy_resource_hits(
    text: &str,
    tree: &Node,
    t: &Target,
    offsets: &[usize],
) -> (Vec<usize>, BTreeMap<String, BTreeSet<usize>>) {
    let mut rest = Vec::new();
    let mut hits: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let role = (!t.sam && !t.serverless)
        .then(|| t.path.len().checked_sub(2).and_then(|i| t.path.get(i)))
        .flatten();
    let resources = tree.get("Resources");
    for &offset in offsets {
        let found = role.zip(resources).and_then(|(role, resources)| {
            resources.entries().find_map(|(k, r)| {
                let kind = r.get("Type").and_then(Node::as_str)?;
                if kind != "AWS::IAM::Policy" && kind != "AWS::IAM::ManagedPolicy" {
                    return None;
                }
                let props = r.get("Properties")?;
                let roles: Vec<&Node> = props
                    .get("Roles")
                    .map(|r| r.items().collect())
                    .unwrap_or_default();
                let no_others = props.get("Users").is_none() && props.get("Groups").is_none();
                let by_roles = roles.len() == 1
                    && roles[0].get("Ref").and_then(Node::as_str) == Some(role.as_str());
                let by_arns = roles.is_empty()
                    && kind == "AWS::IAM::ManagedPolicy"
                    && managed_ref(resources, role, &k.name).is_some()
                    && word_count(text, &k.name) == 2;
                let alone = no_others && (by_roles || by_arns);
                let list = props.get("PolicyDocument")?.get("Statement")?;
                let j = list.items().position(|n| contains(n, offset))?;
                alone.then(|| (k.name.clone(), j))
            })
        });
        match found {
            Some((name, j)) => {
                hits.entry(name).or_default().insert(j);
            }
            None => rest.push(offset),
        }
    }
    (rest, hits)
}

/// The statements of policy resources to remove; a resource whose statements all go is
/// removed whole (YAML) when nothing else in the template names it.
fn policy_resource_removals(
    source: &SourceFile,
    tree: &Node,
    role: &Node,
    hits: &BTreeMap<String, BTreeSet<usize>>,
) -> Result<Vec<Removal>, String> {
    let mut out = Vec::new();
    let Some(resources) = tree.get("Resources") else {
        return Ok(out);
    };
    for (name, set) in hits {
        let Some((key, r)) = resources.get_entry(name) else {
            continue;
        };
        let list = r
            .get("Properties")
            .and_then(|p| p.get("PolicyDocument"))
            .and_then(|d| d.get("Statement"))
            .ok_or("the policy resource has no statement list")?;
        let count = list.items().count();
        if set.len() < count {
            let gone: Vec<usize> = set.iter().copied().collect();
            if is_json(source) || is_flow(source, list) {
                out.extend(json::removals(list, &gone)?);
            } else {
                let items = seq(list)?;
                for j in gone {
                    out.push(lines_of_item(source, items[j])?);
                }
            }
            continue;
        }
        // Every statement goes: the resource with them, unless something refers to it other
        // than the role's `ManagedPolicyArns` item, which goes too.
        let named = word_count(&source.text, name);
        let attached = role.get_entry("ManagedPolicyArns").and_then(|(key, list)| {
            let i = list
                .items()
                .position(|n| n.get("Ref").and_then(Node::as_str) == Some(name.as_str()))?;
            Some((key, list, i))
        });
        let attachment_only = attached.is_some() && named == 2;
        if is_json(source) || (named > 1 && !attachment_only) {
            return Err(format!(
                "every statement of the policy resource {name} goes, and rolefit does not delete a resource another part of the template names or a JSON resource: delete it by hand"
            ));
        }
        if let Some((key, list, i)) = attached.filter(|_| attachment_only) {
            out.extend(managed_removals(source, key, list, &[i])?);
        }
        let (_, hi) = extent(r);
        out.push(Removal {
            start: line_start(&source.text, key.span.start as usize),
            end: line_end(&source.text, hi.saturating_sub(1)),
        });
    }
    Ok(out)
}

/// How often `word` occurs in `text` as a whole word (letters, digits and `_` around it do
/// not continue it).
fn word_count(text: &str, word: &str) -> usize {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(word)
        .filter(|(i, _)| {
            !part(text[..*i].chars().next_back()) && !part(text[i + word.len()..].chars().next())
        })
        .count()
}

/// The lines (YAML) or elements (JSON) that detach the `ManagedPolicyArns` items `gone`; the
/// key goes too when no item is left (YAML).
fn managed_removals(
    source: &SourceFile,
    key: &crate::syntax::node::Key,
    list: &Node,
    gone: &[usize],
) -> Result<Vec<Removal>, String> {
    if is_json(source) || is_flow(source, list) {
        return json::removals(list, gone);
    }
    let items = seq(list)?;
    if gone.len() == items.len() {
        let last = lines_of_item(source, items[items.len() - 1])?;
        return Ok(vec![Removal {
            start: line_start(&source.text, key.span.start as usize),
            end: last.end,
        }]);
    }
    gone.iter()
        .filter_map(|&i| items.get(i))
        .map(|item| lines_of_item(source, item))
        .collect()
}

/// A YAML flow collection (`[...]`, `{...}`), edited like JSON.
fn is_flow(source: &SourceFile, n: &Node) -> bool {
    matches!(
        source.text.as_bytes().get(n.span.start as usize),
        Some(b'[' | b'{')
    )
}

/// Items of a block sequence; a flow sequence or a single value cannot be edited by lines.
fn seq(n: &Node) -> Result<Vec<&Node>, String> {
    match &n.value {
        V::Seq(items) if !items.is_empty() => {
            let block = items.iter().all(|i| !i.span.is_builtin());
            if block {
                Ok(items.iter().collect())
            } else {
                Err("the list is not in block style".into())
            }
        }
        _ => Err("the policies are not a block list rolefit can edit".into()),
    }
}

fn contains(n: &Node, offset: usize) -> bool {
    let (s, e) = extent(n);
    s <= offset && offset <= e
}

/// First and last byte of what a node writes (leaf spans; a block node's own end can reach
/// into the next item's indentation).
fn extent(n: &Node) -> (usize, usize) {
    let mut lo = n.span.start as usize;
    let mut hi = n.span.start as usize;
    fn walk(n: &Node, lo: &mut usize, hi: &mut usize) {
        match &n.value {
            V::Map(m) => {
                for (k, v) in m {
                    if !k.span.is_builtin() {
                        *lo = (*lo).min(k.span.start as usize);
                        *hi = (*hi).max(k.span.end as usize);
                    }
                    walk(v, lo, hi);
                }
            }
            V::Seq(s) => s.iter().for_each(|i| walk(i, lo, hi)),
            _ => {
                *lo = (*lo).min(n.span.start as usize);
                *hi = (*hi).max(n.span.end as usize);
            }
        }
    }
    walk(n, &mut lo, &mut hi);
    (lo, hi)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Whether the text before an item's first value on its line is a block sequence dash, with a
/// YAML tag after it when the item is a short-form intrinsic (`- !Ref Policy`).
fn item_head(head: &str) -> bool {
    let Some(rest) = head.trim().strip_prefix('-') else {
        return false;
    };
    let rest = rest.trim();
    rest.is_empty()
        || (rest.starts_with('!')
            && rest[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ':'))
}

/// The lines of a block sequence item, from its `-` line to its last line.
fn lines_of_item(source: &SourceFile, item: &Node) -> Result<Removal, String> {
    let text = &source.text;
    let (lo, hi) = extent(item);
    let start = line_start(text, lo);
    let head = &text[start..lo];
    if !item_head(head) {
        return Err("the list is not in block style".into());
    }
    Ok(Removal {
        start,
        end: line_end(text, hi.saturating_sub(1).max(lo)),
    })
}

fn apply_removals(text: &str, removals: &[Removal]) -> String {
    let mut list: Vec<&Removal> = removals.iter().collect();
    list.sort();
    list.dedup();
    // Nested ranges: keep the outer one.
    let mut merged: Vec<Removal> = Vec::new();
    for r in list {
        match merged.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push(r.clone()),
        }
    }
    let mut out = text.to_string();
    for r in merged.iter().rev() {
        out.replace_range(r.start..r.end, "");
    }
    out
}

/// The line of a `Policies:` key with no value.
fn empty_policies_line(source: &SourceFile, t: &Target) -> Result<Option<Removal>, String> {
    if t.serverless {
        return serverless::empty_list(source, t);
    }
    let tree = parse(source)?;
    let props = holder_props(&tree, t).ok_or("the role's declaration is not found")?;
    Ok(props
        .get_entry("Policies")
        .filter(|(_, v)| matches!(v.value, V::Null))
        .map(|(k, _)| Removal {
            start: line_start(&source.text, k.span.start as usize),
            end: line_end(&source.text, k.span.end as usize),
        }))
}

/// Where and what to insert for `items` (list items at indent 0, `\n` line ends).
/// A role's policy list as first written.
#[derive(Clone, Debug, Default)]
struct Original {
    /// The first inline policy's `PolicyName`, as written (a role's).
    name: Option<String>,
    /// The column of the items' `-` (a YAML block list).
    depth: Option<usize>,
}

fn original(source: &SourceFile, t: &Target) -> Original {
    let Ok(tree) = parse(source) else {
        return Original::default();
    };
    let Some(V::Seq(list)) = holder_props(&tree, t)
        .and_then(|p| p.get("Policies"))
        .map(|p| &p.value)
    else {
        return Original::default();
    };
    let name = (!t.sam)
        .then(|| list.iter().find_map(|p| p.get("PolicyName")))
        .flatten()
        .and_then(|n| {
            let raw = source
                .text
                .get(n.span.start as usize..n.span.end as usize)?;
            if is_json(source) {
                // A JSON value (a string or an intrinsic function) as written.
                return serde_json::from_str::<Value>(raw)
                    .ok()
                    .map(|_| raw.to_string());
            }
            let s = n.as_str()?;
            if raw == s || raw == format!("'{s}'") || raw == format!("\"{s}\"") {
                Some(raw.to_string())
            } else {
                serde_json::to_string(s).ok()
            }
        });
    let depth = if is_json(source) {
        None
    } else {
        list.first().and_then(|i| dash_column(&source.text, i).ok())
    };
    Original { name, depth }
}

fn addition(
    source: &SourceFile,
    t: &Target,
    items: &str,
    first: &Original,
) -> Result<(usize, String), String> {
    // A policy written where every policy went keeps the first one's name; next to policies
    // that stay, a name of its own.
    const NEW_NAME: &str = "rolefit-least-privilege";
    if t.serverless {
        return serverless::addition(source, t, items);
    }
    let name = first.name.clone().unwrap_or_else(|| NEW_NAME.into());
    let text = &source.text;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let tree = parse(source)?;
    let props = holder_props(&tree, t).ok_or("the role's declaration is not found")?;
    if is_json(source) {
        return json_addition(text, props, t, items, &name);
    }
    let block = |indent: usize, body: &str| -> String {
        let pad = " ".repeat(indent);
        body.lines()
            .map(|l| format!("{pad}{l}{eol}"))
            .collect::<String>()
    };
    let role_policy = |name: &str, items: &str| {
        format!(
            "- PolicyName: {name}\n  PolicyDocument:\n    Version: \"2012-10-17\"\n    Statement:\n{}",
            items
                .lines()
                .map(|l| format!("      {l}\n"))
                .collect::<String>()
        )
    };
    match props.get_entry("Policies") {
        Some((key, policies)) if matches!(policies.value, V::Null) => {
            let key_start = key.span.start as usize;
            let indent = key_start - line_start(text, key_start);
            let at = line_end(text, key.span.end as usize);
            let body = if t.sam {
                items.to_string()
            } else {
                role_policy(&name, items)
            };
            // Where the items that went were written.
            let depth = first.depth.unwrap_or(indent + 2);
            Ok((at, block(depth, &body)))
        }
        Some((_, policies)) => {
            let list = seq(policies)?;
            // A role: the first inline policy's block statement list, else a new policy.
            if !t.sam
                && let Some(statements) = list
                    .first()
                    .and_then(|p| p.get("PolicyDocument"))
                    .and_then(|d| d.get("Statement"))
                && let Ok(st) = seq(statements)
                && let Some(last) = st.last()
            {
                let indent = dash_column(text, st[0])?;
                lines_of_item(source, st[0])?;
                let at = line_end(text, extent(last).1.saturating_sub(1));
                return Ok((at, block(indent, items)));
            }
            let last = list.last().ok_or("empty policy list")?;
            let indent = dash_column(text, list[0])?;
            lines_of_item(source, list[0])?;
            let at = line_end(text, extent(last).1.saturating_sub(1));
            let body = if t.sam {
                items.to_string()
            } else {
                role_policy(NEW_NAME, items)
            };
            Ok((at, block(indent, &body)))
        }
        None => {
            let (first_key, _) = props.entries().next().ok_or("empty Properties")?;
            let key_start = first_key.span.start as usize;
            let indent = key_start - line_start(text, key_start);
            let at = line_end(text, extent(props).1.saturating_sub(1));
            let body = if t.sam {
                items.to_string()
            } else {
                role_policy(NEW_NAME, items)
            };
            let mut out = format!("{}Policies:{eol}", " ".repeat(indent));
            out.push_str(&block(indent + 2, &body));
            Ok((at, out))
        }
    }
}

/// [`addition`] in a JSON template: `items` is the JSON array the renderer wrote.
fn json_addition(
    text: &str,
    props: &Node,
    t: &Target,
    items: &str,
    name: &str,
) -> Result<(usize, String), String> {
    let name: Value = serde_json::from_str(name).unwrap_or_else(|_| Value::from(name));
    let new: Vec<Value> =
        serde_json::from_str(items).map_err(|e| format!("the statements do not render: {e}"))?;
    let wrap = |name: Value, statements: Vec<Value>| {
        serde_json::json!({
            "PolicyName": name,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        })
    };
    let Some(policies) = props.get("Policies") else {
        let value = if t.sam {
            Value::Array(new)
        } else {
            Value::Array(vec![wrap(name, new)])
        };
        return json::add_key(text, props, "Policies", &value);
    };
    if t.sam {
        return json::append(text, policies, &new);
    }
    let emptied = matches!(&policies.value, V::Seq(list) if list.is_empty());
    let name = if emptied {
        name
    } else {
        Value::from("rolefit-least-privilege")
    };
    if let V::Seq(list) = &policies.value
        && let Some(statements) = list.first().and_then(|p| statement_list(t, p))
        && matches!(statements.value, V::Seq(_))
    {
        return json::append(text, statements, &new);
    }
    json::append(text, policies, &[wrap(name, new)])
}

/// The column of the `-` that starts a block sequence item.
fn dash_column(text: &str, item: &Node) -> Result<usize, String> {
    let (lo, _) = extent(item);
    let start = line_start(text, lo);
    let head = &text[start..lo];
    head.rfind('-')
        .filter(|_| head.trim().chars().all(|c| c == '-' || c == ' '))
        .ok_or_else(|| "the list is not in block style".into())
}

fn statements_of(fix: Option<&Value>) -> Vec<Value> {
    match fix {
        Some(v) => match v.get("Statement").and_then(Value::as_array) {
            Some(list) => list.clone(),
            None => vec![v.clone()],
        },
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::narrower;

    #[test]
    fn a_need_is_written_no_wider_than_the_grant_unless_it_takes_only_star() {
        let stream = "arn:aws:kinesis:us-east-1:111122223333:stream/clicks";
        let had = vec![("kinesis:*".to_string(), stream.to_string())];
        // A need whose pattern is wider than the stream the template granted keeps the stream.
        assert_eq!(
            narrower(
                &had,
                "kinesis:GetRecords",
                "arn:aws:kinesis:us-east-1:111122223333:stream/*"
            ),
            [stream]
        );
        // `kinesis:ListStreams` has no resource type: IAM evaluates it on `*` alone, and a
        // grant on the stream's ARN never applies.
        assert_eq!(narrower(&had, "kinesis:ListStreams", "*"), ["*"]);
    }
}
