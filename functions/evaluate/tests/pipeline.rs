//! The evaluate handler end to end against the test SQS server: the whole chain from
//! CloudAudit records to the rules' target queues, partial batch failures, and
//! redelivered source messages.

mod common;

use auditbridge_shared::outbound::OutboundMessage;
use auditbridge_shared::rules::{Dialect, RulesFile};
use auditbridge_sqs::testing::TestSqs;
use common::*;
use serde_json::Value;

/// Records on the audit queue -> normalize -> events queue -> evaluate -> target queues.
///
/// Lambda's SQS event source mapping (poll a queue, hand the messages to the function as
/// an SQS event, delete what succeeded) cannot run here; the test stands in for it:
/// it receives each queue's messages and calls the handler with an SQS event built from
/// them, message ids and bodies as received.
#[tokio::test]
async fn records_flow_from_the_audit_queue_to_the_rules_target_queues() {
    let sqs = TestSqs::from_env();
    let audit = sqs.create_queue("chain-audit").await;
    let events = sqs.create_queue("chain-events").await;
    let targets = Targets::create(&sqs, "chain").await;

    // CloudAudit records, one per message, as an export would put them on the queue.
    let records: Vec<OutboundMessage> = history_lines()
        .into_iter()
        .map(|line| OutboundMessage {
            body: line,
            ..OutboundMessage::default()
        })
        .collect();
    let sent = sender(&sqs).send(&audit, &records).await;
    assert!(sent.iter().all(Result::is_ok), "{sent:?}");

    // normalize
    let normalize = normalize_fn::Handler::new(
        &normalize_fn::Config {
            events_queue_url: events.clone(),
            action_types: vec![auditbridge_shared::cloudaudit::ActionType::Write],
            redact_tokens: true,
            max_message_bytes: 262_144,
        },
        sender(&sqs),
    );
    let audit_messages = sqs.receive_all(&audit).await;
    assert_eq!(audit_messages.len(), 13);
    let response = normalize
        .handle(lambda_runtime::LambdaEvent::new(
            sqs_event_of(&audit_messages),
            lambda_runtime::Context::default(),
        ))
        .await
        .unwrap_or_else(|err| panic!("normalize failed: {err}"));
    assert_eq!(failed_ids(&response), Vec::<String>::new());

    // evaluate
    let envelopes = sqs.receive_all(&events).await;
    assert_eq!(envelopes.len(), 12, "13 records, one of them a read");
    let evaluate = handler(&sqs, targets.packaged_rules());
    let response = invoke(&evaluate, sqs_event_of(&envelopes)).await;
    assert_eq!(failed_ids(&response), Vec::<String>::new());

    let expected = expected_matches(&[1, 3, 5, 7, 8, 9, 13]);
    assert_eq!(expected.len(), 7);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

/// The example rules, with the `page` target of `kms-key-disabled-or-deleted` pointed at
/// a queue that does not exist.
fn rules_with_missing_kms_queue(
    targets: &Targets,
    missing: &str,
) -> auditbridge_shared::rules::CompiledRules {
    let mut file: Value =
        serde_json::from_str(evaluate_fn::config::PACKAGED_RULES).expect("packaged rules are JSON");
    let rules = file["rules"].as_array_mut().expect("rules");
    let kms = rules
        .iter_mut()
        .find(|rule| rule["name"] == "kms-key-disabled-or-deleted")
        .expect("the kms rule");
    assert_eq!(kms["targets"][0]["id"], "page");
    kms["targets"][0]["queue"] = Value::String(missing.to_string());
    RulesFile::from_value(&file, Dialect::Default)
        .and_then(|file| file.compile(&targets.env()))
        .unwrap_or_else(|err| panic!("rules: {err}"))
}

#[tokio::test]
async fn a_missing_target_queue_fails_only_the_source_messages_that_need_it() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "missing").await;
    let handler = handler(
        &sqs,
        rules_with_missing_kms_queue(&targets, &sqs.nonexistent_queue_url()),
    );
    let lines = [1, 2, 5, 8, 9];
    let messages: Vec<(String, String)> = lines
        .iter()
        .map(|&line| (format!("m{line}"), envelope_json(&history_envelope(line))))
        .collect();

    let response = invoke(&handler, sqs_event(&messages)).await;

    // Line 8 (kms) could not reach its page queue; everything else was delivered,
    // including line 8's own timeline message.
    assert_eq!(failed_ids(&response), vec!["m8"]);
    let mut alerts = expected_matches(&lines);
    alerts.retain(|(_, rule)| *rule != "kms-key-disabled-or-deleted");
    assert_eq!(alerts.len(), 3);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &alerts);
    assert_timeline(
        sqs.receive_all(&targets.timeline).await,
        &expected_matches(&lines),
    );
}

/// From a FIFO events queue, the messages after a failed one are listed too, so that
/// none overtakes it (all are delivered, as the batch is sent together; their retry
/// repeats them with the same idempotency keys).
#[tokio::test]
async fn from_a_fifo_queue_every_message_after_a_failed_delivery_is_listed() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fifo-source-missing").await;
    let handler = handler(
        &sqs,
        rules_with_missing_kms_queue(&targets, &sqs.nonexistent_queue_url()),
    );
    let lines = [1, 8, 9, 13];
    let messages: Vec<(String, String)> = lines
        .iter()
        .map(|&line| (format!("m{line}"), envelope_json(&history_envelope(line))))
        .collect();

    let response = invoke(&handler, fifo_sqs_event(&messages)).await;

    assert_eq!(failed_ids(&response), vec!["m8", "m9", "m13"]);
    let mut alerts = expected_matches(&lines);
    alerts.retain(|(_, rule)| *rule != "kms-key-disabled-or-deleted");
    assert_alerts(sqs.receive_all(&targets.alerts).await, &alerts);
}

/// From a FIFO events queue, what follows a message that is not an envelope is not even
/// evaluated: nothing of it may reach a target before that message is dealt with.
#[tokio::test]
async fn from_a_fifo_queue_nothing_after_an_invalid_envelope_is_delivered() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fifo-source-invalid").await;
    let handler = handler(&sqs, targets.packaged_rules());
    let messages: Vec<(String, String)> = vec![
        ("m1".into(), envelope_json(&history_envelope(1))),
        ("m2".into(), "this is not JSON".into()),
        ("m3".into(), envelope_json(&history_envelope(13))),
    ];

    let response = invoke(&handler, fifo_sqs_event(&messages)).await;

    assert_eq!(failed_ids(&response), vec!["m2", "m3"]);
    let expected = expected_matches(&[1]);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

/// moto deduplicates FIFO messages by MessageDeduplicationId within SQS's five-minute
/// window, as SQS does (checked by this test: the FIFO queue ends up with one message).
#[tokio::test]
async fn a_redelivered_source_message_appears_once_on_fifo_targets() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "redelivered").await;
    let handler = handler(&sqs, targets.packaged_rules());
    let envelope = history_envelope(1);
    let event = sqs_event(&[("m1".to_string(), envelope_json(&envelope))]);

    let first = invoke(&handler, event.clone()).await;
    let second = invoke(&handler, event).await;

    assert_eq!(failed_ids(&first), Vec::<String>::new());
    assert_eq!(failed_ids(&second), Vec::<String>::new());
    let expected = expected_matches(&[1]);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);

    // Standard queues deliver at least once: both copies arrive, with one idempotency
    // key for consumers to deduplicate on.
    let alerts = sqs.receive_all(&targets.alerts).await;
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].attributes, alerts[1].attributes);
    assert_eq!(alerts[0].body, alerts[1].body);
    assert_eq!(
        alerts[0].attributes.get("idempotency-key"),
        Some(&auditbridge_shared::rules::idempotency_key(
            &envelope.id,
            "sg-opened-to-world",
            "page"
        ))
    );
    assert_alerts(vec![alerts[0].clone()], &expected);
}

#[tokio::test]
async fn invalid_envelopes_are_reported_while_their_batch_mates_are_delivered() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "invalid").await;
    let handler = handler(&sqs, targets.packaged_rules());
    let mut missing_time: Value = serde_json::to_value(history_envelope(5)).expect("value");
    missing_time.as_object_mut().expect("object").remove("time");
    let messages: Vec<(String, String)> = vec![
        ("m1".into(), envelope_json(&history_envelope(1))),
        ("m2".into(), "this is not JSON".into()),
        ("m3".into(), missing_time.to_string()),
        ("m4".into(), envelope_json(&history_envelope(6))),
        ("m5".into(), r#"{"Records": []}"#.into()),
        ("m6".into(), envelope_json(&history_envelope(13))),
    ];

    let response = invoke(&handler, sqs_event(&messages)).await;

    assert_eq!(failed_ids(&response), vec!["m2", "m3", "m5"]);
    let expected = expected_matches(&[1, 13]);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

/// MAX_MESSAGE_BYTES applies to target messages: one over it is not sent, and its source
/// message is reported so it is retried (and ends in the dead-letter queue), never lost.
#[tokio::test]
async fn a_target_message_over_the_byte_limit_fails_its_source_message() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "too-large").await;
    // Alerts are a few hundred bytes; timeline messages carry the whole envelope.
    let handler =
        evaluate_fn::Handler::new(targets.packaged_rules(), sender(&sqs).with_max_bytes(1_024));
    let envelope = history_envelope(5);
    assert!(envelope_json(&envelope).len() > 1_024);

    let response = invoke(
        &handler,
        sqs_event(&[("m5".to_string(), envelope_json(&envelope))]),
    )
    .await;

    assert_eq!(failed_ids(&response), vec!["m5"]);
    assert_alerts(
        sqs.receive_all(&targets.alerts).await,
        &expected_matches(&[5]),
    );
    assert!(sqs.receive_all(&targets.timeline).await.is_empty());
}
