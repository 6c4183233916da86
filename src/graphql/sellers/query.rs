//! Entry points of sellers: the public list, one seller, and the office's review queue.

use async_graphql::{Context, ID, InputObject, Object};

use crate::{
    auth::policy,
    domain::{
        cursor::Page,
        global_id::{GlobalId, NodeKind},
    },
    error::{AppError, AppResult},
    graphql::{
        args::one_of,
        catalog::filter::parse_district_code,
        connection::{Conn, CountQuery, page_of},
        context::ContextExt,
        enums::{BusinessCategory, SellerSort},
        prefetch,
        sellers::Seller,
    },
    services::{
        catalog::check_search,
        sellers::{self, SellerFilter},
    },
};

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

#[derive(Default)]
pub struct SellersQuery;

#[Object]
impl SellersQuery {
    /// Verified sellers.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
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
        let paged = sellers::list_sellers(&ctx.state()?.db, &filter, sort, &page).await?;
        prefetch::sellers_nested(
            ctx.loaders()?,
            &paged.rows,
            &prefetch::connection_nodes(ctx),
        )
        .await?;
        Ok(page_of(paged, &page, CountQuery::Sellers(filter), Seller))
    }

    /// One verified seller, by `id` or by `slug` (exactly one). NOT_FOUND when there is no such
    /// public seller.
    #[graphql(complexity = "crate::graphql::cost::lookup(2, child_complexity)")]
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

    /// Administrators: the review queue, longest waiting first (by the seller's last change:
    /// submission, resubmission or legal change). Without arguments it holds every seller the
    /// office must decide on: PENDING applications and VERIFIED sellers with a legal change
    /// waiting (`pendingLegalChange`, e.g. a renewed halal certificate). `status` lists one
    /// verification state instead; `pendingLegalChange` keeps only sellers with (true) or
    /// without (false) a waiting legal change.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
    async fn seller_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One verification state; the review queue when omitted.")] status: Option<
            crate::graphql::enums::VerificationStatus,
        >,
        #[graphql(desc = "Only sellers with (true) or without (false) a legal change waiting.")]
        pending_legal_change: Option<bool>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> AppResult<Conn<Seller>> {
        policy::may_review_sellers(ctx.caller()?)?;
        let page = Page::parse(first, after.as_deref())?;
        let filter = sellers::ApplicationFilter {
            status: status.map(Into::into),
            pending_legal_change,
        };
        let paged = sellers::applications_page(&ctx.state()?.db, &filter, &page).await?;
        Ok(page_of(
            paged,
            &page,
            CountQuery::Applications(filter),
            Seller,
        ))
    }
}
