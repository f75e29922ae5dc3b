//! Every `events/evaluate-*.json` payload (also used by `cargo lambda invoke` and the
//! smoke test) through the handler against the test SQS server, outcome asserted.

mod common;

use std::collections::BTreeSet;

use auditbridge_sqs::testing::TestSqs;
use common::*;
use evaluate_fn::handler::{DeliveryStatus, DirectResponse, EventError, MatchedEvent};
use serde_json::Value;

/// Every `events/evaluate-*.json` file name, so a new fixture cannot go untested.
fn evaluate_fixtures() -> BTreeSet<String> {
    let dir = format!("{}/../../events", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{dir}: {err}"))
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("evaluate-") && name.ends_with(".json"))
        .collect()
}

#[test]
fn every_evaluate_fixture_is_covered_here() {
    let covered: BTreeSet<String> = [
        "evaluate-sqs-batch.json",
        "evaluate-sqs-fifo-batch.json",
        "evaluate-direct-envelope.json",
        "evaluate-direct-array.json",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(evaluate_fixtures(), covered);
}

/// The fixtures hold exactly what normalize makes of `samples/audit-history.jsonl`.
#[test]
fn fixture_envelopes_are_what_normalize_produces() {
    let batch = fixture("evaluate-sqs-batch.json");
    let bodies: Vec<&str> = batch["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|record| record["body"].as_str().expect("body"))
        .collect();
    let expected: Vec<String> = [1, 2, 5, 6, 8, 13]
        .iter()
        .map(|&line| envelope_json(&history_envelope(line)))
        .collect();
    assert_eq!(bodies, expected);

    let fifo = fixture("evaluate-sqs-fifo-batch.json");
    let bodies: Vec<&str> = fifo["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|record| record["body"].as_str().expect("body"))
        .collect();
    assert_eq!(
        bodies,
        [
            envelope_json(&history_envelope(1)).as_str(),
            r#"{"hello":"world"}"#,
            envelope_json(&history_envelope(13)).as_str()
        ]
    );

    let direct = fixture("evaluate-direct-envelope.json");
    assert_eq!(
        direct,
        serde_json::to_value(history_envelope(1)).expect("value")
    );

    let array = fixture("evaluate-direct-array.json");
    let items = array.as_array().expect("an array");
    assert_eq!(items.len(), 4);
    for (item, line) in items.iter().zip([3, 10, 9]) {
        assert_eq!(
            item,
            &serde_json::to_value(history_envelope(line)).expect("value")
        );
    }
}

#[tokio::test]
async fn sqs_batch_fixture_delivers_every_match() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fixture-batch").await;
    let handler = handler(&sqs, targets.packaged_rules());

    let response = invoke(&handler, fixture("evaluate-sqs-batch.json")).await;

    assert_eq!(failed_ids(&response), Vec::<String>::new());
    // Lines 2 and 6 match nothing.
    let expected = expected_matches(&[1, 2, 5, 6, 8, 13]);
    assert_eq!(expected.len(), 4);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

/// From a FIFO events queue: the second message is not an envelope, so the third, which
/// would match `audit-trail-stopped`, must not overtake it; both are returned.
#[tokio::test]
async fn fifo_batch_fixture_holds_back_what_follows_a_failed_message() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fixture-fifo-batch").await;
    let handler = handler(&sqs, targets.packaged_rules());
    let batch = fixture("evaluate-sqs-fifo-batch.json");
    let records = batch["Records"].as_array().expect("Records");
    let ids: Vec<String> = records
        .iter()
        .map(|record| record["messageId"].as_str().expect("messageId").to_string())
        .collect();
    assert!(records.iter().all(|record| record["eventSourceARN"]
        .as_str()
        .is_some_and(|arn| arn.ends_with(".fifo"))));
    assert_eq!(
        records[2]["body"].as_str(),
        Some(envelope_json(&history_envelope(13)).as_str())
    );

    let response = invoke(&handler, batch.clone()).await;

    assert_eq!(failed_ids(&response), ids[1..].to_vec());
    let expected = expected_matches(&[1]);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

fn delivered(rule: &str, targets: &Targets) -> Vec<DeliveryStatus> {
    [("page", &targets.alerts), ("timeline", &targets.timeline)]
        .into_iter()
        .map(|(target, queue)| DeliveryStatus {
            rule: rule.into(),
            target: target.into(),
            queue: queue.clone(),
            ok: true,
            error: None,
        })
        .collect()
}

fn response(value: Value) -> DirectResponse {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|err| panic!("not a direct response ({err}): {value}"))
}

#[tokio::test]
async fn direct_envelope_fixture_reports_where_the_match_went() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fixture-direct").await;
    let handler = handler(&sqs, targets.packaged_rules());

    let answer = response(invoke(&handler, fixture("evaluate-direct-envelope.json")).await);

    let envelope = history_envelope(1);
    assert_eq!(
        answer,
        DirectResponse {
            events: 1,
            delivered: 2,
            failed: 0,
            matched: vec![MatchedEvent {
                index: 0,
                id: Some(envelope.id.clone()),
                rules: vec!["sg-opened-to-world".into()],
                deliveries: delivered("sg-opened-to-world", &targets),
            }],
            errors: vec![],
        }
    );
    let expected = expected_matches(&[1]);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}

#[tokio::test]
async fn direct_array_fixture_reports_matches_and_the_invalid_item() {
    let sqs = TestSqs::from_env();
    let targets = Targets::create(&sqs, "fixture-array").await;
    let handler = handler(&sqs, targets.packaged_rules());

    let answer = response(invoke(&handler, fixture("evaluate-direct-array.json")).await);

    assert_eq!((answer.events, answer.delivered, answer.failed), (4, 4, 0));
    assert_eq!(
        answer.matched,
        vec![
            MatchedEvent {
                index: 0,
                id: Some(history_envelope(3).id),
                rules: vec!["cam-policy-attached-to-user".into()],
                deliveries: delivered("cam-policy-attached-to-user", &targets),
            },
            MatchedEvent {
                index: 2,
                id: Some(history_envelope(9).id),
                rules: vec!["audit-trail-stopped".into()],
                deliveries: delivered("audit-trail-stopped", &targets),
            },
        ]
    );
    let [EventError { index, reason }] = answer.errors.as_slice() else {
        panic!("one error expected: {:?}", answer.errors);
    };
    assert_eq!(*index, 3);
    assert!(
        reason.starts_with("not an event envelope: missing field `type`"),
        "{reason}"
    );
    let expected = expected_matches(&[3, 10, 9]);
    assert_alerts(sqs.receive_all(&targets.alerts).await, &expected);
    assert_timeline(sqs.receive_all(&targets.timeline).await, &expected);
}
