//! The durable job queue: retries with backoff, the dead-letter state, exactly-once claims
//! across runners, transactional enqueue and lease expiry. Runs on SQLite by default and on
//! PostgreSQL when TEST_DATABASE_URL is set (an unreachable server fails, never skips).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use crate::helpers;
use chrono::{DurationRound, TimeDelta, Utc};
use entity::{enums::JobStatus, job};
use pasar_oleh::{
    infra::db,
    jobs::{
        self, Clock, EnqueueOptions, ManualClock, Outcome, Registry, RetryPolicy, Runner,
        RunnerConfig,
    },
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// A migrated database no other test uses, and its URL (for a second pool on the same data).
async fn fresh_db() -> (DatabaseConnection, String) {
    let url = helpers::fresh_database_url(&helpers::scratch_dir()).await;
    let db = connect(&url).await;
    db::migrate(&db).await.unwrap();
    (db, url)
}

/// A pool configured as the application's.
async fn connect(url: &str) -> DatabaseConnection {
    db::connect(url, 5).await.unwrap().0
}

async fn load(db: &DatabaseConnection, id: Uuid) -> job::Model {
    job::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

/// Whole seconds, so times survive the database round trip exactly; one second ahead of the
/// wall clock, so jobs just enqueued for "now" are due.
fn test_now() -> chrono::DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap() + TimeDelta::seconds(1)
}

fn config(runner_id: &str) -> RunnerConfig {
    RunnerConfig {
        runner_id: runner_id.to_owned(),
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(60),
        retry: RetryPolicy {
            base: Duration::from_secs(30),
            max: Duration::from_secs(600),
            jitter: 0.0,
        },
    }
}

#[tokio::test]
async fn a_job_that_fails_twice_then_succeeds_is_retried_with_backoff() {
    let (db, _) = fresh_db().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let counter = calls.clone();
    registry.register_fn("flaky", move |payload| {
        let attempt = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            assert_eq!(payload, json!({ "product": 7 }));
            anyhow::ensure!(attempt > 2, "boom {attempt}");
            Ok(())
        }
    });
    let id = jobs::enqueue(
        &db,
        "flaky",
        &json!({ "product": 7 }),
        EnqueueOptions::default(),
    )
    .await
    .unwrap();
    let clock = ManualClock::new(test_now());
    let t0 = clock.now();
    let runner = Runner::new(db.clone(), registry, config("a")).with_clock(clock.clone());

    let first = runner.tick().await.unwrap().unwrap();
    assert_eq!(first.job_id, id);
    assert_eq!(
        first.outcome,
        Outcome::Retrying {
            run_at: t0 + TimeDelta::seconds(30)
        }
    );
    let job = load(&db, id).await;
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.attempts, 1);
    assert_eq!(job.run_at, t0 + TimeDelta::seconds(30));
    assert_eq!(job.last_error.as_deref(), Some("boom 1"));
    assert_eq!(job.locked_by, None);

    // Backoff: not due until run_at.
    clock.advance(TimeDelta::seconds(29));
    assert!(runner.tick().await.unwrap().is_none());
    clock.advance(TimeDelta::seconds(1));
    let second = runner.tick().await.unwrap().unwrap();
    let t1 = t0 + TimeDelta::seconds(30);
    assert_eq!(
        second.outcome,
        Outcome::Retrying {
            run_at: t1 + TimeDelta::seconds(60)
        }
    );
    let job = load(&db, id).await;
    assert_eq!((job.attempts, job.run_at), (2, t1 + TimeDelta::seconds(60)));
    assert_eq!(job.last_error.as_deref(), Some("boom 2"));

    clock.advance(TimeDelta::seconds(59));
    assert!(runner.tick().await.unwrap().is_none());
    clock.advance(TimeDelta::seconds(1));
    let third = runner.tick().await.unwrap().unwrap();
    assert_eq!(third.outcome, Outcome::Succeeded);
    assert_eq!(third.attempt, 3);

    let job = load(&db, id).await;
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.attempts, 3);
    assert_eq!((job.locked_by, job.locked_until), (None, None));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(runner.tick().await.unwrap().is_none());
}

#[tokio::test]
async fn a_job_that_always_fails_is_dead_after_max_attempts() {
    let (db, _) = fresh_db().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let counter = calls.clone();
    registry.register_fn("doomed", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Err(anyhow::anyhow!("supplier API down").context("checking halal expiry")) }
    });
    let id = jobs::enqueue(
        &db,
        "doomed",
        &json!({}),
        EnqueueOptions::default().max_attempts(3),
    )
    .await
    .unwrap();
    let clock = ManualClock::new(test_now());
    let runner = Runner::new(db.clone(), registry, config("a")).with_clock(clock.clone());

    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let ran = runner.tick().await.unwrap().unwrap();
        outcomes.push(ran.outcome);
        clock.advance(TimeDelta::hours(1));
    }
    assert!(matches!(outcomes[0], Outcome::Retrying { .. }));
    assert!(matches!(outcomes[1], Outcome::Retrying { .. }));
    assert_eq!(outcomes[2], Outcome::Dead);

    let job = load(&db, id).await;
    assert_eq!(job.status, JobStatus::Dead);
    assert_eq!(job.attempts, 3);
    assert_eq!(
        job.last_error.as_deref(),
        Some("checking halal expiry: supplier API down")
    );
    clock.advance(TimeDelta::days(1));
    assert!(runner.tick().await.unwrap().is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// Counts executions per job across runners.
fn counting_registry(executions: &Arc<Mutex<HashMap<u64, usize>>>) -> Registry {
    let executions = executions.clone();
    let mut registry = Registry::new();
    registry.register_fn("count", move |payload| {
        let executions = executions.clone();
        async move {
            let n = payload["n"].as_u64().unwrap();
            *executions.lock().unwrap().entry(n).or_default() += 1;
            // Hold the job a moment so the other runner's claims overlap with this one.
            tokio::time::sleep(Duration::from_millis(2)).await;
            Ok(())
        }
    });
    registry
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_runners_execute_each_job_exactly_once() {
    let (db, url) = fresh_db().await;
    let executions = Arc::new(Mutex::new(HashMap::new()));
    // Separate pools, as on two API servers.
    let a = Runner::new(
        connect(&url).await,
        counting_registry(&executions),
        config("server-a"),
    );
    let b = Runner::new(
        connect(&url).await,
        counting_registry(&executions),
        config("server-b"),
    );

    // One job, raced for by both runners, several times over.
    for round in 0..10 {
        jobs::enqueue(
            &db,
            "count",
            &json!({ "n": round }),
            EnqueueOptions::default(),
        )
        .await
        .unwrap();
        let (ran_a, ran_b) = tokio::join!(a.run_until_idle(), b.run_until_idle());
        assert_eq!(ran_a.unwrap() + ran_b.unwrap(), 1, "round {round}");
    }
    assert!(executions.lock().unwrap().values().all(|&n| n == 1));

    // Fifty jobs, two spawned runner loops.
    for n in 100..150 {
        jobs::enqueue(&db, "count", &json!({ "n": n }), EnqueueOptions::default())
            .await
            .unwrap();
    }
    let handles = [
        Runner::spawn(
            connect(&url).await,
            counting_registry(&executions),
            config("server-c"),
        ),
        Runner::spawn(
            connect(&url).await,
            counting_registry(&executions),
            config("server-d"),
        ),
    ];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = job::Entity::find()
            .filter(job::Column::Status.eq(JobStatus::Succeeded))
            .count(&db)
            .await
            .unwrap();
        if done == 60 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {done} of 60 jobs done"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for handle in handles {
        handle.stop().await;
    }

    let executions = executions.lock().unwrap().clone();
    assert_eq!(executions.len(), 60);
    let repeated: Vec<_> = executions.iter().filter(|&(_, &n)| n != 1).collect();
    assert!(repeated.is_empty(), "executed more than once: {repeated:?}");
    let all = job::Entity::find().all(&db).await.unwrap();
    assert!(
        all.iter()
            .all(|j| j.status == JobStatus::Succeeded && j.attempts == 1)
    );
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() {
    let (db, _) = fresh_db().await;

    let txn = db.begin().await.unwrap();
    jobs::enqueue(&txn, "count", &json!({ "n": 1 }), EnqueueOptions::default())
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(job::Entity::find().count(&db).await.unwrap(), 0);

    let txn = db.begin().await.unwrap();
    let id = jobs::enqueue(&txn, "count", &json!({ "n": 2 }), EnqueueOptions::default())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(load(&db, id).await.status, JobStatus::Queued);
}

#[tokio::test]
async fn an_expired_lease_makes_a_job_claimable_again() {
    let (db, _) = fresh_db().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    let counter = calls.clone();
    registry.register_fn("stall_once", move |_| {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if call == 0 {
                // The first runner "crashes" mid-job: its future is dropped below.
                std::future::pending::<()>().await;
            }
            Ok(())
        }
    });
    let retried = jobs::enqueue(&db, "stall_once", &json!({}), EnqueueOptions::default())
        .await
        .unwrap();
    let clock = ManualClock::new(test_now());
    let t0 = clock.now();
    let crashed =
        Runner::new(db.clone(), registry.clone(), config("crashed")).with_clock(clock.clone());
    let survivor = Runner::new(db.clone(), registry, config("survivor")).with_clock(clock.clone());

    let stalled = tokio::time::timeout(Duration::from_millis(200), crashed.tick()).await;
    assert!(stalled.is_err(), "the first attempt should hang");
    let job = load(&db, retried).await;
    assert_eq!(job.status, JobStatus::Running);
    assert_eq!(job.locked_by.as_deref(), Some("crashed"));
    assert_eq!(job.locked_until, Some(t0 + TimeDelta::seconds(60)));

    // Still leased: nobody else may take it.
    clock.advance(TimeDelta::seconds(59));
    assert!(survivor.tick().await.unwrap().is_none());

    clock.advance(TimeDelta::seconds(2));
    let ran = survivor.tick().await.unwrap().unwrap();
    assert_eq!(ran.job_id, retried);
    assert_eq!(ran.attempt, 2);
    assert_eq!(ran.outcome, Outcome::Succeeded);
    let job = load(&db, retried).await;
    assert_eq!((job.status, job.attempts), (JobStatus::Succeeded, 2));
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A job whose final attempt's lease expires has no attempt left: it is dead, not re-run.
    let last = jobs::enqueue(
        &db,
        "stall_once",
        &json!({}),
        EnqueueOptions::default().max_attempts(1),
    )
    .await
    .unwrap();
    calls.store(0, Ordering::SeqCst);
    let stalled = tokio::time::timeout(Duration::from_millis(200), crashed.tick()).await;
    assert!(stalled.is_err());
    clock.advance(TimeDelta::seconds(61));
    assert!(survivor.tick().await.unwrap().is_none());
    let job = load(&db, last).await;
    assert_eq!((job.status, job.attempts), (JobStatus::Dead, 1));
    assert!(job.last_error.unwrap().contains("lease expired"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
