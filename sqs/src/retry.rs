//! How often and how patiently entries that SQS reports as failed are sent again.

use std::time::Duration;

/// Retries for entries a SendMessageBatch response lists in `Failed` with
/// `SenderFault: false` (a server-side hiccup, e.g. `InternalError`, throttling).
///
/// Delays grow exponentially without jitter: the retried entries are few and belong to
/// one function invocation, so there is no herd to spread out. Whole-call failures are
/// not retried here; the SDK's retry layer already handles transient ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts per entry, the first included; `0` is treated as `1`.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled before each further one.
    pub base_delay: Duration,
    /// Upper bound of any single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, 50 ms, 100 ms, 200 ms apart: under half a second in the worst case,
    /// small against a Lambda timeout.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// Attempts to make, never less than one.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// The delay after failed attempt `attempt` (1-based): `base_delay * 2^(attempt-1)`,
    /// capped at `max_delay`.
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        self.base_delay
            .checked_mul(1u32 << exponent)
            .map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_are_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        };
        let delays: Vec<u128> = (1..=5).map(|a| policy.delay_after(a).as_millis()).collect();
        assert_eq!(delays, vec![10, 20, 40, 50, 50]);
        assert_eq!(policy.delay_after(1000), Duration::from_millis(50));
    }

    #[test]
    fn at_least_one_attempt_is_made() {
        let policy = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.attempts(), 1);
    }
}
