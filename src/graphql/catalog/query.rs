//! Entry points of the catalogue: products and the category tree.

use async_graphql::{Context, ID, Object};

use crate::{
    domain::global_id::{GlobalId, NodeKind},
    error::{AppError, AppResult},
    graphql::{
        args::one_of,
        catalog::{
            Category, Product, ProductFilterInput,
            facets::{ProductFacets, SearchSuggestion},
            products_connection,
        },
        connection::Conn,
        context::ContextExt,
        enums::ProductSort,
    },
    services::catalog::{self, check_search},
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

    /// Facet counts for the filter sheet: for the same filter as `products`, how many public
    /// products fall in each category, kecamatan, halal status and price band ("Keripik (42)").
    #[graphql(complexity = "crate::graphql::cost::lookup(3, child_complexity)")]
    async fn product_facets(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilterInput>,
    ) -> AppResult<ProductFacets> {
        let filter = filter.unwrap_or_default().parse(ctx).await?;
        let today = ctx.request()?.today;
        let facets = catalog::product_facets(&ctx.state()?.db, &filter, today).await?;
        let categories = ctx.loaders()?.categories().await?.to_vec();
        Ok(ProductFacets(facets, categories))
    }

    /// Suggestions as the traveller types in the search box: up to three categories, then
    /// names of public products, best first, `first` in all (default 8, at most 20). The same
    /// matching as `products(filter: { search })`: typos, spelling variants, English words and
    /// unfinished words ("kri" → "Keripik ..."). Empty for an empty prefix.
    #[graphql(
        complexity = "crate::graphql::cost::list(2, crate::graphql::cost::size::SUGGESTIONS, child_complexity)"
    )]
    async fn search_suggestions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What has been typed so far, at most 100 characters.")] prefix: String,
        #[graphql(desc = "How many suggestions, 1 to 20 (default 8).")] first: Option<i32>,
    ) -> AppResult<Vec<SearchSuggestion>> {
        check_search(Some(&prefix), "prefix")?;
        let first = first.unwrap_or(8);
        if !(1..=20).contains(&first) {
            return Err(AppError::invalid("first", "must be from 1 to 20"));
        }
        let found = catalog::search_suggestions(
            &ctx.state()?.db,
            &prefix,
            u64::try_from(first).unwrap_or(8),
        )
        .await?;
        Ok(found.into_iter().map(SearchSuggestion).collect())
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
