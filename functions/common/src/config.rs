//! Environment values both functions read, and the error naming a bad one.
//!
//! Each function reads its settings once at start, so a bad value stops it at
//! initialisation where Lambda reports it plainly. Optional variables set to the empty
//! (or blank) string count as unset: SAM and CloudFormation pass `""` for parameters left
//! blank, and that must mean "use the default", not "invalid".

use auditbridge_shared::outbound::DEFAULT_MAX_BYTES;

/// The largest message SQS accepts at all (1 MiB).
pub const SQS_MAX_MESSAGE_BYTES: usize = 1_048_576;

/// A variable whose value cannot be used. Names the variable, the value as given and
/// what was expected, e.g. `MAX_MESSAGE_BYTES="big": expected a whole number of bytes
/// from 1 to 1048576`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value:?}: {reason}")]
pub struct InvalidSetting {
    pub variable: &'static str,
    pub value: String,
    pub reason: String,
}

impl InvalidSetting {
    pub fn new(variable: &'static str, value: &str, reason: impl Into<String>) -> InvalidSetting {
        InvalidSetting {
            variable,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// The environment as seen through a lookup (a variable name to its value), so the
/// functions' settings can be tested without touching the process environment.
pub struct Settings<F> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Settings<F> {
    pub fn new(lookup: F) -> Settings<F> {
        Settings { lookup }
    }

    /// The value of `name`; `None` when unset or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    /// The boolean `name` (see [`parse_bool`]); `default` when unset or blank.
    pub fn bool_or(&self, name: &'static str, default: bool) -> Result<bool, InvalidSetting> {
        match self.optional(name) {
            Some(value) => parse_bool(name, &value),
            None => Ok(default),
        }
    }

    /// `MAX_MESSAGE_BYTES` (see [`parse_max_message_bytes`]); [`DEFAULT_MAX_BYTES`] when
    /// unset or blank.
    pub fn max_message_bytes(&self) -> Result<usize, InvalidSetting> {
        match self.optional("MAX_MESSAGE_BYTES") {
            Some(value) => parse_max_message_bytes(&value),
            None => Ok(DEFAULT_MAX_BYTES),
        }
    }
}

/// `true`/`false`, also `1`/`0` and `yes`/`no`, in any case: the spellings people put in
/// templates and consoles.
pub fn parse_bool(variable: &'static str, value: &str) -> Result<bool, InvalidSetting> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(InvalidSetting::new(
            variable,
            value,
            "expected true or false",
        )),
    }
}

/// A `MAX_MESSAGE_BYTES` value: a whole number from 1 to [`SQS_MAX_MESSAGE_BYTES`].
/// Anything above the SQS maximum could never be sent, so it is refused at start rather
/// than failing every large message later.
pub fn parse_max_message_bytes(value: &str) -> Result<usize, InvalidSetting> {
    let invalid = |reason: String| InvalidSetting::new("MAX_MESSAGE_BYTES", value, reason);
    let bytes: usize = value.trim().parse().map_err(|_| {
        invalid(format!(
            "expected a whole number of bytes from 1 to {SQS_MAX_MESSAGE_BYTES}"
        ))
    })?;
    if bytes == 0 || bytes > SQS_MAX_MESSAGE_BYTES {
        return Err(invalid(format!(
            "must be from 1 to {SQS_MAX_MESSAGE_BYTES} (the SQS maximum)"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(
        vars: &'static [(&'static str, &'static str)],
    ) -> Settings<impl Fn(&str) -> Option<String>> {
        Settings::new(move |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn blank_values_count_as_unset() {
        let env = settings(&[("A", ""), ("B", "  "), ("C", " x ")]);
        assert_eq!(env.optional("A"), None);
        assert_eq!(env.optional("B"), None);
        assert_eq!(env.optional("C").as_deref(), Some(" x "));
        assert_eq!(env.optional("D"), None);
        assert_eq!(env.bool_or("B", false), Ok(false));
        assert_eq!(
            settings(&[("MAX_MESSAGE_BYTES", " ")]).max_message_bytes(),
            Ok(DEFAULT_MAX_BYTES)
        );
    }

    #[test]
    fn booleans_accept_the_usual_spellings() {
        for (value, expected) in [
            ("True", true),
            ("1", true),
            (" yes ", true),
            ("FALSE", false),
            ("0", false),
            ("no", false),
        ] {
            assert_eq!(parse_bool("FLAG", value), Ok(expected), "{value}");
        }
        assert_eq!(
            parse_bool("FLAG", "maybe").map_err(|error| error.to_string()),
            Err("FLAG=\"maybe\": expected true or false".to_string())
        );
    }

    #[test]
    fn max_message_bytes_is_a_whole_number_up_to_the_sqs_maximum() {
        assert_eq!(
            settings(&[("MAX_MESSAGE_BYTES", " 65536 ")]).max_message_bytes(),
            Ok(65_536)
        );
        assert_eq!(
            parse_max_message_bytes("1048576"),
            Ok(SQS_MAX_MESSAGE_BYTES)
        );
        let cases = [
            (
                "big",
                "MAX_MESSAGE_BYTES=\"big\": expected a whole number of bytes from 1 to 1048576",
            ),
            (
                "0",
                "MAX_MESSAGE_BYTES=\"0\": must be from 1 to 1048576 (the SQS maximum)",
            ),
            (
                "1048577",
                "MAX_MESSAGE_BYTES=\"1048577\": must be from 1 to 1048576 (the SQS maximum)",
            ),
        ];
        for (value, expected) in cases {
            let error = parse_max_message_bytes(value).expect_err("must fail");
            assert_eq!(error.to_string(), expected);
        }
    }
}
