//! What one leaf value must be for one matcher: the single home of value semantics.

use serde_json::{Map, Value};

use super::ast::{AnythingBut, Literal, Matcher};
use super::cidr::cidr_contains;

impl Literal {
    /// Equal value: strings by content, numbers by value (`300` = `300.0`), never a string
    /// against a number; `null` only equals `null`.
    pub fn matches(&self, leaf: &Value) -> bool {
        match (self, leaf) {
            (Literal::String(s), Value::String(v)) => s == v,
            (Literal::Number(n), Value::Number(v)) => v.as_f64() == Some(*n),
            (Literal::Bool(b), Value::Bool(v)) => b == v,
            (Literal::Null, Value::Null) => true,
            _ => false,
        }
    }
}

impl Matcher {
    /// Whether one leaf value (a scalar at the condition's path) satisfies this matcher.
    ///
    /// String operators (prefix, suffix, equals-ignore-case, wildcard, cidr, contain)
    /// never match a non-string. `anything-but` matches every present leaf that does not
    /// match its operand, of any type, `null` included. `{"exists": true}` matches any
    /// leaf and `{"exists": false}` none (a leaf is present); `array` needs the whole
    /// array and is false here (the reference evaluator handles it).
    pub fn matches_scalar(&self, leaf: &Value) -> bool {
        match self {
            Matcher::Exact(literal) => literal.matches(leaf),
            Matcher::Prefix { value, ignore_case } => with_str(leaf, |s| {
                if *ignore_case {
                    starts_with_ignore_case(s, value)
                } else {
                    s.starts_with(value.as_str())
                }
            }),
            Matcher::Suffix { value, ignore_case } => with_str(leaf, |s| {
                if *ignore_case {
                    ends_with_ignore_case(s, value)
                } else {
                    s.ends_with(value.as_str())
                }
            }),
            Matcher::EqualsIgnoreCase(value) => with_str(leaf, |s| equals_ignore_case(s, value)),
            Matcher::Wildcard(wildcard) => with_str(leaf, |s| wildcard.matches(s)),
            Matcher::AnythingBut(operand) => !operand.excludes(leaf),
            Matcher::Numeric(range) => leaf.as_f64().is_some_and(|v| range.contains(v)),
            Matcher::Exists(present) => *present,
            Matcher::Cidr(net) => with_str(leaf, |s| cidr_contains(net, s)),
            Matcher::Contain(needles) => {
                with_str(leaf, |s| needles.iter().all(|n| s.contains(n.as_str())))
            }
            Matcher::ArrayElement(_) => false,
        }
    }

    /// Tencent `array`: whether `value` is an array with an element that is an object
    /// holding every key of the operand with an equal value (numbers by value, `1` =
    /// `1.0`). False for every other matcher and for a non-array value. The one home of
    /// this test: the reference evaluator, `explain` and the compiled rule set call it.
    pub fn matches_array(&self, value: &Value) -> bool {
        match (self, value) {
            (Matcher::ArrayElement(pairs), Value::Array(items)) => items
                .iter()
                .any(|element| element_has_pairs(element, pairs)),
            _ => false,
        }
    }
}

/// Tencent `array`, for one element: an object holding every pair (numbers by value).
pub(crate) fn element_has_pairs(element: &Value, pairs: &Map<String, Value>) -> bool {
    let Value::Object(object) = element else {
        return false;
    };
    pairs
        .iter()
        .all(|(key, want)| object.get(key).is_some_and(|got| json_equal(want, got)))
}

/// JSON equality with numbers compared by value (`1` = `1.0`).
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

impl AnythingBut {
    /// Whether the leaf matches the operand (so `anything-but` does NOT match it).
    /// Only strings can match the string forms.
    pub fn excludes(&self, leaf: &Value) -> bool {
        match self {
            AnythingBut::Literals(literals) => literals.iter().any(|l| l.matches(leaf)),
            AnythingBut::Prefix(values) => {
                with_str(leaf, |s| values.iter().any(|v| s.starts_with(v.as_str())))
            }
            AnythingBut::Suffix(values) => {
                with_str(leaf, |s| values.iter().any(|v| s.ends_with(v.as_str())))
            }
            AnythingBut::EqualsIgnoreCase(values) => {
                with_str(leaf, |s| values.iter().any(|v| equals_ignore_case(s, v)))
            }
            AnythingBut::Wildcard(wildcards) => {
                with_str(leaf, |s| wildcards.iter().any(|w| w.matches(s)))
            }
        }
    }
}

fn with_str(leaf: &Value, test: impl FnOnce(&str) -> bool) -> bool {
    match leaf {
        Value::String(s) => test(s),
        _ => false,
    }
}

/// Case-insensitive comparisons fold with Unicode lowercase mapping, char by char,
/// without allocating.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

pub(crate) fn equals_ignore_case(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    let mut text = folded(text);
    folded(prefix).all(|c| text.next() == Some(c))
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    let mut text = text.chars().rev().flat_map(char::to_lowercase);
    suffix
        .chars()
        .rev()
        .flat_map(char::to_lowercase)
        .all(|c| text.next() == Some(c))
}
