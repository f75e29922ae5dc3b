//! The handler invoked directly (not by SQS), against the test SQS server.

mod common;

use auditbridge_sqs::testing::TestSqs;
use common::*;
use normalize_fn::Summary;
use serde_json::{json, Value};

fn summary(value: Value) -> Summary {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|err| panic!("not a summary ({err}): {value}"))
}

/// Invokes the handler with `events/<name>` and checks the summary, and that exactly the
/// fixture's envelopes arrived on the events queue.
async fn assert_direct_fixture(name: &str, expected: Summary) {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("direct-fixture").await;
    let handler = handler(&sqs, &config(&queue));
    let payload = fixture(name);

    let got = summary(invoke(&handler, payload.clone()).await);

    assert_eq!(got, expected, "{name}");
    assert_received_exactly(
        sqs.receive_all(&queue).await,
        envelopes_of_text(&payload.to_string()),
    );
}

#[tokio::test]
async fn direct_record_fixture_is_normalized_and_sent() {
    assert_direct_fixture(
        "normalize-direct-record.json",
        Summary {
            normalized: 1,
            skipped: 0,
            sent: 1,
            errors: vec![],
        },
    )
    .await;
}

#[tokio::test]
async fn direct_describeevents_response_fixture_skips_its_read() {
    assert_direct_fixture(
        "normalize-direct-describeevents-response.json",
        Summary {
            normalized: 1,
            skipped: 1,
            sent: 1,
            errors: vec![],
        },
    )
    .await;
}

#[tokio::test]
async fn a_direct_string_payload_is_read_as_json_lines() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("direct-lines").await;
    let handler = handler(&sqs, &config(&queue));
    let record = fixture("normalize-direct-record.json").to_string();
    let text = format!("{record}\n{{\"eventTime\": 1}}\n");

    let got = summary(invoke(&handler, Value::String(text.clone())).await);

    assert_eq!((got.normalized, got.skipped, got.sent), (1, 0, 1));
    assert_eq!(got.errors.len(), 1, "{:?}", got.errors);
    assert!(
        got.errors[0].record.starts_with("line 2"),
        "{:?}",
        got.errors
    );
    assert!(!got.errors[0].reason.is_empty());
    assert_received_exactly(sqs.receive_all(&queue).await, envelopes_of_text(&text));
}

#[tokio::test]
async fn a_direct_payload_that_is_not_a_record_is_reported_in_errors() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("direct-not-record").await;
    let handler = handler(&sqs, &config(&queue));

    let got = summary(invoke(&handler, json!({"hello": "world"})).await);

    assert_eq!((got.normalized, got.skipped, got.sent), (0, 0, 0));
    assert_eq!(got.errors.len(), 1, "{:?}", got.errors);
    assert_eq!(got.errors[0].record, "record 1");
    assert!(sqs.receive_all(&queue).await.is_empty());
}

#[tokio::test]
async fn send_failures_of_a_direct_invocation_name_the_record() {
    let sqs = TestSqs::from_env();
    let handler = handler(&sqs, &config(&sqs.nonexistent_queue_url()));

    let got = summary(invoke(&handler, fixture("normalize-direct-record.json")).await);

    assert_eq!((got.normalized, got.skipped, got.sent), (1, 0, 0));
    assert_eq!(got.errors.len(), 1);
    assert_eq!(
        got.errors[0].record,
        "record 1 (eventID 0b9f4c2e-8d71-4e0a-b5c3-2f1e0d9c8b7a)"
    );
    assert!(
        got.errors[0].reason.contains("NonExistentQueue"),
        "{}",
        got.errors[0].reason
    );
}
