//! Integration tests: the built `auditbridge` binary, run as a user would run it.
//!
//! One test binary (this directory) with a module per subcommand, so the suite links once.

mod common;

mod general;
mod lint;
mod match_events;
mod normalize;
mod run;
mod run_report;
mod run_sqs;
mod test_pattern;
mod test_pattern_explain;
mod validate_rules;
