//! Reading fields Tencent has emitted with more than one JSON type.
//!
//! Ids are strings since 2021 and integers in 2017/2019 records, `accountId` likewise,
//! `errorCode` is `0` or `"0"`. Every accessor here accepts all the shapes seen, so the
//! mapping code never branches on JSON types itself.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A scalar field as text: a string (trimmed) or a number; `None` for empty strings,
/// `null`, booleans, arrays and objects, which carry no usable text.
pub(crate) fn scalar_text(value: Option<&Value>) -> Option<Cow<'_, str>> {
    match value? {
        Value::String(text) => {
            let trimmed = text.trim();
            (!trimmed.is_empty()).then_some(Cow::Borrowed(trimmed))
        }
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        _ => None,
    }
}

/// A field that only makes sense as a string (names, types), trimmed; `None` when absent,
/// empty or not a string.
pub(crate) fn string(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(text) => {
            let trimmed = text.trim();
            (!trimmed.is_empty()).then_some(trimmed)
        }
        _ => None,
    }
}

/// The value at `path` below `record`, following objects only.
pub(crate) fn at_path<'a>(record: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut current = record.get(*first)?;
    for key in rest {
        current = current.as_object()?.get(*key)?;
    }
    Some(current)
}

/// A short, quoted description of a found value for error messages: `"yesterday"`,
/// `42`, `an object`. Long strings are cut so one bad record cannot flood a log line.
pub(crate) fn describe(value: Option<&Value>) -> String {
    const MAX_CHARS: usize = 60;
    match value {
        None => "nothing (field absent)".to_owned(),
        Some(Value::Null) => "null".to_owned(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::String(text)) => {
            let mut shown: String = text.chars().take(MAX_CHARS).collect();
            if shown.len() < text.len() {
                shown.push('…');
            }
            Value::String(shown).to_string()
        }
        Some(Value::Array(_)) => "an array".to_owned(),
        Some(Value::Object(_)) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalar_text_accepts_strings_and_numbers() {
        assert_eq!(scalar_text(Some(&json!(" abc "))).as_deref(), Some("abc"));
        assert_eq!(
            scalar_text(Some(&json!(662138269))).as_deref(),
            Some("662138269")
        );
        assert_eq!(scalar_text(Some(&json!(""))), None);
        assert_eq!(scalar_text(Some(&json!(null))), None);
        assert_eq!(scalar_text(Some(&json!({"a": 1}))), None);
        assert_eq!(scalar_text(None), None);
    }

    #[test]
    fn string_rejects_non_strings() {
        assert_eq!(string(Some(&json!("COS"))), Some("COS"));
        assert_eq!(string(Some(&json!(7))), None);
        assert_eq!(string(Some(&json!("  "))), None);
    }

    #[test]
    fn at_path_follows_objects() {
        let record = json!({"userIdentity": {"accountId": 7}, "x": "s"});
        let record = record.as_object().expect("object");
        assert_eq!(
            at_path(record, &["userIdentity", "accountId"]),
            Some(&json!(7))
        );
        assert_eq!(at_path(record, &["x", "y"]), None);
        assert_eq!(at_path(record, &[]), None);
    }

    #[test]
    fn describe_quotes_and_cuts() {
        assert_eq!(describe(Some(&json!("yesterday"))), "\"yesterday\"");
        assert_eq!(describe(Some(&json!(42))), "42");
        assert_eq!(describe(None), "nothing (field absent)");
        let long = "x".repeat(100);
        assert_eq!(
            describe(Some(&json!(long))),
            format!("\"{}…\"", "x".repeat(60))
        );
    }
}
