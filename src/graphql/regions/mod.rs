//! Administrative regions (Kemendagri codes).

pub mod query;

use async_graphql::{Context, SimpleObject};

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
        Ok(found.map(|v| Village {
            code: v.code,
            name: v.name,
        }))
    }
}
