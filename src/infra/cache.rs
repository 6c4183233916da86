//! Short-lived counters shared by the request path (login and registration throttling, rate
//! limits). With REDIS_URL they live in Redis, so limits hold across instances: `take` is one
//! Lua script (read, compare, add, expire in one atomic step), `give_back` another. Without it,
//! or while Redis does not answer, the same operations run on in-process counters (moka): each
//! instance then still enforces every limit on its own (see docs/cache.md, "Rate limits").

use std::{sync::LazyLock, time::Duration};

use redis::Script;

use crate::infra::redis::Redis;

use moka::{
    future::Cache as Moka,
    ops::compute::{CompResult, Op},
};

#[derive(Clone)]
pub struct Cache {
    counters: Moka<String, u64>,
    /// The shared store, when configured; the counters above are then the fallback.
    redis: Option<Redis>,
    ttl: Duration,
}

/// What a counter operation does when Redis does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// Count on this instance's own counters: the limit still holds per instance.
    Local,
    /// Let the request through uncounted.
    Open,
}

/// Adds `ARGV[1]` unless that would pass the limit `ARGV[2]`; the window is `ARGV[3]` ms from
/// the first unit (a fresh key) or, with `ARGV[4] == 1`, from the latest one. Returns
/// `{1, new value, ms left}` when taken, `{0, current value, ms left}` when refused.
const TAKE: &str = r"
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if current + amount > tonumber(ARGV[2]) then
  return {0, current, redis.call('PTTL', KEYS[1])}
end
local value = redis.call('INCRBY', KEYS[1], amount)
if value == amount or ARGV[4] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, value, redis.call('PTTL', KEYS[1])}
";

/// Subtracts one; removes the key at zero.
const GIVE_BACK: &str = r"
local value = redis.call('DECR', KEYS[1])
if value <= 0 then redis.call('DEL', KEYS[1]) end
return value
";

/// The scripts, hashed once (Redis runs them by hash, loading them on first use).
static TAKE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(TAKE));
static GIVE_BACK_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(GIVE_BACK));

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
            redis: None,
            ttl,
        }
    }

    /// Counters in Redis, with in-process counters of the same shape for outages.
    pub fn shared(redis: Redis, ttl: Duration, max_bytes: u64) -> Self {
        Cache {
            redis: Some(redis),
            ..Self::in_memory(ttl, max_bytes)
        }
    }

    /// The key in Redis: counters live under `counter:`.
    fn redis_key(redis: &Redis, key: &str) -> String {
        redis.key(&format!("counter:{key}"))
    }

    /// One atomic reservation of `amount` units of a budget of `limit` within a fixed window of
    /// `window` (from the first unit): `Ok(())` when taken, `Err(time until the window ends)`
    /// when the budget is spent (refused attempts neither count nor extend the window). The key
    /// names the window, so its counter starts afresh when the next one begins.
    pub async fn take_within(
        &self,
        key: &str,
        amount: u64,
        limit: u64,
        window: Duration,
        outage: Outage,
    ) -> Result<(), Duration> {
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let window_ms = window.as_millis() as u64;
            let answer: Option<Vec<i64>> = redis
                .run(|mut conn| async move {
                    TAKE_SCRIPT
                        .key(redis_key)
                        .arg(amount)
                        .arg(limit)
                        .arg(window_ms)
                        .arg(0)
                        .invoke_async(&mut conn)
                        .await
                })
                .await;
            match answer.as_deref() {
                Some([1, ..]) => return Ok(()),
                Some([0, _, left]) => {
                    return Err(Duration::from_millis((*left).max(1) as u64));
                }
                _ if outage == Outage::Open => return Ok(()),
                _ => {}
            }
        }
        let result = self
            .counters
            .entry(key.to_string())
            .and_compute_with(|old| {
                let current = old.map_or(0, |e| e.into_value());
                std::future::ready(if current.saturating_add(amount) > limit {
                    Op::Nop
                } else {
                    Op::Put(current + amount)
                })
            })
            .await;
        match result {
            CompResult::Inserted(_) | CompResult::ReplacedWith(_) => Ok(()),
            // In process the key's window number already says when it ends; the caller knows.
            _ => Err(window),
        }
    }

    /// Total weight held now, in bytes (after pending maintenance).
    pub async fn weighed_bytes(&self) -> u64 {
        self.counters.run_pending_tasks().await;
        self.counters.weighted_size()
    }

    /// Adds one and returns the new value.
    pub async fn incr(&self, key: &str) -> u64 {
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let ttl_ms = self.ttl.as_millis() as u64;
            let value: Option<(u64,)> = redis
                .run(|mut conn| async move {
                    redis::pipe()
                        .atomic()
                        .incr(&redis_key, 1)
                        .pexpire(&redis_key, ttl_ms as i64)
                        .ignore()
                        .query_async(&mut conn)
                        .await
                })
                .await;
            if let Some((value,)) = value {
                return value;
            }
        }
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
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let ttl_ms = self.ttl.as_millis() as u64;
            let answer: Option<Vec<i64>> = redis
                .run(|mut conn| async move {
                    TAKE_SCRIPT
                        .key(redis_key)
                        .arg(1)
                        .arg(limit)
                        .arg(ttl_ms)
                        .arg(1)
                        .invoke_async(&mut conn)
                        .await
                })
                .await;
            match answer.as_deref() {
                Some([1, value, ..]) => return Ok((*value).max(0) as u64),
                Some([0, value, ..]) => return Err((*value).max(0) as u64),
                // Redis is down: this instance's counters decide (docs/cache.md).
                _ => {}
            }
        }
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
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let done: Option<i64> = redis
                .run(|mut conn| async move {
                    GIVE_BACK_SCRIPT
                        .key(redis_key)
                        .invoke_async(&mut conn)
                        .await
                })
                .await;
            if done.is_some() {
                return;
            }
        }
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
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let value: Option<Option<u64>> = redis
                .run(|mut conn| async move {
                    redis::cmd("GET")
                        .arg(redis_key)
                        .query_async(&mut conn)
                        .await
                })
                .await;
            if let Some(value) = value {
                return value.unwrap_or(0);
            }
        }
        self.counters.get(key).await.unwrap_or(0)
    }

    pub async fn remove(&self, key: &str) {
        if let Some(redis) = &self.redis {
            let redis_key = Self::redis_key(redis, key);
            let _: Option<i64> = redis
                .run(|mut conn| async move {
                    redis::cmd("DEL")
                        .arg(redis_key)
                        .query_async(&mut conn)
                        .await
                })
                .await;
        }
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
