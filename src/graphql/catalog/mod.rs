//! Catalogue types: products, categories, photos, and the public product list.

mod category;
pub mod filter;
pub mod mutation;
mod product;
pub mod query;

pub use category::Category;
pub use filter::ProductFilterInput;
pub use product::{Photo, Product};

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
