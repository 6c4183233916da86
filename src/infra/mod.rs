//! Swappable adapters around external services.

pub mod cache;
pub mod db;
pub mod events;
pub mod files;
pub mod hashing;
pub mod media;
pub mod metrics;
pub mod rate_limit;
pub mod redis;
pub mod redis_events;
pub mod response_cache;
