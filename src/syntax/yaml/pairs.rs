//! Braces around single-pair mappings in flow sequences (`[a: b, c: [d]]`), which YAML 1.2
//! allows (spec 1.2.2, 7.4.1 "Flow Sequences", production `ns-flow-pair`) and yaml-rust2
//! misreads when the pair's value is itself a flow collection: its scanner keeps one
//! "implicit mapping" flag for all flow levels and closes the pair at the inner `]`.
//! CloudFormation's `!Sub [template, Key: !Select [...]]` is written that way. Rewriting
//! each such pair as `{a: b}` (the same value: an implicit pair is a one-entry mapping) lets
//! yaml-rust2 read it; the inserted bytes are recorded as [`Shifts`] so spans map back.

use super::relax::Shifts;

/// One flow collection being scanned.
struct Flow {
    /// `[` or `{`.
    open: u8,
    /// Where the current entry's first byte is (in the input), if it has started.
    entry: Option<usize>,
    /// The current entry has a `:` indicator at this level (it is an implicit pair).
    pair: bool,
    /// End of the current entry's last content byte (comments and blanks excluded).
    content_end: usize,
}

/// Wraps every implicit single-pair mapping inside a flow sequence in `{}`. `None` when there
/// is none.
pub fn brace_pairs(text: &str) -> Option<(String, Shifts)> {
    let b = text.as_bytes();
    // Insertion points in the input, in order: (offset, byte).
    let mut inserts: Vec<(usize, u8)> = Vec::new();
    let mut stack: Vec<Flow> = Vec::new();
    let mut value_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if stack.is_empty() {
            // Block context: find where flow collections open; skip comments, quoted scalars
            // and block scalars (whose content may hold brackets).
            match c {
                b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                    i = line_end(b, i);
                    continue;
                }
                b'"' | b'\'' if value_start => {
                    i = quoted_end(b, i);
                    value_start = false;
                    continue;
                }
                b'|' | b'>' if value_start => {
                    i = block_scalar_end(b, i);
                    value_start = true;
                    continue;
                }
                b'[' | b'{' if value_start => {
                    stack.push(Flow::new(c));
                    value_start = true;
                }
                b'\n' => value_start = true,
                b' ' | b'\t' | b'\r' | b'-' => {}
                b':' if b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => value_start = true,
                b'!' | b'&' if value_start => {
                    i = token_end(b, i);
                    continue;
                }
                _ => {
                    value_start = false;
                    i = line_or_word_end(b, i);
                    continue;
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'#' if b[i - 1].is_ascii_whitespace() => {
                i = line_end(b, i);
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let Some(top) = stack.last_mut() else { break };
        if top.entry.is_none() && !matches!(c, b',' | b']' | b'}') {
            top.entry = Some(i);
        }
        match c {
            b'"' | b'\'' if value_start => {
                i = quoted_end(b, i);
                top.content_end = i;
                value_start = false;
                continue;
            }
            b'!' | b'&' | b'*' if value_start => {
                i = token_end(b, i);
                top.content_end = i;
                continue;
            }
            b'[' | b'{' => {
                top.content_end = i + 1;
                stack.push(Flow::new(c));
                value_start = true;
            }
            b']' | b'}' => {
                if let Some(done) = stack.pop() {
                    done.close(&mut inserts);
                }
                if let Some(parent) = stack.last_mut() {
                    parent.content_end = i + 1;
                }
                value_start = false;
            }
            b',' => {
                top.close(&mut inserts);
                *top = Flow::new(top.open);
                value_start = true;
            }
            b':' if b
                .get(i + 1)
                .is_none_or(|n| n.is_ascii_whitespace() || matches!(n, b',' | b']' | b'}')) =>
            {
                top.pair = true;
                top.content_end = i + 1;
                value_start = true;
            }
            _ => {
                // A plain scalar: runs to a flow indicator, `: `, ` #` or the line end.
                let mut j = i;
                while j < b.len() {
                    let d = b[j];
                    if matches!(d, b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r')
                        || (d == b':'
                            && b.get(j + 1).is_none_or(|n| {
                                n.is_ascii_whitespace() || matches!(n, b',' | b']' | b'}')
                            }))
                        || (d == b'#' && b[j - 1].is_ascii_whitespace())
                    {
                        break;
                    }
                    j += 1;
                }
                let end = text[i..j].trim_end().len() + i;
                top.content_end = end.max(i + 1);
                value_start = false;
                i = j.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    if inserts.is_empty() {
        return None;
    }
    inserts.sort_by_key(|(at, byte)| (*at, *byte != b'}'));
    let mut out = String::with_capacity(text.len() + inserts.len());
    let mut shifts: Shifts = vec![(0, 0, 0)];
    let mut from = 0;
    for (n, (at, byte)) in inserts.iter().enumerate() {
        out.push_str(text.get(from..*at)?);
        shifts.push((out.len(), n, 1));
        out.push(char::from(*byte));
        from = *at;
    }
    out.push_str(text.get(from..)?);
    Some((out, shifts))
}

impl Flow {
    fn new(open: u8) -> Flow {
        Flow {
            open,
            entry: None,
            pair: false,
            content_end: 0,
        }
    }

    /// Ends the current entry: a pair in a sequence gets its braces.
    fn close(&self, inserts: &mut Vec<(usize, u8)>) {
        if self.open == b'['
            && self.pair
            && let Some(start) = self.entry
        {
            inserts.push((start, b'{'));
            inserts.push((self.content_end.max(start), b'}'));
        }
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |n| i + n)
}

/// The end of a tag, anchor or alias token.
fn token_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b',' | b']' | b'}') {
        j += 1;
    }
    j
}

/// Past a block-context plain scalar word: up to `: `, ` #` or the line end.
fn line_or_word_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && b[j] != b'\n' {
        if b[j] == b':' && b.get(j + 1).is_none_or(|n| n.is_ascii_whitespace()) {
            break;
        }
        if b[j] == b'#' && j > 0 && b[j - 1].is_ascii_whitespace() {
            break;
        }
        j += 1;
    }
    j.max(i + 1)
}

/// Past the closing quote of a quoted scalar starting at `i` (the text end if unterminated).
fn quoted_end(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if q == b'"' && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if q == b'\'' && b.get(j + 1) == Some(&b'\'') {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

/// Past the content of a block scalar (`|` or `>` at `i`): the lines indented deeper than the
/// line holding the indicator, and blank lines among them.
fn block_scalar_end(b: &[u8], i: usize) -> usize {
    let line_start = b[..i]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |n| n + 1);
    let parent = b[line_start..].iter().take_while(|&&c| c == b' ').count();
    let mut j = line_end(b, i);
    while j < b.len() {
        let next = j + 1;
        let indent = b[next..].iter().take_while(|&&c| c == b' ').count();
        let end = line_end(b, next);
        let blank = b[next + indent..end]
            .iter()
            .all(|c| c.is_ascii_whitespace());
        if !blank && indent <= parent {
            return next;
        }
        j = end;
    }
    b.len()
}
