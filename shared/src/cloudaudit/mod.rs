//! CloudAudit records into envelopes.
//!
//! CloudAudit records reach us in several forms (raw records, DescribeEvents `Event`
//! wrappers, whole API responses, arrays and JSON lines of any of these) and with field
//! types that changed over the years. [`Normalizer`] accepts all of them and turns each
//! record into one [`RecordOutcome`]: an [`Envelope`], a skip (an action type the
//! options do not pass, e.g. reads), or a [`RecordError`] naming the record and field.
//! Nothing is dropped silently: every record in the input yields exactly one outcome.
//!
//! The mapping follows `shared/reference/cloudaudit.md`; where it leaves a choice, the
//! module doing the work documents the decision:
//! `input.rs` (input forms), `text.rs` (JSON lines), `id.rs` (ids), `time.rs` (`eventTime`),
//! `region.rs` (short region codes), `qcs.rs` (`subject`, `resource`), `tags.rs`,
//! `decode.rs` (embedded JSON in `data`), `surrogates.rs` (lone `\ud800` escapes),
//! `redact.rs` (session tokens), `classify.rs`
//! (read/write), `lenient.rs` (fields with several JSON types), `record.rs` (`source`,
//! `type`, the order of checks).

mod classify;
mod decode;
mod endpoint;
mod error;
mod id;
mod input;
mod lenient;
mod qcs;
mod record;
mod redact;
mod region;
mod surrogates;
mod tags;
mod text;
mod time;

use serde_json::Value;

pub use crate::envelope::Envelope;
pub use classify::{ActionType, UnknownActionType, READ_PREFIXES};
pub use error::{RecordError, RecordId, RecordLocation};
pub use id::RECORD_ID_NAMESPACE;
pub use input::RECORD_KEYS;
pub use region::expand as expand_region;
pub use text::{document_break, ends_broken_document, whole_value_at_margin, Brackets};

/// What passes normalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Action types turned into envelopes; records of other types are
    /// [`Normalized::Skipped`]. Default: `[Write]`, as EventBridge receives only writes.
    pub action_types: Vec<ActionType>,
    /// Replace session tokens in `data` with `"***"` (see `redact.rs`). Default: `true`.
    pub redact_tokens: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self {
            action_types: vec![ActionType::Write],
            redact_tokens: true,
        }
    }
}

/// The result for one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    Envelope(Box<Envelope>),
    /// Not an error: the record's action type is not among
    /// [`NormalizeOptions::action_types`]. Callers count these.
    Skipped {
        action_type: ActionType,
        event_name: Option<String>,
    },
}

/// One record of the input: where it was, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordOutcome {
    pub location: RecordLocation,
    pub result: Result<Normalized, RecordError>,
}

/// Turns CloudAudit input into envelopes. Built once, shared freely (`Send + Sync`);
/// normalizing never fails as a whole and never panics: problems are per-record errors.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    options: NormalizeOptions,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Normalizer>();
};

impl Normalizer {
    pub fn new(options: NormalizeOptions) -> Self {
        Self { options }
    }

    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Every record in `text`, in any input form (raw record, DescribeEvents `Event`
    /// wrapper, whole `{"Response":{"Events":[..]}}`, a JSON array of any of these, JSON
    /// lines). Blank text yields no outcomes; a document that is not JSON is one error,
    /// and the documents after it still count (see `text.rs`).
    pub fn normalize_text(&self, text: &str) -> Vec<RecordOutcome> {
        self.normalize_text_from_line(text, 1)
    }

    /// [`normalize_text`](Self::normalize_text) for a part of a bigger input that starts
    /// on its line `first_line` (1-based): locations give the input's line numbers (a
    /// JSON-lines reader handing over one line, or a document spanning several, at a
    /// time).
    pub fn normalize_text_from_line(&self, text: &str, first_line: usize) -> Vec<RecordOutcome> {
        let mut outcomes = Vec::new();
        for piece in text::documents(text, first_line.max(1)) {
            match piece {
                text::Piece::Document { line, value } => {
                    self.collect(&value, &RecordLocation::at_line(line), &mut outcomes);
                }
                text::Piece::Element { line, index, value } => {
                    let location = RecordLocation::at_line(line).index(index);
                    self.collect(&value, &location, &mut outcomes);
                }
                text::Piece::NotJson {
                    line,
                    element,
                    reason,
                } => {
                    let document = RecordLocation::at_line(line);
                    let location = match element {
                        Some(index) => document.index(index),
                        None => document,
                    };
                    outcomes.push(RecordOutcome {
                        result: Err(RecordError::input(&location, reason)),
                        location,
                    });
                }
            }
        }
        outcomes
    }

    /// One already-parsed JSON value in any input form (may hold several records).
    pub fn normalize_value(&self, value: &Value) -> Vec<RecordOutcome> {
        let mut outcomes = Vec::new();
        self.collect(value, &RecordLocation::root(), &mut outcomes);
        outcomes
    }

    fn collect(&self, value: &Value, location: &RecordLocation, outcomes: &mut Vec<RecordOutcome>) {
        input::walk(value, location, &mut |location, found| {
            let result =
                found.and_then(|record| record::normalize_record(record, &location, &self.options));
            outcomes.push(RecordOutcome { location, result });
        });
    }
}
