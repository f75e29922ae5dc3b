//! Event patterns: parsing and validation in two dialects, and the reference evaluator.
//!
//! `Pattern::parse` is the only way in; every later stage works on the validated
//! [`ast`] types.
//!
//! - [`ast`]: the validated types and the matching semantics.
//! - `parse`: JSON into [`Pattern`], in the default or the aws [`Dialect`].
//! - `expand`: [`Pattern::conjunctions`], `$or` expanded.
//! - `matcher`: [`Matcher::matches_scalar`], what one leaf value must be.
//! - `reference`: [`Pattern::matches`], the plain evaluator everything is tested against.
//! - [`explain`]: [`Pattern::explain`], why a pattern does or does not match an event.
//! - `wildcard`, `numeric`, `cidr`: operand parsing and testing for those operators.
//!
//! ## Dialects
//! The default dialect is the aws dialect plus: bare scalars (`"source": "x"` is
//! `["x"]`), `{"contain": "s"}` / `{"contain": ["a", "b"]}` (a string containing every
//! substring; never matches a non-string), `{"array": "{\"k\":\"v\"}"}` (also accepted
//! with the object itself as operand), `$or` branches may use operator names as field
//! names, CIDR blocks may be `/32` and `/128` (and one written with host bits set,
//! `10.0.0.5/24`, is the whole block, where AWS matches from `.5` up), and a leaf may be
//! the empty list `[]` (no alternatives: no value matches it; operand lists may still
//! not be empty), and a numeric range is refused only when no number is in it (AWS also
//! refuses `[">=", 5, "<=", 5]` and `[">", 5e9]`). Everything else (including the
//! wildcard complexity limit and the ±5e9 limit on numbers written) is the same in both.
//!
//! ## Where this deliberately differs from AWS
//! - Reasons: `{"cidr": [..]}` says "cidr match pattern must be a string" (AWS: "prefix
//!   match pattern must be a string"); extra keys beside `anything-but` or inside its
//!   object say "Only one key allowed in match expression" (AWS: "Too many elements in
//!   numeric expression"); an empty `anything-but` list or `numeric` array says "Empty
//!   arrays are not allowed".
//! - Rejected although AWS accepts: an empty list inside `anything-but`'s
//!   `prefix`/`suffix`/`equals-ignore-case`/`wildcard`; event-ruler's undocumented
//!   `{"exactly": ..}` operator.
//! - Matching: open-ended numeric ranges are unbounded (AWS never matches values beyond
//!   ±5e9); numbers compare as `f64` (AWS: to 6 decimal places); an exact string that
//!   looks like an IP address compares as a string (AWS compares the address); a key given
//!   both dotted and nested (`"a.b"` and `"a": {"b"}`) or both outside and inside a `$or`
//!   branch is ANDed (AWS keeps the one written last). Exact numbers beyond ±5e9 compare
//!   by value too (AWS compares their text there: `[123456789012]` never matches
//!   `123456789012.0`).
//! - Ignoring case, characters beyond U+FFFF (emoji, some scripts) match themselves and
//!   their case forms; event-ruler splits them into UTF-16 halves, which match nothing.
//! - A key written twice is read as JSON parsers read it: the last one counts. Inside one
//!   operator object (`{"prefix": "a", "prefix": "b"}`) event-ruler, reading tokens,
//!   refuses it ("Only one key allowed in match expression"); whether EventBridge hands
//!   it the text or a parsed tree is not documented, so this is unverified.
//! - Wildcard complexity is a model of event-ruler's evaluator (see `wildcard.rs`),
//!   calibrated on AWS's verdicts, not a copy of it.

pub mod ast;
pub(crate) mod cidr;
mod error;
mod expand;
pub mod explain;
mod matcher;
mod numeric;
mod parse;
mod reference;
mod wildcard;

pub use ast::*;
pub use error::PatternError;
pub use expand::MAX_CONJUNCTIONS;
pub use explain::{AlternativeExplanation, ConditionExplanation, EventValue, Explanation};
