//! Run configuration: what `rolefit.toml` (or `--config`) sets. Reading and validating the
//! file lives with the CLI; the stages read these typed settings.

use std::collections::BTreeMap;

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
