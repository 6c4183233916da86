//! What a resolver reads from the request context.

use async_graphql::Context;
use chrono::{FixedOffset, NaiveDate, Utc};

use crate::{
    auth::caller::Caller,
    error::{AppError, AppResult},
    graphql::loaders::Loaders,
    state::AppState,
};

impl RequestContext {
    /// Whether the caller manages this seller, including one joined during this request.
    pub fn manages_seller(&self, seller_id: uuid::Uuid) -> bool {
        self.caller.manages_seller(seller_id)
            || self
                .granted_sellers
                .lock()
                .is_ok_and(|granted| granted.contains(&seller_id))
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
}

pub fn attach(
    state: &AppState,
    request: async_graphql::Request,
    caller: Caller,
    client: String,
) -> async_graphql::Request {
    request.data(RequestContext {
        loaders: Loaders::new(&state.db),
        caller,
        client,
        granted_sellers: Default::default(),
        today: today_wib(),
    })
}

pub fn today_wib() -> NaiveDate {
    match FixedOffset::east_opt(7 * 3600) {
        Some(wib) => Utc::now().with_timezone(&wib).date_naive(),
        None => Utc::now().date_naive(),
    }
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
    /// The signed-in user, or UNAUTHENTICATED.
    fn user(&self) -> AppResult<&crate::auth::caller::UserCaller> {
        self.caller()?.user().ok_or(AppError::Unauthenticated)
    }
    /// An administrator, or UNAUTHENTICATED / FORBIDDEN.
    fn admin(&self) -> AppResult<&crate::auth::caller::UserCaller> {
        let user = self.user()?;
        if user.is_admin {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
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
