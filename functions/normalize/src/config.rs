//! The function's settings, read once from the environment at start.
//!
//! A bad setting stops the function at initialisation, where Lambda reports it plainly,
//! instead of failing every invocation later. Optional variables set to the empty string
//! count as unset (SAM and CloudFormation pass `""` for parameters left blank); the
//! reading of values both functions share lives in [`lambda_common::config`].

use auditbridge_shared::cloudaudit::{ActionType, NormalizeOptions, UnknownActionType};
use lambda_common::config::{InvalidSetting, Settings};

pub use lambda_common::config::SQS_MAX_MESSAGE_BYTES;

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
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (a variable name to its value), so parsing can be
    /// tested without touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = Settings::new(lookup);
        let events_queue_url = env
            .optional("EVENTS_QUEUE_URL")
            .map(|url| url.trim().to_string())
            .ok_or(ConfigError::Missing("EVENTS_QUEUE_URL"))?;
        let action_types = match env.optional("ACTION_TYPES") {
            Some(value) => parse_action_types(&value)?,
            None => NormalizeOptions::default().action_types,
        };
        let redact_tokens = env.bool_or("REDACT_TOKENS", true)?;
        let max_message_bytes = env.max_message_bytes()?;
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

fn parse_action_types(value: &str) -> Result<Vec<ActionType>, InvalidSetting> {
    let invalid = |reason: String| InvalidSetting::new("ACTION_TYPES", value, reason);
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

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_common::testing::env_of;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(env_of(vars))
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
