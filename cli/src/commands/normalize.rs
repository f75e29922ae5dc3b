//! `auditbridge normalize`: CloudAudit records in, one envelope per line out.

use std::path::PathBuf;

use auditbridge_shared::cloudaudit::Normalizer;

use crate::args::NormalizeFlags;
use crate::input;
use crate::output::{report, Stdout};
use crate::records::{self, Item, Step, Tally};
use crate::status::Outcome;

/// Turn CloudAudit records into EventBridge envelopes (one compact JSON object per line).
///
/// Reads raw records, DescribeEvents `Event` wrappers, whole `{"Response": ...}` bodies,
/// JSON arrays of these, or JSON lines of any of them (pretty-printed documents among them
/// too). A record that cannot be turned into
/// an envelope is reported on stderr (file, line or position, eventID, field, reason)
/// and the others still come out; the exit status is then 1. A summary line
/// (`normalized N, skipped N (reads), failed N`) ends stderr.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  auditbridge normalize samples/audit-history.jsonl > envelopes.jsonl
  auditbridge normalize --action-types write,read --no-redact describe-events.json
  aws-export | auditbridge normalize -")]
pub struct Args {
    /// Files to read (`-` for stdin); stdin when none are given.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub normalize: NormalizeFlags,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut inputs = input::open_all(&args.files)?;
    let normalizer = Normalizer::new(args.normalize.options());
    let mut out = Stdout::new();
    let mut tally = Tally::default();
    // One buffer for every envelope: serialized once, written once.
    let mut json = Vec::with_capacity(4096);
    for input in &mut inputs {
        records::for_each(input, &normalizer, |step| {
            let item = match step {
                Step::Record(item) => item,
                Step::InputWaits => return Ok(out.flush()?),
            };
            tally.count(&item);
            match item {
                Item::Envelope(envelope) => {
                    json.clear();
                    serde_json::to_writer(&mut json, &envelope)?;
                    out.line(&json)?;
                }
                Item::Skipped(_) => {}
                Item::Failed(message) => report!("{message}"),
            }
            Ok(())
        })?;
    }
    out.finish()?;
    report!("{tally}");
    Ok(Outcome::from_failures(tally.failed))
}
