//! What each rule did during a run, for the closing summary on stderr.

use std::collections::HashMap;

use auditbridge_shared::rules::{CompiledRules, Delivery, Evaluation};

use crate::output::report;

/// Counts per enabled rule, in file order.
pub struct RuleStats {
    index: HashMap<String, usize>,
    rules: Vec<Counts>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    matched: u64,
    deliveries: u64,
    failed: u64,
}

impl RuleStats {
    pub fn new(compiled: &CompiledRules) -> Self {
        let index = compiled
            .rules()
            .iter()
            .enumerate()
            .map(|(position, rule)| (rule.name().to_string(), position))
            .collect();
        RuleStats {
            index,
            rules: vec![Counts::default(); compiled.rules().len()],
        }
    }

    fn counts(&mut self, rule: &str) -> Option<&mut Counts> {
        let position = *self.index.get(rule)?;
        self.rules.get_mut(position)
    }

    /// One event matched these rules.
    pub fn matched(&mut self, evaluation: &Evaluation) {
        for rule in &evaluation.matched {
            if let Some(counts) = self.counts(rule) {
                counts.matched += 1;
            }
        }
    }

    /// One delivery was planned for its rule.
    pub fn planned(&mut self, delivery: &Delivery) {
        if let Some(counts) = self.counts(&delivery.rule) {
            counts.deliveries += 1;
        }
    }

    /// One delivery could not be made (or, printed, would not be): counted, and reported
    /// on stderr with its event, rule, target and queue.
    pub fn failed(
        &mut self,
        event_id: &str,
        delivery: &Delivery,
        queue: &str,
        error: &dyn std::fmt::Display,
    ) {
        if let Some(counts) = self.counts(&delivery.rule) {
            counts.failed += 1;
        }
        report!(
            "delivery failed: event {event_id}, rule {}, target {} ({queue}): {error}",
            delivery.rule,
            delivery.target_id,
        );
    }

    /// `rule NAME: matched N events, N deliveries, N failed`, one line per enabled rule.
    pub fn print(&self, compiled: &CompiledRules) {
        for (rule, counts) in compiled.rules().iter().zip(&self.rules) {
            report!(
                "rule {}: matched {} events, {} deliveries, {} failed",
                rule.name(),
                counts.matched,
                counts.deliveries,
                counts.failed
            );
        }
    }
}
