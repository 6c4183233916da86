//! The query root, merged from the areas like the mutations; each area keeps its entry points
//! in its own `query` module, apart from its object types.

use async_graphql::MergedObject;

use crate::graphql::{
    accounts::query::AccountsQuery, catalog::query::CatalogQuery, node::query::NodeQuery,
    outlets::query::OutletsQuery, regions::query::RegionsQuery, sellers::query::SellersQuery,
};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    CatalogQuery,
    SellersQuery,
    OutletsQuery,
    RegionsQuery,
    AccountsQuery,
    NodeQuery,
);
