//! Mutations of this area.

use async_graphql::Object;

#[derive(Default)]
pub struct SellersMutation;

#[Object]
impl SellersMutation {
    /// Placeholder until the area's mutations land; always false.
    async fn _sellers_pending(&self) -> bool {
        false
    }
}
