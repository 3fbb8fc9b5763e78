//! Case-insensitive IAM wildcard matching (`*` any run, `?` one character) and edit distance
//! for did-you-mean hints.

/// Whether `text` matches the IAM wildcard `pattern`, ignoring ASCII case.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Iterative matcher with single-star backtracking: linear in practice, no recursion, no
    // allocation (it runs for every action of a prefix on each wildcard).
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Whether the string holds a wildcard character.
pub fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// Levenshtein distance over ASCII-lowercased characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `target`, if close enough to be a plausible typo.
pub fn nearest<'a>(target: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (target.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (distance(target, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("Get*", "getobject"));
        assert!(matches("*Object", "GetObject"));
        assert!(matches("G?tObject", "GetObject"));
        assert!(matches("*", ""));
        assert!(!matches("Get*", "PutObject"));
        assert!(!matches("Get?", "Get"));
        assert!(matches("*a*b*", "xxaxxbxx"));
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("GetObjct", "GetObject"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(
            nearest("GetObjct", ["PutObject", "GetObject"]),
            Some("GetObject")
        );
        assert_eq!(nearest("zzzzzzzz", ["GetObject"]), None);
    }
}
