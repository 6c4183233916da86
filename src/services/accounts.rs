//! Accounts: registration, login with throttling, refresh-token rotation with reuse detection,
//! logout, kiosk credentials, and who a verified credential belongs to.
//!
//! Sessions are bookkeeping, not catalogue state, and publish no domain event. Login and logout
//! write outside a unit of work; a refresh runs in one (`Tx`) because its claim, family check
//! and insert must happen as one step against a concurrent logout or refresh. Kiosk
//! registration and revocation publish events.

use chrono::{Duration, Utc};
use entity::{kiosk, outlet, outlet_staff, refresh_family, refresh_token, seller_member, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use crate::{
    auth::{
        caller::{Caller, UserCaller},
        jwt::JwtKeys,
        secrets,
    },
    domain::{
        client_address::throttle_bucket, email::Email, events::DomainEvent, password,
        password::Password, phone::Phone,
    },
    error::{AppError, AppResult, FieldCode, FieldError, Invalid, parsed},
    infra::{cache::Cache, events::EventBus, hashing::HashPool},
    services::tx::Tx,
};

/// What issuing tokens needs: the signing keys, how long a refresh token lives, and how long a
/// login's family of refresh tokens may be kept alive by rotation.
#[derive(Clone, Copy)]
pub struct TokenIssuer<'a> {
    pub jwt: &'a JwtKeys,
    pub refresh_ttl_days: i64,
    pub session_max_days: i64,
    /// Seconds after a rotation during which the rotated token still yields its successor
    /// (REFRESH_GRACE_SECONDS; 0 turns the grace off).
    pub grace_secs: i64,
}

/// The outcome of a refresh. A refused refresh may still have written (a reused token revokes
/// its family), so it is not an error: the caller commits its unit of work either way.
pub enum Refresh {
    Issued(IssuedTokens),
    Refused,
}

/// Failed logins on one account from one address (IPv6: /64) before that address is locked
/// out of that account (for the cache TTL, 15 minutes). The account itself never locks: other
/// addresses are only slowed down, so an attacker cannot lock its owner out.
pub const ACCOUNT_LOCK_AFTER: u64 = 5;
/// Failed logins per client address before it locks.
pub const ADDRESS_LOCK_AFTER: u64 = 20;
/// Failures after which each attempt is slowed down, by 200 ms per further failure.
const SLOW_AFTER: u64 = 2;
/// The longest delay, in milliseconds.
const MAX_DELAY_MS: u64 = 3_000;

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

/// What guards a registration or a login from abuse: the bounded hashing pool, the throttling
/// counters and the client address they count by.
#[derive(Clone, Copy)]
pub struct Guard<'a> {
    pub hashing: &'a HashPool,
    pub throttle: &'a Cache,
    /// The client address (the TCP peer); IPv6 counts by its /64.
    pub client: &'a str,
    /// Registrations allowed per address bucket within the counters' window (15 minutes).
    pub registrations_per_address: u64,
}

/// A registration whose fields are all valid, not yet checked for uniqueness.
struct NewAccount {
    email: Option<Email>,
    phone: Option<Phone>,
    display_name: String,
    password: Password,
}

/// Checks the form of every field, reporting every bad one at once. Uniqueness is not looked
/// at here: a probe with an invalid field must not learn whether an identifier is taken.
fn validate_registration(input: RegisterInput) -> AppResult<NewAccount> {
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
            FieldCode::required_if(name.is_empty()),
            "must be 1 to 120 characters",
        ));
    }
    let password = parsed(&mut errors, "password", Password::parse(&input.password));
    match password.filter(|_| errors.is_empty()) {
        Some(password) => Ok(NewAccount {
            email,
            phone,
            display_name: name,
            password,
        }),
        None => Err(AppError::Validation(errors)),
    }
}

/// `TAKEN` for each identifier of `account` that another account already uses.
async fn taken(db: &impl ConnectionTrait, account: &NewAccount) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(email) = &account.email
        && Identifier::Email(email.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "email",
            FieldCode::Taken,
            "an account with this e-mail address exists",
        ));
    }
    if let Some(phone) = &account.phone
        && Identifier::Phone(phone.clone()).find(db).await?.is_some()
    {
        errors.push(FieldError::new(
            "phone",
            FieldCode::Taken,
            "an account with this mobile number exists",
        ));
    }
    Ok(errors)
}

/// Inserts a validated account with its password hash. The insert is one statement in
/// autocommit, so the event goes out right after it.
async fn insert_account(
    db: &impl ConnectionTrait,
    events: &EventBus,
    account: NewAccount,
    password_hash: String,
) -> AppResult<user::Model> {
    let now = Utc::now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(account.email.map(Email::into_string)),
        phone: Set(account.phone.map(Phone::into_string)),
        display_name: Set(account.display_name),
        password_hash: Set(password_hash),
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

/// Creates a buyer account.
///
/// The order is deliberate (issue 7): every field is validated first, and `TAKEN` is reported
/// only once all of them are valid, so invalid probes learn nothing. Then one registration is
/// taken from the client address's budget, and the password is hashed (on the bounded pool)
/// *before* uniqueness is looked up, so a taken identifier costs the same hash as a new one
/// and both answers take about the same time; the remaining difference is one insert.
///
/// The new account is signed in at once (a login of its own, as `login` starts), so sign-up
/// is one call.
pub async fn register(
    db: &impl ConnectionTrait,
    events: &EventBus,
    guard: Guard<'_>,
    issuer: TokenIssuer<'_>,
    input: RegisterInput,
) -> AppResult<(user::Model, IssuedTokens)> {
    let account = validate_registration(input)?;
    let address_key = format!("register:address:{}", throttle_bucket(guard.client));
    if guard
        .throttle
        .take(&address_key, guard.registrations_per_address)
        .await
        .is_err()
    {
        return Err(AppError::rule(
            FieldCode::TooManyAttempts,
            "too many registrations from this address; try again in 15 minutes",
        ));
    }
    let password = account.password.clone();
    let password_hash = match guard.hashing.run(move || password.hash()).await {
        Ok(hash) => hash?,
        Err(err) => {
            // Refused before any work: the attempt does not count.
            guard.throttle.give_back(&address_key).await;
            return Err(err);
        }
    };
    let errors = taken(db, &account).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let user = insert_account(db, events, account, password_hash).await?;
    let tokens = start_session(db, issuer, user.id).await?;
    Ok((user, tokens))
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
    // The command line, not a request: hashing on this thread is fine.
    let account = validate_registration(RegisterInput {
        email,
        phone,
        display_name: name.into(),
        password: password.into(),
    })?;
    let errors = taken(db, &account).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let password_hash = account.password.hash()?;
    let user = insert_account(db, events, account, password_hash).await?;
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

/// A refused refresh, in the shape of a failed login: the token is unknown, spent, revoked or
/// past its login's end, and the answer does not say which.
pub fn refresh_refused() -> FieldError {
    FieldError::new(
        "refreshToken",
        FieldCode::InvalidCredentials,
        "the refresh token is not valid; sign in again",
    )
}

fn locked_error() -> AppError {
    AppError::rule(
        FieldCode::TooManyAttempts,
        "too many failed attempts; try again in 15 minutes",
    )
}

/// Checks credentials. The answer is the same whether or not the account exists.
///
/// Three counters (15 minutes after their last change): this account from this address (IPv6:
/// its /64), which locks that address out of the account after 5 failures; the address, which
/// locks it out of every account after 20; and the account, which never locks but slows every
/// attempt on it by 200 ms per failure beyond 2 (at most 3 s), from any address. So an attacker
/// who fails on an account locks only themselves out, and the owner's right password from
/// another address still passes, slowed.
///
/// The locking counters are reserved (`Cache::take`, one atomic step) *before* the slow
/// verification, so parallel requests cannot all read "no failures yet" and exceed the limit
/// together. A success gives its reservations back.
pub async fn login(
    db: &impl ConnectionTrait,
    guard: Guard<'_>,
    issuer: TokenIssuer<'_>,
    identifier: &str,
    password: &str,
) -> AppResult<IssuedTokens> {
    let id = match Identifier::parse(identifier) {
        Ok(id) => id,
        Err(_) => return Err(credentials_error()),
    };
    let throttle = guard.throttle;
    let bucket = throttle_bucket(guard.client);
    let account_key = format!("login:account:{}", id.key());
    let pair_key = format!("login:account-from:{}:{bucket}", id.key());
    let address_key = format!("login:address:{bucket}");
    if throttle.take(&pair_key, ACCOUNT_LOCK_AFTER).await.is_err() {
        return Err(locked_error());
    }
    let Ok(address_attempts) = throttle.take(&address_key, ADDRESS_LOCK_AFTER).await else {
        throttle.give_back(&pair_key).await;
        return Err(locked_error());
    };
    let account_attempts = throttle.incr(&account_key).await;
    let release = || async {
        throttle.give_back(&pair_key).await;
        throttle.give_back(&address_key).await;
        throttle.give_back(&account_key).await;
    };
    // Failures before this attempt.
    let failures = (account_attempts - 1).max((address_attempts - 1) / 4);
    if failures > SLOW_AFTER {
        let delay = (200 * (failures - SLOW_AFTER)).min(MAX_DELAY_MS);
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let user = id.find(db).await?;
    // An unknown account is checked against a decoy hash, so both cases take the same time.
    let stored = user.as_ref().map_or_else(
        || password::decoy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let presented = password.to_string();
    let ok = match guard
        .hashing
        .run(move || password::verify(&presented, &stored))
        .await
    {
        Ok(ok) => ok,
        Err(err) => {
            // Refused before verifying: the attempt does not count.
            release().await;
            return Err(err);
        }
    };
    match user.filter(|_| ok) {
        Some(user) => {
            throttle.remove(&account_key).await;
            throttle.remove(&pair_key).await;
            throttle.give_back(&address_key).await;
            start_session(db, issuer, user.id).await
        }
        None => Err(credentials_error()),
    }
}

/// Starts a login: a new family with its absolute end, and its first refresh token.
async fn start_session(
    db: &impl ConnectionTrait,
    issuer: TokenIssuer<'_>,
    user_id: Uuid,
) -> AppResult<IssuedTokens> {
    let now = Utc::now();
    let family = refresh_family::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(issuer.session_max_days)),
        last_refreshed_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    issue_tokens(db, issuer, &family, secrets::generate("rt_")).await
}

/// Stores `refresh` as a new refresh token of `family` (never outliving it) and signs an
/// access token.
async fn issue_tokens(
    db: &impl ConnectionTrait,
    issuer: TokenIssuer<'_>,
    family: &refresh_family::Model,
    refresh: String,
) -> AppResult<IssuedTokens> {
    let now = Utc::now();
    let refresh_expires_at = (now + Duration::days(issuer.refresh_ttl_days)).min(family.expires_at);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(family.user_id),
        family_id: Set(family.id),
        token_hash: Set(secrets::hash(&refresh)),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(IssuedTokens {
        access_token: issuer.jwt.issue_access(family.user_id)?,
        access_expires_at: now + Duration::seconds(issuer.jwt.ttl_secs()),
        refresh_token: refresh,
        refresh_expires_at,
    })
}

/// The family a refresh token belongs to, as a subquery (unknown tokens match nothing).
fn family_of(token: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(refresh_token::Column::FamilyId)
        .from(refresh_token::Entity)
        .and_where(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .to_owned()
}

/// Revokes a family, and for the record each of its tokens.
async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> AppResult<()> {
    let now = Utc::now();
    refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::RevokedAt, Expr::value(now))
        .filter(refresh_family::Column::Id.eq(family_id))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Exchanges a refresh token for new tokens, inside the caller's unit of work. Each token works
/// once: presenting one that was already used means it leaked, so its family (that login) is
/// revoked.
///
/// Except within the grace window (`TokenIssuer::grace_secs` after its use): two screens
/// refreshing at once, or a retry after a lost response, present the same token twice. The
/// successor of a token is a keyed function of it (`JwtKeys::refresh_successor`), so the second
/// refresh recomputes it and, when that successor is still unused and unrevoked in the same
/// family, answers with it (and a fresh access token): both callers hold the same live session.
/// After the window, or once the successor itself was used, it is reuse as before.
///
/// The first statement locks the family row and checks it in one go: an UPDATE of the family
/// that is neither revoked nor past its absolute end. On PostgreSQL that takes the row lock
/// (like `SELECT … FOR UPDATE`, held to commit); on SQLite a write as the transaction's first
/// statement takes the database's write lock, which serialises writers. A concurrent logout
/// (which revokes the family with an UPDATE of the same row) or a second refresh therefore runs
/// wholly before or wholly after this one: no token is ever issued into a revoked family.
pub async fn refresh(tx: &mut Tx, issuer: TokenIssuer<'_>, token: &str) -> AppResult<Refresh> {
    let now = tx.now();
    let locked = refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::LastRefreshedAt, Expr::value(now))
        .filter(refresh_family::Column::Id.in_subquery(family_of(token)))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .filter(refresh_family::Column::ExpiresAt.gt(now))
        .exec(tx.db())
        .await?;
    if locked.rows_affected != 1 {
        // Unknown token, or its login was revoked or has reached its end.
        return Ok(Refresh::Refused);
    }
    let Some(found) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(token)))
        .one(tx.db())
        .await?
    else {
        return Ok(Refresh::Refused);
    };
    // Spend the token only if it is unused, not revoked and not expired.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(found.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .exec(tx.db())
        .await?;
    if claimed.rows_affected != 1 {
        if let Some(used_at) = found.used_at {
            let within_grace = issuer.grace_secs > 0
                && found.revoked_at.is_none()
                && now - used_at < Duration::seconds(issuer.grace_secs);
            if within_grace && let Some(tokens) = successor_again(tx, issuer, &found, token).await?
            {
                return Ok(Refresh::Issued(tokens));
            }
            tracing::warn!(family = %found.family_id, user = %found.user_id, "refresh token reused: revoking its family");
            revoke_family(tx.db(), found.family_id).await?;
        }
        return Ok(Refresh::Refused);
    }
    let Some(family) = refresh_family::Entity::find_by_id(found.family_id)
        .one(tx.db())
        .await?
    else {
        return Ok(Refresh::Refused);
    };
    let successor = issuer.jwt.refresh_successor(token);
    Ok(Refresh::Issued(
        issue_tokens(tx.db(), issuer, &family, successor).await?,
    ))
}

/// The successor that rotating `used` issued, again, with a fresh access token: only while it
/// is unused, unrevoked, unexpired and in the same family. `None` otherwise.
async fn successor_again(
    tx: &Tx,
    issuer: TokenIssuer<'_>,
    used: &refresh_token::Model,
    presented: &str,
) -> AppResult<Option<IssuedTokens>> {
    let now = tx.now();
    let successor = issuer.jwt.refresh_successor(presented);
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(&successor)))
        .filter(refresh_token::Column::FamilyId.eq(used.family_id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .one(tx.db())
        .await?
    else {
        return Ok(None);
    };
    let issued_at = Utc::now();
    Ok(Some(IssuedTokens {
        access_token: issuer.jwt.issue_access(row.user_id)?,
        access_expires_at: issued_at + Duration::seconds(issuer.jwt.ttl_secs()),
        refresh_token: successor,
        refresh_expires_at: row.expires_at,
    }))
}

/// Revokes the login the refresh token belongs to. Unknown tokens are ignored (idempotent).
/// The family's revocation is one UPDATE of its row, so it waits for a refresh holding that
/// row and then revokes the token the refresh issued as well.
pub async fn logout(db: &impl ConnectionTrait, token: &str) -> AppResult<()> {
    let now = Utc::now();
    refresh_family::Entity::update_many()
        .col_expr(refresh_family::Column::RevokedAt, Expr::value(now))
        .filter(refresh_family::Column::Id.in_subquery(family_of(token)))
        .filter(refresh_family::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.in_subquery(family_of(token)))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
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

/// A kiosk by id.
pub async fn find_kiosk(
    db: &impl ConnectionTrait,
    kiosk_id: Uuid,
) -> AppResult<Option<kiosk::Model>> {
    Ok(kiosk::Entity::find_by_id(kiosk_id).one(db).await?)
}

/// Kiosks, oldest first, optionally of one outlet.
fn kiosks_of(outlet_id: Option<Uuid>) -> sea_orm::Select<kiosk::Entity> {
    let mut select = kiosk::Entity::find();
    if let Some(outlet_id) = outlet_id {
        select = select.filter(kiosk::Column::OutletId.eq(outlet_id));
    }
    select
}

/// One page of registered kiosks, optionally of one outlet, oldest first (then by id).
pub async fn list_kiosks(
    db: &impl ConnectionTrait,
    outlet_id: Option<Uuid>,
    page: &crate::domain::cursor::Page,
) -> AppResult<crate::services::keyset::Paged<kiosk::Model>> {
    use crate::services::keyset::{self, Keyset, Part};
    let order = Keyset {
        order: "kiosks:created",
        parts: vec![
            Part::time(
                (kiosk::Entity, kiosk::Column::CreatedAt),
                false,
                |k: &kiosk::Model| k.created_at,
            ),
            Part::id((kiosk::Entity, kiosk::Column::Id), |k: &kiosk::Model| k.id),
        ],
    };
    keyset::fetch(kiosks_of(outlet_id), &order, page, db).await
}

/// Number of registered kiosks, optionally of one outlet.
pub async fn count_kiosks(db: &impl ConnectionTrait, outlet_id: Option<Uuid>) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(kiosks_of(outlet_id).count(db).await?)
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
            FieldCode::required_if(name.is_empty()),
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
