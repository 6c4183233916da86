//! Pasar Oleh: the GraphQL API backend of a marketplace for oleh-oleh made by Indonesian UMKM.

pub mod auth;
pub mod domain;
pub mod error;
pub mod fixtures;
pub mod graphql;
pub mod http;
pub mod i18n;
pub mod infra;
pub mod jobs;
pub mod media_pipeline;
pub mod services;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
