//! Read or write: which records EventBridge (and therefore this project) forwards.
//!
//! `actionType` is authoritative, in any ASCII case (`Write`, `write`, `WRITE`). An
//! empty `actionType` counts as absent. Records without one (pre-2019) are classified by
//! `eventName`: names starting `Describe`, `List`, `Get`, `Query`, `Inquiry`, `Check`,
//! `LookUp` or `Search` are reads, everything else a write (case-sensitive, as Tencent's
//! action names are PascalCase; `Lookup…` is therefore a write: erring towards write
//! means an unknown call is forwarded, never hidden). An `actionType` with any other
//! value is an error rather than a guess.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::lenient;

/// The kind of API call a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionType {
    Write,
    Read,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::Write => "Write",
            ActionType::Read => "Read",
        }
    }
}

impl fmt::Display for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that is neither `Write` nor `Read`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action type {0:?}: expected Write or Read")]
pub struct UnknownActionType(pub String);

impl FromStr for ActionType {
    type Err = UnknownActionType;

    /// `Write`/`Read` in any ASCII case, surrounding spaces ignored (for `ACTION_TYPES`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("write") {
            Ok(ActionType::Write)
        } else if trimmed.eq_ignore_ascii_case("read") {
            Ok(ActionType::Read)
        } else {
            Err(UnknownActionType(text.to_owned()))
        }
    }
}

/// Prefixes of read-only API names, for records without `actionType` (public for the
/// rules linter, which warns about rules naming reads when only writes are delivered).
pub const READ_PREFIXES: &[&str] = &[
    "Describe", "List", "Get", "Query", "Inquiry", "Check", "LookUp", "Search",
];

/// A classification failure: the field at fault and why.
pub(crate) struct Unclassifiable {
    pub field: &'static str,
    pub reason: String,
}

/// The record's action type.
pub(crate) fn action_type(record: &Map<String, Value>) -> Result<ActionType, Unclassifiable> {
    match record.get("actionType") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) if text.trim().is_empty() => {}
        Some(Value::String(text)) => {
            return text.parse().map_err(|_| Unclassifiable {
                field: "actionType",
                reason: format!(
                    "expected Write or Read, got {}",
                    lenient::describe(record.get("actionType"))
                ),
            })
        }
        Some(other) => {
            return Err(Unclassifiable {
                field: "actionType",
                reason: format!(
                    "expected Write or Read, got {}",
                    lenient::describe(Some(other))
                ),
            })
        }
    }
    let name = lenient::string(record.get("eventName")).ok_or_else(|| Unclassifiable {
        field: "eventName",
        reason: format!(
            "no actionType, and no eventName to classify the call by: got {}",
            lenient::describe(record.get("eventName"))
        ),
    })?;
    Ok(by_event_name(name))
}

/// The legacy rule: read-only name prefixes are reads, everything else is a write.
pub(crate) fn by_event_name(name: &str) -> ActionType {
    if READ_PREFIXES.iter().any(|prefix| name.starts_with(prefix)) {
        ActionType::Read
    } else {
        ActionType::Write
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn classify(record: Value) -> Result<ActionType, String> {
        action_type(record.as_object().expect("object"))
            .map_err(|error| format!("{}: {}", error.field, error.reason))
    }

    #[test]
    fn action_type_is_authoritative_in_any_case() {
        assert_eq!(
            classify(json!({"actionType": "Write", "eventName": "DescribeInstances"})),
            Ok(ActionType::Write)
        );
        assert_eq!(
            classify(json!({"actionType": "read", "eventName": "StopInstances"})),
            Ok(ActionType::Read)
        );
        assert_eq!(
            classify(json!({"actionType": " WRITE "})),
            Ok(ActionType::Write)
        );
    }

    #[test]
    fn legacy_records_are_classified_by_name() {
        for read in [
            "DescribeInstances",
            "ListUsers",
            "GetUser",
            "QueryX",
            "InquiryPriceRunInstances",
            "CheckY",
            "LookUpEvents",
            "SearchLog",
        ] {
            assert_eq!(
                classify(json!({"eventName": read})),
                Ok(ActionType::Read),
                "{read}"
            );
        }
        for write in [
            "StopInstances",
            "ModifyDBInstanceName",
            "AttachUserPolicy",
            "Lookup",
            "describeInstances",
            "CreateListener",
        ] {
            assert_eq!(
                classify(json!({"eventName": write, "actionType": ""})),
                Ok(ActionType::Write),
                "{write}"
            );
        }
        assert_eq!(
            classify(json!({"eventName": "Delete", "actionType": null})),
            Ok(ActionType::Write)
        );
    }

    #[test]
    fn unknown_action_types_and_nameless_legacy_records_are_errors() {
        assert_eq!(
            classify(json!({"actionType": "Admin", "eventName": "X"})),
            Err("actionType: expected Write or Read, got \"Admin\"".to_owned())
        );
        assert_eq!(
            classify(json!({"actionType": 1})),
            Err("actionType: expected Write or Read, got 1".to_owned())
        );
        assert!(classify(json!({})).is_err_and(|error| error.starts_with("eventName: ")));
    }

    #[test]
    fn parses_configuration_values() {
        assert_eq!("Write".parse(), Ok(ActionType::Write));
        assert_eq!(" read".parse(), Ok(ActionType::Read));
        assert_eq!(
            "both".parse::<ActionType>(),
            Err(UnknownActionType("both".to_owned()))
        );
        assert_eq!(ActionType::Read.to_string(), "Read");
    }
}
