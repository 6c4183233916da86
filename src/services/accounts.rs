//! Accounts: registration, login with throttling, refresh-token rotation with reuse detection,
//! logout, kiosk credentials, and resolving the caller of a request.

use chrono::{Duration, Utc};
use entity::{kiosk, outlet_staff, refresh_token, seller_member, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::{
        caller::{Caller, UserCaller},
        secrets,
    },
    domain::{email::Email, password, password::Password, phone::Phone},
    error::{AppError, AppResult, FieldError, collect},
    state::AppState,
};

/// Failed logins per account before it locks (for the cache TTL, 15 minutes).
pub const ACCOUNT_LOCK_AFTER: u64 = 5;
/// Failed logins per client address before it locks.
pub const ADDRESS_LOCK_AFTER: u64 = 20;
/// Failures after which each attempt is slowed down.
const SLOW_AFTER: u64 = 2;

pub struct RegisterInput {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub password: String,
}

pub struct IssuedTokens {
    pub access_token: String,
    pub access_expires_at: chrono::DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: chrono::DateTime<Utc>,
}

/// An email or phone, normalised, to find an account by.
enum Identifier {
    Email(Email),
    Phone(Phone),
}

impl Identifier {
    fn parse(raw: &str, field: &str) -> AppResult<Self> {
        if raw.contains('@') {
            Email::parse(raw, field).map(Identifier::Email)
        } else {
            Phone::parse(raw, field).map(Identifier::Phone)
        }
    }

    fn key(&self) -> &str {
        match self {
            Identifier::Email(e) => e.as_str(),
            Identifier::Phone(p) => p.as_str(),
        }
    }

    async fn find(&self, db: &impl ConnectionTrait) -> AppResult<Option<user::Model>> {
        let cond = match self {
            Identifier::Email(e) => user::Column::Email.eq(e.as_str()),
            Identifier::Phone(p) => user::Column::Phone.eq(p.as_str()),
        };
        Ok(user::Entity::find().filter(cond).one(db).await?)
    }
}

pub async fn register(db: &impl ConnectionTrait, input: RegisterInput) -> AppResult<user::Model> {
    let mut errors = Vec::new();
    let email = input
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|e| Email::parse(e, "input.email"));
    let phone = input
        .phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|p| Phone::parse(p, "input.phone"));
    if email.is_none() && phone.is_none() {
        errors.push(FieldError::new(
            "input.email",
            "REQUIRED",
            "give an e-mail address or a mobile number",
        ));
    }
    let email = collect(&mut errors, email.transpose()).flatten();
    let phone = collect(&mut errors, phone.transpose()).flatten();
    let name = input.display_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new(
            "input.displayName",
            "INVALID",
            "must be 1 to 120 characters",
        ));
    }
    let password = collect(
        &mut errors,
        Password::parse(&input.password, "input.password"),
    );
    if let Some(email) = &email
        && Identifier::Email(email.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "input.email",
            "TAKEN",
            "an account with this e-mail address exists",
        ));
    }
    if let Some(phone) = &phone
        && Identifier::Phone(phone.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "input.phone",
            "TAKEN",
            "an account with this mobile number exists",
        ));
    }
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let now = Utc::now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.map(Email::into_string)),
        phone: Set(phone.map(Phone::into_string)),
        display_name: Set(name),
        password_hash: Set(password.hash()?),
        is_admin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    model.insert(db).await.map_err(|e| {
        // A concurrent registration with the same identifier lost the race at the unique index.
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            AppError::Validation(vec![FieldError::new(
                "input.email",
                "TAKEN",
                "an account with this identifier exists",
            )])
        } else {
            e.into()
        }
    })
}

/// Creates an administrator (the `create-admin` command).
pub async fn create_admin(
    db: &impl ConnectionTrait,
    identifier: &str,
    name: &str,
    password: &str,
) -> AppResult<user::Model> {
    let id = Identifier::parse(identifier, "identifier")?;
    let (email, phone) = match &id {
        Identifier::Email(e) => (Some(e.as_str().to_string()), None),
        Identifier::Phone(p) => (None, Some(p.as_str().to_string())),
    };
    let user = register(
        db,
        RegisterInput {
            email,
            phone,
            display_name: name.into(),
            password: password.into(),
        },
    )
    .await?;
    let mut active: user::ActiveModel = user.into();
    active.is_admin = Set(true);
    Ok(active.update(db).await?)
}

fn credentials_error() -> AppError {
    AppError::Validation(vec![FieldError::new(
        "input.identifier",
        "INVALID_CREDENTIALS",
        "wrong identifier or password",
    )])
}

fn locked_error() -> AppError {
    AppError::rule(
        "TOO_MANY_ATTEMPTS",
        "too many failed attempts; try again in 15 minutes",
    )
}

/// Checks credentials. Failures are counted per account and per client address; after a few
/// each attempt is slowed, then the account or address locks for a while. The answer is the same
/// whether or not the account exists.
pub async fn login(
    state: &AppState,
    identifier: &str,
    password: &str,
    client: &str,
) -> AppResult<IssuedTokens> {
    let id = match Identifier::parse(identifier, "input.identifier") {
        Ok(id) => id,
        Err(_) => return Err(credentials_error()),
    };
    let account_key = format!("login:account:{}", id.key());
    let address_key = format!("login:address:{client}");
    let account_failures = state.cache.get(&account_key).await;
    let address_failures = state.cache.get(&address_key).await;
    if account_failures >= ACCOUNT_LOCK_AFTER || address_failures >= ADDRESS_LOCK_AFTER {
        return Err(locked_error());
    }
    let failures = account_failures.max(address_failures / 4);
    if failures > SLOW_AFTER {
        let delay = 200 * (failures - SLOW_AFTER).min(5);
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let user = id.find(&state.db).await?;
    let ok = match &user {
        Some(u) => password::verify(password, &u.password_hash),
        None => {
            password::verify(password, password::decoy_hash());
            false
        }
    };
    match user.filter(|_| ok) {
        Some(user) => {
            state.cache.remove(&account_key).await;
            issue_tokens(state, user.id, Uuid::now_v7()).await
        }
        None => {
            state.cache.incr(&account_key).await;
            state.cache.incr(&address_key).await;
            Err(credentials_error())
        }
    }
}

async fn issue_tokens(state: &AppState, user_id: Uuid, family_id: Uuid) -> AppResult<IssuedTokens> {
    let now = Utc::now();
    let refresh = secrets::generate("rt_");
    let refresh_expires_at = now + Duration::days(state.settings.jwt.refresh_ttl_days);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(secrets::hash(&refresh)),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(IssuedTokens {
        access_token: state.jwt.issue_access(user_id)?,
        access_expires_at: now + Duration::seconds(state.jwt.ttl_secs()),
        refresh_token: refresh,
        refresh_expires_at,
    })
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Exchanges a refresh token for new tokens. Each token works once: presenting one that was
/// already used means it leaked, so the whole family (that login) is revoked.
pub async fn refresh(state: &AppState, token: &str) -> AppResult<IssuedTokens> {
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .one(&state.db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if found.revoked_at.is_some() || found.expires_at <= Utc::now() {
        return Err(AppError::Unauthenticated);
    }
    // Mark used only if nobody did before: the conditional update settles concurrent uses.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::Id.eq(found.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&state.db)
        .await?;
    if claimed.rows_affected != 1 {
        tracing::warn!(family = %found.family_id, user = %found.user_id, "refresh token reused: revoking its family");
        revoke_family(&state.db, found.family_id).await?;
        return Err(AppError::Unauthenticated);
    }
    issue_tokens(state, found.user_id, found.family_id).await
}

/// Revokes the login the refresh token belongs to. Unknown tokens are ignored (idempotent).
pub async fn logout(state: &AppState, token: &str) -> AppResult<()> {
    if let Some(found) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .one(&state.db)
        .await?
    {
        revoke_family(&state.db, found.family_id).await?;
    }
    Ok(())
}

/// Resolves the `Authorization` header: `Bearer <access token>` or `Kiosk <credential>`.
pub async fn resolve_caller(state: &AppState, authorization: Option<&str>) -> AppResult<Caller> {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Caller::Anonymous);
    };
    let (scheme, value) = header.split_once(' ').ok_or(AppError::Unauthenticated)?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let user_id = state.jwt.verify_access(value)?;
        let user = user::Entity::find_by_id(user_id)
            .one(&state.db)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let seller_ids = seller_member::Entity::find()
            .filter(seller_member::Column::UserId.eq(user.id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|m| m.seller_id)
            .collect();
        let outlet_ids = outlet_staff::Entity::find()
            .filter(outlet_staff::Column::UserId.eq(user.id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|m| m.outlet_id)
            .collect();
        Ok(Caller::User(UserCaller {
            user_id: user.id,
            is_admin: user.is_admin,
            seller_ids,
            outlet_ids,
        }))
    } else if scheme.eq_ignore_ascii_case("kiosk") {
        let found = kiosk::Entity::find()
            .filter(kiosk::Column::CredentialHash.eq(secrets::hash(value)))
            .filter(kiosk::Column::RevokedAt.is_null())
            .one(&state.db)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // Last use is recorded at minute precision: one write a minute per kiosk at most.
        let now = Utc::now();
        if found
            .last_used_at
            .is_none_or(|t| now - t > Duration::minutes(1))
        {
            kiosk::Entity::update_many()
                .col_expr(kiosk::Column::LastUsedAt, Expr::value(now))
                .filter(kiosk::Column::Id.eq(found.id))
                .exec(&state.db)
                .await?;
        }
        Ok(Caller::Kiosk {
            kiosk_id: found.id,
            outlet_id: found.outlet_id,
        })
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// Registers a kiosk for an outlet; returns the model and its credential (shown once).
pub async fn register_kiosk(
    db: &impl ConnectionTrait,
    outlet_id: Uuid,
    name: &str,
    created_by: Uuid,
) -> AppResult<(kiosk::Model, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::Validation(vec![FieldError::new(
            "input.name",
            "INVALID",
            "must be 1 to 120 characters",
        )]));
    }
    let credential = secrets::generate("kiosk_");
    let model = kiosk::ActiveModel {
        id: Set(Uuid::now_v7()),
        outlet_id: Set(outlet_id),
        name: Set(name.to_string()),
        credential_hash: Set(secrets::hash(&credential)),
        created_by: Set(created_by),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((model, credential))
}
