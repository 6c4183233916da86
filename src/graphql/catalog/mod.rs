//! Catalogue types: products, categories, photos, and the public product list.

mod category;
pub mod facets;
pub mod filter;
pub mod mutation;
mod product;
pub mod query;

pub use category::Category;
pub use filter::ProductFilterInput;
pub use product::Product;

use async_graphql::Context;

use crate::{
    domain::cursor::Page,
    error::AppResult,
    graphql::{
        connection::{Conn, CountQuery, page_of},
        context::ContextExt,
        enums::ProductSort,
        prefetch,
    },
    services::catalog::{self, ProductFilter},
};

/// Resolves any list of public products (top level or nested) through one code path.
/// The filter of a nested product list (`Category.products`, `Seller.products`,
/// `Outlet.products`): the client's `filter`, the same input as the root `products`, and the
/// parent's own condition, all holding at once. A `sellerId` or `outletId` that contradicts the
/// parent gives an empty list, as it would on the root list.
pub async fn nested_filter(
    ctx: &Context<'_>,
    input: Option<ProductFilterInput>,
    parent: ProductFilter,
) -> AppResult<ProductFilter> {
    let mut filter = input.unwrap_or_default().parse(ctx).await?;
    let mut contradicts = false;
    if let Some(own) = parent.seller_id {
        contradicts |= filter.seller_id.is_some_and(|s| s != own);
        filter.seller_id = Some(own);
    }
    if let Some(own) = parent.outlet_id {
        contradicts |= filter.outlet_id.is_some_and(|o| o != own);
        filter.outlet_id = Some(own);
    }
    if let Some(own) = parent.category_ids {
        filter.category_ids = Some(match filter.category_ids.take() {
            Some(given) => given.into_iter().filter(|id| own.contains(id)).collect(),
            None => own,
        });
    }
    if contradicts {
        filter.category_ids = Some(Vec::new());
    }
    Ok(filter)
}

pub async fn products_connection(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    filter: ProductFilter,
    sort: Option<ProductSort>,
) -> AppResult<Conn<Product>> {
    let page = Page::parse(first, after.as_deref())?;
    let sort = sort.unwrap_or(ProductSort::Relevance).into();
    let today = ctx.request()?.today;
    let paged = catalog::list_products(&ctx.state()?.db, &filter, sort, &page, today).await?;
    prefetch::products(ctx, &paged.rows).await?;
    Ok(page_of(paged, &page, CountQuery::Products(filter), Product))
}
