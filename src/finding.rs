//! Findings: what a rule reports, with the span to fix and the evidence behind it.
//! Rendering into lines and columns happens late, in `report/`. The text of every rule (what
//! `rolefit explain`, the docs and SARIF say about it) is in [`catalog`].

pub mod catalog;

use crate::source::Span;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// Higher is more severe: `error` 3, `warning` 2, `note` 1.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Error => 3,
            Severity::Warning => 2,
            Severity::Note => 1,
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

/// One result of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The function id (REPORT.md `functions[].id`) the finding is filed under: the function
    /// of a function-level finding, the first function on the role of a role-level one. It
    /// keys fingerprints, baselines and suppressions; the report shows it as `function` only
    /// when it is the one function in [`Finding::functions`].
    pub function: Option<String>,
    /// Every function the finding concerns (REPORT.md v1.1 `findings[].functions`): empty only
    /// for findings about a file.
    pub functions: Vec<String>,
    /// One sentence naming the function and the action.
    pub message: String,
    /// Where to fix it.
    pub primary: Span,
    /// Why we believe it: SDK call, trigger, statement, declaration.
    pub related: Vec<(Span, String)>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// A policy statement that would fix it.
    pub fix: Option<serde_json::Value>,
    /// The fix as deployable text in the idiom of the file that holds the grant (REPORT.md
    /// v1.1 `fix_text`), filled by the application from [`Finding::fix`].
    pub fix_text: Option<String>,
}

impl Finding {
    pub fn at(mut self, span: Span) -> Finding {
        self.primary = span;
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Finding {
        if !span.is_builtin() && span != self.primary {
            self.related.push((span, label.into()));
        }
        self
    }

    pub fn function(mut self, id: &str) -> Finding {
        self.function = Some(id.to_string());
        self
    }

    /// Names every function the finding concerns; which one it is filed under
    /// ([`Finding::function`]) is set apart, so that fingerprints keep their recipe.
    pub fn functions(mut self, ids: Vec<String>) -> Finding {
        self.functions = ids;
        self
    }

    /// The finding at `severity` when `cond` holds (a rule's finding that is less severe
    /// than its default, as its catalog entry documents).
    pub fn severity_if(mut self, cond: bool, severity: Severity) -> Finding {
        if cond {
            self.severity = severity;
        }
        self
    }

    pub fn actions<I: IntoIterator<Item = S>, S: Into<String>>(mut self, actions: I) -> Finding {
        self.actions = actions.into_iter().map(Into::into).collect();
        self
    }

    pub fn resources<I: IntoIterator<Item = S>, S: Into<String>>(mut self, res: I) -> Finding {
        self.resources = res.into_iter().map(Into::into).collect();
        self
    }

    pub fn fix(mut self, fix: serde_json::Value) -> Finding {
        self.fix = Some(fix);
        self
    }
}
