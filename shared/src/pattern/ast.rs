//! The validated form of an event pattern.
//!
//! Parsing (`parse.rs`) turns JSON into these types and rejects everything invalid, so
//! every consumer (the reference evaluator, the compiled [`crate::ruleset::RuleSet`],
//! `explain`, `lint`) can rely on them without re-checking.
//!
//! ## Semantics, in one place
//! An event is seen as its *leaves*: every scalar (string, number, bool, null) with the
//! path of keys that leads to it, each key split at dots (so `{"a.b": 1}` and
//! `{"a": {"b": 1}}` both have a leaf at `a`/`b`), plus, for each array on the way whose
//! element holding it is an object or an array, the index of that element (a scalar
//! element of an array is a member of no element, as in event-ruler). Arrays are transparent in paths; empty arrays and
//! empty objects have no leaves.
//!
//! A [`Pattern`] is expanded ([`Pattern::conjunctions`]) into alternatives of
//! [`Conjunction`]s (one per combination of `$or` branches). A conjunction matches when
//! every positive condition is satisfied by some leaf at its path, and the chosen leaves
//! agree on the element index of every array they share (fields under one array element
//! must match in that same element).
//!
//! An `{"exists": false}` matcher is satisfied when no leaf at its path agrees with the
//! array elements already chosen. "Already" is AWS's order: event-ruler walks a rule's
//! fields sorted by dotted path ([`Conjunction::key_ranks`]) and checks absence against
//! the elements the conditions before it chose. So with no array involved it means "no
//! leaf at all", and for `{"Ingress": {"CidrBlock": ["0.0.0.0/0"], "Description":
//! [{"exists": false}]}}` it means "an ingress entry open to the world without a
//! description", whatever the other entries hold.

use ipnet::IpNet;
use serde_json::{Map, Value};

/// Which pattern language a pattern is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Dialect {
    /// AWS's language plus Tencent's bare scalars, `contain` and `array`.
    #[default]
    Default,
    /// Exactly what AWS EventBridge accepts; everything it rejects is an error.
    Aws,
}

/// A parsed and validated event pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub root: ObjectPattern,
}

/// One object level of a pattern: its field conditions and its `$or`, all ANDed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectPattern {
    /// Conditions on keys of this object, in the order written.
    pub fields: Vec<FieldPattern>,
    /// The branches of this level's `$or` (empty when there is none); one must match.
    pub any_of: Vec<ObjectPattern>,
}

/// A condition on one key (which may contain dots) of an object level.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPattern {
    /// The key exactly as written in the pattern.
    pub key: String,
    pub value: FieldValue,
}

/// What a key maps to in a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A nested object pattern.
    Object(ObjectPattern),
    /// A leaf: alternatives, ORed. Empty only for `[]` in the default dialect, which
    /// nothing matches (the aws dialect refuses it).
    Leaf(Vec<Matcher>),
}

/// A scalar value in a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    /// Numbers compare by value: `300` matches `300.0`.
    Number(f64),
    Bool(bool),
    Null,
}

/// One alternative of a leaf.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Equal value (numbers by value, never a string against a number).
    Exact(Literal),
    /// String starts with `value` (ASCII/Unicode case folded when `ignore_case`).
    Prefix { value: String, ignore_case: bool },
    /// String ends with `value`.
    Suffix { value: String, ignore_case: bool },
    /// String equal ignoring case.
    EqualsIgnoreCase(String),
    /// String matches a `*` pattern.
    Wildcard(Wildcard),
    /// Present and not matching the operand (a `null` value counts as not matching).
    AnythingBut(AnythingBut),
    /// A JSON number in the range.
    Numeric(NumericRange),
    /// `true`: a leaf exists at the path; `false`: none does.
    Exists(bool),
    /// An IP address string inside the block.
    Cidr(IpNet),
    /// Tencent: the string contains every one of these substrings.
    Contain(Vec<String>),
    /// Tencent `array`: the field is an array with an element (an object) that has all
    /// of these key/value pairs.
    ArrayElement(Map<String, Value>),
}

/// The operand of `anything-but`.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// Not equal to any of these strings or numbers.
    Literals(Vec<Literal>),
    /// Not a string starting with any of these.
    Prefix(Vec<String>),
    /// Not a string ending with any of these.
    Suffix(Vec<String>),
    /// Not a string equal, ignoring case, to any of these.
    EqualsIgnoreCase(Vec<String>),
    /// Not a string matching any of these wildcards.
    Wildcard(Vec<Wildcard>),
}

/// A numeric range; an absent bound is unbounded. `=` sets both bounds inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumericRange {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
}

/// One end of a [`NumericRange`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub inclusive: bool,
}

/// A wildcard pattern: literal segments with a `*` between each pair.
///
/// `"a*b*c"` is `["a", "b", "c"]`; `"*/dir/*"` is `["", "/dir/", ""]`; `"abc"` (no star)
/// is `["abc"]` and matches only `abc`. Escapes (`\*`) are already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// The pattern as written, for messages.
    pub source: String,
    pub segments: Vec<String>,
}

/// A path in an event: keys split at dots. `["detail", "state"]`.
pub type Path = Vec<String>;

/// One condition of a [`Conjunction`]: a path and its ORed alternatives (none for `[]`,
/// so the condition never holds).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub path: Path,
    pub matchers: Vec<Matcher>,
}

/// One way a pattern can match: all conditions hold, in consistent array elements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Conjunction {
    pub conditions: Vec<Condition>,
}

impl Conjunction {
    /// Each condition's place in the order AWS considers fields in: by dotted path, as
    /// Java sorts strings (UTF-16 code units), ties in condition order. An
    /// `{"exists": false}` condition is judged against the array elements chosen by the
    /// conditions ranked before it.
    pub fn key_ranks(&self) -> Vec<usize> {
        key_ranks(&self.conditions)
    }
}

/// [`Conjunction::key_ranks`] of any list of conditions.
pub(crate) fn key_ranks(conditions: &[Condition]) -> Vec<usize> {
    let keys: Vec<Vec<u16>> = conditions
        .iter()
        .map(|condition| condition.path.join(".").encode_utf16().collect())
        .collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut ranks = vec![0; keys.len()];
    for (rank, index) in order.into_iter().enumerate() {
        ranks[index] = rank;
    }
    ranks
}
