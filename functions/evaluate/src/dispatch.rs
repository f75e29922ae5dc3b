//! The business part: envelopes in, matched rules and delivered messages out.
//!
//! Every envelope of an invocation is evaluated first; then all their messages are
//! grouped by queue and each queue's messages are handed to the sink together (it cuts
//! them into SendMessageBatch calls of up to ten), the queues concurrently. Each result
//! is charged back to the envelope and delivery it came from, so one envelope's failure
//! never touches another's.

use std::collections::BTreeMap;

use auditbridge_shared::outbound::OutboundMessage;
use auditbridge_shared::rules::{CompiledRules, Evaluation, ATTRIBUTE_EVENT_ID};
use auditbridge_sqs::DeliveryError;
use futures_util::future::join_all;
use lambda_common::invocation::HELD_BACK;

use crate::metrics::RuleMetrics;
use crate::sink::DeliverySink;

/// What became of one envelope that could be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventReport {
    /// The envelope's id, when it matched a rule with targets (taken from its messages).
    pub event_id: Option<String>,
    /// Names of the matched rules, in file order.
    pub matched: Vec<String>,
    /// One per (matched rule × target), in rule then target order.
    pub deliveries: Vec<DeliveryReport>,
}

/// One message for one target, and whether it was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub rule: String,
    pub target: String,
    pub queue: String,
    pub result: Result<(), DeliveryError>,
}

impl EventReport {
    /// Whether every message of the envelope was delivered.
    pub fn delivered_all(&self) -> bool {
        self.deliveries
            .iter()
            .all(|delivery| delivery.result.is_ok())
    }

    /// The deliveries that failed.
    pub fn failures(&self) -> impl Iterator<Item = &DeliveryReport> {
        self.deliveries
            .iter()
            .filter(|delivery| delivery.result.is_err())
    }
}

/// Why an input was not evaluated. Its source message is reported as failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotEvaluated {
    /// Not an envelope, or no text at all; the reason.
    #[error("{0}")]
    Invalid(String),
    /// From a FIFO queue, after an input that was not evaluated: [`HELD_BACK`].
    #[error("{HELD_BACK}")]
    HeldBack,
}

/// The outcome of one input, in input order.
pub type EventOutcome = Result<EventReport, NotEvaluated>;

/// Evaluates every input (`Err`: the input had no text; the reason says why) and
/// delivers every planned message through `sink`. One outcome per input, in order.
///
/// With `fifo_source` (the inputs come from a FIFO queue, in its order), the inputs
/// after the first one that is not an envelope are not evaluated ([`HELD_BACK`]): their
/// messages would overtake it while it waits for its retry.
pub async fn evaluate_and_deliver<S: DeliverySink>(
    rules: &CompiledRules,
    sink: &S,
    inputs: &[Result<&str, &str>],
    fifo_source: bool,
) -> Vec<EventOutcome> {
    let mut outcomes: Vec<EventOutcome> = Vec::with_capacity(inputs.len());
    let mut queues: BTreeMap<String, QueueBatch> = BTreeMap::new();
    let mut earlier_invalid = false;
    for (event, input) in inputs.iter().enumerate() {
        let evaluation = if fifo_source && earlier_invalid {
            Err(NotEvaluated::HeldBack)
        } else {
            match input {
                Ok(text) => rules
                    .evaluate(text)
                    .map_err(|error| NotEvaluated::Invalid(error.to_string())),
                Err(reason) => Err(NotEvaluated::Invalid((*reason).to_string())),
            }
        };
        earlier_invalid |= evaluation.is_err();
        outcomes.push(evaluation.map(|evaluation| plan(event, evaluation, &mut queues)));
    }
    let sent = join_all(queues.iter().map(|(queue, batch)| async move {
        (queue, batch, sink.send(queue, &batch.messages).await)
    }))
    .await;
    for (queue, batch, results) in sent {
        let mut results = results.into_iter();
        for &(event, delivery) in &batch.owners {
            // A sink that answers fewer results than messages broke its contract; the
            // messages without an answer count as not delivered.
            let result = results.next().unwrap_or_else(|| {
                Err(DeliveryError::CallFailed {
                    queue: queue.clone(),
                    code: None,
                    reason: "the delivery sink reported no result for this message".into(),
                })
            });
            if let Some(Ok(report)) = outcomes.get_mut(event) {
                if let Some(slot) = report.deliveries.get_mut(delivery) {
                    slot.result = result;
                }
            }
        }
    }
    outcomes
}

/// The messages bound for one queue and, for each, its (event, delivery) position.
#[derive(Debug, Default)]
struct QueueBatch {
    messages: Vec<OutboundMessage>,
    owners: Vec<(usize, usize)>,
}

/// Moves an evaluation's messages into the per-queue batches and keeps the rest as the
/// event's report (every delivery pending, shown as `Ok` until its result is known).
fn plan(
    event: usize,
    evaluation: Evaluation,
    queues: &mut BTreeMap<String, QueueBatch>,
) -> EventReport {
    let event_id = evaluation
        .deliveries
        .first()
        .and_then(|delivery| delivery.message.attributes.get(ATTRIBUTE_EVENT_ID))
        .cloned();
    let mut deliveries = Vec::with_capacity(evaluation.deliveries.len());
    for (index, delivery) in evaluation.deliveries.into_iter().enumerate() {
        let batch = queues.entry(delivery.queue_url.clone()).or_default();
        batch.messages.push(delivery.message);
        batch.owners.push((event, index));
        deliveries.push(DeliveryReport {
            rule: delivery.rule,
            target: delivery.target_id,
            queue: delivery.queue_url,
            result: Ok(()),
        });
    }
    EventReport {
        event_id,
        matched: evaluation.matched,
        deliveries,
    }
}

/// Matched, delivered and failed counts per rule over `outcomes`.
pub fn rule_metrics(outcomes: &[EventOutcome]) -> RuleMetrics {
    let mut metrics = RuleMetrics::default();
    for report in outcomes.iter().flatten() {
        for rule in &report.matched {
            metrics.matched(rule);
        }
        for delivery in &report.deliveries {
            match delivery.result {
                Ok(()) => metrics.delivered(&delivery.rule),
                Err(_) => metrics.failed(&delivery.rule),
            }
        }
    }
    metrics
}

/// Totals over a set of outcomes, for the per-invocation log line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Inputs seen.
    pub events: usize,
    /// Inputs that were not valid envelopes.
    pub invalid: usize,
    /// Inputs of a FIFO batch not evaluated because one before them was invalid.
    pub held_back: usize,
    /// Envelopes that matched at least one rule.
    pub matched_events: usize,
    /// (envelope, rule) matches.
    pub matches: usize,
    /// Messages planned for targets.
    pub deliveries: usize,
    /// Messages not delivered.
    pub failed_deliveries: usize,
}

impl Totals {
    pub fn of(outcomes: &[EventOutcome]) -> Totals {
        let mut totals = Totals {
            events: outcomes.len(),
            ..Totals::default()
        };
        for outcome in outcomes {
            match outcome {
                Err(NotEvaluated::Invalid(_)) => totals.invalid += 1,
                Err(NotEvaluated::HeldBack) => totals.held_back += 1,
                Ok(report) => {
                    totals.matched_events += usize::from(!report.matched.is_empty());
                    totals.matches += report.matched.len();
                    totals.deliveries += report.deliveries.len();
                    totals.failed_deliveries += report.failures().count();
                }
            }
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    //! Grouping and charging back, with a scripted sink; the real sink is exercised
    //! against the test SQS server in `tests/`.

    use super::*;
    use auditbridge_shared::rules::{Dialect, RulesFile};
    use serde_json::json;
    use std::sync::Mutex;

    /// Records each call and fails every message bound for a queue whose URL contains
    /// "broken".
    #[derive(Default)]
    struct ScriptedSink {
        calls: Mutex<Vec<(String, Vec<String>)>>,
    }

    impl DeliverySink for ScriptedSink {
        fn send(
            &self,
            queue_url: &str,
            messages: &[OutboundMessage],
        ) -> impl std::future::Future<Output = Vec<Result<(), DeliveryError>>> + Send {
            let bodies = messages.iter().map(|m| m.body.clone()).collect();
            self.calls
                .lock()
                .expect("lock")
                .push((queue_url.to_string(), bodies));
            let results = messages
                .iter()
                .map(|_| {
                    if queue_url.contains("broken") {
                        Err(DeliveryError::CallFailed {
                            queue: queue_url.to_string(),
                            code: Some("QueueDoesNotExist".into()),
                            reason: "scripted".into(),
                        })
                    } else {
                        Ok(())
                    }
                })
                .collect();
            async move { results }
        }
    }

    fn rules() -> CompiledRules {
        let file = json!({"rules": [
            {"name": "stops", "pattern": {"data": {"eventName": ["StopInstances"]}},
             "targets": [{"id": "a", "queue": "https://q/1/a", "input": {"path": "$.id"}},
                         {"id": "b", "queue": "https://q/1/broken", "input": {"path": "$.id"}}]},
            {"name": "cvm", "pattern": {"source": ["cvm.cloud.tencent"]},
             "targets": [{"id": "a", "queue": "https://q/1/a", "input": {"path": "$.subject"}}]},
            {"name": "cam", "pattern": {"source": ["cam.cloud.tencent"]},
             "targets": [{"id": "a", "queue": "https://q/1/a", "input": {"path": "$.id"}}]}
        ]});
        RulesFile::from_value(&file, Dialect::Default)
            .and_then(|file| file.compile(&|_| None))
            .expect("valid rules")
    }

    fn envelope(id: &str, source: &str, event_name: &str) -> String {
        json!({
            "specversion": "1.0", "id": id, "source": source,
            "type": "x:CloudEvent:ApiCall", "subject": format!("subject-{id}"), "time": 1,
            "region": "ap-guangzhou", "resource": [], "datacontenttype": "application/json;charset=utf-8",
            "tags": {}, "data": {"eventName": event_name}
        })
        .to_string()
    }

    #[tokio::test]
    async fn from_a_fifo_queue_nothing_after_an_invalid_input_is_evaluated() {
        let sink = ScriptedSink::default();
        let stop = envelope("e1", "cvm.cloud.tencent", "StopInstances");
        let start = envelope("e2", "cvm.cloud.tencent", "StartInstances");
        let outcomes = evaluate_and_deliver(
            &rules(),
            &sink,
            &[Ok(&stop), Ok("not json"), Ok(&start)],
            true,
        )
        .await;

        let calls = sink.calls.into_inner().expect("lock");
        assert_eq!(
            calls,
            vec![
                (
                    "https://q/1/a".to_string(),
                    vec!["\"e1\"".to_string(), "\"subject-e1\"".to_string()]
                ),
                ("https://q/1/broken".to_string(), vec!["\"e1\"".to_string()]),
            ],
            "e2, after the invalid input, is not delivered"
        );
        assert_eq!(outcomes.len(), 3);
        assert_eq!(
            outcomes[0].as_ref().expect("valid").matched,
            ["stops", "cvm"]
        );
        assert!(outcomes[1]
            .as_ref()
            .expect_err("invalid")
            .to_string()
            .starts_with("not an event envelope"));
        assert_eq!(outcomes[2], Err(NotEvaluated::HeldBack));
        assert_eq!(
            (
                Totals::of(&outcomes).invalid,
                Totals::of(&outcomes).held_back
            ),
            (1, 1)
        );
    }

    #[tokio::test]
    async fn messages_of_all_events_go_to_each_queue_in_one_send() {
        let sink = ScriptedSink::default();
        let stop = envelope("e1", "cvm.cloud.tencent", "StopInstances");
        let start = envelope("e2", "cvm.cloud.tencent", "StartInstances");
        let attach = envelope("e3", "cam.cloud.tencent", "AttachUserPolicy");
        let outcomes = evaluate_and_deliver(
            &rules(),
            &sink,
            &[
                Ok(&stop),
                Ok("not json"),
                Ok(&start),
                Err("no body"),
                Ok(&attach),
            ],
            false,
        )
        .await;

        let calls = sink.calls.into_inner().expect("lock");
        assert_eq!(
            calls,
            vec![
                (
                    "https://q/1/a".to_string(),
                    vec![
                        "\"e1\"".to_string(),
                        "\"subject-e1\"".to_string(),
                        "\"subject-e2\"".to_string(),
                        "\"e3\"".to_string()
                    ]
                ),
                ("https://q/1/broken".to_string(), vec!["\"e1\"".to_string()]),
            ]
        );
        assert_eq!(outcomes.len(), 5);
        let first = outcomes[0].as_ref().expect("valid");
        assert_eq!(first.event_id.as_deref(), Some("e1"));
        assert_eq!(first.matched, ["stops", "cvm"]);
        let results: Vec<(&str, &str, bool)> = first
            .deliveries
            .iter()
            .map(|d| (d.rule.as_str(), d.target.as_str(), d.result.is_ok()))
            .collect();
        assert_eq!(
            results,
            [
                ("stops", "a", true),
                ("stops", "b", false),
                ("cvm", "a", true)
            ]
        );
        assert!(!first.delivered_all());
        assert!(outcomes[1]
            .as_ref()
            .expect_err("invalid")
            .to_string()
            .starts_with("not an event envelope"));
        assert!(outcomes[2].as_ref().expect("valid").delivered_all());
        assert_eq!(
            outcomes[3],
            Err(NotEvaluated::Invalid("no body".to_string()))
        );
        assert!(outcomes[4].as_ref().expect("valid").delivered_all());

        assert_eq!(
            Totals::of(&outcomes),
            Totals {
                events: 5,
                invalid: 2,
                held_back: 0,
                matched_events: 3,
                matches: 4,
                deliveries: 5,
                failed_deliveries: 1
            }
        );
        let metrics = rule_metrics(&outcomes);
        let counts = |rule| {
            metrics
                .get(rule)
                .map(|c| (c.matched, c.delivered, c.failed))
        };
        assert_eq!(counts("stops"), Some((1, 1, 1)));
        assert_eq!(counts("cvm"), Some((2, 2, 0)));
        assert_eq!(counts("cam"), Some((1, 1, 0)));
    }

    #[tokio::test]
    async fn nothing_matched_nothing_sent() {
        let sink = ScriptedSink::default();
        let other = envelope("e9", "cos.cloud.tencent", "PutBucketAcl");
        let outcomes = evaluate_and_deliver(&rules(), &sink, &[Ok(&other)], false).await;
        assert_eq!(outcomes, vec![Ok(EventReport::default())]);
        assert!(sink.calls.into_inner().expect("lock").is_empty());
        assert!(rule_metrics(&outcomes).is_empty());
    }

    /// A sink that answers nothing at all.
    struct SilentSink;

    impl DeliverySink for SilentSink {
        async fn send(
            &self,
            _queue_url: &str,
            _messages: &[OutboundMessage],
        ) -> Vec<Result<(), DeliveryError>> {
            Vec::new()
        }
    }

    #[tokio::test]
    async fn a_message_without_a_result_counts_as_not_delivered() {
        let attach = envelope("e3", "cam.cloud.tencent", "AttachUserPolicy");
        let outcomes = evaluate_and_deliver(&rules(), &SilentSink, &[Ok(&attach)], false).await;
        let report = outcomes[0].as_ref().expect("valid");
        assert!(matches!(
            &report.deliveries[0].result,
            Err(DeliveryError::CallFailed { reason, .. }) if reason.contains("no result")
        ));
    }
}
