//! Entry points of accounts: who is calling, and the kiosks (administrators).

use async_graphql::{Context, ID, Object};

use crate::error::AppResult;

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// Who is calling; null for anonymous callers and kiosks (a kiosk asks `kioskViewer`).
    #[graphql(complexity = "crate::graphql::cost::lookup(1, child_complexity)")]
    async fn viewer(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::accounts::Viewer>> {
        crate::graphql::accounts::viewer(ctx).await
    }

    /// The kiosk calling with `Authorization: Kiosk <credential>`, with its outlet; null for
    /// every other caller. `viewer` and `kioskViewer` are never both set, so a client asks for
    /// both and shows whichever is there.
    #[graphql(complexity = "crate::graphql::cost::lookup(1, child_complexity)")]
    async fn kiosk_viewer(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::accounts::Kiosk>> {
        crate::graphql::accounts::kiosk_viewer(ctx).await
    }

    /// Administrators: registered kiosks, optionally of one outlet, oldest first.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn kiosks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the kiosks of this outlet.")] outlet_id: Option<ID>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<crate::graphql::connection::Conn<crate::graphql::accounts::Kiosk>> {
        crate::graphql::accounts::kiosks(ctx, outlet_id, first, after).await
    }
}
