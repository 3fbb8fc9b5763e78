//! Reading a JSON report back (`rolefit merge`): the text of `--format json` becomes a
//! [`Report`] again. Values the contract fixes to a closed set (rule ids, `because` kinds,
//! `strength`) are read into the same `&'static str`s the audit writes, so anything outside
//! that set is rejected, not carried along.

use serde::{Deserialize, Deserializer, de::Error as _};

use super::{REPORT_VERSION, Report};
use crate::finding::catalog;

/// Why a file is not a report `merge` can read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("not a rolefit report (no `tool.name` \"rolefit\")")]
    Foreign,
    #[error("report version {0} is not {REPORT_VERSION}")]
    Version(String),
    #[error("not a valid rolefit report: {0}")]
    Shape(String),
}

/// Parses the text of a `--format json` report.
pub fn parse(text: &str) -> Result<Report, ReadError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReadError::Json(e.to_string()))?;
    if value.pointer("/tool/name").and_then(|v| v.as_str()) != Some("rolefit") {
        return Err(ReadError::Foreign);
    }
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(REPORT_VERSION)) => {}
        other => {
            return Err(ReadError::Version(
                other.map_or_else(|| "(none)".to_string(), |v| v.to_string()),
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| ReadError::Shape(e.to_string()))
}

pub(super) fn rule<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let id = String::deserialize(d)?;
    catalog::find(&id)
        .map(|doc| doc.id)
        .ok_or_else(|| D::Error::custom(format!("unknown rule `{id}`")))
}

pub(super) fn because_kind<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    const KINDS: [&str; 4] = ["sdk-call", "event-source", "destination", "config"];
    let kind = String::deserialize(d)?;
    KINDS
        .into_iter()
        .find(|k| *k == kind)
        .ok_or_else(|| D::Error::custom(format!("unknown `because` kind `{kind}`")))
}

pub(super) fn strength<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("required") => Ok(None),
        Some("recommended") => Ok(Some("recommended")),
        Some(other) => Err(D::Error::custom(format!("unknown strength `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_broken_reports_are_refused() {
        assert!(matches!(parse("[1,"), Err(ReadError::Json(_))));
        assert!(matches!(parse("{\"runs\": []}"), Err(ReadError::Foreign)));
        assert!(matches!(
            parse("{\"version\": 2, \"tool\": {\"name\": \"rolefit\"}}"),
            Err(ReadError::Version(_))
        ));
        let bad_rule = r#"{"version":1,"tool":{"name":"rolefit","version":"0.1.0"},
            "functions":[],"summary":{"files":0,"functions":0,"findings":{"error":0,"warning":0,"note":0}},
            "findings":[{"rule":"made-up","severity":"error","function":null,"message":"m",
                         "location":null,"actions":[],"resources":[],"fix":null}]}"#;
        match parse(bad_rule) {
            Err(ReadError::Shape(m)) => assert!(m.contains("made-up"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
