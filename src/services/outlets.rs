//! Outlets (stalls) and the stock they hold.

use entity::{outlet, outlet_hour, outlet_seller, stock};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Select,
};
use uuid::Uuid;

use crate::{
    domain::{cursor::Page, outlet_code::OutletCode},
    error::AppResult,
    services::{
        catalog::{contains_any, normalise_search},
        keyset::{self, Keyset, Paged, Part},
    },
};

#[derive(Debug, Clone, Default)]
pub struct OutletFilter {
    /// Matches the outlet's name, code or rest area.
    pub search: Option<String>,
    pub rest_area: Option<String>,
}

fn filtered(filter: &OutletFilter) -> Select<outlet::Entity> {
    let mut cond = Condition::all();
    if let Some(q) = filter.search.as_deref().and_then(normalise_search) {
        cond = cond.add(contains_any(
            &[
                ("outlets", "name"),
                ("outlets", "code"),
                ("outlets", "rest_area"),
            ],
            &q,
        ));
    }
    if let Some(area) = &filter.rest_area {
        cond = cond.add(outlet::Column::RestArea.eq(area.as_str()));
    }
    outlet::Entity::find().filter(cond)
}

/// Outlets by code, then id, under the order name `order` (one per list, so a cursor of one
/// list is refused by another).
pub fn by_code(order: &'static str) -> Keyset<outlet::Model> {
    Keyset {
        order,
        parts: vec![
            Part::text(
                (outlet::Entity, outlet::Column::Code),
                false,
                |o: &outlet::Model| o.code.clone(),
            ),
            Part::id((outlet::Entity, outlet::Column::Id), |o: &outlet::Model| {
                o.id
            }),
        ],
    }
}

/// One page of outlets, by code (then id).
pub async fn list_outlets(
    db: &impl ConnectionTrait,
    filter: &OutletFilter,
    page: &Page,
) -> AppResult<Paged<outlet::Model>> {
    let order = by_code("outlets:code");
    keyset::fetch(filtered(filter), &order, page, db).await
}

pub async fn count_outlets(db: &impl ConnectionTrait, filter: &OutletFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

/// One outlet by code, in any case and with stray spaces (`domain::outlet_code`); a code that
/// cannot exist finds nothing.
pub async fn outlet_by_code(
    db: &impl ConnectionTrait,
    raw: &str,
) -> AppResult<Option<outlet::Model>> {
    let Ok(code) = OutletCode::parse(raw) else {
        return Ok(None);
    };
    Ok(outlet::Entity::find()
        .filter(outlet::Column::Code.eq(code.as_str()))
        .one(db)
        .await?)
}

/// One outlet by id.
pub async fn outlet_by_id(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<outlet::Model>> {
    Ok(outlet::Entity::find_by_id(id).one(db).await?)
}

pub async fn outlets_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<outlet::Model>> {
    Ok(outlet::Entity::find()
        .filter(outlet::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn hours_of(
    db: &impl ConnectionTrait,
    outlet_ids: &[Uuid],
) -> AppResult<Vec<outlet_hour::Model>> {
    Ok(outlet_hour::Entity::find()
        .filter(outlet_hour::Column::OutletId.is_in(outlet_ids.iter().copied()))
        .order_by_asc(outlet_hour::Column::Weekday)
        .all(db)
        .await?)
}

pub async fn stock_of_products(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> AppResult<Vec<stock::Model>> {
    Ok(stock::Entity::find()
        .filter(stock::Column::ProductId.is_in(product_ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn places_of_sellers(
    db: &impl ConnectionTrait,
    seller_ids: &[Uuid],
) -> AppResult<Vec<outlet_seller::Model>> {
    Ok(outlet_seller::Entity::find()
        .filter(outlet_seller::Column::SellerId.is_in(seller_ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn places_at_outlets(
    db: &impl ConnectionTrait,
    outlet_ids: &[Uuid],
) -> AppResult<Vec<outlet_seller::Model>> {
    Ok(outlet_seller::Entity::find()
        .filter(outlet_seller::Column::OutletId.is_in(outlet_ids.iter().copied()))
        .all(db)
        .await?)
}
