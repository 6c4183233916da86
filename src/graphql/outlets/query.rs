//! Entry points of outlets (stalls).

use async_graphql::{Context, ID, InputObject, Object};

use crate::{
    domain::{
        cursor::Page,
        global_id::{GlobalId, NodeKind},
    },
    error::{AppError, AppResult},
    graphql::{
        args::one_of,
        connection::{Conn, CountQuery, page_of},
        context::ContextExt,
        outlets::Outlet,
        prefetch,
    },
    services::{
        catalog::check_search,
        outlets::{self, OutletFilter},
    },
};

/// Narrows an outlet list.
#[derive(InputObject, Default)]
pub struct OutletFilterInput {
    /// Words to look for in the outlet's name, code or rest area (at most 100 characters).
    pub search: Option<String>,
    /// Exact rest area name, e.g. "Rest Area Tongas".
    pub rest_area: Option<String>,
}

#[derive(Default)]
pub struct OutletsQuery;

#[Object]
impl OutletsQuery {
    /// Outlets (stalls), by code.
    #[graphql(complexity = "crate::graphql::cost::connection(first, child_complexity)")]
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
        let paged = outlets::list_outlets(&ctx.state()?.db, &filter, &page).await?;
        prefetch::outlets_nested(
            ctx.loaders()?,
            &paged.rows,
            &prefetch::connection_nodes(ctx),
        )
        .await?;
        Ok(page_of(paged, &page, CountQuery::Outlets(filter), Outlet))
    }

    /// One outlet, by `id` or by `code` (exactly one). NOT_FOUND when there is none.
    #[graphql(complexity = "crate::graphql::cost::lookup(2, child_complexity)")]
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
                outlets::outlet_by_id(db, id).await?
            }
            Err(code) => outlets::outlet_by_code(db, code).await?,
        };
        found
            .map(Outlet)
            .map(Some)
            .ok_or_else(|| AppError::not_found("outlet"))
    }
}
