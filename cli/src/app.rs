//! The command line: flags common to every subcommand, dispatch, and how errors end the
//! process.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{lint, match_events, normalize, run, test_pattern, validate_rules};
use crate::logging;
use crate::output::{self, report};
use crate::status::{Outcome, FATAL};

/// auditbridge: Tencent Cloud CloudAudit records into EventBridge-style events, matched
/// against event-pattern rules and delivered to SQS queues, from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "auditbridge",
    version,
    propagate_version = true,
    after_help = "Examples:
  auditbridge run --rules rules/security.json samples/audit-history.jsonl
  auditbridge normalize samples/audit-history.jsonl | auditbridge match --rules rules/security.json
  auditbridge validate-rules rules/*.json
  auditbridge lint rules/security.json
  auditbridge test-pattern --pattern pattern.json --event envelope.json

Exit status: 0 success; 1 some records, lines, rules or deliveries failed (each reported
on stderr, as are rules files validate-rules and lint cannot read); 2 the command could
not run (bad usage, an input that cannot be read, an invalid pattern)."
)]
pub struct Cli {
    /// Diagnostics on stderr: a level (`error`, `warn`, `info`, `debug`, `trace`, `off`),
    /// or directives such as `warn,auditbridge_shared=debug` (a target always with its
    /// level). Overrides RUST_LOG; default `warn`.
    #[arg(long, global = true, value_name = "FILTER")]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Normalize(normalize::Args),
    ValidateRules(validate_rules::Args),
    TestPattern(test_pattern::Args),
    Lint(lint::Args),
    Match(match_events::Args),
    Run(run::Args),
}

/// Parses the command line, runs the subcommand and turns its outcome into the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = logging::init(cli.log_level.as_deref()) {
        report!("error: {error:#}");
        return ExitCode::from(FATAL);
    }
    match dispatch(cli.command) {
        Ok(outcome) => outcome.into(),
        // Our reader went away (`| head`): nothing more to say to anyone.
        Err(error) if output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            report!("error: {error:#}");
            ExitCode::from(FATAL)
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Normalize(args) => normalize::run(args),
        Command::ValidateRules(args) => validate_rules::run(args),
        Command::TestPattern(args) => test_pattern::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Match(args) => match_events::run(args),
        Command::Run(args) => run::run(args),
    }
}
