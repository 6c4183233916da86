//! A bounded pool for password hashing and verification.
//!
//! Argon2 costs tens of milliseconds of CPU and 19 MiB per call. Run on the async workers it
//! stalls every other request on that worker, so each call runs on tokio's blocking threads, at
//! most `concurrency` at a time. At most `queue` more may wait for a slot; beyond that a call is
//! refused at once with `AppError::Busy` rather than piling up work nobody will wait for.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct HashPool {
    /// Calls hashing now.
    running: Arc<Semaphore>,
    /// Calls hashing or waiting for a slot.
    admitted: Arc<Semaphore>,
}

impl HashPool {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        HashPool {
            running: Arc::new(Semaphore::new(concurrency)),
            admitted: Arc::new(Semaphore::new(concurrency + queue)),
        }
    }

    /// Runs `work` on a blocking thread once a slot is free; `Busy` when the queue is full.
    /// The permits travel with the work, so a client that hangs up does not free a slot
    /// before its hash is done.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _permits = (admitted, running);
            work()
        })
        .await
        .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_beyond_the_queue() {
        let pool = HashPool::new(1, 1);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(move || rx.recv().ok()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let second = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| 2).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(pool.run(|| 3).await, Err(AppError::Busy)));
        tx.send(()).unwrap();
        assert!(first.await.unwrap().is_ok());
        assert_eq!(second.await.unwrap().unwrap(), 2);
        assert_eq!(pool.run(|| 4).await.unwrap(), 4);
    }
}
