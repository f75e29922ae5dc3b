//! The function's settings, read once from the environment at start, and the rule set
//! they name, compiled once.
//!
//! A bad setting or rules file stops the function at initialisation, where Lambda
//! reports it plainly, instead of failing every invocation later. Optional variables set
//! to the empty string count as unset (SAM and CloudFormation pass `""` for parameters
//! left blank); the reading of values both functions share lives in
//! [`lambda_common::config`].

use std::path::{Path, PathBuf};

use auditbridge_shared::rules::{CompiledRules, Dialect, RulesError, RulesFile};
use lambda_common::config::{InvalidSetting, Settings};

pub use lambda_common::config::SQS_MAX_MESSAGE_BYTES;

/// The example rules (`rules/security.json`), compiled into the binary.
///
/// Embedding them means the function always has its rules "packaged": no file to copy
/// next to `bootstrap`, nothing to go missing between `sam build` and deployment. Their
/// targets name queues through `${SECURITY_ALERTS_QUEUE_URL}` (standard) and
/// `${AUDIT_TIMELINE_QUEUE_URL}` (FIFO), which the SAM template sets.
pub const PACKAGED_RULES: &str = include_str!("../../../rules/security.json");

/// Where the rules come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesSource {
    /// [`PACKAGED_RULES`], embedded in the binary (the default: `RULES_FILE` unset).
    Packaged,
    /// `RULES_FILE`: a rules file read at start.
    File(PathBuf),
}

/// What the evaluate function needs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `RULES_FILE`: path of the rules file; unset means [`RulesSource::Packaged`].
    pub rules: RulesSource,
    /// `PATTERN_DIALECT`: `default` (AWS plus Tencent's extensions) or `aws`.
    pub dialect: Dialect,
    /// `MAX_MESSAGE_BYTES`: largest target message (body plus attributes); default
    /// 262144, at most 1048576. A larger message fails its source message.
    pub max_message_bytes: usize,
}

/// A setting or the rules it names cannot be used. Names the variable, or the rules
/// file with every problem in it (each naming its rule).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Invalid(#[from] InvalidSetting),
    #[error("RULES_FILE={}: cannot read it: {source}", .path.display())]
    RulesUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Every problem of the rules, one per line, each naming its rule, e.g.
    /// `rule sg-opened-to-world: targets[0].queue: environment variable
    /// SECURITY_ALERTS_QUEUE_URL is not set (target "page")`.
    #[error("{origin} cannot be used ({} problem(s)):\n{source}", .source.problems().len())]
    Rules {
        /// `the packaged rules (rules/security.json)` or `RULES_FILE=<path>`.
        origin: String,
        #[source]
        source: RulesError,
    },
    /// A deployed rule must alert someone: an enabled rule without targets would match
    /// and deliver nowhere, silently. (Pattern-only files are for `auditbridge match`.)
    #[error("{origin}: enabled rules without targets would match and alert nobody: {}; add a target or set \"enabled\": false", .rules.join(", "))]
    RulesWithoutTargets { origin: String, rules: Vec<String> },
    /// No enabled rule at all (`{"rules": []}`, or every rule disabled): the function
    /// would delete every event it receives and alert nobody, which is the same mistake
    /// at the scale of the whole deployment. Failing to start keeps the events in the
    /// queue and, after the retries, in its dead-letter queue, whose alarm says so.
    #[error("{origin}: no enabled rules: every event would be consumed without alerting anyone; enable a rule (to pause alerting, disable the function's event source instead)")]
    NoEnabledRules { origin: String },
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
        let rules = match env.optional("RULES_FILE") {
            Some(path) => RulesSource::File(PathBuf::from(path.trim())),
            None => RulesSource::Packaged,
        };
        let dialect = match env.optional("PATTERN_DIALECT") {
            Some(value) => parse_dialect(&value)?,
            None => Dialect::Default,
        };
        let max_message_bytes = env.max_message_bytes()?;
        Ok(Config {
            rules,
            dialect,
            max_message_bytes,
        })
    }

    /// Reads, checks and compiles the rules, resolving `${NAME}` in queue URLs through
    /// `env` (in the function: `std::env::var`). Done once, at start.
    pub fn load_rules(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<CompiledRules, ConfigError> {
        let (origin, text) = match &self.rules {
            RulesSource::Packaged => (
                "the packaged rules (rules/security.json)".to_string(),
                PACKAGED_RULES.to_string(),
            ),
            RulesSource::File(path) => (
                format!("RULES_FILE={}", path.display()),
                read_rules_file(path)?,
            ),
        };
        let rules = RulesFile::parse(&text, self.dialect)
            .and_then(|file| file.compile(env))
            .map_err(|source| ConfigError::Rules {
                origin: origin.clone(),
                source,
            })?;
        if rules.rules().is_empty() {
            return Err(ConfigError::NoEnabledRules { origin });
        }
        let targetless: Vec<String> = rules
            .rules()
            .iter()
            .filter(|rule| rule.targets().is_empty())
            .map(|rule| rule.name().to_string())
            .collect();
        if !targetless.is_empty() {
            return Err(ConfigError::RulesWithoutTargets {
                origin,
                rules: targetless,
            });
        }
        Ok(rules)
    }
}

fn read_rules_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::RulesUnreadable {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_dialect(value: &str) -> Result<Dialect, InvalidSetting> {
    match value.trim().to_ascii_lowercase().as_str() {
        "default" => Ok(Dialect::Default),
        "aws" => Ok(Dialect::Aws),
        _ => Err(InvalidSetting::new(
            "PATTERN_DIALECT",
            value,
            "expected default or aws",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditbridge_shared::outbound::DEFAULT_MAX_BYTES;
    use lambda_common::testing::env_of;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(env_of(vars))
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let read = config(&[("RULES_FILE", " "), ("PATTERN_DIALECT", "")]).expect("valid");
        assert_eq!(
            read,
            Config {
                rules: RulesSource::Packaged,
                dialect: Dialect::Default,
                max_message_bytes: 262_144,
            }
        );
    }

    #[test]
    fn every_setting_is_read() {
        let read = config(&[
            ("RULES_FILE", " /opt/rules.json "),
            ("PATTERN_DIALECT", "AWS"),
            ("MAX_MESSAGE_BYTES", "65536"),
        ])
        .expect("valid");
        assert_eq!(
            read,
            Config {
                rules: RulesSource::File(PathBuf::from("/opt/rules.json")),
                dialect: Dialect::Aws,
                max_message_bytes: 65_536,
            }
        );
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        let cases = [
            (
                ("PATTERN_DIALECT", "tencent"),
                "PATTERN_DIALECT=\"tencent\": expected default or aws",
            ),
            (
                ("MAX_MESSAGE_BYTES", "big"),
                "MAX_MESSAGE_BYTES=\"big\": expected a whole number",
            ),
            (
                ("MAX_MESSAGE_BYTES", "2000000"),
                "MAX_MESSAGE_BYTES=\"2000000\": must be from 1",
            ),
        ];
        for (setting, expected) in cases {
            let error = config(&[setting]).expect_err("must fail").to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    fn queues(name: &str) -> Option<String> {
        match name {
            "SECURITY_ALERTS_QUEUE_URL" => {
                Some("https://sqs.us-east-1.amazonaws.com/123456789012/alerts".into())
            }
            "AUDIT_TIMELINE_QUEUE_URL" => {
                Some("https://sqs.us-east-1.amazonaws.com/123456789012/timeline.fifo".into())
            }
            _ => None,
        }
    }

    /// The default settings with the rules read from `path`.
    fn with_rules_file(path: &std::path::Path) -> Config {
        Config {
            rules: RulesSource::File(path.to_path_buf()),
            dialect: Dialect::Default,
            max_message_bytes: DEFAULT_MAX_BYTES,
        }
    }

    #[test]
    fn the_packaged_rules_compile_with_their_queues_set() {
        let config = config(&[]).expect("valid");
        let rules = config.load_rules(&queues).expect("compiles");
        let names: Vec<&str> = rules.rules().iter().map(|rule| rule.name()).collect();
        assert_eq!(
            names,
            [
                "sg-opened-to-world",
                "cam-policy-attached-to-user",
                "instance-or-database-deleted",
                "kms-key-disabled-or-deleted",
                "audit-trail-stopped"
            ]
        );
        let timeline = &rules.rules()[0].targets()[1];
        assert_eq!(
            (timeline.queue_url(), timeline.is_fifo()),
            (
                "https://sqs.us-east-1.amazonaws.com/123456789012/timeline.fifo",
                true
            )
        );
    }

    #[test]
    fn an_unset_queue_variable_names_every_rule_using_it() {
        let only_alerts = |name: &str| queues(name).filter(|_| name != "AUDIT_TIMELINE_QUEUE_URL");
        let error = config(&[])
            .expect("valid")
            .load_rules(&only_alerts)
            .expect_err("must fail");
        let text = error.to_string();
        assert!(
            text.starts_with(
                "the packaged rules (rules/security.json) cannot be used (5 problem(s)):\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("rule sg-opened-to-world: targets[1].queue: environment variable AUDIT_TIMELINE_QUEUE_URL is not set (target \"timeline\")"),
            "{text}"
        );
        assert!(
            text.contains("rule audit-trail-stopped: targets[1].queue:"),
            "{text}"
        );
    }

    #[test]
    fn an_unreadable_rules_file_names_the_path() {
        let config = Config {
            rules: RulesSource::File(PathBuf::from("/nonexistent/auditbridge/rules.json")),
            dialect: Dialect::Default,
            max_message_bytes: DEFAULT_MAX_BYTES,
        };
        let error = config.load_rules(&queues).expect_err("must fail");
        assert!(
            error
                .to_string()
                .starts_with("RULES_FILE=/nonexistent/auditbridge/rules.json: cannot read it: "),
            "{error}"
        );
    }

    #[test]
    fn an_enabled_rule_without_targets_stops_the_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rules.json");
        std::fs::write(
            &path,
            r#"{"rules": [
                {"name": "watch-only", "pattern": {"source": ["cam.cloud.tencent"]}},
                {"name": "parked", "enabled": false, "pattern": {"source": ["cvm.cloud.tencent"]}}
            ]}"#,
        )
        .expect("writes");
        let config = with_rules_file(&path);
        let error = config.load_rules(&queues).expect_err("must fail");
        assert_eq!(
            error.to_string(),
            format!(
                "RULES_FILE={}: enabled rules without targets would match and alert nobody: \
                 watch-only; add a target or set \"enabled\": false",
                path.display()
            )
        );
    }

    #[test]
    fn a_rules_file_with_no_enabled_rule_stops_the_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in [
            ("empty.json", r#"{"rules": []}"#),
            (
                "all-disabled.json",
                r#"{"rules": [{"name": "parked", "enabled": false,
                    "pattern": {"source": ["cvm.cloud.tencent"]}, "targets": [{"queue": "${ALERTS}"}]}]}"#,
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("writes");
            let config = with_rules_file(&path);
            let error = config.load_rules(&queues).expect_err("must fail");
            assert_eq!(
                error.to_string(),
                format!(
                    "RULES_FILE={}: no enabled rules: every event would be consumed without \
                     alerting anyone; enable a rule (to pause alerting, disable the function's \
                     event source instead)",
                    path.display()
                )
            );
        }
    }
}
