//! The function's settings, read once from the environment at start.
//!
//! A bad setting stops the function at initialisation, where Lambda reports it plainly,
//! instead of failing every invocation later. Optional variables set to the empty string
//! count as unset (SAM and CloudFormation pass `""` for parameters left blank).

use auditbridge_shared::cloudaudit::{ActionType, NormalizeOptions, UnknownActionType};
use auditbridge_shared::outbound::DEFAULT_MAX_BYTES;

/// The largest message SQS accepts at all (1 MiB).
pub const SQS_MAX_MESSAGE_BYTES: usize = 1_048_576;

/// What the normalize function needs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `EVENTS_QUEUE_URL`: where envelopes go. A `.fifo` URL gets group and dedup ids.
    pub events_queue_url: String,
    /// `ACTION_TYPES`: comma list of `Write`/`Read`; default `Write`.
    pub action_types: Vec<ActionType>,
    /// `REDACT_TOKENS`: `true`/`false` (also `1`/`0`, `yes`/`no`); default `true`.
    pub redact_tokens: bool,
    /// `MAX_MESSAGE_BYTES`: largest envelope message (body plus attributes); default
    /// 262144, at most 1048576.
    pub max_message_bytes: usize,
}

/// A setting that is missing or cannot be read. Names the variable and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set: it must name the SQS queue URL envelopes are sent to")]
    Missing(&'static str),
    #[error("{variable}={value:?}: {reason}")]
    Invalid {
        variable: &'static str,
        value: String,
        reason: String,
    },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (a variable name to its value), so parsing can be
    /// tested without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let optional = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let events_queue_url = optional("EVENTS_QUEUE_URL")
            .map(|url| url.trim().to_string())
            .ok_or(ConfigError::Missing("EVENTS_QUEUE_URL"))?;
        let action_types = match optional("ACTION_TYPES") {
            Some(value) => parse_action_types(&value)?,
            None => NormalizeOptions::default().action_types,
        };
        let redact_tokens = match optional("REDACT_TOKENS") {
            Some(value) => parse_bool("REDACT_TOKENS", &value)?,
            None => true,
        };
        let max_message_bytes = match optional("MAX_MESSAGE_BYTES") {
            Some(value) => parse_max_bytes(&value)?,
            None => DEFAULT_MAX_BYTES,
        };
        Ok(Config {
            events_queue_url,
            action_types,
            redact_tokens,
            max_message_bytes,
        })
    }

    /// The normalizer's options these settings ask for.
    pub fn normalize_options(&self) -> NormalizeOptions {
        NormalizeOptions {
            action_types: self.action_types.clone(),
            redact_tokens: self.redact_tokens,
        }
    }
}

fn parse_action_types(value: &str) -> Result<Vec<ActionType>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        variable: "ACTION_TYPES",
        value: value.to_string(),
        reason,
    };
    let mut types = Vec::new();
    for part in value.split(',').filter(|part| !part.trim().is_empty()) {
        let action_type: ActionType = part.parse().map_err(|UnknownActionType(found)| {
            invalid(format!(
                "unknown action type {:?}: expected Write or Read",
                found.trim()
            ))
        })?;
        if !types.contains(&action_type) {
            types.push(action_type);
        }
    }
    if types.is_empty() {
        return Err(invalid("expected a comma list of Write and/or Read".into()));
    }
    Ok(types)
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::Invalid {
            variable,
            value: value.to_string(),
            reason: "expected true or false".into(),
        }),
    }
}

fn parse_max_bytes(value: &str) -> Result<usize, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        variable: "MAX_MESSAGE_BYTES",
        value: value.to_string(),
        reason,
    };
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
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_queue_is_set() {
        assert_eq!(
            config(&[
                (
                    "EVENTS_QUEUE_URL",
                    "https://sqs.us-east-1.amazonaws.com/1/events"
                ),
                ("ACTION_TYPES", "")
            ]),
            Ok(Config {
                events_queue_url: "https://sqs.us-east-1.amazonaws.com/1/events".into(),
                action_types: vec![ActionType::Write],
                redact_tokens: true,
                max_message_bytes: 262_144,
            })
        );
    }

    #[test]
    fn every_setting_is_read() {
        let read = config(&[
            ("EVENTS_QUEUE_URL", " http://q/events.fifo "),
            ("ACTION_TYPES", "read, Write,READ"),
            ("REDACT_TOKENS", "False"),
            ("MAX_MESSAGE_BYTES", "65536"),
        ])
        .expect("valid");
        assert_eq!(read.events_queue_url, "http://q/events.fifo");
        assert_eq!(read.action_types, vec![ActionType::Read, ActionType::Write]);
        assert!(!read.redact_tokens);
        assert_eq!(read.max_message_bytes, 65_536);
        assert_eq!(
            read.normalize_options(),
            NormalizeOptions {
                action_types: vec![ActionType::Read, ActionType::Write],
                redact_tokens: false
            }
        );
    }

    #[test]
    fn a_missing_or_blank_queue_url_is_an_error_saying_so() {
        for vars in [&[][..], &[("EVENTS_QUEUE_URL", "  ")][..]] {
            let error = config(vars).expect_err("must fail");
            assert_eq!(error, ConfigError::Missing("EVENTS_QUEUE_URL"));
            assert!(
                error.to_string().starts_with("EVENTS_QUEUE_URL is not set"),
                "{error}"
            );
        }
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        let queue = ("EVENTS_QUEUE_URL", "http://q/e");
        let cases = [
            (
                ("ACTION_TYPES", "Write,Delete"),
                "ACTION_TYPES=\"Write,Delete\": unknown action type \"Delete\"",
            ),
            (
                ("ACTION_TYPES", ",,"),
                "ACTION_TYPES=\",,\": expected a comma list",
            ),
            (
                ("REDACT_TOKENS", "maybe"),
                "REDACT_TOKENS=\"maybe\": expected true or false",
            ),
            (
                ("MAX_MESSAGE_BYTES", "big"),
                "MAX_MESSAGE_BYTES=\"big\": expected a whole number",
            ),
            (
                ("MAX_MESSAGE_BYTES", "0"),
                "MAX_MESSAGE_BYTES=\"0\": must be from 1",
            ),
            (
                ("MAX_MESSAGE_BYTES", "2000000"),
                "MAX_MESSAGE_BYTES=\"2000000\": must be from 1",
            ),
        ];
        for (setting, expected) in cases {
            let error = config(&[queue, setting])
                .expect_err("must fail")
                .to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
