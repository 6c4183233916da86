//! The loop that claims and runs jobs.

use std::{panic::AssertUnwindSafe, pin::pin, sync::Arc, time::Duration};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinHandle};
use tracing::Instrument;
use uuid::Uuid;

use super::{
    clock::{Clock, SystemClock},
    handler::Registry,
    retry::RetryPolicy,
    store::{self, Lease},
};

/// Settings of one runner.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Written into `locked_by`; unique per runner (process) so leases can be told apart.
    pub runner_id: String,
    /// Sleep between polls when no job is due.
    pub poll_interval: Duration,
    /// How long a claim holds a job. A running job's lease is renewed every third of it, so
    /// only a runner that died or stalled loses its jobs to another runner.
    pub lease: Duration,
    pub retry: RetryPolicy,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            runner_id: format!("runner-{}", Uuid::now_v7().simple()),
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(300),
            retry: RetryPolicy::default(),
        }
    }
}

/// What became of the job run by one [`Runner::tick`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Failed; queued again for `run_at`.
    Retrying {
        run_at: DateTime<Utc>,
    },
    /// Failed its last attempt.
    Dead,
    /// The lease expired while the handler ran and another runner now owns the job; this
    /// runner's result was discarded.
    LeaseLost,
}

/// The job one tick ran, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickResult {
    pub job_id: Uuid,
    pub kind: String,
    pub attempt: i32,
    pub outcome: Outcome,
}

/// Claims due jobs one at a time and runs their handlers (concurrency 1 per runner; start
/// more runners, on this or other servers, for more).
pub struct Runner {
    db: DatabaseConnection,
    registry: Arc<Registry>,
    kinds: Vec<String>,
    config: RunnerConfig,
    clock: Arc<dyn Clock>,
}

/// Stops a spawned runner.
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    runner_id: String,
}

impl RunnerHandle {
    pub fn runner_id(&self) -> &str {
        &self.runner_id
    }

    /// Asks the loop to stop and waits for it: a job already running finishes and has its
    /// outcome recorded first, so a graceful shutdown never leaves a job to the lease reaper.
    pub async fn stop(self) {
        // An Err means the loop is already gone, which is what we want.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, runner = %self.runner_id, "job runner task failed");
        }
    }
}

impl Runner {
    pub fn new(db: DatabaseConnection, registry: Registry, config: RunnerConfig) -> Self {
        Runner {
            db,
            kinds: registry.kinds(),
            registry: Arc::new(registry),
            config,
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the wall clock, for tests of backoff and lease expiry.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    pub fn id(&self) -> &str {
        &self.config.runner_id
    }

    /// Starts a runner in the background and returns the handle that stops it.
    ///
    /// Start-up calls it once per server process with the application's pool, after
    /// migrations, and stops it on shutdown:
    ///
    /// ```ignore
    /// let mut registry = jobs::Registry::new();
    /// registry.register("halal_expiry_check", HalalExpiryCheck::new(state.clone()));
    /// let jobs = jobs::Runner::spawn(state.db.clone(), registry, jobs::RunnerConfig::default());
    /// server.await?;
    /// jobs.stop().await;
    /// ```
    ///
    /// Must be called inside a Tokio runtime.
    pub fn spawn(db: DatabaseConnection, registry: Registry, config: RunnerConfig) -> RunnerHandle {
        Runner::new(db, registry, config).start()
    }

    /// Runs this runner in the background; see [`Runner::spawn`].
    pub fn start(self) -> RunnerHandle {
        let (stop, stopped) = watch::channel(false);
        let runner_id = self.config.runner_id.clone();
        let task = tokio::spawn(self.run_until_stopped(stopped));
        RunnerHandle {
            stop,
            task,
            runner_id,
        }
    }

    async fn run_until_stopped(self, mut stopped: watch::Receiver<bool>) {
        tracing::info!(runner = %self.id(), kinds = ?self.kinds, "job runner started");
        while !*stopped.borrow() {
            let ran = match self.tick().await {
                Ok(ran) => ran.is_some(),
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), runner = %self.id(), "job runner tick failed");
                    false
                }
            };
            // Go straight on while there is work; otherwise wait a poll interval or a stop.
            if !ran {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll_interval) => {}
                    _ = stopped.changed() => {}
                }
            }
        }
        tracing::info!(runner = %self.id(), "job runner stopped");
    }

    /// Claims and runs at most one due job, and records its outcome. `None` when no job was
    /// due (or the database was busy). Deterministic: tests drive the runner with it.
    pub async fn tick(&self) -> anyhow::Result<Option<TickResult>> {
        let now = self.clock.now();
        let reaped = store::reap_expired(&self.db, now)
            .await
            .context("declaring jobs with expired final leases dead")?;
        if reaped > 0 {
            tracing::warn!(
                count = reaped,
                "jobs died with their runner on the final attempt"
            );
        }
        let Some(job) = store::claim(&self.db, &self.kinds, self.id(), now, now + self.lease())
            .await
            .context("claiming a job")?
        else {
            return Ok(None);
        };
        let lease = Lease {
            id: job.id,
            runner: self.id(),
            attempt: job.attempts,
        };
        let span =
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
        let result = self.execute(&job, &lease).instrument(span.clone()).await;

        let now = self.clock.now();
        let outcome = match result {
            Ok(()) => {
                let recorded = store::succeed(&self.db, &lease, now)
                    .await
                    .context("recording a job's success")?;
                if recorded {
                    Outcome::Succeeded
                } else {
                    Outcome::LeaseLost
                }
            }
            Err(error) => {
                let message = format!("{error:#}");
                let retry_at = (job.attempts < job.max_attempts)
                    .then(|| now + self.config.retry.delay(job.attempts));
                tracing::warn!(parent: &span, error = %message, retry_at = ?retry_at, "job attempt failed");
                let recorded = store::fail(&self.db, &lease, &message, now, retry_at)
                    .await
                    .context("recording a job's failure")?;
                if !recorded {
                    Outcome::LeaseLost
                } else if let Some(run_at) = retry_at {
                    Outcome::Retrying { run_at }
                } else {
                    tracing::error!(parent: &span, error = %message, "job is dead after its last attempt");
                    Outcome::Dead
                }
            }
        };
        if outcome == Outcome::LeaseLost {
            tracing::warn!(parent: &span, "job lease expired while running; the result was discarded");
        }
        Ok(Some(TickResult {
            job_id: job.id,
            kind: job.kind,
            attempt: job.attempts,
            outcome,
        }))
    }

    /// Runs due jobs until none is left; returns how many ran.
    pub async fn run_until_idle(&self) -> anyhow::Result<usize> {
        let mut ran = 0;
        while self.tick().await?.is_some() {
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs the handler, renewing the lease while it works. A panic is a failed attempt.
    async fn execute(&self, job: &entity::job::Model, lease: &Lease<'_>) -> anyhow::Result<()> {
        let handler = self
            .registry
            .get(&job.kind)
            .with_context(|| format!("no handler registered for job kind {}", job.kind))?;
        let payload: serde_json::Value =
            serde_json::from_str(&job.payload).context("job payload is not valid JSON")?;
        let mut work = pin!(AssertUnwindSafe(handler.run(payload)).catch_unwind());
        // interval() panics on zero; a lease that short is a misconfiguration anyway.
        let mut renew =
            tokio::time::interval((self.config.lease / 3).max(Duration::from_millis(100)));
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick of an interval completes at once; the claim just set the lease.
        renew.tick().await;
        loop {
            tokio::select! {
                result = &mut work => {
                    return match result {
                        Ok(result) => result,
                        Err(panic) => Err(anyhow::anyhow!("handler panicked: {}", panic_message(&panic))),
                    };
                }
                _ = renew.tick() => {
                    let now = self.clock.now();
                    match store::extend_lease(&self.db, lease, now, now + self.lease()).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!("job lease lost while running"),
                        Err(e) => tracing::warn!(error = %e, "renewing a job lease failed"),
                    }
                }
            }
        }
    }

    fn lease(&self) -> chrono::Duration {
        // Durations beyond chrono's range are not meaningful leases; fall back to the default.
        chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(5))
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
