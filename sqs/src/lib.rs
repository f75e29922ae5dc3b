//! SQS delivery: [`SqsSender`] sends [`OutboundMessage`]s with SendMessageBatch.
//!
//! The batching arithmetic lives in [`auditbridge_shared::outbound`] (pure and offline);
//! this crate makes the calls and turns every possible outcome into one result per
//! message, so callers can tell exactly which events did not leave.
//!
//! - [`sender`]: [`SqsSender`] and its options.
//! - [`retry`]: [`RetryPolicy`] for entries SQS reports as failed.
//! - [`error`]: [`DeliveryError`], why one message was not delivered.
//! - `testing` (feature `testing`): queues and receiving for tests against moto.

pub mod error;
pub mod retry;
pub mod sender;
#[cfg(feature = "testing")]
pub mod testing;

mod delivery;
mod sdk;
mod validate;

pub use auditbridge_shared::outbound::is_valid_fifo_id;
pub use auditbridge_shared::outbound::OutboundMessage;
pub use error::DeliveryError;
pub use retry::RetryPolicy;
pub use sender::{SqsSender, DEFAULT_MAX_CONCURRENT_BATCHES};

/// The checks a message passes before it is sent (size, SQS's content rules), without
/// sending it: what `auditbridge run` applies to the deliveries it only prints, so a
/// backtest fails exactly the messages production would.
pub fn check_message(
    queue_url: &str,
    message: &OutboundMessage,
    max_bytes: usize,
) -> Result<(), DeliveryError> {
    validate::check(message, max_bytes)
        .map_err(|problem| delivery::problem_error(queue_url, problem))
}

use aws_config::BehaviorVersion;

/// An SQS client configured by the standard AWS chain (environment, profile, IMDS, ...).
///
/// The chain honours `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL`, which is how a local
/// SQS-compatible server is used without code changes. The SDK's standard retry mode
/// (retrying throttling, 5xx and network errors) stays on: [`SqsSender`] relies on it for
/// whole-call failures.
pub async fn client_from_env() -> aws_sdk_sqs::Client {
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    aws_sdk_sqs::Client::new(&config)
}
