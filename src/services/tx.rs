//! A unit of work: one database transaction plus the domain events its writes will publish.
//!
//! Write services take `&mut Tx`, never a pool, so a caller can put several of them into one
//! transaction (an order and its stock changes; a thousand rows of an import). The caller
//! ends the unit with [`Tx::finish`]: on success it commits and only then publishes the events;
//! on failure the transaction rolls back when dropped and nothing is published.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::{domain::events::DomainEvent, error::AppResult, infra::events::EventBus};

pub struct Tx {
    txn: DatabaseTransaction,
    events: Vec<DomainEvent>,
    bus: EventBus,
    now: DateTime<Utc>,
}

impl Tx {
    /// Opens a transaction on `db` whose events go to `bus` once it commits.
    ///
    /// On SQLite the transaction is `BEGIN IMMEDIATE`: it takes the write lock at once (waiting
    /// up to the busy timeout for another writer), instead of reading first and failing with
    /// "database is locked" when it tries to write after another writer committed. PostgreSQL
    /// ignores the option.
    pub async fn begin(db: &DatabaseConnection, bus: &EventBus) -> AppResult<Self> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        Ok(Tx {
            txn: db.begin_with_options(options).await?,
            events: Vec::new(),
            bus: bus.clone(),
            // Microseconds, as PostgreSQL stores them: a stamp read back equals the one written
            // (seller versions compare `updated_at`).
            now: Utc::now().trunc_subsecs(6),
        })
    }

    /// The open transaction, for queries and writes (it implements `ConnectionTrait`).
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The time of this unit of work: every row it stamps gets the same instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records an event to publish after commit.
    pub fn emit(&mut self, event: DomainEvent) {
        if !self.events.contains(&event) {
            self.events.push(event);
        }
    }

    /// Commits and publishes when `result` is a success; rolls back (publishing nothing) and
    /// returns the failure otherwise.
    pub async fn finish<T>(self, result: AppResult<T>) -> AppResult<T> {
        match result {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(err) => {
                // The caller's failure is the answer; a failed rollback only ends the
                // transaction on the server side, as dropping it would.
                if let Err(rollback) = self.txn.rollback().await {
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(err)
            }
        }
    }

    /// Brings the search index up to date with this unit's writes (inside the transaction, so
    /// a search right after the commit sees them), commits, then publishes the recorded events
    /// (after the commit hooks, such as the response cache's invalidation, have run).
    pub async fn commit(self) -> AppResult<()> {
        crate::services::search::apply(&self.txn, &self.events).await?;
        self.txn.commit().await?;
        self.bus.publish_committed(self.events).await;
        Ok(())
    }
}
