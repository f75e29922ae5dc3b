//! The evaluate function: envelopes from the events queue in, every rule match on its
//! targets' queues.
//!
//! - [`config`]: settings from the environment and the rules they name, compiled once.
//! - [`handler`]: the Lambda handler (SQS batches with partial failures, direct calls).
//! - [`dispatch`]: envelopes evaluated, all messages delivered together, results charged
//!   back to their envelope.
//! - [`sink`]: [`DeliverySink`], the handler's only I/O (SQS in the function).
//! - [`metrics`]: per-rule counts as CloudWatch Embedded Metric Format lines.

pub mod config;
pub mod dispatch;
pub mod handler;
pub mod metrics;
pub mod sink;

pub use config::{Config, ConfigError, RulesSource};
pub use handler::{DirectResponse, Handler, HandlerError};
pub use sink::DeliverySink;
