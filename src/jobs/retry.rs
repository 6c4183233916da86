//! Exponential backoff between attempts of a failed job.

use std::time::Duration;

/// How long a failed job waits before its next attempt: `base * 2^(attempt - 1)`, capped at
/// `max`, then shortened by a random fraction of up to `jitter` so that jobs failing together
/// (a provider outage) do not all retry in the same instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    /// Between 0 (no jitter, deterministic) and 1.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// 10 s, 20 s, 40 s, ... up to one hour, with up to 20% jitter.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(3600),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The delay without jitter after the `attempt`-th failed attempt (1-based).
    pub fn base_delay(&self, attempt: i32) -> Duration {
        // 2^31 already exceeds any sensible cap; clamping the exponent avoids overflow.
        let exponent = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(31);
        self.base
            .checked_mul(1u32 << exponent)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The delay after the `attempt`-th failed attempt, jitter applied.
    pub fn delay(&self, attempt: i32) -> Duration {
        let delay = self.base_delay(attempt);
        let jitter = self.jitter.clamp(0.0, 1.0);
        if jitter == 0.0 {
            return delay;
        }
        delay.mul_f64(1.0 - jitter * rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(60),
            jitter: 0.0,
        };
        let delays: Vec<u64> = (1..=6).map(|a| policy.delay(a).as_secs()).collect();
        assert_eq!(delays, [10, 20, 40, 60, 60, 60]);
        assert_eq!(policy.delay(i32::MAX), Duration::from_secs(60));
        assert_eq!(policy.delay(0), Duration::from_secs(10));
    }

    #[test]
    fn jitter_only_shortens() {
        let policy = RetryPolicy {
            jitter: 0.5,
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            let d = policy.delay(2);
            assert!(d <= Duration::from_secs(20) && d >= Duration::from_secs(10));
        }
    }
}
