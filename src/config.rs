//! Run configuration: what `rolefit.toml` (or `--config`) sets. The stages read these typed
//! settings; `load` reads and validates the file.

mod load;

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

pub(crate) use load::nearest;
pub use load::{ConfigError, FILE_NAME};

use crate::finding::Severity;

/// Settings that change what is audited and how findings are judged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Globs of paths (relative to the audited root) to audit; empty means everything.
    pub include: Vec<String>,
    /// Globs of paths to leave out.
    pub exclude: Vec<String>,
    /// Per-rule settings by rule id.
    pub rules: BTreeMap<String, RuleConfig>,
    /// Account ids whose grants and resources are trusted (`cross-account-access`).
    pub trusted_accounts: Vec<String>,
    /// The organization id (`o-...`) the audited accounts belong to.
    pub organization_id: Option<String>,
    /// Environment variable name -> the resource it names (an ARN or name), for variables
    /// set outside the template (a CI pipeline, a `.env` file).
    pub env_hints: BTreeMap<String, String>,
    /// Action patterns never reported as missing or unused (`xray:*`).
    pub ignore_actions: Vec<String>,
    /// Function name -> code folder, for exported account state.
    pub code_folders: BTreeMap<String, String>,
}

/// One rule's settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `false` turns the rule off.
    pub enabled: Option<bool>,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
}

impl Config {
    /// Whether `id` runs (rules are on unless turned off).
    pub fn rule_enabled(&self, id: &str) -> bool {
        self.rules.get(id).and_then(|r| r.enabled).unwrap_or(true)
    }

    /// The severity `id` reports with.
    pub fn severity(&self, id: &str, default: Severity) -> Severity {
        self.rules
            .get(id)
            .and_then(|r| r.severity)
            .unwrap_or(default)
    }

    pub fn trusts_account(&self, account: &str) -> bool {
        self.trusted_accounts.iter().any(|a| a == account)
    }
}

/// The `include`/`exclude` globs, compiled once per run.
#[derive(Clone, Debug)]
pub struct PathFilter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Config {
    /// Compiles `include` and `exclude` (validated when the file was loaded; a glob that
    /// still fails to compile is left out rather than failing the run).
    pub fn path_filter(&self) -> PathFilter {
        PathFilter {
            include: (!self.include.is_empty()).then(|| glob_set(&self.include)),
            exclude: glob_set(&self.exclude),
        }
    }
}

impl PathFilter {
    /// Whether a path relative to the audited root is audited.
    pub fn selects(&self, rel: &str) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(rel)) && !self.exclude.is_match(rel)
    }
}

/// `*` stays within one folder and `**` crosses folders, as in `.gitignore`.
fn glob_set(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(glob) = GlobBuilder::new(g).literal_separator(true).build() {
            b.add(glob);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_and_exclude_select_paths() {
        let config = Config {
            include: vec!["services/**".into()],
            exclude: vec!["services/legacy/**".into()],
            ..Config::default()
        };
        let f = config.path_filter();
        assert!(f.selects("services/orders/template.yaml"));
        assert!(!f.selects("services/legacy/template.yaml"));
        assert!(!f.selects("template.yaml"));
        assert!(
            Config::default()
                .path_filter()
                .selects("anything/at/all.py")
        );
    }
}
