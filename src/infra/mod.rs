//! Swappable adapters around external services.

pub mod cache;
pub mod db;
pub mod events;
pub mod files;
pub mod hashing;
pub mod media;
pub mod metrics;
