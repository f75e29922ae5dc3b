//! The rules file, targets and input transforms, and planning the messages for one event.
//!
//! Read once, then compile, then evaluate many events:
//! ```text
//! RulesFile::parse(text, dialect)   every problem at once (RulesError)
//!   .compile(&env_lookup)           queue URLs resolved, enabled rules in one RuleSet
//!   .evaluate(envelope_json)        matched rules + one Delivery per (rule × target)
//! ```
//!
//! ## The file
//! `{"rules": [rule, ...]}`; a rule is `name` (2–60 ASCII letters, digits, `_`, `-`,
//! starting with a letter; unique), `description` (optional), `enabled` (default
//! `true`), `pattern` (an event pattern) and `targets` (optional, at most 10). A target
//! is `queue` (a queue URL; `${NAME}` takes an environment variable), `id` (1–64 of
//! letters, digits, `_`, `-`, `.`; unique in the rule; default `target-<index>`),
//! `input` (`"envelope"` (default), `"data"`, `{"path": ...}` or `{"paths": ...,
//! "template": ...}`, see `transformer`) and `messageGroupId` (FIFO queues only: a
//! JSONPath into the envelope or a literal; default the envelope's `subject`). Unknown
//! keys are errors, with the closest known key suggested. Duplicate JSON keys are not
//! detected (the last one wins, as in `serde_json`).
//!
//! - `file`: the JSON model and its checks ([`RulesFile`], [`RuleSpec`]).
//! - `name`: what rule names and target ids may be.
//! - `env`: `${NAME}` in queue URLs ([`QueueUrlTemplate`]).
//! - `target`: a target's queue, input and FIFO group ([`TargetSpec`], [`Target`]).
//! - `json_path`: singular JSONPath ([`JsonPath`]).
//! - `transformer`: EventBridge-style input transformers ([`InputTransformer`]).
//! - `compiled`: [`CompiledRules`].
//! - `delivery`: [`CompiledRules::evaluate`], messages and idempotency keys.
//! - `envelope_check`, `fifo_id`: envelope check, FIFO ids.
//! - `error`: [`RulesError`] (all problems of a file) and [`EnvelopeError`] (one event).

mod compiled;
mod delivery;
mod env;
mod envelope_check;
mod error;
mod fifo_id;
mod file;
mod json_path;
mod name;
mod target;
mod transformer;

pub use compiled::{CompiledRule, CompiledRules};
pub use delivery::{
    idempotency_key, Delivery, Evaluation, ATTRIBUTE_EVENT_ID, ATTRIBUTE_IDEMPOTENCY_KEY,
    ATTRIBUTE_RULE, ATTRIBUTE_SOURCE, ATTRIBUTE_TARGET, ATTRIBUTE_TYPE, WHOLE_ENVELOPE_EXTRA_BYTES,
};
pub use env::{check_queue_url, EnvLookup, QueueUrlTemplate, ResolveError};
pub use error::{EnvelopeError, RuleProblem, RuleRef, RulesError};
pub use fifo_id::fifo_safe_id;
pub use file::{RuleSpec, RulesFile, MAX_TARGETS};
pub use json_path::{JsonPath, JsonPathError};
pub use name::{check_rule_name, check_target_id};
pub use target::{Input, MessageGroupId, Target, TargetSpec};
pub use transformer::{InputTransformer, RenderInput, MAX_PATHS};

pub use crate::pattern::Dialect;
