//! The Lambda handler: tells SQS events from direct invocations, walks an SQS batch and
//! reports partial batch failures (the framework part); [`crate::dispatch`] does the
//! business part (evaluate, deliver, charge results back).
//!
//! - SQS event (`{"Records":[{"eventSource":"aws:sqs", ...}]}`, from the events queue):
//!   each message body is one envelope. The answer is `{"batchItemFailures":
//!   [{"itemIdentifier": messageId}]}` listing the messages whose body is not an
//!   envelope or one of whose deliveries still failed after the sender's retries; Lambda
//!   returns only those to the queue. A failed message's successful deliveries are not
//!   undone: its redelivery sends them again with the same idempotency key (dropped by
//!   FIFO targets, which deduplicate on it; consumers of standard queues deduplicate on
//!   the `idempotency-key` attribute).
//! - Anything else is a direct invocation: one envelope (a JSON object, or a JSON string
//!   holding one), or an array of them. The answer is a [`DirectResponse`].
//!
//! Logs carry counts, ids, rule and target names and reasons, never event bodies: they
//! hold personal data (user names, IP addresses).

use auditbridge_shared::rules::CompiledRules;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dispatch::{evaluate_and_deliver, rule_metrics, EventOutcome, Totals};
use crate::sink::DeliverySink;

/// The answer to a direct invocation.
///
/// `events` counts the envelopes given; `matched` lists those that matched a rule, with
/// where each message went; `delivered` and `failed` count messages over all of them;
/// `errors` lists the inputs that are not envelopes. The invocation itself succeeds even
/// with failures: callers must read `failed` and `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectResponse {
    pub events: usize,
    pub delivered: usize,
    pub failed: usize,
    pub matched: Vec<MatchedEvent>,
    pub errors: Vec<EventError>,
}

/// One envelope that matched at least one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedEvent {
    /// Position in the payload (0 for a single envelope).
    pub index: usize,
    /// The envelope's `id`.
    pub id: Option<String>,
    /// The matched rules, in rules-file order.
    pub rules: Vec<String>,
    pub deliveries: Vec<DeliveryStatus>,
}

/// Where one message went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    pub rule: String,
    pub target: String,
    pub queue: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An input that is not an envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventError {
    pub index: usize,
    pub reason: String,
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
#[derive(Debug)]
pub struct Handler<S> {
    rules: CompiledRules,
    sink: S,
    emit_metrics: bool,
}

impl<S: DeliverySink> Handler<S> {
    /// A handler evaluating `rules` and delivering through `sink`; each invocation
    /// writes its per-rule metrics to stdout (see [`crate::metrics`]).
    pub fn new(rules: CompiledRules, sink: S) -> Handler<S> {
        Handler {
            rules,
            sink,
            emit_metrics: true,
        }
    }

    /// No metrics lines on stdout (benchmarks).
    pub fn without_metrics(mut self) -> Handler<S> {
        self.emit_metrics = false;
        self
    }

    pub fn rules(&self) -> &CompiledRules {
        &self.rules
    }

    /// The Lambda entry point: an SQS event gets a partial batch response, anything
    /// else a [`DirectResponse`].
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, HandlerError> {
        let payload = event.payload;
        if is_sqs_event(&payload) {
            let event: SqsEvent =
                serde_json::from_value(payload).map_err(HandlerError::InvalidSqsEvent)?;
            let response = self.handle_sqs(event).await?;
            serde_json::to_value(response).map_err(HandlerError::Response)
        } else {
            let response = self.handle_direct(&payload).await;
            serde_json::to_value(response).map_err(HandlerError::Response)
        }
    }

    /// Evaluates every message of the batch, delivers all matches together, and lists
    /// the messages that are not envelopes or have an undelivered message.
    pub async fn handle_sqs(&self, event: SqsEvent) -> Result<SqsBatchResponse, HandlerError> {
        let inputs: Vec<Result<&str, &str>> = event
            .records
            .iter()
            .map(|message| message.body.as_deref().ok_or("the SQS message has no body"))
            .collect();
        let outcomes = evaluate_and_deliver(&self.rules, &self.sink, &inputs).await;

        let mut response = SqsBatchResponse::default();
        let mut missing_id = None;
        for (position, (message, outcome)) in event.records.iter().zip(&outcomes).enumerate() {
            let message_id = message.message_id.as_deref();
            if !log_failures(outcome, message_id, None) {
                continue;
            }
            match message_id {
                Some(id) => response.add_failure(id),
                None => missing_id = missing_id.or(Some(position)),
            }
        }
        let totals = Totals::of(&outcomes);
        tracing::info!(
            events = totals.events,
            invalid = totals.invalid,
            matched_events = totals.matched_events,
            matches = totals.matches,
            deliveries = totals.deliveries,
            failed_deliveries = totals.failed_deliveries,
            failed_messages = response.batch_item_failures.len(),
            "SQS batch evaluated"
        );
        self.finish(&outcomes);
        match missing_id {
            Some(position) => Err(HandlerError::MissingMessageId { position }),
            None => Ok(response),
        }
    }

    /// Evaluates and delivers one envelope or an array of them.
    pub async fn handle_direct(&self, payload: &Value) -> DirectResponse {
        let items: Vec<&Value> = match payload {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let texts: Vec<Result<String, &str>> = items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                Value::Object(_) => Ok(item.to_string()),
                _ => Err("not an event envelope: expected a JSON object (or a string holding one)"),
            })
            .collect();
        let inputs: Vec<Result<&str, &str>> = texts
            .iter()
            .map(|text| text.as_deref().map_err(|reason| *reason))
            .collect();
        let outcomes = evaluate_and_deliver(&self.rules, &self.sink, &inputs).await;

        let mut response = DirectResponse {
            events: outcomes.len(),
            ..DirectResponse::default()
        };
        for (index, outcome) in outcomes.iter().enumerate() {
            log_failures(outcome, None, Some(index));
            match outcome {
                Err(reason) => response.errors.push(EventError {
                    index,
                    reason: reason.clone(),
                }),
                Ok(report) if report.matched.is_empty() => {}
                Ok(report) => {
                    let deliveries: Vec<DeliveryStatus> = report
                        .deliveries
                        .iter()
                        .map(|delivery| DeliveryStatus {
                            rule: delivery.rule.clone(),
                            target: delivery.target.clone(),
                            queue: delivery.queue.clone(),
                            ok: delivery.result.is_ok(),
                            error: delivery.result.as_ref().err().map(ToString::to_string),
                        })
                        .collect();
                    response.failed += deliveries.iter().filter(|d| !d.ok).count();
                    response.delivered += deliveries.iter().filter(|d| d.ok).count();
                    response.matched.push(MatchedEvent {
                        index,
                        id: envelope_id(items[index], report.event_id.as_deref()),
                        rules: report.matched.clone(),
                        deliveries,
                    });
                }
            }
        }
        let totals = Totals::of(&outcomes);
        tracing::info!(
            events = totals.events,
            invalid = totals.invalid,
            matched_events = totals.matched_events,
            matches = totals.matches,
            deliveries = totals.deliveries,
            failed_deliveries = totals.failed_deliveries,
            "direct invocation evaluated"
        );
        self.finish(&outcomes);
        response
    }

    fn finish(&self, outcomes: &[EventOutcome]) {
        if self.emit_metrics {
            rule_metrics(outcomes).emit();
        }
    }
}

/// Logs what went wrong with one input (by SQS message id, or by position for a direct
/// invocation); whether anything did.
fn log_failures(outcome: &EventOutcome, message_id: Option<&str>, index: Option<usize>) -> bool {
    match outcome {
        Err(reason) => {
            tracing::error!(message_id, index, %reason, "input is not an event envelope");
            true
        }
        Ok(report) => {
            let mut failed = false;
            for delivery in report.failures() {
                failed = true;
                if let Err(error) = &delivery.result {
                    tracing::error!(
                        message_id,
                        index,
                        event_id = report.event_id.as_deref(),
                        rule = %delivery.rule,
                        target = %delivery.target,
                        queue = %delivery.queue,
                        reason = %error,
                        "delivery failed"
                    );
                }
            }
            failed
        }
    }
}

/// The envelope's id as given, else as seen in its messages.
fn envelope_id(item: &Value, from_messages: Option<&str>) -> Option<String> {
    let given = match item {
        Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    given.or_else(|| from_messages.map(str::to_string))
}

/// An SQS event: a non-empty `Records` array whose entries all say `"eventSource":
/// "aws:sqs"`. An envelope never has a top-level `Records` key.
pub fn is_sqs_event(payload: &Value) -> bool {
    match payload.get("Records").and_then(Value::as_array) {
        Some(records) if !records.is_empty() => records
            .iter()
            .all(|record| record.get("eventSource").and_then(Value::as_str) == Some("aws:sqs")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sqs_events_are_told_from_envelopes() {
        assert!(is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
        ));
        assert!(!is_sqs_event(&json!({"Records": []})));
        assert!(!is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:s3"}]})
        ));
        assert!(!is_sqs_event(
            &json!({"specversion": "1.0", "id": "e1", "source": "cvm.cloud.tencent"})
        ));
        assert!(!is_sqs_event(&json!([{"id": "e1"}])));
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

    #[test]
    fn a_delivery_status_shows_its_error_only_when_there_is_one() {
        let ok = DeliveryStatus {
            rule: "r".into(),
            target: "t".into(),
            queue: "q".into(),
            ok: true,
            error: None,
        };
        assert_eq!(
            serde_json::to_value(&ok).expect("serializes"),
            json!({"rule": "r", "target": "t", "queue": "q", "ok": true})
        );
    }
}
