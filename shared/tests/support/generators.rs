//! Random event patterns and events over one small vocabulary, so that they often meet,
//! plus "witness" events made to (nearly) match a given pattern. Shared by the property
//! tests that hold an engine against the reference evaluator (`ruleset_props.rs`,
//! `explain_props.rs`); each test binary uses a different subset.
#![allow(dead_code)]

use auditbridge_shared::pattern::{Dialect, Pattern};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Keys of both patterns and events; `a.b` and `b.id` exercise dotted keys.
pub const KEYS: &[&str] = &["a", "b", "id", "a.b", "b.id"];

/// Strings, with case and Unicode folding traps (Kelvin sign, sharp s, dotted I).
pub const STRINGS: &[&str] = &[
    "", "a", "ab", "abc", "AbC", "b", "bc", "10.0.0.5", "10.1.2.3", "\u{212A}", "k", "K", "ß",
    "SS", "\u{130}", "i\u{307}", "x*y", "a.b",
];

pub const WILDCARDS: &[&str] = &[
    "a*", "*c", "a*c", "*b*", "*ab*", "*a*c*", "*", "abc", "A*", "*\u{307}", "",
];

pub fn string() -> impl Strategy<Value = String> {
    proptest::sample::select(STRINGS).prop_map(str::to_owned)
}

pub fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        proptest::sample::select(&[-2i64, 0, 1, 5, 300][..]).prop_map(|n| json!(n)),
        proptest::sample::select(&[-0.0f64, 1.0, 1.5, 5.0, 300.0, 2.5e-3][..])
            .prop_map(|n| json!(n)),
    ]
}

pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => string().prop_map(Value::String),
        3 => number(),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ]
}

/// One alternative of a pattern leaf, every operator of the default dialect.
pub fn matcher() -> impl Strategy<Value = Value> {
    let wildcard = || proptest::sample::select(WILDCARDS).prop_map(str::to_owned);
    prop_oneof![
        6 => scalar(),
        2 => string().prop_map(|s| json!({"prefix": s})),
        1 => string().prop_map(|s| json!({"prefix": {"equals-ignore-case": s}})),
        2 => string().prop_map(|s| json!({"suffix": s})),
        1 => string().prop_map(|s| json!({"suffix": {"equals-ignore-case": s}})),
        2 => string().prop_map(|s| json!({"equals-ignore-case": s})),
        2 => wildcard().prop_map(|w| json!({"wildcard": w})),
        1 => string().prop_map(|s| json!({"anything-but": s})),
        1 => prop::collection::vec(string(), 1..3).prop_map(|v| json!({"anything-but": v})),
        1 => number().prop_map(|n| json!({"anything-but": n})),
        1 => string().prop_map(|s| json!({"anything-but": {"prefix": s}})),
        1 => string().prop_map(|s| json!({"anything-but": {"suffix": s}})),
        1 => string().prop_map(|s| json!({"anything-but": {"equals-ignore-case": s}})),
        1 => wildcard().prop_map(|w| json!({"anything-but": {"wildcard": w}})),
        2 => proptest::sample::select(vec![
            json!({"numeric": [">", 0]}),
            json!({"numeric": [">=", 1, "<", 5]}),
            json!({"numeric": ["=", 300]}),
            json!({"numeric": ["<=", 0]}),
            json!({"numeric": [">", -2, "<=", 1.5]}),
            json!({"numeric": ["<", 0.0025]}),
        ]),
        2 => any::<bool>().prop_map(|b| json!({"exists": b})),
        1 => proptest::sample::select(&["10.0.0.0/24", "10.0.0.5/32", "10.0.0.0/8", "10.0.0.5/24"][..])
            .prop_map(|c| json!({"cidr": c})),
        1 => prop::collection::vec(string(), 1..3).prop_map(|v| json!({"contain": v})),
        1 => string().prop_map(|s| json!({"contain": s})),
        1 => proptest::sample::select(&[
            r#"{"id":"a"}"#, r#"{"n":1}"#, r#"{"id":"ab","n":5}"#, r#"{"n":1.0}"#,
        ][..]).prop_map(|a| json!({"array": a})),
    ]
}

pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::collection::vec(matcher(), 1..4).prop_map(Value::Array),
        1 => scalar(), // Tencent bare scalar
    ]
}

pub fn object_pattern(depth: u32) -> BoxedStrategy<Value> {
    let value = if depth == 0 {
        leaf().boxed()
    } else {
        prop_oneof![3 => leaf(), 1 => object_pattern(depth - 1)].boxed()
    };
    let fields = prop::collection::vec((proptest::sample::select(KEYS), value), 1..3);
    let or = if depth == 0 {
        Just(None).boxed()
    } else {
        prop_oneof![
            4 => Just(None),
            1 => prop::collection::vec(object_pattern(depth - 1), 2..4).prop_map(Some),
        ]
        .boxed()
    };
    (fields, or)
        .prop_map(|(fields, or)| {
            let mut map = Map::new();
            for (key, value) in fields {
                map.insert(key.to_owned(), value);
            }
            if let Some(branches) = or {
                map.insert("$or".to_owned(), Value::Array(branches));
            }
            Value::Object(map)
        })
        .boxed()
}

/// A valid pattern, with the JSON it was parsed from.
pub fn pattern() -> impl Strategy<Value = (Value, Pattern)> {
    object_pattern(2).prop_filter_map("pattern the parser rejects", |value| {
        let pattern = Pattern::from_value(&value, Dialect::Default).ok()?;
        Some((value, pattern))
    })
}

/// `pattern` with one of its leaves, chosen by `dice`, replaced by `[]`: the empty list
/// the default dialect reads as no alternatives.
pub fn with_an_empty_list(pattern: &Value, dice: &mut Dice) -> Value {
    fn leaves(value: &mut Value) -> Vec<&mut Value> {
        let Value::Object(fields) = value else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (key, inner) in fields.iter_mut() {
            if key == "$or" {
                if let Value::Array(branches) = inner {
                    found.extend(branches.iter_mut().flat_map(leaves));
                }
            } else if inner.is_object() {
                found.extend(leaves(inner));
            } else {
                found.push(inner);
            }
        }
        found
    }
    let mut emptied = pattern.clone();
    let mut found = leaves(&mut emptied);
    if !found.is_empty() {
        let at = dice.below(found.len());
        *found.swap_remove(at) = json!([]);
    }
    emptied
}

/// A tiny deterministic random source for [`witness`], seeded by proptest.
pub struct Dice(pub u64);

impl Dice {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    pub fn scalar(&mut self) -> Value {
        match self.below(4) {
            0 => json!(STRINGS[self.below(STRINGS.len())]),
            1 => json!([0, 1, 5, 300][self.below(4)]),
            2 => json!([1.0, 1.5, 300.0, 2.5e-3][self.below(4)]),
            _ => Value::Null,
        }
    }
}

/// An event made to (often, not always) match a pattern: each leaf gets a value that
/// one alternative accepts or a random one, values are sometimes wrapped in arrays with
/// other elements, one `$or` branch is merged in, keys are sometimes dropped.
pub fn witness(pattern: &Value, dice: &mut Dice) -> Value {
    let Value::Object(fields) = pattern else {
        return dice.scalar();
    };
    let mut event = Map::new();
    for (key, value) in fields {
        if key == "$or" {
            if let Value::Array(branches) = value {
                if let Value::Object(branch) = witness(&branches[dice.below(branches.len())], dice)
                {
                    event.extend(branch);
                }
            }
            continue;
        }
        if dice.below(12) == 0 {
            continue;
        }
        let produced = match value {
            Value::Object(_) => Some(witness(value, dice)),
            Value::Array(alternatives) if alternatives.is_empty() => Some(dice.scalar()),
            Value::Array(alternatives) => {
                witness_leaf(&alternatives[dice.below(alternatives.len())], dice)
            }
            scalar => Some(scalar.clone()),
        };
        let Some(mut produced) = produced else {
            continue;
        };
        if dice.below(3) == 0 {
            let mut items: Vec<Value> = (0..dice.below(3)).map(|_| dice.scalar()).collect();
            items.insert(dice.below(items.len() + 1), produced);
            produced = Value::Array(items);
        }
        event.insert(key.clone(), produced);
    }
    Value::Object(event)
}

/// A value the matcher (one alternative of a leaf) likely accepts; `None` for absence.
pub fn witness_leaf(matcher: &Value, dice: &mut Dice) -> Option<Value> {
    let Value::Object(operator) = matcher else {
        return Some(matcher.clone());
    };
    let Some((name, operand)) = operator.iter().next() else {
        return Some(dice.scalar());
    };
    let text = operand.as_str().unwrap_or("");
    Some(match name.as_str() {
        "prefix" => json!(format!(
            "{}c",
            operand
                .get("equals-ignore-case")
                .and_then(Value::as_str)
                .unwrap_or(text)
        )),
        "suffix" => json!(format!(
            "x{}",
            operand
                .get("equals-ignore-case")
                .and_then(Value::as_str)
                .unwrap_or(text)
        )),
        "equals-ignore-case" => json!(text.to_uppercase()),
        "wildcard" => json!(text.replace('*', "b")),
        "exists" if operand == &json!(false) => return None,
        "cidr" => json!("10.0.0.5"),
        "contain" => match operand {
            Value::Array(parts) => {
                json!(parts.iter().filter_map(Value::as_str).collect::<String>())
            }
            _ => json!(format!("_{text}_")),
        },
        "array" => {
            let element: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            json!([dice.scalar(), element])
        }
        _ => dice.scalar(),
    })
}

pub fn event_value(depth: u32) -> BoxedStrategy<Value> {
    if depth == 0 {
        return scalar().boxed();
    }
    prop_oneof![
        4 => scalar(),
        2 => event_object(depth - 1),
        2 => prop::collection::vec(event_value(depth - 1), 0..4).prop_map(Value::Array),
    ]
    .boxed()
}

pub fn event_object(depth: u32) -> BoxedStrategy<Value> {
    prop::collection::vec((proptest::sample::select(KEYS), event_value(depth)), 0..7)
        .prop_map(|fields| {
            Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        })
        .boxed()
}

pub fn event() -> impl Strategy<Value = Value> {
    prop_oneof![
        12 => event_object(3),
        1 => event_value(2), // non-object events
    ]
}
