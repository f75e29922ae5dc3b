//! The delivery algorithm, independent of the SDK: validate, cut into batches, send the
//! batches (a few at a time), retry entries SQS failed transiently, and produce one
//! result per message.
//!
//! It talks to SQS through [`BatchTransport`] so the retry logic can be unit-tested with
//! a scripted transport: moto never reports an entry in `Failed` with `SenderFault: false`.

use std::collections::BTreeMap;
use std::future::Future;

use auditbridge_shared::outbound::{plan_batches, OutboundMessage};
use futures_util::stream::{self, StreamExt};

use crate::error::DeliveryError;
use crate::retry::RetryPolicy;
use crate::validate::{self, Problem};

/// One entry of a batch call: the entry id SQS echoes back is `index` (the message's
/// position in the caller's slice), unique within any batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub index: usize,
    pub message: &'a OutboundMessage,
}

/// An entry SQS did not accept although the call succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryFailure {
    pub index: usize,
    pub code: String,
    pub reason: String,
    pub sender_fault: bool,
}

/// A whole call that failed: no entry of it was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallFailure {
    pub code: Option<String>,
    pub reason: String,
}

/// One SendMessageBatch call. Returns the entries that were not accepted; an entry the
/// response mentions neither as successful nor as failed must be returned as failed.
pub(crate) trait BatchTransport: Sync {
    fn send_batch(
        &self,
        queue_url: &str,
        entries: &[Entry<'_>],
    ) -> impl Future<Output = Result<Vec<EntryFailure>, CallFailure>> + Send;
}

/// Settings of one delivery.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub retry: RetryPolicy,
    pub max_bytes: usize,
    pub max_concurrent_batches: usize,
}

/// Sends `messages` to `queue_url`; one result per message, in order. Never panics.
pub(crate) async fn deliver<T: BatchTransport>(
    transport: &T,
    settings: &Settings,
    queue_url: &str,
    messages: &[OutboundMessage],
) -> Vec<Result<(), DeliveryError>> {
    let mut results: Vec<Result<(), DeliveryError>> = vec![Ok(()); messages.len()];
    let mut sendable = Vec::with_capacity(messages.len());
    for (index, message) in messages.iter().enumerate() {
        match validate::check(message, settings.max_bytes) {
            Ok(()) => sendable.push(index),
            Err(problem) => results[index] = Err(problem_error(queue_url, problem)),
        }
    }
    let sizes: Vec<usize> = sendable.iter().map(|&i| messages[i].size()).collect();
    let batches = plan_batches(&sizes, settings.max_bytes);
    let sendable = &sendable;
    let failures: Vec<Vec<(usize, DeliveryError)>> = stream::iter(batches)
        .map(|range| {
            send_batch_with_retries(transport, settings, queue_url, messages, &sendable[range])
        })
        .buffered(settings.max_concurrent_batches.max(1))
        .collect()
        .await;
    for (index, error) in failures.into_iter().flatten() {
        results[index] = Err(error);
    }
    results
}

pub(crate) fn problem_error(queue_url: &str, problem: Problem) -> DeliveryError {
    match problem {
        Problem::TooLarge { size, max_bytes } => DeliveryError::TooLarge {
            queue: queue_url.to_string(),
            size,
            max_bytes,
        },
        Problem::Invalid(reason) => DeliveryError::Invalid {
            queue: queue_url.to_string(),
            reason,
        },
    }
}

/// Sends one planned batch. Entries failed with `SenderFault: false` are sent again (only
/// they) after the policy's delay; sender faults would fail the same way again and are
/// reported at once. A whole-call failure fails every entry still pending.
async fn send_batch_with_retries<T: BatchTransport>(
    transport: &T,
    settings: &Settings,
    queue_url: &str,
    messages: &[OutboundMessage],
    indices: &[usize],
) -> Vec<(usize, DeliveryError)> {
    let attempts = settings.retry.attempts();
    let mut pending: Vec<usize> = indices.to_vec();
    let mut failed = Vec::new();
    for attempt in 1..=attempts {
        let entries: Vec<Entry<'_>> = pending
            .iter()
            .map(|&index| Entry {
                index,
                message: &messages[index],
            })
            .collect();
        let entry_failures = match transport.send_batch(queue_url, &entries).await {
            Ok(entry_failures) => entry_failures,
            Err(call) => {
                tracing::warn!(queue = queue_url, entries = pending.len(), code = call.code.as_deref(), reason = %call.reason, "SendMessageBatch failed");
                failed.extend(pending.iter().map(|&index| {
                    (
                        index,
                        DeliveryError::CallFailed {
                            queue: queue_url.to_string(),
                            code: call.code.clone(),
                            reason: call.reason.clone(),
                        },
                    )
                }));
                return failed;
            }
        };
        // Only entries of this call count; keyed by index so duplicates collapse.
        let mut retry = BTreeMap::new();
        for failure in entry_failures
            .into_iter()
            .filter(|f| pending.contains(&f.index))
        {
            if failure.sender_fault || attempt == attempts {
                failed.push((failure.index, rejected(queue_url, failure, attempt)));
            } else {
                retry.insert(failure.index, failure);
            }
        }
        if retry.is_empty() {
            return failed;
        }
        let delay = settings.retry.delay_after(attempt);
        tracing::warn!(
            queue = queue_url,
            entries = retry.len(),
            attempt,
            delay_ms = delay.as_millis() as u64,
            "retrying entries SQS failed"
        );
        pending = retry.into_keys().collect();
        tokio::time::sleep(delay).await;
    }
    failed
}

fn rejected(queue_url: &str, failure: EntryFailure, attempts: u32) -> DeliveryError {
    DeliveryError::Rejected {
        queue: queue_url.to_string(),
        code: failure.code,
        reason: failure.reason,
        sender_fault: failure.sender_fault,
        attempts,
    }
}

#[cfg(test)]
mod tests {
    //! The retry logic, driven by a scripted transport. This is the one place a fake
    //! stands in for SQS: moto only ever fails entries for a bad `DelaySeconds`, with
    //! `SenderFault: true`, so a transient per-entry failure cannot be provoked there.
    //! Everything else is tested against moto in `tests/`.

    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// Plays back one scripted answer per call and records which entries each call held.
    struct ScriptedTransport {
        answers: Mutex<Vec<Result<Vec<EntryFailure>, CallFailure>>>,
        calls: Mutex<Vec<Vec<usize>>>,
    }

    impl ScriptedTransport {
        fn new(mut answers: Vec<Result<Vec<EntryFailure>, CallFailure>>) -> Self {
            answers.reverse();
            ScriptedTransport {
                answers: Mutex::new(answers),
                calls: Mutex::new(Vec::new()),
            }
        }

        fn calls(&self) -> Vec<Vec<usize>> {
            self.calls.lock().expect("lock").clone()
        }
    }

    impl BatchTransport for ScriptedTransport {
        fn send_batch(
            &self,
            _queue_url: &str,
            entries: &[Entry<'_>],
        ) -> impl Future<Output = Result<Vec<EntryFailure>, CallFailure>> + Send {
            self.calls
                .lock()
                .expect("lock")
                .push(entries.iter().map(|e| e.index).collect());
            let answer = self
                .answers
                .lock()
                .expect("lock")
                .pop()
                .unwrap_or(Ok(Vec::new()));
            async move { answer }
        }
    }

    fn failure(index: usize, sender_fault: bool) -> EntryFailure {
        EntryFailure {
            index,
            code: if sender_fault {
                "InvalidParameterValue"
            } else {
                "InternalError"
            }
            .into(),
            reason: "scripted".into(),
            sender_fault,
        }
    }

    fn settings(max_attempts: u32) -> Settings {
        Settings {
            retry: RetryPolicy {
                max_attempts,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(2),
            },
            max_bytes: 1000,
            max_concurrent_batches: 1,
        }
    }

    fn messages(n: usize) -> Vec<OutboundMessage> {
        (0..n)
            .map(|i| OutboundMessage {
                body: format!("m{i}"),
                ..Default::default()
            })
            .collect()
    }

    #[tokio::test]
    async fn transient_entry_failures_are_retried_alone_until_they_succeed() {
        let transport = ScriptedTransport::new(vec![
            Ok(vec![failure(1, false), failure(3, false)]),
            Ok(vec![failure(3, false)]),
            Ok(vec![]),
        ]);
        let results = deliver(&transport, &settings(4), "q", &messages(4)).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(
            transport.calls(),
            vec![vec![0, 1, 2, 3], vec![1, 3], vec![3]]
        );
    }

    #[tokio::test]
    async fn sender_faults_are_not_retried() {
        let transport = ScriptedTransport::new(vec![
            Ok(vec![failure(0, true), failure(2, false)]),
            Ok(vec![]),
        ]);
        let results = deliver(&transport, &settings(3), "q", &messages(3)).await;
        assert_eq!(transport.calls(), vec![vec![0, 1, 2], vec![2]]);
        assert_eq!(
            results[0],
            Err(DeliveryError::Rejected {
                queue: "q".into(),
                code: "InvalidParameterValue".into(),
                reason: "scripted".into(),
                sender_fault: true,
                attempts: 1,
            })
        );
        assert!(results[1].is_ok() && results[2].is_ok());
    }

    #[tokio::test]
    async fn entries_failing_every_attempt_are_reported_with_the_attempt_count() {
        let transport = ScriptedTransport::new(vec![
            Ok(vec![failure(1, false)]),
            Ok(vec![failure(1, false)]),
            Ok(vec![failure(1, false)]),
        ]);
        let results = deliver(&transport, &settings(3), "q", &messages(2)).await;
        assert_eq!(transport.calls().len(), 3);
        assert!(results[0].is_ok());
        assert!(
            matches!(&results[1], Err(DeliveryError::Rejected { attempts: 3, code, .. }) if code == "InternalError")
        );
    }

    #[tokio::test]
    async fn a_call_failure_fails_every_pending_entry_of_that_batch_only() {
        let transport = ScriptedTransport::new(vec![
            Ok(vec![]),
            Ok(vec![failure(4, false)]),
            Err(CallFailure {
                code: Some("ServiceUnavailable".into()),
                reason: "down".into(),
            }),
            Ok(vec![]),
        ]);
        let mut settings = settings(3);
        settings.max_bytes = 6; // bodies are 2 bytes: three per batch
        let results = deliver(&transport, &settings, "q", &messages(7)).await;
        // The second batch's retry of entry 4 meets the call failure; nothing else fails.
        assert_eq!(
            transport.calls(),
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![4], vec![6]]
        );
        let failed: Vec<usize> = (0..7).filter(|&i| results[i].is_err()).collect();
        assert_eq!(failed, vec![4]);
        assert!(
            matches!(&results[4], Err(DeliveryError::CallFailed { code: Some(c), .. }) if c == "ServiceUnavailable")
        );
    }

    #[tokio::test]
    async fn unknown_ids_in_a_response_are_ignored_and_invalid_messages_never_sent() {
        let transport = ScriptedTransport::new(vec![Ok(vec![failure(99, true)])]);
        let mut batch = messages(3);
        batch[1].body = "x".repeat(2000);
        let results = deliver(&transport, &settings(2), "q", &batch).await;
        assert_eq!(transport.calls(), vec![vec![0, 2]]);
        assert!(results[0].is_ok() && results[2].is_ok());
        assert!(matches!(
            &results[1],
            Err(DeliveryError::TooLarge {
                size: 2000,
                max_bytes: 1000,
                ..
            })
        ));
    }
}
