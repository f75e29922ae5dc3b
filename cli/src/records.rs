//! CloudAudit records from any input, as a stream of per-record results.
//!
//! JSON lines (what exports and log pipelines hold, and what gets big) are read one line
//! at a time into a reused buffer, so memory stays flat however large the file is. Any
//! other form (a pretty-printed record, a `DescribeEvents` response, a JSON array) is
//! one document, read whole and handed to the library as it is. A pretty-printed
//! document after JSON lines is gathered line by line until its brackets close; a file
//! that is not all UTF-8 is read line by line, so only the records holding the bad bytes
//! are lost. The library decides what each piece of text holds and numbers its lines;
//! this module only decides how much text to give it at a time.

use std::collections::VecDeque;

use auditbridge_shared::cloudaudit::{ActionType, Normalized, Normalizer, RecordOutcome};
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

/// Most text gathered for one document that opens on a line of a JSON-lines input and
/// does not close there; past it, the opening line counts as a bad line on its own.
const MAX_SPANNING_DOCUMENT_BYTES: usize = 64 << 20;

/// Feeds every record of `input` to `each`, in input order.
///
/// Errors are only I/O errors on the input (or whatever `each` returns); a bad record is
/// an [`Item::Failed`], never an error, so one bad line cannot hide the others.
pub fn for_each(
    input: &mut Input,
    normalizer: &Normalizer,
    mut each: impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let name = input.name.clone();
    let mut lines = Lines::new(input);
    let mut line = Vec::new();
    // Find the first line with content: it tells JSON lines from one big document.
    let first = loop {
        match lines.next(&mut line)? {
            None => return Ok(()),
            Some(number) if !is_blank(&line) => break number,
            Some(_) => {}
        }
    };
    // A first line that is not text at all is reported on its own like any other bad
    // line; the lines after it still count.
    let one_document = std::str::from_utf8(&line)
        .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_err());
    if one_document {
        line.push(b'\n');
        lines.input.read_to_end(&mut line)?;
        match String::from_utf8(std::mem::take(&mut line)) {
            Ok(text) => {
                tracing::debug!(input = %name, "reading one document");
                return normalize(&name, normalizer, &text, first, &mut each);
            }
            // Some bytes are not UTF-8: read line by line, so that only the document
            // holding them is lost (and reported), not everything else in the input.
            Err(error) => {
                tracing::debug!(input = %name, "not all UTF-8: reading line by line");
                lines.put_back_text(first, &error.into_bytes());
            }
        }
    } else {
        lines.put_back(vec![(first, std::mem::take(&mut line))]);
    }
    tracing::debug!(input = %name, "reading JSON lines");
    while let Some(number) = lines.next(&mut line)? {
        if is_blank(&line) {
            continue;
        }
        match std::str::from_utf8(&line) {
            Err(error) => each(Item::Failed(format!(
                "{name}: line {number}: not UTF-8 text: {error}"
            )))?,
            Ok(text) if Brackets::left_open_by(text) => {
                let text = text.to_owned();
                spanning_document(&mut lines, &name, normalizer, number, text, &mut each)?;
            }
            Ok(text) => normalize(&name, normalizer, text, number, &mut each)?,
        }
    }
    Ok(())
}

/// A line of JSON lines that opens a value without closing it: the start of a
/// pretty-printed document after compact ones, or a line cut off. The lines after it are
/// gathered until the brackets close; that text is then one document (the library says
/// what is wrong if it does not parse). When they never close as JSON, the line was cut
/// off: it is reported on its own and the gathered lines are read again as usual.
fn spanning_document(
    lines: &mut Lines<'_>,
    name: &str,
    normalizer: &Normalizer,
    first: usize,
    mut text: String,
    each: &mut impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let first_len = text.len();
    let mut brackets = Brackets::default();
    brackets.feed(&text);
    let mut gathered = Vec::new();
    // Checking the gathered text at doubling sizes finds a cut-off line within a few
    // lines and keeps the parsing linear in what is gathered.
    let mut check_at = 2 * first_len.max(1024);
    let mut line = Vec::new();
    // A line that is not UTF-8 breaks the document it is in, not its brackets: gather on
    // (its brackets counted from a lossy copy) and report the document as one failure.
    let mut not_utf8 = None;
    let closed = loop {
        if brackets.depth == 0 {
            break true;
        }
        if text.len() > MAX_SPANNING_DOCUMENT_BYTES {
            break false;
        }
        if text.len() >= check_at {
            let still_open = matches!(
                serde_json::from_str::<serde::de::IgnoredAny>(&text),
                Err(error) if error.is_eof()
            );
            if !still_open {
                break false;
            }
            check_at = 2 * text.len();
        }
        let Some(number) = lines.next(&mut line)? else {
            break false;
        };
        let next = match std::str::from_utf8(&line) {
            Ok(next) => std::borrow::Cow::Borrowed(next),
            Err(error) => {
                not_utf8.get_or_insert((number, error));
                String::from_utf8_lossy(&line)
            }
        };
        text.push('\n');
        text.push_str(&next);
        let consistent = brackets.feed(&next);
        gathered.push((number, line.clone()));
        if !consistent {
            break false;
        }
    };
    if closed {
        match not_utf8 {
            None => normalize(name, normalizer, &text, first, each),
            Some((number, error)) => each(Item::Failed(format!(
                "{name}: line {first}: not UTF-8 text in the document's line {number}: {error}"
            ))),
        }
    } else {
        lines.put_back(gathered);
        normalize(name, normalizer, &text[..first_len], first, each)
    }
}

/// Every record in `text`, which starts on line `first` of the input.
fn normalize(
    name: &str,
    normalizer: &Normalizer,
    text: &str,
    first: usize,
    each: &mut impl FnMut(Item) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for outcome in normalizer.normalize_text_from_line(text, first) {
        each(item(name, outcome))?;
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

    /// The next line into `line` (without its line ending) and its number.
    fn next(&mut self, line: &mut Vec<u8>) -> anyhow::Result<Option<usize>> {
        if let Some((number, again)) = self.again.pop_front() {
            *line = again;
            return Ok(Some(number));
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

    /// The lines of `bytes`, the first being line `first`: the rest of the input, read
    /// whole before it turned out not to be text.
    fn put_back_text(&mut self, first: usize, bytes: &[u8]) {
        let lines = bytes
            .split(|&byte| byte == b'\n')
            .enumerate()
            .map(|(index, line)| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                (first + index, line.to_vec())
            });
        self.put_back(lines.collect());
    }
}

/// How many brackets a JSON text leaves open, outside strings; enough to find where a
/// document spread over several lines ends without parsing it line by line.
#[derive(Debug, Default)]
struct Brackets {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Brackets {
    /// Whether `line` opens a value it does not close (and is not cut off in a string).
    fn left_open_by(line: &str) -> bool {
        let mut brackets = Brackets::default();
        brackets.feed(line) && brackets.depth > 0
    }

    /// Counts the brackets of one more line. `false` when the line ends inside a
    /// string: JSON strings hold no line breaks, so the text is broken there.
    fn feed(&mut self, line: &str) -> bool {
        for byte in line.bytes() {
            if self.in_string {
                match byte {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        !self.in_string
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}
