//! Re-indentation that lets yaml-rust2 read what CloudFormation's lenient YAML reader accepts:
//! continuation lines of flow collections and quoted scalars at (or left of) their key's
//! indentation. Only inserts spaces at line starts, and records where, so spans map back.

/// Spaces inserted at the start of lines by [`relax`]: (line start in the relaxed text,
/// bytes inserted before this line's start, bytes inserted on this line).
pub type Shifts = Vec<(usize, usize, usize)>;

/// Indents continuation lines of flow collections and quoted scalars past the line that
/// opened them. `None` when nothing needed it.
pub fn relax(text: &str) -> Option<(String, Shifts)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut shifts = Vec::new();
    let mut inserted = 0;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut parent = 0usize;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let open = depth > 0 || quote.is_some();
        let add = if open && indent <= parent && !line.trim().is_empty() {
            parent + 1 - indent
        } else {
            0
        };
        shifts.push((out.len(), inserted, add));
        out.extend(std::iter::repeat_n(' ', add));
        inserted += add;
        changed |= add > 0;
        if !open {
            parent = indent;
        }
        scan_line(line.as_bytes(), &mut depth, &mut quote);
        out.push_str(line);
    }
    changed.then_some((out, shifts))
}

/// Updates flow depth and open quote across one line (comments and plain scalars skipped).
fn scan_line(b: &[u8], depth: &mut usize, quote: &mut Option<u8>) {
    let mut i = 0;
    let mut value_start = true;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = *quote {
            if q == b'"' && c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                *quote = None;
                value_start = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'#' if i == 0 || b[i - 1] == b' ' => return,
            b'"' | b'\'' if value_start => *quote = Some(c),
            b'[' | b'{' if value_start || *depth > 0 => {
                *depth += 1;
                value_start = true;
            }
            b']' | b'}' if *depth > 0 => *depth -= 1,
            b',' if *depth > 0 => value_start = true,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'-' if value_start => {}
            b':' if b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()) => value_start = true,
            b'!' if value_start => {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                continue;
            }
            _ => value_start = false,
        }
        i += 1;
    }
}
