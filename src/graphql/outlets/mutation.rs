//! Mutations of this area.

use async_graphql::Object;

#[derive(Default)]
pub struct OutletsMutation;

#[Object]
impl OutletsMutation {
    /// Placeholder until the area's mutations land; always false.
    async fn _outlets_pending(&self) -> bool {
        false
    }
}
