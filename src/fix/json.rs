//! JSON templates edited in place: array elements removed with their separating comma, new
//! elements written at the indentation of their neighbours (the indentation unit of the
//! file), every other byte kept.

use serde_json::Value;

use super::Removal;
use crate::syntax::node::{Node, Value as V};

fn elements(array: &Node) -> Result<&[Node], String> {
    match &array.value {
        V::Seq(items) => Ok(items),
        _ => Err("the policies are not a JSON array".into()),
    }
}

/// The ranges that remove elements `gone` (indices) of `array`: a later element with the comma
/// before it, the first with the space up to the next kept one; all of them leave `[]`.
pub(super) fn removals(array: &Node, gone: &[usize]) -> Result<Vec<Removal>, String> {
    let items = elements(array)?;
    let span = |i: usize| (items[i].span.start as usize, items[i].span.end as usize);
    let kept: Vec<usize> = (0..items.len()).filter(|i| !gone.contains(i)).collect();
    let Some(&first_kept) = kept.first() else {
        return Ok(vec![Removal {
            start: array.span.start as usize + 1,
            end: (array.span.end as usize).saturating_sub(1),
        }]);
    };
    let mut out = Vec::new();
    for &i in gone {
        if i >= items.len() {
            return Err("the grant's statement is not found".into());
        }
        if i < first_kept {
            out.push(Removal {
                start: span(0).0,
                end: span(first_kept).0,
            });
        } else {
            out.push(Removal {
                start: span(i - 1).1,
                end: span(i).1,
            });
        }
    }
    Ok(out)
}

/// Indentation of the line that holds `at`.
fn line_indent(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The file's indentation unit: the smallest indentation of an indented line (two spaces
/// when none is).
fn unit(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .filter(|p| !p.is_empty())
        .min_by_key(String::len)
        .unwrap_or_else(|| "  ".into())
}

/// `value` as pretty JSON in the file's unit, its lines after the first indented by `pad`.
fn render(value: &Value, unit: &str, pad: &str, eol: &str) -> Result<String, String> {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    value
        .serialize(&mut ser)
        .map_err(|e| format!("the statements do not render: {e}"))?;
    let text = String::from_utf8(buf).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join(eol))
}

/// `value` on one line, with a space after each `:` and `,` (`{"Effect": "Allow", ...}`).
fn spaced(value: &Value) -> String {
    match value {
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), spaced(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(list) => format!(
            "[{}]",
            list.iter().map(spaced).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// Where and what to insert so `array` ends with `new` elements.
pub(super) fn append(text: &str, array: &Node, new: &[Value]) -> Result<(usize, String), String> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let unit = unit(text);
    let items = elements(array)?;
    match items.last() {
        Some(last) => {
            let first = items[0].span.start as usize;
            let pad = line_indent(text, first);
            let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
            if text[line_start..first].trim().is_empty() {
                // One line per element when the last one is written on one line.
                let one_line = !text[first..last.span.end as usize].contains('\n')
                    || !text[last.span.start as usize..last.span.end as usize].contains('\n');
                let mut out = String::new();
                for v in new {
                    out.push(',');
                    out.push_str(eol);
                    out.push_str(&pad);
                    if one_line {
                        out.push_str(&spaced(v));
                    } else {
                        out.push_str(&render(v, &unit, &pad, eol)?);
                    }
                }
                Ok((last.span.end as usize, out))
            } else {
                // Elements on the array's line: new ones written the same way, compactly.
                let mut out = String::new();
                for v in new {
                    out.push_str(", ");
                    out.push_str(&spaced(v));
                }
                Ok((last.span.end as usize, out))
            }
        }
        None => {
            let open = array.span.start as usize;
            let base = line_indent(text, open);
            let pad = format!("{base}{unit}");
            let mut parts = Vec::new();
            for v in new {
                parts.push(format!("{pad}{}", render(v, &unit, &pad, eol)?));
            }
            // Whatever whitespace the empty array held is replaced.
            let inner_end = (array.span.end as usize).saturating_sub(1);
            if text[open + 1..inner_end].trim().is_empty() && inner_end > open + 1 {
                return Err(
                    "the empty policy list holds whitespace rolefit would have to rewrite".into(),
                );
            }
            Ok((
                open + 1,
                format!("{eol}{}{eol}{base}", parts.join(&format!(",{eol}"))),
            ))
        }
    }
}

/// Where and what to insert so the object `props` ends with `"key": value`.
pub(super) fn add_key(
    text: &str,
    props: &Node,
    key: &str,
    value: &Value,
) -> Result<(usize, String), String> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let unit = unit(text);
    let V::Map(map) = &props.value else {
        return Err("the resource's Properties are not an object".into());
    };
    let ((first_key, _), (_, last)) = map.first().zip(map.last()).ok_or("empty Properties")?;
    let pad = line_indent(text, first_key.span.start as usize);
    let key = serde_json::to_string(key).map_err(|e| e.to_string())?;
    Ok((
        last.span.end as usize,
        format!(",{eol}{pad}{key}: {}", render(value, &unit, &pad, eol)?),
    ))
}
