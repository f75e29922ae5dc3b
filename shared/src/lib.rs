//! auditbridge's library: everything that can be tested without a network.
//!
//! - [`envelope`]: the EventBridge CloudEvents envelope every later stage sees.
//! - [`cloudaudit`]: raw CloudAudit records (in every input form) into envelopes.
//! - [`pattern`]: event patterns (AWS and Tencent dialects) and a reference evaluator.
//! - [`ruleset`]: many named patterns compiled into one matcher.
//! - [`rules`]: the rules file, targets and input transforms.
//! - [`lint`]: warnings about rules that cannot fire as meant, from the envelope's schema.
//! - [`outbound`]: messages bound for SQS and how they are cut into batches.

pub mod cloudaudit;
pub mod envelope;
pub mod lint;
pub mod outbound;
pub mod pattern;
pub mod rules;
pub mod ruleset;
