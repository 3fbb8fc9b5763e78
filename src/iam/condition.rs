//! Condition operators (IAM JSON policy elements: Condition operators): String, Numeric, Date,
//! Bool, Binary, ARN, IP address and Null, with `...IfExists` and the `ForAnyValue:` /
//! `ForAllValues:` set qualifiers. Evaluation is three-valued: a key whose value is not known
//! statically makes the condition `Unknown`.

use std::net::IpAddr;

use crate::arn::Arn;
use crate::iam::pattern::{Match, Pattern, Syntax, VarLookup, glob};
use crate::source::{Span, Spanned};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    String { ignore_case: bool, like: bool },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Arn,
    Ip,
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

/// A parsed operator name such as `ForAllValues:StringNotLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    pub family: Family,
    pub negated: bool,
    pub if_exists: bool,
    pub qualifier: Qualifier,
}

impl Operator {
    pub fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Qualifier::ForAnyValue, r)
        } else if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Qualifier::ForAllValues, r)
        } else {
            (Qualifier::None, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let s = |ignore_case, like| Family::String { ignore_case, like };
        let (family, negated) = match base {
            "StringEquals" => (s(false, false), false),
            "StringNotEquals" => (s(false, false), true),
            "StringEqualsIgnoreCase" => (s(true, false), false),
            "StringNotEqualsIgnoreCase" => (s(true, false), true),
            "StringLike" => (s(false, true), false),
            "StringNotLike" => (s(false, true), true),
            "NumericEquals" => (Family::Numeric(Cmp::Eq), false),
            "NumericNotEquals" => (Family::Numeric(Cmp::Eq), true),
            "NumericLessThan" => (Family::Numeric(Cmp::Lt), false),
            "NumericLessThanEquals" => (Family::Numeric(Cmp::Le), false),
            "NumericGreaterThan" => (Family::Numeric(Cmp::Gt), false),
            "NumericGreaterThanEquals" => (Family::Numeric(Cmp::Ge), false),
            "DateEquals" => (Family::Date(Cmp::Eq), false),
            "DateNotEquals" => (Family::Date(Cmp::Eq), true),
            "DateLessThan" => (Family::Date(Cmp::Lt), false),
            "DateLessThanEquals" => (Family::Date(Cmp::Le), false),
            "DateGreaterThan" => (Family::Date(Cmp::Gt), false),
            "DateGreaterThanEquals" => (Family::Date(Cmp::Ge), false),
            "Bool" => (Family::Bool, false),
            "BinaryEquals" => (Family::Binary, false),
            // ArnEquals and ArnLike behave the same way (both accept wildcards per field).
            "ArnEquals" | "ArnLike" => (Family::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
            "IpAddress" => (Family::Ip, false),
            "NotIpAddress" => (Family::Ip, true),
            // `Null` has no IfExists form.
            "Null" if !if_exists && qualifier == Qualifier::None => (Family::Null, false),
            _ => return None,
        };
        Some(Operator {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }
}

/// One operator applied to one key: `{"StringEquals": {"aws:SourceAccount": [..]}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: Spanned<String>,
    pub op: Operator,
    pub key: Spanned<String>,
    /// Lower-cased key: condition key names are case-insensitive.
    pub key_lc: String,
    pub values: Vec<Spanned<String>>,
    compiled: Vec<Pattern>,
    pub span: Span,
}

impl Condition {
    pub fn new(
        operator: Spanned<String>,
        op: Operator,
        key: Spanned<String>,
        values: Vec<Spanned<String>>,
        span: Span,
    ) -> Condition {
        let syntax = match op.family {
            Family::String { ignore_case, like } => Syntax {
                wildcards: like,
                fold_case: ignore_case,
                substitutions: true,
                variables: true,
                segments: false,
            },
            Family::Arn => Syntax::ARN_CONDITION,
            _ => Syntax {
                wildcards: false,
                fold_case: false,
                substitutions: true,
                variables: true,
                segments: false,
            },
        };
        let compiled = match op.family {
            Family::String { .. } | Family::Arn => values
                .iter()
                .map(|v| Pattern::compile(&v.value, syntax))
                .collect(),
            _ => Vec::new(),
        };
        let key_lc = key.value.to_ascii_lowercase();
        Condition {
            operator,
            op,
            key,
            key_lc,
            values,
            compiled,
            span,
        }
    }

    /// Evaluates against the known context (keys looked up lower-cased).
    pub fn eval(&self, ctx: &dyn VarLookup) -> Match {
        let Some(present) = ctx.lookup(&self.key_lc) else {
            return Match::Unknown;
        };
        let op = self.op;
        if op.family == Family::Null {
            // `"Null": {"k": "true"}` holds when the key is absent.
            let want_absent = self
                .values
                .iter()
                .any(|v| v.value.eq_ignore_ascii_case("true"));
            return Match::from_bool(present.is_empty() == want_absent);
        }
        if present.is_empty() {
            // Documented: ...IfExists is true when the key is missing; ForAllValues is true
            // on an empty set; ForAnyValue is false; negated operators match a missing key.
            return Match::from_bool(match op.qualifier {
                Qualifier::ForAllValues => true,
                Qualifier::ForAnyValue => op.if_exists,
                Qualifier::None => op.if_exists || op.negated,
            });
        }
        let any_value = |v: &str| {
            let mut m = Match::No;
            for i in 0..self.values.len() {
                m = m.or(self.value_matches(i, v, ctx));
                if m == Match::Yes {
                    break;
                }
            }
            m
        };
        match op.qualifier {
            Qualifier::None => {
                let m = present.iter().fold(Match::No, |m, v| m.or(any_value(v)));
                if op.negated { !m } else { m }
            }
            Qualifier::ForAnyValue => present.iter().fold(Match::No, |m, v| {
                let one = any_value(v);
                m.or(if op.negated { !one } else { one })
            }),
            Qualifier::ForAllValues => present.iter().fold(Match::Yes, |m, v| {
                let one = any_value(v);
                m.and(if op.negated { !one } else { one })
            }),
        }
    }

    fn value_matches(&self, i: usize, actual: &str, ctx: &dyn VarLookup) -> Match {
        let Some(want) = self.values.get(i) else {
            return Match::No;
        };
        match self.op.family {
            Family::String { ignore_case, .. } => {
                let Some(p) = self.compiled.get(i) else {
                    return Match::No;
                };
                let text = Pattern::compile(
                    actual,
                    Syntax {
                        fold_case: ignore_case,
                        ..Syntax::TEXT
                    },
                );
                glob(p, &text, ctx)
            }
            Family::Numeric(cmp) => match (
                want.value.trim().parse::<f64>(),
                actual.trim().parse::<f64>(),
            ) {
                (Ok(w), Ok(a)) => Match::from_bool(compare(a, w, cmp)),
                _ => Match::No,
            },
            Family::Date(cmp) => match (parse_date(&want.value), parse_date(actual)) {
                (Some(w), Some(a)) => Match::from_bool(compare(a, w, cmp)),
                _ => Match::No,
            },
            Family::Bool => Match::from_bool(want.value.eq_ignore_ascii_case(actual)),
            Family::Binary => Match::from_bool(want.value == actual),
            Family::Arn => {
                let Some(p) = self.compiled.get(i) else {
                    return Match::No;
                };
                arn_like(p, actual, ctx)
            }
            Family::Ip => Match::from_bool(cidr_contains(&want.value, actual)),
            Family::Null => Match::No,
        }
    }
}

fn compare(a: f64, w: f64, cmp: Cmp) -> bool {
    match cmp {
        Cmp::Eq => a == w,
        Cmp::Lt => a < w,
        Cmp::Le => a <= w,
        Cmp::Gt => a > w,
        Cmp::Ge => a >= w,
    }
}

/// ArnLike compares each of the six colon-separated fields on its own.
fn arn_like(pattern: &Pattern, actual: &str, ctx: &dyn VarLookup) -> Match {
    if pattern.is_star() {
        return Match::Yes;
    }
    // `arn:` matches itself; a whole-ARN token has no fields to compare.
    let fields = |s| Arn::parse(s).ok().and_then(|a| a.fields());
    let (Some(p), Some(a)) = (fields(&pattern.raw), fields(actual)) else {
        return Match::No;
    };
    p.iter().zip(a).fold(Match::Yes, |m, (pf, af)| {
        m.and(glob(
            &Pattern::compile(pf.as_str(), Syntax::ARN_CONDITION),
            &Pattern::text(af.as_str()),
            ctx,
        ))
    })
}

/// `203.0.113.0/24` contains `203.0.113.7`; a bare address is a /32 (or /128).
pub fn cidr_contains(cidr: &str, addr: &str) -> bool {
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let (Ok(net), Ok(addr)) = (net.parse::<IpAddr>(), addr.trim().parse::<IpAddr>()) else {
        return false;
    };
    match (net, addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`, with offset or fraction) or epoch seconds,
/// as seconds since 1970.
pub fn parse_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return Some(n);
    }
    let num = |t: &str| t.parse::<i64>().ok();
    let (date, time) = match s.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let d = num(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) as f64 * 86_400.0;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let mut hms = clock.split(':');
        let h = num(hms.next()?)?;
        let mi = hms.next().map_or(Some(0), num)?;
        let sec: f64 = hms.next().map_or(Some(0.0), |x| x.parse().ok())?;
        secs += (h * 3600 + mi * 60) as f64 + sec - offset as f64;
    }
    Some(secs)
}

fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(c) = t.strip_suffix(['Z', 'z']) {
        return Some((c, 0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (clock, off) = t.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let off = off.get(1..)?.replace(':', "");
            let (h, m) = match off.get(..2) {
                Some(h) if off.len() > 2 => (h, off.get(2..)?),
                _ => (off.as_str(), ""),
            };
            let h: i64 = h.parse().ok()?;
            let m: i64 = if m.is_empty() { 0 } else { m.parse().ok()? };
            Some((clock, sign * (h * 3600 + m * 60)))
        }
        None => Some((t, 0)),
    }
}

/// Days since 1970-01-01 (Howard Hinnant's civil-from-days inverse).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_cidrs() {
        assert_eq!(parse_date("1970-01-02"), Some(86_400.0));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_date("2020-01-01T00:00:00Z"), Some(1_577_836_800.0));
        assert_eq!(
            parse_date("2020-01-01T00:00:00-05:30"),
            Some(1_577_856_600.0)
        );
        // A multi-byte character right after the offset sign must not split a character.
        assert_eq!(parse_date("2020-01-01T1-aé"), None);
        assert!(cidr_contains("203.0.113.0/24", "203.0.113.7"));
        assert!(!cidr_contains("203.0.113.0/24", "203.0.114.7"));
        assert!(cidr_contains("2001:db8::/32", "2001:db8::1"));
        assert!(Operator::parse("ForAllValues:StringNotLikeIfExists").is_some());
        assert!(Operator::parse("NullIfExists").is_none());
    }
}
