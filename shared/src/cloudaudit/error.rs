//! Where a record came from, and what was wrong with it.
//!
//! Security teams read these messages when an event could not be forwarded, so each one
//! names the record (line, array position, path inside a response, and its id when one
//! could be read), the field, and what was found there.

use std::fmt;

/// One step below a document's root on the way to a record, e.g. `Response` or `[4]`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(&'static str),
    Index(usize),
}

/// Where one record sits in the input.
///
/// Displays as `line 3` (JSON lines / documents in a text), `record 2` (the second
/// element, counted from 1, of a top-level JSON array), `Response.Events[4]` (a path
/// inside an API response, indices from 0 as in JSON paths), or combinations such as
/// `line 1, Response.Events[4]` and `line 2, record 3`. A single value given to
/// [`Normalizer::normalize_value`](super::Normalizer::normalize_value) that is itself one
/// record displays as `record 1`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordLocation {
    line: Option<usize>,
    /// 0-based index in a top-level array.
    record: Option<usize>,
    path: Vec<Step>,
}

impl RecordLocation {
    /// The root of a value that did not come from text.
    pub(crate) fn root() -> Self {
        Self::default()
    }

    /// The root of the document starting on `line` (1-based) of a text.
    pub(crate) fn at_line(line: usize) -> Self {
        Self {
            line: Some(line),
            ..Self::default()
        }
    }

    pub(crate) fn key(&self, key: &'static str) -> Self {
        let mut child = self.clone();
        child.path.push(Step::Key(key));
        child
    }

    /// Element `index` of the array at this location: a top-level array counts records.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut child = self.clone();
        if child.record.is_none() && child.path.is_empty() {
            child.record = Some(index);
        } else {
            child.path.push(Step::Index(index));
        }
        child
    }

    /// 1-based line of the text where the document holding the record starts.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// 1-based position of the record in a top-level JSON array.
    pub fn record(&self) -> Option<usize> {
        self.record.map(|index| index + 1)
    }

    /// Path below the document (or array element), like `Response.Events[4]`; empty when
    /// the record is the document itself.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Step::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

impl fmt::Display for RecordLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(record) = self.record() {
            parts.push(format!("record {record}"));
        }
        let path = self.path();
        if !path.is_empty() {
            parts.push(path);
        }
        if parts.is_empty() {
            return f.write_str("record 1");
        }
        f.write_str(&parts.join(", "))
    }
}

/// A record's own identifier, quoted in error messages so people can find it in CloudAudit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordId {
    /// `eventID` or `requestID` (`EventId` or `RequestID` of a DescribeEvents `Event`).
    pub field: &'static str,
    pub value: String,
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.value)
    }
}

/// Why one input record produced no envelope.
///
/// Display: `line 4 (eventID 5e9e...): field eventTime: expected Unix seconds or
/// "YYYY-MM-DD HH:MM:SS", got "yesterday"`; without a field (e.g. text that is not JSON):
/// `line 7: not JSON: expected value at column 1`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(&self.0))]
pub struct RecordError(Box<Details>);

/// Boxed so that `Result<_, RecordError>` stays small on the happy path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    location: RecordLocation,
    id: Option<RecordId>,
    field: Option<String>,
    reason: String,
}

fn render(details: &Details) -> String {
    let mut out = details.location.to_string();
    if let Some(id) = &details.id {
        out.push_str(&format!(" ({id})"));
    }
    if let Some(field) = &details.field {
        out.push_str(&format!(": field {field}"));
    }
    out.push_str(": ");
    out.push_str(&details.reason);
    out
}

impl RecordError {
    /// A problem with the input as a whole at `location` (not JSON, not a record...).
    pub(crate) fn input(location: &RecordLocation, reason: impl Into<String>) -> Self {
        Self(Box::new(Details {
            location: location.clone(),
            id: None,
            field: None,
            reason: reason.into(),
        }))
    }

    /// A problem with one field of the value at `location`.
    pub(crate) fn field(
        location: &RecordLocation,
        id: Option<RecordId>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self(Box::new(Details {
            location: location.clone(),
            id,
            field: Some(field.into()),
            reason: reason.into(),
        }))
    }

    pub fn location(&self) -> &RecordLocation {
        &self.0.location
    }

    /// The record's `eventID` (or, lacking one, `requestID`; for a DescribeEvents `Event`,
    /// its `EventId` or `RequestID`) when it could be read.
    pub fn record_id(&self) -> Option<&RecordId> {
        self.0.id.as_ref()
    }

    /// The field at fault, e.g. `eventTime`, `CloudAuditEvent` or `Response.Error`.
    pub fn field_name(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    pub fn reason(&self) -> &str {
        &self.0.reason
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_display_line_record_and_path() {
        assert_eq!(RecordLocation::root().to_string(), "record 1");
        assert_eq!(RecordLocation::at_line(3).to_string(), "line 3");
        assert_eq!(RecordLocation::root().index(1).to_string(), "record 2");
        let nested = RecordLocation::at_line(1)
            .key("Response")
            .key("Events")
            .index(4);
        assert_eq!(nested.to_string(), "line 1, Response.Events[4]");
        assert_eq!(nested.line(), Some(1));
        assert_eq!(nested.record(), None);
        let in_array = RecordLocation::at_line(2)
            .index(0)
            .key("Response")
            .key("Events")
            .index(1);
        assert_eq!(in_array.to_string(), "line 2, record 1, Response.Events[1]");
        assert_eq!(
            RecordLocation::root().index(0).index(2).to_string(),
            "record 1, [2]"
        );
    }

    #[test]
    fn errors_name_location_id_field_and_reason() {
        let id = RecordId {
            field: "eventID",
            value: "5e9e".into(),
        };
        let error = RecordError::field(
            &RecordLocation::at_line(4),
            Some(id),
            "eventTime",
            "expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\", got \"yesterday\"",
        );
        assert_eq!(
            error.to_string(),
            "line 4 (eventID 5e9e): field eventTime: expected Unix seconds or \"YYYY-MM-DD HH:MM:SS\", got \"yesterday\""
        );
        assert_eq!(error.field_name(), Some("eventTime"));
        let bare = RecordError::input(&RecordLocation::at_line(7), "not JSON");
        assert_eq!(bare.to_string(), "line 7: not JSON");
        assert_eq!(bare.record_id(), None);
    }
}
