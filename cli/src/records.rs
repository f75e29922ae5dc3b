//! CloudAudit records from any input, as a stream of per-record results.
//!
//! JSON lines (what exports and log pipelines hold, and what gets big) are read one line
//! at a time into a reused buffer, so memory stays flat however large the file is. Any
//! other form (a pretty-printed record, a `DescribeEvents` response, a JSON array) is
//! one document, read whole and handed to the library as it is. The library decides what
//! each document holds; this module only decides how much text to give it at a time.

use auditbridge_shared::cloudaudit::{
    ActionType, Normalized, Normalizer, RecordError, RecordOutcome,
};
use auditbridge_shared::envelope::Envelope;

use crate::input::Input;

/// One record's fate, with failures already rendered for a person.
pub enum Item {
    Envelope(Box<Envelope>),
    /// Filtered out by `actionType` before anything else looked at it.
    Skipped(ActionType),
    /// Why the record produced nothing: `file: line 4 (eventID ...): field ...: reason`.
    Failed(String),
}

/// Counts of what happened to the records, for the closing summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub normalized: u64,
    pub skipped_reads: u64,
    pub skipped_writes: u64,
    pub failed: u64,
}

impl Tally {
    pub fn count(&mut self, item: &Item) {
        match item {
            Item::Envelope(_) => self.normalized += 1,
            Item::Skipped(ActionType::Read) => self.skipped_reads += 1,
            Item::Skipped(ActionType::Write) => self.skipped_writes += 1,
            Item::Failed(_) => self.failed += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "normalized {}, ", self.normalized)?;
        match (self.skipped_reads, self.skipped_writes) {
            (reads, 0) => write!(f, "skipped {reads} (reads)")?,
            (0, writes) => write!(f, "skipped {writes} (writes)")?,
            (reads, writes) => write!(
                f,
                "skipped {} ({reads} reads, {writes} writes)",
                reads + writes
            )?,
        }
        write!(f, ", failed {}", self.failed)
    }
}

/// Feeds every record of `input` to `each`, in input order.
///
/// Errors are only I/O errors on the input (or whatever `each` returns); a bad record is
/// an [`Item::Failed`], never an error, so one bad line cannot hide the others.
pub fn for_each(
    input: &mut Input,
    normalizer: &Normalizer,
    mut each: impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0;
    // Find the first line with content: it tells JSON lines from one big document.
    loop {
        if !input.next_line(&mut line)? {
            return Ok(());
        }
        number += 1;
        if !is_blank(&line) {
            break;
        }
    }
    // A first line that is not text at all is reported on its own like any other bad
    // line; the lines after it still count.
    if let Ok(first_line) = std::str::from_utf8(&line) {
        if serde_json::from_str::<serde::de::IgnoredAny>(first_line).is_err() {
            tracing::debug!(input = %input.name, "reading one document");
            return whole_document(input, normalizer, number, first_line, each);
        }
    }
    tracing::debug!(input = %input.name, "reading JSON lines");
    loop {
        if !is_blank(&line) {
            one_line(&input.name, normalizer, number, &line, &mut each)?;
        }
        if !input.next_line(&mut line)? {
            return Ok(());
        }
        number += 1;
    }
}

/// A document that does not fit on its first line: read the rest and let the library
/// take it apart. Line numbers in its messages are already right once the lines before
/// `first` (all blank) are put back.
fn whole_document(
    input: &mut Input,
    normalizer: &Normalizer,
    first: usize,
    first_line: &str,
    mut each: impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut text = "\n".repeat(first - 1);
    text.push_str(first_line);
    text.push('\n');
    input.read_to_string(&mut text)?;
    for outcome in normalizer.normalize_text(&text) {
        each(item(&input.name, None, outcome))?;
    }
    Ok(())
}

fn one_line(
    name: &str,
    normalizer: &Normalizer,
    number: usize,
    line: &[u8],
    each: &mut impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let text = match std::str::from_utf8(line) {
        Ok(text) => text,
        Err(error) => {
            return each(Item::Failed(format!(
                "{name}: line {number}: not UTF-8 text: {error}"
            )))
        }
    };
    for outcome in normalizer.normalize_text(text) {
        each(item(name, Some(number), outcome))?;
    }
    Ok(())
}

fn item(name: &str, line: Option<usize>, outcome: RecordOutcome) -> Item {
    match outcome.result {
        Ok(Normalized::Envelope(envelope)) => Item::Envelope(envelope),
        Ok(Normalized::Skipped { action_type, .. }) => Item::Skipped(action_type),
        Err(error) => Item::Failed(format!("{name}: {}", describe(&error, line))),
    }
}

/// The library's message for `error`, with the line number replaced by `line` when the
/// library only saw that one line (and so counted it as line 1).
fn describe(error: &RecordError, line: Option<usize>) -> String {
    let Some(line) = line else {
        return error.to_string();
    };
    let location = error.location();
    let mut out = format!("line {line}");
    if let Some(record) = location.record() {
        out.push_str(&format!(", record {record}"));
    }
    let path = location.path();
    if !path.is_empty() {
        out.push_str(", ");
        out.push_str(&path);
    }
    if let Some(id) = error.record_id() {
        out.push_str(&format!(" ({id})"));
    }
    if let Some(field) = error.field_name() {
        out.push_str(&format!(": field {field}"));
    }
    out.push_str(": ");
    out.push_str(error.reason());
    out
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}
