//! Exit statuses, in one place so every subcommand means the same thing by them.
//!
//! - 0: everything went through.
//! - 1: the command ran to the end, but some record, line, rule or delivery failed
//!   (each one is reported on stderr).
//! - 2: the command could not do its job at all: bad usage (clap also uses 2), an input
//!   that cannot be read, an invalid rules file or pattern, an event that is not JSON
//!   for `test-pattern`.

use std::process::ExitCode;

/// How a subcommand that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing failed.
    Success,
    /// Some items failed and were reported; the others were processed.
    PartialFailure,
    /// The command refused its input as a whole (already reported).
    Invalid,
}

impl Outcome {
    /// `PartialFailure` when `failures` is non-zero, else `Success`.
    pub fn from_failures(failures: u64) -> Self {
        if failures == 0 {
            Outcome::Success
        } else {
            Outcome::PartialFailure
        }
    }
}

/// Exit status of a fatal error (reported with its cause chain by `app`).
pub const FATAL: u8 = 2;

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::PartialFailure => ExitCode::from(1),
            Outcome::Invalid => ExitCode::from(FATAL),
        }
    }
}
