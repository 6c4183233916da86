//! The GraphQL API: schema built once at start-up, executed per request with fresh loaders.

pub mod account_limits;
pub mod accounts;
pub mod args;
pub mod catalog;
pub mod connection;
pub mod context;
pub mod cost;
pub mod document;
pub mod enums;
pub mod loaders;
pub mod mutation;
pub mod node;
pub mod null_propagation;
pub mod outlets;
pub mod payload;
pub mod photos;
pub mod prefetch;
pub mod query;
pub mod regions;
pub mod scalars;
pub mod sellers;
pub mod text_hygiene;

use async_graphql::{EmptySubscription, Schema};

use crate::{auth::caller::Caller, state::AppState};

pub type AppSchema = Schema<query::QueryRoot, mutation::MutationRoot, EmptySubscription>;

/// Builds the schema once; the same instance serves every worker and request.
pub fn build_schema(state: &AppState) -> AppSchema {
    let limits = state.settings.limits;
    let mut builder = Schema::build(
        query::QueryRoot::default(),
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .data(state.clone())
    .limit_depth(limits.max_depth)
    // The cost limit (with aliases and root fields) is the guard's, so that it answers its own
    // code and a batch can share one budget.
    .extension(cost::CostGuard(limits))
    .extension(text_hygiene::TextHygiene)
    // async-graphql drops a failed field's key; this restores null propagation.
    .extension(null_propagation::NullPropagation)
    .limit_recursive_depth(32)
    .limit_directives(20);
    if state.settings.is_production() {
        // "Did you mean …" would map the private schema for a prober.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        query::QueryRoot::default(),
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}

/// Executes one anonymous request with its own loaders (batching and caching never cross requests).
pub async fn execute(
    schema: &AppSchema,
    state: &AppState,
    request: async_graphql::Request,
) -> async_graphql::Response {
    execute_as(schema, state, request, Caller::Anonymous, "local".into()).await
}

/// Executes one request on behalf of a resolved caller.
pub async fn execute_as(
    schema: &AppSchema,
    state: &AppState,
    request: async_graphql::Request,
    caller: Caller,
    client: String,
) -> async_graphql::Response {
    schema
        .execute(context::attach(state, request, caller, client))
        .await
}
