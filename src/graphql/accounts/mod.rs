//! Accounts: registration, tokens, the viewer, kiosk devices.

pub mod query;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{kiosk, user};

use crate::{
    auth::{caller::Caller, policy},
    domain::{
        cursor::Page,
        global_id::{GlobalId, NodeKind},
    },
    error::{AppError, AppResult},
    graphql::{
        connection::{Conn, CountQuery, page_of},
        context::ContextExt,
        outlets::Outlet,
        payload::{UserError, split},
        scalars::DateTime,
        sellers::Seller,
    },
    infra::rate_limit::{self, LimitedAction},
    services::{
        accounts::{self, Guard, IssuedTokens, Refresh, RegisterInput, TokenIssuer},
        keyset, outlets, sellers,
    },
    state::AppState,
};

/// The abuse guards of an account mutation: hashing pool, counters, the client's address.
fn guard<'a>(state: &'a AppState, client: &'a str) -> Guard<'a> {
    Guard {
        hashing: &state.hashing,
        throttle: &state.cache,
        client,
        registrations_per_address: state.settings.accounts.registrations_per_address,
    }
}

/// Spends one unit of the caller's budget per minute for `action`: every aliased or batched
/// call counts, because each one runs this resolver.
async fn rate_limited(ctx: &Context<'_>, action: LimitedAction) -> AppResult<()> {
    let state = ctx.state()?;
    let request = ctx.request()?;
    rate_limit::take(
        &state.cache,
        &state.settings.rate_limits,
        action,
        &policy::rate_limit_subject(&request.caller, &request.client),
        1,
    )
    .await
    .map_err(AppError::from)
}

fn issuer(state: &AppState) -> TokenIssuer<'_> {
    TokenIssuer {
        jwt: &state.jwt,
        refresh_ttl_days: state.settings.jwt.refresh_ttl_days,
        session_max_days: state.settings.jwt.session_max_days,
        grace_secs: state.settings.jwt.refresh_grace_secs,
    }
}

/// A role a user holds.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::auth::policy::Role")]
pub enum Role {
    /// Every signed-in user.
    Buyer,
    /// A member of at least one seller business.
    Seller,
    /// Staff of at least one outlet.
    OutletStaff,
    /// An administrator of the regency office.
    Admin,
}

/// A signed-in person.
pub struct User(pub user::Model);

#[Object]
impl User {
    /// User ID (a UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// E-mail address (lower-cased), when registered with one.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Mobile number in E.164 form (+62…), when registered with one.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// When the account was created (UTC).
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// Tokens of a login. Send the access token as `Authorization: Bearer <accessToken>`; before it
/// expires, exchange the refresh token with `refreshToken` (each refresh token works once).
#[derive(SimpleObject)]
pub struct AuthTokens {
    /// Short-lived JWT (at most 15 minutes).
    pub access_token: String,
    /// When the access token expires (UTC).
    pub access_token_expires_at: DateTime,
    /// Opaque single-use refresh token.
    pub refresh_token: String,
    /// When the refresh token expires (UTC).
    pub refresh_token_expires_at: DateTime,
}

impl From<IssuedTokens> for AuthTokens {
    fn from(t: IssuedTokens) -> Self {
        AuthTokens {
            access_token: t.access_token,
            access_token_expires_at: t.access_expires_at.into(),
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_expires_at.into(),
        }
    }
}

/// Who is calling.
pub struct Viewer {
    user: user::Model,
    caller: crate::auth::caller::UserCaller,
}

#[Object]
impl Viewer {
    /// The signed-in user.
    async fn user(&self) -> User {
        User(self.user.clone())
    }
    /// Roles held now.
    async fn roles(&self) -> Vec<Role> {
        policy::roles(&self.caller)
            .into_iter()
            .map(Role::from)
            .collect()
    }
    /// Seller businesses the user is a member of, in any verification state, by name (then id).
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn sellers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<Conn<Seller>> {
        let page = Page::parse(first, after.as_deref())?;
        let rows = sellers::any_status_by_ids(&ctx.state()?.db, &self.caller.seller_ids).await?;
        let total = rows.len() as u64;
        let paged = keyset::slice(rows, &sellers::by_name("viewer-sellers:name"), &page)?;
        Ok(page_of(paged, &page, CountQuery::Known(total), Seller))
    }
    /// Outlets the user works at, by code (then id).
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn outlets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<Conn<Outlet>> {
        let page = Page::parse(first, after.as_deref())?;
        let rows = outlets::outlets_by_ids(&ctx.state()?.db, &self.caller.outlet_ids).await?;
        let total = rows.len() as u64;
        let paged = keyset::slice(rows, &outlets::by_code("viewer-outlets:code"), &page)?;
        Ok(page_of(paged, &page, CountQuery::Known(total), Outlet))
    }
}

/// A kiosk device bound to one outlet. A kiosk learns which it is, and where it stands, from
/// `kioskViewer`.
pub struct Kiosk(pub kiosk::Model);

#[Object]
impl Kiosk {
    /// Kiosk ID (a UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name given by the administrator, e.g. "Kiosk pintu utara".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The outlet the kiosk is bound to: its `id`, `code` and `name` label the kiosk's screen.
    async fn outlet(&self, ctx: &Context<'_>) -> AppResult<Option<Outlet>> {
        Ok(ctx
            .loaders()?
            .outlets
            .load_one(self.0.outlet_id)
            .await?
            .map(Outlet))
    }
    /// When it was registered (UTC).
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Last time its credential was used (minute precision), if ever.
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(DateTime)
    }
    /// When it was revoked; a revoked kiosk's credential no longer works.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }
}

pub async fn viewer(ctx: &Context<'_>) -> AppResult<Option<Viewer>> {
    let Caller::User(caller) = ctx.caller()? else {
        return Ok(None);
    };
    let user = accounts::find_user(&ctx.state()?.db, caller.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Some(Viewer {
        user,
        caller: caller.clone(),
    }))
}

/// The kiosk calling with `Authorization: Kiosk …`; None for anyone else.
pub async fn kiosk_viewer(ctx: &Context<'_>) -> AppResult<Option<Kiosk>> {
    let Caller::Kiosk { kiosk_id, .. } = ctx.caller()? else {
        return Ok(None);
    };
    let kiosk = accounts::find_kiosk(&ctx.state()?.db, *kiosk_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Some(Kiosk(kiosk)))
}

pub async fn kiosks(
    ctx: &Context<'_>,
    outlet_id: Option<ID>,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<Conn<Kiosk>> {
    policy::may_manage_kiosks(ctx.caller()?)?;
    let outlet_id = outlet_id
        .map(|id| GlobalId::parse_kind(&id, NodeKind::Outlet, "outletId"))
        .transpose()?;
    let page = Page::parse(first, after.as_deref())?;
    let paged = accounts::list_kiosks(&ctx.state()?.db, outlet_id, &page).await?;
    // The outlets of the whole page in one statement.
    if !crate::graphql::prefetch::connection_nodes(ctx).is_empty() {
        let outlets = paged.rows.iter().map(|k| k.outlet_id);
        ctx.loaders()?.outlets.load_many(outlets).await?;
    }
    Ok(page_of(paged, &page, CountQuery::Kiosks(outlet_id), Kiosk))
}

#[derive(InputObject)]
pub struct RegisterUserInput {
    /// E-mail address; give this or `phone` (or both).
    pub email: Option<String>,
    /// Indonesian mobile number, in any usual spelling (0812…, +62 812…).
    pub phone: Option<String>,
    /// Name shown to others, 1 to 120 characters.
    pub display_name: String,
    /// At least 8 characters.
    pub password: String,
}

#[derive(SimpleObject)]
pub struct RegisterPayload {
    /// The new account; null when `userErrors` is not empty.
    pub user: Option<UserOut>,
    /// Tokens of the new account's first login, as `login` returns them, so sign-up needs no
    /// second call; null when `userErrors` is not empty.
    pub tokens: Option<AuthTokens>,
    pub user_errors: Vec<UserError>,
}

/// The same as `User`, for payloads.
#[derive(SimpleObject)]
pub struct UserOut {
    /// User ID (a UUID).
    pub id: ID,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address (lower-cased).
    pub email: Option<String>,
    /// Mobile number in E.164 form.
    pub phone: Option<String>,
}

impl From<user::Model> for UserOut {
    fn from(u: user::Model) -> Self {
        UserOut {
            id: ID(u.id.to_string()),
            display_name: u.display_name,
            email: u.email,
            phone: u.phone,
        }
    }
}

#[derive(InputObject)]
pub struct LoginInput {
    /// E-mail address or mobile number.
    pub identifier: String,
    pub password: String,
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Null when `userErrors` is not empty.
    pub tokens: Option<AuthTokens>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True once the login behind the refresh token is revoked.
    pub ok: bool,
}

#[derive(InputObject)]
pub struct RegisterKioskInput {
    /// The outlet the kiosk serves.
    pub outlet_id: ID,
    /// A name to recognise the device by.
    pub name: String,
}

#[derive(SimpleObject)]
pub struct RegisterKioskPayload {
    /// The kiosk registered; null when `userErrors` is not empty.
    pub kiosk: Option<Kiosk>,
    /// The kiosk's credential, shown this once: configure the device to send
    /// `Authorization: Kiosk <credential>`. Only a hash is stored.
    pub credential: Option<String>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RevokeKioskInput {
    /// The kiosk's ID, as `kiosks` and `registerKiosk` give it.
    pub kiosk_id: ID,
}

/// Result of `revokeKiosk`.
#[derive(SimpleObject)]
pub struct RevokeKioskPayload {
    /// The kiosk, now revoked; null when `userErrors` is not empty.
    pub kiosk: Option<Kiosk>,
    /// Why the input was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates a buyer account with an e-mail address or mobile number and a password. A taken
    /// identifier is reported only when every other field is valid; registrations per client
    /// address are limited (TOO_MANY_ATTEMPTS).
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterUserInput,
    ) -> AppResult<RegisterPayload> {
        policy::may_use_accounts(ctx.caller()?)?;
        rate_limited(ctx, LimitedAction::Registration).await?;
        let state = ctx.state()?;
        let client = &ctx.request()?.client;
        let result = accounts::register(
            &state.db,
            &state.events,
            guard(state, client),
            issuer(state),
            RegisterInput {
                email: input.email,
                phone: input.phone,
                display_name: input.display_name,
                password: input.password,
            },
        )
        .await;
        let (registered, user_errors) = split(result)?;
        let (user, tokens) = registered.unzip();
        Ok(RegisterPayload {
            user: user.map(UserOut::from),
            tokens: tokens.map(AuthTokens::from),
            user_errors,
        })
    }

    /// Signs in. Repeated failures slow down every attempt on the account and then lock the
    /// failing address out (of that account, or of all) for a while, never the account itself;
    /// the answer never tells whether the account exists.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> AppResult<AuthPayload> {
        policy::may_use_accounts(ctx.caller()?)?;
        rate_limited(ctx, LimitedAction::Login).await?;
        let state = ctx.state()?;
        let client = &ctx.request()?.client;
        let result = accounts::login(
            &state.db,
            guard(state, client),
            issuer(state),
            &input.identifier,
            &input.password,
        )
        .await;
        let (tokens, user_errors) = split(result)?;
        Ok(AuthPayload {
            tokens: tokens.map(AuthTokens::from),
            user_errors,
        })
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting the
    /// same token again within `REFRESH_GRACE_SECONDS` (two screens, a retry) returns the same
    /// successor, and reusing it later revokes that whole login. A refused token answers like a
    /// failed login: `userErrors` with `INVALID_CREDENTIALS` at `input.refreshToken` (sign in
    /// again).
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> AppResult<AuthPayload> {
        policy::may_use_accounts(ctx.caller()?)?;
        rate_limited(ctx, LimitedAction::Refresh).await?;
        let state = ctx.state()?;
        // One unit of work: claim, family check and the new token. A refused refresh may have
        // revoked its family (reuse), which must stick, so it commits too.
        let mut tx = ctx.begin().await?;
        let outcome = accounts::refresh(&mut tx, issuer(state), &input.refresh_token).await;
        match tx.finish(outcome).await? {
            Refresh::Issued(tokens) => Ok(AuthPayload {
                tokens: Some(tokens.into()),
                user_errors: Vec::new(),
            }),
            Refresh::Refused => Ok(AuthPayload {
                tokens: None,
                user_errors: vec![UserError::from(accounts::refresh_refused())],
            }),
        }
    }

    /// Revokes the login behind a refresh token.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> AppResult<LogoutPayload> {
        policy::may_use_accounts(ctx.caller()?)?;
        accounts::logout(&ctx.state()?.db, &input.refresh_token).await?;
        Ok(LogoutPayload { ok: true })
    }

    /// Administrators: registers a kiosk device for one outlet and returns its credential once.
    async fn register_kiosk(
        &self,
        ctx: &Context<'_>,
        input: RegisterKioskInput,
    ) -> AppResult<RegisterKioskPayload> {
        let admin = policy::may_manage_kiosks(ctx.caller()?)?;
        let outlet_id = GlobalId::parse_kind(&input.outlet_id, NodeKind::Outlet, "input.outletId")?;
        let mut tx = ctx.begin().await?;
        let result = accounts::register_kiosk(&mut tx, outlet_id, &input.name, admin.user_id).await;
        let (registered, user_errors) = split(tx.finish(result).await)?;
        let (kiosk, credential) = registered.map(|(k, c)| (Kiosk(k), c)).unzip();
        Ok(RegisterKioskPayload {
            kiosk,
            credential,
            user_errors,
        })
    }

    /// Administrators: revokes a kiosk; its credential stops working at once.
    async fn revoke_kiosk(
        &self,
        ctx: &Context<'_>,
        input: RevokeKioskInput,
    ) -> AppResult<RevokeKioskPayload> {
        policy::may_manage_kiosks(ctx.caller()?)?;
        let id = uuid::Uuid::parse_str(&input.kiosk_id)
            .map_err(|_| AppError::invalid("input.kioskId", "not a kiosk ID"))?;
        let mut tx = ctx.begin().await?;
        let result = accounts::revoke_kiosk(&mut tx, id).await;
        let (kiosk, user_errors) = split(tx.finish(result).await)?;
        Ok(RevokeKioskPayload {
            kiosk: kiosk.map(Kiosk),
            user_errors,
        })
    }
}
