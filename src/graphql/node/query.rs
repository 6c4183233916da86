//! The Relay entry point: any object by its global ID.

use async_graphql::{Context, ID, Object};

use crate::{
    error::AppResult,
    graphql::node::{self, Node},
};

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or is not public.
    #[graphql(complexity = "crate::graphql::cost::lookup(2, child_complexity)")]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        node::resolve(ctx, &id).await
    }
}
