//! Policy documents that exports carry as text: `aws lambda get-policy` returns `Policy` as a
//! JSON *string*, and IAM returns documents URL-encoded (RFC 3986) where the client does not
//! decode them ("Policies returned by this operation are URL-encoded", GetAccountAuthorizationDetails
//! in the IAM API Reference). The document is decoded with the file offset of every decoded
//! byte, so spans in the parsed tree point into the export file itself.

use crate::source::{SourceFile, Span};
use crate::syntax::node::{Node, Value};
use crate::syntax::{ParseError, json};

/// Decoded text and, for each of its bytes (plus one past the end), the file offset it came from.
struct Decoded {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
}

impl Decoded {
    fn push(&mut self, b: u8, at: usize) {
        self.bytes.push(b);
        self.offsets.push(at);
    }

    fn push_char(&mut self, c: char, at: usize) {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            self.push(b, at);
        }
    }
}

/// A policy document node: a mapping is used as it is; a string holding JSON (plain or
/// URL-encoded) is decoded and parsed with spans into `file`.
pub fn policy_document(file: &SourceFile, node: &Node) -> Result<Node, ParseError> {
    match &node.value {
        Value::Map(_) => Ok(node.clone()),
        Value::String(_) => parse_embedded(file, node.span),
        _ => Err(ParseError::new(
            node.span,
            "policy document must be a JSON object or a string holding one",
        )),
    }
}

/// Parses the JSON held by the string literal at `span` (quotes included).
fn parse_embedded(file: &SourceFile, span: Span) -> Result<Node, ParseError> {
    let mut decoded = unescape(file, span)?;
    let first = decoded
        .bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    if first == Some(b'%') {
        decoded = url_decode(&decoded);
    }
    let end = span.end as usize;
    let text = String::from_utf8(decoded.bytes).map_err(|_| {
        ParseError::new(
            span,
            "URL-encoded policy document is not valid UTF-8 once decoded",
        )
    })?;
    let inner = SourceFile::new(file.id, file.path.clone(), text);
    let map = |s: Span| -> Span {
        let at = |i: u32| decoded.offsets.get(i as usize).copied().unwrap_or(end);
        Span::new(file.id, at(s.start), at(s.end))
    };
    match json::parse(&inner) {
        Ok(mut node) => {
            remap(&mut node, &map);
            Ok(node)
        }
        Err(e) => Err(ParseError::new(
            map(e.span),
            format!("embedded policy document: {}", e.message),
        )),
    }
}

fn remap(node: &mut Node, map: &impl Fn(Span) -> Span) {
    node.span = map(node.span);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| remap(i, map)),
        Value::Map(entries) => {
            for (k, v) in entries {
                k.span = map(k.span);
                remap(v, map);
            }
        }
        _ => {}
    }
}

/// Undoes the JSON escapes of the string literal at `span`, keeping offsets.
fn unescape(file: &SourceFile, span: Span) -> Result<Decoded, ParseError> {
    let (start, end) = (
        span.start as usize + 1,
        (span.end as usize).saturating_sub(1),
    );
    let raw = file
        .text
        .as_bytes()
        .get(start..end)
        .ok_or_else(|| ParseError::new(span, "string outside the file"))?;
    let mut out = Decoded {
        bytes: Vec::with_capacity(raw.len()),
        offsets: Vec::with_capacity(raw.len() + 1),
    };
    let bad =
        |i: usize| ParseError::new(Span::new(file.id, start + i, start + i + 1), "bad escape");
    let mut i = 0;
    while i < raw.len() {
        let at = start + i;
        if raw[i] != b'\\' {
            out.push(raw[i], at);
            i += 1;
            continue;
        }
        let c = *raw.get(i + 1).ok_or_else(|| bad(i))?;
        i += 2;
        let simple = match c {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b, at);
            continue;
        }
        if c != b'u' {
            return Err(bad(i - 2));
        }
        let hi = hex4(raw, i).ok_or_else(|| bad(i - 2))?;
        i += 4;
        let mut cp = hi;
        if (0xD800..0xDC00).contains(&hi) && raw.get(i..i + 2) == Some(b"\\u") {
            let lo = hex4(raw, i + 2).ok_or_else(|| bad(i))?;
            i += 6;
            cp = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
        }
        out.push_char(char::from_u32(cp).unwrap_or('\u{FFFD}'), at);
    }
    out.offsets.push(end);
    Ok(out)
}

fn hex4(raw: &[u8], i: usize) -> Option<u32> {
    let h = std::str::from_utf8(raw.get(i..i + 4)?).ok()?;
    u32::from_str_radix(h, 16).ok()
}

/// Percent-decoding (RFC 3986): `%XX` becomes one byte; `+` stays `+`, as IAM names may hold it.
fn url_decode(d: &Decoded) -> Decoded {
    let mut out = Decoded {
        bytes: Vec::with_capacity(d.bytes.len()),
        offsets: Vec::with_capacity(d.offsets.len()),
    };
    let mut i = 0;
    while i < d.bytes.len() {
        let hex = d
            .bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (d.bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b, d.offsets[i]);
                i += 3;
            }
            (b, _) => {
                out.push(b, d.offsets[i]);
                i += 1;
            }
        }
    }
    out.offsets
        .push(d.offsets.last().copied().unwrap_or_default());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn doc(text: &str) -> (SourceFile, Result<Node, ParseError>) {
        let f = SourceFile::new(FileId(3), "p.json", text);
        let root = json::parse(&f).unwrap();
        let n = root.get("Policy").unwrap().clone();
        let r = policy_document(&f, &n);
        (f, r)
    }

    fn at(f: &SourceFile, s: Span) -> &str {
        &f.text[s.start as usize..s.end as usize]
    }

    #[test]
    fn escaped_json_spans_point_into_the_file() {
        let (f, r) =
            doc(r#"{"Policy": "{\"Statement\":[{\"Action\":\"lambda:InvokeFunction\"}]}"}"#);
        let n = r.unwrap();
        let action = n.get("Statement").unwrap().items().next().unwrap();
        let a = action.get("Action").unwrap();
        assert_eq!(a.as_str(), Some("lambda:InvokeFunction"));
        assert_eq!(at(&f, a.span), r#"\"lambda:InvokeFunction\""#);
        assert_eq!(a.span.file, FileId(3));
    }

    #[test]
    fn url_encoded_documents_decode() {
        let (f, r) = doc(r#"{"Policy": "%7B%22Statement%22%3A%5B%5D%2C%22Id%22%3A%22a+b%22%7D"}"#);
        let n = r.unwrap();
        assert!(n.get("Statement").unwrap().is_seq());
        assert_eq!(n.get("Id").unwrap().as_str(), Some("a+b"));
        assert_eq!(at(&f, n.get("Id").unwrap().span), "%22a+b%22");
    }

    #[test]
    fn broken_embedded_json_is_an_error_inside_the_string() {
        let (f, r) = doc(r#"{"Policy": "{\"Statement\": [}"}"#);
        let e = r.unwrap_err();
        assert!(e.message.starts_with("embedded policy document"));
        assert!(e.span.start as usize > f.text.find("Policy").unwrap());
        let (_, r) = doc(r#"{"Policy": 12}"#);
        assert!(r.is_err());
        let (_, r) = doc(r#"{"Policy": "%FF%FE"}"#);
        assert!(r.unwrap_err().message.contains("UTF-8"));
    }
}
