use sea_orm::entity::prelude::*;

use crate::enums::ProductStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seller_id: Uuid,
    pub category_id: Uuid,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: String,
    pub description: String,
    /// Whole Rupiah.
    pub price: i64,
    pub unit_label: String,
    pub net_weight_grams: Option<i32>,
    pub shelf_life_days: Option<i32>,
    pub halal: bool,
    pub featured: bool,
    pub status: ProductStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
