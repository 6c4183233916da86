//! Every mutation, merged from the areas.

use async_graphql::MergedObject;

use crate::graphql::accounts::AccountsMutation;

#[derive(MergedObject, Default)]
pub struct MutationRoot(AccountsMutation);
