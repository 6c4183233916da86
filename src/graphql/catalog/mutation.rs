//! Mutations of this area.

use async_graphql::Object;

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Placeholder until the area's mutations land; always false.
    async fn _catalog_pending(&self) -> bool {
        false
    }
}
