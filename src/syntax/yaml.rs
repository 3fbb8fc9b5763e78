//! YAML to [`super::node::Node`] with spans, CloudFormation short-form tags and limits.
//!
//! Built on yaml-rust2's event parser, which is an explicit state machine (no recursion), so
//! deep nesting cannot overflow the stack there; this module stops at [`MAX_DEPTH`] and
//! bounds alias expansion ([`ALIAS_BUDGET`]) so "billion laughs" inputs fail fast.
//! yaml-rust2 markers count characters, not bytes: spans are converted to byte offsets.

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

mod pairs;
mod relax;

use super::node::{Key, Node, Value};
use super::{Entries, MAX_DEPTH, ParseError};
use crate::source::SourceFile;
use pairs::brace_pairs;
use relax::{Shifts, relax};

/// Nodes that may be materialised through aliases in one document.
pub const ALIAS_BUDGET: usize = 100_000;

/// Parses the first document of a YAML file. An empty file is `Null`.
///
/// CloudFormation reads YAML leniently: flow collections and multi-line quoted scalars whose
/// continuation lines are not indented past their key are accepted there, and rejected by
/// yaml-rust2 ("invalid indentation"). yaml-rust2 also misreads single-pair mappings in flow
/// sequences whose value is a flow collection (`[a: [b]]`, valid YAML). When the strict parse
/// fails, the text is re-indented ([`relax`]), then, if that is not enough, its single pairs are
/// braced ([`brace_pairs`]) and it is re-indented again, and parsed again; spans still point
/// into the original text. The first error is the one reported.
pub fn parse(file: &SourceFile) -> Result<Node, ParseError> {
    let strict = Builder::new(file, &file.text, &[]).run();
    let Err(e) = strict else { return strict };
    if let Some((text, shifts)) = relax(&file.text)
        && let Ok(n) = Builder::new(file, &text, &[&shifts]).run()
    {
        return Ok(n);
    }
    let Some((braced, pair_shifts)) = brace_pairs(&file.text) else {
        return Err(e);
    };
    if let Ok(n) = Builder::new(file, &braced, &[&pair_shifts]).run() {
        return Ok(n);
    }
    match relax(&braced) {
        Some((text, shifts)) => Builder::new(file, &text, &[&pair_shifts, &shifts])
            .run()
            .map_err(|_| e),
        None => Err(e),
    }
}

/// A container being filled while events arrive.
enum Frame {
    Seq {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        tag: Option<Tag>,
        anchor: usize,
        entries: Entries,
        key: Option<Key>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    /// The text parsed: the file's, or a rewritten copy.
    text: &'a str,
    /// The rewrites from the file's text to `text`, in the order they were applied.
    layers: &'a [&'a Shifts],
    /// Byte offset of each line's start, present only when the text is not ASCII.
    char_bytes: Option<Vec<u32>>,
    anchors: Vec<(usize, Node)>,
    alias_nodes: usize,
}

impl<'a> Builder<'a> {
    fn new(file: &'a SourceFile, text: &'a str, layers: &'a [&'a Shifts]) -> Builder<'a> {
        let char_bytes = (!text.is_ascii()).then(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                .collect()
        });
        Builder {
            file,
            text,
            layers,
            char_bytes,
            anchors: Vec::new(),
            alias_nodes: 0,
        }
    }

    /// Byte offset in the parsed text of a yaml-rust2 marker (a character index).
    ///
    /// In a non-ASCII text the marker's line and column are read, not its index: yaml-rust2
    /// 0.13 advances the index (and column) of a block scalar's lines by bytes and of
    /// everything else by characters, so past a `>` or `|` scalar holding a multi-byte
    /// character the index drifts; lines are counted exactly and columns restart on each.
    fn mbyte(&self, m: &Marker) -> usize {
        let Some(lines) = &self.char_bytes else {
            return m.index().min(self.text.len());
        };
        let Some(&start) = lines.get(m.line().saturating_sub(1)) else {
            return self.text.len();
        };
        let start = start as usize;
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        // A column past the line's end (a block scalar's byte count) is its end.
        start
            + line
                .char_indices()
                .nth(m.col())
                .map_or(line.len(), |(i, _)| i)
    }

    /// A byte offset of the parsed text as an offset of the file.
    fn orig(&self, b: usize) -> usize {
        self.layers
            .iter()
            .rev()
            .fold(b, |b, shifts| unshift(shifts, b))
    }

    /// Byte offset in the file of a marker.
    fn byte(&self, m: &Marker) -> usize {
        self.orig(self.mbyte(m))
    }

    fn err(&self, m: &Marker, msg: impl Into<String>) -> ParseError {
        let b = self.byte(m);
        ParseError::new(self.file.span(b, b), msg)
    }

    fn run(&mut self) -> Result<Node, ParseError> {
        let mut parser = Parser::new_from_str(self.text).keep_tags(true);
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let (event, mark) = parser
                .next_token()
                .map_err(|e| self.err(e.marker(), format!("YAML syntax error: {}", e.info())))?;
            let done: Option<(Node, usize)> = match event {
                Event::StreamStart | Event::Nothing => None,
                Event::DocumentStart => None,
                Event::DocumentEnd | Event::StreamEnd => {
                    let at = self.byte(&mark);
                    return Ok(Node::new(Value::Null, self.file.span(at, at)));
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let start = self.mbyte(&mark);
                    let node = self.scalar(text, style, tag, start);
                    Some((node, anchor))
                }
                Event::Alias(id) => {
                    let node = self.alias(id, &mark)?;
                    Some((node, 0))
                }
                Event::SequenceStart(anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(
                            self.err(&mark, format!("nesting deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    let start = self.byte(&mark);
                    stack.push(Frame::Seq {
                        start,
                        tag,
                        anchor,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(
                            self.err(&mark, format!("nesting deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    let start = self.byte(&mark);
                    stack.push(Frame::Map {
                        start,
                        tag,
                        anchor,
                        entries: Entries::default(),
                        key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let mend = self.mbyte(&mark);
                    let end = self.orig(mend);
                    // Flow collections end after their bracket; block ones after the last child.
                    // (Read in the file: a brace a rewrite inserted is not the collection's end.)
                    let flow_end = matches!(self.file.text.as_bytes().get(end), Some(b']' | b'}'))
                        .then_some(end + 1);
                    match stack.pop() {
                        Some(Frame::Seq {
                            start,
                            tag,
                            anchor,
                            items,
                        }) => {
                            let end = flow_end
                                .unwrap_or_else(|| {
                                    items.last().map_or(end, |n| n.span.end as usize)
                                })
                                .max(start);
                            let node = Node::new(Value::Seq(items), self.file.span(start, end));
                            Some((apply_tag(node, tag.as_ref()), anchor))
                        }
                        Some(Frame::Map {
                            start,
                            tag,
                            anchor,
                            entries,
                            ..
                        }) => {
                            let entries = entries.entries;
                            // A block mapping starts at its first key (the marker is at the `:`).
                            let start = entries
                                .first()
                                .map_or(start, |(k, _)| (k.span.start as usize).min(start));
                            let end = flow_end.unwrap_or_else(|| {
                                entries.last().map_or(end, |(_, n)| n.span.end as usize)
                            });
                            let node = Node::new(
                                Value::Map(entries),
                                self.file.span(start, end.max(start)),
                            );
                            Some((apply_tag(node, tag.as_ref()), anchor))
                        }
                        None => return Err(self.err(&mark, "unbalanced YAML collection end")),
                    }
                }
            };
            let Some((node, anchor)) = done else { continue };
            if anchor != 0 {
                self.anchors.push((anchor, node.clone()));
            }
            match stack.last_mut() {
                None => return Ok(node),
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map { entries, key, .. }) => match key.take() {
                    None => {
                        let name = match &node.value {
                            Value::String(s) | Value::Number(s) => s.clone(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => String::new(),
                            _ => {
                                return Err(ParseError::new(
                                    node.span,
                                    "complex mapping keys are not supported",
                                ));
                            }
                        };
                        *key = Some(Key {
                            name,
                            span: node.span,
                        });
                    }
                    Some(k) => {
                        // Duplicate keys: the last one wins, as in most YAML loaders.
                        entries.insert(k, node);
                    }
                },
            }
        }
    }

    fn alias(&mut self, id: usize, mark: &Marker) -> Result<Node, ParseError> {
        let Some((_, node)) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
            return Err(self.err(mark, "alias to an unknown anchor"));
        };
        self.alias_nodes = self.alias_nodes.saturating_add(count_nodes(node));
        if self.alias_nodes > ALIAS_BUDGET {
            return Err(self.err(mark, "alias expansion budget exceeded"));
        }
        let mut node = node.clone();
        let at = self.byte(mark);
        node.span = self.file.span(at, at + 1);
        Ok(node)
    }

    fn scalar(&self, text: String, style: TScalarStyle, tag: Option<Tag>, start: usize) -> Node {
        let end = self.scalar_end(&text, style, start);
        let span = self.file.span(self.orig(start), self.orig(end));
        let value = match (&tag, style) {
            (Some(t), _) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
                match t.suffix.as_str() {
                    "bool" => Value::Bool(text.eq_ignore_ascii_case("true")),
                    "int" | "float" => Value::Number(text),
                    "null" => Value::Null,
                    _ => Value::String(text),
                }
            }
            (Some(_), _) => Value::String(text),
            (None, TScalarStyle::Plain) => plain_value(text),
            (None, _) => Value::String(text),
        };
        apply_tag(Node::new(value, span), tag.as_ref())
    }

    /// yaml-rust2 gives only start markers: find where the scalar ends in the text.
    fn scalar_end(&self, value: &str, style: TScalarStyle, start: usize) -> usize {
        let rest = self.text.get(start..).unwrap_or("");
        // A tag (`!Ref x`) or anchor (`&a x`) may precede the scalar: the marker is at the tag.
        let mut off = 0;
        let bytes = rest.as_bytes();
        while off < bytes.len() && (bytes[off] == b'!' || bytes[off] == b'&') {
            while off < bytes.len() && !bytes[off].is_ascii_whitespace() {
                off += 1;
            }
            while off < bytes.len() && (bytes[off] == b' ' || bytes[off] == b'\t') {
                off += 1;
            }
        }
        let body = &rest[off.min(rest.len())..];
        let line_end = body.find('\n').unwrap_or(body.len());
        let len = match style {
            TScalarStyle::SingleQuoted => quoted_len(body, b'\'').unwrap_or(line_end),
            TScalarStyle::DoubleQuoted => quoted_len(body, b'"').unwrap_or(line_end),
            TScalarStyle::Plain if !value.contains('\n') && body.starts_with(value) => value.len(),
            _ => body
                .trim_end_matches(['\r', '\n'])
                .len()
                .min(line_end.max(value.len())),
        };
        start + off + len
    }
}

/// An offset of a rewritten text as an offset of the text before the rewrite: a byte the
/// rewrite inserted maps to where it was inserted.
fn unshift(shifts: &Shifts, b: usize) -> usize {
    let line = match shifts.binary_search_by(|s| s.0.cmp(&b)) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    match shifts.get(line) {
        Some(&(start, before, add)) if b < start + add => start - before,
        Some(&(_, before, add)) => b - before - add,
        None => b,
    }
}

/// Length of a quoted scalar including both quotes, or `None` when unterminated.
fn quoted_len(body: &str, q: u8) -> Option<usize> {
    let b = body.as_bytes();
    if b.first() != Some(&q) {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

fn count_nodes(n: &Node) -> usize {
    match &n.value {
        Value::Seq(s) => 1 + s.iter().map(count_nodes).sum::<usize>(),
        Value::Map(m) => 1 + m.iter().map(|(_, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    }
}

/// YAML 1.1/1.2 core-schema resolution of an untagged plain scalar.
fn plain_value(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_number(&text) {
        Value::Number(text)
    } else {
        Value::String(text)
    }
}

fn is_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|c| (b'0'..=b'7').contains(&c));
    }
    !body.is_empty()
        && body
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == b'.')
        && body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.parse::<f64>().is_ok()
}

/// Long-form key for a CloudFormation short-form tag (`!Sub` -> `Fn::Sub`).
fn long_form(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "GetAZs" => "Fn::GetAZs",
        "Equals" => "Fn::Equals",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "Transform" => "Fn::Transform",
        "ToJsonString" => "Fn::ToJsonString",
        "Length" => "Fn::Length",
        _ => return None,
    })
}

/// Rewrites `!Tag value` as `{"Fn::Tag": value}`; other tags leave the value unchanged.
fn apply_tag(node: Node, tag: Option<&Tag>) -> Node {
    let Some(tag) = tag else { return node };
    if tag.handle != "!" {
        return node;
    }
    let Some(name) = long_form(&tag.suffix) else {
        return node;
    };
    let span = node.span;
    let inner = match (&node.value, name) {
        // `!GetAtt Res.Attr` splits at the first dot (attributes may contain dots).
        (Value::String(s), "Fn::GetAtt") => match s.split_once('.') {
            Some((res, attr)) => Node::new(
                Value::Seq(vec![Node::string(res, span), Node::string(attr, span)]),
                span,
            ),
            None => node,
        },
        (Value::Null, _) => Node::string("", span),
        (Value::Bool(b), _) => Node::string(b.to_string(), span),
        _ => node,
    };
    Node::new(
        Value::Map(vec![(
            Key {
                name: name.to_string(),
                span,
            },
            inner,
        )]),
        span,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn p(text: &str) -> Result<Node, ParseError> {
        parse(&SourceFile::new(FileId(0), "t.yaml", text))
    }

    #[test]
    fn short_forms_and_spans() {
        let text = "é: 1\nA: !GetAtt T.Arn\nB: !Sub 'x${y}'\nC: [!Ref Z]\n";
        let n = p(text).unwrap();
        let a = n.get("A").unwrap().get("Fn::GetAtt").unwrap();
        assert_eq!(a.to_json(), serde_json::json!(["T", "Arn"]));
        let b = n.get("B").unwrap();
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "'x${y}'");
        assert_eq!(n.get("é").unwrap().value, Value::Number("1".into()));
        let (k, _) = n.get_entry("A").unwrap();
        assert_eq!(&text[k.span.start as usize..k.span.end as usize], "A");
        assert_eq!(
            n.get("C").unwrap().to_json(),
            serde_json::json!([{"Ref": "Z"}])
        );
    }

    /// yaml-rust2 counts a block scalar's lines in bytes and the rest in characters: spans
    /// after `>` or `|` text with a multi-byte character are still exact.
    #[test]
    fn spans_after_a_block_scalar_with_multibyte_text() {
        for style in [">", "|", ">-", "|+"] {
            let text = format!(
                "D: {style}\n  API — NextGen ⚡ here\n  more\nA:\n  - x: !Ref Q\n    y: [1, 2]\n"
            );
            let n = p(&text).unwrap();
            let item = &n.get("A").unwrap().items().next().unwrap().clone();
            let (k, _) = item.get_entry("x").unwrap();
            assert_eq!(
                &text[k.span.start as usize..k.span.end as usize],
                "x",
                "{style}"
            );
            let y = item.get("y").unwrap();
            assert_eq!(
                &text[y.span.start as usize..y.span.end as usize],
                "[1, 2]",
                "{style}"
            );
        }
    }

    #[test]
    fn limits() {
        let deep = "[".repeat(10_000);
        let e = p(&deep).unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{}",
            e.message
        );
        let deep = "{a: ".repeat(10_000);
        let e = p(&deep).unwrap_err();
        assert!(
            e.message.contains("nesting") || e.message.contains("recursion"),
            "{}",
            e.message
        );
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = p(&bomb).unwrap_err();
        assert_eq!(e.message, "alias expansion budget exceeded");
        let e = p("a: [1, 2\nb: c").unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
    }

    #[test]
    fn lenient_flow_indentation_keeps_spans() {
        let text =
            "A:\n  B: [{\n    \"k\": \"v\"\n  }]\n  C: !Sub '{\n      \"x\": 1\n  }'\n  D: after\n";
        let n = p(text).unwrap();
        let b = n.get("A").unwrap().get("B").unwrap();
        assert_eq!(b.to_json(), serde_json::json!([{"k": "v"}]));
        let d = n.get("A").unwrap().get("D").unwrap();
        assert_eq!(&text[d.span.start as usize..d.span.end as usize], "after");
        let c = n
            .get("A")
            .unwrap()
            .get("C")
            .unwrap()
            .get("Fn::Sub")
            .unwrap();
        assert_eq!(c.as_str(), Some("{ \"x\": 1 }"));
        assert!(p("a: [1,\nb: 2\n").is_err());
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}A: 1\r\nB: 'x y'\r\nC: !Ref Q\r\n";
        let n = p(text).unwrap();
        let b = n.get("B").unwrap();
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "'x y'");
        let c = n.get("C").unwrap().get("Ref").unwrap();
        assert_eq!(&text[c.span.start as usize..c.span.end as usize], "Q");
    }

    #[test]
    fn scalars() {
        let n = p("a: true\nb: 'true'\nc: ~\nd: 0.5\ne: 1.2.3\nf:\n").unwrap();
        assert_eq!(n.get("a").unwrap().value, Value::Bool(true));
        assert_eq!(n.get("b").unwrap().value, Value::String("true".into()));
        assert_eq!(n.get("c").unwrap().value, Value::Null);
        assert_eq!(n.get("d").unwrap().value, Value::Number("0.5".into()));
        assert_eq!(n.get("e").unwrap().value, Value::String("1.2.3".into()));
        assert_eq!(n.get("f").unwrap().value, Value::Null);
    }
}
