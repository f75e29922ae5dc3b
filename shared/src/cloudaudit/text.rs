//! Cutting a text into JSON documents: one (possibly pretty-printed) document, several
//! documents one after another, or JSON lines.
//!
//! Each document is located by the line it starts on. A value followed by other text on
//! its last line (`{..} trailing`, `{..},`) is an error for that line; another document
//! may follow on the same line (`{..}{..}`). Blank lines and a leading byte-order mark are
//! ignored, and lone surrogate escapes read as U+FFFD (`surrogates.rs`).
//!
//! A document that does not parse is one error, and reading resumes after it, so that
//! neither a bad line in JSON lines nor a broken pretty-printed record costs the
//! documents around it. It ends at the first of ([`ends_broken_document`]):
//! - the end of the line where its brackets close;
//! - a later line that is a whole object or array at the left margin (a JSON line:
//!   `{"a": [` cut off, then a record);
//! - from the line it broke on (a missing comma, a bad value), a line that opens a
//!   value at the left margin (the next document of a file of pretty-printed ones) or
//!   is a whole value however indented;
//! - the end of the text.
//!
//! A broken document that is a JSON array is read element by element
//! ([`array_pieces`]): each element that parses is a document of its own, each one that
//! does not is an error, so a broken or truncated export keeps its good records.

use serde_json::{Deserializer, Value};

use super::surrogates::without_lone_surrogates;

/// One document of the text, or why the text at a line is not one.
#[derive(Debug)]
pub(crate) enum Piece {
    Document {
        line: usize,
        value: Value,
    },
    /// Element `index` (from 0) of the broken array that starts on `line`.
    Element {
        line: usize,
        index: usize,
        value: Value,
    },
    /// `element`: the position in the broken array starting on `line` of the element
    /// that is not JSON.
    NotJson {
        line: usize,
        element: Option<usize>,
        reason: String,
    },
}

/// The documents of `text` in order; `text` starts on line `first_line` (1-based) of
/// its input, and every line number given out counts from there.
pub(crate) fn documents(text: &str, first_line: usize) -> Vec<Piece> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let repaired = without_lone_surrogates(text);
    let text: &str = &repaired;
    let lines = LineIndex::new(text, first_line);
    let mut pieces = Vec::new();
    let mut position = 0;
    while let Some(start) = next_non_whitespace(text, position) {
        let line = lines.line_of(start);
        let mut stream = Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                let end = start + stream.byte_offset();
                let line_end = text[end..]
                    .find('\n')
                    .map_or(text.len(), |offset| end + offset);
                let rest_of_line = text[end..line_end].trim_start_matches([' ', '\t', '\r']);
                if rest_of_line.is_empty() || rest_of_line.starts_with(['{', '[']) {
                    pieces.push(Piece::Document { line, value });
                    position = end;
                } else {
                    let end_line = lines.line_of(end);
                    pieces.push(Piece::NotJson {
                        line,
                        element: None,
                        reason: trailing_text(rest_of_line, (end_line != line).then_some(end_line)),
                    });
                    position = line_end;
                }
            }
            Some(Err(error)) => {
                let end = broken_document_end(text, start, &error);
                // What is wrong with the document as cut out: the error of everything
                // from its start may lie in a later document.
                let error = serde_json::from_str::<Value>(&text[start..end])
                    .err()
                    .unwrap_or(error);
                let reason = describe_syntax_error(&error, &lines, line, start);
                if text[start..].starts_with('[') {
                    pieces.extend(array_pieces(&text[..end], start, &lines, reason));
                } else {
                    pieces.push(Piece::NotJson {
                        line,
                        element: None,
                        reason,
                    });
                }
                position = end;
            }
            None => break,
        }
    }
    pieces
}

/// The line (1-based in `text`) where `text` stops being the start of one JSON
/// document, `None` while it is one (complete, or cut off only by its end). A reader
/// gathering a document's lines uses it to find where a broken one ends (see the
/// module documentation).
pub fn document_break(text: &str) -> Option<usize> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => None,
        Err(error) if error.is_eof() => None,
        Err(error) => Some(error.line().max(1)),
    }
}

/// Whether `line` opens an object or array at its first character, as a document (or a
/// JSON line) does and an indented line inside a pretty-printed document does not.
fn opens_at_margin(line: &str) -> bool {
    line.starts_with(['{', '['])
}

/// Whether `line` is one whole object or array by itself from the left margin: a JSON
/// line.
pub fn whole_value_at_margin(line: &str) -> bool {
    opens_at_margin(line) && whole_value(line)
}

/// Whether `line`, blanks around it aside, is one whole object or array.
fn whole_value(line: &str) -> bool {
    let line = line.trim();
    line.starts_with(['{', '['])
        && line.ends_with(['}', ']'])
        && serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok()
}

/// Whether a broken document ends before `line`, its `number`th line (from 1), having
/// broken on line `broke_on`: `line` is a JSON line, or from the break on, opens a
/// value at the margin or is a whole value (indented JSON lines; in a pretty-printed
/// document, that costs reading its rest line by line, never a record after it). Never
/// the document's first line.
pub fn ends_broken_document(line: &str, number: usize, broke_on: usize) -> bool {
    number > 1
        && (whole_value_at_margin(line)
            || (number >= broke_on && (opens_at_margin(line) || whole_value(line))))
}

/// Where the document starting at `start` of `text`, which fails with `error`, ends:
/// at the end of a line (or of the text), past `start`'s line. See the module
/// documentation.
fn broken_document_end(text: &str, start: usize, error: &serde_json::Error) -> usize {
    // Cut off by the end of the text, it broke nowhere inside: only JSON lines end it.
    let broke_on = if error.is_eof() {
        usize::MAX
    } else {
        error.line().max(1)
    };
    let mut brackets = Brackets::default();
    let mut offset = start;
    for (number, line) in (1..).zip(text[start..].split_inclusive('\n')) {
        if number > 1 && brackets.depth() == 0 {
            break;
        }
        if ends_broken_document(line, number, broke_on) {
            break;
        }
        brackets.feed(line);
        offset += line.len();
    }
    offset
}

/// The pieces of a broken JSON array, `text[start..]` (which ends where the broken
/// document does): a [`Piece::Element`] for each element that parses, a
/// [`Piece::NotJson`] for each one that does not, or when they all parse, one for the
/// array itself (`reason`, or that it is not closed).
fn array_pieces(text: &str, start: usize, lines: &LineIndex, reason: String) -> Vec<Piece> {
    let line = lines.line_of(start);
    let mut pieces = Vec::new();
    let mut element_failed = false;
    let elements = ArrayElements::of(text, start);
    for (index, span) in elements.spans.iter().enumerate() {
        let element = text[span.clone()].trim_end();
        let element_line = lines.line_of(span.start);
        match serde_json::from_str::<Value>(element) {
            Ok(value) => pieces.push(Piece::Element { line, index, value }),
            Err(error) => {
                element_failed = true;
                let reason = if element.is_empty() {
                    format!(
                        "not JSON: array element {} is empty (line {element_line})",
                        index + 1
                    )
                } else {
                    describe_syntax_error(&error, lines, line, span.start)
                };
                pieces.push(Piece::NotJson {
                    line,
                    element: Some(index),
                    reason,
                });
            }
        }
    }
    // An element that failed accounts for what broke the array (or cut it off), and is
    // the record it cost; otherwise the array itself is the error.
    if !element_failed {
        let reason = if elements.closed {
            reason
        } else {
            format!(
                "not JSON: the array is not closed (it ends at line {})",
                lines.line_of(text.len().saturating_sub(1).max(start))
            )
        };
        pieces.push(Piece::NotJson {
            line,
            element: None,
            reason,
        });
    }
    pieces
}

/// The elements of an array, found by brackets, commas and quotes alone, so that one
/// broken element leaves the others readable.
struct ArrayElements {
    /// Each element's text, from its first non-blank character.
    spans: Vec<std::ops::Range<usize>>,
    /// Whether the array's closing bracket was found.
    closed: bool,
}

impl ArrayElements {
    /// The array starting with the `[` at `start` of `text`.
    fn of(text: &str, start: usize) -> Self {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut element_start: Option<usize> = None;
        let mut at = start + 1;
        while at < bytes.len() {
            let byte = bytes[at];
            if in_string {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    // JSON strings hold no line breaks: the string was cut off.
                    b'\n' => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b',' | b']' if depth == 0 => {
                        spans.push(element_start.take().unwrap_or(at)..at);
                        if byte == b']' {
                            if spans.len() == 1 && spans[0].is_empty() {
                                // `[]` holds no element.
                                spans.pop();
                            }
                            return Self {
                                spans,
                                closed: true,
                            };
                        }
                    }
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => {
                        element_start.get_or_insert(at);
                        match byte {
                            b'"' => in_string = true,
                            b'{' | b'[' => depth += 1,
                            b'}' | b']' => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                    }
                }
            }
            at += 1;
        }
        if let Some(element_start) = element_start {
            spans.push(element_start..bytes.len());
        }
        Self {
            spans,
            closed: false,
        }
    }
}

/// How many brackets a JSON text leaves open, outside strings, counted a line at a
/// time: enough to find where a document spread over several lines ends without
/// parsing it line by line.
#[derive(Debug, Default)]
pub struct Brackets {
    depth: usize,
}

impl Brackets {
    /// Whether `line` opens a value it does not close (and is not cut off in a string).
    pub fn left_open_by(line: &str) -> bool {
        let mut brackets = Brackets::default();
        brackets.feed(line) && brackets.depth > 0
    }

    /// Brackets opened and not yet closed.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Counts the brackets of one more line. `false` when the line ends inside a
    /// string: JSON strings hold no line breaks, so the text is broken there, and the
    /// string ends with its line.
    pub fn feed(&mut self, line: &str) -> bool {
        let bytes = line.as_bytes();
        let mut in_string = false;
        let mut at = 0;
        while at < bytes.len() {
            if in_string {
                // Strings are most of a record: jump to the next quote or backslash.
                match memchr::memchr2(b'"', b'\\', &bytes[at..]) {
                    None => at = bytes.len(),
                    Some(offset) => {
                        at += offset;
                        if bytes[at] == b'\\' {
                            // Skip the escaped character too.
                            at += 1;
                        } else {
                            in_string = false;
                        }
                        at += 1;
                    }
                }
            } else {
                match bytes[at] {
                    b'"' => in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                at += 1;
            }
        }
        !in_string
    }
}

/// JSON whitespace, and byte-order marks (files joined with `cat` keep each one's
/// mark): anything else starts a document (or a parse error).
fn next_non_whitespace(text: &str, from: usize) -> Option<usize> {
    text[from..]
        .find(|character: char| !matches!(character, ' ' | '\t' | '\n' | '\r' | '\u{feff}'))
        .map(|offset| from + offset)
}

/// `rest` follows the value on its last line, `line` when that is not the line the
/// value starts on.
fn trailing_text(rest: &str, line: Option<usize>) -> String {
    let shown: String = rest.chars().take(40).collect();
    let at = line
        .map(|line| format!(" (line {line})"))
        .unwrap_or_default();
    format!(
        "not JSON: text after the JSON value{at}: {}",
        Value::String(shown)
    )
}

/// serde_json's message for the text parsed from `start`, with its position made
/// absolute in the whole text: only the column when it is on `named_line`, the line the
/// error's location already names.
fn describe_syntax_error(
    error: &serde_json::Error,
    lines: &LineIndex,
    named_line: usize,
    start: usize,
) -> String {
    if error.line() == 0 {
        return format!("not JSON: {error}");
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    let start_line = lines.line_of(start);
    let line = start_line + error.line() - 1;
    let position = if error.line() == 1 {
        let column = error.column() + (start - lines.start_of(start_line));
        if line == named_line {
            format!("column {column}")
        } else {
            format!("line {line}, column {column}")
        }
    } else if error.column() == 0 {
        // serde_json places an error on a line break at column 0 of the next line.
        format!("end of line {}", line - 1)
    } else {
        format!("line {line}, column {}", error.column())
    };
    format!("not JSON: {message} ({position})")
}

/// Byte offsets where lines start, to turn offsets into 1-based line numbers of the
/// input (the text's own first line being `first_line`).
struct LineIndex {
    starts: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    fn new(text: &str, first_line: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(offset, _)| offset + 1));
        Self { starts, first_line }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) + self.first_line - 1
    }

    fn start_of(&self, line: usize) -> usize {
        self.starts
            .get(line.saturating_sub(self.first_line))
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(text: &str) -> Vec<(usize, Result<Value, String>)> {
        documents(text, 1)
            .into_iter()
            .map(|piece| match piece {
                Piece::Document { line, value } => (line, Ok(value)),
                Piece::Element { line, index, value } => {
                    (line, Ok(json!({"element": index, "value": value})))
                }
                Piece::NotJson {
                    line,
                    element: None,
                    reason,
                } => (line, Err(reason)),
                Piece::NotJson {
                    line,
                    element: Some(index),
                    reason,
                } => (line, Err(format!("element {index}: {reason}"))),
            })
            .collect()
    }

    #[test]
    fn one_pretty_document() {
        assert_eq!(
            summary("\n\n{\n  \"a\": 1,\n  \"b\": [2]\n}\n"),
            vec![(3, Ok(json!({"a": 1, "b": [2]})))]
        );
    }

    #[test]
    fn json_lines_with_blank_lines() {
        assert_eq!(
            summary("{\"a\":1}\n\n{\"a\":2}\r\n  {\"a\":3}"),
            vec![
                (1, Ok(json!({"a": 1}))),
                (3, Ok(json!({"a": 2}))),
                (4, Ok(json!({"a": 3})))
            ]
        );
    }

    #[test]
    fn a_bad_line_does_not_cost_the_next_ones() {
        let pieces = summary(
            "{\"a\":1}\n{\"a\": [1,\n{\"a\":3}\nnot json\n{\"a\":5}\n{\"a\": \"cut\n{\"a\":7}",
        );
        assert_eq!(
            pieces,
            vec![
                (1, Ok(json!({"a": 1}))),
                // Cut off, then a record (which would have been an element of its array).
                (2, Err("not JSON: EOF while parsing a value (end of line 2)".to_owned())),
                (3, Ok(json!({"a": 3}))),
                (4, Err("not JSON: expected ident (column 2)".to_owned())),
                (5, Ok(json!({"a": 5}))),
                (
                    6,
                    Err("not JSON: control character (\\u0000-\\u001F) found while parsing a string (end of line 6)".to_owned())
                ),
                (7, Ok(json!({"a": 7}))),
            ]
        );
    }

    #[test]
    fn two_bad_lines_in_a_row_are_one_error_when_the_first_leaves_brackets_open() {
        // The second line is read as part of the first; the record after them is not.
        let pieces = summary("{\"a\": [\nnot json\n{\"a\":3}");
        assert_eq!(
            pieces,
            vec![
                (
                    1,
                    Err("not JSON: expected ident (line 2, column 2)".to_owned())
                ),
                (3, Ok(json!({"a": 3}))),
            ]
        );
    }

    #[test]
    fn a_pretty_document_broken_inside_is_one_error_at_the_break() {
        let text = "{\n  \"a\": {\n    \"b\": 1\n  },\n  \"c\": 2\n  \"d\": [\n    {\n      \"e\": 3\n    }\n  ]\n}\n{\n  \"f\": 4\n}\n";
        assert_eq!(
            summary(text),
            vec![
                (
                    1,
                    Err("not JSON: expected `,` or `}` (line 6, column 3)".to_owned())
                ),
                (12, Ok(json!({"f": 4}))),
            ]
        );
        // A whole value on one line after the break could be an indented JSON line: the
        // document ends before it, and the rest of it is read line by line.
        let text = "{\n  \"c\": 2\n  \"d\": [\n    {\"e\": 3}\n  ]\n}\n{\"f\": 4}";
        assert_eq!(
            summary(text),
            vec![
                (
                    1,
                    Err("not JSON: expected `,` or `}` (line 3, column 3)".to_owned())
                ),
                (4, Ok(json!({"e": 3}))),
                (5, Err("not JSON: expected value (column 3)".to_owned())),
                (6, Err("not JSON: expected value (column 1)".to_owned())),
                (7, Ok(json!({"f": 4}))),
            ]
        );
    }

    #[test]
    fn a_pretty_document_left_open_ends_where_the_next_one_opens() {
        let text = "{\n  \"a\": {\n    \"b\": 1\n}\n{\n  \"f\": 4\n}\n";
        assert_eq!(
            summary(text),
            vec![
                (
                    1,
                    Err("not JSON: EOF while parsing an object (end of line 4)".to_owned())
                ),
                (5, Ok(json!({"f": 4}))),
            ]
        );
        // Broken inside and never closed: it ends at the next value opening at the margin.
        let text = "{\n  \"a\": [1 2,\n{\n  \"f\": 4\n}";
        assert_eq!(
            summary(text),
            vec![
                (
                    1,
                    Err("not JSON: expected `,` or `]` (line 2, column 11)".to_owned())
                ),
                (3, Ok(json!({"f": 4}))),
            ]
        );
    }

    #[test]
    fn a_document_cut_off_by_the_end_of_the_text_is_one_error() {
        assert_eq!(
            summary("{\"a\": 0}\n{\n  \"a\": 1,\n  \"b\": {\n    \"c\": "),
            vec![
                (1, Ok(json!({"a": 0}))),
                (
                    2,
                    Err("not JSON: EOF while parsing a value (line 5, column 9)".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn a_broken_array_keeps_the_elements_that_parse() {
        // A missing comma inside the second of three records, one per line at the margin:
        // that line could start a JSON line as well, so the array ends before it.
        let text = "[\n{\"a\":1},\n{\"a\":2 \"b\":3},\n{\"a\":4}\n]\n{\"a\":5}";
        assert_eq!(
            summary(text),
            vec![
                (1, Ok(json!({"element": 0, "value": {"a": 1}}))),
                (
                    1,
                    Err("not JSON: the array is not closed (it ends at line 2)".to_owned())
                ),
                (
                    3,
                    Err("not JSON: expected `,` or `}` (column 8)".to_owned())
                ),
                (4, Ok(json!({"a": 4}))),
                (5, Err("not JSON: expected value (column 1)".to_owned())),
                (6, Ok(json!({"a": 5}))),
            ]
        );
        // The same, indented: the record after the broken one could be an indented JSON
        // line, so the array ends before it.
        let text = "[\n  {\"a\":1},\n  {\"a\":2 \"b\":3},\n  {\"a\":4}\n]\n{\"a\":5}";
        assert_eq!(
            summary(text),
            vec![
                (1, Ok(json!({"element": 0, "value": {"a": 1}}))),
                (
                    1,
                    Err("element 1: not JSON: expected `,` or `}` (line 3, column 10)".to_owned())
                ),
                (4, Ok(json!({"a": 4}))),
                (5, Err("not JSON: expected value (column 1)".to_owned())),
                (6, Ok(json!({"a": 5}))),
            ]
        );
        // Pretty-printed and cut off by the end of the text (an interrupted export).
        let text = "[\n  {\n    \"a\": 1\n  },\n  {\n    \"a\": 2\n  },\n  {\n    \"a\": ";
        assert_eq!(
            summary(text),
            vec![
                (1, Ok(json!({"element": 0, "value": {"a": 1}}))),
                (1, Ok(json!({"element": 1, "value": {"a": 2}}))),
                (
                    1,
                    Err(
                        "element 2: not JSON: EOF while parsing a value (line 9, column 8)"
                            .to_owned()
                    )
                ),
            ]
        );
    }

    #[test]
    fn a_broken_array_reports_empty_elements_and_breaks_between_elements() {
        let text = "[{\"a\":1},,{\"a\":2} {\"a\":3}, \"x\\\"]\", {\"a\":4},]";
        assert_eq!(
            summary(text),
            vec![
                (1, Ok(json!({"element": 0, "value": {"a": 1}}))),
                (
                    1,
                    Err("element 1: not JSON: array element 2 is empty (line 1)".to_owned())
                ),
                (
                    1,
                    Err("element 2: not JSON: trailing characters (column 19)".to_owned())
                ),
                (1, Ok(json!({"element": 3, "value": "x\"]"}))),
                (1, Ok(json!({"element": 4, "value": {"a": 4}}))),
                (
                    1,
                    Err("element 5: not JSON: array element 6 is empty (line 1)".to_owned())
                ),
            ]
        );
        // Whatever broke it, a broken array is never read as if it were whole.
        assert_eq!(
            summary("[{\"a\":1}]]"),
            vec![(
                1,
                Err("not JSON: text after the JSON value: \"]\"".to_owned())
            )]
        );
    }

    #[test]
    fn where_a_document_breaks_and_which_lines_end_it() {
        assert_eq!(document_break("{\"a\": [1,"), None);
        assert_eq!(document_break("{\"a\": 1}"), None);
        assert_eq!(
            document_break("{\"a\": [1,\n{\"b\": 2}\n{\"c\": 3}"),
            Some(3)
        );
        assert_eq!(document_break("{\n  \"a\": 1\n  \"b\": 2"), Some(3));
        assert_eq!(document_break("{\"a\" 1"), Some(1));
        // A JSON line ends a broken document wherever it comes; a line opening a value
        // at the margin, or an indented whole value, from the line it broke on.
        assert!(ends_broken_document("{\"b\": 2}", 2, 5));
        assert!(!ends_broken_document("{\"b\": 2},", 2, 5));
        assert!(ends_broken_document("{\"b\": 2},", 5, 5));
        assert!(ends_broken_document("[", 6, 5));
        assert!(!ends_broken_document("  {\"b\": 2}", 4, 5));
        assert!(ends_broken_document("  {\"b\": 2}", 5, 5));
        assert!(!ends_broken_document("  \"b\": 2,", 6, 5));
        assert!(!ends_broken_document("{\"b\": 2}", 1, 1));
    }

    #[test]
    fn trailing_text_is_an_error_but_concatenated_documents_are_fine() {
        let pieces = summary("{\"a\":1},\n{\"a\":2}{\"a\":3}\n{\"a\":4} x\n7");
        let lines: Vec<(usize, bool)> = pieces
            .iter()
            .map(|(line, result)| (*line, result.is_ok()))
            .collect();
        assert_eq!(
            lines,
            vec![(1, false), (2, true), (2, true), (3, false), (4, true)]
        );
        assert_eq!(
            pieces[0].1,
            Err("not JSON: text after the JSON value: \",\"".to_owned())
        );
    }

    #[test]
    fn blank_text_and_byte_order_marks() {
        assert!(documents("", 1).is_empty());
        assert!(documents(" \n\t\r\n", 1).is_empty());
        assert_eq!(summary("\u{feff}{\"a\":1}"), vec![(1, Ok(json!({"a": 1})))]);
        // Two files with marks, joined.
        assert_eq!(
            summary("\u{feff}{\"a\":1}\n\u{feff}{\n\"a\": 2}"),
            vec![(1, Ok(json!({"a": 1}))), (2, Ok(json!({"a": 2})))]
        );
        // A mark alone on a line after a document (an empty file with a mark, joined).
        assert_eq!(summary("[]\n\u{feff}"), vec![(1, Ok(json!([])))]);
    }

    #[test]
    fn trailing_text_after_a_pretty_document_names_its_line() {
        assert_eq!(
            summary("{\n\"a\": 1\n} x"),
            vec![(
                1,
                Err("not JSON: text after the JSON value (line 3): \"x\"".to_owned())
            )]
        );
    }

    #[test]
    fn error_positions_are_absolute() {
        let pieces = summary("{\"a\":1}\n   {\"a\" 2}\n{\n\"b\" 3}");
        assert_eq!(
            pieces[1],
            (2, Err("not JSON: expected `:` (column 9)".to_owned()))
        );
        assert_eq!(
            pieces[2],
            (
                3,
                Err("not JSON: expected `:` (line 4, column 5)".to_owned())
            )
        );
    }

    #[test]
    fn a_text_from_the_middle_of_an_input_counts_lines_from_its_first() {
        let text = "{\"a\":1}\n\n{\n \"a\": 2\n}\n{\"a\" 3}\n{\n\"a\" 4}\nnope\n{\"a\":5}";
        let pieces: Vec<(usize, Result<Value, String>)> = documents(text, 41)
            .into_iter()
            .map(|piece| match piece {
                Piece::Document { line, value } => (line, Ok(value)),
                Piece::Element { line, index, value } => {
                    (line, Ok(json!({"element": index, "value": value})))
                }
                Piece::NotJson {
                    line,
                    element: None,
                    reason,
                } => (line, Err(reason)),
                Piece::NotJson {
                    line,
                    element: Some(index),
                    reason,
                } => (line, Err(format!("element {index}: {reason}"))),
            })
            .collect();
        assert_eq!(
            pieces,
            vec![
                (41, Ok(json!({"a": 1}))),
                (43, Ok(json!({"a": 2}))),
                (46, Err("not JSON: expected `:` (column 6)".to_owned())),
                (
                    47,
                    Err("not JSON: expected `:` (line 48, column 5)".to_owned())
                ),
                (49, Err("not JSON: expected ident (column 2)".to_owned())),
                (50, Ok(json!({"a": 5}))),
            ]
        );
    }

    #[test]
    fn brackets_inside_strings_and_escapes_do_not_count() {
        for (line, open) in [
            (r#"{"a": "x"}"#, false),
            (r#"{"a": "{[", "b": ["#, true),
            (r#"{"a": "say \"}\"", "b": 1}"#, false),
            (r#"{"a": "ends in backslash \\"}"#, false),
            (r#"{"a": "\\\"{"#, false), // cut inside a string: not an opening
            ("{", true),
            ("[[1, 2], [", true),
            ("\u{feff}{\"a\": 1}", false),
        ] {
            assert_eq!(Brackets::left_open_by(line), open, "{line}");
        }
        // Lines fed one after another keep their depth; a string cut off ends there.
        let mut brackets = Brackets::default();
        assert!(brackets.feed("{\"a\": ["));
        assert!(brackets.feed("  {\"b\": \"]}\"},"));
        assert_eq!(brackets.depth(), 2);
        assert!(!brackets.feed("  \"cut ]"));
        assert!(brackets.feed("]}"));
        assert_eq!(brackets.depth(), 0);
    }
}
