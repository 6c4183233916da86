//! Accounts: registration, login with throttling, refresh-token rotation with reuse detection,
//! logout, kiosk credentials, and who a verified credential belongs to.
//!
//! Sessions (login, refresh, logout) are bookkeeping, not catalogue state: they write outside a
//! unit of work and publish no domain event. Kiosk registration and revocation do.

use chrono::{Duration, Utc};
use entity::{kiosk, outlet, outlet_staff, refresh_token, seller_member, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::{
        caller::{Caller, UserCaller},
        jwt::JwtKeys,
        secrets,
    },
    domain::{email::Email, events::DomainEvent, password, password::Password, phone::Phone},
    error::{AppError, AppResult, FieldCode, FieldError, Invalid, parsed},
    infra::{cache::Cache, events::EventBus},
    services::tx::Tx,
};

/// What issuing tokens needs: the signing keys and how long a refresh token lives.
#[derive(Clone, Copy)]
pub struct TokenIssuer<'a> {
    pub jwt: &'a JwtKeys,
    pub refresh_ttl_days: i64,
}

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
    fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.contains('@') {
            Email::parse(raw).map(Identifier::Email)
        } else {
            Phone::parse(raw).map(Identifier::Phone)
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

/// Creates a buyer account. The insert is one statement in autocommit, so the event goes out
/// right after it (hashing the password inside a transaction would hold it open for nothing).
pub async fn register(
    db: &impl ConnectionTrait,
    events: &EventBus,
    input: RegisterInput,
) -> AppResult<user::Model> {
    let mut errors = Vec::new();
    let email = input
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(Email::parse);
    let phone = input
        .phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(Phone::parse);
    if email.is_none() && phone.is_none() {
        errors.push(FieldError::new(
            "email",
            FieldCode::Required,
            "give an e-mail address or a mobile number",
        ));
    }
    let email = parsed(&mut errors, "email", email.transpose()).flatten();
    let phone = parsed(&mut errors, "phone", phone.transpose()).flatten();
    let name = input.display_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new(
            "displayName",
            FieldCode::Invalid,
            "must be 1 to 120 characters",
        ));
    }
    let password = parsed(&mut errors, "password", Password::parse(&input.password));
    if let Some(email) = &email
        && Identifier::Email(email.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "email",
            FieldCode::Taken,
            "an account with this e-mail address exists",
        ));
    }
    if let Some(phone) = &phone
        && Identifier::Phone(phone.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "phone",
            FieldCode::Taken,
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
    let created = model.insert(db).await.map_err(|e| {
        // A concurrent registration with the same identifier lost the race at the unique index.
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            AppError::Validation(vec![FieldError::new(
                "email",
                FieldCode::Taken,
                "an account with this identifier exists",
            )])
        } else {
            e.into()
        }
    })?;
    events.publish(vec![DomainEvent::UserRegistered {
        user_id: created.id,
    }]);
    Ok(created)
}

/// Creates an administrator (the `create-admin` command).
pub async fn create_admin(
    db: &impl ConnectionTrait,
    events: &EventBus,
    identifier: &str,
    name: &str,
    password: &str,
) -> AppResult<user::Model> {
    let id = Identifier::parse(identifier)
        .map_err(|e| AppError::Validation(vec![e.at("identifier")]))?;
    let (email, phone) = match &id {
        Identifier::Email(e) => (Some(e.as_str().to_string()), None),
        Identifier::Phone(p) => (None, Some(p.as_str().to_string())),
    };
    let user = register(
        db,
        events,
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
        "identifier",
        FieldCode::InvalidCredentials,
        "wrong identifier or password",
    )])
}

fn locked_error() -> AppError {
    AppError::rule(
        FieldCode::TooManyAttempts,
        "too many failed attempts; try again in 15 minutes",
    )
}

/// Checks credentials. Failures are counted per account and per client address; after a few
/// each attempt is slowed, then the account or address locks for a while. The answer is the same
/// whether or not the account exists.
pub async fn login(
    db: &impl ConnectionTrait,
    throttle: &Cache,
    issuer: TokenIssuer<'_>,
    identifier: &str,
    password: &str,
    client: &str,
) -> AppResult<IssuedTokens> {
    let id = match Identifier::parse(identifier) {
        Ok(id) => id,
        Err(_) => return Err(credentials_error()),
    };
    let account_key = format!("login:account:{}", id.key());
    let address_key = format!("login:address:{client}");
    let account_failures = throttle.get(&account_key).await;
    let address_failures = throttle.get(&address_key).await;
    if account_failures >= ACCOUNT_LOCK_AFTER || address_failures >= ADDRESS_LOCK_AFTER {
        return Err(locked_error());
    }
    let failures = account_failures.max(address_failures / 4);
    if failures > SLOW_AFTER {
        let delay = 200 * (failures - SLOW_AFTER).min(5);
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let user = id.find(db).await?;
    let ok = match &user {
        Some(u) => password::verify(password, &u.password_hash),
        None => {
            password::verify(password, password::decoy_hash());
            false
        }
    };
    match user.filter(|_| ok) {
        Some(user) => {
            throttle.remove(&account_key).await;
            issue_tokens(db, issuer, user.id, Uuid::now_v7()).await
        }
        None => {
            throttle.incr(&account_key).await;
            throttle.incr(&address_key).await;
            Err(credentials_error())
        }
    }
}

async fn issue_tokens(
    db: &impl ConnectionTrait,
    issuer: TokenIssuer<'_>,
    user_id: Uuid,
    family_id: Uuid,
) -> AppResult<IssuedTokens> {
    let now = Utc::now();
    let refresh = secrets::generate("rt_");
    let refresh_expires_at = now + Duration::days(issuer.refresh_ttl_days);
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
    .insert(db)
    .await?;
    Ok(IssuedTokens {
        access_token: issuer.jwt.issue_access(user_id)?,
        access_expires_at: now + Duration::seconds(issuer.jwt.ttl_secs()),
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
pub async fn refresh(
    db: &impl ConnectionTrait,
    issuer: TokenIssuer<'_>,
    token: &str,
) -> AppResult<IssuedTokens> {
    let found = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .one(db)
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
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        tracing::warn!(family = %found.family_id, user = %found.user_id, "refresh token reused: revoking its family");
        revoke_family(db, found.family_id).await?;
        return Err(AppError::Unauthenticated);
    }
    issue_tokens(db, issuer, found.user_id, found.family_id).await
}

/// Revokes the login the refresh token belongs to. Unknown tokens are ignored (idempotent).
pub async fn logout(db: &impl ConnectionTrait, token: &str) -> AppResult<()> {
    if let Some(found) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .one(db)
        .await?
    {
        revoke_family(db, found.family_id).await?;
    }
    Ok(())
}

/// The caller behind a verified access token: the user with its memberships. A user deleted
/// since the token was issued is UNAUTHENTICATED.
pub async fn user_caller(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Caller> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let seller_ids = seller_member::Entity::find()
        .filter(seller_member::Column::UserId.eq(user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.seller_id)
        .collect();
    let outlet_ids = outlet_staff::Entity::find()
        .filter(outlet_staff::Column::UserId.eq(user.id))
        .all(db)
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
}

/// The kiosk a credential belongs to, unless revoked; records its last use.
pub async fn kiosk_caller(db: &impl ConnectionTrait, credential: &str) -> AppResult<Caller> {
    let found = kiosk::Entity::find()
        .filter(kiosk::Column::CredentialHash.eq(secrets::hash(credential)))
        .filter(kiosk::Column::RevokedAt.is_null())
        .one(db)
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
            .exec(db)
            .await?;
    }
    Ok(Caller::Kiosk {
        kiosk_id: found.id,
        outlet_id: found.outlet_id,
    })
}

/// A user by id.
pub async fn find_user(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(user_id).one(db).await?)
}

/// Kiosks, oldest first, optionally of one outlet.
pub async fn list_kiosks(
    db: &impl ConnectionTrait,
    outlet_id: Option<Uuid>,
) -> AppResult<Vec<kiosk::Model>> {
    let mut select = kiosk::Entity::find().order_by_asc(kiosk::Column::CreatedAt);
    if let Some(outlet_id) = outlet_id {
        select = select.filter(kiosk::Column::OutletId.eq(outlet_id));
    }
    Ok(select.all(db).await?)
}

/// Revokes a kiosk; its credential stops working at once.
pub async fn revoke_kiosk(tx: &mut Tx, kiosk_id: Uuid) -> AppResult<kiosk::Model> {
    let found = kiosk::Entity::find_by_id(kiosk_id)
        .one(tx.db())
        .await?
        .ok_or_else(|| AppError::not_found("kiosk"))?;
    let mut active: kiosk::ActiveModel = found.into();
    active.revoked_at = Set(Some(tx.now()));
    let revoked = active.update(tx.db()).await?;
    tx.emit(DomainEvent::KioskChanged {
        kiosk_id: revoked.id,
        outlet_id: revoked.outlet_id,
    });
    Ok(revoked)
}

/// Registers a kiosk for an outlet; returns the model and its credential (shown once).
pub async fn register_kiosk(
    tx: &mut Tx,
    outlet_id: Uuid,
    name: &str,
    created_by: Uuid,
) -> AppResult<(kiosk::Model, String)> {
    outlet::Entity::find_by_id(outlet_id)
        .one(tx.db())
        .await?
        .ok_or_else(|| AppError::not_found("outlet"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            FieldCode::Invalid,
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
        created_at: Set(tx.now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(tx.db())
    .await?;
    tx.emit(DomainEvent::KioskChanged {
        kiosk_id: model.id,
        outlet_id,
    });
    Ok((model, credential))
}
