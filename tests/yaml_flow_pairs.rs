//! Single-pair mappings in flow sequences (`[a: b, c: [d]]`, YAML 1.2.2 7.4.1 `ns-flow-pair`):
//! read as one-entry mappings whatever their values, with spans into the original text.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rolefit::source::{FileId, SourceFile};
use rolefit::syntax::node::Node;
use rolefit::syntax::yaml;

fn parse(text: &str) -> Node {
    yaml::parse(&SourceFile::new(FileId(0), "t.yaml", text))
        .unwrap_or_else(|e| panic!("{text:?}: {}", e.message))
}

/// A flow value: a plain word, a quoted string, a flow sequence, a flow mapping or a tagged
/// flow sequence (`!Select [...]`).
#[derive(Clone, Debug)]
enum V {
    Word(String),
    Quoted(String),
    Seq(Vec<V>),
    Map(Vec<(String, V)>),
    Tagged(Vec<V>),
}

/// An entry of the outer flow sequence: a value or a single pair.
#[derive(Clone, Debug)]
enum Entry {
    Value(V),
    Pair(String, V),
}

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,5}"
}

fn value() -> impl Strategy<Value = V> {
    let leaf = prop_oneof![word().prop_map(V::Word), word().prop_map(V::Quoted)];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(V::Seq),
            prop::collection::vec((word(), inner.clone()), 1..3).prop_map(V::Map),
            prop::collection::vec(inner, 1..3).prop_map(V::Tagged),
        ]
    })
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        value().prop_map(Entry::Value),
        (word(), value()).prop_map(|(k, v)| Entry::Pair(k, v)),
    ]
}

fn render(v: &V) -> String {
    match v {
        V::Word(w) => w.clone(),
        V::Quoted(w) => format!("\"{w}\""),
        V::Seq(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        V::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        V::Tagged(items) => format!(
            "!Select [{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The outer sequence, with each pair written as an implicit pair or as `{k: v}`.
fn render_entries(entries: &[Entry], braced: bool, multiline: bool) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Entry::Value(v) => render(v),
            Entry::Pair(k, v) if braced => format!("{{{k}: {}}}", render(v)),
            Entry::Pair(k, v) => format!("{k}: {}", render(v)),
        })
        .collect();
    if multiline {
        format!("Key: [\n    {},\n  ]\nAfter: end\n", parts.join(",\n    "))
    } else {
        format!("Key: [{}]\nAfter: end\n", parts.join(", "))
    }
}

/// Every plain or quoted scalar's span covers its text.
fn check_spans(text: &str, n: &Node) {
    use rolefit::syntax::node::Value;
    match &n.value {
        Value::String(s) => {
            let got = &text[n.span.start as usize..n.span.end as usize];
            assert!(
                got == s || got == format!("\"{s}\""),
                "span {got:?} for {s:?} in {text:?}"
            );
        }
        Value::Seq(items) => items.iter().for_each(|i| check_spans(text, i)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            // `Fn::Select` is the tag `!Select`, spanning the tagged node.
            if k.name.starts_with("Fn::") {
                check_spans(text, v);
                return;
            }
            assert_eq!(
                &text[k.span.start as usize..k.span.end as usize],
                k.name,
                "key span in {text:?}"
            );
            check_spans(text, v);
        }),
        _ => {}
    }
}

proptest! {
    #[test]
    fn implicit_pairs_read_as_braced(entries in prop::collection::vec(entry(), 1..5),
                                     multiline in any::<bool>()) {
        let implicit = render_entries(&entries, false, multiline);
        let braced = render_entries(&entries, true, multiline);
        let a = parse(&implicit);
        let b = parse(&braced);
        prop_assert_eq!(a.to_json(), b.to_json(), "{}", implicit);
        check_spans(&implicit, &a);
        let after = a.get("After").unwrap();
        prop_assert_eq!(&implicit[after.span.start as usize..after.span.end as usize], "end");
    }
}

#[test]
fn sub_with_a_selected_variable() {
    // serverless-patterns eventbridge-webhooks: `!Sub [template, ID: !Select [...]]`.
    let text = "Name: !Sub [\n    \"hook-${ID}\",\n    ID: !Select [2, !Split [\"/\", !Ref AWS::StackId]],\n  ] # note\nNext: [a: [1], b: {c: d}, e]\n";
    let n = parse(text);
    assert_eq!(
        n.get("Name").unwrap().to_json(),
        serde_json::json!({"Fn::Sub": ["hook-${ID}", {"ID": {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}}]})
    );
    assert_eq!(
        n.get("Next").unwrap().to_json(),
        serde_json::json!([{"a": [1]}, {"b": {"c": "d"}}, "e"])
    );
    let id = n.get("Name").unwrap().get("Fn::Sub").unwrap();
    let Some(rolefit::syntax::node::Value::Seq(items)) = Some(&id.value) else {
        panic!("not a sequence")
    };
    let (key, _) = items[1].get_entry("ID").unwrap();
    assert_eq!(&text[key.span.start as usize..key.span.end as usize], "ID");
}

#[test]
fn brackets_in_comments_quotes_and_block_scalars_are_left_alone() {
    let text = "Code: |\n  x = [a: [b]]\n  y = 1\nQ: 'it''s [a: b]' # [c: [d]]\nS: [k: [v]]\n";
    let n = parse(text);
    assert_eq!(
        n.get("Code").unwrap().as_str(),
        Some("x = [a: [b]]\ny = 1\n")
    );
    assert_eq!(n.get("Q").unwrap().as_str(), Some("it's [a: b]"));
    assert_eq!(
        n.get("S").unwrap().to_json(),
        serde_json::json!([{"k": ["v"]}])
    );
}
