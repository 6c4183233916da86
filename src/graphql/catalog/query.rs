//! Entry points of the catalogue: products and the category tree.

use async_graphql::{Context, ID, Object};

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        args::one_of,
        catalog::{Category, Product, ProductFilterInput, products_connection},
        connection::Conn,
        context::ContextExt,
        enums::ProductSort,
    },
};

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Public products: ACTIVE products of VERIFIED sellers. Relay connection, 20 per page by
    /// default, at most 100.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        filter: Option<ProductFilterInput>,
        #[graphql(desc = "Order; RELEVANCE by default (newest first when there is no search).")]
        sort: Option<ProductSort>,
    ) -> AppResult<Conn<Product>> {
        let filter = filter.unwrap_or_default().parse(ctx).await?;
        products_connection(ctx, first, after, filter, sort).await
    }

    /// One product, by `id` or by `slug` (exactly one): a public product, or any product (drafts
    /// included) of a seller the caller is a member of, or any product for administrators.
    /// NOT_FOUND when there is no such product the caller may see.
    #[graphql(complexity = "crate::graphql::cost::lookup(2, child_complexity)")]
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> AppResult<Option<Product>> {
        let key = match one_of(&id, &slug, "slug")? {
            Ok(id) => Ok(GlobalId::parse_kind(id, NodeKind::Product, "id")?),
            Err(slug) => Err(slug),
        };
        Product::visible(ctx, key)
            .await?
            .map(Some)
            .ok_or_else(|| AppError::not_found("product"))
    }

    /// The whole category tree, flat, in display order (use `parent` / `children` to nest).
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::CATEGORIES, child_complexity)"
    )]
    async fn categories(&self, ctx: &Context<'_>) -> AppResult<Vec<Category>> {
        Ok(ctx
            .loaders()?
            .categories()
            .await?
            .iter()
            .cloned()
            .map(Category)
            .collect())
    }
}
