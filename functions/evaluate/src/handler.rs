//! The Lambda handler: the framework part (SQS event or direct invocation, partial batch
//! response) is [`lambda_common::invocation`], shared with the normalize function;
//! [`crate::dispatch`] does the business part (evaluate, deliver, charge results back).
//!
//! - SQS event (`{"Records":[{"eventSource":"aws:sqs", ...}]}`, from the events queue):
//!   each message body is one envelope. The answer is `{"batchItemFailures":
//!   [{"itemIdentifier": messageId}]}` listing the messages whose body is not an
//!   envelope or one of whose deliveries still failed after the sender's retries; Lambda
//!   returns only those to the queue. A failed message's successful deliveries are not
//!   undone: its redelivery sends them again with the same idempotency key (dropped by
//!   FIFO targets, which deduplicate on it; consumers of standard queues deduplicate on
//!   the `idempotency-key` attribute). From a FIFO events queue, the messages after one
//!   that is not an envelope are not evaluated, and every message after a failed one is
//!   listed too, so none overtakes it.
//! - Anything else is a direct invocation: one envelope (a JSON object, or a JSON string
//!   holding one), or an array of them. The answer is a [`DirectResponse`].
//!
//! Logs carry counts, ids, rule and target names and reasons, never event bodies: they
//! hold personal data (user names, IP addresses).

use auditbridge_shared::rules::CompiledRules;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_common::invocation::{
    is_fifo_batch, message_body, respond, BatchFailures, Invocation, HELD_BACK,
};
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dispatch::{evaluate_and_deliver, rule_metrics, EventOutcome, NotEvaluated, Totals};
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

pub use lambda_common::invocation::{is_sqs_event, HandlerError};

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
        match Invocation::read(event.payload)? {
            Invocation::Sqs(event) => respond(&self.handle_sqs(event).await?),
            Invocation::Direct(payload) => respond(&self.handle_direct(&payload).await),
        }
    }

    /// Evaluates every message of the batch, delivers all matches together, and lists
    /// the messages that are not envelopes or have an undelivered message.
    pub async fn handle_sqs(&self, event: SqsEvent) -> Result<SqsBatchResponse, HandlerError> {
        let inputs: Vec<Result<&str, &str>> = event.records.iter().map(message_body).collect();
        let fifo_source = is_fifo_batch(&event.records);
        let outcomes = evaluate_and_deliver(&self.rules, &self.sink, &inputs, fifo_source).await;

        let failures = BatchFailures::collect(&event.records, &outcomes, |message_id, outcome| {
            log_failures(outcome, message_id, None)
        });
        self.finish(&outcomes, "SQS batch", Some(failures.listed()));
        failures.into_response()
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
        let outcomes = evaluate_and_deliver(&self.rules, &self.sink, &inputs, false).await;

        let mut response = DirectResponse {
            events: outcomes.len(),
            ..DirectResponse::default()
        };
        for (index, outcome) in outcomes.iter().enumerate() {
            log_failures(outcome, None, Some(index));
            match outcome {
                Err(reason) => response.errors.push(EventError {
                    index,
                    reason: reason.to_string(),
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
        self.finish(&outcomes, "direct invocation", None);
        response
    }

    /// Logs the invocation's totals (`invocation` names its kind; `failed_messages`
    /// only for SQS batches) and writes its per-rule metrics.
    fn finish(&self, outcomes: &[EventOutcome], invocation: &str, failed_messages: Option<usize>) {
        let totals = Totals::of(outcomes);
        tracing::info!(
            events = totals.events,
            invalid = totals.invalid,
            held_back = totals.held_back,
            matched_events = totals.matched_events,
            matches = totals.matches,
            deliveries = totals.deliveries,
            failed_deliveries = totals.failed_deliveries,
            failed_messages,
            "{invocation} evaluated"
        );
        if self.emit_metrics {
            rule_metrics(outcomes).emit();
        }
    }
}

/// Logs what went wrong with one input (by SQS message id, or by position for a direct
/// invocation); whether anything did.
fn log_failures(outcome: &EventOutcome, message_id: Option<&str>, index: Option<usize>) -> bool {
    match outcome {
        Err(NotEvaluated::Invalid(reason)) => {
            tracing::error!(message_id, index, %reason, "input is not an event envelope");
            true
        }
        Err(NotEvaluated::HeldBack) => {
            tracing::warn!(message_id, index, reason = HELD_BACK, "input held back");
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_are_never_taken_for_an_sqs_event() {
        for input in [
            json!({"specversion": "1.0", "id": "e1", "source": "cvm.cloud.tencent"}),
            json!([{"id": "e1"}]),
        ] {
            assert!(!is_sqs_event(&input), "{input}");
        }
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
