//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,title=…::message`), escaped as the Actions toolkit does.

use std::fmt::Write as _;

use crate::finding::Severity;

use super::Report;

/// The workflow command of a severity: GitHub has `error`, `warning` and `notice`.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One line per finding; `path_prefix` is prepended to file paths (see `sarif::render`).
pub fn render(report: &Report, path_prefix: &str) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mut props = Vec::new();
        if let Some(loc) = &f.location {
            props.push(format!(
                "file={}",
                escape_property(&format!("{path_prefix}{}", loc.file))
            ));
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("rolefit {}", f.rule))
        ));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(f.severity),
            props.join(","),
            escape_data(&f.message)
        );
    }
    out
}

/// Message text: `%`, CR and LF are percent-encoded (toolkit `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also encode `:` and `,`, which separate properties (toolkit
/// `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(command(Severity::Note), "notice");
        assert_eq!(command(Severity::Error), "error");
        assert_eq!(command(Severity::Warning), "warning");
    }
}
