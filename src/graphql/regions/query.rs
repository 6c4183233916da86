//! Entry points of the regional reference data.

use async_graphql::{Context, Object};

use crate::{
    error::{AppError, AppResult},
    graphql::{
        context::ContextExt,
        regions::{District, Village},
    },
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

    /// Villages (kelurahan / desa) by name, for picking `villageCode`: tolerant of case, spaces
    /// and hyphens, old spellings (oe, dj, tj), a dropped e after k ("Krajan" finds "Kerajan")
    /// and small typos (one from four letters, two from eight). Best matches first: prefix, then
    /// substring, then near matches; within a kecamatan when `kecamatanCode` is given, else within
    /// the regency.
    #[graphql(
        complexity = "crate::graphql::cost::list(1, crate::graphql::cost::size::VILLAGES, child_complexity)"
    )]
    async fn villages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of the name, 2 to 50 characters.")] search: String,
        #[graphql(desc = "Kecamatan code, e.g. \"35.13.23\".")] kecamatan_code: Option<String>,
        #[graphql(default = "35.13", desc = "Regency code, e.g. \"35.13\".")] regency_code: String,
        #[graphql(default = 20, desc = "At most this many, 1 to 50.")] first: i32,
    ) -> AppResult<Vec<Village>> {
        let len = search.trim().chars().count();
        if !(2..=50).contains(&len) {
            return Err(AppError::invalid("search", "must be 2 to 50 characters"));
        }
        if !(1..=50).contains(&first) {
            return Err(AppError::invalid("first", "must be from 1 to 50"));
        }
        let prefix = match kecamatan_code {
            Some(code) => {
                crate::graphql::catalog::filter::parse_district_code(&code, "kecamatanCode")?
            }
            None => {
                let valid = regency_code.len() == 5
                    && regency_code.as_bytes()[2] == b'.'
                    && regency_code
                        .bytes()
                        .enumerate()
                        .all(|(i, b)| i == 2 || b.is_ascii_digit());
                if !valid {
                    return Err(AppError::invalid(
                        "regencyCode",
                        "a regency code looks like 35.13",
                    ));
                }
                regency_code
            }
        };
        let rows =
            regions::search_villages(&ctx.state()?.db, &prefix, &search, first as usize).await?;
        Ok(rows.into_iter().map(Village::from).collect())
    }
}
