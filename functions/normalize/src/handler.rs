//! The Lambda handler: the framework part (SQS event or direct invocation, partial batch
//! response) is [`lambda_common::invocation`], shared with the evaluate function;
//! [`crate::prepare`] and [`crate::send`] do the business part.
//!
//! - SQS event (`{"Records":[{"eventSource":"aws:sqs", ...}]}`): each message body is
//!   CloudAudit input in any form. The answer is `{"batchItemFailures":[{"itemIdentifier":
//!   messageId}]}` listing the messages with a record that could not be normalized or
//!   sent; Lambda returns only those to the queue. Skipped reads are not failures. The
//!   good envelopes of a failed message are still sent: holding them back would lose
//!   them for good if the message ends in a dead-letter queue, while a redelivery only
//!   repeats them with the same envelope id (deduplicated on a FIFO queue). From a FIFO
//!   input queue, the messages after a failed one are not normalized and are listed
//!   too, so none overtakes it.
//! - Anything else is a direct invocation: the payload is CloudAudit input in any form
//!   (a JSON string is read as text, e.g. JSON lines) and the answer is a [`Summary`].

use auditbridge_shared::cloudaudit::Normalizer;
use auditbridge_shared::outbound::is_fifo_queue;
use auditbridge_sqs::SqsSender;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_common::invocation::{
    is_fifo_batch, message_body, respond, BatchFailures, Invocation, HELD_BACK,
};
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Config;
use crate::prepare::{prepare, Prepared, RecordFailure};
use crate::send::{send_all, Report};

/// The answer to a direct invocation.
///
/// `normalized` counts records that became envelopes, `skipped` records of an action
/// type not forwarded, `sent` envelopes now on the events queue. `errors` lists every
/// other record: not normalized, too large, or not sent. So records found =
/// `normalized + skipped + (errors not about sending or size)`, and
/// `sent = normalized - (errors about sending or size)`. The invocation itself succeeds
/// even with errors: callers must read `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub normalized: usize,
    pub skipped: usize,
    pub sent: usize,
    pub errors: Vec<RecordFailure>,
}

pub use lambda_common::invocation::{is_sqs_event, HandlerError};

/// Everything an invocation needs, built once at start and shared by reference.
#[derive(Debug, Clone)]
pub struct Handler {
    normalizer: Normalizer,
    sender: SqsSender,
    events_queue_url: String,
    fifo: bool,
    max_message_bytes: usize,
}

impl Handler {
    /// A handler for `config`, sending with `sender` (its byte limit is set to
    /// `MAX_MESSAGE_BYTES`; for a FIFO events queue, batches go one at a time so events
    /// of one group arrive in record order).
    pub fn new(config: &Config, sender: SqsSender) -> Handler {
        let fifo = is_fifo_queue(&config.events_queue_url);
        let mut sender = sender.with_max_bytes(config.max_message_bytes);
        if fifo {
            sender = sender.with_max_concurrent_batches(1);
        }
        Handler {
            normalizer: Normalizer::new(config.normalize_options()),
            sender,
            events_queue_url: config.events_queue_url.clone(),
            fifo,
            max_message_bytes: config.max_message_bytes,
        }
    }

    /// The Lambda entry point: an SQS event gets a partial batch response, anything
    /// else a [`Summary`].
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, HandlerError> {
        match Invocation::read(event.payload)? {
            Invocation::Sqs(event) => respond(&self.handle_sqs(event).await?),
            Invocation::Direct(payload) => respond(&self.handle_direct(&payload).await),
        }
    }

    /// Normalizes every message of the batch, sends all envelopes together, and lists
    /// the messages that had a failure.
    pub async fn handle_sqs(&self, event: SqsEvent) -> Result<SqsBatchResponse, HandlerError> {
        // From a FIFO queue, nothing after a message that failed is sent: it would
        // overtake that message, which comes back for its retry.
        let fifo_source = is_fifo_batch(&event.records);
        let mut earlier_failed = false;
        let inputs: Vec<Prepared> = event
            .records
            .iter()
            .map(|message| {
                let prepared = if fifo_source && earlier_failed {
                    Prepared::held_back()
                } else {
                    match message_body(message) {
                        Ok(body) => self.prepare_text(body),
                        Err(reason) => Prepared::unreadable("message", reason),
                    }
                };
                earlier_failed |= !prepared.failures.is_empty();
                prepared
            })
            .collect();
        let reports = send_all(&self.sender, &self.events_queue_url, inputs).await;

        let failures = BatchFailures::collect(&event.records, &reports, |message_id, report| {
            if report.held_back {
                tracing::warn!(message_id, reason = HELD_BACK, "message held back");
                return true;
            }
            if report.records == 0 && report.failures.is_empty() {
                tracing::warn!(message_id, "SQS message held no records");
            }
            for failure in &report.failures {
                tracing::error!(message_id, record = %failure.record, reason = %failure.reason, "record not forwarded");
            }
            !report.failures.is_empty()
        });
        let totals = total(&reports);
        tracing::info!(
            messages = event.records.len(),
            records = totals.records,
            envelopes = totals.normalized,
            sent = totals.sent,
            skipped = totals.skipped,
            failed_records = totals.failures.len(),
            held_back = reports.iter().filter(|report| report.held_back).count(),
            failed_messages = failures.listed(),
            "SQS batch normalized"
        );
        failures.into_response()
    }

    /// Normalizes a direct payload, sends its envelopes and summarizes.
    pub async fn handle_direct(&self, payload: &Value) -> Summary {
        let prepared = match payload {
            Value::String(text) => self.prepare_text(text),
            other => prepare(
                self.normalizer.normalize_value(other),
                self.fifo,
                self.max_message_bytes,
            ),
        };
        let report = total(&send_all(&self.sender, &self.events_queue_url, vec![prepared]).await);
        for failure in &report.failures {
            tracing::error!(record = %failure.record, reason = %failure.reason, "record not forwarded");
        }
        tracing::info!(
            records = report.records,
            envelopes = report.normalized,
            sent = report.sent,
            skipped = report.skipped,
            failed_records = report.failures.len(),
            "direct invocation normalized"
        );
        Summary {
            normalized: report.normalized,
            skipped: report.skipped,
            sent: report.sent,
            errors: report.failures,
        }
    }

    fn prepare_text(&self, text: &str) -> Prepared {
        prepare(
            self.normalizer.normalize_text(text),
            self.fifo,
            self.max_message_bytes,
        )
    }
}

fn total(reports: &[Report]) -> Report {
    reports.iter().fold(Report::default(), |mut total, report| {
        total.records += report.records;
        total.normalized += report.normalized;
        total.skipped += report.skipped;
        total.sent += report.sent;
        total.failures.extend(report.failures.iter().cloned());
        total
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cloudaudit_input_is_never_taken_for_an_sqs_event() {
        for input in [
            json!({"eventName": "StopInstances", "eventSource": "cvm.tencentcloudapi.com"}),
            json!({"Response": {"Events": []}}),
            json!([{"eventSource": "aws:sqs"}]),
            json!("text"),
        ] {
            assert!(!is_sqs_event(&input), "{input}");
        }
    }
}
