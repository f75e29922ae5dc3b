//! Shared set-up for the handler tests: the sample history and fixtures, target queues on
//! the test SQS server, a handler wired to them, SQS events, and the messages the example
//! rules (`rules/security.json`) must produce, computed from the envelope fields.

#![allow(dead_code, unused_imports)] // each test binary uses part of this

use std::collections::BTreeMap;

use auditbridge_shared::cloudaudit::{NormalizeOptions, Normalized, Normalizer};
use auditbridge_shared::envelope::Envelope;
use auditbridge_shared::rules::{idempotency_key, CompiledRules, Dialect};
use auditbridge_sqs::testing::{ReceivedMessage, TestSqs};
use auditbridge_sqs::SqsSender;
use evaluate_fn::{Config, Handler, RulesSource};
pub use lambda_common::testing::{failed_ids, fixture, quick_sender as sender};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};

/// The lines of `samples/audit-history.jsonl`.
pub fn history_lines() -> Vec<String> {
    let path = format!(
        "{}/../../samples/audit-history.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{path}: {err}"))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The envelope the default normalizer makes of line `line` (1-based) of the history.
pub fn history_envelope(line: usize) -> Envelope {
    let lines = history_lines();
    let mut outcomes =
        Normalizer::new(NormalizeOptions::default()).normalize_text(&lines[line - 1]);
    assert_eq!(outcomes.len(), 1, "line {line} holds one record");
    match outcomes.remove(0).result {
        Ok(Normalized::Envelope(envelope)) => *envelope,
        other => panic!("line {line} is not normalized into an envelope: {other:?}"),
    }
}

/// The envelope as normalize puts it on the events queue.
pub fn envelope_json(envelope: &Envelope) -> String {
    serde_json::to_string(envelope).expect("an envelope serializes")
}

/// Which rule each history line must match, (line, rule) in file order:
/// `samples/expected-matches.json` (shared with the CLI's tests). Lines not listed match
/// nothing (line 11, a read, is skipped by normalize).
pub fn history_matches() -> Vec<(usize, String)> {
    let path = format!(
        "{}/../../samples/expected-matches.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let file: Value = serde_json::from_str(&text).expect("expected-matches.json");
    serde_json::from_value(file["matches"].clone()).expect("matches: [[line, rule], ...]")
}

/// The target queues of the example rules: standard alerts, FIFO timeline.
#[derive(Debug, Clone)]
pub struct Targets {
    pub alerts: String,
    pub timeline: String,
}

impl Targets {
    pub async fn create(sqs: &TestSqs, prefix: &str) -> Targets {
        Targets {
            alerts: sqs.create_queue(&format!("{prefix}-alerts")).await,
            timeline: sqs.create_fifo_queue(&format!("{prefix}-timeline")).await,
        }
    }

    /// The environment the example rules read their queue URLs from.
    pub fn env(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| match name {
            "SECURITY_ALERTS_QUEUE_URL" => Some(self.alerts.clone()),
            "AUDIT_TIMELINE_QUEUE_URL" => Some(self.timeline.clone()),
            _ => None,
        }
    }

    /// The packaged rules, loaded as the function loads them at start.
    pub fn packaged_rules(&self) -> CompiledRules {
        packaged_config()
            .load_rules(&self.env())
            .unwrap_or_else(|err| panic!("the packaged rules do not load: {err}"))
    }
}

pub fn packaged_config() -> Config {
    Config {
        rules: RulesSource::Packaged,
        dialect: Dialect::Default,
        max_message_bytes: 262_144,
    }
}

pub fn handler(sqs: &TestSqs, rules: CompiledRules) -> Handler<SqsSender> {
    Handler::new(rules, sender(sqs))
}

/// Calls the handler as the Lambda runtime would.
pub async fn invoke(handler: &Handler<SqsSender>, payload: Value) -> Value {
    handler
        .handle(LambdaEvent::new(payload, Context::default()))
        .await
        .unwrap_or_else(|err| panic!("the invocation failed: {err}"))
}

/// An SQS event as Lambda's event source mapping builds it, from (messageId, body) pairs.
pub fn sqs_event(messages: &[(String, String)]) -> Value {
    lambda_common::testing::sqs_event(messages.iter().map(|(id, body)| (id, body)))
}

/// [`sqs_event`] from a FIFO queue.
pub fn fifo_sqs_event(messages: &[(String, String)]) -> Value {
    lambda_common::testing::sqs_event_from(
        lambda_common::testing::TEST_FIFO_QUEUE_ARN,
        messages.iter().map(|(id, body)| (id, body)),
    )
}

/// An SQS event holding messages received from a queue, with their real message ids.
pub fn sqs_event_of(received: &[ReceivedMessage]) -> Value {
    let messages: Vec<(String, String)> = received
        .iter()
        .map(|m| (m.message_id.clone(), m.body.clone()))
        .collect();
    sqs_event(&messages)
}

/// A value in the envelope as the input transformer writes it inside a string: a string
/// as is, anything else as JSON text, nothing when absent.
fn text_at(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        None => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn value_at(value: &Value, pointer: &str) -> Value {
    value.pointer(pointer).cloned().unwrap_or(Value::Null)
}

/// The body the `page` target of `rule` (as configured in `rules/security.json`) must
/// carry for `envelope`.
pub fn expected_page_body(rule: &str, envelope: &Envelope) -> Value {
    let event = serde_json::to_value(envelope).expect("an envelope is a value");
    let who = text_at(&event, "/data/userIdentity/userName");
    match rule {
        "sg-opened-to-world" => json!({
            "severity": "high",
            "summary": format!(
                "Security group {} opened to the internet by {who} (account {}) in {}",
                text_at(&event, "/data/requestParameters/SecurityGroupId"),
                text_at(&event, "/data/userIdentity/accountId"),
                text_at(&event, "/region"),
            ),
            "sourceIp": text_at(&event, "/data/sourceIPAddress"),
        }),
        "cam-policy-attached-to-user" => json!({
            "severity": "medium",
            "summary": format!(
                "{who} attached policy {} to user {}",
                text_at(&event, "/data/requestParameters/PolicyId"),
                text_at(&event, "/data/requestParameters/AttachUin"),
            ),
            "policyId": value_at(&event, "/data/requestParameters/PolicyId"),
            "userUin": value_at(&event, "/data/requestParameters/AttachUin"),
        }),
        "instance-or-database-deleted" => json!({
            "severity": "high",
            "summary": format!(
                "{who} called {} on {}",
                text_at(&event, "/data/eventName"),
                envelope.subject,
            ),
        }),
        "kms-key-disabled-or-deleted" => envelope.data.clone(),
        "audit-trail-stopped" => json!({
            "severity": "critical",
            "summary": format!("Audit logging changed: {} by {who}", text_at(&event, "/data/eventName")),
            "request": value_at(&event, "/data/requestParameters"),
        }),
        other => panic!("no expectation for rule {other}"),
    }
}

/// The attributes every message for (envelope, rule, target) must carry.
pub fn expected_attributes(
    envelope: &Envelope,
    rule: &str,
    target: &str,
) -> BTreeMap<String, String> {
    [
        ("rule", rule.to_string()),
        ("target", target.to_string()),
        ("event-id", envelope.id.clone()),
        ("source", envelope.source.clone()),
        ("type", envelope.event_type.clone()),
        (
            "idempotency-key",
            idempotency_key(&envelope.id, rule, target),
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect()
}

/// Received messages keyed by (event-id, rule) attributes; panics on a repeat.
fn by_event_and_rule(
    queue: &str,
    received: Vec<ReceivedMessage>,
) -> BTreeMap<(String, String), ReceivedMessage> {
    let mut keyed = BTreeMap::new();
    for message in received {
        let key = (
            message
                .attributes
                .get("event-id")
                .cloned()
                .unwrap_or_default(),
            message.attributes.get("rule").cloned().unwrap_or_default(),
        );
        if let Some(previous) = keyed.insert(key.clone(), message) {
            panic!("{queue}: two messages for {key:?}: {previous:?}");
        }
    }
    keyed
}

/// Asserts the alerts queue received exactly one `page` message per expected
/// (envelope, rule), transformed as configured, and nothing else.
pub fn assert_alerts(received: Vec<ReceivedMessage>, expected: &[(Envelope, String)]) {
    let received = by_event_and_rule("alerts", received);
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|(envelope, rule)| (envelope.id.clone(), rule.to_string()))
        .collect();
    let got: Vec<(String, String)> = received.keys().cloned().collect();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(got, want_sorted, "(event id, rule) of the alerts received");
    for (envelope, rule) in expected {
        let message = &received[&(envelope.id.clone(), rule.to_string())];
        let body: Value = serde_json::from_str(&message.body)
            .unwrap_or_else(|err| panic!("alert body is not JSON ({err}): {}", message.body));
        assert_eq!(
            body,
            expected_page_body(rule, envelope),
            "body of {rule} for {}",
            envelope.id
        );
        assert_eq!(
            message.attributes,
            expected_attributes(envelope, rule, "page")
        );
        assert_eq!(
            (message.group_id.as_deref(), message.dedup_id.as_deref()),
            (None, None)
        );
    }
}

/// Asserts the FIFO timeline queue received exactly one message per expected
/// (envelope, rule): the envelope as normalize wrote it, grouped by subject,
/// deduplicated by the idempotency key.
pub fn assert_timeline(received: Vec<ReceivedMessage>, expected: &[(Envelope, String)]) {
    let received = by_event_and_rule("timeline", received);
    let mut want: Vec<(String, String)> = expected
        .iter()
        .map(|(envelope, rule)| (envelope.id.clone(), rule.to_string()))
        .collect();
    want.sort();
    assert_eq!(
        received.keys().cloned().collect::<Vec<_>>(),
        want,
        "(event id, rule) of the timeline"
    );
    for (envelope, rule) in expected {
        let message = &received[&(envelope.id.clone(), rule.to_string())];
        assert_eq!(message.body, envelope_json(envelope));
        let key = idempotency_key(&envelope.id, rule, "timeline");
        assert_eq!(
            message.attributes,
            expected_attributes(envelope, rule, "timeline")
        );
        assert_eq!(message.group_id.as_deref(), Some(envelope.subject.as_str()));
        assert_eq!(message.dedup_id.as_deref(), Some(key.as_str()));
    }
}

/// (envelope, rule) for every expected match of the given history lines.
pub fn expected_matches(lines: &[usize]) -> Vec<(Envelope, String)> {
    history_matches()
        .into_iter()
        .filter(|(line, _)| lines.contains(line))
        .map(|(line, rule)| (history_envelope(line), rule))
        .collect()
}
