//! What the two Lambda functions (normalize, evaluate) share: the Lambda plumbing around
//! their business part, so both read settings and answer SQS batches the same way and a
//! fix to that plumbing lands in both at once.
//!
//! - [`config`]: environment values both functions read (blank means unset, booleans,
//!   `MAX_MESSAGE_BYTES`) and the error naming a bad one.
//! - [`invocation`]: an SQS event told from a direct invocation, the partial batch
//!   response built from per-message outcomes, and the errors that fail a whole
//!   invocation.
//! - `testing` (feature `testing`): what the functions' tests build alike (SQS events,
//!   fixtures, environments, test senders) and batch responses read back.

pub mod config;
pub mod invocation;
#[cfg(feature = "testing")]
pub mod testing;
