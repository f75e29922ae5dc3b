//! What the functions' tests and benches build alike: SQS events in the shape Lambda
//! really sends, the sample payloads in `events/`, environments for
//! `Config::from_lookup`, senders for the test SQS server; and partial batch responses
//! read back.

use std::collections::HashMap;
use std::time::Duration;

use auditbridge_sqs::testing::TestSqs;
use auditbridge_sqs::{RetryPolicy, SqsSender};
use serde_json::{json, Value};

/// The queue the built messages claim to come from.
pub const TEST_QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:auditbridge-test";

/// A FIFO queue for the built messages to come from.
pub const TEST_FIFO_QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:auditbridge-test.fifo";

/// An SQS event as Lambda's event source mapping builds it, from (messageId, body)
/// pairs, in order.
pub fn sqs_event<I, K, B>(messages: I) -> Value
where
    I: IntoIterator<Item = (K, B)>,
    K: AsRef<str>,
    B: AsRef<str>,
{
    sqs_event_from(TEST_QUEUE_ARN, messages)
}

/// [`sqs_event`] from the queue `queue_arn` (e.g. [`TEST_FIFO_QUEUE_ARN`]).
pub fn sqs_event_from<I, K, B>(queue_arn: &str, messages: I) -> Value
where
    I: IntoIterator<Item = (K, B)>,
    K: AsRef<str>,
    B: AsRef<str>,
{
    let records: Vec<Value> = messages
        .into_iter()
        .map(|(id, body)| {
            let id = id.as_ref();
            json!({
                "messageId": id,
                "receiptHandle": format!("handle-{id}"),
                "body": body.as_ref(),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// The message ids listed in a partial batch response, in order. Panics when `response`
/// is not one.
pub fn failed_ids(response: &Value) -> Vec<String> {
    response["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("not a batch response: {response}"))
        .iter()
        .map(|failure| {
            failure["itemIdentifier"]
                .as_str()
                .unwrap_or_else(|| panic!("no itemIdentifier: {failure}"))
                .to_string()
        })
        .collect()
}

/// The parsed JSON of the repository's `events/{name}`: the sample Lambda payloads that
/// `cargo lambda invoke` and the smoke test also use, so tests and tools agree on them.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// An environment holding exactly `vars`, as a lookup (a variable name to its value).
pub fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

/// A sender on the test SQS server whose retries wait a millisecond, so tests of
/// failing sends stay quick while still going through the retry path.
pub fn quick_sender(sqs: &TestSqs) -> SqsSender {
    SqsSender::new(sqs.client()).with_retry_policy(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invocation::{is_sqs_event, message_body, BatchFailures, Invocation};

    #[test]
    fn built_events_are_read_as_sqs_events_with_their_ids_and_bodies() {
        let event = sqs_event([("m1", "one"), ("m2", "two")]);
        assert!(is_sqs_event(&event));
        let Ok(Invocation::Sqs(event)) = Invocation::read(event) else {
            panic!("not read as an SQS event");
        };
        let read: Vec<(Option<&str>, Result<&str, &str>)> = event
            .records
            .iter()
            .map(|message| (message.message_id.as_deref(), message_body(message)))
            .collect();
        assert_eq!(read, [(Some("m1"), Ok("one")), (Some("m2"), Ok("two"))]);
    }

    #[test]
    fn fixtures_are_read_from_the_events_folder() {
        let event = fixture("normalize-sqs-mixed-batch.json");
        assert!(is_sqs_event(&event), "{event}");
    }

    #[test]
    fn an_environment_holds_exactly_its_variables() {
        let env = env_of(&[("A", "1"), ("B", "")]);
        assert_eq!(env("A").as_deref(), Some("1"));
        assert_eq!(env("B").as_deref(), Some(""));
        assert_eq!(env("C"), None);
    }

    #[test]
    fn failed_ids_reads_a_built_response() {
        let Ok(Invocation::Sqs(event)) = Invocation::read(sqs_event([("a", ""), ("b", "")])) else {
            panic!("not read as an SQS event");
        };
        let response = BatchFailures::collect(&event.records, &[true, false], |_, failed| *failed)
            .into_response()
            .expect("ids present");
        let response = serde_json::to_value(response).expect("serializes");
        assert_eq!(failed_ids(&response), ["a"]);
    }
}
