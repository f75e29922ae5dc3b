//! Property tests of the byte-level event reader against `serde_json`.
//!
//! - On any JSON value, serialized compact or pretty (escapes, unicode, dotted keys,
//!   every number kind), reading the text collects exactly the leaves and captures that
//!   walking the parsed `Value` collects (same fields, same values down to the number
//!   representation, same trails).
//! - On any text (arbitrary, JSON-ish, or mutated JSON), the reader with no used path
//!   fails exactly when `serde_json::from_str::<IgnoredAny>` fails; with used paths it
//!   also judges the values it decodes as `Value` does, so it accepts everything
//!   `serde_json::from_str::<Value>` accepts and rejects everything `IgnoredAny` rejects.

use proptest::prelude::*;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::flatten::{EventLeaves, TrailStep};
use super::path_trie::PathTrie;

/// Keys events and paths are built from: plain, dotted, escaped, non-ASCII.
const KEYS: &[&str] = &["a", "b", "a.b", "c", "é\"\\k", "x\u{1F600}", "\t"];
/// Path segments (so `a.b` keys reach paths `a`/`b`).
const SEGMENTS: &[&str] = &["a", "b", "c", "é\"\\k", "x\u{1F600}", "\t"];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,4}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..1000).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-1000i32..1000, -5i32..5).prop_map(|(m, e)| Value::from(f64::from(m) * 10f64.powi(e))),
        ".{0,12}".prop_map(Value::String),
        "[\"\\\\/\u{8}\u{c}\n\r\t\u{1}\u{1f}a\u{7f}\u{e9}\u{2028}\u{1F600}]{0,8}"
            .prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A used path with the node's flags: (segments, collect leaves, keep values, capture).
type PathSpec = (Vec<String>, bool, bool, bool);

fn path_spec() -> impl Strategy<Value = PathSpec> {
    (
        prop::collection::vec(prop::sample::select(SEGMENTS).prop_map(str::to_owned), 1..4),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.15),
    )
}

fn trie(specs: &[PathSpec]) -> PathTrie {
    let mut trie = PathTrie::default();
    for (path, collect, keep, capture) in specs {
        let id = trie.intern(path);
        let node = trie.node_mut(id);
        node.collect_leaves |= *collect || *keep;
        node.keep_values |= *keep;
        node.capture |= *capture;
    }
    trie
}

type Collected = (
    Vec<(u32, Value, Vec<TrailStep>)>,
    Vec<(u32, Value, Vec<TrailStep>)>,
);

fn collected(leaves: &EventLeaves) -> Collected {
    (
        leaves
            .leaves
            .iter()
            .map(|l| {
                (
                    l.field,
                    l.value.clone(),
                    leaves.trail(l.trail_span()).to_vec(),
                )
            })
            .collect(),
        leaves
            .captures
            .iter()
            .map(|c| {
                (
                    c.field,
                    c.value.clone(),
                    leaves.trail(c.trail_span()).to_vec(),
                )
            })
            .collect(),
    )
}

fn read_text(trie: &PathTrie, text: &str) -> Result<Collected, super::scan::ScanError> {
    let mut leaves = EventLeaves::default();
    leaves.reset(trie.len());
    leaves.read_json(trie, text)?;
    Ok(collected(&leaves))
}

fn read_parsed(trie: &PathTrie, event: &Value) -> Collected {
    let mut leaves = EventLeaves::default();
    leaves.reset(trie.len());
    leaves.read_value(trie, event);
    collected(&leaves)
}

/// JSON text with some edits: characters that matter to the grammar inserted,
/// characters deleted or replaced.
fn mutated() -> impl Strategy<Value = String> {
    let edit = (
        any::<prop::sample::Index>(),
        0usize..3,
        prop::sample::select(vec![
            "", "\"", "\\", "{", "}", "[", "]", ",", ":", "-", "0", "1", "e", "E", ".", "+", "u",
            "\\u", "\\ud800", "\\udc00", "\n", " ", "\u{1}", "t", "f", "n", "1e999", "-0", "01",
            "é",
        ]),
    );
    (value(), any::<bool>(), prop::collection::vec(edit, 1..4)).prop_map(|(v, pretty, edits)| {
        let text = if pretty {
            serde_json::to_string_pretty(&v)
        } else {
            serde_json::to_string(&v)
        }
        .unwrap_or_default();
        let mut chars: Vec<char> = text.chars().collect();
        for (at, delete, insert) in edits {
            let start = if chars.is_empty() {
                0
            } else {
                at.index(chars.len() + 1)
            };
            let end = (start + delete).min(chars.len());
            chars.splice(start..end, insert.chars());
        }
        chars.into_iter().collect()
    })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => mutated(),
        1 => "[\\[\\]{}\":, 0-9eE.+\\-tfnrulsa\\\\\n]{0,24}",
        1 => ".{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_and_value_give_the_same_leaves(
        event in value(),
        pretty in any::<bool>(),
        specs in prop::collection::vec(path_spec(), 0..6),
    ) {
        let trie = trie(&specs);
        let text = if pretty {
            serde_json::to_string_pretty(&event)
        } else {
            serde_json::to_string(&event)
        }
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Keys are written in the map's order, so both walks visit leaves in one order.
        let from_text = read_text(&trie, &text)
            .map_err(|e| TestCaseError::fail(format!("{e:?} on {text}")))?;
        prop_assert_eq!(from_text, read_parsed(&trie, &event), "on {}", text);
    }

    #[test]
    fn without_used_paths_errs_exactly_like_ignored_any(text in any_text()) {
        let trie = PathTrie::default();
        let ours = read_text(&trie, &text);
        let serde = serde_json::from_str::<IgnoredAny>(&text);
        prop_assert_eq!(ours.is_err(), serde.is_err(), "on {:?}: ours {:?}, serde {:?}", text, ours, serde);
    }

    #[test]
    fn with_used_paths_errs_between_ignored_any_and_value(
        text in any_text(),
        specs in prop::collection::vec(path_spec(), 1..6),
    ) {
        let trie = trie(&specs);
        let ours = read_text(&trie, &text);
        if serde_json::from_str::<IgnoredAny>(&text).is_err() {
            prop_assert!(ours.is_err(), "accepted {:?}", text);
        }
        if serde_json::from_str::<Value>(&text).is_ok() {
            prop_assert!(ours.is_ok(), "rejected {:?}: {:?}", text, ours);
        }
    }
}

#[test]
fn errors_point_at_the_offending_byte() {
    let trie = PathTrie::default();
    for (text, offset) in [
        ("{\"a\": tru}", 9),
        ("[1, ]", 4),
        ("\"\\q\"", 2),
        ("01", 1),
        ("{\"a\" 1}", 5),
        ("[1] x", 4),
        ("\"abc", 4),
        ("\"a\u{1}\"", 2),
    ] {
        let error = read_text(&trie, text).expect_err(text);
        assert_eq!(error.offset, offset, "{text}: {error:?}");
    }
}
