//! Seller onboarding and verification by the regency office.
//!
//! Rules:
//! - `apply`: a signed-in user submits a business; it starts PENDING and the user becomes its
//!   member (role SELLER).
//! - `update` by a member: a PENDING seller is edited in place; a REJECTED one is edited and
//!   resubmitted (back to PENDING). For a VERIFIED seller, contact and description changes apply
//!   at once, but a change of legal data (NIB, halal, P-IRT, trademark) is held as a pending
//!   change for review: the verified legal data stays in force and the seller's live products
//!   stay visible until an administrator decides (`verify` applies the change, `reject`
//!   discards it). A SUSPENDED seller cannot edit.
//! - Administrators: `verify` (PENDING → VERIFIED, or approve a pending legal change),
//!   `reject` with a reason (PENDING → REJECTED, or discard a pending legal change),
//!   `suspend` with a reason (PENDING or VERIFIED → SUSPENDED; products disappear at once),
//!   `reinstate` (SUSPENDED → the status before the suspension: VERIFIED, or PENDING for a
//!   seller suspended while under review). Approving a legal change takes live products that no
//!   longer pass the compliance rule back to DRAFT (`products::withdraw_noncompliant`); the
//!   history row names them.
//! - A decision may carry the `version` the administrator reviewed ([`version_of`]); when the
//!   seller changed since, it is refused as STALE. Edits and decisions read the seller inside
//!   their transaction (locked for update where the database can) and write only if its
//!   status is still the one they decided from.
//! - Every status change and every legal-change decision is kept: who, when, from, to, why.
//! - A user holds at most [`MAX_OPEN_APPLICATIONS`] PENDING or REJECTED sellers.

use chrono::NaiveDate;
use entity::{
    enums::{BusinessCategory, BusinessScale, SellerStatus},
    seller, seller_member, seller_status_change, village,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, sea_query::Query,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    domain::events::DomainEvent,
    domain::slug::{first_free, numbered_pattern, slugify},
    domain::{email::Email, legal, phone::Phone},
    error::{AppError, AppResult, FieldCode, FieldError, Invalid, parsed},
    services::{products, tx::Tx},
};

/// Applications (sellers PENDING or REJECTED) one user may hold at a time.
pub const MAX_OPEN_APPLICATIONS: u64 = 3;

/// The stamp of a seller's data as last changed: what an administrator reviewed. Every change
/// of a seller sets `updated_at` (to the microsecond, see `Tx::now`).
pub fn version_of(s: &seller::Model) -> String {
    s.updated_at.timestamp_micros().to_string()
}

fn stale() -> AppError {
    AppError::Validation(vec![FieldError::new(
        "reviewedVersion",
        FieldCode::Stale,
        "the seller's data changed since you reviewed it; review it again",
    )])
}

/// The seller, read inside `tx` and locked until it ends (PostgreSQL; SQLite serialises
/// writers anyway), so a decision is made on the row it writes.
async fn find_for_update(tx: &Tx, id: Uuid) -> AppResult<seller::Model> {
    seller::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx.db())
        .await?
        .ok_or_else(|| AppError::not_found("seller"))
}

/// Writes `model` only if the seller's status is still `expected`; STALE otherwise.
async fn save_if_status(
    tx: &Tx,
    model: seller::ActiveModel,
    expected: SellerStatus,
) -> AppResult<seller::Model> {
    match seller::Entity::update(model)
        .validate()?
        .filter(seller::Column::Status.eq(expected))
        .exec(tx.db())
        .await
    {
        Ok(updated) => Ok(updated),
        Err(DbErr::RecordNotUpdated) => Err(stale()),
        Err(err) => Err(err.into()),
    }
}

/// The fields of an application; on update, `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct SellerFields {
    pub business_name: Option<String>,
    pub owner_name: Option<String>,
    pub description: Option<String>,
    pub phone: Option<String>,
    /// `Some("")` clears the e-mail address.
    pub email: Option<String>,
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub category: Option<BusinessCategory>,
    pub scale: Option<BusinessScale>,
    pub nib: Option<String>,
    /// `Some("")` clears the certificate (and its expiry).
    pub halal_certificate_number: Option<String>,
    pub halal_expires_on: Option<NaiveDate>,
    /// `Some("")` clears it.
    pub pirt_number: Option<String>,
    /// `Some("")` clears it.
    pub trademark_number: Option<String>,
}

/// Legal data as the office reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalData {
    pub nib: Option<String>,
    pub halal_certificate_number: Option<String>,
    pub halal_expires_on: Option<NaiveDate>,
    pub pirt_number: Option<String>,
    pub trademark_number: Option<String>,
}

impl LegalData {
    pub fn of(s: &seller::Model) -> Self {
        LegalData {
            nib: s.nib.clone(),
            halal_certificate_number: s.halal_certificate_number.clone(),
            halal_expires_on: s.halal_expires_on,
            pirt_number: s.pirt_number.clone(),
            trademark_number: s.trademark_number.clone(),
        }
    }

    fn apply(&self, m: &mut seller::ActiveModel) {
        m.nib = Set(self.nib.clone());
        m.halal_certificate_number = Set(self.halal_certificate_number.clone());
        m.halal_expires_on = Set(self.halal_expires_on);
        m.pirt_number = Set(self.pirt_number.clone());
        m.trademark_number = Set(self.trademark_number.clone());
    }
}

/// Validated values, merged over the current seller (if any).
struct Validated {
    business_name: String,
    owner_name: String,
    description: String,
    phone: String,
    email: Option<String>,
    address: String,
    village_code: String,
    district_code: String,
    category: BusinessCategory,
    scale: BusinessScale,
    legal: LegalData,
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    current: Option<&str>,
    min: usize,
    max: usize,
) -> String {
    let v = value
        .map(|v| v.trim().to_string())
        .or_else(|| current.map(String::from))
        .unwrap_or_default();
    let n = v.chars().count();
    if n < min || n > max {
        let code = if n == 0 {
            FieldCode::Required
        } else {
            FieldCode::Invalid
        };
        errors.push(FieldError::new(
            field,
            code,
            format!("must be {min} to {max} characters"),
        ));
    }
    v
}

/// Parses an optional identifier: `None` keeps `current`, empty clears, anything else must parse.
fn optional(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    current: Option<&String>,
    parse: impl Fn(&str) -> Result<String, Invalid>,
) -> Option<String> {
    match value {
        None => current.cloned(),
        Some(v) if v.trim().is_empty() => None,
        Some(v) => parsed(errors, field, parse(&v)),
    }
}

async fn validate(
    db: &impl ConnectionTrait,
    fields: SellerFields,
    current: Option<&seller::Model>,
    today: NaiveDate,
) -> AppResult<Validated> {
    let mut errors = Vec::new();
    let business_name = text(
        &mut errors,
        "businessName",
        fields.business_name,
        current.map(|c| c.business_name.as_str()),
        3,
        160,
    );
    let owner_name = text(
        &mut errors,
        "ownerName",
        fields.owner_name,
        current.map(|c| c.owner_name.as_str()),
        3,
        160,
    );
    let description = text(
        &mut errors,
        "description",
        fields.description,
        current.map(|c| c.description.as_str()),
        0,
        2000,
    );
    let address = text(
        &mut errors,
        "address",
        fields.address,
        current.map(|c| c.address.as_str()),
        5,
        500,
    );
    let phone = match (fields.phone, current) {
        (Some(p), _) => parsed(&mut errors, "phone", Phone::parse(&p))
            .map(Phone::into_string)
            .unwrap_or_default(),
        (None, Some(c)) => c.phone.clone(),
        (None, None) => {
            errors.push(FieldError::new(
                "phone",
                FieldCode::Required,
                "a business phone number is required",
            ));
            String::new()
        }
    };
    let email = optional(
        &mut errors,
        "email",
        fields.email,
        current.and_then(|c| c.email.as_ref()),
        |e| Email::parse(e).map(Email::into_string),
    );
    let village_code = fields
        .village_code
        .map(|v| v.trim().to_string())
        .or_else(|| current.and_then(|c| c.village_code.clone()));
    let mut district_code = current.map(|c| c.district_code.clone()).unwrap_or_default();
    match &village_code {
        None => errors.push(FieldError::new(
            "villageCode",
            FieldCode::Required,
            "the kelurahan/desa code is required",
        )),
        Some(code) => match village::Entity::find_by_id(code.clone()).one(db).await? {
            Some(v) => district_code = v.district_code,
            None => errors.push(FieldError::new(
                "villageCode",
                FieldCode::Invalid,
                "no kelurahan/desa has this code (e.g. 35.13.23.2008)",
            )),
        },
    }
    let category = fields.category.or(current.map(|c| c.category));
    if category.is_none() {
        errors.push(FieldError::new(
            "category",
            FieldCode::Required,
            "the business category is required",
        ));
    }
    let scale = fields.scale.or(current.map(|c| c.scale));
    if scale.is_none() {
        errors.push(FieldError::new(
            "scale",
            FieldCode::Required,
            "the business scale is required",
        ));
    }
    let current_legal = current.map(|c| match &c.pending_legal_change {
        Some(json) => serde_json::from_str(json).unwrap_or_else(|_| LegalData::of(c)),
        None => LegalData::of(c),
    });
    let nib = match fields.nib {
        Some(v) => parsed(&mut errors, "nib", legal::parse_nib(&v)),
        None => current_legal.as_ref().and_then(|l| l.nib.clone()),
    };
    if nib.is_none() && !errors.iter().any(|e| e.field.as_deref() == Some("nib")) {
        errors.push(FieldError::new(
            "nib",
            FieldCode::Required,
            "the NIB (13 digits) is required",
        ));
    }
    let halal_number = optional(
        &mut errors,
        "halalCertificateNumber",
        fields.halal_certificate_number.clone(),
        current_legal
            .as_ref()
            .and_then(|l| l.halal_certificate_number.as_ref()),
        legal::parse_halal_number,
    );
    let halal_expires_on = match (&halal_number, fields.halal_expires_on) {
        (None, _) => None,
        (Some(_), Some(d)) => Some(d),
        (Some(_), None) if fields.halal_certificate_number.is_some() => None,
        (Some(_), None) => current_legal.as_ref().and_then(|l| l.halal_expires_on),
    };
    if halal_number.is_some() {
        match halal_expires_on {
            None => errors.push(FieldError::new(
                "halalExpiresOn",
                FieldCode::Required,
                "give the certificate's expiry date",
            )),
            Some(d) if d < today => errors.push(FieldError::new(
                "halalExpiresOn",
                FieldCode::Expired,
                "this certificate has already expired",
            )),
            Some(_) => {}
        }
    } else if fields.halal_expires_on.is_some() && fields.halal_certificate_number.is_some() {
        errors.push(FieldError::new(
            "halalCertificateNumber",
            FieldCode::Required,
            "an expiry date needs a certificate number",
        ));
    }
    let pirt_number = optional(
        &mut errors,
        "pirtNumber",
        fields.pirt_number,
        current_legal.as_ref().and_then(|l| l.pirt_number.as_ref()),
        legal::parse_pirt,
    );
    let trademark_number = optional(
        &mut errors,
        "trademarkNumber",
        fields.trademark_number,
        current_legal
            .as_ref()
            .and_then(|l| l.trademark_number.as_ref()),
        legal::parse_trademark,
    );
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // Only once everything else is valid: is the NIB another seller's?
    if let Some(nib) = &nib
        && nib_taken(db, nib, current.map(|c| c.id)).await?
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "nib",
            FieldCode::Taken,
            "another seller on Pasar Oleh is registered with this NIB; if it is yours, edit that seller, or contact the regency office",
        )]));
    }
    Ok(Validated {
        business_name,
        owner_name,
        description,
        phone,
        email,
        address,
        village_code: village_code.unwrap_or_default(),
        district_code,
        category: category.unwrap_or(BusinessCategory::Lainnya),
        scale: scale.unwrap_or(BusinessScale::Mikro),
        legal: LegalData {
            nib,
            halal_certificate_number: halal_number,
            halal_expires_on,
            pirt_number,
            trademark_number,
        },
    })
}

/// Whether a seller other than `except` holds `nib`, in its legal data or in a legal change
/// waiting for review. One NIB is one business on the marketplace: a second application with it
/// is a duplicate (the office would review the same business twice).
async fn nib_taken(db: &impl ConnectionTrait, nib: &str, except: Option<Uuid>) -> AppResult<bool> {
    // A NIB is 13 digits (parsed above), so it is safe inside a LIKE pattern.
    let mut query = seller::Entity::find().filter(
        sea_orm::Condition::any()
            .add(seller::Column::Nib.eq(nib))
            .add(seller::Column::PendingLegalChange.like(format!("%\"nib\":\"{nib}\"%"))),
    );
    if let Some(id) = except {
        query = query.filter(seller::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// A unique slug from the business name ("Keripik Mangga Bu Sri" → "keripik-mangga-bu-sri-2"),
/// from one query over the slugs already taken with that stem.
async fn unique_slug(db: &impl ConnectionTrait, name: &str) -> AppResult<String> {
    let base = slugify(name, "umkm");
    let taken: Vec<String> = seller::Entity::find()
        .select_only()
        .column(seller::Column::Slug)
        .filter(
            sea_orm::Condition::any()
                .add(seller::Column::Slug.eq(base.as_str()))
                .add(seller::Column::Slug.like(numbered_pattern(&base))),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(first_free(&base, &taken))
}

async fn record(
    tx: &Tx,
    seller_id: Uuid,
    from: Option<SellerStatus>,
    to: SellerStatus,
    reason: Option<String>,
    actor: Uuid,
) -> AppResult<()> {
    use sea_orm::ActiveEnum;
    seller_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        seller_id: Set(seller_id),
        from_status: Set(from.map(|s| s.to_value())),
        to_status: Set(to.to_value()),
        reason: Set(reason),
        actor_id: Set(Some(actor)),
        created_at: Set(tx.now()),
    }
    .insert(tx.db())
    .await?;
    Ok(())
}

pub async fn apply(
    tx: &mut Tx,
    user_id: Uuid,
    fields: SellerFields,
    today: NaiveDate,
) -> AppResult<seller::Model> {
    let open = seller::Entity::find()
        .filter(seller::Column::Status.is_in([SellerStatus::Pending, SellerStatus::Rejected]))
        .filter(
            seller::Column::Id.in_subquery(
                Query::select()
                    .column(seller_member::Column::SellerId)
                    .from(seller_member::Entity)
                    .and_where(seller_member::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .count(tx.db())
        .await?;
    if open >= MAX_OPEN_APPLICATIONS {
        return Err(AppError::rule(
            FieldCode::LimitReached,
            format!(
                "you already have {MAX_OPEN_APPLICATIONS} applications under review or rejected; edit one of them"
            ),
        ));
    }
    let v = validate(tx.db(), fields, None, today).await?;
    let txn = tx.db();
    let now = tx.now();
    let id = Uuid::now_v7();
    let mut model = seller::ActiveModel {
        id: Set(id),
        slug: Set(unique_slug(txn, &v.business_name).await?),
        business_name: Set(v.business_name),
        owner_name: Set(v.owner_name),
        description: Set(v.description),
        phone: Set(v.phone),
        email: Set(v.email),
        address: Set(v.address),
        village_code: Set(Some(v.village_code)),
        district_code: Set(v.district_code),
        category: Set(v.category),
        scale: Set(v.scale),
        nib: NotSet,
        halal_certificate_number: NotSet,
        halal_expires_on: NotSet,
        pirt_number: NotSet,
        trademark_number: NotSet,
        status: Set(SellerStatus::Pending),
        status_reason: Set(None),
        pending_legal_change: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    v.legal.apply(&mut model);
    let seller = model.insert(txn).await?;
    seller_member::ActiveModel {
        seller_id: Set(id),
        user_id: Set(user_id),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    record(
        tx,
        id,
        None,
        SellerStatus::Pending,
        Some("application submitted".into()),
        user_id,
    )
    .await?;
    tx.emit(DomainEvent::SellerChanged { seller_id: id });
    Ok(seller)
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<seller::Model> {
    seller::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("seller"))
}

/// Edits (and for REJECTED sellers resubmits) an application; see the module rules.
pub async fn update(
    tx: &mut Tx,
    actor: Uuid,
    seller_id: Uuid,
    fields: SellerFields,
    today: NaiveDate,
) -> AppResult<seller::Model> {
    // The branch below depends on the status: read it here, not before the transaction, and
    // write only if it is still the same.
    let current = find_for_update(tx, seller_id).await?;
    if current.status == SellerStatus::Suspended {
        return Err(AppError::rule(
            FieldCode::InvalidTransition,
            "a suspended seller cannot be edited; contact the regency office",
        ));
    }
    let v = validate(tx.db(), fields, Some(&current), today).await?;
    let mut model: seller::ActiveModel = current.clone().into();
    model.business_name = Set(v.business_name);
    model.owner_name = Set(v.owner_name);
    model.description = Set(v.description);
    model.phone = Set(v.phone);
    model.email = Set(v.email);
    model.address = Set(v.address);
    model.village_code = Set(Some(v.village_code));
    model.district_code = Set(v.district_code);
    model.category = Set(v.category);
    model.scale = Set(v.scale);
    model.updated_at = Set(tx.now());
    match current.status {
        SellerStatus::Verified => {
            if v.legal != LegalData::of(&current) {
                let json = serde_json::to_string(&v.legal).map_err(AppError::internal)?;
                if current.pending_legal_change.as_deref() != Some(json.as_str()) {
                    model.pending_legal_change = Set(Some(json));
                    record(
                        tx,
                        current.id,
                        Some(SellerStatus::Verified),
                        SellerStatus::Verified,
                        Some("legal data submitted for review".into()),
                        actor,
                    )
                    .await?;
                }
            } else {
                model.pending_legal_change = Set(None);
            }
        }
        SellerStatus::Rejected => {
            v.legal.apply(&mut model);
            model.status = Set(SellerStatus::Pending);
            model.status_reason = Set(None);
            record(
                tx,
                current.id,
                Some(SellerStatus::Rejected),
                SellerStatus::Pending,
                Some("resubmitted".into()),
                actor,
            )
            .await?;
        }
        _ => v.legal.apply(&mut model),
    }
    let updated = save_if_status(tx, model, current.status).await?;
    if updated.status == current.status {
        tx.emit(DomainEvent::SellerChanged {
            seller_id: updated.id,
        });
    } else {
        tx.emit(DomainEvent::SellerStatusChanged {
            seller_id: updated.id,
            from: current.status,
            to: updated.status,
        });
    }
    Ok(updated)
}

fn reason_of(reason: Option<String>) -> AppResult<String> {
    let r = reason.map(|r| r.trim().to_string()).unwrap_or_default();
    if r.is_empty() || r.chars().count() > 1000 {
        return Err(AppError::Validation(vec![FieldError::new(
            "reason",
            FieldCode::Required,
            "give a reason of 1 to 1000 characters",
        )]));
    }
    Ok(r)
}

pub enum Decision {
    Verify,
    Reject(Option<String>),
    Suspend(Option<String>),
    Reinstate,
}

/// An administrator's decision on a seller; see the module rules. `reviewed_version` is the
/// seller's [`version_of`] as the administrator saw it.
pub async fn decide(
    tx: &mut Tx,
    admin: Uuid,
    seller_id: Uuid,
    decision: Decision,
    reviewed_version: Option<&str>,
    today: NaiveDate,
) -> AppResult<seller::Model> {
    let current = find_for_update(tx, seller_id).await?;
    if reviewed_version.is_some_and(|v| v != version_of(&current)) {
        return Err(stale());
    }
    let from = current.status;
    let approves_change = matches!(decision, Decision::Verify) && from == SellerStatus::Verified;
    let pending: Option<LegalData> = current
        .pending_legal_change
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let mut model: seller::ActiveModel = current.clone().into();
    model.updated_at = Set(tx.now());
    let (to, reason) = match (decision, from) {
        (Decision::Verify, SellerStatus::Pending) => (SellerStatus::Verified, None),
        (Decision::Verify, SellerStatus::Verified) => {
            let Some(change) = pending else {
                return Err(AppError::rule(
                    FieldCode::InvalidTransition,
                    "the seller is already verified",
                ));
            };
            change.apply(&mut model);
            model.pending_legal_change = Set(None);
            (
                SellerStatus::Verified,
                Some("legal data change approved".to_string()),
            )
        }
        (Decision::Reject(reason), SellerStatus::Pending) => {
            (SellerStatus::Rejected, Some(reason_of(reason)?))
        }
        (Decision::Reject(reason), SellerStatus::Verified) if pending.is_some() => {
            model.pending_legal_change = Set(None);
            (
                SellerStatus::Verified,
                Some(format!(
                    "legal data change rejected: {}",
                    reason_of(reason)?
                )),
            )
        }
        (Decision::Suspend(reason), SellerStatus::Pending | SellerStatus::Verified) => {
            (SellerStatus::Suspended, Some(reason_of(reason)?))
        }
        (Decision::Reinstate, SellerStatus::Suspended) => {
            (status_before_suspension(tx, seller_id).await?, None)
        }
        (_, status) => {
            return Err(AppError::rule(
                FieldCode::InvalidTransition,
                format!(
                    "not possible for a seller that is {}",
                    sea_orm::ActiveEnum::to_value(&status)
                ),
            ));
        }
    };
    if to != from {
        model.status = Set(to);
        model.status_reason = Set(reason.clone());
    }
    let updated = save_if_status(tx, model, from).await?;
    let mut reason = reason;
    if approves_change {
        let withdrawn = products::withdraw_noncompliant(tx, &updated, today).await?;
        if !withdrawn.is_empty() {
            let slugs: Vec<&str> = withdrawn.iter().map(|p| p.slug.as_str()).collect();
            reason = Some(format!(
                "{}; back to draft, no permit for them any more: {}",
                reason.unwrap_or_default(),
                slugs.join(", ")
            ));
        }
    }
    record(tx, seller_id, Some(from), to, reason, admin).await?;
    tx.emit(if to == from {
        DomainEvent::SellerChanged { seller_id }
    } else {
        DomainEvent::SellerStatusChanged {
            seller_id,
            from,
            to,
        }
    });
    Ok(updated)
}

/// The status a seller had when it was last suspended (PENDING or VERIFIED), from its history.
async fn status_before_suspension(tx: &Tx, seller_id: Uuid) -> AppResult<SellerStatus> {
    use sea_orm::{ActiveEnum, QueryOrder};
    let last = seller_status_change::Entity::find()
        .filter(seller_status_change::Column::SellerId.eq(seller_id))
        .filter(seller_status_change::Column::ToStatus.eq(SellerStatus::Suspended.to_value()))
        .order_by_desc(seller_status_change::Column::CreatedAt)
        .order_by_desc(seller_status_change::Column::Id)
        .one(tx.db())
        .await?;
    Ok(
        match last
            .and_then(|row| row.from_status)
            .and_then(|s| SellerStatus::try_from_value(&s).ok())
        {
            Some(SellerStatus::Pending) => SellerStatus::Pending,
            // Suspension is possible only from PENDING or VERIFIED.
            _ => SellerStatus::Verified,
        },
    )
}
