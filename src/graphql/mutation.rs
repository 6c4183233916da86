//! Every mutation, merged from the areas.

use async_graphql::MergedObject;

use crate::graphql::{
    accounts::AccountsMutation, catalog::mutation::CatalogMutation,
    outlets::mutation::OutletsMutation, photos::mutation::PhotosMutation,
    sellers::mutation::SellersMutation,
};

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AccountsMutation,
    SellersMutation,
    CatalogMutation,
    OutletsMutation,
    PhotosMutation,
);
