//! Where messages go: the handler's only I/O, behind a trait so the same handler code
//! runs against SQS in the function, a test server in tests, and nothing in benchmarks.

use std::future::Future;

use auditbridge_shared::outbound::{is_fifo_queue, OutboundMessage};
use auditbridge_sqs::{DeliveryError, SqsSender};

/// Delivers messages to one queue.
pub trait DeliverySink: Sync {
    /// Sends `messages` to `queue_url`: one result per message, in the same order.
    /// Must not panic; a failure of one message must not fail the others.
    fn send(
        &self,
        queue_url: &str,
        messages: &[OutboundMessage],
    ) -> impl Future<Output = Vec<Result<(), DeliveryError>>> + Send;
}

impl DeliverySink for SqsSender {
    /// SendMessageBatch through [`SqsSender`]. For a FIFO queue the batches go one after
    /// another, so the messages of a group arrive in the order the handler planned them
    /// (concurrent calls could overtake each other).
    fn send(
        &self,
        queue_url: &str,
        messages: &[OutboundMessage],
    ) -> impl Future<Output = Vec<Result<(), DeliveryError>>> + Send {
        let sender = if is_fifo_queue(queue_url) {
            self.clone().with_max_concurrent_batches(1)
        } else {
            self.clone()
        };
        async move { sender.send(queue_url, messages).await }
    }
}
