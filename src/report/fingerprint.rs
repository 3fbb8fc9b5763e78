//! Stable finding fingerprints for SARIF `partialFingerprints` and baselines: they survive
//! lines moving (blank lines or comments added above) because they hash what the finding is
//! about and the text of its line, never the line number.

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::source::SourceMap;

/// The key under SARIF `partialFingerprints`; bump the suffix if the recipe changes.
pub const SARIF_KEY: &str = "rolefit/v1";

/// One fingerprint per finding, in the same order: `<16 hex digits>:<n>`, where `n` counts
/// earlier findings with the same hash (two identical lines in one file), as GitHub's own
/// `primaryLocationLineHash` does.
pub fn fingerprints(findings: &[Finding], sources: &SourceMap) -> Vec<String> {
    fingerprints_under(findings, sources, "")
}

/// [`fingerprints`] as if the audited root sat at `prefix` (`<label>/`): the file path and the
/// function id are hashed with the prefix before them, the way `rolefit merge` writes them. A
/// finding then has the fingerprint an audit of the shards' union (each shard in a folder named
/// by its label) gives it, under the same recipe; an empty prefix gives [`fingerprints`].
pub fn fingerprints_under(findings: &[Finding], sources: &SourceMap, prefix: &str) -> Vec<String> {
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    findings
        .iter()
        .map(|f| {
            let h = hash_finding(f, sources, prefix);
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{h:016x}:{n}")
        })
        .collect()
}

fn hash_finding(f: &Finding, sources: &SourceMap, prefix: &str) -> u64 {
    let (path, line) = match sources.get(f.primary.file) {
        Some(file) => (
            format!("{prefix}{}", file.path),
            normalize(file.line_text(file.line_col(f.primary.start).0)),
        ),
        None => (String::new(), String::new()),
    };
    let function = f
        .function
        .as_deref()
        .map_or(String::new(), |id| format!("{prefix}{id}"));
    let mut h = Fnv::default();
    for part in [f.rule, function.as_str(), path.as_str()] {
        h.write(part);
    }
    for a in &f.actions {
        h.write(a);
    }
    h.write("|");
    for r in &f.resources {
        h.write(r);
    }
    h.write(&line);
    h.0
}

/// Whitespace runs collapsed, ends trimmed: re-indenting a line keeps its fingerprint.
fn normalize(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// FNV-1a, 64 bit: tiny, and unlike `std`'s hasher its output never changes between Rust
/// releases, which a fingerprint stored in a baseline or by code scanning needs.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, part: &str) {
        for b in part.bytes().chain(std::iter::once(0)) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::source::Span;

    fn finding(sources: &SourceMap, start: usize) -> Finding {
        let file = sources.files()[0].id;
        Finding {
            rule: "missing-permission",
            severity: Severity::Error,
            function: Some("template.yaml#Fn".into()),
            functions: vec!["template.yaml#Fn".into()],
            message: "m".into(),
            primary: Span::new(file, start, start + 1),
            related: Vec::new(),
            actions: vec!["s3:GetObject".into()],
            resources: vec!["*".into()],
            fix: None,
            fix_text: None,
        }
    }

    #[test]
    fn survives_line_moves_and_counts_duplicates() {
        let mut a = SourceMap::default();
        a.add("app.py", "x = 1\ns3.get_object()\n");
        let mut b = SourceMap::default();
        b.add("app.py", "x = 1\n\n# moved\n    s3.get_object()\n");
        let fa = fingerprints(&[finding(&a, 6)], &a);
        let fb = fingerprints(&[finding(&b, 18)], &b);
        assert_eq!(fa, fb);
        let twice = fingerprints(&[finding(&a, 6), finding(&a, 6)], &a);
        assert!(twice[0].ends_with(":1") && twice[1].ends_with(":2"));
        let other_line = fingerprints(&[finding(&a, 0)], &a);
        assert_ne!(fa, other_line);
    }

    #[test]
    fn a_prefix_is_hashed_as_part_of_path_and_function() {
        let mut a = SourceMap::default();
        a.add("app.py", "x = 1\ns3.get_object()\n");
        let mut moved = SourceMap::default();
        moved.add("prod/app.py", "x = 1\ns3.get_object()\n");
        let mut f = finding(&moved, 6);
        f.function = Some("prod/template.yaml#Fn".into());
        assert_eq!(
            fingerprints_under(&[finding(&a, 6)], &a, "prod/"),
            fingerprints(&[f], &moved)
        );
        assert_eq!(
            fingerprints_under(&[finding(&a, 6)], &a, ""),
            fingerprints(&[finding(&a, 6)], &a)
        );
        assert_ne!(
            fingerprints_under(&[finding(&a, 6)], &a, "prod/"),
            fingerprints_under(&[finding(&a, 6)], &a, "test/")
        );
    }
}
