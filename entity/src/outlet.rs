use sea_orm::entity::prelude::*;

use crate::enums::OutletStatus;

/// A stall or counter in a rest area.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outlets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub rest_area: String,
    pub village_code: Option<String>,
    pub district_code: String,
    pub latitude: f64,
    pub longitude: f64,
    pub phone: Option<String>,
    pub status: OutletStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
