//! `auditbridge test-pattern`: does this pattern match this event? The answer production
//! would give, printed the way `aws events test-event-pattern` prints it.

use std::path::PathBuf;

use anyhow::Context;
use auditbridge_shared::pattern::Pattern;
use auditbridge_shared::ruleset::{RuleSet, RuleSetBuilder};

use crate::args::DialectFlag;
use crate::input;
use crate::output::{report, Stdout};
use crate::status::Outcome;

/// Test an event pattern against one event: prints `{"Result":true}` or `{"Result":false}`.
///
/// The pattern is compiled into a rule set of one rule, exactly as the evaluate function
/// compiles rules files, so the answer is the one production would give. Exit status 0
/// for either answer; 2 for a pattern that is invalid (the JSON path in the pattern and
/// the reason go to stderr) or an event that is not a JSON object.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge test-pattern --pattern sg-open.json --event envelope.json
  auditbridge normalize record.json | auditbridge test-pattern --pattern p.json --event -
  auditbridge test-pattern --dialect aws --pattern p.json --event e.json
  auditbridge test-pattern --explain --pattern p.json --event e.json")]
pub struct Args {
    /// The event pattern (a JSON file).
    #[arg(long, value_name = "FILE")]
    pub pattern: PathBuf,

    /// The event: one JSON value, e.g. an envelope from `auditbridge normalize` (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub event: PathBuf,

    #[command(flatten)]
    pub dialect: DialectFlag,

    /// Instead of the result, explain it: for each `$or` alternative and each condition,
    /// the event's values at the path and why each matches or not. Same exit status.
    #[arg(long)]
    pub explain: bool,

    /// With `--explain`: the explanation as JSON, for tools.
    #[arg(long, requires = "explain")]
    pub json: bool,
}

/// Name of the single rule the pattern becomes; never shown.
const RULE_NAME: &str = "pattern";

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    input::stdin_at_most_once([args.pattern.as_path(), args.event.as_path()])?;
    let pattern_text = input::read_file(&args.pattern)?;
    let (pattern, rule_set) = match compile(&pattern_text, &args) {
        Ok(compiled) => compiled,
        Err(message) => {
            report!("invalid event pattern: {message}");
            return Ok(Outcome::Invalid);
        }
    };
    let event_text = input::read_file(&args.event)?;
    let name = input::display_name(&args.event);
    // The verdict comes from the JSON reader `match` and the evaluate function use, so all
    // of them accept the same events and agree on them.
    let matched = match rule_set.matches_json(&event_text) {
        Ok(ids) => !ids.is_empty(),
        Err(error) => {
            report!("{name}: {error}");
            return Ok(Outcome::Invalid);
        }
    };
    if let Some(kind) = input::not_an_object(&event_text) {
        report!("{name}: event is not a JSON object but {kind}");
        return Ok(Outcome::Invalid);
    }
    // serde_json refuses a few events that are JSON all the same (a number beyond f64, a
    // lone surrogate escape, nesting past 128 levels): those are answered but cannot be
    // cross-checked or explained.
    let event = serde_json::from_str::<serde_json::Value>(&event_text);
    match &event {
        // The reference evaluator is the specification the rule set is built to; if they
        // ever disagree, that is a bug worth shouting about, not a verdict to hide.
        Ok(event) if pattern.matches(event) != matched => tracing::error!(
            rule_set = matched,
            reference = !matched,
            "the rule set and the reference evaluator disagree on this event; please report it"
        ),
        Ok(_) => {}
        Err(error) => tracing::debug!(%error, "no cross-check: serde_json cannot hold this event"),
    }
    if args.explain {
        return match event {
            Ok(event) => super::explain::print(&pattern, &event, args.json),
            Err(error) => {
                report!("{name}: cannot explain this event: {error}");
                Ok(Outcome::Invalid)
            }
        };
    }
    let mut out = Stdout::new();
    print_result(&mut out, matched).context("writing the result")?;
    out.finish()?;
    Ok(Outcome::Success)
}

/// The pattern, and the pattern as a one-rule [`RuleSet`]; the error is `path: reason`.
fn compile(text: &str, args: &Args) -> Result<(Pattern, RuleSet), String> {
    let pattern =
        Pattern::parse(text, args.dialect.dialect()).map_err(|error| error.to_string())?;
    let mut builder = RuleSetBuilder::new();
    builder
        .add(RULE_NAME, &pattern)
        .map_err(|error| format!("$: {}", error.kind()))?;
    Ok((pattern, builder.build()))
}

/// TestEventPattern's answer, byte for byte: `{"Result":true}`.
fn print_result(out: &mut Stdout, matched: bool) -> std::io::Result<()> {
    out.line(if matched {
        br#"{"Result":true}"#
    } else {
        br#"{"Result":false}"#
    })
}
