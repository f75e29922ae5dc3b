//! Print mode: deliveries as JSON lines on stdout, no AWS needed.
//!
//! The quick start runs with no environment at all, so a queue URL naming an unset
//! variable must not stop it. The rules are compiled with a stand-in URL for every such
//! variable (the library checks resolved URLs, so the stand-in is a well-formed FIFO
//! queue URL that every target accepts), and the printed `queue` of those targets is the
//! URL as written in the rules file. Nothing else about a delivery depends on its URL
//! except FIFO-ness, so `messageGroupId` is printed only for fully resolved queues.

use auditbridge_shared::outbound::DEFAULT_MAX_BYTES;
use auditbridge_shared::rules::{CompiledRules, Delivery, RulesError, RulesFile};
use auditbridge_sqs::check_message;

use super::summary::RuleStats;
use crate::output::Stdout;

/// How variables are looked up. A plain function, because the library's `EnvLookup`
/// is a `'static` trait object: a closure over it must not borrow anything.
pub type Env = fn(&str) -> Option<String>;

/// Whether a variable has a usable value (the library refuses empty ones).
fn is_set(env: Env, name: &str) -> bool {
    env(name).is_some_and(|value| !value.trim().is_empty())
}

/// The stand-in for an unset variable while compiling in print mode.
fn stand_in(name: &str) -> String {
    format!("https://unset.invalid/{name}.fifo")
}

/// Compiles the rules with stand-ins for unset variables (see the module docs).
pub fn compile_leniently(file: RulesFile, env: Env) -> Result<CompiledRules, RulesError> {
    file.compile(&move |name| {
        if is_set(env, name) {
            env(name)
        } else {
            Some(stand_in(name))
        }
    })
}

/// Targets whose queue URL names an unset variable, with the URL as written.
pub struct Unresolved {
    targets: Vec<(String, String, String)>,
}

impl Unresolved {
    pub fn find(file: &RulesFile, env: Env) -> Self {
        let mut targets = Vec::new();
        for rule in file.rules().iter().filter(|rule| rule.enabled()) {
            for target in rule.targets() {
                if target.queue().variables().any(|name| !is_set(env, name)) {
                    targets.push((
                        rule.name().to_string(),
                        target.id().to_string(),
                        target.queue().as_str().to_string(),
                    ));
                }
            }
        }
        Unresolved { targets }
    }

    /// The queue URL as written, when `delivery`'s target names an unset variable.
    fn template(&self, delivery: &Delivery) -> Option<&str> {
        self.targets
            .iter()
            .find(|(rule, target, _)| *rule == delivery.rule && *target == delivery.target_id)
            .map(|(_, _, template)| template.as_str())
    }
}

/// Writes deliveries to stdout.
pub struct Printer {
    out: Stdout,
    unresolved: Unresolved,
    line: Vec<u8>,
    /// Deliveries whose message SQS would refuse: reported, not printed.
    failures: u64,
}

impl Printer {
    pub fn new(unresolved: Unresolved) -> Self {
        Printer {
            out: Stdout::new(),
            unresolved,
            line: Vec::with_capacity(4096),
            failures: 0,
        }
    }

    /// `{"rule":..,"target":..,"queue":..,"event":..,["messageGroupId":..,]"body":..}`;
    /// or, when the message breaks SQS's limits (too large, characters SQS refuses), the
    /// failure that sending it would report.
    pub fn print(
        &mut self,
        event_id: &str,
        delivery: &Delivery,
        stats: &mut RuleStats,
    ) -> anyhow::Result<()> {
        let template = self.unresolved.template(delivery);
        let queue = template.unwrap_or(&delivery.queue_url);
        if let Err(error) = check_message(queue, &delivery.message, DEFAULT_MAX_BYTES) {
            self.failures += 1;
            stats.failed(event_id, delivery, queue, &error);
            return Ok(());
        }
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{\"rule\":");
        serde_json::to_writer(&mut *line, &delivery.rule)?;
        line.extend_from_slice(b",\"target\":");
        serde_json::to_writer(&mut *line, &delivery.target_id)?;
        line.extend_from_slice(b",\"queue\":");
        serde_json::to_writer(&mut *line, queue)?;
        line.extend_from_slice(b",\"event\":");
        serde_json::to_writer(&mut *line, event_id)?;
        if let (None, Some(group)) = (template, &delivery.message.group_id) {
            line.extend_from_slice(b",\"messageGroupId\":");
            serde_json::to_writer(&mut *line, group)?;
        }
        line.extend_from_slice(b",\"body\":");
        write_body(line, &delivery.message.body)?;
        line.push(b'}');
        self.out.line(line)?;
        Ok(())
    }

    /// Writes out the deliveries printed so far.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// Flushes stdout; the number of deliveries that failed in the whole run.
    pub fn finish(self) -> std::io::Result<u64> {
        self.out.finish()?;
        Ok(self.failures)
    }
}

/// A body that is a JSON object or array goes in as that JSON, byte for byte (its keys
/// keep their order); anything else (plain text from a template, or a JSON scalar) goes
/// in as a string, so the exact message text can always be recovered.
fn write_body(line: &mut Vec<u8>, body: &str) -> serde_json::Result<()> {
    let trimmed = body.trim();
    let structured = (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok();
    if structured {
        // In valid JSON, line breaks can only be whitespace between tokens (inside strings
        // they are escaped), so turning them into spaces keeps one delivery per line
        // without changing the value.
        line.extend(trimmed.bytes().map(|byte| {
            if byte == b'\n' || byte == b'\r' {
                b' '
            } else {
                byte
            }
        }));
        Ok(())
    } else {
        serde_json::to_writer(line, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> String {
        let mut line = Vec::new();
        write_body(&mut line, text).expect("writes");
        String::from_utf8(line).expect("UTF-8")
    }

    #[test]
    fn json_bodies_are_embedded_as_written() {
        assert_eq!(body(r#"{"z": 1, "a": [2.50]}"#), r#"{"z": 1, "a": [2.50]}"#);
        assert_eq!(body("{\n  \"a\": \"x\\ny\"\n}\n"), r#"{   "a": "x\ny" }"#);
    }

    #[test]
    fn other_bodies_are_strings() {
        assert_eq!(body("plain text"), r#""plain text""#);
        assert_eq!(body("42"), r#""42""#);
        assert_eq!(body(r#""quoted""#), r#""\"quoted\"""#);
        assert_eq!(body("{not json"), r#""{not json""#);
    }

    #[test]
    fn stand_ins_are_queue_urls_every_target_accepts() {
        let url = stand_in("ALERTS_QUEUE_URL");
        assert_eq!(auditbridge_shared::rules::check_queue_url(&url), Ok(()));
        assert!(auditbridge_shared::outbound::is_fifo_queue(&url));
    }
}
