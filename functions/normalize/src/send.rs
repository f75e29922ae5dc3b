//! Sends the envelopes of many inputs in one go and charges each failure to its input.
//!
//! Batching across inputs (all SQS messages of an invocation) fills SendMessageBatch
//! calls instead of sending one short batch per message.

use auditbridge_sqs::SqsSender;

use crate::prepare::{Prepared, RecordFailure};

/// What became of one input's records, sending included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub records: usize,
    pub normalized: usize,
    pub skipped: usize,
    /// Envelopes now on the events queue.
    pub sent: usize,
    /// Every record of the input that was not forwarded and is not a skip.
    pub failures: Vec<RecordFailure>,
    /// The input was not looked at ([`Prepared::held_back`]).
    pub held_back: bool,
}

/// Sends every prepared envelope of `inputs` to `queue_url`; one report per input, in order.
pub async fn send_all(sender: &SqsSender, queue_url: &str, inputs: Vec<Prepared>) -> Vec<Report> {
    let mut reports = Vec::with_capacity(inputs.len());
    let mut owners = Vec::new();
    let mut labels = Vec::new();
    let mut messages = Vec::new();
    for (input, prepared) in inputs.into_iter().enumerate() {
        for envelope in prepared.envelopes {
            owners.push(input);
            labels.push(envelope.record);
            messages.push(envelope.message);
        }
        reports.push(Report {
            records: prepared.records,
            normalized: prepared.normalized,
            skipped: prepared.skipped,
            sent: 0,
            failures: prepared.failures,
            held_back: prepared.held_back,
        });
    }
    let results = if messages.is_empty() {
        Vec::new()
    } else {
        sender.send(queue_url, &messages).await
    };
    for ((owner, record), result) in owners.into_iter().zip(labels).zip(results) {
        let report = &mut reports[owner];
        match result {
            Ok(()) => report.sent += 1,
            Err(error) => report.failures.push(RecordFailure {
                record,
                reason: error.to_string(),
            }),
        }
    }
    reports
}
