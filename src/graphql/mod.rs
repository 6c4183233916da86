//! The GraphQL API: schema built once at start-up, executed per request with fresh loaders.

pub mod catalog;
pub mod connection;
pub mod context;
pub mod enums;
pub mod loaders;
pub mod node;
pub mod outlets;
pub mod prefetch;
pub mod query;
pub mod regions;
pub mod sellers;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::state::AppState;

pub type AppSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema once; the same instance serves every worker and request.
pub fn build_schema(state: &AppState) -> AppSchema {
    let limits = state.settings.limits;
    let mut builder = Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .data(state.clone())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(32)
        .limit_directives(20);
    if state.settings.is_production() {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// Executes one request with its own loaders (so batching and caching never cross requests).
pub async fn execute(
    schema: &AppSchema,
    state: &AppState,
    request: async_graphql::Request,
) -> async_graphql::Response {
    schema.execute(context::attach(state, request)).await
}
