//! Short-lived counters shared by the request path (login throttling). In-process here; the
//! Redis adapter plugs in behind the same methods when REDIS_URL is configured.

use std::time::Duration;

use moka::future::Cache as Moka;

#[derive(Clone)]
pub struct Cache {
    counters: Moka<String, u64>,
}

impl Cache {
    /// Counters expire `ttl` after their last increment.
    pub fn in_memory(ttl: Duration) -> Self {
        Cache {
            counters: Moka::builder()
                .max_capacity(1_000_000)
                .time_to_live(ttl)
                .build(),
        }
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

    pub async fn get(&self, key: &str) -> u64 {
        self.counters.get(key).await.unwrap_or(0)
    }

    pub async fn remove(&self, key: &str) {
        self.counters.invalidate(key).await;
    }
}
