//! Per-rule counts of one invocation, written as CloudWatch Embedded Metric Format lines.
//!
//! A JSON line on stdout with an `_aws` member is turned into metrics by CloudWatch Logs:
//! no API call, no client, no latency in the handler. One line per rule that saw
//! activity (namespace `auditbridge`, dimension `Rule`, metrics `Matched`, `Delivered`,
//! `Failed`, unit `Count`), so an alarm can watch one rule's failures.
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "auditbridge";

/// What one rule did in one invocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts {
    /// Events the rule matched.
    pub matched: u64,
    /// Messages for its targets that SQS accepted.
    pub delivered: u64,
    /// Messages for its targets that were not delivered.
    pub failed: u64,
}

/// Counts per rule name, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMetrics {
    rules: BTreeMap<String, RuleCounts>,
}

impl RuleMetrics {
    pub fn matched(&mut self, rule: &str) {
        self.entry(rule).matched += 1;
    }

    pub fn delivered(&mut self, rule: &str) {
        self.entry(rule).delivered += 1;
    }

    pub fn failed(&mut self, rule: &str) {
        self.entry(rule).failed += 1;
    }

    /// Rules with any activity, in name order.
    pub fn rules(&self) -> impl Iterator<Item = (&str, &RuleCounts)> {
        self.rules
            .iter()
            .map(|(name, counts)| (name.as_str(), counts))
    }

    pub fn get(&self, rule: &str) -> Option<&RuleCounts> {
        self.rules.get(rule)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// One EMF JSON line per rule, stamped `timestamp_ms` (milliseconds since the epoch).
    pub fn emf_lines(&self, timestamp_ms: u64) -> Vec<String> {
        self.rules()
            .map(|(rule, counts)| emf_line(rule, counts, timestamp_ms))
            .collect()
    }

    /// Writes [`RuleMetrics::emf_lines`] for now to stdout, each line whole, so they do
    /// not interleave with log lines.
    pub fn emit(&self) {
        if self.is_empty() {
            return;
        }
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            });
        let mut out = std::io::stdout().lock();
        for line in self.emf_lines(now_ms) {
            if let Err(error) = writeln!(out, "{line}") {
                tracing::warn!(%error, "could not write a metrics line to stdout");
                return;
            }
        }
    }

    fn entry(&mut self, rule: &str) -> &mut RuleCounts {
        self.rules.entry(rule.to_string()).or_default()
    }
}

/// The EMF document, fields in the order they are written.
#[derive(Serialize)]
struct EmfLine<'a> {
    #[serde(rename = "_aws")]
    aws: EmfMetadata<'a>,
    #[serde(rename = "Rule")]
    rule: &'a str,
    #[serde(rename = "Matched")]
    matched: u64,
    #[serde(rename = "Delivered")]
    delivered: u64,
    #[serde(rename = "Failed")]
    failed: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EmfMetadata<'a> {
    timestamp: u64,
    cloud_watch_metrics: [MetricDirective<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDirective<'a> {
    namespace: &'a str,
    dimensions: [[&'a str; 1]; 1],
    metrics: [MetricDefinition<'a>; 3],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDefinition<'a> {
    name: &'a str,
    unit: &'a str,
}

fn emf_line(rule: &str, counts: &RuleCounts, timestamp_ms: u64) -> String {
    let count = |name| MetricDefinition {
        name,
        unit: "Count",
    };
    let line = EmfLine {
        aws: EmfMetadata {
            timestamp: timestamp_ms,
            cloud_watch_metrics: [MetricDirective {
                namespace: NAMESPACE,
                dimensions: [["Rule"]],
                metrics: [count("Matched"), count("Delivered"), count("Failed")],
            }],
        },
        rule,
        matched: counts.matched,
        delivered: counts.delivered,
        failed: counts.failed,
    };
    // Plain strings and integers only: serializing cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_active_rule_in_the_exact_emf_shape() {
        let mut metrics = RuleMetrics::default();
        metrics.matched("sg-opened-to-world");
        metrics.delivered("sg-opened-to-world");
        metrics.failed("sg-opened-to-world");
        metrics.matched("audit-trail-stopped");
        metrics.matched("audit-trail-stopped");
        metrics.delivered("audit-trail-stopped");

        let lines = metrics.emf_lines(1_715_155_237_000);

        assert_eq!(
            lines,
            [
                r#"{"_aws":{"Timestamp":1715155237000,"CloudWatchMetrics":[{"Namespace":"auditbridge","Dimensions":[["Rule"]],"Metrics":[{"Name":"Matched","Unit":"Count"},{"Name":"Delivered","Unit":"Count"},{"Name":"Failed","Unit":"Count"}]}]},"Rule":"audit-trail-stopped","Matched":2,"Delivered":1,"Failed":0}"#,
                r#"{"_aws":{"Timestamp":1715155237000,"CloudWatchMetrics":[{"Namespace":"auditbridge","Dimensions":[["Rule"]],"Metrics":[{"Name":"Matched","Unit":"Count"},{"Name":"Delivered","Unit":"Count"},{"Name":"Failed","Unit":"Count"}]}]},"Rule":"sg-opened-to-world","Matched":1,"Delivered":1,"Failed":1}"#,
            ]
        );
    }

    #[test]
    fn rule_names_are_json_escaped() {
        let mut metrics = RuleMetrics::default();
        metrics.failed("odd\"name");
        let line = &metrics.emf_lines(1)[0];
        let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(value["Rule"], "odd\"name");
        assert_eq!(value["Failed"], 1);
    }

    #[test]
    fn no_activity_no_lines() {
        assert!(RuleMetrics::default().emf_lines(1).is_empty());
    }
}
