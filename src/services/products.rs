//! Catalogue management by sellers: products through their lifecycle, and stock per outlet.
//!
//! Publishing is gated by compliance: only a VERIFIED seller publishes, and a product in a food
//! category also needs a P-IRT number or a halal certificate valid today on record. A product
//! declared halal needs the seller's halal certificate on record.
//!
//! One rule ([`compliance_failure`]) guards every way into or within the public catalogue:
//! `publish`, an `update` of a live product that changes its category or halal declaration
//! (refused, nothing changes), and the office's approval of a legal change
//! ([`withdraw_noncompliant`]: live products that no longer pass go back to DRAFT).

use chrono::NaiveDate;
use entity::{
    category,
    enums::{ProductStatus, SellerStatus},
    outlet_seller, product, seller, stock,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        events::DomainEvent,
        slug::{first_free, numbered_pattern, slugify},
    },
    error::{AppError, AppResult, FieldCode, FieldError},
    services::tx::Tx,
};

/// The product and its seller as they are inside `tx`, both locked until it ends (PostgreSQL;
/// SQLite serialises writers anyway). Compliance is judged on these rows, never on copies read
/// before the transaction: a concurrent publish, edit or legal-change approval waits its turn.
pub async fn locked(tx: &Tx, product_id: Uuid) -> AppResult<(product::Model, seller::Model)> {
    let not_found = || AppError::not_found("product");
    // The seller first, then the product: the order `onboarding::decide` locks them in.
    let seller_id = product::Entity::find_by_id(product_id)
        .one(tx.db())
        .await?
        .ok_or_else(not_found)?
        .seller_id;
    let owner = seller::Entity::find_by_id(seller_id)
        .lock_exclusive()
        .one(tx.db())
        .await?
        .ok_or_else(not_found)?;
    let found = product::Entity::find_by_id(product_id)
        .lock_exclusive()
        .one(tx.db())
        .await?
        .ok_or_else(not_found)?;
    Ok((found, owner))
}

/// A product in any status.
pub async fn find(
    db: &impl ConnectionTrait,
    product_id: Uuid,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find_by_id(product_id).one(db).await?)
}

fn changed(p: &product::Model) -> DomainEvent {
    DomainEvent::ProductChanged {
        product_id: p.id,
        seller_id: p.seller_id,
    }
}

/// Highest price accepted, in Rupiah (fits GraphQL Int).
pub const MAX_PRICE: i64 = 100_000_000;
pub const MAX_STOCK: i32 = 1_000_000;
/// Unpublished products (DRAFT or ARCHIVED) a seller that is not VERIFIED may hold: enough to
/// prepare a catalogue while the office reviews, not a way to fill the database.
pub const MAX_DRAFTS_UNVERIFIED: u64 = 50;

/// Product fields; on update `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct ProductFields {
    pub category_id: Option<Uuid>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<i64>,
    pub unit_label: Option<String>,
    pub net_weight_grams: Option<i32>,
    pub shelf_life_days: Option<i32>,
    pub halal: Option<bool>,
}

/// A free slug for `name`, from one query over the slugs already taken with that stem.
async fn slug_for(db: &impl ConnectionTrait, name: &str) -> AppResult<String> {
    let base = slugify(name, "produk");
    let taken: Vec<String> = product::Entity::find()
        .select_only()
        .column(product::Column::Slug)
        .filter(
            sea_orm::Condition::any()
                .add(product::Column::Slug.eq(base.as_str()))
                .add(product::Column::Slug.like(numbered_pattern(&base))),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(first_free(&base, &taken))
}

/// Why a product may not be live for `seller` today, or `None` when it may: the one compliance
/// rule behind publishing, updating a live product and approving a legal change. The code is
/// `EXPIRED` when the only thing missing is a halal certificate on record that has lapsed (the
/// seller renews it), `PERMIT_REQUIRED` when no permit is on record at all.
pub fn compliance_failure(
    seller: &seller::Model,
    is_food: bool,
    halal: bool,
    today: NaiveDate,
) -> Option<(FieldCode, &'static str)> {
    let halal_on_record = seller.halal_certificate_number.is_some();
    let halal_valid = halal_on_record && seller.halal_expires_on.is_some_and(|d| d >= today);
    if is_food && seller.pirt_number.is_none() && !halal_valid {
        return Some(if halal_on_record {
            (
                FieldCode::Expired,
                "the seller's halal certificate has expired and no P-IRT number is on record; renew the certificate",
            )
        } else {
            (
                FieldCode::PermitRequired,
                "a food product needs a P-IRT number or a valid halal certificate on record",
            )
        });
    }
    if halal && !halal_valid {
        return Some(if halal_on_record {
            (
                FieldCode::Expired,
                "the product is declared halal but the seller's halal certificate has expired; renew the certificate",
            )
        } else {
            (
                FieldCode::PermitRequired,
                "the product is declared halal but no halal certificate is on record",
            )
        });
    }
    None
}

async fn is_food(db: &impl ConnectionTrait, category_id: Uuid) -> AppResult<bool> {
    Ok(category::Entity::find_by_id(category_id)
        .one(db)
        .await?
        .is_some_and(|c| c.is_food))
}

async fn validate(
    db: &impl ConnectionTrait,
    seller: &seller::Model,
    fields: &ProductFields,
    current: Option<&product::Model>,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let len = |v: &Option<String>, cur: Option<&str>| {
        v.as_deref()
            .map(str::trim)
            .or(cur)
            .map(|s| s.chars().count())
            .unwrap_or(0)
    };
    let name_len = len(&fields.name, current.map(|c| c.name.as_str()));
    if !(3..=160).contains(&name_len) {
        errors.push(FieldError::new(
            "name",
            FieldCode::required_if(name_len == 0),
            "must be 3 to 160 characters",
        ));
    }
    if len(&fields.description, current.map(|c| c.description.as_str())) > 5000 {
        errors.push(FieldError::new(
            "description",
            FieldCode::Invalid,
            "must be at most 5000 characters",
        ));
    }
    let unit_len = len(&fields.unit_label, current.map(|c| c.unit_label.as_str()));
    if !(1..=60).contains(&unit_len) {
        errors.push(FieldError::new(
            "unitLabel",
            FieldCode::required_if(unit_len == 0),
            "must be 1 to 60 characters, e.g. \"pak 250 g\"",
        ));
    }
    match fields.price.or(current.map(|c| c.price)) {
        None => errors.push(FieldError::new(
            "price",
            FieldCode::Required,
            "give a price in whole Rupiah",
        )),
        Some(p) if !(1..=MAX_PRICE).contains(&p) => errors.push(FieldError::new(
            "price",
            FieldCode::Invalid,
            format!("must be from 1 to {MAX_PRICE} Rupiah"),
        )),
        Some(_) => {}
    }
    if fields
        .net_weight_grams
        .is_some_and(|g| !(1..=1_000_000).contains(&g))
    {
        errors.push(FieldError::new(
            "netWeightGrams",
            FieldCode::Invalid,
            "must be from 1 to 1000000 grams",
        ));
    }
    if fields
        .shelf_life_days
        .is_some_and(|d| !(1..=3650).contains(&d))
    {
        errors.push(FieldError::new(
            "shelfLifeDays",
            FieldCode::Invalid,
            "must be from 1 to 3650 days",
        ));
    }
    match fields.category_id.or(current.map(|c| c.category_id)) {
        None => errors.push(FieldError::new(
            "categoryId",
            FieldCode::Required,
            "choose a category",
        )),
        Some(id) => {
            if category::Entity::find_by_id(id).one(db).await?.is_none() {
                errors.push(FieldError::new(
                    "categoryId",
                    FieldCode::Invalid,
                    "no such category",
                ));
            }
        }
    }
    if fields.halal == Some(true) && seller.halal_certificate_number.is_none() {
        errors.push(FieldError::new(
            "halal",
            FieldCode::PermitRequired,
            "a product is declared halal only with the seller's halal certificate on record",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub async fn create(
    tx: &mut Tx,
    seller: &seller::Model,
    fields: ProductFields,
) -> AppResult<product::Model> {
    if seller.status == SellerStatus::Suspended {
        return Err(AppError::rule(
            FieldCode::SellerSuspended,
            "a suspended seller cannot add products",
        ));
    }
    let db = tx.db();
    if seller.status != SellerStatus::Verified {
        let unpublished = product::Entity::find()
            .filter(product::Column::SellerId.eq(seller.id))
            .filter(product::Column::Status.ne(ProductStatus::Active))
            .count(db)
            .await?;
        if unpublished >= MAX_DRAFTS_UNVERIFIED {
            return Err(AppError::rule(
                FieldCode::LimitReached,
                format!(
                    "a seller awaiting verification may keep at most {MAX_DRAFTS_UNVERIFIED} unpublished products"
                ),
            ));
        }
    }
    validate(db, seller, &fields, None).await?;
    let name = fields.name.unwrap_or_default().trim().to_string();
    let now = tx.now();
    let created = product::ActiveModel {
        id: Set(Uuid::now_v7()),
        seller_id: Set(seller.id),
        category_id: Set(fields.category_id.unwrap_or_default()),
        slug: Set(slug_for(db, &name).await?),
        name: Set(name),
        description: Set(fields.description.unwrap_or_default().trim().to_string()),
        price: Set(fields.price.unwrap_or_default()),
        unit_label: Set(fields.unit_label.unwrap_or_default().trim().to_string()),
        net_weight_grams: Set(fields.net_weight_grams),
        shelf_life_days: Set(fields.shelf_life_days),
        halal: Set(fields.halal.unwrap_or(false)),
        featured: Set(false),
        status: Set(ProductStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    tx.emit(changed(&created));
    Ok(created)
}

/// Changes a product's fields; its status stays. A live (ACTIVE) product must stay compliant:
/// a change of category or halal declaration that fails the rule is refused (PERMIT_REQUIRED).
/// `current` and `seller` as [`locked`] read them in this unit of work.
pub async fn update(
    tx: &mut Tx,
    current: product::Model,
    seller: &seller::Model,
    fields: ProductFields,
    today: NaiveDate,
) -> AppResult<product::Model> {
    validate(tx.db(), seller, &fields, Some(&current)).await?;
    let category_id = fields.category_id.unwrap_or(current.category_id);
    let halal = fields.halal.unwrap_or(current.halal);
    let category_changed = category_id != current.category_id;
    if current.status == ProductStatus::Active && (category_changed || halal != current.halal) {
        let food = is_food(tx.db(), category_id).await?;
        if let Some((code, why)) = compliance_failure(seller, food, halal, today) {
            let field = if category_changed {
                "categoryId"
            } else {
                "halal"
            };
            return Err(AppError::Validation(vec![FieldError::new(
                field,
                code,
                format!("{why} (the product is live: unpublish it to change this now)"),
            )]));
        }
    }
    let mut m: product::ActiveModel = current.into();
    if let Some(v) = fields.category_id {
        m.category_id = Set(v);
    }
    if let Some(v) = fields.name {
        m.name = Set(v.trim().to_string());
    }
    if let Some(v) = fields.description {
        m.description = Set(v.trim().to_string());
    }
    if let Some(v) = fields.price {
        m.price = Set(v);
    }
    if let Some(v) = fields.unit_label {
        m.unit_label = Set(v.trim().to_string());
    }
    if let Some(v) = fields.net_weight_grams {
        m.net_weight_grams = Set(Some(v));
    }
    if let Some(v) = fields.shelf_life_days {
        m.shelf_life_days = Set(Some(v));
    }
    if let Some(v) = fields.halal {
        m.halal = Set(v);
    }
    m.updated_at = Set(tx.now());
    let updated = m.update(tx.db()).await?;
    tx.emit(changed(&updated));
    Ok(updated)
}

/// DRAFT or ARCHIVED → ACTIVE, gated by verification and compliance.
/// `current` and `seller` as [`locked`] read them in this unit of work.
pub async fn publish(
    tx: &mut Tx,
    current: product::Model,
    seller: &seller::Model,
    today: NaiveDate,
) -> AppResult<product::Model> {
    if current.status == ProductStatus::Active {
        return Ok(current);
    }
    if seller.status != SellerStatus::Verified {
        return Err(AppError::rule(
            FieldCode::NotVerified,
            "only a verified seller can publish products",
        ));
    }
    let food = is_food(tx.db(), current.category_id).await?;
    if let Some((code, why)) = compliance_failure(seller, food, current.halal, today) {
        return Err(AppError::rule(code, why));
    }
    set_status(tx, current, ProductStatus::Active).await
}

pub async fn set_status(
    tx: &mut Tx,
    current: product::Model,
    status: ProductStatus,
) -> AppResult<product::Model> {
    let mut m: product::ActiveModel = current.into();
    m.status = Set(status);
    m.updated_at = Set(tx.now());
    let updated = m.update(tx.db()).await?;
    tx.emit(changed(&updated));
    Ok(updated)
}

/// Takes the live products of `seller` that no longer pass [`compliance_failure`] (after the
/// office approved a change of its legal data) back to DRAFT; returns them.
pub async fn withdraw_noncompliant(
    tx: &mut Tx,
    seller: &seller::Model,
    today: NaiveDate,
) -> AppResult<Vec<product::Model>> {
    let live = product::Entity::find()
        .filter(product::Column::SellerId.eq(seller.id))
        .filter(product::Column::Status.eq(ProductStatus::Active))
        .all(tx.db())
        .await?;
    if live.is_empty() {
        return Ok(Vec::new());
    }
    let mut category_ids: Vec<Uuid> = live.iter().map(|p| p.category_id).collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let food: std::collections::HashSet<Uuid> = category::Entity::find()
        .filter(category::Column::Id.is_in(category_ids))
        .filter(category::Column::IsFood.eq(true))
        .all(tx.db())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut withdrawn = Vec::new();
    for p in live {
        if compliance_failure(seller, food.contains(&p.category_id), p.halal, today).is_some() {
            withdrawn.push(set_status(tx, p, ProductStatus::Draft).await?);
        }
    }
    Ok(withdrawn)
}

/// Whether the seller has a place at the outlet (where its members may keep stock).
pub async fn has_place(
    db: &impl ConnectionTrait,
    seller_id: Uuid,
    outlet_id: Uuid,
) -> AppResult<bool> {
    Ok(outlet_seller::Entity::find()
        .filter(outlet_seller::Column::SellerId.eq(seller_id))
        .filter(outlet_seller::Column::OutletId.eq(outlet_id))
        .count(db)
        .await?
        > 0)
}

pub async fn set_stock(
    tx: &mut Tx,
    outlet_id: Uuid,
    product_id: Uuid,
    quantity: i32,
) -> AppResult<stock::Model> {
    if !(0..=MAX_STOCK).contains(&quantity) {
        return Err(AppError::Validation(vec![FieldError::new(
            "quantity",
            FieldCode::Invalid,
            format!("must be from 0 to {MAX_STOCK}"),
        )]));
    }
    let db = tx.db();
    let now = tx.now();
    stock::Entity::insert(stock::ActiveModel {
        outlet_id: Set(outlet_id),
        product_id: Set(product_id),
        quantity: Set(quantity),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([stock::Column::OutletId, stock::Column::ProductId])
            .update_columns([stock::Column::Quantity, stock::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    let level = stock::Entity::find_by_id((outlet_id, product_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("stock row vanished")))?;
    tx.emit(DomainEvent::StockChanged {
        outlet_id,
        product_id,
    });
    Ok(level)
}

/// What a seller's own product list may be narrowed to (management views).
#[derive(Debug, Clone, Default)]
pub struct ManagedFilter {
    pub status: Option<ProductStatus>,
    /// Words to look for in names and descriptions.
    pub search: Option<String>,
    /// A category and all its descendants (already expanded).
    pub category_ids: Option<Vec<Uuid>>,
}

fn managed(seller_id: Uuid, filter: &ManagedFilter) -> sea_orm::Select<product::Entity> {
    let mut select = product::Entity::find().filter(product::Column::SellerId.eq(seller_id));
    if let Some(status) = filter.status {
        select = select.filter(product::Column::Status.eq(status));
    }
    if let Some(q) = filter
        .search
        .as_deref()
        .and_then(crate::services::catalog::normalise_search)
    {
        select = select.filter(crate::services::catalog::contains_any(
            &[("products", "name"), ("products", "description")],
            &q,
        ));
    }
    if let Some(ids) = &filter.category_ids {
        select = select.filter(product::Column::CategoryId.is_in(ids.iter().copied()));
    }
    select
}

/// All products of a seller, any status, newest first (for its members and administrators).
pub async fn list_for_seller(
    db: &impl ConnectionTrait,
    seller_id: Uuid,
    filter: &ManagedFilter,
    page: &crate::domain::cursor::Page,
) -> AppResult<crate::services::keyset::Paged<product::Model>> {
    use crate::services::keyset::{self, Keyset, Part};
    let order = Keyset {
        order: "managed:newest",
        parts: vec![
            Part::time(
                (product::Entity, product::Column::CreatedAt),
                true,
                |p: &product::Model| p.created_at,
            ),
            Part::id(
                (product::Entity, product::Column::Id),
                |p: &product::Model| p.id,
            ),
        ],
    };
    keyset::fetch(managed(seller_id, filter), &order, page, db).await
}

pub async fn count_for_seller(
    db: &impl ConnectionTrait,
    seller_id: Uuid,
    filter: &ManagedFilter,
) -> AppResult<u64> {
    Ok(managed(seller_id, filter).count(db).await?)
}
