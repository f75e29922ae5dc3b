//! [`SqsSender`]: the public face of delivery.

use auditbridge_shared::outbound::{OutboundMessage, DEFAULT_MAX_BYTES};

use crate::delivery::{self, Settings};
use crate::error::DeliveryError;
use crate::retry::RetryPolicy;
use crate::sdk::SdkTransport;

/// How many SendMessageBatch calls run at once by default: enough to hide latency for
/// an invocation's worth of envelopes without hogging the connection pool.
pub const DEFAULT_MAX_CONCURRENT_BATCHES: usize = 4;

/// Sends messages with SendMessageBatch. Built once per process; cheap to share.
///
/// Retries happen at two levels, each for what it understands:
/// - the SDK's retry layer (configured on the client) retries whole calls that failed
///   transiently: throttling, 5xx, timeouts, connection errors. Calls failing for a
///   reason that will not go away (`QueueDoesNotExist` /
///   `AWS.SimpleQueueService.NonExistentQueue`, access denied, bad request) are not retried.
/// - [`RetryPolicy`] retries the entries a successful call lists in `Failed` with
///   `SenderFault: false`. Entries with `SenderFault: true` would fail the same way again
///   and are reported at once.
#[derive(Debug, Clone)]
pub struct SqsSender {
    transport: SdkTransport,
    settings: Settings,
}

impl SqsSender {
    /// A sender with the default retry policy, [`DEFAULT_MAX_BYTES`] and
    /// [`DEFAULT_MAX_CONCURRENT_BATCHES`].
    pub fn new(client: aws_sdk_sqs::Client) -> Self {
        SqsSender {
            transport: SdkTransport { client },
            settings: Settings {
                retry: RetryPolicy::default(),
                max_bytes: DEFAULT_MAX_BYTES,
                max_concurrent_batches: DEFAULT_MAX_CONCURRENT_BATCHES,
            },
        }
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.settings.retry = retry;
        self
    }

    /// The byte limit for one message and for one batch call (see
    /// [`OutboundMessage::size`]).
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.settings.max_bytes = max_bytes;
        self
    }

    /// How many batch calls may be in flight at once (at least one).
    pub fn with_max_concurrent_batches(mut self, batches: usize) -> Self {
        self.settings.max_concurrent_batches = batches.max(1);
        self
    }

    pub fn max_bytes(&self) -> usize {
        self.settings.max_bytes
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.settings.retry
    }

    /// Sends `messages` to `queue_url`: one result per message, in the same order.
    ///
    /// Messages are cut into batches of at most ten entries within the byte limit; a
    /// message over the limit, or one SQS would refuse in a way that fails the whole
    /// call, fails alone without being sent. A failed call fails only its own batch.
    /// Never panics.
    pub async fn send(
        &self,
        queue_url: &str,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), DeliveryError>> {
        delivery::deliver(&self.transport, &self.settings, queue_url, messages).await
    }
}
