//! Swappable adapters around external services.

pub mod db;
pub mod media;
