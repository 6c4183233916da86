//! The one integration-test binary (`cargo test --test api`): the harness in `helpers`, then one
//! module per area of the product. A new area adds its `mod` line to the list below.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

// Area modules, one per area of the product (a new area, e.g. jobs.rs, adds its line here):
mod account_abuse;
mod accounts;
mod architecture;
mod auth_tokens;
mod authorization_matrix;
mod catalog_additions;
mod catalog_contract;
mod catalog_queries;
mod catalog_visibility;
mod client_contract;
mod clients;
mod dataloader_bound;
mod edge;
mod fuzz;
mod http;
mod input_hygiene;
mod jobs;
mod media;
mod metrics;
mod nested_connections;
mod onboarding;
mod opening_hours;
mod outlet_admin;
mod persisted_queries;
mod photos;
mod query_cost;
mod rate_limits;
mod schema;
mod search;
mod security_publish;
mod seed;
mod seller_history;
mod shared_cache;
mod units_of_work;
mod user_errors;
