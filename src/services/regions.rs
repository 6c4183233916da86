//! Regions of East Java (regencies, kecamatan, villages): reference data loaded by migrations.

use std::collections::HashMap;

use entity::{district, regency, village};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;

/// A regency by code ("35.13").
pub async fn regency(db: &impl ConnectionTrait, code: &str) -> AppResult<Option<regency::Model>> {
    Ok(regency::Entity::find_by_id(code.to_string())
        .one(db)
        .await?)
}

/// The kecamatan of a regency, by name.
pub async fn districts_of(
    db: &impl ConnectionTrait,
    regency_code: &str,
) -> AppResult<Vec<district::Model>> {
    Ok(district::Entity::find()
        .filter(district::Column::RegencyCode.eq(regency_code))
        .order_by_asc(district::Column::Name)
        .all(db)
        .await?)
}

/// Kecamatan by code, each with its regency (two statements whatever the number of codes).
pub async fn districts_with_regency(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> AppResult<HashMap<String, (district::Model, regency::Model)>> {
    let districts = district::Entity::find()
        .filter(district::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?;
    let regency_codes: Vec<String> = districts.iter().map(|d| d.regency_code.clone()).collect();
    let regencies: HashMap<String, regency::Model> = regency::Entity::find()
        .filter(regency::Column::Code.is_in(regency_codes))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    Ok(districts
        .into_iter()
        .filter_map(|d| {
            regencies
                .get(&d.regency_code)
                .cloned()
                .map(|r| (d.code.clone(), (d, r)))
        })
        .collect())
}

/// Villages (kelurahan / desa) by code.
pub async fn villages(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> AppResult<HashMap<String, village::Model>> {
    Ok(village::Entity::find()
        .filter(village::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.code.clone(), v))
        .collect())
}
