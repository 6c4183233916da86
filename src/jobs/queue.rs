//! Putting jobs on the queue.

use anyhow::Context;
use chrono::{DateTime, Utc};
use entity::{enums::JobStatus, job};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

/// Options of one enqueued job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnqueueOptions {
    /// Earliest time to run; `None` means now.
    pub run_at: Option<DateTime<Utc>>,
    /// Attempts before the job is declared DEAD (at least 1).
    pub max_attempts: i32,
}

impl Default for EnqueueOptions {
    fn default() -> Self {
        EnqueueOptions {
            run_at: None,
            max_attempts: 5,
        }
    }
}

impl EnqueueOptions {
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts;
        self
    }
}

/// Adds a job of `kind` and returns its id. Pass the caller's transaction as `db` to make the
/// job part of that write: it appears when the transaction commits and vanishes with a
/// rollback, so there is never a job for a change that did not happen (or the reverse).
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: &impl Serialize,
    options: EnqueueOptions,
) -> anyhow::Result<Uuid> {
    let payload = serde_json::to_string(payload)
        .with_context(|| format!("serialising the payload of a {kind} job"))?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let row = job::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        payload: Set(payload),
        status: Set(JobStatus::Queued),
        attempts: Set(0),
        max_attempts: Set(options.max_attempts.max(1)),
        run_at: Set(options.run_at.unwrap_or(now)),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    job::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .with_context(|| format!("enqueueing a {kind} job"))?;
    Ok(id)
}
