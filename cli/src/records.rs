//! CloudAudit records from any input, as a stream of per-record results.
//!
//! Input is read a line at a time into a reused buffer, so JSON lines (what exports and
//! log pipelines hold, and what gets big) take flat memory however large the file is. A
//! line that opens brackets it does not close starts a document spread over lines (a
//! pretty-printed record, a `DescribeEvents` response, a JSON array): its lines are
//! gathered until the brackets close and handed over as one text. Any mix of the two,
//! in any order, reads the same. A line cut off mid-record, or bytes that are not UTF-8,
//! cost only the line (or document) holding them. The library decides what each piece
//! of text holds and numbers its lines; this module only decides how much text to give
//! it at a time.

use std::collections::VecDeque;

use auditbridge_shared::cloudaudit::{
    self, ActionType, Brackets, Normalized, Normalizer, RecordOutcome,
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

/// What [`for_each`] hands its consumer, in input order.
pub enum Step {
    Record(Item),
    /// Nothing is read ahead and reading on may wait for the input (a live feed:
    /// `tail -f export | auditbridge run ...`): results held back should go out now.
    InputWaits,
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

/// Feeds every record of `input` to `each`, in input order, with a
/// [`Step::InputWaits`] before each read that may wait.
///
/// Errors are only I/O errors on the input (or whatever `each` returns); a bad record is
/// an [`Item::Failed`], never an error, so one bad line cannot hide the others.
pub fn for_each(
    input: &mut Input,
    normalizer: &Normalizer,
    mut each: impl FnMut(Step) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let name = input.name.clone();
    let mut lines = Lines::new(input);
    let mut line = Vec::new();
    while let Some(number) = lines.next(&mut line, &mut each)? {
        if is_blank(&line) {
            continue;
        }
        match std::str::from_utf8(&line) {
            Ok(text) if Brackets::left_open_by(text) => {
                let text = text.to_owned();
                let opening = Opening::Text(text);
                spanning_document(&mut lines, &name, normalizer, number, opening, &mut each)?;
            }
            Ok(text) => normalize(&name, normalizer, text, number, &mut each)?,
            Err(error) => {
                // A record cut by bad bytes is one failure, also when it spans lines.
                let lossy = String::from_utf8_lossy(&line).into_owned();
                if Brackets::left_open_by(&lossy) {
                    let opening = Opening::NotUtf8 { lossy, error };
                    spanning_document(&mut lines, &name, normalizer, number, opening, &mut each)?;
                } else {
                    each(Step::Record(not_utf8_item(&name, number, &error)))?;
                }
            }
        }
    }
    Ok(())
}

/// The line a document spanning several lines opens on.
enum Opening {
    Text(String),
    /// Not UTF-8: its brackets are counted from a lossy copy.
    NotUtf8 {
        lossy: String,
        error: std::str::Utf8Error,
    },
}

/// A line gathered into a document's text: its span there, and its bytes when they are
/// not UTF-8 (the text holds a lossy copy).
struct GatheredLine {
    number: usize,
    span: std::ops::Range<usize>,
    not_utf8: Option<Vec<u8>>,
}

/// Why gathering a document's lines stopped.
enum Gathered {
    /// Its brackets closed: the text is one or more whole documents.
    Closed,
    /// The input ended first: the text is the rest of the input.
    InputEnded,
    /// The document broke and ends before this gathered line (an index in the gathered
    /// lines; their count when the line that ends it was not gathered).
    EndsBefore(usize),
}

/// A line that opens a value without closing it: a pretty-printed document (or the
/// start of one after compact lines), or a line cut off. The lines after it are gathered
/// until the brackets close; that text is then handed over whole (the library says what
/// is wrong if it does not parse). When the gathered text stops being the start of a
/// JSON value, the document broke: it ends where the library's rule says
/// (`cloudaudit::ends_broken_document`: at a later JSON line, or a line from the break
/// on that opens a value at the margin, or where its brackets close), and the lines
/// after it are read again as usual, so a cut-off line costs only itself and a broken
/// pretty-printed record only itself. Memory is what the document needs: the text is
/// checked at doubling sizes, and at each line that could start a JSON line.
fn spanning_document(
    lines: &mut Lines<'_>,
    name: &str,
    normalizer: &Normalizer,
    first: usize,
    opening: Opening,
    each: &mut impl FnMut(Step) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (mut text, opening_error) = match opening {
        Opening::Text(text) => (text, None),
        Opening::NotUtf8 { lossy, error } => (lossy, Some(error)),
    };
    // The first line that is not UTF-8, if any.
    let mut not_utf8 = opening_error.map(|error| (first, error));
    let first_len = text.len();
    let mut brackets = Brackets::default();
    brackets.feed(&text);
    let mut gathered: Vec<GatheredLine> = Vec::new();
    // Checking the gathered text at doubling sizes finds a break within a few lines
    // (serde's nesting limit ends runs of opening brackets) and keeps the parsing linear
    // in what is gathered.
    let mut check_at = 2 * first_len.max(64);
    let mut check_now = false;
    // The line of the document (counted from 1 at `first`) where it broke.
    let mut broke_on: Option<usize> = None;
    let mut line = Vec::new();
    let end = loop {
        if brackets.depth() == 0 {
            break Gathered::Closed;
        }
        if broke_on.is_none() && (check_now || text.len() >= check_at) {
            check_now = false;
            let json = text.trim_start_matches(crate::input::BYTE_ORDER_MARK);
            match cloudaudit::document_break(json) {
                None => check_at = 2 * text.len(),
                Some(line) => {
                    broke_on = Some(line);
                    let ends = gathered.iter().position(|gathered| {
                        let number = gathered.number - first + 1;
                        cloudaudit::ends_broken_document(&text[gathered.span.clone()], number, line)
                    });
                    if let Some(index) = ends {
                        break Gathered::EndsBefore(index);
                    }
                }
            }
        }
        let Some(number) = lines.next(&mut line, each)? else {
            break Gathered::InputEnded;
        };
        let (next, utf8_error) = match std::str::from_utf8(&line) {
            Ok(next) => (std::borrow::Cow::Borrowed(next), None),
            Err(error) => (String::from_utf8_lossy(&line), Some(error)),
        };
        let ends = broke_on.is_some_and(|broke_on| {
            cloudaudit::ends_broken_document(&next, number - first + 1, broke_on)
        });
        if ends {
            lines.put_back(vec![(number, std::mem::take(&mut line))]);
            break Gathered::EndsBefore(gathered.len());
        }
        // A JSON line may start the next document: check whether the text still reads
        // as one with it.
        check_now |= cloudaudit::whole_value_at_margin(&next);
        text.push('\n');
        let start = text.len();
        text.push_str(&next);
        if let Some(error) = utf8_error {
            not_utf8.get_or_insert((number, error));
        }
        let consistent = brackets.feed(&next);
        // A line ending inside a string is broken there (JSON strings hold no breaks).
        check_now |= !consistent;
        gathered.push(GatheredLine {
            number,
            span: start..text.len(),
            not_utf8: utf8_error.map(|_| line.clone()),
        });
    };
    match end {
        Gathered::Closed | Gathered::InputEnded if not_utf8.is_none() => {
            normalize(name, normalizer, &text, first, each)
        }
        Gathered::Closed => {
            let (number, error) = not_utf8.expect("guarded above");
            document_not_utf8(name, first, number, &error, each)
        }
        Gathered::EndsBefore(index) => {
            let again = gathered.split_off(index);
            let cut = again.first().map_or(text.len(), |line| line.span.start - 1);
            lines.put_back(line_bytes(&text, again));
            text.truncate(cut);
            match not_utf8 {
                Some((number, error)) if number < first + 1 + index => {
                    document_not_utf8(name, first, number, &error, each)
                }
                _ => normalize(name, normalizer, &text, first, each),
            }
        }
        Gathered::InputEnded => {
            // Not UTF-8 and never closed: the opening line is the failure, and the
            // lines after it are read again on their own.
            let text_len = text.len();
            lines.put_back(line_bytes(&text, gathered));
            match opening_error {
                Some(error) => each(Step::Record(not_utf8_item(name, first, &error))),
                None => normalize(
                    name,
                    normalizer,
                    &text[..first_len.min(text_len)],
                    first,
                    each,
                ),
            }
        }
    }
}

/// The gathered `lines` as the input held them, to be read again.
fn line_bytes(text: &str, lines: Vec<GatheredLine>) -> Vec<(usize, Vec<u8>)> {
    lines
        .into_iter()
        .map(|line| {
            let bytes = line
                .not_utf8
                .unwrap_or_else(|| text.as_bytes()[line.span].to_vec());
            (line.number, bytes)
        })
        .collect()
}

fn document_not_utf8(
    name: &str,
    first: usize,
    number: usize,
    error: &std::str::Utf8Error,
    each: &mut impl FnMut(Step) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    each(Step::Record(Item::Failed(format!(
        "{name}: line {first}: the document starting here is not UTF-8 text at line {number}: {error}"
    ))))
}

fn not_utf8_item(name: &str, number: usize, error: &std::str::Utf8Error) -> Item {
    Item::Failed(format!("{name}: line {number}: not UTF-8 text: {error}"))
}

/// Every record in `text`, which starts on line `first` of the input.
fn normalize(
    name: &str,
    normalizer: &Normalizer,
    text: &str,
    first: usize,
    each: &mut impl FnMut(Step) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for outcome in normalizer.normalize_text_from_line(text, first) {
        each(Step::Record(item(name, outcome)))?;
    }
    Ok(())
}

fn item(name: &str, outcome: RecordOutcome) -> Item {
    match outcome.result {
        Ok(Normalized::Envelope(envelope)) => Item::Envelope(envelope),
        Ok(Normalized::Skipped { action_type, .. }) => Item::Skipped(action_type),
        Err(error) => Item::Failed(format!("{name}: {error}")),
    }
}

/// The lines of an input, numbered, with lines put back read again first.
struct Lines<'a> {
    input: &'a mut Input,
    /// Lines to give out before reading on, with their numbers.
    again: VecDeque<(usize, Vec<u8>)>,
    /// Lines read from the input so far.
    read: usize,
}

impl<'a> Lines<'a> {
    fn new(input: &'a mut Input) -> Self {
        Self {
            input,
            again: VecDeque::new(),
            read: 0,
        }
    }

    /// The next line into `line` (without its line ending) and its number. Before a
    /// read that may wait, `each` hears [`Step::InputWaits`].
    fn next(
        &mut self,
        line: &mut Vec<u8>,
        each: &mut impl FnMut(Step) -> anyhow::Result<()>,
    ) -> anyhow::Result<Option<usize>> {
        if let Some((number, again)) = self.again.pop_front() {
            *line = again;
            return Ok(Some(number));
        }
        if self.input.would_wait() {
            each(Step::InputWaits)?;
        }
        if !self.input.next_line(line)? {
            return Ok(None);
        }
        self.read += 1;
        Ok(Some(self.read))
    }

    /// `lines`, in order, to be given out again before anything else.
    fn put_back(&mut self, lines: Vec<(usize, Vec<u8>)>) {
        for line in lines.into_iter().rev() {
            self.again.push_front(line);
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}
