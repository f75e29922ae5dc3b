//! The normalize function: CloudAudit records in, envelopes onto the events queue.
//!
//! - [`config`]: settings from the environment, read once.
//! - [`handler`]: the Lambda handler (SQS batches with partial failures, direct calls).
//! - [`prepare`]: one input's records into messages, skips and failures.
//! - [`send`]: all envelopes of an invocation sent together, failures charged back.
//!
//! The envelope as an SQS message (attributes, FIFO ids, the size check) is built by
//! [`auditbridge_shared::outbound::envelope_message`], which `auditbridge run` uses too.

pub mod config;
pub mod handler;
pub mod prepare;
pub mod send;

pub use config::{Config, ConfigError};
pub use handler::{Handler, HandlerError, Summary};
