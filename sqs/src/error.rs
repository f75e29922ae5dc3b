//! Why one message was not delivered.

/// One message that did not reach its queue, with enough context to log and act on.
///
/// Every variant names the queue. Errors are per message and cloneable: one failed
/// SendMessageBatch call fails each of its entries with the same reason, so the SDK error
/// is kept as its rendered text (code and message) rather than as a shared source object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The message is larger than the byte limit; it was not sent, its batch-mates were.
    #[error("message not sent to {queue}: {size} bytes exceed the {max_bytes}-byte limit (body plus attributes)")]
    TooLarge {
        queue: String,
        size: usize,
        max_bytes: usize,
    },
    /// The message breaks an SQS rule that would make the whole batch call fail (empty
    /// body, characters SQS refuses, a bad attribute or FIFO id); it was not sent.
    #[error("message not sent to {queue}: {reason}")]
    Invalid { queue: String, reason: String },
    /// SQS accepted the call but reported this entry in `Failed`, on the last attempt.
    #[error("{queue} rejected the message after {attempts} attempt(s): {code}: {reason}")]
    Rejected {
        queue: String,
        code: String,
        reason: String,
        /// SQS's verdict that the request itself is at fault; such entries are not retried.
        sender_fault: bool,
        attempts: u32,
    },
    /// The whole SendMessageBatch call failed (after the SDK's own retries of transient
    /// errors), e.g. the queue does not exist or the endpoint is unreachable.
    #[error("SendMessageBatch to {queue} failed{}: {reason}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    CallFailed {
        queue: String,
        code: Option<String>,
        reason: String,
    },
}

impl DeliveryError {
    /// The queue the message was bound for.
    pub fn queue(&self) -> &str {
        match self {
            DeliveryError::TooLarge { queue, .. }
            | DeliveryError::Invalid { queue, .. }
            | DeliveryError::Rejected { queue, .. }
            | DeliveryError::CallFailed { queue, .. } => queue,
        }
    }

    /// The SQS error code, when SQS gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            DeliveryError::Rejected { code, .. } => Some(code),
            DeliveryError::CallFailed { code, .. } => code.as_deref(),
            DeliveryError::TooLarge { .. } | DeliveryError::Invalid { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_queue_and_the_reason() {
        let call = DeliveryError::CallFailed {
            queue: "q1".into(),
            code: Some("QueueDoesNotExist".into()),
            reason: "The specified queue does not exist.".into(),
        };
        assert_eq!(
            call.to_string(),
            "SendMessageBatch to q1 failed (QueueDoesNotExist): The specified queue does not exist."
        );
        assert_eq!(call.code(), Some("QueueDoesNotExist"));
        let large = DeliveryError::TooLarge {
            queue: "q2".into(),
            size: 300,
            max_bytes: 200,
        };
        assert_eq!(large.queue(), "q2");
        assert_eq!(
            large.to_string(),
            "message not sent to q2: 300 bytes exceed the 200-byte limit (body plus attributes)"
        );
    }
}
