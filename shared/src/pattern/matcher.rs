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

/// Case-insensitive comparison as AWS does it (event-ruler's `EqualsIgnoreCaseParser`):
/// each character of the pattern's text matches its own lower-case or upper-case form,
/// with full mappings (`ß` matches `ß` or `SS`, `İ` matches `i̇` or `İ`), and the event's
/// text must be a sequence of such forms. This is not a fold of both sides: the Kelvin
/// sign is no form of `k`, and `SS` in a pattern never matches `ß`. Characters are code
/// points (event-ruler splits those beyond U+FFFF into UTF-16 halves, which then match
/// nothing; here they match themselves).
pub(crate) fn equals_ignore_case(text: &str, pattern: &str) -> bool {
    if pattern.is_ascii() {
        // An ASCII character's forms are its two ASCII cases, so no other byte matches.
        return text.as_bytes().eq_ignore_ascii_case(pattern.as_bytes());
    }
    forms_from_start(text, pattern).contains(&text.len())
}

fn starts_with_ignore_case(text: &str, pattern: &str) -> bool {
    if pattern.is_ascii() {
        return text.len() >= pattern.len()
            && text.as_bytes()[..pattern.len()].eq_ignore_ascii_case(pattern.as_bytes());
    }
    !forms_from_start(text, pattern).is_empty()
}

fn ends_with_ignore_case(text: &str, pattern: &str) -> bool {
    if pattern.is_ascii() {
        return text.len() >= pattern.len()
            && text.as_bytes()[text.len() - pattern.len()..]
                .eq_ignore_ascii_case(pattern.as_bytes());
    }
    // From the end: every offset where the forms of the last characters of the pattern
    // can start, one character at a time.
    let mut ends = vec![text.len()];
    for c in pattern.chars().rev() {
        let mut starts = Vec::with_capacity(ends.len());
        for &end in &ends {
            for form in case_forms(c) {
                if text[..end].ends_with(form.as_str()) {
                    starts.push(end - form.len());
                }
            }
        }
        starts.sort_unstable();
        starts.dedup();
        if starts.is_empty() {
            return false;
        }
        ends = starts;
    }
    true
}

/// The byte offsets of `text` where a sequence of the case forms of `pattern`'s
/// characters, taken from the start of `text`, can end.
fn forms_from_start(text: &str, pattern: &str) -> Vec<usize> {
    let mut ends = vec![0];
    for c in pattern.chars() {
        let mut next = Vec::with_capacity(ends.len());
        for &at in &ends {
            for form in case_forms(c) {
                if text[at..].starts_with(form.as_str()) {
                    next.push(at + form.len());
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return next;
        }
        ends = next;
    }
    ends
}

/// A character's lower-case and upper-case forms (one when they are the same).
fn case_forms(c: char) -> impl Iterator<Item = String> {
    let lower: String = c.to_lowercase().collect();
    let upper: String = c.to_uppercase().collect();
    let distinct = (upper != lower).then_some(upper);
    std::iter::once(lower).chain(distinct)
}
