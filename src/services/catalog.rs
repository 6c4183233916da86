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
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, Select,
    sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Query, SimpleExpr},
};
use uuid::Uuid;

use crate::{domain::cursor::Page, error::AppResult};

/// Words shorter than this are matched as substrings only; trigram similarity on very short
/// strings matches almost anything.
const MIN_FUZZY_LEN: usize = 4;
/// `word_similarity` threshold for typo-tolerant matches on PostgreSQL.
const FUZZY_THRESHOLD: f64 = 0.5;
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

fn search_condition(backend: DbBackend, q: &str) -> Condition {
    let substring = contains_any(&[("products", "name"), ("products", "description")], q);
    if backend == DbBackend::Postgres && q.chars().count() >= MIN_FUZZY_LEN {
        // Typo and spelling-variant tolerance: "keripik manga" finds "Keripik Mangga",
        // "kripik" finds "keripik" (pg_trgm, backed by a trigram index on lower(name)).
        substring.add(Expr::cust_with_values(
            "word_similarity($1, lower(products.name)) >= $2",
            [
                sea_orm::Value::from(q.to_string()),
                sea_orm::Value::from(FUZZY_THRESHOLD),
            ],
        ))
    } else {
        substring
    }
}

fn relevance(backend: DbBackend, q: &str) -> SimpleExpr {
    let like = like_pattern(q);
    let prefix = format!("{}%", escape_like(q));
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "(CASE WHEN lower(products.name) LIKE $1 ESCAPE '!' THEN 2 \
             WHEN lower(products.name) LIKE $2 ESCAPE '!' THEN 1 ELSE 0 END \
             + word_similarity($3, lower(products.name)))",
            [prefix, like, q.to_string()],
        ),
        _ => Expr::cust_with_values(
            "(CASE WHEN lower(products.name) LIKE ? ESCAPE '!' THEN 2 \
             WHEN lower(products.name) LIKE ? ESCAPE '!' THEN 1 ELSE 0 END)",
            [prefix, like],
        ),
    }
}

fn filtered(
    backend: DbBackend,
    filter: &ProductFilter,
    today: NaiveDate,
) -> Select<product::Entity> {
    let mut cond = public_products();
    if let Some(q) = filter.search.as_deref().and_then(normalise_search) {
        cond = cond.add(search_condition(backend, &q));
    }
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
    product::Entity::find().filter(cond)
}

/// One page of public products, plus whether another page follows.
pub async fn list_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
    sort: ProductSort,
    page: Page,
    today: NaiveDate,
) -> AppResult<(Vec<product::Model>, bool)> {
    let backend = db.get_database_backend();
    let mut select = filtered(backend, filter, today);
    let search = filter.search.as_deref().and_then(normalise_search);
    select = match (sort, search) {
        (ProductSort::Relevance, Some(q)) => select
            .order_by(relevance(backend, &q), Order::Desc)
            .order_by_asc(product::Column::Name),
        (ProductSort::Relevance, None) | (ProductSort::Newest, _) => {
            select.order_by_desc(product::Column::CreatedAt)
        }
        (ProductSort::PriceAsc, _) => select.order_by_asc(product::Column::Price),
        (ProductSort::PriceDesc, _) => select.order_by_desc(product::Column::Price),
        (ProductSort::Name, _) => select.order_by_asc(product::Column::Name),
    };
    // The id breaks ties so that pages never overlap or skip rows.
    let select = select.order_by_asc(product::Column::Id);
    crate::services::fetch_page(select, page, db).await
}

pub async fn count_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
    today: NaiveDate,
) -> AppResult<u64> {
    Ok(filtered(db.get_database_backend(), filter, today)
        .count(db)
        .await?)
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
