//! The public, read-only entry points of the catalogue.

use async_graphql::{Context, ID, InputObject, Object};

use crate::{
    auth::policy,
    domain::{
        cursor::Page,
        global_id::{GlobalId, NodeKind},
    },
    error::{AppError, AppResult},
    graphql::{
        catalog::{
            Category, Product, ProductFilterInput, filter::parse_district_code, products_connection,
        },
        connection::{Conn, CountQuery, page_of},
        context::ContextExt,
        enums::{BusinessCategory, ProductSort, SellerSort},
        node::{self, Node},
        outlets::Outlet,
        prefetch,
        regions::District,
        sellers::Seller,
    },
    services::{
        catalog::{self, check_search},
        outlets::{self, OutletFilter},
        regions,
        sellers::{self, SellerFilter},
    },
};

pub struct QueryRoot;

/// Narrows a seller list. All given conditions must hold.
#[derive(InputObject, Default)]
pub struct SellerFilterInput {
    /// Words to look for in business names and descriptions (at most 100 characters).
    pub search: Option<String>,
    /// Kecamatan (district) code, e.g. "35.13.23".
    pub kecamatan_code: Option<String>,
    /// Business category.
    pub category: Option<BusinessCategory>,
    /// Sellers with a place at this outlet.
    pub outlet_id: Option<ID>,
}

/// Narrows an outlet list.
#[derive(InputObject, Default)]
pub struct OutletFilterInput {
    /// Words to look for in the outlet's name, code or rest area (at most 100 characters).
    pub search: Option<String>,
    /// Exact rest area name, e.g. "Rest Area Tongas".
    pub rest_area: Option<String>,
}

/// Exactly one of two alternative arguments must be given.
fn one_of<'a>(
    id: &'a Option<ID>,
    other: &'a Option<String>,
    other_name: &str,
) -> AppResult<Result<&'a str, &'a str>> {
    match (id, other) {
        (Some(id), None) => Ok(Ok(id.as_str())),
        (None, Some(other)) => Ok(Err(other.as_str())),
        _ => Err(AppError::invalid(
            "id",
            format!("give exactly one of id and {other_name}"),
        )),
    }
}

#[Object]
impl QueryRoot {
    /// Public products: ACTIVE products of VERIFIED sellers. Relay connection, 20 per page by
    /// default, at most 100.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
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

    /// One public product, by `id` or by `slug` (exactly one). NOT_FOUND when there is no such
    /// public product.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> AppResult<Option<Product>> {
        let db = &ctx.state()?.db;
        let found = match one_of(&id, &slug, "slug")? {
            Ok(id) => {
                catalog::public_product_by_id(
                    db,
                    GlobalId::parse_kind(id, NodeKind::Product, "id")?,
                )
                .await?
            }
            Err(slug) => catalog::public_product_by_slug(db, slug).await?,
        };
        found
            .map(Product)
            .map(Some)
            .ok_or_else(|| AppError::not_found("product"))
    }

    /// Verified sellers.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn sellers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        filter: Option<SellerFilterInput>,
        #[graphql(desc = "Order; NAME by default.")] sort: Option<SellerSort>,
    ) -> AppResult<Conn<Seller>> {
        let page = Page::parse(first, after.as_deref())?;
        let input = filter.unwrap_or_default();
        check_search(input.search.as_deref(), "filter.search")?;
        let filter = SellerFilter {
            search: input.search,
            district_code: input
                .kecamatan_code
                .map(|c| parse_district_code(&c, "filter.kecamatanCode"))
                .transpose()?,
            category: input.category.map(Into::into),
            outlet_id: input
                .outlet_id
                .map(|id| GlobalId::parse_kind(&id, NodeKind::Outlet, "filter.outletId"))
                .transpose()?,
        };
        let sort = sort.unwrap_or(SellerSort::Name).into();
        let (rows, has_next) = sellers::list_sellers(&ctx.state()?.db, &filter, sort, page).await?;
        prefetch::sellers_nested(ctx.loaders()?, &rows, &prefetch::connection_nodes(ctx)).await?;
        Ok(page_of(
            rows,
            page,
            has_next,
            CountQuery::Sellers(filter),
            Seller,
        ))
    }

    /// One verified seller, by `id` or by `slug` (exactly one). NOT_FOUND when there is no such
    /// public seller.
    async fn seller(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> AppResult<Option<Seller>> {
        let db = &ctx.state()?.db;
        let caller = ctx.caller()?;
        // Members and administrators also see the seller while it is not public.
        let found = match one_of(&id, &slug, "slug")? {
            Ok(id) => {
                sellers::seller_by_id(db, GlobalId::parse_kind(id, NodeKind::Seller, "id")?).await?
            }
            Err(slug) => sellers::seller_by_slug(db, slug).await?,
        };
        found
            .filter(|s| policy::may_view_seller(caller, s.id, s.status))
            .map(Seller)
            .map(Some)
            .ok_or_else(|| AppError::not_found("seller"))
    }

    /// Administrators: sellers in one verification state (the review queue: PENDING), oldest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn seller_applications(
        &self,
        ctx: &Context<'_>,
        status: crate::graphql::enums::VerificationStatus,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<Vec<Seller>> {
        policy::may_review_sellers(ctx.caller()?)?;
        let page = Page::parse(first, after.as_deref())?;
        let rows = sellers::by_status(&ctx.state()?.db, status.into(), page).await?;
        Ok(rows.into_iter().map(Seller).collect())
    }

    /// Outlets (stalls), by code.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn outlets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
        filter: Option<OutletFilterInput>,
    ) -> AppResult<Conn<Outlet>> {
        let page = Page::parse(first, after.as_deref())?;
        let input = filter.unwrap_or_default();
        check_search(input.search.as_deref(), "filter.search")?;
        let filter = OutletFilter {
            search: input.search,
            rest_area: input.rest_area,
        };
        let (rows, has_next) = outlets::list_outlets(&ctx.state()?.db, &filter, page).await?;
        prefetch::outlets_nested(ctx.loaders()?, &rows, &prefetch::connection_nodes(ctx)).await?;
        Ok(page_of(
            rows,
            page,
            has_next,
            CountQuery::Outlets(filter),
            Outlet,
        ))
    }

    /// One outlet, by `id` or by `code` (exactly one). NOT_FOUND when there is none.
    async fn outlet(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> AppResult<Option<Outlet>> {
        let db = &ctx.state()?.db;
        let found = match one_of(&id, &code, "code")? {
            Ok(id) => {
                let id = GlobalId::parse_kind(id, NodeKind::Outlet, "id")?;
                outlets::outlets_by_ids(db, &[id]).await?.pop()
            }
            Err(code) => outlets::outlet_by_code(db, code).await?,
        };
        found
            .map(Outlet)
            .map(Some)
            .ok_or_else(|| AppError::not_found("outlet"))
    }

    /// The whole category tree, flat, in display order (use `parent` / `children` to nest).
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

    /// The kecamatan (districts) of a regency, by name; Kabupaten Probolinggo ("35.13") by default.
    async fn kecamatan(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = "35.13", desc = "Regency code, e.g. \"35.13\".")] regency_code: String,
    ) -> AppResult<Vec<District>> {
        let db = &ctx.state()?.db;
        let Some(regency) = regions::regency(db, &regency_code).await? else {
            return Err(AppError::invalid(
                "regencyCode",
                "no such regency (East Java codes 35.01 to 35.79)",
            ));
        };
        let rows = regions::districts_of(db, &regency_code).await?;
        Ok(rows
            .into_iter()
            .map(|d| District::from_models(d, regency.clone()))
            .collect())
    }

    /// Who is calling; null for anonymous callers and kiosks.
    async fn viewer(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Option<crate::graphql::accounts::Viewer>> {
        crate::graphql::accounts::viewer(ctx).await
    }

    /// Administrators: registered kiosks, optionally of one outlet.
    async fn kiosks(
        &self,
        ctx: &Context<'_>,
        outlet_id: Option<ID>,
    ) -> AppResult<Vec<crate::graphql::accounts::Kiosk>> {
        crate::graphql::accounts::kiosks(ctx, outlet_id).await
    }

    /// Any object by its global ID; null when it does not exist or is not public.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        node::resolve(ctx, &id).await
    }
}
