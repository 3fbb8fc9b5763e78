//! JSON to [`super::node::Node`] with spans and limits.
//!
//! A small recursive-descent parser (RFC 8259) rather than serde_json, which keeps no spans:
//! every key and value needs its byte range for findings. Nesting stops at
//! [`super::MAX_DEPTH`], so hostile input errors instead of overflowing the stack.
//! Duplicate keys keep the last value (as serde_json and CloudFormation's JSON reader do).
//! A UTF-8 byte-order mark is skipped.

use super::node::{Key, Node, Value};
use super::{Entries, MAX_DEPTH, ParseError};
use crate::source::SourceFile;

/// Parses a whole JSON file.
pub fn parse(file: &SourceFile) -> Result<Node, ParseError> {
    let text: &str = &file.text;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = JsonParser {
        file,
        b: text.as_bytes(),
        i: start,
    };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct JsonParser<'a> {
    file: &'a SourceFile,
    b: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn err(&self, msg: &str) -> ParseError {
        let end = (self.i + 1).min(self.b.len());
        ParseError::new(
            self.file.span(self.i, end),
            format!("JSON syntax error: {msg}"),
        )
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.i;
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nesting too deep"));
                }
                self.object(depth)
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nesting too deep"));
                }
                self.array(depth)
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(Value::String(s), self.file.span(start, self.i)))
            }
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Node, ParseError> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            let start = self.i;
            self.i += w.len();
            Ok(Node::new(v, self.file.span(start, self.i)))
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i > s
        };
        if !digits(self) {
            return Err(self.err("expected digits"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.err("expected digits after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err("expected exponent digits"));
            }
        }
        let text = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
        Ok(Node::new(
            Value::Number(text),
            self.file.span(start, self.i),
        ))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let run = self.i;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            // The input is a &str, so a run that stops at an ASCII byte is valid UTF-8.
            out.push_str(&String::from_utf8_lossy(&self.b[run..self.i]));
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi)
                                && self.b[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                let cp = 0x10000
                                    + ((hi - 0xD800) << 10)
                                    + (lo.wrapping_sub(0xDC00) & 0x3FF);
                                char::from_u32(cp)
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(ch.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.err("invalid escape"));
                        }
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let s = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Node::new(Value::Seq(items), self.file.span(start, self.i)));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Node::new(Value::Seq(items), self.file.span(start, self.i)));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut entries = Entries::default();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Node::new(
                Value::Map(entries.entries),
                self.file.span(start, self.i),
            ));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a string key"));
            }
            let ks = self.i;
            let name = self.string()?;
            let key = Key {
                name,
                span: self.file.span(ks, self.i),
            };
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':'"));
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            entries.insert(key, v);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Node::new(
                        Value::Map(entries.entries),
                        self.file.span(start, self.i),
                    ));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn p(text: &str) -> Result<Node, ParseError> {
        parse(&SourceFile::new(FileId(0), "t.json", text))
    }

    #[test]
    fn values_spans_and_duplicates() {
        let text = r#"{"a": [1, -2.5e3, "x\u00e9\n"], "b": true, "a": null}"#;
        let n = p(text).unwrap();
        assert_eq!(n.get("a").unwrap().value, Value::Null);
        assert_eq!(n.entries().count(), 2);
        let (k, _) = n.get_entry("b").unwrap();
        assert_eq!(&text[k.span.start as usize..k.span.end as usize], "\"b\"");
        let n = p(r#"["é", "\ud83d\ude00"]"#).unwrap();
        assert_eq!(n.to_json(), serde_json::json!(["é", "😀"]));
    }

    #[test]
    fn errors_point_at_the_byte() {
        let e = p("{\"a\": tru}").unwrap_err();
        assert_eq!(e.span.start, 6);
        let e = p("[1,]").unwrap_err();
        assert_eq!(e.span.start, 3);
        let deep = "[".repeat(10_000);
        assert!(p(&deep).unwrap_err().message.contains("deep"));
    }
}
