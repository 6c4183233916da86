//! Entry points of the regional reference data.

use async_graphql::{Context, Object};

use crate::{
    error::{AppError, AppResult},
    graphql::{context::ContextExt, regions::District},
    services::regions,
};

#[derive(Default)]
pub struct RegionsQuery;

#[Object]
impl RegionsQuery {
    /// The kecamatan (districts) of a regency, by name; Kabupaten Probolinggo ("35.13") by default.
    #[graphql(
        complexity = "crate::graphql::cost::list(2, crate::graphql::cost::size::KECAMATAN, child_complexity)"
    )]
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
}
