//! `auditbridge match`: which rules does each event match? Matching only; nothing is sent
//! and the rules' queues are never looked at.

use std::path::PathBuf;

use auditbridge_shared::ruleset::{RuleId, RuleSet};
use serde::Deserialize;
use serde_json::Value;

use crate::args::DialectFlag;
use crate::input::{self, Input};
use crate::output::{report, Stdout};
use crate::rules_file;
use crate::status::Outcome;

/// Match events (JSON lines, e.g. from `auditbridge normalize`) against a rules file.
///
/// Prints `{"id":<event id or null>,"rules":[names...]}` for each event that matched at
/// least one rule, in input order, rules in file order. With `--count`, prints instead one
/// JSON object mapping every enabled rule (in file order, zeros included) to the number
/// of events it matched. A line that is not JSON, or not a JSON object, is reported on
/// stderr (file and line), the others are still matched, and the exit status is 1. Queue URLs are not resolved,
/// so no environment variables are needed.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge normalize samples/audit-history.jsonl | auditbridge match --rules rules/security.json
  auditbridge match --rules rules/security.json --count envelopes.jsonl")]
pub struct Args {
    /// The rules file.
    #[arg(long, value_name = "FILE")]
    pub rules: PathBuf,

    /// Event files, one JSON event per line (`-` for stdin); stdin when none are given.
    #[arg(value_name = "EVENTS")]
    pub events: Vec<PathBuf>,

    /// Print only the number of matching events per rule.
    #[arg(long)]
    pub count: bool,

    #[command(flatten)]
    pub dialect: DialectFlag,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    input::rules_and_inputs_share_no_stdin(&args.rules, &args.events)?;
    let Some(file) = rules_file::read(&args.rules, args.dialect.dialect())? else {
        return Ok(Outcome::Invalid);
    };
    let compiled = match file.compile_patterns_only() {
        Ok(compiled) => compiled,
        Err(error) => {
            rules_file::report(&input::display_name(&args.rules), &error);
            return Ok(Outcome::Invalid);
        }
    };
    let ruleset = compiled.ruleset();
    let mut inputs = input::open_all(&args.events)?;
    let mut out = Stdout::new();
    let mut counts = vec![0_u64; ruleset.len()];
    let mut failed = 0;
    let mut line = Vec::with_capacity(4096);
    let mut json = Vec::with_capacity(256);
    for input in &mut inputs {
        failed += each_event(input, ruleset, &mut line, |seen| {
            let (text, ids) = match seen {
                Seen::Matched(text, ids) => (text, ids),
                Seen::InputWaits => return Ok(out.flush()?),
            };
            for id in ids {
                counts[id.0] += 1;
            }
            if !args.count {
                json.clear();
                write_match(&mut json, ruleset, text, ids)?;
                out.line(&json)?;
            }
            Ok(())
        })?;
    }
    if args.count {
        json.clear();
        write_counts(&mut json, ruleset, &counts)?;
        out.line(&json)?;
    }
    out.finish()?;
    Ok(Outcome::from_failures(failed))
}

/// What [`each_event`] tells its caller.
enum Seen<'a> {
    /// An event (its text) and the rules it matched, at least one.
    Matched(&'a str, &'a [RuleId]),
    /// Reading on may wait for the input (a live feed): write out what is held back.
    InputWaits,
}

/// Matches every line of `input` and tells `seen` about those matching some rule.
/// Returns how many lines were not JSON objects (each reported on stderr).
fn each_event(
    input: &mut Input,
    ruleset: &RuleSet,
    line: &mut Vec<u8>,
    mut seen: impl FnMut(Seen<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let mut number = 0;
    let mut failed = 0;
    loop {
        if input.would_wait() {
            seen(Seen::InputWaits)?;
        }
        if !input.next_line(line)? {
            break;
        }
        number += 1;
        let text = match std::str::from_utf8(line) {
            // A byte-order mark starts a file some editors saved, and files joined with
            // `cat` carry theirs into the middle of the input.
            Ok(text) => text.trim_start_matches(input::BYTE_ORDER_MARK),
            Err(error) => {
                report!("{}: line {number}: not UTF-8 text: {error}", input.name);
                failed += 1;
                continue;
            }
        };
        if text.bytes().all(|byte| byte.is_ascii_whitespace()) {
            continue;
        }
        let verdict = match ruleset.matches_json(text) {
            Err(error) => Err(error.to_string()),
            Ok(ids) => match input::not_an_object(text) {
                Some(kind) => Err(format!("event is not a JSON object but {kind}")),
                None => Ok(ids),
            },
        };
        match verdict {
            Ok(ids) if ids.is_empty() => {}
            Ok(ids) => seen(Seen::Matched(text, &ids))?,
            Err(message) => {
                report!("{}: line {number}: {message}", input.name);
                failed += 1;
            }
        }
    }
    Ok(failed)
}

/// Just the `id` of an event; every other field is skipped without being built.
#[derive(Deserialize)]
struct EventId {
    #[serde(default)]
    id: Value,
}

/// `{"id":...,"rules":[...]}`. The id is read only for events that matched.
fn write_match(
    json: &mut Vec<u8>,
    ruleset: &RuleSet,
    text: &str,
    ids: &[RuleId],
) -> serde_json::Result<()> {
    let id = serde_json::from_str::<EventId>(text)
        .map(|event| event.id)
        .unwrap_or(Value::Null);
    json.extend_from_slice(b"{\"id\":");
    serde_json::to_writer(&mut *json, &id)?;
    json.extend_from_slice(b",\"rules\":[");
    for (index, id) in ids.iter().enumerate() {
        if index > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut *json, ruleset.name(*id))?;
    }
    json.extend_from_slice(b"]}");
    Ok(())
}

/// `{"rule":count,...}` in rule order (written by hand: a JSON map would sort the names).
fn write_counts(json: &mut Vec<u8>, ruleset: &RuleSet, counts: &[u64]) -> serde_json::Result<()> {
    json.push(b'{');
    for (index, count) in counts.iter().enumerate() {
        if index > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut *json, ruleset.name(RuleId(index)))?;
        json.push(b':');
        serde_json::to_writer(&mut *json, count)?;
    }
    json.push(b'}');
    Ok(())
}
