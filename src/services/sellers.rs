//! Public reads of sellers: only VERIFIED sellers are public.

use entity::{
    enums::{BusinessCategory, SellerStatus},
    outlet_seller, seller,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Select,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    domain::cursor::Page,
    error::AppResult,
    services::{
        catalog::{contains_any, normalise_search},
        keyset::{self, Keyset, Paged, Part},
    },
};

#[derive(Debug, Clone, Default)]
pub struct SellerFilter {
    pub search: Option<String>,
    pub district_code: Option<String>,
    pub category: Option<BusinessCategory>,
    pub outlet_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SellerSort {
    Name,
    Newest,
}

pub fn public_sellers() -> Condition {
    Condition::all().add(seller::Column::Status.eq(SellerStatus::Verified))
}

fn filtered(filter: &SellerFilter) -> Select<seller::Entity> {
    let mut cond = public_sellers();
    if let Some(q) = filter.search.as_deref().and_then(normalise_search) {
        cond = cond.add(contains_any(
            &[("sellers", "business_name"), ("sellers", "description")],
            &q,
        ));
    }
    if let Some(code) = &filter.district_code {
        cond = cond.add(seller::Column::DistrictCode.eq(code.as_str()));
    }
    if let Some(category) = filter.category {
        cond = cond.add(seller::Column::Category.eq(category));
    }
    if let Some(outlet_id) = filter.outlet_id {
        cond = cond.add(
            seller::Column::Id.in_subquery(
                Query::select()
                    .column(outlet_seller::Column::SellerId)
                    .from(outlet_seller::Entity)
                    .and_where(Expr::col(outlet_seller::Column::OutletId).eq(outlet_id))
                    .to_owned(),
            ),
        );
    }
    seller::Entity::find().filter(cond)
}

pub async fn list_sellers(
    db: &impl ConnectionTrait,
    filter: &SellerFilter,
    sort: SellerSort,
    page: &Page,
) -> AppResult<Paged<seller::Model>> {
    let id = Part::id((seller::Entity, seller::Column::Id), |s: &seller::Model| {
        s.id
    });
    let order = match sort {
        SellerSort::Name => Keyset {
            order: "sellers:name",
            parts: vec![
                Part::text(
                    (seller::Entity, seller::Column::BusinessName),
                    false,
                    |s: &seller::Model| s.business_name.clone(),
                ),
                id,
            ],
        },
        SellerSort::Newest => Keyset {
            order: "sellers:newest",
            parts: vec![
                Part::time(
                    (seller::Entity, seller::Column::CreatedAt),
                    true,
                    |s: &seller::Model| s.created_at,
                ),
                id,
            ],
        },
    };
    keyset::fetch(filtered(filter), &order, page, db).await
}

/// Sellers by business name, then id, under the order name `order` (one per list, so a cursor
/// of one list is refused by another): the nested seller lists a DataLoader reads whole.
pub fn by_name(order: &'static str) -> Keyset<seller::Model> {
    Keyset {
        order,
        parts: vec![
            Part::text(
                (seller::Entity, seller::Column::BusinessName),
                false,
                |s: &seller::Model| s.business_name.clone(),
            ),
            Part::id((seller::Entity, seller::Column::Id), |s: &seller::Model| {
                s.id
            }),
        ],
    }
}

pub async fn count_sellers(db: &impl ConnectionTrait, filter: &SellerFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

pub async fn public_seller_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<seller::Model>> {
    Ok(seller::Entity::find_by_id(id)
        .filter(public_sellers())
        .one(db)
        .await?)
}

pub async fn public_seller_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<seller::Model>> {
    Ok(seller::Entity::find()
        .filter(seller::Column::Slug.eq(slug))
        .filter(public_sellers())
        .one(db)
        .await?)
}

/// Public sellers by id, for DataLoaders.
pub async fn public_sellers_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<seller::Model>> {
    Ok(seller::Entity::find()
        .filter(seller::Column::Id.is_in(ids.iter().copied()))
        .filter(public_sellers())
        .all(db)
        .await?)
}

/// Any seller by id, whatever its status (callers check who may see it).
pub async fn seller_by_id(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<seller::Model>> {
    Ok(seller::Entity::find_by_id(id).one(db).await?)
}

/// Sellers by id, whatever their status, by business name (a member's own sellers).
pub async fn any_status_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<seller::Model>> {
    use sea_orm::QueryOrder;
    Ok(seller::Entity::find()
        .filter(seller::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(seller::Column::BusinessName)
        .all(db)
        .await?)
}

pub async fn seller_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<seller::Model>> {
    Ok(seller::Entity::find()
        .filter(seller::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Which sellers the office's review list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// One verification status; `None` is the review queue: PENDING sellers and sellers with
    /// a legal change waiting for review (a renewed halal certificate, a new NIB).
    pub status: Option<SellerStatus>,
    /// Only sellers with (`Some(true)`) or without (`Some(false)`) a legal change waiting.
    pub pending_legal_change: Option<bool>,
}

fn applications(filter: &ApplicationFilter) -> Select<seller::Entity> {
    let mut cond = Condition::all();
    cond = match filter.status {
        Some(status) => cond.add(seller::Column::Status.eq(status)),
        None => cond.add(
            Condition::any()
                .add(seller::Column::Status.eq(SellerStatus::Pending))
                .add(seller::Column::PendingLegalChange.is_not_null()),
        ),
    };
    match filter.pending_legal_change {
        Some(true) => cond = cond.add(seller::Column::PendingLegalChange.is_not_null()),
        Some(false) => cond = cond.add(seller::Column::PendingLegalChange.is_null()),
        None => {}
    }
    seller::Entity::find().filter(cond)
}

/// The office's review list, longest waiting first: ordered by the seller's last change (the
/// submission, a resubmission or a legal change), then id.
pub async fn applications_page(
    db: &impl ConnectionTrait,
    filter: &ApplicationFilter,
    page: &Page,
) -> AppResult<Paged<seller::Model>> {
    let order = Keyset {
        order: "sellers:waiting",
        parts: vec![
            Part::time(
                (seller::Entity, seller::Column::UpdatedAt),
                false,
                |s: &seller::Model| s.updated_at,
            ),
            Part::id((seller::Entity, seller::Column::Id), |s: &seller::Model| {
                s.id
            }),
        ],
    };
    keyset::fetch(applications(filter), &order, page, db).await
}

pub async fn count_applications(
    db: &impl ConnectionTrait,
    filter: &ApplicationFilter,
) -> AppResult<u64> {
    Ok(applications(filter).count(db).await?)
}
