//! Durable background jobs stored in the `jobs` table of the application database.
//!
//! Enqueue with [`enqueue`] on any connection, including the caller's open transaction, so a
//! job exists exactly when the write that asked for it commits. A [`Runner`] claims due jobs
//! with a lease, runs the [`JobHandler`] registered for their kind, and records the outcome:
//! success, a retry after exponential backoff, or DEAD after `max_attempts`. Several runners
//! (one per API server) may share a database; a claim hands a job to one runner only.
//! docs/jobs.md describes the table, the claim protocol per backend and the retry rules.

mod clock;
mod handler;
mod queue;
mod retry;
mod runner;
mod store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use handler::{JobFuture, JobHandler, Registry};
pub use queue::{EnqueueOptions, enqueue};
pub use retry::RetryPolicy;
pub use runner::{Outcome, Runner, RunnerConfig, RunnerHandle, TickResult};
