//! Evaluating one event: which rules match, and the message for each of their targets.
//!
//! Most events match nothing, so the path for them is: a borrowed check that the text is
//! an envelope, then [`RuleSet::matches_json`](crate::ruleset::RuleSet::matches_json),
//! which reads only the fields rules use. The envelope (and, when a target needs paths,
//! its JSON value) is built only after something matched.
//!
//! Every message carries string attributes `rule`, `target`, `event-id`, `source`,
//! `type` and `idempotency-key` (attributes whose value would be empty are left out:
//! SQS refuses empty values). The idempotency key is a UUID v5 of (event id, rule name,
//! target id): a source message delivered twice yields the same key, so consumers (and
//! FIFO deduplication, which uses it as `MessageDeduplicationId`) can drop the repeat.

use super::compiled::{CompiledRule, CompiledRules};
use super::envelope_check;
use super::error::EnvelopeError;
use super::fifo_id::fifo_safe_id;
use super::name::{RULE_NAME_LENGTH, TARGET_ID_LENGTH};
use super::target::{Input, MessageGroupId, Target};
use super::transformer::RenderInput;
use crate::envelope::Envelope;
use crate::outbound::{attribute_size, sqs_safe_json, sqs_safe_text, OutboundMessage};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Namespace of idempotency keys. Never change it: keys would change, and a message
/// re-delivered across a deployment would no longer be recognised as a repeat.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0xf492_f3d6_b371_4a1b_a0bf_8073_ad55_02e3);

/// Message attribute names.
pub const ATTRIBUTE_RULE: &str = "rule";
pub const ATTRIBUTE_TARGET: &str = "target";
pub const ATTRIBUTE_EVENT_ID: &str = "event-id";
pub const ATTRIBUTE_SOURCE: &str = "source";
pub const ATTRIBUTE_TYPE: &str = "type";
pub const ATTRIBUTE_IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Characters of an idempotency key: a hyphenated UUID.
const IDEMPOTENCY_KEY_CHARS: usize = 36;

/// The most bytes a target delivering the whole envelope adds to the envelope's own
/// message on the events queue, whose attributes are `id`, `source` and `type`
/// (normalize's `envelope_message`): `rule`, `target` and `idempotency-key` at their
/// longest, and `event-id` where that message has `id`. The body is the same text.
/// normalize keeps this much room under the size limit, so that every envelope it
/// forwards fits whole in a target message: one that could not would fail its message
/// on every receive, and re-send that message's other deliveries each time.
pub const WHOLE_ENVELOPE_EXTRA_BYTES: usize =
    attribute_size(ATTRIBUTE_RULE, *RULE_NAME_LENGTH.end())
        + attribute_size(ATTRIBUTE_TARGET, *TARGET_ID_LENGTH.end())
        + attribute_size(ATTRIBUTE_IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_CHARS)
        + ATTRIBUTE_EVENT_ID.len()
        - "id".len();

/// What one event led to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evaluation {
    /// Names of the matched rules, in file order.
    pub matched: Vec<String>,
    /// One per (matched rule × target), in rule then target order.
    pub deliveries: Vec<Delivery>,
}

/// One message for one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub rule: String,
    pub target_id: String,
    pub queue_url: String,
    pub message: OutboundMessage,
}

/// The idempotency key of (event, rule, target): a UUID v5, hyphenated lower case.
///
/// The name hashed is `event_id NUL rule NUL target_id`; rule names and target ids
/// cannot contain NUL, so no two triples share a name.
pub fn idempotency_key(event_id: &str, rule: &str, target_id: &str) -> String {
    let mut name = Vec::with_capacity(event_id.len() + rule.len() + target_id.len() + 2);
    name.extend_from_slice(event_id.as_bytes());
    name.push(0);
    name.extend_from_slice(rule.as_bytes());
    name.push(0);
    name.extend_from_slice(target_id.as_bytes());
    Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, &name)
        .hyphenated()
        .to_string()
}

/// The envelope of a matched event, in the forms targets need.
struct MatchedEvent<'a> {
    envelope: &'a Envelope,
    /// The envelope as JSON, fields in their documented order.
    json: &'a str,
    /// The envelope as a value, when some target uses paths.
    value: Option<&'a Value>,
}

impl CompiledRules {
    /// Checks that `envelope_json` is an event envelope, matches it against the rules and
    /// plans one message per (matched rule × target). Fails only when the text is not an
    /// envelope; building a message never fails.
    pub fn evaluate(&self, envelope_json: &str) -> Result<Evaluation, EnvelopeError> {
        envelope_check::check(envelope_json)?;
        let ids = self
            .ruleset()
            .matches_json(envelope_json)
            .map_err(EnvelopeError::Match)?;
        let matched: Vec<&CompiledRule> =
            ids.iter().filter_map(|id| self.rules().get(id.0)).collect();
        let mut evaluation = Evaluation {
            matched: matched.iter().map(|rule| rule.name().to_string()).collect(),
            deliveries: Vec::new(),
        };
        let targets = || matched.iter().flat_map(|rule| rule.targets());
        if targets().next().is_none() {
            return Ok(evaluation);
        }
        let envelope = envelope_check::parse(envelope_json)?;
        let json = serde_json::to_string(&envelope).map_err(|error| EnvelopeError::Invalid {
            field: String::new(),
            reason: format!("cannot be written back as JSON: {error}"),
        })?;
        let value = if targets().any(Target::needs_event_value) {
            Some(
                serde_json::to_value(&envelope).map_err(|error| EnvelopeError::Invalid {
                    field: String::new(),
                    reason: format!("cannot be read as a JSON value: {error}"),
                })?,
            )
        } else {
            None
        };
        let event = MatchedEvent {
            envelope: &envelope,
            json: &json,
            value: value.as_ref(),
        };
        for rule in matched {
            for target in rule.targets() {
                evaluation.deliveries.push(Delivery {
                    rule: rule.name().to_string(),
                    target_id: target.id().to_string(),
                    queue_url: target.queue_url().to_string(),
                    message: message(rule, target, &event),
                });
            }
        }
        Ok(evaluation)
    }
}

fn message(rule: &CompiledRule, target: &Target, event: &MatchedEvent<'_>) -> OutboundMessage {
    let envelope = event.envelope;
    let key = idempotency_key(&envelope.id, rule.name(), target.id());
    let mut attributes = BTreeMap::new();
    for (name, value) in [
        (ATTRIBUTE_RULE, rule.name()),
        (ATTRIBUTE_TARGET, target.id()),
        (ATTRIBUTE_EVENT_ID, &envelope.id),
        (ATTRIBUTE_SOURCE, &envelope.source),
        (ATTRIBUTE_TYPE, &envelope.event_type),
        (ATTRIBUTE_IDEMPOTENCY_KEY, &key),
    ] {
        if !value.is_empty() {
            attributes.insert(name.to_string(), sqs_safe_text(value).into_owned());
        }
    }
    let group_id = target
        .message_group_id()
        .map(|source| group_id(source, event));
    let dedup_id = group_id.as_ref().map(|_| key.clone());
    OutboundMessage {
        body: body(rule, target.input(), event),
        attributes,
        group_id,
        dedup_id,
    }
}

fn body(rule: &CompiledRule, input: &Input, event: &MatchedEvent<'_>) -> String {
    let root = event.value.unwrap_or(&Value::Null);
    match input {
        Input::Envelope => sqs_safe_json(event.json.to_string()),
        Input::Data => sqs_safe_json(event.envelope.data.to_string()),
        Input::Path(path) => sqs_safe_json(path.resolve(root).unwrap_or(&Value::Null).to_string()),
        Input::Transformer(transformer) => {
            let rendered = transformer.render(&RenderInput {
                rule_name: rule.name(),
                event: root,
                event_json: event.json,
            });
            if transformer.is_json() {
                sqs_safe_json(rendered)
            } else {
                sqs_safe_text(&rendered).into_owned()
            }
        }
    }
}

/// The FIFO group of a message; always an id SQS accepts (see [`fifo_safe_id`]).
fn group_id(source: &MessageGroupId, event: &MatchedEvent<'_>) -> String {
    let subject = event.envelope.subject.as_str();
    match source {
        MessageGroupId::Subject => fifo_safe_id(subject),
        MessageGroupId::Literal(literal) => fifo_safe_id(literal),
        MessageGroupId::Path(path) => match path.resolve(event.value.unwrap_or(&Value::Null)) {
            None | Some(Value::Null) => fifo_safe_id(subject),
            Some(Value::String(text)) if text.is_empty() => fifo_safe_id(subject),
            Some(Value::String(text)) => fifo_safe_id(text),
            Some(other) => fifo_safe_id(&other.to_string()),
        },
    }
}
