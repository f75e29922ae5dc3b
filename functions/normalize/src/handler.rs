//! The Lambda handler: tells SQS events from direct invocations, walks an SQS batch and
//! reports partial batch failures (the framework part); [`crate::prepare`] and
//! [`crate::send`] do the business part.
//!
//! - SQS event (`{"Records":[{"eventSource":"aws:sqs", ...}]}`): each message body is
//!   CloudAudit input in any form. The answer is `{"batchItemFailures":[{"itemIdentifier":
//!   messageId}]}` listing the messages with a record that could not be normalized or
//!   sent; Lambda returns only those to the queue. Skipped reads are not failures. The
//!   good envelopes of a failed message are still sent: holding them back would lose
//!   them for good if the message ends in a dead-letter queue, while a redelivery only
//!   repeats them with the same envelope id (deduplicated on a FIFO queue).
//! - Anything else is a direct invocation: the payload is CloudAudit input in any form
//!   (a JSON string is read as text, e.g. JSON lines) and the answer is a [`Summary`].

use auditbridge_shared::cloudaudit::Normalizer;
use auditbridge_shared::outbound::is_fifo_queue;
use auditbridge_sqs::SqsSender;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Diagnostic, LambdaEvent};
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

/// Why a whole invocation failed (Lambda then retries the whole batch or event).
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("the payload looks like an SQS event but cannot be read as one: {0}")]
    InvalidSqsEvent(#[source] serde_json::Error),
    #[error("SQS message {position} of the batch failed and has no messageId to report it by; failing the whole batch")]
    MissingMessageId { position: usize },
    #[error("the response could not be serialized: {0}")]
    Response(#[source] serde_json::Error),
}

impl From<HandlerError> for Diagnostic {
    fn from(error: HandlerError) -> Diagnostic {
        let error_type = match error {
            HandlerError::InvalidSqsEvent(_) => "InvalidSqsEvent",
            HandlerError::MissingMessageId { .. } => "MissingMessageId",
            HandlerError::Response(_) => "ResponseNotSerializable",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: error.to_string(),
        }
    }
}

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
        let payload = event.payload;
        if is_sqs_event(&payload) {
            let event: SqsEvent =
                serde_json::from_value(payload).map_err(HandlerError::InvalidSqsEvent)?;
            let response = self.handle_sqs(event).await?;
            serde_json::to_value(response).map_err(HandlerError::Response)
        } else {
            let summary = self.handle_direct(&payload).await;
            serde_json::to_value(summary).map_err(HandlerError::Response)
        }
    }

    /// Normalizes every message of the batch, sends all envelopes together, and lists
    /// the messages that had a failure.
    pub async fn handle_sqs(&self, event: SqsEvent) -> Result<SqsBatchResponse, HandlerError> {
        let inputs: Vec<Prepared> = event
            .records
            .iter()
            .map(|message| match &message.body {
                Some(body) => self.prepare_text(body),
                None => Prepared::unreadable("message", "the SQS message has no body"),
            })
            .collect();
        let reports = send_all(&self.sender, &self.events_queue_url, inputs).await;

        let mut response = SqsBatchResponse::default();
        let mut missing_id = None;
        for (position, (message, report)) in event.records.iter().zip(&reports).enumerate() {
            let message_id = message.message_id.as_deref();
            if report.records == 0 && report.failures.is_empty() {
                tracing::warn!(message_id, "SQS message held no records");
            }
            if report.failures.is_empty() {
                continue;
            }
            for failure in &report.failures {
                tracing::error!(message_id, record = %failure.record, reason = %failure.reason, "record not forwarded");
            }
            match message_id {
                Some(id) => response.add_failure(id),
                None => missing_id = missing_id.or(Some(position)),
            }
        }
        let totals = total(&reports);
        tracing::info!(
            messages = event.records.len(),
            records = totals.records,
            envelopes = totals.normalized,
            sent = totals.sent,
            skipped = totals.skipped,
            failed_records = totals.failures.len(),
            failed_messages = response.batch_item_failures.len(),
            "SQS batch normalized"
        );
        match missing_id {
            Some(position) => Err(HandlerError::MissingMessageId { position }),
            None => Ok(response),
        }
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

/// An SQS event: a non-empty `Records` array whose entries all say `"eventSource":
/// "aws:sqs"`. CloudAudit input never has a top-level `Records` key.
pub fn is_sqs_event(payload: &Value) -> bool {
    match payload.get("Records").and_then(Value::as_array) {
        Some(records) if !records.is_empty() => records
            .iter()
            .all(|record| record.get("eventSource").and_then(Value::as_str) == Some("aws:sqs")),
        _ => false,
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
    fn sqs_events_are_told_from_cloudaudit_input() {
        assert!(is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
        ));
        assert!(!is_sqs_event(&json!({"Records": []})));
        assert!(!is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:s3"}]})
        ));
        assert!(!is_sqs_event(
            &json!({"eventName": "StopInstances", "eventSource": "cvm.tencentcloudapi.com"})
        ));
        assert!(!is_sqs_event(&json!({"Response": {"Events": []}})));
        assert!(!is_sqs_event(&json!("text")));
    }

    #[test]
    fn handler_errors_become_named_lambda_errors() {
        let diagnostic = Diagnostic::from(HandlerError::MissingMessageId { position: 3 });
        assert_eq!(diagnostic.error_type, "MissingMessageId");
        assert!(
            diagnostic.error_message.contains("SQS message 3"),
            "{}",
            diagnostic.error_message
        );
    }
}
