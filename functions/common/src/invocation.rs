//! The framework part of both handlers: what kind of invocation a payload is, the
//! partial batch response for an SQS batch, and the errors that fail a whole invocation.
//!
//! Both functions take SQS batches (from their event source mapping, with
//! `ReportBatchItemFailures`) and direct invocations (tests, `sam local invoke`,
//! replays). For a batch, Lambda returns to the queue only the messages listed in
//! `batchItemFailures`; the good ones are deleted. A failed message must therefore be
//! listed by its `messageId`, and one that has none cannot be: then the whole batch
//! fails, since a retry of everything repeats work while a success would drop it.
//!
//! A batch from a FIFO queue keeps its queue's order only if nothing after a failed
//! message is deleted: Lambda hands over the messages of a group in order, and a later
//! message deleted while an earlier one waits for its retry would overtake it. So in such
//! a batch the handlers do not process the messages after the first one that failed
//! before sending ([`HELD_BACK`]), and every message after the first failure is listed.

use auditbridge_shared::outbound::is_fifo_queue;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::Diagnostic;
use serde::Serialize;
use serde_json::Value;

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

/// Each error gets its own `errorType`, so a failed invocation can be told apart in the
/// logs and in CloudWatch alarms without parsing the message.
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

/// What a payload is: a batch from SQS, or anything else, given directly.
#[derive(Debug, Clone)]
pub enum Invocation {
    Sqs(SqsEvent),
    Direct(Value),
}

impl Invocation {
    /// Tells the kind by [`is_sqs_event`]. A payload that claims to be an SQS event but
    /// does not parse as one is an error, not a direct invocation: treating it as input
    /// would report a broken batch as processed.
    pub fn read(payload: Value) -> Result<Invocation, HandlerError> {
        if is_sqs_event(&payload) {
            serde_json::from_value(payload)
                .map(Invocation::Sqs)
                .map_err(HandlerError::InvalidSqsEvent)
        } else {
            Ok(Invocation::Direct(payload))
        }
    }
}

/// An SQS event: a non-empty `Records` array whose entries all say `"eventSource":
/// "aws:sqs"`. Neither function's direct input (CloudAudit records, envelopes) ever has
/// a top-level `Records` key.
pub fn is_sqs_event(payload: &Value) -> bool {
    match payload.get("Records").and_then(Value::as_array) {
        Some(records) if !records.is_empty() => records
            .iter()
            .all(|record| record.get("eventSource").and_then(Value::as_str) == Some("aws:sqs")),
        _ => false,
    }
}

/// The answer to return to the Lambda runtime.
pub fn respond(response: &impl Serialize) -> Result<Value, HandlerError> {
    serde_json::to_value(response).map_err(HandlerError::Response)
}

/// Why a message without a body cannot be processed (SQS always sends one; a
/// hand-written event may not).
pub const NO_BODY: &str = "the SQS message has no body";

/// A message's body, or [`NO_BODY`] as the reason it has none.
pub fn message_body(message: &SqsMessage) -> Result<&str, &'static str> {
    message.body.as_deref().ok_or(NO_BODY)
}

/// Why a message of a FIFO batch was not processed: one before it failed, and it must
/// not overtake that one (it is listed with it, and both come back in order).
pub const HELD_BACK: &str = "not processed: an earlier message of this batch from a FIFO queue failed, and this one must not overtake it";

/// Whether the batch comes from a FIFO queue (Lambda gives each message its queue's ARN,
/// which ends in `.fifo` for one).
pub fn is_fifo_batch(messages: &[SqsMessage]) -> bool {
    messages.iter().any(|message| {
        message
            .event_source_arn
            .as_deref()
            .is_some_and(is_fifo_queue)
    })
}

/// The messages of a batch that failed: those listed in the partial batch response,
/// and whether one could not be listed for lack of a `messageId`.
#[derive(Debug, Clone, Default)]
pub struct BatchFailures {
    response: SqsBatchResponse,
    /// Position of the first failed message without a `messageId`.
    unidentified: Option<usize>,
}

impl BatchFailures {
    /// Walks `messages` with their `outcomes` (same order); `failed` is asked about each
    /// one, with its `messageId` for logging, and says whether it failed. In a batch from
    /// a FIFO queue ([`is_fifo_batch`]) every message after the first failed one is
    /// listed too, so none overtakes it.
    pub fn collect<T>(
        messages: &[SqsMessage],
        outcomes: &[T],
        mut failed: impl FnMut(Option<&str>, &T) -> bool,
    ) -> BatchFailures {
        let fifo = is_fifo_batch(messages);
        let mut failures = BatchFailures::default();
        let mut earlier_failed = false;
        for (position, (message, outcome)) in messages.iter().zip(outcomes).enumerate() {
            let message_id = message.message_id.as_deref();
            let failed_itself = failed(message_id, outcome);
            let overtakes = fifo && earlier_failed;
            if !(failed_itself || overtakes) {
                continue;
            }
            earlier_failed = true;
            match message_id {
                Some(id) => failures.response.add_failure(id),
                None => failures.unidentified = failures.unidentified.or(Some(position)),
            }
        }
        failures
    }

    /// How many failed messages the response lists.
    pub fn listed(&self) -> usize {
        self.response.batch_item_failures.len()
    }

    /// The partial batch response, or [`HandlerError::MissingMessageId`] when a failed
    /// message cannot be listed (so the whole batch is retried, nothing lost).
    pub fn into_response(self) -> Result<SqsBatchResponse, HandlerError> {
        match self.unidentified {
            Some(position) => Err(HandlerError::MissingMessageId { position }),
            None => Ok(self.response),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(id: Option<&str>) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = id.map(str::to_string);
        message
    }

    #[test]
    fn sqs_events_are_told_from_other_payloads() {
        assert!(is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
        ));
        assert!(!is_sqs_event(&json!({"Records": []})));
        assert!(!is_sqs_event(
            &json!({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:s3"}]})
        ));
        assert!(!is_sqs_event(&json!({"Records": "aws:sqs"})));
        assert!(!is_sqs_event(&json!("text")));
        assert!(!is_sqs_event(&json!([{"eventSource": "aws:sqs"}])));
    }

    #[test]
    fn a_payload_is_read_as_its_kind() {
        let sqs = json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": "b"}]});
        match Invocation::read(sqs) {
            Ok(Invocation::Sqs(event)) => {
                assert_eq!(event.records.len(), 1);
                assert_eq!(message_body(&event.records[0]), Ok("b"));
            }
            other => panic!("not an SQS invocation: {other:?}"),
        }
        let direct = json!({"eventName": "StopInstances"});
        match Invocation::read(direct.clone()) {
            Ok(Invocation::Direct(payload)) => assert_eq!(payload, direct),
            other => panic!("not a direct invocation: {other:?}"),
        }
        let broken = json!({"Records": [{"eventSource": "aws:sqs", "body": 7}]});
        match Invocation::read(broken) {
            Err(error @ HandlerError::InvalidSqsEvent(_)) => assert!(
                error
                    .to_string()
                    .starts_with("the payload looks like an SQS event but cannot be read as one: "),
                "{error}"
            ),
            other => panic!("a broken SQS event was accepted: {other:?}"),
        }
    }

    #[test]
    fn a_message_without_a_body_says_so() {
        assert_eq!(message_body(&message(Some("m1"))), Err(NO_BODY));
    }

    #[test]
    fn only_failed_messages_are_listed_by_id() {
        let messages = [
            message(Some("m1")),
            message(Some("m2")),
            message(Some("m3")),
        ];
        let mut asked = Vec::new();
        let failures = BatchFailures::collect(&messages, &[false, true, true], |id, failed| {
            asked.push(id.map(str::to_string));
            *failed
        });
        assert_eq!(
            asked,
            [Some("m1".into()), Some("m2".into()), Some("m3".into())]
        );
        assert_eq!(failures.listed(), 2);
        let response = failures
            .into_response()
            .expect("all failed messages have ids");
        assert_eq!(
            serde_json::to_value(response).expect("serializes"),
            json!({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]})
        );
    }

    fn from_queue(id: &str, queue_arn: &str) -> SqsMessage {
        let mut message = message(Some(id));
        message.event_source_arn = Some(queue_arn.to_string());
        message
    }

    #[test]
    fn in_a_fifo_batch_every_message_after_a_failed_one_is_listed() {
        let fifo = "arn:aws:sqs:us-east-1:123456789012:input.fifo";
        let messages = ["m1", "m2", "m3", "m4"].map(|id| from_queue(id, fifo));
        assert!(is_fifo_batch(&messages));
        let mut asked = 0;
        let failures =
            BatchFailures::collect(&messages, &[false, true, false, true], |_, failed| {
                asked += 1;
                *failed
            });
        assert_eq!(
            asked, 4,
            "every message is still asked about, for its log lines"
        );
        assert_eq!(
            serde_json::to_value(failures.into_response().expect("ids")).expect("serializes"),
            json!({"batchItemFailures": [
                {"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}, {"itemIdentifier": "m4"}
            ]})
        );

        let standard = "arn:aws:sqs:us-east-1:123456789012:input";
        let messages = ["m1", "m2", "m3", "m4"].map(|id| from_queue(id, standard));
        assert!(!is_fifo_batch(&messages));
        let failures =
            BatchFailures::collect(&messages, &[false, true, false, true], |_, failed| *failed);
        assert_eq!(
            serde_json::to_value(failures.into_response().expect("ids")).expect("serializes"),
            json!({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m4"}]})
        );
    }

    #[test]
    fn a_failed_message_without_an_id_fails_the_whole_batch() {
        let messages = [message(Some("m1")), message(None), message(None)];
        let failures = BatchFailures::collect(&messages, &[true, true, true], |_, failed| *failed);
        assert_eq!(failures.listed(), 1);
        let error = failures.into_response().expect_err("must fail");
        assert!(
            matches!(error, HandlerError::MissingMessageId { position: 1 }),
            "{error}"
        );
    }

    #[test]
    fn a_succeeded_message_without_an_id_is_fine() {
        let messages = [message(None), message(Some("m2"))];
        let failures = BatchFailures::collect(&messages, &[false, false], |_, failed| *failed);
        let response = failures.into_response().expect("nothing to list");
        assert!(response.batch_item_failures.is_empty());
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
        let not_json = serde_json::from_str::<Value>("{").expect_err("not JSON");
        assert_eq!(
            Diagnostic::from(HandlerError::InvalidSqsEvent(not_json)).error_type,
            "InvalidSqsEvent"
        );
    }
}
