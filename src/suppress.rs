//! Inline suppressions, written next to what they silence and always with a reason:
//! `# rolefit: ignore[rule, ...] reason` (YAML, HCL, Python) or `// rolefit: ignore[...] reason`
//! (JavaScript, TypeScript, Go, Java) on the finding's line or alone on the line above, and a
//! CloudFormation `Metadata: {rolefit: {ignore: [{rule, reason}]}}` block on a resource, which
//! silences that resource's findings (for generated templates that cannot hold comments).
//!
//! Suppressions are applied after every rule ran, since they filter the rules' output. One
//! without a reason, with an unknown rule, or that silences nothing is reported as
//! `unused-suppression` (the rule's text lives in `finding::catalog`).

use crate::config::Config;
use crate::finding::Finding;
use crate::finding::catalog::{self, UNUSED_SUPPRESSION};
use crate::source::{SourceFile, SourceMap, Span};
use crate::syntax::node::Node;

/// One suppression found in the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: String,
    /// The comment or metadata entry itself.
    pub span: Span,
    pub scope: Scope,
}

/// What a suppression covers.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// Findings whose primary location is on one of these 1-based lines of one file.
    Lines {
        file: crate::source::FileId,
        lines: Vec<u32>,
    },
    /// Findings inside a resource's text, or about the function it declares.
    Resource { range: Span, function: String },
}

/// Drops suppressed findings and adds `unused-suppression` findings for suppressions that
/// have no reason, name an unknown rule, or silence nothing.
pub fn apply(findings: Vec<Finding>, sources: &SourceMap, config: &Config) -> Vec<Finding> {
    let suppressions: Vec<Suppression> = sources.files().iter().flat_map(collect).collect();
    let mut used = vec![false; suppressions.len()];
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let hit = suppressions
                .iter()
                .position(|s| is_valid(s) && covers(s, f, sources));
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        })
        .collect();
    if !config.rule_enabled(UNUSED_SUPPRESSION.id) {
        return kept;
    }
    let severity = config.severity(UNUSED_SUPPRESSION.id, UNUSED_SUPPRESSION.severity);
    for (s, used) in suppressions.iter().zip(used) {
        // A rule turned off in the configuration finds nothing to silence: not stale.
        let disabled = s.rules.iter().all(|r| !config.rule_enabled(r));
        if let Some(message) = problem(s, used || disabled) {
            let mut f = UNUSED_SUPPRESSION.finding(message, s.span);
            f.severity = severity;
            kept.push(f);
        }
    }
    kept
}

fn is_valid(s: &Suppression) -> bool {
    !s.reason.is_empty() && s.rules.iter().all(|r| catalog::find(r).is_some())
}

fn problem(s: &Suppression, used: bool) -> Option<String> {
    let names = s.rules.join(", ");
    if let Some(bad) = s.rules.iter().find(|r| catalog::find(r).is_none()) {
        let ids = catalog::ids();
        return Some(match crate::config::nearest(bad, ids) {
            Some(near) => {
                format!("suppression names unknown rule `{bad}` (did you mean `{near}`?)")
            }
            None => format!("suppression names unknown rule `{bad}`"),
        });
    }
    if s.reason.is_empty() {
        return Some(format!(
            "suppression of {names} has no reason, so it is not applied; write why after it"
        ));
    }
    (!used).then(|| format!("suppression of {names} silences nothing; remove it"))
}

fn covers(s: &Suppression, f: &Finding, sources: &SourceMap) -> bool {
    if !s.rules.iter().any(|r| r == f.rule) {
        return false;
    }
    match &s.scope {
        Scope::Lines { file, lines } => {
            f.primary.file == *file
                && sources
                    .line_col(f.primary)
                    .is_some_and(|(line, _)| lines.contains(&line))
        }
        Scope::Resource { range, function } => {
            f.function.as_deref() == Some(function.as_str())
                || (f.primary.file == range.file
                    && f.primary.start >= range.start
                    && f.primary.start < range.end)
        }
    }
}

/// Every suppression written in one file.
pub fn collect(file: &SourceFile) -> Vec<Suppression> {
    let mut out = comments(file);
    out.extend(metadata(file));
    out
}

const MARKER: &str = "rolefit: ignore";

/// `# rolefit: ignore[...] reason` / `// rolefit: ignore[...] reason` comments.
fn comments(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !file.text.contains(MARKER) {
        return out;
    }
    let mut offset = 0usize;
    for (i, line) in file.text.split('\n').enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let start = offset;
        offset += line.len() + 1;
        let Some(pos) = line.find(MARKER) else {
            continue;
        };
        let before = line[..pos].trim_end();
        let (code, opener) = if let Some(code) = before.strip_suffix("//") {
            (code, 2)
        } else if let Some(code) = before.strip_suffix('#') {
            (code, 1)
        } else {
            continue;
        };
        let Some((rules, reason)) = parse_comment(&line[pos + MARKER.len()..]) else {
            continue;
        };
        // A comment alone on its line speaks about the next line; a trailing one about its own.
        let target = if code.trim().is_empty() {
            line_no + 1
        } else {
            line_no
        };
        out.push(Suppression {
            rules,
            reason,
            span: file.span(start + before.len() - opener, start + line.trim_end().len()),
            scope: Scope::Lines {
                file: file.id,
                lines: vec![target],
            },
        });
    }
    out
}

/// `[rule-a, rule-b] reason` -> the rules and the reason (empty when missing).
fn parse_comment(rest: &str) -> Option<(Vec<String>, String)> {
    let rest = rest.strip_prefix('[')?;
    let (inside, reason) = rest.split_once(']')?;
    let rules: Vec<String> = inside
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
    }
    let reason = reason.trim().trim_start_matches([':', '-', '—']).trim();
    // `# rolefit: ignore[x]  # another comment`: what follows is not a reason.
    let reason = if reason.starts_with('#') || reason.starts_with("//") {
        ""
    } else {
        reason
    };
    Some((rules, reason.to_string()))
}

/// `Metadata: rolefit: ignore:` blocks on CloudFormation resources.
fn metadata(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !(file.text.contains("rolefit") && file.text.contains("Metadata")) {
        return out;
    }
    let path = file.path.to_ascii_lowercase();
    let parsed = if path.ends_with(".json") {
        crate::syntax::json::parse(file)
    } else if path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".template") {
        crate::syntax::yaml::parse(file)
    } else {
        return out;
    };
    let Ok(root) = parsed else {
        return out;
    };
    for (key, resource) in root.get("Resources").into_iter().flat_map(Node::entries) {
        let Some(ignore) = resource
            .get("Metadata")
            .and_then(|m| m.get("rolefit"))
            .and_then(|r| r.get("ignore"))
        else {
            continue;
        };
        let range = Span::new(file.id, key.span.start as usize, resource.span.end as usize);
        for entry in ignore.items() {
            let rules: Vec<String> = entry
                .get("rule")
                .into_iter()
                .flat_map(Node::items)
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect();
            if rules.is_empty() {
                continue;
            }
            out.push(Suppression {
                rules,
                reason: entry
                    .get("reason")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                span: entry.span,
                scope: Scope::Resource {
                    range,
                    function: format!("{}#{}", file.path, key.name),
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile::new(FileId(0), path, text)
    }

    #[test]
    fn comment_rules_and_reason() {
        assert_eq!(
            parse_comment("[a-b, c] because"),
            Some((vec!["a-b".into(), "c".into()], "because".into()))
        );
        assert_eq!(
            parse_comment("[a]"),
            Some((vec!["a".into()], String::new()))
        );
        assert_eq!(parse_comment("a reason"), None);
        assert_eq!(
            parse_comment("[a]  # a later comment"),
            Some((vec!["a".into()], String::new()))
        );
    }

    #[test]
    fn trailing_comment_covers_its_line_and_lone_comment_the_next() {
        let f = file(
            "app.py",
            "x = 1  # rolefit: ignore[missing-permission] tested\n// rolefit: ignore[unused-permission] why\ny\n",
        );
        let s = comments(&f);
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].scope,
            Scope::Lines {
                file: FileId(0),
                lines: vec![1]
            }
        );
        assert_eq!(
            s[1].scope,
            Scope::Lines {
                file: FileId(0),
                lines: vec![3]
            }
        );
    }

    #[test]
    fn metadata_block_covers_its_resource() {
        let f = file(
            "template.yaml",
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Metadata:\n      rolefit:\n        ignore:\n          - rule: lambda-limits\n            reason: generated\n",
        );
        let s = metadata(&f);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].reason, "generated");
        assert!(
            matches!(&s[0].scope, Scope::Resource { function, .. } if function == "template.yaml#Fn")
        );
    }
}
