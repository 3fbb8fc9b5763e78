//! `Fn::Sub`, `Fn::FindInMap` and what a value refers to: the string-level parts of
//! [`Template`]'s intrinsic evaluation.

use std::collections::BTreeMap;

use super::intrinsics::{Template, ph, pseudo};
use crate::source::Span;
use crate::syntax::node::{Node, Value};

impl<'a> Template<'a> {
    pub(super) fn find_in_map(&self, args: &[&Node], span: Span) -> Node {
        let keys: Vec<String> = args
            .iter()
            .take(3)
            .map(|a| self.text(a).unwrap_or_else(|| "${?}".into()))
            .collect();
        let fallback = || ph(&format!("FindInMap:{}", keys.join(".")), span);
        if keys.len() < 3 {
            return fallback();
        }
        let Some(map) = self.mappings.and_then(|m| m.get(&keys[0])) else {
            return fallback();
        };
        // A key only known at deploy time (`${AWS::Region}`) selects the single entry when
        // the map has one; otherwise the value is unknown.
        let pick = |n: &'a Node, k: &str| -> Option<&'a Node> {
            if k.contains("${") {
                let mut it = n.entries();
                match (it.next(), it.next()) {
                    (Some((_, v)), None) => Some(v),
                    _ => None,
                }
            } else {
                n.get(k)
            }
        };
        match pick(map, &keys[1]).and_then(|m| pick(m, &keys[2])) {
            Some(v) => self.resolve(v),
            None => fallback(),
        }
    }

    /// Expands `${...}` in an `Fn::Sub` template.
    pub fn sub(&self, tmpl: &str, vars: &BTreeMap<String, String>, span: Span) -> String {
        let mut out = String::with_capacity(tmpl.len());
        let mut rest = tmpl;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let var = &after[..j];
            rest = &after[j + 1..];
            if let Some(lit) = var.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let var = var.trim();
            let val = if let Some(v) = vars.get(var) {
                v.clone()
            } else if let Some((res, attr)) = var
                .split_once('.')
                .filter(|(r, _)| self.kind_of(r).is_some())
            {
                self.get_att(res, attr, span)
                    .scalar_text()
                    .unwrap_or_default()
            } else if pseudo(var).is_some()
                || self.params.contains_key(var)
                || self.kind_of(var).is_some()
            {
                self.reference(var, span)
                    .map(|n| match n.value {
                        Value::Seq(s) => s
                            .iter()
                            .filter_map(Node::scalar_text)
                            .collect::<Vec<_>>()
                            .join(","),
                        _ => n.scalar_text().unwrap_or_default(),
                    })
                    .unwrap_or_default()
            } else {
                self.issue(span, format!("Fn::Sub variable `{var}` is not declared"));
                format!("${{{var}}}")
            };
            out.push_str(&val);
        }
        out.push_str(rest);
        out
    }

    /// The logical id of the one declared resource a value refers to (`!Ref X`,
    /// `!GetAtt X.Arn`, `!Sub` naming one resource), if any.
    pub fn refers_to(&self, n: &Node) -> Option<String> {
        let (k, v) = n.single_entry()?;
        let id = match k {
            "Ref" => v.as_str().map(str::to_string),
            "Fn::GetAtt" => match &v.value {
                Value::Seq(s) => s.first().and_then(Node::as_str).map(str::to_string),
                Value::String(s) => s.split('.').next().map(str::to_string),
                _ => None,
            },
            "Fn::Sub" => {
                let t = match &v.value {
                    Value::Seq(s) => s.first().and_then(Node::as_str),
                    _ => v.as_str(),
                }?;
                let mut found: Vec<String> = sub_vars(t)
                    .into_iter()
                    .map(|var| var.split('.').next().unwrap_or("").to_string())
                    .filter(|r| self.kind_of(r).is_some())
                    .collect();
                found.dedup();
                if found.len() == 1 { found.pop() } else { None }
            }
            "Fn::Join" | "Fn::Select" | "Fn::If" => {
                let mut ids: Vec<String> = v
                    .items()
                    .flat_map(Node::items)
                    .filter_map(|i| self.refers_to(i))
                    .collect();
                ids.dedup();
                if ids.len() == 1 { ids.pop() } else { None }
            }
            _ => None,
        }?;
        self.kind_of(&id).is_some().then_some(id)
    }
}

/// Variables named in an `Fn::Sub` string (not the `${!literal}` ones).
pub fn sub_vars(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        if !after.starts_with('!') {
            out.push(after[..j].trim());
        }
        rest = &after[j + 1..];
    }
    out
}
