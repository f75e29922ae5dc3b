//! Cutting a text into JSON documents: one (possibly pretty-printed) document, several
//! documents one after another, or JSON lines.
//!
//! Each document is located by the line it starts on. A document that does not parse is
//! one error for the line it starts on, and parsing resumes on the next line, so a bad
//! line in a JSON-lines file never costs the good lines after it (the price: in a
//! broken pretty-printed document every following line of it is reported too). A value
//! followed by other text on its last line (`{..} trailing`, `{..},`) is an error for that
//! line as well; another document may follow on the same line (`{..}{..}`). Blank lines
//! and a leading byte-order mark are ignored, and lone surrogate escapes read as U+FFFD
//! (`surrogates.rs`).

use serde_json::{Deserializer, Value};

use super::surrogates::without_lone_surrogates;

/// One document of the text, or why the text at a line is not one.
#[derive(Debug)]
pub(crate) enum Piece {
    Document { line: usize, value: Value },
    NotJson { line: usize, reason: String },
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
                        reason: trailing_text(rest_of_line, (end_line != line).then_some(end_line)),
                    });
                    position = line_end;
                }
            }
            Some(Err(error)) => {
                pieces.push(Piece::NotJson {
                    line,
                    reason: describe_syntax_error(&error, &lines, line, start),
                });
                position = lines.start_of_next_line(line, text.len());
            }
            None => break,
        }
    }
    pieces
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

/// serde_json's message with its position made absolute in the whole text; only the
/// column when the error is on the line the document starts on, which the error's
/// location already names.
fn describe_syntax_error(
    error: &serde_json::Error,
    lines: &LineIndex,
    line: usize,
    start: usize,
) -> String {
    if error.line() == 0 {
        return format!("not JSON: {error}");
    }
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = error.to_string();
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    if error.line() == 1 {
        let column = error.column() + (start - lines.start_of(line));
        return format!("not JSON: {message} (column {column})");
    }
    let absolute_line = line + error.line() - 1;
    format!(
        "not JSON: {message} (line {absolute_line}, column {})",
        error.column()
    )
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

    fn start_of_next_line(&self, line: usize, text_len: usize) -> usize {
        self.starts
            .get(line + 1 - self.first_line)
            .copied()
            .unwrap_or(text_len)
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
                Piece::NotJson { line, reason } => (line, Err(reason)),
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
        let pieces =
            summary("{\"a\":1}\n{\"a\": [1,\nnot json\n{\"a\":4}\n{\"a\": \"cut\n{\"a\":6}");
        let lines: Vec<(usize, bool)> = pieces
            .iter()
            .map(|(line, result)| (*line, result.is_ok()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, true),
                (2, false),
                (3, false),
                (4, true),
                (5, false),
                (6, true)
            ]
        );
        assert_eq!(pieces[3].1, Ok(json!({"a": 4})));
        assert_eq!(pieces[5].1, Ok(json!({"a": 6})));
        let Err(reason) = &pieces[2].1 else {
            panic!("line 3 is not JSON")
        };
        assert_eq!(reason, "not JSON: expected ident (column 2)");
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
                Piece::NotJson { line, reason } => (line, Err(reason)),
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
                (
                    48,
                    Err("not JSON: text after the JSON value: \"4}\"".to_owned())
                ),
                (49, Err("not JSON: expected ident (column 2)".to_owned())),
                (50, Ok(json!({"a": 5}))),
            ]
        );
    }
}
