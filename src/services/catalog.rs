//! The public catalogue: which products exist for the public, how they are filtered, searched,
//! sorted and paginated.
//!
//! Visibility rule, applied in every query that returns products to the public: a product is
//! public when it is ACTIVE and its seller is VERIFIED. The rule is one SQL condition
//! ([`public_products`]) so that lists, counts, lookups by id or slug and nested connections
//! cannot disagree.

use chrono::NaiveDate;
use entity::{
    category,
    enums::{ProductStatus, SellerStatus},
    product, seller, stock,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Query, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    domain::cursor::Page,
    error::AppResult,
    services::{
        keyset::{self, Keyset, Paged, Part},
        search,
    },
};

/// Longest search text accepted.
pub const MAX_SEARCH_LEN: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub search: Option<String>,
    /// A category and all its descendants (already expanded).
    pub category_ids: Option<Vec<Uuid>>,
    pub seller_id: Option<Uuid>,
    /// Only products with stock above zero at this outlet.
    pub outlet_id: Option<Uuid>,
    pub halal_only: bool,
    pub featured: Option<bool>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// Kecamatan code of the seller.
    pub district_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    Relevance,
    Newest,
    PriceAsc,
    PriceDesc,
    Name,
}

/// Condition selecting the products the public may see.
pub fn public_products() -> Condition {
    Condition::all()
        .add(product::Column::Status.eq(ProductStatus::Active))
        .add(
            product::Column::SellerId.in_subquery(
                Query::select()
                    .column(seller::Column::Id)
                    .from(seller::Entity)
                    .and_where(Expr::col(seller::Column::Status).eq(SellerStatus::Verified))
                    .to_owned(),
            ),
        )
}

/// Condition selecting sellers whose halal certificate is on record and valid on `today`.
pub fn halal_valid_sellers(today: NaiveDate) -> SimpleExpr {
    Expr::col((product::Entity, product::Column::SellerId)).in_subquery(
        Query::select()
            .column(seller::Column::Id)
            .from(seller::Entity)
            .and_where(Expr::col(seller::Column::HalalCertificateNumber).is_not_null())
            .and_where(Expr::col(seller::Column::HalalExpiresOn).gte(today))
            .to_owned(),
    )
}

/// Search text longer than [`MAX_SEARCH_LEN`] is refused, naming `field`.
pub fn check_search(search: Option<&str>, field: &str) -> AppResult<()> {
    match search {
        Some(s) if s.chars().count() > MAX_SEARCH_LEN => Err(crate::error::AppError::invalid(
            field,
            format!("must be at most {MAX_SEARCH_LEN} characters"),
        )),
        _ => Ok(()),
    }
}

/// Lower-cases, trims and collapses white space; `None` for empty text.
pub fn normalise_search(raw: &str) -> Option<String> {
    let words: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// `%text%` with LIKE wildcards escaped.
fn like_pattern(text: &str) -> String {
    format!("%{}%", escape_like(text))
}

/// `!` is the LIKE escape character everywhere: a backslash would mean different things to
/// the two backends' string literals.
fn escape_like(text: &str) -> String {
    text.replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_")
}

/// Case-insensitive substring match of `text` (already lower-cased) in any of `columns`,
/// written with the query builder so that both backends get their own placeholders.
pub fn contains_any(columns: &[(&'static str, &'static str)], text: &str) -> Condition {
    let pattern = like_pattern(text);
    columns
        .iter()
        .fold(Condition::any(), |any, (table, column)| {
            any.add(
                Expr::expr(Func::lower(Expr::col((
                    Alias::new(*table),
                    Alias::new(*column),
                ))))
                .like(LikeExpr::new(pattern.clone()).escape('!')),
            )
        })
}

/// The order of a product list, as keyset keys (the id last).
fn product_order(sort: ProductSort) -> Keyset<product::Model> {
    let id = || {
        Part::id(
            (product::Entity, product::Column::Id),
            |p: &product::Model| p.id,
        )
    };
    let name = || {
        Part::text(
            (product::Entity, product::Column::Name),
            false,
            |p: &product::Model| p.name.clone(),
        )
    };
    let newest = || Keyset {
        order: "products:newest",
        parts: vec![
            Part::time(
                (product::Entity, product::Column::CreatedAt),
                true,
                |p: &product::Model| p.created_at,
            ),
            id(),
        ],
    };
    match sort {
        ProductSort::Relevance | ProductSort::Newest => newest(),
        ProductSort::PriceAsc => Keyset {
            order: "products:price_asc",
            parts: vec![
                Part::int(
                    (product::Entity, product::Column::Price),
                    false,
                    |p: &product::Model| p.price,
                ),
                id(),
            ],
        },
        ProductSort::PriceDesc => Keyset {
            order: "products:price_desc",
            parts: vec![
                Part::int(
                    (product::Entity, product::Column::Price),
                    true,
                    |p: &product::Model| p.price,
                ),
                id(),
            ],
        },
        ProductSort::Name => Keyset {
            order: "products:name",
            parts: vec![name(), id()],
        },
    }
}

/// The conditions of `filter` other than its search text, public products only.
pub fn filter_condition(filter: &ProductFilter, today: NaiveDate) -> Condition {
    let mut cond = public_products();
    if let Some(ids) = &filter.category_ids {
        cond = cond.add(product::Column::CategoryId.is_in(ids.iter().copied()));
    }
    if let Some(seller_id) = filter.seller_id {
        cond = cond.add(product::Column::SellerId.eq(seller_id));
    }
    if let Some(outlet_id) = filter.outlet_id {
        cond = cond.add(
            product::Column::Id.in_subquery(
                Query::select()
                    .column(stock::Column::ProductId)
                    .from(stock::Entity)
                    .and_where(Expr::col(stock::Column::OutletId).eq(outlet_id))
                    .and_where(Expr::col(stock::Column::Quantity).gt(0))
                    .to_owned(),
            ),
        );
    }
    if filter.halal_only {
        cond = cond
            .add(product::Column::Halal.eq(true))
            .add(halal_valid_sellers(today));
    }
    if let Some(featured) = filter.featured {
        cond = cond.add(product::Column::Featured.eq(featured));
    }
    if let Some(min) = filter.min_price {
        cond = cond.add(product::Column::Price.gte(min));
    }
    if let Some(max) = filter.max_price {
        cond = cond.add(product::Column::Price.lte(max));
    }
    if let Some(code) = &filter.district_code {
        cond = cond.add(
            product::Column::SellerId.in_subquery(
                Query::select()
                    .column(seller::Column::Id)
                    .from(seller::Entity)
                    .and_where(Expr::col(seller::Column::DistrictCode).eq(code.as_str()))
                    .to_owned(),
            ),
        );
    }
    cond
}

/// The filter as one condition, search included (resolved to its index terms first).
async fn full_condition<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filter: &ProductFilter,
    today: NaiveDate,
) -> AppResult<(Condition, Option<search::Plan>)> {
    let cond = filter_condition(filter, today);
    let plan = match filter.search.as_deref() {
        Some(q) => search::plan(db, q).await?,
        None => None,
    };
    Ok(match plan {
        Some(plan) => (cond.clone().add(plan.condition()), Some(plan)),
        None => (cond, None),
    })
}

/// Order name of search results in cursors.
const RELEVANCE_ORDER: &str = "products:relevance";

/// One page of ranked search results, by the keyset position (score, name, id) the search
/// orders by.
async fn relevance_page(
    db: &impl ConnectionTrait,
    plan: &search::Plan,
    cond: Condition,
    page: &Page,
) -> AppResult<Paged<product::Model>> {
    let after = match &page.after {
        None => None,
        Some(key) => {
            let foreign = || {
                crate::error::AppError::InvalidCursor(
                    "the cursor was not issued for this list and order".into(),
                )
            };
            if key.order != RELEVANCE_ORDER || key.values.len() != 3 {
                return Err(foreign());
            }
            Some(search::Hit {
                score: key.values[0].as_i64().ok_or_else(foreign)?,
                name: key.values[1].as_str().ok_or_else(foreign)?.to_string(),
                id: key.values[2]
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(foreign)?,
            })
        }
    };
    let mut hits = plan.page(db, cond, after.as_ref(), page.limit + 1).await?;
    let has_next = hits.len() as u64 > page.limit;
    hits.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    let ids: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
    let mut models: std::collections::HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut rows = Vec::with_capacity(hits.len());
    let mut cursors = Vec::with_capacity(hits.len());
    for h in hits {
        if let Some(m) = models.remove(&h.id) {
            cursors.push(crate::domain::cursor::encode(
                RELEVANCE_ORDER,
                vec![
                    serde_json::Value::from(h.score),
                    serde_json::Value::from(h.name),
                    serde_json::Value::from(h.id.to_string()),
                ],
            ));
            rows.push(m);
        }
    }
    Ok(Paged {
        rows,
        cursors,
        has_next,
    })
}

/// One page of public products, plus whether another page follows.
pub async fn list_products<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filter: &ProductFilter,
    sort: ProductSort,
    page: &Page,
    today: NaiveDate,
) -> AppResult<Paged<product::Model>> {
    let (cond, plan) = full_condition(db, filter, today).await?;
    match plan {
        Some(plan) if sort == ProductSort::Relevance => {
            relevance_page(db, &plan, filter_condition(filter, today), page).await
        }
        _ => {
            let select = product::Entity::find().filter(cond);
            keyset::fetch(select, &product_order(sort), page, db).await
        }
    }
}

pub async fn count_products<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filter: &ProductFilter,
    today: NaiveDate,
) -> AppResult<u64> {
    let (cond, _) = full_condition(db, filter, today).await?;
    Ok(product::Entity::find().filter(cond).count(db).await?)
}

/// Price bands of the facets, in Rupiah: each band is `[min, next band's min)`, the last open.
pub const PRICE_BANDS: [i64; 5] = [0, 25_000, 50_000, 100_000, 250_000];

/// Counts of the public products a filter selects, by the values a filter sheet offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub total: u64,
    /// Category → products in it or any category below it (only categories with products).
    pub categories: Vec<(Uuid, u64)>,
    /// Kecamatan code of the seller → products (only kecamatan with products).
    pub districts: Vec<(String, u64)>,
    /// Products that are halal today (what `halalOnly` selects).
    pub halal: u64,
    /// For each band of [`PRICE_BANDS`] (lowest price, inclusive), its products; every band,
    /// empty ones included.
    pub price_bands: Vec<(i64, u64)>,
}

/// Facet counts over everything `filter` selects (search included), public products only.
pub async fn product_facets<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    filter: &ProductFilter,
    today: NaiveDate,
) -> AppResult<Facets> {
    let (cond, _) = full_condition(db, filter, today).await?;
    let select = Query::select()
        .column((product::Entity, product::Column::CategoryId))
        .column((product::Entity, product::Column::Price))
        .column((product::Entity, product::Column::Halal))
        .column((seller::Entity, seller::Column::DistrictCode))
        .column((seller::Entity, seller::Column::HalalCertificateNumber))
        .column((seller::Entity, seller::Column::HalalExpiresOn))
        .from(product::Entity)
        .inner_join(
            seller::Entity,
            Expr::col((seller::Entity, seller::Column::Id))
                .equals((product::Entity, product::Column::SellerId)),
        )
        .cond_where(cond)
        .to_owned();
    let rows = db.query_all(&select).await?;
    let categories = all_categories(db).await?;
    let parent: std::collections::HashMap<Uuid, Option<Uuid>> =
        categories.iter().map(|c| (c.id, c.parent_id)).collect();
    let mut by_category: std::collections::HashMap<Uuid, u64> = Default::default();
    let mut by_district: std::collections::BTreeMap<String, u64> = Default::default();
    let mut bands = vec![0u64; PRICE_BANDS.len()];
    let mut facets = Facets::default();
    for row in rows {
        let category_id: Uuid = row.try_get_by_index(0)?;
        let price: i64 = row.try_get_by_index(1)?;
        let halal: bool = row.try_get_by_index(2)?;
        let district: String = row.try_get_by_index(3)?;
        let certificate: Option<String> = row.try_get_by_index(4)?;
        let expires: Option<NaiveDate> = row.try_get_by_index(5)?;
        facets.total += 1;
        let mut next = Some(category_id);
        let mut depth = 0;
        while let Some(id) = next {
            *by_category.entry(id).or_default() += 1;
            next = parent.get(&id).copied().flatten();
            depth += 1;
            if depth > 16 {
                break;
            }
        }
        *by_district.entry(district).or_default() += 1;
        if halal && certificate.is_some() && expires.is_some_and(|d| d >= today) {
            facets.halal += 1;
        }
        let band = PRICE_BANDS
            .iter()
            .rposition(|min| price >= *min)
            .unwrap_or(0);
        bands[band] += 1;
    }
    // In the tree's display order.
    facets.categories = categories
        .iter()
        .filter_map(|c| by_category.get(&c.id).map(|n| (c.id, *n)))
        .collect();
    facets.districts = by_district.into_iter().collect();
    facets.price_bands = PRICE_BANDS.iter().copied().zip(bands).collect();
    Ok(facets)
}

/// Most suggestions answered at once.
pub const MAX_SUGGESTIONS: u64 = 20;

/// One suggestion for a search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    Category(category::Model),
    Product(product::Model),
}

/// Suggestions for what a traveller has typed so far: up to three categories whose name
/// answers every word, then the names of the best public products, `first` in all. The same
/// matching as the search (typos, variants, prefixes).
pub async fn search_suggestions<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    prefix: &str,
    first: u64,
) -> AppResult<Vec<Suggestion>> {
    let Some(plan) = search::plan(db, prefix).await? else {
        return Ok(Vec::new());
    };
    let limit = usize::try_from(Ord::min(first, MAX_SUGGESTIONS)).unwrap_or(0);
    let mut categories: Vec<(u32, category::Model)> = all_categories(db)
        .await?
        .into_iter()
        .filter_map(|c| plan.answers(&c.name).map(|q| (q, c)))
        .collect();
    categories.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.position.cmp(&b.1.position)));
    let mut out: Vec<Suggestion> = categories
        .into_iter()
        .take(Ord::min(3, limit))
        .map(|(_, c)| Suggestion::Category(c))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::new();
    // A few more than needed: equal names are suggested once.
    for hit in plan
        .page(db, public_products(), None, 2 * MAX_SUGGESTIONS)
        .await?
    {
        if out.len() + ids.len() >= limit {
            break;
        }
        if seen.insert(hit.name.clone()) {
            ids.push(hit.id);
        }
    }
    let mut models: std::collections::HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    out.extend(
        ids.iter()
            .filter_map(|id| models.remove(id))
            .map(Suggestion::Product),
    );
    Ok(out)
}

pub async fn public_product_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find_by_id(id)
        .filter(public_products())
        .one(db)
        .await?)
}

pub async fn public_product_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .filter(public_products())
        .one(db)
        .await?)
}

/// A product by id, whatever its status or its seller's (the caller asks the policy who may see
/// it).
pub async fn any_product_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find_by_id(id).one(db).await?)
}

/// A product by slug, whatever its status (see [`any_product_by_id`]).
pub async fn any_product_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

pub async fn all_categories(db: &impl ConnectionTrait) -> AppResult<Vec<category::Model>> {
    Ok(category::Entity::find()
        .order_by_asc(category::Column::Position)
        .all(db)
        .await?)
}

/// A category and every category below it.
pub fn with_descendants(all: &[category::Model], root: Uuid) -> Vec<Uuid> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.id),
        );
        i += 1;
    }
    out
}

/// How many public products each of `category_ids` holds directly (not counting subcategories),
/// in one statement; a category without any is absent.
pub async fn public_product_counts(
    db: &impl ConnectionTrait,
    category_ids: &[Uuid],
) -> AppResult<Vec<(Uuid, i64)>> {
    Ok(product::Entity::find()
        .select_only()
        .column(product::Column::CategoryId)
        .column_as(Expr::col(product::Column::Id).count(), "n")
        .filter(public_products())
        .filter(product::Column::CategoryId.is_in(category_ids.iter().copied()))
        .group_by(product::Column::CategoryId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?)
}

/// Whether a product may be shown as halal today: the product is declared halal and its seller's
/// certificate is on record and not expired.
pub fn halal_today(product: &product::Model, seller: &seller::Model, today: NaiveDate) -> bool {
    product.halal
        && seller.halal_certificate_number.is_some()
        && seller
            .halal_expires_on
            .is_some_and(|expiry| expiry >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_search_text() {
        assert_eq!(
            normalise_search("  Keripik   MANGGA "),
            Some("keripik mangga".into())
        );
        assert_eq!(normalise_search("   "), None);
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern("50%_off!"), "%50!%!_off!!%");
    }
}
