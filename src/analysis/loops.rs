//! When a write re-triggers: shared by `recursive-invocation` and the graph's cycle marks.

use crate::model::KeyRule;

/// Whether keys written as `key` (with `*` and `${...}` for unknown parts) may pass the
/// prefix and suffix rules. Only a literal head or tail that contradicts a rule excludes it.
pub fn key_may_match(key: &str, rules: &[KeyRule]) -> bool {
    let head = key.split(['*', '$']).next().unwrap_or("");
    let tail = key.rsplit(['*', '}']).next().unwrap_or("");
    let head_whole = !key.contains(['*', '$']);
    let tail_whole = head_whole;
    rules
        .iter()
        .all(|KeyRule { name, value }| match name.as_str() {
            "prefix" => {
                if head_whole {
                    head.starts_with(value.as_str())
                } else {
                    head.starts_with(value.as_str()) || value.starts_with(head)
                }
            }
            "suffix" => {
                if tail_whole {
                    tail.ends_with(value.as_str())
                } else {
                    tail.ends_with(value.as_str()) || value.ends_with(tail)
                }
            }
            _ => true,
        })
}

/// The key part of an object ARN (`arn:aws:s3:::bucket/key`), or `*` when there is none.
pub fn s3_key(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:s3:::")
        .and_then(|r| r.split_once('/'))
        .map(|(_, k)| k)
        .unwrap_or("*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, v: &str) -> KeyRule {
        KeyRule {
            name: name.to_string(),
            value: v.to_string(),
        }
    }

    #[test]
    fn prefix_and_suffix_filters() {
        let incoming = [r("prefix", "incoming/")];
        assert!(!key_may_match("processed/*", &incoming));
        assert!(key_may_match("incoming/x.jpg", &incoming));
        assert!(key_may_match("*", &incoming));
        assert!(key_may_match("inc*", &incoming));
        let jpg = [r("suffix", ".jpg")];
        assert!(!key_may_match("thumbs/*.png", &jpg));
        assert!(key_may_match("thumbs/*.jpg", &jpg));
        assert!(key_may_match("clean/*", &jpg));
        assert!(!key_may_match("report.csv", &jpg));
    }
}
