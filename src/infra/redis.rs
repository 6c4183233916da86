//! The Redis connection every shared store uses (counters, response cache, persisted queries,
//! events), selected by REDIS_URL.
//!
//! Redis is an accelerator and a coordinator, never a dependency the API cannot answer without:
//! every command has a short deadline (REDIS_COMMAND_TIMEOUT_MS, tens of milliseconds), and a
//! failed command opens a breaker for a moment so that the following requests do not each wait
//! for the deadline. Callers get `None` and fall back (the database, or in-process counters).
//! The connection is made on first use (a server starts while Redis is down); once made, the
//! connection manager reconnects by itself. The first command after the breaker closes again
//! finds out whether Redis is back, so caching resumes without a restart.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use redis::{
    RedisResult,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

/// How long after a failure commands are not even tried.
const BREAKER: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    /// Made on first use; then it reconnects by itself.
    manager: std::sync::Mutex<Option<ConnectionManager>>,
    /// One connection attempt at a time.
    connecting: tokio::sync::Mutex<()>,
    /// Prepended to every key and channel (REDIS_KEY_PREFIX), so that several deployments (or
    /// parallel tests) share one Redis without seeing each other.
    prefix: String,
    timeout: Duration,
    /// Whether the last command succeeded.
    up: AtomicBool,
    /// Milliseconds since `started` before which no command is tried.
    closed_until_ms: AtomicU64,
    started: Instant,
}

impl Redis {
    /// A lazy connection: the server starts (degraded) when Redis is down, and connects when it
    /// comes up.
    pub fn connect(url: &str, prefix: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL is not a Redis URL: {e}"))?;
        Ok(Redis {
            inner: Arc::new(Inner {
                client,
                manager: std::sync::Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
                prefix: prefix.to_string(),
                timeout,
                up: AtomicBool::new(true),
                closed_until_ms: AtomicU64::new(0),
                started: Instant::now(),
            }),
        })
    }

    /// `key` under this deployment's prefix.
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.inner.prefix)
    }

    /// The client, for connections of their own (pub/sub).
    pub fn client(&self) -> &redis::Client {
        &self.inner.client
    }

    /// Whether the last command succeeded (for `/readyz`).
    pub fn is_up(&self) -> bool {
        self.inner.up.load(Ordering::Relaxed)
    }

    fn current(&self) -> Option<ConnectionManager> {
        self.inner.manager.lock().ok().and_then(|m| m.clone())
    }

    /// The connection, made now if there is none yet (within the connection deadline).
    async fn connection(&self) -> Result<ConnectionManager, String> {
        if let Some(manager) = self.current() {
            return Ok(manager);
        }
        let _turn = self.inner.connecting.lock().await;
        if let Some(manager) = self.current() {
            return Ok(manager);
        }
        let deadline = self.inner.timeout.max(Duration::from_millis(200));
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(deadline)
            .set_response_timeout(self.inner.timeout)
            .set_number_of_retries(2)
            .set_max_delay(200);
        let connect = ConnectionManager::new_with_config(self.inner.client.clone(), config);
        match tokio::time::timeout(deadline, connect).await {
            Ok(Ok(manager)) => {
                if let Ok(mut slot) = self.inner.manager.lock() {
                    *slot = Some(manager.clone());
                }
                Ok(manager)
            }
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err("no connection within the deadline".into()),
        }
    }

    /// Runs one command (or pipeline, or script) within the deadline. `None` when Redis is
    /// down, slow or answered an error; the failure is logged once per breaker period.
    pub async fn run<T, F, Fut>(&self, command: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let now_ms = self.inner.started.elapsed().as_millis() as u64;
        if now_ms < self.inner.closed_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let manager = match self.connection().await {
            Ok(manager) => manager,
            Err(why) => {
                self.failed(&why);
                return None;
            }
        };
        let outcome = tokio::time::timeout(self.inner.timeout, command(manager)).await;
        match outcome {
            Ok(Ok(value)) => {
                if !self.inner.up.swap(true, Ordering::Relaxed) {
                    tracing::info!("Redis answers again; shared cache and counters resume");
                }
                Some(value)
            }
            Ok(Err(err)) => {
                self.failed(&err.to_string());
                None
            }
            Err(_) => {
                self.failed("no answer within the command timeout");
                None
            }
        }
    }

    fn failed(&self, why: &str) {
        let until = self.inner.started.elapsed() + BREAKER;
        self.inner
            .closed_until_ms
            .store(until.as_millis() as u64, Ordering::Relaxed);
        if self.inner.up.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                error = why,
                "Redis failed; answering without the shared cache"
            );
        }
    }

    /// PING within the deadline, ignoring the breaker (readiness).
    pub async fn ping(&self) -> bool {
        let Ok(mut conn) = self.connection().await else {
            return false;
        };
        let ok = matches!(
            tokio::time::timeout(
                self.inner.timeout.max(Duration::from_millis(200)),
                redis::cmd("PING").query_async::<String>(&mut conn),
            )
            .await,
            Ok(Ok(_))
        );
        if ok {
            self.inner.up.store(true, Ordering::Relaxed);
            self.inner.closed_until_ms.store(0, Ordering::Relaxed);
        }
        ok
    }
}
