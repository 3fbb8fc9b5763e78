//! A format-free document tree that keeps the span of every value: YAML, JSON and HCL
//! parsers produce it; templates, policies and configuration are read from it.

use crate::source::Span;

/// A scalar, sequence or mapping. Map keys keep their spans; order is the file's order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written, so `012` and `1.50` survive.
    Number(String),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    pub fn string(s: impl Into<String>, span: Span) -> Node {
        Node::new(Value::String(s.into()), span)
    }

    /// The value under `key` of a mapping (exact, case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    /// The key entry (with its span) and value under `key` of a mapping.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.entries().find(|(k, _)| k.name == key)
    }

    /// Entries of a mapping; empty for anything else.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Node)> {
        let map: &[(Key, Node)] = match &self.value {
            Value::Map(m) => m,
            _ => &[],
        };
        map.iter().map(|(k, v)| (k, v))
    }

    /// Items of a sequence; a single non-sequence value counts as a one-item sequence
    /// (IAM's `"Action": "s3:GetObject"` and `["s3:GetObject"]` mean the same).
    pub fn items(&self) -> impl Iterator<Item = &Node> {
        match &self.value {
            Value::Seq(s) => s.iter().collect::<Vec<_>>().into_iter(),
            Value::Null => Vec::new().into_iter(),
            _ => vec![self].into_iter(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// Scalars as text: strings, numbers and booleans (`true`/`false`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(s) | Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// A single-key mapping such as `{"Ref": "X"}` or `{"Fn::Sub": ...}`: its key and value.
    pub fn single_entry(&self) -> Option<(&str, &Node)> {
        match &self.value {
            Value::Map(m) if m.len() == 1 => Some((m[0].0.name.as_str(), &m[0].1)),
            _ => None,
        }
    }

    /// Converts to JSON, dropping spans (for `fix` output and embedded-data comparisons).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => n
                .parse::<i64>()
                .map(J::from)
                .or_else(|_| n.parse::<f64>().map(J::from))
                .unwrap_or_else(|_| J::String(n.clone())),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a tree from JSON (embedded data); every span is `span`.
    pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
        use serde_json::Value as J;
        let v = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.to_string()),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::Seq(a.iter().map(|v| Node::from_json(v, span)).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: k.clone(),
                                span,
                            },
                            Node::from_json(v, span),
                        )
                    })
                    .collect(),
            ),
        };
        Node::new(v, span)
    }
}
