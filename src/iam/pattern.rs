//! Compiled glob patterns for actions, resources and condition values, with IAM policy
//! variables (`${aws:username}`), the `${*}` `${?}` `${$}` escapes and deploy-time
//! placeholders (`${AWS::Region}`, `${OrdersTable}`) parsed once with nom.
//!
//! Matching is three-valued ([`Match`]): a placeholder stands for a string only known at deploy
//! time, so `arn:aws:s3:::${Bucket}` neither definitely matches nor definitely misses
//! `arn:aws:s3:::orders`.

/// A three-valued match: `Unknown` means the answer depends on deploy-time values or on
/// request context that is not known statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Match {
    No,
    Unknown,
    Yes,
}

impl Match {
    pub fn and(self, other: Match) -> Match {
        self.min(other)
    }
    pub fn or(self, other: Match) -> Match {
        self.max(other)
    }
    pub fn from_bool(b: bool) -> Match {
        if b { Match::Yes } else { Match::No }
    }
    pub fn is_yes(self) -> bool {
        self == Match::Yes
    }
}

impl std::ops::Not for Match {
    type Output = Match;
    fn not(self) -> Match {
        match self {
            Match::Yes => Match::No,
            Match::No => Match::Yes,
            Match::Unknown => Match::Unknown,
        }
    }
}

/// What a `${...}` holds, by the rule in the `model` docs: one `:` without `::` is an IAM
/// policy variable, `*` `?` `$` are escapes, anything else is a deploy-time placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subst {
    Escape(char),
    /// Key (lower-cased, condition keys are case-insensitive) and optional default value.
    Var(String, Option<String>),
    Placeholder(String),
}

pub fn classify(inner: &str) -> Subst {
    match inner {
        "*" => return Subst::Escape('*'),
        "?" => return Subst::Escape('?'),
        "$" => return Subst::Escape('$'),
        _ => {}
    }
    // `${aws:PrincipalTag/team, 'default'}`: the default applies when the key is absent.
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (k.trim(), Some(d.to_string()))
        }
        None => (inner.trim(), None),
    };
    if key.matches(':').count() == 1 && !key.contains("::") {
        Subst::Var(key.to_ascii_lowercase(), default)
    } else {
        Subst::Placeholder(inner.to_string())
    }
}

/// One piece of a pattern or of a concrete text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Ch(char),
    /// `*`: any run of characters and placeholders.
    Star,
    /// A resource `*` that is not the last character of its ARN segment: any run of
    /// characters and placeholders without a literal `:` ("IAM JSON policy elements:
    /// Resource", "Using wildcards in resource ARNs": wildcards work "within the individual
    /// segments of an ARN (the parts separated by colons)", and only a `*` that "is the last
    /// character of a resource ARN segment" "can expand to match beyond the colon boundaries",
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    /// A placeholder is spanned as by `*`: its deploy-time value is not known to hold a colon.
    SegStar,
    /// `?`: exactly one literal character.
    Any1,
    /// Index into [`Pattern::vars`].
    Var(u16),
    /// Index into the names table of the pattern or text.
    Ph(u16),
}

#[derive(Debug)]
enum Piece<'a> {
    Subst(&'a str),
    Ch(char),
}

/// The piece `i` starts with and the rest: `${...}` up to the first `}`, else one character
/// (a `${` without a closing `}` is read as characters). `None` at the end.
fn piece(i: &str) -> Option<(&str, Piece<'_>)> {
    if let Some(after) = i.strip_prefix("${")
        && let Some(end) = after.find('}')
    {
        return Some((&after[end + 1..], Piece::Subst(&after[..end])));
    }
    let c = i.chars().next()?;
    Some((&i[c.len_utf8()..], Piece::Ch(c)))
}

/// How many units [`Pattern::compile`] makes of `raw` (its units are allocated once, at size).
fn unit_count(raw: &str, syntax: Syntax) -> usize {
    if !raw.contains("${") {
        return raw.chars().count();
    }
    let mut count = 0;
    let mut rest = raw;
    while let Some((next, p)) = piece(rest) {
        rest = next;
        count += match p {
            Piece::Ch(_) => 1,
            Piece::Subst(_) if syntax.substitutions => 1,
            Piece::Subst(inner) => 3 + inner.chars().count(),
        };
    }
    count
}

/// A pattern parsed once: units plus side tables for variables and placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub raw: String,
    pub units: Box<[Unit]>,
    pub vars: Box<[(String, Option<String>)]>,
    pub names: Box<[Box<str>]>,
}

/// How to read `*` and `?` and whether to fold case (actions are case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syntax {
    pub wildcards: bool,
    pub fold_case: bool,
    pub substitutions: bool,
    /// Whether IAM policy variables are resolved (policy side) or kept opaque (request side).
    pub variables: bool,
    /// Whether a `*` stays within its colon-separated ARN segment unless it is the segment's
    /// last character ([`Unit::SegStar`]): resource patterns only; actions and condition values
    /// (`StringLike`, `ArnLike` field by field) let `*` span anything.
    pub segments: bool,
}

impl Syntax {
    pub const RESOURCE: Syntax = Syntax {
        wildcards: true,
        fold_case: false,
        substitutions: true,
        variables: true,
        segments: true,
    };
    pub const ACTION: Syntax = Syntax {
        wildcards: true,
        fold_case: true,
        substitutions: false,
        variables: false,
        segments: false,
    };
    /// `ArnLike` values, compared field by field: "Each of the six colon-delimited components
    /// of the ARN is checked separately and each can include multi-character match wildcards
    /// (*) or single-character match wildcards (?)" ("IAM JSON policy elements: Condition
    /// operators", "Amazon Resource Name (ARN) condition operators",
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
    pub const ARN_CONDITION: Syntax = Syntax {
        wildcards: true,
        fold_case: false,
        substitutions: true,
        variables: true,
        segments: false,
    };
    /// A concrete request value: no wildcards, placeholders stay opaque.
    pub const TEXT: Syntax = Syntax {
        wildcards: false,
        fold_case: false,
        substitutions: true,
        variables: false,
        segments: false,
    };
}

impl Pattern {
    pub fn compile(raw: &str, syntax: Syntax) -> Pattern {
        let mut units = Vec::with_capacity(unit_count(raw, syntax));
        let mut vars = Vec::new();
        let mut names: Vec<Box<str>> = Vec::new();
        let mut rest = raw;
        while !rest.is_empty() {
            let Some((next, p)) = piece(rest) else { break };
            rest = next;
            match p {
                Piece::Ch(c) => units.push(char_unit(c, syntax)),
                Piece::Subst(inner) if syntax.substitutions => match classify(inner) {
                    Subst::Escape(c) => units.push(Unit::Ch(c)),
                    Subst::Var(k, d) if syntax.variables => {
                        units.push(Unit::Var(index(vars.len())));
                        vars.push((k, d));
                    }
                    Subst::Var(..) | Subst::Placeholder(_) => {
                        let pos = names.iter().position(|n| **n == *inner);
                        let i = pos.unwrap_or_else(|| {
                            names.push(inner.into());
                            names.len() - 1
                        });
                        units.push(Unit::Ph(index(i)));
                    }
                },
                Piece::Subst(inner) => {
                    units.push(char_unit('$', syntax));
                    units.push(char_unit('{', syntax));
                    units.extend(inner.chars().map(|c| char_unit(c, syntax)));
                    units.push(char_unit('}', syntax));
                }
            }
        }
        if syntax.segments && syntax.wildcards {
            mark_segment_stars(&mut units);
        }
        Pattern {
            raw: raw.to_string(),
            units: units.into(),
            vars: vars.into(),
            names: names.into(),
        }
    }

    pub fn resource(raw: &str) -> Pattern {
        Pattern::compile(raw, Syntax::RESOURCE)
    }
    pub fn action(raw: &str) -> Pattern {
        Pattern::compile(raw, Syntax::ACTION)
    }
    pub fn text(raw: &str) -> Pattern {
        Pattern::compile(raw, Syntax::TEXT)
    }

    /// Quick rejection before a full match: a pattern that starts with a literal character
    /// cannot match a text that starts with another literal character.
    #[inline]
    pub fn may_match(&self, text: &Pattern) -> bool {
        match (self.units.first(), text.units.first()) {
            (Some(Unit::Ch(a)), Some(Unit::Ch(b))) => a == b,
            (Some(Unit::Ch(_)), None) => false,
            _ => true,
        }
    }

    pub fn has_wildcard(&self) -> bool {
        self.units
            .iter()
            .any(|u| matches!(u, Unit::Star | Unit::SegStar | Unit::Any1))
    }
    pub fn is_star(&self) -> bool {
        *self.units == [Unit::Star]
    }
    pub fn has_unknowns(&self) -> bool {
        !self.vars.is_empty() || !self.names.is_empty()
    }
}

/// Turns each `*` that is not the last character of its ARN segment (followed by something
/// other than `:` or the end) into a [`Unit::SegStar`], and back.
fn mark_segment_stars(units: &mut [Unit]) {
    for i in 0..units.len() {
        if matches!(units[i], Unit::Star | Unit::SegStar) {
            units[i] = match units.get(i + 1) {
                None | Some(Unit::Ch(':')) => Unit::Star,
                Some(_) => Unit::SegStar,
            };
        }
    }
}

fn index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn char_unit(c: char, syntax: Syntax) -> Unit {
    match c {
        '*' if syntax.wildcards => Unit::Star,
        '?' if syntax.wildcards => Unit::Any1,
        c if syntax.fold_case => Unit::Ch(c.to_ascii_lowercase()),
        c => Unit::Ch(c),
    }
}

/// Values of context keys used to resolve policy variables: `Some(values)` when known (an
/// empty list means the key is known to be absent), `None` when unknown statically.
pub trait VarLookup {
    fn lookup(&self, key: &str) -> Option<&[String]>;
}

impl VarLookup for () {
    fn lookup(&self, _: &str) -> Option<&[String]> {
        None
    }
}

/// Matches a compiled pattern against a compiled concrete text.
#[inline]
pub fn glob(pattern: &Pattern, text: &Pattern, vars: &dyn VarLookup) -> Match {
    if pattern.vars.is_empty() {
        return glob_units(&pattern.units, &pattern.names, text);
    }
    // Substitute known variables; an absent key without default makes the pattern miss, as
    // AWS documents for variables with no value in the request context.
    let mut units = Vec::with_capacity(pattern.units.len() + 16);
    let mut unknown = false;
    for u in pattern.units.iter() {
        match *u {
            Unit::Var(i) => {
                let Some((key, default)) = pattern.vars.get(usize::from(i)) else {
                    return Match::No;
                };
                match vars.lookup(key) {
                    Some([v, ..]) => units.extend(v.chars().map(Unit::Ch)),
                    Some([]) => match default {
                        Some(d) => units.extend(d.chars().map(Unit::Ch)),
                        None => return Match::No,
                    },
                    None => {
                        unknown = true;
                        units.push(*u);
                    }
                }
            }
            u => units.push(u),
        }
    }
    // A value substituted after a `*` decides whether that `*` ends its segment.
    if pattern.units.contains(&Unit::SegStar) {
        mark_segment_stars(&mut units);
    }
    let m = glob_units(&units, &pattern.names, text);
    if m == Match::No && unknown && loose(&units, &pattern.names, text) {
        Match::Unknown
    } else {
        m
    }
}

/// Only the definite answer: `Yes`, or `No` for anything that is not certainly a match.
/// Cheaper than [`glob`] when a `Yes` is all that could change a decision.
pub fn glob_definite(pattern: &Pattern, text: &Pattern, vars: &dyn VarLookup) -> bool {
    if pattern.vars.is_empty() {
        strict(&pattern.units, &pattern.names, text)
    } else {
        glob(pattern, text, vars).is_yes()
    }
}

fn glob_units(p: &[Unit], names: &[Box<str>], text: &Pattern) -> Match {
    if strict(p, names, text) {
        Match::Yes
    } else if (!names.is_empty() || !text.names.is_empty()) && loose(p, names, text) {
        Match::Unknown
    } else {
        Match::No
    }
}

fn unit_eq(p: Unit, pn: &[Box<str>], t: Unit, tn: &[Box<str>]) -> bool {
    match (p, t) {
        (Unit::Ch(a), Unit::Ch(b)) => a == b,
        (Unit::Any1, Unit::Ch(_)) => true,
        (Unit::Ph(a), Unit::Ph(b)) => pn.get(usize::from(a)) == tn.get(usize::from(b)),
        _ => false,
    }
}

/// Single-backtrack glob where `wild` units span any run of units and `eq` compares the rest.
fn one_sided(
    p: &[Unit],
    t: &[Unit],
    wild: impl Fn(Unit) -> bool,
    eq: &impl Fn(Unit, Unit) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(&u) if wild(u) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&u) if eq(u, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|u| wild(*u))
}

/// Classic single-backtrack glob: `*` is the only wildcard that spans, placeholders are
/// opaque tokens, unresolved variables match nothing.
fn strict(p: &[Unit], pn: &[Box<str>], text: &Pattern) -> bool {
    let tn = &text.names;
    spans(
        p,
        &text.units,
        |u| match u {
            Unit::Star => Span::Any,
            Unit::SegStar => Span::Segment,
            _ => Span::One,
        },
        |a, b| unit_eq(a, pn, b, tn),
    )
}

/// How a pattern unit consumes text units.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Span {
    /// Exactly one unit it equals.
    One,
    /// Any run of units.
    Any,
    /// Any run of units without a literal `:`.
    Segment,
}

/// Glob where [`Span::Any`] units span anything and [`Span::Segment`] units stop at `:`. The
/// single-backtrack [`one_sided`] (reading segment stars as `*`) rejects first; only a pattern
/// with a segment star that passes it is confirmed by a row-by-row table.
fn spans(
    p: &[Unit],
    t: &[Unit],
    span: impl Fn(Unit) -> Span,
    eq: impl Fn(Unit, Unit) -> bool,
) -> bool {
    if !one_sided(p, t, |u| span(u) != Span::One, &eq) {
        return false;
    }
    if p.iter().all(|u| span(*u) != Span::Segment) {
        return true;
    }
    // `row[j]`: the units of `p` read so far match `t[..j]`.
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for &u in p {
        match span(u) {
            Span::Any => {
                for j in 1..row.len() {
                    row[j] |= row[j - 1];
                }
            }
            Span::Segment => {
                for j in 1..row.len() {
                    row[j] |= row[j - 1] && t[j - 1] != Unit::Ch(':');
                }
            }
            Span::One => {
                for j in (1..row.len()).rev() {
                    row[j] = row[j - 1] && eq(u, t[j - 1]);
                }
                row[0] = false;
            }
        }
        if !row.contains(&true) {
            return false;
        }
    }
    row[t.len()]
}

/// Whether some deploy-time values (and values of unknown variables) could make the pattern
/// match: pattern placeholders and variables act as `*`, text placeholders may expand to any
/// run of characters. A row-by-row reachability table over both sides, only used when
/// `strict` fails.
fn loose(p: &[Unit], pn: &[Box<str>], text: &Pattern) -> bool {
    let tn = &text.names;
    let Some((p, t)) = trim_literal_ends(p, pn, &text.units, tn) else {
        return false;
    };
    let is_ph = |u: &Unit| matches!(u, Unit::Ph(_));
    // A placeholder stands for a non-empty string: one character, then anything.
    let non_empty = |units: &[Unit]| -> Vec<Unit> {
        units
            .iter()
            .flat_map(|u| match u {
                Unit::Ph(_) => vec![Unit::Any1, Unit::Star],
                u => vec![*u],
            })
            .collect()
    };
    if !t.iter().any(is_ph) {
        // Only the pattern has unknowns: variables act as `*`, placeholders as `?*`.
        let p = non_empty(p);
        let span = |u: Unit| match u {
            Unit::Star | Unit::Var(_) => Span::Any,
            Unit::SegStar => Span::Segment,
            _ => Span::One,
        };
        return spans(&p, t, span, |a, b| unit_eq(a, pn, b, tn));
    }
    if !p
        .iter()
        .any(|u| matches!(u, Unit::Star | Unit::SegStar | Unit::Var(_) | Unit::Ph(_)))
    {
        // Only the text has unknowns: its placeholders act as `*` over the pattern's
        // characters (a `?` in the pattern is one character a placeholder may produce).
        let eq = |a: Unit, b: Unit| match (a, b) {
            (Unit::Ch(x), Unit::Ch(y)) => x == y,
            (Unit::Ch(_), Unit::Any1) => true,
            // The first character a text placeholder produces.
            (Unit::Any1, Unit::Ch(_) | Unit::Any1) => true,
            _ => false,
        };
        let t = non_empty(t);
        return one_sided(&t, p, |u| u == Unit::Star, &eq);
    }
    loose_table(p, pn, t, tn)
}

/// The general case, with unknowns on both sides. A placeholder stands for a non-empty
/// string; two different deploy-time names never stand for the same string (each logical
/// resource has its own physical name, and a name taken from a parameter carries the
/// parameter's placeholder), so a grant on `${OrdersTable}` does not cover `${AuditTable}`, and
/// a name on both sides stands for one value. Reachability over (pattern unit, text unit,
/// mode), where the mode says whether a text placeholder is producing pattern characters or a
/// pattern placeholder is absorbing text units.
fn loose_table(p: &[Unit], pn: &[Box<str>], t: &[Unit], tn: &[Box<str>]) -> bool {
    const NORMAL: usize = 0;
    const IN_TEXT: usize = 1;
    const IN_PATTERN: usize = 2;
    let (n, m) = (p.len(), t.len());
    let idx = |i: usize, j: usize, mode: usize| (i * (m + 1) + j) * 3 + mode;
    let mut seen = vec![false; (n + 1) * (m + 1) * 3];
    let mut stack = vec![(0usize, 0usize, NORMAL)];
    let is_pseudo = |names: &[Box<str>], k: u16| {
        names
            .get(usize::from(k))
            .is_some_and(|s| s.starts_with("AWS::"))
    };
    // A name on both sides stands for one value, so it only ever meets itself (or a `*`).
    let shared_p = |k: u16| pn.get(usize::from(k)).is_some_and(|n| tn.contains(n));
    let shared_t = |k: u16| tn.get(usize::from(k)).is_some_and(|n| pn.contains(n));
    // What a text placeholder can produce: pattern characters, and pseudo parameters — a name
    // CloudFormation generates is `<stack name>-<logical id>-<suffix>`, which a grant on
    // `${AWS::StackName}-Fn-*` is written to match.
    let producible = |u: Unit| match u {
        Unit::Ch(_) | Unit::Any1 => true,
        Unit::Ph(k) => is_pseudo(pn, k),
        _ => false,
    };
    // Can pattern placeholder `p[i]` absorb text unit `u`?
    let absorbs = |pu: Unit, u: Unit| match (pu, u) {
        (Unit::Ph(a), _) if shared_p(a) => false,
        (_, Unit::Ph(b)) if shared_t(b) => false,
        (Unit::Ph(a), _) if is_pseudo(pn, a) => true,
        (Unit::Ph(_), Unit::Ch(_)) => true,
        (Unit::Ph(_), Unit::Ph(b)) => is_pseudo(tn, b),
        _ => false,
    };
    while let Some((i, j, mode)) = stack.pop() {
        let k = idx(i, j, mode);
        if seen[k] {
            continue;
        }
        seen[k] = true;
        if i == n && j == m && mode == NORMAL {
            return true;
        }
        let pu = p.get(i).copied();
        let tu = t.get(j).copied();
        match mode {
            NORMAL => {
                if matches!(pu, Some(Unit::Star | Unit::SegStar | Unit::Var(_))) {
                    stack.push((i + 1, j, NORMAL));
                    // A segment star does not span a literal `:` of the text.
                    if j < m && !(pu == Some(Unit::SegStar) && tu == Some(Unit::Ch(':'))) {
                        stack.push((i, j + 1, NORMAL));
                    }
                }
                if let (Some(a), Some(b)) = (pu, tu) {
                    if unit_eq(a, pn, b, tn) {
                        stack.push((i + 1, j + 1, NORMAL));
                    }
                    if matches!(b, Unit::Ph(k) if !shared_t(k)) && producible(a) {
                        stack.push((i + 1, j, IN_TEXT));
                    }
                    if matches!(a, Unit::Ph(_)) && absorbs(a, b) {
                        stack.push((i, j + 1, IN_PATTERN));
                    }
                }
            }
            IN_TEXT => {
                // Text placeholder `t[j]` has produced at least one pattern character.
                if pu.is_some_and(|u| {
                    producible(u) || matches!(u, Unit::Star | Unit::SegStar | Unit::Var(_))
                }) {
                    stack.push((i + 1, j, IN_TEXT));
                }
                stack.push((i, j + 1, NORMAL));
            }
            _ => {
                // Pattern placeholder `p[i]` has absorbed at least one text unit.
                if let (Some(a), Some(b)) = (pu, tu)
                    && absorbs(a, b)
                {
                    stack.push((i, j + 1, IN_PATTERN));
                }
                stack.push((i + 1, j, NORMAL));
            }
        }
    }
    false
}

/// Literal runs at the start and at the end of both sides must line up one to one: strips
/// them, or answers `None` when they differ.
fn trim_literal_ends<'a, 'b>(
    mut p: &'a [Unit],
    pn: &[Box<str>],
    mut t: &'b [Unit],
    tn: &[Box<str>],
) -> Option<(&'a [Unit], &'b [Unit])> {
    let lit_p = |u: &Unit| matches!(u, Unit::Ch(_) | Unit::Any1);
    let lit_t = |u: &Unit| matches!(u, Unit::Ch(_));
    while let (Some((a, pr)), Some((b, tr))) = (p.split_first(), t.split_first()) {
        if !lit_p(a) || !lit_t(b) {
            break;
        }
        if !unit_eq(*a, pn, *b, tn) {
            return None;
        }
        (p, t) = (pr, tr);
    }
    while let (Some((a, pr)), Some((b, tr))) = (p.split_last(), t.split_last()) {
        if !lit_p(a) || !lit_t(b) {
            break;
        }
        if !unit_eq(*a, pn, *b, tn) {
            return None;
        }
        (p, t) = (pr, tr);
    }
    Some((p, t))
}

/// Case-insensitive action glob (`s3:Get*` covers `S3:GetObject`).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    // Most grants name one action: a pattern with no wildcard or substitution matches exactly
    // the action it names, case-insensitively, without compiling either side.
    if !pattern.contains(['*', '?', '$']) {
        return pattern.eq_ignore_ascii_case(action)
            || (!pattern.is_ascii() || !action.is_ascii()) && slow_action_match(pattern, action);
    }
    slow_action_match(pattern, action)
}

fn slow_action_match(pattern: &str, action: &str) -> bool {
    glob(
        &Pattern::action(pattern),
        &Pattern::compile(action, ACTION_TEXT),
        &(),
    )
    .is_yes()
}

/// The concrete side of an action match: case folded, no wildcards, no substitutions.
pub const ACTION_TEXT: Syntax = Syntax {
    wildcards: false,
    fold_case: true,
    substitutions: false,
    variables: false,
    segments: false,
};

/// `raw` with its policy variables replaced by their request values: a known value replaces
/// the variable, a key known to be absent takes the variable's default, and with no default
/// the policy element matches nothing ("IAM policy elements: Variables and tags", "Specifying
/// default values": "If there is no value for a key and you don't specify a default, the
/// variable resolves to nothing and the element doesn't match",
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html) —
/// `None`. Unknown keys, escapes and deploy-time placeholders stay as written.
pub fn substitute_vars(raw: &str, vars: &dyn VarLookup) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while !rest.is_empty() {
        let Some((next, p)) = piece(rest) else { break };
        let written = &rest[..rest.len() - next.len()];
        rest = next;
        match p {
            Piece::Subst(inner) => match classify(inner) {
                Subst::Var(key, default) => match vars.lookup(&key) {
                    Some([v, ..]) => out.push_str(v),
                    Some([]) => out.push_str(default.as_deref()?),
                    None => out.push_str(written),
                },
                Subst::Escape(_) | Subst::Placeholder(_) => out.push_str(written),
            },
            Piece::Ch(_) => out.push_str(written),
        }
    }
    Some(out)
}

/// Case-sensitive resource glob where `*` spans `/`, and `:` only as the last character of its
/// ARN segment ([`Unit::SegStar`]); see [`Match`].
pub fn resource_matches(pattern: &str, resource: &str) -> Match {
    glob(&Pattern::resource(pattern), &Pattern::text(resource), &())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_vars_resolves_known_and_absent_keys() {
        struct Ctx;
        impl VarLookup for Ctx {
            fn lookup(&self, key: &str) -> Option<&[String]> {
                static TEAM: std::sync::LazyLock<Vec<String>> =
                    std::sync::LazyLock::new(|| vec!["billing".to_string()]);
                match key {
                    "aws:principaltag/team" => Some(TEAM.as_slice()),
                    "aws:username" => Some(&[]),
                    _ => None,
                }
            }
        }
        assert_eq!(
            substitute_vars("arn:aws:s3:::b/${aws:PrincipalTag/team}/*", &Ctx).as_deref(),
            Some("arn:aws:s3:::b/billing/*")
        );
        assert_eq!(
            substitute_vars("arn:aws:s3:::b/${aws:username}/*", &Ctx),
            None
        );
        assert_eq!(
            substitute_vars("arn:aws:s3:::b/${aws:username, 'all'}/${*}", &Ctx).as_deref(),
            Some("arn:aws:s3:::b/all/${*}")
        );
        assert_eq!(
            substitute_vars("table/${aws:userid}-${Stage}", &Ctx).as_deref(),
            Some("table/${aws:userid}-${Stage}")
        );
    }

    #[test]
    fn placeholders_are_opaque() {
        let r = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}";
        assert_eq!(
            resource_matches("arn:aws:dynamodb:*:*:table/*", r),
            Match::Yes
        );
        assert_eq!(resource_matches(r, r), Match::Yes);
        let concrete = "arn:aws:dynamodb:us-east-1:111122223333:table/Orders";
        assert_eq!(resource_matches(concrete, r), Match::Unknown);
        assert_eq!(resource_matches("arn:aws:s3:::x", r), Match::No);
        assert_eq!(resource_matches("arn:aws:dynamodb:?:*", r), Match::Unknown);
    }

    /// "Using wildcards in resource ARNs" (IAM JSON policy elements: Resource): a `*` that is
    /// not the last character of its segment stops at `:`; placeholders keep their reading.
    #[test]
    fn segment_stars_and_placeholders() {
        let queue = "arn:aws:sqs:us-east-1:111122223333:orders";
        assert_eq!(resource_matches("arn:aws:sqs:u*3:orders", queue), Match::No);
        assert_eq!(
            resource_matches("arn:aws:sqs:us-*:orders", queue),
            Match::Yes
        );
        assert_eq!(
            resource_matches("arn:aws:sqs:u**:orders", queue),
            Match::Yes
        );
        assert_eq!(resource_matches("arn:aws:sqs:*-1:*", queue), Match::Yes);
        // One segment written as a pseudo parameter: the `*` spans it.
        let templated = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders";
        assert_eq!(
            resource_matches("arn:aws:sqs:*:*:ord*s", templated),
            Match::Yes
        );
        assert_eq!(
            resource_matches("arn:aws:sqs:*-1:*:orders", templated),
            Match::Unknown
        );
        // A literal colon in the text still stops the `*`, whatever the placeholders: the
        // region would have to end in `x` and the account to be missing.
        assert_eq!(
            resource_matches("arn:aws:sqs:*x:orders", templated),
            Match::No
        );
        assert_eq!(
            resource_matches("arn:aws:sqs:*x:*", templated),
            Match::Unknown
        );
        assert_eq!(
            resource_matches("arn:aws:sqs:a*b:orders", "arn:aws:sqs:a:${X}:b:orders"),
            Match::No
        );
        // A whole-ARN token may hold colons: unknown, as before.
        assert_eq!(
            resource_matches("arn:aws:secretsmanager:*:*:*/*", "${DbSecret}"),
            Match::Unknown
        );
        // A variable's value decides whether the `*` before it ends a segment.
        struct Ctx;
        impl VarLookup for Ctx {
            fn lookup(&self, key: &str) -> Option<&[String]> {
                static SEP: std::sync::LazyLock<Vec<String>> =
                    std::sync::LazyLock::new(|| vec![":orders".to_string()]);
                (key == "aws:principaltag/sep").then_some(SEP.as_slice())
            }
        }
        let p = Pattern::resource("arn:aws:sqs:us-east-1:*${aws:PrincipalTag/sep}");
        assert_eq!(glob(&p, &Pattern::text(queue), &Ctx), Match::Yes);
        // ArnLike compares field by field and keeps `*` free within a field.
        let arn_like = Pattern::compile("a*b", Syntax::ARN_CONDITION);
        assert_eq!(glob(&arn_like, &Pattern::text("a:b"), &()), Match::Yes);
    }

    /// The one-sided shortcuts of `loose` agree with the full table on every short pair.
    #[test]
    fn loose_shortcuts_agree_with_table() {
        // `:` makes the `*` before it a segment end and stops the `*`s that are not.
        let pat_atoms = ["a", "b", ":", "*", "?", "${X}", "${Y}"];
        let text_atoms = ["a", "b", ":", "${X}", "${Y}"];
        let words = |atoms: &[&str]| {
            let mut out = vec![String::new()];
            for _ in 0..3 {
                let prev = out.clone();
                for w in prev {
                    for a in atoms {
                        out.push(format!("{w}{a}"));
                    }
                }
            }
            out.sort();
            out.dedup();
            out
        };
        for p in words(&pat_atoms) {
            let p = Pattern::resource(&p);
            for t in words(&text_atoms) {
                let t = Pattern::text(&t);
                let want = loose_table(&p.units, &p.names, &t.units, &t.names);
                assert_eq!(
                    loose(&p.units, &p.names, &t),
                    want,
                    "{} vs {}",
                    p.raw,
                    t.raw
                );
            }
        }
    }

    #[test]
    fn actions_fold_case() {
        assert!(action_matches("s3:get*", "S3:GetObject"));
        assert!(action_matches("*", "iam:PassRole"));
        assert!(!action_matches("s3:Get?", "s3:GetObject"));
    }
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn one_name_one_value() {
        let table = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ScoresTable}";
        let index = format!("{table}/index/byGameScore");
        assert_eq!(resource_matches(table, &index), Match::No);
        assert_eq!(
            resource_matches(&format!("{table}/index/*"), &index),
            Match::Yes
        );
        assert_eq!(resource_matches(&format!("{table}*"), &index), Match::Yes);
        assert_eq!(
            resource_matches(
                "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${A}",
                "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${B}"
            ),
            Match::No
        );
        assert_eq!(
            resource_matches(
                "arn:aws:s3:::orders-${Stage}/*",
                "arn:aws:s3:::orders-prod/x"
            ),
            Match::Unknown
        );
        assert_eq!(
            resource_matches("arn:aws:s3:::${Bucket}/*", "arn:aws:s3:::logs/x"),
            Match::Unknown
        );
    }
}

#[cfg(test)]
mod action_fast_path_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The literal fast path of `action_matches` decides as the compiled glob does.
        #[test]
        fn literal_patterns_match_as_globs_do(
            pattern in "[a-zA-Z0-9:$é-]{0,12}",
            action in "[a-zA-Z0-9:$é-]{0,12}",
        ) {
            prop_assert_eq!(action_matches(&pattern, &action), slow_action_match(&pattern, &action));
            let upper = pattern.to_ascii_uppercase();
            prop_assert_eq!(action_matches(&upper, &pattern), slow_action_match(&upper, &pattern));
        }
    }
}
