//! `--sqs` mode: deliveries go to their queues through the evaluate function's sender.
//!
//! Deliveries are collected and sent in groups (per queue, in order, cut into
//! SendMessageBatch calls by `SqsSender`), so a large input costs few calls and FIFO
//! queues receive their messages in input order. Every failed delivery is reported on
//! stderr with its event, rule and target, and counted.

use anyhow::Context;
use auditbridge_shared::rules::Delivery;
use auditbridge_sqs::SqsSender;

use super::summary::RuleStats;

/// Deliveries held before a send round: ten full batches' worth at most, so memory stays
/// bounded and messages leave while the input is still being read.
const SEND_EVERY: usize = 100;

/// One delivery waiting to be sent, with the id of the event it came from.
struct Pending {
    event_id: String,
    delivery: Delivery,
}

pub struct Sender {
    runtime: tokio::runtime::Runtime,
    sqs: SqsSender,
    pending: Vec<Pending>,
    failures: u64,
}

impl Sender {
    /// A sender configured by the standard AWS chain (environment, profile, ...);
    /// `AWS_ENDPOINT_URL_SQS` points it at another SQS endpoint.
    pub fn from_env() -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let client = runtime.block_on(auditbridge_sqs::client_from_env());
        Ok(Sender {
            runtime,
            sqs: SqsSender::new(client),
            pending: Vec::with_capacity(SEND_EVERY),
            failures: 0,
        })
    }

    /// Queues one delivery; sends a round once enough are waiting.
    pub fn push(&mut self, event_id: &str, delivery: Delivery, stats: &mut RuleStats) {
        self.pending.push(Pending {
            event_id: event_id.to_string(),
            delivery,
        });
        if self.pending.len() >= SEND_EVERY {
            self.send_pending(stats);
        }
    }

    /// Sends what is left; returns the number of deliveries that failed in the whole run.
    pub fn finish(mut self, stats: &mut RuleStats) -> u64 {
        self.send_pending(stats);
        self.failures
    }

    /// Sends every delivery waiting (none: nothing to do).
    pub fn send_pending(&mut self, stats: &mut RuleStats) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        for (queue_url, group) in by_queue(pending) {
            let messages: Vec<_> = group
                .iter()
                .map(|pending| pending.delivery.message.clone())
                .collect();
            tracing::debug!(queue = %queue_url, messages = messages.len(), "sending");
            let results = self.runtime.block_on(self.sqs.send(&queue_url, &messages));
            for (pending, result) in group.iter().zip(results) {
                if let Err(error) = result {
                    self.failures += 1;
                    let delivery = &pending.delivery;
                    stats.failed(&pending.event_id, delivery, &delivery.queue_url, &error);
                }
            }
        }
    }
}

/// Deliveries grouped by queue URL: queues in order of first appearance, deliveries in
/// their original order within each queue.
fn by_queue(pending: Vec<Pending>) -> Vec<(String, Vec<Pending>)> {
    let mut groups: Vec<(String, Vec<Pending>)> = Vec::new();
    for item in pending {
        match groups
            .iter_mut()
            .find(|(queue_url, _)| *queue_url == item.delivery.queue_url)
        {
            Some((_, group)) => group.push(item),
            None => groups.push((item.delivery.queue_url.clone(), vec![item])),
        }
    }
    groups
}
