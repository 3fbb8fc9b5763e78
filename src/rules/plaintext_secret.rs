//! `plaintext-secret`: a secret-looking environment variable holds a literal value.

use super::{Rule, RuleContext};
use crate::finding::Finding;
use crate::finding::catalog::{self, RuleDoc};

/// What it detects, in detail; what users read about it is [`catalog::PLAINTEXT_SECRET`].
///
/// An environment variable whose name looks like a secret (password, token, API key,
/// private key, client secret) set to a literal string in the template.
pub struct PlaintextSecret;

static META: &RuleDoc = &catalog::PLAINTEXT_SECRET;

/// Name parts that mark a secret; matched on `_`/`-`-separated words, case-insensitive.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "PRIVATEKEY",
    "CREDENTIALS",
    "PASSPHRASE",
];
/// Word pairs that mark a secret when adjacent (`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("PRIVATE", "KEY"),
    ("SECRET", "KEY"),
    ("AUTH", "KEY"),
    ("CLIENT", "SECRET"),
];
/// Words that say the variable names or points at a secret rather than holding one.
const REFERENCE_WORDS: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "PATH",
    "PARAM",
    "PARAMETER",
    "URL",
    "URI",
    "ENDPOINT",
    "TABLE",
    "BUCKET",
    "QUEUE",
    "TOPIC",
    "KMS",
    "REGION",
    "HEADER",
    "TTL",
    "EXPIRY",
    "EXPIRATION",
    "LENGTH",
    "TYPE",
    "FIELD",
    "PREFIX",
    "ENABLED",
    "COUNT",
];

pub(crate) fn is_secret_name(name: &str) -> bool {
    // Split on separators and on camelCase boundaries: `apiKey` -> API, KEY.
    let mut spaced = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            spaced.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        spaced.push(c);
    }
    let words: Vec<String> = spaced
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    if words.iter().any(|w| REFERENCE_WORDS.contains(&w.as_str())) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || words
            .windows(2)
            .any(|p| SECRET_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
}

/// A literal that is clearly not a secret: empty, a placeholder, a boolean, a reference.
fn is_harmless_value(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.len() < 4
        || t.contains("${")
        || t.starts_with("{{resolve:")
        || crate::arn::Arn::parse(t).is_ok()
        || t.starts_with('/')
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "false" | "none" | "null" | "changeme" | "placeholder" | "todo"
        )
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleDoc {
        META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for func in &cx.app.functions {
            for var in &func.environment {
                if !var.literal || !is_secret_name(&var.name.value) {
                    continue;
                }
                let Some(value) = &var.value else { continue };
                if is_harmless_value(&value.value) {
                    continue;
                }
                out.push(
                    META.finding(
                        format!(
                            "{} sets {} to a literal value; secrets in environment variables are readable by anyone who can read the function's configuration",
                            func.name, var.name.value
                        ),
                        value.span,
                    )
                    .function(&func.id)
                    .related(var.name.span, "variable declared here"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "API_KEY",
            "apiKey",
            "GITHUB_TOKEN",
            "CLIENT_SECRET",
            "STRIPE_SECRET_KEY",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "SECRET_ARN",
            "SECRET_NAME",
            "TOKEN_TABLE",
            "PASSWORD_PARAM",
            "TABLE_NAME",
            "KEY_PREFIX",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }
}
