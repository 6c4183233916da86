//! Business logic per area. No actix or async-graphql types here: services take a database
//! connection and plain values, so they are testable on SQLite directly.

pub mod accounts;
pub mod catalog;
pub mod keyset;
pub mod onboarding;
pub mod outlet_admin;
pub mod outlets;
pub mod photo_uploads;
pub mod photos;
pub mod products;
pub mod regions;
pub mod search;
pub mod seller_history;
pub mod sellers;
pub mod tx;
