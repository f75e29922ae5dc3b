//! `run --sqs` against the SQS-compatible test server (moto in `scripts/test`).

use std::collections::BTreeMap;

use auditbridge_sqs::testing::{ReceivedMessage, TestSqs};
use serde_json::Value;

use crate::common::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `auditbridge run --sqs` of the example rules over `inputs` (stdin if none), with the
/// two target queues the rules name.
fn run_sqs_command(
    sqs: &TestSqs,
    alerts: &str,
    timeline: &str,
    inputs: &[&str],
) -> std::process::Command {
    let mut command = auditbridge();
    command
        .args(["run", "--sqs", "--rules", "rules/security.json"])
        .args(inputs)
        .env("AWS_ENDPOINT_URL_SQS", sqs.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("SECURITY_ALERTS_QUEUE_URL", alerts)
        .env("AUDIT_TIMELINE_QUEUE_URL", timeline);
    command
}

/// [`run_sqs_command`] over the sample history.
fn run_sqs(sqs: &TestSqs, alerts: &str, timeline: &str) -> std::process::Output {
    run(&mut run_sqs_command(
        sqs,
        alerts,
        timeline,
        &["samples/audit-history.jsonl"],
    ))
}

/// `(event-id, rule)` of every received message, in order received.
fn received(messages: &[ReceivedMessage]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|message| {
            (
                message.attributes["event-id"].clone(),
                message.attributes["rule"].clone(),
            )
        })
        .collect()
}

#[test]
fn every_delivery_arrives_in_its_queue() {
    let sqs = TestSqs::from_env();
    let runtime = runtime();
    let alerts = runtime.block_on(sqs.create_queue("cli-alerts"));
    let timeline = runtime.block_on(sqs.create_fifo_queue("cli-timeline"));

    let output = run_sqs(&sqs, &alerts, &timeline);
    assert_status(&output, 0);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output)
            .ends_with("rule audit-trail-stopped: matched 2 events, 4 deliveries, 0 failed\n"),
        "{}",
        stderr(&output)
    );

    let expected: Vec<(String, String)> = sample_matches()
        .into_iter()
        .map(|(line, rule)| (sample_event(line), rule))
        .collect();

    let pages = runtime.block_on(sqs.receive_all(&alerts));
    let mut got = received(&pages);
    got.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(got, sorted, "alerts queue");
    for page in &pages {
        assert_eq!(page.attributes["target"], "page");
        let body: Value = serde_json::from_str(&page.body).expect("page bodies are JSON");
        assert!(body.is_object(), "{body}");
    }

    let entries = runtime.block_on(sqs.receive_all(&timeline));
    let mut got = received(&entries);
    got.sort();
    assert_eq!(got, sorted, "timeline queue");
    let mut groups = BTreeMap::new();
    for entry in &entries {
        assert_eq!(entry.attributes["target"], "timeline");
        let envelope: Value = serde_json::from_str(&entry.body).expect("envelope");
        assert_eq!(envelope["id"], entry.attributes["event-id"].as_str());
        // FIFO: grouped by resource, deduplicated by the idempotency key.
        assert_eq!(entry.group_id.as_deref(), envelope["subject"].as_str());
        assert_eq!(
            entry.dedup_id.as_ref(),
            entry.attributes.get("idempotency-key")
        );
        groups
            .entry(entry.group_id.clone())
            .or_insert_with(Vec::new)
            .push(entry.attributes["event-id"].clone());
    }
    // Within a group, messages arrive in input order.
    for (group, ids) in groups {
        let mut ordered = ids.clone();
        ordered.sort();
        assert_eq!(ids, ordered, "group {group:?}");
    }
}

#[test]
fn a_missing_queue_fails_its_deliveries_and_the_run() {
    let sqs = TestSqs::from_env();
    let runtime = runtime();
    let timeline = runtime.block_on(sqs.create_fifo_queue("cli-timeline"));
    let missing = sqs.nonexistent_queue_url();

    let output = run_sqs(&sqs, &missing, &timeline);
    assert_status(&output, 1);
    let stderr = stderr(&output);
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("delivery failed: "))
        .collect();
    assert_eq!(failures.len(), 7, "{stderr}");
    for line in &failures {
        assert!(line.contains(", target page ("), "{line}");
        assert!(line.contains(&missing), "{line}");
    }
    assert!(
        stderr.contains(
            "rule instance-or-database-deleted: matched 2 events, 4 deliveries, 2 failed\n"
        ),
        "{stderr}"
    );
    // The other queue still got everything.
    assert_eq!(runtime.block_on(sqs.receive_all(&timeline)).len(), 7);
}

#[test]
fn a_live_feed_is_sent_while_the_input_stays_open() {
    // Deliveries are sent in rounds of up to 100; on a live feed a round must not wait
    // for more records to arrive.
    let sqs = TestSqs::from_env();
    let runtime = runtime();
    let alerts = runtime.block_on(sqs.create_queue("cli-live-alerts"));
    let timeline = runtime.block_on(sqs.create_fifo_queue("cli-live-timeline"));
    let (line, rule) = sample_matches().into_iter().next().expect("a sample match");
    let samples =
        std::fs::read_to_string(repo_file("samples/audit-history.jsonl")).expect("samples");
    let record = samples
        .lines()
        .nth(line as usize - 1)
        .expect("the matching record");

    let mut live = Live::spawn(&mut run_sqs_command(&sqs, &alerts, &timeline, &[]));
    live.feed(&format!("{record}\n"));
    // Polled while stdin is open; the deadline only turns a hang into a failure.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut pages = Vec::new();
    while pages.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing was sent while the input stayed open"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        pages = runtime.block_on(sqs.receive_all(&alerts));
    }
    assert_eq!(received(&pages), vec![(sample_event(line), rule.clone())]);
    let (status, printed) = live.finish();
    assert_eq!(status.code(), Some(0));
    assert_eq!(printed, Vec::<String>::new());
    let entries = runtime.block_on(sqs.receive_all(&timeline));
    assert_eq!(received(&entries), vec![(sample_event(line), rule)]);
}
