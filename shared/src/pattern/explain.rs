//! Why a pattern does or does not match an event, alternative by alternative and
//! condition by condition.
//!
//! Event buses answer "matched: false" and nothing more; a rule author then has to guess
//! which of a dozen conditions failed. [`Pattern::explain`] evaluates the same semantics
//! as [`Pattern::matches`] (`ast.rs`), but keeps every intermediate verdict: for each
//! alternative (one per combination of `$or` branches), for each condition, the event's
//! values at the path, which matchers each value satisfies, and a reason in words.
//!
//! The verdict is computed here, not copied from `matches`, so that every line of the
//! explanation is backed by the check that produced it; `tests/explain_props.rs` checks
//! that both always agree.
//!
//! [`Explanation`] prints as plain text for people ([`std::fmt::Display`]) and
//! serializes to JSON for tools ([`serde::Serialize`], camelCase keys).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Number, Value};

use super::ast::{
    key_ranks, AnythingBut, Condition, FieldValue, Literal, Matcher, NumericRange, ObjectPattern,
    Pattern,
};
use super::expand::join;

/// Values listed per condition in the plain-text form; the JSON form has them all.
const MAX_LISTED_VALUES: usize = 10;

/// The whole verdict: matched when some alternative matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub matched: bool,
    /// One per combination of `$or` branches, in the order of [`Pattern::conjunctions`].
    pub alternatives: Vec<AlternativeExplanation>,
}

/// One way the pattern can match (one [`super::Conjunction`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlternativeExplanation {
    /// The `$or` branches this alternative takes, as pattern locations (`$or[1]`,
    /// `data.$or[0]`, `$or[1].data.$or[0]`); empty for a pattern without `$or`.
    pub branches: Vec<String>,
    pub matched: bool,
    /// Every condition is met by some value, but no choice of values sits in the same
    /// element of every array they share, so the alternative does not match.
    pub array_conflict: bool,
    pub conditions: Vec<ConditionExplanation>,
}

/// One condition: a path and its alternatives (ORed).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionExplanation {
    /// The path as written, keys joined by dots: `data.eventName`.
    pub path: String,
    /// The matchers as written: `"StopInstances"`, `{"prefix":"Delete"}`.
    pub matchers: Vec<Value>,
    /// The event's values at the path (arrays are transparent); empty when absent.
    /// For an `array` matcher, the arrays at the path are listed too.
    pub values: Vec<EventValue>,
    /// Some value (or the absence `{"exists": false}` asks for) satisfies a matcher.
    pub met: bool,
    /// Index into `values` of the value that made the alternative match, when it matched
    /// through a value (not through an absence).
    pub chosen: Option<usize>,
    /// Why, in words.
    pub reason: String,
}

/// One value of the event at a condition's path.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventValue {
    /// Where exactly, with array indexes: `data.resources[1]`.
    pub at: String,
    pub value: Value,
    /// Indexes into the condition's `matchers` that this value satisfies.
    pub satisfies: Vec<usize>,
    /// `matches {"prefix":"Stop"}`, `does not start with "Stop"`, ...
    pub reason: String,
    #[serde(skip)]
    trail: Trail,
}

/// Which element of which array a value sits in: `(array number, index)` per array on
/// the way (as in `reference.rs`).
type Trail = Vec<(usize, usize)>;

impl Pattern {
    /// Why this pattern does or does not match `event`. `explain(e).matched` always equals
    /// [`Pattern::matches`]`(e)`.
    pub fn explain(&self, event: &Value) -> Explanation {
        let mut flat = Flattened::default();
        flatten(
            event,
            &mut Vec::new(),
            &mut String::new(),
            &mut Vec::new(),
            &mut flat,
        );
        let alternatives: Vec<AlternativeExplanation> = alternatives(&self.root, &[], "")
            .into_iter()
            .map(|alternative| explain_alternative(alternative, &flat))
            .collect();
        Explanation {
            matched: alternatives.iter().any(|a| a.matched),
            alternatives,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Alternatives: `$or` expanded like `expand.rs`, remembering which branches were taken.

struct Alternative {
    branches: Vec<String>,
    conditions: Vec<Condition>,
}

/// The same expansion, in the same order, as `expand.rs` (`tests/explain_props.rs` checks
/// it against [`Pattern::conjunctions`]); `at` is the pattern location of `object`.
fn alternatives(object: &ObjectPattern, prefix: &[String], at: &str) -> Vec<Alternative> {
    let mut result = vec![Alternative {
        branches: Vec::new(),
        conditions: Vec::new(),
    }];
    for field in &object.fields {
        let path = join(prefix, &field.key);
        match &field.value {
            FieldValue::Leaf(matchers) => {
                for alternative in &mut result {
                    alternative.conditions.push(Condition {
                        path: path.clone(),
                        matchers: matchers.clone(),
                    });
                }
            }
            FieldValue::Object(inner) => {
                result = cross(
                    &result,
                    &alternatives(inner, &path, &location(at, &field.key)),
                )
            }
        }
    }
    if !object.any_of.is_empty() {
        let mut branches = Vec::new();
        for (index, branch) in object.any_of.iter().enumerate() {
            let here = location(at, &format!("$or[{index}]"));
            for mut alternative in alternatives(branch, prefix, &here) {
                alternative.branches.insert(0, here.clone());
                branches.push(alternative);
            }
        }
        result = cross(&result, &branches);
    }
    result
}

fn cross(left: &[Alternative], right: &[Alternative]) -> Vec<Alternative> {
    let mut out = Vec::with_capacity(left.len() * right.len());
    for l in left {
        for r in right {
            out.push(Alternative {
                branches: l.branches.iter().chain(&r.branches).cloned().collect(),
                conditions: l.conditions.iter().chain(&r.conditions).cloned().collect(),
            });
        }
    }
    out
}

fn location(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

// ---------------------------------------------------------------------------------------
// The event, flattened as in `reference.rs`, with the exact location of every node.

struct Node<'a> {
    path: Vec<&'a str>,
    at: String,
    value: &'a Value,
    trail: Trail,
}

#[derive(Default)]
struct Flattened<'a> {
    /// Scalars.
    leaves: Vec<Node<'a>>,
    /// Arrays (for `array`) and objects (to say "an object is here" instead of "absent").
    containers: Vec<Node<'a>>,
    next_array: usize,
}

fn flatten<'a>(
    value: &'a Value,
    path: &mut Vec<&'a str>,
    at: &mut String,
    trail: &mut Trail,
    flat: &mut Flattened<'a>,
) {
    let node = |path: &Vec<&'a str>, at: &String, trail: &Trail| Node {
        path: path.clone(),
        at: at.clone(),
        value,
        trail: trail.clone(),
    };
    match value {
        Value::Object(map) => {
            if !path.is_empty() {
                flat.containers.push(node(path, at, trail));
            }
            for (key, inner) in map {
                let (depth, length) = (path.len(), at.len());
                path.extend(key.split('.'));
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(key);
                flatten(inner, path, at, trail, flat);
                path.truncate(depth);
                at.truncate(length);
            }
        }
        Value::Array(items) => {
            flat.containers.push(node(path, at, trail));
            let id = flat.next_array;
            flat.next_array += 1;
            for (index, item) in items.iter().enumerate() {
                let length = at.len();
                at.push_str(&format!("[{index}]"));
                // As in `reference.rs`: scalar elements are members of no element.
                let member = item.is_object() || item.is_array();
                if member {
                    trail.push((id, index));
                }
                flatten(item, path, at, trail, flat);
                if member {
                    trail.pop();
                }
                at.truncate(length);
            }
        }
        _ => flat.leaves.push(node(path, at, trail)),
    }
}

fn at_path(node: &Node<'_>, path: &[String]) -> bool {
    node.path
        .iter()
        .copied()
        .eq(path.iter().map(String::as_str))
}

// ---------------------------------------------------------------------------------------
// Verdicts.

fn explain_alternative(alternative: Alternative, flat: &Flattened<'_>) -> AlternativeExplanation {
    let mut conditions: Vec<ConditionExplanation> = alternative
        .conditions
        .iter()
        .map(|condition| explain_condition(condition, flat))
        .collect();
    let all_met = conditions.iter().all(|c| c.met);
    let mut matched = false;
    let mut array_conflict = false;
    if all_met {
        let options: Vec<Vec<Option<usize>>> = conditions.iter().map(options).collect();
        // Chosen in AWS's key order, which decides what an absence is judged against.
        let ranks = key_ranks(&alternative.conditions);
        let mut order: Vec<usize> = (0..conditions.len()).collect();
        order.sort_by_key(|&index| ranks[index]);
        let mut chosen = vec![None; conditions.len()];
        if consistent_choice(&conditions, &options, &order, 0, &mut chosen) {
            matched = true;
            for (condition, pick) in conditions.iter_mut().zip(chosen) {
                condition.chosen = pick;
                let picked: Vec<usize> = pick.into_iter().collect();
                condition.reason = met_reason(condition, &picked);
            }
        } else {
            array_conflict = true;
        }
    }
    AlternativeExplanation {
        branches: alternative.branches,
        matched,
        array_conflict,
        conditions,
    }
}

/// The ways a met condition can be satisfied: a value index, or `None` for the absence
/// `{"exists": false}` asks for (judged against the values chosen before it).
fn options(condition: &ConditionExplanation) -> Vec<Option<usize>> {
    let mut found: Vec<Option<usize>> = condition
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.satisfies.is_empty())
        .map(|(i, _)| Some(i))
        .collect();
    if absence_satisfies(condition) {
        found.push(None);
    }
    found
}

/// Whether the condition asks for absence and can have it: no value at the path sits
/// outside every array (such a value agrees with any choice of elements). Whether the
/// values inside arrays are left out depends on the elements chosen.
fn absence_satisfies(condition: &ConditionExplanation) -> bool {
    wants_absence(condition)
        && condition
            .values
            .iter()
            .all(|v| v.value.is_array() || !v.trail.is_empty())
}

fn wants_absence(condition: &ConditionExplanation) -> bool {
    condition.matchers.iter().any(|m| m == &exists_false())
}

/// The values at the path (not the arrays listed for an `array` matcher).
fn leaf_values(condition: &ConditionExplanation) -> impl Iterator<Item = &EventValue> {
    condition.values.iter().filter(|v| !v.value.is_array())
}

fn exists_false() -> Value {
    Matcher::Exists(false).to_json()
}

/// Picks one option per condition, in `order` (key order; the first `done` are picked),
/// so that all picked values agree on every array element they share and every absence
/// holds against the values picked before it (backtracking, as in `reference.rs`).
fn consistent_choice(
    conditions: &[ConditionExplanation],
    options: &[Vec<Option<usize>>],
    order: &[usize],
    done: usize,
    chosen: &mut [Option<usize>],
) -> bool {
    let Some(&current) = order.get(done) else {
        return true;
    };
    let picked: Vec<&Trail> = order[..done]
        .iter()
        .filter_map(|&c| chosen[c].map(|p| &conditions[c].values[p].trail))
        .collect();
    for option in &options[current] {
        let fits = match option {
            // Each value at the path must sit in an element other than one picked.
            None => leaf_values(&conditions[current])
                .all(|value| !picked.iter().all(|trail| agree(trail, &value.trail))),
            Some(index) => {
                let trail = &conditions[current].values[*index].trail;
                picked.iter().all(|other| agree(other, trail))
            }
        };
        if fits {
            chosen[current] = *option;
            if consistent_choice(conditions, options, order, done + 1, chosen) {
                return true;
            }
            chosen[current] = None;
        }
    }
    false
}

fn agree(a: &Trail, b: &Trail) -> bool {
    a.iter()
        .all(|(array, index)| b.iter().all(|(other, i)| other != array || i == index))
}

fn explain_condition(condition: &Condition, flat: &Flattened<'_>) -> ConditionExplanation {
    let matchers: Vec<Value> = condition.matchers.iter().map(Matcher::to_json).collect();
    let mut values: Vec<EventValue> = flat
        .leaves
        .iter()
        .filter(|leaf| at_path(leaf, &condition.path))
        .map(|leaf| EventValue {
            at: leaf.at.clone(),
            value: leaf.value.clone(),
            satisfies: condition
                .matchers
                .iter()
                .enumerate()
                .filter(|(_, m)| m.matches_scalar(leaf.value))
                .map(|(i, _)| i)
                .collect(),
            reason: String::new(),
            trail: leaf.trail.clone(),
        })
        .collect();
    if condition
        .matchers
        .iter()
        .any(|m| matches!(m, Matcher::ArrayElement(_)))
    {
        values.extend(
            flat.containers
                .iter()
                .filter(|node| node.value.is_array() && at_path(node, &condition.path))
                .map(|node| EventValue {
                    at: node.at.clone(),
                    value: node.value.clone(),
                    satisfies: condition
                        .matchers
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| m.matches_array(node.value))
                        .map(|(i, _)| i)
                        .collect(),
                    reason: String::new(),
                    trail: node.trail.clone(),
                }),
        );
    }
    for value in &mut values {
        value.reason = value_reason(&condition.matchers, value);
    }
    let mut explained = ConditionExplanation {
        path: condition.path.join("."),
        matchers,
        values,
        met: false,
        chosen: None,
        reason: String::new(),
    };
    let satisfying: Vec<usize> = explained
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.satisfies.is_empty())
        .map(|(i, _)| i)
        .collect();
    explained.met = !satisfying.is_empty() || absence_satisfies(&explained);
    explained.reason = if explained.met && satisfying.is_empty() {
        absence_reason(&explained, false)
    } else if explained.met {
        met_reason(&explained, &satisfying)
    } else {
        unmet_reason(condition, &explained, flat)
    };
    explained
}

// ---------------------------------------------------------------------------------------
// Reasons in words.

/// Why `{"exists": false}` holds, or (before array elements are chosen, `chosen` false)
/// can hold: nothing at the path, or only values inside arrays, which count as absent
/// when the elements chosen leave them out.
fn absence_reason(condition: &ConditionExplanation, chosen: bool) -> String {
    let exists_false = compact(&exists_false());
    let places: Vec<&str> = leaf_values(condition).map(|v| v.at.as_str()).collect();
    match (places.is_empty(), chosen) {
        (true, _) => format!("absent, as {exists_false} requires"),
        (false, true) => format!(
            "absent from the array elements chosen, as {exists_false} requires (present only at {})",
            places.join(", ")
        ),
        (false, false) => format!(
            "present only inside arrays (at {}): absent if other elements are chosen, as {exists_false} requires",
            places.join(", ")
        ),
    }
}

/// `"x" matches {"prefix":"x"}`, naming where when the value sits below the path, and
/// every place when several values match.
fn met_reason(condition: &ConditionExplanation, satisfying: &[usize]) -> String {
    let Some(&first) = satisfying.first() else {
        return absence_reason(condition, true);
    };
    let value = &condition.values[first];
    let matcher = &condition.matchers[value.satisfies[0]];
    let mut reason = format!("{} matches {}", compact(&value.value), compact(matcher));
    let places: Vec<&str> = satisfying
        .iter()
        .map(|&i| condition.values[i].at.as_str())
        .collect();
    if places.len() > 1 || places[0] != condition.path {
        reason.push_str(&format!(" (at {})", places.join(", ")));
    }
    reason
}

fn unmet_reason(
    condition: &Condition,
    explained: &ConditionExplanation,
    flat: &Flattened<'_>,
) -> String {
    if condition.matchers.is_empty() {
        return "the empty list [] has no alternative, so no value matches it".to_string();
    }
    let values = &explained.values;
    if values.is_empty() {
        let container = flat
            .containers
            .iter()
            .find(|node| at_path(node, &condition.path));
        return match container.map(|node| node.value) {
            Some(Value::Object(map)) if !map.is_empty() => {
                "no value here: the event has an object at this path, and patterns match only the values inside objects".to_string()
            }
            Some(Value::Object(_)) => "no value here: the event has an empty object at this path".to_string(),
            Some(_) => "no value here: the event has an empty array at this path".to_string(),
            None => "absent: the event has no value at this path".to_string(),
        };
    }
    let only_absence = condition
        .matchers
        .iter()
        .all(|m| matches!(m, Matcher::Exists(false)));
    if only_absence {
        return format!(
            "present, but {} requires it absent",
            compact(&exists_false())
        );
    }
    match values.as_slice() {
        [value] => format!("{}: {}", compact(&value.value), value.reason),
        _ => format!("none of the {} values here matches", values.len()),
    }
}

/// What one value does against a condition's matchers.
fn value_reason(matchers: &[Matcher], value: &EventValue) -> String {
    if let Some(&first) = value.satisfies.first() {
        return format!("matches {}", compact(&matchers[first].to_json()));
    }
    match matchers {
        [matcher] => why_not(matcher, &value.value),
        _ => format!("matches none of the {} alternatives", matchers.len()),
    }
}

/// Why one value fails one matcher.
fn why_not(matcher: &Matcher, value: &Value) -> String {
    let needs_string = || {
        format!(
            "{} needs a string, got {}",
            compact(&matcher.to_json()),
            a_type(value)
        )
    };
    match matcher {
        Matcher::Exact(literal) => {
            let want = literal.to_json();
            if type_name(&want) == type_name(value) {
                format!("not equal to {}", compact(&want))
            } else {
                format!("{} never equals {}", a_type(value), the_literal(&want))
            }
        }
        _ if !value.is_string()
            && matches!(
                matcher,
                Matcher::Prefix { .. }
                    | Matcher::Suffix { .. }
                    | Matcher::EqualsIgnoreCase(_)
                    | Matcher::Wildcard(_)
                    | Matcher::Cidr(_)
                    | Matcher::Contain(_)
            ) =>
        {
            needs_string()
        }
        Matcher::Prefix {
            value: p,
            ignore_case,
        } => {
            format!(
                "does not start with {}{}",
                quoted(p),
                ignoring_case(*ignore_case)
            )
        }
        Matcher::Suffix {
            value: s,
            ignore_case,
        } => {
            format!(
                "does not end with {}{}",
                quoted(s),
                ignoring_case(*ignore_case)
            )
        }
        Matcher::EqualsIgnoreCase(s) => format!("not equal to {} ignoring case", quoted(s)),
        Matcher::Wildcard(w) => format!("does not match the wildcard {}", quoted(&w.source)),
        Matcher::AnythingBut(_) => format!("excluded by {}", compact(&matcher.to_json())),
        Matcher::Numeric(range) => match value {
            Value::Number(_) => format!("outside the range {}", compact(&range.to_json())),
            _ => format!("numeric needs a number, got {}", a_type(value)),
        },
        Matcher::Exists(_) => format!(
            "present, but {} requires it absent",
            compact(&matcher.to_json())
        ),
        Matcher::Cidr(net) => format!("not an IP address inside {net}"),
        Matcher::Contain(needles) => {
            let text = value.as_str().unwrap_or_default();
            match needles.iter().find(|n| !text.contains(n.as_str())) {
                Some(missing) => format!("does not contain {}", quoted(missing)),
                None => "does not contain every substring".to_string(),
            }
        }
        Matcher::ArrayElement(pairs) => format!(
            "not an array with an element holding {}",
            compact(&Value::Object(pairs.clone()))
        ),
    }
}

fn ignoring_case(ignore_case: bool) -> &'static str {
    if ignore_case {
        " ignoring case"
    } else {
        ""
    }
}

fn quoted(text: &str) -> String {
    compact(&Value::String(text.to_string()))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn a_type(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Array(_) | Value::Object(_) => format!("an {}", type_name(value)),
        _ => format!("a {}", type_name(value)),
    }
}

/// `the number 0`, `the string "0"`, `null`.
fn the_literal(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        _ => format!("the {} {}", type_name(value), compact(value)),
    }
}

/// One-line JSON; values that cannot be serialized never occur (`Value` always can).
fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Matchers back to JSON, as written.

impl Matcher {
    /// The matcher in pattern JSON (`{"prefix":"Delete"}`, `"StopInstances"`), for
    /// messages. Numbers that are whole print without a fraction (`300`, not `300.0`); a
    /// one-value list in `anything-but` or `contain` prints as the value.
    pub fn to_json(&self) -> Value {
        let one_or_many = |values: Vec<Value>| match <[Value; 1]>::try_from(values) {
            Ok([single]) => single,
            Err(values) => Value::Array(values),
        };
        let strings =
            |values: &[String]| one_or_many(values.iter().cloned().map(Value::String).collect());
        let operator = |name: &str, operand: Value| {
            let mut map = Map::new();
            map.insert(name.to_string(), operand);
            Value::Object(map)
        };
        match self {
            Matcher::Exact(literal) => literal.to_json(),
            Matcher::Prefix { value, ignore_case } | Matcher::Suffix { value, ignore_case } => {
                let name = if matches!(self, Matcher::Prefix { .. }) {
                    "prefix"
                } else {
                    "suffix"
                };
                let operand = if *ignore_case {
                    operator("equals-ignore-case", Value::String(value.clone()))
                } else {
                    Value::String(value.clone())
                };
                operator(name, operand)
            }
            Matcher::EqualsIgnoreCase(value) => {
                operator("equals-ignore-case", Value::String(value.clone()))
            }
            Matcher::Wildcard(wildcard) => {
                operator("wildcard", Value::String(wildcard.source.clone()))
            }
            Matcher::AnythingBut(operand) => operator(
                "anything-but",
                match operand {
                    AnythingBut::Literals(literals) => {
                        one_or_many(literals.iter().map(Literal::to_json).collect())
                    }
                    AnythingBut::Prefix(values) => operator("prefix", strings(values)),
                    AnythingBut::Suffix(values) => operator("suffix", strings(values)),
                    AnythingBut::EqualsIgnoreCase(values) => {
                        operator("equals-ignore-case", strings(values))
                    }
                    AnythingBut::Wildcard(wildcards) => operator(
                        "wildcard",
                        one_or_many(
                            wildcards
                                .iter()
                                .map(|w| Value::String(w.source.clone()))
                                .collect(),
                        ),
                    ),
                },
            ),
            Matcher::Numeric(range) => operator("numeric", range.to_json()),
            Matcher::Exists(present) => operator("exists", Value::Bool(*present)),
            Matcher::Cidr(net) => operator("cidr", Value::String(net.to_string())),
            Matcher::Contain(needles) => operator("contain", strings(needles)),
            Matcher::ArrayElement(pairs) => operator("array", Value::Object(pairs.clone())),
        }
    }
}

impl Literal {
    /// The literal as JSON; whole numbers without a fraction.
    pub fn to_json(&self) -> Value {
        match self {
            Literal::String(s) => Value::String(s.clone()),
            Literal::Number(n) => number(*n),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Null => Value::Null,
        }
    }
}

impl NumericRange {
    /// The operand of `numeric`: `["=", 300]`, `[">", 0, "<=", 5]`.
    pub fn to_json(&self) -> Value {
        let mut items = Vec::with_capacity(4);
        match (self.lower, self.upper) {
            (Some(lower), Some(upper))
                if lower.inclusive && upper.inclusive && lower.value == upper.value =>
            {
                return Value::Array(vec![Value::from("="), number(lower.value)]);
            }
            _ => {}
        }
        if let Some(lower) = self.lower {
            items.push(Value::from(if lower.inclusive { ">=" } else { ">" }));
            items.push(number(lower.value));
        }
        if let Some(upper) = self.upper {
            items.push(Value::from(if upper.inclusive { "<=" } else { "<" }));
            items.push(number(upper.value));
        }
        Value::Array(items)
    }
}

/// Whole numbers within `i64`'s exact range print as integers.
fn number(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        Value::from(n as i64)
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

// ---------------------------------------------------------------------------------------
// Plain text.

impl fmt::Display for Explanation {
    /// ```text
    /// no match: none of the 2 alternatives matches
    /// alternative 1 of 2 ($or[0]): no match
    ///   ok    data.errorCode [0,"0"]: 0 matches 0
    ///   FAIL  source ["cvm.cloud.tencent"]: "vpc.cloud.tencent": not equal to "cvm.cloud.tencent"
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.alternatives.len();
        let matched: Vec<String> = self
            .alternatives
            .iter()
            .enumerate()
            .filter(|(_, a)| a.matched)
            .map(|(i, a)| label(i, total, a))
            .collect();
        match (self.matched, total) {
            (true, 1) => writeln!(f, "match")?,
            (true, _) => writeln!(f, "match: {} matches", matched.join("; "))?,
            (false, 1) => writeln!(f, "no match")?,
            (false, _) => writeln!(f, "no match: none of the {total} alternatives matches")?,
        }
        for (index, alternative) in self.alternatives.iter().enumerate() {
            if total > 1 {
                let verdict = if alternative.matched {
                    "match"
                } else {
                    "no match"
                };
                writeln!(f, "{}: {verdict}", label(index, total, alternative))?;
            }
            for condition in &alternative.conditions {
                write_condition(f, condition)?;
            }
            if alternative.array_conflict {
                let absence_in_arrays = alternative
                    .conditions
                    .iter()
                    .any(|c| wants_absence(c) && leaf_values(c).next().is_some());
                writeln!(
                    f,
                    "  every condition is met, but never all in the same element of the arrays they share (fields under one array element must match in that same element{})",
                    if absence_in_arrays {
                        ", and a field {\"exists\":false} asks for must be missing from the elements the fields before it in key order chose"
                    } else {
                        ""
                    }
                )?;
            }
        }
        Ok(())
    }
}

fn label(index: usize, total: usize, alternative: &AlternativeExplanation) -> String {
    if alternative.branches.is_empty() {
        format!("alternative {} of {total}", index + 1)
    } else {
        format!(
            "alternative {} of {total} ({})",
            index + 1,
            alternative.branches.join(", ")
        )
    }
}

fn write_condition(f: &mut fmt::Formatter<'_>, condition: &ConditionExplanation) -> fmt::Result {
    let mark = if condition.met { "ok  " } else { "FAIL" };
    writeln!(
        f,
        "  {mark}  {} {}: {}",
        condition.path,
        compact(&Value::Array(condition.matchers.clone())),
        condition.reason
    )?;
    let listed = !condition.met
        && (condition.values.len() > 1
            || condition
                .values
                .first()
                .is_some_and(|v| v.at != condition.path));
    if listed {
        for value in condition.values.iter().take(MAX_LISTED_VALUES) {
            writeln!(
                f,
                "          {} = {}: {}",
                value.at,
                compact(&value.value),
                value.reason
            )?;
        }
        if condition.values.len() > MAX_LISTED_VALUES {
            writeln!(
                f,
                "          ... and {} more",
                condition.values.len() - MAX_LISTED_VALUES
            )?;
        }
    }
    Ok(())
}
