//! What a resolver reads from the request context.

use async_graphql::Context;
use chrono::NaiveDate;

use crate::{
    auth::{caller::Caller, policy},
    domain::opening_hours::WIB,
    error::{AppError, AppResult},
    graphql::{loaders::Loaders, scalars::DateTime},
    services::tx::Tx,
    state::AppState,
};

impl RequestContext {
    /// Whether the caller may see this seller's private data, counting a seller joined during
    /// this request.
    pub fn sees_private_seller_data(&self, seller_id: uuid::Uuid) -> bool {
        let joined = self
            .granted_sellers
            .lock()
            .map(|g| g.clone())
            .unwrap_or_default();
        policy::may_see_private_seller_data(&self.caller, seller_id, &joined)
    }

    /// Whether the caller may see this seller at all (public, or managed by the caller, counting
    /// a seller joined during this request).
    pub fn sees_seller(&self, seller_id: uuid::Uuid, status: entity::enums::SellerStatus) -> bool {
        policy::may_view_seller(&self.caller, seller_id, status)
            || self.sees_private_seller_data(seller_id)
    }
}

/// Per-request data.
pub struct RequestContext {
    pub loaders: Loaders,
    /// Who is calling, resolved from the Authorization header before execution.
    pub caller: Caller,
    /// The client's address, for login throttling.
    pub client: String,
    /// Sellers the caller became a member of during this request (applyAsSeller), so that the
    /// mutation's own payload shows them as their member sees them.
    pub granted_sellers: std::sync::Mutex<Vec<uuid::Uuid>>,
    /// The calendar date in WIB (UTC+7), against which permit expiry is judged.
    pub today: NaiveDate,
    /// The instant the request is answered at, read once from the application's clock, so that
    /// every field of one response (opening hours, expiry) agrees on the time.
    pub now: DateTime,
}

pub fn attach(
    state: &AppState,
    request: async_graphql::Request,
    caller: Caller,
    client: String,
) -> async_graphql::Request {
    let now = DateTime(state.clock.now());
    request.data(RequestContext {
        loaders: Loaders::new(&state.db),
        caller,
        client,
        granted_sellers: Default::default(),
        today: now.0.with_timezone(&WIB).date_naive(),
        now,
    })
}

pub trait ContextExt {
    fn state(&self) -> AppResult<&AppState>;
    fn request(&self) -> AppResult<&RequestContext>;
    fn loaders(&self) -> AppResult<&Loaders> {
        Ok(&self.request()?.loaders)
    }
    fn caller(&self) -> AppResult<&Caller> {
        Ok(&self.request()?.caller)
    }
    /// Opens a unit of work for a mutation; its events go out when it commits.
    fn begin(&self) -> impl std::future::Future<Output = AppResult<Tx>> + Send
    where
        Self: Sync,
    {
        async move {
            let state = self.state()?;
            Tx::begin(&state.db, &state.events).await
        }
    }
}

fn missing(what: &str) -> AppError {
    AppError::internal(anyhow::anyhow!("{what} missing from the GraphQL context"))
}

impl ContextExt for Context<'_> {
    fn state(&self) -> AppResult<&AppState> {
        self.data_opt::<AppState>()
            .ok_or_else(|| missing("AppState"))
    }

    fn request(&self) -> AppResult<&RequestContext> {
        self.data_opt::<RequestContext>()
            .ok_or_else(|| missing("RequestContext"))
    }
}
