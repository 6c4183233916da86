//! The shared response cache (public catalogue answers, as serialized bytes) and the store of
//! persisted query documents (APQ). In Redis when REDIS_URL is set, so every instance shares
//! one copy; in process (moka, bounded by bytes) otherwise.
//!
//! Invalidation is a version stamp: every cache key embeds the current catalogue version, and a
//! committed write bumps it (one INCR, or one atomic add in process) before its mutation answers.
//! Old entries are never looked up again and age out; nothing scans keys. When the bump cannot
//! reach Redis, this instance stops trusting the shared entries until a bump succeeds.
//! A miss is computed once per instance (single flight); TTLs carry up to 10 % jitter so that
//! entries written together do not expire together.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use moka::future::Cache as Moka;

use crate::{
    domain::events::DomainEvent,
    infra::{events::CommitHook, redis::Redis},
};

/// How the response cache is sized and timed (settings).
#[derive(Debug, Clone, Copy)]
pub struct ResponseCacheConfig {
    /// Seconds a cached response lives at most (RESPONSE_CACHE_TTL_SECONDS); 0 turns the
    /// response cache off.
    pub ttl: Duration,
    /// Bytes the in-process cache holds at most (RESPONSE_CACHE_MAX_BYTES); one response larger
    /// than a sixteenth of it is never cached (in Redis neither).
    pub max_bytes: u64,
}

/// Persisted documents live this long in Redis after their last registration.
const DOCUMENT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Clone)]
pub struct ResponseCache {
    inner: Arc<Inner>,
}

struct Inner {
    config: ResponseCacheConfig,
    redis: Option<Redis>,
    responses: Moka<String, Arc<[u8]>>,
    documents: Moka<String, Arc<str>>,
    /// The in-process catalogue version.
    version: AtomicU64,
    /// Set when a bump could not reach Redis: the shared entries may be stale.
    distrust: AtomicBool,
    /// Misses being computed now, by key: later arrivals wait for the first.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Whether an answer came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Hit,
    Miss,
}

impl ResponseCache {
    pub fn new(config: ResponseCacheConfig, redis: Option<Redis>) -> Self {
        ResponseCache {
            inner: Arc::new(Inner {
                config,
                redis,
                responses: Moka::builder()
                    .max_capacity(config.max_bytes)
                    .weigher(|k: &String, v: &Arc<[u8]>| {
                        u32::try_from(k.len() + v.len() + 128).unwrap_or(u32::MAX)
                    })
                    .time_to_live(config.ttl.max(Duration::from_secs(1)) * 11 / 10)
                    .build(),
                documents: Moka::builder()
                    .max_capacity(16 * 1024 * 1024)
                    .weigher(|k: &String, v: &Arc<str>| {
                        u32::try_from(k.len() + v.len() + 128).unwrap_or(u32::MAX)
                    })
                    .build(),
                version: AtomicU64::new(0),
                distrust: AtomicBool::new(false),
                flights: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.inner.config.ttl.is_zero()
    }

    /// The seconds a public response may be kept (also the HTTP `max-age`).
    pub fn ttl(&self) -> Duration {
        self.inner.config.ttl
    }

    /// The current catalogue version, or `None` when the cache must be bypassed (Redis down, or
    /// an invalidation that did not reach it yet).
    pub async fn stamp(&self) -> Option<u64> {
        let Some(redis) = &self.inner.redis else {
            return Some(self.inner.version.load(Ordering::SeqCst));
        };
        if self.inner.distrust.load(Ordering::SeqCst) {
            // Catch up: a bump that reaches Redis makes the shared entries trustworthy again.
            self.bump_shared(redis).await?;
        }
        let key = redis.key("catalog:version");
        let version: Option<Option<u64>> = redis
            .run(|mut conn| async move { redis::cmd("GET").arg(key).query_async(&mut conn).await })
            .await;
        version.map(|v| v.unwrap_or(0))
    }

    /// Makes every cached response unreachable: called when a write committed, before its
    /// mutation answers.
    pub async fn invalidate(&self) {
        self.inner.version.fetch_add(1, Ordering::SeqCst);
        self.inner.responses.invalidate_all();
        if let Some(redis) = &self.inner.redis
            && self.bump_shared(redis).await.is_none()
        {
            self.inner.distrust.store(true, Ordering::SeqCst);
            tracing::warn!(
                "cannot invalidate the shared response cache; bypassing it until Redis answers"
            );
        }
    }

    async fn bump_shared(&self, redis: &Redis) -> Option<u64> {
        let key = redis.key("catalog:version");
        let version: u64 = redis
            .run(|mut conn| async move { redis::cmd("INCR").arg(key).query_async(&mut conn).await })
            .await?;
        self.inner.distrust.store(false, Ordering::SeqCst);
        Some(version)
    }

    async fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        match &self.inner.redis {
            Some(redis) => {
                let key = redis.key(&format!("response:{key}"));
                let bytes: Option<Vec<u8>> = redis
                    .run(|mut conn| async move {
                        redis::cmd("GET").arg(key).query_async(&mut conn).await
                    })
                    .await
                    .flatten();
                bytes.map(Arc::from)
            }
            None => self.inner.responses.get(key).await,
        }
    }

    async fn put(&self, key: &str, bytes: Arc<[u8]>) {
        if bytes.len() as u64 > self.inner.config.max_bytes / 16 {
            return;
        }
        let ttl = jittered(self.inner.config.ttl);
        match &self.inner.redis {
            Some(redis) => {
                let key = redis.key(&format!("response:{key}"));
                let ttl_ms = ttl.as_millis() as u64;
                let _: Option<()> = redis
                    .run(|mut conn| async move {
                        redis::cmd("SET")
                            .arg(key)
                            .arg(&*bytes)
                            .arg("PX")
                            .arg(ttl_ms)
                            .query_async(&mut conn)
                            .await
                    })
                    .await;
            }
            None => self.inner.responses.insert(key.to_string(), bytes).await,
        }
    }

    /// The cached answer under `key`, or `compute`'s, computed once however many identical
    /// requests miss together on this instance. `compute` says whether its answer may be kept.
    pub async fn get_or_compute<F, Fut>(&self, key: &str, compute: F) -> (Arc<[u8]>, Lookup)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = (Arc<[u8]>, bool)>,
    {
        if let Some(hit) = self.get(key).await {
            return (hit, Lookup::Hit);
        }
        let flight = match self.inner.flights.lock() {
            Ok(mut flights) => flights.entry(key.to_string()).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let _turn = flight.lock().await;
        // Whoever held the turn before may have filled the entry.
        if let Some(hit) = self.get(key).await {
            return (hit, Lookup::Hit);
        }
        let (bytes, keep) = compute().await;
        if keep {
            self.put(key, bytes.clone()).await;
        }
        if let Ok(mut flights) = self.inner.flights.lock() {
            flights.remove(key);
        }
        (bytes, Lookup::Miss)
    }

    /// A persisted document by the SHA-256 of its text (lower-case hex).
    pub async fn document(&self, hash: &str) -> Option<String> {
        if let Some(redis) = &self.inner.redis {
            let key = redis.key(&format!("apq:{hash}"));
            let found: Option<Option<String>> =
                redis
                    .run(|mut conn| async move {
                        redis::cmd("GET").arg(key).query_async(&mut conn).await
                    })
                    .await;
            if let Some(found) = found {
                return found;
            }
        }
        self.inner.documents.get(hash).await.map(|d| d.to_string())
    }

    /// Remembers a document under its hash (the caller has checked that they match).
    pub async fn remember_document(&self, hash: &str, document: &str) {
        // Kept in process too: while Redis is down, this instance still knows its documents.
        self.inner
            .documents
            .insert(hash.to_string(), Arc::from(document))
            .await;
        if let Some(redis) = &self.inner.redis {
            let key = redis.key(&format!("apq:{hash}"));
            let document = document.to_string();
            let ttl = DOCUMENT_TTL.as_secs();
            let _: Option<()> = redis
                .run(|mut conn| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(document)
                        .arg("EX")
                        .arg(ttl)
                        .query_async(&mut conn)
                        .await
                })
                .await;
        }
    }
}

/// The response cache listens to every committed write except sign-ups, which change nothing
/// a cached response shows.
impl CommitHook for ResponseCache {
    fn committed<'a>(
        &'a self,
        events: &'a [DomainEvent],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            if events
                .iter()
                .any(|e| !matches!(e, DomainEvent::UserRegistered { .. }))
            {
                self.invalidate().await;
            }
        })
    }
}

/// `ttl` plus up to a tenth of it, at random.
fn jittered(ttl: Duration) -> Duration {
    ttl + ttl.mul_f64(0.1 * rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ResponseCache {
        ResponseCache::new(
            ResponseCacheConfig {
                ttl: Duration::from_secs(60),
                max_bytes: 1024 * 1024,
            },
            None,
        )
    }

    #[tokio::test]
    async fn identical_misses_compute_once() {
        let cache = cache();
        let runs = Arc::new(AtomicU64::new(0));
        let answers = futures_util::future::join_all((0..20).map(|_| {
            let runs = runs.clone();
            let cache = cache.clone();
            async move {
                cache
                    .get_or_compute("k", || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        (Arc::from(&b"answer"[..]), true)
                    })
                    .await
            }
        }))
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(answers.iter().all(|(bytes, _)| &**bytes == b"answer"));
        assert_eq!(
            answers.iter().filter(|(_, l)| *l == Lookup::Miss).count(),
            1
        );
    }

    #[tokio::test]
    async fn invalidation_changes_the_stamp() {
        let cache = cache();
        let before = cache.stamp().await;
        cache.invalidate().await;
        assert_ne!(cache.stamp().await, before);
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        for _ in 0..100 {
            let ttl = jittered(Duration::from_secs(100));
            assert!(ttl >= Duration::from_secs(100) && ttl <= Duration::from_secs(110));
        }
    }
}
