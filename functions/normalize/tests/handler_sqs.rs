//! The handler given SQS events, against the test SQS server.

mod common;

use auditbridge_shared::envelope::Envelope;
use auditbridge_shared::rules::WHOLE_ENVELOPE_EXTRA_BYTES;
use auditbridge_sqs::testing::TestSqs;
use common::*;
use normalize_fn::{Handler, HandlerError};
use serde_json::Value;

/// An SQS event holding `bodies`, message ids `m1`, `m2`, ...
fn sqs_event(bodies: &[&str]) -> Value {
    lambda_common::testing::sqs_event(
        bodies
            .iter()
            .enumerate()
            .map(|(i, body)| (format!("m{}", i + 1), body)),
    )
}

fn sample(name: &str) -> String {
    let path = format!(
        "{}/../../shared/tests/fixtures/cloudaudit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    // One line, so it can also be a line of a JSON-lines body.
    serde_json::from_str::<Value>(&text)
        .expect("sample is JSON")
        .to_string()
}

#[tokio::test]
async fn mixed_batch_fixture_sends_every_envelope_and_fails_only_the_poison_message() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-mixed").await;
    let handler = handler(&sqs, &config(&queue));
    let event = fixture("normalize-sqs-mixed-batch.json");
    let ids = message_ids(&event);

    let response = invoke(&handler, event.clone()).await;

    // The sixth message holds a record with eventTime "yesterday"; the fifth only a read.
    assert_eq!(failed_ids(&response), vec![ids[5].clone()]);
    let expected = envelopes_of_event(&event);
    // raw record 1, wrapper 1, response 1 (its read skipped), JSON lines 2.
    assert_eq!(expected.len(), 5);
    assert_received_exactly(sqs.receive_all(&queue).await, expected);
}

#[tokio::test]
async fn poison_messages_fail_alone_while_their_batch_mates_arrive() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-poison").await;
    let handler = handler(&sqs, &config(&queue));
    let good = sample("vpc-createsecuritygrouppolicies-console-write.json");
    let bad_time = good.replace("\"eventTime\":1715069022", "\"eventTime\":\"yesterday\"");
    assert_ne!(bad_time, good);
    let also_good = sample("cam-attachuserpolicy-miniprogram-write.json");
    let event = sqs_event(&[
        &good,
        "this is not JSON",
        r#"{"hello":"world"}"#,
        &bad_time,
        &also_good,
    ]);

    let response = invoke(&handler, event).await;

    assert_eq!(failed_ids(&response), vec!["m2", "m3", "m4"]);
    let mut expected = envelopes_of_text(&good);
    expected.extend(envelopes_of_text(&also_good));
    assert_eq!(expected.len(), 2);
    assert_received_exactly(sqs.receive_all(&queue).await, expected);
}

/// From a FIFO input queue, nothing after a failed message is normalized or sent: it
/// would overtake that message, which comes back for its retry. The failed message's own
/// good records are sent (with their envelope ids, deduplicated when repeated).
#[tokio::test]
async fn from_a_fifo_input_queue_nothing_after_a_failed_message_is_sent() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-fifo-source").await;
    let handler = handler(&sqs, &config(&queue));
    let first = sample("vpc-createsecuritygrouppolicies-console-write.json");
    let partly_bad = format!("{}\nnot json\n", sample("cvm-stopinstances-api-write.json"));
    let later = sample("cam-attachuserpolicy-miniprogram-write.json");
    let event = lambda_common::testing::sqs_event_from(
        lambda_common::testing::TEST_FIFO_QUEUE_ARN,
        [("m1", &first), ("m2", &partly_bad), ("m3", &later)],
    );

    let response = invoke(&handler, event).await;

    assert_eq!(failed_ids(&response), vec!["m2", "m3"]);
    let mut expected = envelopes_of_text(&first);
    expected.extend(envelopes_of_text(&partly_bad));
    assert_eq!(expected.len(), 2);
    assert_received_exactly(sqs.receive_all(&queue).await, expected);
}

#[tokio::test]
async fn a_message_with_one_bad_record_fails_but_its_good_records_are_sent() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-partial").await;
    let handler = handler(&sqs, &config(&queue));
    let good = sample("cvm-stopinstances-api-write.json");
    let body = format!("{good}\nnot json\n");

    let response = invoke(&handler, sqs_event(&[&body])).await;

    assert_eq!(failed_ids(&response), vec!["m1"]);
    assert_received_exactly(sqs.receive_all(&queue).await, envelopes_of_text(&good));
}

#[tokio::test]
async fn skipped_reads_are_not_failures() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-reads").await;
    let handler = handler(&sqs, &config(&queue));
    let reads = format!(
        "{}\n{}",
        sample("cvm-describeinstances-api-read.json"),
        sample("cloudaudit-lookupevents-console-read.json")
    );

    let response = invoke(&handler, sqs_event(&[&reads])).await;

    assert_eq!(failed_ids(&response), Vec::<String>::new());
    assert!(sqs.receive_all(&queue).await.is_empty());
}

#[tokio::test]
async fn reads_are_sent_when_configured() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-with-reads").await;
    let mut config = config(&queue);
    config
        .action_types
        .push(auditbridge_shared::cloudaudit::ActionType::Read);
    let handler = handler(&sqs, &config);
    let read = sample("cvm-describeinstances-api-read.json");

    let response = invoke(&handler, sqs_event(&[&read])).await;

    assert_eq!(failed_ids(&response), Vec::<String>::new());
    let received = parse_received(sqs.receive_all(&queue).await);
    let ids: Vec<&str> = received
        .iter()
        .map(|(envelope, _)| envelope.id.as_str())
        .collect();
    assert_eq!(ids, vec!["9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"]);
}

#[tokio::test]
async fn legacy_2017_fixture_is_forwarded() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-legacy").await;
    let handler = handler(&sqs, &config(&queue));
    let event = fixture("normalize-sqs-legacy-2017.json");

    let response = invoke(&handler, event.clone()).await;

    assert_eq!(failed_ids(&response), Vec::<String>::new());
    let expected = envelopes_of_event(&event);
    assert_eq!(expected.len(), 1);
    assert_eq!(expected[0].region, "ap-guangzhou");
    assert_received_exactly(sqs.receive_all(&queue).await, expected);
}

#[tokio::test]
async fn a_fifo_events_queue_gets_group_and_deduplication_ids() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_fifo_queue("normalize-fifo").await;
    let handler = handler(&sqs, &config(&queue));
    let event = fixture("normalize-sqs-mixed-batch.json");

    let response = invoke(&handler, event.clone()).await;
    // A redelivery of the same batch is deduplicated by envelope id.
    let again = invoke(&handler, event.clone()).await;

    assert_eq!(failed_ids(&response), vec![message_ids(&event)[5].clone()]);
    assert_eq!(failed_ids(&again), failed_ids(&response));
    let received = parse_received(sqs.receive_all(&queue).await);
    let expected = sorted_by_id(envelopes_of_event(&event));
    assert_eq!(received.len(), expected.len());
    for ((envelope, message), want) in received.iter().zip(&expected) {
        assert_eq!(envelope, want);
        assert_eq!(message.group_id.as_deref(), Some(want.subject.as_str()));
        assert_eq!(message.dedup_id.as_deref(), Some(want.id.as_str()));
    }
}

#[tokio::test]
async fn a_nonexistent_events_queue_fails_every_message_with_envelopes() {
    let sqs = TestSqs::from_env();
    let handler = handler(&sqs, &config(&sqs.nonexistent_queue_url()));
    let event = fixture("normalize-sqs-mixed-batch.json");
    let ids = message_ids(&event);

    let response = invoke(&handler, event).await;

    // Every message but the fifth (a read only, nothing to send) has a failure.
    let expected: Vec<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(failed_ids(&response), expected);
}

#[tokio::test]
async fn an_unreachable_sqs_endpoint_fails_every_message_with_envelopes() {
    let unreachable = TestSqs::new("http://127.0.0.1:9");
    let handler = Handler::new(
        &config(&unreachable.nonexistent_queue_url()),
        sender(&unreachable),
    );
    let good = sample("cvm-stopinstances-api-write.json");
    let read = sample("cvm-describeinstances-api-read.json");

    let response = invoke(&handler, sqs_event(&[&good, &read, &good])).await;

    assert_eq!(failed_ids(&response), vec!["m1", "m3"]);
}

#[tokio::test]
async fn characters_sqs_refuses_in_a_record_do_not_hold_its_event_back() {
    // A caller controls fields such as `userAgent`: a `\uffff` escape there (or a control
    // character in `eventID`) must not make the event unsendable, or the alert for it
    // would wait out every retry and end in the dead-letter queue.
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-sqs-text").await;
    let handler = handler(&sqs, &config(&queue));
    let good = sample("vpc-createsecuritygrouppolicies-console-write.json");
    let mut record: Value = serde_json::from_str(&good).expect("JSON");
    record["userAgent"] = Value::String("Mozilla/5.0 \u{ffff}".into());
    let evasive = record.to_string();
    assert!(evasive.contains('\u{ffff}'));
    record["userAgent"] = Value::String("curl".into());
    record["eventID"] = Value::String("odd-\u{1}-id".into());
    let odd_id = record.to_string();

    let response = invoke(&handler, sqs_event(&[&evasive, &odd_id])).await;

    assert_eq!(failed_ids(&response), Vec::<String>::new());
    let mut expected = envelopes_of_text(&evasive);
    expected.extend(envelopes_of_text(&odd_id));
    let received = parse_received(sqs.receive_all(&queue).await);
    let got: Vec<&Envelope> = received.iter().map(|(envelope, _)| envelope).collect();
    assert_eq!(got, sorted_by_id(expected).iter().collect::<Vec<_>>());
    for (envelope, message) in &received {
        assert!(
            !message.body.contains(['\u{ffff}', '\u{1}']),
            "{}",
            message.body
        );
        let id = envelope.id.replace('\u{1}', "\u{fffd}");
        assert_eq!(message.attributes["id"], id);
    }
}

#[tokio::test]
async fn an_envelope_over_max_message_bytes_fails_its_message_only() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-size").await;
    let small = sample("cam-attachuserpolicy-miniprogram-write.json");
    let large = sample("cloudaudit-createaudittrack-console-write.json");
    let size = |text: &str| {
        let envelope = &envelopes_of_text(text)[0];
        auditbridge_shared::outbound::envelope_message(envelope, false)
            .expect("serializes")
            .size()
    };
    let (small_size, large_size) = (size(&small), size(&large));
    assert!(small_size < large_size, "{small_size} < {large_size}");
    let mut config = config(&queue);
    // normalize keeps room for a target delivering the envelope whole.
    config.max_message_bytes = large_size + WHOLE_ENVELOPE_EXTRA_BYTES - 1;
    let handler = handler(&sqs, &config);

    let response = invoke(&handler, sqs_event(&[&small, &large])).await;

    assert_eq!(failed_ids(&response), vec!["m2"]);
    assert_received_exactly(sqs.receive_all(&queue).await, envelopes_of_text(&small));
}

#[tokio::test]
async fn a_failed_message_without_a_message_id_fails_the_whole_batch() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("normalize-no-id").await;
    let handler = handler(&sqs, &config(&queue));
    let mut event = sqs_event(&[&sample("cvm-stopinstances-api-write.json"), "not json"]);
    event["Records"][1]
        .as_object_mut()
        .expect("object")
        .remove("messageId");
    let event = serde_json::from_value(event).expect("an SQS event");

    let error = handler.handle_sqs(event).await.expect_err("must fail");

    assert!(
        matches!(error, HandlerError::MissingMessageId { position: 1 }),
        "{error}"
    );
}
