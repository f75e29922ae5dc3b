//! Shared set-up for the handler tests: fixtures from `events/`, a handler wired to a
//! queue on the test SQS server, and the envelopes the normalizer makes of an input.

#![allow(dead_code, unused_imports)] // each test binary uses part of this

use auditbridge_shared::cloudaudit::{ActionType, NormalizeOptions, Normalized, Normalizer};
use auditbridge_shared::envelope::Envelope;
use auditbridge_sqs::testing::{ReceivedMessage, TestSqs};
pub use lambda_common::testing::{failed_ids, fixture, quick_sender as sender};
use lambda_runtime::{Context, LambdaEvent};
use normalize_fn::{Config, Handler};
use serde_json::Value;

pub fn config(queue_url: &str) -> Config {
    Config {
        events_queue_url: queue_url.to_string(),
        action_types: vec![ActionType::Write],
        redact_tokens: true,
        max_message_bytes: 262_144,
    }
}

pub fn handler(sqs: &TestSqs, config: &Config) -> Handler {
    Handler::new(config, sender(sqs))
}

/// Calls the handler as the Lambda runtime would.
pub async fn invoke(handler: &Handler, payload: Value) -> Value {
    handler
        .handle(LambdaEvent::new(payload, Context::default()))
        .await
        .unwrap_or_else(|err| panic!("the invocation failed: {err}"))
}

/// Every message id of an SQS event fixture, in order.
pub fn message_ids(event: &Value) -> Vec<String> {
    records(event)
        .iter()
        .map(|r| r["messageId"].as_str().expect("messageId").to_string())
        .collect()
}

pub fn records(event: &Value) -> &Vec<Value> {
    event["Records"].as_array().expect("Records")
}

/// The envelopes the default normalizer makes of one text, in order.
pub fn envelopes_of_text(text: &str) -> Vec<Envelope> {
    Normalizer::new(NormalizeOptions::default())
        .normalize_text(text)
        .into_iter()
        .filter_map(|outcome| match outcome.result {
            Ok(Normalized::Envelope(envelope)) => Some(*envelope),
            _ => None,
        })
        .collect()
}

/// The envelopes the default normalizer makes of the bodies of an SQS event fixture.
pub fn envelopes_of_event(event: &Value) -> Vec<Envelope> {
    records(event)
        .iter()
        .flat_map(|record| envelopes_of_text(record["body"].as_str().expect("body")))
        .collect()
}

/// Received envelopes, parsed, with their messages, sorted by envelope id.
pub fn parse_received(received: Vec<ReceivedMessage>) -> Vec<(Envelope, ReceivedMessage)> {
    let mut parsed: Vec<(Envelope, ReceivedMessage)> = received
        .into_iter()
        .map(|message| {
            let envelope = serde_json::from_str(&message.body)
                .unwrap_or_else(|err| panic!("not an envelope ({err}): {}", message.body));
            (envelope, message)
        })
        .collect();
    parsed.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    parsed
}

pub fn sorted_by_id(mut envelopes: Vec<Envelope>) -> Vec<Envelope> {
    envelopes.sort_by(|a, b| a.id.cmp(&b.id));
    envelopes
}

/// Asserts each received message is an expected envelope, serialized exactly as
/// `serde_json::to_string` does, with attributes `id`, `source`, `type`.
pub fn assert_received_exactly(received: Vec<ReceivedMessage>, expected: Vec<Envelope>) {
    let received = parse_received(received);
    let expected = sorted_by_id(expected);
    let got: Vec<&Envelope> = received.iter().map(|(envelope, _)| envelope).collect();
    assert_eq!(got, expected.iter().collect::<Vec<_>>());
    for ((envelope, message), want) in received.iter().zip(&expected) {
        assert_eq!(
            message.body,
            serde_json::to_string(want).expect("serializes")
        );
        let attributes: Vec<(&str, &str)> = message
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            attributes,
            vec![
                ("id", envelope.id.as_str()),
                ("source", envelope.source.as_str()),
                ("type", envelope.event_type.as_str())
            ]
        );
    }
}
