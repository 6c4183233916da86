//! The SQL of the queue: claiming a due job under a lease, and recording each outcome. Every
//! write after the claim is fenced on (id, RUNNING, locked_by, attempts), so a runner whose
//! lease expired and whose job was re-claimed cannot overwrite the new owner's state.

use chrono::{DateTime, Utc};
use entity::{enums::JobStatus, job};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, ExprTrait, QueryFilter,
    Statement, Value, sea_query::Expr,
};
use uuid::Uuid;

/// Longest `last_error` kept; a handler's error chain can be arbitrarily long.
const MAX_ERROR_CHARS: usize = 4000;

/// The identity a runner writes into `locked_by`, plus the attempt number it claimed.
#[derive(Debug, Clone)]
pub struct Lease<'a> {
    pub id: Uuid,
    pub runner: &'a str,
    pub attempt: i32,
}

/// Claims the oldest due job of one of `kinds` for `runner` until `locked_until`, and returns
/// it with `attempts` already counting this attempt. Due means QUEUED with `run_at <= now`,
/// or RUNNING with an expired lease (its runner died) and attempts left.
///
/// PostgreSQL: the subquery takes the row with `FOR UPDATE SKIP LOCKED`, so concurrent
/// claimants each lock a different row instead of waiting for, or both getting, the same one.
/// SQLite: an UPDATE takes the database write lock before it reads, so claims are serialised;
/// the outer condition re-checks the state anyway. A claim that finds the database busy
/// returns `None` ("nothing claimed, try later") rather than an error.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    kinds: &[String],
    runner: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<Option<job::Model>, DbErr> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    let lock = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    // $1 runner, $2 lease end, $3 now, $4.. kinds. `$N` placeholders work on both backends.
    let kind_params = (0..kinds.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let due = "((status = 'QUEUED' AND run_at <= $3) \
               OR (status = 'RUNNING' AND locked_until < $3 AND attempts < max_attempts))";
    let sql = format!(
        "UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, locked_by = $1, \
         locked_until = $2, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({kind_params}) AND {due} \
         ORDER BY run_at, id LIMIT 1{lock}) AND {due} \
         RETURNING id, kind, payload, status, attempts, max_attempts, run_at, locked_by, \
         locked_until, last_error, created_at, updated_at"
    );
    let mut values: Vec<Value> = vec![runner.into(), locked_until.into(), now.into()];
    values.extend(kinds.iter().map(|k| Value::from(k.as_str())));
    let statement = Statement::from_sql_and_values(backend, sql, values);
    match job::Entity::find().from_raw_sql(statement).one(db).await {
        Ok(claimed) => Ok(claimed),
        Err(e) if backend == DatabaseBackend::Sqlite && is_sqlite_busy(&e) => {
            tracing::debug!(error = %e, "job claim found the database busy; will retry");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Declares DEAD every job whose lease expired during its final attempt: its runner crashed
/// or stalled, and no attempts are left to re-run it. Returns how many.
pub async fn reap_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Dead))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            job::Column::LastError,
            Expr::value("lease expired during the final attempt (runner crashed or stalled)"),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Status.eq(JobStatus::Running))
        .filter(job::Column::LockedUntil.lt(now))
        .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
        .exec(db)
        .await;
    match result {
        Ok(r) => Ok(r.rows_affected),
        Err(e) if db.get_database_backend() == DatabaseBackend::Sqlite && is_sqlite_busy(&e) => {
            Ok(0)
        }
        Err(e) => Err(e),
    }
}

/// Moves the lease end of a job this runner still holds. False when the lease was lost.
pub async fn extend_lease<C: ConnectionTrait>(
    db: &C,
    lease: &Lease<'_>,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = fenced(lease)
        .col_expr(job::Column::LockedUntil, Expr::value(locked_until))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records success. False when the lease was lost (another runner owns the job now).
pub async fn succeed<C: ConnectionTrait>(
    db: &C,
    lease: &Lease<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = release(fenced(lease), JobStatus::Succeeded, now)
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records a failed attempt: back to QUEUED at `retry_at`, or DEAD when `retry_at` is `None`.
/// False when the lease was lost.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    lease: &Lease<'_>,
    error: &str,
    now: DateTime<Utc>,
    retry_at: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let update = match retry_at {
        Some(at) => release(fenced(lease), JobStatus::Queued, now)
            .col_expr(job::Column::RunAt, Expr::value(at)),
        None => release(fenced(lease), JobStatus::Dead, now),
    };
    let result = update
        .col_expr(job::Column::LastError, Expr::value(error))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

fn fenced(lease: &Lease<'_>) -> sea_orm::UpdateMany<job::Entity> {
    job::Entity::update_many()
        .filter(job::Column::Id.eq(lease.id))
        .filter(job::Column::Status.eq(JobStatus::Running))
        .filter(job::Column::LockedBy.eq(lease.runner))
        .filter(job::Column::Attempts.eq(lease.attempt))
}

fn release(
    update: sea_orm::UpdateMany<job::Entity>,
    status: JobStatus,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<job::Entity> {
    update
        .col_expr(job::Column::Status, Expr::value(status))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
}

/// SQLITE_BUSY / SQLITE_LOCKED after the busy timeout: another connection holds the write lock.
fn is_sqlite_busy(e: &DbErr) -> bool {
    let message = e.to_string();
    message.contains("database is locked") || message.contains("database table is locked")
}
