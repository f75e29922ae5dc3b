//! SQS events built for tests and benches, and partial batch responses read back, so the
//! functions' tests exercise the handler with the payload shape Lambda really sends.

use serde_json::{json, Value};

/// The queue the built messages claim to come from.
pub const TEST_QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:auditbridge-test";

/// An SQS event as Lambda's event source mapping builds it, from (messageId, body)
/// pairs, in order.
pub fn sqs_event<I, K, B>(messages: I) -> Value
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
                "eventSourceARN": TEST_QUEUE_ARN,
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
