//! `SqsSender` against a real SQS-compatible server (moto; see `scripts/test`).
//!
//! Not covered here: retrying entries SQS lists in `Failed` with `SenderFault: false`.
//! moto never produces such an entry, so that logic is unit-tested with a scripted
//! transport in `src/delivery.rs`.

use std::collections::BTreeMap;

use auditbridge_shared::outbound::DEFAULT_MAX_BYTES;
use auditbridge_sqs::testing::TestSqs;
use auditbridge_sqs::{DeliveryError, OutboundMessage, SqsSender};

fn message(body: String, attributes: &[(&str, String)]) -> OutboundMessage {
    OutboundMessage {
        body,
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        ..Default::default()
    }
}

fn sorted_by_body(
    mut messages: Vec<auditbridge_sqs::testing::ReceivedMessage>,
) -> Vec<auditbridge_sqs::testing::ReceivedMessage> {
    messages.sort_by(|a, b| a.body.cmp(&b.body));
    messages
}

/// The bodies of every message on the queue, sorted.
async fn sorted_bodies(sqs: &TestSqs, queue: &str) -> Vec<String> {
    sorted_by_body(sqs.receive_all(queue).await)
        .into_iter()
        .map(|m| m.body)
        .collect()
}

#[tokio::test]
async fn twenty_three_messages_arrive_complete_with_attributes() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("batching").await;
    let sender = SqsSender::new(sqs.client());
    let messages: Vec<OutboundMessage> = (0..23)
        .map(|i| {
            message(
                format!(r#"{{"n":{i:02}}}"#),
                &[
                    ("id", format!("id-{i:02}")),
                    ("source", "cvm.cloud.tencent".into()),
                ],
            )
        })
        .collect();

    let results = sender.send(&queue, &messages).await;

    assert_eq!(results.len(), 23);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let received = sorted_by_body(sqs.receive_all(&queue).await);
    assert_eq!(received.len(), 23);
    for (i, got) in received.iter().enumerate() {
        assert_eq!(got.body, messages[i].body);
        assert_eq!(got.attributes, messages[i].attributes);
        assert_eq!(
            (got.group_id.as_deref(), got.dedup_id.as_deref()),
            (None, None)
        );
    }
}

#[tokio::test]
async fn fifo_group_and_deduplication_ids_are_set_and_duplicates_dropped() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_fifo_queue("fifo").await;
    let sender = SqsSender::new(sqs.client());
    let fifo = |body: &str, group: &str, dedup: &str| OutboundMessage {
        body: body.into(),
        attributes: BTreeMap::from([("id".to_string(), dedup.to_string())]),
        group_id: Some(group.into()),
        dedup_id: Some(dedup.into()),
    };
    let messages = vec![
        fifo("first", "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1", "e-1"),
        fifo(
            "second",
            "qcs::cvm:ap-guangzhou:uin/1:instance/ins-2",
            "e-2",
        ),
        fifo(
            "first again",
            "qcs::cvm:ap-guangzhou:uin/1:instance/ins-1",
            "e-1",
        ),
    ];

    let results = sender.send(&queue, &messages).await;

    // SQS accepts a duplicate and silently drops it; it is not a delivery failure.
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let received = sorted_by_body(sqs.receive_all(&queue).await);
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = received
        .iter()
        .map(|m| {
            (
                m.body.as_str(),
                m.group_id.as_deref(),
                m.dedup_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "first",
                Some("qcs::cvm:ap-guangzhou:uin/1:instance/ins-1"),
                Some("e-1")
            ),
            (
                "second",
                Some("qcs::cvm:ap-guangzhou:uin/1:instance/ins-2"),
                Some("e-2")
            ),
        ]
    );
}

#[tokio::test]
async fn a_nonexistent_queue_fails_every_message_without_panicking() {
    let sqs = TestSqs::from_env();
    let queue = sqs.nonexistent_queue_url();
    let sender = SqsSender::new(sqs.client());
    let messages: Vec<OutboundMessage> = (0..12).map(|i| message(format!("m{i}"), &[])).collect();

    let results = sender.send(&queue, &messages).await;

    assert_eq!(results.len(), 12);
    for result in &results {
        match result {
            Err(error @ DeliveryError::CallFailed { queue: q, .. }) => {
                assert_eq!(q, &queue);
                assert_eq!(
                    error.code(),
                    Some("AWS.SimpleQueueService.NonExistentQueue"),
                    "{error}"
                );
            }
            other => panic!("expected a call failure, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_every_message() {
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    let sqs = TestSqs::new("http://127.0.0.1:9");
    let queue = sqs.nonexistent_queue_url();
    let sender = SqsSender::new(sqs.client());

    let results = sender
        .send(
            &queue,
            &[message("a".into(), &[]), message("b".into(), &[])],
        )
        .await;

    assert_eq!(results.len(), 2);
    for result in results {
        assert!(
            matches!(&result, Err(DeliveryError::CallFailed { code: None, reason, .. }) if !reason.is_empty()),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn an_oversized_message_fails_alone_while_its_batch_mates_arrive() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("oversized").await;
    let sender = SqsSender::new(sqs.client()).with_max_bytes(1_000);
    let messages = vec![
        message("small one".into(), &[("id", "1".into())]),
        message("x".repeat(1_200), &[("id", "2".into())]),
        message("small three".into(), &[("id", "3".into())]),
    ];

    let results = sender.send(&queue, &messages).await;

    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    assert_eq!(
        results[1],
        Err(DeliveryError::TooLarge {
            queue: queue.clone(),
            size: 1_200 + 2 + 6 + 1,
            max_bytes: 1_000,
        })
    );
    assert_eq!(
        sorted_bodies(&sqs, &queue).await,
        vec!["small one", "small three"]
    );
}

#[tokio::test]
async fn a_message_over_the_default_limit_is_refused_locally() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("default-limit").await;
    let sender = SqsSender::new(sqs.client());
    let messages = vec![
        message("x".repeat(DEFAULT_MAX_BYTES + 1), &[]),
        message("fits".into(), &[]),
    ];

    let results = sender.send(&queue, &messages).await;

    assert!(
        matches!(&results[0], Err(DeliveryError::TooLarge { max_bytes, .. }) if *max_bytes == DEFAULT_MAX_BYTES)
    );
    assert!(results[1].is_ok());
    assert_eq!(sorted_bodies(&sqs, &queue).await, vec!["fits"]);
}

#[tokio::test]
async fn a_message_sqs_would_refuse_fails_alone() {
    let sqs = TestSqs::from_env();
    let queue = sqs.create_queue("invalid").await;
    let sender = SqsSender::new(sqs.client());
    let messages = vec![
        message("good".into(), &[("id", "1".into())]),
        message("empty attribute".into(), &[("subject", String::new())]),
    ];

    let results = sender.send(&queue, &messages).await;

    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(DeliveryError::Invalid { reason, .. }) if reason.contains("\"subject\"")),
        "{results:?}"
    );
    assert_eq!(sorted_bodies(&sqs, &queue).await, vec!["good"]);
}

#[tokio::test]
async fn a_queue_with_a_dead_letter_queue_redrives_after_the_receive_limit() {
    let sqs = TestSqs::from_env();
    let (queue, dlq) = sqs.create_queue_with_dlq("redrive", 1).await;
    let sender = SqsSender::new(sqs.client());
    assert!(sender.send(&queue, &[message("poison".into(), &[])]).await[0].is_ok());

    // Receive without deleting, visible again at once: the second receive exceeds the
    // limit of one and the server moves the message to the dead-letter queue.
    for _ in 0..2 {
        sqs.client()
            .receive_message()
            .queue_url(&queue)
            .visibility_timeout(0)
            .send()
            .await
            .expect("receive");
    }

    assert_eq!(sorted_bodies(&sqs, &dlq).await, vec!["poison"]);
    assert!(sqs.receive_all(&queue).await.is_empty());
}
