//! Short-lived counters shared by the request path (login and registration throttling).
//! In-process here; the Redis adapter plugs in behind the same methods when REDIS_URL is
//! configured (`take` maps to a Lua script or INCR + DECR, `give_back` to DECR).

use std::time::Duration;

use moka::{
    future::Cache as Moka,
    ops::compute::{CompResult, Op},
};

#[derive(Clone)]
pub struct Cache {
    counters: Moka<String, u64>,
}

/// Bytes an entry costs beyond its key: the u64 value, moka's per-entry bookkeeping (about a
/// hundred bytes: hash, timestamps, deque nodes, `Arc`s) and the `String` header.
const ENTRY_OVERHEAD: usize = 128;

/// What one counter weighs against the byte budget. Keys embed client-chosen text (a login
/// identifier), so the budget counts their length: a flood of long identifiers evicts old
/// counters instead of growing memory.
fn weight(key: &str) -> u32 {
    u32::try_from(key.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
}

impl Cache {
    /// Counters expire `ttl` after their last increment; together they hold at most about
    /// `max_bytes` (THROTTLE_CACHE_MAX_BYTES), beyond which moka evicts the least useful.
    pub fn in_memory(ttl: Duration, max_bytes: u64) -> Self {
        Cache {
            counters: Moka::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &String, _: &u64| weight(key))
                .time_to_live(ttl)
                .build(),
        }
    }

    /// Total weight held now, in bytes (after pending maintenance).
    pub async fn weighed_bytes(&self) -> u64 {
        self.counters.run_pending_tasks().await;
        self.counters.weighted_size()
    }

    /// Adds one and returns the new value.
    pub async fn incr(&self, key: &str) -> u64 {
        let entry = self
            .counters
            .entry(key.to_string())
            .and_upsert_with(|old| async move { old.map_or(1, |e| e.into_value() + 1) })
            .await;
        entry.into_value()
    }

    /// Takes one unit of a budget of `limit` in one atomic step: adds one unless the counter
    /// already reached `limit`. `Ok(new value)` when taken; `Err(current value)` when the
    /// budget is spent, and then the counter is left alone, so refused attempts neither count
    /// nor extend the window. Concurrent callers can therefore never take more than `limit`.
    pub async fn take(&self, key: &str, limit: u64) -> Result<u64, u64> {
        let result = self
            .counters
            .entry(key.to_string())
            .and_compute_with(|old| {
                let current = old.map_or(0, |e| e.into_value());
                std::future::ready(if current >= limit {
                    Op::Nop
                } else {
                    Op::Put(current + 1)
                })
            })
            .await;
        match result {
            CompResult::Inserted(e) | CompResult::ReplacedWith(e) => Ok(e.into_value()),
            CompResult::Unchanged(e) | CompResult::Removed(e) => Err(e.into_value()),
            CompResult::StillNone(_) => Err(0),
        }
    }

    /// Returns one unit taken with `take` (an attempt that turned out not to count).
    pub async fn give_back(&self, key: &str) {
        self.counters
            .entry(key.to_string())
            .and_compute_with(|old| {
                std::future::ready(match old.map(|e| e.into_value()) {
                    Some(n) if n > 1 => Op::Put(n - 1),
                    Some(_) => Op::Remove,
                    None => Op::Nop,
                })
            })
            .await;
    }

    pub async fn get(&self, key: &str) -> u64 {
        self.counters.get(key).await.unwrap_or(0)
    }

    pub async fn remove(&self, key: &str) {
        self.counters.invalidate(key).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn take_never_exceeds_the_limit_under_concurrency() {
        let cache = Cache::in_memory(Duration::from_secs(60), 1024 * 1024);
        let takes = futures_util::future::join_all((0..50).map(|_| cache.take("k", 5))).await;
        assert_eq!(takes.iter().filter(|t| t.is_ok()).count(), 5);
        assert_eq!(cache.get("k").await, 5);
        cache.give_back("k").await;
        assert_eq!(cache.take("k", 5).await, Ok(5));
        assert_eq!(cache.take("k", 5).await, Err(5));
    }

    #[tokio::test]
    async fn the_counters_stay_within_their_byte_budget() {
        let budget = 256 * 1024;
        let cache = Cache::in_memory(Duration::from_secs(60), budget);
        // Long keys, as a login flood with kilobyte-long identifiers makes them.
        let filler = "x".repeat(4000);
        for i in 0..2000 {
            cache.incr(&format!("login:account:{i}:{filler}")).await;
        }
        let held = cache.weighed_bytes().await;
        assert!(held <= budget, "{held} bytes held, budget {budget}");
        assert!(held > budget / 2, "the budget is used, not starved: {held}");
        // Short keys still fit many entries.
        assert!(weight("login:address:127.0.0.1") < 200);
    }
}
