//! Administrative regions (Kemendagri codes).

pub mod query;

use async_graphql::{ComplexObject, Context, SimpleObject};

use crate::{error::AppResult, graphql::context::ContextExt};

/// A regency or city (kabupaten/kota).
#[derive(SimpleObject, Clone)]
pub struct Regency {
    /// Kemendagri code, e.g. "35.13".
    pub code: String,
    /// e.g. "Kabupaten Probolinggo".
    pub name: String,
}

/// A kecamatan (district).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct District {
    /// Kemendagri code, e.g. "35.13.23".
    pub code: String,
    /// e.g. "Tongas".
    pub name: String,
    /// The regency it belongs to.
    pub regency: Regency,
}

/// A kelurahan or desa (village).
#[derive(SimpleObject, Clone)]
pub struct Village {
    /// Kemendagri code, e.g. "35.13.23.2008".
    pub code: String,
    /// e.g. "Tongas Wetan".
    pub name: String,
    /// Code of the kecamatan it belongs to, e.g. "35.13.23".
    pub kecamatan_code: String,
}

impl From<entity::village::Model> for Village {
    fn from(v: entity::village::Model) -> Self {
        Village {
            code: v.code,
            name: v.name,
            kecamatan_code: v.district_code,
        }
    }
}

#[ComplexObject]
impl District {
    /// Its kelurahan and desa (villages), by name: the codes `applyAsSeller` takes as
    /// `villageCode`. A kecamatan has at most a few dozen.
    #[graphql(
        complexity = "crate::graphql::cost::list(0, crate::graphql::cost::size::VILLAGES, child_complexity)"
    )]
    async fn villages(&self, ctx: &Context<'_>) -> AppResult<Vec<Village>> {
        let rows = ctx
            .loaders()?
            .district_villages
            .load_one(self.code.clone())
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Village::from).collect())
    }
}

impl District {
    pub fn from_models(d: entity::district::Model, r: entity::regency::Model) -> Self {
        District {
            code: d.code,
            name: d.name,
            regency: Regency {
                code: r.code,
                name: r.name,
            },
        }
    }

    pub async fn load(ctx: &Context<'_>, code: &str) -> AppResult<Option<District>> {
        let found = ctx.loaders()?.districts.load_one(code.to_string()).await?;
        Ok(found.map(|(d, r)| District::from_models(d, r)))
    }
}

impl Village {
    pub async fn load(ctx: &Context<'_>, code: Option<&str>) -> AppResult<Option<Village>> {
        let Some(code) = code else { return Ok(None) };
        let found = ctx.loaders()?.villages.load_one(code.to_string()).await?;
        Ok(found.map(Village::from))
    }
}
