//! `plaintext-secret`: a secret-looking environment variable holds a literal value.

use super::{Rule, RuleContext, RuleMeta};
use crate::finding::{Finding, Severity};

/// ## What it finds
/// An environment variable whose name looks like a secret (password, token, API key,
/// private key, client secret) set to a literal string in the template.
/// ## Why it matters
/// Environment variables are visible to anyone who can read the function configuration
/// (`lambda:GetFunctionConfiguration`) and end up in source control with the template.
pub struct PlaintextSecret;

static META: RuleMeta = RuleMeta {
    id: "plaintext-secret",
    severity: Severity::Warning,
    summary: "A secret-looking environment variable is set in plain text.",
    why: "Anyone who can read the function's configuration or the repository can read the \
          value. Secrets belong in Secrets Manager or SSM SecureString, resolved at run time.",
    example: "Environment:\n  Variables:\n    DB_PASSWORD: hunter2",
    fix: "Store the value in Secrets Manager and pass its ARN (`!Ref DbSecret`) or a dynamic \
          reference (`{{resolve:secretsmanager:db:SecretString:password}}`); read it in code.",
    label: "secret in plain text",
};

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
    fn meta(&self) -> &'static RuleMeta {
        &META
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
