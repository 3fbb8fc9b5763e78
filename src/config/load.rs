//! Reading `rolefit.toml`: every key checked, every error with its file, line and column.
//!
//! The file is parsed with `toml_edit` because it keeps the byte span of every key and value,
//! so an unknown key or a bad value points at the exact place to change (cargo-deny's habit).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, TableLike, Value};

use super::{Config, RuleConfig};
use crate::finding::Severity;

/// The file name looked for at the audited root.
pub const FILE_NAME: &str = "rolefit.toml";

const TOP_KEYS: &[&str] = &[
    "include",
    "exclude",
    "rules",
    "trusted-accounts",
    "organization-id",
    "env",
    "ignore-actions",
    "code",
];
const RULE_KEYS: &[&str] = &["enabled", "severity"];

/// A configuration file that cannot be used: the run fails with exit status 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// The configuration for a run: `explicit` (`--config FILE`) when given, else
    /// `rolefit.toml` at the first audited root (a file's folder) when it exists, else the
    /// defaults.
    pub fn find(explicit: Option<&Path>, roots: &[PathBuf]) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        // A single-file root (`rolefit audit template.yaml`) is audited from its folder.
        let candidate = roots.first().map(|r| match r.is_file() {
            true => r.parent().unwrap_or(Path::new(".")).join(FILE_NAME),
            false => r.join(FILE_NAME),
        });
        match candidate {
            Some(path) if path.is_file() => Config::load(&path),
            _ => Ok(Config::default()),
        }
    }

    /// Reads and validates one file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Config::parse(&text, path)
    }

    /// Validates `text`; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let fail = |span: Option<Range<usize>>, message: String| {
            let offset = span.map_or(0, |s| s.start);
            let (line, column) = line_col(text, offset);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let doc = Document::parse(text).map_err(|e| fail(e.span(), first_line(e.message())))?;
        read_root(doc.as_table()).map_err(|(span, message)| fail(span, message))
    }
}

type Problem = (Option<Range<usize>>, String);
/// A string value with its span.
type SpannedStr = (String, Option<Range<usize>>);

fn read_root(root: &dyn TableLike) -> Result<Config, Problem> {
    check_keys(root, TOP_KEYS, "")?;
    let mut config = Config::default();
    for (key, item) in root.iter() {
        let span = item_span(root, key);
        match key {
            "include" | "exclude" => {
                let globs = strings(item, key, span.clone())?;
                for (g, s) in &globs {
                    globset::Glob::new(g).map_err(|e| {
                        (s.clone(), format!("`{key}`: bad glob `{g}`: {}", e.kind()))
                    })?;
                }
                let list = globs.into_iter().map(|(g, _)| g).collect();
                if key == "include" {
                    config.include = list;
                } else {
                    config.exclude = list;
                }
            }
            "trusted-accounts" => {
                for (a, s) in strings(item, key, span)? {
                    if !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())) {
                        return Err((s, format!("`{key}`: `{a}` is not a 12-digit account id")));
                    }
                    config.trusted_accounts.push(a);
                }
            }
            "organization-id" => {
                let (id, s) = string(item, key, span)?;
                // AWS Organizations ids are `o-` and 10 to 32 lower-case letters or digits
                // (Organizations API reference, `Organization.Id`).
                let body = id.strip_prefix("o-").unwrap_or("");
                let ok = (10..=32).contains(&body.len())
                    && body
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if !ok {
                    return Err((
                        s,
                        format!("`{key}`: `{id}` is not an organization id (o-...)"),
                    ));
                }
                config.organization_id = Some(id);
            }
            "ignore-actions" => {
                for (a, s) in strings(item, key, span)? {
                    if !a.contains(':') && a != "*" {
                        return Err((
                            s,
                            format!("`{key}`: `{a}` is not an action pattern (`service:Action`)"),
                        ));
                    }
                    config.ignore_actions.push(a);
                }
            }
            "env" => config.env_hints = string_map(item, key, span)?,
            "code" => config.code_folders = string_map(item, key, span)?,
            "rules" => config.rules = read_rules(item, span)?,
            _ => {}
        }
    }
    Ok(config)
}

fn read_rules(
    item: &Item,
    span: Option<Range<usize>>,
) -> Result<BTreeMap<String, RuleConfig>, Problem> {
    let table = item
        .as_table_like()
        .ok_or((span, "`rules` must be a table of rule ids".to_string()))?;
    let ids: Vec<&str> = crate::finding::catalog::ids().collect();
    let mut out = BTreeMap::new();
    for (id, rule_item) in table.iter() {
        let key_span = table.key(id).and_then(|k| k.span());
        if !ids.contains(&id) {
            return Err((key_span, unknown("rule", id, &ids)));
        }
        let rule = rule_item
            .as_table_like()
            .ok_or((key_span.clone(), format!("`rules.{id}` must be a table")))?;
        check_keys(rule, RULE_KEYS, &format!("rules.{id}."))?;
        let mut rc = RuleConfig::default();
        if let Some(v) = rule.get("enabled") {
            let s = item_span(rule, "enabled");
            rc.enabled = Some(
                v.as_bool()
                    .ok_or((s, format!("`rules.{id}.enabled` must be true or false")))?,
            );
        }
        if let Some(v) = rule.get("severity") {
            let s = item_span(rule, "severity");
            let text = v.as_str().unwrap_or("");
            rc.severity = Some(Severity::parse(text).ok_or((
                s,
                format!("`rules.{id}.severity` must be \"error\", \"warning\" or \"note\""),
            ))?);
        }
        out.insert(id.to_string(), rc);
    }
    Ok(out)
}

fn check_keys(table: &dyn TableLike, known: &[&str], prefix: &str) -> Result<(), Problem> {
    for (key, _) in table.iter() {
        if !known.contains(&key) {
            let span = table.key(key).and_then(|k| k.span());
            return Err((span, unknown("key", &format!("{prefix}{key}"), known)));
        }
    }
    Ok(())
}

/// `unknown key `trusted-acounts`; did you mean `trusted-accounts`?`
fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    match nearest(last, known.iter().copied()) {
        Some(near) => format!("unknown {what} `{name}`; did you mean `{near}`?"),
        None => format!(
            "unknown {what} `{name}`; expected one of: {}",
            known.join(", ")
        ),
    }
}

/// The candidate closest to `target` when it is a plausible typo of it.
pub(crate) fn nearest<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(target, c), c))
        .filter(|(d, _)| *d <= (target.chars().count() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

fn item_span(table: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    let (k, item) = table.get_key_value(key)?;
    item.span().or_else(|| k.span())
}

fn string(item: &Item, key: &str, span: Option<Range<usize>>) -> Result<SpannedStr, Problem> {
    match item.as_str() {
        Some(s) => Ok((s.to_string(), span)),
        None => Err((span, format!("`{key}` must be a string"))),
    }
}

fn strings(item: &Item, key: &str, span: Option<Range<usize>>) -> Result<Vec<SpannedStr>, Problem> {
    let array = item
        .as_array()
        .ok_or((span.clone(), format!("`{key}` must be an array of strings")))?;
    array
        .iter()
        .map(|v: &Value| match v.as_str() {
            Some(s) => Ok((s.to_string(), v.span())),
            None => Err((v.span(), format!("`{key}` must hold only strings"))),
        })
        .collect()
}

fn string_map(
    item: &Item,
    key: &str,
    span: Option<Range<usize>>,
) -> Result<BTreeMap<String, String>, Problem> {
    let table = item
        .as_table_like()
        .ok_or((span, format!("`[{key}]` must be a table of strings")))?;
    let mut out = BTreeMap::new();
    for (k, v) in table.iter() {
        let s = item_span(table, k);
        let value = v
            .as_str()
            .ok_or((s, format!("`{key}.{k}` must be a string")))?;
        out.insert(k.to_string(), value.to_string());
    }
    Ok(out)
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based() {
        assert_eq!(line_col("a = 1\nbc = 2", 6), (2, 1));
        assert_eq!(line_col("a = 1\nbc = 2", 9), (2, 4));
    }
}
